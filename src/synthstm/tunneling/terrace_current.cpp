#include "synthstm/tunneling/terrace_current.hpp"

#include <cmath>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {

TerraceCurrentModel::TerraceCurrentModel(const CurrentModel* lower, const CurrentModel* upper,
                                         const CurrentModel* near_edge, const StepEdge& edge, double band_nm,
                                         double upper_from_nm)
    : lower_(lower), upper_(upper), near_edge_(near_edge), edge_(edge), band_nm_(band_nm),
      upper_from_nm_(upper_from_nm < 0.0 ? band_nm : upper_from_nm) {
    if (lower == nullptr || upper == nullptr || near_edge == nullptr)
        invalid_input("terrace current: the lower, upper and edge models are required");
    if (!std::isfinite(band_nm) || band_nm <= 0.0)
        invalid_input(fmt::format("terrace current: band {} nm must be positive", band_nm));
    if (!(upper_from_nm_ <= band_nm))
        invalid_input(fmt::format("terrace current: the upper model from {} nm, within the band of {} nm", upper_from_nm,
                                  band_nm));
}

const CurrentModel& TerraceCurrentModel::at(const Vec3& apex_nm) const {
    const double s = edge_.signed_distance_nm(apex_nm.x(), apex_nm.y());
    if (s >= upper_from_nm_) return *upper_;
    if (s <= -band_nm_) return *lower_;
    return *near_edge_;
}

TunnelingCurrent TerraceCurrentModel::current(const Vec3& apex_nm) const { return at(apex_nm).current(apex_nm); }

TunnelingCurrent TerraceCurrentModel::image_current(const Vec3& apex_nm) const {
    return at(apex_nm).image_current(apex_nm);
}

namespace {
PairTileSettings counted_from(PairTileSettings tiles, double plane_nm) {
    tiles.reference_top_nm = plane_nm;
    return tiles;
}
}  // namespace

EdgeBandCurrentModel::EdgeBandCurrentModel(const CurrentModel* lower, const AtomPositions& upper_sites_nm,
                                           const AtomPositions& tip_nm, const Eigen::MatrixXd& upper_weights,
                                           double lower_top_nm, PairTileSettings tiles, const CurrentModel* fallback)
    : lower_(lower),
      upper_(upper_sites_nm, tip_nm, upper_weights, counted_from(tiles, lower_top_nm)),
      fallback_(fallback),
      two_kappa_(2.0 * tiles.kappa_per_nm),
      tolerance_(PairTiles::kTaperBoundFactor * std::exp(-2.0 * tiles.kappa_per_nm * tiles.cutoff_nm)) {
    if (lower == nullptr || fallback == nullptr)
        invalid_input("edge band current: the lower terrace's model and a fallback are required");
}

TunnelingCurrent EdgeBandCurrentModel::evaluate(const Vec3& apex_nm, TunnelingPrecision precision) const {
    if (!apex_nm.allFinite()) invalid_input("tip position must be finite");
    const std::optional<PairSumTerms> upper = upper_.evaluate(apex_nm, precision);
    if (!upper) return precision == TunnelingPrecision::Single ? fallback_->image_current(apex_nm) : fallback_->current(apex_nm);
    const TunnelingCurrent lower =
        precision == TunnelingPrecision::Single ? lower_->image_current(apex_nm) : lower_->current(apex_nm);
    // Both parts relative to e^{−2κ gap} (gap from the lower plane: both are of that order).
    const double a = two_kappa_ * upper->min_distance_nm;
    double scaled = upper->sum, dscaled = -two_kappa_ * upper->dsum;
    if (std::isfinite(lower.ln_abs_current)) {
        const double l = std::copysign(std::exp(lower.ln_abs_current + a), lower.current);
        scaled += l;
        dscaled += l * lower.dln_current_dz_per_nm;
    }
    TunnelingCurrent out;
    out.min_distance_nm = std::min(lower.min_distance_nm, upper->min_distance_nm);
    out.pairs = lower.pairs + upper->pairs;
    const double factor = std::exp(-a);
    out.cutoff_error_bound =
        lower.cutoff_error_bound + tolerance_ * factor * std::max(0.0, upper_.total_abs_weight() - upper->kept_abs_weight);
    if (scaled == 0.0) {
        out.ln_abs_current = -std::numeric_limits<double>::infinity();
        out.dln_current_dz_per_nm = std::numeric_limits<double>::quiet_NaN();
        return out;
    }
    out.ln_abs_current = -a + std::log(std::abs(scaled));
    out.current = scaled * factor;
    out.dcurrent_dz_per_nm = dscaled * factor;
    out.dln_current_dz_per_nm = dscaled / scaled;
    return out;
}

TunnelingCurrent EdgeBandCurrentModel::current(const Vec3& apex_nm) const {
    return evaluate(apex_nm, TunnelingPrecision::Double);
}

TunnelingCurrent EdgeBandCurrentModel::image_current(const Vec3& apex_nm) const {
    return evaluate(apex_nm, TunnelingPrecision::Single);
}

TerraceFollowingModel::TerraceFollowingModel(const CurrentModel* model, const StepEdge& edge)
    : model_(model), edge_(edge) {
    if (model == nullptr) invalid_input("terrace-following current: a model is required");
}

Vec3 TerraceFollowingModel::shifted(const Vec3& apex_nm) const {
    return edge_.upper(apex_nm.x(), apex_nm.y()) ? Vec3(apex_nm + Vec3(0.0, 0.0, edge_.height_nm)) : apex_nm;
}

TunnelingCurrent TerraceFollowingModel::current(const Vec3& apex_nm) const { return model_->current(shifted(apex_nm)); }

TunnelingCurrent TerraceFollowingModel::image_current(const Vec3& apex_nm) const {
    return model_->image_current(shifted(apex_nm));
}

}  // namespace synthstm
