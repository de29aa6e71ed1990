#pragma once
/// A finite tight-binding system: a sparse Hermitian Hamiltonian over orbitals with positions.
#include <string>
#include <vector>

#include <Eigen/SparseCore>

#include "synthstm/core/geometry.hpp"

namespace synthstm {

/// Sparse real-symmetric Hamiltonian in eV, row-major for fast products with vectors.
using SparseHamiltonian = Eigen::SparseMatrix<double, Eigen::RowMajor>;

/// A finite set of orbitals and the Hamiltonian among them.
struct TightBindingSystem {
    SparseHamiltonian hamiltonian_eV;   ///< H_ij = <φ_i|H|φ_j>
    std::vector<Vec3> positions_nm;     ///< where each orbital sits (its atom)
    std::vector<int> atom_of_orbital;   ///< which atom (site) each orbital belongs to
    std::vector<std::string> labels;    ///< orbital name, e.g. "W:dz2" or "Se_top"

    /// Number of orbitals (rows of H).
    [[nodiscard]] int size() const { return static_cast<int>(hamiltonian_eV.rows()); }
};

/// Bounds [E_min, E_max] of the spectrum of H by Gershgorin's circle theorem (rigorous).
std::pair<double, double> gershgorin_bounds(const SparseHamiltonian& h);

}  // namespace synthstm
