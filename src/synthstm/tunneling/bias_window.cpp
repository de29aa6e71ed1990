#include "synthstm/tunneling/bias_window.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {

namespace {

/// Grid ends may come out of arithmetic like emin + (emax − emin)·n/(N − 1); accept that slack.
double coverage_slack_eV(double bias_V) { return 1e-9 * std::max(1.0, std::abs(bias_V)); }

void validate_grid(std::span<const double> e, std::string_view what) {
    if (e.size() < 2) invalid_input(fmt::format("{} energy grid needs at least 2 points, got {}", what, e.size()));
    for (std::size_t n = 0; n < e.size(); ++n) {
        if (!std::isfinite(e[n])) {
            invalid_input(fmt::format("{} energy grid has a non-finite energy at index {}", what, n));
        }
        if (n > 0 && !(e[n] > e[n - 1])) {
            invalid_input(fmt::format("{} energy grid must be strictly increasing, but energy {} ({} eV) follows {} eV",
                                      what, n, e[n], e[n - 1]));
        }
    }
}

void validate_cover(std::span<const double> e, double lo, double hi, double slack, std::string_view what) {
    if (e.front() > lo + slack || e.back() < hi - slack) {
        invalid_input(fmt::format("{} energy grid [{}, {}] eV does not cover the bias window's [{}, {}] eV", what,
                                  e.front(), e.back(), lo, hi));
    }
}

/// Index k and fraction t with x ≈ (1 − t) e[k] + t e[k + 1], clamped to the grid.
void locate(std::span<const double> e, double x, Eigen::Index& k, double& t) {
    const auto it = std::upper_bound(e.begin(), e.end(), x);
    const auto last = static_cast<std::ptrdiff_t>(e.size()) - 2;
    const std::ptrdiff_t i = std::clamp<std::ptrdiff_t>((it - e.begin()) - 1, 0, last);
    k = static_cast<Eigen::Index>(i);
    t = std::clamp((x - e[i]) / (e[i + 1] - e[i]), 0.0, 1.0);
}

/// Rows of ldos interpolated linearly at the energies x: column q is the LDOS at x[q].
Eigen::MatrixXd interpolate(const LdosSpectrum& s, const std::vector<double>& x) {
    Eigen::MatrixXd out(s.ldos_per_eV.rows(), static_cast<Eigen::Index>(x.size()));
    for (std::size_t q = 0; q < x.size(); ++q) {
        Eigen::Index k = 0;
        double t = 0.0;
        locate(s.energy_eV, x[q], k, t);
        out.col(static_cast<Eigen::Index>(q)) = (1.0 - t) * s.ldos_per_eV.col(k) + t * s.ldos_per_eV.col(k + 1);
    }
    return out;
}

void validate_spectrum(const LdosSpectrum& s, std::string_view what) {
    validate_grid(s.energy_eV, what);
    if (s.ldos_per_eV.cols() != static_cast<Eigen::Index>(s.energy_eV.size())) {
        invalid_input(fmt::format("{} LDOS has {} energies per row but its grid has {}", what, s.ldos_per_eV.cols(),
                                  s.energy_eV.size()));
    }
    if (s.ldos_per_eV.rows() < 1) invalid_input(fmt::format("{} LDOS has no rows", what));
    if (!s.ldos_per_eV.allFinite()) invalid_input(fmt::format("{} LDOS has non-finite values", what));
}

}  // namespace

