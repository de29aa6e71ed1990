#include "synthstm/ml/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm::ml {

void MapErrors::add(std::span<const float> prediction, std::span<const float> target) {
    if (prediction.size() != target.size())
        invalid_input(fmt::format("prediction has {} values, target {}", prediction.size(), target.size()));
    for (std::size_t i = 0; i < target.size(); ++i) {
        const double t = target[i];
        const double d = static_cast<double>(prediction[i]) - t;
        const double a = std::abs(d);
        sq_ += d * d;
        huber_ += a < 1.0 ? 0.5 * d * d : a - 0.5;
        t_sum_ += t;
        t_sq_ += t * t;
    }
    n_ += target.size();
}

double MapErrors::mse() const { return n_ ? sq_ / static_cast<double>(n_) : 0.0; }

double MapErrors::smooth_l1() const { return n_ ? huber_ / static_cast<double>(n_) : 0.0; }

double MapErrors::r2() const {
    if (n_ == 0) return 0.0;
    const double n = static_cast<double>(n_);
    const double total = t_sq_ - t_sum_ * t_sum_ / n;
    if (total <= 1e-12 * n) return sq_ == 0.0 ? 1.0 : -std::numeric_limits<double>::infinity();
    return 1.0 - sq_ / total;
}

nlohmann::json MapErrors::to_json() const {
    return {{"mse", mse()}, {"smooth_l1", smooth_l1()}, {"r2", r2()}, {"pixels", n_}};
}

std::vector<Peak> find_peaks(std::span<const float> map, std::size_t rows, std::size_t cols, double threshold,
                             double min_distance_px) {
    if (map.size() != rows * cols) invalid_input(fmt::format("map of {} values is not {} × {}", map.size(), rows, cols));
    const auto at = [&](std::ptrdiff_t r, std::ptrdiff_t c) {
        return map[static_cast<std::size_t>(r) * cols + static_cast<std::size_t>(c)];
    };
    const auto nr = static_cast<std::ptrdiff_t>(rows), nc = static_cast<std::ptrdiff_t>(cols);
    std::vector<Peak> candidates;
    for (std::ptrdiff_t r = 0; r < nr; ++r)
        for (std::ptrdiff_t c = 0; c < nc; ++c) {
            const float v = at(r, c);
            if (!(v > threshold)) continue;
            bool is_max = true;
            double wx = 0, wy = 0, w = 0;
            for (std::ptrdiff_t dr = -1; dr <= 1; ++dr)
                for (std::ptrdiff_t dc = -1; dc <= 1; ++dc) {
                    const std::ptrdiff_t rr = r + dr, cc = c + dc;
                    if (rr < 0 || cc < 0 || rr >= nr || cc >= nc) continue;
                    const float u = at(rr, cc);
                    if (u > v) is_max = false;
                    const double weight = std::max(0.0, static_cast<double>(u) - threshold);
                    wx += weight * static_cast<double>(cc);
                    wy += weight * static_cast<double>(rr);
                    w += weight;
                }
            if (is_max) candidates.push_back({wx / w, wy / w, v});
        }
    std::stable_sort(candidates.begin(), candidates.end(), [](const Peak& a, const Peak& b) { return a.score > b.score; });
    std::vector<Peak> kept;
    for (const Peak& p : candidates) {
        const bool near = std::any_of(kept.begin(), kept.end(), [&](const Peak& q) {
            return std::hypot(p.x_px - q.x_px, p.y_px - q.y_px) < min_distance_px;
        });
        if (!near) kept.push_back(p);
    }
    return kept;
}

double DetectionCounts::precision() const {
    const std::size_t found = true_positives + false_positives;
    return found ? static_cast<double>(true_positives) / static_cast<double>(found) : 1.0;
}

double DetectionCounts::recall() const {
    const std::size_t real = true_positives + false_negatives;
    return real ? static_cast<double>(true_positives) / static_cast<double>(real) : 1.0;
}

double DetectionCounts::f1() const {
    const double p = precision(), r = recall();
    return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}

DetectionCounts& DetectionCounts::operator+=(const DetectionCounts& other) {
    true_positives += other.true_positives;
    false_positives += other.false_positives;
    false_negatives += other.false_negatives;
    return *this;
}

nlohmann::json DetectionCounts::to_json() const {
    return {{"true_positives", true_positives}, {"false_positives", false_positives},
            {"false_negatives", false_negatives}, {"precision", precision()},
            {"recall", recall()}, {"f1", f1()}};
}

DetectionCounts match_detections(const std::vector<Peak>& found, const std::vector<TruthDefect>& truth,
                                 double tolerance_px, std::vector<bool>* truth_found) {
    // Two passes, each one to one and closest pairs first: the defects inside the image take
    // their peaks first, then those outside take what is left (so that a defect outside never
    // takes a peak from one inside).
    std::vector<bool> found_used(found.size(), false), truth_used(truth.size(), false);
    const auto match = [&](bool inside) {
        std::vector<std::tuple<double, std::size_t, std::size_t>> pairs;
        for (std::size_t i = 0; i < found.size(); ++i)
            for (std::size_t j = 0; j < truth.size(); ++j) {
                if (truth[j].in_image != inside || found_used[i]) continue;
                const double d = std::hypot(found[i].x_px - truth[j].x_px, found[i].y_px - truth[j].y_px);
                if (d <= tolerance_px) pairs.emplace_back(d, i, j);
            }
        std::sort(pairs.begin(), pairs.end());
        std::size_t matched = 0;
        for (const auto& [d, i, j] : pairs) {
            if (found_used[i] || truth_used[j]) continue;
            found_used[i] = truth_used[j] = true;
            ++matched;
        }
        return matched;
    };
    DetectionCounts c;
    c.true_positives = match(true);
    const std::size_t matched_outside = match(false);
    const auto inside = static_cast<std::size_t>(
        std::count_if(truth.begin(), truth.end(), [](const TruthDefect& t) { return t.in_image; }));
    c.false_positives = found.size() - c.true_positives - matched_outside;
    c.false_negatives = inside - c.true_positives;
    if (truth_found) *truth_found = truth_used;
    return c;
}

}  // namespace synthstm::ml
