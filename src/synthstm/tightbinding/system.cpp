#include "synthstm/tightbinding/system.hpp"

#include <cmath>
#include <limits>

namespace synthstm {

std::pair<double, double> gershgorin_bounds(const SparseHamiltonian& h) {
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (int r = 0; r < h.outerSize(); ++r) {
        double diagonal = 0.0;
        double radius = 0.0;
        for (SparseHamiltonian::InnerIterator it(h, r); it; ++it) {
            if (it.col() == r) {
                diagonal = it.value();
            } else {
                radius += std::abs(it.value());
            }
        }
        lo = std::min(lo, diagonal - radius);
        hi = std::max(hi, diagonal + radius);
    }
    if (h.rows() == 0) return {0.0, 0.0};
    return {lo, hi};
}

}  // namespace synthstm
