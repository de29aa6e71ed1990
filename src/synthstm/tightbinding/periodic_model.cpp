#include "synthstm/tightbinding/periodic_model.hpp"

#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/tightbinding/tmd_three_band.hpp"

namespace synthstm {
namespace {

int wrap(int x, int n) { return ((x % n) + n) % n; }

/// Single-orbital TMD model: one orbital per site, H = -t on every chalcogen-metal bond.
/// The bonds are found from the geometry (in-plane distance a/√3), so the construction
/// holds for any TMD lattice.
PeriodicModel single_orbital_model(std::string name, const TmdMaterial& m, double t_eV) {
    PeriodicModel model;
    model.name = std::move(name);
    model.material = &m;
    for (Sublattice s : kSublattices) model.orbitals.push_back({s, "", 0.0});
    const int metal = static_cast<int>(Sublattice::Metal);
    const double bond_in_plane = m.a_nm / std::sqrt(3.0);
    for (Sublattice chalcogen : {Sublattice::ChalcogenTop, Sublattice::ChalcogenBottom}) {
        for (int d1 = -2; d1 <= 2; ++d1)
            for (int d2 = -2; d2 <= 2; ++d2) {
                const Vec3 diff = m.position(d1, d2, chalcogen) - m.basis(Sublattice::Metal);
                if (std::abs(std::hypot(diff.x(), diff.y()) - bond_in_plane) < 1e-9) {
                    model.hoppings.push_back({static_cast<int>(chalcogen), metal, d1, d2, -t_eV});
                }
            }
    }
    return model;
}

}  // namespace

std::vector<int> PeriodicModel::orbitals_on(Sublattice s) const {
    std::vector<int> out;
    for (int a = 0; a < orbitals_per_cell(); ++a) {
        if (orbitals[a].site == s) out.push_back(a);
    }
    return out;
}

Eigen::MatrixXcd PeriodicModel::bloch_hamiltonian(double k1, double k2) const {
    const int n = orbitals_per_cell();
    Eigen::MatrixXcd h = Eigen::MatrixXcd::Zero(n, n);
    for (int a = 0; a < n; ++a) h(a, a) = orbitals[a].onsite_eV;
    for (const Hopping& hop : hoppings) {
        const std::complex<double> phase =
            std::polar(1.0, 2.0 * std::numbers::pi * (k1 * hop.d1 + k2 * hop.d2));
        h(hop.to, hop.from) += hop.t_eV * phase;
        h(hop.from, hop.to) += hop.t_eV * std::conj(phase);
    }
    return h;
}

int SupercellSystem::row_of(CellIndex cell, int orbital) const {
    const int full = (wrap(cell.i, n1) + n1 * wrap(cell.j, n2)) * orbitals_per_cell + orbital;
    return row[full];
}

SupercellSystem build_supercell(const PeriodicModel& model, int n1, int n2, std::span<const Defect> defects) {
    if (n1 < 3 || n2 < 3) {
        invalid_input(fmt::format("supercell {}x{} is too small: each side needs at least 3 cells", n1, n2));
    }
    const int norb = model.orbitals_per_cell();
    const int full_size = n1 * n2 * norb;
    auto full_index = [&](int i, int j, int a) { return (wrap(i, n1) + n1 * wrap(j, n2)) * norb + a; };

    std::vector<double> onsite(full_size);
    std::vector<bool> vacant(full_size, false);
    for (int j = 0; j < n2; ++j)
        for (int i = 0; i < n1; ++i)
            for (int a = 0; a < norb; ++a) onsite[full_index(i, j, a)] = model.orbitals[a].onsite_eV;
    for (const Defect& d : defects) {
        const std::vector<int> site_orbitals = model.orbitals_on(d.site.sublattice);
        if (site_orbitals.empty()) {
            invalid_input(fmt::format("model {} has no orbitals on {}: a {} there cannot be represented",
                                      model.name, model.material->site_name(d.site.sublattice),
                                      defect_type_name(d.type)));
        }
        for (int a : site_orbitals) {
            const int idx = full_index(d.site.cell.i, d.site.cell.j, a);
            if (d.type == DefectType::Vacancy) {
                vacant[idx] = true;
            } else {
                onsite[idx] += d.onsite_eV;
            }
        }
    }

    SupercellSystem out;
    out.n1 = n1;
    out.n2 = n2;
    out.orbitals_per_cell = norb;
    out.row.assign(full_size, -1);
    int rows = 0;
    for (int f = 0; f < full_size; ++f) {
        if (!vacant[f]) out.row[f] = rows++;
    }

    std::vector<Eigen::Triplet<double>> triplets;
    triplets.reserve(static_cast<std::size_t>(rows) * (1 + 2 * model.hoppings.size() / std::max(norb, 1) + 1));
    TightBindingSystem& sys = out.system;
    sys.positions_nm.resize(rows);
    sys.atom_of_orbital.resize(rows);
    sys.labels.resize(rows);
    for (int j = 0; j < n2; ++j)
        for (int i = 0; i < n1; ++i) {
            for (int a = 0; a < norb; ++a) {
                const int r = out.row[full_index(i, j, a)];
                if (r < 0) continue;
                const auto& orb = model.orbitals[a];
                triplets.emplace_back(r, r, onsite[full_index(i, j, a)]);
                sys.positions_nm[r] = model.material->position(i, j, orb.site);
                sys.atom_of_orbital[r] = (i + n1 * j) * 3 + static_cast<int>(orb.site);
                sys.labels[r] = model.material->site_name(orb.site) + (orb.label.empty() ? "" : ":" + orb.label);
            }
            for (const Hopping& hop : model.hoppings) {
                const int from = out.row[full_index(i, j, hop.from)];
                const int to = out.row[full_index(i + hop.d1, j + hop.d2, hop.to)];
                if (from < 0 || to < 0) continue;
                triplets.emplace_back(to, from, hop.t_eV);
                triplets.emplace_back(from, to, hop.t_eV);
            }
        }
    sys.hamiltonian_eV.resize(rows, rows);
    sys.hamiltonian_eV.setFromTriplets(triplets.begin(), triplets.end());
    return out;
}

const PeriodicModel& wse2_single_orbital() {
    static const PeriodicModel model = single_orbital_model("wse2-single", wse2(), 1.19);
    return model;
}

const PeriodicModel& mos2_single_orbital() {
    static const PeriodicModel model = single_orbital_model("mos2-single", mos2(), 1.19);
    return model;
}

namespace {
using ModelFactory = const PeriodicModel& (*)();
constexpr ModelFactory kModels[] = {wse2_single_orbital, mos2_single_orbital, wse2_three_band,
                                    mos2_three_band};
}  // namespace

std::vector<std::string> periodic_model_names() {
    std::vector<std::string> names;
    for (ModelFactory f : kModels) names.push_back(f().name);
    return names;
}

const PeriodicModel& periodic_model_by_name(std::string_view name) {
    for (ModelFactory f : kModels) {
        if (f().name == name) return f();
    }
    invalid_input(fmt::format("unknown model '{}': expected one of {}", name,
                              fmt::join(periodic_model_names(), ", ")));
}

}  // namespace synthstm
