#pragma once
/// Geometry in nanometres: 3-vectors and rotation matrices.
#include <Eigen/Dense>

namespace synthstm {

/// A point or displacement in nm.
using Vec3 = Eigen::Vector3d;
/// A 3x3 rotation matrix (orthogonal, determinant +1).
using Rotation = Eigen::Matrix3d;

/// Rotation by angle_rad about the z axis (counter-clockwise seen from +z).
Rotation rotation_z(double angle_rad);

/// Rotation by angle_rad about a unit axis (right-hand rule).
Rotation rotation_axis_angle(const Vec3& axis, double angle_rad);

/// Tilt by tilt_rad about the in-plane axis that makes angle axis_azimuth_rad with x.
Rotation rotation_tilt(double tilt_rad, double axis_azimuth_rad);

/// The rotation that takes unit vector from onto unit vector to (shortest arc).
Rotation rotation_between(const Vec3& from, const Vec3& to);

}  // namespace synthstm
