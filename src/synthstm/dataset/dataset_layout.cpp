#include "synthstm/dataset/dataset_layout.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/groundtruth/class_map.hpp"
#include "synthstm/tightbinding/periodic_model.hpp"

namespace synthstm {
namespace {

using nlohmann::json;
using Bytes = std::vector<std::uint8_t>;

template <class T>
void append(Bytes& out, const T& value) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(&value);
    out.insert(out.end(), p, p + sizeof(T));
}

template <class T, class Source>
void append_image(Bytes& out, const Source& values) {
    for (const auto v : values) append(out, static_cast<T>(v));
}

void append_text(Bytes& out, const std::string& text, const std::string& key) {
    if (text.size() >= kTextParameterBytes)
        invalid_input(fmt::format("parameter {} = '{}' is longer than the {} bytes a dataset stores", key, text,
                                  kTextParameterBytes - 1));
    std::uint8_t cell[kTextParameterBytes] = {};
    std::memcpy(cell, text.data(), text.size());
    out.insert(out.end(), cell, cell + kTextParameterBytes);
}

/// The seed's network input: the recorded forward topography scaled to 0–255 per image
/// (u = round(255 (z − min) / (max − min)); a flat image is 0).
void append_scaled_u8(Bytes& out, const std::vector<double>& z) {
    const auto [lo, hi] = std::minmax_element(z.begin(), z.end());
    const double span = *hi - *lo;
    for (double v : z) {
        const double t = span > 0 ? (v - *lo) / span : 0.0;
        out.push_back(static_cast<std::uint8_t>(std::lround(std::clamp(t, 0.0, 1.0) * 255.0)));
    }
}

const std::vector<double>& recorded(const SampleView& v) {
    return find_channel(v.sample, "z_recorded_forward").image.values;
}

}  // namespace

const std::vector<std::string>& sample_channel_names() {
    static const std::vector<std::string> names = {
        "z_recorded_forward", "z_recorded_backward", "z_true_forward",          "z_true_backward",
        "current_forward",    "current_backward",    "constant_height_current", "constant_current_height"};
    return names;
}

std::string shard_file_name(std::uint64_t shard) { return fmt::format("shard-{:06d}.h5", shard); }

std::size_t element_bytes(Element e) {
    switch (e) {
        case Element::UInt8: return 1;
        case Element::UInt32: return 4;
        case Element::Float32: return 4;
        case Element::Int64:
        case Element::UInt64:
        case Element::Float64: return 8;
        case Element::Text: return kTextParameterBytes;
    }
    return 0;
}

DatasetSpec DatasetSpec::make(const Config& config, std::uint64_t seed, std::uint64_t samples, std::uint64_t shard_size,
                              std::vector<std::string> channels) {
    if (samples == 0) invalid_input("the number of samples (-n) must be at least 1");
    if (shard_size == 0) invalid_input("--shard-size must be at least 1");
    DatasetSpec spec;
    spec.config = config.to_json();
    const json& resolution = spec.config.at("resolution_px");
    if (!resolution.is_number())
        invalid_input(fmt::format("resolution_px must be a constant in a dataset (images are stacked [N, H, W]), got {}",
                                  resolution.dump()));
    spec.pixels = resolution.get<int>();
    for (const auto& c : channels) {
        const auto& names = sample_channel_names();
        if (std::find(names.begin(), names.end(), c) == names.end())
            invalid_input(fmt::format("unknown channel '{}' in --channels: expected some of {}", c, fmt::join(names, ", ")));
        if (std::count(channels.begin(), channels.end(), c) > 1)
            invalid_input(fmt::format("channel '{}' is listed twice in --channels", c));
    }
    spec.seed = seed;
    spec.samples = samples;
    spec.shard_size = shard_size;
    spec.channels = std::move(channels);
    return spec;
}

json DatasetSpec::manifest() const {
    return json{{"layout_version", kDatasetLayoutVersion},
                {"synthstm_version", kSynthstmVersion},
                {"seed", seed},
                {"samples", samples},
                {"shard_size", shard_size},
                {"channels", channels},
                {"pixels", pixels},
                {"config", config}};
}

