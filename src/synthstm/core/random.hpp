#pragma once
/// Counter-based random streams (Philox 4x32-10): a stream is named by
/// (dataset seed, sample index, purpose) and gives the same numbers whatever the thread count,
/// rank count or resume point, because nothing depends on the order of draws between streams.
#include <cstdint>
#include <string_view>

namespace synthstm {

/// What a stream is used for. Each purpose draws from its own independent stream.
enum class StreamPurpose : std::uint32_t {
    Parameters = 1,
    Defects = 2,
    Tip = 3,
    Instrument = 4,
    Noise = 5,
    LineArtifacts = 6,  ///< line offsets, streaks, lost feedback (instrument/line_artifacts)
    TimeNoise = 7,      ///< 1/f noise and hum of the current (instrument/time_noise)
    TipChange = 8,      ///< whether and where the tip changes mid-scan
    Adsorbates = 9,     ///< where adsorbates sit and how the tip drags them (instrument/adsorbates)
    StepEdge = 10,      ///< whether a step edge crosses the scan, and the upper terrace's defects
    Test = 1000,
};

/// One independent stream of uniform and normal deviates.
class RandomStream {
public:
    /// The stream (seed, sample_index, purpose); sub_stream separates several streams of one purpose.
    RandomStream(std::uint64_t seed, std::uint64_t sample_index, StreamPurpose purpose,
                 std::uint32_t sub_stream = 0);

    /// Uniform on [0, 1) with 53 random bits.
    double uniform();
    /// Uniform on [lo, hi).
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /// Standard normal deviate (the ziggurat method: ~99 % of draws take one 64-bit word and
    /// no transcendental function; the rest a wedge or tail test with one exp or two logs).
    double normal();
    /// Uniform integer in [0, n) without modulo bias; n > 0.
    std::uint64_t below(std::uint64_t n);
    /// Poisson deviate with the given mean (inversion for small means, normal approximation above 500).
    std::uint64_t poisson(double mean);
    /// Raw 64 random bits.
    std::uint64_t bits64();

private:
    std::uint32_t key_[2];
    std::uint32_t counter_[4];
    std::uint32_t block_[4];
    int used_ = 4;
};

}  // namespace synthstm
