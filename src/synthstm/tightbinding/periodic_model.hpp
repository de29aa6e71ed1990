#pragma once
/// Tight-binding models of periodic TMD monolayers: orbitals per unit cell and hoppings between
/// cells. The same description gives the Bloch Hamiltonian H(k) (for lattice Green's functions)
/// and real-space Hamiltonians of supercells and flakes with defects.
#include <complex>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "synthstm/lattice/defects.hpp"
#include "synthstm/lattice/material.hpp"
#include "synthstm/tightbinding/system.hpp"

namespace synthstm {

/// One orbital of the unit cell.
struct CellOrbital {
    Sublattice site = Sublattice::Metal;  ///< the atom it sits on
    std::string label;                    ///< e.g. "dz2"; empty for single-orbital models
    double onsite_eV = 0.0;               ///< onsite energy
};

/// <to, cell R + (d1, d2)| H |from, cell R> = t_eV; the Hermitian partner is implied.
struct Hopping {
    int to = 0;        ///< orbital index in the destination cell
    int from = 0;      ///< orbital index in the source cell
    int d1 = 0;        ///< cell offset along a1
    int d2 = 0;        ///< cell offset along a2
    double t_eV = 0.0; ///< matrix element
};

/// A periodic tight-binding model of one TMD material.
struct PeriodicModel {
    std::string name;                     ///< stable name, e.g. "wse2-single"
    const TmdMaterial* material = nullptr;///< lattice geometry
    std::vector<CellOrbital> orbitals;    ///< orbitals of one unit cell
    std::vector<Hopping> hoppings;        ///< each bond listed once

    /// Orbitals per unit cell.
    [[nodiscard]] int orbitals_per_cell() const { return static_cast<int>(orbitals.size()); }
    /// Indices of the cell orbitals that sit on sublattice s (empty if the model has none there).
    [[nodiscard]] std::vector<int> orbitals_on(Sublattice s) const;
    /// Bloch Hamiltonian at reduced wave vector (k1, k2) (phase e^{2πi(k1 d1 + k2 d2)} per hop).
    [[nodiscard]] Eigen::MatrixXcd bloch_hamiltonian(double k1, double k2) const;
};

/// A periodic n1 × n2 supercell of a PeriodicModel with defects, and where each orbital went.
struct SupercellSystem {
    TightBindingSystem system;  ///< Hamiltonian without the vacant orbitals
    int n1 = 0;                 ///< cells along a1
    int n2 = 0;                 ///< cells along a2
    int orbitals_per_cell = 0;  ///< of the model
    std::vector<int> row;       ///< row in system of orbital ((i + n1 j) · norb + α), or -1 if vacant

    /// Row of orbital α of cell (i, j) (cells wrap periodically), or -1 if the site is vacant.
    [[nodiscard]] int row_of(CellIndex cell, int orbital) const;
};

/// Hamiltonian of an n1 × n2 periodic supercell (n1, n2 ≥ 3) with defects: vacancies remove
/// their site's orbitals, dopants add their onsite energy to every orbital of the site.
SupercellSystem build_supercell(const PeriodicModel& model, int n1, int n2, std::span<const Defect> defects);

/// The seed's single-orbital WSe2 model: one orbital per site, onsite 0, H = -1.19 eV on the
/// six Se-W bonds per cell.
const PeriodicModel& wse2_single_orbital();
/// The same single-orbital model on the MoS2 lattice (for comparison; same hopping).
const PeriodicModel& mos2_single_orbital();

/// Names of all built-in periodic models.
std::vector<std::string> periodic_model_names();
/// Looks a model up by name; throws InvalidInput listing the names.
const PeriodicModel& periodic_model_by_name(std::string_view name);

}  // namespace synthstm
