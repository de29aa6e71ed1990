#pragma once
/// The hot loop of DESIGN §3.2: Σ_ij C_ij exp(−2κ d_ij) and its z-derivative for one tip
/// position, over contiguous arrays, written once for float and double (explicitly instantiated
/// in pair_sum.cpp; TunnelingModel picks one).
///
/// Per evaluation, with t_j the tip atoms, R the apex reference point and d_ij = |r_i − (R + t_j)|:
/// 1. a rough reference distance d_ref ≥ d_min from the sites in the cell under each tip atom;
/// 2. the exact d_min over the sites within d_ref of a tip atom (cell ranges; no sqrt, no exp);
/// 3. the sums over the pairs with d_ij ≤ d_min + L, where L = ln(1/tol)/(2κ) is the cut-off
///    length: exactly the pairs whose factor exp(−2κ d_ij) is at least tol times the largest one.
///    Tip atoms more than d_min + L above the highest site have no such pair and are skipped.
/// The factors are taken relative to the largest, exp(−2κ (d_ij − d_min)) ≤ 1, so float never
/// underflows; the caller multiplies by exp(−2κ d_min) (or adds −2κ d_min to ln I).
#include <span>
#include <vector>

#include <Eigen/Dense>

#include "synthstm/core/geometry.hpp"
#include "synthstm/tunneling/site_cells.hpp"

namespace synthstm {

/// The sums of one evaluation, before the common factor exp(−2κ d_min).
struct PairSumTerms {
    double sum = 0.0;              ///< Σ' C_ij exp(−2κ (d_ij − d_min)) over the kept pairs
    double dsum = 0.0;             ///< Σ' C_ij exp(−2κ (d_ij − d_min)) (z_j − z_i)/d_ij (z_j: tip atom)
    double kept_abs_weight = 0.0;  ///< Σ' |C_ij| over the kept pairs
    double min_distance_nm = 0.0;  ///< d_min, the shortest sample–tip distance
    double abs_sum = 0.0;          ///< displacement tiles (pair_tiles.hpp): Σ' w_ij exp(−2κ (d_ij − gap)) S
    long pairs = 0;                ///< pair terms computed (kept or masked in the vector loop)
};

/// Sample sites (sorted into xy cells), tip atoms and C_ij in the layout of the loop: site
/// coordinates as three arrays of T, C tip-major (the C_ij of one tip atom j contiguous in i).
template <typename T>
class PairSum {
public:
    /// weights(i, j) = C_ij for sample site i and tip atom j; cutoff_nm = L (infinite: no cut-off).
    /// Positions are in nm, the tip's relative to the apex reference point. L is capped where
    /// the factor relative to the largest falls below the range of T (e^−87 for float, e^−700
    /// for double): see cutoff_nm().
    PairSum(std::span<const double> sample_x_nm, std::span<const double> sample_y_nm,
            std::span<const double> sample_z_nm, std::span<const double> tip_x_nm, std::span<const double> tip_y_nm,
            std::span<const double> tip_z_nm, const Eigen::MatrixXd& weights, double kappa_per_nm, double cutoff_nm);

    /// The sums for the apex reference point at apex_nm. Thread-safe (no scratch state).
    [[nodiscard]] PairSumTerms evaluate(const Vec3& apex_nm) const;

    /// The cut-off length in use, min(L, 0.999 · max exp argument / 2κ): always finite.
    [[nodiscard]] double cutoff_nm() const { return cutoff_nm_; }

    /// Σ_ij |C_ij| as stored (in T).
    [[nodiscard]] double total_abs_weight() const { return total_abs_weight_; }

private:
    Vec3 origin_nm_;                      // sample coordinates are stored relative to this point
    SiteCells cells_;                     // cells of the sites in that frame
    std::vector<T> x_, y_, z_;            // sample sites in cell order, relative to origin_nm_
    std::vector<T> c_;                    // c_[j * sites + p] = C_{order[p], j}
    std::vector<double> tx_, ty_, tz_;    // tip atoms relative to the apex reference point
    double kappa_per_nm_ = 0.0;
    double cutoff_nm_ = 0.0;
    double total_abs_weight_ = 0.0;
};

extern template class PairSum<float>;
extern template class PairSum<double>;

}  // namespace synthstm
