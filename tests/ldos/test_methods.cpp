// The three LDOS methods agree on the same system (DESIGN §3.1; cross-validation).
#include <gtest/gtest.h>

#include "synthstm/core/error.hpp"
#include "synthstm/ldos/exact.hpp"
#include "synthstm/ldos/surface_ldos.hpp"
#include "synthstm/tightbinding/tmd_three_band.hpp"

using namespace synthstm;

namespace {

std::vector<Defect> vacancy_and_dopant() {
    return {{DefectType::Vacancy, {{0, 0}, Sublattice::ChalcogenTop}, 0.0},
            {DefectType::Dopant, {{2, 1}, Sublattice::ChalcogenTop}, 0.4},
            {DefectType::Dopant, {{-1, 2}, Sublattice::Metal}, -0.3}};
}

/// Orbitals around the defects: every orbital of the cells (i, j) with |i|, |j| ≤ 2.
std::vector<SiteOrbital> orbitals_near_origin(const PeriodicModel& model) {
    std::vector<SiteOrbital> out;
    for (int j = -2; j <= 2; ++j)
        for (int i = -2; i <= 2; ++i)
            for (int a = 0; a < model.orbitals_per_cell(); ++a) out.push_back({{i, j}, a});
    return out;
}

double max_abs(const Eigen::MatrixXd& m) { return m.cwiseAbs().maxCoeff(); }

}  // namespace

// On an N × N k-grid the lattice Green's function is exactly that of the N × N periodic
// supercell, so T-matrix and exact diagonalisation (both Lorentzian) must agree to rounding.
TEST(LdosMethods, TMatrixEqualsExactDiagonalisationOfSupercell) {
    const PeriodicModel& model = wse2_single_orbital();
    const EnergyGrid grid{-4.0, 4.0, 161};
    const auto orbitals = orbitals_near_origin(model);
    for (const auto& defects : {std::vector<Defect>{}, vacancy_and_dopant()}) {
        SurfaceLdosSettings s;
        s.exact_supercell = 14;
        s.k_grid = 14;
        s.use_cache = false;
        const auto exact = surface_ldos(LdosMethod::Exact, model, defects, orbitals, grid, 0.08, s);
        const auto tmat = surface_ldos(LdosMethod::TMatrix, model, defects, orbitals, grid, 0.08, s);
        EXPECT_LT(max_abs(exact.ldos_per_eV - tmat.ldos_per_eV), 1e-9 * max_abs(exact.ldos_per_eV))
            << "defects: " << defects.size();
    }
}

TEST(LdosMethods, TMatrixEqualsExactForThreeBandModel) {
    const PeriodicModel& model = wse2_three_band();
    const EnergyGrid grid{-1.5, 4.0, 111};
    const std::vector<Defect> defects = {{DefectType::Vacancy, {{0, 0}, Sublattice::Metal}, 0.0},
                                         {DefectType::Dopant, {{1, 1}, Sublattice::Metal}, 0.5}};
    const auto orbitals = orbitals_near_origin(model);
    SurfaceLdosSettings s;
    s.exact_supercell = 12;
    s.k_grid = 12;
    s.use_cache = false;
    const auto exact = surface_ldos(LdosMethod::Exact, model, defects, orbitals, grid, 0.05, s);
    const auto tmat = surface_ldos(LdosMethod::TMatrix, model, defects, orbitals, grid, 0.05, s);
    EXPECT_LT(max_abs(exact.ldos_per_eV - tmat.ldos_per_eV), 1e-9 * max_abs(exact.ldos_per_eV));
}

// KPM with the Lorentz kernel reproduces Lorentzian broadening. Its damping factors
// sinh(λ(1 − n/N))/sinh λ differ from the exponential e^{−λn/N} of an exact Lorentzian by the
// truncation term e^{−2λ(1−n/N)}; summed over the moments this lowers a sharp peak by about
// 2e^{−λ} = 3.7 % for λ = 4 (the flat band of the seed model at E = 0 is such a peak). The
// tolerance is 4.5 % of the peak LDOS.
TEST(LdosMethods, KpmLorentzAgreesWithExact) {
    const PeriodicModel& model = wse2_single_orbital();
    const EnergyGrid grid{-4.0, 4.0, 161};
    const auto orbitals = orbitals_near_origin(model);
    for (const auto& defects : {std::vector<Defect>{}, vacancy_and_dopant()}) {
        SurfaceLdosSettings s;
        s.exact_supercell = 16;
        s.kpm_supercell = 16;
        s.kpm.kernel = KpmKernel::Lorentz;
        const auto exact = surface_ldos(LdosMethod::Exact, model, defects, orbitals, grid, 0.1, s);
        const auto kpm = surface_ldos(LdosMethod::Kpm, model, defects, orbitals, grid, 0.1, s);
        EXPECT_LT(max_abs(exact.ldos_per_eV - kpm.ldos_per_eV), 0.045 * max_abs(exact.ldos_per_eV));
    }
}

