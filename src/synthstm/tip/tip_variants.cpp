#include "synthstm/tip/tip_variants.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/tightbinding/cluster_model.hpp"

namespace synthstm {
namespace {

constexpr double kA = kTungstenLattice_nm;
constexpr double kEps_nm = 1e-9;           // slack for atoms exactly on a boundary
constexpr double kCubeEdge_nm = 4.0;       // w111 cube edge
constexpr double kPyramidHeight_nm = 3.0;  // w001 pyramid height (base 6 × 6 nm)

// The bcc sites of the cube [0, edge]³, rotated so that [111] points up (+z): corner (0,0,0),
// a lattice site, is the lowest point.
std::vector<Vec3> w111_cube() {
    const Rotation up = rotation_between(Vec3(1.0, 1.0, 1.0).normalized(), Vec3::UnitZ());
    const int n = static_cast<int>(std::floor(kCubeEdge_nm / kA)) + 1;
    std::vector<Vec3> atoms;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            for (int k = 0; k < n; ++k)
                for (double shift : {0.0, 0.5}) {
                    const Vec3 r = kA * Vec3(i + shift, j + shift, k + shift);
                    if (r.maxCoeff() <= kCubeEdge_nm + kEps_nm) atoms.push_back(up * r);
                }
    return atoms;
}

// The bcc sites with 0 ≤ z ≤ height and |x|, |y| ≤ z: layer k (z = k a/2) is a (k+1)² square.
std::vector<Vec3> w001_pyramid() {
    const int layers = static_cast<int>(std::floor(kPyramidHeight_nm / (0.5 * kA) + 1e-9)) + 1;
    std::vector<Vec3> atoms;
    for (int k = 0; k < layers; ++k) {
        const double z = 0.5 * kA * k;
        const double shift = (k % 2 == 0) ? 0.0 : 0.5;  // even layers: cube corners; odd: body centres
        const int m = k / 2 + 1;
        for (int i = -m - 1; i <= m; ++i)
            for (int j = -m - 1; j <= m; ++j) {
                const Vec3 r(kA * (i + shift), kA * (j + shift), z);
                if (std::abs(r.x()) <= z + kEps_nm && std::abs(r.y()) <= z + kEps_nm) atoms.push_back(r);
            }
    }
    return atoms;
}

// Removes the lowest `remove` height layers; then, if keep > 0, keeps only the `keep` atoms of
// the next layer nearest to its first atom (lowest x, then y; ties in distance by that order).
std::vector<Vec3> dulled(std::vector<Vec3> atoms, int remove, int keep) {
    const TipGeometry tip = make_tip("", std::move(atoms));
    const auto layers = height_layers(tip);
    std::vector<bool> drop(tip.atoms_nm.size(), false);
    for (int l = 0; l < remove; ++l)
        for (int i : layers[l]) drop[i] = true;
    if (keep > 0) {
        std::vector<int> next = layers[remove];
        const auto xy_less = [&](int a, int b) {
            const Vec3& ra = tip.atoms_nm[a];
            const Vec3& rb = tip.atoms_nm[b];
            return ra.x() != rb.x() ? ra.x() < rb.x() : ra.y() < rb.y();
        };
        std::sort(next.begin(), next.end(), xy_less);
        const Vec3 first = tip.atoms_nm[next.front()];
        std::stable_sort(next.begin(), next.end(), [&](int a, int b) {
            return (tip.atoms_nm[a] - first).norm() < (tip.atoms_nm[b] - first).norm() - kEps_nm;
        });
        for (std::size_t n = keep; n < next.size(); ++n) drop[next[n]] = true;
    }
    std::vector<Vec3> out;
    for (std::size_t i = 0; i < drop.size(); ++i)
        if (!drop[i]) out.push_back(tip.atoms_nm[i]);
    return out;
}

// A site of one pyramid layer: layer k (z = k a/2) and lateral position (x, y) in units of a.
struct PyramidSite {
    int layer = 0;
    double x_a = 0.0;
    double y_a = 0.0;
    [[nodiscard]] Vec3 position() const { return kA * Vec3(x_a, y_a, 0.5 * layer); }
};

// The w001 pyramid with every layer below the lowest listed one removed and each listed layer
// reduced to the listed sites.
std::vector<Vec3> pyramid_with_sites(const std::vector<PyramidSite>& sites) {
    int lowest = sites.front().layer;
    int highest = lowest;
    for (const auto& s : sites) {
        lowest = std::min(lowest, s.layer);
        highest = std::max(highest, s.layer);
    }
    std::vector<Vec3> out;
    for (const Vec3& r : w001_pyramid()) {
        const int k = static_cast<int>(std::lround(r.z() / (0.5 * kA)));
        if (k < lowest) continue;
        if (k <= highest) {
            const bool listed = std::any_of(sites.begin(), sites.end(), [&](const PyramidSite& s) {
                return s.layer == k && (s.position() - r).norm() < 1e-6;
            });
            if (!listed) continue;
        }
        out.push_back(r);
    }
    return out;
}

// A finished variant: the atoms, and the lowest atom of each apex (before make_tip moves them).
struct Built {
    std::vector<Vec3> atoms;
    std::vector<Vec3> apexes;  // the lowest atom of each apex, reference atom first; empty: one apex
};

Built double_tip(PyramidSite a, PyramidSite b) { return {pyramid_with_sites({a, b}), {a.position(), b.position()}}; }

struct Variant {
    std::string_view name;
    std::string_view description;
    std::function<Built()> build;
};

const std::vector<Variant>& variants() {
    static const std::vector<Variant> list = {
        {"w111-sharp", "4 nm bcc W cube, [111] corner down: single-atom apex", [] { return Built{w111_cube(), {}}; }},
        {"w111-offcentre", "w111 with the apex atom and two of the next three removed: off-axis single atom",
         [] { return Built{dulled(w111_cube(), 1, 1), {}}; }},
        {"w111-trimer", "w111 with the apex atom removed: 3-atom apex layer",
         [] { return Built{dulled(w111_cube(), 1, 0), {}}; }},
        {"w111-blunt6", "w111 with the lowest 3 layers (5 atoms) removed: 6-atom apex layer",
         [] { return Built{dulled(w111_cube(), 3, 0), {}}; }},
        {"w111-blunt10", "w111 with the lowest 5 layers (14 atoms) removed: 10-atom apex layer",
         [] { return Built{dulled(w111_cube(), 5, 0), {}}; }},
        {"w001-sharp", "6x6x3 nm bcc W pyramid, [001] down: single-atom apex",
         [] { return Built{w001_pyramid(), {}}; }},
        {"w001-offcentre", "w001 with the apex atom and three of the next four removed: off-axis single atom",
         [] { return Built{dulled(w001_pyramid(), 1, 1), {}}; }},
        {"w001-dimer", "w001 with the apex atom and two of the next four removed: 2-atom apex layer",
         [] { return Built{dulled(w001_pyramid(), 1, 2), {}}; }},
        {"w001-tetramer", "w001 with the apex atom removed: 4-atom apex layer",
         [] { return Built{dulled(w001_pyramid(), 1, 0), {}}; }},
        {"w001-blunt9", "w001 with the lowest 2 layers (5 atoms) removed: 3x3 apex layer",
         [] { return Built{dulled(w001_pyramid(), 2, 0), {}}; }},
        {"w001-double-1.0nm", "blunt w001 (6x6 facet) with two adatoms in hollow sites 1.001 nm apart",
         [] { return double_tip({4, -1.0, 0.0}, {4, 2.0, 1.0}); }},
        {"w001-double-1.3nm", "blunt w001 (6x6 facet) with two adatoms in hollow sites 1.305 nm apart",
         [] { return double_tip({4, -2.0, 0.0}, {4, 2.0, 1.0}); }},
        {"w001-double-asym",
         "blunt w001 (6x6 facet): an adatom, and 1.361 nm away an atom on a tetramer, one layer (0.158 nm) lower",
         [] {
             const PyramidSite low{3, 1.5, 0.5};
             const PyramidSite adatom{4, -2.0, -2.0};
             const std::vector<PyramidSite> sites = {low, adatom, {4, 1.0, 0.0}, {4, 2.0, 0.0}, {4, 1.0, 1.0},
                                                     {4, 2.0, 1.0}};
             return Built{pyramid_with_sites(sites), {low.position(), adatom.position()}};
         }},
    };
    return list;
}

}  // namespace

std::vector<std::string> tip_variant_names() {
    std::vector<std::string> names;
    for (const auto& v : variants()) names.emplace_back(v.name);
    return names;
}

TipGeometry build_tip(std::string_view name) {
    const auto& list = variants();
    const auto it = std::find_if(list.begin(), list.end(), [&](const Variant& v) { return v.name == name; });
    if (it == list.end()) {
        invalid_input(fmt::format("unknown tip '{}': expected one of {}", name, fmt::join(tip_variant_names(), ", ")));
    }
    Built built = it->build();
    TipGeometry tip = make_tip(std::string(it->name), built.atoms, std::string(it->description));
    if (!built.apexes.empty()) {
        // make_tip sorted the atoms and moved the reference atom, apexes.front(), to the origin.
        tip.apex_indices.clear();
        for (const Vec3& apex : built.apexes) {
            const Vec3 target = apex - built.apexes.front();
            int found = -1;
            for (int i = 0; i < tip.size() && found < 0; ++i) {
                if ((tip.body_atoms_nm[i] - target).norm() < 1e-9) found = i;
            }
            tip.apex_indices.push_back(found);
        }
        if (tip.apex_indices.front() != 0 ||
            std::find(tip.apex_indices.begin(), tip.apex_indices.end(), -1) != tip.apex_indices.end()) {
            throw Error(ErrorKind::Internal, fmt::format("tip '{}': apex atoms are not where they were built", name));
        }
    }
    return tip;
}

}  // namespace synthstm
