#include "synthstm/groundtruth/ground_truth.hpp"

namespace synthstm {

GroundTruth ground_truth(const TmdMaterial& material, std::span<const Defect> defects,
                         const PixelPositions& positions, const ClassMapOptions& options,
                         const SurfaceFeatures& features) {
    GroundTruth g;
    g.pixels = positions.pixels;
    g.lattice = lattice_map(material, positions, features.relaxation);
    g.defect = defect_map(material, defects, positions);
    g.classes = class_map(material, defects, positions, options, features.relaxation, features.adsorbate_mask);
    g.defects = defect_list(material, defects, positions);
    g.terrace.assign(positions.x_nm.size(), 0);
    return g;
}

}  // namespace synthstm
