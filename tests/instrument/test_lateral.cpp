#include <gtest/gtest.h>

#include "support/error_message.hpp"

#include <cmath>
#include <numbers>
#include <set>
#include <vector>

#include "synthstm/core/error.hpp"
#include "synthstm/instrument/lateral.hpp"

using namespace synthstm;

namespace {

std::array<double, 2> image_offset(const ScanFrame& f, const ScanTrajectory& t, ScanPass pass, int row, int col) {
    const PassTrajectory& p = t.pass(pass);
    const std::size_t i = t.index(row, col);
    const auto q = sample_to_image_nm(f, {p.x_nm[i], p.y_nm[i]});
    const auto q0 = nominal_position_nm(f, row, col);
    return {q[0] - q0[0], q[1] - q0[1]};
}

using test::error_message;

}  // namespace

TEST(Lateral, NoDistortionGivesTheRotatedTranslatedGrid) {
    const ScanFrame f{.size_nm = 3.0, .pixels = 16, .rotation_rad = 0.7, .offset_nm = {1.2, -0.4}};
    RandomStream rng(1, 2, StreamPurpose::Instrument);
    const ScanTrajectory t = scan_trajectory(f, {}, {}, rng);
    const double c = std::cos(0.7);
    const double s = std::sin(0.7);
    for (int row = 0; row < 16; ++row) {
        for (int col = 0; col < 16; ++col) {
            const double x = (col + 0.5) * 3.0 / 16;
            const double y = (15 - row + 0.5) * 3.0 / 16;
            for (ScanPass pass : {ScanPass::Forward, ScanPass::Backward}) {
                const std::size_t i = t.index(row, col);
                EXPECT_NEAR(t.pass(pass).x_nm[i], c * x + s * y + 1.2, 1e-12);
                EXPECT_NEAR(t.pass(pass).y_nm[i], -s * x + c * y - 0.4, 1e-12);
            }
        }
    }
    // A lattice feature at sample point p appears at R(rotation)(p − offset): CCW rotation.
    const auto q = sample_to_image_nm(f, image_to_sample_nm(f, {0.3, 2.1}));
    EXPECT_NEAR(q[0], 0.3, 1e-14);
    EXPECT_NEAR(q[1], 2.1, 1e-14);
    const auto dir = sample_to_image_nm(f, {1.2 + 1.0, -0.4});
    EXPECT_NEAR(std::atan2(dir[1], dir[0]), 0.7, 1e-14);
}

TEST(Lateral, ScanOrderOfAllDirectionCombinations) {
    const int n = 8;
    for (ScanAxis axis : {ScanAxis::X, ScanAxis::Y}) {
        for (bool ff : {true, false}) {
            for (bool sf : {true, false}) {
                const ScanFrame f{.pixels = n, .fast_axis = axis, .fast_forward = ff, .slow_forward = sf,
                                  .line_time_s = 0.2};
                // First pixel: the corner at −fast (or +fast) and −slow (or +slow).
                const PixelIndex first = scan_pixel(f, 0, ScanPass::Forward, 0);
                const PixelIndex second = scan_pixel(f, 0, ScanPass::Forward, 1);
                const PixelIndex next_line = scan_pixel(f, 1, ScanPass::Forward, 0);
                const int fast_step = ff ? 1 : -1;
                const int slow_step = sf ? 1 : -1;
                // x grows with col, y grows with decreasing row.
                const int x0 = axis == ScanAxis::X ? (ff ? 0 : n - 1) : (sf ? 0 : n - 1);
                const int y0 = axis == ScanAxis::X ? (sf ? 0 : n - 1) : (ff ? 0 : n - 1);
                EXPECT_EQ(first, (PixelIndex{n - 1 - y0, x0}));
                if (axis == ScanAxis::X) {
                    EXPECT_EQ(second, (PixelIndex{first.row, first.col + fast_step}));
                    EXPECT_EQ(next_line, (PixelIndex{first.row - slow_step, first.col}));
                } else {
                    EXPECT_EQ(second, (PixelIndex{first.row - fast_step, first.col}));
                    EXPECT_EQ(next_line, (PixelIndex{first.row, first.col + slow_step}));
                }
                // Backward pass retraces the forward pass.
                for (int k = 0; k < n; ++k) {
                    EXPECT_EQ(scan_pixel(f, 3, ScanPass::Backward, k), scan_pixel(f, 3, ScanPass::Forward, n - 1 - k));
                }
                // Every pixel exactly once per pass, times increasing in scan order and stored per pixel.
                RandomStream rng(1, 0, StreamPurpose::Test);
                const ScanTrajectory t = scan_trajectory(f, {}, {}, rng);
                for (ScanPass pass : {ScanPass::Forward, ScanPass::Backward}) {
                    std::set<std::pair<int, int>> seen;
                    for (int line = 0; line < n; ++line) {
                        for (int k = 0; k < n; ++k) {
                            const PixelIndex p = scan_pixel(f, line, pass, k);
                            seen.insert({p.row, p.col});
                            EXPECT_DOUBLE_EQ(t.pass(pass).time_s[t.index(p.row, p.col)], scan_time_s(f, line, pass, k));
                        }
                    }
                    EXPECT_EQ(seen.size(), static_cast<std::size_t>(n * n));
                }
                double previous = -1.0;
                for (int line = 0; line < n; ++line) {
                    for (ScanPass pass : {ScanPass::Forward, ScanPass::Backward}) {
                        for (int k = 0; k < n; ++k) {
                            const double time = scan_time_s(f, line, pass, k);
                            EXPECT_GT(time, previous);
                            previous = time;
                        }
                    }
                }
                EXPECT_NEAR(previous, f.total_time_s() - 0.5 * f.line_time_s / n, 1e-12);
            }
        }
    }
}