std::string DatasetSpec::difference(const json& manifest) const {
    const json here = this->manifest();
    for (const char* key : {"layout_version", "synthstm_version", "seed", "samples", "shard_size", "channels"}) {
        if (!manifest.contains(key)) return fmt::format("it has no {}", key);
        if (manifest[key] != here[key])
            return fmt::format("{} there is {}, here {}", key, manifest[key].dump(), here[key].dump());
    }
    if (!manifest.contains("config") || !manifest["config"].is_object()) return "it has no config";
    for (const auto& [key, value] : here["config"].items()) {
        if (!manifest["config"].contains(key)) return fmt::format("its config has no {}", key);
        if (manifest["config"][key] != value)
            return fmt::format("config key {} there is {}, here {}", key, manifest["config"][key].dump(), value.dump());
    }
    if (manifest["config"].size() != here["config"].size()) return "its config has other keys";
    return "";
}

std::pair<std::uint64_t, std::uint64_t> DatasetSpec::shard_range(std::uint64_t shard) const {
    const std::uint64_t first = shard * shard_size;
    return {first, std::min(samples, first + shard_size)};
}

std::vector<Column> dataset_columns(const DatasetSpec& spec) {
    std::vector<Column> columns;
    columns.push_back({"sample_index", Element::UInt64, false, "", "index of the sample in the dataset (its random streams)",
                       [](const SampleView& v, Bytes& out) { append(out, v.index); }});
    columns.push_back({"inputs/z_recorded", Element::UInt8, true, "",
                       "recorded forward topography, min-max scaled to 0-255 per image (the seed's network input)",
                       [](const SampleView& v, Bytes& out) { append_scaled_u8(out, recorded(v)); }});
    columns.push_back({"inputs/z_recorded_raw", Element::Float32, true, "nm", "recorded forward topography",
                       [](const SampleView& v, Bytes& out) { append_image<float>(out, recorded(v)); }});
    for (const auto& name : spec.channels) {
        columns.push_back({"inputs/" + name, Element::Float32, true, name.starts_with("current") ? "arb" : "nm",
                           fmt::format("channel {} of the simulated sample", name),
                           [name](const SampleView& v, Bytes& out) {
                               append_image<float>(out, find_channel(v.sample, name).image.values);
                           }});
    }
    columns.push_back({"targets/lattice", Element::Float32, true, "", "lattice map clip(1.1 - d/(a/2), 0, 1)",
                       [](const SampleView& v, Bytes& out) { append_image<float>(out, v.sample.truth.lattice); }});
    columns.push_back({"targets/defects", Element::Float32, true, "", "defect map clip(1.1 - d/(a/2), 0, 1)",
                       [](const SampleView& v, Bytes& out) { append_image<float>(out, v.sample.truth.defect); }});
    columns.push_back({"targets/class_map", Element::UInt8, true, "",
                       "pixel classes 0 background, 1 lattice, 2-10 defects, 11 adsorbate (attribute class_names)",
                       [](const SampleView& v, Bytes& out) { append_image<std::uint8_t>(out, v.sample.truth.classes); }});
    columns.push_back({"targets/terrace", Element::UInt8, true, "", "1 over the upper terrace of a step edge, else 0",
                       [](const SampleView& v, Bytes& out) { append_image<std::uint8_t>(out, v.sample.truth.terrace); }});

    // The parameter table: one column per schema key, in schema order.
    for (const auto& s : sample_schema()) {
        const std::string key = s.key;
        Element e = Element::Float64;
        if (s.kind == ParameterKind::Integer) e = Element::Int64;
        if (s.kind == ParameterKind::Flag) e = Element::UInt8;
        if (s.kind == ParameterKind::Text) e = Element::Text;
        columns.push_back({"parameters/" + key, e, false, s.unit, s.help,
                           [key, kind = s.kind](const SampleView& v, Bytes& out) {
                               const ParameterSet& p = v.sample.parameters;
                               switch (kind) {
                                   case ParameterKind::Number: append(out, p.number(key)); break;
                                   case ParameterKind::Integer: append(out, static_cast<std::int64_t>(p.integer(key))); break;
                                   case ParameterKind::Flag: append(out, static_cast<std::uint8_t>(p.flag(key))); break;
                                   case ParameterKind::Text: append_text(out, p.text(key), key); break;
                               }
                           }});
    }

    // Derived per-sample values.
    columns.push_back({"derived/z_recorded_min_nm", Element::Float64, false, "nm", "inputs/z_recorded 0 is this height",
                       [](const SampleView& v, Bytes& out) {
                           append(out, *std::min_element(recorded(v).begin(), recorded(v).end()));
                       }});
    columns.push_back({"derived/z_recorded_max_nm", Element::Float64, false, "nm", "inputs/z_recorded 255 is this height",
                       [](const SampleView& v, Bytes& out) {
                           append(out, *std::max_element(recorded(v).begin(), recorded(v).end()));
                       }});
    columns.push_back({"derived/setpoint_current", Element::Float64, false, "arb",
                       "I_set: median constant-height current at tip_height_nm",
                       [](const SampleView& v, Bytes& out) { append(out, v.sample.setpoint); }});
    columns.push_back({"derived/ideal_gain_nm", Element::Float64, false, "nm", "g0 = 1/|d ln I/dz| at the setpoint",
                       [](const SampleView& v, Bytes& out) { append(out, v.sample.ideal_gain_nm); }});
    columns.push_back({"derived/defect_count", Element::UInt32, false, "", "rows of this sample in the defect table",
                       [](const SampleView& v, Bytes& out) {
                           append(out, static_cast<std::uint32_t>(v.sample.truth.defects.size()));
                       }});
    columns.push_back({"derived/defects_in_image", Element::UInt32, false, "", "defects whose pixel position is in the image",
                       [](const SampleView& v, Bytes& out) {
                           const auto n = std::count_if(v.sample.truth.defects.begin(), v.sample.truth.defects.end(),
                                                        [](const DefectLabel& d) { return d.in_image; });
                           append(out, static_cast<std::uint32_t>(n));
                       }});
    columns.push_back({"derived/tip_change_line", Element::Int64, false, "",
                       "first line (time order) scanned after a tip change; -1: none (docs/realism.md)",
                       [](const SampleView& v, Bytes& out) {
                           append(out, static_cast<std::int64_t>(v.sample.events.tip_change_line));
                       }});
    columns.push_back({"derived/feedback_lost_lines", Element::UInt32, false, "", "lines where the feedback lost track",
                       [](const SampleView& v, Bytes& out) {
                           append(out, static_cast<std::uint32_t>(v.sample.events.feedback_lost_lines));
                       }});
    columns.push_back({"derived/streaks", Element::UInt32, false, "", "streaks on the recorded topography",
                       [](const SampleView& v, Bytes& out) {
                           append(out, static_cast<std::uint32_t>(v.sample.events.streaks));
                       }});
    columns.push_back({"derived/relaxed_sites", Element::UInt32, false, "", "sites moved by the relaxation around defects",
                       [](const SampleView& v, Bytes& out) {
                           append(out, static_cast<std::uint32_t>(v.sample.events.relaxed_sites));
                       }});
    columns.push_back({"derived/adsorbates", Element::UInt32, false, "", "adsorbates over the scanned area",
                       [](const SampleView& v, Bytes& out) {
                           append(out, static_cast<std::uint32_t>(v.sample.events.adsorbates));
                       }});
    columns.push_back({"derived/step_edge", Element::UInt8, false, "", "1 if a monolayer step crosses the scan",
                       [](const SampleView& v, Bytes& out) {
                           append(out, static_cast<std::uint8_t>(v.sample.events.step_edge ? 1 : 0));
                       }});
    columns.push_back({"derived/adsorbate_hops", Element::UInt32, false, "", "pushes of adsorbates by the tip",
                       [](const SampleView& v, Bytes& out) {
                           append(out, static_cast<std::uint32_t>(v.sample.events.adsorbate_hops));
                       }});
    return columns;
}

std::vector<DefectRow> defect_rows(const SampleView& view) {
    const TmdMaterial& material = *periodic_model_by_name(view.sample.parameters.text("model")).material;
    std::vector<DefectRow> rows;
    for (const DefectLabel& d : view.sample.truth.defects) {
        DefectRow r;
        r.sample_index = view.index;
        const std::string type = defect_type_name(d.type), site = material.site_name(d.sublattice);
        std::strncpy(r.type, type.c_str(), sizeof r.type - 1);
        std::strncpy(r.sublattice, site.c_str(), sizeof r.sublattice - 1);
        r.class_id = d.class_id;
        r.onsite_eV = d.onsite_eV;
        r.x_nm = d.x_nm;
        r.y_nm = d.y_nm;
        r.x_px = d.col_px;
        r.y_px = d.row_px;
        r.in_image = d.in_image ? 1 : 0;
        rows.push_back(r);
    }
    return rows;
}

}  // namespace synthstm
