#include "synthstm/ldos/exact.hpp"

#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {

SpectralWeights exact_spectral_weights(const SparseHamiltonian& h, std::span<const int> rows) {
    if (h.rows() > kExactMaxOrbitals) {
        invalid_input(fmt::format("exact diagonalisation of {} orbitals is too large (max {}); use kpm or tmatrix",
                                  h.rows(), kExactMaxOrbitals));
    }
    for (int r : rows) {
        if (r < 0 || r >= h.rows()) invalid_input(fmt::format("orbital {} is not in the system", r));
    }
    const Eigen::MatrixXd dense = Eigen::MatrixXd(h);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(dense);
    if (solver.info() != Eigen::Success) throw Error(ErrorKind::Internal, "eigensolver did not converge");
    SpectralWeights w;
    w.energies_eV = solver.eigenvalues();
    w.weights.resize(static_cast<Eigen::Index>(rows.size()), dense.rows());
    for (std::size_t k = 0; k < rows.size(); ++k) {
        w.weights.row(static_cast<Eigen::Index>(k)) = solver.eigenvectors().row(rows[k]).array().square();
    }
    return w;
}

LdosSpectrum broaden(const SpectralWeights& w, const EnergyGrid& grid, double broadening_eV,
                     BroadeningShape shape) {
    grid.validate();
    validate_broadening(broadening_eV);
    LdosSpectrum s;
    s.energy_eV = grid.energies();
    s.method = "exact";
    s.broadening_eV = broadening_eV;
    const Eigen::Index ne = grid.points;
    // Kernel matrix K(n, e) = δ_η(E_e − E_n), then LDOS = weights · K.
    Eigen::MatrixXd kernel(w.energies_eV.size(), ne);
    const double eta = broadening_eV;
    for (Eigen::Index n = 0; n < w.energies_eV.size(); ++n) {
        for (Eigen::Index e = 0; e < ne; ++e) {
            const double x = s.energy_eV[e] - w.energies_eV[n];
            kernel(n, e) = shape == BroadeningShape::Lorentzian
                               ? eta / std::numbers::pi / (x * x + eta * eta)
                               : std::exp(-0.5 * x * x / (eta * eta)) / (eta * std::sqrt(2.0 * std::numbers::pi));
        }
    }
    s.ldos_per_eV = w.weights * kernel;
    return s;
}

LdosSpectrum exact_ldos(const SparseHamiltonian& h, std::span<const int> rows, const EnergyGrid& grid,
                        double broadening_eV, BroadeningShape shape) {
    grid.validate();
    validate_broadening(broadening_eV);
    return broaden(exact_spectral_weights(h, rows), grid, broadening_eV, shape);
}

}  // namespace synthstm
