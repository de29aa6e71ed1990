// A table of false-colour images with titles (synthstm inspect's picture of a dataset).
#include <algorithm>
#include <string>

#include <cairo.h>
#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/io/cairo_png.hpp"
#include "synthstm/io/image_png.hpp"

namespace synthstm {
namespace {

constexpr int kMargin = 8;
constexpr int kTitleHeight = 22;
constexpr int kLabelWidth = 70;

void label(cairo_t* cr, double x, double y, const std::string& s) {
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 13);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, s.c_str());
}

/// Draws one image into a tile of side `tile` at (x0, y0), nearest-neighbour.
void draw_tile(cairo_surface_t* surface, const GridImage& image, int x0, int y0, int tile) {
    if (image.rows == 0 || image.cols == 0 || image.values.size() != image.rows * image.cols)
        invalid_input(fmt::format("grid image has {} values for {} x {}", image.values.size(), image.rows, image.cols));
    const std::vector<std::uint32_t> colours = image_colours(image.values, image.colours);
    unsigned char* pixels = cairo_image_surface_get_data(surface);
    const auto stride = static_cast<std::size_t>(cairo_image_surface_get_stride(surface));
    for (int y = 0; y < tile; ++y) {
        const std::size_t screen_row = std::size_t(y) * image.rows / std::size_t(tile);
        const std::size_t row = image.colours.row0_is_bottom ? image.rows - 1 - screen_row : screen_row;
        auto* line = reinterpret_cast<std::uint32_t*>(pixels + std::size_t(y0 + y) * stride);
        for (int x = 0; x < tile; ++x) line[x0 + x] = colours[row * image.cols + std::size_t(x) * image.cols / std::size_t(tile)];
    }
}

/// Draws the image's markers as circles over its tile.
void draw_markers(cairo_t* cr, const GridImage& image, int x0, int y0, int tile) {
    const double sx = static_cast<double>(tile) / static_cast<double>(image.cols);
    const double sy = static_cast<double>(tile) / static_cast<double>(image.rows);
    cairo_save(cr);
    cairo_rectangle(cr, x0, y0, tile, tile);
    cairo_clip(cr);
    cairo_set_line_width(cr, 1.5);
    for (const ImageMarker& m : image.markers) {
        const double row = image.colours.row0_is_bottom ? static_cast<double>(image.rows) - 1.0 - m.row : m.row;
        cairo_set_source_rgb(cr, ((m.rgb >> 16) & 0xff) / 255.0, ((m.rgb >> 8) & 0xff) / 255.0, (m.rgb & 0xff) / 255.0);
        cairo_new_sub_path(cr);
        cairo_arc(cr, x0 + (m.col + 0.5) * sx, y0 + (row + 0.5) * sy, m.radius_px, 0, 6.283185307179586);
        cairo_stroke(cr);
    }
    cairo_restore(cr);
}

}  // namespace

void write_image_grid_png(const std::filesystem::path& path, const ImageGrid& grid) {
    const std::size_t columns = grid.column_titles.size(), rows = grid.row_labels.size();
    if (columns == 0 || rows == 0 || grid.images.size() != rows * columns)
        invalid_input(fmt::format("cannot write {}: {} images for {} rows x {} columns", path.string(), grid.images.size(),
                                  rows, columns));
    const int tile = std::max(16, grid.tile_px);
    const int width = kLabelWidth + static_cast<int>(columns) * (tile + kMargin) + kMargin;
    const int height = kTitleHeight + static_cast<int>(rows) * (tile + kMargin) + kMargin;
    cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    cairo_t* cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    for (std::size_t c = 0; c < columns; ++c)
        label(cr, kLabelWidth + static_cast<double>(c) * (tile + kMargin), kTitleHeight - 7, grid.column_titles[c]);
    for (std::size_t r = 0; r < rows; ++r)
        label(cr, kMargin, kTitleHeight + static_cast<double>(r) * (tile + kMargin) + tile / 2.0, grid.row_labels[r]);
    cairo_destroy(cr);
    cairo_surface_flush(surface);
    try {
        for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t c = 0; c < columns; ++c)
                draw_tile(surface, grid.images[r * columns + c], kLabelWidth + static_cast<int>(c) * (tile + kMargin),
                          kTitleHeight + static_cast<int>(r) * (tile + kMargin), tile);
    } catch (...) {
        cairo_surface_destroy(surface);
        throw;
    }
    cairo_surface_mark_dirty(surface);
    cr = cairo_create(surface);
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < columns; ++c)
            draw_markers(cr, grid.images[r * columns + c], kLabelWidth + static_cast<int>(c) * (tile + kMargin),
                         kTitleHeight + static_cast<int>(r) * (tile + kMargin), tile);
    cairo_destroy(cr);
    cairo_surface_flush(surface);
    save_surface_png(surface, path);
}

}  // namespace synthstm
