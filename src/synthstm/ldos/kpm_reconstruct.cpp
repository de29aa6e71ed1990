#include "synthstm/ldos/kpm_reconstruct.hpp"

#include <cmath>
#include <numbers>

namespace synthstm {

Eigen::MatrixXd reconstruct_density(const Eigen::MatrixXd& moments, std::span<const double> kernel,
                                    const SpectralScale& scale, std::span<const double> energies_eV) {
    const Eigen::Index rows = moments.rows();
    const Eigen::Index nmom = moments.cols();
    const Eigen::Index ne = static_cast<Eigen::Index>(energies_eV.size());
    // Damped moments with the factor 2 for n ≥ 1 folded in.
    Eigen::MatrixXd damped(rows, nmom);
    for (Eigen::Index n = 0; n < nmom; ++n) damped.col(n) = moments.col(n) * kernel[n] * (n == 0 ? 1.0 : 2.0);

    // T_n(x_e) for every energy: (moments × energies), by the three-term recursion.
    Eigen::MatrixXd chebyshev(nmom, ne);
    Eigen::VectorXd prefactor(ne);
    for (Eigen::Index e = 0; e < ne; ++e) {
        const double x = scale.to_x(energies_eV[e]);
        if (std::abs(x) >= 1.0) {
            chebyshev.col(e).setZero();
            prefactor(e) = 0.0;
            continue;
        }
        prefactor(e) = 1.0 / (std::numbers::pi * scale.half_width_eV * std::sqrt(1.0 - x * x));
        double t_prev = 1.0;
        double t_curr = x;
        chebyshev(0, e) = 1.0;
        if (nmom > 1) chebyshev(1, e) = x;
        for (Eigen::Index n = 2; n < nmom; ++n) {
            const double t_next = 2.0 * x * t_curr - t_prev;
            chebyshev(n, e) = t_next;
            t_prev = t_curr;
            t_curr = t_next;
        }
    }
    return (damped * chebyshev) * prefactor.asDiagonal();
}

}  // namespace synthstm
