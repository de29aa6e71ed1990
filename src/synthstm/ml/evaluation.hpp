#pragma once
/// How well a trained run does on a dataset (synthstm evaluate, docs/ml.md): MSE, Smooth L1 and
/// R² per output map, and defect detection against the dataset's defect table (precision,
/// recall, F1), with a picture of examples. No LibTorch in this header.
#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace synthstm::ml {

/// What to evaluate.
struct EvaluateOptions {
    std::filesystem::path run;           ///< run directory (synthstm train)
    std::filesystem::path data;          ///< dataset directory
    std::string device = "cpu";          ///< "cpu" or "cuda"
    double threshold = 0.5;              ///< defect-map value a detection must exceed
    int batch = 32;                      ///< images per forward pass
    bool validation_only = false;        ///< only the last 10 % of samples (the training split's)
    bool average_symmetries = false;     ///< maps averaged over the 8 symmetries of the square (Predictor)
    std::filesystem::path examples_png;  ///< picture of examples ("" for none)
    int examples = 4;                    ///< samples in the picture
};

/// Called after each batch with samples done and samples in all.
using EvaluateProgress = std::function<void(std::uint64_t done, std::uint64_t total)>;

/// Evaluates; returns {"model", "data", "samples", "maps": {"lattice": {...}, "defects": {...}},
/// "detection": {"threshold", "tolerance_nm", "true_positives", ..., "f1"}, "detection_top_layer",
/// "recall_by_defect": {"type sublattice": {"defects", "found", "recall", "by_onsite_eV"}},
/// "by_tip": {variant: {"samples", "defects": {map figures}, "detection": {...},
/// "recall_by_defect"}}}. Throws InvalidInput
/// when the run and the dataset do not fit (image size), Io when files cannot be read.
nlohmann::json evaluate_model(const EvaluateOptions& options, const EvaluateProgress& progress = {});

}  // namespace synthstm::ml
