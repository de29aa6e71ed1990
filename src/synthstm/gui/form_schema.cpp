#include "synthstm/gui/form_schema.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm::gui {

using nlohmann::json;

namespace {

const char* kind_name(ParameterKind kind) {
    switch (kind) {
        case ParameterKind::Number: return "number";
        case ParameterKind::Integer: return "integer";
        case ParameterKind::Flag: return "flag";
        case ParameterKind::Text: return "text";
    }
    return "text";
}

bool starts_with_any(const std::string& key, std::initializer_list<const char*> prefixes) {
    return std::any_of(prefixes.begin(), prefixes.end(), [&](const char* p) { return key.starts_with(p); });
}

/// The schema keys named as whole words in a message, in order of their first appearance.
std::vector<std::string> keys_named_in(const std::string& message) {
    const auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    std::vector<std::pair<std::size_t, std::string>> found;
    for (const auto& s : sample_schema()) {
        for (std::size_t pos = message.find(s.key); pos != std::string::npos; pos = message.find(s.key, pos + 1)) {
            const std::size_t end = pos + s.key.size();
            if ((pos == 0 || !word(message[pos - 1])) && (end == message.size() || !word(message[end]))) {
                found.emplace_back(pos, s.key);
                break;
            }
        }
    }
    std::sort(found.begin(), found.end());
    std::vector<std::string> keys;
    for (auto& [pos, key] : found) keys.push_back(std::move(key));
    return keys;
}

std::string without_origin(const std::string& message) {
    return message.starts_with("config: ") ? message.substr(8) : message;
}

/// The error of one key of a config checked alone ("" if none). A rule across keys (min ≤ max of
/// a pair) is checked with the partner the config sets, not the partner's default.
std::string error_of_key(const json& j, const std::string& key) {
    json alone = {{key, j[key]}};
    try {
        (void)Config::from_json(alone, "config");
        return "";
    } catch (const Error& e) {
        std::string m = without_origin(e.what());
        bool retry = false;
        for (const std::string& other : keys_named_in(m))
            if (other != key && j.contains(other)) alone[other] = j[other], retry = true;
        if (!retry) return m;
        try {
            (void)Config::from_json(alone, "config");
            return "";
        } catch (const Error& e2) {
            return without_origin(e2.what());
        }
    }
}

}  // namespace

std::string parameter_group(const std::string& key) {
    if (key == "noise_rel") return "noise";
    if (starts_with_any(key, {"tip"})) return "tip";
    if (starts_with_any(key, {"drift_", "jitter_", "creep_"})) return "distortions";
    if (starts_with_any(key, {"hysteresis_", "kp_", "ki_", "kd_", "feedback_", "line_time", "scan_mode"}))
        return "feedback";
    if (starts_with_any(key, {"resolution_px", "size_nm", "bias_V", "sample_rotation", "sample_offset", "sample_tilt",
                              "fast_", "slow_"}))
        return "scan";
    return "sample";
}

json schema_json() {
    json parameters = json::array();
    for (const auto& s : sample_schema()) {
        json p = {{"key", s.key},          {"group", parameter_group(s.key)}, {"kind", kind_name(s.kind)},
                  {"unit", s.unit},        {"default", s.default_value},      {"help", s.help},
                  {"signed", s.min < 0.0}, {"allowed", s.allowed}};
        if (s.kind == ParameterKind::Number || s.kind == ParameterKind::Integer) {
            p["min"] = s.min;
            p["max"] = s.max;
        }
        parameters.push_back(std::move(p));
    }
    return {{"groups", {"sample", "tip", "scan", "feedback", "distortions", "noise"}}, {"parameters", parameters}};
}

std::optional<Config> read_form_config(const json& j, int max_resolution_px, ConfigProblem& problem) {
    const auto fail = [&](const std::string& message, const std::string& key, json errors) {
        problem.body = {{"error", message}, {"key", key}, {"errors", std::move(errors)}};
        return std::nullopt;
    };
    if (!j.is_object()) return fail("the config must be a JSON object of parameters", "", json::object());
    try {
        Config config = Config::from_json(j, "config");
        // The GUI draws every picture in memory: bound the work of one sample.
        const json resolution = config.to_json()["resolution_px"];
        std::vector<json> values;
        if (resolution.is_object() && resolution.contains("choice")) values = resolution["choice"].get<std::vector<json>>();
        else values.push_back(resolution);
        for (const json& v : values) {
            if (v.is_number() && v.get<double>() > max_resolution_px) {
                const std::string m = fmt::format("resolution_px = {} is more than the GUI allows ({}); use synthstm "
                                                  "render or generate for larger images", v.dump(), max_resolution_px);
                return fail(m, "resolution_px", json{{"resolution_px", m}});
            }
        }
        return config;
    } catch (const Error& whole) {
        // Check each key alone to put every message next to its field.
        json errors = json::object();
        for (const auto& [key, value] : j.items())
            if (std::string m = error_of_key(j, key); !m.empty()) errors[key] = m;
        const std::string message = without_origin(whole.what());
        // The key at fault: the first one the message names, else the first with an error.
        std::string first;
        for (const std::string& k : keys_named_in(message))
            if (first.empty() && errors.contains(k)) first = k;
        if (first.empty() && !errors.empty()) first = errors.begin().key();
        if (first.empty()) {
            const auto named = keys_named_in(message);
            if (!named.empty()) first = named.front(), errors[first] = message;
        }
        return fail(message, first, std::move(errors));
    }
}

}  // namespace synthstm::gui
