// Preparing real scans: levelling, resampling and tile positions.
#include <gtest/gtest.h>

#include <cmath>

#include "synthstm/ml/real_scan.hpp"
#include "synthstm/ml/tiling.hpp"

namespace synthstm::ml {
namespace {

TEST(RealScan, PlaneLevellingRemovesATilt) {
    const std::size_t rows = 7, cols = 9;
    std::vector<float> v(rows * cols);
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) v[r * cols + c] = 3.0f + 0.5f * c - 0.25f * r;
    level_plane(v, rows, cols);
    for (float x : v) EXPECT_NEAR(x, 0.0f, 1e-4f);
}

TEST(RealScan, LineLevellingRemovesLineOffsets) {
    const std::size_t rows = 4, cols = 5;
    std::vector<float> v(rows * cols);
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) v[r * cols + c] = 10.0f * r + (c == 2 ? 1.0f : 0.0f);
    level_lines(v, rows, cols);
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) EXPECT_FLOAT_EQ(v[r * cols + c], c == 2 ? 1.0f : 0.0f);
}

TEST(RealScan, ResamplingKeepsLinearRampsAndConstants) {
    const std::size_t rows = 6, cols = 8;
    std::vector<float> v(rows * cols);
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) v[r * cols + c] = static_cast<float>(c);
    const std::vector<float> up = resample(v, rows, cols, 12, 16);
    // Pixel centres aligned: new column j sits at old (j + 0.5) / 2 - 0.5 (clamped at the edges).
    for (std::size_t j = 1; j + 1 < 16; ++j) EXPECT_NEAR(up[3 * 16 + j], (j + 0.5) / 2 - 0.5, 1e-5) << j;
    const std::vector<float> same = resample(v, rows, cols, rows, cols);
    EXPECT_EQ(same, v);
}

TEST(Tiling, TilesCoverTheImageWithTheLastFlush) {
    EXPECT_EQ(tile_starts(64, 64, 32), (std::vector<std::size_t>{0}));
    EXPECT_EQ(tile_starts(40, 64, 32), (std::vector<std::size_t>{0}));
    EXPECT_EQ(tile_starts(100, 64, 32), (std::vector<std::size_t>{0, 32, 36}));
    EXPECT_EQ(tile_starts(128, 64, 32), (std::vector<std::size_t>{0, 32, 64}));
}

}  // namespace
}  // namespace synthstm::ml
