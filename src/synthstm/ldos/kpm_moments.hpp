#pragma once
/// KPM step 2: Chebyshev moments μ_n = <φ_i|T_n(H̃)|φ_i> of chosen orbitals.
#include <span>

#include <Eigen/Dense>

#include "synthstm/tightbinding/system.hpp"

namespace synthstm {

/// Moments (rows × moments) of the scaled Hamiltonian for unit start vectors on `rows`.
/// Uses the doubling identities μ_2n = 2<α_n|α_n> − μ_0 and μ_2n+1 = 2<α_n+1|α_n> − μ_1, so
/// `moments` moments cost moments/2 products of H̃ with the block of start vectors.
Eigen::MatrixXd diagonal_moments(const SparseHamiltonian& scaled_h, std::span<const int> rows, int moments);

}  // namespace synthstm
