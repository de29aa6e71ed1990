#include "synthstm/tightbinding/slater_koster.hpp"

#include <cmath>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {
namespace {

constexpr int S = 0, X = 1, Y = 2, Z = 3, XY = 4, YZ = 5, ZX = 6, X2Y2 = 7, Z2 = 8;

/// Quadratic forms Q of the d orbitals, φ(r) ∝ rᵀ Q r, normalised so that the Frobenius products
/// are those of the orbitals (all five have |Q|² = 1/2): xy, yz, zx, (x²−y²)/2, (3z²−r²)/(2√3).
std::array<Eigen::Matrix3d, 5> d_forms() {
    std::array<Eigen::Matrix3d, 5> q;
    for (auto& m : q) m.setZero();
    q[0](0, 1) = q[0](1, 0) = 0.5;
    q[1](1, 2) = q[1](2, 1) = 0.5;
    q[2](2, 0) = q[2](0, 2) = 0.5;
    q[3](0, 0) = 0.5;
    q[3](1, 1) = -0.5;
    const double c = 1.0 / (2.0 * std::sqrt(3.0));
    q[4](0, 0) = -c;
    q[4](1, 1) = -c;
    q[4](2, 2) = 2.0 * c;
    return q;
}

}  // namespace

const std::array<std::string, kSpdOrbitals>& spd_orbital_labels() {
    static const std::array<std::string, kSpdOrbitals> labels = {
        "s", "px", "py", "pz", "dxy", "dyz", "dzx", "dx2-y2", "d3z2-r2"};
    return labels;
}

const std::array<int, kSpdOrbitals>& spd_orbital_l() {
    static const std::array<int, kSpdOrbitals> l = {0, 1, 1, 1, 2, 2, 2, 2, 2};
    return l;
}

