#include "synthstm/ml/predictor.hpp"

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/ml/unet.hpp"

namespace synthstm::ml {

struct Predictor::Impl {
    ModelInfo info;
    torch::Device device{torch::kCPU};
    UNet net{nullptr};
};

Predictor::Predictor(const std::filesystem::path& run_dir, const std::string& device) : impl_(std::make_unique<Impl>()) {
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
    const torch::Tensor y = impl_->net->forward(x).to(torch::kCPU).contiguous();
    return {y.data_ptr<float>(), y.data_ptr<float>() + y.numel()};
}

}  // namespace synthstm::ml
