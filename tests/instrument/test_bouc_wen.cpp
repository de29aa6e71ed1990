#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "synthstm/core/error.hpp"
#include "synthstm/instrument/bouc_wen.hpp"

using namespace synthstm;

namespace {

/// Closed-form solution of dH/du = s A − (B + s C sgn H) H along a ramp of length u (linear on
/// each side of H = 0), crossing H = 0 at most once.
double analytic_h(double h, double s, double u, const BoucWenParameters& p) {
    auto side_solution = [&](double h0, double side, double len) {
        const double k = p.B_per_V + s * p.C_per_V * side;
        if (std::abs(k) < 1e-15) return h0 + s * p.A * len;
        const double h_inf = s * p.A / k;
        return h_inf + (h0 - h_inf) * std::exp(-k * len);
    };
    const double side = h != 0.0 ? std::copysign(1.0, h) : s;
    const double end = side_solution(h, side, u);
    if (end * side >= 0.0) return end;
    // Length to the crossing on the first side, then the rest from 0 on the other.
    const double k = p.B_per_V + s * p.C_per_V * side;
    const double u0 = std::abs(k) < 1e-15 ? -h / (s * p.A) : -std::log((s * p.A / k) / (s * p.A / k - h)) / k;
    return side_solution(0.0, s, u - u0);
}

std::vector<double> triangle(double amplitude_V, int cycles, int points_per_ramp) {
    // 0 → +A → −A → 0 per cycle ... here −A → +A → −A after a first ramp 0 → −A.
    std::vector<double> v;
    for (int i = 1; i <= points_per_ramp; ++i) v.push_back(-amplitude_V * i / points_per_ramp);
    for (int c = 0; c < cycles; ++c) {
        for (int i = 1; i <= 2 * points_per_ramp; ++i) v.push_back(-amplitude_V + 2 * amplitude_V * i / (2 * points_per_ramp));
        for (int i = 1; i <= 2 * points_per_ramp; ++i) v.push_back(amplitude_V - 2 * amplitude_V * i / (2 * points_per_ramp));
    }
    return v;
}

const BoucWenParameters kSeedLike{.alpha_nm_per_V = 1.0, .beta_nm_per_V = 0.6, .A = 0.8, .B_per_V = 0.3,
                                  .C_per_V = 0.6};

}  // namespace

TEST(BoucWen, MatchesClosedFormAlongARamp) {
    for (const BoucWenParameters& p :
         {kSeedLike, BoucWenParameters{.beta_nm_per_V = 0.3, .A = 0.5, .B_per_V = 0.5, .C_per_V = 0.5},
          BoucWenParameters{.beta_nm_per_V = 1.0, .A = 1.0, .B_per_V = 1.0, .C_per_V = 0.1}}) {
        BoucWenPiezo piezo(p);
        double h = 0.0;
        double v = 0.0;
        // Up, down across H = 0, up again: every segment against the closed form.
        for (double target : {3.0, -2.5, 1.0, 0.7, 4.0, -4.0}) {
            h = analytic_h(h, target > v ? 1.0 : -1.0, std::abs(target - v), p);
            v = target;
            const double y = piezo.drive(target);
            EXPECT_NEAR(piezo.state_V(), h, 1e-9) << "V " << target;
            EXPECT_NEAR(y, p.alpha_nm_per_V * v + p.beta_nm_per_V * h, 1e-9);
        }
    }
}

TEST(BoucWen, RateIndependentManySmallStepsEqualOneRamp) {
    BoucWenPiezo one(kSeedLike);
    BoucWenPiezo many(kSeedLike);
    one.drive(2.0);
    one.drive(-1.3);
    for (int i = 1; i <= 1000; ++i) many.drive(2.0 * i / 1000);
    for (int i = 1; i <= 777; ++i) many.drive(2.0 - 3.3 * i / 777);
    EXPECT_NEAR(one.state_V(), many.state_V(), 1e-10);
    EXPECT_NEAR(one.displacement_nm(), many.displacement_nm(), 1e-10);
}

