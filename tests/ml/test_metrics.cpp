// Metrics on hand-made maps, and the symmetry augmentations.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "synthstm/core/error.hpp"
#include "synthstm/ml/augment.hpp"
#include "synthstm/ml/metrics.hpp"

namespace synthstm::ml {
namespace {

constexpr std::size_t kSide = 32;

/// A defect map with a bump of radius 2.5 px at each position.
std::vector<float> bumps(const std::vector<TruthDefect>& at) {
    std::vector<float> m(kSide * kSide, 0.0f);
    for (std::size_t r = 0; r < kSide; ++r)
        for (std::size_t c = 0; c < kSide; ++c)
            for (const TruthDefect& d : at) {
                const double dist = std::hypot(static_cast<double>(c) - d.x_px, static_cast<double>(r) - d.y_px);
                m[r * kSide + c] = std::max(m[r * kSide + c], static_cast<float>(std::clamp(1.1 - dist / 2.5, 0.0, 1.0)));
            }
    return m;
}

TEST(Metrics, PerfectPredictionScoresOne) {
    const std::vector<TruthDefect> truth = {{5, 6}, {20, 9}, {12, 25}};
    const std::vector<float> map = bumps(truth);
    MapErrors e;
    e.add(map, map);
    EXPECT_EQ(e.mse(), 0.0);
    EXPECT_EQ(e.smooth_l1(), 0.0);
    EXPECT_EQ(e.r2(), 1.0);
    const std::vector<Peak> peaks = find_peaks(map, kSide, kSide, 0.5, 2.0);
    ASSERT_EQ(peaks.size(), 3u);
    const DetectionCounts c = match_detections(peaks, truth, 2.0);
    EXPECT_EQ(c.true_positives, 3u);
    EXPECT_EQ(c.f1(), 1.0);
    EXPECT_EQ(c.precision(), 1.0);
    EXPECT_EQ(c.recall(), 1.0);
}

TEST(Metrics, ShiftedDefectIsOneMissAndOneFalseAlarm) {
    const std::vector<TruthDefect> truth = {{5, 6}, {20, 9}};
    const std::vector<float> predicted = bumps({{5, 6}, {26, 9}});  // second one 6 px away
    std::vector<bool> truth_found;
    const DetectionCounts c = match_detections(find_peaks(predicted, kSide, kSide, 0.5, 2.0), truth, 2.0, &truth_found);
    EXPECT_EQ(truth_found, (std::vector<bool>{true, false}));  // which defect was found
    EXPECT_EQ(c.true_positives, 1u);
    EXPECT_EQ(c.false_positives, 1u);
    EXPECT_EQ(c.false_negatives, 1u);
    EXPECT_DOUBLE_EQ(c.f1(), 0.5);
    // Within the tolerance it counts as found.
    const DetectionCounts near = match_detections(find_peaks(bumps({{5, 6}, {21, 10}}), kSide, kSide, 0.5, 2.0), truth, 2.0);
    EXPECT_EQ(near.true_positives, 2u);
}

// A defect just outside the image marks the defect map at the border: the peak there is matched
// to it and counts neither as a hit nor as a false alarm, and left unfound it is no miss.
TEST(Metrics, DefectOutsideTheImageIsNeitherHitNorFalseAlarm) {
    const std::vector<TruthDefect> truth = {{5, 6}, {20, 9}, {-1.0, 12, false, false}};
    const std::vector<float> predicted = bumps({{5, 6}, {0, 12}});  // the second peak at the border
    const std::vector<Peak> peaks = find_peaks(predicted, kSide, kSide, 0.5, 2.0);
    ASSERT_EQ(peaks.size(), 2u);
    const DetectionCounts c = match_detections(peaks, truth, 2.0);
    EXPECT_EQ(c.true_positives, 1u);
    EXPECT_EQ(c.false_positives, 0u);
    EXPECT_EQ(c.false_negatives, 1u);  // (20, 9), not the one outside
    // Listed as inside, the same peak is a false alarm and the defect a miss.
    std::vector<TruthDefect> inside = truth;
    inside[2].in_image = true;
    inside[2].x_px = 30.0;
    const DetectionCounts d = match_detections(peaks, inside, 2.0);
    EXPECT_EQ(d.false_positives, 1u);
    EXPECT_EQ(d.false_negatives, 2u);
    // A defect outside slightly nearer to a peak than one inside does not take it from it.
    const std::vector<TruthDefect> rivals = {{1.5, 12}, {-0.2, 12, false, false}};
    const DetectionCounts e = match_detections({Peak{0.5, 12, 1.0}}, rivals, 2.0);
    EXPECT_EQ(e.true_positives, 1u);
    EXPECT_EQ(e.false_negatives, 0u);
}

TEST(Metrics, ErrorsAndR2OnKnownValues) {
    MapErrors e;
    e.add(std::vector<float>{0, 0, 0, 0}, std::vector<float>{0, 1, 0, 1});
    EXPECT_DOUBLE_EQ(e.mse(), 0.5);
    EXPECT_DOUBLE_EQ(e.smooth_l1(), 0.25);
    EXPECT_DOUBLE_EQ(e.r2(), -1.0);  // Σ(p−t)² = 2, Σ(t−0.5)² = 1
    MapErrors mean;
    mean.add(std::vector<float>{0.5, 0.5}, std::vector<float>{0, 1});
    EXPECT_DOUBLE_EQ(mean.r2(), 0.0);
    EXPECT_THROW(e.add(std::vector<float>{0}, std::vector<float>{0, 1}), Error);
}

TEST(Metrics, NonMaximumSuppressionKeepsTheStrongest) {
    std::vector<float> m(kSide * kSide, 0.0f);
    m[10 * kSide + 10] = 0.9f;
    m[10 * kSide + 12] = 0.8f;  // a second maximum 2 px away
    m[20 * kSide + 20] = 0.4f;  // below the threshold
    const std::vector<Peak> p = find_peaks(m, kSide, kSide, 0.5, 3.0);
    ASSERT_EQ(p.size(), 1u);
    EXPECT_DOUBLE_EQ(p[0].x_px, 10.0);
    EXPECT_DOUBLE_EQ(p[0].score, 0.9f);
    EXPECT_EQ(find_peaks(m, kSide, kSide, 0.5, 1.0).size(), 2u);
}

TEST(Augment, SymmetriesFormTheGroupOfTheSquare) {
    const std::size_t n = 5;
    std::vector<float> base(n * n);
    std::iota(base.begin(), base.end(), 0.0f);
    std::vector<std::vector<float>> seen;
    for (int s = 0; s < kSquareSymmetries; ++s) {
        std::vector<float> v = base;
        apply_square_symmetry(v, n, s);
        for (const auto& other : seen) EXPECT_NE(v, other) << "symmetry " << s;
        seen.push_back(v);
    }
    EXPECT_EQ(seen[0], base);
    std::vector<float> v = base;
    for (int k = 0; k < 4; ++k) apply_square_symmetry(v, n, 1);
    EXPECT_EQ(v, base);
    // A quarter turn moves (row 0, col n-1) to (row 0, col 0).
    v = base;
    apply_square_symmetry(v, n, 1);
    EXPECT_EQ(v[0], base[n - 1]);
    apply_square_symmetry(v = base, n, 4);
    apply_square_symmetry(v, n, 4);
    EXPECT_EQ(v, base);
    EXPECT_THROW(apply_square_symmetry(v, n, 8), Error);
    EXPECT_THROW(apply_square_symmetry(v, n + 1, 0), Error);
}

}  // namespace
}  // namespace synthstm::ml
