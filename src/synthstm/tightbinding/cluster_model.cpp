#include "synthstm/tightbinding/cluster_model.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/lattice/neighbours.hpp"
#include "synthstm/tightbinding/tungsten_spd.hpp"

namespace synthstm {

ShellModel::ShellModel(std::string name, std::vector<HoppingShell> shells, double tolerance_nm)
    : name_(std::move(name)), shells_(std::move(shells)), tolerance_nm_(tolerance_nm) {}

TightBindingSystem ShellModel::assemble(std::span<const Vec3> atoms_nm) const {
    double reach = 0.0;
    for (const auto& s : shells_) reach = std::max(reach, s.distance_nm + tolerance_nm_);
    const auto pairs = neighbour_pairs(atoms_nm, reach);
    const int n = static_cast<int>(atoms_nm.size());
    std::vector<Eigen::Triplet<double>> triplets;
    triplets.reserve(2 * pairs.size() + n);
    for (int i = 0; i < n; ++i) triplets.emplace_back(i, i, 0.0);
    for (const auto& p : pairs) {
        for (const auto& s : shells_) {
            if (std::abs(p.distance_nm - s.distance_nm) < tolerance_nm_) {
                triplets.emplace_back(p.first, p.second, s.t_eV);
                triplets.emplace_back(p.second, p.first, s.t_eV);
                break;
            }
        }
    }
    TightBindingSystem sys;
    sys.hamiltonian_eV.resize(n, n);
    sys.hamiltonian_eV.setFromTriplets(triplets.begin(), triplets.end());
    sys.positions_nm.assign(atoms_nm.begin(), atoms_nm.end());
    sys.atom_of_orbital.resize(n);
    for (int i = 0; i < n; ++i) sys.atom_of_orbital[i] = i;
    sys.labels.assign(n, "s");
    return sys;
}

std::string ShellModel::fingerprint() const {
    std::string f = name_ + fmt::format(";tol={:.17g}", tolerance_nm_);
    for (const auto& s : shells_) f += fmt::format(";{:.17g}:{:.17g}", s.distance_nm, s.t_eV);
    return f;
}

std::shared_ptr<const ClusterModel> tungsten_single_orbital() {
    static const auto model = std::make_shared<const ShellModel>(
        "w-single", std::vector<HoppingShell>{{kTungstenLattice_nm * std::sqrt(3.0) / 2.0, -2.5},
                                              {kTungstenLattice_nm, -2.0}});
    return model;
}

std::vector<std::string> cluster_model_names() { return {"w-single", "w-spd"}; }

std::shared_ptr<const ClusterModel> cluster_model_by_name(std::string_view name) {
    if (name == "w-single") return tungsten_single_orbital();
    if (name == "w-spd") return tungsten_spd();
    invalid_input(fmt::format("unknown tip model '{}': expected one of {}", name,
                              fmt::join(cluster_model_names(), ", ")));
}

}  // namespace synthstm
