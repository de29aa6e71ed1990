#pragma once
/// Named parameter files of the GUI: DIR/NAME.json, each a config that `synthstm render
/// --config DIR/NAME.json` reads unchanged. Names are [A-Za-z0-9_-]{1,64}, so no name can
/// leave the directory.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "synthstm/config/config.hpp"

namespace synthstm::gui {

/// True for 1 to 64 characters of A–Z, a–z, 0–9, '_' and '-'.
bool valid_file_name(std::string_view name);

/// The parameter files of one directory.
class ParamsStore {
public:
    /// Uses (and creates when missing) `dir`; throws Io naming it when it cannot be created.
    explicit ParamsStore(std::filesystem::path dir);
    /// The directory.
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
    /// Names of the saved files, sorted.
    [[nodiscard]] std::vector<std::string> names() const;
    /// True when NAME.json exists (the name must be valid).
    [[nodiscard]] bool contains(const std::string& name) const;
    /// The saved config as JSON; throws InvalidInput for a bad name or content, Io when missing.
    [[nodiscard]] nlohmann::json load(const std::string& name) const;
    /// Writes the config (every key) as NAME.json, complete or not at all; returns the path.
    std::filesystem::path save(const std::string& name, const Config& config) const;

private:
    [[nodiscard]] std::filesystem::path path_of(const std::string& name) const;
    std::filesystem::path dir_;
};

}  // namespace synthstm::gui
