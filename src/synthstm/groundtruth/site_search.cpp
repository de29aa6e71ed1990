#include "synthstm/groundtruth/site_search.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {

void validate_lattice_constant(const TmdMaterial& material) {
    if (!std::isfinite(material.a_nm) || material.a_nm <= 0.0) {
        invalid_input(fmt::format("material {} a_nm must be positive, got {}", material.name, material.a_nm));
    }
}

float site_profile(double distance_nm, double a_nm) {
    return static_cast<float>(std::clamp(1.1 - distance_nm / (0.5 * a_nm), 0.0, 1.0));
}

double nearest_top_site_distance_nm(const TmdMaterial& m, double x_nm, double y_nm, const Relaxation* relaxation) {
    // Fractional coordinates: r = u a1 + v a2 with a1 = (a, 0), a2 = (a/2, a√3/2).
    const double a = m.a_nm;
    const double v = y_nm / (0.5 * std::sqrt(3.0) * a);
    const double u = x_nm / a - 0.5 * v;
    const double i0 = std::floor(u);
    const double j0 = std::floor(v);
    double best = std::numeric_limits<double>::infinity();
    // The nearest site is a corner of the containing cell; a 3×3 neighbourhood is safe.
    for (int dj = -1; dj <= 2; ++dj) {
        for (int di = -1; di <= 2; ++di) {
            const double i = i0 + di;
            const double j = j0 + dj;
            double dx = x_nm - (i + 0.5 * j) * a;
            double dy = y_nm - j * 0.5 * std::sqrt(3.0) * a;
            if (relaxation != nullptr) {
                const Vec3 shift = relaxation->displacement_nm(
                    {{static_cast<int>(i), static_cast<int>(j)}, Sublattice::ChalcogenTop});
                dx -= shift.x();
                dy -= shift.y();
            }
            best = std::min(best, dx * dx + dy * dy);
        }
    }
    return std::sqrt(best);
}

std::uint64_t DefectLocator::key(std::int64_t bx, std::int64_t by) {
    return (static_cast<std::uint64_t>(bx) << 32) ^ (static_cast<std::uint64_t>(by) & 0xffffffffULL);
}

DefectLocator::DefectLocator(const TmdMaterial& material, std::span<const Defect> defects, double reach_nm)
    : reach_nm_(reach_nm) {
    if (!std::isfinite(reach_nm) || reach_nm <= 0.0) {
        invalid_input(fmt::format("defect search reach_nm must be positive, got {}", reach_nm));
    }
    x_nm_.reserve(defects.size());
    y_nm_.reserve(defects.size());
    for (std::size_t i = 0; i < defects.size(); ++i) {
        const Vec3 r = material.position(defects[i].site.cell.i, defects[i].site.cell.j, defects[i].site.sublattice);
        x_nm_.push_back(r.x());
        y_nm_.push_back(r.y());
        const auto bx = static_cast<std::int64_t>(std::floor(r.x() / reach_nm_));
        const auto by = static_cast<std::int64_t>(std::floor(r.y() / reach_nm_));
        bins_[key(bx, by)].push_back(static_cast<int>(i));
    }
}

NearestDefect DefectLocator::nearest(double x_nm, double y_nm) const {
    NearestDefect best;
    if (bins_.empty()) return best;
    double best_d2 = reach_nm_ * reach_nm_;
    const auto bx = static_cast<std::int64_t>(std::floor(x_nm / reach_nm_));
    const auto by = static_cast<std::int64_t>(std::floor(y_nm / reach_nm_));
    for (std::int64_t dy = -1; dy <= 1; ++dy) {
        for (std::int64_t dx = -1; dx <= 1; ++dx) {
            const auto it = bins_.find(key(bx + dx, by + dy));
            if (it == bins_.end()) continue;
            for (int i : it->second) {
                const double ex = x_nm - x_nm_[i];
                const double ey = y_nm - y_nm_[i];
                const double d2 = ex * ex + ey * ey;
                if (d2 < best_d2 || (d2 == best_d2 && best.index >= 0 && i < best.index) ||
                    (d2 == best_d2 && best.index < 0)) {
                    best_d2 = d2;
                    best.index = i;
                }
            }
        }
    }
    if (best.index >= 0) best.distance_nm = std::sqrt(best_d2);
    return best;
}

}  // namespace synthstm
