#pragma once
/// Tight-binding models of finite atom clusters (tungsten tips): atoms in, Hamiltonian out.
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "synthstm/tightbinding/system.hpp"

namespace synthstm {

/// A model that assembles the Hamiltonian of any cluster of atoms of one element.
class ClusterModel {
public:
    virtual ~ClusterModel() = default;
    /// Stable name, e.g. "w-single"; part of the tip LDOS cache key.
    [[nodiscard]] virtual std::string name() const = 0;
    /// Orbitals per atom.
    [[nodiscard]] virtual int orbitals_per_atom() const = 0;
    /// Labels of the orbitals of one atom (size orbitals_per_atom()).
    [[nodiscard]] virtual std::vector<std::string> orbital_labels() const = 0;
    /// Hamiltonian of the cluster; orbital o of atom n is row n · orbitals_per_atom() + o.
    [[nodiscard]] virtual TightBindingSystem assemble(std::span<const Vec3> atoms_nm) const = 0;
    /// A fingerprint of every parameter (for cache keys).
    [[nodiscard]] virtual std::string fingerprint() const = 0;
};

/// One neighbour shell of a single-orbital model: pairs at distance_nm (± tolerance) hop t_eV.
struct HoppingShell {
    double distance_nm = 0.0;  ///< shell radius
    double t_eV = 0.0;         ///< matrix element H_ij for pairs in the shell
};

/// Single orbital per atom, onsite 0, hoppings by distance shells.
class ShellModel final : public ClusterModel {
public:
    /// A model with the given shells; pairs match a shell within tolerance_nm.
    ShellModel(std::string name, std::vector<HoppingShell> shells, double tolerance_nm = 0.01);
    [[nodiscard]] std::string name() const override { return name_; }
    [[nodiscard]] int orbitals_per_atom() const override { return 1; }
    [[nodiscard]] std::vector<std::string> orbital_labels() const override { return {"s"}; }
    [[nodiscard]] TightBindingSystem assemble(std::span<const Vec3> atoms_nm) const override;
    [[nodiscard]] std::string fingerprint() const override;

private:
    std::string name_;
    std::vector<HoppingShell> shells_;
    double tolerance_nm_;
};

/// bcc tungsten lattice constant (nm).
inline constexpr double kTungstenLattice_nm = 0.3165;

/// The seed's tungsten model: one orbital per atom, H = -2.5 eV to the 8 nearest and
/// -2.0 eV to the 6 next-nearest neighbours of bcc W (a = 0.3165 nm).
std::shared_ptr<const ClusterModel> tungsten_single_orbital();

/// Names of all built-in cluster models.
std::vector<std::string> cluster_model_names();
/// Looks a cluster model up by name; throws InvalidInput listing the names.
std::shared_ptr<const ClusterModel> cluster_model_by_name(std::string_view name);

}  // namespace synthstm
