#include "synthstm/groundtruth/terrace_map.hpp"

namespace synthstm {

std::vector<std::uint8_t> terrace_map(const StepEdge& step, const PixelPositions& positions) {
    positions.validate();
    std::vector<std::uint8_t> map(positions.x_nm.size());
    for (std::size_t i = 0; i < map.size(); ++i) map[i] = step.upper(positions.x_nm[i], positions.y_nm[i]) ? 1 : 0;
    return map;
}

GroundTruth stepped_ground_truth(const TmdMaterial& material, std::span<const Defect> lower_defects,
                                 std::span<const Defect> upper_defects, const StepEdge& step,
                                 const PixelPositions& positions, const ClassMapOptions& options,
                                 const SurfaceFeatures& lower_features, const Relaxation* upper_relaxation) {
    std::vector<Defect> lower_visible, upper_visible;
    for (const Defect& d : lower_defects) {
        const Vec3 r = material.position(d.site.cell.i, d.site.cell.j, d.site.sublattice);
        if (!step.upper(r.x(), r.y())) lower_visible.push_back(d);
    }
    for (const Defect& d : upper_defects) {
        const Vec3 r = step.upper_position(material.position(d.site.cell.i, d.site.cell.j, d.site.sublattice));
        if (step.upper(r.x(), r.y())) upper_visible.push_back(d);
    }
    GroundTruth out = ground_truth(material, lower_visible, positions, options, lower_features);
    // The pixels in the upper terrace's own (lower-lattice) frame.
    std::vector<double> x(positions.x_nm.size()), y(positions.y_nm.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        const auto q = step.lower_frame_nm(positions.x_nm[i], positions.y_nm[i]);
        x[i] = q[0];
        y[i] = q[1];
    }
    const PixelPositions mapped{positions.pixels, x, y};
    const GroundTruth upper = ground_truth(material, upper_visible, mapped, options,
                                           {.relaxation = upper_relaxation, .adsorbate_mask = lower_features.adsorbate_mask});
    out.terrace = terrace_map(step, positions);
    for (std::size_t i = 0; i < out.terrace.size(); ++i) {
        if (out.terrace[i] == 0) continue;
        out.lattice[i] = upper.lattice[i];
        out.defect[i] = upper.defect[i];
        out.classes[i] = upper.classes[i];
    }
    for (DefectLabel label : upper.defects) {
        const Vec3 r = step.upper_position(Vec3(label.x_nm, label.y_nm, label.z_nm));
        label.x_nm = r.x();
        label.y_nm = r.y();
        label.z_nm = r.z();
        out.defects.push_back(label);
    }
    return out;
}

}  // namespace synthstm
