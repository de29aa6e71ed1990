#pragma once
/// The one LDOS interface: LDOS of chosen orbitals on an energy grid with a broadening.
#include <string>
#include <vector>

#include <Eigen/Dense>

namespace synthstm {

/// A uniform energy grid [emin_eV, emax_eV] with `points` points (both ends included).
struct EnergyGrid {
    double emin_eV = -1.0;  ///< first energy
    double emax_eV = 1.0;   ///< last energy
    int points = 201;       ///< number of energies (≥ 2)

    /// The energies.
    [[nodiscard]] std::vector<double> energies() const;
    /// Spacing between neighbouring energies.
    [[nodiscard]] double step_eV() const { return (emax_eV - emin_eV) / (points - 1); }
    /// Throws InvalidInput naming the problem (emin ≥ emax, fewer than 2 points, non-finite).
    void validate() const;
};

/// Throws InvalidInput unless broadening_eV is finite and positive.
void validate_broadening(double broadening_eV);

/// Shape of the broadening of each eigenstate's delta function.
enum class BroadeningShape {
    Lorentzian,  ///< η/π / ((E−E_n)² + η²): the imaginary part of G(E + iη)
    Gaussian,    ///< exp(−(E−E_n)²/2σ²) / (σ√(2π))
};

/// LDOS of several orbitals: ldos_per_eV(orbital, energy), in states per eV per orbital.
struct LdosSpectrum {
    std::vector<double> energy_eV;  ///< the energy grid
    Eigen::MatrixXd ldos_per_eV;    ///< one row per requested orbital
    std::string method;             ///< "exact", "kpm" or "tmatrix"
    double broadening_eV = 0.0;     ///< the broadening used
};

/// ∫ρ(E) dE of one row by the trapezoidal rule over the grid.
double integrate_row(const LdosSpectrum& s, int row);

}  // namespace synthstm
