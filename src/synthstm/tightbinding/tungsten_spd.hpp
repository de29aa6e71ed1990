#pragma once
/// Orthogonal two-centre s, p, d tight-binding models of bcc metals with first- and
/// second-neighbour bonds (9 orbitals per atom), and the multi-orbital tungsten tip model
/// "w-spd" (docs/models.md, "Tungsten, multi-orbital", gives the source of its parameters).
#include <complex>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "synthstm/tightbinding/cluster_model.hpp"
#include "synthstm/tightbinding/slater_koster.hpp"

namespace synthstm {

/// Parameters of an orthogonal spd model of a bcc metal; energies relative to the bulk E_F.
struct BccSpdParameters {
    double lattice_nm = 0.0;   ///< cubic lattice constant a
    double s_eV = 0.0;         ///< onsite energy of s
    double p_eV = 0.0;         ///< onsite energy of px, py, pz
    double d_t2g_eV = 0.0;     ///< onsite energy of dxy, dyz, dzx (along the cubic axes)
    double d_eg_eV = 0.0;      ///< onsite energy of dx2-y2, d3z2-r2 (along the cubic axes)
    SlaterKosterBonds first;   ///< bonds to the 8 nearest neighbours, at a√3/2
    SlaterKosterBonds second;  ///< bonds to the 6 next-nearest neighbours, at a
};

/// A 9x9 complex matrix: the Bloch Hamiltonian of a crystal with one atom per cell.
using SpdBlochMatrix = Eigen::Matrix<std::complex<double>, kSpdOrbitals, kSpdOrbitals>;

/// Bloch Hamiltonian H(k)_ab = Σ_R E_ab(R) e^{i k·R} of the bulk crystal (cubic axes along
/// x, y, z; R over the atom itself and its 8 + 6 neighbours), k in rad/nm.
SpdBlochMatrix bcc_spd_bloch_hamiltonian(const BccSpdParameters& p, const Vec3& k_per_nm);

/// Cluster model from BccSpdParameters. Pairs at a√3/2 or a (± tolerance_nm) get the
/// Slater–Koster blocks of their shell; other pairs get none. The t2g/eg onsite splitting is
/// defined along the cubic axes, which each atom finds from its own bonds (second-neighbour
/// bonds lie along the axes; two nearest-neighbour bonds give one axis as their sum or
/// difference), so a rotated crystal gets the rotated Hamiltonian. An atom with too few bonds
/// to fix two axes gets the orientation average (3 t2g + 2 eg)/5 on all five d orbitals.
class BccSpdModel final : public ClusterModel {
public:
    /// A model with the given parameters; throws InvalidInput for a non-positive or non-finite
    /// lattice constant or parameter, or a tolerance that is not below a quarter of the shell gap.
    BccSpdModel(std::string name, BccSpdParameters parameters, double tolerance_nm = 0.01);
    [[nodiscard]] std::string name() const override { return name_; }
    [[nodiscard]] int orbitals_per_atom() const override { return kSpdOrbitals; }
    [[nodiscard]] std::vector<std::string> orbital_labels() const override;
    [[nodiscard]] TightBindingSystem assemble(std::span<const Vec3> atoms_nm) const override;
    [[nodiscard]] std::string fingerprint() const override;
    /// The parameters of the model.
    [[nodiscard]] const BccSpdParameters& parameters() const { return p_; }

private:
    std::string name_;
    BccSpdParameters p_;
    double tolerance_nm_;
};

/// Fermi energy (eV) of the published tungsten parameters before the shift to E_F = 0: six
/// valence electrons per atom fill the bulk bands (see tungsten_spd.cpp for how it was computed).
inline constexpr double kTungstenSpdSourceFermi_eV = 0.568;

/// Parameters of "w-spd" in eV, shifted so that the bulk Fermi energy is 0.
const BccSpdParameters& tungsten_spd_parameters();

/// "w-spd": bcc tungsten (a = 0.3165 nm) with s, p and d orbitals on each atom and two-centre
/// first- and second-neighbour bonds, E_F = 0 (docs/models.md, "Tungsten, multi-orbital").
std::shared_ptr<const ClusterModel> tungsten_spd();

}  // namespace synthstm
