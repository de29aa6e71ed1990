#include "synthstm/ml/trainer.hpp"

#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <numbers>
#include <sstream>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/io/file_bytes.hpp"
#include "synthstm/io/plot.hpp"
#include "synthstm/ml/batches.hpp"
#include "synthstm/ml/training_data.hpp"
#include "synthstm/ml/unet.hpp"

namespace synthstm::ml {

double one_cycle_lr(std::int64_t step, std::int64_t total, double max_lr) {
    const double start = max_lr / 25.0, end = max_lr / 1e4;
    const auto warm = std::max<std::int64_t>(1, static_cast<std::int64_t>(0.3 * static_cast<double>(total)));
    const auto cosine = [](double from, double to, double t) { return to + (from - to) * 0.5 * (1 + std::cos(std::numbers::pi * t)); };
    if (step < warm) return cosine(start, max_lr, static_cast<double>(step) / static_cast<double>(warm));
    const std::int64_t rest = std::max<std::int64_t>(1, total - warm);
    return cosine(max_lr, end, std::min(1.0, static_cast<double>(step - warm) / static_cast<double>(rest)));
}

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kMetricsFile = "metrics.csv";
constexpr const char* kLossPlotFile = "loss.png";

void set_lr(torch::optim::AdamW& optimizer, double lr) {
    for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
}

/// Train/validation split: the last fraction of sample indices validates.
std::uint64_t validation_count(std::uint64_t n, double fraction) {
    if (fraction <= 0 || n < 2) return 0;
    return std::clamp<std::uint64_t>(static_cast<std::uint64_t>(std::llround(static_cast<double>(n) * fraction)), 1, n - 1);
}

/// The training loss: MSE, with the defect map's squared errors weighted by 1 + w·target when
/// defect_weight w > 0 (defect pixels are a few per cent of the map; plain MSE lets it stay low).
torch::Tensor training_loss(const torch::Tensor& prediction, const torch::Tensor& target, double defect_weight) {
    if (defect_weight == 0.0) return torch::mse_loss(prediction, target);
    torch::Tensor weight = torch::ones_like(target);
    weight.select(1, 1).add_(target.select(1, 1), defect_weight);
    return (weight * (prediction - target).square()).mean();
}

/// The datasets of TrainOptions::data, opened for these inputs.
std::vector<std::unique_ptr<TrainingData>> open_datasets(const std::vector<std::filesystem::path>& paths,
                                                         const std::vector<std::string>& inputs, bool level_input) {
    if (paths.empty()) invalid_input("--data: no dataset given");
    std::vector<std::unique_ptr<TrainingData>> out;
    for (const std::filesystem::path& p : paths) {
        out.push_back(std::make_unique<TrainingData>(p, inputs, level_input));
        for (std::size_t k = 0; k + 1 < out.size(); ++k)
            if (std::filesystem::equivalent(out[k]->file(), out.back()->file()))
                invalid_input(fmt::format("--data: {} is given twice", out.back()->file().string()));
        if (out.back()->pixels() != out.front()->pixels())
            invalid_input(fmt::format("--data: {} holds {} px images, {} holds {} px (datasets trained together must "
                                      "have one image size)",
                                      out.back()->file().string(), out.back()->pixels(), out.front()->file().string(),
                                      out.front()->pixels()));
    }
    return out;
}

/// The datasets as model.json's "data" records them: the paths as given, comma-separated.
std::string data_list(const std::vector<std::filesystem::path>& paths) {
    std::string out;
    for (const std::filesystem::path& p : paths) {
        if (!out.empty()) out += ',';
        out += p.string();
    }
    return out;
}

/// The training and validation ranges: the last `fraction` of each dataset validates.
std::pair<std::vector<SampleRange>, std::vector<SampleRange>> split_ranges(
    const std::vector<std::unique_ptr<TrainingData>>& data, double fraction) {
    std::vector<SampleRange> train, validation;
    for (const auto& d : data) {
        const std::uint64_t n_train = d->samples() - validation_count(d->samples(), fraction);
        train.push_back({d.get(), 0, n_train});
        validation.push_back({d.get(), n_train, d->samples()});
    }
    return {train, validation};
}

/// Runs the training step loop body: forward, loss, backward, optimiser step; returns the loss.
double train_step(UNet& model, torch::optim::AdamW& optimizer, const torch::Tensor& x, const torch::Tensor& y,
                  double defect_weight = 0.0) {
    optimizer.zero_grad();
    torch::Tensor loss = training_loss(model->forward(x), y, defect_weight);
    loss.backward();
    optimizer.step();
    return loss.item<double>();
}

double validation_loss(UNet& model, const BatchSource& source, torch::Device device) {
    if (source.samples() == 0) return std::numeric_limits<double>::quiet_NaN();
    torch::NoGradGuard no_grad;
    model->eval();
    double sum = 0;
    std::uint64_t count = 0;
    source.pass(nullptr, false, device, [&](const torch::Tensor& x, const torch::Tensor& y) {
        sum += torch::mse_loss(model->forward(x), y).item<double>() * static_cast<double>(x.size(0));
        count += static_cast<std::uint64_t>(x.size(0));
        return true;
    });
    model->train();
    return sum / static_cast<double>(count);
}

struct CheckpointState {
    std::int64_t epoch = 0;  // epochs finished
    std::int64_t step = 0;   // optimiser steps taken
    double max_lr = 0;       // peak of the one-cycle schedule
};

/// Writes through a temporary name and renames, so the file is complete or absent.
template <typename Save>
void save_atomically(const std::filesystem::path& path, Save save) {
    const std::filesystem::path tmp = path.string() + ".tmp";
    try {
        save(tmp.string());
        std::filesystem::rename(tmp, path);
    } catch (const c10::Error& e) {
        io_error(fmt::format("cannot write {}: {}", path.string(), e.what_without_backtrace()));
    } catch (const std::filesystem::filesystem_error& e) {
        io_error(fmt::format("cannot write {}: {}", path.string(), e.code().message()));
    }
}

void save_checkpoint(const std::filesystem::path& path, UNet& model, torch::optim::AdamW& optimizer,
                     const CheckpointState& s) {
    save_atomically(path, [&](const std::string& file) {
        torch::serialize::OutputArchive archive, weights, optim;
        model->save(weights);
        optimizer.save(optim);
        archive.write("model", weights);
        archive.write("optimizer", optim);
        archive.write("epoch", torch::full({1}, s.epoch, torch::kInt64));
        archive.write("step", torch::full({1}, s.step, torch::kInt64));
        archive.write("max_lr", torch::full({1}, s.max_lr, torch::kFloat64));
        archive.save_to(file);
    });
}

CheckpointState load_checkpoint(const std::filesystem::path& path, UNet& model, torch::optim::AdamW& optimizer,
                                torch::Device device) {
    try {
        torch::serialize::InputArchive archive, weights, optim;
        archive.load_from(path.string(), device);
        archive.read("model", weights);
        model->load(weights);
        archive.read("optimizer", optim);
        optimizer.load(optim);
        torch::Tensor epoch, step, max_lr;
        archive.read("epoch", epoch);
        archive.read("step", step);
        archive.read("max_lr", max_lr);
        return {epoch.item<std::int64_t>(), step.item<std::int64_t>(), max_lr.item<double>()};
    } catch (const c10::Error& e) {
        invalid_input(fmt::format("cannot resume from {}: {}", path.string(), e.what_without_backtrace()));
    }
}

void write_metrics(const std::filesystem::path& dir, const std::vector<EpochReport>& history) {
    std::string csv = "epoch,train_loss,val_loss,lr,seconds\n";
    for (const EpochReport& r : history)
        csv += fmt::format("{},{:.8g},{:.8g},{:.6g},{:.3f}\n", r.epoch, r.train_loss, r.val_loss, r.lr, r.seconds);
    write_file_atomically(dir / kMetricsFile, csv);
    LinePlot plot;
    plot.title = "U-Net training";
    plot.x_label = "epoch";
    plot.y_label = "MSE loss";
    Series train{{}, {}, "training", palette_colour(0)}, val{{}, {}, "validation", palette_colour(1)};
    for (const EpochReport& r : history) {
        train.x.push_back(r.epoch);
        train.y.push_back(r.train_loss);
        if (std::isfinite(r.val_loss)) {
            val.x.push_back(r.epoch);
            val.y.push_back(r.val_loss);
        }
    }
    plot.series.push_back(train);
    if (!val.x.empty()) plot.series.push_back(val);
    write_line_plot_png(dir / kLossPlotFile, plot);
}

/// The rows of RUN/metrics.csv for epochs up to `epochs` (those the checkpoint holds).
std::vector<EpochReport> read_metrics(const std::filesystem::path& dir, std::int64_t epochs) {
    std::vector<EpochReport> history;
    const std::filesystem::path path = dir / kMetricsFile;
    if (!std::filesystem::exists(path)) return history;
    std::istringstream in(read_file_bytes(path));
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        EpochReport r;
        char comma = 0;
        std::istringstream row(line);
        std::string val;
        row >> r.epoch >> comma >> r.train_loss >> comma;
        std::getline(row, val, ',');
        r.val_loss = val == "nan" ? std::numeric_limits<double>::quiet_NaN() : std::strtod(val.c_str(), nullptr);
        row >> r.lr >> comma >> r.seconds;
        if (row.fail() || r.epoch < 1 || r.epoch > epochs) continue;
        history.push_back(r);
    }
    return history;
}

}  // namespace

