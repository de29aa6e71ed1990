#include "synthstm/scan/ideal_scans.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {

TunnelingJunction::TunnelingJunction(const CurrentModel* current_model, double tilt_rad, double tilt_azimuth_rad)
    : model(current_model),
      slope_x_(std::tan(tilt_rad) * std::cos(tilt_azimuth_rad)),
      slope_y_(std::tan(tilt_rad) * std::sin(tilt_azimuth_rad)) {}

TunnelingCurrent TunnelingJunction::current(double x_nm, double y_nm, double z_nm) const {
    return model->current(Vec3(x_nm, y_nm, z_nm - plane_height_nm(x_nm, y_nm)));
}

TunnelingCurrent TunnelingJunction::image_current(double x_nm, double y_nm, double z_nm) const {
    return model->image_current(Vec3(x_nm, y_nm, z_nm - plane_height_nm(x_nm, y_nm)));
}

namespace {

void check_pixels(const LateralPositions& p) {
    const std::size_t n = std::size_t(p.rows) * p.cols;
    if (p.rows <= 0 || p.cols <= 0 || p.x_nm.size() != n || p.y_nm.size() != n)
        invalid_input(fmt::format("pixel positions: {} × {} image with {} x and {} y values", p.rows, p.cols,
                                  p.x_nm.size(), p.y_nm.size()));
}

/// A point of ln|I(z)| − target already known: height, value, slope, and the bound on the error
/// of its ln|I| (0: an evaluation of the model itself; > 0: e.g. a single-precision one).
struct KnownPoint {
    double z = 0.0, f = 0.0, slope = 0.0, ln_error = 0.0;
};

/// The step δ that zeroes f + slope δ + ½ c δ² (the root nearer 0); Newton's −f/slope when the
/// curvature is unknown or the quadratic has no real root.
double quadratic_step(double f, double slope, double curvature) {
    const double newton = -f / slope;
    if (!std::isfinite(curvature) || curvature == 0.0) return newton;
    const double disc = slope * slope - 2.0 * curvature * f;
    if (!(disc >= 0.0)) return newton;
    // δ = −2f / (slope + sign(slope) √disc): the stable form of the root nearer 0.
    const double denom = slope + std::copysign(std::sqrt(disc), slope);
    return denom != 0.0 ? -2.0 * f / denom : newton;
}

/// A quadratic step with this pixel's own secant curvature, from f, ends at a residual ≤ 0.053 f²
/// (the largest ratio over 780 000 measured steps with |f| < 1e-3 on wse2-main, wse2-real and
/// stepped wse2-real; docs/tunneling.md): from f² ≤ 3 tol it ends within 0.16 tol unevaluated.
constexpr double kUnevaluatedStepReach = 3.0;
/// The reach shrinks with the square of a slope below ~10 nm⁻¹ (half of 2κ): a small slope means
/// a long step, whose end the secant's curvature may miss by more (beside a step's wall).
constexpr double kTypicalSlope2 = 100.0;
/// A known start with |ln I/I_set| above this gives way to the row's extrapolation.
constexpr double kFarKnownStart = 1.0;

/// An evaluated end of the bracket: height, f, slope and the model's relative error bound there.
struct BracketEnd {
    double z = 0.0, f = 0.0, slope = 0.0, bound_rel = 0.0;
    bool evaluated = false;
};

/// Solves ln|I(z)| = target for one pixel (see constant_current_scan). `known` (optional) is a
/// point already evaluated at this pixel; `curvature` the curvature to try on the first step
/// (NaN: none); on return *curvature_out holds the last secant curvature (NaN if none).
double solve_height(const TunnelingJunction& j, double x, double y, double target, double z_start,
                    const ConstantCurrentSettings& s, int row, int col, double* slope_out, const KnownPoint* known,
                    double curvature, double* curvature_out) {
    // f(z) = ln|I(z)| − target falls with z. Bracket: f(lo) > 0 > f(hi).
    BracketEnd lo{s.min_height_nm}, hi{s.max_height_nm};
    double bound_rel = 0.0;  // the model's stated error at the last evaluation, relative to I
    const auto f_at = [&](double z, double* slope) {
        const TunnelingCurrent c = j.current(x, y, z);
        *slope = c.dln_current_dz_per_nm;
        bound_rel = c.current != 0.0 ? c.cutoff_error_bound / std::abs(c.current) : 0.0;
        return c.ln_abs_current - target;
    };
    double slope = 0.0, z = 0.0, f = 0.0;
    double ln_error = 0.0;  // error bound of the current point's f (nonzero only for a known start)
    if (known != nullptr && std::isfinite(known->f) && std::isfinite(known->slope) && known->z >= lo.z && known->z <= hi.z) {
        z = known->z, f = known->f, slope = known->slope, ln_error = known->ln_error;
    } else {
        z = std::clamp(z_start, lo.z, hi.z);
        f = f_at(z, &slope);
    }
    double z_prev = std::numeric_limits<double>::quiet_NaN(), slope_prev = 0.0, slope_prev_error = 0.0;
    double search_nm = 0.05;  // the next search step toward an unevaluated end (see below)
    *curvature_out = std::numeric_limits<double>::quiet_NaN();
    for (int it = 0; it < s.max_iterations; ++it) {
        // An approximate point neither ends the pixel nor bounds the bracket unless its sign is
        // beyond doubt: only evaluations of the model do.
        if (std::abs(f) <= s.relative_tolerance && ln_error == 0.0) {
            *slope_out = slope;
            return z;
        }
        if (std::abs(f) > ln_error) {
            BracketEnd& end = f > 0 ? lo : hi;
            end = {z, f, slope, bound_rel, ln_error == 0.0};
        }
        bool own_curvature = false;  // from this pixel's last two points
        double curvature_error = 0.0;
        if (std::isfinite(z_prev) && std::abs(z - z_prev) > 1e-9) {
            curvature = (slope - slope_prev) / (z - z_prev);
            // An approximate slope (ln_error relative to ln I's scale: its slope is as good) makes
            // the secant uncertain by its error over the distance.
            curvature_error = slope_prev_error / std::abs(z - z_prev);
            *curvature_out = curvature;
            own_curvature = std::isfinite(curvature);
        }
        const bool descending = std::isfinite(slope) && slope < 0.0;
        const double step = descending ? quadratic_step(f, slope, curvature) : 0.0;
        double next = descending ? z + step : 0.5 * (lo.z + hi.z);
        // Safeguard: a step that leaves the bracket (or does not move) becomes a bisection —
        // once the end it heads for has been evaluated. Until then (an end still at the piezo
        // limit) it is a search step from here, doubling each time: beside a step edge ln I can
        // rise with z, and a bisection of [−0.3, 5] nm would put the apex where no apex tiles
        // serve (the plain pair sum over every site, ~100 times an evaluation in the tiles).
        const bool inside = next > lo.z && next < hi.z;
        if (!inside || !descending) {
            if (f > 0 && !hi.evaluated) {
                next = std::min(z + search_nm, 0.5 * (z + hi.z));
                search_nm *= 2.0;
            } else if (f < 0 && !lo.evaluated) {
                next = std::max(z - search_nm, 0.5 * (z + lo.z));
                search_nm *= 2.0;
            } else {
                next = 0.5 * (lo.z + hi.z);
            }
        }
        // The end of a quadratic step from this close is within the tolerance (the settings say
        // why) as long as even a curvature wrong by all of itself (plus its known error) moves
        // the end by less than a tenth of the tolerance; its slope is the quadratic model's.
        if (!s.verify_final_step && descending && inside && own_curvature && ln_error == 0.0 &&
            f * f <= kUnevaluatedStepReach * s.relative_tolerance * std::min(1.0, slope * slope / kTypicalSlope2) &&
            0.5 * (std::abs(curvature) + curvature_error) * step * step <= 0.1 * s.relative_tolerance) {
            *slope_out = slope + curvature * (next - z);
            return next;
        }
        if (hi.z - lo.z < 1e-12) break;
        z_prev = z, slope_prev = slope;
        slope_prev_error = 10.0 * ln_error * std::abs(slope);  // its slope taken ten times as uncertain
        z = next;
        f = f_at(z, &slope);
        ln_error = 0.0;
    }
    if (std::abs(f) <= s.relative_tolerance) {
        *slope_out = slope;
        return z;
    }
    // The bracket closed on a step of ln I between two evaluations: the cut-offs make I jump by
    // at most their stated error bound where pairs enter or leave the sum (docs/tunneling.md). A
    // setpoint inside such a step has no exact height; the step's position is the height, as
    // exact as the model. (A bracket closed at min/max_height_nm, never evaluated, is no step.)
    if (hi.z - lo.z < 1e-12 && lo.evaluated && hi.evaluated &&
        lo.f - hi.f <= 2.0 * std::max(lo.bound_rel, hi.bound_rel)) {
        const BracketEnd& best = lo.f < -hi.f ? lo : hi;
        *slope_out = best.slope;
        return best.z;
    }
    invalid_input(fmt::format("constant current: the setpoint cannot be reached at pixel ({}, {}) between {} and {} nm "
                              "(|ln I/I_set| = {:.3g} at z = {:.4f} nm)",
                              row, col, s.min_height_nm, s.max_height_nm, std::abs(f), z));
}

}  // namespace

