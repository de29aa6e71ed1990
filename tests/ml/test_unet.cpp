// The U-Net: output shape for any input size, and that it can learn (overfits a few samples).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <vector>

#include "synthstm/core/error.hpp"
#include "synthstm/ml/augment.hpp"
#include "synthstm/ml/batches.hpp"
#include "synthstm/ml/predictor.hpp"
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

// Datasets trained together are read in groups of blocks, each dataset's blocks spread over the
// groups, and every sample is read once; two datasets of equal size meet in every group.
TEST(Batches, GroupsSpreadEveryDatasetOverThePass) {
    const std::vector<SampleRange> ranges = {{nullptr, 0, 3000}, {nullptr, 0, 1100}, {nullptr, 40, 540}};
    std::mt19937_64 rng(5);
    const auto groups = block_groups(ranges, 256, &rng);
    ASSERT_EQ(groups.size(), 12u);  // the largest range's ceil(3000 / 256) blocks
    std::vector<std::vector<int>> seen = {std::vector<int>(3000), std::vector<int>(1100), std::vector<int>(540)};
    std::vector<int> per_range(3, 0);
    for (const auto& group : groups) {
        std::vector<int> in_group(3, 0);
        for (const BlockRef& b : group) {
            ++in_group[b.range];
            for (std::uint64_t s = b.start; s < b.start + b.count; ++s) ++seen[b.range][s];
        }
        // One block of the largest range in each group, at most one of each smaller one: spread,
        // not bunched.
        EXPECT_EQ(in_group[0], 1);
        EXPECT_LE(in_group[1], 1);
        EXPECT_LE(in_group[2], 1);
        for (int k = 0; k < 3; ++k) per_range[k] += in_group[k];
    }
    EXPECT_EQ(per_range, (std::vector<int>{12, 5, 2}));
    for (int k = 0; k < 3; ++k)
        for (std::size_t s = 0; s < seen[k].size(); ++s)
            ASSERT_EQ(seen[k][s], s >= ranges[k].first && s < ranges[k].end ? 1 : 0) << "range " << k << ", sample " << s;
    const auto pairs = block_groups({{nullptr, 0, 1000}, {nullptr, 0, 1000}}, 256, &rng);
    for (const auto& group : pairs) EXPECT_TRUE(group.size() == 2 && group[0].range != group[1].range);
    // One dataset: its blocks one by one, as before datasets could be combined.
    const auto single = block_groups({{nullptr, 0, 600}}, 256, nullptr);
    ASSERT_EQ(single.size(), 3u);
    EXPECT_EQ(single[2].front().start, 512u);
    EXPECT_EQ(single[2].front().count, 88u);
}

// Averaged over the 8 symmetries of the square, the maps of a turned or mirrored image are the
// turned or mirrored maps: exactly what the average promises; a plain network is not so.
TEST(Predictor, SymmetryAverageIsEquivariant) {
    torch::manual_seed(11);
    const std::filesystem::path run = std::filesystem::temp_directory_path() / "synthstm_test_tta_run";
    std::filesystem::remove_all(run);
    std::filesystem::create_directories(run);
    ModelInfo info;
    info.unet = UNetSpec{2, 4, 1, 2};
    info.nm_per_px = 0.05;
    info.pixels = 16;
    info.write(run);
    UNet net(info.unet);
    torch::save(net, (run / kModelWeightsFile).string());

    constexpr std::size_t n = 16, image = n * n;
    std::vector<float> x(image);
    for (std::size_t k = 0; k < image; ++k) x[k] = static_cast<float>(std::fmod(0.37 * static_cast<double>(k * k % 97), 1.0));
    const auto largest_difference = [&](const Predictor& p, int symmetry) {
        std::vector<float> turned = x;
        apply_square_symmetry(turned, n, symmetry);
        std::vector<float> maps = p.predict(x, 1, n, n);
        const std::vector<float> maps_of_turned = p.predict(turned, 1, n, n);
        for (int c = 0; c < 2; ++c) apply_square_symmetry(std::span(maps).subspan(c * image, image), n, symmetry);
        double d = 0;
        for (std::size_t k = 0; k < maps.size(); ++k) d = std::max(d, std::abs(double(maps[k]) - maps_of_turned[k]));
        return d;
    };
    const Predictor plain(run, "cpu"), averaged(run, "cpu", true);
    for (int s = 1; s < kSquareSymmetries; ++s) {
        EXPECT_LT(largest_difference(averaged, s), 1e-5) << "symmetry " << s;
        EXPECT_GT(largest_difference(plain, s), 1e-4) << "symmetry " << s;  // the test can tell
    }
    std::filesystem::remove_all(run);
}

}  // namespace
}  // namespace synthstm::ml
