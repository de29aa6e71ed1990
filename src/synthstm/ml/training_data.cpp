#include "synthstm/ml/training_data.hpp"
#include "synthstm/ml/real_scan.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/dataset/dataset_file.hpp"
#include "synthstm/dataset/dataset_layout.hpp"
#include "synthstm/dataset/shard.hpp"

namespace synthstm::ml {

const std::vector<std::string>& input_channel_names() {
    static const std::vector<std::string> names = {"z_recorded", "current_forward"};
    return names;
}

TrainingData::TrainingData(const std::filesystem::path& dir_or_file, const std::vector<std::string>& inputs,
                           bool level_input)
    : level_input_(level_input) {
    if (inputs.empty() || inputs.front() != "z_recorded")
        invalid_input("--inputs: the first input channel must be z_recorded");
    for (std::size_t k = 1; k < inputs.size(); ++k)
        if (std::find(input_channel_names().begin() + 1, input_channel_names().end(), inputs[k]) ==
                input_channel_names().end() ||
            std::find(inputs.begin(), inputs.begin() + static_cast<std::ptrdiff_t>(k), inputs[k]) !=
                inputs.begin() + static_cast<std::ptrdiff_t>(k))
            invalid_input(fmt::format("unknown or repeated input channel '{}' (known: z_recorded, current_forward)",
                                      inputs[k]));
    path_ = std::filesystem::is_directory(dir_or_file) ? dir_or_file / kDatasetFileName : dir_or_file;
    if (!std::filesystem::exists(path_))
        invalid_input(fmt::format("{} does not exist (synthstm generate writes DIR/{})", path_.string(), kDatasetFileName));
    h5::silence_errors();
    file_ = h5::open_file(path_);
    // h5::exists needs every parent, so the groups are checked before the arrays in them.
    for (const char* p : {"inputs", "targets", "parameters", "inputs/z_recorded", "targets/lattice", "targets/defects",
                          "parameters/size_nm", "sample_index"})
        if (!h5::exists(file_.id(), p))
            invalid_input(fmt::format("{} is not a synthstm dataset (no {})", path_.string(), p));
    if (level_input_ && !h5::exists(file_.id(), "inputs/z_recorded_raw"))
        invalid_input(fmt::format("{} has no inputs/z_recorded_raw to level", path_.string()));
    input_ = h5::open_dataset(file_.id(), level_input_ ? "inputs/z_recorded_raw" : "inputs/z_recorded");

    lattice_ = h5::open_dataset(file_.id(), "targets/lattice");
    defects_ = h5::open_dataset(file_.id(), "targets/defects");
    const std::vector<hsize_t> dims = h5::extent(input_.id());
    if (dims.size() != 3 || dims[1] != dims[2] || dims[1] == 0)
        invalid_input(fmt::format("{}: inputs/z_recorded is not [N, H, H]", path_.string()));
    if (h5::extent(lattice_.id()) != dims || h5::extent(defects_.id()) != dims)
        invalid_input(fmt::format("{}: the target maps do not have the shape of inputs/z_recorded", path_.string()));
    for (std::size_t k = 1; k < inputs.size(); ++k) {
        const std::string path = "inputs/" + inputs[k];
        if (!h5::exists(file_.id(), path))
            invalid_input(fmt::format("{} has no {} (generate the dataset with --channels {})", path_.string(), path,
                                      inputs[k]));
        extra_.push_back(h5::open_dataset(file_.id(), path));
        if (h5::extent(extra_.back().id()) != dims)
            invalid_input(fmt::format("{}: {} does not have the shape of inputs/z_recorded", path_.string(), path));
    }
    samples_ = dims[0];
    pixels_ = static_cast<int>(dims[1]);
    if (samples_ == 0) invalid_input(fmt::format("{} holds no samples", path_.string()));
    lines_are_columns_.assign(samples_, false);
    if (level_input_) {
        const std::vector<std::string> fast_axis = text_parameter("fast_axis");
        for (std::size_t k = 0; k < fast_axis.size(); ++k) lines_are_columns_[k] = fast_axis[k] == "y";
    }
}

SampleBlock TrainingData::read(std::uint64_t first, std::uint64_t count) const {
    if (count == 0 || first + count > samples_)
        invalid_input(fmt::format("{}: samples [{}, {}) exceed the {} in the file", path_.string(), first, first + count,
                                  samples_));
    SampleBlock b;
    b.first = first;
    b.count = count;
    b.pixels = pixels_;
    b.channels = 1 + static_cast<int>(extra_.size());
    const std::size_t image = static_cast<std::size_t>(pixels_) * static_cast<std::size_t>(pixels_);
    const auto channels = static_cast<std::size_t>(b.channels);
    b.inputs.resize(count * channels * image);
    if (level_input_) {
        std::vector<float> raw(count * image), one(image);
        h5::read_rows(input_.id(), H5T_NATIVE_FLOAT, first, count, raw.data(), "inputs/z_recorded_raw");
        const auto side = static_cast<std::size_t>(pixels_);
        for (std::size_t k = 0; k < count; ++k) {
            std::copy_n(raw.begin() + static_cast<std::ptrdiff_t>(k * image), image, one.begin());
            level_plane(one, side, side);
            // The scan lines run along the fast axis: image rows, or columns for a fast y axis.
            level_lines(one, side, side, lines_are_columns_[first + k]);
            scale_to_unit(one);
            std::copy(one.begin(), one.end(), b.inputs.begin() + static_cast<std::ptrdiff_t>(k * channels * image));
        }
    } else {
        std::vector<std::uint8_t> raw(count * image);
        h5::read_rows(input_.id(), H5T_NATIVE_UINT8, first, count, raw.data(), "inputs/z_recorded");
        for (std::size_t k = 0; k < count; ++k)
            std::transform(raw.begin() + static_cast<std::ptrdiff_t>(k * image),
                           raw.begin() + static_cast<std::ptrdiff_t>((k + 1) * image),
                           b.inputs.begin() + static_cast<std::ptrdiff_t>(k * channels * image),
                           [](std::uint8_t u) { return static_cast<float>(u) / 255.0f; });
    }
    std::vector<float> extra(count * image);
    for (std::size_t c = 1; c < channels; ++c) {
        h5::read_rows(extra_[c - 1].id(), H5T_NATIVE_FLOAT, first, count, extra.data(), "an extra input channel");
        for (std::size_t k = 0; k < count; ++k) {
            const std::span<float> dst(b.inputs.data() + (k * channels + c) * image, image);
            std::copy_n(extra.begin() + static_cast<std::ptrdiff_t>(k * image), image, dst.begin());
            scale_to_unit(dst);
        }
    }
    std::vector<float> lattice(count * image), defects(count * image);
    h5::read_rows(lattice_.id(), H5T_NATIVE_FLOAT, first, count, lattice.data(), "targets/lattice");
    h5::read_rows(defects_.id(), H5T_NATIVE_FLOAT, first, count, defects.data(), "targets/defects");
    b.targets.resize(2 * count * image);
    for (std::uint64_t k = 0; k < count; ++k) {
        std::copy_n(lattice.begin() + static_cast<std::ptrdiff_t>(k * image), image,
                    b.targets.begin() + static_cast<std::ptrdiff_t>(2 * k * image));
        std::copy_n(defects.begin() + static_cast<std::ptrdiff_t>(k * image), image,
                    b.targets.begin() + static_cast<std::ptrdiff_t>((2 * k + 1) * image));
    }
    return b;
}

std::vector<double> TrainingData::size_nm() const {
    h5::Handle d = h5::open_dataset(file_.id(), "parameters/size_nm");
    std::vector<double> v(samples_);
    h5::read_all(d.id(), H5T_NATIVE_DOUBLE, v.data(), "parameters/size_nm");
    return v;
}

std::vector<std::string> TrainingData::text_parameter(const std::string& name) const {
    const std::string path = "parameters/" + name;
    if (!h5::exists(file_.id(), path)) return {};
    const h5::Handle d = h5::open_dataset(file_.id(), path);
    // Optional metadata: a column of another shape or kind (e.g. variable-length strings from
    // another writer) is treated as absent rather than refusing the dataset.
    if (h5::extent(d.id()) != std::vector<hsize_t>{samples_}) return {};
    const h5::Handle type(H5Dget_type(d.id()), H5Tclose, "read the type of " + path);
    if (H5Tget_class(type.id()) != H5T_STRING || H5Tis_variable_str(type.id()) > 0) return {};
    const std::size_t length = H5Tget_size(type.id());
    std::vector<char> text(samples_ * length);
    h5::read_all(d.id(), type.id(), text.data(), path);
    std::vector<std::string> out(samples_);
    for (std::size_t k = 0; k < samples_; ++k) {
        const char* begin = text.data() + k * length;
        std::string_view v(begin, static_cast<std::size_t>(std::find(begin, begin + length, '\0') - begin));
        while (!v.empty() && v.back() == ' ') v.remove_suffix(1);  // space-padded strings
        out[k] = v;
    }
    return out;
}

std::vector<std::vector<TruthDefect>> TrainingData::defects_in_image() const {
    std::vector<std::vector<TruthDefect>> out = defects_listed();
    for (auto& sample : out) std::erase_if(sample, [](const TruthDefect& d) { return !d.in_image; });
    return out;
}

std::vector<std::vector<TruthDefect>> TrainingData::defects_listed() const {
    std::vector<std::uint64_t> index(samples_);
    h5::Handle ids = h5::open_dataset(file_.id(), "sample_index");
    h5::read_all(ids.id(), H5T_NATIVE_UINT64, index.data(), "sample_index");
    std::vector<std::vector<TruthDefect>> out(samples_);
    if (!h5::exists(file_.id(), "defects")) return out;
    h5::Handle table = h5::open_dataset(file_.id(), "defects");
    const std::uint64_t rows = h5::extent(table.id()).at(0);
    std::vector<DefectRow> all(rows);
    h5::Handle row_type = defect_row_memory_type();
    if (rows > 0) h5::read_all(table.id(), row_type.id(), all.data(), "defects");
    // The table names dataset sample indices; a shard's rows start at its first index.
    for (const DefectRow& d : all) {
        const auto row = std::lower_bound(index.begin(), index.end(), d.sample_index);
        if (row == index.end() || *row != d.sample_index) continue;
        const std::string_view sublattice(d.sublattice, strnlen(d.sublattice, sizeof d.sublattice));
        const std::string_view type(d.type, strnlen(d.type, sizeof d.type));
        out[static_cast<std::size_t>(row - index.begin())].push_back(
            {d.x_px, d.y_px, sublattice.ends_with("_top"), d.in_image != 0,
             fmt::format("{} {}", type, sublattice), d.onsite_eV});
    }
    return out;
}

void scale_to_unit(std::span<float> values) {
    if (values.empty()) return;
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    const float low = *lo, range = *hi - *lo;
    for (float& v : values) v = range > 0 ? (v - low) / range : 0.0f;
}

PixelScale pixel_scale(const TrainingData& data) {
    const TrainingData* one[] = {&data};
    return pixel_scale(one);
}

PixelScale pixel_scale(std::span<const TrainingData* const> data) {
    std::vector<double> s;
    for (const TrainingData* d : data)
        for (double size : d->size_nm()) s.push_back(size / d->pixels());
    if (s.empty()) invalid_input("no samples to take the pixel scale of");
    std::sort(s.begin(), s.end());
    return {s[s.size() / 2], s.front(), s.back()};
}

}  // namespace synthstm::ml
