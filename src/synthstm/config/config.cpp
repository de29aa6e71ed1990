#include "synthstm/config/config.hpp"

#include <cmath>
#include <fstream>
#include <numbers>
#include <sstream>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/core/hash.hpp"

namespace synthstm {

// Compiled-in presets (generated from configs/*.json by CMake).
extern const std::vector<std::pair<std::string, std::string>>& builtin_presets();

namespace {

using nlohmann::json;
constexpr double kTwoPi = 2.0 * std::numbers::pi;

json uniform(double lo, double hi) { return json{{"uniform", {lo, hi}}}; }

std::vector<ParameterSpec> make_schema() {
    using K = ParameterKind;
    const std::vector<std::string> single_apex_tips = {"w111-sharp", "w111-offcentre", "w111-trimer",
                                                       "w111-blunt6", "w111-blunt10", "w001-sharp",
                                                       "w001-offcentre", "w001-dimer", "w001-tetramer",
                                                       "w001-blunt9"};
    json tip_choice = json::object();
    tip_choice["choice"] = single_apex_tips;
    json bias = uniform(0.2, 0.5);
    bias["random_sign"] = true;
    return {
        // Sample and electronic structure.
        {"model", K::Text, "", "wse2-single", 0, 0, {"wse2-single", "mos2-single"}, "tight-binding model of the sample"},
        {"ldos_broadening_eV", K::Number, "eV", 0.1, 0.005, 1.0, {}, "Lorentzian broadening of the sample and tip LDOS"},
        {"ldos_energy_step_eV", K::Number, "eV", 0.05, 0.002, 0.2, {}, "energy step of the sample LDOS across the bias window"},
        {"lattice_green_kgrid", K::Integer, "", 128, 16, 1024, {}, "k-points per side of the lattice Green's function"},
        {"vacancy_top_per_nm2", K::Number, "1/nm²", uniform(0.10, 0.25), 0, 5, {}, "top chalcogen vacancies"},
        {"vacancy_bottom_per_nm2", K::Number, "1/nm²", uniform(0.10, 0.25), 0, 5, {}, "bottom chalcogen vacancies"},
        {"vacancy_metal_per_nm2", K::Number, "1/nm²", 0.0, 0, 5, {}, "metal vacancies"},
        {"dopant_top_per_nm2", K::Number, "1/nm²", uniform(0.10, 0.25), 0, 5, {}, "top chalcogen dopants"},
        {"dopant_bottom_per_nm2", K::Number, "1/nm²", uniform(0.10, 0.25), 0, 5, {}, "bottom chalcogen dopants"},
        {"dopant_metal_per_nm2", K::Number, "1/nm²", 0.0, 0, 5, {}, "metal dopants"},
        {"dopant_onsite_min_eV", K::Number, "eV", 0.1, -5, 5, {}, "each dopant's onsite shift is uniform in [min, max]"},
        {"dopant_onsite_max_eV", K::Number, "eV", 0.5, -5, 5, {}, "upper end of the dopant onsite shift"},
        // Image and tunneling.
        {"resolution_px", K::Integer, "px", 64, 8, 4096, {}, "pixels per side of the square image"},
        {"size_nm", K::Number, "nm", uniform(1.0, 4.0), 0.1, 100, {}, "side of the square field of view"},
        {"ldos_margin_nm", K::Number, "nm", 2.0, 0, 10, {}, "sites this far outside the field of view enter the current"},
        {"bias_V", K::Number, "V", bias, -5, 5, {}, "sample bias (sign: + empty states, − filled states)"},
        {"tip_height_nm", K::Number, "nm", uniform(0.3, 0.6), 0.1, 3, {}, "initial apex height above the top atomic plane"},
        {"kappa_per_nm", K::Number, "1/nm", uniform(9.0, 11.0), 1, 50, {}, "decay constant κ of exp(−2κd)"},
        {"pair_tolerance", K::Number, "", 1e-4, 0, 0.1, {}, "pairs below this fraction of the largest factor are skipped (docs/tunneling.md: 1e-4 moves heights by ≤ 0.2 pm)"},
        // Tip.
        {"tip", K::Text, "", tip_choice, 0, 0, {}, "tip variant (synthstm tip list)"},
        {"tip_model", K::Text, "", "w-single", 0, 0, {"w-single", "w-spd"}, "tight-binding model of the tip"},
        {"tip_rotation_rad", K::Number, "rad", uniform(0, kTwoPi), -10, 10, {}, "tip rotation about z"},
        {"tip_tilt_rad", K::Number, "rad", uniform(-0.01, 0.01), -0.5, 0.5, {}, "tip tilt"},
        {"tip_tilt_azimuth_rad", K::Number, "rad", uniform(0, kTwoPi), -10, 10, {}, "in-plane axis of the tip tilt"},
        // Scan geometry.
        {"sample_rotation_rad", K::Number, "rad", uniform(0, kTwoPi), -10, 10, {}, "in-plane rotation of the lattice"},
        {"sample_offset_x_nm", K::Number, "nm", uniform(0, 1), -100, 100, {}, "lateral translation of the field of view"},
        {"sample_offset_y_nm", K::Number, "nm", uniform(0, 1), -100, 100, {}, "lateral translation of the field of view"},
        {"sample_tilt_rad", K::Number, "rad", uniform(-0.01, 0.01), -0.2, 0.2, {}, "sample tilt (plane background)"},
        {"sample_tilt_azimuth_rad", K::Number, "rad", uniform(0, kTwoPi), -10, 10, {}, "in-plane axis of the sample tilt"},
        {"fast_axis", K::Text, "", json{{"choice", {"x", "y"}}}, 0, 0, {"x", "y"}, "fast scan axis"},
        {"fast_forward", K::Flag, "", json{{"choice", {true, false}}}, 0, 0, {}, "fast axis scanned towards +"},
        {"slow_forward", K::Flag, "", json{{"choice", {true, false}}}, 0, 0, {}, "slow axis stepped towards +"},
        // Lateral distortions.
        {"drift_fast_nm", K::Number, "nm", uniform(-0.4, 0.4), -10, 10, {}, "thermal drift along the fast axis over the scan"},
        {"drift_slow_nm", K::Number, "nm", uniform(-0.4, 0.4), -10, 10, {}, "thermal drift along the slow axis over the scan"},
        {"jitter_fast_nm", K::Number, "nm", uniform(0, 0.03), 0, 1, {}, "Gaussian offset per line along the fast axis (std)"},
        {"jitter_slow_nm", K::Number, "nm", uniform(0, 0.01), 0, 1, {}, "Gaussian offset per line along the slow axis (std)"},
        {"jitter_pixel_fast_nm", K::Number, "nm", 0.0, 0, 1, {}, "Gaussian offset per pixel along the fast axis (std)"},
        {"jitter_pixel_slow_nm", K::Number, "nm", 0.0, 0, 1, {}, "Gaussian offset per pixel along the slow axis (std)"},
        {"creep_fast_nm", K::Number, "nm", uniform(-0.2, 0.2), -5, 5, {}, "creep γ along the fast axis: γ log(t/t0)"},
        {"creep_slow_nm", K::Number, "nm", uniform(-0.2, 0.2), -5, 5, {}, "creep γ along the slow axis"},
        {"creep_ratio_fast", K::Number, "", uniform(0.1, 10), 0.01, 1e6, {}, "t_end/t0 of the fast-axis creep"},
        {"creep_ratio_slow", K::Number, "", uniform(0.1, 10), 0.01, 1e6, {}, "t_end/t0 of the slow-axis creep"},
        // Vertical piezo and feedback.
        {"scan_mode", K::Text, "", "feedback", 0, 0, {"feedback", "constant_current"},
         "z_recorded from the feedback scan, or the ideal constant-current image plus current noise (control)"},
        {"hysteresis_A", K::Number, "", uniform(0.1, 1.0), 0, 10, {}, "Bouc–Wen A"},
        {"hysteresis_beta", K::Number, "", uniform(0.1, 1.0), 0, 10, {}, "Bouc–Wen β"},
        {"hysteresis_gamma", K::Number, "", uniform(0.1, 1.0), -10, 10, {}, "Bouc–Wen γ"},
        {"hysteresis_weight", K::Number, "", 0.1, 0, 1, {}, "share of the piezo stroke that is hysteretic"},
        {"kp_rel", K::Number, "", uniform(0.1, 2.5), 0, 100, {}, "proportional gain relative to the ideal gain 1/|d ln I/dz|"},
        {"ki_rel", K::Number, "", 0.0, 0, 100, {}, "integral gain relative to the ideal gain, per feedback update"},
        {"kd_rel", K::Number, "", 0.0, 0, 100, {}, "derivative gain relative to the ideal gain"},
        {"feedback_updates_per_pixel", K::Integer, "", 4, 1, 1000, {}, "controller updates per pixel"},
        {"line_time_s", K::Number, "s", 0.1, 1e-4, 1e3, {}, "time for one line (one direction)"},
        {"noise_rel", K::Number, "", uniform(0, 0.6), 0, 10, {}, "Gaussian current noise, relative to the std of the current"},
        // Realism beyond the seed (docs/realism.md); each default switches its effect off.
        {"noise_pink_rel", K::Number, "", 0.0, 0, 10, {}, "1/f current noise in time (std), relative to the std of the current"},
        {"noise_hum_rel", K::Number, "", 0.0, 0, 10, {}, "mains hum on the current (amplitude), relative to the std of the current"},
        {"hum_frequency_Hz", K::Number, "Hz", 50.0, 0.01, 1e6, {}, "frequency of the mains hum"},
        {"line_offset_nm", K::Number, "nm", 0.0, 0, 1, {}, "Gaussian offset of the recorded height per line (std)"},
        {"streak_rate_per_line", K::Number, "", 0.0, 0, 10, {}, "mean number of streaks per scanned pass"},
        {"streak_length_px", K::Integer, "px", 4, 1, 4096, {}, "length of a streak along the fast axis"},
        {"streak_height_nm", K::Number, "nm", 0.05, 0, 1, {}, "typical height of a streak (uniform 0.5–1.5 times this)"},
        {"feedback_loss_probability", K::Number, "", 0.0, 0, 1, {}, "probability per line that the feedback loses track"},
        {"feedback_loss_height_nm", K::Number, "nm", 0.3, 0, 5, {}, "where a lost line saturates, above the highest point"},
        {"tip_change_probability", K::Number, "", 0.0, 0, 1, {}, "probability per scan that the apex changes at a random line"},
        {"tip_change_tip", K::Text, "", tip_choice, 0, 0, {}, "tip variant after a tip change (synthstm tip list)"},
        {"tip_change_streak_nm", K::Number, "nm", 0.0, 0, 1, {}, "height of the transient streak on the change line's forward pass"},
        {"tip_change_rotation_rad", K::Number, "rad", uniform(0, kTwoPi), -10, 10, {}, "rotation about z of the tip after a change"},
        {"double_tip_offset_nm", K::Number, "nm", 0.0, 0, 5, {}, "lateral offset of a second apex (double tip); 0: single apex"},
        {"double_tip_height_nm", K::Number, "nm", 0.05, 0, 1, {}, "height of the second apex above the first"},
        {"antisite_top_per_nm2", K::Number, "1/nm²", 0.0, 0, 5, {}, "metal-on-top-chalcogen antisites"},
        {"antisite_bottom_per_nm2", K::Number, "1/nm²", 0.0, 0, 5, {}, "metal-on-bottom-chalcogen antisites"},
        {"antisite_onsite_eV", K::Number, "eV", -0.8, -5, 5, {}, "onsite shift of an antisite (a metal atom on a chalcogen site)"},
        {"double_tip_azimuth_rad", K::Number, "rad", uniform(0, kTwoPi), -10, 10, {}, "direction of the second apex's offset"},
        {"relaxation_vacancy_nm", K::Number, "nm", 0.0, -0.1, 0.1, {}, "radial displacement of the neighbours of a vacancy at distance a (negative: inward)"},
        {"relaxation_dopant_nm", K::Number, "nm", 0.0, -0.1, 0.1, {}, "radial displacement of the neighbours of a dopant at distance a (negative: inward)"},
        {"relaxation_antisite_nm", K::Number, "nm", 0.0, -0.1, 0.1, {}, "radial displacement of the neighbours of an antisite at distance a (negative: inward)"},
        {"relaxation_length_nm", K::Number, "nm", 0.15, 0.02, 2, {}, "decay length ξ of the relaxation, u ∝ exp(−(r − a)/ξ)"},
        {"adsorbate_per_nm2", K::Number, "1/nm²", 0.0, 0, 2, {}, "mobile adsorbates (blobs the tip drags along the fast axis)"},
        {"adsorbate_height_nm", K::Number, "nm", 0.2, 0, 2, {}, "apparent height of an adsorbate (each uniform 0.8–1.2 times this)"},
        {"adsorbate_width_nm", K::Number, "nm", 0.6, 0.05, 5, {}, "full width at half maximum of an adsorbate (each uniform 0.8–1.2 times this)"},
        {"adsorbate_hop_probability", K::Number, "", 0.2, 0, 1, {}, "probability per pixel under the tip that an adsorbate is pushed along"},
        {"adsorbate_hop_nm", K::Number, "nm", 0.3, 0, 10, {}, "mean distance of one push (exponential), along the tip's motion"},
        {"step_probability", K::Number, "", 0.0, 0, 1, {}, "probability per scan that a monolayer step edge crosses the field of view"},
        {"step_height_nm", K::Number, "nm", 0.648, 0.1, 3, {}, "height of the upper terrace (one WSe2 layer of the 2H crystal: c/2)"},
        {"step_angle_rad", K::Number, "rad", uniform(0, kTwoPi), -10, 10, {}, "direction of the edge's normal onto the upper terrace (sample frame)"},
        {"step_offset_rel", K::Number, "", uniform(-0.3, 0.3), -1, 1, {}, "distance of the edge from the centre of the field of view, in units of its size"},
    };
}

std::string range_text(const ParameterSpec& s) {
    if (s.kind == ParameterKind::Text) return s.allowed.empty() ? "text" : fmt::format("one of {}", fmt::join(s.allowed, ", "));
    if (s.kind == ParameterKind::Flag) return "true or false";
    return fmt::format("[{}, {}]", s.min, s.max);
}

/// Checks one constant against the spec; returns an error text or "".
std::string check_constant(const ParameterSpec& s, const json& v) {
    switch (s.kind) {
        case ParameterKind::Number:
        case ParameterKind::Integer: {
            if (!v.is_number()) return fmt::format("{} must be a number, got {}", s.key, v.dump());
            const double x = v.get<double>();
            if (s.kind == ParameterKind::Integer && x != std::floor(x))
                return fmt::format("{} must be an integer, got {}", s.key, v.dump());
            if (!std::isfinite(x) || x < s.min || x > s.max)
                return fmt::format("{} = {} is outside the allowed range {}", s.key, v.dump(), range_text(s));
            return "";
        }
        case ParameterKind::Flag:
            return v.is_boolean() ? "" : fmt::format("{} must be true or false, got {}", s.key, v.dump());
        case ParameterKind::Text:
            if (!v.is_string()) return fmt::format("{} must be a string, got {}", s.key, v.dump());
            if (!s.allowed.empty() &&
                std::find(s.allowed.begin(), s.allowed.end(), v.get<std::string>()) == s.allowed.end())
                return fmt::format("{} = {} is not {}", s.key, v.dump(), range_text(s));
            return "";
    }
    return "";
}

/// Checks a constant or distribution; appends errors.
void check_value(const ParameterSpec& s, const json& v, std::vector<std::string>& errors) {
    if (!v.is_object()) {
        if (auto e = check_constant(s, v); !e.empty()) errors.push_back(e);
        return;
    }
    const bool sign = v.contains("random_sign");
    if (sign && !v["random_sign"].is_boolean()) errors.push_back(fmt::format("{}: random_sign must be true or false", s.key));
    if (v.size() != (sign ? 2u : 1u)) {
        errors.push_back(fmt::format("{}: expected a constant or one of uniform, loguniform, normal, choice, got {}",
                                     s.key, v.dump()));
        return;
    }
    const auto check_signed = [&](double x) {
        json c = x;
        if (auto e = check_constant(s, c); !e.empty()) errors.push_back(e);
        if (sign) {
            c = -x;
            if (auto e = check_constant(s, c); !e.empty()) errors.push_back(e + " (with random_sign)");
        }
    };
    for (const char* name : {"uniform", "loguniform", "normal"}) {
        if (!v.contains(name)) continue;
        const json& p = v[name];
        if (s.kind != ParameterKind::Number) {
            errors.push_back(fmt::format("{}: {} needs a number parameter; use choice", s.key, name));
            return;
        }
        if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) {
            errors.push_back(fmt::format("{}: {} needs [a, b], got {}", s.key, name, p.dump()));
            return;
        }
        const double a = p[0].get<double>(), b = p[1].get<double>();
        if (std::string(name) == "normal") {
            if (!(b >= 0)) errors.push_back(fmt::format("{}: normal std {} must not be negative", s.key, b));
            check_signed(a);
            return;
        }
        if (a > b) errors.push_back(fmt::format("{}: {} min {} is greater than max {}", s.key, name, a, b));
        if (std::string(name) == "loguniform" && !(a > 0))
            errors.push_back(fmt::format("{}: loguniform needs positive bounds, got [{}, {}]", s.key, a, b));
        check_signed(a);
        check_signed(b);
        return;
    }
    if (v.contains("choice")) {
        const json& c = v["choice"];
        if (!c.is_array() || c.empty()) {
            errors.push_back(fmt::format("{}: choice needs a non-empty list, got {}", s.key, c.dump()));
            return;
        }
        for (const json& x : c)
            if (auto e = check_constant(s, x); !e.empty()) errors.push_back(e);
        return;
    }
    errors.push_back(fmt::format("{}: expected a constant or one of uniform, loguniform, normal, choice, got {}", s.key,
                                 v.dump()));
}

/// Pairs of keys whose constant values must be ordered (min ≤ max).
void check_pairs(const std::map<std::string, json, std::less<>>& values, std::vector<std::string>& errors) {
    const auto& lo = values.at("dopant_onsite_min_eV");
    const auto& hi = values.at("dopant_onsite_max_eV");
    if (lo.is_number() && hi.is_number() && lo.get<double>() > hi.get<double>())
        errors.push_back(fmt::format("dopant_onsite_min_eV = {} is greater than dopant_onsite_max_eV = {}", lo.dump(), hi.dump()));
}

void throw_errors(const std::vector<std::string>& errors, const std::string& origin) {
    if (errors.empty()) return;
    invalid_input(fmt::format("{}: {}", origin, fmt::join(errors, "; ")));
}

json draw_value(const json& v, RandomStream& rng) {
    if (!v.is_object()) return v;
    json out;
    if (v.contains("choice")) {
        const json& c = v["choice"];
        out = c[static_cast<std::size_t>(rng.below(c.size()))];
    } else if (v.contains("uniform")) {
        out = rng.uniform(v["uniform"][0].get<double>(), v["uniform"][1].get<double>());
    } else if (v.contains("loguniform")) {
        const double a = v["loguniform"][0].get<double>(), b = v["loguniform"][1].get<double>();
        out = std::exp(rng.uniform(std::log(a), std::log(b)));
    } else if (v.contains("normal")) {
        out = v["normal"][0].get<double>() + v["normal"][1].get<double>() * rng.normal();
    }
    // The sign is drawn even when not used; each key has its own sub-stream, so no other key's
    // draws depend on it.
    const bool negative = rng.uniform() < 0.5;
    if (v.value("random_sign", false) && negative) out = -out.get<double>();
    return out;
}

}  // namespace

