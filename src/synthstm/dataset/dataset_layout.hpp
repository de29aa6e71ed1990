#pragma once
/// The one layout of a synthstm dataset (docs/dataset.md): what a dataset is (config, seed,
/// sample count, shard size, extra channels), how its samples fall into shards, and every
/// per-sample array with its element type, unit and how it is taken from a simulated sample.
/// The shard writer, the virtual dataset file and the reader all follow this table.
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "synthstm/config/config.hpp"
#include "synthstm/dataset/simulate_sample.hpp"

namespace synthstm {

/// Version of the layout, stored with every file; bumped when the layout changes.
inline constexpr int kDatasetLayoutVersion = 1;
/// Version of synthstm, stored with every file.
inline constexpr const char* kSynthstmVersion = "0.4.0";
/// Bytes of a fixed-length text parameter (tip names, axes, models).
inline constexpr std::size_t kTextParameterBytes = 32;

/// What a dataset is: everything that decides its content. Two runs with equal specs write equal
/// arrays, whatever the thread count, rank count or resume point.
struct DatasetSpec {
    nlohmann::json config;              ///< Config::to_json() of the config after --set overrides
    std::uint64_t seed = 0;             ///< dataset seed
    std::uint64_t samples = 0;          ///< N
    std::uint64_t shard_size = 64;      ///< samples per shard (the last may hold fewer)
    std::vector<std::string> channels;  ///< extra float32 channels under inputs/
    int pixels = 0;                     ///< H = W (the config's constant resolution_px)

    /// Builds a spec; throws InvalidInput when N or the shard size is 0, resolution_px is not a
    /// constant, or a channel is unknown or listed twice.
    static DatasetSpec make(const Config& config, std::uint64_t seed, std::uint64_t samples,
                            std::uint64_t shard_size, std::vector<std::string> channels);
    /// The manifest: the spec plus layout and program versions.
    [[nodiscard]] nlohmann::json manifest() const;
    /// The first difference between this spec and a manifest ("seed 1 there, 2 here"), "" if none.
    [[nodiscard]] std::string difference(const nlohmann::json& manifest) const;
    /// Number of shards.
    [[nodiscard]] std::uint64_t shard_count() const { return (samples + shard_size - 1) / shard_size; }
    /// Sample indices [first, end) of a shard.
    [[nodiscard]] std::pair<std::uint64_t, std::uint64_t> shard_range(std::uint64_t shard) const;
};

/// Names of the channels simulate_sample produces (valid --channels entries).
const std::vector<std::string>& sample_channel_names();
/// "shard-000042.h5".
std::string shard_file_name(std::uint64_t shard);

/// Element types of the stored arrays.
enum class Element { UInt8, UInt32, Int64, UInt64, Float32, Float64, Text };
/// Bytes of one element.
std::size_t element_bytes(Element e);

/// One simulated sample with the context the columns need.
struct SampleView {
    const SimulatedSample& sample;  ///< the simulation result
    std::uint64_t index;            ///< its index in the dataset
};

/// One per-sample array of the layout: [N] or [N, H, W].
struct Column {
    std::string path;         ///< e.g. "inputs/z_recorded"
    Element element;          ///< stored element type
    bool image = false;       ///< [N, H, W] (else [N])
    std::string unit;         ///< unit attribute ("" for none)
    std::string description;  ///< description attribute
    /// Appends this sample's cell (element_bytes × (image ? H·W : 1) bytes) to `out`.
    std::function<void(const SampleView&, std::vector<std::uint8_t>& out)> extract;
};

/// Every per-sample array of a dataset with this spec, in a fixed order.
std::vector<Column> dataset_columns(const DatasetSpec& spec);

/// One row of the defect table (HDF5 compound "defects").
struct DefectRow {
    std::uint64_t sample_index = 0;   ///< the sample
    char type[16] = {};               ///< "vacancy", "dopant" or "antisite"
    char sublattice[16] = {};         ///< "Se_top", "Se_bottom", "W", … (material site name)
    std::int32_t class_id = 0;        ///< id in targets/class_map (2–10)
    double onsite_eV = 0.0;           ///< dopant or antisite onsite shift (0 for vacancies)
    double x_nm = 0.0;                ///< sample-frame position
    double y_nm = 0.0;                ///< sample-frame position
    double x_px = 0.0;                ///< fractional column in the recorded image
    double y_px = 0.0;                ///< fractional row in the recorded image (row 0 = top line)
    std::uint8_t in_image = 0;        ///< 1 when (y_px, x_px) lies within the image
};

/// The defect rows of one sample, in the order of its ground-truth defect list.
std::vector<DefectRow> defect_rows(const SampleView& view);

}  // namespace synthstm
