#pragma once
/// The pristine lattice Green's function G0_αβ(R, E + iη) = <R+d, α| (E + iη − H)^-1 |R, β> of
/// a periodic model, from the Bloch Hamiltonian on an N × N k-grid and one FFT per (α, β, E).
/// On an N × N grid it is exactly the Green's function of the N × N periodic supercell; for
/// large N it converges to the infinite lattice (the error falls as exp(−N a η / ħv)).
#include <complex>
#include <memory>
#include <span>
#include <vector>

#include "synthstm/tightbinding/periodic_model.hpp"

namespace synthstm {

/// G0 tabulated on energies × cell offsets |d1|, |d2| ≤ range × orbital pairs.
class LatticeGreensFunction {
public:
    /// Computes G0 (or loads it from the disk cache, category "g0") for the model.
    /// range_cells ≤ 0 or ≥ k_grid/2 keeps every offset of the grid.
    LatticeGreensFunction(const PeriodicModel& model, std::span<const double> energies_eV, double broadening_eV,
                          int k_grid, int range_cells = 0, bool use_cache = true);

    /// G0_αβ(d) at energy index e; offsets wrap modulo the k-grid (periodic supercell).
    /// Throws InvalidInput if the wrapped offset lies outside the tabulated range.
    [[nodiscard]] std::complex<double> at(int e, int d1, int d2, int alpha, int beta) const;

    /// Position of G0_αβ(d) within one energy's slice (checked like at()); with slice(e) this
    /// lets hot loops resolve all offsets once and then read every energy directly.
    [[nodiscard]] std::size_t offset_in_slice(int d1, int d2, int alpha, int beta) const;
    /// The table of energy index e: slice(e)[offset_in_slice(...)] == at(e, ...).
    [[nodiscard]] const std::complex<double>* slice(int e) const { return table_.get() + e * slice_size(); }
    /// Entries per energy.
    [[nodiscard]] std::size_t slice_size() const;

    /// The energies.
    [[nodiscard]] const std::vector<double>& energies_eV() const { return energies_; }
    /// Lorentzian broadening η.
    [[nodiscard]] double broadening_eV() const { return broadening_; }
    /// k-grid size N.
    [[nodiscard]] int k_grid() const { return k_grid_; }
    /// Largest |d1|, |d2| tabulated.
    [[nodiscard]] int range_cells() const { return range_; }
    /// Orbitals per cell of the model.
    [[nodiscard]] int orbitals_per_cell() const { return norb_; }
    /// Whether the table came from the disk cache.
    [[nodiscard]] bool from_cache() const { return from_cache_; }

private:
    void compute(const PeriodicModel& model);
    [[nodiscard]] std::size_t index(int e, int d1, int d2, int alpha, int beta) const;

    std::vector<double> energies_;
    double broadening_;
    int k_grid_;
    int range_;
    int norb_;
    bool from_cache_ = false;
    // Not a vector: a table of hundreds of MB read from the cache is not zero-filled first.
    std::unique_ptr<std::complex<double>[]> table_;
};

}  // namespace synthstm
