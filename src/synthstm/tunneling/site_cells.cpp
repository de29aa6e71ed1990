#include "synthstm/tunneling/site_cells.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace synthstm {

SiteCells::SiteCells(std::span<const double> x_nm, std::span<const double> y_nm, double cell_nm) {
    const int n = static_cast<int>(x_nm.size());
    if (n > 0) {
        const auto [xmin, xmax] = std::minmax_element(x_nm.begin(), x_nm.end());
        const auto [ymin, ymax] = std::minmax_element(y_nm.begin(), y_nm.end());
        x0_nm_ = *xmin, x1_nm_ = *xmax, y0_nm_ = *ymin, y1_nm_ = *ymax;
    }
    const double wx = x1_nm_ - x0_nm_, wy = y1_nm_ - y0_nm_;
    constexpr double kMaxCells = 4194304.0;  // 2^22
    cell_nm_ = std::isfinite(cell_nm) && cell_nm > 0.0 ? cell_nm : std::max({wx, wy, 1.0});
    cell_nm_ = std::max(cell_nm_, std::sqrt(wx * wy / kMaxCells));
    cell_nm_ = std::max({cell_nm_, wx / 2048.0, wy / 2048.0});
    nx_ = static_cast<int>(wx / cell_nm_) + 1;
    ny_ = static_cast<int>(wy / cell_nm_) + 1;

    std::vector<int> cell(n);
    std::vector<int> count(static_cast<std::size_t>(nx_) * ny_ + 1, 0);
    for (int i = 0; i < n; ++i) {
        cell[i] = row(y_nm[i]) * nx_ + column(x_nm[i]);
        ++count[cell[i] + 1];
    }
    start_.assign(count.size(), 0);
    std::partial_sum(count.begin(), count.end(), start_.begin());
    order_.resize(n);
    std::vector<int> next(start_.begin(), start_.end() - 1);
    for (int i = 0; i < n; ++i) order_[next[cell[i]]++] = i;  // stable: original order within a cell
    // Within a cell by x (ties in the original order: the order within a cell is ascending,
    // so by (x, index)), so that every row is sorted by x. std::sort on the pair needs no buffer
    // (stable_sort allocates one per cell).
    for (std::size_t c = 0; c + 1 < start_.size(); ++c) {
        std::sort(order_.begin() + start_[c], order_.begin() + start_[c + 1],
                  [&](int a, int b) { return x_nm[a] < x_nm[b] || (x_nm[a] == x_nm[b] && a < b); });
    }
    sorted_x_.resize(n);
    for (int p = 0; p < n; ++p) sorted_x_[p] = x_nm[order_[p]];
}

}  // namespace synthstm
