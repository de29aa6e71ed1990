#pragma once
// Output directories of the subcommands.
#include <filesystem>
#include <string>

namespace synthstm::cli {

/// Creates the directory (and parents) and checks it is writable; throws Io naming the path.
std::filesystem::path prepare_output_dir(const std::string& path);

}  // namespace synthstm::cli
