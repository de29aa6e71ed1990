#include "synthstm/io/plot.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include <cairo.h>
#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {
namespace {

/// "Nice" tick positions covering [lo, hi] with about `target` ticks.
std::vector<double> nice_ticks(double lo, double hi, int target = 6) {
    const double span = hi - lo;
    if (!(span > 0)) return {lo};
    const double raw = span / target;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag;
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        if (m * mag >= raw) {
            step = m * mag;
            break;
        }
    }
    std::vector<double> ticks;
    for (double t = std::ceil(lo / step) * step; t <= hi + 1e-9 * span; t += step) {
        ticks.push_back(std::abs(t) < 1e-12 * span ? 0.0 : t);
    }
    return ticks;
}

std::string tick_text(double v) { return fmt::format("{:g}", v); }

void set_colour(cairo_t* cr, const Colour& c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }

void text(cairo_t* cr, double x, double y, const std::string& s, double size, double align_x, double align_y,
          bool vertical = false) {
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t ext;
    cairo_text_extents(cr, s.c_str(), &ext);
    cairo_save(cr);
    cairo_translate(cr, x, y);
    if (vertical) cairo_rotate(cr, -M_PI / 2);
    cairo_move_to(cr, -ext.width * align_x - ext.x_bearing, ext.height * align_y);
    cairo_show_text(cr, s.c_str());
    cairo_restore(cr);
}

/// Maps data to pixels inside a frame.
struct Frame {
    double left, top, width, height;
    double x0, x1, y0, y1;
    [[nodiscard]] double px(double x) const { return left + (x - x0) / (x1 - x0) * width; }
    [[nodiscard]] double py(double y) const { return top + height - (y - y0) / (y1 - y0) * height; }
};

void draw_axes(cairo_t* cr, const Frame& f, const std::string& title, const std::string& xl, const std::string& yl) {
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1.0);
    cairo_rectangle(cr, f.left, f.top, f.width, f.height);
    cairo_stroke(cr);
    for (double t : nice_ticks(f.x0, f.x1)) {
        const double x = f.px(t);
        cairo_move_to(cr, x, f.top + f.height);
        cairo_line_to(cr, x, f.top + f.height - 5);
        cairo_stroke(cr);
        text(cr, x, f.top + f.height + 16, tick_text(t), 12, 0.5, 0.0);
    }
    for (double t : nice_ticks(f.y0, f.y1)) {
        const double y = f.py(t);
        cairo_move_to(cr, f.left, y);
        cairo_line_to(cr, f.left + 5, y);
        cairo_stroke(cr);
        text(cr, f.left - 6, y, tick_text(t), 12, 1.0, 0.5);
    }
    text(cr, f.left + f.width / 2, f.top - 14, title, 15, 0.5, 0.0);
    text(cr, f.left + f.width / 2, f.top + f.height + 38, xl, 13, 0.5, 0.0);
    text(cr, f.left - 52, f.top + f.height / 2, yl, 13, 0.5, 0.5, true);
}

void save(cairo_surface_t* surface, const std::filesystem::path& path) {
    const cairo_status_t status = cairo_surface_write_to_png(surface, path.c_str());
    cairo_surface_destroy(surface);
    if (status != CAIRO_STATUS_SUCCESS) io_error(fmt::format("cannot write {}: {}", path.string(), cairo_status_to_string(status)));
}

}  // namespace

Colour palette_colour(int i) {
    static const std::array<Colour, 6> p = {Colour{0.12, 0.47, 0.71}, Colour{0.85, 0.37, 0.01},
                                            Colour{0.17, 0.63, 0.17}, Colour{0.84, 0.15, 0.16},
                                            Colour{0.58, 0.40, 0.74}, Colour{0.55, 0.34, 0.29}};
    return p[static_cast<std::size_t>(i) % p.size()];
}

Colour viridis(double t) {
    // Control points of matplotlib's viridis, linearly interpolated.
    static const std::array<Colour, 9> c = {
        Colour{0.267, 0.005, 0.329}, Colour{0.283, 0.141, 0.458}, Colour{0.254, 0.265, 0.530},
        Colour{0.207, 0.372, 0.553}, Colour{0.164, 0.471, 0.558}, Colour{0.128, 0.567, 0.551},
        Colour{0.135, 0.659, 0.518}, Colour{0.478, 0.821, 0.318}, Colour{0.993, 0.906, 0.144}};
    t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * (c.size() - 1);
    const auto i = std::min<std::size_t>(static_cast<std::size_t>(t), c.size() - 2);
    const double w = t - static_cast<double>(i);
    return {c[i].r + w * (c[i + 1].r - c[i].r), c[i].g + w * (c[i + 1].g - c[i].g), c[i].b + w * (c[i + 1].b - c[i].b)};
}

