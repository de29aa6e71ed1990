#include "synthstm/scan/feedback_scan.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/instrument/pid.hpp"

namespace synthstm {

namespace {

/// ln|I(z)| at one pixel from the last two exact points there: cubic Hermite between them (and
/// up to δ beyond) when they are at most kSpanNm apart, else linear within δ of the nearer one.
/// The Hermite error is at most max|d⁴ ln I/dz⁴| h⁴/384 for points h apart, below 1e-6 for
/// h ≤ 0.1 nm; the linear one ½ max|d² ln I/dz²| δ². A controller that rings between two
/// heights (K_p above twice the ideal gain) then costs two evaluations per pixel, not one per update.
class PixelLnCurrent {
public:
    explicit PixelLnCurrent(double delta_nm) : delta_(delta_nm) {}

    /// Adds an exact point (a non-finite value or slope is not kept).
    void add(double z, double ln, double slope) {
        if (!std::isfinite(ln) || !std::isfinite(slope)) return;
        older_ = newer_;
        newer_ = {z, ln, slope};
        count_ = std::min(count_ + 1, 2);
    }

    /// *ln = the model at z; false when z is outside what the points cover.
    bool at(double z, double* ln) const {
        if (count_ == 0 || delta_ <= 0.0) return false;
        if (count_ == 2) {
            const double lo = std::min(older_.z, newer_.z), hi = std::max(older_.z, newer_.z);
            const double h = newer_.z - older_.z;
            if (h != 0.0 && hi - lo <= kSpanNm && z >= lo - delta_ && z <= hi + delta_) {
                const double t = (z - older_.z) / h, t2 = t * t, t3 = t2 * t;
                *ln = (2 * t3 - 3 * t2 + 1) * older_.ln + (t3 - 2 * t2 + t) * h * older_.slope +
                      (-2 * t3 + 3 * t2) * newer_.ln + (t3 - t2) * h * newer_.slope;
                return true;
            }
        }
        for (const Point* p : {&newer_, &older_}) {
            if (p == &older_ && count_ < 2) break;
            if (std::abs(z - p->z) <= delta_) {
                *ln = p->ln + p->slope * (z - p->z);
                return true;
            }
        }
        return false;
    }

private:
    static constexpr double kSpanNm = 0.1;
    struct Point {
        double z = 0.0, ln = 0.0, slope = 0.0;
    };
    double delta_;
    Point newer_, older_;
    int count_ = 0;
};

}  // namespace

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
    time_noise.validate();
    piezo.validate();
}

FeedbackChannels feedback_scan(const TunnelingJunction& junction, const ScanFrame& frame,
                               const ScanTrajectory& trajectory, const FeedbackSettings& s, RandomStream& noise,
                               const ForwardAnchors& anchors, const ScanEvents& events) {
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
    std::optional<TimeNoise> time_noise;
    if (s.time_noise.active()) {
        if (events.time_noise == nullptr) invalid_input("feedback: 1/f noise or hum needs a random stream");
        time_noise.emplace(s.time_noise, s.noise_reference_std, dt, 2.0 * n * frame.line_time_s, *events.time_noise);
    }
    const bool changes = events.changed_junction != nullptr && events.change_line >= 0;
    std::int64_t update_index = 0;  // in time order over the whole scan

    FeedbackChannels out;
    for (int p = 0; p < 2; ++p) {
        out.z_recorded_nm[p] = ScanImage(n, n);
        out.z_true_nm[p] = ScanImage(n, n);
        out.current[p] = ScanImage(n, n);
    }
    for (int line = 0; line < n; ++line) {
        const bool changed = changes && line >= events.change_line;
        const TunnelingJunction& here = changed ? *events.changed_junction : junction;
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
                // The local model of ln|I(z)| at this pixel (see the header).
                PixelLnCurrent model(s.local_model_nm);
                if (anchored && !changed && pass == ScanPass::Forward)
                    model.add(anchors.height_nm->at(px.row, px.col), target, anchors.dln_current_dz->at(px.row, px.col));
                for (int u = 0; u < s.updates_per_pixel; ++u) {
                    double ln_current = 0.0;
                    if (!model.at(z_true, &ln_current)) {
                        // The recorded current needs image precision only (its noise is far larger).
                        const TunnelingCurrent c = here.image_current(x, y, z_true);
                        ln_current = c.ln_abs_current;
                        model.add(z_true, c.ln_abs_current, c.dln_current_dz_per_nm);
                    }
                    const double current = std::isfinite(ln_current) ? sign * std::exp(ln_current) : 0.0;
                    double measured = current + sigma * noise.normal();
                    if (time_noise) measured += time_noise->next(double(update_index) * dt);
                    ++update_index;
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
