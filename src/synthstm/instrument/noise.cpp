#include "synthstm/instrument/noise.hpp"

#include <cmath>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {
namespace {

double noise_std(double relative_amplitude, double reference_std) {
    if (!std::isfinite(relative_amplitude) || relative_amplitude < 0.0) {
        invalid_input(fmt::format("noise relative_amplitude must be finite and >= 0, got {}", relative_amplitude));
    }
    if (!std::isfinite(reference_std) || reference_std < 0.0) {
        invalid_input(fmt::format("noise reference_std must be finite and >= 0, got {}", reference_std));
    }
    return relative_amplitude * reference_std;
}

}  // namespace

double gaussian_noise(double relative_amplitude, double reference_std, RandomStream& rng) {
    return noise_std(relative_amplitude, reference_std) * rng.normal();
}

void add_gaussian_noise(std::span<double> values, double relative_amplitude, double reference_std,
                        RandomStream& rng) {
    const double sigma = noise_std(relative_amplitude, reference_std);
    for (double& v : values) v += sigma * rng.normal();
}

double standard_deviation(std::span<const double> values) {
    if (values.size() < 2) return 0.0;
    double mean = 0.0;
    for (double v : values) mean += v;
    mean /= static_cast<double>(values.size());
    double sum = 0.0;
    for (double v : values) sum += (v - mean) * (v - mean);
    return std::sqrt(sum / static_cast<double>(values.size()));
}

}  // namespace synthstm
