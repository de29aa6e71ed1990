// A whole simulated sample: ground truth against the image, determinism, and the channels.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "synthstm/core/error.hpp"
#include "synthstm/dataset/simulate_sample.hpp"
#include "synthstm/groundtruth/site_search.hpp"
#include "synthstm/lattice/material.hpp"

namespace synthstm {
namespace {

ParameterSet ideal_parameters(std::vector<std::string> extra = {}) {
    Config c = Config::preset("wse2-ideal");
    for (const char* s : {"tip=w111-sharp", "size_nm=2.0", "resolution_px=40", "sample_tilt_rad=0"}) c.set(s);
    for (const auto& s : extra) c.set(s);
    return c.draw(11, 0);
}

// On an undistorted image of a pristine surface the apparent atoms (local maxima of the
// constant-current topography) sit on top-layer sites: where the ground-truth lattice map is 1.
// Tolerance: one pixel (0.05 nm) — the maximum is only resolved to the pixel grid.
TEST(SimulatedSample, LatticeMaximaSitOnTheApparentAtoms) {
    const ParameterSet p = ideal_parameters({"vacancy_top_per_nm2=0", "vacancy_bottom_per_nm2=0",
                                             "dopant_top_per_nm2=0", "dopant_bottom_per_nm2=0"});
    const SimulatedSample s = simulate_sample(p, 11, 0);
    const ScanImage& z = find_channel(s, "constant_current_height").image;
    const int n = z.rows;
    const double pixel_nm = s.frame.size_nm / n;
    int maxima = 0;
    for (int r = 2; r < n - 2; ++r)
        for (int c = 2; c < n - 2; ++c) {
            bool is_max = true;
            for (int dr = -1; dr <= 1; ++dr)
                for (int dc = -1; dc <= 1; ++dc)
                    if ((dr || dc) && z.at(r + dr, c + dc) >= z.at(r, c)) is_max = false;
            if (!is_max) continue;
            ++maxima;
            // The true tip position of that pixel lies within a pixel of a top site ...
            const auto [x, y] = nominal_position_nm(s.frame, r, c);
            const auto sample_xy = image_to_sample_nm(s.frame, {x, y});
            EXPECT_LT(nearest_top_site_distance_nm(wse2(), sample_xy[0], sample_xy[1]), pixel_nm)
                << "apparent atom at pixel (" << r << ", " << c << ")";
            // ... so the lattice map is near its maximum there.
            EXPECT_GT(s.truth.lattice[std::size_t(r) * n + c], 0.8) << "pixel (" << r << ", " << c << ")";
        }
    // A 2 nm field of view holds 2²/(√3/2 · 0.332²) ≈ 42 top sites; most are interior maxima.
    EXPECT_GT(maxima, 20);
}

// The same sample index gives the same bytes, whatever the thread count.
TEST(SimulatedSample, DeterministicForAnyThreadCount) {
    const ParameterSet p = Config::preset("wse2-main").draw(5, 2);
    Config small = Config::preset("wse2-main");
    small.set("resolution_px=24");
    small.set("tip=w111-sharp");
    const ParameterSet q = small.draw(5, 2);
    const SimulatedSample a = simulate_sample(q, 5, 2, {1});
    const SimulatedSample b = simulate_sample(q, 5, 2, {2});
    ASSERT_EQ(a.channels.size(), b.channels.size());
    for (std::size_t k = 0; k < a.channels.size(); ++k)
        EXPECT_EQ(a.channels[k].image.values, b.channels[k].image.values) << a.channels[k].name;
    EXPECT_EQ(a.truth.lattice, b.truth.lattice);
    EXPECT_EQ(a.defects.size(), b.defects.size());
    EXPECT_NE(p.to_json(), Config::preset("wse2-main").draw(5, 3).to_json());
}

// Every channel is finite and the constant-current image holds the setpoint everywhere.
TEST(SimulatedSample, ChannelsAreFiniteAndNamed) {
    const SimulatedSample s = simulate_sample(ideal_parameters(), 11, 1);
    for (const char* name : {"z_recorded_forward", "z_recorded_backward", "z_true_forward", "z_true_backward",
                             "current_forward", "current_backward", "constant_height_current",
                             "constant_current_height"}) {
        const ScanImage& img = find_channel(s, name).image;
        ASSERT_EQ(img.rows, 40);
        for (double v : img.values) ASSERT_TRUE(std::isfinite(v)) << name;
    }
    EXPECT_THROW(find_channel(s, "nope"), Error);
    for (float v : s.truth.lattice) ASSERT_TRUE(v >= 0.0f && v <= 1.0f);
    // The feedback with the ideal gain and no noise ends close to the constant-current image.
    const ScanImage& rec = find_channel(s, "z_recorded_forward").image;
    const ScanImage& cc = find_channel(s, "constant_current_height").image;
    double worst = 0.0, lo = INFINITY, hi = -INFINITY;
    for (int r = 0; r < rec.rows - 2; ++r)
        for (int c = 0; c < rec.cols; ++c) {
            worst = std::max(worst, std::abs(rec.at(r, c) - cc.at(r, c)));
            lo = std::min(lo, cc.at(r, c));
            hi = std::max(hi, cc.at(r, c));
        }
    EXPECT_LT(worst, 0.05 * (hi - lo));
}


// The defects belong to the sample: a distortion of the scan moves the tip over the same
// defects (it does not draw new ones), and the ground truth follows them into the image.
TEST(SimulatedSample, DistortionsKeepTheDefects) {
    const SimulatedSample a = simulate_sample(ideal_parameters({"resolution_px=16"}), 11, 0);
    const SimulatedSample b = simulate_sample(ideal_parameters({"resolution_px=16", "drift_fast_nm=0.3",
                                                                "creep_slow_nm=0.1", "jitter_fast_nm=0.02"}), 11, 0);
    ASSERT_EQ(a.defects.size(), b.defects.size());
    ASSERT_FALSE(a.defects.empty());
    for (std::size_t k = 0; k < a.defects.size(); ++k) {
        EXPECT_EQ(a.defects[k].site.cell.i, b.defects[k].site.cell.i);
        EXPECT_EQ(a.defects[k].site.cell.j, b.defects[k].site.cell.j);
        EXPECT_EQ(a.defects[k].site.sublattice, b.defects[k].site.sublattice);
    }
}

// The current's sites are those within reach of the scanned area in the image frame: a field of
// view rotated by 45° holds about as many as an unrotated one (its sample-frame box would hold
// half as many again), and the image is the same physics (same setpoint order, finite).
TEST(SimulatedSample, RotatedFieldKeepsOnlySitesWithinReachOfTheScan) {
    const auto sites_at = [](double rotation_rad) {
        const ParameterSet p = ideal_parameters({"resolution_px=16", "size_nm=3.0",
                                                 "sample_rotation_rad=" + std::to_string(rotation_rad)});
        return simulate_sample(p, 11, 0).sample_sites;
    };
    const int straight = sites_at(0.0), rotated = sites_at(0.25 * 3.141592653589793);
    ASSERT_GT(straight, 0);
    EXPECT_LT(static_cast<double>(rotated) / straight, 1.15);
    EXPECT_GT(static_cast<double>(rotated) / straight, 0.85);
}

// A tip scanned at 0.1 nm dips into vacancies: the constant-current image still converges.
TEST(SimulatedSample, LowTipHeightOverVacanciesConverges) {
    // Seed 1 puts a top Se vacancy in this field of view; before the piezo range reached below
    // the top plane the setpoint was out of reach there.
    Config c = Config::preset("wse2-ideal");
    for (const char* s : {"tip=w111-sharp", "size_nm=2.0", "resolution_px=48", "tip_height_nm=0.1"}) c.set(s);
    const SimulatedSample s = simulate_sample(c.draw(1, 0), 1, 0);
    const ScanImage& z = find_channel(s, "constant_current_height").image;
    EXPECT_LT(*std::min_element(z.values.begin(), z.values.end()), 0.05);  // it did dip
}

// scan_mode constant_current (the seed's control dataset): z_recorded is the ideal image plus
// the height the current noise implies, z_true the ideal image; without noise they coincide.
TEST(SimulatedSample, ConstantCurrentModeIsTheIdealImagePlusNoise) {
    Config c = Config::preset("wse2-control");
    for (const char* s : {"tip=w111-sharp", "size_nm=1.5", "resolution_px=16", "noise_rel=0"}) c.set(s);
    const SimulatedSample quiet = simulate_sample(c.draw(4, 0), 4, 0);
    const auto& ideal = find_channel(quiet, "constant_current_height").image.values;
    EXPECT_EQ(find_channel(quiet, "z_recorded_forward").image.values, ideal);
    EXPECT_EQ(find_channel(quiet, "z_recorded_backward").image.values, ideal);
    EXPECT_EQ(find_channel(quiet, "z_true_forward").image.values, ideal);
    EXPECT_EQ(quiet.times.feedback_scan_ms, 0.0);

    c.set("noise_rel=0.3");
    const SimulatedSample noisy = simulate_sample(c.draw(4, 0), 4, 0);
    const auto& z = find_channel(noisy, "z_recorded_forward").image.values;
    const auto& back = find_channel(noisy, "z_recorded_backward").image.values;
    EXPECT_EQ(find_channel(noisy, "constant_current_height").image.values, ideal);  // same sample
    double sum2 = 0.0;
    for (std::size_t k = 0; k < z.size(); ++k) {
        ASSERT_TRUE(std::isfinite(z[k]));
        sum2 += (z[k] - ideal[k]) * (z[k] - ideal[k]);
    }
    // Noise of 0.3 std(I) moves the height by a few pm to tens of pm, not by nanometres.
    const double rms = std::sqrt(sum2 / static_cast<double>(z.size()));
    EXPECT_GT(rms, 1e-4);
    EXPECT_LT(rms, 0.1);
    EXPECT_NE(z, back);  // each pass draws its own noise
}

}  // namespace
}  // namespace synthstm