TEST(Lateral, DriftAndCreepFollowTheClosedForm) {
    for (ScanAxis axis : {ScanAxis::X, ScanAxis::Y}) {
        const ScanFrame f{.size_nm = 2.5, .pixels = 32, .fast_axis = axis, .fast_forward = false,
                          .slow_forward = true, .rotation_rad = 2.1, .offset_nm = {0.3, 0.9}, .line_time_s = 0.05};
        const AxisDistortion fast{.drift_nm = 0.3, .creep_gamma_nm = -0.15, .creep_ratio = 8.0};
        const AxisDistortion slow{.drift_nm = -0.25, .creep_gamma_nm = 0.1, .creep_ratio = 0.2};
        RandomStream rng(5, 1, StreamPurpose::Instrument);
        const ScanTrajectory t = scan_trajectory(f, fast, slow, rng);
        const double total = 2 * 32 * 0.05;
        const int fast_c = axis == ScanAxis::X ? 0 : 1;
        for (int row = 0; row < 32; row += 3) {
            for (int col = 0; col < 32; col += 5) {
                for (ScanPass pass : {ScanPass::Forward, ScanPass::Backward}) {
                    const double time = t.pass(pass).time_s[t.index(row, col)];
                    const double expect_fast = 0.3 * time / total - 0.15 * std::log(1.0 + 7.0 * time / total);
                    const double expect_slow = -0.25 * time / total + 0.1 * std::log(1.0 - 0.8 * time / total);
                    const auto d = image_offset(f, t, pass, row, col);
                    EXPECT_NEAR(d[fast_c], expect_fast, 1e-12);
                    EXPECT_NEAR(d[1 - fast_c], expect_slow, 1e-12);
                }
            }
        }
        // End points of the formulas: 0 at t = 0, drift + γ log(ratio) at t = T.
        EXPECT_DOUBLE_EQ(fast.displacement_nm(0.0, total), 0.0);
        EXPECT_NEAR(fast.displacement_nm(total, total), 0.3 - 0.15 * std::log(8.0), 1e-15);
    }
}

