#include "synthstm/lattice/neighbours.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "synthstm/core/error.hpp"

namespace synthstm {

std::vector<NeighbourPair> neighbour_pairs(std::span<const Vec3> positions_nm, double cutoff_nm) {
    if (!(cutoff_nm > 0.0)) invalid_input("neighbour cut-off must be positive");
    std::vector<NeighbourPair> pairs;
    if (positions_nm.empty()) return pairs;
    // Bin the points in cubes of side cutoff: neighbours lie in the 27 surrounding bins.
    auto bin_of = [&](const Vec3& r) {
        return std::array<long, 3>{static_cast<long>(std::floor(r.x() / cutoff_nm)),
                                   static_cast<long>(std::floor(r.y() / cutoff_nm)),
                                   static_cast<long>(std::floor(r.z() / cutoff_nm))};
    };
    auto key = [](long x, long y, long z) {
        return (static_cast<std::uint64_t>(x & 0x1fffff) << 42) |
               (static_cast<std::uint64_t>(y & 0x1fffff) << 21) | static_cast<std::uint64_t>(z & 0x1fffff);
    };
    std::unordered_map<std::uint64_t, std::vector<int>> bins;
    for (int n = 0; n < static_cast<int>(positions_nm.size()); ++n) {
        const auto b = bin_of(positions_nm[n]);
        bins[key(b[0], b[1], b[2])].push_back(n);
    }
    const double cutoff2 = cutoff_nm * cutoff_nm;
    for (int n = 0; n < static_cast<int>(positions_nm.size()); ++n) {
        const auto b = bin_of(positions_nm[n]);
        for (long dx = -1; dx <= 1; ++dx)
            for (long dy = -1; dy <= 1; ++dy)
                for (long dz = -1; dz <= 1; ++dz) {
                    const auto it = bins.find(key(b[0] + dx, b[1] + dy, b[2] + dz));
                    if (it == bins.end()) continue;
                    for (int m : it->second) {
                        if (m <= n) continue;
                        const double d2 = (positions_nm[m] - positions_nm[n]).squaredNorm();
                        if (d2 < cutoff2) pairs.push_back({n, m, std::sqrt(d2)});
                    }
                }
    }
    std::ranges::sort(pairs, [](const NeighbourPair& a, const NeighbourPair& b) {
        return a.first != b.first ? a.first < b.first : a.second < b.second;
    });
    return pairs;
}

}  // namespace synthstm
