#pragma once
/// Neighbour search in a point cloud by a cell list: all pairs closer than a cut-off in O(N).
#include <span>
#include <vector>

#include "synthstm/core/geometry.hpp"

namespace synthstm {

/// A pair of points (first < second) and their distance.
struct NeighbourPair {
    int first = 0;          ///< index of the first point
    int second = 0;         ///< index of the second point
    double distance_nm = 0; ///< |r_first - r_second|
};

/// Every pair of points with distance below cutoff_nm, each pair once, sorted by (first, second).
std::vector<NeighbourPair> neighbour_pairs(std::span<const Vec3> positions_nm, double cutoff_nm);

}  // namespace synthstm
