#pragma once
/// PID controller on an error signal, for the feedback scan (DESIGN §3.3).
///
/// update(e) returns the correction u = kp e + ki ∫e dt + kd de/dt, with the integral summed as
/// Σ e dt over all updates since reset() (the current one included) and de/dt = (e − e_prev)/dt
/// (0 on the first update after reset). The caller decides what u corrects (in the feedback scan:
/// the z-piezo voltage, added every update) and the sign of the error.

namespace synthstm {

/// Gains and time step of a PID controller.
struct PidGains {
    double kp = 0.0;     ///< proportional gain (correction per unit error), >= 0
    double ki = 0.0;     ///< integral gain (per unit error per second), >= 0
    double kd = 0.0;     ///< derivative gain (per unit error rate), >= 0
    double dt_s = 1e-3;  ///< time between updates, > 0

    /// Throws InvalidInput naming the first bad parameter.
    void validate() const;
};

/// A PID controller with integral and previous-error state.
class PidController {
public:
    /// Validates the gains; the state starts reset.
    explicit PidController(const PidGains& gains);

    /// Takes the current error; returns the correction kp e + ki ∫e dt + kd de/dt.
    double update(double error);
    /// Clears the integral and the previous error.
    void reset();

    /// The integral Σ e dt so far.
    [[nodiscard]] double integral() const { return integral_; }
    /// The gains.
    [[nodiscard]] const PidGains& gains() const { return gains_; }

private:
    PidGains gains_;
    double integral_ = 0.0;
    double previous_error_ = 0.0;
    bool has_previous_ = false;
};

}  // namespace synthstm
