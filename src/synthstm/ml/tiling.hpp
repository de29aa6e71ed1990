#pragma once
/// Prediction on images larger than the training images: overlapping tiles of the training size
/// (half a tile apart), each scaled to 0–1 by its own minimum and maximum as the training inputs
/// were, blended with weights that fall off towards the tile edges. No LibTorch here.
#include <cstddef>
#include <vector>

#include "synthstm/ml/predictor.hpp"

namespace synthstm::ml {

/// Start offsets of tiles of `tile` pixels covering `length` pixels, `step` apart, the last one
/// flush with the end; one tile at 0 when length <= tile.
std::vector<std::size_t> tile_starts(std::size_t length, std::size_t tile, std::size_t step);

/// The model's maps of a rows × cols image with the model's input channels (channels × rows ×
/// cols, any units; each channel of each tile is scaled to 0–1 on its own): outputs × rows × cols.
std::vector<float> predict_tiled(const Predictor& predictor, const std::vector<float>& image, std::size_t rows,
                                 std::size_t cols);

}  // namespace synthstm::ml
