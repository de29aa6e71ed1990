#pragma once
/// Ground truth of a stepped surface (docs/realism.md, section 6): which terrace every pixel's
/// true tip position is over, and the labels of each terrace where it is the surface. The upper
/// terrace's labels are those of its own lattice: its sites are the lower lattice's indices
/// mapped by an isometry (lattice/step_edge.hpp), so each pixel's position is mapped back into
/// the lower frame (R_π(p − w)) and labelled there with the upper terrace's defects and
/// relaxation; distances, and so every map, are the same in both frames.
#include <cstdint>
#include <span>
#include <vector>

#include "synthstm/groundtruth/ground_truth.hpp"
#include "synthstm/lattice/step_edge.hpp"

namespace synthstm {

/// N×N map, 1 where the pixel's true position is over the upper terrace, 0 elsewhere.
std::vector<std::uint8_t> terrace_map(const StepEdge& step, const PixelPositions& positions);

/// The labels of a stepped surface. Lower-terrace defects under the upper terrace and
/// upper-terrace defects beyond its edge are buried or absent and left out; the rest keep their
/// order (lower first). Upper-terrace defect labels carry their position on the upper layer
/// (x, y in the sample frame, z = height of the site over the lower top plane, so z ≥ h − c
/// tells the terrace) and their cell index in the lower frame. `upper_relaxation` may be null.
GroundTruth stepped_ground_truth(const TmdMaterial& material, std::span<const Defect> lower_defects,
                                 std::span<const Defect> upper_defects, const StepEdge& step,
                                 const PixelPositions& positions, const ClassMapOptions& options,
                                 const SurfaceFeatures& lower_features, const Relaxation* upper_relaxation);

}  // namespace synthstm
