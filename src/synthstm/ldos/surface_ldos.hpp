#pragma once
/// The one entry point for the LDOS of a TMD surface with defects, by any of the three methods.
#include <span>
#include <string>
#include <string_view>

#include "synthstm/ldos/kpm.hpp"
#include "synthstm/ldos/tmatrix.hpp"

namespace synthstm {

/// The three LDOS methods.
enum class LdosMethod {
    Exact,    ///< dense diagonalisation of a periodic supercell (the reference)
    Kpm,      ///< kernel polynomial method on a (larger) periodic supercell
    TMatrix,  ///< lattice Green's function on a k-grid + T-matrix for the defects (fast path)
};

/// "exact", "kpm", "tmatrix".
std::string ldos_method_name(LdosMethod m);
/// Parses a method name; throws InvalidInput listing the names.
LdosMethod parse_ldos_method(std::string_view name);

/// Sizes and options of the three methods.
struct SurfaceLdosSettings {
    int exact_supercell = 18;   ///< cells per side of the periodic supercell for exact
    int kpm_supercell = 96;     ///< cells per side of the periodic supercell for KPM
    int k_grid = 192;           ///< k-points per side for the T-matrix lattice Green's function
    BroadeningShape exact_shape = BroadeningShape::Lorentzian;  ///< exact broadening
    KpmOptions kpm;             ///< KPM kernel and moments
    bool use_cache = true;      ///< keep G0 tables in the disk cache
};

/// LDOS of the requested orbitals of a model with defects by the chosen method. Exact and KPM
/// treat the surface as a periodic supercell (cells wrap), the T-matrix method as a periodic
/// lattice of k_grid × k_grid cells (effectively infinite for the default size).
LdosSpectrum surface_ldos(LdosMethod method, const PeriodicModel& model, std::span<const Defect> defects,
                          std::span<const SiteOrbital> orbitals, const EnergyGrid& grid, double broadening_eV,
                          const SurfaceLdosSettings& settings = {});

}  // namespace synthstm
