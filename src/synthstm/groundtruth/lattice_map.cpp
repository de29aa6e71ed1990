#include "synthstm/groundtruth/lattice_map.hpp"

#include "synthstm/groundtruth/site_search.hpp"

namespace synthstm {

std::vector<float> lattice_map(const TmdMaterial& material, const PixelPositions& positions,
                               const Relaxation* relaxation) {
    validate_lattice_constant(material);
    positions.validate();
    std::vector<float> map(positions.x_nm.size());
    for (std::size_t i = 0; i < map.size(); ++i) {
        map[i] = site_profile(nearest_top_site_distance_nm(material, positions.x_nm[i], positions.y_nm[i], relaxation),
                              material.a_nm);
    }
    return map;
}

}  // namespace synthstm
