#pragma once
/// Lattice map (DESIGN §3.5): clip(1.1 − d/(a/2), 0, 1) per pixel, d the in-plane distance from
/// the pixel's true tip position to the nearest top-layer (top chalcogen) site, occupied or vacant,
/// at its relaxed position when a relaxation is given (lattice/relaxation.hpp).
#include <vector>

#include "synthstm/groundtruth/pixel_positions.hpp"
#include "synthstm/lattice/relaxation.hpp"

namespace synthstm {

/// N×N float map, row-major like the positions.
std::vector<float> lattice_map(const TmdMaterial& material, const PixelPositions& positions,
                               const Relaxation* relaxation = nullptr);

}  // namespace synthstm
