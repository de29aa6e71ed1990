// Sum rule: ∫ρ_i(E) dE = 1 per orbital over the whole band, for every method.
#include <gtest/gtest.h>

#include <numbers>

#include "synthstm/ldos/exact.hpp"
#include "synthstm/ldos/kpm.hpp"
#include "synthstm/ldos/surface_ldos.hpp"
#include "synthstm/tightbinding/cluster_model.hpp"
#include "synthstm/tightbinding/tmd_three_band.hpp"

using namespace synthstm;

namespace {
const std::vector<Defect> kDefects = {{DefectType::Dopant, {{0, 0}, Sublattice::ChalcogenTop}, 0.3},
                                      {DefectType::Vacancy, {{1, 0}, Sublattice::Metal}, 0.0}};
const std::vector<SiteOrbital> kOrbitals = {{{0, 0}, 0}, {{0, 0}, 1}, {{0, 0}, 2}, {{1, 0}, 2}, {{3, 2}, 2}};
}  // namespace

// Gaussian and Jackson kernels have tails that vanish within a few σ, so a grid a few eV wider
// than the band (±5.05 eV for the seed model) holds all the weight: 1 to 1e-3.
TEST(SumRule, ExactGaussianAndKpmJacksonIntegrateToOne) {
    const PeriodicModel& model = wse2_single_orbital();
    const EnergyGrid grid{-7.0, 7.0, 1401};
    SurfaceLdosSettings s;
    s.exact_supercell = 12;
    s.kpm_supercell = 24;
    s.exact_shape = BroadeningShape::Gaussian;
    for (LdosMethod m : {LdosMethod::Exact, LdosMethod::Kpm}) {
        const auto ldos = surface_ldos(m, model, kDefects, kOrbitals, grid, 0.1, s);
        for (int r = 0; r < ldos.ldos_per_eV.rows(); ++r) {
            // Row 3 is the vacant W: no states at all.
            EXPECT_NEAR(integrate_row(ldos, r), r == 3 ? 0.0 : 1.0, 1e-3) << ldos_method_name(m) << " row " << r;
        }
    }
}

// Lorentzian tails decay as η/πE², so the weight outside [−L, L] is 2η/(πL) up to O(ηW²/L³)
// for a spectrum of half-width W: with L = 25 eV, W ≈ 5 eV that remainder is 1e-5. The grid
// step (0.01 eV = η/5) keeps the trapezoidal error below 1e-4.
TEST(SumRule, TMatrixLorentzianIntegratesToOne) {
    const PeriodicModel& model = wse2_single_orbital();
    const EnergyGrid grid{-25.0, 25.0, 5001};
    const double tail = 2.0 * 0.05 / (std::numbers::pi * 25.0);
    SurfaceLdosSettings s;
    s.k_grid = 24;
    s.use_cache = false;
    const auto ldos = surface_ldos(LdosMethod::TMatrix, model, kDefects, kOrbitals, grid, 0.05, s);
    for (int r = 0; r < ldos.ldos_per_eV.rows(); ++r) {
        if (r == 3) {
            EXPECT_EQ(ldos.ldos_per_eV.row(r).cwiseAbs().maxCoeff(), 0.0) << "vacant W has no states";
            continue;
        }
        EXPECT_NEAR(integrate_row(ldos, r) + tail, 1.0, 1e-3) << "row " << r;
    }
}

TEST(SumRule, ThreeBandModelEveryOrbital) {
    const PeriodicModel& model = wse2_three_band();
    const EnergyGrid grid{-3.0, 6.0, 901};
    SurfaceLdosSettings s;
    s.kpm_supercell = 24;
    const std::vector<SiteOrbital> orbitals = {{{0, 0}, 0}, {{0, 0}, 1}, {{0, 0}, 2}};
    const auto ldos = surface_ldos(LdosMethod::Kpm, model, {}, orbitals, grid, 0.05, s);
    for (int r = 0; r < 3; ++r) EXPECT_NEAR(integrate_row(ldos, r), 1.0, 1e-3) << model.orbitals[r].label;
}

TEST(SumRule, TungstenClusterKpm) {
    // A bcc W cube of 5 × 5 × 5 cells: every orbital integrates to one.
    std::vector<Vec3> atoms;
    const double a = kTungstenLattice_nm;
    for (int i = 0; i < 5; ++i)
        for (int j = 0; j < 5; ++j)
            for (int k = 0; k < 5; ++k) {
                atoms.emplace_back(a * i, a * j, a * k);
                atoms.emplace_back(a * (i + 0.5), a * (j + 0.5), a * (k + 0.5));
            }
    const auto sys = tungsten_single_orbital()->assemble(atoms);
    const auto [lo, hi] = gershgorin_bounds(sys.hamiltonian_eV);
    const EnergyGrid grid{lo - 1.0, hi + 1.0, 2001};
    const std::vector<int> rows = {0, 1, 62, 124};
    const auto ldos = kpm_ldos(sys.hamiltonian_eV, rows, grid, 0.1);
    for (int r = 0; r < 4; ++r) EXPECT_NEAR(integrate_row(ldos, r), 1.0, 1e-3);
}
