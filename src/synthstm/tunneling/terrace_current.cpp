#include "synthstm/tunneling/terrace_current.hpp"

#include <cmath>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {

TerraceCurrentModel::TerraceCurrentModel(const CurrentModel* lower, const CurrentModel* upper,
                                         const CurrentModel* near_edge, const StepEdge& edge, double band_nm)
    : lower_(lower), upper_(upper), near_edge_(near_edge), edge_(edge), band_nm_(band_nm) {
    if (lower == nullptr || upper == nullptr || near_edge == nullptr)
        invalid_input("terrace current: the lower, upper and edge models are required");
    if (!std::isfinite(band_nm) || band_nm <= 0.0)
        invalid_input(fmt::format("terrace current: band {} nm must be positive", band_nm));
}

const CurrentModel& TerraceCurrentModel::at(const Vec3& apex_nm) const {
    const double s = edge_.signed_distance_nm(apex_nm.x(), apex_nm.y());
    if (s >= band_nm_) return *upper_;
    if (s <= -band_nm_) return *lower_;
    return *near_edge_;
}

TunnelingCurrent TerraceCurrentModel::current(const Vec3& apex_nm) const { return at(apex_nm).current(apex_nm); }

TunnelingCurrent TerraceCurrentModel::image_current(const Vec3& apex_nm) const {
    return at(apex_nm).image_current(apex_nm);
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