const std::vector<ParameterSpec>& sample_schema() {
    static const std::vector<ParameterSpec> schema = make_schema();
    return schema;
}

const ParameterSpec& parameter_spec(std::string_view key) {
    for (const auto& s : sample_schema())
        if (s.key == key) return s;
    invalid_input(fmt::format("unknown parameter '{}' (synthstm render --help lists them)", key));
}

const json& ParameterSet::at(std::string_view key) const {
    const auto it = values_.find(key);
    if (it == values_.end()) invalid_input(fmt::format("parameter '{}' was not drawn", key));
    return it->second;
}

double ParameterSet::number(std::string_view key) const { return at(key).get<double>(); }
int ParameterSet::integer(std::string_view key) const { return static_cast<int>(std::lround(at(key).get<double>())); }
bool ParameterSet::flag(std::string_view key) const { return at(key).get<bool>(); }
std::string ParameterSet::text(std::string_view key) const { return at(key).get<std::string>(); }

json ParameterSet::to_json() const {
    json j = json::object();
    for (const auto& s : sample_schema()) {
        const auto it = values_.find(s.key);
        if (it == values_.end()) continue;
        j[s.key] = {{"value", it->second}, {"unit", s.unit}};
    }
    for (const auto& [k, v] : values_)
        if (!j.contains(k)) j[k] = {{"value", v}, {"unit", ""}};
    return j;
}