std::vector<EpochReport> train(const TrainOptions& o, const StepProgress& on_step, const EpochDone& on_epoch) {
    if (o.epochs < 1) invalid_input(fmt::format("--epochs must be at least 1, got {}", o.epochs));
    if (o.batch < 1) invalid_input(fmt::format("--batch must be at least 1, got {}", o.batch));
    if (o.lr && !(*o.lr > 0 && *o.lr < 10)) invalid_input(fmt::format("--lr must be in (0, 10), got {}", *o.lr));
    if (!(o.defect_weight >= 0 && o.defect_weight <= 1000))
        invalid_input(fmt::format("--defect-weight must be in [0, 1000], got {}", o.defect_weight));
    if (!(o.validation_fraction >= 0 && o.validation_fraction < 1))
        invalid_input(fmt::format("--val-fraction must be in [0, 1), got {}", o.validation_fraction));
    const torch::Device device = parse_device(o.device);
    // A resumed run keeps its own input channels and levelling.
    const std::optional<ModelInfo> resumed = o.resume && std::filesystem::exists(o.out / kModelInfoFile)
                                                 ? std::optional<ModelInfo>(ModelInfo::read(o.out))
                                                 : std::nullopt;
    const std::vector<std::string> inputs = resumed ? resumed->inputs : o.inputs;
    const bool level_input = resumed ? resumed->level_input : o.level_input;
    const std::vector<std::unique_ptr<TrainingData>> datasets = open_datasets(o.data, inputs, level_input);
    const TrainingData& data = *datasets.front();
    const auto [train_ranges, val_ranges] = split_ranges(datasets, o.validation_fraction);
    const BatchSource train_source(train_ranges, o.batch, o.block_samples);
    const BatchSource val_source(val_ranges, o.batch, o.block_samples);
    const std::uint64_t n_train = train_source.samples(), n_val = val_source.samples();
    const std::filesystem::path checkpoint = o.out / kCheckpointFile;

    ModelInfo info;
    if (o.resume) {
        if (!std::filesystem::exists(checkpoint))
            invalid_input(fmt::format("--resume: {} does not exist", checkpoint.string()));
        info = ModelInfo::read(o.out);
        if (info.data != data_list(o.data))
            invalid_input(fmt::format("--resume: {} was trained on --data {}, not {}", o.out.string(), info.data,
                                      data_list(o.data)));
        if (info.pixels != data.pixels())
            invalid_input(fmt::format("--resume: the run was trained on {} px images, {} holds {} px", info.pixels,
                                      data.file().string(), data.pixels()));
    } else {
        // model.json alone is a run stopped before its first epoch ended: nothing to keep.
        if (std::filesystem::exists(checkpoint))
            invalid_input(fmt::format("{} already holds a training run (--resume continues it)", o.out.string()));
        info.unet = o.unet;
        info.unet.in_channels = static_cast<int>(inputs.size());
        info.inputs = inputs;
        info.level_input = level_input;
        info.defect_weight = o.defect_weight;
        info.unet.validate();
        std::vector<const TrainingData*> all;
        for (const auto& d : datasets) all.push_back(d.get());
        const PixelScale scale = pixel_scale(all);
        info.nm_per_px = scale.median;
        info.nm_per_px_min = scale.min;
        info.nm_per_px_max = scale.max;
        info.pixels = data.pixels();
        info.data = data_list(o.data);
        info.train_samples = n_train;
        info.validation_samples = n_val;
    }
    if ((data.pixels() >> info.unet.depth) < 2)
        invalid_input(fmt::format("--depth {} halves {} px images to under 2 px (use a smaller depth)", info.unet.depth,
                                  data.pixels()));
    try {
        std::filesystem::create_directories(o.out);
    } catch (const std::filesystem::filesystem_error& e) {
        io_error(fmt::format("cannot create {}: {}", o.out.string(), e.code().message()));
    }

    torch::manual_seed(o.seed);
    UNet model(info.unet);
    model->to(device);
    torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-3).weight_decay(o.weight_decay));
    CheckpointState state;
    std::vector<EpochReport> history;
    if (o.resume) {
        state = load_checkpoint(checkpoint, model, optimizer, device);
        history = read_metrics(o.out, state.epoch);
        if (state.epoch >= o.epochs) return history;
    } else {
        if (o.lr) {
            state.max_lr = *o.lr;
        } else {
            LrFindOptions f;
            f.data = o.data;
            f.batch = o.batch;
            f.device = o.device;
            f.unet = info.unet;
            f.inputs = inputs;
            f.level_input = level_input;
            f.validation_fraction = o.validation_fraction;
            f.seed = o.seed;
            state.max_lr = find_learning_rate(f).suggested;
        }
        info.write(o.out);
    }

    const std::int64_t total_steps = static_cast<std::int64_t>(o.epochs) * train_source.batches_per_pass();
    model->train();
    for (int epoch = static_cast<int>(state.epoch) + 1; epoch <= o.epochs; ++epoch) {
        const auto t0 = Clock::now();
        std::mt19937_64 rng(o.seed * 1000003ULL + static_cast<std::uint64_t>(epoch));
        double sum = 0, lr = 0;
        std::uint64_t done = 0;
        train_source.pass(&rng, o.augment, device, [&](const torch::Tensor& x, const torch::Tensor& y) {
            lr = one_cycle_lr(state.step, total_steps, state.max_lr);
            set_lr(optimizer, lr);
            const double loss = train_step(model, optimizer, x, y, info.defect_weight);
            if (!std::isfinite(loss))
                invalid_input(fmt::format("the training loss became {} at epoch {} (learning rate {:.3g} too high?)", loss,
                                          epoch, lr));
            ++state.step;
            sum += loss * static_cast<double>(x.size(0));
            done += static_cast<std::uint64_t>(x.size(0));
            if (on_step) on_step(epoch, done, n_train, sum / static_cast<double>(done));
            return true;
        });
        EpochReport r;
        r.epoch = epoch;
        r.train_loss = sum / static_cast<double>(done);
        r.val_loss = validation_loss(model, val_source, device);
        r.lr = lr;
        r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        state.epoch = epoch;
        history.push_back(r);
        save_checkpoint(checkpoint, model, optimizer, state);
        save_atomically(o.out / kModelWeightsFile, [&](const std::string& file) { torch::save(model, file); });
        write_metrics(o.out, history);
        if (on_epoch) on_epoch(r);
    }
    return history;
}

