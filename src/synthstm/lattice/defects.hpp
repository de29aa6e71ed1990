#pragma once
/// Point defects on a TMD lattice: vacancies (site removed), dopants (extra onsite energy) and
/// antisites (the other species on the site, modelled as its onsite energy), on any sublattice, placed at random with given densities and never two on one site.
#include <span>
#include <string>
#include <vector>

#include "synthstm/core/random.hpp"
#include "synthstm/lattice/material.hpp"

namespace synthstm {

/// Integer coordinates (i, j) of a unit cell: its origin is i·a1 + j·a2.
struct CellIndex {
    int i = 0;  ///< along a1
    int j = 0;  ///< along a2
    bool operator==(const CellIndex&) const = default;
};

/// One lattice site: a cell and a sublattice.
struct SiteIndex {
    CellIndex cell;                                 ///< the unit cell
    Sublattice sublattice = Sublattice::ChalcogenTop;  ///< which of its three sites
    bool operator==(const SiteIndex&) const = default;
};

/// Kinds of point defect.
enum class DefectType { Vacancy, Dopant, Antisite };

/// The name of a defect type as users write it ("vacancy", "dopant", "antisite").
std::string defect_type_name(DefectType t);
/// Parses "vacancy", "dopant" or "antisite"; throws InvalidInput otherwise.
DefectType parse_defect_type(std::string_view name);

/// One point defect.
struct Defect {
    DefectType type = DefectType::Vacancy;  ///< vacancy, dopant or antisite
    SiteIndex site;                          ///< where it sits
    double onsite_eV = 0.0;                  ///< dopant's or antisite's extra onsite energy (unused for vacancies)
};

/// How many defects of one kind to place, and their onsite energy range.
struct DefectDensity {
    DefectType type = DefectType::Vacancy;              ///< vacancy, dopant or antisite
    Sublattice sublattice = Sublattice::ChalcogenTop;   ///< on which sublattice
    double per_nm2 = 0.0;                               ///< areal density (mean; the count is Poisson)
    double onsite_min_eV = 0.0;                         ///< dopant onsite energy, lower end
    double onsite_max_eV = 0.0;                         ///< dopant onsite energy, upper end
};

/// The unit cells whose top-chalcogen site lies in [x_min, x_max) × [y_min, y_max) (nm).
std::vector<CellIndex> cells_in_rectangle(const TmdMaterial& material, double x_min_nm, double x_max_nm,
                                          double y_min_nm, double y_max_nm);

/// Places defects on the given cells: per density a Poisson count with mean per_nm2 × area,
/// sites drawn uniformly without replacement (never two defects on one site, across all
/// densities), dopant onsite energies uniform in [onsite_min_eV, onsite_max_eV].
std::vector<Defect> place_defects(const TmdMaterial& material, std::span<const CellIndex> cells,
                                  std::span<const DefectDensity> densities, RandomStream& rng);

/// Throws InvalidInput if two defects share a site (names the site).
void check_distinct_sites(const TmdMaterial& material, std::span<const Defect> defects);

}  // namespace synthstm
