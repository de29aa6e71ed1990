#include "synthstm/io/image_png.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <cairo.h>
#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/io/cairo_png.hpp"
#include "synthstm/io/file_bytes.hpp"
#include "synthstm/io/plot.hpp"

namespace synthstm {
namespace {

constexpr std::size_t max_side_px = 32767;  // Cairo's limit for image surfaces

/// Linearly interpolated percentile (0–100) of sorted values.
double percentile(const std::vector<float>& sorted, double percent) {
    const double pos = percent / 100.0 * static_cast<double>(sorted.size() - 1);
    const auto i = static_cast<std::size_t>(std::floor(pos));
    const std::size_t j = std::min(i + 1, sorted.size() - 1);
    const double w = pos - static_cast<double>(i);
    return static_cast<double>(sorted[i]) + w * (static_cast<double>(sorted[j]) - static_cast<double>(sorted[i]));
}

Colour map_colour(ColourMap map, double t) {
    if (map == ColourMap::Grey) {
        const double g = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0);
        return {g, g, g};
    }
    return viridis(t);
}

std::uint32_t to_pixel(const Colour& c) {
    const auto byte = [](double v) { return static_cast<std::uint32_t>(std::lround(std::clamp(v, 0.0, 1.0) * 255.0)); };
    return 0xff000000u | byte(c.r) << 16 | byte(c.g) << 8 | byte(c.b);
}

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
}

}  // namespace

ColourLimits image_colour_limits(std::span<const float> values, const ImagePngOptions& options) {
    if (options.min && options.max && *options.min > *options.max)
        invalid_input(fmt::format("colour scale min {} exceeds max {}", *options.min, *options.max));
    if (options.robust_limits && !(options.robust_percent >= 0 && options.robust_percent < 50))
        invalid_input(fmt::format("robust_percent {} is outside [0, 50)", options.robust_percent));
    ColourLimits limits;
    if (!options.min || !options.max) {
        std::vector<float> finite;
        finite.reserve(values.size());
        for (float v : values)
            if (std::isfinite(v)) finite.push_back(v);
        if (!finite.empty()) {
            if (options.robust_limits) {
                std::sort(finite.begin(), finite.end());
                limits = {percentile(finite, options.robust_percent), percentile(finite, 100.0 - options.robust_percent)};
            } else {
                const auto [lo, hi] = std::minmax_element(finite.begin(), finite.end());
                limits = {*lo, *hi};
            }
        }
    }
    if (options.min) limits.low = *options.min;
    if (options.max) limits.high = *options.max;
    if (limits.low > limits.high) {  // one limit given, the automatic other one beyond it
        if (options.min) limits.high = limits.low;
        else limits.low = limits.high;
    }
    return limits;
}

std::vector<std::uint32_t> image_colours(std::span<const float> values, const ImagePngOptions& options) {
    const ColourLimits limits = image_colour_limits(values, options);
    const double span = limits.high - limits.low;
    std::vector<std::uint32_t> colours(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        const double v = values[i];
        const double t = !std::isfinite(v) ? 0.0 : span > 0 ? (v - limits.low) / span : 0.5;
        colours[i] = to_pixel(map_colour(options.colour_map, t));
    }
    return colours;
}

