#include "synthstm/groundtruth/pixel_positions.hpp"

#include <cmath>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {

void PixelPositions::validate() const {
    if (pixels < kMinScanPixels || pixels > kMaxScanPixels) {
        invalid_input(fmt::format("ground truth pixels must be in [{}, {}], got {}", kMinScanPixels, kMaxScanPixels,
                                  pixels));
    }
    const std::size_t n = static_cast<std::size_t>(pixels) * static_cast<std::size_t>(pixels);
    if (x_nm.size() != n || y_nm.size() != n) {
        invalid_input(fmt::format("ground truth positions x_nm/y_nm must have pixels² = {} values, got {} and {}", n,
                                  x_nm.size(), y_nm.size()));
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(x_nm[i]) || !std::isfinite(y_nm[i])) {
            invalid_input(fmt::format("ground truth position of pixel {} is not finite", i));
        }
    }
}

PixelPositions pixel_positions(const ScanTrajectory& trajectory, ScanPass pass) {
    const PassTrajectory& p = trajectory.pass(pass);
    return {trajectory.pixels, p.x_nm, p.y_nm};
}

}  // namespace synthstm
