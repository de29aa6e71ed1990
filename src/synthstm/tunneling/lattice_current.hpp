#pragma once
/// The pair sum of DESIGN §3.2 for a periodic surface with point defects, fast enough for the
/// scan loops (docs/tunneling.md, "Lattice current"). The sample is split into
///   I(R) = I_lattice(R) + I_defects(R):
/// - I_lattice: every site of the infinite pristine lattice with the pristine pair weights
///   C⁰_sj (s = sublattice). Its lattice sum over sites is exact in reciprocal space (Poisson):
///     Σ_n e^{−α|ρ + t_j − b_s − R_n, h|} = (1/A_c) Σ_G F(G, h) e^{iG·(ρ + t_j − b_s)},
///     F(G, h) = 2π α (1 + hβ) e^{−hβ} / β³,  β = √(α² + G²),  α = 2κ,
///   with h = z + z_tj − z_s > 0 the height of tip atom j over sublattice plane s. Summed over
///   (s, j), the coefficient of each G is e^{−βz} (P_G + Q_G z) exactly, so one evaluation costs
///   one exp per shell of |G| and a few complex products per G: no sum over atoms at all.
///   The G sum is cut where the tail, bounded by an integral, is below the tolerance.
/// - I_defects: sites whose pair weights differ from the pristine ones by more than
///   site_tolerance (relative, in any C_ij) carry ΔC_ij = C_ij − C⁰_sj, and vacancies carry
///   −C⁰_sj; this short list goes through the ordinary pair sum (cut-offs as there). Dropping a
///   site with |ΔC_ij| ≤ ε |C⁰_sj| changes I by at most ε times that site's pristine share, so
///   the relative error is at most ε · I_lattice / I (added to cutoff_error_bound).
///   Up to tile_max_gap_nm the correction pairs are gathered per apex tile (pair_tiles.hpp):
///   the cut keeps pairs with d ≤ gap + L, gap the apex's height over the top plane, which is
///   tolerance-level against the lattice current at that height.
/// Below min_height_nm (the apex within that height of the top atomic plane, where the G sum
/// converges slowly or h < 0 in a vacancy) the exact pair sum over all sites is used instead.
#include <complex>
#include <memory>
#include <optional>
#include <vector>

#include <Eigen/Dense>

#include "synthstm/core/geometry.hpp"
#include "synthstm/tunneling/pair_tiles.hpp"
#include "synthstm/tunneling/tunneling_model.hpp"