Config::Config() {
    for (const auto& s : sample_schema()) values_[s.key] = s.default_value;
}

Config Config::from_json(const json& j, const std::string& origin) {
    if (!j.is_object()) invalid_input(fmt::format("{}: a config must be a JSON object of parameters", origin));
    Config c;
    std::vector<std::string> errors;
    for (const auto& [key, value] : j.items()) {
        if (key == "description") continue;  // free text for people
        const auto it = std::find_if(sample_schema().begin(), sample_schema().end(),
                                     [&](const ParameterSpec& s) { return s.key == key; });
        if (it == sample_schema().end()) {
            errors.push_back(fmt::format("unknown key '{}'", key));
            continue;
        }
        check_value(*it, value, errors);
        c.values_[key] = value;
    }
    check_pairs(c.values_, errors);
    throw_errors(errors, origin);
    return c;
}

Config Config::from_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) io_error(fmt::format("cannot read config file {}", path));
    json j;
    try {
        j = json::parse(in);
    } catch (const json::parse_error& e) {
        invalid_input(fmt::format("config file {} is not valid JSON: {}", path, e.what()));
    }
    return from_json(j, fmt::format("config file {}", path));
}

std::vector<std::string> Config::preset_names() {
    std::vector<std::string> names;
    for (const auto& [name, text] : builtin_presets()) names.push_back(name);
    return names;
}

