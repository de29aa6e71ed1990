#pragma once
/// KPM step 4: the density from damped moments, ρ(E) = [g_0 μ_0 + 2 Σ g_n μ_n T_n(x)] / (π a √(1−x²)).
#include <span>
#include <vector>

#include <Eigen/Dense>

#include "synthstm/ldos/kpm_scale.hpp"

namespace synthstm {

/// Densities per eV (rows of `moments` × energies); zero outside the scaled spectrum.
Eigen::MatrixXd reconstruct_density(const Eigen::MatrixXd& moments, std::span<const double> kernel,
                                    const SpectralScale& scale, std::span<const double> energies_eV);

}  // namespace synthstm
