#include "synthstm/groundtruth/class_map.hpp"

#include <cmath>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/groundtruth/site_search.hpp"

namespace synthstm {

std::int32_t defect_class(DefectType type, Sublattice sublattice) {
    if (type == DefectType::Antisite) return 8 + static_cast<std::int32_t>(sublattice);
    return 2 + 2 * static_cast<std::int32_t>(sublattice) + (type == DefectType::Dopant ? 1 : 0);
}

std::string class_name(std::int32_t class_id) {
    static const char* const names[kNumPixelClasses] = {"background",     "lattice",       "vacancy_top",
                                                        "dopant_top",     "vacancy_bottom", "dopant_bottom",
                                                        "vacancy_metal",  "dopant_metal",  "antisite_top",
                                                        "antisite_bottom", "antisite_metal", "adsorbate"};
    if (class_id < 0 || class_id >= kNumPixelClasses) {
        invalid_input(fmt::format("class id {} outside 0..{}", class_id, kNumPixelClasses - 1));
    }
    return names[class_id];
}

void ClassMapOptions::validate() const {
    if (!std::isfinite(site_radius_a) || site_radius_a <= 0.0) {
        invalid_input(fmt::format("class map site_radius_a must be positive, got {}", site_radius_a));
    }
    if (!std::isfinite(defect_radius_a) || defect_radius_a <= 0.0) {
        invalid_input(fmt::format("class map defect_radius_a must be positive, got {}", defect_radius_a));
    }
}

std::vector<std::int32_t> class_map(const TmdMaterial& material, std::span<const Defect> defects,
                                    const PixelPositions& positions, const ClassMapOptions& options,
                                    const Relaxation* relaxation, std::span<const std::uint8_t> adsorbate_mask) {
    validate_lattice_constant(material);
    positions.validate();
    options.validate();
    if (!adsorbate_mask.empty() && adsorbate_mask.size() != positions.x_nm.size())
        invalid_input(fmt::format("adsorbate mask has {} pixels, the image {}", adsorbate_mask.size(), positions.x_nm.size()));
    const DefectLocator locator(material, defects, options.defect_radius_a * material.a_nm);
    const double site_radius_nm = options.site_radius_a * material.a_nm;
    std::vector<std::int32_t> map(positions.x_nm.size(), kBackgroundClass);
    for (std::size_t i = 0; i < map.size(); ++i) {
        if (!adsorbate_mask.empty() && adsorbate_mask[i] != 0) {
            map[i] = kAdsorbateClass;
            continue;
        }
        const NearestDefect near = locator.nearest(positions.x_nm[i], positions.y_nm[i]);
        if (near.index >= 0) {
            const Defect& d = defects[static_cast<std::size_t>(near.index)];
            map[i] = defect_class(d.type, d.site.sublattice);
        } else if (nearest_top_site_distance_nm(material, positions.x_nm[i], positions.y_nm[i], relaxation) <=
                   site_radius_nm) {
            map[i] = kLatticeSiteClass;
        }
    }
    return map;
}

}  // namespace synthstm