Config Config::preset(std::string_view name) {
    for (const auto& [n, text] : builtin_presets())
        if (n == name) return from_json(json::parse(text), fmt::format("preset {}", n));
    invalid_input(fmt::format("unknown preset '{}': expected one of {}", name, fmt::join(preset_names(), ", ")));
}

void Config::set(std::string_view assignment) {
    const auto eq = assignment.find('=');
    if (eq == std::string_view::npos || eq == 0)
        invalid_input(fmt::format("--set expects key=value, got '{}'", assignment));
    const std::string key(assignment.substr(0, eq));
    const std::string text(assignment.substr(eq + 1));
    const ParameterSpec& spec = parameter_spec(key);
    json value;
    try {
        value = json::parse(text);
    } catch (const json::parse_error&) {
        value = text;  // a bare word: a text value
    }
    if (spec.kind == ParameterKind::Text && !value.is_object()) value = text;
    std::vector<std::string> errors;
    check_value(spec, value, errors);
    auto values = values_;
    values[key] = value;
    check_pairs(values, errors);
    throw_errors(errors, "--set");
    values_ = std::move(values);
}

json Config::to_json() const {
    json j = json::object();
    for (const auto& s : sample_schema()) j[s.key] = values_.at(s.key);
    return j;
}

ParameterSet Config::draw(std::uint64_t seed, std::uint64_t sample_index) const {
    // One stream per key, named by a hash of the key: adding or reordering keys does not
    // change the draws of the others.
    ParameterSet p;
    for (const auto& s : sample_schema()) {
        const auto sub = static_cast<std::uint32_t>(Hasher().bytes(s.key.data(), s.key.size()).digest());
        RandomStream rng(seed, sample_index, StreamPurpose::Parameters, sub);
        p.set(s.key, draw_value(values_.at(s.key), rng));
    }
    return p;
}

std::string schema_help() {
    std::ostringstream out;
    out << "Parameters (--set key=value, or keys of a --config JSON file; a value is a constant or\n"
           "{\"uniform\": [lo, hi]}, {\"loguniform\": [lo, hi]}, {\"normal\": [mean, std]}, {\"choice\": [...]}):\n";
    for (const auto& s : sample_schema()) {
        out << fmt::format("  {:<28} {:<6} default {}\n  {:<28} {} — allowed {}\n", s.key, s.unit.empty() ? "-" : s.unit,
                           s.default_value.dump(), "", s.help, range_text(s));
    }
    return out.str();
}

}  // namespace synthstm
