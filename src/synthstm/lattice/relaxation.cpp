#include "synthstm/lattice/relaxation.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <unordered_set>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {

void RelaxationSettings::validate() const {
    const std::pair<const char*, double> amplitudes[] = {
        {"relaxation_vacancy_nm", vacancy_nm}, {"relaxation_dopant_nm", dopant_nm}, {"relaxation_antisite_nm", antisite_nm}};
    for (const auto& [key, value] : amplitudes)
        if (!std::isfinite(value) || std::abs(value) > 0.1)
            invalid_input(fmt::format("{} = {} must lie in [-0.1, 0.1] nm", key, value));
    if (!std::isfinite(length_nm) || length_nm <= 0.0 || length_nm > 2.0)
        invalid_input(fmt::format("relaxation_length_nm = {} must lie in (0, 2] nm", length_nm));
    if (!std::isfinite(min_displacement_nm) || min_displacement_nm <= 0.0)
        invalid_input(fmt::format("relaxation minimum displacement {} must be positive", min_displacement_nm));
}

double RelaxationSettings::amplitude_nm(DefectType type) const {
    switch (type) {
        case DefectType::Vacancy: return vacancy_nm;
        case DefectType::Dopant: return dopant_nm;
        case DefectType::Antisite: return antisite_nm;
    }
    return 0.0;
}

std::size_t Relaxation::SiteHash::operator()(const SiteIndex& s) const noexcept {
    const auto i = static_cast<std::uint64_t>(static_cast<std::uint32_t>(s.cell.i));
    const auto j = static_cast<std::uint64_t>(static_cast<std::uint32_t>(s.cell.j));
    return std::hash<std::uint64_t>{}((i * 0x9E3779B97F4A7C15ULL) ^ (j << 2) ^ static_cast<std::uint64_t>(s.sublattice));
}

Relaxation::Relaxation(const TmdMaterial& material) : material_(&material) {}

Relaxation::Relaxation(const TmdMaterial& material, std::span<const Defect> defects, const RelaxationSettings& settings)
    : material_(&material) {
    settings.validate();
    if (!settings.active()) return;
    std::unordered_set<SiteIndex, SiteHash> defect_sites;
    for (const Defect& d : defects) defect_sites.insert(d.site);
    const double a = material.a_nm, xi = settings.length_nm;
    // Each defect's neighbourhood: cells whose sites can lie within reach (the basis spans less
    // than a cell, so pad by one).
    struct Field {
        const Defect* defect;
        double amplitude, reach;
        int cells;
    };
    std::vector<Field> fields;
    int i_lo = std::numeric_limits<int>::max(), i_hi = std::numeric_limits<int>::min(), j_lo = i_lo, j_hi = i_hi;
    for (const Defect& d : defects) {
        const double amplitude = settings.amplitude_nm(d.type);
        if (std::abs(amplitude) < settings.min_displacement_nm) continue;
        const double reach = a + xi * std::log(std::abs(amplitude) / settings.min_displacement_nm);
        const int cells = static_cast<int>(std::ceil(reach / (0.5 * std::sqrt(3.0) * a))) + 1;
        fields.push_back({&d, amplitude, reach, cells});
        i_lo = std::min(i_lo, d.site.cell.i - cells), i_hi = std::max(i_hi, d.site.cell.i + cells);
        j_lo = std::min(j_lo, d.site.cell.j - cells), j_hi = std::max(j_hi, d.site.cell.j + cells);
    }
    if (fields.empty()) return;
    // The field in a dense table over the box of those cells (lookups per pixel in the ground
    // truth's lattice map and per site in the current: an array index instead of a hash), or in
    // a hash map when the box would be huge.
    const long entries = (long(i_hi) - i_lo + 1) * (long(j_hi) - j_lo + 1) * long(kSublattices.size());
    const bool dense = entries <= (1L << 22);
    std::vector<std::uint8_t> touched;  // per dense slot: displaced by some defect
    if (dense) {
        i0_ = i_lo, j0_ = j_lo, ni_ = i_hi - i_lo + 1, nj_ = j_hi - j_lo + 1;
        dense_.assign(static_cast<std::size_t>(entries), Vec3::Zero());
        touched.assign(static_cast<std::size_t>(entries), 0);
    }
    for (const Field& f : fields) {
        const Defect& d = *f.defect;
        const Vec3 centre = material.position(d.site.cell.i, d.site.cell.j, d.site.sublattice);
        for (int dj = -f.cells; dj <= f.cells; ++dj)
            for (int di = -f.cells; di <= f.cells; ++di)
                for (Sublattice s : kSublattices) {
                    const SiteIndex site{{d.site.cell.i + di, d.site.cell.j + dj}, s};
                    const Vec3 r = material.position(site.cell.i, site.cell.j, s) - centre;
                    const double distance = r.norm();
                    if (distance > f.reach || distance == 0.0 || defect_sites.contains(site)) continue;
                    const Vec3 u = (f.amplitude * std::exp(-(distance - a) / xi) / distance) * r;
                    if (dense) {
                        const std::size_t k = dense_index(site);
                        displaced_ += touched[k] == 0 ? 1 : 0;
                        touched[k] = 1;
                        dense_[k] += u;
                    } else {
                        // (Eigen vectors start uninitialised: the first contribution starts from zero.)
                        displacement_.try_emplace(site, Vec3::Zero()).first->second += u;
                    }
                }
    }
    if (!dense) displaced_ = static_cast<int>(displacement_.size());
}

Vec3 Relaxation::sparse_displacement_nm(const SiteIndex& site) const {
    const auto it = displacement_.find(site);
    return it == displacement_.end() ? Vec3::Zero() : it->second;
}

Vec3 Relaxation::position_nm(const SiteIndex& site) const {
    return material_->position(site.cell.i, site.cell.j, site.sublattice) + displacement_nm(site);
}

double Relaxation::largest_displacement_nm() const {
    double largest = 0.0;
    for (const Vec3& u : dense_) largest = std::max(largest, u.norm());
    for (const auto& [site, u] : displacement_) largest = std::max(largest, u.norm());
    return largest;
}

}  // namespace synthstm
