#pragma once
// Where a command's sample config comes from: --preset NAME or --config FILE, then --set overrides.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "synthstm/config/config.hpp"

namespace synthstm::cli {

/// The --config, --preset and --set options of a command.
struct ConfigSource {
    std::string config_file;        ///< --config FILE
    std::string preset;             ///< --preset NAME
    std::vector<std::string> sets;  ///< --set key=value, in order

    /// Adds the three options to a command.
    void add_options(CLI::App& cmd);
    /// The config (the schema defaults when neither --config nor --preset is given); throws
    /// InvalidInput when both are given or a value is bad.
    [[nodiscard]] Config load() const;
};

}  // namespace synthstm::cli
