#pragma once
/// A monolayer step (docs/realism.md, section 6): a second layer of the same TMD lies on the
/// first over the half-plane n̂·r ≥ d (n̂ = (cos θ, sin θ), θ = angle_rad, d = offset_nm), its
/// top plane height_nm higher (one layer of a 2H crystal: c/2 = 0.648 nm for WSe2). 2H stacking:
/// the upper layer is the lower one rotated by 180° about z and shifted so that its chalcogens
/// sit above the lower layer's metal atoms and its metal atoms above the lower chalcogens. Its
/// sites are indexed like the lower lattice's (cell i, j, sublattice s) and placed by
///   r_upper = R_π r + w + h ẑ,  R_π (x, y, z) = (−x, −y, z),  w = the metal's in-plane basis vector,
/// r the position the lower lattice gives that index. The map is an isometry, so the upper
/// layer's electronic structure (T-matrix LDOS, defects, relaxation) is computed on the lower
/// lattice's indices and only the positions are mapped.
#include <array>

#include "synthstm/lattice/material.hpp"

namespace synthstm {

/// Where the upper terrace lies and how its sites map onto the lower lattice's.
struct StepEdge {
    double angle_rad = 0.0;   ///< direction θ of the normal pointing onto the upper terrace (sample frame)
    double offset_nm = 0.0;   ///< d: the edge is the line n̂·r = d
    double height_nm = 0.648; ///< height of the upper top plane over the lower one
    Vec3 shift_nm = Vec3::Zero();  ///< w: in-plane shift of the rotated layer (the metal's basis vector)

    /// The step of a material: shift w from its metal basis vector.
    static StepEdge for_material(const TmdMaterial& material, double angle_rad, double offset_nm, double height_nm);
    /// Signed in-plane distance from the edge, n̂·r − d (positive on the upper terrace).
    [[nodiscard]] double signed_distance_nm(double x_nm, double y_nm) const;
    /// Whether (x, y) lies on the upper terrace (signed distance ≥ 0).
    [[nodiscard]] bool upper(double x_nm, double y_nm) const { return signed_distance_nm(x_nm, y_nm) >= 0.0; }
    /// The upper-layer position of a site the lower lattice puts at r: R_π r + w + h ẑ.
    [[nodiscard]] Vec3 upper_position(const Vec3& r_nm) const;
    /// The inverse in the plane: the lower-lattice point whose upper image is (x, y): R_π((x, y) − w).
    [[nodiscard]] std::array<double, 2> lower_frame_nm(double x_nm, double y_nm) const;
};

}  // namespace synthstm
