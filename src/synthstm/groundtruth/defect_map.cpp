#include "synthstm/groundtruth/defect_map.hpp"

#include "synthstm/groundtruth/site_search.hpp"

namespace synthstm {

std::vector<float> defect_map(const TmdMaterial& material, std::span<const Defect> defects,
                              const PixelPositions& positions) {
    validate_lattice_constant(material);
    positions.validate();
    // The profile is 0 beyond d = 1.1 a/2.
    const DefectLocator locator(material, defects, 0.55 * material.a_nm);
    std::vector<float> map(positions.x_nm.size(), 0.0f);
    for (std::size_t i = 0; i < map.size(); ++i) {
        const NearestDefect near = locator.nearest(positions.x_nm[i], positions.y_nm[i]);
        if (near.index >= 0) map[i] = site_profile(near.distance_nm, material.a_nm);
    }
    return map;
}

}  // namespace synthstm