ScanImage constant_height_scan(const TunnelingJunction& junction, const LateralPositions& pixels, double height_nm,
                               int threads, HeightSlice* slice, TunnelingPrecision precision) {
    check_pixels(pixels);
    if (!std::isfinite(height_nm)) invalid_input("constant height: the height is not finite");
    ScanImage img(pixels.rows, pixels.cols);
    if (slice != nullptr) {
        slice->height_nm = height_nm;
        // image_current agrees with current to 1e-5 in ln I (tests/tunneling); ten times that.
        slice->ln_error = precision == TunnelingPrecision::Single ? 1e-4 : 0.0;
        slice->ln_abs_current = ScanImage(pixels.rows, pixels.cols);
        slice->dln_current_dz = ScanImage(pixels.rows, pixels.cols);
    }
#pragma omp parallel for schedule(dynamic) num_threads(std::max(threads, 1))
    for (int r = 0; r < pixels.rows; ++r) {
        for (int c = 0; c < pixels.cols; ++c) {
            const std::size_t k = std::size_t(r) * pixels.cols + c;
            const TunnelingCurrent i = precision == TunnelingPrecision::Single
                                           ? junction.image_current(pixels.x_nm[k], pixels.y_nm[k], height_nm)
                                           : junction.current(pixels.x_nm[k], pixels.y_nm[k], height_nm);
            img.at(r, c) = i.current;
            if (slice != nullptr) {
                slice->ln_abs_current.at(r, c) = i.ln_abs_current;
                slice->dln_current_dz.at(r, c) = i.dln_current_dz_per_nm;
            }
        }
    }
    return img;
}

