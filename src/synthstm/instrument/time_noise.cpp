#include "synthstm/instrument/time_noise.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>

#include <Eigen/Dense>
#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {

OctaveFilter octave_filter(std::span<const double> a) {
    const int k = static_cast<int>(a.size());
    if (k < 1) invalid_input("octave filter: no octaves");
    for (int j = 0; j < k; ++j) {
        if (!(a[j] >= 0.0 && a[j] < 1.0)) invalid_input(fmt::format("octave filter: decay {} is not in [0, 1)", a[j]));
        for (int i = 0; i < j; ++i)
            if (a[i] == a[j]) invalid_input(fmt::format("octave filter: decay {} appears twice", a[j]));
    }
    // Polynomials by coefficients of increasing power.
    using Poly = std::vector<double>;
    const auto times = [](const Poly& p, const Poly& q) {
        Poly r(p.size() + q.size() - 1, 0.0);
        for (std::size_t i = 0; i < p.size(); ++i)
            for (std::size_t j = 0; j < q.size(); ++j) r[i + j] += p[i] * q[j];
        return r;
    };
    OctaveFilter f;
    // ar(q⁻¹) = Π (1 − a_j q⁻¹): coefficients of q^{−n}.
    f.ar = {1.0};
    for (double aj : a) f.ar = times(f.ar, {1.0, -aj});
    // P(z) = Σ_j (1 − a_j²) Π_{k≠j} (z − a_k)(1 − a_k z), degree 2(K − 1) in z.
    Poly numerator(static_cast<std::size_t>(2 * (k - 1) + 1), 0.0);
    for (int j = 0; j < k; ++j) {
        Poly term = {1.0 - a[j] * a[j]};
        for (int i = 0; i < k; ++i)
            if (i != j) term = times(term, times({-a[i], 1.0}, {1.0, -a[i]}));
        for (std::size_t n = 0; n < term.size(); ++n) numerator[n] += term[n];
    }
    std::vector<std::complex<double>> inside;  // the roots b with |b| < 1
    if (k > 1) {
        // Roots as the eigenvalues of the companion matrix.
        const int degree = 2 * (k - 1);
        Eigen::MatrixXd companion = Eigen::MatrixXd::Zero(degree, degree);
        for (int n = 0; n < degree; ++n) companion(0, n) = -numerator[static_cast<std::size_t>(degree - 1 - n)] / numerator.back();
        for (int n = 1; n < degree; ++n) companion(n, n - 1) = 1.0;
        const Eigen::VectorXcd roots = Eigen::EigenSolver<Eigen::MatrixXd>(companion, false).eigenvalues();
        for (Eigen::Index n = 0; n < roots.size(); ++n)
            if (std::abs(roots(n)) < 1.0) inside.push_back(roots(n));
        if (static_cast<int>(inside.size()) != k - 1)
            invalid_input(fmt::format("octave filter: {} of {} spectral roots inside the unit circle", inside.size(), k - 1));
    }
    // ma(q⁻¹) = Π (1 − b q⁻¹) (real: complex roots come in conjugate pairs).
    std::vector<std::complex<double>> ma = {1.0};
    for (const auto& b : inside) {
        std::vector<std::complex<double>> next(ma.size() + 1, 0.0);
        for (std::size_t n = 0; n < ma.size(); ++n) next[n] += ma[n], next[n + 1] -= b * ma[n];
        ma = next;
    }
    for (const auto& c : ma) f.ma.push_back(c.real());
    // P(z) = gain² Π (z − b)(1 − b z): at z = 1, P(1) = gain² ma(1)².
    double p1 = 0.0, ma1 = 0.0;
    for (double c : numerator) p1 += c;
    for (double c : f.ma) ma1 += c;
    f.gain = std::sqrt(p1) / std::abs(ma1);
    return f;
}

