// Realism beyond the seed, measured on whole simulated samples: each effect is visible when
// switched on and absent when off (docs/realism.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "synthstm/dataset/dataset_layout.hpp"
#include "synthstm/dataset/simulate_sample.hpp"
#include "synthstm/groundtruth/class_map.hpp"
#include "synthstm/groundtruth/site_search.hpp"
#include "synthstm/lattice/step_edge.hpp"
#include "synthstm/instrument/noise.hpp"

namespace synthstm {
namespace {

/// An ideal instrument over a fixed geometry: fast axis x, forward, no rotation; sample 3 of
/// seed 17 unless another is asked for.
ParameterSet parameters(std::vector<std::string> extra, std::uint64_t sample = 3) {
    Config c = Config::preset("wse2-ideal");
    for (const char* s : {"tip=w111-sharp", "size_nm=2.4", "resolution_px=32", "sample_tilt_rad=0", "fast_axis=x",
                          "fast_forward=true", "slow_forward=true", "sample_rotation_rad=0", "tip_rotation_rad=0",
                          "bias_V=0.4"})
        c.set(s);
    for (const auto& s : extra) c.set(s);
    return c.draw(17, sample);
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

// The tip's position is the centre of its lowest atomic layer: a trimer images each defect three
// times around its label, a dimer twice either side, a single atom once on it. So the centroid of
// an isolated defect's signature (the current it takes away) sits on the label for every apex;
// with any one atom of the layer as the reference it would sit a third of a trimer's side away.
TEST(Realism, DefectImagesOfEveryApexAreCentredOnTheLabel) {
    for (const char* tip : {"w111-sharp", "w111-trimer", "w001-dimer", "w001-tetramer"}) {
        int checked = 0;
        for (std::uint64_t sample = 0; sample < 12 && checked < 2; ++sample) {
            std::vector<std::string> keys = {fmt::format("tip={}", tip), "tip_tilt_rad=0", "resolution_px=48",
                                             "size_nm=3.0", "tip_rotation_rad=0.4", "vacancy_bottom_per_nm2=0",
                                             "dopant_top_per_nm2=0", "dopant_bottom_per_nm2=0"};
            auto clean = keys;
            keys.push_back("vacancy_top_per_nm2=0.1");
            clean.push_back("vacancy_top_per_nm2=0");
            const SimulatedSample with = simulate_sample(parameters(keys, sample), 17, sample);
            const auto a = find_channel(with, "constant_height_current").image.values;
            const auto b = find_channel(simulate_sample(parameters(clean, sample), 17, sample), "constant_height_current").image.values;
            const int n = 48;
            const double nm_per_px = 3.0 / n;
            for (const DefectLabel& d : with.truth.defects) {
                const bool inside = d.col_px * nm_per_px > 0.7 && d.row_px * nm_per_px > 0.7 &&
                                    (n - 1 - d.col_px) * nm_per_px > 0.7 && (n - 1 - d.row_px) * nm_per_px > 0.7;
                const bool isolated =
                    std::none_of(with.truth.defects.begin(), with.truth.defects.end(), [&](const DefectLabel& o) {
                        return &o != &d && std::hypot(o.col_px - d.col_px, o.row_px - d.row_px) * nm_per_px < 1.2;
                    });
                if (!inside || !isolated) continue;
                // Centroid of the missing current within 0.6 nm of the label.
                double w = 0, x = 0, y = 0;
                for (int r = 0; r < n; ++r)
                    for (int col = 0; col < n; ++col) {
                        if (std::hypot(col - d.col_px, r - d.row_px) * nm_per_px > 0.6) continue;
                        const std::size_t at = std::size_t(r) * n + col;
                        const double loss = std::max(0.0, std::abs(b[at]) - std::abs(a[at]));
                        w += loss;
                        x += loss * col;
                        y += loss * r;
                    }
                ASSERT_GT(w, 0.0) << tip;
                const double off_nm = std::hypot(x / w - d.col_px, y / w - d.row_px) * nm_per_px;
                EXPECT_LT(off_nm, 0.04) << tip << ": signature centred " << off_nm << " nm from the label";
                ++checked;
            }
        }
        EXPECT_GE(checked, 1) << tip << ": no isolated defect to check";
    }
}

// Every option on at once (tip change, double tip, 1/f noise, hum, line artifacts, antisites):
// still the same bytes for 1 and 2 threads, and different samples differ.
TEST(Realism, Wse2RealIsDeterministicForAnyThreadCount) {
    Config c = Config::preset("wse2-real");
    for (const char* s : {"resolution_px=24", "size_nm=3", "tip_change_probability=1", "double_tip_offset_nm=0.5",
                          "noise_pink_rel=0.1", "noise_hum_rel=0.05", "streak_rate_per_line=0.5",
                          "feedback_loss_probability=0.1", "antisite_top_per_nm2=0.05",
                          "relaxation_vacancy_nm=-0.005", "relaxation_dopant_nm=0.003", "adsorbate_per_nm2=0.3",
                          "step_probability=1"})
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
    EXPECT_EQ(a.events.adsorbate_hops, b.events.adsorbate_hops);
    EXPECT_GT(a.events.adsorbates, 0);
    EXPECT_GT(a.events.relaxed_sites, 0);
    EXPECT_TRUE(a.events.step_edge);
    EXPECT_EQ(a.truth.terrace, b.truth.terrace);
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

// Relaxation (docs/realism.md, section 7): vacancies pull their neighbours in by a few pm. The
// constant-current image changes around the defects and not far from them, the lattice map
// follows the moved top sites, and off changes nothing.
TEST(Realism, RelaxationMovesTheImageAndTheLatticeMapNearDefectsOnly) {
    const std::vector<std::string> base{"scan_mode=constant_current", "size_nm=4", "vacancy_top_per_nm2=0.1",
                                        "vacancy_bottom_per_nm2=0", "dopant_top_per_nm2=0", "dopant_bottom_per_nm2=0"};
    auto on = base;
    on.push_back("relaxation_vacancy_nm=-0.01");
    auto zero = base;
    zero.push_back("relaxation_dopant_nm=0.01");  // no dopants: nothing to relax
    const SimulatedSample off = simulate_sample(parameters(base), 17, 3);
    const SimulatedSample relaxed = simulate_sample(parameters(on), 17, 3);
    const SimulatedSample none = simulate_sample(parameters(zero), 17, 3);
    EXPECT_EQ(off.events.relaxed_sites, 0);
    EXPECT_EQ(none.events.relaxed_sites, 0);
    EXPECT_EQ(find_channel(none, "constant_current_height").image.values,
              find_channel(off, "constant_current_height").image.values);
    EXPECT_GT(relaxed.events.relaxed_sites, 0);
    const auto& a = find_channel(off, "constant_current_height").image.values;
    const auto& b = find_channel(relaxed, "constant_current_height").image.values;
    // Pixels by in-plane distance to the nearest vacancy (nominal positions: ideal instrument).
    double near = 0.0, far = 0.0;
    int near_count = 0, far_count = 0, lattice_moved_near = 0, lattice_moved_far = 0;
    for (int r = 0; r < 32; ++r)
        for (int c = 0; c < 32; ++c) {
            double nearest = INFINITY;
            for (const DefectLabel& d : relaxed.truth.defects)
                nearest = std::min(nearest, std::hypot(d.row_px - r, d.col_px - c) * 4.0 / 32);
            const std::size_t i = std::size_t(r) * 32 + c;
            const double diff = std::abs(b[i] - a[i]);
            const bool moved = relaxed.truth.lattice[i] != off.truth.lattice[i];
            if (nearest < 0.5) {
                near += diff, ++near_count, lattice_moved_near += moved;
            } else if (nearest > 1.6) {
                far += diff, ++far_count, lattice_moved_far += moved;
            }
        }
    ASSERT_GT(near_count, 20);
    ASSERT_GT(far_count, 20);
    near /= near_count;
    far /= far_count;
    EXPECT_GT(near, 5e-4);  // nm
    EXPECT_LT(far, 0.05 * near);
    EXPECT_GT(lattice_moved_near, 10);
    EXPECT_EQ(lattice_moved_far, 0);
    EXPECT_EQ(relaxed.truth.defect, off.truth.defect);  // defect sites stay where they are
}

// Adsorbates (docs/realism.md, section 6): blobs the tip drags along the fast axis (x here).
// The added topography is elongated along x, differs between the passes, is labelled 11 where
// it covers the tip; without pushes it is round and the same in both passes; off: nothing.
TEST(Realism, AdsorbatesAreDraggedAlongTheFastAxisAndLabelled) {
    const std::vector<std::string> base{"vacancy_top_per_nm2=0", "vacancy_bottom_per_nm2=0", "dopant_top_per_nm2=0",
                                        "dopant_bottom_per_nm2=0", "size_nm=4", "resolution_px=48"};
    const auto with = [&](std::vector<std::string> extra) {
        auto keys = base;
        keys.insert(keys.end(), extra.begin(), extra.end());
        return simulate_sample(parameters(keys), 17, 3);
    };
    const SimulatedSample off = with({});
    const SimulatedSample dragged = with({"adsorbate_per_nm2=0.25", "adsorbate_hop_probability=0.3"});
    const SimulatedSample fixed = with({"adsorbate_per_nm2=0.25", "adsorbate_hop_probability=0"});
    EXPECT_EQ(off.events.adsorbates, 0);
    EXPECT_EQ(std::count(off.truth.classes.begin(), off.truth.classes.end(), kAdsorbateClass), 0);
    ASSERT_GT(dragged.events.adsorbates, 0);
    EXPECT_GT(dragged.events.adsorbate_hops, 0);
    EXPECT_EQ(fixed.events.adsorbate_hops, 0);
    const int n = 48;
    // The added height of one pass, and its second moments about its centroid along x and y.
    const auto added = [&](const SimulatedSample& s, const char* channel) {
        const auto& on = find_channel(s, channel).image.values;
        const auto& bare = find_channel(off, channel).image.values;
        std::vector<double> d(on.size());
        for (std::size_t i = 0; i < d.size(); ++i) d[i] = on[i] - bare[i];
        return d;
    };
    const auto elongation = [&](const std::vector<double>& d) {
        // Per row: the spread along x of each run of raised pixels; per column: along y.
        const auto spread = [&](bool rows) {
            double total = 0.0;
            int runs = 0;
            for (int a = 0; a < n; ++a) {
                int length = 0;
                for (int b = 0; b <= n; ++b) {
                    const double v = b < n ? d[rows ? std::size_t(a) * n + b : std::size_t(b) * n + a] : 0.0;
                    if (v > 0.05) {
                        ++length;
                    } else if (length > 0) {
                        total += length, ++runs, length = 0;
                    }
                }
            }
            return runs > 0 ? total / runs : 0.0;
        };
        return spread(true) / spread(false);  // mean run length along x / along y
    };
    const auto forward = added(dragged, "z_recorded_forward");
    const auto backward = added(dragged, "z_recorded_backward");
    const auto still_forward = added(fixed, "z_recorded_forward");
    const auto still_backward = added(fixed, "z_recorded_backward");
    // Runs of raised pixels along x over those along y (a round blob, cut by its neighbours and
    // the image edge: 1.36 here; dragged: about 4).
    const double still = elongation(still_forward);
    EXPECT_LT(still, 1.6);
    EXPECT_GT(elongation(forward), 2.0 * still);
    EXPECT_GT(elongation(backward), 2.0 * still);
    double pass_difference = 0.0, still_difference = 0.0;
    for (std::size_t i = 0; i < forward.size(); ++i) {
        pass_difference = std::max(pass_difference, std::abs(forward[i] - backward[i]));
        still_difference = std::max(still_difference, std::abs(still_forward[i] - still_backward[i]));
    }
    EXPECT_GT(pass_difference, 0.1);   // nm: a blob in one pass, gone or moved in the other
    EXPECT_LT(still_difference, 1e-9);  // kp_rel = 1: the controller follows a still blob exactly
    // The label: every pixel of class 11 is raised by at least half the lowest blob's height
    // (h ≥ 0.8 × 0.2 nm), and almost every pixel raised by more than the highest blob's half
    // height is labelled.
    int labelled = 0, high = 0, high_labelled = 0;
    for (std::size_t i = 0; i < forward.size(); ++i) {
        const bool adsorbate = dragged.truth.classes[i] == kAdsorbateClass;
        if (adsorbate) {
            ++labelled;
            EXPECT_GE(forward[i], 0.5 * 0.16 - 1e-9) << i;
        }
        if (forward[i] > 0.5 * 0.24) {
            ++high;
            high_labelled += adsorbate;
        }
    }
    EXPECT_GT(labelled, 10);
    EXPECT_GE(high_labelled, 0.9 * high);
    // The lattice and defect maps keep the truth under the blobs.
    EXPECT_EQ(dragged.truth.lattice, off.truth.lattice);
    // The true height carries the blobs too; the currents do not.
    const auto true_added = added(dragged, "z_true_forward");
    for (std::size_t i = 0; i < forward.size(); ++i) EXPECT_NEAR(true_added[i], forward[i], 1e-12) << i;
    EXPECT_EQ(find_channel(dragged, "current_forward").image.values, find_channel(off, "current_forward").image.values);
}

// A monolayer step (docs/realism.md, section 6): the topography shows two terraces one layer
// (0.648 nm) apart with a ramp between them, the terrace map says which pixel is over which, the
// upper terrace's lattice map follows its own sites (2H: shifted by the metal's basis vector),
// and each defect label lies on the terrace it belongs to. Off: no terrace anywhere.
TEST(Realism, StepEdgeShowsTwoTerracesOneLayerApart) {
    const std::vector<std::string> base{"size_nm=3", "step_angle_rad=0.5", "step_offset_rel=0"};
    auto on = base;
    on.push_back("step_probability=1");
    const SimulatedSample off = simulate_sample(parameters(base), 17, 3);
    const SimulatedSample stepped = simulate_sample(parameters(on), 17, 3);
    EXPECT_FALSE(off.events.step_edge);
    EXPECT_EQ(std::count(off.truth.terrace.begin(), off.truth.terrace.end(), 1), 0);
    ASSERT_TRUE(stepped.events.step_edge);
    const TmdMaterial& m = wse2();
    const StepEdge step = StepEdge::for_material(m, 0.5, stepped.events.step_offset_nm, 0.648);
    const ScanImage& z = find_channel(stepped, "z_recorded_forward").image;
    const ScanImage& z_ideal = find_channel(stepped, "constant_current_height").image;
    std::vector<double> lower, upper, lower_ideal, upper_ideal;
    int upper_pixels = 0;
    for (int r = 0; r < 32; ++r)
        for (int c = 0; c < 32; ++c) {
            const std::size_t i = std::size_t(r) * 32 + c;
            // Nominal positions (ideal instrument): x = (c + 0.5) pitch, y = (31 − r + 0.5) pitch.
            const auto p = image_to_sample_nm(stepped.frame, {(c + 0.5) * 3.0 / 32, (31 - r + 0.5) * 3.0 / 32});
            const double s = step.signed_distance_nm(p[0], p[1]);
            EXPECT_EQ(stepped.truth.terrace[i], s >= 0 ? 1 : 0) << r << ", " << c;
            upper_pixels += s >= 0;
            if (std::abs(s) < 1.0) continue;  // the ramp, and the tip's reach on either side
            (s > 0 ? upper : lower).push_back(z.values[i]);
            (s > 0 ? upper_ideal : lower_ideal).push_back(z_ideal.values[i]);
            // The upper terrace's top sites are the lower lattice's shifted by w.
            if (s > 0) {
                const float expected = site_profile(
                    nearest_top_site_distance_nm(m, p[0] - step.shift_nm.x(), p[1] - step.shift_nm.y()), m.a_nm);
                EXPECT_FLOAT_EQ(stepped.truth.lattice[i], expected) << r << ", " << c;
            }
        }
    ASSERT_GT(lower.size(), 50u);
    ASSERT_GT(upper.size(), 50u);
    EXPECT_GT(upper_pixels, 200);
    const auto median = [](std::vector<double> v) {
        std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
        return v[v.size() / 2];
    };
    // Same setpoint, same lattice: the terraces are imaged alike, one layer apart.
    EXPECT_NEAR(median(upper) - median(lower), 0.648, 0.015);
    EXPECT_NEAR(median(upper_ideal) - median(lower_ideal), 0.648, 0.015);
    // Bimodal: few pixels of the whole image lie in the middle half between the two levels.
    const double lo = median(lower), hi = median(upper);
    const auto between = std::count_if(z.values.begin(), z.values.end(), [&](double v) {
        return v > lo + 0.25 * (hi - lo) && v < hi - 0.25 * (hi - lo);
    });
    EXPECT_LT(between, 0.2 * 1024);  // 12 % here: the ramp
    // Defects only where they are: upper-terrace labels (z ≥ h − chalcogen separation, above
    // every lower site) over the upper terrace, the others over the lower one.
    int upper_defects = 0;
    for (const DefectLabel& d : stepped.truth.defects) {
        const bool on_upper = d.z_nm > 0.5 * (0.648 - m.chalcogen_separation_nm);
        EXPECT_EQ(step.upper(d.x_nm, d.y_nm), on_upper) << d.x_nm << ", " << d.y_nm;
        upper_defects += on_upper;
    }
    EXPECT_GT(upper_defects, 0);
    EXPECT_LT(stepped.truth.defects.size(), off.truth.defects.size() + upper_defects);  // buried ones left out
    // With current noise and a slower controller the feedback still follows both terraces: the
    // noise is relative to the terraces' current, not to the edge atoms' (docs/realism.md).
    auto noisy = on;
    noisy.push_back("noise_rel=0.1");
    noisy.push_back("kp_rel=0.5");
    const SimulatedSample rough = simulate_sample(parameters(noisy), 17, 3);
    const auto& zr = find_channel(rough, "z_recorded_forward").image.values;
    EXPECT_LT(*std::max_element(zr.begin(), zr.end()), 0.648 + 0.6);
    EXPECT_GT(*std::min_element(zr.begin(), zr.end()), 0.2);
}

}  // namespace
}  // namespace synthstm
