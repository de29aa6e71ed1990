#pragma once
/// False-colour PNG pictures of 2-D arrays (images, maps): one data pixel = a block of screen pixels.
///
/// Orientation: synthstm images have y pointing up, so their row 0 is the BOTTOM line of the
/// picture. By default the writer therefore flips rows, putting the data's last row at the top of
/// the PNG; set row0_is_bottom = false for arrays whose row 0 is the top line.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace synthstm {

/// How values become colours.
enum class ColourMap {
    Viridis,  ///< perceptually uniform, dark violet (low) to yellow (high)
    Grey,     ///< black (low) to white (high)
};

/// Options of write_image_png; the defaults suit a synthstm image.
struct ImagePngOptions {
    ColourMap colour_map = ColourMap::Viridis;  ///< colour scale
    std::optional<double> min;   ///< value drawn as the low end of the scale; automatic when absent
    std::optional<double> max;   ///< value drawn as the high end of the scale; automatic when absent
    bool robust_limits = false;  ///< automatic limits from percentiles instead of the extremes
    double robust_percent = 0.5; ///< with robust_limits: limits at this and (100 - this) percent
    int min_size_px = 256;       ///< upscale by an integer factor (nearest neighbour) until the
                                 ///< shorter side has at least this many pixels; <= 1: never
    bool row0_is_bottom = true;  ///< data row 0 is the bottom line of the picture (y up)
};

/// The low and high values of a colour scale.
struct ColourLimits {
    double low = 0;   ///< drawn as the first colour of the map
    double high = 1;  ///< drawn as the last colour of the map
};

/// The limits write_image_png uses for these values: the given ones, else automatic ones from the
/// finite values (extremes, or percentiles with robust_limits); (0, 1) when none is finite.
/// Throws InvalidInput when the given min exceeds max or robust_percent is outside [0, 50).
ColourLimits image_colour_limits(std::span<const float> values, const ImagePngOptions& options = {});

/// The colour of every value as write_image_png draws it (0xffRRGGBB, rows not flipped).
std::vector<std::uint32_t> image_colours(std::span<const float> values, const ImagePngOptions& options = {});

/// Writes values (rows × cols, row-major) as an RGB PNG. Values at or below the low limit take
/// the first colour, at or above the high limit the last; non-finite values take the first colour.
/// A flat array (low == high) is drawn in the middle colour. The file appears complete or not at
/// all. Throws InvalidInput for an empty array, values.size() != rows * cols, or a picture larger
/// than 32767 pixels a side; Io naming the path when it cannot be written.
void write_image_png(const std::filesystem::path& path, std::span<const float> values, std::size_t rows,
                     std::size_t cols, const ImagePngOptions& options = {});

/// A circle drawn over an image of a grid (a detected or a true defect).
struct ImageMarker {
    double col = 0;              ///< fractional column of the centre (pixel k spans [k - ½, k + ½])
    double row = 0;              ///< fractional row of the centre, in the array's row order
    std::uint32_t rgb = 0xff3030;  ///< outline colour 0xRRGGBB
    double radius_px = 5;        ///< radius on the picture, in screen pixels
};

/// One image of an image grid, with its own colour scale.
struct GridImage {
    std::vector<float> values;  ///< rows × cols, row-major
    std::size_t rows = 0;       ///< data rows
    std::size_t cols = 0;       ///< data columns
    ImagePngOptions colours;    ///< colour map, limits and orientation (min_size_px is ignored)
    std::vector<ImageMarker> markers;  ///< circles drawn over the image
};

/// Images side by side in a table: grid rows × columns, titled columns, labelled rows.
struct ImageGrid {
    std::vector<std::string> column_titles;  ///< one per column (its count sets the columns)
    std::vector<std::string> row_labels;     ///< one per row
    std::vector<GridImage> images;           ///< row-major, rows × columns
    int tile_px = 128;                       ///< side of each drawn image
};

/// Writes the grid as a PNG (complete or not at all). Throws InvalidInput when the image count is
/// not rows × columns, Io naming the path when it cannot be written.
void write_image_grid_png(const std::filesystem::path& path, const ImageGrid& grid);

/// A grey-scale picture read from a PNG file.
struct GreyImage {
    std::size_t rows = 0;       ///< lines, row 0 = the top line of the picture
    std::size_t cols = 0;       ///< pixels per line
    std::vector<float> values;  ///< rows × cols luminance 0–1 (0.299 R + 0.587 G + 0.114 B)
};

/// Reads a PNG file (any colour type; alpha ignored) as grey levels. Throws Io naming the path
/// when it cannot be read, InvalidInput naming the path when it is not a valid PNG.
GreyImage read_png_grey(const std::filesystem::path& path);

}  // namespace synthstm
