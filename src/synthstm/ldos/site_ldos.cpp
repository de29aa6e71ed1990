#include "synthstm/ldos/site_ldos.hpp"

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {

SiteLdos site_ldos(LdosMethod method, const PeriodicModel& model, std::string_view site, std::array<int, 2> cell,
                   std::span<const Defect> defects, const EnergyGrid& grid, double broadening_eV,
                   const SurfaceLdosSettings& settings) {
    const Sublattice sublattice = model.material->parse_site(site);
    const std::vector<int> site_orbitals = model.orbitals_on(sublattice);
    if (site_orbitals.empty()) {
        invalid_input(fmt::format("model {} has no orbitals on {}; choose site {}", model.name, site,
                                  model.material->site_name(model.orbitals.front().site)));
    }
    std::vector<SiteOrbital> orbitals;
    for (int a : site_orbitals) orbitals.push_back({{cell[0], cell[1]}, a});
    const LdosSpectrum spectrum = surface_ldos(method, model, defects, orbitals, grid, broadening_eV, settings);
    // The site's LDOS is the sum over its orbitals.
    const Eigen::VectorXd sum = spectrum.ldos_per_eV.colwise().sum().transpose();
    return {spectrum.energy_eV, std::vector<double>(sum.data(), sum.data() + sum.size())};
}

}  // namespace synthstm
