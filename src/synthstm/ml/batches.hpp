#pragma once
/// Mini-batches of a range of dataset samples as tensors: the range is read block by block (so a
/// dataset larger than memory streams), blocks and the samples within a block in random order,
/// each sample under a random symmetry of the square and a random intensity change when asked.
/// Internal to ml/ (it includes LibTorch).
#include <cstdint>
#include <functional>
#include <random>

#include <torch/torch.h>

#include "synthstm/ml/training_data.hpp"

namespace synthstm::ml {

/// Batches over samples [first, end) of a dataset.
class BatchSource {
public:
    /// A source over [first, end) of `data` (which must outlive it); `block` samples are read at a
    /// time (rounded up to whole batches).
    BatchSource(const TrainingData& data, std::uint64_t first, std::uint64_t end, int batch, std::uint64_t block);
    /// Samples in the range.
    [[nodiscard]] std::uint64_t samples() const { return end_ - first_; }
    /// Batches in one pass.
    [[nodiscard]] std::int64_t batches_per_pass() const;
    /// One pass: calls fn(inputs [B, C, H, W], targets [B, 2, H, W]) for every batch, on `device`,
    /// until fn returns false. Shuffles and augments with `rng` when given, else goes in order.
    void pass(std::mt19937_64* rng, bool augment, torch::Device device,
              const std::function<bool(const torch::Tensor&, const torch::Tensor&)>& fn) const;

private:
    const TrainingData& data_;
    std::uint64_t first_, end_, block_;
    int batch_;
};

}  // namespace synthstm::ml
