#pragma once
/// Defect list (DESIGN §3.5): every defect with its type, site, position in the sample frame
/// (nm) and in fractional pixels of the recorded image.
///
/// Pixel coordinates: pixel (row, col) has its centre at (row_px, col_px) = (row, col); the image
/// covers [−0.5, N − 0.5] in both. The recorded image is a map (row, col) → true tip position
/// P(row, col); between pixel centres P is interpolated bilinearly (outside, the border cell is
/// extended). A defect's pixel coordinates solve P(row_px, col_px) = defect position: the pixel
/// whose true position is nearest (exhaustive for N <= 64, coarse-to-fine above) starts a Newton
/// iteration on the bilinear interpolant. Under lateral distortions this is where the recorded
/// image shows the defect, not where the nominal grid would put it.
#include <cstdint>
#include <span>
#include <vector>

#include "synthstm/groundtruth/pixel_positions.hpp"
#include "synthstm/lattice/defects.hpp"

namespace synthstm {

/// One defect of the ground truth.
struct DefectLabel {
    DefectType type = DefectType::Vacancy;             ///< vacancy, dopant or antisite
    Sublattice sublattice = Sublattice::ChalcogenTop;  ///< its sublattice
    CellIndex cell;                                    ///< its unit cell
    double onsite_eV = 0.0;                            ///< dopant onsite energy (0 for vacancies)
    std::int32_t class_id = 0;                         ///< defect_class(type, sublattice)
    double x_nm = 0.0;                                 ///< sample-frame x of the site
    double y_nm = 0.0;                                 ///< sample-frame y of the site
    double z_nm = 0.0;                                 ///< sample-frame z of the site (top layer at 0)
    double row_px = 0.0;                               ///< fractional row in the recorded image
    double col_px = 0.0;                               ///< fractional column in the recorded image
    double residual_nm = 0.0;                          ///< |P(row_px, col_px) − (x, y)| after the inversion
    bool in_image = false;                             ///< row_px, col_px within [−0.5, N − 0.5]
};

/// Labels for all defects, in the input order.
std::vector<DefectLabel> defect_list(const TmdMaterial& material, std::span<const Defect> defects,
                                     const PixelPositions& positions);

/// Bilinear interpolation of the true positions at fractional pixel coordinates, {x, y} nm
/// (the border cell is extended outside the image).
std::array<double, 2> interpolate_position_nm(const PixelPositions& positions, double row_px, double col_px);

}  // namespace synthstm
