#pragma once
/// Training the U-Net on a synthstm dataset (docs/ml.md): AdamW with a one-cycle learning-rate
/// schedule, MSE loss on both maps, symmetry and intensity augmentations, a train/validation
/// split by sample index, and a checkpoint after every epoch from which a run resumes. Also the
/// learning-rate range test. No LibTorch in this header: the command line links it through here.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "synthstm/ml/model_spec.hpp"

namespace synthstm::ml {

/// What to train and how.
struct TrainOptions {
    /// Dataset directories (or their dataset.h5): one, or several trained on together (of one
    /// image size; each gives its last validation_fraction to validation).
    std::vector<std::filesystem::path> data;
    std::filesystem::path out;           ///< run directory (created)
    int epochs = 10;                     ///< passes over the training samples
    int batch = 16;                      ///< samples per optimiser step
    std::optional<double> lr;            ///< peak learning rate; absent: from a range test
    double weight_decay = 1e-4;          ///< AdamW weight decay
    std::string device = "cpu";          ///< "cpu" or "cuda"
    UNetSpec unet;                       ///< architecture (in_channels follows `inputs`)
    std::vector<std::string> inputs = {"z_recorded"};  ///< input channels (input_channel_names())
    bool level_input = true;             ///< level z_recorded as predict does (TrainingData)
    double defect_weight = 0.0;          ///< defect-map errors weighted by 1 + this × target (0: plain MSE)
    bool resume = false;                 ///< continue from RUN/checkpoint.pt
    double validation_fraction = 0.1;    ///< the last this fraction of samples (by index) validate
    bool augment = true;                 ///< symmetries of the square + intensity scale/offset
    std::uint64_t seed = 1;              ///< weights, sample order and augmentations
    std::uint64_t block_samples = 256;   ///< samples read from the file at a time
};

/// One finished epoch.
struct EpochReport {
    int epoch = 0;             ///< 1-based
    double train_loss = 0;     ///< mean training MSE of the epoch (augmented samples)
    double val_loss = 0;       ///< validation MSE after the epoch (NaN without validation samples)
    double lr = 0;             ///< learning rate at the epoch's last step
    double seconds = 0;        ///< wall time of the epoch
};

/// Called after every optimiser step: epoch (1-based), samples done in it, samples per epoch,
/// running mean loss of the epoch.
using StepProgress = std::function<void(int epoch, std::uint64_t done, std::uint64_t total, double loss)>;
/// Called after every epoch.
using EpochDone = std::function<void(const EpochReport&)>;

/// Trains; writes RUN/model.json, RUN/model.pt, RUN/checkpoint.pt, RUN/metrics.csv and
/// RUN/loss.png after every epoch. Returns every epoch of the run (earlier ones too after a
/// resume). Throws InvalidInput for bad options, a run directory that already holds a run
/// (without resume), a dataset given twice, or a checkpoint that does not fit the options or
/// was trained on other datasets. A run stopped before its first epoch ended holds no
/// checkpoint and starts afresh.
std::vector<EpochReport> train(const TrainOptions& options, const StepProgress& on_step = {},
                               const EpochDone& on_epoch = {});

/// The one-cycle schedule: cosine warm-up from max_lr/25 to max_lr over the first 30 % of
/// steps, then cosine annealing to max_lr/10⁴. step ∈ [0, total).
double one_cycle_lr(std::int64_t step, std::int64_t total, double max_lr);

/// Options of the learning-rate range test.
struct LrFindOptions {
    std::vector<std::filesystem::path> data;  ///< datasets, as TrainOptions::data
    int batch = 16;                   ///< samples per step
    std::string device = "cpu";       ///< "cpu" or "cuda"
    UNetSpec unet;                    ///< architecture (in_channels follows `inputs`)
    std::vector<std::string> inputs = {"z_recorded"};  ///< input channels
    bool level_input = true;          ///< level z_recorded as predict does (TrainingData)
    double validation_fraction = 0.1; ///< the last this fraction of each dataset is not trained on
    double min_lr = 1e-6;             ///< first learning rate
    double max_lr = 1.0;              ///< last learning rate
    int steps = 100;                  ///< steps of the exponential ramp
    std::uint64_t seed = 1;           ///< weights and sample order
};

/// The range test's curve and its suggestion.
struct LrFindResult {
    std::vector<double> lrs;        ///< learning rate of each step taken
    std::vector<double> losses;     ///< smoothed loss after each step
    double suggested = 0;           ///< where the smoothed loss falls fastest against log(lr), before its minimum
    double min_loss_lr = 0;         ///< the learning rate of the lowest smoothed loss
    bool diverged = false;          ///< stopped early because the loss exceeded 4× its minimum
};

/// Trains a fresh network with the learning rate growing exponentially from min_lr to max_lr,
/// one step each, and stops when the smoothed loss diverges. The suggestion is the learning rate
/// of the steepest fall of the smoothed loss against log(lr) (slopes over a tenth of the steps)
/// before its minimum, or the minimum's learning rate / 10 when the minimum comes first.
/// Writes nothing.
LrFindResult find_learning_rate(const LrFindOptions& options, const StepProgress& on_step = {});

}  // namespace synthstm::ml
