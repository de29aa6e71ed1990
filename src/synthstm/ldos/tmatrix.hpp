#pragma once
/// LDOS of a periodic surface with point defects: G = G0 + G0_xD (V⁻¹ − G0_DD)⁻¹ G0_Dx on the
/// defect subspace D (Dyson equation / T-matrix). A vacancy is the limit V → ∞ (V⁻¹ = 0), a
/// dopant adds V = onsite_eV to every orbital of its site. Exact for the lattice G0 describes.
#include <span>

#include "synthstm/lattice/defects.hpp"
#include "synthstm/ldos/lattice_green.hpp"
#include "synthstm/ldos/spectrum.hpp"

namespace synthstm {

/// One orbital of one lattice cell.
struct SiteOrbital {
    CellIndex cell;   ///< the unit cell
    int orbital = 0;  ///< index into the model's cell orbitals
};

/// Arithmetic of the O(defects² × sites) part of the T-matrix LDOS.
enum class TMatrixPrecision {
    Double,  ///< reference
    Single,  ///< twice as fast; relative LDOS error ~1e-6 (the factorisation stays double)
};

/// LDOS of the requested orbitals on g0's energies with g0's broadening. Vacant orbitals
/// have zero LDOS. energy_count ≥ 0 restricts it to g0's energies first_energy …
/// first_energy + energy_count − 1 (one table on a fixed grid then serves every bias window).
LdosSpectrum tmatrix_ldos(const LatticeGreensFunction& g0, const PeriodicModel& model,
                          std::span<const Defect> defects, std::span<const SiteOrbital> orbitals,
                          TMatrixPrecision precision = TMatrixPrecision::Double, int first_energy = 0,
                          int energy_count = -1);

}  // namespace synthstm
