#pragma once
/// Mini-batches of a range of dataset samples as tensors: the range is read block by block (so a
/// dataset larger than memory streams), blocks and the samples within a block in random order,
/// each sample under a random symmetry of the square and a random intensity change when asked.
/// Internal to ml/ (it includes LibTorch).
#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include <torch/torch.h>

#include "synthstm/ml/training_data.hpp"

namespace synthstm::ml {

/// Samples [first, end) of one dataset (which must outlive the BatchSource).
struct SampleRange {
    const TrainingData* data = nullptr;
    std::uint64_t first = 0;
    std::uint64_t end = 0;
};

/// Consecutive samples [start, start + count) of range `range`, read at once.
struct BlockRef {
    std::size_t range = 0;
    std::uint64_t start = 0;
    std::uint64_t count = 0;
};

/// The blocks of `block` samples of the ranges, in groups read together: each range's blocks in
/// order (shuffled with rng when given), block j of a range with n blocks in group j·G/n (G the
/// largest n), so every range is spread evenly over the groups; the groups shuffled with rng when
/// there are several ranges. Only the ranges' first and end are read.
std::vector<std::vector<BlockRef>> block_groups(const std::vector<SampleRange>& ranges, std::uint64_t block,
                                                std::mt19937_64* rng);

/// Batches over ranges of samples of one or more datasets of the same image size.
class BatchSource {
public:
    /// A source over the ranges; `block` samples are read at a time (rounded up to whole
    /// batches). A pass reads groups of blocks, one or more of each range spread evenly over the
    /// pass, and draws batches from each group's samples shuffled together, so every batch mixes
    /// the datasets in proportion. Throws InvalidInput when the datasets' image sizes or channel
    /// counts differ.
    BatchSource(std::vector<SampleRange> ranges, int batch, std::uint64_t block);
    /// A source over [first, end) of `data`.
    BatchSource(const TrainingData& data, std::uint64_t first, std::uint64_t end, int batch, std::uint64_t block)
        : BatchSource(std::vector<SampleRange>{{&data, first, end}}, batch, block) {}
    /// Samples in the ranges.
    [[nodiscard]] std::uint64_t samples() const;
    /// Batches in one pass.
    [[nodiscard]] std::int64_t batches_per_pass() const;
    /// One pass: calls fn(inputs [B, C, H, W], targets [B, 2, H, W]) for every batch, on `device`,
    /// until fn returns false. Shuffles and augments with `rng` when given, else goes in order.
    void pass(std::mt19937_64* rng, bool augment, torch::Device device,
              const std::function<bool(const torch::Tensor&, const torch::Tensor&)>& fn) const;

private:
    std::vector<SampleRange> ranges_;
    std::uint64_t block_;
    int batch_;
};

}  // namespace synthstm::ml
