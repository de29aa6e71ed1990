#pragma once
/// The current over a monolayer step (docs/realism.md, section 6): two terraces, each a periodic
/// surface with defects (lattice_current.hpp), meeting at a straight edge. The lattice form
/// assumes one periodic surface, so the model chooses by the apex's signed lateral distance s
/// from the edge (positive over the upper terrace):
///   s ≥  band (or s ≥ upper_from_nm): the upper terrace's lattice model alone;
///   s ≤ −band: the lower terrace's lattice model alone;
///   otherwise: the near-edge model — the exact pair sum over the sites of both terraces (the
///   lower layer everywhere, the upper one where it is), or EdgeBandCurrentModel below, which is
///   that sum with the lower layer in its lattice form and the upper sites in apex tiles.
/// The switches are lateral: at any (x, y) the chosen model is smooth in z.
/// With band = (lateral reach of the apex atoms) + (cut-off length of the pair sum) the sites a
/// lattice model leaves out at the band's edge are all farther than the cut-off, so the switch
/// is continuous within the pair sum's tolerance, except for what the upper terrace's model
/// neglects: the lower layer under it, at least the step height h deeper, whose share of the
/// current is about e^{−2κh} (2·10⁻⁶ for κ = 10 nm⁻¹, h = 0.648 nm; tests/tunneling measures it).
#include "synthstm/lattice/step_edge.hpp"
#include "synthstm/tunneling/pair_tiles.hpp"
#include "synthstm/tunneling/tunneling_model.hpp"

namespace synthstm {

/// Lower terrace, upper terrace and the exact sum near the edge, chosen by the apex position.
class TerraceCurrentModel final : public CurrentModel {
public:
    /// None of the models is owned; all must outlive this one. band_nm > 0. The upper model
    /// serves from s = upper_from_nm on (default band_nm; 0 ≤ upper_from_nm ≤ band_nm): 0 for an
    /// upper model that itself leaves out the sites beyond the edge.
    TerraceCurrentModel(const CurrentModel* lower, const CurrentModel* upper, const CurrentModel* near_edge,
                        const StepEdge& edge, double band_nm, double upper_from_nm = -1.0);

    [[nodiscard]] TunnelingCurrent current(const Vec3& apex_nm) const override;
    /// The same to image precision: the chosen model's image_current.
    [[nodiscard]] TunnelingCurrent image_current(const Vec3& apex_nm) const override;

    /// The half-width of the band around the edge where the exact sum is used.
    [[nodiscard]] double band_nm() const { return band_nm_; }

private:
    [[nodiscard]] const CurrentModel& at(const Vec3& apex_nm) const;  // the model for this apex position
    const CurrentModel* lower_;
    const CurrentModel* upper_;
    const CurrentModel* near_edge_;
    StepEdge edge_;
    double band_nm_;
    double upper_from_nm_;
};

/// The current in the band around the edge without the plain pair sum: the lower layer lies
/// under both terraces, so its lattice model (lattice_current.hpp) serves everywhere; the upper
/// layer's sites, those within reach of the band, go through apex tiles (pair_tiles.hpp) whose
/// gap is counted from the lower top plane, because beside the edge the apex may stand below
/// the upper plane, where tiles counted from it cannot serve:
///   I = I_lower(R) + Σ_{i ∈ upper, j} C_ij e^{−2κ d_ij}   (pairs with d_ij ≤ gap + L, tapered).
/// It is the pair sum over both layers with the lower layer's part in its lattice form, so the
/// two agree within the two parts' stated bounds (tests/tunneling). Where the tiles do not serve
/// (the apex below the lower plane or above their last band) the fallback answers.
class EdgeBandCurrentModel final : public CurrentModel {
public:
    /// lower and fallback are not owned and must outlive this one; upper_weights(i, j) = C_ij of
    /// upper site i and tip atom j; tiles.reference_top_nm is set to lower_top_nm.
    EdgeBandCurrentModel(const CurrentModel* lower, const AtomPositions& upper_sites_nm, const AtomPositions& tip_nm,
                         const Eigen::MatrixXd& upper_weights, double lower_top_nm, PairTileSettings tiles,
                         const CurrentModel* fallback);

    [[nodiscard]] TunnelingCurrent current(const Vec3& apex_nm) const override;
    /// The same to image precision (both parts in their image precision).
    [[nodiscard]] TunnelingCurrent image_current(const Vec3& apex_nm) const override;

private:
    [[nodiscard]] TunnelingCurrent evaluate(const Vec3& apex_nm, TunnelingPrecision precision) const;
    const CurrentModel* lower_;
    PairTiles upper_;
    const CurrentModel* fallback_;
    double two_kappa_;
    double tolerance_;  // e · e^{−2κL}: a dropped or tapered pair's factor relative to e^{−2κ gap}, at most
};

/// A model seen from the local terrace: the apex at height z above the top plane of the terrace
/// under it (z + step height over the upper one). The constant-height image of a stepped sample
/// and its setpoint use it, so that both terraces are imaged at the same tip height.
class TerraceFollowingModel final : public CurrentModel {
public:
    /// model is not owned and must outlive this one.
    TerraceFollowingModel(const CurrentModel* model, const StepEdge& edge);

    [[nodiscard]] TunnelingCurrent current(const Vec3& apex_nm) const override;
    /// The same to image precision.
    [[nodiscard]] TunnelingCurrent image_current(const Vec3& apex_nm) const override;

private:
    [[nodiscard]] Vec3 shifted(const Vec3& apex_nm) const;  // the apex over the local terrace's top plane
    const CurrentModel* model_;
    StepEdge edge_;
};

}  // namespace synthstm
