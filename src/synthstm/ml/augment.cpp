#include "synthstm/ml/augment.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm::ml {

void apply_square_symmetry(std::span<float> image, std::size_t n, int symmetry) {
    if (symmetry < 0 || symmetry >= kSquareSymmetries)
        invalid_input(fmt::format("symmetry must be 0–7, got {}", symmetry));
    if (image.size() != n * n) invalid_input(fmt::format("image of {} values is not {} × {}", image.size(), n, n));
    std::vector<float> src(image.begin(), image.end());
    for (int turn = 0; turn < symmetry % 4; ++turn) {
        // A quarter turn: out(r, c) = in(c, n - 1 - r).
        for (std::size_t r = 0; r < n; ++r)
            for (std::size_t c = 0; c < n; ++c) image[r * n + c] = src[c * n + (n - 1 - r)];
        std::copy(image.begin(), image.end(), src.begin());
    }
    if (symmetry >= 4)
        for (std::size_t r = 0; r < n; ++r) std::reverse(image.begin() + static_cast<std::ptrdiff_t>(r * n),
                                                         image.begin() + static_cast<std::ptrdiff_t>((r + 1) * n));
}

void scale_intensity(std::span<float> image, float scale, float offset) {
    for (float& v : image) v = scale * v + offset;
}

}  // namespace synthstm::ml