PinkNoise::PinkNoise(double dt_s, double f_min_Hz, double f_max_Hz, RandomStream& rng) {
    if (!(dt_s > 0.0) || !(f_min_Hz > 0.0) || !(f_max_Hz >= f_min_Hz) || !std::isfinite(f_max_Hz))
        invalid_input(fmt::format("pink noise: need dt > 0 and 0 < f_min <= f_max, got dt {} s, f {} – {} Hz", dt_s,
                                  f_min_Hz, f_max_Hz));
    std::vector<double> fast;  // decays of the octaves that move every sample
    bool any = false;
    for (double f = f_min_Hz; f <= f_max_Hz * (1.0 + 1e-12) || !any; f *= 2.0) {
        any = true;
        long period = 1;
        while (period < (1L << 40) && 2.0 * period * dt_s * kUpdatesPerCorner * f <= 1.0) period *= 2;
        const double a = std::exp(-2.0 * std::numbers::pi * f * dt_s * static_cast<double>(period));
        if (period == 1) {
            fast.push_back(a);
            continue;
        }
        decay_.push_back(a);
        drive_.push_back(std::sqrt(1.0 - a * a));
        period_.push_back(period);
        state_.push_back(rng.normal());
    }
    fast_ = static_cast<int>(fast.size());
    if (fast_ > 0) {
        filter_ = octave_filter(fast);
        filter_state_.assign(static_cast<std::size_t>(fast_), 0.0);
        // Into its stationary state: the slowest pole decays by e^{−40} over the run-in.
        const double slowest = *std::max_element(fast.begin(), fast.end());
        const int run_in = static_cast<int>(std::ceil(40.0 / (1.0 - slowest)));
        for (int n = 0; n < run_in; ++n) filter_next(rng);
    }
    norm_ = 1.0 / std::sqrt(static_cast<double>(octaves()));
}

double PinkNoise::filter_next(RandomStream& rng) {
    // Transposed direct form II: y = g ma_0 e + s_0; s_k = g ma_{k+1} e + s_{k+1} − ar_{k+1} y.
    const double e = filter_.gain * rng.normal();
    const auto k = static_cast<std::size_t>(fast_);
    const double y = filter_.ma[0] * e + filter_state_[0];
    for (std::size_t n = 0; n < k; ++n) {
        const double ma = n + 1 < k ? filter_.ma[n + 1] : 0.0;
        const double carry = n + 1 < k ? filter_state_[n + 1] : 0.0;
        filter_state_[n] = ma * e + carry - filter_.ar[n + 1] * y;
    }
    return y;
}

double PinkNoise::next(RandomStream& rng) {
    double sum = fast_ > 0 ? filter_next(rng) : 0.0;
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
    // Unused: one held octave (one draw, no filter and its run-in; next() is never called).
    const double held_Hz = 1.0 / (4.0 * PinkNoise::kUpdatesPerCorner * dt_s);
    return used ? PinkNoise(dt_s, 1.0 / total_s, 0.5 / dt_s, rng) : PinkNoise(dt_s, held_Hz, held_Hz, rng);
}
}  // namespace

TimeNoise::TimeNoise(const TimeNoiseSettings& settings, double reference_std, double dt_s, double total_s,
                     RandomStream& rng)
    : settings_(settings), reference_std_(reference_std), phase_rad_((settings.validate(), rng.uniform(0.0, 2.0 * std::numbers::pi))),
      rng_(&rng), pink_(make_pink(dt_s, total_s, rng, settings.pink_rel > 0.0)) {
    if (!(reference_std >= 0.0) || !std::isfinite(reference_std))
        invalid_input(fmt::format("time noise: the reference std must not be negative, got {}", reference_std));
    const double turn = 2.0 * std::numbers::pi * settings_.hum_frequency_Hz * dt_s;
    turn_cos_ = std::cos(turn), turn_sin_ = std::sin(turn);
}

double TimeNoise::next(double t_s) {
    double v = 0.0;
    if (settings_.pink_rel > 0.0) v += settings_.pink_rel * pink_.next(*rng_);
    if (settings_.hum_rel > 0.0) {
        if (hum_samples_++ % kHumResync == 0) {
            const double phase = 2.0 * std::numbers::pi * settings_.hum_frequency_Hz * t_s + phase_rad_;
            hum_cos_ = std::cos(phase), hum_sin_ = std::sin(phase);
        } else {
            const double c = hum_cos_ * turn_cos_ - hum_sin_ * turn_sin_;
            hum_sin_ = hum_sin_ * turn_cos_ + hum_cos_ * turn_sin_;
            hum_cos_ = c;
        }
        v += settings_.hum_rel * hum_sin_;
    }
    return reference_std_ * v;
}

}  // namespace synthstm
