#include "synthstm/tunneling/pair_sum.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "synthstm/tunneling/fast_exp.hpp"


namespace synthstm {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// Sites of the cell ranges within reach of one tip atom at local (px, py, pz): every site closer
/// than reach_nm lies in the cells overlapping the box; the sites' highest z is 0 (local frame).
template <typename F>
[[gnu::always_inline]] inline void for_ranges_within(const SiteCells& cells, double px, double py, double pz, double reach_nm, F&& range) {
    const double gap = std::max(0.0, pz);
    if (!(gap <= reach_nm)) return;  // the whole tip atom is beyond the cut-off
    const double lateral = std::isfinite(reach_nm) ? std::sqrt(reach_nm * reach_nm - gap * gap) : kInf;
    cells.for_each_range_in_disc(px, py, lateral, range);
}

/// min_p |r_p − P|² over [begin, end).
template <typename T>
[[gnu::always_inline]] inline T min_distance2(const T* x, const T* y, const T* z, int begin, int end, T px, T py, T pz) {
    T m = std::numeric_limits<T>::infinity();
#pragma omp simd reduction(min : m)
    for (int p = begin; p < end; ++p) {
        const T dx = x[p] - px, dy = y[p] - py, dz = pz - z[p];
        const T d2 = dx * dx + dy * dy + dz * dz;
        m = d2 < m ? d2 : m;
    }
    return m;
}

/// The kernel: sums over [begin, end) of one tip atom's pairs; masked pairs (d > d_cut) add 0.
/// d_cut is finite and 2κ(d_cut − d_min) ≤ fast_exp_max_arg, so clamping d to d_cut keeps the
/// exp argument in range without a branch. Written so that GCC vectorises it (checked with
/// -fopt-info-vec): C loaded unconditionally, selects instead of branches, no clamp in the exp.
template <typename T>
[[gnu::always_inline]] inline void pair_terms(const T* x, const T* y, const T* z, const T* c, int begin, int end, T px, T py, T pz,
                T two_kappa, T d_min, T d_cut, double& sum, double& dsum, double& kept) {
    T s = 0, sd = 0, k = 0;
    constexpr T kTiny = static_cast<T>(1e-12);
#pragma omp simd reduction(+ : s, sd, k)
    for (int p = begin; p < end; ++p) {
        const T dx = x[p] - px, dy = y[p] - py, dz = pz - z[p];
        const T d = std::sqrt(dx * dx + dy * dy + dz * dz);
        const T cp = c[p];
        const T w = d <= d_cut ? cp : T(0);
        const T d_clamped = d < d_cut ? d : d_cut;
        const T f = w * fast_exp<T>(two_kappa * (d_min - d_clamped));
        s += f;
        sd += f * dz / (d > kTiny ? d : kTiny);
        k += std::abs(w);
    }
    sum += s;
    dsum += sd;
    kept += k;
}

// The two loops in vector clones (SYNTHSTM_VECTOR_CLONES, core/vector_clones.hpp).
SYNTHSTM_VECTOR_CLONES double min_distance2_of(const double* x, const double* y, const double* z, int begin, int end,
                                                double px, double py, double pz) {
    return min_distance2<double>(x, y, z, begin, end, px, py, pz);
}
SYNTHSTM_VECTOR_CLONES float min_distance2_of(const float* x, const float* y, const float* z, int begin, int end,
                                               float px, float py, float pz) {
    return min_distance2<float>(x, y, z, begin, end, px, py, pz);
}
SYNTHSTM_VECTOR_CLONES void pair_terms_of(const double* x, const double* y, const double* z, const double* c, int begin,
                                          int end, double px, double py, double pz, double two_kappa, double d_min,
                                          double d_cut, double& sum, double& dsum, double& kept) {
    pair_terms<double>(x, y, z, c, begin, end, px, py, pz, two_kappa, d_min, d_cut, sum, dsum, kept);
}
SYNTHSTM_VECTOR_CLONES void pair_terms_of(const float* x, const float* y, const float* z, const float* c, int begin,
                                          int end, float px, float py, float pz, float two_kappa, float d_min,
                                          float d_cut, double& sum, double& dsum, double& kept) {
    pair_terms<float>(x, y, z, c, begin, end, px, py, pz, two_kappa, d_min, d_cut, sum, dsum, kept);
}

/// The local frame of the stored sites: centre of the xy bounding box, z = 0 at the highest site.
Vec3 local_origin(std::span<const double> x_nm, std::span<const double> y_nm, std::span<const double> z_nm) {
    const auto [xmin, xmax] = std::minmax_element(x_nm.begin(), x_nm.end());
    const auto [ymin, ymax] = std::minmax_element(y_nm.begin(), y_nm.end());
    return {0.5 * (*xmin + *xmax), 0.5 * (*ymin + *ymax), *std::max_element(z_nm.begin(), z_nm.end())};
}

/// Cells of side L/2 (clamped to [0.1, 5] nm): a tip atom's reach (a disc of radius ≳ L) spans
/// about five cells per row, so the runs of cells hug the disc closely.
SiteCells local_cells(std::span<const double> x_nm, std::span<const double> y_nm, const Vec3& origin_nm,
                      double cutoff_nm) {
    std::vector<double> lx(x_nm.size()), ly(y_nm.size());
    for (std::size_t i = 0; i < lx.size(); ++i) {
        lx[i] = x_nm[i] - origin_nm.x();
        ly[i] = y_nm[i] - origin_nm.y();
    }
    return SiteCells(lx, ly, std::clamp(0.5 * cutoff_nm, 0.1, 5.0));
}

}  // namespace

