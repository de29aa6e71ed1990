// The feedback scan against the ideal constant-current image, and what wrong gains do.
#include <gtest/gtest.h>

#include "scan_test_support.hpp"

#include <cmath>

#include "synthstm/lattice/material.hpp"
#include "synthstm/scan/feedback_scan.hpp"
#include "synthstm/scan/ideal_scans.hpp"

namespace synthstm {
namespace {

struct ScanSetup {
    TunnelingModel model;
    ScanFrame frame;
    ScanTrajectory trajectory;
    LateralPositions forward;
    double setpoint = 0.0;
    double ideal_gain_nm = 0.0;
    ScanImage constant_current;
};

using test::flat_ldos;

// WSe2 top and bottom Se and W sites with flat LDOS, a single-atom tip, a 1.2 nm 24-pixel scan.
ScanSetup make_setup(int pixels = 24) {
    std::vector<Vec3> sites;
    for (int i = -10; i <= 10; ++i)
        for (int j = -10; j <= 10; ++j)
            for (Sublattice s : kSublattices) sites.push_back(wse2().position(i, j, s));
    const AtomPositions sample = AtomPositions::from_points(sites);
    ScanSetup st{tunneling_model(sample, flat_ldos(sample.size()), AtomPositions::from_points(std::vector<Vec3>{Vec3::Zero()}),
                             flat_ldos(1), 0.5),
             {}, {}, {}, 0, 0, {}};
    st.frame.size_nm = 1.2;
    st.frame.pixels = pixels;
    st.frame.rotation_rad = 0.3;
    st.frame.offset_nm = {-0.6, -0.6};
    RandomStream rng(1, 0, StreamPurpose::Test);
    st.trajectory = scan_trajectory(st.frame, {}, {}, rng);
    const PassTrajectory& f = st.trajectory.pass(ScanPass::Forward);
    st.forward = LateralPositions{pixels, pixels, f.x_nm, f.y_nm};
    const TunnelingJunction j{&st.model};
    st.setpoint = median_current(constant_height_scan(j, st.forward, 0.45));
    st.constant_current = constant_current_scan(j, st.forward, st.setpoint, 0.45);
    // g0 = 1/|d ln I/dz| at the setpoint: the median over the constant-current image.
    std::vector<double> slopes;
    for (std::size_t k = 0; k < st.forward.x_nm.size(); ++k)
        slopes.push_back(-j.current(st.forward.x_nm[k], st.forward.y_nm[k], st.constant_current.values[k]).dln_current_dz_per_nm);
    std::nth_element(slopes.begin(), slopes.begin() + slopes.size() / 2, slopes.end());
    st.ideal_gain_nm = 1.0 / slopes[slopes.size() / 2];
    return st;
}

FeedbackChannels run(const ScanSetup& st, double kp_rel, double noise_rel = 0.0, bool hysteresis = false,
                     int updates_per_pixel = 4, double local_model_nm = 0.01) {
    FeedbackSettings s;
    s.updates_per_pixel = updates_per_pixel;
    s.setpoint = st.setpoint;
    s.ideal_gain_nm = st.ideal_gain_nm;
    s.kp_rel = kp_rel;
    s.start_height_nm = 0.45;
    s.piezo.hysteresis = hysteresis;
    s.noise_rel = noise_rel;
    s.noise_reference_std = std::abs(st.setpoint);
    s.local_model_nm = local_model_nm;
    RandomStream noise(1, 0, StreamPurpose::Noise);
    return feedback_scan(TunnelingJunction{&st.model}, st.frame, st.trajectory, s, noise);
}

double corrugation(const ScanImage& z) {
    const auto [lo, hi] = std::minmax_element(z.values.begin(), z.values.end());
    return *hi - *lo;
}

// Largest |recorded − constant current| over the lines after the first two (the controller
// starts from 0.45 nm at the first pixel and needs a few updates to lock on).
double worst_deviation(const ScanImage& z, const ScanImage& reference) {
    double worst = 0.0;
    for (int r = 0; r < z.rows - 2; ++r)  // slow_forward: time order runs from the bottom row (rows − 1) up
        for (int c = 0; c < z.cols; ++c) worst = std::max(worst, std::abs(z.at(r, c) - reference.at(r, c)));
    return worst;
}

// With the ideal gain each update is a Newton step on ln I; the local slope differs from g0 by a
// few %, so each update shrinks the error ~20-fold and four updates per pixel leave < 1e-4 of
// the jump between pixels: recorded = constant-current height within 0.5 % of the corrugation.
TEST(FeedbackScan, IdealGainReproducesConstantCurrent) {
    const ScanSetup st = make_setup();
    const FeedbackChannels ch = run(st, 1.0);
    const double corr = corrugation(st.constant_current);
    ASSERT_GT(corr, 0.001);
    for (int p = 0; p < 2; ++p) {
        EXPECT_LT(worst_deviation(ch.z_recorded_nm[p], st.constant_current), 0.005 * corr) << "pass " << p;
        // Without hysteresis the true height is the recorded one.
        EXPECT_EQ(ch.z_recorded_nm[p].values, ch.z_true_nm[p].values);
    }
}

// Correlation of an image with itself shifted by one pixel along columns (fast) or rows (slow).
double lag_correlation(const ScanImage& z, bool along_fast) {
    double mean = 0.0;
    for (double v : z.values) mean += v;
    mean /= z.values.size();
    double num = 0.0, den = 0.0;
    for (int r = 0; r < z.rows; ++r)
        for (int c = 0; c < z.cols; ++c) {
            const double a = z.at(r, c) - mean;
            den += a * a;
            const int r2 = along_fast ? r : r + 1, c2 = along_fast ? c + 1 : c;
            if (r2 < z.rows && c2 < z.cols) num += a * (z.at(r2, c2) - mean);
        }
    return num / den;
}

// K_p ≪ ideal: the height lags behind along the fast axis, so neighbouring pixels along it are
// more alike than along the slow axis (measured: clearly more than for the ideal gain).
TEST(FeedbackScan, LowGainSmearsAlongTheFastAxis) {
    const ScanSetup st = make_setup();
    const ScanImage ideal = run(st, 1.0).z_recorded_nm[0];
    const ScanImage slow = run(st, 0.05).z_recorded_nm[0];
    const double ideal_anisotropy = lag_correlation(ideal, true) - lag_correlation(ideal, false);
    const double slow_anisotropy = lag_correlation(slow, true) - lag_correlation(slow, false);
    EXPECT_GT(slow_anisotropy, ideal_anisotropy + 0.1) << "ideal " << ideal_anisotropy << " low gain " << slow_anisotropy;
    // The forward and backward lines of a lagging controller differ (they lag in opposite directions).
    EXPECT_GT(worst_deviation(run(st, 0.05).z_recorded_nm[1], slow), 0.1 * corrugation(st.constant_current));
}

// K_p well above 2 × ideal: each update overshoots by more than it corrects (error × (1 − 2.5)
// per update) until the slew limit holds it, and the height rings with the update period. With
// one update per pixel the ringing shows in the image: the deviation from the constant-current
// image is many times that of the ideal gain and changes sign from pixel to pixel.
TEST(FeedbackScan, HighGainOscillates) {
    const ScanSetup st = make_setup();
    const ScanImage ideal = run(st, 1.0, 0.0, false, 1).z_recorded_nm[0];
    const ScanImage ringing = run(st, 2.5, 0.0, false, 1).z_recorded_nm[0];
    const double corr = corrugation(st.constant_current);
    EXPECT_GT(worst_deviation(ringing, st.constant_current), 0.3 * corr);
    EXPECT_GT(worst_deviation(ringing, st.constant_current), 50 * worst_deviation(ideal, st.constant_current));
    int flips = 0, pairs = 0;
    for (int r = 0; r < ringing.rows - 2; ++r)
        for (int c = 0; c + 1 < ringing.cols; ++c) {
            const double a = ringing.at(r, c) - st.constant_current.at(r, c);
            const double b = ringing.at(r, c + 1) - st.constant_current.at(r, c + 1);
            flips += a * b < 0;
            ++pairs;
        }
    EXPECT_GT(flips, pairs / 3);
}

// Noise makes the image grainy: the recorded height departs from the noiseless one pixel by pixel.
TEST(FeedbackScan, NoiseMakesGrain) {
    const ScanSetup st = make_setup();
    const ScanImage clean = run(st, 1.0).z_recorded_nm[0];
    const ScanImage noisy = run(st, 1.0, 0.3).z_recorded_nm[0];
    EXPECT_GT(worst_deviation(noisy, clean), 0.05 * corrugation(st.constant_current));
}

// With hysteresis the true height departs from the recorded one (by β H, which follows the
// voltage history: here about 3 % of the corrugation for the default piezo).
TEST(FeedbackScan, HysteresisSeparatesTrueFromRecordedHeight) {
    const ScanSetup st = make_setup();
    const FeedbackChannels ch = run(st, 1.0, 0.0, true);
    double worst = 0.0;
    for (std::size_t k = 0; k < ch.z_true_nm[0].values.size(); ++k)
        worst = std::max(worst, std::abs(ch.z_true_nm[0].values[k] - ch.z_recorded_nm[0].values[k]));
    EXPECT_GT(worst, 0.01 * corrugation(st.constant_current));
    // The controller still holds the current: the true height follows the constant-current one.
    EXPECT_LT(worst_deviation(ch.z_true_nm[0], st.constant_current), 0.05 * corrugation(st.constant_current));
}

// The linear ln I(z) model within a pixel (local_model_nm) against an exact evaluation at every
// update: its error, ½ |d² ln I/dz²| δ² ≲ 1e-4 in ln I, moves the heights by far less than a
// picometre, for a right and a slow controller, with and without noise. A ringing controller
// (K_p > 2 g0) amplifies any difference, so there the images agree in their statistics.
TEST(FeedbackScan, LocalCurrentModelAgreesWithExactUpdates) {
    const ScanSetup st = make_setup();
    double largest = 0.0;
    for (double kp : {1.0, 0.3}) {
        for (double noise : {0.0, 0.2}) {
            const FeedbackChannels exact = run(st, kp, noise, false, 4, 0.0);
            const FeedbackChannels local = run(st, kp, noise, false, 4, 0.01);
            for (int p = 0; p < 2; ++p) {
                double worst = 0.0;
                for (std::size_t k = 0; k < exact.z_recorded_nm[p].values.size(); ++k)
                    worst = std::max(worst, std::abs(exact.z_recorded_nm[p].values[k] - local.z_recorded_nm[p].values[k]));
                EXPECT_LT(worst, 2e-4) << "kp " << kp << " noise " << noise << " pass " << p;
                largest = std::max(largest, worst);
            }
        }
    }
    EXPECT_GT(largest, 0.0);  // the model was used (not an exact evaluation at every update)
    for (double noise : {0.0, 0.2}) {
        const FeedbackChannels exact = run(st, 2.3, noise, false, 4, 0.0);
        const FeedbackChannels local = run(st, 2.3, noise, false, 4, 0.01);
        for (int p = 0; p < 2; ++p) {
            const auto stats = [](const ScanImage& z) {
                double m = 0.0, q = 0.0;
                for (double v : z.values) m += v, q += v * v;
                m /= z.values.size();
                return std::pair{m, std::sqrt(q / z.values.size() - m * m)};
            };
            const auto [m_exact, sd_exact] = stats(exact.z_recorded_nm[p]);
            const auto [m_local, sd_local] = stats(local.z_recorded_nm[p]);
            // The slew-limited cycle swings by max_step (0.05 nm) per update and the pixel mean
            // depends on its phase, which any difference shifts: agree to 1 % of that swing.
            const double scale = 0.01 * FeedbackSettings{}.max_step_nm;
            EXPECT_NEAR(m_local, m_exact, scale) << "noise " << noise << " pass " << p;
            EXPECT_NEAR(sd_local, sd_exact, scale) << "noise " << noise << " pass " << p;
        }
    }
    std::printf("largest height difference, local model vs exact: %.3g nm\n", largest);
}

}  // namespace
}  // namespace synthstm
