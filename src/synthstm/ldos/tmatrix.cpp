#include "synthstm/ldos/tmatrix.hpp"

#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {
namespace {

/// An orbital of the defect subspace and its inverse potential.
struct DefectOrbital {
    CellIndex cell;
    int orbital;
    double inverse_potential;  // 0 for a vacancy
};

bool same_site(const CellIndex& a, int oa, const CellIndex& b, int ob) { return a == b && oa == ob; }

}  // namespace

LdosSpectrum tmatrix_ldos(const LatticeGreensFunction& g0, const PeriodicModel& model,
                          std::span<const Defect> defects, std::span<const SiteOrbital> orbitals) {
    check_distinct_sites(*model.material, defects);
    std::vector<DefectOrbital> d_orbitals;
    for (const Defect& d : defects) {
        const auto site_orbitals = model.orbitals_on(d.site.sublattice);
        if (site_orbitals.empty()) {
            invalid_input(fmt::format("model {} has no orbitals on {}: a {} there cannot be represented",
                                      model.name, model.material->site_name(d.site.sublattice),
                                      defect_type_name(d.type)));
        }
        if (d.type == DefectType::Dopant && d.onsite_eV == 0.0) continue;  // no perturbation
        for (int a : site_orbitals) {
            d_orbitals.push_back({d.site.cell, a, d.type == DefectType::Vacancy ? 0.0 : 1.0 / d.onsite_eV});
        }
    }
    for (const SiteOrbital& x : orbitals) {
        if (x.orbital < 0 || x.orbital >= model.orbitals_per_cell()) {
            invalid_input(fmt::format("orbital {} is not in model {}", x.orbital, model.name));
        }
    }

    const Eigen::Index nd = static_cast<Eigen::Index>(d_orbitals.size());
    const Eigen::Index nx = static_cast<Eigen::Index>(orbitals.size());
    const int ne = static_cast<int>(g0.energies_eV().size());
    // Requested orbitals that are themselves vacant carry no states.
    std::vector<bool> vacant(nx, false);
    for (Eigen::Index x = 0; x < nx; ++x)
        for (const auto& d : d_orbitals)
            if (d.inverse_potential == 0.0 && same_site(orbitals[x].cell, orbitals[x].orbital, d.cell, d.orbital))
                vacant[x] = true;

    LdosSpectrum s;
    s.energy_eV = g0.energies_eV();
    s.broadening_eV = g0.broadening_eV();
    s.method = "tmatrix";
    s.ldos_per_eV.resize(nx, ne);

    Eigen::MatrixXcd m(nd, nd);
    Eigen::MatrixXcd g_xd(nx, nd);
    Eigen::MatrixXcd g_dx(nd, nx);
    for (int e = 0; e < ne; ++e) {
        for (Eigen::Index i = 0; i < nd; ++i)
            for (Eigen::Index j = 0; j < nd; ++j) {
                const auto& a = d_orbitals[i];
                const auto& b = d_orbitals[j];
                m(i, j) = -g0.at(e, a.cell.i - b.cell.i, a.cell.j - b.cell.j, a.orbital, b.orbital);
            }
        for (Eigen::Index i = 0; i < nd; ++i) m(i, i) += d_orbitals[i].inverse_potential;
        for (Eigen::Index x = 0; x < nx; ++x) {
            const auto& o = orbitals[x];
            for (Eigen::Index j = 0; j < nd; ++j) {
                const auto& d = d_orbitals[j];
                g_xd(x, j) = g0.at(e, o.cell.i - d.cell.i, o.cell.j - d.cell.j, o.orbital, d.orbital);
                g_dx(j, x) = g0.at(e, d.cell.i - o.cell.i, d.cell.j - o.cell.j, d.orbital, o.orbital);
            }
        }
        Eigen::MatrixXcd correction_factor;  // M⁻¹ G0_Dx
        if (nd > 0) correction_factor = m.partialPivLu().solve(g_dx);
        for (Eigen::Index x = 0; x < nx; ++x) {
            if (vacant[x]) {
                s.ldos_per_eV(x, e) = 0.0;
                continue;
            }
            std::complex<double> g = g0.at(e, 0, 0, orbitals[x].orbital, orbitals[x].orbital);
            if (nd > 0) g += (g_xd.row(x) * correction_factor.col(x))(0);
            s.ldos_per_eV(x, e) = -g.imag() / std::numbers::pi;
        }
    }
    return s;
}

}  // namespace synthstm
