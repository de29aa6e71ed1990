#pragma once
/// Mobile adsorbates (docs/realism.md, section 6): weakly bound molecules or contamination
/// clusters that sit on the surface as blobs of apparent height h and full width w,
///   Δz(d) = h exp(−4 ln 2 · d²/w²),  d the in-plane distance from the blob's centre,
/// and that the tip pushes along while it scans over them. The model acts on the topography of
/// the feedback scan, pixel by pixel in time order (both passes, every line):
/// - the blobs' apparent height at the pixel's true position, with the blobs where they are at
///   that moment, is followed by the controller like any topography: per feedback update the
///   remaining difference shrinks by the factor (1 − g), g = min(kp_rel, 1), and the pixel
///   records the mean over its updates; it is added to the recorded and the true height;
/// - then every blob the tip is on (d < w/2) is pushed with probability p along the direction the
///   tip moves in this pass, by a distance drawn from an exponential of mean `hop_nm`.
/// So a blob is dragged ahead of the tip along the fast axis: it appears elongated, cut off or
/// displaced, differently in the forward and the backward pass. The currents are untouched (the
/// controller keeps them at the setpoint over a blob). The forward-pass pixels where a blob
/// covered the tip (d < w/2) form the adsorbate mask of the ground truth.
#include <cstdint>
#include <span>
#include <vector>

#include "synthstm/core/random.hpp"
#include "synthstm/instrument/lateral.hpp"

namespace synthstm {

/// Density, shape and mobility of the adsorbates; per_nm2 = 0 (the default) switches them off.
struct AdsorbateSettings {
    double per_nm2 = 0.0;          ///< mean number per nm² of the scanned area (Poisson)
    double height_nm = 0.2;        ///< typical apparent height h (each blob uniform 0.8–1.2 × this)
    double width_nm = 0.6;         ///< typical full width at half maximum w (each blob uniform 0.8–1.2 × this)
    double hop_probability = 0.2;  ///< p: probability per pixel on the blob that the tip pushes it
    double hop_nm = 0.3;           ///< mean push distance, nm
    double follow_gain = 1.0;      ///< g in (0, 1]: share of the remaining height followed per update
    int updates_per_pixel = 4;     ///< feedback updates per pixel

    /// Throws InvalidInput naming the first bad value (the schema's key names).
    void validate() const;
};

/// One adsorbate: its centre (sample frame) and shape.
struct Adsorbate {
    double x_nm = 0.0;       ///< centre x
    double y_nm = 0.0;       ///< centre y
    double height_nm = 0.0;  ///< apparent height
    double width_nm = 0.0;   ///< full width at half maximum
};

/// What the adsorbates did during the scan.
struct AdsorbateRecord {
    std::vector<Adsorbate> placed;   ///< before the scan
    std::vector<Adsorbate> final;    ///< after the scan
    int hops = 0;                    ///< pushes by the tip
    std::vector<std::uint8_t> mask;  ///< N×N (forward pass): 1 where a blob covered the tip
};

/// Places the blobs over the trajectory's area (plus one width), then runs the scan in time
/// order and adds their height to the recorded and true heights of both passes (N×N, row-major
/// like the trajectory). Draws: a Poisson count, per blob four uniforms (x, y, height, width),
/// then per pixel and blob under the tip one uniform (push?) and, for a push, one (distance).
AdsorbateRecord apply_adsorbates(std::span<double> recorded_forward, std::span<double> recorded_backward,
                                 std::span<double> true_forward, std::span<double> true_backward,
                                 const ScanFrame& frame, const ScanTrajectory& trajectory,
                                 const AdsorbateSettings& settings, RandomStream& rng);

}  // namespace synthstm
