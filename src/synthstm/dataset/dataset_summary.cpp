#include "synthstm/dataset/dataset_summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "synthstm/config/config.hpp"
#include "synthstm/core/error.hpp"
#include "synthstm/dataset/dataset_layout.hpp"
#include "synthstm/dataset/hdf5.hpp"
#include "synthstm/dataset/shard.hpp"
#include "synthstm/groundtruth/class_map.hpp"

namespace synthstm {
namespace {

using nlohmann::json;
constexpr std::uint64_t kBlock = 256;  // samples read at a time

/// Minimum, maximum, mean and non-finite count of values seen so far.
struct Range {
    double min = std::numeric_limits<double>::infinity(), max = -std::numeric_limits<double>::infinity();
    double sum = 0.0;
    std::uint64_t count = 0, non_finite = 0;
    void add(double v) {
        if (!std::isfinite(v)) {
            ++non_finite;
            return;
        }
        min = std::min(min, v);
        max = std::max(max, v);
        sum += v;
        ++count;
    }
    [[nodiscard]] json to_json() const {
        if (count == 0) return json{{"min", nullptr}, {"max", nullptr}, {"mean", nullptr}, {"non_finite", non_finite}};
        return json{{"min", min}, {"max", max}, {"mean", sum / static_cast<double>(count)}, {"non_finite", non_finite}};
    }
};

/// Reads rows [first, first + count) of a dataset as doubles (numbers) into `out`.
void read_numbers(hid_t dataset, std::uint64_t first, std::uint64_t count, std::size_t per_row,
                  std::vector<double>& out, const std::string& what) {
    out.resize(count * per_row);
    h5::read_rows(dataset, H5T_NATIVE_DOUBLE, first, count, out.data(), what);
}

std::vector<std::string> read_texts(hid_t dataset, std::uint64_t n, const std::string& what) {
    h5::Handle type(H5Dget_type(dataset), H5Tclose, fmt::format("read the type of {}", what));
    const std::size_t size = H5Tget_size(type.id());
    std::vector<char> raw(n * size);
    h5::read_all(dataset, type.id(), raw.data(), what);
    std::vector<std::string> texts;
    for (std::uint64_t k = 0; k < n; ++k) {
        const char* p = raw.data() + k * size;
        texts.emplace_back(p, strnlen(p, size));
    }
    return texts;
}

json array_range(hid_t file, const std::string& path, std::uint64_t n, std::size_t per_row) {
    h5::Handle d = h5::open_dataset(file, path);
    Range r;
    std::vector<double> block;
    for (std::uint64_t first = 0; first < n; first += kBlock) {
        const std::uint64_t count = std::min(kBlock, n - first);
        read_numbers(d.id(), first, count, per_row, block, path);
        for (double v : block) r.add(v);
    }
    return r.to_json();
}

json parameter_summary(hid_t file, const ParameterSpec& spec, std::uint64_t n) {
    const std::string path = "parameters/" + spec.key;
    h5::Handle d = h5::open_dataset(file, path);
    json out{{"unit", spec.unit}};
    if (spec.kind == ParameterKind::Text || spec.kind == ParameterKind::Flag) {
        std::map<std::string, std::uint64_t> counts;
        if (spec.kind == ParameterKind::Text) {
            for (const auto& t : read_texts(d.id(), n, path)) ++counts[t];
        } else {
            std::vector<double> v;
            read_numbers(d.id(), 0, n, 1, v, path);
            for (double x : v) ++counts[x != 0 ? "true" : "false"];
        }
        out["counts"] = counts;
        return out;
    }
    std::vector<double> v;
    read_numbers(d.id(), 0, n, 1, v, path);
    Range r;
    for (double x : v) r.add(x);
    out.update(r.to_json());
    return out;
}

json defect_summary(hid_t file, std::uint64_t n) {
    h5::Handle table = h5::open_dataset(file, "defects");
    const std::uint64_t rows = h5::extent(table.id()).at(0);
    std::vector<DefectRow> defects(rows);
    h5::Handle row_type = defect_row_memory_type();
    h5::read_all(table.id(), row_type.id(), defects.data(), "defects");
    std::vector<std::uint64_t> per_sample(n, 0);
    std::map<std::string, std::uint64_t> by_kind;
    std::uint64_t in_image = 0;
    for (const DefectRow& d : defects) {
        if (d.sample_index < n) ++per_sample[d.sample_index];
        in_image += d.in_image;
        ++by_kind[fmt::format("{} {}", std::string(d.type, strnlen(d.type, sizeof d.type)),
                              std::string(d.sublattice, strnlen(d.sublattice, sizeof d.sublattice)))];
    }
    json kinds = json::object();
    for (const auto& [kind, count] : by_kind)
        kinds[kind] = {{"count", count}, {"per_sample_mean", static_cast<double>(count) / static_cast<double>(n)}};
    const auto [lo, hi] = std::minmax_element(per_sample.begin(), per_sample.end());
    return json{{"total", rows},
                {"in_image", in_image},
                {"per_sample_mean", static_cast<double>(rows) / static_cast<double>(n)},
                {"per_sample_min", n ? *lo : 0},
                {"per_sample_max", n ? *hi : 0},
                {"by_kind", kinds}};
}

json class_fractions(hid_t file, std::uint64_t n, std::size_t per_row) {
    h5::Handle d = h5::open_dataset(file, "targets/class_map");
    std::vector<std::uint64_t> counts(kNumPixelClasses, 0);
    std::vector<std::uint8_t> block;
    for (std::uint64_t first = 0; first < n; first += kBlock) {
        const std::uint64_t count = std::min(kBlock, n - first);
        block.resize(count * per_row);
        h5::read_rows(d.id(), H5T_NATIVE_UINT8, first, count, block.data(), "targets/class_map");
        for (std::uint8_t c : block) ++counts[std::min<std::size_t>(c, kNumPixelClasses - 1)];
    }
    json out = json::object();
    const double total = static_cast<double>(n * per_row);
    for (int k = 0; k < kNumPixelClasses; ++k) out[class_name(k)] = total > 0 ? counts[k] / total : 0.0;
    return out;
}

std::vector<float> read_image(hid_t file, const std::string& path, std::uint64_t index, std::size_t pixels) {
    h5::Handle d = h5::open_dataset(file, path);
    std::vector<float> v(pixels);
    h5::read_rows(d.id(), H5T_NATIVE_FLOAT, index, 1, v.data(), path);
    return v;
}

}  // namespace

json summarize_dataset(const std::filesystem::path& path) {
    h5::Handle file = h5::open_file(path);
    json s;
    s["file"] = path.string();
    const std::uint64_t n = h5::read_u64_attribute(file.id(), "samples");
    s["samples"] = n;
    s["shards"] = H5Aexists(file.id(), "shard_count") > 0
                      ? json(h5::read_u64_attribute(file.id(), "shard_count"))
                      : json(nullptr);
    s["seed"] = h5::read_u64_attribute(file.id(), "seed");
    s["synthstm_version"] = h5::read_string_attribute(file.id(), "synthstm_version");
    const json channels = json::parse(h5::read_string_attribute(file.id(), "channels"));
    s["channels"] = channels;
    h5::Handle input = h5::open_dataset(file.id(), "inputs/z_recorded");
    const auto dims = h5::extent(input.id());
    if (dims.size() != 3 || dims[0] != n)
        io_error(fmt::format("{}: inputs/z_recorded has the wrong shape for {} samples", path.string(), n));
    s["pixels"] = dims[1];
    const std::size_t per_image = dims[1] * dims[2];

    std::vector<std::string> arrays = {"inputs/z_recorded", "inputs/z_recorded_raw", "targets/lattice", "targets/defects"};
    for (const auto& c : channels) arrays.push_back("inputs/" + c.get<std::string>());
    for (const auto& a : arrays) s["arrays"][a] = array_range(file.id(), a, n, per_image);
    for (const char* a : {"derived/setpoint_current", "derived/ideal_gain_nm"})
        s["arrays"][a] = array_range(file.id(), a, n, 1);
    s["classes"] = class_fractions(file.id(), n, per_image);
    for (const auto& spec : sample_schema())
        if (h5::exists(file.id(), "parameters/" + spec.key))
            s["parameters"][spec.key] = parameter_summary(file.id(), spec, n);
    s["defects"] = defect_summary(file.id(), n);
    return s;
}

DatasetPreview read_preview(const std::filesystem::path& path, std::uint64_t count) {
    h5::Handle file = h5::open_file(path);
    const std::uint64_t n = h5::read_u64_attribute(file.id(), "samples");
    h5::Handle input = h5::open_dataset(file.id(), "inputs/z_recorded");
    const auto dims = h5::extent(input.id());
    DatasetPreview p;
    p.pixels = static_cast<int>(dims.at(1));
    const std::size_t per_image = dims.at(1) * dims.at(2);
    h5::Handle index = h5::open_dataset(file.id(), "sample_index");
    for (std::uint64_t k = 0; k < std::min(n, count); ++k) {
        std::uint64_t sample = 0;
        h5::read_rows(index.id(), H5T_NATIVE_UINT64, k, 1, &sample, "sample_index");
        p.indices.push_back(sample);
        p.input.push_back(read_image(file.id(), "inputs/z_recorded", k, per_image));
        p.lattice.push_back(read_image(file.id(), "targets/lattice", k, per_image));
        p.defects.push_back(read_image(file.id(), "targets/defects", k, per_image));
        p.classes.push_back(read_image(file.id(), "targets/class_map", k, per_image));
    }
    return p;
}

}  // namespace synthstm
