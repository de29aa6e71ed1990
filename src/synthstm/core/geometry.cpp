#include "synthstm/core/geometry.hpp"

#include <Eigen/Geometry>

namespace synthstm {

Rotation rotation_z(double angle_rad) { return rotation_axis_angle(Vec3::UnitZ(), angle_rad); }

Rotation rotation_axis_angle(const Vec3& axis, double angle_rad) {
    return Eigen::AngleAxisd(angle_rad, axis.normalized()).toRotationMatrix();
}

Rotation rotation_tilt(double tilt_rad, double axis_azimuth_rad) {
    const Vec3 axis(std::cos(axis_azimuth_rad), std::sin(axis_azimuth_rad), 0.0);
    return rotation_axis_angle(axis, tilt_rad);
}

Rotation rotation_between(const Vec3& from, const Vec3& to) {
    return Eigen::Quaterniond::FromTwoVectors(from, to).toRotationMatrix();
}

}  // namespace synthstm
