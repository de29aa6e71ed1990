#include "synthstm/lattice/material.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "synthstm/core/error.hpp"

namespace synthstm {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

}  // namespace

Vec3 TmdMaterial::a2() const { return {0.5 * a_nm, 0.5 * std::sqrt(3.0) * a_nm, 0.0}; }

Vec3 TmdMaterial::basis(Sublattice s) const {
    switch (s) {
        case Sublattice::ChalcogenTop: return {0.0, 0.0, 0.0};
        case Sublattice::ChalcogenBottom: return {0.0, 0.0, -chalcogen_separation_nm};
        case Sublattice::Metal: return {0.0, a_nm / std::sqrt(3.0), -0.5 * chalcogen_separation_nm};
    }
    return {};
}

double TmdMaterial::cell_area_nm2() const { return 0.5 * std::sqrt(3.0) * a_nm * a_nm; }

std::string TmdMaterial::site_name(Sublattice s) const {
    switch (s) {
        case Sublattice::ChalcogenTop: return chalcogen + "_top";
        case Sublattice::ChalcogenBottom: return chalcogen + "_bottom";
        case Sublattice::Metal: return metal;
    }
    return {};
}

Sublattice TmdMaterial::parse_site(std::string_view site) const {
    for (Sublattice s : kSublattices) {
        if (site == site_name(s)) return s;
    }
    if (site == "X_top") return Sublattice::ChalcogenTop;
    if (site == "X_bottom") return Sublattice::ChalcogenBottom;
    if (site == "M") return Sublattice::Metal;
    invalid_input("unknown site '" + std::string(site) + "' for " + name + ": expected one of " +
                  site_name(Sublattice::ChalcogenTop) + ", " + site_name(Sublattice::ChalcogenBottom) +
                  ", " + site_name(Sublattice::Metal));
}

const TmdMaterial& wse2() {
    // The seed's geometry: the Se-Se separation is set equal to a (0.332 nm; the measured
    // value is 0.334 nm, so the difference is immaterial).
    static const TmdMaterial m{"WSe2", "W", "Se", 0.332, 0.332};
    return m;
}

const TmdMaterial& mos2() {
    // a = 3.16 Å, S-S separation 3.17 Å (bulk 2H-MoS2 crystal structure).
    static const TmdMaterial m{"MoS2", "Mo", "S", 0.316, 0.317};
    return m;
}

const TmdMaterial& material_by_name(std::string_view name) {
    const std::string key = lower(name);
    if (key == "wse2") return wse2();
    if (key == "mos2") return mos2();
    invalid_input("unknown material '" + std::string(name) + "': expected WSe2 or MoS2");
}

}  // namespace synthstm
