// The learning commands of a program built without LibTorch: each says so (exit code 2).
#include <fmt/format.h>

#include "commands.hpp"
#include "synthstm/core/error.hpp"

namespace synthstm::cli {
namespace {

void register_missing(CLI::App& app, const std::string& name, const std::string& what) {
    CLI::App* cmd = app.add_subcommand(name, what + " (not available: built without LibTorch)");
    cmd->allow_extras();
    cmd->callback([name] {
        invalid_input(fmt::format("synthstm {}: this synthstm was built without LibTorch (install libtorch-dev, "
                                  "reconfigure with -DSYNTHSTM_ML=ON)", name));
    });
}

}  // namespace

void register_train(CLI::App& app) { register_missing(app, "train", "Train the U-Net"); }
void register_lr_find(CLI::App& app) { register_missing(app, "lr-find", "Learning-rate range test"); }
void register_evaluate(CLI::App& app) { register_missing(app, "evaluate", "Evaluate a trained model"); }
void register_predict(CLI::App& app) { register_missing(app, "predict", "Find defects in a real scan"); }

}  // namespace synthstm::cli
