#include "synthstm/ldos/spectrum.hpp"

#include <cmath>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {

std::vector<double> EnergyGrid::energies() const {
    std::vector<double> e(points);
    for (int n = 0; n < points; ++n) e[n] = emin_eV + (emax_eV - emin_eV) * n / (points - 1);
    return e;
}

void EnergyGrid::validate() const {
    if (!std::isfinite(emin_eV) || !std::isfinite(emax_eV)) invalid_input("energy range must be finite");
    if (emin_eV >= emax_eV) {
        invalid_input(fmt::format("emin ({} eV) must be below emax ({} eV)", emin_eV, emax_eV));
    }
    if (points < 2) invalid_input(fmt::format("energy grid needs at least 2 points, got {}", points));
    if (points > 1000000) invalid_input(fmt::format("energy grid of {} points is too large (max 1000000)", points));
}

void validate_broadening(double broadening_eV) {
    if (!std::isfinite(broadening_eV) || broadening_eV <= 0.0) {
        invalid_input(fmt::format("broadening must be positive, got {} eV", broadening_eV));
    }
}

double integrate_row(const LdosSpectrum& s, int row) {
    double sum = 0.0;
    for (std::size_t n = 1; n < s.energy_eV.size(); ++n) {
        sum += 0.5 * (s.ldos_per_eV(row, n) + s.ldos_per_eV(row, n - 1)) * (s.energy_eV[n] - s.energy_eV[n - 1]);
    }
    return sum;
}

}  // namespace synthstm
