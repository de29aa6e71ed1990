#pragma once
/// Nanonis scan files (.sxm): an ASCII header of ":KEY:" sections ending with ":SCANIT_END:" and
/// the bytes 0x1A 0x04, then big-endian float32 frames, one per channel and direction in the
/// order of the DATA_INFO table (forward before backward for "both"). Layout: docs/formats.md.
#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace synthstm {

/// One frame (a channel in one scan direction) of an .sxm file.
struct SxmFrame {
    std::string name;            ///< channel name, e.g. "Z", "Current"
    std::string unit;            ///< unit, e.g. "m", "A"
    bool backward = false;       ///< the backward (retrace) scan
    std::vector<double> values;  ///< rows × cols, row 0 = the top line, column 0 = the left edge
};

/// An .sxm file.
struct SxmScan {
    std::size_t rows = 0;        ///< lines (SCAN_PIXELS second value)
    std::size_t cols = 0;        ///< pixels per line (SCAN_PIXELS first value)
    double width_m = 0;          ///< SCAN_RANGE x
    double height_m = 0;         ///< SCAN_RANGE y
    std::string scan_dir;        ///< SCAN_DIR ("up", "down" or "")
    std::map<std::string, std::string> header;  ///< every header section, its text trimmed
    std::vector<SxmFrame> frames;  ///< in file order
};

/// Reads an .sxm file. Frames are turned so that row 0 is the top line of the image (lines of a
/// scan "up" are stored bottom first) and column 0 the left edge (backward lines are stored right
/// to left). Throws Io naming the path when it cannot be read, InvalidInput naming the path and
/// the problem when it is not a well-formed .sxm file (missing section, truncated data, …).
SxmScan read_sxm(const std::filesystem::path& path);

}  // namespace synthstm
