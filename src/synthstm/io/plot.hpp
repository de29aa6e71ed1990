#pragma once
/// Simple, dependable PNG figures (Cairo): line plots of spectra and scatter pictures of atoms.
#include <filesystem>
#include <string>
#include <vector>

namespace synthstm {

/// An RGB colour with components in [0, 1].
struct Colour {
    double r = 0, g = 0, b = 0;  ///< red, green, blue
};

/// One curve of a line plot.
struct Series {
    std::vector<double> x;  ///< abscissae
    std::vector<double> y;  ///< ordinates
    std::string label;      ///< legend text
    Colour colour{0.12, 0.47, 0.71};  ///< line colour
};

/// A line plot with axes, ticks, labels and a legend.
struct LinePlot {
    std::string title;          ///< above the plot
    std::string x_label;        ///< with unit, e.g. "E (eV)"
    std::string y_label;        ///< with unit
    std::vector<Series> series; ///< curves
    int width_px = 800;         ///< image width
    int height_px = 500;        ///< image height
};

/// A point of a scatter picture (an atom seen from one side).
struct Disc {
    double x = 0, y = 0;  ///< centre in data units
    double radius = 0;    ///< in data units
    Colour colour;        ///< fill
};

/// Panels of discs with equal aspect ratio, side by side (e.g. side and bottom views of a tip).
struct DiscPanel {
    std::string title;        ///< above the panel
    std::string x_label;      ///< with unit
    std::string y_label;      ///< with unit
    std::vector<Disc> discs;  ///< drawn in order (later on top)
};

/// Writes a line plot; throws Io naming the path if it cannot be written.
void write_line_plot_png(const std::filesystem::path& path, const LinePlot& plot);

/// Writes panels side by side, each square, panel_px pixels wide.
void write_disc_panels_png(const std::filesystem::path& path, const std::vector<DiscPanel>& panels,
                           int panel_px = 420);

/// The i-th colour of a qualitative palette (for series).
Colour palette_colour(int i);

/// The viridis colour map at t ∈ [0, 1] (perceptually uniform).
Colour viridis(double t);

}  // namespace synthstm
