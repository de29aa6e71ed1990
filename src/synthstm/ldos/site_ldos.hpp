#pragma once
/// The LDOS of one surface site: the sum of surface_ldos over the orbitals on that site. Shared by
/// `synthstm ldos` and the Python module.
#include <array>
#include <span>
#include <string_view>
#include <vector>

#include "synthstm/ldos/surface_ldos.hpp"

namespace synthstm {

/// LDOS of a site (summed over its orbitals) on an energy grid.
struct SiteLdos {
    std::vector<double> energy_eV;  ///< the grid
    std::vector<double> ldos;       ///< states per eV, one value per energy
};

/// LDOS of site `site` (a name of the model's material, e.g. "Se_top") in unit cell `cell`; throws
/// InvalidInput for an unknown site name or a site on which the model has no orbitals.
SiteLdos site_ldos(LdosMethod method, const PeriodicModel& model, std::string_view site, std::array<int, 2> cell,
                   std::span<const Defect> defects, const EnergyGrid& grid, double broadening_eV,
                   const SurfaceLdosSettings& settings = {});

}  // namespace synthstm
