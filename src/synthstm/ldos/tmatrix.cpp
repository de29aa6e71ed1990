#include "synthstm/ldos/tmatrix.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/core/vector_clones.hpp"

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

/// correction(x) = Σ_k (L⁻¹ G0_Dx)_kx² with the solve in double precision (Eigen).
void defect_correction(const Eigen::MatrixXcd& l, const std::complex<double>* g, const std::vector<std::size_t>& off_xd,
                       Eigen::MatrixXcd& y, Eigen::VectorXcd& correction) {
    const Eigen::Index nd = l.rows();
    const Eigen::Index nx = correction.size();
    y.resize(nd, nx);
    for (Eigen::Index x = 0; x < nx; ++x)
        for (Eigen::Index j = 0; j < nd; ++j) y(j, x) = g[off_xd[x * nd + j]];
    l.triangularView<Eigen::Lower>().solveInPlace(y);
    for (Eigen::Index x = 0; x < nx; ++x) correction(x) = y.col(x).array().square().sum();
}

/// Columns of one block of the single-precision solve: four 512-bit vectors of floats, so that
/// the chain of updates of each column does not wait on the latency of the one before.
constexpr int kBlock = 64;

/// The single-precision solve of one block of kBlock columns: y_k = (g_k − Σ_{m<k} L_km y_m) /
/// L_kk for k = 0 … nd−1 and Σ_k y_k², with real and imaginary parts in separate arrays (row k
/// of the block at y + 2·k·kBlock: kBlock real parts, then kBlock imaginary parts) so that every
/// loop runs across the columns in vector lanes. `l` holds L's lower triangle row by row (re,
/// im pairs), `inv_diagonal` the 1/L_kk.
SYNTHSTM_LONG_VECTOR_CLONES
void solve_block(int nd, const float* l, const float* inv_diagonal, float* y, float* square_re, float* square_im) {
    float sq_re[kBlock] = {}, sq_im[kBlock] = {};
    for (int k = 0; k < nd; ++k) {
        float* yk = y + 2 * k * kBlock;
        float re[kBlock], im[kBlock];
        for (int c = 0; c < kBlock; ++c) re[c] = yk[c], im[c] = yk[kBlock + c];
        const float* lk = l + static_cast<std::ptrdiff_t>(k) * (k + 1);  // row k: k + 1 complex entries
        for (int m = 0; m < k; ++m) {
            const float a = lk[2 * m], b = lk[2 * m + 1];
            const float* ym = y + 2 * m * kBlock;
            for (int c = 0; c < kBlock; ++c) {
                re[c] -= a * ym[c] - b * ym[kBlock + c];
                im[c] -= a * ym[kBlock + c] + b * ym[c];
            }
        }
        const float a = inv_diagonal[2 * k], b = inv_diagonal[2 * k + 1];
        for (int c = 0; c < kBlock; ++c) {
            const float r = a * re[c] - b * im[c], i = a * im[c] + b * re[c];
            yk[c] = r, yk[kBlock + c] = i;
            sq_re[c] += r * r - i * i;
            sq_im[c] += 2.0f * r * i;
        }
    }
    for (int c = 0; c < kBlock; ++c) square_re[c] = sq_re[c], square_im[c] = sq_im[c];
}

/// The same correction with the solve in single precision, block by block (a hand-written
/// forward substitution: Eigen's triangular solve of complex<float> runs 128-bit packets in a
/// portable build, this loop gets AVX-512 or AVX2 where the CPU has them).
void defect_correction_single(const Eigen::MatrixXcd& l, const std::complex<double>* g,
                              const std::vector<std::size_t>& off_xd, std::vector<float>& work,
                              Eigen::VectorXcd& correction) {
    const int nd = static_cast<int>(l.rows());
    const auto nx = static_cast<std::size_t>(correction.size());
    // L's lower triangle (row k: k + 1 entries) and the inverse diagonal, in float.
    const std::size_t triangle = static_cast<std::size_t>(nd) * (nd + 1);
    const std::size_t block_floats = 2 * static_cast<std::size_t>(nd) * kBlock;
    work.resize(triangle + 2 * static_cast<std::size_t>(nd) + block_floats);
    float* lf = work.data();
    float* inv_diagonal = lf + triangle;
    float* y = inv_diagonal + 2 * nd;
    for (int k = 0; k < nd; ++k) {
        for (int m = 0; m <= k; ++m) {
            lf[static_cast<std::size_t>(k) * (k + 1) + 2 * m] = static_cast<float>(l(k, m).real());
            lf[static_cast<std::size_t>(k) * (k + 1) + 2 * m + 1] = static_cast<float>(l(k, m).imag());
        }
        const std::complex<double> inv = 1.0 / l(k, k);
        inv_diagonal[2 * k] = static_cast<float>(inv.real());
        inv_diagonal[2 * k + 1] = static_cast<float>(inv.imag());
    }
    float square_re[kBlock], square_im[kBlock];
    for (std::size_t x0 = 0; x0 < nx; x0 += kBlock) {
        const std::size_t width = std::min<std::size_t>(kBlock, nx - x0);
        for (int j = 0; j < nd; ++j) {
            float* row = y + 2 * j * kBlock;
            for (std::size_t c = 0; c < kBlock; ++c) {
                const std::complex<double> v = c < width ? g[off_xd[(x0 + c) * nd + j]] : 0.0;
                row[c] = static_cast<float>(v.real());
                row[kBlock + c] = static_cast<float>(v.imag());
            }
        }
        solve_block(nd, lf, inv_diagonal, y, square_re, square_im);
        for (std::size_t c = 0; c < width; ++c) correction(static_cast<Eigen::Index>(x0 + c)) = {square_re[c], square_im[c]};
    }
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
    std::vector<float> single_work;
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
                defect_correction_single(m, g, off_xd, single_work, correction);
            } else {
                defect_correction(m, g, off_xd, y_double, correction);
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
