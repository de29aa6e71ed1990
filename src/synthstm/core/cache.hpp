#pragma once
/// The on-disk cache of expensive one-time tables (tip LDOS, lattice Green's functions).
/// Location: $SYNTHSTM_CACHE_DIR, else $XDG_CACHE_HOME/synthstm, else ~/.cache/synthstm.
/// SYNTHSTM_CACHE_DIR=off disables it. A cache is an optimisation: failing to write is silent,
/// and a damaged or mismatching entry reads as absent.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace synthstm {

/// The cache directory, or empty when caching is switched off.
std::filesystem::path cache_directory();

/// Reads the array stored under (category, key) if it exists and has exactly `count` values.
std::optional<std::vector<double>> cache_load(const std::string& category, const std::string& key,
                                              std::size_t count);

/// The same read straight into `out` (exactly out.size() values): no temporary copy, for tables
/// of hundreds of MB. Returns false when absent or mismatching; `out` is then unspecified.
bool cache_load_into(const std::string& category, const std::string& key, std::span<double> out);

/// Stores an array under (category, key); written to a temporary file and renamed, so a reader
/// never sees half an entry. Returns false (and changes nothing) when the cache is unusable.
bool cache_store(const std::string& category, const std::string& key, std::span<const double> values);

}  // namespace synthstm