TEST(Lateral, JitterStatistics) {
    const int n = 128;
    const ScanFrame f{.size_nm = 4.0, .pixels = n, .rotation_rad = 0.0};
    // Per-pixel jitter on the fast axis, per-line jitter on the slow axis.
    const AxisDistortion fast{.jitter_pixel_nm = 0.02};
    const AxisDistortion slow{.jitter_line_nm = 0.01};
    RandomStream rng(11, 4, StreamPurpose::Instrument);
    const ScanTrajectory t = scan_trajectory(f, fast, slow, rng);
    double sum = 0.0;
    double sum2 = 0.0;
    double lag = 0.0;
    std::vector<double> line_offsets;
    for (int row = 0; row < n; ++row) {
        const double line = image_offset(f, t, ScanPass::Forward, row, 0)[1];
        line_offsets.push_back(line);
        for (int col = 0; col < n; ++col) {
            for (ScanPass pass : {ScanPass::Forward, ScanPass::Backward}) {
                const auto d = image_offset(f, t, pass, row, col);
                sum += d[0];
                sum2 += d[0] * d[0];
                // The line offset is shared by all pixels and both passes of a line.
                EXPECT_NEAR(d[1], line, 1e-12);
            }
            if (col > 0) lag += image_offset(f, t, ScanPass::Forward, row, col)[0] *
                                image_offset(f, t, ScanPass::Forward, row, col - 1)[0];
        }
    }
    const double count = 2.0 * n * n;
    EXPECT_NEAR(sum / count, 0.0, 4 * 0.02 / std::sqrt(count));
    EXPECT_NEAR(std::sqrt(sum2 / count), 0.02, 0.02 * 0.03);
    // Independent per pixel: neighbour correlation ~ 0.
    EXPECT_NEAR(lag / (n * (n - 1)) / (0.02 * 0.02), 0.0, 0.05);
    double lsum2 = 0.0;
    for (double l : line_offsets) lsum2 += l * l;
    EXPECT_NEAR(std::sqrt(lsum2 / n), 0.01, 0.01 * 0.2);
}

TEST(Lateral, DeterministicPerStreamAndDistinctAcrossSamples) {
    const ScanFrame f{.pixels = 16};
    const AxisDistortion d{.jitter_line_nm = 0.01, .jitter_pixel_nm = 0.01};
    RandomStream a(1, 7, StreamPurpose::Instrument);
    RandomStream b(1, 7, StreamPurpose::Instrument);
    RandomStream c(1, 8, StreamPurpose::Instrument);
    const ScanTrajectory ta = scan_trajectory(f, d, d, a);
    const ScanTrajectory tb = scan_trajectory(f, d, d, b);
    const ScanTrajectory tc = scan_trajectory(f, d, d, c);
    EXPECT_EQ(ta.pass(ScanPass::Forward).x_nm, tb.pass(ScanPass::Forward).x_nm);
    EXPECT_EQ(ta.pass(ScanPass::Backward).y_nm, tb.pass(ScanPass::Backward).y_nm);
    EXPECT_NE(ta.pass(ScanPass::Forward).x_nm, tc.pass(ScanPass::Forward).x_nm);
}

TEST(Lateral, RejectsBadInput) {
    RandomStream rng(1, 0, StreamPurpose::Test);
    auto run = [&](ScanFrame f, AxisDistortion fast = {}, AxisDistortion slow = {}) {
        return error_message([&] { (void)scan_trajectory(f, fast, slow, rng); });
    };
    EXPECT_NE(run({.size_nm = 0.0}).find("size_nm"), std::string::npos);
    EXPECT_NE(run({.size_nm = -2.0}).find("size_nm"), std::string::npos);
    EXPECT_NE(run({.pixels = 7}).find("pixels"), std::string::npos);
    EXPECT_NE(run({.pixels = 4097}).find("pixels"), std::string::npos);
    EXPECT_NE(run({.line_time_s = 0.0}).find("line_time_s"), std::string::npos);
    EXPECT_NE(run({.rotation_rad = NAN}).find("rotation_rad"), std::string::npos);
    EXPECT_NE(run({}, {.creep_ratio = 0.0}).find("fast axis creep_ratio"), std::string::npos);
    EXPECT_NE(run({}, {}, {.jitter_line_nm = -1.0}).find("slow axis jitter_line_nm"), std::string::npos);
    EXPECT_NE(run({}, {.jitter_pixel_nm = -1.0}).find("jitter_pixel_nm"), std::string::npos);
    EXPECT_NE(run({}, {.drift_nm = INFINITY}).find("drift_nm"), std::string::npos);
    EXPECT_NE(error_message([] { (void)scan_pixel(ScanFrame{}, 64, ScanPass::Forward, 0); }).find("line"),
              std::string::npos);
}
