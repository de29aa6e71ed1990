#include "synthstm/ml/batches.hpp"

#include <algorithm>
#include <numeric>
#include <vector>

#include "synthstm/ml/augment.hpp"

namespace synthstm::ml {

BatchSource::BatchSource(const TrainingData& data, std::uint64_t first, std::uint64_t end, int batch,
                         std::uint64_t block)
    : data_(data), first_(first), end_(end), batch_(std::max(1, batch)) {
    const auto b = static_cast<std::uint64_t>(batch_);
    block_ = std::max<std::uint64_t>(1, (std::max<std::uint64_t>(block, 1) + b - 1) / b) * b;
}

std::int64_t BatchSource::batches_per_pass() const {
    std::int64_t n = 0;
    for (std::uint64_t start = first_; start < end_; start += block_) {
        const std::uint64_t count = std::min(block_, end_ - start);
        n += static_cast<std::int64_t>((count + static_cast<std::uint64_t>(batch_) - 1) / static_cast<std::uint64_t>(batch_));
    }
    return n;
}

void BatchSource::pass(std::mt19937_64* rng, bool augment, torch::Device device,
                       const std::function<bool(const torch::Tensor&, const torch::Tensor&)>& fn) const {
    std::vector<std::uint64_t> starts;
    for (std::uint64_t start = first_; start < end_; start += block_) starts.push_back(start);
    if (rng) std::shuffle(starts.begin(), starts.end(), *rng);
    const auto n = static_cast<std::size_t>(data_.pixels());
    const std::size_t image = n * n;
    std::uniform_int_distribution<int> symmetry(0, kSquareSymmetries - 1);
    std::uniform_real_distribution<float> scale(0.8f, 1.2f), offset(-0.1f, 0.1f);
    for (std::uint64_t start : starts) {
        SampleBlock block = data_.read(start, std::min(block_, end_ - start));
        const auto channels = static_cast<std::size_t>(block.channels);
        std::vector<std::size_t> order(block.count);
        std::iota(order.begin(), order.end(), std::size_t{0});
        if (rng) std::shuffle(order.begin(), order.end(), *rng);
        for (std::size_t at = 0; at < order.size(); at += static_cast<std::size_t>(batch_)) {
            const std::size_t count = std::min(order.size() - at, static_cast<std::size_t>(batch_));
            std::vector<float> x(count * channels * image), y(count * 2 * image);
            for (std::size_t k = 0; k < count; ++k) {
                const std::size_t s = order[at + k];
                std::copy_n(block.inputs.begin() + static_cast<std::ptrdiff_t>(s * channels * image), channels * image,
                            x.begin() + static_cast<std::ptrdiff_t>(k * channels * image));
                std::copy_n(block.targets.begin() + static_cast<std::ptrdiff_t>(2 * s * image), 2 * image,
                            y.begin() + static_cast<std::ptrdiff_t>(2 * k * image));
                if (augment && rng) {
                    const int sym = symmetry(*rng);
                    for (std::size_t c = 0; c < channels; ++c) {
                        const std::span<float> input = std::span(x).subspan((k * channels + c) * image, image);
                        apply_square_symmetry(input, n, sym);
                        scale_intensity(input, scale(*rng), offset(*rng));
                    }
                    apply_square_symmetry(std::span(y).subspan(2 * k * image, image), n, sym);
                    apply_square_symmetry(std::span(y).subspan((2 * k + 1) * image, image), n, sym);
                }
            }
            const auto b = static_cast<std::int64_t>(count), side = static_cast<std::int64_t>(n);
            torch::Tensor xt =
                torch::from_blob(x.data(), {b, static_cast<std::int64_t>(channels), side, side}, torch::kFloat32)
                    .clone()
                    .to(device);
            torch::Tensor yt = torch::from_blob(y.data(), {b, 2, side, side}, torch::kFloat32).clone().to(device);
            if (!fn(xt, yt)) return;
        }
    }
}

}  // namespace synthstm::ml
