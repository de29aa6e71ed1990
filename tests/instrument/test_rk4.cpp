#include <gtest/gtest.h>

#include <cmath>

#include <Eigen/Dense>

#include "synthstm/instrument/rk4.hpp"

using namespace synthstm;

namespace {

// y' = y cos t, y(0) = 1: y = exp(sin t).
double scalar_error(int steps) {
    auto f = [](double t, double y) { return y * std::cos(t); };
    const double y = rk4_integrate(f, 0.0, 1.0, 2.0, steps);
    return std::abs(y - std::exp(std::sin(2.0)));
}

}  // namespace

TEST(Rk4, FourthOrderConvergenceOnScalarOde) {
    for (int steps : {10, 20, 40}) {
        const double ratio = scalar_error(steps) / scalar_error(2 * steps);
        EXPECT_NEAR(ratio, 16.0, 1.5) << "steps " << steps;
    }
}

TEST(Rk4, FourthOrderConvergenceOnHarmonicOscillator) {
    // x'' = -x as a 2-vector: exact solution after time T from (1, 0) is (cos T, -sin T).
    auto f = [](double, const Eigen::Vector2d& y) { return Eigen::Vector2d(y[1], -y[0]); };
    auto err = [&](int steps) {
        const Eigen::Vector2d y = rk4_integrate(f, 0.0, Eigen::Vector2d(1.0, 0.0), 5.0, steps);
        return (y - Eigen::Vector2d(std::cos(5.0), -std::sin(5.0))).norm();
    };
    const double ratio = err(25) / err(50);
    EXPECT_NEAR(ratio, 16.0, 1.5);
    EXPECT_LT(err(800), 1e-9);
}

TEST(Rk4, ExactForCubicPolynomials) {
    // y' = 3t², y = t³: Simpson's rule, exact to rounding in a single step.
    auto f = [](double t, double) { return 3.0 * t * t; };
    EXPECT_NEAR(rk4_step(f, 1.0, 1.0, 0.5), 1.5 * 1.5 * 1.5, 1e-14);
}
