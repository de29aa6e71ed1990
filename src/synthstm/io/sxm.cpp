#include "synthstm/io/sxm.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <sstream>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/io/file_bytes.hpp"

namespace synthstm {
namespace {

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return "";
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

/// ":KEY:\n text" sections of the header (before ":SCANIT_END:").
std::map<std::string, std::string> parse_header(const std::string& text) {
    std::map<std::string, std::string> sections;
    std::istringstream in(text);
    std::string line, key, body;
    const auto flush = [&] {
        if (!key.empty()) sections[key] = trim(body);
        body.clear();
    };
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.size() >= 2 && line.front() == ':' && line.back() == ':') {
            flush();
            key = line.substr(1, line.size() - 2);
        } else {
            body += line + "\n";
        }
    }
    flush();
    return sections;
}

}  // namespace

SxmScan read_sxm(const std::filesystem::path& path) {
    const std::string bytes = read_file_bytes(path);
    const std::string where = path.string();
    const auto bad = [&](const std::string& why) { invalid_input(fmt::format("{} is not a valid .sxm file: {}", where, why)); };
    if (bytes.rfind(":NANONIS_VERSION:", 0) != 0) bad("it does not start with :NANONIS_VERSION:");
    const std::size_t end = bytes.find(":SCANIT_END:");
    if (end == std::string::npos) bad("the header has no :SCANIT_END:");
    const std::size_t marker = bytes.find("\x1a\x04", end);
    if (marker == std::string::npos) bad("no data marker (0x1A 0x04) after :SCANIT_END:");
    SxmScan scan;
    scan.header = parse_header(bytes.substr(0, end));
    const auto section = [&](const char* key) -> const std::string& {
        const auto it = scan.header.find(key);
        if (it == scan.header.end()) bad(fmt::format("no :{}: section", key));
        return it->second;
    };
    {
        std::istringstream px(section("SCAN_PIXELS"));
        long long nx = 0, ny = 0;
        if (!(px >> nx >> ny) || nx < 1 || ny < 1 || nx > 65536 || ny > 65536) bad("bad :SCAN_PIXELS:");
        scan.cols = static_cast<std::size_t>(nx);
        scan.rows = static_cast<std::size_t>(ny);
        std::istringstream range(section("SCAN_RANGE"));
        if (!(range >> scan.width_m >> scan.height_m) || !(scan.width_m > 0) || !(scan.height_m > 0)) bad("bad :SCAN_RANGE:");
    }
    if (const auto it = scan.header.find("SCAN_DIR"); it != scan.header.end()) scan.scan_dir = it->second;
    // DATA_INFO: a header row, then Channel Name Unit Direction Calibration Offset per channel.
    std::istringstream info(section("DATA_INFO"));
    std::string row;
    std::getline(info, row);
    std::vector<SxmFrame> frames;
    while (std::getline(info, row)) {
        std::vector<std::string> cells;
        std::istringstream cols(trim(row));
        for (std::string cell; std::getline(cols, cell, '\t');) cells.push_back(trim(cell));
        if (cells.size() < 4) bad(fmt::format("DATA_INFO row '{}' has fewer than 4 columns", trim(row)));
        const std::string& dir = cells[3];
        if (dir != "both" && dir != "forward" && dir != "backward")
            bad(fmt::format("DATA_INFO direction '{}' is not both, forward or backward", dir));
        if (dir != "backward") frames.push_back({cells[1], cells[2], false, {}});
        if (dir != "forward") frames.push_back({cells[1], cells[2], true, {}});
    }
    if (frames.empty()) bad("DATA_INFO lists no channels");
    const std::size_t pixels = scan.rows * scan.cols;
    const std::size_t data = marker + 2;
    const std::size_t need = frames.size() * pixels * 4;
    if (bytes.size() - data < need)
        bad(fmt::format("truncated data: {} frames of {} × {} need {} bytes, {} present", frames.size(), scan.cols, scan.rows,
                        need, bytes.size() - data));
    const bool bottom_first = scan.scan_dir == "up";
    for (std::size_t f = 0; f < frames.size(); ++f) {
        SxmFrame& frame = frames[f];
        frame.values.resize(pixels);
        const char* p = bytes.data() + data + f * pixels * 4;
        for (std::size_t r = 0; r < scan.rows; ++r)
            for (std::size_t c = 0; c < scan.cols; ++c) {
                std::uint32_t u = 0;
                std::memcpy(&u, p + (r * scan.cols + c) * 4, 4);
                if constexpr (std::endian::native == std::endian::little) u = __builtin_bswap32(u);
                const std::size_t out_r = bottom_first ? scan.rows - 1 - r : r;
                const std::size_t out_c = frame.backward ? scan.cols - 1 - c : c;
                frame.values[out_r * scan.cols + out_c] = static_cast<double>(std::bit_cast<float>(u));
            }
    }
    scan.frames = std::move(frames);
    return scan;
}

}  // namespace synthstm
