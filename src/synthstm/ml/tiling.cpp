#include "synthstm/ml/tiling.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/ml/training_data.hpp"

namespace synthstm::ml {

std::vector<std::size_t> tile_starts(std::size_t length, std::size_t tile, std::size_t step) {
    if (length <= tile) return {0};
    std::vector<std::size_t> starts;
    for (std::size_t s = 0; s + tile < length; s += std::max<std::size_t>(1, step)) starts.push_back(s);
    starts.push_back(length - tile);
    return starts;
}

std::vector<float> predict_tiled(const Predictor& predictor, const std::vector<float>& image, std::size_t rows,
                                 std::size_t cols) {
    const auto side = static_cast<std::size_t>(predictor.info().pixels);
    const auto outputs = static_cast<std::size_t>(predictor.info().unet.out_channels);
    const auto channels = static_cast<std::size_t>(predictor.info().unet.in_channels);
    if (image.size() != channels * rows * cols)
        invalid_input(fmt::format("{} values are not {} channels of {} × {}", image.size(), channels, rows, cols));
    const std::size_t th = std::min(side, rows), tw = std::min(side, cols);
    std::vector<double> sum(outputs * rows * cols, 0.0), weight(rows * cols, 0.0);
    // Weight 1 in the middle falling linearly to a small value at the tile edge.
    const auto ramp = [](std::size_t i, std::size_t n) {
        const double edge = static_cast<double>(std::min(i, n - 1 - i)) + 1.0;
        return std::min(1.0, edge / (static_cast<double>(n) / 4.0 + 1.0));
    };
    for (std::size_t r0 : tile_starts(rows, th, side / 2))
        for (std::size_t c0 : tile_starts(cols, tw, side / 2)) {
            std::vector<float> tile(channels * th * tw);
            for (std::size_t ch = 0; ch < channels; ++ch) {
                for (std::size_t r = 0; r < th; ++r)
                    std::copy_n(image.begin() + static_cast<std::ptrdiff_t>((ch * rows + r0 + r) * cols + c0), tw,
                                tile.begin() + static_cast<std::ptrdiff_t>((ch * th + r) * tw));
                scale_to_unit(std::span<float>(tile).subspan(ch * th * tw, th * tw));
            }
            const std::vector<float> maps = predictor.predict(tile, 1, th, tw);
            for (std::size_t r = 0; r < th; ++r)
                for (std::size_t c = 0; c < tw; ++c) {
                    const double w = ramp(r, th) * ramp(c, tw);
                    const std::size_t at = (r0 + r) * cols + c0 + c;
                    weight[at] += w;
                    for (std::size_t k = 0; k < outputs; ++k) sum[k * rows * cols + at] += w * maps[(k * th + r) * tw + c];
                }
        }
    std::vector<float> out(sum.size());
    for (std::size_t k = 0; k < outputs; ++k)
        for (std::size_t i = 0; i < rows * cols; ++i) out[k * rows * cols + i] = static_cast<float>(sum[k * rows * cols + i] / weight[i]);
    return out;
}

}  // namespace synthstm::ml
