#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "synthstm/core/error.hpp"
#include "synthstm/lattice/defects.hpp"
#include "synthstm/lattice/neighbours.hpp"
#include "synthstm/lattice/relaxation.hpp"

using namespace synthstm;

TEST(Lattice, WSe2GeometryOfTheSeed) {
    const TmdMaterial& m = wse2();
    EXPECT_DOUBLE_EQ(m.a_nm, 0.332);
    EXPECT_TRUE(m.basis(Sublattice::ChalcogenBottom).isApprox(Vec3(0, 0, -0.332)));
    EXPECT_TRUE(m.basis(Sublattice::Metal).isApprox(Vec3(0, 0.332 / std::sqrt(3.0), -0.166)));
    EXPECT_EQ(m.parse_site("Se_top"), Sublattice::ChalcogenTop);
    EXPECT_EQ(m.parse_site("W"), Sublattice::Metal);
    EXPECT_THROW((void)m.parse_site("S_top"), Error);
    EXPECT_EQ(material_by_name("mos2").site_name(Sublattice::ChalcogenBottom), "S_bottom");
}

TEST(Lattice, EachChalcogenHasThreeMetalNeighbours) {
    const TmdMaterial& m = wse2();
    std::vector<Vec3> r;
    for (int j = -4; j <= 4; ++j)
        for (int i = -4; i <= 4; ++i)
            for (Sublattice s : kSublattices) r.push_back(m.position(i, j, s));
    const double bond = std::sqrt(m.a_nm * m.a_nm / 3.0 + 0.166 * 0.166);
    const auto pairs = neighbour_pairs(r, bond + 1e-6);
    // The top Se of the central cell (index of (0,0,top)).
    const int centre = (4 * 9 + 4) * 3;
    int metal_neighbours = 0;
    for (const auto& p : pairs) {
        if ((p.first == centre || p.second == centre)) {
            EXPECT_NEAR(p.distance_nm, bond, 1e-9);
            ++metal_neighbours;
        }
    }
    EXPECT_EQ(metal_neighbours, 3);
}

TEST(Lattice, NeighbourSearchMatchesBruteForce) {
    RandomStream rng(9, 0, StreamPurpose::Test);
    std::vector<Vec3> r;
    for (int n = 0; n < 300; ++n) r.emplace_back(rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(-1, 1));
    const auto pairs = neighbour_pairs(r, 0.5);
    std::size_t brute = 0;
    for (std::size_t a = 0; a < r.size(); ++a)
        for (std::size_t b = a + 1; b < r.size(); ++b) brute += (r[a] - r[b]).norm() < 0.5;
    EXPECT_EQ(pairs.size(), brute);
}

TEST(Lattice, CellsInRectangleCoverTheArea) {
    const TmdMaterial& m = wse2();
    const auto cells = cells_in_rectangle(m, 0.0, 10.0, 0.0, 10.0);
    EXPECT_NEAR(static_cast<double>(cells.size()) * m.cell_area_nm2(), 100.0, 3.0);
}

TEST(Defects, DensitiesAreHonouredAndSitesDistinct) {
    const TmdMaterial& m = wse2();
    const auto cells = cells_in_rectangle(m, 0.0, 20.0, 0.0, 20.0);
    const std::vector<DefectDensity> densities = {
        {DefectType::Vacancy, Sublattice::ChalcogenTop, 0.2, 0, 0},
        {DefectType::Dopant, Sublattice::ChalcogenTop, 0.2, 0.1, 0.5},
        {DefectType::Vacancy, Sublattice::Metal, 0.1, 0, 0}};
    double total = 0;
    const int trials = 40;
    for (int t = 0; t < trials; ++t) {
        RandomStream rng(1, t, StreamPurpose::Defects);
        const auto defects = place_defects(m, cells, densities, rng);
        EXPECT_NO_THROW(check_distinct_sites(m, defects));
        for (const auto& d : defects) {
            if (d.type == DefectType::Dopant) {
                EXPECT_GE(d.onsite_eV, 0.1);
                EXPECT_LE(d.onsite_eV, 0.5);
            }
        }
        total += static_cast<double>(defects.size());
    }
    // Expected 0.5 per nm² × 400 nm²: 200 per trial; the mean over 40 trials is within 2 %.
    EXPECT_NEAR(total / trials / 400.0, 0.5, 0.01);
}

