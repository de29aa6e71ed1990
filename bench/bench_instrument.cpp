// The instrument's per-update costs in a feedback scan: one white-noise normal, and the 1/f noise
// and hum of wse2-real (64 × 64 pixels, two passes, four updates per pixel: 32 768 updates).
#include <benchmark/benchmark.h>

#include "synthstm/core/random.hpp"
#include "synthstm/instrument/time_noise.hpp"

using namespace synthstm;

namespace {

void BM_RandomNormal(benchmark::State& state) {
    RandomStream rng(7, 0, StreamPurpose::Noise);
    for (auto _ : state) benchmark::DoNotOptimize(rng.normal());
}
BENCHMARK(BM_RandomNormal);

void BM_RandomBits(benchmark::State& state) {
    RandomStream rng(7, 0, StreamPurpose::Noise);
    for (auto _ : state) benchmark::DoNotOptimize(rng.bits64());
}
BENCHMARK(BM_RandomBits);

/// One scan's time noise: pink (0.1) and hum (0.05) relative to the white noise.
void BM_TimeNoiseScan(benchmark::State& state) {
    constexpr int kUpdates = 64 * 64 * 2 * 4;
    const double line_time_s = 0.1, dt = line_time_s / (64.0 * 4.0);
    TimeNoiseSettings settings;
    settings.pink_rel = state.range(0) ? 0.1 : 0.0;
    settings.hum_rel = state.range(1) ? 0.05 : 0.0;
    for (auto _ : state) {
        RandomStream rng(7, 0, StreamPurpose::TimeNoise);
        TimeNoise noise(settings, 1.0, dt, kUpdates * dt, rng);
        double sum = 0.0;
        for (int k = 0; k < kUpdates; ++k) sum += noise.next(k * dt);
        benchmark::DoNotOptimize(sum);
    }
    state.counters["updates_per_s"] = benchmark::Counter(kUpdates, benchmark::Counter::kIsIterationInvariantRate);
}
// Args: pink on, hum on.
BENCHMARK(BM_TimeNoiseScan)->Args({1, 1})->Args({1, 0})->Args({0, 1})->Unit(benchmark::kMillisecond);

}  // namespace
