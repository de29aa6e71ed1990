#include "synthstm/gui/params_store.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/io/file_bytes.hpp"

namespace synthstm::gui {

namespace fs = std::filesystem;

bool valid_file_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

ParamsStore::ParamsStore(fs::path dir) : dir_(std::move(dir)) {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec || !fs::is_directory(dir_)) io_error(fmt::format("cannot create the parameter directory {}", dir_.string()));
}

fs::path ParamsStore::path_of(const std::string& name) const {
    if (!valid_file_name(name))
        invalid_input(fmt::format("invalid name '{}': use 1 to 64 letters, digits, '_' or '-'", name.substr(0, 80)));
    return dir_ / (name + ".json");
}

std::vector<std::string> ParamsStore::names() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_, ec)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
        const std::string stem = entry.path().stem().string();
        if (valid_file_name(stem)) out.push_back(stem);
    }
    std::sort(out.begin(), out.end());
    return out;
}

bool ParamsStore::contains(const std::string& name) const { return fs::is_regular_file(path_of(name)); }

nlohmann::json ParamsStore::load(const std::string& name) const {
    const fs::path path = path_of(name);
    if (!fs::is_regular_file(path)) io_error(fmt::format("no saved parameters named '{}'", name));
    const Config config = Config::from_file(path.string());
    return config.to_json();
}

fs::path ParamsStore::save(const std::string& name, const Config& config) const {
    const fs::path path = path_of(name);
    write_file_atomically(path, config.to_json().dump(2) + "\n");
    return path;
}

}  // namespace synthstm::gui
