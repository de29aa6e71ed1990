#include "synthstm/ml/predictor.hpp"

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/ml/unet.hpp"

namespace synthstm::ml {

struct Predictor::Impl {
    ModelInfo info;
    torch::Device device{torch::kCPU};
    UNet net{nullptr};
    bool average_symmetries = false;
};

namespace {

/// Symmetry s ∈ [0, 8) of the square on the last two axes: s mod 4 quarter turns, then a mirror
/// of the columns when s ≥ 4; `inverse` undoes it.
torch::Tensor square_symmetry(const torch::Tensor& x, int s, bool inverse) {
    const std::int64_t turns = s % 4;
    if (!inverse) {
        torch::Tensor y = torch::rot90(x, turns, {2, 3});
        return s >= 4 ? torch::flip(y, {3}) : y;
    }
    torch::Tensor y = s >= 4 ? torch::flip(x, {3}) : x;
    return torch::rot90(y, -turns, {2, 3});
}

}  // namespace

Predictor::Predictor(const std::filesystem::path& run_dir, const std::string& device, bool average_symmetries)
    : impl_(std::make_unique<Impl>()) {
    impl_->average_symmetries = average_symmetries;
    impl_->info = ModelInfo::read(run_dir);
    impl_->device = parse_device(device);
    impl_->net = UNet(impl_->info.unet);
    const std::filesystem::path weights = run_dir / kModelWeightsFile;
    if (!std::filesystem::exists(weights))
        invalid_input(fmt::format("{} does not exist (synthstm train writes it after the first epoch)", weights.string()));
    try {
        torch::load(impl_->net, weights.string());
    } catch (const c10::Error& e) {
        invalid_input(fmt::format("cannot load {}: {}", weights.string(), e.what_without_backtrace()));
    }
    impl_->net->to(impl_->device);
    impl_->net->eval();
}

Predictor::~Predictor() = default;

const ModelInfo& Predictor::info() const { return impl_->info; }

std::vector<float> Predictor::predict(std::span<const float> images, std::size_t count, std::size_t rows,
                                      std::size_t cols) const {
    const auto channels = static_cast<std::size_t>(impl_->info.unet.in_channels);
    if (images.size() != count * channels * rows * cols || count == 0)
        invalid_input(fmt::format("{} values are not {} images of {} channels of {} × {}", images.size(), count, channels,
                                  rows, cols));
    torch::NoGradGuard no_grad;
    std::vector<float> in(images.begin(), images.end());
    const torch::Tensor x = torch::from_blob(in.data(),
                                             {static_cast<std::int64_t>(count), static_cast<std::int64_t>(channels),
                                              static_cast<std::int64_t>(rows),
                                              static_cast<std::int64_t>(cols)},
                                             torch::kFloat32)
                                .to(impl_->device);
    torch::Tensor y = impl_->net->forward(x);
    if (impl_->average_symmetries) {
        for (int s = 1; s < 8; ++s) y += square_symmetry(impl_->net->forward(square_symmetry(x, s, false)), s, true);
        y /= 8.0;
    }
    y = y.to(torch::kCPU).contiguous();
    return {y.data_ptr<float>(), y.data_ptr<float>() + y.numel()};
}

}  // namespace synthstm::ml
