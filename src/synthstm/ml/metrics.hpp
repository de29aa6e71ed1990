#pragma once
/// How good a prediction is (docs/ml.md): per-map MSE, Smooth L1 and R², and defect detection —
/// local maxima of the defect map above a threshold with non-maximum suppression, matched one to
/// one to the true defects within a tolerance, counted as precision, recall and F1. No LibTorch.
#include <cstddef>
#include <span>
#include <vector>

#include <nlohmann/json.hpp>

#include "synthstm/ml/training_data.hpp"

namespace synthstm::ml {

/// Pixel-wise errors of one map, accumulated over any number of images.
class MapErrors {
public:
    /// Adds the pixels of one prediction and its target (same size; throws InvalidInput if not).
    void add(std::span<const float> prediction, std::span<const float> target);
    /// Mean squared error.
    [[nodiscard]] double mse() const;
    /// Mean Smooth L1 (Huber with β = 1): ½d² for |d| < 1, |d| − ½ otherwise.
    [[nodiscard]] double smooth_l1() const;
    /// 1 − Σ(p − t)² / Σ(t − mean t)² over all pixels added; 1 for a perfect prediction of a flat
    /// target, −inf for an imperfect one.
    [[nodiscard]] double r2() const;
    /// Pixels added.
    [[nodiscard]] std::size_t count() const { return n_; }
    /// {"mse", "smooth_l1", "r2", "pixels"}.
    [[nodiscard]] nlohmann::json to_json() const;

private:
    std::size_t n_ = 0;
    double sq_ = 0, huber_ = 0, t_sum_ = 0, t_sq_ = 0;
};

/// A detected defect.
struct Peak {
    double x_px = 0;   ///< column (weighted centre of the 3×3 neighbourhood)
    double y_px = 0;   ///< row (row 0 = first row of the array)
    double score = 0;  ///< value of the map at the maximum
};

/// Local maxima (≥ all 8 neighbours) of a rows × cols map above `threshold`, strongest first;
/// a maximum closer than `min_distance_px` to a stronger accepted one is dropped.
std::vector<Peak> find_peaks(std::span<const float> map, std::size_t rows, std::size_t cols, double threshold,
                             double min_distance_px);

/// Counts of a detection against the truth.
struct DetectionCounts {
    std::size_t true_positives = 0;   ///< detections matched to a true defect
    std::size_t false_positives = 0;  ///< detections matched to none (false alarms)
    std::size_t false_negatives = 0;  ///< true defects matched by none (misses)

    /// tp / (tp + fp); 1 when nothing was detected.
    [[nodiscard]] double precision() const;
    /// tp / (tp + fn); 1 when there was nothing to find.
    [[nodiscard]] double recall() const;
    /// Harmonic mean of precision and recall; 0 when both are 0.
    [[nodiscard]] double f1() const;
    /// Adds another image's counts.
    DetectionCounts& operator+=(const DetectionCounts& other);
    /// {"true_positives", "false_positives", "false_negatives", "precision", "recall", "f1"}.
    [[nodiscard]] nlohmann::json to_json() const;
};

/// Matches detections to true defects one to one, closest pairs first, a pair only when closer
/// than or at `tolerance_px`. A defect outside the image (in_image false) is one the defect map
/// marks at the border: a detection matched to it (after the defects inside have taken theirs)
/// is neither a hit nor a false alarm, and it is no miss when nothing finds it. `truth_found`,
/// when given, receives for each true defect whether a detection matched it.
DetectionCounts match_detections(const std::vector<Peak>& found, const std::vector<TruthDefect>& truth,
                                 double tolerance_px, std::vector<bool>* truth_found = nullptr);

}  // namespace synthstm::ml
