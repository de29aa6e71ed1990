#pragma once
/// The energy integral of DESIGN §3.2: the pair weights
///   C_ij(V) = ∫_0^{eV} ρ^T_j(ε − eV) ρ^S_i(ε) dε        (energies in eV relative to E_F, e = 1)
/// as an oriented integral, so C ≥ 0 for V > 0 and C ≤ 0 for V < 0 (the window is [eV, 0] and
/// the current is negative), C = 0 at V = 0.
///
/// Quadrature: the sample and tip LDOS are known on their own (possibly different, possibly
/// non-uniform) energy grids and are interpolated linearly between grid points. The window is
/// cut at every sample grid energy and at every tip grid energy shifted by eV, so on each piece
/// both interpolants are linear and their product is quadratic; two-point Gauss–Legendre on each
/// piece is exact for it. C is therefore the exact integral of the product of the two piecewise
/// linear interpolants (to rounding). Against the smooth LDOS the only error is interpolation:
///   |ΔC_ij| ≤ |V| (h_S²/8 ‖ρ^S''‖ ‖ρ^T‖ + h_T²/8 ‖ρ^T''‖ ‖ρ^S‖ + h_S² h_T²/64 ‖ρ^S''‖ ‖ρ^T''‖),
/// h = largest grid step, ‖·‖ = maximum over the window: second order in the grid step
/// (tests/tunneling checks the bound and the h² convergence against an analytic Lorentzian).
/// For a Lorentzian of half-width η, ‖ρ''‖ = 2/(π η³), so steps of η/4 give about 1 % error.
#include <span>
#include <vector>

#include <Eigen/Dense>

#include "synthstm/ldos/spectrum.hpp"

namespace synthstm {

/// Nodes and oriented weights of the bias-window quadrature.
struct BiasWindowQuadrature {
    std::vector<double> energy_eV;  ///< nodes ε inside the window [min(0, eV), max(0, eV)]
    std::vector<double> weight_eV;  ///< weights, negative for V < 0; they sum to eV
};

/// The quadrature of the file comment for a sample LDOS on sample_energy_eV and a tip LDOS on
/// tip_energy_eV (both strictly increasing). Empty for V = 0. Throws InvalidInput when a grid is
/// not strictly increasing or finite, or does not cover the window: the sample grid must cover
/// [min(0, eV), max(0, eV)], the tip grid the shifted window [min(0, −eV), max(0, −eV)].
BiasWindowQuadrature bias_window_quadrature(std::span<const double> sample_energy_eV,
                                            std::span<const double> tip_energy_eV, double bias_V);

/// The pair weights C_ij(V) (rows: sample sites i = rows of sample; columns: tip atoms j = rows
/// of tip), in (states/eV)² · eV. Throws InvalidInput when an LDOS matrix does not match its
/// energy grid, has non-finite entries, or a grid does not cover the window (see above).
Eigen::MatrixXd pair_weights(const LdosSpectrum& sample, const LdosSpectrum& tip, double bias_V);

}  // namespace synthstm
