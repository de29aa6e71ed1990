#pragma once
/// Real scans for prediction: one topography image read from a Gwyddion .gwy, a Nanonis .sxm or
/// a PNG file, its levelling (plane, then line by line), and its resampling to a model's nm per
/// pixel. No LibTorch here.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace synthstm::ml {

/// One image channel of a scan.
struct RealScan {
    std::size_t rows = 0;       ///< lines; row 0 = the top line
    std::size_t cols = 0;       ///< pixels per line
    std::vector<float> values;  ///< rows × cols, row-major, in `unit`
    double width_nm = 0;        ///< physical width
    double height_nm = 0;       ///< physical height
    std::string channel;        ///< channel name (with direction)
    std::string unit;           ///< value unit ("m", "" for a PNG)
};

/// Which image of a file to take.
struct ScanSelection {
    std::string channel;                ///< name (case-insensitive substring); "" = the first Z/height
    std::string direction = "forward";  ///< "forward" or "backward" (.sxm; .gwy titles)
    std::optional<double> size_nm;      ///< physical width (needed for PNG; overrides the file's)
};

/// Reads the image by the file's extension (.gwy, .sxm, .png). Throws InvalidInput naming the
/// path for an unknown extension, a missing channel, a PNG without size_nm or a malformed file;
/// Io when it cannot be read.
RealScan read_real_scan(const std::filesystem::path& path, const ScanSelection& selection);

/// Subtracts the least-squares plane a + b·col + c·row.
void level_plane(std::vector<float>& values, std::size_t rows, std::size_t cols);
/// Removes offsets between scan lines (rows, or columns when lines_are_columns) robustly: each
/// line's offset against the previous one is the median of their pointwise differences, so a
/// defect or adsorbate that covers a few pixels of a line does not move it (a line's own median
/// would: a row through a vacancy is lifted and paints a stripe); the summed offsets minus their
/// straight-line trend (a plane's share, which level_plane handles) are subtracted.
void level_lines(std::vector<float>& values, std::size_t rows, std::size_t cols, bool lines_are_columns = false);
/// Bilinear resampling of rows × cols to new_rows × new_cols (pixel centres aligned).
std::vector<float> resample(const std::vector<float>& values, std::size_t rows, std::size_t cols, std::size_t new_rows,
                            std::size_t new_cols);

}  // namespace synthstm::ml