template <typename T>
PairSum<T>::PairSum(std::span<const double> sample_x_nm, std::span<const double> sample_y_nm,
                    std::span<const double> sample_z_nm, std::span<const double> tip_x_nm,
                    std::span<const double> tip_y_nm, std::span<const double> tip_z_nm,
                    const Eigen::MatrixXd& weights, double kappa_per_nm, double cutoff_nm)
    : origin_nm_(local_origin(sample_x_nm, sample_y_nm, sample_z_nm)),
      cells_(local_cells(sample_x_nm, sample_y_nm, origin_nm_, cutoff_nm)),
      tx_(tip_x_nm.begin(), tip_x_nm.end()),
      ty_(tip_y_nm.begin(), tip_y_nm.end()),
      tz_(tip_z_nm.begin(), tip_z_nm.end()),
      kappa_per_nm_(kappa_per_nm),
      cutoff_nm_(std::min(cutoff_nm, 0.999 * fast_exp_max_arg<T>() / (2.0 * kappa_per_nm))) {
    const std::vector<int>& order = cells_.order();
    const std::size_t n = order.size();
    x_.resize(n), y_.resize(n), z_.resize(n);
    for (std::size_t p = 0; p < n; ++p) {
        x_[p] = static_cast<T>(sample_x_nm[order[p]] - origin_nm_.x());
        y_[p] = static_cast<T>(sample_y_nm[order[p]] - origin_nm_.y());
        z_[p] = static_cast<T>(sample_z_nm[order[p]] - origin_nm_.z());
    }
    c_.resize(n * tx_.size());
    for (std::size_t j = 0; j < tx_.size(); ++j) {
        for (std::size_t p = 0; p < n; ++p) {
            c_[j * n + p] = static_cast<T>(weights(order[p], static_cast<Eigen::Index>(j)));
            total_abs_weight_ += std::abs(static_cast<double>(c_[j * n + p]));
        }
    }
}

template <typename T>
PairSumTerms PairSum<T>::evaluate(const Vec3& apex_nm) const {
    const int n = static_cast<int>(x_.size());
    const int m = static_cast<int>(tx_.size());
    const Vec3 a = apex_nm - origin_nm_;
    const auto tip = [&](int j) { return Vec3(a.x() + tx_[j], a.y() + ty_[j], a.z() + tz_[j]); };

    // 1. d_ref ≥ d_min from the sites within one cell side (in xy) of each tip atom.
    double d2_ref = kInf;
    for (int j = 0; j < m; ++j) {
        const Vec3 p = tip(j);
        cells_.for_each_range_in_disc(p.x(), p.y(), cells_.cell_nm(), [&](int begin, int end) {
            const T d2 = min_distance2_of(x_.data(), y_.data(), z_.data(), begin, end, static_cast<T>(p.x()),
                                          static_cast<T>(p.y()), static_cast<T>(p.z()));
            d2_ref = std::min(d2_ref, static_cast<double>(d2));
        });
    }

    // 2. The exact d_min: the closest pair has d ≤ d_ref, so only sites within d_ref of a tip
    //    atom need looking at (every site when nothing was found in step 1).
    //    The margin covers the rounding of d_ref in T.
    const double reach_ref = std::sqrt(d2_ref) * (1.0 + 1e-5) + 1e-6;
    double d2_min = d2_ref;
    for (int j = 0; j < m; ++j) {
        const Vec3 p = tip(j);
        for_ranges_within(cells_, p.x(), p.y(), p.z(), reach_ref, [&](int begin, int end) {
            const T d2 = min_distance2_of(x_.data(), y_.data(), z_.data(), begin, end, static_cast<T>(p.x()),
                                          static_cast<T>(p.y()), static_cast<T>(p.z()));
            d2_min = std::min(d2_min, static_cast<double>(d2));
        });
    }

    // 3. The sums over the pairs with d ≤ d_min + L.
    PairSumTerms out;
    out.min_distance_nm = std::sqrt(d2_min);
    const double reach = out.min_distance_nm + cutoff_nm_;
    const T two_kappa = static_cast<T>(2.0 * kappa_per_nm_);
    const T d_min = static_cast<T>(out.min_distance_nm);
    const T d_cut = static_cast<T>(reach);
    for (int j = 0; j < m; ++j) {
        const Vec3 p = tip(j);
        const T* c = c_.data() + static_cast<std::size_t>(j) * n;
        for_ranges_within(cells_, p.x(), p.y(), p.z(), reach, [&](int begin, int end) {
            pair_terms_of(x_.data(), y_.data(), z_.data(), c, begin, end, static_cast<T>(p.x()), static_cast<T>(p.y()),
                          static_cast<T>(p.z()), two_kappa, d_min, d_cut, out.sum, out.dsum, out.kept_abs_weight);
            out.pairs += end - begin;
        });
    }
    return out;
}

template class PairSum<float>;
template class PairSum<double>;

}  // namespace synthstm
