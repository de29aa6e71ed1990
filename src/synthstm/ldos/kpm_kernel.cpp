#include "synthstm/ldos/kpm_kernel.hpp"

#include <cmath>
#include <numbers>

namespace synthstm {

std::vector<double> jackson_kernel(int moments) {
    std::vector<double> g(moments);
    const double n1 = moments + 1.0;
    const double q = std::numbers::pi / n1;
    for (int n = 0; n < moments; ++n) {
        g[n] = ((n1 - n) * std::cos(q * n) + std::sin(q * n) / std::tan(q)) / n1;
    }
    return g;
}

std::vector<double> lorentz_kernel(int moments, double lambda) {
    std::vector<double> g(moments);
    for (int n = 0; n < moments; ++n) {
        g[n] = std::sinh(lambda * (1.0 - static_cast<double>(n) / moments)) / std::sinh(lambda);
    }
    return g;
}

}  // namespace synthstm
