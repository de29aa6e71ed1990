#include "synthstm/tightbinding/tungsten_spd.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/lattice/neighbours.hpp"

namespace synthstm {
namespace {

constexpr int kD0 = static_cast<int>(SpdOrbital::Dxy);  // first d orbital
constexpr double kRydberg_eV = 13.605693122994;         // CODATA 2018

/// The 8 + 6 neighbour vectors of a bcc atom, cubic axes along x, y, z, in units of a.
std::vector<Vec3> bcc_neighbours() {
    std::vector<Vec3> r;
    for (int sx : {-1, 1})
        for (int sy : {-1, 1})
            for (int sz : {-1, 1}) r.emplace_back(0.5 * sx, 0.5 * sy, 0.5 * sz);
    for (int axis = 0; axis < 3; ++axis)
        for (int s : {-1, 1}) {
            Vec3 v = Vec3::Zero();
            v[axis] = s;
            r.push_back(v);
        }
    return r;
}

std::vector<double> bond_values(const SlaterKosterBonds& b) {
    return {b.ss_sigma_eV, b.sp_sigma_eV, b.sd_sigma_eV, b.pp_sigma_eV, b.pp_pi_eV,
            b.pd_sigma_eV, b.pd_pi_eV,    b.dd_sigma_eV, b.dd_pi_eV,    b.dd_delta_eV};
}

/// Columns: the cubic axes of the atom's crystal in the frame of bonds_nm, found from its
/// second-neighbour bonds (along the axes) and pairs of nearest-neighbour bonds (u ± v lies along
/// an axis when u·v = ∓1/3). Empty when the bonds fix fewer than two axes.
std::optional<Rotation> cubic_frame(const std::vector<Vec3>& first, const std::vector<Vec3>& second) {
    std::vector<Vec3> axes;
    for (const Vec3& b : second) axes.push_back(b.normalized());
    for (std::size_t i = 0; i < first.size(); ++i) {
        for (std::size_t j = i + 1; j < first.size(); ++j) {
            const Vec3 u = first[i].normalized(), v = first[j].normalized();
            const double c = u.dot(v);
            if (std::abs(c + 1.0 / 3.0) < 0.05) axes.push_back((u + v).normalized());
            if (std::abs(c - 1.0 / 3.0) < 0.05) axes.push_back((u - v).normalized());
        }
    }
    for (std::size_t i = 0; i < axes.size(); ++i) {
        for (std::size_t j = i + 1; j < axes.size(); ++j) {
            if (std::abs(axes[i].dot(axes[j])) < 0.05) {
                const Vec3 e1 = axes[i];
                const Vec3 e2 = (axes[j] - e1.dot(axes[j]) * e1).normalized();
                Rotation r;
                r.col(0) = e1;
                r.col(1) = e2;
                r.col(2) = e1.cross(e2);
                return r;
            }
        }
    }
    return std::nullopt;
}

}  // namespace

SpdBlochMatrix bcc_spd_bloch_hamiltonian(const BccSpdParameters& p, const Vec3& k_per_nm) {
    SpdBlochMatrix h = SpdBlochMatrix::Zero();
    const double onsite[kSpdOrbitals] = {p.s_eV,     p.p_eV,     p.p_eV,    p.p_eV,   p.d_t2g_eV,
                                         p.d_t2g_eV, p.d_t2g_eV, p.d_eg_eV, p.d_eg_eV};
    for (int a = 0; a < kSpdOrbitals; ++a) h(a, a) = onsite[a];
    for (const Vec3& unit : bcc_neighbours()) {
        const Vec3 r = unit * p.lattice_nm;
        const SlaterKosterBonds& b = unit.norm() < 0.9 ? p.first : p.second;
        const std::complex<double> phase = std::polar(1.0, k_per_nm.dot(r));
        h += phase * slater_koster_block(r, b).cast<std::complex<double>>();
    }
    return h;
}

BccSpdModel::BccSpdModel(std::string name, BccSpdParameters parameters, double tolerance_nm)
    : name_(std::move(name)), p_(parameters), tolerance_nm_(tolerance_nm) {
    if (!(p_.lattice_nm > 0.0) || !std::isfinite(p_.lattice_nm)) {
        invalid_input(fmt::format("spd model '{}': lattice constant {} nm is not positive", name_, p_.lattice_nm));
    }
    const double gap_nm = p_.lattice_nm * (1.0 - std::sqrt(3.0) / 2.0);
    if (!(tolerance_nm_ > 0.0) || !(tolerance_nm_ < 0.25 * gap_nm)) {
        invalid_input(fmt::format("spd model '{}': shell tolerance {} nm must lie in (0, {}) nm", name_,
                                  tolerance_nm_, 0.25 * gap_nm));
    }
    std::vector<double> all = {p_.s_eV, p_.p_eV, p_.d_t2g_eV, p_.d_eg_eV};
    for (const auto& b : {p_.first, p_.second}) {
        const auto v = bond_values(b);
        all.insert(all.end(), v.begin(), v.end());
    }
    for (double x : all) {
        if (!std::isfinite(x)) invalid_input(fmt::format("spd model '{}': a parameter is not finite", name_));
    }
}

std::vector<std::string> BccSpdModel::orbital_labels() const {
    const auto& l = spd_orbital_labels();
    return {l.begin(), l.end()};
}

TightBindingSystem BccSpdModel::assemble(std::span<const Vec3> atoms_nm) const {
    const double d1 = p_.lattice_nm * std::sqrt(3.0) / 2.0;
    const double d2 = p_.lattice_nm;
    const auto pairs = neighbour_pairs(atoms_nm, d2 + tolerance_nm_);
    const int n = static_cast<int>(atoms_nm.size());
    const int norb = kSpdOrbitals;

    std::vector<std::vector<Vec3>> first(n), second(n);
    std::vector<Eigen::Triplet<double>> triplets;
    triplets.reserve(2 * pairs.size() * norb * norb / 2 + static_cast<std::size_t>(n) * 29);
    const auto add_block = [&](int i, int j, const SpdBlock& e) {
        for (int a = 0; a < norb; ++a)
            for (int b = 0; b < norb; ++b)
                if (e(a, b) != 0.0) triplets.emplace_back(i * norb + a, j * norb + b, e(a, b));
    };
    for (const auto& pr : pairs) {
        const bool is_first = std::abs(pr.distance_nm - d1) < tolerance_nm_;
        const bool is_second = std::abs(pr.distance_nm - d2) < tolerance_nm_;
        if (!is_first && !is_second) continue;
        const Vec3 bond = atoms_nm[pr.second] - atoms_nm[pr.first];
        const SpdBlock e = slater_koster_block(bond, is_first ? p_.first : p_.second);
        add_block(pr.first, pr.second, e);
        add_block(pr.second, pr.first, e.transpose());  // E(−d) = E(d)ᵀ
        (is_first ? first : second)[pr.first].push_back(bond);
        (is_first ? first : second)[pr.second].push_back(-bond);
    }

    const Eigen::Matrix<double, 5, 1> cubic_d =
        (Eigen::Matrix<double, 5, 1>() << p_.d_t2g_eV, p_.d_t2g_eV, p_.d_t2g_eV, p_.d_eg_eV, p_.d_eg_eV).finished();
    const double d_average = (3.0 * p_.d_t2g_eV + 2.0 * p_.d_eg_eV) / 5.0;
    for (int i = 0; i < n; ++i) {
        SpdBlock onsite = SpdBlock::Zero();
        onsite(0, 0) = p_.s_eV;
        for (int a = 1; a < kD0; ++a) onsite(a, a) = p_.p_eV;
        if (const auto frame = cubic_frame(first[i], second[i])) {
            const Eigen::Matrix<double, 5, 5> rot = spd_rotation(*frame).block<5, 5>(kD0, kD0);
            onsite.block<5, 5>(kD0, kD0) = rot * cubic_d.asDiagonal() * rot.transpose();
        } else {
            onsite.block<5, 5>(kD0, kD0) = d_average * Eigen::Matrix<double, 5, 5>::Identity();
        }
        // Drop round-off below 1e-12 eV so that a crystal along the lab axes stays diagonal.
        onsite = onsite.unaryExpr([](double x) { return std::abs(x) < 1e-12 ? 0.0 : x; });
        for (int a = 0; a < norb; ++a) triplets.emplace_back(i * norb + a, i * norb + a, 0.0);
        add_block(i, i, onsite);
    }

    TightBindingSystem sys;
    sys.hamiltonian_eV.resize(n * norb, n * norb);
    sys.hamiltonian_eV.setFromTriplets(triplets.begin(), triplets.end());
    sys.positions_nm.reserve(static_cast<std::size_t>(n) * norb);
    sys.atom_of_orbital.reserve(static_cast<std::size_t>(n) * norb);
    sys.labels.reserve(static_cast<std::size_t>(n) * norb);
    const auto& labels = spd_orbital_labels();
    for (int i = 0; i < n; ++i) {
        for (int a = 0; a < norb; ++a) {
            sys.positions_nm.push_back(atoms_nm[i]);
            sys.atom_of_orbital.push_back(i);
            sys.labels.push_back("W:" + labels[a]);
        }
    }
    return sys;
}

std::string BccSpdModel::fingerprint() const {
    std::string f = name_ + fmt::format(";tol={:.17g};a={:.17g};onsite={:.17g},{:.17g},{:.17g},{:.17g}",
                                        tolerance_nm_, p_.lattice_nm, p_.s_eV, p_.p_eV, p_.d_t2g_eV, p_.d_eg_eV);
    for (const auto& b : {p_.first, p_.second}) f += fmt::format(";{:.17g}", fmt::join(bond_values(b), ","));
    return f;
}

// Source of the numbers: see docs/models.md, "Tungsten, multi-orbital". Two-centre
// (Slater–Koster–Andersen) form of the first-order tight-binding LMTO Hamiltonian,
// H = C + Δ^½ S Δ^½ (O. K. Andersen and O. Jepsen, Phys. Rev. Lett. 53, 2571 (1984)): bond
// integral V_ll'm = Δ_l^½ Δ_l'^½ S_ll'm with the screened canonical structure constants S of
// the bcc lattice, onsite ε_l = C_l + Δ_l S_ll(onsite). Transcribed from the public code
// github.com/antoniotcosta/LCAO_Spin_Dynamics, lib/FePapa_WAnd.f90, subroutine Fe_W_andpar
// ("two centre integrals; Slater-Koster-Andersen parameters for BCC structure, W"), commit
// 0529deddd3f010bb1540dfe17a48aeb1e8e584e7, in Rydberg. The source gives no Fermi energy:
// kTungstenSpdSourceFermi_eV is the chemical potential at which the bulk bands hold 6 electrons
// per atom (5d⁴6s², spin-degenerate), computed from bcc_spd_bloch_hamiltonian on a shifted
// 96³ Monkhorst–Pack grid of the primitive cell with Fermi–Dirac occupation, kT = 0.01 and
// 0.02 eV giving 0.5684 and 0.5679 eV (kT = 0.05 eV: 0.5661 eV). The test BulkFermiEnergyIsZero
// recomputes it on a 32³ grid.
const BccSpdParameters& tungsten_spd_parameters() {
    static const BccSpdParameters p = [] {
        // W potential parameters (Ry): band centres C_l and Δ_l^½.
        const double cs = -0.329020, cp = 0.397044, cdd = 0.023321;
        const double ds = 0.387912, dp = 0.232742, dd = 0.180593;
        const double ry = kRydberg_eV;
        const double shift = kTungstenSpdSourceFermi_eV;
        BccSpdParameters w;
        w.lattice_nm = kTungstenLattice_nm;
        w.s_eV = (cs + ds * ds * 3.09) * ry - shift;
        w.p_eV = (cp + dp * dp * 2.79) * ry - shift;
        w.d_t2g_eV = (cdd + dd * dd * 2.71) * ry - shift;
        w.d_eg_eV = (cdd + dd * dd * 1.30) * ry - shift;
        // Screened structure constants of bcc, first then second neighbours, in the order
        // ssσ, spσ, sdσ, ppσ, ppπ, pdσ, pdπ, ddσ, ddπ, ddδ.
        const auto bonds = [&](double sss, double sps, double sds, double pps, double ppp, double pds,
                               double pdp, double dds, double ddp, double ddd) {
            return SlaterKosterBonds{ds * ds * sss * ry, ds * dp * sps * ry, ds * dd * sds * ry,
                                     dp * dp * pps * ry, dp * dp * ppp * ry, dp * dd * pds * ry,
                                     dp * dd * pdp * ry, dd * dd * dds * ry, dd * dd * ddp * ry,
                                     dd * dd * ddd * ry};
        };
        w.first = bonds(-0.593, 1.18, -1.42, 2.36, -0.36, -2.93, 0.82, -3.84, 1.85, -0.19);
        w.second = bonds(-0.203, 0.44, -0.60, 0.93, -0.05, -1.29, 0.13, -1.76, 0.36, -0.02);
        return w;
    }();
    return p;
}

std::shared_ptr<const ClusterModel> tungsten_spd() {
    static const auto model = std::make_shared<const BccSpdModel>("w-spd", tungsten_spd_parameters());
    return model;
}

}  // namespace synthstm
