#include "synthstm/io/npy.hpp"

#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/io/file_bytes.hpp"

namespace synthstm {
namespace {

static_assert(std::endian::native == std::endian::little, "the .npy writer assumes a little-endian host");

constexpr std::string_view magic = "\x93NUMPY";

/// The value of `key` in the header dictionary, as written (up to the next top-level comma).
std::string_view dict_value(std::string_view header, std::string_view key, const std::filesystem::path& path) {
    const std::string quoted1 = fmt::format("'{}'", key), quoted2 = fmt::format("\"{}\"", key);
    auto at = header.find(quoted1);
    if (at == std::string_view::npos) at = header.find(quoted2);
    if (at == std::string_view::npos) invalid_input(fmt::format("{}: .npy header has no '{}'", path.string(), key));
    at = header.find(':', at);
    if (at == std::string_view::npos) invalid_input(fmt::format("{}: malformed .npy header", path.string()));
    ++at;
    while (at < header.size() && header[at] == ' ') ++at;
    std::size_t end = at;
    int depth = 0;
    while (end < header.size()) {
        const char ch = header[end];
        if (ch == '(') ++depth;
        if (ch == ')') --depth;
        if (depth == 0 && (ch == ',' || ch == '}')) break;
        ++end;
    }
    if (depth != 0 || end == header.size()) invalid_input(fmt::format("{}: malformed .npy header", path.string()));
    std::string_view v = header.substr(at, end - at);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    return v;
}

/// Parses "(3, 4)" into its dimensions; "(3,)" has one.
std::vector<std::size_t> parse_shape(std::string_view v, const std::filesystem::path& path) {
    if (v.size() < 2 || v.front() != '(' || v.back() != ')')
        invalid_input(fmt::format("{}: malformed .npy shape {}", path.string(), v));
    std::vector<std::size_t> dims;
    std::size_t i = 1;
    while (i + 1 < v.size()) {
        while (i + 1 < v.size() && (v[i] == ' ' || v[i] == ',')) ++i;
        if (i + 1 >= v.size()) break;
        std::size_t d = 0;
        const std::size_t start = i;
        while (i + 1 < v.size() && v[i] >= '0' && v[i] <= '9') {
            if (d > std::numeric_limits<std::size_t>::max() / 10) invalid_input(fmt::format("{}: .npy shape too large", path.string()));
            d = d * 10 + static_cast<std::size_t>(v[i] - '0');
            ++i;
        }
        if (i == start) invalid_input(fmt::format("{}: malformed .npy shape {}", path.string(), v));
        dims.push_back(d);
    }
    return dims;
}

}  // namespace

void write_npy(const std::filesystem::path& path, std::span<const float> values, std::size_t rows, std::size_t cols) {
    if (rows == 0 || cols == 0) invalid_input(fmt::format("cannot write {}: empty array ({} x {})", path.string(), rows, cols));
    if (values.size() != rows * cols)
        invalid_input(fmt::format("cannot write {}: {} values for a {} x {} array", path.string(), values.size(), rows, cols));

    std::string header = fmt::format("{{'descr': '<f4', 'fortran_order': False, 'shape': ({}, {}), }}", rows, cols);
    // Magic (6) + version (2) + header length (2) + header, padded with spaces and ended by '\n'
    // so that the data starts at a multiple of 64 bytes.
    const std::size_t prefix = magic.size() + 2 + 2;
    const std::size_t total = (prefix + header.size() + 1 + 63) / 64 * 64;
    header.append(total - prefix - header.size() - 1, ' ');
    header.push_back('\n');
    if (header.size() > std::numeric_limits<std::uint16_t>::max()) invalid_input(fmt::format("cannot write {}: .npy header too long", path.string()));

    std::string bytes;
    bytes.reserve(total + values.size_bytes());
    bytes.append(magic);
    bytes.push_back('\x01');  // format version 1.0
    bytes.push_back('\x00');
    const auto len = static_cast<std::uint16_t>(header.size());
    bytes.push_back(static_cast<char>(len & 0xff));
    bytes.push_back(static_cast<char>(len >> 8));
    bytes.append(header);
    bytes.append(reinterpret_cast<const char*>(values.data()), values.size_bytes());
    write_file_atomically(path, bytes);
}

NpyArray read_npy(const std::filesystem::path& path) {
    const std::string bytes = read_file_bytes(path);
    const std::string_view b(bytes);
    if (b.size() < 10 || b.substr(0, magic.size()) != magic) invalid_input(fmt::format("{}: not a .npy file", path.string()));
    const int major = static_cast<unsigned char>(b[6]);
    std::size_t header_len = 0, header_at = 0;
    if (major == 1) {
        header_len = static_cast<unsigned char>(b[8]) | static_cast<std::size_t>(static_cast<unsigned char>(b[9])) << 8;
        header_at = 10;
    } else if (major == 2 || major == 3) {
        if (b.size() < 12) invalid_input(fmt::format("{}: truncated .npy header", path.string()));
        for (int k = 3; k >= 0; --k) header_len = header_len << 8 | static_cast<unsigned char>(b[8 + k]);
        header_at = 12;
    } else {
        invalid_input(fmt::format("{}: unsupported .npy format version {}", path.string(), major));
    }
    if (b.size() < header_at + header_len) invalid_input(fmt::format("{}: truncated .npy header", path.string()));
    const std::string_view header = b.substr(header_at, header_len);

    std::string_view descr = dict_value(header, "descr", path);
    if (descr != "'<f4'" && descr != "\"<f4\"")
        invalid_input(fmt::format("{}: dtype {} is not little-endian float32 ('<f4')", path.string(), descr));
    if (dict_value(header, "fortran_order", path) != "False")
        invalid_input(fmt::format("{}: Fortran-order arrays are not supported (save with C order)", path.string()));
    const auto dims = parse_shape(dict_value(header, "shape", path), path);
    if (dims.size() != 2)
        invalid_input(fmt::format("{}: array has {} dimensions, expected 2", path.string(), dims.size()));

    NpyArray array{dims[0], dims[1], {}};
    if (array.cols != 0 && array.rows > std::numeric_limits<std::size_t>::max() / sizeof(float) / array.cols)
        invalid_input(fmt::format("{}: .npy shape too large", path.string()));
    const std::size_t count = array.rows * array.cols;
    const std::size_t data_at = header_at + header_len;
    if (b.size() - data_at != count * sizeof(float))
        invalid_input(fmt::format("{}: {} data bytes for shape ({}, {}), expected {}", path.string(), b.size() - data_at,
                                  array.rows, array.cols, count * sizeof(float)));
    array.values.resize(count);
    if (count > 0) std::memcpy(array.values.data(), b.data() + data_at, count * sizeof(float));
    return array;
}

}  // namespace synthstm
