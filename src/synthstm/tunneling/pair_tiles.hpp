#pragma once
/// The pair sum of pair_sum.hpp for a scan: the apex stays within a bounded height over the
/// sample and visits each small xy tile many times (several pixels per tile, several heights per
/// pixel), so the pairs an apex in a tile can reach are gathered once into contiguous arrays
/// and every evaluation is one dense vector loop over them — no cell walking, no d_min search.
///
/// Pair p = (site i, tip atom j) is stored as the point P_p = r_i − t_j with weight C_ij; the
/// apex R sees it at d_p = |P_p − R| (the same d_ij as the pair sum). With gap = the height of
/// the lowest tip atom over the highest site (a lower bound of every d_ij), a pair is kept when
///   d_p ≤ gap + L,  L = ln(1/tol)/(2κ),
/// and its term tapers smoothly to 0 over the last w = 1/(2κ) before the cut (S(d − gap), see
/// pair_tiles.cpp), so that I and dI/dz are continuous in the apex position. Every dropped or
/// tapered part is below e · tol · e^{−2κ gap} · |C_ij|, so
///   |I_all pairs − I| ≤ e · tol · e^{−2κ gap} · Σ_{not fully kept} |C_ij|
/// (the form of pair_sum.hpp with gap in place of d_min: gap ≤ d_min, and the bound is stated
/// relative to the lattice-scale factor e^{−2κ gap}, which is what the lattice current of
/// lattice_current.hpp compares with).
///
/// A tile holds every pair that some apex in the tile with gap ≤ max_gap can keep: the lateral
/// reach of a pair whose vertical offset exceeds gap by δ is √((L − δ)(2 gap + L + δ)), largest
/// at max_gap. Heights come in bands (max_gap, max_gap + band, …), each with its own tiles, so
/// that an apex near the set height sums short lists and one far above it still gets tiles.
/// Apex positions above the last band (or below the highest site) are not served: evaluate()
/// returns nothing and the caller uses the ordinary pair sum. Tiles are built on
/// first use, once, by whichever thread gets there first; their content depends only on the
/// tile, so results are bit-identical whatever the order of evaluation or number of threads.
#include <atomic>
#include <limits>
#include <memory>
#include <numbers>
#include <optional>
#include <vector>

#include <Eigen/Dense>

#include "synthstm/core/geometry.hpp"
#include "synthstm/tunneling/pair_sum.hpp"
#include "synthstm/tunneling/tunneling_model.hpp"

namespace synthstm {


/// Geometry of the tiling.
struct PairTileSettings {
    double kappa_per_nm = 10.0;   ///< decay constant κ
    double cutoff_nm = 0.69;      ///< L = ln(1/tol)/(2κ)
    double max_gap_nm = 1.0;      ///< the largest height of the lowest tip atom over the highest site served
                                  ///< by the first band of tiles
    double band_nm = 0.2;         ///< each further band serves this much higher (with longer pair lists)
    int bands = 1;                ///< number of bands (1–64); above the last, evaluate() returns nothing
    double tile_nm = 0.1;         ///< side of an xy tile of apex positions
    /// The plane the gap is counted from (NaN: the highest site). A lower plane serves an apex
    /// beside sites that stand higher than it (the upper layer of a step seen from the lower
    /// terrace): gap is then no lower bound of d, pairs may have d < gap (their factors
    /// e^{−2κ(d − gap)} exceed 1), and the cut d ≤ gap + L and its bound hold as stated.
    double reference_top_nm = std::numeric_limits<double>::quiet_NaN();
};

/// Sample sites and tip atoms with their C_ij, gathered per apex tile.
class PairTiles {
public:
    /// weights(i, j) = C_ij for site i and tip atom j (positions in nm, the tip's relative to the
    /// apex reference point). Apex tiles cover the xy bounding box of the sites widened by the
    /// reach of a pair. Throws
    /// InvalidInput for mismatched sizes or bad settings.
    PairTiles(const AtomPositions& sites_nm, const AtomPositions& tip_nm, const Eigen::MatrixXd& weights,
              const PairTileSettings& settings);
    /// Displacement tiles: pair (i, j) is the first-order change of C_ij e^{−2κ d_ij} when site i
    /// (at sites_nm) moves by u_i = displacement_nm[i],
    ///   C_ij e^{−2κ d} 2κ (u_i · D)/d,  D = apex − (r_i − t_j),
    /// with the weight w_ij = 2κ |u_i| |C_ij| in place of |C_ij| (sums, bound and kept weights as
    /// above; PairSumTerms::abs_sum = Σ w_ij e^{−2κ(d − gap)} S bounds the second-order rest,
    /// lattice_current.hpp). One term per pair instead of the two of a moved site, and a small
    /// weight: a shorter cut serves the same tolerance.
    PairTiles(const AtomPositions& sites_nm, const AtomPositions& tip_nm, const Eigen::MatrixXd& weights,
              const std::vector<Vec3>& displacement_nm, const PairTileSettings& settings);
    /// Both kinds in one set of tiles (one lookup, one tile per apex position): the plain pairs
    /// of sites_nm and the displacement pairs of moved_sites_nm, these cut at their own
    /// displacement_cutoff_nm (≤ settings.cutoff_nm); gap counted from the highest site of both.
    /// evaluate() returns the plain sums and puts the displacement sums in *displacement (left
    /// untouched when it returns nothing).
    PairTiles(const AtomPositions& sites_nm, const AtomPositions& tip_nm, const Eigen::MatrixXd& weights,
              const AtomPositions& moved_sites_nm, const Eigen::MatrixXd& moved_weights,
              const std::vector<Vec3>& displacement_nm, double displacement_cutoff_nm, const PairTileSettings& settings);
    ~PairTiles();
    PairTiles(PairTiles&&) noexcept;
    PairTiles& operator=(PairTiles&&) noexcept;

    /// The sums at apex_nm relative to e^{−2κ gap} (PairSumTerms::min_distance_nm holds gap, not
    /// d_min; dsum includes the taper's slope, so dI/dz = −2κ e^{−2κ gap} dsum; kept_abs_weight
    /// counts the fully kept pairs), or nothing when gap is outside [0, max_gap]. Far from every
    /// site the sums are 0.
    /// Thread-safe.
    /// Single precision: the tile's pairs in float relative to its centre (relative error of
    /// the sums ~1e-6), twice the vector lanes; for images, not for the constant-current solve.
    [[nodiscard]] std::optional<PairSumTerms> evaluate(const Vec3& apex_nm,
                                                       TunnelingPrecision precision = TunnelingPrecision::Double,
                                                       PairSumTerms* displacement = nullptr) const;

    /// Σ_ij |C_ij| over all pairs (Σ_ij w_ij for displacement tiles).
    [[nodiscard]] double total_abs_weight() const;
    /// Σ_ij w_ij of the displacement pairs of a two-kind set (0 otherwise).
    [[nodiscard]] double displacement_total_abs_weight() const;
    /// e: the bound's factor for the taper (see above).
    static constexpr double kTaperBoundFactor = std::numbers::e;
    /// The plane gap is measured from: the highest site, or settings.reference_top_nm.
    [[nodiscard]] double top_site_nm() const;
    /// Number of tiles built so far (for the benchmarks).
    [[nodiscard]] int tiles_built() const;

private:
    struct Store;
    std::unique_ptr<Store> store_;
};

}  // namespace synthstm
