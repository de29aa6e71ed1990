#pragma once
/// Parameters of a simulated sample: one schema (name, unit, kind, default, allowed range,
/// help) for every parameter, values that are constants or distributions, presets, and the
/// draw of one sample's parameters from its own random stream.
///
/// A config is JSON: {"size_nm": {"uniform": [1, 4]}, "resolution_px": 64, ...}. A value is a
/// constant or one of {"uniform": [lo, hi]}, {"loguniform": [lo, hi]}, {"normal": [mean, std]},
/// {"choice": [a, b, ...]}; "random_sign": true beside a distribution flips the sign of the draw
/// with probability 1/2 (the seed's bias). Keys left out take the schema's default.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "synthstm/core/random.hpp"

namespace synthstm {

/// What a parameter holds.
enum class ParameterKind { Number, Integer, Flag, Text };

/// One entry of the schema.
struct ParameterSpec {
    std::string key;                    ///< e.g. "size_nm"
    ParameterKind kind = ParameterKind::Number;
    std::string unit;                   ///< e.g. "nm", "" for none
    nlohmann::json default_value;       ///< constant or distribution
    double min = 0.0, max = 0.0;        ///< allowed range of numbers (inclusive)
    std::vector<std::string> allowed;   ///< allowed texts (empty: any)
    std::string help;                   ///< one line for people
};

/// The schema of a rendered sample, in a fixed order.
const std::vector<ParameterSpec>& sample_schema();

/// The spec of a key; throws InvalidInput naming the key for an unknown one.
const ParameterSpec& parameter_spec(std::string_view key);

/// The drawn value of every parameter of one sample.
class ParameterSet {
public:
    /// The value of a number (or integer) parameter.
    [[nodiscard]] double number(std::string_view key) const;
    /// The value of an integer parameter.
    [[nodiscard]] int integer(std::string_view key) const;
    /// The value of a flag.
    [[nodiscard]] bool flag(std::string_view key) const;
    /// The value of a text parameter.
    [[nodiscard]] std::string text(std::string_view key) const;
    /// {"key": {"value": v, "unit": "nm"}, ...} in schema order.
    [[nodiscard]] nlohmann::json to_json() const;
    /// Sets a value (checked against the schema by Config::draw, not here).
    void set(const std::string& key, nlohmann::json value) { values_[key] = std::move(value); }

private:
    const nlohmann::json& at(std::string_view key) const;
    std::map<std::string, nlohmann::json, std::less<>> values_;
};

/// A validated config: every key of the schema with a constant or a distribution.
class Config {
public:
    /// The schema's defaults (the wse2-main dataset of the seed).
    Config();
    /// Reads a config from JSON; every error (unknown key, wrong type, min > max, value outside
    /// the allowed range) is collected and thrown at once as InvalidInput naming key and range.
    /// `origin` names the source in messages (a file name or "preset wse2-main").
    static Config from_json(const nlohmann::json& j, const std::string& origin);
    /// Reads a config file; throws Io / InvalidInput naming the path.
    static Config from_file(const std::string& path);
    /// A built-in preset (configs/NAME.json, compiled in); throws InvalidInput listing the names.
    static Config preset(std::string_view name);
    /// Names of the built-in presets.
    static std::vector<std::string> preset_names();

    /// Overrides one key with a constant given as text ("key=value" of --set); the text is
    /// parsed as JSON when it can be (numbers, true/false, {...}), else taken as a string.
    void set(std::string_view assignment);
    /// The spec (constant or distribution) of every key.
    [[nodiscard]] nlohmann::json to_json() const;
    /// Draws one sample's parameters from stream (seed, sample, Parameters).
    [[nodiscard]] ParameterSet draw(std::uint64_t seed, std::uint64_t sample_index) const;

private:
    std::map<std::string, nlohmann::json, std::less<>> values_;
};

/// A help text listing every key with kind, unit, default and allowed range.
std::string schema_help();

}  // namespace synthstm