LrFindResult find_learning_rate(const LrFindOptions& o, const StepProgress& on_step) {
    if (o.batch < 1) invalid_input(fmt::format("--batch must be at least 1, got {}", o.batch));
    if (!(o.min_lr > 0 && o.max_lr > o.min_lr)) invalid_input("the learning-rate range must satisfy 0 < min < max");
    if (o.steps < 2) invalid_input(fmt::format("--steps must be at least 2, got {}", o.steps));
    const torch::Device device = parse_device(o.device);
    const std::vector<std::unique_ptr<TrainingData>> datasets = open_datasets(o.data, o.inputs, o.level_input);
    torch::manual_seed(o.seed);
    UNetSpec spec = o.unet;
    spec.in_channels = static_cast<int>(o.inputs.size());
    UNet model(spec);
    model->to(device);
    model->train();
    torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(o.min_lr).weight_decay(1e-4));
    if (!(o.validation_fraction >= 0 && o.validation_fraction < 1))
        invalid_input(fmt::format("--val-fraction must be in [0, 1), got {}", o.validation_fraction));
    const BatchSource source(split_ranges(datasets, o.validation_fraction).first, o.batch, 256);
    std::mt19937_64 rng(o.seed);
    LrFindResult result;
    double average = 0, best = std::numeric_limits<double>::infinity();
    constexpr double kBeta = 0.9;
    int step = 0;
    while (step < o.steps) {
        bool stop = false;
        source.pass(&rng, true, device, [&](const torch::Tensor& x, const torch::Tensor& y) {
            const double lr = o.min_lr * std::pow(o.max_lr / o.min_lr, static_cast<double>(step) / (o.steps - 1));
            set_lr(optimizer, lr);
            const double loss = train_step(model, optimizer, x, y);
            ++step;
            if (!std::isfinite(loss)) {
                result.diverged = true;
                return !(stop = true);
            }
            average = kBeta * average + (1 - kBeta) * loss;
            const double smoothed = average / (1 - std::pow(kBeta, step));
            result.lrs.push_back(lr);
            result.losses.push_back(smoothed);
            best = std::min(best, smoothed);
            if (on_step) on_step(1, static_cast<std::uint64_t>(step), static_cast<std::uint64_t>(o.steps), smoothed);
            if (step > 5 && smoothed > 4 * best) {
                result.diverged = true;
                stop = true;
            }
            if (step >= o.steps) stop = true;
            return !stop;
        });
        if (stop) break;
    }
    if (result.losses.empty()) invalid_input("the learning-rate range test diverged at its first step");
    // The steepest descent of the smoothed loss against log(lr), slopes taken over a tenth of
    // the steps, before the minimum; the minimum's learning rate / 10 when there is no such part.
    const auto at = static_cast<std::size_t>(std::min_element(result.losses.begin(), result.losses.end()) -
                                             result.losses.begin());
    result.min_loss_lr = result.lrs[at];
    result.suggested = result.min_loss_lr / 10.0;
    const std::size_t window = std::max<std::size_t>(1, result.losses.size() / 10);
    double steepest = 0;
    for (std::size_t i = 0; i + window <= at; ++i) {
        const double slope = (result.losses[i + window] - result.losses[i]) /
                             std::log(result.lrs[i + window] / result.lrs[i]);
        if (slope < steepest) {
            steepest = slope;
            result.suggested = result.lrs[i + window / 2];
        }
    }
    return result;
}

}  // namespace synthstm::ml
