#pragma once
/// Line noise and scars of the recorded topography (DESIGN §3.4, "line noise/scars"), applied
/// to the recorded feedback image line by line in time order:
/// - line offsets: the recorded height of a whole line (both passes) shifted by N(0, σ²), as
///   when the z reference jumps between lines;
/// - streaks: per pass a Poisson number (mean `streak_rate_per_line`) of short runs of
///   `streak_length_px` pixels along the fast axis raised by a height uniform in
///   [0.5, 1.5] × `streak_height_nm` (a particle dragged under the tip for a moment);
/// - lost feedback: with probability `feedback_loss_probability` per line the controller loses
///   track from a random pixel of the forward pass to the end of the line's backward pass; the
///   recorded height there saturates at the image's highest point + `feedback_loss_height_nm`.
/// None of them changes where the tip really was, so z_true and the ground truth are untouched.
#include <span>
#include <vector>

#include "synthstm/core/random.hpp"
#include "synthstm/instrument/lateral.hpp"

namespace synthstm {

/// Amplitudes of the line artifacts; all zero (the default) switches them off.
struct LineArtifactSettings {
    double line_offset_nm = 0.0;             ///< std of the Gaussian offset per line, nm
    double streak_rate_per_line = 0.0;       ///< mean number of streaks per pass
    int streak_length_px = 4;                ///< length of a streak along the fast axis, pixels
    double streak_height_nm = 0.0;           ///< typical height of a streak, nm
    double feedback_loss_probability = 0.0;  ///< probability per line that the feedback loses track
    double feedback_loss_height_nm = 0.3;    ///< saturation above the image's highest point, nm

    /// Throws InvalidInput naming the first bad value.
    void validate() const;
};

/// What was applied, for the sample's record.
struct LineArtifactEvents {
    int streaks = 0;              ///< streaks placed (both passes)
    std::vector<int> lost_lines;  ///< lines (time order) where the feedback lost track
};

/// Applies the artifacts to the two recorded passes (N×N, row-major, row 0 = top line) of the
/// frame. Draws per line, in time order: one normal (offset), per pass a Poisson count (no draw
/// at rate 0) and per streak two uniforms (start, height), then one uniform (loss?) and one
/// (start of the loss); offsets and losses are drawn whatever the amplitudes.
LineArtifactEvents apply_line_artifacts(std::span<double> forward, std::span<double> backward, const ScanFrame& frame,
                                        const LineArtifactSettings& settings, RandomStream& rng);

}  // namespace synthstm