TEST(Defects, HighDensityFillsWithoutDoubleOccupancy) {
    const TmdMaterial& m = wse2();
    const auto cells = cells_in_rectangle(m, 0.0, 2.0, 0.0, 2.0);
    const std::vector<DefectDensity> densities = {{DefectType::Vacancy, Sublattice::ChalcogenTop, 100.0, 0, 0},
                                                  {DefectType::Dopant, Sublattice::ChalcogenTop, 100.0, 0.1, 0.2}};
    RandomStream rng(2, 0, StreamPurpose::Defects);
    const auto defects = place_defects(m, cells, densities, rng);
    EXPECT_EQ(defects.size(), cells.size());  // every top site taken once, none twice
    EXPECT_NO_THROW(check_distinct_sites(m, defects));
    std::vector<Defect> twice = {defects[0], defects[0]};
    EXPECT_THROW(check_distinct_sites(m, twice), Error);
}

// Relaxation (docs/realism.md, section 7): u = A r̂ exp(−(r − a)/ξ) around each defect, 3-D,
// defect sites fixed, fields of several defects added, nothing beyond r_c, nothing when off.
TEST(Relaxation, NeighboursMoveRadiallyByTheFormula) {
    const TmdMaterial& m = wse2();
    const double a = m.a_nm, xi = 0.15, amplitude = -0.006;
    const Defect vacancy{DefectType::Vacancy, {{0, 0}, Sublattice::ChalcogenTop}, 0.0};
    RelaxationSettings settings;
    settings.vacancy_nm = amplitude;
    settings.length_nm = xi;
    const Relaxation field(m, std::span<const Defect>(&vacancy, 1), settings);
    const Vec3 centre = m.position(0, 0, Sublattice::ChalcogenTop);
    EXPECT_EQ(field.displacement_nm(vacancy.site), Vec3::Zero());
    const double reach = a + xi * std::log(std::abs(amplitude) / settings.min_displacement_nm);
    int inside = 0;
    for (int j = -6; j <= 6; ++j)
        for (int i = -6; i <= 6; ++i)
            for (Sublattice s : kSublattices) {
                const SiteIndex site{{i, j}, s};
                if (site == vacancy.site) continue;
                const Vec3 r = m.position(i, j, s) - centre;
                const Vec3 u = field.displacement_nm(site);
                if (r.norm() > reach) {
                    EXPECT_EQ(u, Vec3::Zero()) << i << " " << j;
                    continue;
                }
                ++inside;
                const Vec3 expected = amplitude * std::exp(-(r.norm() - a) / xi) * r.normalized();
                EXPECT_LT((u - expected).norm(), 1e-15) << i << " " << j;
                EXPECT_LT(u.dot(r), 0.0);  // inward
                EXPECT_TRUE(field.position_nm(site).isApprox(m.position(i, j, s) + u));
            }
    EXPECT_EQ(field.displaced_sites(), inside);
    // The six top-site neighbours at distance a move by |A| towards the vacancy.
    EXPECT_NEAR(field.displacement_nm({{1, 0}, Sublattice::ChalcogenTop}).x(), amplitude, 1e-15);
    // The top site right above a bottom vacancy moves straight down into it (3-D field).
    const Defect bottom{DefectType::Vacancy, {{3, 3}, Sublattice::ChalcogenBottom}, 0.0};
    const Relaxation below(m, std::span<const Defect>(&bottom, 1), settings);
    const Vec3 above = below.displacement_nm({{3, 3}, Sublattice::ChalcogenTop});
    EXPECT_NEAR(above.z(), amplitude * std::exp((a - m.chalcogen_separation_nm) / xi), 1e-15);
    EXPECT_NEAR(std::hypot(above.x(), above.y()), 0.0, 1e-15);
    // Two defects: the fields add; a defect site is not moved by its neighbour's field.
    settings.dopant_nm = 0.004;
    const std::vector<Defect> two{vacancy, {DefectType::Dopant, {{2, 0}, Sublattice::ChalcogenTop}, 0.3}};
    const Relaxation both(m, two, settings);
    settings.vacancy_nm = 0.0;
    const Relaxation dopant_only(m, std::span<const Defect>(&two[1], 1), settings);
    const SiteIndex between{{1, 0}, Sublattice::ChalcogenTop};
    EXPECT_LT((both.displacement_nm(between) - field.displacement_nm(between) - dopant_only.displacement_nm(between)).norm(), 1e-15);
    EXPECT_EQ(both.displacement_nm(two[1].site), Vec3::Zero());
    // Off: nothing moves.
    const Relaxation off(m, two, RelaxationSettings{});
    EXPECT_EQ(off.displaced_sites(), 0);
    RelaxationSettings bad;
    bad.length_nm = -1.0;
    EXPECT_THROW((void)Relaxation(m, two, bad), Error);
}
