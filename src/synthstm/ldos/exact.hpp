#pragma once
/// LDOS by exact (dense) diagonalisation: the reference for small systems.
#include <span>

#include "synthstm/ldos/spectrum.hpp"
#include "synthstm/tightbinding/system.hpp"

namespace synthstm {

/// Largest system exact diagonalisation accepts (dense memory and O(N³) time).
inline constexpr int kExactMaxOrbitals = 8000;

/// Eigenvalues E_n and weights |<φ_row|ψ_n>|² of the requested rows (rows × states).
struct SpectralWeights {
    Eigen::VectorXd energies_eV;  ///< E_n, ascending
    Eigen::MatrixXd weights;      ///< weights(row, n)
};

/// Diagonalises H and returns the weights of the requested rows.
SpectralWeights exact_spectral_weights(const SparseHamiltonian& h, std::span<const int> rows);

/// Broadens spectral weights onto a grid.
LdosSpectrum broaden(const SpectralWeights& w, const EnergyGrid& grid, double broadening_eV,
                     BroadeningShape shape);

/// ρ_row(E) = Σ_n |<φ_row|ψ_n>|² δ_η(E − E_n) by dense diagonalisation.
LdosSpectrum exact_ldos(const SparseHamiltonian& h, std::span<const int> rows, const EnergyGrid& grid,
                        double broadening_eV, BroadeningShape shape = BroadeningShape::Lorentzian);

}  // namespace synthstm
