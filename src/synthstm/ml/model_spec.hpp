#pragma once
/// What a trained run is: the U-Net's architecture and the scale of the images it learned from,
/// stored as RUN/model.json beside the weights so that evaluate and predict rebuild the same
/// network and resample real scans to the same nm per pixel. No LibTorch in this header.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace synthstm::ml {

/// Architecture of the U-Net (docs/ml.md).
struct UNetSpec {
    int depth = 3;         ///< number of 2× down-sampling steps (levels below the top one)
    int width = 16;        ///< feature channels at the top level; doubled at every level below
    int in_channels = 1;   ///< input channels (z_recorded scaled to 0–1)
    int out_channels = 2;  ///< output maps (lattice, defects), each through a sigmoid

    /// Throws InvalidInput naming the field when a value is out of range.
    void validate() const;
    /// {"depth", "width", "in_channels", "out_channels"}.
    [[nodiscard]] nlohmann::json to_json() const;
    /// Reads the fields written by to_json(); throws InvalidInput naming a missing or bad field.
    static UNetSpec from_json(const nlohmann::json& j);
};

/// RUN/model.json: the architecture and the data it was trained on.
struct ModelInfo {
    UNetSpec unet;                          ///< architecture
    std::vector<std::string> inputs = {"z_recorded"};            ///< input channels
    std::vector<std::string> outputs = {"lattice", "defects"};   ///< output maps
    bool level_input = true;                ///< z_recorded levelled (plane, then line medians) before scaling,
                                            ///< as predict levels a real scan; false: the seed's 0–255 input
    double defect_weight = 0.0;             ///< training loss: defect-map errors weighted by 1 + this × target
    double nm_per_px = 0;                   ///< median nm per pixel of the training images
    double nm_per_px_min = 0;               ///< smallest nm per pixel in the training data
    double nm_per_px_max = 0;               ///< largest nm per pixel in the training data
    int pixels = 0;                         ///< side of the training images
    double lattice_constant_nm = 0.332;     ///< lattice constant of the training material
    std::string data;                       ///< training dataset path as given
    std::uint64_t train_samples = 0;        ///< samples used for training
    std::uint64_t validation_samples = 0;   ///< samples held out for validation

    /// The JSON written to RUN/model.json.
    [[nodiscard]] nlohmann::json to_json() const;
    /// Reads RUN/model.json; throws InvalidInput naming the file and field when it is not one.
    static ModelInfo read(const std::filesystem::path& run_dir);
    /// Writes RUN/model.json atomically.
    void write(const std::filesystem::path& run_dir) const;
};

/// Name of the architecture file inside a run directory.
inline constexpr const char* kModelInfoFile = "model.json";
/// Name of the weights file (model only) inside a run directory.
inline constexpr const char* kModelWeightsFile = "model.pt";
/// Name of the checkpoint (model, optimizer, epoch, schedule step) inside a run directory.
inline constexpr const char* kCheckpointFile = "checkpoint.pt";

}  // namespace synthstm::ml
