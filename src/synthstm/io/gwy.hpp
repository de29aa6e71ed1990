#pragma once
/// Gwyddion native files (.gwy, "GWYP"): several image channels with their physical sizes and
/// units, for opening synthstm images in Gwyddion. Layout: docs/formats.md.
///
/// Orientation: Gwyddion draws a field's first row at the top. synthstm images have y up (row 0
/// = bottom), so by default rows are written last-first, and read back the same way.
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace synthstm {

/// One image channel to write: becomes the GwyDataField "/N/data" with title "/N/data/title".
struct GwyChannel {
    std::string title;               ///< shown in Gwyddion's data browser, e.g. "Topography forward"
    std::span<const float> values;   ///< rows × cols, row-major
    std::size_t rows = 0;            ///< lines (y)
    std::size_t cols = 0;            ///< pixels per line (x)
    double width_nm = 0;             ///< physical size along x (> 0)
    double height_nm = 0;            ///< physical size along y (> 0)
    double x_offset_nm = 0;          ///< x of the image's left edge
    double y_offset_nm = 0;          ///< y of the image's edge at data row 0
    std::string z_unit = "m";        ///< SI unit of the values in the file: "m", "A", "" (none), …
    double z_to_si = 1.0;            ///< factor from values to z_unit, e.g. 1e-9 for heights in nm
    bool row0_is_bottom = true;      ///< data row 0 is the bottom line of the image (y up)
};

/// Writes the channels as one Gwyddion file; channel k becomes "/k/data" (channel 0 marked
/// visible). Lateral sizes are stored in metres. The file appears complete or not at all.
/// Throws InvalidInput for no channels, an empty channel, values.size() != rows * cols,
/// a non-positive or non-finite size, non-finite values or a title containing NUL;
/// Io naming the path when it cannot be written.
void write_gwy(const std::filesystem::path& path, std::span<const GwyChannel> channels);

/// One GwyDataField channel as read from a .gwy file, in the file's (SI base) units.
struct GwyChannelData {
    int id = 0;                  ///< N of the container key "/N/data"
    std::string title;           ///< "/N/data/title"; empty when absent
    std::size_t xres = 0;        ///< pixels per line
    std::size_t yres = 0;        ///< lines
    double xreal = 0;            ///< physical width in unit_xy
    double yreal = 0;            ///< physical height in unit_xy
    double xoff = 0;             ///< x offset in unit_xy
    double yoff = 0;             ///< y offset in unit_xy
    std::string unit_xy;         ///< lateral unit, e.g. "m"
    std::string unit_z;          ///< value unit, e.g. "m" or "A"
    std::vector<double> values;  ///< yres × xres, row-major, in the orientation asked for
};

/// Reads every "/N/data" GwyDataField of a .gwy file (any producer; other objects are skipped),
/// ordered by N. With row0_is_bottom (the default) row 0 of values is the bottom line, as
/// synthstm images; otherwise the rows are as stored (Gwyddion's top line first). Throws Io
/// naming the path when it cannot be read, InvalidInput naming the path when it is not a
/// well-formed "GWYP" file.
std::vector<GwyChannelData> read_gwy(const std::filesystem::path& path, bool row0_is_bottom = true);

}  // namespace synthstm
