#include <gtest/gtest.h>

#include "support/error_message.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "synthstm/core/error.hpp"
#include "synthstm/groundtruth/ground_truth.hpp"
#include "synthstm/groundtruth/site_search.hpp"
#include "synthstm/groundtruth/terrace_map.hpp"

using namespace synthstm;

namespace {

/// Owns N×N positions and hands out the view.
struct Points {
    int n = 8;
    std::vector<double> x = std::vector<double>(64, 100.0);
    std::vector<double> y = std::vector<double>(64, 100.0);
    void set(int k, const Vec3& r) {
        x[static_cast<std::size_t>(k)] = r.x();
        y[static_cast<std::size_t>(k)] = r.y();
    }
    [[nodiscard]] PixelPositions view() const { return {n, x, y}; }
};

Defect defect(DefectType type, int i, int j, Sublattice s, double onsite = 0.0) {
    return {type, {{i, j}, s}, onsite};
}

using test::error_message;

const Vec3 kHollow = (wse2().a1() + wse2().a2()) / 3.0;  // centroid of a top-site triangle

}  // namespace

TEST(LatticeMap, OneOnTopSitesZeroInHollowsSeedProfileBetween) {
    const TmdMaterial& m = wse2();
    const double a = m.a_nm;
    Points pts;
    for (int k = 0; k < 64; ++k) {
        const int i = k % 7 - 3;
        const int j = k / 7 - 4;
        if (k < 20) {
            pts.set(k, m.position(i, j, Sublattice::ChalcogenTop));  // on a top site: 1.1 → clipped to 1
        } else if (k < 30) {
            pts.set(k, m.position(i, j, Sublattice::ChalcogenTop) + kHollow);  // hollow: d = a/√3 → 0
        } else if (k < 40) {
            pts.set(k, m.position(i, j, Sublattice::Metal));  // the other hollow (W below): 0
        } else {
            const double d = 0.01 * (k - 40) * a;  // 0 … 0.23 a along a random-ish direction
            const double phi = 0.37 * k;
            pts.set(k, m.position(i, j, Sublattice::ChalcogenTop) + Vec3(d * std::cos(phi), d * std::sin(phi), 0));
        }
    }
    const std::vector<float> map = lattice_map(m, pts.view());
    ASSERT_EQ(map.size(), 64u);
    for (int k = 0; k < 64; ++k) {
        float expect = 1.0f;
        if (k >= 20 && k < 40) expect = 0.0f;
        if (k >= 40) expect = static_cast<float>(std::clamp(1.1 - 0.01 * (k - 40) * 2.0, 0.0, 1.0));
        EXPECT_NEAR(map[static_cast<std::size_t>(k)], expect, 1e-6) << k;
    }
    // Vacant top sites count as well: the lattice map ignores defects entirely.
    EXPECT_DOUBLE_EQ(nearest_top_site_distance_nm(m, kHollow.x(), kHollow.y()), a / std::sqrt(3.0));
}

TEST(DefectMap, PeaksAtDefectsOfEverySublatticeAndVanishesAway) {
    const TmdMaterial& m = wse2();
    const std::vector<Defect> defects = {defect(DefectType::Vacancy, 0, 0, Sublattice::ChalcogenTop),
                                         defect(DefectType::Dopant, 6, 0, Sublattice::ChalcogenBottom, 0.3),
                                         defect(DefectType::Vacancy, 0, 6, Sublattice::Metal),
                                         defect(DefectType::Dopant, -6, 3, Sublattice::Metal, 0.2)};
    Points pts;
    for (int k = 0; k < 4; ++k) {
        const Defect& d = defects[static_cast<std::size_t>(k)];
        pts.set(k, m.position(d.site.cell.i, d.site.cell.j, d.site.sublattice));
        // A neighbouring site one lattice constant away: nothing there.
        pts.set(10 + k, m.position(d.site.cell.i + 1, d.site.cell.j, d.site.sublattice));
        // Halfway profile: d = a/4 → 0.6.
        pts.set(20 + k, m.position(d.site.cell.i, d.site.cell.j, d.site.sublattice) + Vec3(0, 0.25 * m.a_nm, 0));
    }
    const std::vector<float> map = defect_map(m, defects, pts.view());
    for (int k = 0; k < 4; ++k) {
        EXPECT_FLOAT_EQ(map[static_cast<std::size_t>(k)], 1.0f);
        EXPECT_FLOAT_EQ(map[static_cast<std::size_t>(10 + k)], 0.0f);
        EXPECT_NEAR(map[static_cast<std::size_t>(20 + k)], 0.6f, 1e-6);
    }
    EXPECT_FLOAT_EQ(map[40], 0.0f);  // far away (100, 100)
    const std::vector<float> none = defect_map(m, {}, pts.view());
    EXPECT_TRUE(std::ranges::all_of(none, [](float v) { return v == 0.0f; }));
}