TEST(BoucWen, TriangleWaveLoopClosesAfterFirstCycleWithArea) {
    const int ramp = 200;
    const double amplitude = 10.0;
    const std::vector<double> v = triangle(amplitude, 3, ramp);
    auto run = [&](BoucWenParameters p) {
        BoucWenPiezo piezo(p);
        std::vector<double> y;
        for (double x : v) y.push_back(piezo.drive(x));
        return y;
    };
    const std::vector<double> y = run(kSeedLike);
    const std::size_t cycle = 4 * ramp;
    // The first cycle is the virgin ramp 0 → −A plus the loop −A → +A → −A; the second cycle
    // starts at `first`. From there on the loop retraces itself.
    const std::size_t first = ramp + cycle;
    const double span = *std::ranges::max_element(y) - *std::ranges::min_element(y);
    double max_diff = 0.0;
    for (std::size_t i = 0; i < cycle; ++i) max_diff = std::max(max_diff, std::abs(y[first + i] - y[first + cycle + i]));
    EXPECT_LT(max_diff, 1e-6 * span);
    // The loop closes: the end of the second cycle is where it started.
    EXPECT_NEAR(y[first + cycle - 1], y[first - 1], 1e-6 * span);
    // Loop area ∮ y dV over the second cycle (trapezoids).
    auto area = [&](const std::vector<double>& yy) {
        double a = 0.0;
        for (std::size_t i = first; i < first + cycle; ++i) {
            a += 0.5 * (yy[i] + yy[i - 1]) * (v[i] - v[i - 1]);
        }
        return a;
    };
    // Up and down branches differ by β (H_up − H_down); the area is of order β · 2A/(B+C) · 2 amplitude.
    EXPECT_GT(std::abs(area(y)), 0.2 * kSeedLike.beta_nm_per_V * kSeedLike.A / (kSeedLike.B_per_V + kSeedLike.C_per_V) *
                                    2 * amplitude);
    BoucWenParameters off = kSeedLike;
    off.hysteresis = false;
    const std::vector<double> y_off = run(off);
    EXPECT_NEAR(area(y_off), 0.0, 1e-9);
    for (std::size_t i = 0; i < v.size(); ++i) EXPECT_DOUBLE_EQ(y_off[i], v[i]);
    // β = 0 also removes the loop.
    BoucWenParameters zero_beta = kSeedLike;
    zero_beta.beta_nm_per_V = 0.0;
    EXPECT_NEAR(area(run(zero_beta)), 0.0, 1e-9);
}

TEST(BoucWen, StateStaysWithinBoundAndResetClearsIt) {
    BoucWenPiezo piezo(kSeedLike);
    const double bound = kSeedLike.A / (kSeedLike.B_per_V + kSeedLike.C_per_V);
    for (double x : triangle(30.0, 2, 50)) {
        piezo.drive(x);
        EXPECT_LE(std::abs(piezo.state_V()), bound * (1 + 1e-12));
    }
    EXPECT_NEAR(std::abs(piezo.state_V()), bound, 1e-9);
    piezo.reset(1.5);
    EXPECT_EQ(piezo.state_V(), 0.0);
    EXPECT_EQ(piezo.voltage_V(), 1.5);
    EXPECT_DOUBLE_EQ(piezo.displacement_nm(), 1.5);
}

TEST(BoucWen, RejectsBadParameters) {
    auto message = [](BoucWenParameters p) {
        try {
            BoucWenPiezo piezo(p);
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_NE(message({.alpha_nm_per_V = 0.0}).find("alpha_nm_per_V"), std::string::npos);
    EXPECT_NE(message({.beta_nm_per_V = INFINITY}).find("beta_nm_per_V"), std::string::npos);
    EXPECT_NE(message({.A = -0.1}).find("A"), std::string::npos);
    EXPECT_NE(message({.B_per_V = -0.1}).find("B_per_V"), std::string::npos);
    EXPECT_NE(message({.C_per_V = -0.1}).find("C_per_V"), std::string::npos);
    BoucWenPiezo piezo(kSeedLike);
    EXPECT_THROW(piezo.drive(NAN), Error);
}