void write_line_plot_png(const std::filesystem::path& path, const LinePlot& plot) {
    cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, plot.width_px, plot.height_px);
    cairo_t* cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);

    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
    for (const auto& s : plot.series)
        for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
            if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
            x0 = std::min(x0, s.x[i]);
            x1 = std::max(x1, s.x[i]);
            y0 = std::min(y0, s.y[i]);
            y1 = std::max(y1, s.y[i]);
        }
    if (!(x1 > x0)) { x0 = 0; x1 = 1; }
    if (!(y1 > y0)) { y0 -= 0.5; y1 += 0.5; }
    if (y0 > 0 && y0 < 0.3 * y1) y0 = 0;  // densities: start at zero
    const double pad = 0.05 * (y1 - y0);
    const Frame f{80, 40, plot.width_px - 110.0, plot.height_px - 100.0, x0, x1, y0 == 0 ? 0 : y0 - pad, y1 + pad};
    draw_axes(cr, f, plot.title, plot.x_label, plot.y_label);

    cairo_save(cr);
    cairo_rectangle(cr, f.left, f.top, f.width, f.height);
    cairo_clip(cr);
    cairo_set_line_width(cr, 1.8);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    for (const auto& s : plot.series) {
        set_colour(cr, s.colour);
        bool pen_down = false;
        for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
            if (!std::isfinite(s.y[i])) { pen_down = false; continue; }
            if (pen_down) cairo_line_to(cr, f.px(s.x[i]), f.py(s.y[i]));
            else cairo_move_to(cr, f.px(s.x[i]), f.py(s.y[i]));
            pen_down = true;
        }
        cairo_stroke(cr);
    }
    cairo_restore(cr);
    // Legend, top right.
    double ly = f.top + 18;
    for (const auto& s : plot.series) {
        if (s.label.empty()) continue;
        set_colour(cr, s.colour);
        cairo_set_line_width(cr, 3);
        cairo_move_to(cr, f.left + f.width - 170, ly);
        cairo_line_to(cr, f.left + f.width - 145, ly);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        text(cr, f.left + f.width - 138, ly, s.label, 12, 0.0, 0.4);
        ly += 18;
    }
    cairo_destroy(cr);
    save(surface, path);
}

void write_disc_panels_png(const std::filesystem::path& path, const std::vector<DiscPanel>& panels, int panel_px) {
    const int n = std::max<int>(1, static_cast<int>(panels.size()));
    const int height = panel_px + 70;
    cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, n * panel_px, height);
    cairo_t* cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    for (int p = 0; p < static_cast<int>(panels.size()); ++p) {
        const auto& panel = panels[p];
        double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
        for (const auto& d : panel.discs) {
            x0 = std::min(x0, d.x - d.radius);
            x1 = std::max(x1, d.x + d.radius);
            y0 = std::min(y0, d.y - d.radius);
            y1 = std::max(y1, d.y + d.radius);
        }
        if (!(x1 > x0)) { x0 = -1; x1 = 1; }
        if (!(y1 > y0)) { y0 = -1; y1 = 1; }
        // Equal aspect: grow the shorter side around its centre.
        const double span = std::max(x1 - x0, y1 - y0) * 1.05;
        const double cx = 0.5 * (x0 + x1), cy = 0.5 * (y0 + y1);
        const double side = panel_px - 100.0;
        const Frame f{p * panel_px + 70.0, 40, side, side, cx - span / 2, cx + span / 2, cy - span / 2, cy + span / 2};
        draw_axes(cr, f, panel.title, panel.x_label, panel.y_label);
        cairo_save(cr);
        cairo_rectangle(cr, f.left, f.top, f.width, f.height);
        cairo_clip(cr);
        for (const auto& d : panel.discs) {
            const double r = d.radius / span * side;
            cairo_arc(cr, f.px(d.x), f.py(d.y), r, 0, 2 * M_PI);
            set_colour(cr, d.colour);
            cairo_fill_preserve(cr);
            cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
            cairo_set_line_width(cr, 0.8);
            cairo_stroke(cr);
        }
        cairo_restore(cr);
    }
    cairo_destroy(cr);
    save(surface, path);
}

}  // namespace synthstm