TEST(ClassMap, DocumentedScheme) {
    const TmdMaterial& m = wse2();
    const std::vector<Defect> defects = {defect(DefectType::Vacancy, 0, 0, Sublattice::ChalcogenTop),
                                         defect(DefectType::Dopant, 6, 0, Sublattice::ChalcogenBottom, 0.3),
                                         defect(DefectType::Vacancy, 0, 6, Sublattice::Metal),
                                         defect(DefectType::Dopant, -6, 3, Sublattice::Metal, 0.2),
                                         defect(DefectType::Dopant, 3, -6, Sublattice::ChalcogenTop, 0.2),
                                         defect(DefectType::Vacancy, 9, 9, Sublattice::ChalcogenBottom)};
    Points pts;
    for (std::size_t k = 0; k < defects.size(); ++k) {
        const Defect& d = defects[k];
        pts.set(static_cast<int>(k), m.position(d.site.cell.i, d.site.cell.j, d.site.sublattice));
    }
    pts.set(10, m.position(-3, -3, Sublattice::ChalcogenTop));                          // pristine site
    pts.set(11, m.position(-3, -3, Sublattice::ChalcogenTop) + Vec3(0.25 * m.a_nm, 0, 0));  // inside 0.3 a
    pts.set(12, m.position(-3, -3, Sublattice::ChalcogenTop) + kHollow);                // hollow
    pts.set(13, m.position(-3, -3, Sublattice::Metal));                                 // pristine W: background
    const std::vector<std::int32_t> classes = class_map(m, defects, pts.view());
    const std::int32_t expect[] = {2, 5, 6, 7, 3, 4};
    for (std::size_t k = 0; k < defects.size(); ++k) EXPECT_EQ(classes[k], expect[k]) << k;
    EXPECT_EQ(classes[10], kLatticeSiteClass);
    EXPECT_EQ(classes[11], kLatticeSiteClass);
    EXPECT_EQ(classes[12], kBackgroundClass);
    EXPECT_EQ(classes[13], kBackgroundClass);
    EXPECT_EQ(class_name(5), "dopant_bottom");
    EXPECT_EQ(defect_class(DefectType::Antisite, Sublattice::ChalcogenTop), 8);
    EXPECT_EQ(defect_class(DefectType::Antisite, Sublattice::ChalcogenBottom), 9);
    EXPECT_EQ(class_name(8), "antisite_top");
    EXPECT_EQ(class_name(10), "antisite_metal");
    EXPECT_EQ(defect_class(DefectType::Vacancy, Sublattice::Metal), 6);
}

TEST(DefectList, PixelCoordinatesOfAnUndistortedScanAreTheAffineInverse) {
    const TmdMaterial& m = wse2();
    const ScanFrame f{.size_nm = 3.0, .pixels = 24, .rotation_rad = 1.1, .offset_nm = {-0.7, 0.4}};
    RandomStream rng(2, 0, StreamPurpose::Instrument);
    const ScanTrajectory t = scan_trajectory(f, {}, {}, rng);
    std::vector<Defect> defects;
    for (int j = -12; j <= 12; j += 3) {
        for (int i = -12; i <= 12; i += 4) {
            defects.push_back(defect((i + j) % 2 ? DefectType::Dopant : DefectType::Vacancy, i, j,
                                     kSublattices[static_cast<std::size_t>((i + 12 + j + 12) % 3)], 0.25));
        }
    }
    const std::vector<DefectLabel> labels = defect_list(m, defects, pixel_positions(t, ScanPass::Forward));
    ASSERT_EQ(labels.size(), defects.size());
    int inside = 0;
    for (std::size_t k = 0; k < labels.size(); ++k) {
        const DefectLabel& l = labels[k];
        const Vec3 r = m.position(defects[k].site.cell.i, defects[k].site.cell.j, defects[k].site.sublattice);
        EXPECT_DOUBLE_EQ(l.x_nm, r.x());
        EXPECT_DOUBLE_EQ(l.z_nm, r.z());
        EXPECT_EQ(l.sublattice, defects[k].site.sublattice);
        EXPECT_EQ(l.class_id, defect_class(l.type, l.sublattice));
        const auto q = sample_to_image_nm(f, {r.x(), r.y()});
        const double col = q[0] / f.pixel_nm() - 0.5;
        const double row = f.pixels - 0.5 - q[1] / f.pixel_nm();
        EXPECT_NEAR(l.col_px, col, 1e-9) << k;
        EXPECT_NEAR(l.row_px, row, 1e-9) << k;
        const bool in = q[0] >= 0 && q[0] <= f.size_nm && q[1] >= 0 && q[1] <= f.size_nm;
        EXPECT_EQ(l.in_image, in) << k;
        inside += in;
    }
    EXPECT_GT(inside, 5);
}

