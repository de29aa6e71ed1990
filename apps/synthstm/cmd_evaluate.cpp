// synthstm evaluate: errors and defect detection of a trained run on a dataset (docs/ml.md).
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "progress_bar.hpp"
#include "synthstm/ml/evaluation.hpp"

namespace synthstm::cli {
namespace {

struct EvaluateCommand {
    ml::EvaluateOptions options;
    std::string run, data, png;
    bool json = false, quiet = false;
};

void run_evaluate(EvaluateCommand& c) {
    ml::EvaluateOptions o = c.options;
    o.run = c.run;
    o.data = c.data;
    o.examples_png = c.png.empty() ? std::filesystem::path(c.run) / "evaluate.png" : std::filesystem::path(c.png);
    std::unique_ptr<ProgressBar> bar;
    ml::EvaluateProgress progress;
    if (!c.quiet && !c.json)
        progress = [&](std::uint64_t done, std::uint64_t total) {
            if (!bar) bar = std::make_unique<ProgressBar>("evaluate", total, "samples");
            bar->update(done, "");
        };
    const nlohmann::json r = ml::evaluate_model(o, progress);
    if (bar) bar->finish();
    if (c.json) {
        std::cout << r.dump() << "\n";
        return;
    }
    fmt::print("{} on {} ({} samples)\n", o.run.string(), r["data"].get<std::string>(), r["samples"].get<std::uint64_t>());
    for (const char* map : {"lattice", "defects", "both"}) {
        const auto& m = r["maps"][map];
        fmt::print("  {:<8} MSE {:.5f}  Smooth L1 {:.5f}  R² {:.4f}\n", map, m["mse"].get<double>(),
                   m["smooth_l1"].get<double>(), m["r2"].get<double>());
    }
    const auto& d = r["detection"];
    fmt::print("  defects above {} within {} nm: precision {:.3f}, recall {:.3f}, F1 {:.3f} ({} found, {} false, {} missed)\n",
               d["threshold"].get<double>(), d["tolerance_nm"].get<double>(), d["precision"].get<double>(),
               d["recall"].get<double>(), d["f1"].get<double>(), d["true_positives"].get<std::uint64_t>(),
               d["false_positives"].get<std::uint64_t>(), d["false_negatives"].get<std::uint64_t>());
    fmt::print("wrote {}\n", o.examples_png.string());
}

}  // namespace

void register_evaluate(CLI::App& app) {
    auto c = std::make_shared<EvaluateCommand>();
    CLI::App* cmd = app.add_subcommand("evaluate", "MSE, Smooth L1 and R² per map and defect detection (precision, "
                                                   "recall, F1) of a trained run on a dataset, with a picture");
    cmd->add_option("--model", c->run, "run directory (synthstm train)")->required();
    cmd->add_option("--data", c->data, "dataset directory (synthstm generate)")->required();
    cmd->add_option("--device", c->options.device, "cpu or cuda")->capture_default_str();
    cmd->add_option("--threshold", c->options.threshold, "defect-map value a detection must exceed")->capture_default_str();
    cmd->add_option("--batch", c->options.batch, "images per forward pass")->capture_default_str();
    cmd->add_flag("--validation", c->options.validation_only, "only the last 10 % of the samples");
    cmd->add_flag("--tta", c->options.average_symmetries,
                  "average the maps over the 8 symmetries of the square (test-time augmentation, 8× the time)");
    cmd->add_option("--png", c->png, "picture of examples (default RUN/evaluate.png)");
    cmd->add_option("--examples", c->options.examples, "samples in the picture")->capture_default_str();
    cmd->add_flag("--json", c->json, "print the figures as JSON");
    cmd->add_flag("--quiet", c->quiet, "no progress display");
    cmd->callback([c] { run_evaluate(*c); });
}

}  // namespace synthstm::cli
