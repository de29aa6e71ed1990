#pragma once
/// Two-centre Slater–Koster matrix elements between s, p and d orbitals on two atoms
/// (J. C. Slater and G. F. Koster, Phys. Rev. 94, 1498 (1954), Table I).
#include <array>
#include <string>

#include <Eigen/Dense>

#include "synthstm/core/geometry.hpp"

namespace synthstm {

/// Orbitals of one atom in the Slater–Koster order used by every spd model.
enum class SpdOrbital : int { S, Px, Py, Pz, Dxy, Dyz, Dzx, Dx2y2, D3z2r2 };

/// Number of orbitals in an s, p, d basis.
inline constexpr int kSpdOrbitals = 9;

/// Short labels of the nine orbitals, in SpdOrbital order.
const std::array<std::string, kSpdOrbitals>& spd_orbital_labels();

/// Angular momentum l of each orbital (0, 1 or 2), in SpdOrbital order.
const std::array<int, kSpdOrbitals>& spd_orbital_l();

/// The ten two-centre bond integrals (eV) of one pair distance.
struct SlaterKosterBonds {
    double ss_sigma_eV = 0.0;  ///< (ssσ)
    double sp_sigma_eV = 0.0;  ///< (spσ), s on the first atom, p on the second
    double sd_sigma_eV = 0.0;  ///< (sdσ)
    double pp_sigma_eV = 0.0;  ///< (ppσ)
    double pp_pi_eV = 0.0;     ///< (ppπ)
    double pd_sigma_eV = 0.0;  ///< (pdσ), p on the first atom, d on the second
    double pd_pi_eV = 0.0;     ///< (pdπ)
    double dd_sigma_eV = 0.0;  ///< (ddσ)
    double dd_pi_eV = 0.0;     ///< (ddπ)
    double dd_delta_eV = 0.0;  ///< (ddδ)
};

/// 9x9 block of hopping matrix elements between two atoms.
using SpdBlock = Eigen::Matrix<double, kSpdOrbitals, kSpdOrbitals>;

/// Slater–Koster block E(d)_ab = <a on atom i| H |b on atom j> for the bond d = r_j − r_i.
/// Only the direction of bond matters (it is normalised here); the bond integrals are those of
/// its length. Orbitals of the same l on both atoms, so the reversed bond obeys
/// E(−d) = P E(d) P = E(d)ᵀ with P = diag((−1)^l). Throws InvalidInput for a zero bond.
SpdBlock slater_koster_block(const Vec3& bond, const SlaterKosterBonds& v);

/// Rotation of the nine real orbitals: D with O_R φ_a = Σ_b D_ba φ_b, (O_R φ)(r) = φ(Rᵀ r).
/// Block-diagonal: 1 (s), R itself (p), and the 5x5 d block from the quadratic forms of the
/// d orbitals. It is orthogonal, and E(R d) = D E(d) Dᵀ for every two-centre block.
SpdBlock spd_rotation(const Rotation& r);

}  // namespace synthstm
