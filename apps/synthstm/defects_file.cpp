#include "defects_file.hpp"

#include <fstream>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "synthstm/core/error.hpp"

namespace synthstm::cli {

std::vector<Defect> read_defects_file(const std::filesystem::path& path, const TmdMaterial& material) {
    std::ifstream in(path);
    if (!in) invalid_input(fmt::format("cannot read defects file {}", path.string()));
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
        invalid_input(fmt::format("defects file {} is not valid JSON: {}", path.string(), e.what()));
    }
    const nlohmann::json* list = &doc;
    if (doc.is_object()) {
        for (const auto& [key, value] : doc.items()) {
            if (key != "defects") invalid_input(fmt::format("defects file {}: unknown key '{}'", path.string(), key));
        }
        if (!doc.contains("defects")) invalid_input(fmt::format("defects file {}: missing key 'defects'", path.string()));
        list = &doc["defects"];
    }
    if (!list->is_array()) invalid_input(fmt::format("defects file {}: 'defects' must be an array", path.string()));
    std::vector<Defect> defects;
    int index = 0;
    for (const auto& entry : *list) {
        const std::string where = fmt::format("defects file {}, entry {}", path.string(), index++);
        if (!entry.is_object()) invalid_input(where + ": must be an object");
        static const std::set<std::string> allowed = {"type", "site", "cell", "onsite_eV"};
        for (const auto& [key, value] : entry.items()) {
            if (!allowed.contains(key)) {
                invalid_input(fmt::format("{}: unknown key '{}' (expected type, site, cell, onsite_eV)", where, key));
            }
        }
        if (!entry.contains("type") || !entry["type"].is_string()) invalid_input(where + ": 'type' must be a string");
        if (!entry.contains("site") || !entry["site"].is_string()) invalid_input(where + ": 'site' must be a string");
        if (!entry.contains("cell") || !entry["cell"].is_array() || entry["cell"].size() != 2 ||
            !entry["cell"][0].is_number_integer() || !entry["cell"][1].is_number_integer()) {
            invalid_input(where + ": 'cell' must be two integers [i, j]");
        }
        Defect d;
        try {
            d.type = parse_defect_type(entry["type"].get<std::string>());
            d.site.sublattice = material.parse_site(entry["site"].get<std::string>());
        } catch (const Error& e) {
            invalid_input(where + ": " + e.what());
        }
        d.site.cell = {entry["cell"][0].get<int>(), entry["cell"][1].get<int>()};
        if (d.type != DefectType::Vacancy) {
            if (!entry.contains("onsite_eV") || !entry["onsite_eV"].is_number()) {
                invalid_input(where + ": a " + defect_type_name(d.type) + " needs a number 'onsite_eV'");
            }
            d.onsite_eV = entry["onsite_eV"].get<double>();
            if (!std::isfinite(d.onsite_eV)) invalid_input(where + ": 'onsite_eV' must be finite");
        } else if (entry.contains("onsite_eV")) {
            invalid_input(where + ": a vacancy has no 'onsite_eV'");
        }
        defects.push_back(d);
    }
    try {
        check_distinct_sites(material, defects);
    } catch (const Error& e) {
        invalid_input(fmt::format("defects file {}: {}", path.string(), e.what()));
    }
    return defects;
}

}  // namespace synthstm::cli
