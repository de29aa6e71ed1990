// Symmetry and defect physics of the LDOS.
#include <gtest/gtest.h>

#include "synthstm/ldos/surface_ldos.hpp"

using namespace synthstm;

namespace {
double max_abs(const Eigen::MatrixXd& m) { return m.cwiseAbs().maxCoeff(); }
}  // namespace

// Translation symmetry: every top Se site of the pristine lattice has the same LDOS.
TEST(LdosSymmetry, AllPristineTopSitesEqual) {
    const PeriodicModel& model = wse2_single_orbital();
    const EnergyGrid grid{-4.0, 4.0, 81};
    std::vector<SiteOrbital> tops;
    for (int j = -3; j <= 3; ++j)
        for (int i = -3; i <= 3; ++i) tops.push_back({{i, j}, 0});
    for (LdosMethod m : {LdosMethod::Exact, LdosMethod::Kpm, LdosMethod::TMatrix}) {
        SurfaceLdosSettings s;
        s.exact_supercell = 10;
        s.kpm_supercell = 24;
        s.k_grid = 32;
        const auto ldos = surface_ldos(m, model, {}, tops, grid, 0.1, s);
        for (Eigen::Index r = 1; r < ldos.ldos_per_eV.rows(); ++r) {
            EXPECT_LT((ldos.ldos_per_eV.row(r) - ldos.ldos_per_eV.row(0)).cwiseAbs().maxCoeff(),
                      1e-9 * max_abs(ldos.ldos_per_eV))
                << ldos_method_name(m);
        }
    }
}

// A vacant site has no states, by every method.
TEST(LdosSymmetry, VacantSiteHasNoLdos) {
    const PeriodicModel& model = wse2_single_orbital();
    const EnergyGrid grid{-4.0, 4.0, 81};
    const std::vector<Defect> defects = {{DefectType::Vacancy, {{0, 0}, Sublattice::ChalcogenTop}, 0.0}};
    const std::vector<SiteOrbital> orbitals = {{{0, 0}, 0}, {{1, 0}, 0}};
    for (LdosMethod m : {LdosMethod::Exact, LdosMethod::Kpm, LdosMethod::TMatrix}) {
        SurfaceLdosSettings s;
        s.exact_supercell = 10;
        s.kpm_supercell = 24;
        s.k_grid = 32;
        const auto ldos = surface_ldos(m, model, defects, orbitals, grid, 0.1, s);
        EXPECT_EQ(ldos.ldos_per_eV.row(0).cwiseAbs().maxCoeff(), 0.0) << ldos_method_name(m);
        EXPECT_GT(ldos.ldos_per_eV.row(1).maxCoeff(), 0.01) << ldos_method_name(m);
    }
}

// A dopant's onsite energy moves its site's spectral weight in the direction of its sign:
// the first moment ∫Eρ(E)dE of the dopant site is exactly the onsite energy (for any
// Hamiltonian, <φ|H|φ> = ε_i), so the mean energy shifts by +V or −V.
TEST(LdosSymmetry, DopantShiftsWeightWithItsSign) {
    const PeriodicModel& model = wse2_single_orbital();
    const EnergyGrid grid{-8.0, 8.0, 1601};
    const std::vector<SiteOrbital> site = {{{0, 0}, 0}};
    for (double v : {0.5, -0.5}) {
        const std::vector<Defect> defects = {{DefectType::Dopant, {{0, 0}, Sublattice::ChalcogenTop}, v}};
        SurfaceLdosSettings s;
        s.kpm_supercell = 24;
        const auto ldos = surface_ldos(LdosMethod::Kpm, model, defects, site, grid, 0.05, s);
        const auto pristine = surface_ldos(LdosMethod::Kpm, model, {}, site, grid, 0.05, s);
        double mean = 0.0;
        double mean0 = 0.0;
        double above = 0.0;
        double above0 = 0.0;
        for (int e = 0; e < grid.points; ++e) {
            const double en = ldos.energy_eV[e];
            mean += en * ldos.ldos_per_eV(0, e) * grid.step_eV();
            mean0 += en * pristine.ldos_per_eV(0, e) * grid.step_eV();
            if (en > 0) {
                above += ldos.ldos_per_eV(0, e) * grid.step_eV();
                above0 += pristine.ldos_per_eV(0, e) * grid.step_eV();
            }
        }
        EXPECT_NEAR(mean - mean0, v, 2e-3);
        // Weight above the Fermi level grows for V > 0 and shrinks for V < 0.
        EXPECT_GT((above - above0) * v, 0.02);
    }
}
