// Line offsets, streaks and lost-feedback lines, measured on the image they are applied to.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "synthstm/instrument/line_artifacts.hpp"
#include "synthstm/instrument/noise.hpp"

namespace synthstm {
namespace {

ScanFrame frame_of(int n) {
    ScanFrame f;
    f.size_nm = 3.0;
    f.pixels = n;
    return f;
}

/// Variance of the row means after least-squares plane removal (fast axis x: rows are lines).
double row_mean_variance(const std::vector<double>& z, int n) {
    // Plane a + b·col + c·row by least squares on the centred grid (the two slopes decouple).
    double mean = 0.0, sb = 0.0, sc = 0.0, ss = 0.0;
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c) mean += z[std::size_t(r) * n + c];
    mean /= double(n) * n;
    const double centre = 0.5 * (n - 1);
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c) {
            const double v = z[std::size_t(r) * n + c] - mean;
            sb += v * (c - centre);
            sc += v * (r - centre);
            ss += (c - centre) * (c - centre);
        }
    const double b = sb / ss, cc = sc / ss;
    std::vector<double> rows(static_cast<std::size_t>(n), 0.0);
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c)
            rows[std::size_t(r)] += (z[std::size_t(r) * n + c] - mean - b * (c - centre) - cc * (r - centre)) / n;
    const double s = standard_deviation(rows);
    return s * s;
}

/// A tilted plane with a little white noise: what a flat recorded image looks like.
std::vector<double> plane(int n, std::uint64_t seed) {
    RandomStream rng(seed, 0, StreamPurpose::Test);
    std::vector<double> z(std::size_t(n) * n);
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c) z[std::size_t(r) * n + c] = 0.002 * c - 0.001 * r + 0.002 * rng.normal();
    return z;
}

TEST(LineArtifacts, AllOffChangesNothing) {
    const int n = 32;
    auto f = plane(n, 1), b = plane(n, 2);
    const auto f0 = f, b0 = b;
    RandomStream rng(4, 0, StreamPurpose::LineArtifacts);
    const LineArtifactEvents e = apply_line_artifacts(f, b, frame_of(n), {}, rng);
    EXPECT_EQ(f, f0);
    EXPECT_EQ(b, b0);
    EXPECT_EQ(e.streaks, 0);
    EXPECT_TRUE(e.lost_lines.empty());
}

// The variance of the line means (after plane removal) is that of the noise alone when off and
// grows by σ² when on (σ = 0.02 nm: 4e-4 nm², against ~1e-7 nm² of the white noise).
TEST(LineArtifacts, LineOffsetsAddTheirVarianceToTheLineMeans) {
    const int n = 128;
    auto f = plane(n, 1), b = plane(n, 2);
    const double off = row_mean_variance(f, n);
    LineArtifactSettings s;
    s.line_offset_nm = 0.02;
    RandomStream rng(4, 0, StreamPurpose::LineArtifacts);
    apply_line_artifacts(f, b, frame_of(n), s, rng);
    const double on = row_mean_variance(f, n);
    EXPECT_LT(off, 1e-6);
    // 128 lines: the sample variance of σ² has a relative std of √(2/127) ≈ 0.13.
    EXPECT_NEAR(on, s.line_offset_nm * s.line_offset_nm, 0.4 * s.line_offset_nm * s.line_offset_nm);
}

// Streaks: runs of raised pixels along the fast axis, as many as the rate says (Poisson).
TEST(LineArtifacts, StreakCountMatchesTheRate) {
    const int n = 256;
    std::vector<double> f(std::size_t(n) * n, 0.0), b = f;
    LineArtifactSettings s;
    s.streak_rate_per_line = 0.5;
    s.streak_length_px = 4;
    s.streak_height_nm = 0.1;
    RandomStream rng(9, 0, StreamPurpose::LineArtifacts);
    const ScanFrame frame = frame_of(n);
    const LineArtifactEvents e = apply_line_artifacts(f, b, frame, s, rng);
    // Count runs of raised pixels along each pass in time order.
    int runs = 0;
    for (const auto* img : {&f, &b})
        for (int line = 0; line < n; ++line) {
            bool inside = false;
            for (int k = 0; k < n; ++k) {
                const PixelIndex px = scan_pixel(frame, line, ScanPass::Forward, k);
                const bool raised = (*img)[std::size_t(px.row) * n + px.col] > 0.0;
                if (raised && !inside) ++runs;
                inside = raised;
            }
        }
    const double expected = 2.0 * n * s.streak_rate_per_line;  // 256, Poisson std 16
    EXPECT_NEAR(e.streaks, expected, 4.0 * std::sqrt(expected));
    // Streaks that overlap on one line merge into one run: a few percent at this rate.
    EXPECT_LE(runs, e.streaks);
    EXPECT_GE(runs, 0.9 * e.streaks);
    // Heights within [0.5, 1.5] × streak_height_nm (overlaps add up).
    for (double v : f) EXPECT_TRUE(v == 0.0 || v >= 0.05 - 1e-12) << v;
}

// A lost line saturates: its backward pass is flat at the image's top + the saturation height.
TEST(LineArtifacts, LostLinesSaturateAtTheRateGiven) {
    const int n = 200;
    auto f = plane(n, 1), b = plane(n, 2);
    double top = -1e9;
    for (double v : f) top = std::max(top, v);
    for (double v : b) top = std::max(top, v);
    LineArtifactSettings s;
    s.feedback_loss_probability = 0.1;
    s.feedback_loss_height_nm = 0.3;
    RandomStream rng(5, 0, StreamPurpose::LineArtifacts);
    const LineArtifactEvents e = apply_line_artifacts(f, b, frame_of(n), s, rng);
    int flat_rows = 0;
    for (int r = 0; r < n; ++r) {
        bool flat = true;
        for (int c = 0; c < n; ++c) flat = flat && b[std::size_t(r) * n + c] == top + 0.3;
        flat_rows += flat;
    }
    EXPECT_EQ(flat_rows, static_cast<int>(e.lost_lines.size()));
    EXPECT_NEAR(flat_rows, 0.1 * n, 4.0 * std::sqrt(0.1 * 0.9 * n));
}

TEST(LineArtifacts, SameStreamSameArtifactsAndBadSettingsAreNamed) {
    const int n = 16;
    LineArtifactSettings s;
    s.line_offset_nm = 0.01;
    s.streak_rate_per_line = 1.0;
    s.feedback_loss_probability = 0.2;
    auto f1 = plane(n, 1), b1 = plane(n, 2), f2 = f1, b2 = b1;
    RandomStream r1(3, 7, StreamPurpose::LineArtifacts), r2(3, 7, StreamPurpose::LineArtifacts);
    apply_line_artifacts(f1, b1, frame_of(n), s, r1);
    apply_line_artifacts(f2, b2, frame_of(n), s, r2);
    EXPECT_EQ(f1, f2);
    EXPECT_EQ(b1, b2);
    s.feedback_loss_probability = 1.5;
    try {
        apply_line_artifacts(f1, b1, frame_of(n), s, r1);
        ADD_FAILURE();
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("feedback_loss_probability"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace synthstm
