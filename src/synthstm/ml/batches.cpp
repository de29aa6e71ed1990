#include "synthstm/ml/batches.hpp"

#include <algorithm>
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

std::vector<std::vector<BlockRef>> block_groups(const std::vector<SampleRange>& ranges, std::uint64_t block,
                                                std::mt19937_64* rng) {
    block = std::max<std::uint64_t>(block, 1);
    std::vector<std::vector<BlockRef>> per_range(ranges.size());
    for (std::size_t k = 0; k < ranges.size(); ++k)
        for (std::uint64_t start = ranges[k].first; start < ranges[k].end; start += block)
            per_range[k].push_back({k, start, std::min(block, ranges[k].end - start)});
    if (rng)
        for (auto& list : per_range) std::shuffle(list.begin(), list.end(), *rng);
    std::size_t count = 0;
    for (const auto& list : per_range) count = std::max(count, list.size());
    // Block j of a range with n blocks joins group j·count/n: every dataset spread evenly over
    // the pass, so that batches mix them in proportion all through it.
    std::vector<std::vector<BlockRef>> out(count);
    for (const auto& list : per_range)
        for (std::size_t j = 0; j < list.size(); ++j) out[j * count / list.size()].push_back(list[j]);
    if (rng && ranges.size() > 1) std::shuffle(out.begin(), out.end(), *rng);
    return out;
}

std::int64_t BatchSource::batches_per_pass() const {
    const auto b = static_cast<std::uint64_t>(batch_);
    return static_cast<std::int64_t>((samples() + b - 1) / b);
}

void BatchSource::pass(std::mt19937_64* rng, bool augment, torch::Device device,
                       const std::function<bool(const torch::Tensor&, const torch::Tensor&)>& fn) const {
    const std::vector<std::vector<BlockRef>> order_of_groups = block_groups(ranges_, block_, rng);
    const auto n = static_cast<std::size_t>(ranges_.front().data->pixels());
    const auto channels = static_cast<std::size_t>(ranges_.front().data->channels());
    const std::size_t image = n * n, batch = static_cast<std::size_t>(batch_);
    std::uniform_int_distribution<int> symmetry(0, kSquareSymmetries - 1);
    std::uniform_real_distribution<float> scale(0.8f, 1.2f), offset(-0.1f, 0.1f);
    // The batch being filled; it carries over from one group to the next, so every batch but the
    // pass's last is full whatever the groups hold.
    std::vector<float> x(batch * channels * image), y(batch * 2 * image);
    std::size_t filled = 0;
    const auto emit = [&]() {
        const auto b = static_cast<std::int64_t>(filled), side = static_cast<std::int64_t>(n);
        torch::Tensor xt = torch::from_blob(x.data(), {b, static_cast<std::int64_t>(channels), side, side}, torch::kFloat32)
                               .clone()
                               .to(device);
        torch::Tensor yt = torch::from_blob(y.data(), {b, 2, side, side}, torch::kFloat32).clone().to(device);
        filled = 0;
        return fn(xt, yt);
    };
    for (const std::vector<BlockRef>& group : order_of_groups) {
        // A dataset's samples are independent draws, so a block is a fair sample of its dataset;
        // batches drawn from one block alone would give batch norm one dataset's statistics at a
        // time and leave its running statistics to whichever dataset came last.
        std::vector<SampleBlock> blocks;
        std::vector<std::pair<std::size_t, std::size_t>> samples;  // (block, sample in it)
        for (const BlockRef& at : group) {
            blocks.push_back(ranges_[at.range].data->read(at.start, at.count));
            for (std::size_t s = 0; s < at.count; ++s) samples.emplace_back(blocks.size() - 1, s);
        }
        if (rng) std::shuffle(samples.begin(), samples.end(), *rng);
        for (const auto& [b, s] : samples) {
            const SampleBlock& block = blocks[b];
            const std::size_t k = filled++;
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
            if (filled == batch && !emit()) return;
        }
    }
    if (filled > 0) emit();
}

}  // namespace synthstm::ml
