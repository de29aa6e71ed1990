#pragma once
/// A cell list of sample sites in the xy plane: the sites are sorted by cell (rows of cells along
/// y, cells along x within a row) and by x within a cell, so every row is sorted by x and the
/// sites of a row whose x lies in an interval are one contiguous index range (found by binary
/// search). The pair sum walks such ranges instead of all sites.
#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

namespace synthstm {

/// Sample sites sorted into square xy cells.
class SiteCells {
public:
    /// Cells of side cell_nm over the bounding box of the sites (one cell when cell_nm is not
    /// finite; the side grows if the box would need more than 2^22 cells). x, y have equal length.
    SiteCells(std::span<const double> x_nm, std::span<const double> y_nm, double cell_nm);

    /// order()[p] is the original index of the site stored at sorted position p.
    [[nodiscard]] const std::vector<int>& order() const { return order_; }

    /// Calls range(begin, end) with sorted index ranges that hold every site within radius_nm
    /// (in xy) of (x, y): per row of cells that meets the disc, the sites of that row whose x lies
    /// within the disc's chord through the row's band (nearest y of the band). An infinite radius
    /// gives every site.
    template <typename F>
    void for_each_range_in_disc(double x_nm, double y_nm, double radius_nm, F&& range) const {
        if (x_nm + radius_nm < x0_nm_ || x_nm - radius_nm > x1_nm_ || y_nm + radius_nm < y0_nm_ ||
            y_nm - radius_nm > y1_nm_) {
            return;
        }
        const int cy0 = row(y_nm - radius_nm), cy1 = row(y_nm + radius_nm);
        for (int cy = cy0; cy <= cy1; ++cy) {
            // Half-width of the disc within the band of this row: nearest y of the band to y_nm.
            const double band_lo = y0_nm_ + cy * cell_nm_, band_hi = band_lo + cell_nm_;
            const double dy = y_nm < band_lo ? band_lo - y_nm : (y_nm > band_hi ? y_nm - band_hi : 0.0);
            if (dy > radius_nm) continue;
            const double half = std::isfinite(radius_nm) ? std::sqrt(radius_nm * radius_nm - dy * dy) : radius_nm;
            int begin = start_[cy * nx_ + column(x_nm - half)];
            int end = start_[cy * nx_ + column(x_nm + half) + 1];
            if (end <= begin) continue;
            if (std::isfinite(half)) {
                // Trim the run of cells to the chord: the row is sorted by x.
                const double* xs = sorted_x_.data();
                begin = static_cast<int>(std::lower_bound(xs + begin, xs + end, x_nm - half) - xs);
                end = static_cast<int>(std::upper_bound(xs + begin, xs + end, x_nm + half) - xs);
            }
            if (end > begin) range(begin, end);
        }
    }

    /// The side of a cell.
    [[nodiscard]] double cell_nm() const { return cell_nm_; }

    /// Calls range(begin, end) for the cell that contains (x, y), clamped into the grid.
    template <typename F>
    void for_cell_at(double x_nm, double y_nm, F&& range) const {
        const int c = row(y_nm) * nx_ + column(x_nm);
        if (start_[c + 1] > start_[c]) range(start_[c], start_[c + 1]);
    }

private:
    [[nodiscard]] int column(double x_nm) const {
        const double c = std::floor((x_nm - x0_nm_) / cell_nm_);
        return c <= 0.0 ? 0 : (c >= nx_ - 1 ? nx_ - 1 : static_cast<int>(c));
    }
    [[nodiscard]] int row(double y_nm) const {
        const double r = std::floor((y_nm - y0_nm_) / cell_nm_);
        return r <= 0.0 ? 0 : (r >= ny_ - 1 ? ny_ - 1 : static_cast<int>(r));
    }

    double x0_nm_ = 0, y0_nm_ = 0, x1_nm_ = 0, y1_nm_ = 0;  // bounding box of the sites
    double cell_nm_ = 1;                                   // side of a cell
    int nx_ = 1, ny_ = 1;                                  // cells along x and y
    std::vector<int> order_;                               // sorted position → site
    std::vector<int> start_;                               // first sorted position of each cell, + end
    std::vector<double> sorted_x_;                         // x of the site at each sorted position
};

}  // namespace synthstm