BiasWindowQuadrature bias_window_quadrature(std::span<const double> sample_energy_eV,
                                            std::span<const double> tip_energy_eV, double bias_V) {
    if (!std::isfinite(bias_V)) invalid_input(fmt::format("bias must be finite, got {} V", bias_V));
    validate_grid(sample_energy_eV, "sample");
    validate_grid(tip_energy_eV, "tip");
    BiasWindowQuadrature q;
    if (bias_V == 0.0) return q;
    const double lo = std::min(0.0, bias_V);
    const double hi = std::max(0.0, bias_V);
    const double slack = coverage_slack_eV(bias_V);
    validate_cover(sample_energy_eV, lo, hi, slack, "sample");
    validate_cover(tip_energy_eV, lo - bias_V, hi - bias_V, slack, "tip (shifted by −eV)");

    // Break points: the window ends, sample grid energies and tip grid energies + eV inside it.
    std::vector<double> cuts = {lo, hi};
    for (const double e : sample_energy_eV)
        if (e > lo && e < hi) cuts.push_back(e);
    for (const double e : tip_energy_eV)
        if (e + bias_V > lo && e + bias_V < hi) cuts.push_back(e + bias_V);
    std::sort(cuts.begin(), cuts.end());
    const double merge_eV = 1e-12 * (hi - lo);
    cuts.erase(std::unique(cuts.begin(), cuts.end(), [&](double a, double b) { return b - a <= merge_eV; }),
               cuts.end());
    cuts.back() = hi;

    // Two-point Gauss–Legendre on each piece; the orientation of ∫_0^{eV} gives the sign.
    const double sign = bias_V > 0.0 ? 1.0 : -1.0;
    const double g = 0.5 / std::sqrt(3.0);
    for (std::size_t p = 1; p < cuts.size(); ++p) {
        const double a = cuts[p - 1];
        const double h = cuts[p] - a;
        for (const double u : {0.5 - g, 0.5 + g}) {
            q.energy_eV.push_back(a + u * h);
            q.weight_eV.push_back(sign * 0.5 * h);
        }
    }
    return q;
}

Eigen::MatrixXd pair_weights(const LdosSpectrum& sample, const LdosSpectrum& tip, double bias_V) {
    validate_spectrum(sample, "sample");
    validate_spectrum(tip, "tip");
    const BiasWindowQuadrature q = bias_window_quadrature(sample.energy_eV, tip.energy_eV, bias_V);
    if (q.energy_eV.empty()) return Eigen::MatrixXd::Zero(sample.ldos_per_eV.rows(), tip.ldos_per_eV.rows());
    // The sample LDOS at node x is (1 − t) ρ_k + t ρ_{k+1} (its grid's hat functions), so
    //   C_ij = Σ_q w_q ρ_i(x_q) ρ^T_j(x_q − eV) = Σ_k ρ_ik M_kj,  M_kj = Σ_q w_q φ_k(x_q) ρ^T_j(x_q − eV):
    // the same sum regrouped, one product over the sample grid points of the window instead of
    // over the (several times more) quadrature nodes, and no interpolated copy of the sites' LDOS.
    std::vector<double> tip_energy(q.energy_eV.size());
    for (std::size_t n = 0; n < tip_energy.size(); ++n) tip_energy[n] = q.energy_eV[n] - bias_V;
    const Eigen::MatrixXd rho_t = interpolate(tip, tip_energy);  // tip atoms × nodes
    std::vector<Eigen::Index> k_of(q.energy_eV.size());
    std::vector<double> t_of(q.energy_eV.size());
    for (std::size_t n = 0; n < q.energy_eV.size(); ++n) locate(sample.energy_eV, q.energy_eV[n], k_of[n], t_of[n]);
    const Eigen::Index k_first = *std::min_element(k_of.begin(), k_of.end());
    const Eigen::Index k_count = *std::max_element(k_of.begin(), k_of.end()) + 2 - k_first;
    Eigen::MatrixXd m = Eigen::MatrixXd::Zero(k_count, tip.ldos_per_eV.rows());
    for (std::size_t n = 0; n < q.energy_eV.size(); ++n) {
        const Eigen::Index k = k_of[n] - k_first;
        const auto column = rho_t.col(static_cast<Eigen::Index>(n)).transpose();
        m.row(k) += (q.weight_eV[n] * (1.0 - t_of[n])) * column;
        m.row(k + 1) += (q.weight_eV[n] * t_of[n]) * column;
    }
    return sample.ldos_per_eV.middleCols(k_first, k_count) * m;
}

}  // namespace synthstm
