#include "synthstm/ldos/kpm.hpp"

#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/ldos/kpm_moments.hpp"
#include "synthstm/ldos/kpm_reconstruct.hpp"

namespace synthstm {

int kpm_moments_for(double broadening_eV, const SpectralScale& scale, const KpmOptions& options) {
    if (options.moments > 0) return options.moments;
    const double factor = options.kernel == KpmKernel::Jackson ? std::numbers::pi : options.lorentz_lambda;
    const double n = std::ceil(factor * scale.half_width_eV / broadening_eV);
    if (n > 1e6) invalid_input(fmt::format("broadening {} eV needs {} KPM moments (max 1e6)", broadening_eV, n));
    return std::max(2, static_cast<int>(n));
}

LdosSpectrum kpm_ldos(const SparseHamiltonian& h, std::span<const int> rows, const EnergyGrid& grid,
                      double broadening_eV, const KpmOptions& options) {
    grid.validate();
    validate_broadening(broadening_eV);
    for (int r : rows) {
        if (r < 0 || r >= h.rows()) invalid_input(fmt::format("orbital {} is not in the system", r));
    }
    const SpectralScale scale = spectral_scale(h);
    const int nmom = kpm_moments_for(broadening_eV, scale, options);
    const Eigen::MatrixXd mu = diagonal_moments(scaled_hamiltonian(h, scale), rows, nmom);
    const std::vector<double> kernel = options.kernel == KpmKernel::Jackson
                                           ? jackson_kernel(nmom)
                                           : lorentz_kernel(nmom, options.lorentz_lambda);
    LdosSpectrum s;
    s.energy_eV = grid.energies();
    s.ldos_per_eV = reconstruct_density(mu, kernel, scale, s.energy_eV);
    s.method = "kpm";
    s.broadening_eV = broadening_eV;
    return s;
}

}  // namespace synthstm
