#include "synthstm/lattice/defects.hpp"

#include <cmath>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {
namespace {

auto site_key(const SiteIndex& s) { return std::tuple(s.cell.i, s.cell.j, static_cast<int>(s.sublattice)); }

}  // namespace

std::string defect_type_name(DefectType t) {
    switch (t) {
        case DefectType::Vacancy: return "vacancy";
        case DefectType::Dopant: return "dopant";
        case DefectType::Antisite: return "antisite";
    }
    return "vacancy";
}

DefectType parse_defect_type(std::string_view name) {
    if (name == "vacancy") return DefectType::Vacancy;
    if (name == "dopant") return DefectType::Dopant;
    if (name == "antisite") return DefectType::Antisite;
    invalid_input(fmt::format("unknown defect type '{}': expected vacancy, dopant or antisite", name));
}

std::vector<CellIndex> cells_in_rectangle(const TmdMaterial& m, double x_min_nm, double x_max_nm,
                                          double y_min_nm, double y_max_nm) {
    // Invert r = i a1 + j a2: j = y / (a√3/2), i = (x - j a/2) / a.
    const double row = 0.5 * std::sqrt(3.0) * m.a_nm;
    const int j_lo = static_cast<int>(std::floor(y_min_nm / row)) - 1;
    const int j_hi = static_cast<int>(std::ceil(y_max_nm / row)) + 1;
    std::vector<CellIndex> cells;
    for (int j = j_lo; j <= j_hi; ++j) {
        const double shift = 0.5 * m.a_nm * j;
        const int i_lo = static_cast<int>(std::floor((x_min_nm - shift) / m.a_nm)) - 1;
        const int i_hi = static_cast<int>(std::ceil((x_max_nm - shift) / m.a_nm)) + 1;
        for (int i = i_lo; i <= i_hi; ++i) {
            const Vec3 r = m.position(i, j, Sublattice::ChalcogenTop);
            if (r.x() >= x_min_nm && r.x() < x_max_nm && r.y() >= y_min_nm && r.y() < y_max_nm) {
                cells.push_back({i, j});
            }
        }
    }
    return cells;
}

std::vector<Defect> place_defects(const TmdMaterial& m, std::span<const CellIndex> cells,
                                  std::span<const DefectDensity> densities, RandomStream& rng) {
    std::vector<Defect> defects;
    std::set<std::tuple<int, int, int>> taken;
    const double area_nm2 = static_cast<double>(cells.size()) * m.cell_area_nm2();
    for (const DefectDensity& d : densities) {
        if (d.per_nm2 < 0.0) invalid_input(fmt::format("defect density {} per nm² is negative", d.per_nm2));
        if (d.onsite_min_eV > d.onsite_max_eV) {
            invalid_input(fmt::format("dopant onsite range [{}, {}] eV has min > max", d.onsite_min_eV,
                                      d.onsite_max_eV));
        }
        std::uint64_t count = rng.poisson(d.per_nm2 * area_nm2);
        // Free sites of this sublattice; a draw never lands on an occupied one.
        std::vector<CellIndex> free;
        for (const CellIndex& c : cells) {
            if (!taken.contains(site_key({c, d.sublattice}))) free.push_back(c);
        }
        count = std::min<std::uint64_t>(count, free.size());
        for (std::uint64_t n = 0; n < count; ++n) {
            // Partial Fisher-Yates: swap the drawn cell to the end and shrink.
            const std::size_t pick = rng.below(free.size());
            std::swap(free[pick], free.back());
            const SiteIndex site{free.back(), d.sublattice};
            free.pop_back();
            taken.insert(site_key(site));
            const double onsite =
                d.type != DefectType::Vacancy ? rng.uniform(d.onsite_min_eV, d.onsite_max_eV) : 0.0;
            defects.push_back({d.type, site, onsite});
        }
    }
    return defects;
}

void check_distinct_sites(const TmdMaterial& m, std::span<const Defect> defects) {
    std::set<std::tuple<int, int, int>> seen;
    for (const Defect& d : defects) {
        if (!seen.insert(site_key(d.site)).second) {
            invalid_input(fmt::format("two defects on one site: {} in cell ({}, {})",
                                      m.site_name(d.site.sublattice), d.site.cell.i, d.site.cell.j));
        }
    }
}

}  // namespace synthstm
