#pragma once
/// LDOS by the kernel polynomial method: the pipeline scale → moments → kernel → reconstruction,
/// for arbitrary finite systems (tips) and large supercells.
#include <span>

#include "synthstm/ldos/kpm_kernel.hpp"
#include "synthstm/ldos/kpm_scale.hpp"
#include "synthstm/ldos/spectrum.hpp"

namespace synthstm {

/// Options of a KPM calculation.
struct KpmOptions {
    KpmKernel kernel = KpmKernel::Jackson;  ///< damping kernel
    double lorentz_lambda = 4.0;            ///< λ of the Lorentz kernel
    int moments = 0;                        ///< 0: derived from the broadening (kpm_moments_for)
};

/// Moments that give the requested broadening: Jackson's Gaussian width σ = π a / N at the band
/// centre, so N = ⌈π a / σ⌉; Lorentz kernel's half-width η = λ a / N, so N = ⌈λ a / η⌉
/// (a = half-width of the scaled spectrum).
int kpm_moments_for(double broadening_eV, const SpectralScale& scale, const KpmOptions& options);

/// LDOS of the requested rows by KPM.
LdosSpectrum kpm_ldos(const SparseHamiltonian& h, std::span<const int> rows, const EnergyGrid& grid,
                      double broadening_eV, const KpmOptions& options = {});

}  // namespace synthstm
