#include "synthstm/ml/batches.hpp"

#include <algorithm>
#include <numeric>
#include <vector>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/ml/augment.hpp"

namespace synthstm::ml {

BatchSource::BatchSource(std::vector<SampleRange> ranges, int batch, std::uint64_t block)
    : ranges_(std::move(ranges)), batch_(std::max(1, batch)) {
    const auto b = static_cast<std::uint64_t>(batch_);
    block_ = std::max<std::uint64_t>(1, (std::max<std::uint64_t>(block, 1) + b - 1) / b) * b;
    for (const SampleRange& r : ranges_) {
        if (r.data == nullptr || r.first > r.end || r.end > r.data->samples())
            invalid_input("a sample range outside its dataset");
        if (r.data->pixels() != ranges_.front().data->pixels() || r.data->channels() != ranges_.front().data->channels())
            invalid_input(fmt::format("{} holds {} px images of {} input channels, {} holds {} px of {}",
                                      r.data->file().string(), r.data->pixels(), r.data->channels(),
                                      ranges_.front().data->file().string(), ranges_.front().data->pixels(),
                                      ranges_.front().data->channels()));
    }
}

std::uint64_t BatchSource::samples() const {
    std::uint64_t n = 0;
    for (const SampleRange& r : ranges_) n += r.end - r.first;
    return n;
}

std::vector<BatchSource::Block> BatchSource::blocks() const {
    std::vector<Block> out;
    for (std::size_t k = 0; k < ranges_.size(); ++k)
        for (std::uint64_t start = ranges_[k].first; start < ranges_[k].end; start += block_)
            out.push_back({k, start, std::min(block_, ranges_[k].end - start)});
    return out;
}

std::int64_t BatchSource::batches_per_pass() const {
    std::int64_t n = 0;
    const auto b = static_cast<std::uint64_t>(batch_);
    for (const Block& block : blocks()) n += static_cast<std::int64_t>((block.count + b - 1) / b);
    return n;
}

void BatchSource::pass(std::mt19937_64* rng, bool augment, torch::Device device,
                       const std::function<bool(const torch::Tensor&, const torch::Tensor&)>& fn) const {
    std::vector<Block> starts = blocks();
    if (starts.empty()) return;
    if (rng) std::shuffle(starts.begin(), starts.end(), *rng);
    const auto n = static_cast<std::size_t>(ranges_.front().data->pixels());
    const std::size_t image = n * n;
    std::uniform_int_distribution<int> symmetry(0, kSquareSymmetries - 1);
    std::uniform_real_distribution<float> scale(0.8f, 1.2f), offset(-0.1f, 0.1f);
    for (const Block& at_block : starts) {
        SampleBlock block = ranges_[at_block.range].data->read(at_block.start, at_block.count);
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
