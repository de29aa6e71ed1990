#pragma once
/// The feedback scan of DESIGN §3.3, pixel by pixel in time: a PID controller on the log of the
/// measured current drives the z-piezo voltage, the piezo (Bouc–Wen) turns it into the true apex
/// height, the recorded topography is voltage × nominal calibration. Lines are scanned forward
/// then backward; the slow axis steps once per line; the piezo and controller state persist
/// through the whole scan. Sequential by nature (every update depends on the one before).
///
/// Per update, at the pixel's true lateral position (x, y) (ScanTrajectory):
///   I_meas = I(x, y, z_true) + σ n,  n ~ N(0, 1),  σ = noise_rel · noise_reference_std
///   (|I_meas| is floored at 1e-3 |I_set| with the sign of I_set: a log amplifier saturates)
///   e = ln|I_meas| − ln|I_set|,  Δz = PID(e)  (e > 0: too much current, retract)
///   Δz clamped to ±max_step_nm (slew rate of the z amplifier),
///   V ← V + Δz / calibration, V clamped to the piezo range,  z_true = piezo.drive(V).
/// Gains are relative to the ideal gain g0 = 1/|d ln I/dz| at the setpoint (one update then
/// cancels the error of a pure exponential): kp = kp_rel g0, ki = ki_rel g0 / dt (ki_rel = 1 adds
/// g0 e per update through the integral), kd = kd_rel g0 dt, dt = line_time / (N · updates).
/// Within a pixel the lateral position is fixed, so ln|I(z)| is taken linear in z around the
/// last exact evaluation at that pixel while the apex stays within local_model_nm of it: the
/// error is at most ½ max|d² ln I/dz²| δ² (about 1e-4 for δ = 0.01 nm; tests/scan measures it),
/// far below the noise, and most updates then cost no pair sum. Forward-pass pixels may start
/// from the constant-current solution at the same positions (ln|I| = ln|I_set| there exactly).
/// Each pixel records the mean over its updates (heights after each update, currents measured),
/// as an acquisition that integrates over the dwell: a gain above 2 g0 then shows as the mean of
/// its limit cycle plus ringing, not as one extreme of the cycle.
#include <array>

#include "synthstm/core/random.hpp"
#include "synthstm/instrument/bouc_wen.hpp"
#include "synthstm/instrument/lateral.hpp"
#include "synthstm/instrument/time_noise.hpp"
#include "synthstm/scan/scan_image.hpp"

namespace synthstm {

/// Controller, piezo and noise of a feedback scan.
struct FeedbackSettings {
    double setpoint = 0.0;              ///< I_set (sign of the bias)
    double ideal_gain_nm = 0.05;        ///< g0 = 1/|d ln I/dz| at the setpoint, nm
    double kp_rel = 1.0;                ///< proportional gain / g0
    double ki_rel = 0.0;                ///< integral gain / g0 (per update)
    double kd_rel = 0.0;                ///< derivative gain / g0
    int updates_per_pixel = 4;          ///< controller updates per pixel
    double start_height_nm = 0.5;       ///< apex height before the first update
    double max_step_nm = 0.05;          ///< largest height change per update
    double min_height_nm = -0.3;        ///< lower end of the piezo range (the apex may dip into a vacancy)
    double max_height_nm = 3.0;         ///< upper end of the piezo range
    BoucWenParameters piezo;            ///< z-piezo; its alpha_nm_per_V is the nominal calibration
    double noise_rel = 0.0;             ///< current noise std relative to noise_reference_std
    double noise_reference_std = 0.0;   ///< e.g. the std of the constant-height current image
    double local_model_nm = 0.01;       ///< δ of the linear ln I(z) model within a pixel; 0: every update exact
    TimeNoiseSettings time_noise;       ///< 1/f noise and hum, relative to noise_reference_std (off by default)

    /// Throws InvalidInput naming the first bad value.
    void validate() const;
};

/// The channels of a feedback scan, each indexed by ScanPass (forward, backward).
struct FeedbackChannels {
    std::array<ScanImage, 2> z_recorded_nm;  ///< commanded voltage × nominal calibration, mean over the pixel's updates
    std::array<ScanImage, 2> z_true_nm;      ///< piezo output (the true apex height), mean over the pixel's updates
    std::array<ScanImage, 2> current;        ///< measured current, mean over the pixel's updates
};

/// Exact points of ln|I(z)| already known at the forward pass's pixels: the constant-current
/// heights (where |I| = |I_set|) and d ln|I|/dz there, images indexed like the trajectory.
struct ForwardAnchors {
    const ScanImage* height_nm = nullptr;       ///< constant-current height of each pixel
    const ScanImage* dln_current_dz = nullptr;  ///< d ln|I|/dz at that height
};

/// Events during a scan beyond the stationary model (all off by default).
struct ScanEvents {
    /// Stream of the 1/f noise and hum (settings.time_noise); required when that is active.
    /// The update at time t (t = dt · (update index in time order), continuous across lines and
    /// passes) adds TimeNoise::next(t) to the measured current.
    RandomStream* time_noise = nullptr;
    /// A tip change: from line `change_line` (time order) on, the current is that of this
    /// junction (another apex); the controller, setpoint and piezo carry on.
    const TunnelingJunction* changed_junction = nullptr;
    int change_line = -1;  ///< first line scanned with the changed junction; < 0: no change
};

/// Runs the scan over the frame's pixels in time order at the trajectory's true positions.
/// noise draws come from `noise` in time order. anchors (optional) must belong to the same
/// junction, setpoint and forward positions (they are not used after a tip change).
FeedbackChannels feedback_scan(const TunnelingJunction& junction, const ScanFrame& frame,
                               const ScanTrajectory& trajectory, const FeedbackSettings& settings,
                               RandomStream& noise, const ForwardAnchors& anchors = {},
                               const ScanEvents& events = {});

}  // namespace synthstm
