#pragma once
/// Lateral scan geometry and lateral piezo distortions (DESIGN §3.3, §3.4): where the tip really
/// is, in the sample's lattice frame, when each pixel of the recorded image is acquired.
///
/// Conventions (docs/instrument.md has the full page):
/// - Image frame: x to the right, y up, origin at the lower-left corner of the field of view.
///   The recorded image is N×N, row-major; row 0 is the TOP line (largest y), so the array shown
///   as-is (PNG, imshow) has x to the right and y up. Pixel (row, col) has its nominal centre at
///   x = (col + 0.5)·size/N, y = (N − 1 − row + 0.5)·size/N.
/// - The fast axis (X or Y of the image frame) is traversed in every line; each line is a
///   forward pass (along +fast if fast_forward, else −fast) followed by the backward pass over
///   the same pixels in reverse. Lines advance along +slow if slow_forward, else −slow.
/// - Time: t = 0 at the start of the scan. Each pass takes line_time_s, each line 2·line_time_s,
///   the whole scan T = 2 N line_time_s. The k-th pixel of a pass (k = 0…N−1 in time order) is
///   sampled at the middle of its dwell: t = 2 l line_time_s + (pass == Backward) line_time_s +
///   (k + 0.5) line_time_s / N for line l (time order).
/// - Distortions act along the scanner's axes, in the image frame: q = q_nominal + d_fast e_fast +
///   d_slow e_slow. The sample frame is rotated by rotation_rad and shifted by offset_nm:
///   p = R(−rotation_rad) q + offset_nm, so the lattice appears rotated counter-clockwise by
///   rotation_rad in the image, and offset_nm is the sample point under the image origin.
#include <array>
#include <cstddef>
#include <vector>

#include "synthstm/core/random.hpp"

namespace synthstm {

/// An axis of the image (scanner) frame.
enum class ScanAxis { X, Y };

/// The two passes over every line.
enum class ScanPass { Forward = 0, Backward = 1 };

/// Smallest and largest image side in pixels.
inline constexpr int kMinScanPixels = 8;
inline constexpr int kMaxScanPixels = 4096;

/// The scan's nominal geometry and timing.
struct ScanFrame {
    double size_nm = 2.0;                    ///< side of the square field of view, > 0
    int pixels = 64;                         ///< N: the image is N×N, 8 <= N <= 4096
    ScanAxis fast_axis = ScanAxis::X;        ///< the axis scanned within a line
    bool fast_forward = true;                ///< forward pass runs along +fast (else −fast)
    bool slow_forward = true;                ///< lines advance along +slow (else −slow)
    double rotation_rad = 0.0;               ///< sample (lattice) rotation about z, CCW in the image
    std::array<double, 2> offset_nm{0, 0};   ///< sample-frame point under the image origin (x, y)
    double line_time_s = 0.1;                ///< duration of one pass (forward or backward), > 0

    /// Throws InvalidInput naming the first bad parameter.
    void validate() const;
    /// Pixel pitch size/N in nm.
    [[nodiscard]] double pixel_nm() const { return size_nm / pixels; }
    /// Duration of the whole scan, 2 N line_time_s.
    [[nodiscard]] double total_time_s() const { return 2.0 * pixels * line_time_s; }
};

/// Lateral distortion of one scanner axis; all zero means an ideal axis.
struct AxisDistortion {
    double drift_nm = 0.0;         ///< thermal drift over the whole scan: d = drift_nm · t/T
    double creep_gamma_nm = 0.0;   ///< creep γ: d = γ log(τ/t0), τ = t0 (1 + (ratio − 1) t/T)
    double creep_ratio = 1.0;      ///< t_end/t0 of the creep log (seed 0.1 – 10), > 0
    double jitter_line_nm = 0.0;   ///< std of a Gaussian offset drawn once per line, >= 0
    double jitter_pixel_nm = 0.0;  ///< std of a Gaussian offset drawn per pixel and pass, >= 0

    /// Throws InvalidInput naming the first bad parameter; axis is "fast" or "slow" for the message.
    void validate(const char* axis) const;
    /// The deterministic part (drift + creep) at time t_s of a scan lasting total_s, in nm.
    [[nodiscard]] double displacement_nm(double t_s, double total_s) const;
};

/// A pixel of the recorded image.
struct PixelIndex {
    int row = 0;  ///< 0 = top line (largest y)
    int col = 0;  ///< 0 = left column (smallest x)
    bool operator==(const PixelIndex&) const = default;
};

/// The pixel acquired k-th (time order) in the given pass of the line-th line (time order).
PixelIndex scan_pixel(const ScanFrame& frame, int line, ScanPass pass, int k);
/// The time at which that pixel is sampled (middle of its dwell), in s.
double scan_time_s(const ScanFrame& frame, int line, ScanPass pass, int k);
/// Nominal centre of pixel (row, col) in the image frame, nm: {x, y}.
std::array<double, 2> nominal_position_nm(const ScanFrame& frame, int row, int col);
/// Image-frame point q (nm) to the sample frame: R(−rotation) q + offset.
std::array<double, 2> image_to_sample_nm(const ScanFrame& frame, std::array<double, 2> q_nm);
/// Sample-frame point p (nm) to the image frame: R(rotation) (p − offset).
std::array<double, 2> sample_to_image_nm(const ScanFrame& frame, std::array<double, 2> p_nm);

/// One pass over the whole image: arrays of N×N values, row-major by (row, col).
struct PassTrajectory {
    std::vector<double> time_s;  ///< when the pixel is sampled
    std::vector<double> x_nm;    ///< true tip x in the sample frame
    std::vector<double> y_nm;    ///< true tip y in the sample frame
};

/// The true tip positions and times of every pixel, forward and backward pass.
struct ScanTrajectory {
    int pixels = 0;                        ///< N
    std::array<PassTrajectory, 2> passes;  ///< indexed by ScanPass

    /// The arrays of one pass.
    [[nodiscard]] const PassTrajectory& pass(ScanPass p) const { return passes[static_cast<int>(p)]; }
    /// Row-major index of (row, col).
    [[nodiscard]] std::size_t index(int row, int col) const {
        return static_cast<std::size_t>(row) * static_cast<std::size_t>(pixels) + static_cast<std::size_t>(col);
    }
};

/// Computes the trajectory. Jitter draws, in time order: per line one normal for the fast and
/// one for the slow axis (shared by both passes), then per pixel of the forward pass and then of
/// the backward pass one normal for fast and one for slow. All are drawn even where the std is
/// 0, so a stream gives the same pattern whatever the amplitudes. Deterministic for a stream.
ScanTrajectory scan_trajectory(const ScanFrame& frame, const AxisDistortion& fast, const AxisDistortion& slow,
                               RandomStream& rng);

}  // namespace synthstm
