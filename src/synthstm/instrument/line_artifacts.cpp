#include "synthstm/instrument/line_artifacts.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {

void LineArtifactSettings::validate() const {
    const auto non_negative = [](double v, const char* name) {
        if (!(v >= 0.0) || !std::isfinite(v)) invalid_input(fmt::format("line artifacts: {} must not be negative, got {}", name, v));
    };
    non_negative(line_offset_nm, "line_offset_nm");
    non_negative(streak_rate_per_line, "streak_rate_per_line");
    non_negative(streak_height_nm, "streak_height_nm");
    non_negative(feedback_loss_height_nm, "feedback_loss_height_nm");
    if (streak_length_px < 1)
        invalid_input(fmt::format("line artifacts: streak_length_px must be at least 1, got {}", streak_length_px));
    if (!(feedback_loss_probability >= 0.0 && feedback_loss_probability <= 1.0))
        invalid_input(fmt::format("line artifacts: feedback_loss_probability must be in [0, 1], got {}", feedback_loss_probability));
}

LineArtifactEvents apply_line_artifacts(std::span<double> forward, std::span<double> backward, const ScanFrame& frame,
                                        const LineArtifactSettings& s, RandomStream& rng) {
    s.validate();
    frame.validate();
    const int n = frame.pixels;
    const std::size_t count = std::size_t(n) * std::size_t(n);
    if (forward.size() != count || backward.size() != count)
        invalid_input("line artifacts: the images do not match the frame");
    double top = -INFINITY;
    for (double v : forward) top = std::max(top, v);
    for (double v : backward) top = std::max(top, v);
    const double saturated = top + s.feedback_loss_height_nm;
    std::span<double> passes[2] = {forward, backward};
    const auto at = [&](int line, ScanPass pass, int k) -> double& {
        const PixelIndex px = scan_pixel(frame, line, pass, k);
        return passes[static_cast<int>(pass)][std::size_t(px.row) * std::size_t(n) + std::size_t(px.col)];
    };
    LineArtifactEvents events;
    for (int line = 0; line < n; ++line) {
        const double offset = s.line_offset_nm * rng.normal();
        for (ScanPass pass : {ScanPass::Forward, ScanPass::Backward}) {
            for (int k = 0; k < n; ++k) at(line, pass, k) += offset;
            const auto streaks = rng.poisson(s.streak_rate_per_line);
            for (std::uint64_t i = 0; i < streaks; ++i) {
                const int start = static_cast<int>(rng.below(static_cast<std::uint64_t>(n)));
                const double height = s.streak_height_nm * rng.uniform(0.5, 1.5);
                for (int k = start; k < std::min(n, start + s.streak_length_px); ++k) at(line, pass, k) += height;
                ++events.streaks;
            }
        }
        const bool lost = rng.uniform() < s.feedback_loss_probability;
        const int from = static_cast<int>(rng.below(static_cast<std::uint64_t>(n)));
        if (!lost) continue;
        events.lost_lines.push_back(line);
        for (int k = from; k < n; ++k) at(line, ScanPass::Forward, k) = saturated;
        for (int k = 0; k < n; ++k) at(line, ScanPass::Backward, k) = saturated;
    }
    return events;
}

}  // namespace synthstm
