#pragma once
/// Whole-file reads and all-or-nothing writes shared by the io writers.
#include <filesystem>
#include <string>
#include <string_view>

namespace synthstm {

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`, so `path` is
/// either the complete new file or untouched. Throws Io naming the path on failure.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

/// Reads a whole file; throws Io naming the path when it cannot be read.
std::string read_file_bytes(const std::filesystem::path& path);

}  // namespace synthstm
