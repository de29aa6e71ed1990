#include "synthstm/lattice/step_edge.hpp"

#include <cmath>

namespace synthstm {

StepEdge StepEdge::for_material(const TmdMaterial& material, double angle_rad, double offset_nm, double height_nm) {
    StepEdge s;
    s.angle_rad = angle_rad;
    s.offset_nm = offset_nm;
    s.height_nm = height_nm;
    const Vec3 metal = material.basis(Sublattice::Metal);
    s.shift_nm = Vec3(metal.x(), metal.y(), 0.0);
    return s;
}

double StepEdge::signed_distance_nm(double x_nm, double y_nm) const {
    return std::cos(angle_rad) * x_nm + std::sin(angle_rad) * y_nm - offset_nm;
}

Vec3 StepEdge::upper_position(const Vec3& r_nm) const {
    return Vec3(-r_nm.x() + shift_nm.x(), -r_nm.y() + shift_nm.y(), r_nm.z() + height_nm);
}

std::array<double, 2> StepEdge::lower_frame_nm(double x_nm, double y_nm) const {
    return {-(x_nm - shift_nm.x()), -(y_nm - shift_nm.y())};
}

}  // namespace synthstm
