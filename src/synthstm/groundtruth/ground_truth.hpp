#pragma once
/// All ground-truth labels of one recorded image (DESIGN §3.5), from the true tip position of
/// every pixel: lattice map, defect map, class map and defect list. Each label kind has its own
/// generator (lattice_map.hpp, defect_map.hpp, class_map.hpp, defect_list.hpp); this bundles them.
#include <cstdint>
#include <span>
#include <vector>

#include "synthstm/groundtruth/class_map.hpp"
#include "synthstm/groundtruth/defect_list.hpp"
#include "synthstm/groundtruth/defect_map.hpp"
#include "synthstm/groundtruth/lattice_map.hpp"

namespace synthstm {

/// The labels of one image; maps are N×N row-major (row 0 = top line).
struct GroundTruth {
    int pixels = 0;                       ///< N
    std::vector<float> lattice;           ///< lattice map, 0–1
    std::vector<float> defect;            ///< defect map, 0–1
    std::vector<std::int32_t> classes;    ///< class map, ids 0–11 (class_map.hpp)
    std::vector<DefectLabel> defects;     ///< every input defect, in input order
    std::vector<std::uint8_t> terrace;    ///< 1 over the upper terrace of a step, else 0 (terrace_map.hpp)
};

/// What the surface holds beyond point defects on the ideal lattice (docs/realism.md).
struct SurfaceFeatures {
    const Relaxation* relaxation = nullptr;       ///< relaxed site positions (lattice and class maps)
    std::span<const std::uint8_t> adsorbate_mask;  ///< N×N, non-zero where an adsorbate covered the pixel; empty: none
};

/// Computes every label for the given positions.
GroundTruth ground_truth(const TmdMaterial& material, std::span<const Defect> defects,
                         const PixelPositions& positions, const ClassMapOptions& options = {},
                         const SurfaceFeatures& features = {});

}  // namespace synthstm
