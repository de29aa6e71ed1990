#include "synthstm/tunneling/tunneling_model.hpp"

#include <cmath>
#include <limits>
#include <mutex>
#include <optional>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/tunneling/bias_window.hpp"

namespace synthstm {

AtomPositions AtomPositions::from_points(std::span<const Vec3> points_nm) {
    AtomPositions a;
    a.x_nm.reserve(points_nm.size()), a.y_nm.reserve(points_nm.size()), a.z_nm.reserve(points_nm.size());
    for (const Vec3& p : points_nm) {
        a.x_nm.push_back(p.x());
        a.y_nm.push_back(p.y());
        a.z_nm.push_back(p.z());
    }
    return a;
}

void AtomPositions::validate(const char* what) const {
    if (x_nm.empty()) invalid_input(fmt::format("{} has no atoms", what));
    if (y_nm.size() != x_nm.size() || z_nm.size() != x_nm.size()) {
        invalid_input(fmt::format("{} positions have {} x, {} y and {} z coordinates", what, x_nm.size(), y_nm.size(),
                                  z_nm.size()));
    }
    for (std::size_t i = 0; i < x_nm.size(); ++i) {
        if (!std::isfinite(x_nm[i]) || !std::isfinite(y_nm[i]) || !std::isfinite(z_nm[i])) {
            invalid_input(fmt::format("{} atom {} has a non-finite coordinate", what, i));
        }
    }
}

void TunnelingSettings::validate() const {
    if (!std::isfinite(kappa_per_nm) || kappa_per_nm <= 0.0) {
        invalid_input(fmt::format("kappa_per_nm must be positive, got {} nm⁻¹", kappa_per_nm));
    }
    if (!std::isfinite(relative_tolerance) || relative_tolerance < 0.0 || relative_tolerance >= 1.0) {
        invalid_input(fmt::format("relative_tolerance must be in [0, 1), got {}", relative_tolerance));
    }
}

double TunnelingSettings::cutoff_length_nm() const {
    if (relative_tolerance == 0.0) return std::numeric_limits<double>::infinity();
    return std::log(1.0 / relative_tolerance) / (2.0 * kappa_per_nm);
}

namespace {

/// Validates everything before the pair sum is built (the variant is built in the initialiser).
const Eigen::MatrixXd& checked(const AtomPositions& sample_nm, const AtomPositions& tip_nm,
                               const Eigen::MatrixXd& weights, const TunnelingSettings& settings) {
    settings.validate();
    sample_nm.validate("sample");
    tip_nm.validate("tip");
    if (weights.rows() != sample_nm.size() || weights.cols() != tip_nm.size()) {
        invalid_input(fmt::format("pair weights are {} × {} but there are {} sample sites and {} tip atoms",
                                  weights.rows(), weights.cols(), sample_nm.size(), tip_nm.size()));
    }
    if (!weights.allFinite()) invalid_input("pair weights have non-finite entries");
    return weights;
}

std::variant<PairSum<double>, PairSum<float>> make_sum(const AtomPositions& s, const AtomPositions& t,
                                                       const Eigen::MatrixXd& w, const TunnelingSettings& settings) {
    const double kappa = settings.kappa_per_nm;
    const double cut = settings.cutoff_length_nm();
    if (settings.precision == TunnelingPrecision::Single) {
        return std::variant<PairSum<double>, PairSum<float>>(
            std::in_place_index<1>, s.x_nm, s.y_nm, s.z_nm, t.x_nm, t.y_nm, t.z_nm, w, kappa, cut);
    }
    return std::variant<PairSum<double>, PairSum<float>>(std::in_place_index<0>, s.x_nm, s.y_nm, s.z_nm, t.x_nm,
                                                         t.y_nm, t.z_nm, w, kappa, cut);
}

}  // namespace

struct TunnelingModel::LazySum {
    AtomPositions sample, tip;
    std::once_flag built;
    std::optional<std::variant<PairSum<double>, PairSum<float>>> sum;
};

TunnelingModel::TunnelingModel(const AtomPositions& sample_nm, const AtomPositions& tip_nm,
                               const Eigen::MatrixXd& weights, const TunnelingSettings& settings)
    : settings_(settings), weights_(checked(sample_nm, tip_nm, weights, settings)), sum_(std::make_unique<LazySum>()) {
    sum_->sample = sample_nm;
    sum_->tip = tip_nm;
}

TunnelingModel::~TunnelingModel() = default;
TunnelingModel::TunnelingModel(TunnelingModel&&) noexcept = default;
TunnelingModel& TunnelingModel::operator=(TunnelingModel&&) noexcept = default;

const std::variant<PairSum<double>, PairSum<float>>& TunnelingModel::sum() const {
    LazySum& lazy = *sum_;
    std::call_once(lazy.built, [&] {
        lazy.sum.emplace(make_sum(lazy.sample, lazy.tip, weights_, settings_));
        lazy.sample = {}, lazy.tip = {};  // the pair sum holds its own copies
    });
    return *lazy.sum;
}

TunnelingCurrent TunnelingModel::current(const Vec3& apex_nm) const {
    if (!apex_nm.allFinite()) invalid_input("tip position must be finite");
    // The one place where the arithmetic is chosen.
    const auto& sum_of_pairs = sum();
    const PairSumTerms t = std::visit([&](const auto& s) { return s.evaluate(apex_nm); }, sum_of_pairs);
    const double total_abs = std::visit([](const auto& s) { return s.total_abs_weight(); }, sum_of_pairs);
    const double cutoff_nm = std::visit([](const auto& s) { return s.cutoff_nm(); }, sum_of_pairs);

    const double two_kappa = 2.0 * settings_.kappa_per_nm;
    const double ln_scale = -two_kappa * t.min_distance_nm;  // ln of the largest factor
    TunnelingCurrent out;
    out.min_distance_nm = t.min_distance_nm;
    out.pairs = t.pairs;
    // Every skipped pair has d > d_min + L, so its factor is below e^{−2κ L} = tol times the largest
    // (with tol = 0, L is capped at the range of the arithmetic and e^{−2κ L} ≈ 1e-38 or 1e-304).
    const double tolerance = std::exp(-two_kappa * cutoff_nm);
    out.cutoff_error_bound = tolerance * std::exp(ln_scale) * std::max(0.0, total_abs - t.kept_abs_weight);
    if (t.sum == 0.0) {
        out.ln_abs_current = -std::numeric_limits<double>::infinity();
        out.dln_current_dz_per_nm = std::numeric_limits<double>::quiet_NaN();
        return out;
    }
    out.ln_abs_current = ln_scale + std::log(std::abs(t.sum));
    out.current = std::copysign(std::exp(out.ln_abs_current), t.sum);
    out.dcurrent_dz_per_nm = -two_kappa * t.dsum * std::exp(ln_scale);
    out.dln_current_dz_per_nm = -two_kappa * t.dsum / t.sum;
    return out;
}

TunnelingModel tunneling_model(const AtomPositions& sample_nm, const LdosSpectrum& sample_ldos,
                               const AtomPositions& tip_nm, const LdosSpectrum& tip_ldos, double bias_V,
                               const TunnelingSettings& settings) {
    settings.validate();
    sample_nm.validate("sample");
    tip_nm.validate("tip");
    if (sample_ldos.ldos_per_eV.rows() != sample_nm.size()) {
        invalid_input(fmt::format("sample LDOS has {} rows but there are {} sample sites",
                                  sample_ldos.ldos_per_eV.rows(), sample_nm.size()));
    }
    if (tip_ldos.ldos_per_eV.rows() != tip_nm.size()) {
        invalid_input(fmt::format("tip LDOS has {} rows but there are {} tip atoms", tip_ldos.ldos_per_eV.rows(),
                                  tip_nm.size()));
    }
    return TunnelingModel(sample_nm, tip_nm, pair_weights(sample_ldos, tip_ldos, bias_V), settings);
}

TunnelingModel tunneling_model(const AtomPositions& sample_nm, const LdosSpectrum& sample_ldos, const TipLdos& tip,
                               double bias_V, const TunnelingSettings& settings) {
    return tunneling_model(sample_nm, sample_ldos, AtomPositions::from_points(tip.positions_nm), tip.ldos, bias_V,
                           settings);
}

}  // namespace synthstm