TEST(DefectList, RoundTripUnderDriftCreepAndJitter) {
    const TmdMaterial& m = wse2();
    // Several jitter draws: at 512 px the line jitter exceeds the pixel spacing and folds the grid.
    for (const auto [n, seed] : {std::pair{32, 3}, std::pair{512, 3}, std::pair{512, 4}, std::pair{512, 5}, std::pair{512, 6}}) {
        const ScanFrame f{.size_nm = 4.0, .pixels = n, .fast_axis = ScanAxis::Y, .fast_forward = false,
                          .slow_forward = false, .rotation_rad = 4.0, .offset_nm = {0.5, -1.0}};
        const AxisDistortion fast{.drift_nm = 0.3, .creep_gamma_nm = 0.15, .creep_ratio = 6.0,
                                  .jitter_line_nm = 0.01, .jitter_pixel_nm = 0.002};
        const AxisDistortion slow{.drift_nm = -0.35, .creep_gamma_nm = -0.1, .creep_ratio = 0.3,
                                  .jitter_line_nm = 0.005};
        RandomStream rng(static_cast<std::uint64_t>(seed), static_cast<std::uint64_t>(n), StreamPurpose::Instrument);
        const ScanTrajectory t = scan_trajectory(f, fast, slow, rng);
        // Defects under the middle of the field of view (sample frame).
        std::vector<Defect> defects;
        for (const auto& q : {std::array{1.0, 1.0}, std::array{2.0, 3.0}, std::array{3.1, 1.7}, std::array{2.0, 2.0}}) {
            const auto p = image_to_sample_nm(f, q);
            const double jj = p[1] / (0.5 * std::sqrt(3.0) * m.a_nm);
            const double ii = p[0] / m.a_nm - 0.5 * jj;
            defects.push_back(defect(DefectType::Vacancy, static_cast<int>(std::lround(ii)),
                                     static_cast<int>(std::lround(jj)), Sublattice::ChalcogenTop));
        }
        for (ScanPass pass : {ScanPass::Forward, ScanPass::Backward}) {
            const PixelPositions view = pixel_positions(t, pass);
            const std::vector<DefectLabel> labels = defect_list(m, defects, view);
            const std::vector<float> dmap = defect_map(m, defects, view);
            for (const DefectLabel& l : labels) {
                EXPECT_TRUE(l.in_image);
                const auto back = interpolate_position_nm(view, l.row_px, l.col_px);
                EXPECT_NEAR(back[0], l.x_nm, 1e-9);
                EXPECT_NEAR(back[1], l.y_nm, 1e-9);
                EXPECT_LT(l.residual_nm, 1e-9);
                // The defect map is highest at the pixel nearest to the labelled position.
                const int row = static_cast<int>(std::lround(l.row_px));
                const int col = static_cast<int>(std::lround(l.col_px));
                float local_max = 0.0f;
                for (int r = std::max(0, row - 2); r <= std::min(n - 1, row + 2); ++r)
                    for (int c = std::max(0, col - 2); c <= std::min(n - 1, col + 2); ++c)
                        local_max = std::max(local_max, dmap[view.index(r, c)]);
                EXPECT_GT(dmap[view.index(row, col)], 0.0f);
                EXPECT_GE(dmap[view.index(row, col)], local_max - 0.25f);
            }
        }
    }
}

