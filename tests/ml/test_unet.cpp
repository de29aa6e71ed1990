// The U-Net: output shape for any input size, and that it can learn (overfits a few samples).
#include <gtest/gtest.h>

#include <cmath>

#include "synthstm/core/error.hpp"
#include "synthstm/ml/trainer.hpp"
#include "synthstm/ml/unet.hpp"

namespace synthstm::ml {
namespace {

TEST(UNet, KeepsTheShapeOfOddSizes) {
    torch::manual_seed(3);
    for (int depth : {1, 2, 3}) {
        UNet net(UNetSpec{depth, 4, 1, 2});
        net->eval();
        torch::NoGradGuard no_grad;
        for (auto [h, w] : {std::pair{17, 23}, std::pair{16, 16}, std::pair{5, 3}, std::pair{64, 31}}) {
            const torch::Tensor y = net->forward(torch::rand({2, 1, h, w}));
            EXPECT_EQ(y.sizes(), (std::vector<std::int64_t>{2, 2, h, w})) << "depth " << depth << ", " << h << "×" << w;
            EXPECT_GT(y.min().item<float>(), 0.0f);
            EXPECT_LT(y.max().item<float>(), 1.0f);
        }
    }
}

TEST(UNet, RejectsBadSpecs) {
    EXPECT_THROW(UNet(UNetSpec{0, 8, 1, 2}), Error);
    EXPECT_THROW(UNet(UNetSpec{2, 0, 1, 2}), Error);
}

TEST(UNet, OverfitsFourTinySamples) {
    torch::manual_seed(7);
    // Four 16×16 "images" with bright blobs; the targets are blob maps and their complement.
    const auto grid = torch::arange(16, torch::kFloat32);
    const torch::Tensor yy = grid.view({16, 1}).expand({16, 16}), xx = grid.view({1, 16}).expand({16, 16});
    std::vector<torch::Tensor> inputs, targets;
    for (int k = 0; k < 4; ++k) {
        const double cx = 3 + 3 * k, cy = 12 - 2 * k;
        const torch::Tensor blob = torch::exp(-((xx - cx).pow(2) + (yy - cy).pow(2)) / 6.0);
        inputs.push_back((0.3 * torch::sin(xx * 1.7) * torch::cos(yy * 1.7) + blob).unsqueeze(0));
        targets.push_back(torch::stack({0.5 + 0.5 * torch::sin(xx * 1.7) * torch::cos(yy * 1.7), blob}));
    }
    const torch::Tensor x = torch::stack(inputs), y = torch::stack(targets);
    UNet net(UNetSpec{2, 8, 1, 2});
    torch::optim::AdamW optimizer(net->parameters(), torch::optim::AdamWOptions(3e-3));
    double first = 0, last = 0;
    for (int step = 0; step < 300; ++step) {
        optimizer.zero_grad();
        const torch::Tensor loss = torch::mse_loss(net->forward(x), y);
        loss.backward();
        optimizer.step();
        if (step == 0) first = loss.item<double>();
        last = loss.item<double>();
    }
    net->eval();
    torch::NoGradGuard no_grad;
    const double eval_loss = torch::mse_loss(net->forward(x), y).item<double>();
    EXPECT_LT(last, 0.1 * first) << "first " << first << ", last " << last;
    EXPECT_LT(eval_loss, 0.1 * first) << "first " << first << ", in eval mode " << eval_loss;
}

TEST(OneCycle, WarmsUpPeaksAndAnneals) {
    const double peak = 0.01;
    EXPECT_NEAR(one_cycle_lr(0, 100, peak), peak / 25, 1e-12);
    EXPECT_NEAR(one_cycle_lr(30, 100, peak), peak, 1e-12);
    EXPECT_LT(one_cycle_lr(99, 100, peak), peak / 1000);
    for (int s = 1; s < 30; ++s) EXPECT_GT(one_cycle_lr(s, 100, peak), one_cycle_lr(s - 1, 100, peak));
    for (int s = 31; s < 100; ++s) EXPECT_LT(one_cycle_lr(s, 100, peak), one_cycle_lr(s - 1, 100, peak));
}

}  // namespace
}  // namespace synthstm::ml
