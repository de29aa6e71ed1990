#pragma once
/// Lattice relaxation around point defects (docs/realism.md, section 7): every site near a
/// defect moves radially, in 3-D, by
///   u(r) = A r̂ exp(−(r − a)/ξ)   for r ≤ r_c,  r_c = a + ξ ln(|A| / u_min),
/// r the vector from the defect's lattice position to the site's, a the lattice constant (so A
/// is the displacement of the six same-sublattice neighbours; the nearest chalcogen–metal
/// neighbours at ≈ 0.75 a move e^{0.25 a/ξ} times more), ξ the decay length and u_min the
/// displacement below which a site stays at its lattice position. A > 0 pushes the neighbours
/// outward, A < 0 pulls them inward; A depends on the defect type. The fields of several defects
/// add. Defect sites themselves stay at their lattice positions (each is the centre of its own
/// field), so the defect map, class map and defect list keep the lattice positions.
#include <span>
#include <unordered_map>
#include <vector>

#include "synthstm/lattice/defects.hpp"

namespace synthstm {

/// Amplitudes and range of the relaxation; all amplitudes zero (the default) switches it off.
struct RelaxationSettings {
    double vacancy_nm = 0.0;          ///< A around a vacancy (negative: inward)
    double dopant_nm = 0.0;           ///< A around a dopant
    double antisite_nm = 0.0;         ///< A around an antisite
    double length_nm = 0.15;          ///< ξ, > 0
    double min_displacement_nm = 5e-4;  ///< u_min: smaller displacements are left out, > 0

    /// Throws InvalidInput naming the first bad value (the schema's key names).
    void validate() const;
    /// Whether any amplitude is non-zero.
    [[nodiscard]] bool active() const { return vacancy_nm != 0.0 || dopant_nm != 0.0 || antisite_nm != 0.0; }
    /// A for a defect of this type.
    [[nodiscard]] double amplitude_nm(DefectType type) const;
};

/// The displacement of every site of the relaxed neighbourhoods of a defect list.
class Relaxation {
public:
    /// No relaxation: every site at its lattice position.
    explicit Relaxation(const TmdMaterial& material);
    /// The field of the defects (each defect's neighbourhood up to r_c, over the whole lattice).
    Relaxation(const TmdMaterial& material, std::span<const Defect> defects, const RelaxationSettings& settings);

    /// u of a site, nm (zero for defect sites and sites beyond every r_c). Inline: the ground
    /// truth asks 16 times per pixel.
    [[nodiscard]] Vec3 displacement_nm(const SiteIndex& site) const {
        if (dense_.empty()) return sparse_displacement_nm(site);
        const bool inside = site.cell.i >= i0_ && site.cell.i < i0_ + ni_ && site.cell.j >= j0_ && site.cell.j < j0_ + nj_;
        return inside ? dense_[dense_index(site)] : Vec3::Zero();
    }
    /// The site's relaxed position, lattice position + u.
    [[nodiscard]] Vec3 position_nm(const SiteIndex& site) const;
    /// Number of displaced sites.
    [[nodiscard]] int displaced_sites() const { return displaced_; }
    /// Largest |u| of any site, nm.
    [[nodiscard]] double largest_displacement_nm() const;

private:
    struct SiteHash {
        std::size_t operator()(const SiteIndex& s) const noexcept;
    };
    const TmdMaterial* material_;
    std::unordered_map<SiteIndex, Vec3, SiteHash> displacement_;  // only when the dense table would be huge
    int displaced_ = 0;
    // The field in a dense table over the box of the relaxed neighbourhoods (empty when none or too large).
    int i0_ = 0, j0_ = 0, ni_ = 0, nj_ = 0;
    std::vector<Vec3> dense_;
    [[nodiscard]] std::size_t dense_index(const SiteIndex& site) const {
        return (static_cast<std::size_t>(site.cell.j - j0_) * static_cast<std::size_t>(ni_) +
                static_cast<std::size_t>(site.cell.i - i0_)) * kSublattices.size() +
               static_cast<std::size_t>(site.sublattice);
    }
    [[nodiscard]] Vec3 sparse_displacement_nm(const SiteIndex& site) const;
};

}  // namespace synthstm