TEST(GroundTruth, BundleHasEveryLabel) {
    const TmdMaterial& m = wse2();
    const ScanFrame f{.size_nm = 2.0, .pixels = 16};
    RandomStream rng(2, 0, StreamPurpose::Instrument);
    const ScanTrajectory t = scan_trajectory(f, {}, {}, rng);
    const std::vector<Defect> defects = {defect(DefectType::Vacancy, 2, 2, Sublattice::ChalcogenTop)};
    const GroundTruth g = ground_truth(m, defects, pixel_positions(t, ScanPass::Forward));
    EXPECT_EQ(g.pixels, 16);
    EXPECT_EQ(g.lattice.size(), 256u);
    EXPECT_EQ(g.defect.size(), 256u);
    EXPECT_EQ(g.classes.size(), 256u);
    ASSERT_EQ(g.defects.size(), 1u);
    EXPECT_TRUE(std::ranges::all_of(g.lattice, [](float v) { return v >= 0.0f && v <= 1.0f; }));
    EXPECT_GT(*std::ranges::max_element(g.lattice), 0.9f);
    EXPECT_LT(*std::ranges::min_element(g.lattice), 0.1f);
    EXPECT_GT(*std::ranges::max_element(g.defect), 0.5f);
    EXPECT_TRUE(std::ranges::any_of(g.classes, [](std::int32_t c) { return c == 2; }));
}

TEST(GroundTruth, RejectsBadInput) {
    const TmdMaterial& m = wse2();
    std::vector<double> x(49, 0.0);
    std::vector<double> y(49, 0.0);
    EXPECT_NE(error_message([&] { (void)lattice_map(m, {7, x, y}); }).find("pixels"), std::string::npos);
    EXPECT_NE(error_message([&] { (void)lattice_map(m, {8, x, y}); }).find("x_nm/y_nm"), std::string::npos);
    std::vector<double> x64(64, 0.0);
    std::vector<double> y64(64, 0.0);
    y64[5] = NAN;
    EXPECT_NE(error_message([&] { (void)defect_map(m, {}, {8, x64, y64}); }).find("not finite"), std::string::npos);
    y64[5] = 0.0;
    TmdMaterial bad = m;
    bad.a_nm = 0.0;
    EXPECT_NE(error_message([&] { (void)lattice_map(bad, {8, x64, y64}); }).find("a_nm"), std::string::npos);
    EXPECT_NE(error_message([&] { (void)class_map(m, {}, {8, x64, y64}, {.site_radius_a = -1.0}); }).find("site_radius_a"),
              std::string::npos);
    EXPECT_NE(error_message([&] { (void)class_map(m, {}, {8, x64, y64}, {.defect_radius_a = 0.0}); })
                  .find("defect_radius_a"),
              std::string::npos);
    EXPECT_THROW((void)class_name(12), Error);
}

// Relaxation: the lattice map (and the lattice class) follows the relaxed top sites; the
// adsorbate mask overrides every other class with class 11.
TEST(GroundTruth, LatticeMapFollowsRelaxedSitesAndAdsorbatesHaveTheirClass) {
    const TmdMaterial& m = wse2();
    const std::vector<Defect> defects{defect(DefectType::Vacancy, 0, 0, Sublattice::ChalcogenTop)};
    RelaxationSettings settings;
    settings.vacancy_nm = -0.03;  // large, so that the map moves visibly
    const Relaxation relaxation(m, defects, settings);
    const SiteIndex neighbour{{1, 0}, Sublattice::ChalcogenTop};
    const Vec3 ideal = m.position(1, 0, Sublattice::ChalcogenTop);
    const Vec3 relaxed = relaxation.position_nm(neighbour);
    ASSERT_NEAR(ideal.x() - relaxed.x(), 0.03, 1e-12);
    // Points 0.1 nm to the right of each: the relaxed map is the seed's profile of the distance
    // to the relaxed site, the unrelaxed one of that to the lattice site.
    Points p;
    p.set(0, relaxed + Vec3(0.1, 0, 0));
    p.set(1, ideal + Vec3(0.1, 0, 0));
    p.set(2, relaxed);
    const std::vector<float> moved = lattice_map(m, p.view(), &relaxation);
    const std::vector<float> fixed = lattice_map(m, p.view());
    EXPECT_FLOAT_EQ(moved[0], site_profile(0.1, m.a_nm));
    EXPECT_FLOAT_EQ(moved[1], site_profile(0.13, m.a_nm));
    EXPECT_FLOAT_EQ(fixed[1], site_profile(0.1, m.a_nm));
    EXPECT_FLOAT_EQ(moved[2], 1.0f);
    EXPECT_LT(moved[1], fixed[1]);
    // The lattice class at 0.3 a = 0.0996 nm: 0.09 nm right of the relaxed site is in, of the
    // lattice site plus 0.03 out.
    p.set(3, relaxed + Vec3(0.09, 0, 0));
    p.set(4, ideal + Vec3(0.09, 0, 0));
    std::vector<std::uint8_t> mask(64, 0);
    mask[5] = 1;
    p.set(5, m.position(0, 0, Sublattice::ChalcogenTop));  // on the vacancy, but covered
    const GroundTruth g = ground_truth(m, defects, p.view(), {}, {.relaxation = &relaxation, .adsorbate_mask = mask});
    EXPECT_EQ(g.classes[3], kLatticeSiteClass);
    EXPECT_EQ(g.classes[4], kBackgroundClass);
    EXPECT_EQ(g.classes[5], kAdsorbateClass);
    EXPECT_EQ(class_name(kAdsorbateClass), "adsorbate");
    EXPECT_EQ(g.lattice, lattice_map(m, p.view(), &relaxation));
    EXPECT_EQ(ground_truth(m, defects, p.view()).classes[5], 2);  // vacancy_top without the mask
}

