#include "synthstm/tip/tip_geometry.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {
namespace {

// Heights equal to 1e-6 nm count as equal when ordering atoms; x and y break the tie.
std::int64_t height_key(const Vec3& r) { return std::llround(r.z() * 1e6); }

void require_finite(double value, const char* what) {
    if (!std::isfinite(value)) invalid_input(fmt::format("tip {} must be finite, got {}", what, value));
}

}  // namespace

TipGeometry make_tip(std::string name, std::vector<Vec3> atoms_nm, std::string description) {
    if (atoms_nm.empty()) invalid_input(fmt::format("tip '{}' has no atoms", name));
    for (const Vec3& r : atoms_nm) {
        if (!r.allFinite()) invalid_input(fmt::format("tip '{}' has an atom at a non-finite position", name));
    }
    std::sort(atoms_nm.begin(), atoms_nm.end(), [](const Vec3& a, const Vec3& b) {
        const auto ha = height_key(a);
        const auto hb = height_key(b);
        if (ha != hb) return ha < hb;
        if (a.x() != b.x()) return a.x() < b.x();
        return a.y() < b.y();
    });
    const Vec3 reference = atoms_nm.front();
    for (Vec3& r : atoms_nm) r -= reference;
    TipGeometry tip;
    tip.name = std::move(name);
    tip.description = std::move(description);
    tip.body_atoms_nm = atoms_nm;
    tip.atoms_nm = std::move(atoms_nm);
    tip.apex_index = 0;
    tip.apex_indices = {0};
    return tip;
}

TipGeometry transformed(const TipGeometry& tip, double rotation_rad, double tilt_rad,
                        double tilt_axis_azimuth_rad) {
    require_finite(rotation_rad, "rotation");
    require_finite(tilt_rad, "tilt");
    require_finite(tilt_axis_azimuth_rad, "tilt axis azimuth");
    if (tip.body_atoms_nm.size() != tip.atoms_nm.size()) {
        invalid_input(fmt::format("tip '{}' has {} lab-frame but {} body-frame atoms", tip.name,
                                  tip.atoms_nm.size(), tip.body_atoms_nm.size()));
    }
    TipGeometry out = tip;
    out.orientation = rotation_tilt(tilt_rad, tilt_axis_azimuth_rad) * rotation_z(rotation_rad) * tip.orientation;
    // From the body frame every time, so repeated transforms do not accumulate rounding.
    const Vec3 reference = tip.body_atoms_nm[tip.apex_index];
    for (std::size_t i = 0; i < out.atoms_nm.size(); ++i) {
        out.atoms_nm[i] = out.orientation * (tip.body_atoms_nm[i] - reference);
    }
    return out;
}

std::vector<int> apex_atoms(const TipGeometry& tip, double height_nm) {
    if (!std::isfinite(height_nm) || height_nm < 0.0) {
        invalid_input(fmt::format("apex height must be finite and non-negative, got {} nm", height_nm));
    }
    if (tip.atoms_nm.empty()) return {};
    double lowest = tip.atoms_nm.front().z();
    for (const Vec3& r : tip.atoms_nm) lowest = std::min(lowest, r.z());
    std::vector<int> out;
    for (int i = 0; i < tip.size(); ++i) {
        if (tip.atoms_nm[i].z() <= lowest + height_nm + 1e-9) out.push_back(i);
    }
    return out;
}

std::vector<std::vector<int>> height_layers(const TipGeometry& tip, double tolerance_nm) {
    if (!(tolerance_nm > 0.0)) invalid_input(fmt::format("layer tolerance must be positive, got {} nm", tolerance_nm));
    std::vector<int> order(tip.atoms_nm.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return tip.atoms_nm[a].z() < tip.atoms_nm[b].z(); });
    std::vector<std::vector<int>> layers;
    double start = 0.0;
    for (int i : order) {
        const double z = tip.atoms_nm[i].z();
        if (layers.empty() || z - start >= tolerance_nm) {
            layers.emplace_back();
            start = z;
        }
        layers.back().push_back(i);
    }
    for (auto& layer : layers) std::sort(layer.begin(), layer.end());
    return layers;
}

}  // namespace synthstm