namespace synthstm {

/// A periodic surface: primitive vectors (in the xy plane) and the site positions in one cell.
struct PeriodicSurface {
    Vec3 a1_nm;                 ///< first primitive vector (z = 0)
    Vec3 a2_nm;                 ///< second primitive vector (z = 0)
    std::vector<Vec3> basis_nm; ///< site s of cell (i, j) is at basis_nm[s] + i a1 + j a2
};

/// Settings of the lattice current.
struct LatticeCurrentSettings {
    double kappa_per_nm = 10.0;          ///< decay constant κ
    double relative_tolerance = 1e-6;    ///< tail of the G sum and cut-off of the defect pair sum
    double min_height_nm = 0.2;          ///< from this apex height over the top plane up: the G sum as built
    double deep_min_height_nm = 0.1;     ///< from this height up to min_height: a longer G sum, built on first
                                         ///< use; below it the exact pair sum (0: no longer sum)
    double site_tolerance = 1e-3;        ///< ε: sites whose C_ij differ less than this (relative) count as pristine;
                                         ///< the height error is below ε/(2κ) ≈ 0.05 pm
    double tile_max_gap_nm = 1.0;        ///< corrections by apex tiles (pair_tiles.hpp) up to this apex height
                                         ///< over the top plane, and in further tile sets each tile_band_nm
                                         ///< higher (tile_bands in all); above them the plain pair sum
    double tile_band_nm = 0.2;           ///< height step between the tile sets
    int tile_bands = 4;                  ///< number of tile sets
    double tile_nm = 0.1;                ///< side of an apex tile
    /// A moved site with 2κ|u| up to this joins the tiles as one first-order displacement term
    /// (pair_tiles.hpp) instead of two exact corrections; its second-order rest, at most
    /// ½ e^{2κ|u|} (2κ|u|)² (1 + 1/(2κ r)) of its share (r ≥ gap − |u| the pair's distance), ~1e-3
    /// here like site_tolerance, enters the error bound. 0: every moved site exact.
    double first_order_displacement = 0.04;  // at most 0.1
};

/// The corrections of a relaxed region split for the apex tiles: the moved sites with small
/// displacements as first-order terms at their lattice positions, the rest exact.
struct DisplacedCorrections {
    AtomPositions exact_sites;          ///< corrections the tiles sum exactly
    Eigen::MatrixXd exact_weights;      ///< their ΔC_ij
    AtomPositions sites;                ///< lattice positions of the sites summed to first order
    Eigen::MatrixXd weights;            ///< their C_ij
    std::vector<Vec3> displacement_nm;  ///< their u_i
};

/// I(R) for a periodic surface with a finite set of corrected sites, with an exact fallback.
class LatticeCurrentModel final : public CurrentModel {
public:
    /// pristine_weights(s, j) = C⁰_sj for basis site s and tip atom j; correction_weights(i, j) =
    /// ΔC_ij for correction site i (may have no rows); exact = the full pair sum over every site
    /// of the region (used below min_height_nm, not owned, must outlive this model).
    LatticeCurrentModel(const PeriodicSurface& surface, const Eigen::MatrixXd& pristine_weights,
                        const AtomPositions& tip_nm, const AtomPositions& correction_sites_nm,
                        const Eigen::MatrixXd& correction_weights, const CurrentModel* exact,
                        const LatticeCurrentSettings& settings = {}, const DisplacedCorrections* tiled = nullptr);
    // (tiled: what the apex tiles sum instead of the correction list, which stays exact for the
    // pair sum that serves where the tiles do not.)

    ~LatticeCurrentModel() override;
    LatticeCurrentModel(LatticeCurrentModel&&) noexcept;
    LatticeCurrentModel& operator=(LatticeCurrentModel&&) noexcept;

    [[nodiscard]] TunnelingCurrent current(const Vec3& apex_nm) const override;
    /// The corrections in single precision where the apex tiles serve (pair_tiles.hpp).
    [[nodiscard]] TunnelingCurrent image_current(const Vec3& apex_nm) const override;