// A step (groundtruth/terrace_map.hpp): the terrace map by the side of the edge, the upper
// terrace's lattice map on its own (shifted) sites, buried and absent defects left out, upper
// defects labelled where they sit on the upper layer.
TEST(GroundTruth, SteppedSurfaceLabelsEachTerraceWithItsOwnSitesAndDefects) {
    const TmdMaterial& m = wse2();
    const StepEdge step = StepEdge::for_material(m, 0.0, 0.0, 0.648);  // upper terrace: x ≥ 0
    const auto top = [&](int i, int j) { return m.position(i, j, Sublattice::ChalcogenTop); };
    const std::vector<Defect> lower{defect(DefectType::Vacancy, -3, 0, Sublattice::ChalcogenTop),   // x < 0: visible
                                    defect(DefectType::Vacancy, 3, 0, Sublattice::ChalcogenTop)};   // x > 0: buried
    // Upper defects on the lower lattice's indices: (−3, 0) maps to x > 0, (3, 0) to x < 0.
    const std::vector<Defect> upper{defect(DefectType::Dopant, -3, 0, Sublattice::ChalcogenTop, 0.3),
                                    defect(DefectType::Dopant, 3, 0, Sublattice::ChalcogenTop, 0.3)};
    Points p;
    p.set(0, top(-3, 0));                                 // the visible lower vacancy
    p.set(1, step.upper_position(top(-3, 0)));            // the upper dopant
    p.set(2, step.upper_position(top(-1, 1)));            // an upper top site
    p.set(3, top(2, 1));                                  // a lower top site, under the upper terrace
    p.set(4, top(-2, 1));                                 // a lower top site on the lower terrace
    const GroundTruth g = stepped_ground_truth(m, lower, upper, step, p.view(), {}, {}, nullptr);
    EXPECT_EQ(g.terrace[0], 0);
    EXPECT_EQ(g.terrace[1], 1);
    EXPECT_EQ(g.terrace[2], 1);
    EXPECT_EQ(g.classes[0], defect_class(DefectType::Vacancy, Sublattice::ChalcogenTop));
    EXPECT_EQ(g.classes[1], defect_class(DefectType::Dopant, Sublattice::ChalcogenTop));
    EXPECT_EQ(g.lattice[2], 1.0f);                        // on an upper site
    EXPECT_EQ(g.classes[2], kLatticeSiteClass);
    EXPECT_LT(g.lattice[3], 0.5f);                        // the lower site under the terrace is not the surface
    EXPECT_EQ(g.lattice[4], 1.0f);
    ASSERT_EQ(g.defects.size(), 2u);                      // one of each terrace
    EXPECT_EQ(g.defects[0].type, DefectType::Vacancy);
    EXPECT_NEAR(g.defects[0].x_nm, top(-3, 0).x(), 1e-12);
    EXPECT_EQ(g.defects[1].type, DefectType::Dopant);
    const Vec3 r = step.upper_position(top(-3, 0));
    EXPECT_NEAR(g.defects[1].x_nm, r.x(), 1e-12);
    EXPECT_NEAR(g.defects[1].y_nm, r.y(), 1e-12);
    EXPECT_NEAR(g.defects[1].z_nm, 0.648, 1e-12);
    EXPECT_EQ(std::count(g.terrace.begin(), g.terrace.end(), 1), 3 + 59);  // the three above and the 59 unused points at x = 100
}
