#include <gtest/gtest.h>

#include <cmath>

#include "synthstm/core/error.hpp"
#include "synthstm/instrument/pid.hpp"

using namespace synthstm;

TEST(Pid, TermsOfAStepError) {
    PidController pid({.kp = 2.0, .ki = 10.0, .kd = 0.5, .dt_s = 0.01});
    // Constant error 1: P = 2, I grows by ki·dt = 0.1 per update, D = 0 (no previous, then no change).
    EXPECT_DOUBLE_EQ(pid.update(1.0), 2.0 + 0.1);
    EXPECT_DOUBLE_EQ(pid.update(1.0), 2.0 + 0.2);
    EXPECT_DOUBLE_EQ(pid.integral(), 0.02);
    // A jump of the error by 1 gives kd·1/dt = 50 once.
    EXPECT_NEAR(pid.update(2.0), 4.0 + 10.0 * 0.04 + 50.0, 1e-12);
    EXPECT_NEAR(pid.update(2.0), 4.0 + 10.0 * 0.06, 1e-12);
    pid.reset();
    EXPECT_EQ(pid.integral(), 0.0);
    EXPECT_DOUBLE_EQ(pid.update(-1.0), -2.0 - 0.1);  // no derivative kick after reset
}

TEST(Pid, ProportionalLoopConvergesGeometrically) {
    // Plant z follows the accumulated corrections; error = target − z. With gain kp the error
    // shrinks by (1 − kp) per update; kp = 1 is the ideal (one-step) gain, kp > 2 is unstable.
    for (double kp : {0.3, 1.0, 1.7}) {
        PidController pid({.kp = kp, .ki = 0.0, .kd = 0.0, .dt_s = 1e-3});
        double z = 0.0;
        const double target = 1.0;
        for (int n = 1; n <= 10; ++n) {
            z += pid.update(target - z);
            EXPECT_NEAR(target - z, std::pow(1.0 - kp, n), 1e-12) << "kp " << kp << " n " << n;
        }
    }
    PidController unstable({.kp = 2.5, .ki = 0.0, .kd = 0.0, .dt_s = 1e-3});
    double z = 0.0;
    for (int n = 0; n < 20; ++n) z += unstable.update(1.0 - z);
    EXPECT_GT(std::abs(1.0 - z), 100.0);
}

TEST(Pid, IntegralRemovesSteadyStateError) {
    // Absolute (positional) loop: z = u, with a constant disturbance. P alone leaves an offset,
    // PI drives it to zero.
    auto run = [](double ki) {
        PidController pid({.kp = 0.5, .ki = ki, .kd = 0.0, .dt_s = 0.01});
        double z = 0.0;
        for (int n = 0; n < 2000; ++n) z = pid.update(1.0 - z) + 0.2;
        return 1.0 - z;
    };
    EXPECT_NEAR(run(0.0), 0.8 / 1.5, 1e-9);
    EXPECT_NEAR(run(5.0), 0.0, 1e-6);
}

TEST(Pid, RejectsBadGains) {
    auto message = [](PidGains g) {
        try {
            PidController pid(g);
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_NE(message({.kp = -1.0}).find("kp"), std::string::npos);
    EXPECT_NE(message({.ki = NAN}).find("ki"), std::string::npos);
    EXPECT_NE(message({.kd = -0.1}).find("kd"), std::string::npos);
    EXPECT_NE(message({.kp = 1.0, .dt_s = 0.0}).find("dt_s"), std::string::npos);
}
