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

/// In place: the lower triangle of m becomes L with m = L Lᵀ (complex symmetric, no pivoting).
void symmetric_factorise(Eigen::MatrixXcd& m) {
    const Eigen::Index n = m.rows();
    for (Eigen::Index k = 0; k < n; ++k) {
        std::complex<double> d = m(k, k);
        for (Eigen::Index p = 0; p < k; ++p) d -= m(k, p) * m(k, p);
        const std::complex<double> l = std::sqrt(d);
        if (std::abs(l) == 0.0) throw Error(ErrorKind::Internal, "singular defect matrix in the T-matrix");
        m(k, k) = l;
        for (Eigen::Index i = k + 1; i < n; ++i) {
            std::complex<double> v = m(i, k);
            for (Eigen::Index p = 0; p < k; ++p) v -= m(i, p) * m(k, p);
            m(i, k) = v / l;
        }
    }
}

/// correction(x) = Σ_k (L⁻¹ G0_Dx)_kx² with the solve in precision Real.
template <typename Real>
void defect_correction(const Eigen::MatrixXcd& l, const std::complex<double>* g, const std::vector<std::size_t>& off_xd,
                       Eigen::Matrix<std::complex<Real>, Eigen::Dynamic, Eigen::Dynamic>& y, Eigen::VectorXcd& correction) {
    const Eigen::Index nd = l.rows();
    const Eigen::Index nx = correction.size();
    y.resize(nd, nx);
    for (Eigen::Index x = 0; x < nx; ++x)
        for (Eigen::Index j = 0; j < nd; ++j) y(j, x) = std::complex<Real>(g[off_xd[x * nd + j]]);
    const Eigen::Matrix<std::complex<Real>, Eigen::Dynamic, Eigen::Dynamic> lr = l.cast<std::complex<Real>>();
    lr.template triangularView<Eigen::Lower>().solveInPlace(y);
    for (Eigen::Index x = 0; x < nx; ++x) correction(x) = std::complex<double>(y.col(x).array().square().sum());
}

bool same_site(const CellIndex& a, int oa, const CellIndex& b, int ob) { return a == b && oa == ob; }

}  // namespace

LdosSpectrum tmatrix_ldos(const LatticeGreensFunction& g0, const PeriodicModel& model,
                          std::span<const Defect> defects, std::span<const SiteOrbital> orbitals,
                          TMatrixPrecision precision, int first_energy,
                          int energy_count) {
    check_distinct_sites(*model.material, defects);
    std::vector<DefectOrbital> d_orbitals;
    for (const Defect& d : defects) {
        const auto site_orbitals = model.orbitals_on(d.site.sublattice);
        if (site_orbitals.empty()) {
            invalid_input(fmt::format("model {} has no orbitals on {}: a {} there cannot be represented",
                                      model.name, model.material->site_name(d.site.sublattice),
                                      defect_type_name(d.type)));
        }
        if (d.type != DefectType::Vacancy && d.onsite_eV == 0.0) continue;  // no perturbation
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
    const int table_energies = static_cast<int>(g0.energies_eV().size());
    const int ne = energy_count < 0 ? table_energies - first_energy : energy_count;
    if (first_energy < 0 || ne < 0 || first_energy + ne > table_energies) {
        invalid_input(fmt::format("energies {} … {} are not in the Green's function table ({} energies)", first_energy,
                                  first_energy + ne - 1, table_energies));
    }
    // Requested orbitals that are themselves vacant carry no states.
    std::vector<bool> vacant(nx, false);
    for (Eigen::Index x = 0; x < nx; ++x)
        for (const auto& d : d_orbitals)
            if (d.inverse_potential == 0.0 && same_site(orbitals[x].cell, orbitals[x].orbital, d.cell, d.orbital))
                vacant[x] = true;

    LdosSpectrum s;
    s.energy_eV.assign(g0.energies_eV().begin() + first_energy, g0.energies_eV().begin() + first_energy + ne);
    s.broadening_eV = g0.broadening_eV();
    s.method = "tmatrix";
    s.ldos_per_eV.resize(nx, ne);

    // Every G0 entry needed, resolved once to its place in an energy slice. All models here
    // have real Hamiltonians, so G0 is complex symmetric (G_ij = G_ji) and G0_Dx = G0_xDᵀ.
    std::vector<std::size_t> off_dd(static_cast<std::size_t>(nd * nd));
    std::vector<std::size_t> off_xd(static_cast<std::size_t>(nx * nd));
    std::vector<std::size_t> off_xx(static_cast<std::size_t>(nx));
    for (Eigen::Index i = 0; i < nd; ++i)
        for (Eigen::Index j = 0; j < nd; ++j) {
            const auto& a = d_orbitals[i];
            const auto& b = d_orbitals[j];
            off_dd[i * nd + j] = g0.offset_in_slice(a.cell.i - b.cell.i, a.cell.j - b.cell.j, a.orbital, b.orbital);
        }
    for (Eigen::Index x = 0; x < nx; ++x) {
        const auto& o = orbitals[x];
        off_xx[x] = g0.offset_in_slice(0, 0, o.orbital, o.orbital);
        for (Eigen::Index j = 0; j < nd; ++j) {
            const auto& d = d_orbitals[j];
            off_xd[x * nd + j] = g0.offset_in_slice(d.cell.i - o.cell.i, d.cell.j - o.cell.j, d.orbital, o.orbital);
        }
    }

    Eigen::MatrixXcd m(nd, nd);
    Eigen::MatrixXcd y_double;
    Eigen::MatrixXcf y_single;
    Eigen::VectorXcd correction = Eigen::VectorXcd::Zero(nx);
    for (int e = 0; e < ne; ++e) {
        const std::complex<double>* g = g0.slice(first_energy + e);
        if (nd > 0) {
            for (Eigen::Index j = 0; j < nd; ++j) {
                for (Eigen::Index i = 0; i < nd; ++i) m(i, j) = -g[off_dd[i * nd + j]];
                m(j, j) += d_orbitals[j].inverse_potential;
            }
            // M = V⁻¹ − G0_DD is complex symmetric with a positive-definite imaginary part
            // (−Im G0 > 0 for η > 0), so M = L Lᵀ exists and is stable without pivoting. Then
            // G0_xD M⁻¹ G0_Dx = Σ_k (L⁻¹ G0_Dx)_kx², at half the cost of an LU solve. The
            // factorisation is always double; the triangular solve (the O(nd² nx) part) may be single.
            symmetric_factorise(m);
            if (precision == TMatrixPrecision::Single) {
                defect_correction<float>(m, g, off_xd, y_single, correction);
            } else {
                defect_correction<double>(m, g, off_xd, y_double, correction);
            }
        }
        for (Eigen::Index x = 0; x < nx; ++x) {
            const std::complex<double> gxx = g[off_xx[x]] + correction(x);
            s.ldos_per_eV(x, e) = vacant[x] ? 0.0 : -gxx.imag() / std::numbers::pi;
        }
    }
    return s;
}

}  // namespace synthstm
