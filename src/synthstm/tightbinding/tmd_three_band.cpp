#include "synthstm/tightbinding/tmd_three_band.hpp"

#include <cmath>
#include <numbers>

namespace synthstm {
namespace {

/// Quadratic forms of the orbitals (φ(r) = rᵀ Q r): 2z²−x²−y² (d_z², up to norm), 2xy, x²−y².
std::array<Eigen::Matrix3d, 3> orbital_forms() {
    Eigen::Matrix3d z2 = Eigen::Vector3d(-1.0, -1.0, 2.0).asDiagonal();
    Eigen::Matrix3d xy = Eigen::Matrix3d::Zero();
    xy(0, 1) = xy(1, 0) = 1.0;
    Eigen::Matrix3d x2y2 = Eigen::Vector3d(1.0, -1.0, 0.0).asDiagonal();
    return {z2, xy, x2y2};
}

/// D with O_R φ_α = Σ_β D_βα φ_β for a rotation R about z: (O_R φ)(r) = φ(Rᵀ r).
Eigen::Matrix3d orbital_rotation(double angle_rad) {
    const auto forms = orbital_forms();
    const Eigen::Matrix3d r = rotation_z(angle_rad);
    Eigen::Matrix3d d = Eigen::Matrix3d::Zero();
    for (int a = 0; a < 3; ++a) {
        const Eigen::Matrix3d rotated = r * forms[a] * r.transpose();
        // Project onto the (orthogonal) forms with the Frobenius product.
        for (int b = 0; b < 3; ++b) {
            d(b, a) = (rotated.array() * forms[b].array()).sum() / forms[b].squaredNorm();
        }
    }
    return d;
}

}  // namespace

PeriodicModel three_band_model(std::string name, const TmdMaterial& material, const ThreeBandParameters& p) {
    PeriodicModel model;
    model.name = std::move(name);
    model.material = &material;
    model.orbitals = {{Sublattice::Metal, "dz2", p.eps1},
                      {Sublattice::Metal, "dxy", p.eps2},
                      {Sublattice::Metal, "dx2-y2", p.eps2}};
    Eigen::Matrix3d e1;
    e1 << p.t0, p.t1, p.t2, -p.t1, p.t11, p.t12, p.t2, -p.t12, p.t22;
    // a1, C3 a1 = -a1 + a2... in cell offsets: (1,0), (-1,1), (0,-1).
    const int offsets[3][2] = {{1, 0}, {-1, 1}, {0, -1}};
    for (int n = 0; n < 3; ++n) {
        const Eigen::Matrix3d d = orbital_rotation(2.0 * std::numbers::pi * n / 3.0);
        // Invariance of H under the rotation: E(R d) = D E(d) Dᵀ.
        const Eigen::Matrix3d e = d * e1 * d.transpose();
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) {
                // e(a, b) = <a at R + d| H |b at R>.
                if (std::abs(e(a, b)) > 1e-14) {
                    model.hoppings.push_back({a, b, offsets[n][0], offsets[n][1], e(a, b)});
                }
            }
    }
    return model;
}

const PeriodicModel& wse2_three_band() {
    static const PeriodicModel model = three_band_model(
        "wse2-liu3", wse2(), {0.943, 2.179, -0.207, 0.457, 0.486, 0.263, 0.329, 0.034});
    return model;
}

const PeriodicModel& mos2_three_band() {
    static const PeriodicModel model = three_band_model(
        "mos2-liu3", mos2(), {1.046, 2.104, -0.184, 0.401, 0.507, 0.218, 0.338, 0.057});
    return model;
}

}  // namespace synthstm
