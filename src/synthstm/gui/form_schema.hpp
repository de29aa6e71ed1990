#pragma once
/// The parameter schema as the GUI's form needs it, and the check of a config sent by the form:
/// every problem reported next to the field it belongs to.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "synthstm/config/config.hpp"

namespace synthstm::gui {

/// The form group of a key: sample, tip, scan, feedback, distortions or noise.
std::string parameter_group(const std::string& key);

/// {"groups": [...], "parameters": [{key, group, kind, unit, default, min, max, allowed, help,
/// signed}, ...]} in schema order; "signed" is true where random_sign can be used (min < 0).
nlohmann::json schema_json();

/// A config from the form that cannot be used: the whole message, the first key at fault and
/// one message per key (as JSON: {"error", "key", "errors": {key: message}}).
struct ConfigProblem {
    nlohmann::json body;  ///< {"error": ..., "key": ..., "errors": {...}}
};

/// Reads a config sent by the form; std::nullopt and `problem` filled when it is not valid, or
/// when its resolution can exceed max_resolution_px.
std::optional<Config> read_form_config(const nlohmann::json& j, int max_resolution_px, ConfigProblem& problem);

}  // namespace synthstm::gui
