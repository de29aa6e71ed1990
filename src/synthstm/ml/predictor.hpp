#pragma once
/// A trained run loaded for inference: RUN/model.json and RUN/model.pt. No LibTorch in this
/// header, so the command line stays free of it.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "synthstm/ml/model_spec.hpp"

namespace synthstm::ml {

/// The network of a run, in evaluation mode.
class Predictor {
public:
    /// Loads RUN on "cpu" or "cuda"; throws InvalidInput naming the file when RUN is not a
    /// complete run or its weights do not fit model.json. average_symmetries: every map is the
    /// mean of the network's maps of the 8 images the symmetries of the square make of the input,
    /// each turned back (test-time augmentation: 8× the time; the physics is the same under
    /// each, so their errors partly cancel).
    Predictor(const std::filesystem::path& run_dir, const std::string& device, bool average_symmetries = false);
    ~Predictor();
    Predictor(const Predictor&) = delete;
    Predictor& operator=(const Predictor&) = delete;
    /// The run's model.json.
    [[nodiscard]] const ModelInfo& info() const;
    /// Maps of `count` images of rows × cols with the model's input channels (count × channels ×
    /// rows × cols, each channel scaled 0–1, row-major): count × outputs × rows × cols values in
    /// (0, 1).
    [[nodiscard]] std::vector<float> predict(std::span<const float> images, std::size_t count, std::size_t rows,
                                             std::size_t cols) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace synthstm::ml
