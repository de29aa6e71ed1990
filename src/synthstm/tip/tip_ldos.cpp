#include "synthstm/tip/tip_ldos.hpp"

#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "synthstm/core/cache.hpp"
#include "synthstm/core/error.hpp"
#include "synthstm/core/hash.hpp"
#include "synthstm/ldos/kpm.hpp"

namespace synthstm {
namespace {

constexpr const char* kCacheCategory = "tip-ldos";

std::string cache_key(const TipGeometry& tip, const ClusterModel& model, const EnergyGrid& grid,
                      double broadening_eV, double apex_height_nm) {
    Hasher h;
    h.text("tip-ldos-v1").text("kpm-jackson");
    h.value(tip.body_atoms_nm.size());
    for (const Vec3& r : tip.body_atoms_nm) h.value(r.x()).value(r.y()).value(r.z());
    h.value(tip.apex_index).text(model.fingerprint());
    h.value(grid.emin_eV).value(grid.emax_eV).value(grid.points).value(broadening_eV).value(apex_height_nm);
    return h.hex();
}

}  // namespace

TipLdos tip_ldos(const TipGeometry& tip, const ClusterModel& model, const EnergyGrid& grid, double broadening_eV,
                 double apex_height_nm, bool use_cache) {
    grid.validate();
    validate_broadening(broadening_eV);
    if (tip.atoms_nm.empty()) invalid_input(fmt::format("tip '{}' has no atoms", tip.name));
    if (tip.body_atoms_nm.size() != tip.atoms_nm.size()) {
        invalid_input(fmt::format("tip '{}' has {} lab-frame but {} body-frame atoms", tip.name,
                                  tip.atoms_nm.size(), tip.body_atoms_nm.size()));
    }
    if (tip.apex_index < 0 || tip.apex_index >= tip.size()) {
        invalid_input(fmt::format("tip '{}' has apex index {} outside its {} atoms", tip.name, tip.apex_index,
                                  tip.size()));
    }
    if (!std::isfinite(apex_height_nm) || apex_height_nm < 0.0) {
        invalid_input(fmt::format("apex height must be finite and non-negative, got {} nm", apex_height_nm));
    }

    // Apex atoms by body-frame height above the reference atom, the reference atom first.
    TipLdos out;
    const double base = tip.body_atoms_nm[tip.apex_index].z();
    out.atoms.push_back(tip.apex_index);
    for (int i = 0; i < tip.size(); ++i) {
        if (i != tip.apex_index && tip.body_atoms_nm[i].z() <= base + apex_height_nm + 1e-9) out.atoms.push_back(i);
    }
    for (int i : out.atoms) out.positions_nm.push_back(tip.atoms_nm[i]);

    out.cache_key = cache_key(tip, model, grid, broadening_eV, apex_height_nm);
    out.ldos.energy_eV = grid.energies();
    out.ldos.method = "kpm";
    out.ldos.broadening_eV = broadening_eV;
    const auto rows = static_cast<Eigen::Index>(out.atoms.size());
    const std::size_t count = static_cast<std::size_t>(rows) * static_cast<std::size_t>(grid.points);
    if (use_cache) {
        if (auto cached = cache_load(kCacheCategory, out.cache_key, count)) {
            out.ldos.ldos_per_eV = Eigen::Map<const Eigen::MatrixXd>(cached->data(), rows, grid.points);
            out.from_cache = true;
            return out;
        }
    }

    const TightBindingSystem sys = model.assemble(tip.body_atoms_nm);
    const int per_atom = model.orbitals_per_atom();
    std::vector<int> orbitals;
    for (int atom : out.atoms)
        for (int o = 0; o < per_atom; ++o) orbitals.push_back(atom * per_atom + o);
    const LdosSpectrum orbital_ldos = kpm_ldos(sys.hamiltonian_eV, orbitals, grid, broadening_eV);
    out.ldos.ldos_per_eV = Eigen::MatrixXd::Zero(rows, grid.points);
    for (Eigen::Index r = 0; r < rows; ++r) {
        for (int o = 0; o < per_atom; ++o) {
            out.ldos.ldos_per_eV.row(r) += orbital_ldos.ldos_per_eV.row(r * per_atom + o);
        }
    }

    if (use_cache) {
        const auto& m = out.ldos.ldos_per_eV;
        cache_store(kCacheCategory, out.cache_key,
                    std::span<const double>(m.data(), static_cast<std::size_t>(m.size())));
    }
    return out;
}

}  // namespace synthstm
