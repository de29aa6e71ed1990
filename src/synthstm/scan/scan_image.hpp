#pragma once
/// Images of a scan and the tip positions they were taken at.
#include <span>
#include <vector>

#include "synthstm/core/geometry.hpp"
#include "synthstm/tunneling/tunneling_model.hpp"

namespace synthstm {

/// A row-major image: value(row, col) = values[row * cols + col].
struct ScanImage {
    int rows = 0;                ///< pixels along the slow axis of the recorded image
    int cols = 0;                ///< pixels along the fast axis of the recorded image
    std::vector<double> values;  ///< rows × cols values

    ScanImage() = default;
    ScanImage(int rows_, int cols_, double fill = 0.0) : rows(rows_), cols(cols_), values(std::size_t(rows_) * cols_, fill) {}
    /// The value of one pixel.
    double& at(int row, int col) { return values[std::size_t(row) * cols + col]; }
    /// The value of one pixel.
    [[nodiscard]] double at(int row, int col) const { return values[std::size_t(row) * cols + col]; }
};

/// The sample as the tip sees it: the current model and the plane of a tilted sample. The
/// sample surface is raised by plane_height(x, y) = tan(tilt) · (x cos φ + y sin φ), so the
/// current at apex position (x, y, z) is that of the flat sample at z − plane_height(x, y).
struct TunnelingJunction {
    /// The sample tilted by tilt_rad with its steepest ascent along the in-plane direction
    /// tilt_azimuth_rad.
    TunnelingJunction(const CurrentModel* current_model = nullptr, double tilt_rad = 0.0, double tilt_azimuth_rad = 0.0);

    const CurrentModel* model = nullptr;    ///< the current (not owned)

    /// Height of the tilted surface plane at (x, y), nm.
    [[nodiscard]] double plane_height_nm(double x_nm, double y_nm) const {
        return slope_x_ * x_nm + slope_y_ * y_nm;
    }
    /// The current with the apex at (x, y, z) (z above the flat sample's top atomic plane).
    [[nodiscard]] TunnelingCurrent current(double x_nm, double y_nm, double z_nm) const;
    /// The same to image precision (CurrentModel::image_current), for the recorded current.
    [[nodiscard]] TunnelingCurrent image_current(double x_nm, double y_nm, double z_nm) const;

private:
    double slope_x_ = 0.0, slope_y_ = 0.0;  // the plane's gradient, tan(tilt) (cos φ, sin φ): once, not per call
};

/// Lateral apex positions of every pixel of an image, row-major like ScanImage.
struct LateralPositions {
    int rows = 0;               ///< image rows
    int cols = 0;               ///< image columns
    std::vector<double> x_nm;   ///< x of pixel (row, col) at index row * cols + col
    std::vector<double> y_nm;   ///< y of pixel (row, col)
};

}  // namespace synthstm
