#include "synthstm/instrument/time_noise.hpp"

#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {

PinkNoise::PinkNoise(double dt_s, double f_min_Hz, double f_max_Hz, RandomStream& rng) {
    if (!(dt_s > 0.0) || !(f_min_Hz > 0.0) || !(f_max_Hz >= f_min_Hz) || !std::isfinite(f_max_Hz))
        invalid_input(fmt::format("pink noise: need dt > 0 and 0 < f_min <= f_max, got dt {} s, f {} – {} Hz", dt_s,
                                  f_min_Hz, f_max_Hz));
    for (double f = f_min_Hz; f <= f_max_Hz * (1.0 + 1e-12) || decay_.empty(); f *= 2.0) {
        long period = 1;
        while (period < (1L << 40) && 2.0 * period * dt_s * kUpdatesPerCorner * f <= 1.0) period *= 2;
        const double a = std::exp(-2.0 * std::numbers::pi * f * dt_s * static_cast<double>(period));
        decay_.push_back(a);
        drive_.push_back(std::sqrt(1.0 - a * a));
        period_.push_back(period);
        state_.push_back(rng.normal());
    }
    norm_ = 1.0 / std::sqrt(static_cast<double>(decay_.size()));
}

double PinkNoise::next(RandomStream& rng) {
    double sum = 0.0;
    ++step_;
    for (std::size_t j = 0; j < state_.size(); ++j) {
        if ((step_ & (period_[j] - 1)) == 0) state_[j] = decay_[j] * state_[j] + drive_[j] * rng.normal();
        sum += state_[j];
    }
    return norm_ * sum;
}

void TimeNoiseSettings::validate() const {
    if (!(pink_rel >= 0.0) || !std::isfinite(pink_rel))
        invalid_input(fmt::format("time noise: noise_pink_rel must not be negative, got {}", pink_rel));
    if (!(hum_rel >= 0.0) || !std::isfinite(hum_rel))
        invalid_input(fmt::format("time noise: noise_hum_rel must not be negative, got {}", hum_rel));
    if (!(hum_frequency_Hz > 0.0) || !std::isfinite(hum_frequency_Hz))
        invalid_input(fmt::format("time noise: hum_frequency_Hz must be positive, got {}", hum_frequency_Hz));
}

namespace {
PinkNoise make_pink(double dt_s, double total_s, RandomStream& rng, bool used) {
    if (!(total_s > 0.0)) invalid_input(fmt::format("time noise: the scan duration must be positive, got {}", total_s));
    // Unused: one octave and no further draws (next() is never called).
    return used ? PinkNoise(dt_s, 1.0 / total_s, 0.5 / dt_s, rng) : PinkNoise(dt_s, 1.0, 1.0, rng);
}
}  // namespace

TimeNoise::TimeNoise(const TimeNoiseSettings& settings, double reference_std, double dt_s, double total_s,
                     RandomStream& rng)
    : settings_(settings), reference_std_(reference_std), phase_rad_((settings.validate(), rng.uniform(0.0, 2.0 * std::numbers::pi))),
      rng_(&rng), pink_(make_pink(dt_s, total_s, rng, settings.pink_rel > 0.0)) {
    if (!(reference_std >= 0.0) || !std::isfinite(reference_std))
        invalid_input(fmt::format("time noise: the reference std must not be negative, got {}", reference_std));
}

double TimeNoise::next(double t_s) {
    double v = 0.0;
    if (settings_.pink_rel > 0.0) v += settings_.pink_rel * pink_.next(*rng_);
    if (settings_.hum_rel > 0.0)
        v += settings_.hum_rel * std::sin(2.0 * std::numbers::pi * settings_.hum_frequency_Hz * t_s + phase_rad_);
    return reference_std_ * v;
}

}  // namespace synthstm
