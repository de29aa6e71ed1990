#pragma once
/// What is in a dataset (synthstm inspect): counts, the ranges of the parameters actually drawn,
/// value ranges of every image array (with a count of non-finite values), class fractions, and
/// defect statistics per type and sublattice; and the first samples' images for a picture.
#include <cstdint>
#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

namespace synthstm {

/// Reads DIR/dataset.h5 (or any synthstm dataset file) and returns
/// {"file", "samples", "shards", "pixels", "seed", "synthstm_version", "channels",
///  "arrays": {path: {"min", "max", "mean", "non_finite"}},
///  "classes": {name: fraction of pixels},
///  "parameters": {key: {"unit", "min", "max", "mean"} or {"counts": {value: n}}},
///  "defects": {"total", "in_image", "per_sample_mean", "per_sample_min", "per_sample_max",
///              "by_kind": {"vacancy Se_top": {"count", "per_sample_mean"}, ...}}}.
/// Throws Io naming the file when it cannot be read.
nlohmann::json summarize_dataset(const std::filesystem::path& file);

/// The first images of a dataset.
struct DatasetPreview {
    int pixels = 0;                          ///< H = W
    std::vector<std::uint64_t> indices;      ///< sample indices
    std::vector<std::vector<float>> input;   ///< inputs/z_recorded (0–255) per sample
    std::vector<std::vector<float>> lattice; ///< targets/lattice per sample
    std::vector<std::vector<float>> defects; ///< targets/defects per sample
    std::vector<std::vector<float>> classes; ///< targets/class_map per sample
};

/// Reads the first `count` samples (fewer when the dataset is smaller).
DatasetPreview read_preview(const std::filesystem::path& file, std::uint64_t count);

}  // namespace synthstm
