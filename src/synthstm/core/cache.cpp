#include "synthstm/core/cache.hpp"

#include <cstdlib>
#include <fstream>
#include <random>
#include <system_error>

#include <fmt/format.h>

namespace synthstm {
namespace {

constexpr std::uint64_t kMagic = 0x3130484341434d54ULL;  // "TMCACH01", little-endian

std::filesystem::path entry_path(const std::string& category, const std::string& key) {
    const auto dir = cache_directory();
    if (dir.empty()) return {};
    return dir / category / (key + ".bin");
}

}  // namespace

std::filesystem::path cache_directory() {
    if (const char* dir = std::getenv("SYNTHSTM_CACHE_DIR"); dir && *dir) {
        if (std::string_view(dir) == "off") return {};
        return dir;
    }
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
        return std::filesystem::path(xdg) / "synthstm";
    }
    if (const char* home = std::getenv("HOME"); home && *home) {
        return std::filesystem::path(home) / ".cache" / "synthstm";
    }
    return {};
}

bool cache_load_into(const std::string& category, const std::string& key, std::span<double> out) {
    const auto path = entry_path(category, key);
    if (path.empty()) return false;
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::uint64_t magic = 0;
    std::uint64_t stored_count = 0;
    in.read(reinterpret_cast<char*>(&magic), sizeof magic);
    in.read(reinterpret_cast<char*>(&stored_count), sizeof stored_count);
    if (!in || magic != kMagic || stored_count != out.size()) return false;
    in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size_bytes()));
    return static_cast<bool>(in);
}

std::optional<std::vector<double>> cache_load(const std::string& category, const std::string& key,
                                              std::size_t count) {
    std::vector<double> values(count);
    if (!cache_load_into(category, key, values)) return std::nullopt;
    return values;
}

bool cache_store(const std::string& category, const std::string& key, std::span<const double> values) {
    const auto path = entry_path(category, key);
    if (path.empty()) return false;
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) return false;
    // A unique temporary name per writer: concurrent writers of one key never mix their bytes.
    std::random_device rd;
    const auto tmp = path.parent_path() / fmt::format(".{}.{:08x}.tmp", key, rd());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) return false;
        const std::uint64_t count = values.size();
        out.write(reinterpret_cast<const char*>(&kMagic), sizeof kMagic);
        out.write(reinterpret_cast<const char*>(&count), sizeof count);
        out.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size_bytes()));
        if (!out.flush()) {
            out.close();
            std::filesystem::remove(tmp, ec);
            return false;
        }
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        return false;
    }
    return true;
}

}  // namespace synthstm
