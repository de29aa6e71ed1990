#pragma once
/// The U-Net (Ronneberger et al. 2015) that maps a topography image to the lattice and defect
/// maps: an encoder of conv–batch-norm–ReLU blocks with 2× max pooling, a decoder of 2×
/// transposed convolutions whose outputs are concatenated with the encoder's features of the
/// same scale (skip connections), and a 1×1 convolution with a sigmoid per output map.
/// Internal to ml/ (it includes LibTorch).
#include <torch/torch.h>

#include "synthstm/ml/model_spec.hpp"

namespace synthstm::ml {

/// Two 3×3 convolutions, each followed by batch norm and ReLU; the spatial size is kept.
class ConvBlockImpl : public torch::nn::Module {
public:
    /// A block from `in` to `out` channels.
    ConvBlockImpl(int in, int out);
    /// [B, in, H, W] → [B, out, H, W].
    torch::Tensor forward(torch::Tensor x);

private:
    torch::nn::Sequential layers_;
};
TORCH_MODULE(ConvBlock);

/// The network. Any input size works: the input is padded (reflection) up to a multiple of
/// 2^depth and the output cropped back, so the output has the input's height and width.
class UNetImpl : public torch::nn::Module {
public:
    /// Builds the network; throws InvalidInput for a bad spec.
    explicit UNetImpl(const UNetSpec& spec);
    /// [B, in_channels, H, W] → [B, out_channels, H, W] with values in (0, 1).
    torch::Tensor forward(torch::Tensor x);
    /// The architecture.
    [[nodiscard]] const UNetSpec& spec() const { return spec_; }

private:
    UNetSpec spec_;
    torch::nn::ModuleList down_;   // encoder blocks, top first
    ConvBlock bottom_{nullptr};    // the block at the lowest level
    torch::nn::ModuleList up_;     // transposed convolutions, lowest first
    torch::nn::ModuleList merge_;  // decoder blocks after each concatenation
    torch::nn::Conv2d head_{nullptr};
};
TORCH_MODULE(UNet);

/// "cpu" or "cuda" → a torch device; throws InvalidInput for another name or when CUDA is asked
/// for and not available.
torch::Device parse_device(const std::string& name);

}  // namespace synthstm::ml