void write_image_png(const std::filesystem::path& path, std::span<const float> values, std::size_t rows,
                     std::size_t cols, const ImagePngOptions& options) {
    if (rows == 0 || cols == 0) invalid_input(fmt::format("cannot write {}: empty image ({} x {})", path.string(), rows, cols));
    if (values.size() != rows * cols)
        invalid_input(fmt::format("cannot write {}: {} values for a {} x {} image", path.string(), values.size(), rows, cols));
    std::size_t scale = 1;
    if (options.min_size_px > 1) {
        const auto want = static_cast<std::size_t>(options.min_size_px);
        const std::size_t shorter = std::min(rows, cols);
        scale = (want + shorter - 1) / shorter;
    }
    // Never let the upscaling alone push a side past Cairo's limit.
    scale = std::max<std::size_t>(1, std::min(scale, max_side_px / std::max(rows, cols)));
    const std::size_t width = cols * scale, height = rows * scale;
    if (width > max_side_px || height > max_side_px)
        invalid_input(fmt::format("cannot write {}: {} x {} pixels exceeds the PNG writer's {} a side", path.string(), width,
                                  height, max_side_px));

    // One colour per data value, then blocks of scale × scale screen pixels.
    const std::vector<std::uint32_t> colours = image_colours(values, options);

    cairo_surface_t* surface =
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(width), static_cast<int>(height));
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        const std::string why = cairo_status_to_string(cairo_surface_status(surface));
        cairo_surface_destroy(surface);
        io_error(fmt::format("cannot write {}: {}", path.string(), why));
    }
    cairo_surface_flush(surface);
    unsigned char* pixels = cairo_image_surface_get_data(surface);
    const auto stride = static_cast<std::size_t>(cairo_image_surface_get_stride(surface));
    for (std::size_t y = 0; y < height; ++y) {
        const std::size_t screen_row = y / scale;
        const std::size_t data_row = options.row0_is_bottom ? rows - 1 - screen_row : screen_row;
        auto* line = reinterpret_cast<std::uint32_t*>(pixels + y * stride);
        const std::uint32_t* src = colours.data() + data_row * cols;
        for (std::size_t x = 0; x < width; ++x) line[x] = src[x / scale];
    }
    save_surface_png(surface, path);
}

void save_surface_png(cairo_surface_t* surface, const std::filesystem::path& path) {
    cairo_surface_mark_dirty(surface);
    std::string png;
    const cairo_status_t status = cairo_surface_write_to_png_stream(surface, append_to_string, &png);
    cairo_surface_destroy(surface);
    if (status != CAIRO_STATUS_SUCCESS)
        io_error(fmt::format("cannot write {}: {}", path.string(), cairo_status_to_string(status)));
    write_file_atomically(path, png);
}

namespace {

struct PngSource {
    const std::string* bytes;
    std::size_t at = 0;
};

cairo_status_t read_from_string(void* closure, unsigned char* data, unsigned int length) {
    auto* src = static_cast<PngSource*>(closure);
    if (src->at + length > src->bytes->size()) return CAIRO_STATUS_READ_ERROR;
    std::copy_n(src->bytes->data() + src->at, length, data);
    src->at += length;
    return CAIRO_STATUS_SUCCESS;
}

}  // namespace

GreyImage read_png_grey(const std::filesystem::path& path) {
    const std::string bytes = read_file_bytes(path);
    static constexpr unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (bytes.size() < 8 || !std::equal(kSignature, kSignature + 8, reinterpret_cast<const unsigned char*>(bytes.data())))
        invalid_input(fmt::format("{} is not a PNG file (no PNG signature)", path.string()));
    PngSource src{&bytes};
    cairo_surface_t* surface = cairo_image_surface_create_from_png_stream(read_from_string, &src);
    const cairo_status_t status = cairo_surface_status(surface);
    if (status != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surface);
        invalid_input(fmt::format("{} is not a valid PNG file: {}", path.string(), cairo_status_to_string(status)));
    }
    cairo_surface_flush(surface);
    GreyImage g;
    g.rows = static_cast<std::size_t>(cairo_image_surface_get_height(surface));
    g.cols = static_cast<std::size_t>(cairo_image_surface_get_width(surface));
    const cairo_format_t format = cairo_image_surface_get_format(surface);
    const unsigned char* data = cairo_image_surface_get_data(surface);
    const auto stride = static_cast<std::size_t>(cairo_image_surface_get_stride(surface));
    g.values.resize(g.rows * g.cols);
    for (std::size_t r = 0; r < g.rows; ++r)
        for (std::size_t c = 0; c < g.cols; ++c) {
            float v = 0;
            if (format == CAIRO_FORMAT_A8) {
                v = data[r * stride + c] / 255.0f;
            } else {
                const std::uint32_t p = reinterpret_cast<const std::uint32_t*>(data + r * stride)[c];
                v = (0.299f * ((p >> 16) & 0xff) + 0.587f * ((p >> 8) & 0xff) + 0.114f * (p & 0xff)) / 255.0f;
            }
            g.values[r * g.cols + c] = v;
        }
    cairo_surface_destroy(surface);
    return g;
}

}  // namespace synthstm