    /// Reciprocal vectors in the sum (one of each ±G pair, and G = 0).
    [[nodiscard]] int reciprocal_vectors() const { return main_.terms.size(); }
    /// Bound on the relative error of the G sum at min_height_nm (tail / laterally averaged current).
    [[nodiscard]] double fourier_tail_bound() const { return main_.tail_bound; }
    /// Number of correction sites (defect neighbourhoods and vacancies; a moved site counts twice).
    [[nodiscard]] int correction_sites() const { return correction_sites_; }
    /// Number of moved sites the apex tiles sum to first order.
    [[nodiscard]] int first_order_sites() const { return first_order_sites_; }

private:
    // The reciprocal vectors G = n1 b1 + n2 b2 as arrays (one entry per G, in order of |G|): the
    // term is e^{−βz}(p + q z) e^{iG·ρ}, doubled for G ≠ 0 (its −G partner).
    struct Terms {
        std::vector<int> n1, n2;               // indices, offset by max_index (into the power tables)
        std::vector<int> shell;                // index into shell_decay
        std::vector<double> p_re, p_im, q_re, q_im;
        [[nodiscard]] int size() const { return static_cast<int>(n1.size()); }
    };
    // The G sum cut for pairs at least h_min apart vertically.
    struct ReciprocalSum {
        Terms terms;
        std::vector<double> shell_decay;  // β − α of each shell (β = √(α² + G²)), in order of |G|
        int max_index = 0;                // largest |n1|, |n2|
        double tail_bound = 0.0;          // relative error bound of the cut at h_min
    };
    [[nodiscard]] ReciprocalSum reciprocal_sum_for(double h_min) const;
    [[nodiscard]] const ReciprocalSum* deep() const;  // built on first use; null if it cannot be
    ReciprocalSum main_;
    double relative_tolerance_ = 0.0;
    double deep_min_height_nm_ = 0.0;
    struct DeepSum;                  // the once-flag and the sum (movable behind a pointer)
    std::unique_ptr<DeepSum> deep_;
    // What the G sums are built from.
    PeriodicSurface surface_;
    Eigen::MatrixXd pristine_weights_;
    AtomPositions tip_nm_;
    static constexpr int kMaxShells = 256;  // the evaluation's buffer of shell factors
    Vec3 b1_, b2_;                     // reciprocal primitive vectors
    static constexpr int kMaxIndex = 31;  // largest |n1|, |n2| the evaluation buffers hold
    double alpha_ = 0.0;               // 2κ
    double min_height_nm_ = 0.0;
    double lowest_tip_nm_ = 0.0;       // min_j z_tj (the apex reference may not be the lowest atom)
    double top_plane_nm_ = 0.0;        // max_s z_s
    double abs_average_p_ = 0.0;       // e^{αz} × laterally averaged |C⁰| current = p + q z
    double abs_average_q_ = 0.0;
    double site_tolerance_ = 0.0;      // ε of the dropped corrections
    double tile_scale_ = 0.0;          // e^{α(top site − lowest tip atom)}: the tiles' terms × e^{αz}
    double tile_tolerance_ = 0.0;      // e · e^{−αL}: a dropped or tapered tile pair's factor, at most
    int correction_sites_ = 0;
    std::optional<TunnelingModel> defects_;  // the correction pair sum (absent without corrections)
    [[nodiscard]] TunnelingCurrent evaluate(const Vec3& apex_nm, TunnelingPrecision precision) const;
    std::optional<PairTiles> defect_tiles_;  // the same pairs gathered per apex tile, in height bands
    enum class TileKinds { Plain, Displacement, Both };  // what defect_tiles_ hold (first-order moved sites)
    TileKinds tile_kinds_ = TileKinds::Plain;
    double displacement_tolerance_ = 0.0;  // the displacement pairs' cut factor, × 1.1 for their second-order part
    double largest_first_order_ = 0.0;     // η = max 2κ|u| of the first-order sites
    double largest_displacement_nm_ = 0.0; // max |u| of them
    int first_order_sites_ = 0;
    const CurrentModel* exact_ = nullptr;
};

/// The model for a periodic surface with defects from the LDOS already computed for a region:
/// C_ij of every region site (region_weights, rows = region sites, with their sublattice index
/// into surface.basis_nm), pristine_weights C⁰_sj, and the vacancies (positions and sublattice)
/// that lie in the region. A region site joins the correction list when
/// max_j |C_ij − C⁰_sj| > settings.site_tolerance · max_j |C⁰_sj|.
LatticeCurrentModel lattice_current_model(const PeriodicSurface& surface, const Eigen::MatrixXd& pristine_weights,
                                          const AtomPositions& tip_nm, const AtomPositions& region_sites_nm,
                                          const std::vector<int>& region_sublattice,
                                          const Eigen::MatrixXd& region_weights,
                                          const std::vector<Vec3>& vacancies_nm,
                                          const std::vector<int>& vacancy_sublattice, const CurrentModel* exact, const LatticeCurrentSettings& settings = {});

/// The same for a relaxed region (lattice/relaxation.hpp): region_sites_nm are the sites where
/// they are, region_lattice_sites_nm where the periodic lattice puts them (same order). A site
/// moved by more than site_tolerance/(2κ) (its factor e^{−2κd} changes by more than ε) is not
/// pristine whatever its weights: it joins the corrections as −C⁰_sj at its lattice position
/// (like a vacancy) plus C_ij where it is.
LatticeCurrentModel lattice_current_model(const PeriodicSurface& surface, const Eigen::MatrixXd& pristine_weights,
                                          const AtomPositions& tip_nm, const AtomPositions& region_sites_nm,
                                          const AtomPositions& region_lattice_sites_nm,
                                          const std::vector<int>& region_sublattice,
                                          const Eigen::MatrixXd& region_weights,
                                          const std::vector<Vec3>& vacancies_nm,
                                          const std::vector<int>& vacancy_sublattice, const CurrentModel* exact,
                                          const LatticeCurrentSettings& settings = {});

}  // namespace synthstm
