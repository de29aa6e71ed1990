#pragma once
/// In-plane nearest-site searches for the ground-truth maps: the nearest top-chalcogen site of
/// the infinite lattice (occupied or vacant), and the nearest defect of a list.
#include <array>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "synthstm/lattice/defects.hpp"
#include "synthstm/lattice/relaxation.hpp"

namespace synthstm {

/// Throws InvalidInput unless the material's a_nm is positive and finite.
void validate_lattice_constant(const TmdMaterial& material);

/// The seed's target profile clip(1.1 − d/(a/2), 0, 1) for in-plane distance d (nm).
float site_profile(double distance_nm, double a_nm);

/// In-plane distance (nm) from (x, y) to the nearest top-chalcogen site i a1 + j a2, displaced
/// by the relaxation where one is given (its displacements, a few pm, keep the nearest site
/// among the corners of the containing cell and their neighbours).
double nearest_top_site_distance_nm(const TmdMaterial& material, double x_nm, double y_nm,
                                    const Relaxation* relaxation = nullptr);

/// The defect nearest to a point, if one lies within the locator's reach.
struct NearestDefect {
    int index = -1;                ///< into the defect list; −1 if none within reach
    double distance_nm = 0.0;      ///< in-plane distance (meaningful when index >= 0)
};

/// Nearest-defect queries in the plane (defects of all sublattices, their x, y only), on a grid
/// of square bins of side reach_nm. Ties go to the lower index.
class DefectLocator {
public:
    /// Indexes the defects' in-plane positions; reach_nm > 0 is the largest distance reported.
    DefectLocator(const TmdMaterial& material, std::span<const Defect> defects, double reach_nm);
    /// The nearest defect within reach of (x, y).
    [[nodiscard]] NearestDefect nearest(double x_nm, double y_nm) const;
    /// In-plane position of defect i, {x, y} nm.
    [[nodiscard]] std::array<double, 2> position_nm(int i) const { return {x_nm_[i], y_nm_[i]}; }

private:
    [[nodiscard]] static std::uint64_t key(std::int64_t bx, std::int64_t by);
    double reach_nm_;
    std::vector<double> x_nm_;
    std::vector<double> y_nm_;
    std::unordered_map<std::uint64_t, std::vector<int>> bins_;
};

}  // namespace synthstm
