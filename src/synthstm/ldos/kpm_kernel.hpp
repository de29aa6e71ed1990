#pragma once
/// KPM step 3: kernel damping factors g_n that suppress Gibbs oscillations.
#include <vector>

namespace synthstm {

/// Which damping kernel.
enum class KpmKernel {
    Jackson,  ///< positive, near-Gaussian broadening of width σ ≈ π/N (scaled units): the default
    Lorentz,  ///< reproduces G(E + iε) with ε = λ/N (scaled units): matches Lorentzian broadening
};

/// Jackson kernel g_n, n = 0..N−1 (Weiße et al., Rev. Mod. Phys. 78, 275 (2006), eq. 71).
std::vector<double> jackson_kernel(int moments);

/// Lorentz kernel g_n = sinh(λ(1 − n/N)) / sinh λ (same reference, eq. 77).
std::vector<double> lorentz_kernel(int moments, double lambda);

}  // namespace synthstm
