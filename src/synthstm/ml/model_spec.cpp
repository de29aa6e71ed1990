#include "synthstm/ml/model_spec.hpp"

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/io/file_bytes.hpp"

namespace synthstm::ml {

void UNetSpec::validate() const {
    if (depth < 1 || depth > 6) invalid_input(fmt::format("U-Net depth must be 1–6, got {}", depth));
    if (width < 1 || width > 256) invalid_input(fmt::format("U-Net width must be 1–256, got {}", width));
    if (in_channels < 1) invalid_input(fmt::format("U-Net in_channels must be at least 1, got {}", in_channels));
    if (out_channels < 1) invalid_input(fmt::format("U-Net out_channels must be at least 1, got {}", out_channels));
}

nlohmann::json UNetSpec::to_json() const {
    return {{"depth", depth}, {"width", width}, {"in_channels", in_channels}, {"out_channels", out_channels}};
}

namespace {

template <typename T>
T field(const nlohmann::json& j, const char* name, const std::string& where) {
    if (!j.is_object() || !j.contains(name)) invalid_input(fmt::format("{}: missing \"{}\"", where, name));
    try {
        return j.at(name).get<T>();
    } catch (const nlohmann::json::exception&) {
        invalid_input(fmt::format("{}: \"{}\" has the wrong type", where, name));
    }
}

}  // namespace

UNetSpec UNetSpec::from_json(const nlohmann::json& j) {
    UNetSpec s;
    s.depth = field<int>(j, "depth", "unet");
    s.width = field<int>(j, "width", "unet");
    s.in_channels = field<int>(j, "in_channels", "unet");
    s.out_channels = field<int>(j, "out_channels", "unet");
    s.validate();
    return s;
}

nlohmann::json ModelInfo::to_json() const {
    return {{"architecture", "unet"},
            {"unet", unet.to_json()},
            {"inputs", inputs},
            {"outputs", outputs},
            {"input_scaling", "per image: (z - min) / (max - min), 0-1"},
            {"level_input", level_input},
            {"defect_weight", defect_weight},
            {"output_activation", "sigmoid"},
            {"nm_per_px", nm_per_px},
            {"nm_per_px_min", nm_per_px_min},
            {"nm_per_px_max", nm_per_px_max},
            {"pixels", pixels},
            {"lattice_constant_nm", lattice_constant_nm},
            {"data", data},
            {"train_samples", train_samples},
            {"validation_samples", validation_samples}};
}

ModelInfo ModelInfo::read(const std::filesystem::path& run_dir) {
    const std::filesystem::path path = run_dir / kModelInfoFile;
    if (!std::filesystem::exists(path))
        invalid_input(fmt::format("{} does not exist (synthstm train writes it)", path.string()));
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(read_file_bytes(path));
    } catch (const nlohmann::json::exception& e) {
        invalid_input(fmt::format("{} is not valid JSON: {}", path.string(), e.what()));
    }
    const std::string where = path.string();
    ModelInfo m;
    if (!j.is_object() || !j.contains("unet")) invalid_input(fmt::format("{}: missing \"unet\"", where));
    m.unet = UNetSpec::from_json(j["unet"]);
    m.inputs = field<std::vector<std::string>>(j, "inputs", where);
    m.outputs = field<std::vector<std::string>>(j, "outputs", where);
    // Runs written before the option learned from the unlevelled input.
    m.level_input = j.contains("level_input") ? field<bool>(j, "level_input", where) : false;
    m.defect_weight = j.contains("defect_weight") ? field<double>(j, "defect_weight", where) : 0.0;
    m.nm_per_px = field<double>(j, "nm_per_px", where);
    m.nm_per_px_min = field<double>(j, "nm_per_px_min", where);
    m.nm_per_px_max = field<double>(j, "nm_per_px_max", where);
    m.pixels = field<int>(j, "pixels", where);
    m.lattice_constant_nm = field<double>(j, "lattice_constant_nm", where);
    m.data = field<std::string>(j, "data", where);
    m.train_samples = field<std::uint64_t>(j, "train_samples", where);
    m.validation_samples = field<std::uint64_t>(j, "validation_samples", where);
    if (m.inputs.size() != static_cast<std::size_t>(m.unet.in_channels))
        invalid_input(fmt::format("{}: {} inputs for in_channels {}", where, m.inputs.size(), m.unet.in_channels));
    if (!(m.nm_per_px > 0)) invalid_input(fmt::format("{}: nm_per_px must be positive", where));
    if (m.pixels < 1) invalid_input(fmt::format("{}: pixels must be positive", where));
    return m;
}

void ModelInfo::write(const std::filesystem::path& run_dir) const {
    write_file_atomically(run_dir / kModelInfoFile, to_json().dump(2) + "\n");
}

}  // namespace synthstm::ml
