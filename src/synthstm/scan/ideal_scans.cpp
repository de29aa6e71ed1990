#include "synthstm/scan/ideal_scans.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {

double TunnelingJunction::plane_height_nm(double x_nm, double y_nm) const {
    return std::tan(tilt_rad) * (x_nm * std::cos(tilt_azimuth_rad) + y_nm * std::sin(tilt_azimuth_rad));
}

TunnelingCurrent TunnelingJunction::current(double x_nm, double y_nm, double z_nm) const {
    return model->current(Vec3(x_nm, y_nm, z_nm - plane_height_nm(x_nm, y_nm)));
}

namespace {

void check_pixels(const LateralPositions& p) {
    const std::size_t n = std::size_t(p.rows) * p.cols;
    if (p.rows <= 0 || p.cols <= 0 || p.x_nm.size() != n || p.y_nm.size() != n)
        invalid_input(fmt::format("pixel positions: {} × {} image with {} x and {} y values", p.rows, p.cols,
                                  p.x_nm.size(), p.y_nm.size()));
}

/// Solves ln|I(z)| = target for one pixel (see constant_current_scan).
double solve_height(const TunnelingJunction& j, double x, double y, double target, double z_start,
                    const ConstantCurrentSettings& s, int row, int col, double* slope_out) {
    // f(z) = ln|I(z)| − target falls with z. Bracket: f(lo) > 0 > f(hi).
    double lo = s.min_height_nm, hi = s.max_height_nm;
    const auto f_at = [&](double z, double* slope) {
        const TunnelingCurrent c = j.current(x, y, z);
        *slope = c.dln_current_dz_per_nm;
        return c.ln_abs_current - target;
    };
    double slope = 0.0;
    double z = std::clamp(z_start, lo, hi);
    double f = f_at(z, &slope);
    for (int it = 0; it < s.max_iterations; ++it) {
        if (std::abs(f) <= s.relative_tolerance) {
            *slope_out = slope;
            return z;
        }
        if (f > 0) lo = z; else hi = z;
        double next = (std::isfinite(slope) && slope < 0.0) ? z - f / slope : 0.5 * (lo + hi);
        // Safeguard: a step that leaves the bracket (or does not move) becomes a bisection.
        if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
        if (hi - lo < 1e-12) break;
        z = next;
        f = f_at(z, &slope);
    }
    if (std::abs(f) <= s.relative_tolerance) {
        *slope_out = slope;
        return z;
    }
    invalid_input(fmt::format("constant current: the setpoint cannot be reached at pixel ({}, {}) between {} and {} nm "
                              "(|ln I/I_set| = {:.3g} at z = {:.4f} nm)",
                              row, col, s.min_height_nm, s.max_height_nm, std::abs(f), z));
}

}  // namespace

ScanImage constant_height_scan(const TunnelingJunction& junction, const LateralPositions& pixels, double height_nm,
                               int threads) {
    check_pixels(pixels);
    if (!std::isfinite(height_nm)) invalid_input("constant height: the height is not finite");
    ScanImage img(pixels.rows, pixels.cols);
#pragma omp parallel for schedule(dynamic) num_threads(std::max(threads, 1))
    for (int r = 0; r < pixels.rows; ++r) {
        for (int c = 0; c < pixels.cols; ++c) {
            const std::size_t k = std::size_t(r) * pixels.cols + c;
            img.at(r, c) = junction.current(pixels.x_nm[k], pixels.y_nm[k], height_nm).current;
        }
    }
    return img;
}

ScanImage constant_current_scan(const TunnelingJunction& junction, const LateralPositions& pixels, double setpoint,
                                double start_height_nm, const ConstantCurrentSettings& settings, int threads) {
    return constant_current_scan(junction, pixels, setpoint, start_height_nm, settings, threads, nullptr);
}

ScanImage constant_current_scan(const TunnelingJunction& junction, const LateralPositions& pixels, double setpoint,
                                double start_height_nm, const ConstantCurrentSettings& settings, int threads,
                                ScanImage* dln_current_dz) {
    check_pixels(pixels);
    if (!(setpoint != 0.0) || !std::isfinite(setpoint)) invalid_input("constant current: the setpoint must be non-zero");
    if (!(settings.min_height_nm < settings.max_height_nm) || !(settings.relative_tolerance > 0))
        invalid_input("constant current: bad solver settings");
    const double target = std::log(std::abs(setpoint));
    ScanImage img(pixels.rows, pixels.cols);
    if (dln_current_dz) *dln_current_dz = ScanImage(pixels.rows, pixels.cols);
    // Errors thrown inside the parallel loop are kept and rethrown after it.
    std::string first_error;
#pragma omp parallel for schedule(dynamic) num_threads(std::max(threads, 1))
    for (int r = 0; r < pixels.rows; ++r) {
        // A row is one unit of work (whatever the thread count): its first pixel starts from the
        // pure-exponential estimate at the start height (one Newton step), every later pixel
        // from the heights already solved in this row (linear extrapolation of the last two).
        for (int c = 0; c < pixels.cols; ++c) {
            const std::size_t k = std::size_t(r) * pixels.cols + c;
            try {
                double z0 = start_height_nm;
                if (c == 0) {
                    const TunnelingCurrent c0 = junction.current(pixels.x_nm[k], pixels.y_nm[k], start_height_nm);
                    if (std::isfinite(c0.ln_abs_current) && c0.dln_current_dz_per_nm < 0)
                        z0 -= (c0.ln_abs_current - target) / c0.dln_current_dz_per_nm;
                } else if (c == 1) {
                    z0 = img.at(r, c - 1);
                } else {
                    z0 = 2.0 * img.at(r, c - 1) - img.at(r, c - 2);
                }
                double slope = 0.0;
                img.at(r, c) = solve_height(junction, pixels.x_nm[k], pixels.y_nm[k], target, z0, settings, r, c, &slope);
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
