#include "synthstm/instrument/pid.hpp"

#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {

void PidGains::validate() const {
    const std::pair<const char*, double> gains[] = {{"kp", kp}, {"ki", ki}, {"kd", kd}};
    for (const auto& [name, value] : gains) {
        if (!std::isfinite(value) || value < 0.0) {
            invalid_input(fmt::format("PID gain {} must be finite and >= 0, got {}", name, value));
        }
    }
    if (!std::isfinite(dt_s) || dt_s <= 0.0) invalid_input(fmt::format("PID dt_s must be positive, got {}", dt_s));
}

PidController::PidController(const PidGains& gains) : gains_(gains) { gains_.validate(); }

double PidController::update(double error) {
    integral_ += error * gains_.dt_s;
    const double derivative = has_previous_ ? (error - previous_error_) / gains_.dt_s : 0.0;
    previous_error_ = error;
    has_previous_ = true;
    return gains_.kp * error + gains_.ki * integral_ + gains_.kd * derivative;
}

void PidController::reset() {
    integral_ = 0.0;
    previous_error_ = 0.0;
    has_previous_ = false;
}

}  // namespace synthstm
