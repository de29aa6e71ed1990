#include "config_source.hpp"

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm::cli {

void ConfigSource::add_options(CLI::App& cmd) {
    cmd.add_option("--config", config_file, "JSON config file (keys below; unlisted keys take the defaults)");
    cmd.add_option("--preset", preset, "built-in preset: " + fmt::format("{}", fmt::join(Config::preset_names(), ", ")));
    cmd.add_option("--set", sets, "override a key with a constant: --set key=value (repeatable)");
}

Config ConfigSource::load() const {
    if (!config_file.empty() && !preset.empty()) invalid_input("give --config or --preset, not both");
    Config config = !config_file.empty() ? Config::from_file(config_file)
                    : !preset.empty()    ? Config::preset(preset)
                                         : Config();
    for (const auto& s : sets) config.set(s);
    return config;
}

}  // namespace synthstm::cli
