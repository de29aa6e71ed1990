#pragma once
/// The current over a monolayer step (docs/realism.md, section 6): two terraces, each a periodic
/// surface with defects (lattice_current.hpp), meeting at a straight edge. The lattice form
/// assumes one periodic surface, so the model chooses by the apex's signed lateral distance s
/// from the edge (positive over the upper terrace):
///   s ≥  band: the upper terrace's lattice model alone;
///   s ≤ −band: the lower terrace's lattice model alone;
///   otherwise: the exact pair sum over the sites of both terraces (the lower layer everywhere,
///   the upper one where it is).
/// With band = (lateral reach of the apex atoms) + (cut-off length of the pair sum) the sites a
/// lattice model leaves out at the band's edge are all farther than the cut-off, so the switch
/// is continuous within the pair sum's tolerance, except for what the upper terrace's model
/// neglects: the lower layer under it, at least the step height h deeper, whose share of the
/// current is about e^{−2κh} (2·10⁻⁶ for κ = 10 nm⁻¹, h = 0.648 nm; tests/tunneling measures it).
#include "synthstm/lattice/step_edge.hpp"
#include "synthstm/tunneling/tunneling_model.hpp"

namespace synthstm {

/// Lower terrace, upper terrace and the exact sum near the edge, chosen by the apex position.
class TerraceCurrentModel final : public CurrentModel {
public:
    /// None of the models is owned; all must outlive this one. band_nm > 0.
    TerraceCurrentModel(const CurrentModel* lower, const CurrentModel* upper, const CurrentModel* near_edge,
                        const StepEdge& edge, double band_nm);

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
