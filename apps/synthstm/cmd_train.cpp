// synthstm train and synthstm lr-find: the U-Net on a generated dataset (docs/ml.md).
#include <cmath>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "progress_bar.hpp"
#include "synthstm/core/error.hpp"
#include "synthstm/io/plot.hpp"
#include "synthstm/ml/trainer.hpp"

namespace synthstm::cli {
namespace {

struct TrainCommand {
    ml::TrainOptions options;
    std::vector<std::string> data;
    std::string out, lr = "auto";
    bool quiet = false;
};

std::optional<double> parse_lr(const std::string& text) {
    if (text == "auto") return std::nullopt;
    try {
        std::size_t used = 0;
        const double v = std::stod(text, &used);
        if (used == text.size()) return v;
    } catch (const std::exception&) {
    }
    invalid_input(fmt::format("--lr must be a number or auto, got '{}'", text));
}

void run_train(TrainCommand& c) {
    ml::TrainOptions o = c.options;
    o.data.assign(c.data.begin(), c.data.end());
    o.out = c.out;
    o.lr = parse_lr(c.lr);
    // The bar's clock restarts at the end of each epoch, so its rate covers whole epochs.
    std::unique_ptr<ProgressBar> bar;
    if (!c.quiet) bar = std::make_unique<ProgressBar>("train", 0, "samples");
    ml::StepProgress on_step;
    if (bar)
        on_step = [&](int epoch, std::uint64_t done, std::uint64_t total, double loss) {
            bar->relabel(fmt::format("epoch {}/{}", epoch, o.epochs), total);
            bar->update(done, fmt::format("loss {:.5f}", loss));
        };
    int trained = 0;
    const auto on_epoch = [&](const ml::EpochReport& r) {
        ++trained;
        if (bar) {
            bar->finish();
            bar->restart("train", 0);
        }
        fmt::print("epoch {}: train loss {:.6f}, val loss {:.6f}, lr {:.3g}, {:.1f} s\n", r.epoch, r.train_loss, r.val_loss,
                   r.lr, r.seconds);
        std::fflush(stdout);
    };
    const std::vector<ml::EpochReport> history = ml::train(o, on_step, on_epoch);
    if (trained == 0)
        fmt::print("{}: nothing to do, it holds {} epochs already\n", o.out.string(), history.size());
    else
        fmt::print("wrote {}: model.pt, checkpoint.pt, model.json, metrics.csv, loss.png ({} epochs)\n", o.out.string(),
                   history.back().epoch);
}

struct LrFindCommand {
    ml::LrFindOptions options;
    std::vector<std::string> data;
    std::string png;
};

void run_lr_find(LrFindCommand& c) {
    ml::LrFindOptions o = c.options;
    o.data.assign(c.data.begin(), c.data.end());
    const ml::LrFindResult r = ml::find_learning_rate(o);
    if (!c.png.empty()) {
        LinePlot plot;
        plot.title = fmt::format("learning-rate range test (suggested {:.3g})", r.suggested);
        plot.x_label = "log10 learning rate";
        plot.y_label = "smoothed MSE loss";
        Series s{{}, r.losses, "loss", palette_colour(0)};
        for (double lr : r.lrs) s.x.push_back(std::log10(lr));
        plot.series.push_back(s);
        write_line_plot_png(c.png, plot);
    }
    fmt::print("suggested learning rate: {:.3g} (steepest fall; lowest loss at {:.3g}; {} steps from {:.3g} to {:.3g}{})\n",
               r.suggested, r.min_loss_lr, r.lrs.size(), r.lrs.front(), r.lrs.back(),
               r.diverged ? ", stopped when the loss diverged" : "");
    if (!c.png.empty()) fmt::print("wrote {}\n", c.png);
}

void add_unet_options(CLI::App& cmd, ml::UNetSpec& spec) {
    cmd.add_option("--depth", spec.depth, "U-Net levels below the top (2× down-sampling each)")->capture_default_str();
    cmd.add_option("--width", spec.width, "feature channels at the top level (doubled per level)")->capture_default_str();
}

}  // namespace

void register_train(CLI::App& app) {
    auto c = std::make_shared<TrainCommand>();
    CLI::App* cmd = app.add_subcommand("train", "Train the U-Net (lattice and defect maps from z_recorded) on a "
                                                "dataset: checkpoints, metrics.csv, loss.png and model.json in RUN");
    cmd->add_option("--data", c->data,
                    "dataset directory (synthstm generate); several (comma-separated or repeated) train together")
        ->required()
        ->delimiter(',');
    cmd->add_option("--out", c->out, "run directory RUN")->required();
    cmd->add_option("--epochs", c->options.epochs, "passes over the training samples")->capture_default_str();
    cmd->add_option("--batch", c->options.batch, "samples per step")->capture_default_str();
    cmd->add_option("--lr", c->lr, "peak learning rate of the one-cycle schedule, or auto (range test)")
        ->capture_default_str();
    cmd->add_option("--device", c->options.device, "cpu or cuda")->capture_default_str();
    add_unet_options(*cmd, c->options.unet);
    cmd->add_option("--inputs", c->options.inputs, "input channels: z_recorded[,current_forward] (the dataset "
                                                   "needs --channels current_forward)")
        ->delimiter(',')
        ->capture_default_str();
    cmd->add_option("--val-fraction", c->options.validation_fraction,
                    "fraction of samples (the last by index) kept for validation")
        ->capture_default_str();
    cmd->add_option("--seed", c->options.seed, "weights, sample order and augmentations")->capture_default_str();
    cmd->add_flag("--no-augment", [c](std::int64_t) { c->options.augment = false; },
                  "no symmetry or intensity augmentation");
    cmd->add_flag("--no-level", [c](std::int64_t) { c->options.level_input = false; },
                  "learn from the seed's input (z_recorded min-max scaled) instead of the levelled one");
    cmd->add_option("--defect-weight", c->options.defect_weight,
                    "weight the defect map's squared errors by 1 + this × target (0: the seed's plain MSE)")
        ->capture_default_str();
    cmd->add_flag("--resume", c->options.resume, "continue RUN from its checkpoint up to --epochs");
    cmd->add_flag("--quiet", c->quiet, "no progress display");
    cmd->callback([c] { run_train(*c); });
}

void register_lr_find(CLI::App& app) {
    auto c = std::make_shared<LrFindCommand>();
    CLI::App* cmd = app.add_subcommand("lr-find", "Learning-rate range test: an exponential ramp until the loss "
                                                  "diverges; prints the suggested peak learning rate");
    cmd->add_option("--data", c->data, "dataset directory (synthstm generate); several as for train")
        ->required()
        ->delimiter(',');
    cmd->add_option("--out", c->png, "PNG plot of loss against learning rate");
    cmd->add_option("--batch", c->options.batch, "samples per step")->capture_default_str();
    cmd->add_option("--device", c->options.device, "cpu or cuda")->capture_default_str();
    cmd->add_option("--val-fraction", c->options.validation_fraction,
                    "fraction of each dataset (the last by index) left out, as train leaves it for validation")
        ->capture_default_str();
    add_unet_options(*cmd, c->options.unet);
    cmd->add_option("--inputs", c->options.inputs, "input channels: z_recorded[,current_forward]")
        ->delimiter(',')
        ->capture_default_str();
    cmd->add_flag("--no-level", [c](std::int64_t) { c->options.level_input = false; },
                  "the seed's input (z_recorded min-max scaled) instead of the levelled one");
    cmd->add_option("--steps", c->options.steps, "steps of the ramp")->capture_default_str();
    cmd->add_option("--min-lr", c->options.min_lr, "first learning rate")->capture_default_str();
    cmd->add_option("--max-lr", c->options.max_lr, "last learning rate")->capture_default_str();
    cmd->callback([c] { run_lr_find(*c); });
}

}  // namespace synthstm::cli
