#pragma once
/// Reading a synthstm dataset (docs/dataset.md) for learning: blocks of consecutive samples as
/// float arrays (input scaled to 0–1, the two target maps), each sample's field of view, and the
/// true defect positions in pixels. Reads only what is asked for, so datasets larger than memory
/// stream through. No LibTorch here.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "synthstm/dataset/hdf5.hpp"

namespace synthstm::ml {

/// Consecutive samples of a dataset.
struct SampleBlock {
    std::uint64_t first = 0;       ///< row of the first sample in the file
    std::uint64_t count = 0;       ///< samples in the block
    int pixels = 0;                ///< H = W
    int channels = 1;              ///< input channels C
    std::vector<float> inputs;     ///< count × C × H × W, each channel 0–1 (input_channel_names)
    std::vector<float> targets;    ///< count × 2 × H × W: targets/lattice, targets/defects
};

/// A true defect in image coordinates.
struct TruthDefect {
    double x_px = 0;         ///< fractional column
    double y_px = 0;         ///< fractional row (row 0 = top line)
    bool top_layer = false;  ///< on the imaged (top chalcogen) layer, "…_top" sublattice
    bool in_image = true;    ///< its centre inside the image; one just outside still marks the defect map
    std::string kind{};      ///< "type sublattice" of the defect table, e.g. "dopant Se_top"
    double onsite_eV = 0;    ///< the table's onsite potential (0 for a vacancy)
};

/// The input channels a network may take: "z_recorded" (inputs/z_recorded / 255) first, then
/// optionally "current_forward" (inputs/current_forward, scaled per image to 0–1 by its minimum
/// and maximum; the dataset must be generated with --channels current_forward).
const std::vector<std::string>& input_channel_names();

/// An open dataset file (DIR/dataset.h5, a shard, or the path of either).
class TrainingData {
public:
    /// Opens DIR/dataset.h5 (or the file itself) for these input channels; throws InvalidInput
    /// when it does not exist, is not a synthstm dataset, lacks a channel or a channel is unknown
    /// or not led by z_recorded; Io when HDF5 cannot read it.
    /// level_input: z_recorded from inputs/z_recorded_raw, levelled (plane, then line medians,
    /// as predict levels a real scan) and scaled to 0–1; otherwise inputs/z_recorded / 255.
    explicit TrainingData(const std::filesystem::path& dir_or_file,
                          const std::vector<std::string>& inputs = {"z_recorded"}, bool level_input = false);
    /// Samples in the file.
    [[nodiscard]] std::uint64_t samples() const { return samples_; }
    /// Side H = W of the images.
    [[nodiscard]] int pixels() const { return pixels_; }
    /// Input channels C of a sample.
    [[nodiscard]] int channels() const { return 1 + static_cast<int>(extra_.size()); }
    /// The file read.
    [[nodiscard]] const std::filesystem::path& file() const { return path_; }
    /// Rows [first, first + count); throws InvalidInput when they exceed the file.
    [[nodiscard]] SampleBlock read(std::uint64_t first, std::uint64_t count) const;
    /// Field of view (parameters/size_nm) of every sample, in file order.
    [[nodiscard]] std::vector<double> size_nm() const;
    /// A text parameter (parameters/NAME, e.g. "tip") of every sample, in file order; empty
    /// when the dataset has no such column.
    [[nodiscard]] std::vector<std::string> text_parameter(const std::string& name) const;
    /// Defects inside each image (defect table rows with in_image = 1), in file order.
    [[nodiscard]] std::vector<std::vector<TruthDefect>> defects_in_image() const;
    /// Every listed defect of each sample (in_image set for those inside), in file order.
    [[nodiscard]] std::vector<std::vector<TruthDefect>> defects_listed() const;

private:
    std::filesystem::path path_;
    h5::Handle file_;
    h5::Handle input_, lattice_, defects_;
    bool level_input_ = false;
    std::vector<bool> lines_are_columns_;  // per sample: a fast y axis scans columns (parameters/fast_axis)
    std::vector<h5::Handle> extra_;  // float32 input channels after z_recorded
    std::uint64_t samples_ = 0;
    int pixels_ = 0;
};

/// Scales values to 0–1 by their minimum and maximum (all 0 when they are equal), as the
/// dataset scales z_recorded and as every input channel is scaled.
void scale_to_unit(std::span<float> values);

/// The median, smallest and largest nm per pixel of a dataset (size_nm / pixels).
struct PixelScale {
    double median = 0;  ///< median over samples
    double min = 0;     ///< smallest
    double max = 0;     ///< largest
};
/// The pixel scale of the samples of `data`.
PixelScale pixel_scale(const TrainingData& data);
/// The pixel scale of the samples of all of `data` together.
PixelScale pixel_scale(std::span<const TrainingData* const> data);

}  // namespace synthstm::ml
