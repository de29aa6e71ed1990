#include "synthstm/ldos/surface_ldos.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/ldos/exact.hpp"

namespace synthstm {

std::string ldos_method_name(LdosMethod m) {
    switch (m) {
        case LdosMethod::Exact: return "exact";
        case LdosMethod::Kpm: return "kpm";
        case LdosMethod::TMatrix: return "tmatrix";
    }
    return {};
}

LdosMethod parse_ldos_method(std::string_view name) {
    if (name == "exact") return LdosMethod::Exact;
    if (name == "kpm") return LdosMethod::Kpm;
    if (name == "tmatrix") return LdosMethod::TMatrix;
    invalid_input(fmt::format("unknown LDOS method '{}': expected exact, kpm or tmatrix", name));
}

LdosSpectrum surface_ldos(LdosMethod method, const PeriodicModel& model, std::span<const Defect> defects,
                          std::span<const SiteOrbital> orbitals, const EnergyGrid& grid, double broadening_eV,
                          const SurfaceLdosSettings& settings) {
    grid.validate();
    validate_broadening(broadening_eV);
    check_distinct_sites(*model.material, defects);
    if (method == LdosMethod::TMatrix) {
        // Tabulate G0 only as far as the sites and defects are apart.
        int i_lo = 0, i_hi = 0, j_lo = 0, j_hi = 0;
        bool first = true;
        auto extend = [&](const CellIndex& c) {
            i_lo = first ? c.i : std::min(i_lo, c.i);
            i_hi = first ? c.i : std::max(i_hi, c.i);
            j_lo = first ? c.j : std::min(j_lo, c.j);
            j_hi = first ? c.j : std::max(j_hi, c.j);
            first = false;
        };
        for (const auto& o : orbitals) extend(o.cell);
        for (const auto& d : defects) extend(d.site.cell);
        const int range = std::max(1, std::max(i_hi - i_lo, j_hi - j_lo));
        const LatticeGreensFunction g0(model, grid.energies(), broadening_eV, settings.k_grid,
                                       std::min(range, settings.k_grid / 2), settings.use_cache);
        return tmatrix_ldos(g0, model, defects, orbitals);
    }
    const int n = method == LdosMethod::Exact ? settings.exact_supercell : settings.kpm_supercell;
    const SupercellSystem cell = build_supercell(model, n, n, defects);
    // Vacant orbitals have no row; they get zero LDOS.
    std::vector<int> rows;
    std::vector<Eigen::Index> where;
    for (std::size_t k = 0; k < orbitals.size(); ++k) {
        const int r = cell.row_of(orbitals[k].cell, orbitals[k].orbital);
        if (r >= 0) {
            rows.push_back(r);
            where.push_back(static_cast<Eigen::Index>(k));
        }
    }
    const LdosSpectrum present = method == LdosMethod::Exact
                                     ? exact_ldos(cell.system.hamiltonian_eV, rows, grid, broadening_eV,
                                                  settings.exact_shape)
                                     : kpm_ldos(cell.system.hamiltonian_eV, rows, grid, broadening_eV, settings.kpm);
    LdosSpectrum s;
    s.energy_eV = present.energy_eV;
    s.method = present.method;
    s.broadening_eV = broadening_eV;
    s.ldos_per_eV = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(orbitals.size()), grid.points);
    for (std::size_t k = 0; k < where.size(); ++k) s.ldos_per_eV.row(where[k]) = present.ldos_per_eV.row(k);
    return s;
}

}  // namespace synthstm