// Jackson-kernel KPM (the default) has a near-Gaussian kernel of width σ = π a / N at the band
// centre, narrower towards the band edges. Pointwise it is compared with exact diagonalisation
// broadened by a Gaussian of the same σ; the shapes differ by O(1/N) and the edge narrowing,
// so the tolerance is 6 % of the peak. Weight integrated over 0.5 eV windows (5 σ) is
// insensitive to the kernel shape and agrees to 1.5 % of the window weight.
TEST(LdosMethods, KpmJacksonAgreesWithGaussianExact) {
    const PeriodicModel& model = wse2_single_orbital();
    const EnergyGrid grid{-5.5, 5.5, 441};
    const auto orbitals = orbitals_near_origin(model);
    const auto defects = vacancy_and_dopant();
    SurfaceLdosSettings s;
    s.exact_supercell = 16;
    s.kpm_supercell = 16;
    s.exact_shape = BroadeningShape::Gaussian;
    const auto exact = surface_ldos(LdosMethod::Exact, model, defects, orbitals, grid, 0.1, s);
    const auto kpm = surface_ldos(LdosMethod::Kpm, model, defects, orbitals, grid, 0.1, s);
    EXPECT_LT(max_abs(exact.ldos_per_eV - kpm.ldos_per_eV), 0.06 * max_abs(exact.ldos_per_eV));
    const int window = 20;  // points per 0.5 eV
    for (Eigen::Index r = 0; r < exact.ldos_per_eV.rows(); ++r) {
        for (int start = 0; start + window < grid.points; start += window) {
            const double we = exact.ldos_per_eV.row(r).segment(start, window).sum() * grid.step_eV();
            const double wk = kpm.ldos_per_eV.row(r).segment(start, window).sum() * grid.step_eV();
            EXPECT_NEAR(we, wk, 0.015 + 0.015 * we) << "row " << r << " window at " << grid.energies()[start];
        }
    }
}

// The T-matrix fast path on its default (large) k-grid equals a large KPM supercell within
// the Lorentz-kernel error explained above (4.5 % of the peak); the finite-size error of a
// 72 × 72 supercell at η = 0.1 eV is far smaller (G0 decays over ~8 nm = 25 cells).
TEST(LdosMethods, TMatrixInfiniteLatticeAgreesWithLargeKpmSupercell) {
    const PeriodicModel& model = wse2_single_orbital();
    const EnergyGrid grid{-2.0, 2.0, 81};
    const auto defects = vacancy_and_dopant();
    const std::vector<SiteOrbital> orbitals = {{{1, 0}, 0}, {{0, 1}, 2}, {{2, 1}, 0}, {{5, 5}, 0}};
    SurfaceLdosSettings s;
    s.kpm_supercell = 72;
    s.k_grid = 96;
    s.kpm.kernel = KpmKernel::Lorentz;
    const auto tmat = surface_ldos(LdosMethod::TMatrix, model, defects, orbitals, grid, 0.1, s);
    const auto kpm = surface_ldos(LdosMethod::Kpm, model, defects, orbitals, grid, 0.1, s);
    EXPECT_LT(max_abs(tmat.ldos_per_eV - kpm.ldos_per_eV), 0.045 * max_abs(tmat.ldos_per_eV));
}

// The single-precision triangular solve of the T-matrix path agrees with double precision to
// 1e-4 of the peak LDOS (float carries 7 digits; the sum over ~70 defect terms loses at most two).
TEST(LdosMethods, TMatrixSinglePrecisionMatchesDouble) {
    const PeriodicModel& model = wse2_single_orbital();
    std::vector<double> energies;
    for (int n = 0; n <= 10; ++n) energies.push_back(-0.5 + 0.1 * n);
    const LatticeGreensFunction g0(model, energies, 0.1, 48, 0, false);
    std::vector<Defect> defects;
    for (int n = 0; n < 30; ++n) {
        defects.push_back({n % 2 ? DefectType::Vacancy : DefectType::Dopant,
                           {{(7 * n) % 13 - 6, (5 * n) % 11 - 5}, kSublattices[n % 3]}, 0.1 + 0.01 * n});
    }
    const auto orbitals = orbitals_near_origin(model);
    const auto d = tmatrix_ldos(g0, model, defects, orbitals, TMatrixPrecision::Double);
    const auto f = tmatrix_ldos(g0, model, defects, orbitals, TMatrixPrecision::Single);
    EXPECT_LT(max_abs(d.ldos_per_eV - f.ldos_per_eV), 1e-4 * max_abs(d.ldos_per_eV));
}

// A window of the table's energies (how one table serves every bias window) gives exactly the
// matching columns of the full computation; a window outside the table is an error.
TEST(LdosMethods, TMatrixEnergyWindowIsASliceOfTheFullResult) {
    const PeriodicModel& model = wse2_single_orbital();
    std::vector<double> energies;
    for (int n = 0; n <= 10; ++n) energies.push_back(-0.5 + 0.1 * n);
    const LatticeGreensFunction g0(model, energies, 0.1, 32, 0, false);
    const std::vector<Defect> defects = {{DefectType::Vacancy, {{1, 0}, Sublattice::ChalcogenTop}, 0.0},
                                         {DefectType::Dopant, {{-1, 1}, Sublattice::Metal}, 0.3}};
    const auto orbitals = orbitals_near_origin(model);
    const auto full = tmatrix_ldos(g0, model, defects, orbitals);
    const auto window = tmatrix_ldos(g0, model, defects, orbitals, TMatrixPrecision::Double, 3, 4);
    ASSERT_EQ(window.energy_eV.size(), 4u);
    EXPECT_EQ(window.energy_eV.front(), energies[3]);
    EXPECT_EQ(window.ldos_per_eV, full.ldos_per_eV.middleCols(3, 4));
    EXPECT_THROW(tmatrix_ldos(g0, model, defects, orbitals, TMatrixPrecision::Double, 9, 4), Error);
}
