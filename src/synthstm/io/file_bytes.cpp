#include "synthstm/io/file_bytes.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <system_error>

#include <fmt/format.h>
#include <unistd.h>

#include "synthstm/core/error.hpp"

namespace synthstm {
namespace {

/// A name beside `path` that no other writer (thread or process) picks at the same time.
std::filesystem::path temporary_name(const std::filesystem::path& path) {
    static std::atomic<unsigned> counter{0};
    static const unsigned salt = std::random_device{}();
    const auto name = fmt::format(".{}.{}-{:08x}-{}.tmp", path.filename().string(), ::getpid(), salt,
                                  counter.fetch_add(1));
    return path.parent_path() / name;
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
    if (path.empty() || !path.has_filename()) io_error(fmt::format("cannot write '{}': not a file name", path.string()));
    const auto tmp = temporary_name(path);
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) io_error(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.close();
        if (!out) {
            const int err = errno;
            std::error_code ec;
            std::filesystem::remove(tmp, ec);
            io_error(fmt::format("cannot write {}: {}", path.string(), std::strerror(err)));
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::error_code ignored;
        std::filesystem::remove(tmp, ignored);
        io_error(fmt::format("cannot write {}: {}", path.string(), ec.message()));
    }
}

std::string read_file_bytes(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) io_error(fmt::format("cannot read {}: is a directory", path.string()));
    std::ifstream in(path, std::ios::binary);
    if (!in) io_error(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) io_error(fmt::format("cannot read {}: read error", path.string()));
    return bytes;
}

}  // namespace synthstm
