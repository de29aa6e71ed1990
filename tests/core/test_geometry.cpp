#include <gtest/gtest.h>

#include <numbers>

#include "synthstm/core/geometry.hpp"

using namespace synthstm;

TEST(Geometry, RotationsAreOrthogonalAndRotateTheRightWay) {
    const Rotation r = rotation_z(std::numbers::pi / 2);
    EXPECT_TRUE((r * Vec3::UnitX()).isApprox(Vec3::UnitY(), 1e-12));
    EXPECT_NEAR(r.determinant(), 1.0, 1e-12);
    const Rotation t = rotation_tilt(0.3, 0.7);
    EXPECT_TRUE((t * t.transpose()).isApprox(Rotation::Identity(), 1e-12));
    const Vec3 d = Vec3(1, 1, 1).normalized();
    EXPECT_TRUE((rotation_between(d, -Vec3::UnitZ()) * d).isApprox(-Vec3::UnitZ(), 1e-12));
}
