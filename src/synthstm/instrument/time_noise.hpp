#pragma once
/// Time-correlated noise on the measured current, besides the white noise of noise.hpp:
/// - 1/f ("pink") noise, the sum of AR(1) processes with corner frequencies one octave apart
///   from f_min to f_max, each of unit variance: their Lorentzian spectra add up to a spectral
///   density ∝ 1/f between the corners (ripple below 1 dB);
/// - mains hum, a sine at a given frequency with a random phase.
/// Both run in the time of the scan (one value per feedback update, in time order, continuous
/// across lines), so the pink noise shows as slow bands along the slow axis and the hum as
/// stripes whose angle follows from the line time.
#include <span>
#include <vector>

#include "synthstm/core/random.hpp"

namespace synthstm {

/// One ARMA filter whose output has the spectrum of a sum of independent unit-variance AR(1)
/// processes x_t = a_j x_{t−1} + √(1 − a_j²) e_t (0 ≤ a_j < 1, distinct):
///   y_t = −Σ_{k=1..K} ar_k y_{t−k} + gain Σ_{m=0..K−1} ma_m e_{t−m},  ar_0 = ma_0 = 1,
/// driven by one normal per sample instead of K. ar = Π_j (1 − a_j q⁻¹); ma by spectral
/// factorisation of the numerator Σ_j (1 − a_j²) Π_{k≠j} (1 − a_k z⁻¹)(1 − a_k z): its roots come
/// in pairs b, 1/b, and the K − 1 inside the unit circle are ma's.
struct OctaveFilter {
    std::vector<double> ar;  ///< ar_0 … ar_K
    std::vector<double> ma;  ///< ma_0 … ma_{K−1}
    double gain = 1.0;
};
/// Throws InvalidInput unless every a lies in [0, 1) and they are distinct.
OctaveFilter octave_filter(std::span<const double> a);

/// Unit-variance 1/f noise sampled every dt_s.
class PinkNoise {
public:
    /// Octaves from f_min_Hz up to at most f_max_Hz (at least one); 0 < f_min ≤ f_max, dt > 0.
    PinkNoise(double dt_s, double f_min_Hz, double f_max_Hz, RandomStream& rng);
    /// The next sample. Octave j moves every p_j samples (p_j a power of two, p_j dt at most
    /// 1/(kUpdatesPerCorner f_j)), by its exact AR(1) step over p_j dt, and holds in between:
    /// an octave far below the sampling rate needs no normal per sample. The octaves that move
    /// every sample are one OctaveFilter (the same spectrum, one normal), so a sample draws about
    /// two normals instead of one per octave (the filter's first, then the held octaves due).
    double next(RandomStream& rng);
    /// Number of octaves.
    [[nodiscard]] int octaves() const { return static_cast<int>(decay_.size() + fast_); }
    /// Updates per period of an octave's corner frequency, at least.
    static constexpr double kUpdatesPerCorner = 32.0;

private:
    double filter_next(RandomStream& rng);
    int fast_ = 0;                ///< octaves in the filter
    OctaveFilter filter_;
    std::vector<double> filter_state_;  ///< transposed direct form II state (K values)
    // The held octaves (p_j > 1):
    std::vector<double> decay_;   ///< a_j^{p_j}, a_j = exp(−2π f_j dt)
    std::vector<double> drive_;   ///< √(1 − a_j^{2 p_j})
    std::vector<long> period_;    ///< p_j (a power of two: step & (p_j − 1) tests a multiple)
    std::vector<double> state_;   ///< x_j, each stationary N(0, 1)
    long step_ = 0;               ///< samples so far
    double norm_ = 1.0;           ///< 1/√octaves
};

/// Pink noise and hum of a scan, relative to a reference std (that of the white noise).
struct TimeNoiseSettings {
    double pink_rel = 0.0;           ///< std of the 1/f noise / reference std
    double hum_rel = 0.0;            ///< amplitude of the hum / reference std
    double hum_frequency_Hz = 50.0;  ///< mains frequency

    /// Throws InvalidInput naming the first bad value.
    void validate() const;
    /// Whether anything is added.
    [[nodiscard]] bool active() const { return pink_rel > 0.0 || hum_rel > 0.0; }
};

/// The sum of both, sampled every dt_s over a scan of total_s: pink noise from 1/total_s up to
/// the Nyquist frequency 1/(2 dt_s). Draws: the hum phase, the held octaves' starting states,
/// the filter's run-in, then per sample the filter's normal and those of the held octaves due
/// (none when pink_rel = 0).
class TimeNoise {
public:
    TimeNoise(const TimeNoiseSettings& settings, double reference_std, double dt_s, double total_s, RandomStream& rng);
    /// The noise at time t_s (call in time order, once per sample: t_s = k dt_s).
    double next(double t_s);

private:
    TimeNoiseSettings settings_;
    double reference_std_;
    double phase_rad_;
    RandomStream* rng_;
    PinkNoise pink_;
    // The hum's phasor e^{i(ωt + φ)}, turned by e^{iω dt} from one sample to the next and set
    // afresh from t every kHumResync samples (the turns' rounding stays below 1e-13).
    static constexpr int kHumResync = 256;
    double hum_cos_ = 1.0, hum_sin_ = 0.0, turn_cos_ = 1.0, turn_sin_ = 0.0;
    long hum_samples_ = 0;
};

}  // namespace synthstm
