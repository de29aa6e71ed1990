// Realism beyond the seed, measured on whole simulated samples: each effect is visible when
// switched on and absent when off (docs/realism.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "synthstm/dataset/dataset_layout.hpp"
#include "synthstm/dataset/simulate_sample.hpp"
#include "synthstm/instrument/noise.hpp"

namespace synthstm {
namespace {

/// An ideal instrument over a fixed geometry: fast axis x, forward, no rotation.
ParameterSet parameters(std::vector<std::string> extra) {
    Config c = Config::preset("wse2-ideal");
    for (const char* s : {"tip=w111-sharp", "size_nm=2.4", "resolution_px=32", "sample_tilt_rad=0", "fast_axis=x",
                          "fast_forward=true", "slow_forward=true", "sample_rotation_rad=0", "tip_rotation_rad=0",
                          "bias_V=0.4"})
        c.set(s);
    for (const auto& s : extra) c.set(s);
    return c.draw(17, 3);
}

/// Per row: the std of the row after removing its mean (the corrugation along the line).
std::vector<double> row_corrugation(const ScanImage& z) {
    std::vector<double> out;
    for (int r = 0; r < z.rows; ++r)
        out.push_back(standard_deviation(std::span<const double>(&z.values[std::size_t(r) * z.cols], std::size_t(z.cols))));
    return out;
}

/// Variance of the row means after removing the best straight line through them.
double row_mean_variance(const ScanImage& z) {
    std::vector<double> means;
    for (int r = 0; r < z.rows; ++r) {
        double m = 0.0;
        for (int c = 0; c < z.cols; ++c) m += z.at(r, c) / z.cols;
        means.push_back(m);
    }
    const double n = z.rows, centre = 0.5 * (n - 1);
    double mean = 0.0, slope = 0.0, ss = 0.0;
    for (int r = 0; r < z.rows; ++r) mean += means[r] / n;
    for (int r = 0; r < z.rows; ++r) {
        slope += (means[r] - mean) * (r - centre);
        ss += (r - centre) * (r - centre);
    }
    slope /= ss;
    double var = 0.0;
    for (int r = 0; r < z.rows; ++r) var += std::pow(means[r] - mean - slope * (r - centre), 2) / n;
    return var;
}

TEST(Realism, LineOffsetsShowInTheRecordedLineMeans) {
    const std::vector<std::string> base{"vacancy_top_per_nm2=0", "vacancy_bottom_per_nm2=0", "dopant_top_per_nm2=0",
                                        "dopant_bottom_per_nm2=0"};
    auto on = base;
    on.push_back("line_offset_nm=0.02");
    const SimulatedSample a = simulate_sample(parameters(base), 17, 3);
    const SimulatedSample b = simulate_sample(parameters(on), 17, 3);
    const double off_var = row_mean_variance(find_channel(a, "z_recorded_forward").image);
    const double on_var = row_mean_variance(find_channel(b, "z_recorded_forward").image);
    EXPECT_LT(off_var, 1e-5);
    EXPECT_GT(on_var, off_var + 0.4 * 0.02 * 0.02);
    // The true height and the ground truth are untouched.
    EXPECT_EQ(find_channel(a, "z_true_forward").image.values, find_channel(b, "z_true_forward").image.values);
    EXPECT_EQ(a.truth.lattice, b.truth.lattice);
}

TEST(Realism, PinkNoiseAndHumReachTheFeedback) {
    const SimulatedSample off = simulate_sample(parameters({}), 17, 3);
    for (const char* key : {"noise_pink_rel=0.5", "noise_hum_rel=0.5"}) {
        const SimulatedSample on = simulate_sample(parameters({key}), 17, 3);
        const auto& a = find_channel(off, "z_true_forward").image.values;
        const auto& b = find_channel(on, "z_true_forward").image.values;
        double diff = 0.0;
        for (std::size_t i = 0; i < a.size(); ++i) diff = std::max(diff, std::abs(a[i] - b[i]));
        EXPECT_GT(diff, 1e-4) << key;
    }
}

// A sharp apex that becomes a 10-atom one: the corrugation along the lines drops at the
// recorded change line; without a change it does not.
TEST(Realism, TipChangeSplitsTheImageAtTheRecordedLine) {
    const std::vector<std::string> base{"vacancy_top_per_nm2=0", "vacancy_bottom_per_nm2=0", "dopant_top_per_nm2=0",
                                        "dopant_bottom_per_nm2=0", "tip_change_tip=w111-blunt10"};
    const auto ratio = [](const SimulatedSample& s, int line) {
        const auto c = row_corrugation(find_channel(s, "z_recorded_forward").image);
        const int n = static_cast<int>(c.size());
        // Fast axis x, slow forward: line l is row n − 1 − l. Skip two lines around the change.
        double before = 0.0, after = 0.0;
        int nb = 0, na = 0;
        for (int l = 0; l < n; ++l) {
            if (std::abs(l - line) <= 1) continue;
            (l < line ? before : after) += c[std::size_t(n - 1 - l)];
            (l < line ? nb : na) += 1;
        }
        return (before / nb) / (after / na);
    };
    auto on = base;
    on.push_back("tip_change_probability=1");
    const SimulatedSample changed = simulate_sample(parameters(on), 17, 3);
    const int line = changed.events.tip_change_line;
    ASSERT_GE(line, 1);
    ASSERT_LT(line, 32);
    EXPECT_EQ(changed.events.tip_change_row, 31 - line);
    const int probe = std::clamp(line, 4, 28);  // a split with enough lines on both sides
    const SimulatedSample same = simulate_sample(parameters(base), 17, 3);
    EXPECT_EQ(same.events.tip_change_line, -1);
    EXPECT_NEAR(ratio(same, probe), 1.0, 0.2);
    if (line >= 4 && line <= 28) {
        EXPECT_GT(ratio(changed, line), 2.0);
    }
    // The transient: only the change line's forward pass is raised, from its first pixel on.
    auto with_streak = on;
    with_streak.push_back("tip_change_streak_nm=0.05");
    const SimulatedSample streaked = simulate_sample(parameters(with_streak), 17, 3);
    EXPECT_EQ(find_channel(streaked, "z_recorded_backward").image.values,
              find_channel(changed, "z_recorded_backward").image.values);
    const ScanImage& zs = find_channel(streaked, "z_recorded_forward").image;
    const ScanImage& zc = find_channel(changed, "z_recorded_forward").image;
    int raised = 0;
    for (int r = 0; r < 32; ++r)
        for (int c = 0; c < 32; ++c) {
            const double d = zs.at(r, c) - zc.at(r, c);
            if (r != 31 - line) {
                EXPECT_EQ(d, 0.0) << r << ", " << c;
            }
            if (d != 0.0) {
                EXPECT_GE(d, 0.025 - 1e-12);
                EXPECT_LE(d, 0.075 + 1e-12);
                ++raised;
            }
        }
    EXPECT_GE(raised, 1);
    EXPECT_GT(zs.at(31 - line, 0), zc.at(31 - line, 0));  // fast forward: the line starts at column 0
    // The ideal channels keep the first tip.
    EXPECT_EQ(find_channel(changed, "constant_current_height").image.values,
              find_channel(same, "constant_current_height").image.values);
}

/// Normalised autocorrelation of the mean-free image at lag (dr, dc).
double autocorrelation(const std::vector<double>& v, int n, int dr, int dc) {
    double mean = 0.0;
    for (double x : v) mean += x / v.size();
    double num = 0.0, den = 0.0;
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c) {
            const double a = v[std::size_t(r) * n + c] - mean;
            den += a * a;
            if (r + dr < n && c + dc < n && r + dr >= 0 && c + dc >= 0)
                num += a * (v[std::size_t(r + dr) * n + c + dc] - mean);
        }
    return num / den;
}

// A second apex 0.6 nm (8 pixels) along x: every defect gets a ghost copy at that offset, so
// the defects' image correlates with itself at that lag. The defects' image is the
// constant-height current with defects minus that without, at the same height: the lattice
// cancels exactly (a constant-current difference would keep a lattice residue from the shifted
// setpoint).
TEST(Realism, DoubleTipGhostsDefectsAtItsOffset) {
    const auto defect_image = [](std::vector<std::string> extra) {
        extra.push_back("scan_mode=constant_current");
        extra.push_back("vacancy_bottom_per_nm2=0");
        extra.push_back("dopant_top_per_nm2=0");
        extra.push_back("dopant_bottom_per_nm2=0");
        auto clean = extra;
        extra.push_back("vacancy_top_per_nm2=0.5");
        clean.push_back("vacancy_top_per_nm2=0");
        const auto a = find_channel(simulate_sample(parameters(extra), 17, 3), "constant_height_current").image.values;
        const auto b = find_channel(simulate_sample(parameters(clean), 17, 3), "constant_height_current").image.values;
        // The defects' image, high-passed by a discrete Laplacian (border pixels 0): what is left is
        // the atomic-scale contrast of the defects, not their slowly varying surroundings.
        const int n = 32;
        std::vector<double> d(a.size(), 0.0);
        const auto at = [&](int r, int c) { return a[std::size_t(r) * n + c] - b[std::size_t(r) * n + c]; };
        for (int r = 1; r < n - 1; ++r)
            for (int c = 1; c < n - 1; ++c)
                d[std::size_t(r) * n + c] = 4 * at(r, c) - at(r - 1, c) - at(r + 1, c) - at(r, c - 1) - at(r, c + 1);
        return d;
    };
    // 2.4 nm / 32 px = 0.075 nm per pixel; the offset 0.6 nm = 8 px along +x (azimuth 0).
    const auto on = defect_image({"double_tip_offset_nm=0.6", "double_tip_azimuth_rad=0", "double_tip_height_nm=0.02"});
    const auto off = defect_image({});
    // The apex at +x sees a defect at x when the reference point is at x − 0.6: a copy 8 px left.
    const double ghost_on = autocorrelation(on, 32, 0, 8), ghost_off = autocorrelation(off, 32, 0, 8);
    EXPECT_GT(ghost_on, 0.25);
    EXPECT_GT(ghost_on, ghost_off + 0.2);
    EXPECT_GT(ghost_on, autocorrelation(on, 32, 8, 0) + 0.2);  // not along y
    // A peak: above the neighbouring lags.
    EXPECT_GT(ghost_on, autocorrelation(on, 32, 0, 6));
    EXPECT_GT(ghost_on, autocorrelation(on, 32, 0, 11));
}

// Every option on at once (tip change, double tip, 1/f noise, hum, line artifacts, antisites):
// still the same bytes for 1 and 2 threads, and different samples differ.
TEST(Realism, Wse2RealIsDeterministicForAnyThreadCount) {
    Config c = Config::preset("wse2-real");
    for (const char* s : {"resolution_px=24", "size_nm=3", "tip_change_probability=1", "double_tip_offset_nm=0.5",
                          "noise_pink_rel=0.1", "noise_hum_rel=0.05", "streak_rate_per_line=0.5",
                          "feedback_loss_probability=0.1", "antisite_top_per_nm2=0.05"})
        c.set(s);
    const ParameterSet p = c.draw(8, 4);
    const SimulatedSample a = simulate_sample(p, 8, 4, {1});
    const SimulatedSample b = simulate_sample(p, 8, 4, {2});
    ASSERT_EQ(a.channels.size(), b.channels.size());
    for (std::size_t k = 0; k < a.channels.size(); ++k)
        EXPECT_EQ(a.channels[k].image.values, b.channels[k].image.values) << a.channels[k].name;
    EXPECT_EQ(a.truth.classes, b.truth.classes);
    EXPECT_EQ(a.events.tip_change_line, b.events.tip_change_line);
    EXPECT_EQ(a.events.streaks, b.events.streaks);
    const SimulatedSample other = simulate_sample(c.draw(8, 5), 8, 5, {1});
    EXPECT_NE(find_channel(a, "z_recorded_forward").image.values, find_channel(other, "z_recorded_forward").image.values);
}

// Antisites: their own class in the class map, and a contrast in the image where they sit.
TEST(Realism, AntisitesAreLabelledAndImaged) {
    const std::vector<std::string> base{"scan_mode=constant_current", "vacancy_top_per_nm2=0",
                                        "vacancy_bottom_per_nm2=0", "dopant_top_per_nm2=0", "dopant_bottom_per_nm2=0"};
    auto on = base;
    on.push_back("antisite_top_per_nm2=0.5");
    const SimulatedSample a = simulate_sample(parameters(base), 17, 3);
    const SimulatedSample b = simulate_sample(parameters(on), 17, 3);
    EXPECT_EQ(std::count(a.truth.classes.begin(), a.truth.classes.end(), 8), 0);
    const auto antisite_pixels = std::count(b.truth.classes.begin(), b.truth.classes.end(), 8);
    ASSERT_GT(antisite_pixels, 0);
    // Where the class map says antisite, the topography differs from the pristine one by more
    // than anywhere a pixel labelled lattice far from it does on average.
    const auto& za = find_channel(a, "constant_current_height").image.values;
    const auto& zb = find_channel(b, "constant_current_height").image.values;
    double at_antisite = 0.0;
    for (std::size_t i = 0; i < za.size(); ++i)
        if (b.truth.classes[i] == 8) at_antisite += std::abs(zb[i] - za[i]) / antisite_pixels;
    EXPECT_GT(at_antisite, 0.005);  // nm
    for (const auto& d : b.truth.defects) EXPECT_EQ(d.type, DefectType::Antisite);
    // The dataset's defect table holds the type name whole.
    EXPECT_GT(sizeof(DefectRow::type), defect_type_name(DefectType::Antisite).size());
}

// Bias polarity (docs/realism.md, "Bias polarity"): a dopant that raises its site's onsite energy
// moves states from E_F into the empty states, so the same dopants appear bright at positive
// sample bias (empty states imaged) and dark at negative bias (filled states) in the
// constant-current topography — emergent from the T-matrix LDOS, not put in by hand. Same
// seed, so the same defects at the same places.
TEST(Realism, DopantContrastFlipsWithBiasPolarity) {
    const std::vector<std::string> dopants{"vacancy_top_per_nm2=0", "vacancy_bottom_per_nm2=0",
                                           "dopant_top_per_nm2=0.3", "dopant_bottom_per_nm2=0",
                                           "dopant_onsite_min_eV=0.4", "dopant_onsite_max_eV=0.4"};
    double mean_contrast[2] = {0.0, 0.0};
    int index = 0;
    for (const char* bias : {"bias_V=0.4", "bias_V=-0.4"}) {
        auto keys = dopants;
        keys.push_back(bias);
        const SimulatedSample s = simulate_sample(parameters(keys), 17, 3);
        const ScanImage& z = find_channel(s, "constant_current_height").image;
        std::vector<double> sorted = z.values;
        std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
        const double median = sorted[sorted.size() / 2];
        int count = 0;
        for (const DefectLabel& d : s.truth.defects) {
            const int r = static_cast<int>(std::lround(d.row_px)), c = static_cast<int>(std::lround(d.col_px));
            if (!d.in_image || r < 0 || c < 0 || r >= z.rows || c >= z.cols) continue;
            mean_contrast[index] += z.at(r, c) - median;
            ++count;
        }
        ASSERT_GT(count, 0) << bias;
        mean_contrast[index] /= count;
        ++index;
    }
    EXPECT_GT(mean_contrast[0], 0.001) << "dopants bright in the empty states";   // nm
    EXPECT_LT(mean_contrast[1], -0.001) << "dopants dark in the filled states";
}

}  // namespace
}  // namespace synthstm
