#include "synthstm/ml/unet.hpp"

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm::ml {

namespace nn = torch::nn;

ConvBlockImpl::ConvBlockImpl(int in, int out) {
    layers_ = register_module(
        "layers", nn::Sequential(nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1).bias(false)), nn::BatchNorm2d(out),
                                 nn::ReLU(), nn::Conv2d(nn::Conv2dOptions(out, out, 3).padding(1).bias(false)),
                                 nn::BatchNorm2d(out), nn::ReLU()));
}

torch::Tensor ConvBlockImpl::forward(torch::Tensor x) { return layers_->forward(x); }

UNetImpl::UNetImpl(const UNetSpec& spec) : spec_(spec) {
    spec_.validate();
    int channels = spec_.in_channels;
    for (int level = 0; level < spec_.depth; ++level) {
        const int out = spec_.width << level;
        down_->push_back(ConvBlock(channels, out));
        channels = out;
    }
    bottom_ = ConvBlock(channels, spec_.width << spec_.depth);
    channels = spec_.width << spec_.depth;
    for (int level = spec_.depth - 1; level >= 0; --level) {
        const int out = spec_.width << level;
        up_->push_back(nn::ConvTranspose2d(nn::ConvTranspose2dOptions(channels, out, 2).stride(2)));
        merge_->push_back(ConvBlock(2 * out, out));
        channels = out;
    }
    head_ = nn::Conv2d(nn::Conv2dOptions(channels, spec_.out_channels, 1));
    register_module("down", down_);
    register_module("bottom", bottom_);
    register_module("up", up_);
    register_module("merge", merge_);
    register_module("head", head_);
}

torch::Tensor UNetImpl::forward(torch::Tensor x) {
    const std::int64_t h = x.size(2), w = x.size(3);
    const std::int64_t multiple = std::int64_t{1} << spec_.depth;
    const std::int64_t pad_h = (multiple - h % multiple) % multiple, pad_w = (multiple - w % multiple) % multiple;
    if (pad_h > 0 || pad_w > 0) {
        // Reflection needs the padding smaller than the side; replicate covers tiny images.
        const bool reflect = pad_h < h && pad_w < w;
        torch::nn::functional::PadFuncOptions pad({0, pad_w, 0, pad_h});
        if (reflect)
            pad.mode(torch::kReflect);
        else
            pad.mode(torch::kReplicate);
        x = torch::nn::functional::pad(x, pad);
    }
    std::vector<torch::Tensor> skips;
    for (const auto& block : *down_) {
        x = block->as<ConvBlock>()->forward(x);
        skips.push_back(x);
        x = torch::max_pool2d(x, 2);
    }
    x = bottom_->forward(x);
    for (std::size_t k = 0; k < up_->size(); ++k) {
        x = up_[k]->as<nn::ConvTranspose2d>()->forward(x);
        x = torch::cat({x, skips[skips.size() - 1 - k]}, 1);
        x = merge_[k]->as<ConvBlock>()->forward(x);
    }
    x = torch::sigmoid(head_->forward(x));
    if (pad_h > 0 || pad_w > 0) x = x.slice(2, 0, h).slice(3, 0, w);
    return x;
}

torch::Device parse_device(const std::string& name) {
    if (name == "cpu") return torch::kCPU;
    if (name == "cuda") {
        if (!torch::cuda::is_available())
            invalid_input("--device cuda: no CUDA device is available to this LibTorch build (use --device cpu)");
        return torch::kCUDA;
    }
    invalid_input(fmt::format("--device must be cpu or cuda, got '{}'", name));
}

}  // namespace synthstm::ml
