#include "synthstm/scan/feedback_scan.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/instrument/pid.hpp"

namespace synthstm {

void FeedbackSettings::validate() const {
    const auto positive = [](double v, const char* name) {
        if (!(v > 0.0) || !std::isfinite(v)) invalid_input(fmt::format("feedback: {} must be positive, got {}", name, v));
    };
    const auto non_negative = [](double v, const char* name) {
        if (!(v >= 0.0) || !std::isfinite(v)) invalid_input(fmt::format("feedback: {} must not be negative, got {}", name, v));
    };
    if (!(setpoint != 0.0) || !std::isfinite(setpoint)) invalid_input("feedback: the setpoint current must be non-zero");
    positive(ideal_gain_nm, "ideal gain");
    non_negative(kp_rel, "kp_rel");
    non_negative(ki_rel, "ki_rel");
    non_negative(kd_rel, "kd_rel");
    if (updates_per_pixel < 1) invalid_input(fmt::format("feedback: updates per pixel must be at least 1, got {}", updates_per_pixel));
    positive(max_step_nm, "max step");
    if (!(min_height_nm < max_height_nm)) invalid_input("feedback: the piezo range is empty");
    if (!(start_height_nm >= min_height_nm && start_height_nm <= max_height_nm))
        invalid_input(fmt::format("feedback: start height {} nm is outside the piezo range", start_height_nm));
    non_negative(noise_rel, "noise_rel");
    non_negative(noise_reference_std, "noise reference std");
    non_negative(local_model_nm, "local model range");
    piezo.validate();
}

FeedbackChannels feedback_scan(const TunnelingJunction& junction, const ScanFrame& frame,
                               const ScanTrajectory& trajectory, const FeedbackSettings& s, RandomStream& noise,
                               const ForwardAnchors& anchors) {
    s.validate();
    frame.validate();
    const int n = frame.pixels;
    if (trajectory.pixels != n) invalid_input("feedback: the trajectory does not match the frame");
    const double dt = frame.line_time_s / (double(n) * s.updates_per_pixel);
    PidGains gains;
    gains.kp = s.kp_rel * s.ideal_gain_nm;
    gains.ki = s.ki_rel * s.ideal_gain_nm / dt;
    gains.kd = s.kd_rel * s.ideal_gain_nm * dt;
    gains.dt_s = dt;
    PidController controller(gains);

    const double calibration = s.piezo.alpha_nm_per_V;
    BoucWenPiezo piezo(s.piezo);
    double voltage = s.start_height_nm / calibration;
    piezo.reset(voltage);
    double z_true = piezo.displacement_nm();
    const double v_min = s.min_height_nm / calibration, v_max = s.max_height_nm / calibration;

    const double target = std::log(std::abs(s.setpoint));
    const double sign = s.setpoint > 0 ? 1.0 : -1.0;
    const double floor = 1e-3 * std::abs(s.setpoint);
    const double sigma = s.noise_rel * s.noise_reference_std;

    const bool anchored = anchors.height_nm != nullptr && anchors.dln_current_dz != nullptr;
    if (anchored && (anchors.height_nm->rows != n || anchors.height_nm->cols != n ||
                     anchors.dln_current_dz->rows != n || anchors.dln_current_dz->cols != n))
        invalid_input("feedback: the forward anchors do not match the frame");
    FeedbackChannels out;
    for (int p = 0; p < 2; ++p) {
        out.z_recorded_nm[p] = ScanImage(n, n);
        out.z_true_nm[p] = ScanImage(n, n);
        out.current[p] = ScanImage(n, n);
    }
    for (int line = 0; line < n; ++line) {
        for (ScanPass pass : {ScanPass::Forward, ScanPass::Backward}) {
            const PassTrajectory& tr = trajectory.pass(pass);
            const int pi = static_cast<int>(pass);
            for (int k = 0; k < n; ++k) {
                const PixelIndex px = scan_pixel(frame, line, pass, k);
                const std::size_t idx = trajectory.index(px.row, px.col);
                const double x = tr.x_nm[idx], y = tr.y_nm[idx];
                // The recorded signals are averaged over the pixel's dwell (the acquisition
                // integrates): the heights after each update and the currents measured.
                double sum_voltage = 0.0, sum_true = 0.0, sum_current = 0.0;
                // The local model ln|I| ≈ ln_a + slope_a (z − z_a) at this pixel (see the header).
                double z_a = std::numeric_limits<double>::quiet_NaN(), ln_a = 0.0, slope_a = 0.0;
                if (anchored && pass == ScanPass::Forward) {
                    z_a = anchors.height_nm->at(px.row, px.col);
                    ln_a = target;
                    slope_a = anchors.dln_current_dz->at(px.row, px.col);
                }
                for (int u = 0; u < s.updates_per_pixel; ++u) {
                    if (!(std::abs(z_true - z_a) <= s.local_model_nm)) {
                        const TunnelingCurrent c = junction.current(x, y, z_true);
                        z_a = z_true;
                        ln_a = c.ln_abs_current;
                        slope_a = std::isfinite(c.dln_current_dz_per_nm) ? c.dln_current_dz_per_nm : 0.0;
                    }
                    const double ln_current = ln_a + slope_a * (z_true - z_a);
                    const double current = std::isfinite(ln_current) ? sign * std::exp(ln_current) : 0.0;
                    const double measured = current + sigma * noise.normal();
                    // A log amplifier sees |I| and saturates near zero.
                    const double magnitude = std::max(sign * measured, floor);
                    const double error = std::log(magnitude) - target;
                    const double dz = std::clamp(controller.update(error), -s.max_step_nm, s.max_step_nm);
                    voltage = std::clamp(voltage + dz / calibration, v_min, v_max);
                    z_true = piezo.drive(voltage);
                    sum_voltage += voltage;
                    sum_true += z_true;
                    sum_current += measured;
                }
                const double inv = 1.0 / s.updates_per_pixel;
                out.z_recorded_nm[pi].at(px.row, px.col) = sum_voltage * inv * calibration;
                out.z_true_nm[pi].at(px.row, px.col) = sum_true * inv;
                out.current[pi].at(px.row, px.col) = sum_current * inv;
            }
        }
    }
    return out;
}

}  // namespace synthstm
