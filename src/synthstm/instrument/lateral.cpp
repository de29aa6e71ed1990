#include "synthstm/instrument/lateral.hpp"

#include <cmath>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {
namespace {

void check_finite(double value, const char* what) {
    if (!std::isfinite(value)) invalid_input(fmt::format("{} must be finite, got {}", what, value));
}

void check_index(const ScanFrame& frame, int line, int k) {
    if (line < 0 || line >= frame.pixels || k < 0 || k >= frame.pixels) {
        invalid_input(fmt::format("scan line {} / pixel {} outside 0..{}", line, k, frame.pixels - 1));
    }
}

}  // namespace

void ScanFrame::validate() const {
    if (!std::isfinite(size_nm) || size_nm <= 0.0) {
        invalid_input(fmt::format("scan frame size_nm must be positive, got {}", size_nm));
    }
    if (pixels < kMinScanPixels || pixels > kMaxScanPixels) {
        invalid_input(fmt::format("scan frame pixels must be in [{}, {}], got {}", kMinScanPixels, kMaxScanPixels,
                                  pixels));
    }
    check_finite(rotation_rad, "scan frame rotation_rad");
    check_finite(offset_nm[0], "scan frame offset_nm (x)");
    check_finite(offset_nm[1], "scan frame offset_nm (y)");
    if (!std::isfinite(line_time_s) || line_time_s <= 0.0) {
        invalid_input(fmt::format("scan frame line_time_s must be positive, got {}", line_time_s));
    }
}

void AxisDistortion::validate(const char* axis) const {
    check_finite(drift_nm, fmt::format("{} axis drift_nm", axis).c_str());
    check_finite(creep_gamma_nm, fmt::format("{} axis creep_gamma_nm", axis).c_str());
    if (!std::isfinite(creep_ratio) || creep_ratio <= 0.0) {
        invalid_input(fmt::format("{} axis creep_ratio must be positive, got {}", axis, creep_ratio));
    }
    if (!std::isfinite(jitter_line_nm) || jitter_line_nm < 0.0) {
        invalid_input(fmt::format("{} axis jitter_line_nm must be >= 0, got {}", axis, jitter_line_nm));
    }
    if (!std::isfinite(jitter_pixel_nm) || jitter_pixel_nm < 0.0) {
        invalid_input(fmt::format("{} axis jitter_pixel_nm must be >= 0, got {}", axis, jitter_pixel_nm));
    }
}

double AxisDistortion::displacement_nm(double t_s, double total_s) const {
    const double f = t_s / total_s;
    return drift_nm * f + creep_gamma_nm * std::log1p((creep_ratio - 1.0) * f);
}

PixelIndex scan_pixel(const ScanFrame& frame, int line, ScanPass pass, int k) {
    check_index(frame, line, k);
    const int n = frame.pixels;
    // Index along the axis, counted in the +axis direction.
    const bool along_plus = (pass == ScanPass::Forward) == frame.fast_forward;
    const int fast = along_plus ? k : n - 1 - k;
    const int slow = frame.slow_forward ? line : n - 1 - line;
    const int ix = frame.fast_axis == ScanAxis::X ? fast : slow;
    const int iy = frame.fast_axis == ScanAxis::X ? slow : fast;
    return {n - 1 - iy, ix};
}

double scan_time_s(const ScanFrame& frame, int line, ScanPass pass, int k) {
    check_index(frame, line, k);
    return frame.line_time_s * (2.0 * line + (pass == ScanPass::Backward ? 1.0 : 0.0) + (k + 0.5) / frame.pixels);
}

std::array<double, 2> nominal_position_nm(const ScanFrame& frame, int row, int col) {
    const double pitch = frame.pixel_nm();
    return {(col + 0.5) * pitch, (frame.pixels - 1 - row + 0.5) * pitch};
}

std::array<double, 2> image_to_sample_nm(const ScanFrame& frame, std::array<double, 2> q) {
    const double c = std::cos(frame.rotation_rad);
    const double s = std::sin(frame.rotation_rad);
    return {c * q[0] + s * q[1] + frame.offset_nm[0], -s * q[0] + c * q[1] + frame.offset_nm[1]};
}

std::array<double, 2> sample_to_image_nm(const ScanFrame& frame, std::array<double, 2> p) {
    const double c = std::cos(frame.rotation_rad);
    const double s = std::sin(frame.rotation_rad);
    const double dx = p[0] - frame.offset_nm[0];
    const double dy = p[1] - frame.offset_nm[1];
    return {c * dx - s * dy, s * dx + c * dy};
}

ScanTrajectory scan_trajectory(const ScanFrame& frame, const AxisDistortion& fast, const AxisDistortion& slow,
                               RandomStream& rng) {
    frame.validate();
    fast.validate("fast");
    slow.validate("slow");
    const int n = frame.pixels;
    const std::size_t count = static_cast<std::size_t>(n) * static_cast<std::size_t>(n);
    ScanTrajectory out;
    out.pixels = n;
    for (PassTrajectory& p : out.passes) {
        p.time_s.resize(count);
        p.x_nm.resize(count);
        p.y_nm.resize(count);
    }
    const double total = frame.total_time_s();
    const int fast_component = frame.fast_axis == ScanAxis::X ? 0 : 1;
    for (int line = 0; line < n; ++line) {
        const double line_fast = fast.jitter_line_nm * rng.normal();
        const double line_slow = slow.jitter_line_nm * rng.normal();
        for (ScanPass pass : {ScanPass::Forward, ScanPass::Backward}) {
            PassTrajectory& traj = out.passes[static_cast<int>(pass)];
            for (int k = 0; k < n; ++k) {
                const double pixel_fast = fast.jitter_pixel_nm * rng.normal();
                const double pixel_slow = slow.jitter_pixel_nm * rng.normal();
                const PixelIndex px = scan_pixel(frame, line, pass, k);
                const double t = scan_time_s(frame, line, pass, k);
                std::array<double, 2> q = nominal_position_nm(frame, px.row, px.col);
                q[fast_component] += fast.displacement_nm(t, total) + line_fast + pixel_fast;
                q[1 - fast_component] += slow.displacement_nm(t, total) + line_slow + pixel_slow;
                const std::array<double, 2> p = image_to_sample_nm(frame, q);
                const std::size_t i = out.index(px.row, px.col);
                traj.time_s[i] = t;
                traj.x_nm[i] = p[0];
                traj.y_nm[i] = p[1];
            }
        }
    }
    return out;
}

}  // namespace synthstm
