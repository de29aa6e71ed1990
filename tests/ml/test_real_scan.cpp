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

// Offsets between scan lines go, up to a straight-line trend across the lines (a plane's part):
// what is left minus the features is linear in the line index. A feature over a third of several
// lines (a vacancy) moves no line: a line's own median would lift the lines through it.
TEST(RealScan, LineLevellingRemovesLineOffsetsNotFeatures) {
    const std::size_t rows = 9, cols = 9;
    const float offsets[rows] = {0.0f, 7.0f, -3.0f, 5.0f, 2.5f, -1.0f, 4.0f, 0.5f, -2.0f};
    for (bool columns : {false, true}) {
        std::vector<float> v(rows * cols), feature(rows * cols, 0.0f);
        for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t c = 0; c < cols; ++c) {
                // Lines are rows (or columns); the feature: a pit 3 lines × 3 pixels deep 2.0.
                const std::size_t line = columns ? c : r, k = columns ? r : c;
                // Over a corrugation along the lines (a lattice row), which makes a line's median
                // depend on which pixels the pit takes.
                const bool pit = line >= 2 && line <= 4 && k >= 3 && k <= 5;
                feature[r * cols + c] = std::sin(0.9f * static_cast<float>(k)) + (pit ? -2.0f : 0.0f);
                v[r * cols + c] = offsets[line] + feature[r * cols + c];
            }
        level_lines(v, rows, cols, columns);
        const std::size_t lines = columns ? cols : rows;
        std::vector<double> left(lines);
        for (std::size_t line = 0; line < lines; ++line) {
            // The same residue along the whole line: the pit's pixels were not levelled apart.
            const std::size_t length = columns ? rows : cols;
            for (std::size_t k = 0; k < length; ++k) {
                const std::size_t i = columns ? k * cols + line : line * cols + k;
                const double rest = v[i] - feature[i];
                if (k == 0) left[line] = rest;
                EXPECT_NEAR(rest, left[line], 1e-5) << "line " << line << " pixel " << k << " columns " << columns;
            }
        }
        for (std::size_t line = 2; line < lines; ++line)
            EXPECT_NEAR(left[line] - 2 * left[line - 1] + left[line - 2], 0.0, 1e-5) << "line " << line;
    }
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
