#pragma once
/// KPM step 1: map the spectrum into (−1, 1). H̃ = (H − centre) / half_width.
#include "synthstm/tightbinding/system.hpp"

namespace synthstm {

/// The affine map E = centre_eV + half_width_eV · x between energies and Chebyshev variable x.
struct SpectralScale {
    double centre_eV = 0.0;      ///< middle of the spectrum
    double half_width_eV = 1.0;  ///< half its width, enlarged by a safety margin

    /// x of an energy.
    [[nodiscard]] double to_x(double energy_eV) const { return (energy_eV - centre_eV) / half_width_eV; }
};

/// Gershgorin bounds widened by `margin` (relative), so the scaled spectrum lies strictly in (−1, 1).
SpectralScale spectral_scale(const SparseHamiltonian& h, double margin = 0.01);

/// H̃ = (H − centre) / half_width as a new sparse matrix.
SparseHamiltonian scaled_hamiltonian(const SparseHamiltonian& h, const SpectralScale& scale);

}  // namespace synthstm
