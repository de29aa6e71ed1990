#pragma once
/// Defect map (DESIGN §3.5): clip(1.1 − d/(a/2), 0, 1) per pixel, d the in-plane distance from
/// the pixel's true tip position to the nearest defect of any sublattice and type (0 without defects).
#include <span>
#include <vector>

#include "synthstm/groundtruth/pixel_positions.hpp"
#include "synthstm/lattice/defects.hpp"

namespace synthstm {

/// N×N float map, row-major like the positions.
std::vector<float> defect_map(const TmdMaterial& material, std::span<const Defect> defects,
                              const PixelPositions& positions);

}  // namespace synthstm