SpdBlock slater_koster_block(const Vec3& bond, const SlaterKosterBonds& v) {
    const double length = bond.norm();
    if (!(length > 0.0) || !std::isfinite(length)) {
        invalid_input(fmt::format("Slater-Koster block: bond ({}, {}, {}) has no direction", bond.x(),
                                  bond.y(), bond.z()));
    }
    const double l = bond.x() / length, m = bond.y() / length, n = bond.z() / length;
    const double l2 = l * l, m2 = m * m, n2 = n * n;
    const double s3 = std::sqrt(3.0);
    const double sps = v.sp_sigma_eV, sds = v.sd_sigma_eV, pps = v.pp_sigma_eV, ppp = v.pp_pi_eV,
                 pds = v.pd_sigma_eV, pdp = v.pd_pi_eV, dds = v.dd_sigma_eV, ddp = v.dd_pi_eV,
                 ddd = v.dd_delta_eV;

    SpdBlock e = SpdBlock::Zero();
    // s–s, s–p, s–d.
    e(S, S) = v.ss_sigma_eV;
    e(S, X) = l * sps;
    e(S, Y) = m * sps;
    e(S, Z) = n * sps;
    e(S, XY) = s3 * l * m * sds;
    e(S, YZ) = s3 * m * n * sds;
    e(S, ZX) = s3 * n * l * sds;
    e(S, X2Y2) = 0.5 * s3 * (l2 - m2) * sds;
    e(S, Z2) = (n2 - 0.5 * (l2 + m2)) * sds;
    // p–p.
    e(X, X) = l2 * pps + (1.0 - l2) * ppp;
    e(Y, Y) = m2 * pps + (1.0 - m2) * ppp;
    e(Z, Z) = n2 * pps + (1.0 - n2) * ppp;
    e(X, Y) = l * m * (pps - ppp);
    e(X, Z) = l * n * (pps - ppp);
    e(Y, Z) = m * n * (pps - ppp);
    // p–d (the t2g entries by cyclic permutation x→y→z, l→m→n).
    e(X, XY) = s3 * l2 * m * pds + m * (1.0 - 2.0 * l2) * pdp;
    e(X, YZ) = s3 * l * m * n * pds - 2.0 * l * m * n * pdp;
    e(X, ZX) = s3 * l2 * n * pds + n * (1.0 - 2.0 * l2) * pdp;
    e(Y, XY) = s3 * m2 * l * pds + l * (1.0 - 2.0 * m2) * pdp;
    e(Y, YZ) = s3 * m2 * n * pds + n * (1.0 - 2.0 * m2) * pdp;
    e(Y, ZX) = s3 * l * m * n * pds - 2.0 * l * m * n * pdp;
    e(Z, XY) = s3 * l * m * n * pds - 2.0 * l * m * n * pdp;
    e(Z, YZ) = s3 * n2 * m * pds + m * (1.0 - 2.0 * n2) * pdp;
    e(Z, ZX) = s3 * n2 * l * pds + l * (1.0 - 2.0 * n2) * pdp;
    e(X, X2Y2) = 0.5 * s3 * l * (l2 - m2) * pds + l * (1.0 - l2 + m2) * pdp;
    e(Y, X2Y2) = 0.5 * s3 * m * (l2 - m2) * pds - m * (1.0 + l2 - m2) * pdp;
    e(Z, X2Y2) = 0.5 * s3 * n * (l2 - m2) * pds - n * (l2 - m2) * pdp;
    e(X, Z2) = l * (n2 - 0.5 * (l2 + m2)) * pds - s3 * l * n2 * pdp;
    e(Y, Z2) = m * (n2 - 0.5 * (l2 + m2)) * pds - s3 * m * n2 * pdp;
    e(Z, Z2) = n * (n2 - 0.5 * (l2 + m2)) * pds + s3 * n * (l2 + m2) * pdp;
    // d–d.
    e(XY, XY) = 3.0 * l2 * m2 * dds + (l2 + m2 - 4.0 * l2 * m2) * ddp + (n2 + l2 * m2) * ddd;
    e(YZ, YZ) = 3.0 * m2 * n2 * dds + (m2 + n2 - 4.0 * m2 * n2) * ddp + (l2 + m2 * n2) * ddd;
    e(ZX, ZX) = 3.0 * n2 * l2 * dds + (n2 + l2 - 4.0 * n2 * l2) * ddp + (m2 + n2 * l2) * ddd;
    e(XY, YZ) = 3.0 * l * m2 * n * dds + l * n * (1.0 - 4.0 * m2) * ddp + l * n * (m2 - 1.0) * ddd;
    e(YZ, ZX) = 3.0 * m * n2 * l * dds + m * l * (1.0 - 4.0 * n2) * ddp + m * l * (n2 - 1.0) * ddd;
    e(XY, ZX) = 3.0 * l2 * m * n * dds + m * n * (1.0 - 4.0 * l2) * ddp + m * n * (l2 - 1.0) * ddd;
    const double dlm = l2 - m2;
    e(XY, X2Y2) = 1.5 * l * m * dlm * dds - 2.0 * l * m * dlm * ddp + 0.5 * l * m * dlm * ddd;
    e(YZ, X2Y2) = 1.5 * m * n * dlm * dds - m * n * (1.0 + 2.0 * dlm) * ddp + m * n * (1.0 + 0.5 * dlm) * ddd;
    e(ZX, X2Y2) = 1.5 * n * l * dlm * dds + n * l * (1.0 - 2.0 * dlm) * ddp - n * l * (1.0 - 0.5 * dlm) * ddd;
    const double z2 = n2 - 0.5 * (l2 + m2);
    e(XY, Z2) = s3 * l * m * z2 * dds - 2.0 * s3 * l * m * n2 * ddp + 0.5 * s3 * l * m * (1.0 + n2) * ddd;
    e(YZ, Z2) = s3 * m * n * z2 * dds + s3 * m * n * (l2 + m2 - n2) * ddp - 0.5 * s3 * m * n * (l2 + m2) * ddd;
    e(ZX, Z2) = s3 * l * n * z2 * dds + s3 * l * n * (l2 + m2 - n2) * ddp - 0.5 * s3 * l * n * (l2 + m2) * ddd;
    e(X2Y2, X2Y2) = 0.75 * dlm * dlm * dds + (l2 + m2 - dlm * dlm) * ddp + (n2 + 0.25 * dlm * dlm) * ddd;
    e(X2Y2, Z2) = 0.5 * s3 * dlm * z2 * dds - s3 * n2 * dlm * ddp + 0.25 * s3 * (1.0 + n2) * dlm * ddd;
    e(Z2, Z2) = z2 * z2 * dds + 3.0 * n2 * (l2 + m2) * ddp + 0.75 * (l2 + m2) * (l2 + m2) * ddd;

    // Lower triangle: E_ba(d) = E_ab(−d) = (−1)^(l_a + l_b) E_ab(d).
    const auto& ang = spd_orbital_l();
    for (int a = 0; a < kSpdOrbitals; ++a) {
        for (int b = 0; b < a; ++b) e(a, b) = ((ang[a] + ang[b]) % 2 == 0) ? e(b, a) : -e(b, a);
    }
    return e;
}

SpdBlock spd_rotation(const Rotation& r) {
    SpdBlock d = SpdBlock::Zero();
    d(S, S) = 1.0;
    d.block<3, 3>(X, X) = r;
    const auto forms = d_forms();
    for (int a = 0; a < 5; ++a) {
        const Eigen::Matrix3d rotated = r * forms[a] * r.transpose();
        for (int b = 0; b < 5; ++b) {
            d(XY + b, XY + a) = (rotated.array() * forms[b].array()).sum() / forms[b].squaredNorm();
        }
    }
    return d;
}

}  // namespace synthstm
