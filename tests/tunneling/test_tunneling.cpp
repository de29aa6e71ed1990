// Tunneling stage: the bias-window integral C_ij(V) (exactness, h² convergence, sign), the pair
// sum (exp(−2κΔz) decay, blunt-tip deviation, analytic derivative, cut-off bound, float vs
// double, far tips) and the error paths.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "synthstm/core/error.hpp"
#include "synthstm/lattice/defects.hpp"
#include "synthstm/lattice/material.hpp"
#include "synthstm/tip/tip_variants.hpp"
#include "synthstm/tunneling/bias_window.hpp"
#include "synthstm/tunneling/fast_exp.hpp"
#include "synthstm/tunneling/tunneling_model.hpp"

using namespace synthstm;

namespace {

constexpr double kPi = std::numbers::pi;

double lorentzian(double e, double centre_eV, double eta_eV) {
    return eta_eV / kPi / ((e - centre_eV) * (e - centre_eV) + eta_eV * eta_eV);
}

// One LDOS row per function, on a uniform grid.
LdosSpectrum spectrum(const EnergyGrid& grid, const std::vector<std::function<double(double)>>& rows) {
    LdosSpectrum s;
    s.energy_eV = grid.energies();
    s.ldos_per_eV.resize(static_cast<Eigen::Index>(rows.size()), grid.points);
    for (std::size_t r = 0; r < rows.size(); ++r)
        for (int n = 0; n < grid.points; ++n) s.ldos_per_eV(static_cast<Eigen::Index>(r), n) = rows[r](s.energy_eV[n]);
    return s;
}

// The same function for `count` rows.
LdosSpectrum uniform_spectrum(const EnergyGrid& grid, int count, const std::function<double(double)>& f) {
    return spectrum(grid, std::vector<std::function<double(double)>>(count, f));
}

// A WSe2 patch (all three sublattices) over [lo, hi]² nm, top Se plane at z = 0.
AtomPositions wse2_patch(double lo_nm, double hi_nm) {
    const TmdMaterial& m = wse2();
    std::vector<Vec3> p;
    for (const CellIndex& c : cells_in_rectangle(m, lo_nm, hi_nm, lo_nm, hi_nm))
        for (Sublattice s : kSublattices) p.push_back(m.position(c.i, c.j, s));
    return AtomPositions::from_points(p);
}

// Site-dependent LDOS: a Lorentzian whose centre and weight vary from site to site.
LdosSpectrum patch_ldos(const AtomPositions& sites, const EnergyGrid& grid) {
    std::vector<std::function<double(double)>> rows;
    for (int i = 0; i < sites.size(); ++i) {
        const double centre = 0.3 * std::sin(1.7 * sites.x_nm[i] + 2.3 * sites.y_nm[i]) + 0.2 * sites.z_nm[i];
        const double weight = 1.0 + 0.5 * std::cos(3.1 * sites.x_nm[i] - sites.y_nm[i]);
        rows.push_back([=](double e) { return weight * lorentzian(e, centre, 0.1); });
    }
    return spectrum(grid, rows);
}

// Apex atoms of a built-in tip within height_nm above its lowest atom, relative to the reference.
AtomPositions apex_of(const std::string& name, double height_nm) {
    const TipGeometry tip = build_tip(name);
    std::vector<Vec3> p;
    for (int i : apex_atoms(tip, height_nm)) p.push_back(tip.atoms_nm[i]);
    return AtomPositions::from_points(p);
}

LdosSpectrum tip_ldos_rows(const EnergyGrid& grid, int atoms) {
    std::vector<std::function<double(double)>> rows;
    for (int j = 0; j < atoms; ++j) {
        rows.push_back([j](double e) { return 0.3 + lorentzian(e, -0.4 + 0.05 * j, 0.15); });
    }
    return spectrum(grid, rows);
}

const EnergyGrid kGrid{-1.5, 1.5, 301};

void expect_invalid(const std::function<void()>& f, const std::string& needle) {
    try {
        f();
        ADD_FAILURE() << "no error; expected one mentioning '" << needle << "'";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The vectorisable exp.

TEST(FastExp, MatchesStdExpInDoubleAndFloat) {
    double worst_d = 0.0, worst_f = 0.0;
    for (double x = -86.0; x <= 20.0; x += 0.0137) {
        const double ref = std::exp(x);
        worst_d = std::max(worst_d, std::abs(fast_exp<double>(x) - ref) / ref);
        const float xf = static_cast<float>(x);
        const double ref_f = std::exp(static_cast<double>(xf));
        worst_f = std::max(worst_f, std::abs(static_cast<double>(fast_exp<float>(xf)) - ref_f) / ref_f);
    }
    EXPECT_LT(worst_d, 1e-15);
    EXPECT_LT(worst_f, 3e-7);
    EXPECT_EQ(fast_exp<double>(0.0), 1.0);
    // Normal numbers across the whole accepted range.
    for (double x : {-700.0, 700.0}) EXPECT_NEAR(fast_exp<double>(x) / std::exp(x), 1.0, 1e-14);
    for (float x : {-87.0f, 87.0f}) EXPECT_TRUE(std::isnormal(fast_exp<float>(x)));
}

// ---------------------------------------------------------------------------------------------
// C_ij(V) = ∫_0^{eV} ρ^T(ε − eV) ρ^S(ε) dε.

// Piecewise-linear LDOS on different, non-uniform grids: the quadrature is exact for them.
TEST(BiasWindow, ExactForLinearLdosOnDifferentGrids) {
    LdosSpectrum sample, tip;
    sample.energy_eV = {-1.0, -0.7, -0.2, 0.05, 0.3, 0.45, 0.8, 1.0};
    tip.energy_eV = {-1.2, -0.9, -0.33, 0.0, 0.21, 0.6, 1.3};
    const auto rho_s = [](double e) { return 1.0 + 2.0 * e; };
    const auto rho_t = [](double e) { return 3.0 - e; };
    sample.ldos_per_eV.resize(1, static_cast<Eigen::Index>(sample.energy_eV.size()));
    tip.ldos_per_eV.resize(1, static_cast<Eigen::Index>(tip.energy_eV.size()));
    for (std::size_t n = 0; n < sample.energy_eV.size(); ++n) sample.ldos_per_eV(0, n) = rho_s(sample.energy_eV[n]);
    for (std::size_t n = 0; n < tip.energy_eV.size(); ++n) tip.ldos_per_eV(0, n) = rho_t(tip.energy_eV[n]);
    for (double v : {0.6, -0.6, 0.137, -0.9}) {
        // (3 − ε + V)(1 + 2ε) = (3 + V) + (5 + 2V) ε − 2ε², integrated from 0 to V.
        const double exact = (3.0 + v) * v + (5.0 + 2.0 * v) * v * v / 2.0 - 2.0 * v * v * v / 3.0;
        EXPECT_NEAR(pair_weights(sample, tip, v)(0, 0), exact, 1e-13) << "V = " << v;
    }
    const auto q = bias_window_quadrature(sample.energy_eV, tip.energy_eV, -0.6);
    double total = 0.0;
    for (double w : q.weight_eV) total += w;
    EXPECT_NEAR(total, -0.6, 1e-14);  // oriented weights sum to eV
}

// Lorentzian sample LDOS, flat tip: C = (1/π)[atan((V − E0)/η) − atan(−E0/η)]. The error falls
// as h² and stays below the bound of bias_window.hpp, |V| h²/8 · 2/(πη³) · ρ^T.
TEST(BiasWindow, ConvergesAsGridStepSquaredBelowTheStatedBound) {
    const double e0 = 0.25, eta = 0.1, v = 0.5, flat = 0.7;
    const double exact = flat / kPi * (std::atan((v - e0) / eta) - std::atan(-e0 / eta));
    double previous = 0.0;
    for (int points : {41, 81, 161, 321, 641}) {
        const EnergyGrid grid{-1.0, 1.0, points};
        const double h = grid.step_eV();
        const auto s = uniform_spectrum(grid, 1, [&](double e) { return lorentzian(e, e0, eta); });
        const auto t = uniform_spectrum(grid, 1, [&](double) { return flat; });
        const double err = std::abs(pair_weights(s, t, v)(0, 0) - exact);
        const double bound = v * h * h / 8.0 * 2.0 / (kPi * eta * eta * eta) * flat;
        EXPECT_LE(err, bound) << points << " points";
        if (previous > 0.0) {
            EXPECT_GT(previous / err, 3.5) << points << " points";
            EXPECT_LT(previous / err, 4.5) << points << " points";
        }
        previous = err;
    }
    EXPECT_LT(previous / exact, 1e-4);  // h = η/32
}

// Two Lorentzians on different grids converge to the fine-grid value at second order.
TEST(BiasWindow, ConvergesForTwoStructuredLdos) {
    const auto rho_s = [](double e) { return lorentzian(e, 0.2, 0.08) + 0.3; };
    const auto rho_t = [](double e) { return lorentzian(e, -0.3, 0.12); };
    const auto c = [&](int points, double v) {
        const EnergyGrid gs{-1.0, 1.0, points}, gt{-1.3, 1.1, points + 7};
        return pair_weights(uniform_spectrum(gs, 1, rho_s), uniform_spectrum(gt, 1, rho_t), v)(0, 0);
    };
    for (double v : {0.45, -0.45}) {
        const double ref = c(8001, v);
        const double e1 = std::abs(c(101, v) - ref), e2 = std::abs(c(201, v) - ref), e3 = std::abs(c(401, v) - ref);
        EXPECT_GT(e1 / e2, 3.0);
        EXPECT_GT(e2 / e3, 3.0);
        EXPECT_LT(e3 / std::abs(ref), 1e-3);
        EXPECT_EQ(ref > 0.0, v > 0.0);  // the sign of the bias
    }
}

// Symmetric LDOS (ρ(E) = ρ(−E)): C(−V) = −C(V), and C(0) = 0.
TEST(BiasWindow, OddInBiasForSymmetricLdosAndZeroAtZeroBias) {
    const auto s = spectrum(kGrid, {[](double e) { return lorentzian(e, 0.0, 0.2); }, [](double) { return 0.4; }});
    const auto t = spectrum(kGrid, {[](double e) { return 1.0 + e * e; }});
    for (double v : {0.1, 0.5, 1.0}) {
        const Eigen::MatrixXd plus = pair_weights(s, t, v), minus = pair_weights(s, t, -v);
        EXPECT_TRUE((plus.array() > 0.0).all());
        EXPECT_LT((plus + minus).cwiseAbs().maxCoeff(), 1e-14 * plus.cwiseAbs().maxCoeff()) << "V = " << v;
    }
    EXPECT_EQ(pair_weights(s, t, 0.0).cwiseAbs().maxCoeff(), 0.0);
}

// pair_weights regroups the quadrature over the sample grid's hat functions; the plain form,
// both LDOS interpolated at every node and summed, must give the same C_ij for many rows with
// different shapes, on grids that differ from each other and from the window's ends.
TEST(BiasWindow, RegroupedSumEqualsTheNodeByNodeQuadrature) {
    const EnergyGrid sample_grid{-0.83, 0.91, 37}, tip_grid{-1.0, 1.0, 53};
    std::vector<std::function<double(double)>> sample_rows, tip_rows;
    for (int r = 0; r < 9; ++r)
        sample_rows.push_back([r](double e) { return lorentzian(e, -0.6 + 0.15 * r, 0.05 + 0.02 * r) + 0.1 * r; });
    for (int r = 0; r < 4; ++r) tip_rows.push_back([r](double e) { return 1.0 + 0.3 * r * e + std::sin(5.0 * e + r); });
    const LdosSpectrum s = spectrum(sample_grid, sample_rows), t = spectrum(tip_grid, tip_rows);
    const auto linear = [](const LdosSpectrum& l, Eigen::Index row, double x) {
        std::size_t k = 0;
        while (k + 2 < l.energy_eV.size() && l.energy_eV[k + 1] <= x) ++k;
        const double u = std::clamp((x - l.energy_eV[k]) / (l.energy_eV[k + 1] - l.energy_eV[k]), 0.0, 1.0);
        return (1.0 - u) * l.ldos_per_eV(row, static_cast<Eigen::Index>(k)) +
               u * l.ldos_per_eV(row, static_cast<Eigen::Index>(k + 1));
    };
    for (double v : {0.37, -0.52, 0.8}) {
        const BiasWindowQuadrature q = bias_window_quadrature(s.energy_eV, t.energy_eV, v);
        const Eigen::MatrixXd c = pair_weights(s, t, v);
        ASSERT_EQ(c.rows(), 9);
        ASSERT_EQ(c.cols(), 4);
        for (Eigen::Index i = 0; i < 9; ++i) {
            for (Eigen::Index j = 0; j < 4; ++j) {
                double direct = 0.0;
                for (std::size_t n = 0; n < q.energy_eV.size(); ++n)
                    direct += q.weight_eV[n] * linear(s, i, q.energy_eV[n]) * linear(t, j, q.energy_eV[n] - v);
                EXPECT_NEAR(c(i, j), direct, 1e-13 * std::max(1.0, std::abs(direct))) << "V " << v << " i " << i << " j " << j;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The pair sum.

// A single-atom tip above an isolated site (the next sites 2.5 nm away): the current falls by
// exp(−2κΔz) per Δz, at both bias signs.
TEST(TunnelingCurrent, SingleAtomTipDecaysAsExpMinusTwoKappaDz) {
    const AtomPositions sample = AtomPositions::from_points(std::vector<Vec3>{
        {0, 0, 0}, {2.5, 0, 0}, {-2.5, 0.3, 0}, {0.2, 2.6, -0.3}, {0.1, -2.5, 0}});
    const AtomPositions tip = AtomPositions::from_points(std::vector<Vec3>{{0, 0, 0}});
    const auto s_ldos = patch_ldos(sample, kGrid);
    const auto t_ldos = tip_ldos_rows(kGrid, 1);
    for (double kappa : {8.0, 10.0, 12.0}) {
        for (double v : {0.5, -0.5}) {
            TunnelingSettings settings;
            settings.kappa_per_nm = kappa;
            const TunnelingModel model = tunneling_model(sample, s_ldos, tip, t_ldos, v, settings);
            for (double z : {0.3, 0.5, 0.8}) {
                for (double dz : {0.05, 0.1}) {
                    const double ratio =
                        model.current({0.0, 0.0, z + dz}).current / model.current({0.0, 0.0, z}).current;
                    EXPECT_NEAR(ratio / std::exp(-2.0 * kappa * dz), 1.0, 0.01) << "κ " << kappa << " z " << z;
                }
                EXPECT_NEAR(model.current({0, 0, z}).dln_current_dz_per_nm, -2.0 * kappa, 0.02 * kappa);
            }
        }
    }
}

// A blunt tip (the 6-atom lowest layer of w111-blunt6) centred above the same isolated site:
// every atom is ρ_j off to the side, so I ∝ Σ_j exp(−2κ√(z² + ρ_j²)) and the current falls
// markedly slower than exp(−2κΔz) — exactly as that geometry says.
TEST(TunnelingCurrent, BluntTipDeviatesFromSingleAtomDecay) {
    const AtomPositions sample = AtomPositions::from_points(std::vector<Vec3>{{0, 0, 0}, {3.0, 0, 0}});
    AtomPositions tip = apex_of("w111-blunt6", 0.01);
    ASSERT_EQ(tip.size(), 6);
    double cx = 0, cy = 0;
    for (int j = 0; j < 6; ++j) cx += tip.x_nm[j] / 6, cy += tip.y_nm[j] / 6;
    const Eigen::MatrixXd w = Eigen::MatrixXd::Constant(2, 6, 0.5);
    const double kappa = 10.0;
    const TunnelingModel model(sample, tip, w);
    const auto geometric = [&](double z) {
        double sum = 0;
        for (int j = 0; j < 6; ++j) {
            const double rho2 = std::pow(tip.x_nm[j] - cx, 2) + std::pow(tip.y_nm[j] - cy, 2);
            sum += std::exp(-2.0 * kappa * std::sqrt(z * z + rho2));
        }
        return sum;
    };
    const double z = 0.4, dz = 0.1;
    const Vec3 at(-cx, -cy, z);  // apex reference point such that the layer's centre is above the site
    const double ratio = model.current(at + Vec3(0, 0, dz)).current / model.current(at).current;
    EXPECT_GT(ratio / std::exp(-2.0 * kappa * dz), 1.10);  // more than 10 % slower decay
    EXPECT_NEAR(ratio, geometric(z + dz) / geometric(z), 1e-9 * ratio);
    EXPECT_GT(model.current(at).dln_current_dz_per_nm, -0.9 * 2.0 * kappa);
}

// The analytic d ln I/dz and dI/dz against central differences (h = 1e-4 nm), for a realistic
// 14-atom apex above a WSe2 patch, both biases, on and off atoms, without cut-off; with the
// default cut-off the difference quotient may in addition move by the cut-off bound / h.
TEST(TunnelingCurrent, AnalyticDerivativeMatchesCentralDifference) {
    const AtomPositions sample = wse2_patch(-1.5, 1.5);
    const AtomPositions tip = apex_of("w111-sharp", 0.46);
    ASSERT_EQ(tip.size(), 14);
    const auto s_ldos = patch_ldos(sample, kGrid);
    const auto t_ldos = tip_ldos_rows(kGrid, tip.size());
    const double h = 1e-4;
    for (double tol : {0.0, 1e-6}) {
        TunnelingSettings settings;
        settings.relative_tolerance = tol;
        for (double v : {0.6, -0.4}) {
            const TunnelingModel model = tunneling_model(sample, s_ldos, tip, t_ldos, v, settings);
            for (const Vec3& xy : {Vec3(0, 0, 0), Vec3(0.166, 0.096, 0), Vec3(0.4, -0.3, 0), Vec3(1.7, 0.2, 0)}) {
                for (double z : {0.35, 0.6}) {
                    const Vec3 r = xy + Vec3(0, 0, z);
                    const TunnelingCurrent c = model.current(r);
                    const TunnelingCurrent up = model.current(r + Vec3(0, 0, h));
                    const TunnelingCurrent down = model.current(r - Vec3(0, 0, h));
                    const double fd_ln = (up.ln_abs_current - down.ln_abs_current) / (2 * h);
                    const double fd_i = (up.current - down.current) / (2 * h);
                    const double slack = (up.cutoff_error_bound + down.cutoff_error_bound) / (2 * h);
                    EXPECT_NEAR(c.dln_current_dz_per_nm, fd_ln,
                                1e-6 * std::abs(fd_ln) + slack / std::abs(c.current))
                        << "tol " << tol << " V " << v << " at " << r.transpose();
                    EXPECT_NEAR(c.dcurrent_dz_per_nm, fd_i, 1e-6 * std::abs(fd_i) + slack);
                    EXPECT_NEAR(c.ln_abs_current, std::log(std::abs(c.current)), 1e-12);
                    EXPECT_EQ(c.current > 0.0, v > 0.0);
                    EXPECT_LT(c.dln_current_dz_per_nm, 0.0);  // current falls as the tip rises
                }
            }
        }
    }
}

// The cut-off's error stays within the bound current() reports, for tolerances from the default
// to very loose ones, anywhere (above atoms, between, off the patch, high up), on a 4 × 4 nm
// WSe2 patch (489 sites) under a 14-atom apex. With the default tolerance the error is below
// 1e-4 of I while fewer than a quarter of the pairs are computed near the surface.
TEST(TunnelingCurrent, CutoffErrorWithinReportedBound) {
    const AtomPositions sample = wse2_patch(-2.0, 2.0);
    const AtomPositions tip = apex_of("w111-sharp", 0.46);
    const auto s_ldos = patch_ldos(sample, kGrid);
    const auto t_ldos = tip_ldos_rows(kGrid, tip.size());
    TunnelingSettings all;
    all.relative_tolerance = 0.0;
    const TunnelingModel reference = tunneling_model(sample, s_ldos, tip, t_ldos, 0.5, all);
    const long all_pairs = static_cast<long>(sample.size()) * tip.size();
    for (double tol : {1e-6, 1e-4, 1e-2}) {
        TunnelingSettings settings;
        settings.relative_tolerance = tol;
        const TunnelingModel model = tunneling_model(sample, s_ldos, tip, t_ldos, 0.5, settings);
        double worst_ratio = 0.0;
        for (const Vec3& r : {Vec3(0, 0, 0.4), Vec3(0.166, 0.1, 0.5), Vec3(-1.9, 1.9, 0.3), Vec3(3.5, 0.0, 0.5),
                              Vec3(0.7, -0.4, 1.5), Vec3(0.0, 0.0, 4.0)}) {
            const TunnelingCurrent exact = reference.current(r), cut = model.current(r);
            EXPECT_EQ(exact.pairs, all_pairs);
            const double err = std::abs(exact.current - cut.current);
            EXPECT_LE(err, cut.cutoff_error_bound + 1e-13 * std::abs(exact.current))
                << "tol " << tol << " at " << r.transpose();
            EXPECT_LE(std::abs(exact.dcurrent_dz_per_nm - cut.dcurrent_dz_per_nm),
                      2 * 10.0 * cut.cutoff_error_bound + 1e-12 * std::abs(exact.dcurrent_dz_per_nm));
            worst_ratio = std::max(worst_ratio, err / std::max(cut.cutoff_error_bound, 1e-300));
            if (tol == 1e-6) {
                // Measured: error 1e-5 … 4e-5 of I (thousands of pairs just below the threshold
                // add up), bound 1e-4 … 1.3e-3 of I; fewer than a quarter of the pairs near the surface.
                EXPECT_LT(err / std::abs(exact.current), 1e-4) << r.transpose();
                EXPECT_LT(cut.cutoff_error_bound / std::abs(cut.current), 1e-2);
                if (r.z() < 1.0) {
                    EXPECT_LT(cut.pairs, all_pairs / 4) << r.transpose();
                }
            }
        }
        EXPECT_LE(worst_ratio, 1.0);
    }
    // A loose tolerance does drop a visible part of the current (the comparison is not vacuous).
    TunnelingSettings loose;
    loose.relative_tolerance = 1e-2;
    const TunnelingModel model = tunneling_model(sample, s_ldos, tip, t_ldos, 0.5, loose);
    const Vec3 r(0.166, 0.1, 0.5);
    EXPECT_GT(std::abs(reference.current(r).current - model.current(r).current), 1e-4 * reference.current(r).current);
}

// Single precision agrees with double to ~1e-5, and nothing underflows: at 5 nm exp(−2κd) is
// e^{−100}, below float's range, yet ln I and d ln I/dz stay exact.
TEST(TunnelingCurrent, SinglePrecisionAgreesAndLogStaysFiniteFarAway) {
    const AtomPositions sample = wse2_patch(-1.5, 1.5);
    const AtomPositions tip = apex_of("w111-sharp", 0.46);
    const auto s_ldos = patch_ldos(sample, kGrid);
    const auto t_ldos = tip_ldos_rows(kGrid, tip.size());
    TunnelingSettings single;
    single.precision = TunnelingPrecision::Single;
    const TunnelingModel d = tunneling_model(sample, s_ldos, tip, t_ldos, -0.5);
    const TunnelingModel f = tunneling_model(sample, s_ldos, tip, t_ldos, -0.5, single);
    for (const Vec3& r : {Vec3(0, 0, 0.35), Vec3(0.3, 0.2, 0.6), Vec3(-1.0, 0.5, 0.45), Vec3(0.1, 0.1, 5.0)}) {
        const TunnelingCurrent a = d.current(r), b = f.current(r);
        EXPECT_NEAR(b.ln_abs_current, a.ln_abs_current, 2e-5) << r.transpose();
        EXPECT_NEAR(b.dln_current_dz_per_nm, a.dln_current_dz_per_nm, 2e-5 * std::abs(a.dln_current_dz_per_nm));
        EXPECT_LT(a.current, 0.0);
        EXPECT_LT(b.current, 0.0);
    }
    // 40 nm up: I underflows a double, ln I does not; d ln I/dz → −2κ.
    const TunnelingCurrent far = f.current({0, 0, 40.0});
    EXPECT_TRUE(std::isfinite(far.ln_abs_current));
    EXPECT_NEAR(far.ln_abs_current - d.current({0, 0, 39.0}).ln_abs_current, -20.0, 0.05);
    EXPECT_NEAR(far.dln_current_dz_per_nm, -20.0, 0.05);
}

// I(−V) = −I(V) for symmetric LDOS at every tip position; I(0) = 0 with ln I = −∞.
TEST(TunnelingCurrent, OddInBiasForSymmetricLdosAndZeroAtZeroBias) {
    const AtomPositions sample = wse2_patch(-1.0, 1.0);
    const AtomPositions tip = apex_of("w001-tetramer", 0.2);
    std::vector<std::function<double(double)>> rows;
    for (int i = 0; i < sample.size(); ++i) {
        const double w = 0.05 + 0.1 * (i % 5);
        rows.push_back([w](double e) { return lorentzian(e, 0.3, w) + lorentzian(e, -0.3, w); });
    }
    const auto s_ldos = spectrum(kGrid, rows);
    const auto t_ldos = uniform_spectrum(kGrid, tip.size(), [](double e) { return 0.5 + e * e; });
    for (double v : {0.2, 0.8}) {
        const TunnelingModel plus = tunneling_model(sample, s_ldos, tip, t_ldos, v);
        const TunnelingModel minus = tunneling_model(sample, s_ldos, tip, t_ldos, -v);
        for (const Vec3& r : {Vec3(0, 0, 0.4), Vec3(0.2, -0.1, 0.7)}) {
            const double ip = plus.current(r).current, im = minus.current(r).current;
            EXPECT_GT(ip, 0.0);
            EXPECT_NEAR(im, -ip, 1e-12 * ip);
            EXPECT_NEAR(plus.current(r).dln_current_dz_per_nm, minus.current(r).dln_current_dz_per_nm, 1e-9);
        }
    }
    const TunnelingCurrent zero = tunneling_model(sample, s_ldos, tip, t_ldos, 0.0).current({0, 0, 0.4});
    EXPECT_EQ(zero.current, 0.0);
    EXPECT_EQ(zero.dcurrent_dz_per_nm, 0.0);
    EXPECT_EQ(zero.ln_abs_current, -std::numeric_limits<double>::infinity());
    EXPECT_TRUE(std::isnan(zero.dln_current_dz_per_nm));
    EXPECT_EQ(zero.cutoff_error_bound, 0.0);
}

// The TipLdos overload gives the same model as the explicit arrays.
TEST(TunnelingCurrent, TipLdosOverloadMatchesArrays) {
    const AtomPositions sample = wse2_patch(-1.0, 1.0);
    const TipGeometry geometry = build_tip("w001-dimer");
    TipLdos tip;
    tip.atoms = apex_atoms(geometry, 0.2);
    for (int i : tip.atoms) tip.positions_nm.push_back(geometry.atoms_nm[i]);
    tip.ldos = tip_ldos_rows(kGrid, static_cast<int>(tip.atoms.size()));
    const auto s_ldos = patch_ldos(sample, kGrid);
    const TunnelingModel a = tunneling_model(sample, s_ldos, tip, 0.3);
    const TunnelingModel b =
        tunneling_model(sample, s_ldos, AtomPositions::from_points(tip.positions_nm), tip.ldos, 0.3);
    EXPECT_EQ(a.tip_atoms(), static_cast<int>(tip.atoms.size()));
    EXPECT_EQ(a.current({0.1, 0.1, 0.5}).current, b.current({0.1, 0.1, 0.5}).current);
}

// ---------------------------------------------------------------------------------------------
// Errors: one line naming the problem, InvalidInput.

TEST(TunnelingErrors, BadInputsAreRejectedWithClearMessages) {
    const AtomPositions sample = wse2_patch(-0.5, 0.5);
    const AtomPositions tip = AtomPositions::from_points(std::vector<Vec3>{{0, 0, 0}, {0.1, 0, 0.2}});
    const auto s_ldos = patch_ldos(sample, kGrid);
    const auto t_ldos = tip_ldos_rows(kGrid, 2);
    const auto build = [&](const TunnelingSettings& s) { (void)tunneling_model(sample, s_ldos, tip, t_ldos, 0.5, s); };

    TunnelingSettings s;
    s.kappa_per_nm = -10.0;
    expect_invalid([&] { build(s); }, "kappa_per_nm");
    s.kappa_per_nm = 0.0;
    expect_invalid([&] { build(s); }, "kappa_per_nm");
    s.kappa_per_nm = std::nan("");
    expect_invalid([&] { build(s); }, "kappa_per_nm");
    s = {};
    s.relative_tolerance = 1.0;
    expect_invalid([&] { build(s); }, "relative_tolerance");
    s.relative_tolerance = -1e-6;
    expect_invalid([&] { build(s); }, "relative_tolerance");

    // Grids: LDOS columns ≠ energies, a grid that misses the window, a non-increasing grid.
    LdosSpectrum bad = s_ldos;
    bad.energy_eV.pop_back();
    expect_invalid([&] { (void)tunneling_model(sample, bad, tip, t_ldos, 0.5); }, "grid has");
    const auto narrow = patch_ldos(sample, EnergyGrid{0.1, 1.0, 50});
    expect_invalid([&] { (void)tunneling_model(sample, narrow, tip, t_ldos, 0.5); }, "does not cover");
    const auto tip_narrow = tip_ldos_rows(EnergyGrid{-0.2, 1.0, 50}, 2);
    expect_invalid([&] { (void)tunneling_model(sample, s_ldos, tip, tip_narrow, 0.5); }, "tip");
    expect_invalid([&] { (void)tunneling_model(sample, s_ldos, tip, tip_narrow, 0.5); }, "does not cover");
    EXPECT_NO_THROW((void)tunneling_model(sample, s_ldos, tip, tip_narrow, -0.5));  // needs tip [0, 0.5] only
    bad = s_ldos;
    std::swap(bad.energy_eV[3], bad.energy_eV[4]);
    expect_invalid([&] { (void)tunneling_model(sample, bad, tip, t_ldos, 0.5); }, "strictly increasing");
    bad = s_ldos;
    bad.ldos_per_eV(2, 7) = std::nan("");
    expect_invalid([&] { (void)tunneling_model(sample, bad, tip, t_ldos, 0.5); }, "non-finite");

    // Rows ≠ atoms, bad positions, bad bias, bad weights, bad tip position.
    expect_invalid([&] { (void)tunneling_model(sample, s_ldos, tip, tip_ldos_rows(kGrid, 3), 0.5); },
                   "tip LDOS has 3 rows");
    expect_invalid([&] { (void)tunneling_model(sample, t_ldos, tip, t_ldos, 0.5); }, "sample LDOS has 2 rows");
    expect_invalid([&] { (void)tunneling_model(AtomPositions{}, s_ldos, tip, t_ldos, 0.5); }, "no atoms");
    AtomPositions ragged = tip;
    ragged.z_nm.pop_back();
    expect_invalid([&] { (void)tunneling_model(sample, s_ldos, ragged, t_ldos, 0.5); }, "coordinates");
    AtomPositions nan_tip = tip;
    nan_tip.x_nm[1] = std::nan("");
    expect_invalid([&] { (void)tunneling_model(sample, s_ldos, nan_tip, t_ldos, 0.5); }, "non-finite");
    expect_invalid([&] { (void)tunneling_model(sample, s_ldos, tip, t_ldos, std::nan("")); }, "bias");
    expect_invalid([&] { TunnelingModel(sample, tip, Eigen::MatrixXd::Ones(3, 2)); }, "pair weights");
    const TunnelingModel ok = tunneling_model(sample, s_ldos, tip, t_ldos, 0.5);
    expect_invalid([&] { (void)ok.current({0, std::nan(""), 0.5}); }, "tip position");
}