ScanImage constant_current_scan(const TunnelingJunction& junction, const LateralPositions& pixels, double setpoint,
                                double start_height_nm, const ConstantCurrentSettings& settings, int threads) {
    return constant_current_scan(junction, pixels, setpoint, start_height_nm, settings, threads, nullptr, nullptr);
}

ScanImage constant_current_scan(const TunnelingJunction& junction, const LateralPositions& pixels, double setpoint,
                                double start_height_nm, const ConstantCurrentSettings& settings, int threads,
                                ScanImage* dln_current_dz, const HeightSlice* known) {
    check_pixels(pixels);
    if (!(setpoint != 0.0) || !std::isfinite(setpoint)) invalid_input("constant current: the setpoint must be non-zero");
    if (!(settings.min_height_nm < settings.max_height_nm) || !(settings.relative_tolerance > 0))
        invalid_input("constant current: bad solver settings");
    const double target = std::log(std::abs(setpoint));
    ScanImage img(pixels.rows, pixels.cols);
    if (dln_current_dz) *dln_current_dz = ScanImage(pixels.rows, pixels.cols);
    if (known != nullptr && (known->ln_abs_current.rows != pixels.rows || known->ln_abs_current.cols != pixels.cols ||
                             known->dln_current_dz.rows != pixels.rows || known->dln_current_dz.cols != pixels.cols ||
                             (!known->height_offset_nm.values.empty() &&
                              (known->height_offset_nm.rows != pixels.rows || known->height_offset_nm.cols != pixels.cols))))
        invalid_input("constant current: the known height slice does not match the pixels");
    // Errors thrown inside the parallel loop are kept and rethrown after it.
    std::string first_error;
#pragma omp parallel for schedule(dynamic) num_threads(std::max(threads, 1))
    for (int r = 0; r < pixels.rows; ++r) {
        // A row is one unit of work (whatever the thread count): its first pixel starts from the
        // pure-exponential estimate at the start height (one Newton step), every later pixel
        // from the heights already solved in this row (linear extrapolation of the last two).
        double curvature = std::numeric_limits<double>::quiet_NaN();  // carried along the row
        for (int c = 0; c < pixels.cols; ++c) {
            const std::size_t k = std::size_t(r) * pixels.cols + c;
            try {
                double z0 = start_height_nm;
                KnownPoint point;
                const KnownPoint* start = nullptr;
                if (known != nullptr) {
                    const double offset = known->height_offset_nm.values.empty() ? 0.0 : known->height_offset_nm.at(r, c);
                    point = {known->height_nm + offset, known->ln_abs_current.at(r, c) - target,
                             known->dln_current_dz.at(r, c), known->ln_error};
                    start = &point;
                    // A known point far from the setpoint (beside a step edge the apex climbs the
                    // wall) is a poorer start than the heights just solved in this row.
                    if (c >= 2 && std::abs(point.f) > kFarKnownStart) {
                        start = nullptr;
                        z0 = 2.0 * img.at(r, c - 1) - img.at(r, c - 2);
                    }
                } else if (c == 0) {
                    const TunnelingCurrent c0 = junction.current(pixels.x_nm[k], pixels.y_nm[k], start_height_nm);
                    if (std::isfinite(c0.ln_abs_current) && c0.dln_current_dz_per_nm < 0)
                        z0 -= (c0.ln_abs_current - target) / c0.dln_current_dz_per_nm;
                } else if (c == 1) {
                    z0 = img.at(r, c - 1);
                } else {
                    z0 = 2.0 * img.at(r, c - 1) - img.at(r, c - 2);
                }
                double slope = 0.0;
                double last_curvature = 0.0;
                img.at(r, c) = solve_height(junction, pixels.x_nm[k], pixels.y_nm[k], target, z0, settings, r, c, &slope,
                                            start, curvature, &last_curvature);
                if (std::isfinite(last_curvature)) curvature = last_curvature;
                if (dln_current_dz) dln_current_dz->at(r, c) = slope;
            } catch (const Error& e) {
#pragma omp critical
                if (first_error.empty()) first_error = e.what();
                // The rest of the row needs the heights before it.
                break;
            }
        }
    }
    if (!first_error.empty()) invalid_input(first_error);
    return img;
}

double median_current(const ScanImage& current) {
    std::vector<double> a;
    a.reserve(current.values.size());
    double sign = 0.0;
    for (double v : current.values) {
        if (sign == 0.0 && v != 0.0) sign = v > 0 ? 1.0 : -1.0;
        a.push_back(std::abs(v));
    }
    if (a.empty() || sign == 0.0) invalid_input("median current: the image has no current");
    const std::size_t mid = a.size() / 2;
    std::nth_element(a.begin(), a.begin() + mid, a.end());
    return sign * a[mid];
}

}  // namespace synthstm
