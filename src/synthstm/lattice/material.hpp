#pragma once
/// Hexagonal transition-metal dichalcogenide (TMD) monolayers: lattice constant, the three
/// sublattices and their positions (DESIGN §3.1).
#include <array>
#include <string>
#include <string_view>

#include "synthstm/core/geometry.hpp"

namespace synthstm {

/// The three sites of a TMD unit cell.
enum class Sublattice : int { ChalcogenTop = 0, ChalcogenBottom = 1, Metal = 2 };

/// All sublattices, in index order.
inline constexpr std::array<Sublattice, 3> kSublattices = {
    Sublattice::ChalcogenTop, Sublattice::ChalcogenBottom, Sublattice::Metal};

/// One TMD material: a hexagonal lattice with chalcogens on top and bottom and the metal between.
struct TmdMaterial {
    std::string name;       ///< e.g. "WSe2"
    std::string metal;      ///< element symbol of the metal, e.g. "W"
    std::string chalcogen;  ///< element symbol of the chalcogen, e.g. "Se"
    double a_nm = 0.0;      ///< in-plane lattice constant
    double chalcogen_separation_nm = 0.0;  ///< vertical distance between top and bottom chalcogen

    /// Primitive vector a1 = (a, 0, 0).
    [[nodiscard]] Vec3 a1() const { return {a_nm, 0.0, 0.0}; }
    /// Primitive vector a2 = (a/2, a√3/2, 0).
    [[nodiscard]] Vec3 a2() const;
    /// Position of the sublattice within cell (0, 0); the top chalcogen is the origin.
    [[nodiscard]] Vec3 basis(Sublattice s) const;
    /// Position of sublattice s in cell (i, j).
    [[nodiscard]] Vec3 position(int i, int j, Sublattice s) const {
        return basis(s) + static_cast<double>(i) * a1() + static_cast<double>(j) * a2();
    }
    /// Area of one unit cell in nm².
    [[nodiscard]] double cell_area_nm2() const;
    /// The site's name as users write it: "Se_top", "Se_bottom", "W".
    [[nodiscard]] std::string site_name(Sublattice s) const;
    /// Parses a site name ("Se_top", "Se_bottom", "W", or the generic "X_top", "X_bottom", "M").
    /// Throws InvalidInput naming the accepted names.
    [[nodiscard]] Sublattice parse_site(std::string_view name) const;
};

/// The seed's WSe2 geometry: a = 0.332 nm, Se_bottom at z = -a, W at (0, a/√3, -a/2).
const TmdMaterial& wse2();
/// MoS2: a = 0.316 nm, S-S separation 0.317 nm.
const TmdMaterial& mos2();
/// Looks a material up by name ("WSe2", "MoS2", case-insensitive); throws InvalidInput otherwise.
const TmdMaterial& material_by_name(std::string_view name);

}  // namespace synthstm
