#include "synthstm/core/random.hpp"

#include <Random123/philox.h>

#include <cmath>
#include <numbers>

namespace synthstm {

RandomStream::RandomStream(std::uint64_t seed, std::uint64_t sample_index, StreamPurpose purpose,
                           std::uint32_t sub_stream)
    : key_{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)},
      // The counter's upper words name the stream; the lowest word counts blocks within it.
      counter_{0, static_cast<std::uint32_t>(purpose) ^ (sub_stream << 16),
               static_cast<std::uint32_t>(sample_index),
               static_cast<std::uint32_t>(sample_index >> 32)},
      block_{0, 0, 0, 0} {}

std::uint64_t RandomStream::bits64() {
    if (used_ >= 4) {
        r123::Philox4x32 rng;
        const r123::Philox4x32::ctr_type ctr = {{counter_[0], counter_[1], counter_[2], counter_[3]}};
        const r123::Philox4x32::key_type key = {{key_[0], key_[1]}};
        const auto out = rng(ctr, key);
        for (int i = 0; i < 4; ++i) block_[i] = out.v[i];
        ++counter_[0];
        used_ = 0;
    }
    const std::uint64_t hi = block_[used_];
    const std::uint64_t lo = block_[used_ + 1];
    used_ += 2;
    return (hi << 32) | lo;
}

double RandomStream::uniform() { return static_cast<double>(bits64() >> 11) * 0x1.0p-53; }

double RandomStream::normal() {
    if (has_spare_normal_) {
        has_spare_normal_ = false;
        return spare_normal_;
    }
    // 1 - u lies in (0, 1], so the logarithm is finite.
    const double u1 = 1.0 - uniform();
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double phi = 2.0 * std::numbers::pi * u2;
    spare_normal_ = r * std::sin(phi);
    has_spare_normal_ = true;
    return r * std::cos(phi);
}

std::uint64_t RandomStream::below(std::uint64_t n) {
    // Rejection of the incomplete top range removes modulo bias.
    const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % n);
    std::uint64_t x = bits64();
    while (x >= limit) x = bits64();
    return x % n;
}

std::uint64_t RandomStream::poisson(double mean) {
    if (mean <= 0.0) return 0;
    if (mean > 500.0) {
        const double x = std::round(mean + std::sqrt(mean) * normal());
        return x < 0.0 ? 0 : static_cast<std::uint64_t>(x);
    }
    // Inversion by sequential search: exact, and cheap for the defect counts we draw.
    const double u = uniform();
    double p = std::exp(-mean);
    double cumulative = p;
    std::uint64_t k = 0;
    while (u > cumulative && k < 10000) {
        ++k;
        p *= mean / static_cast<double>(k);
        cumulative += p;
    }
    return k;
}

}  // namespace synthstm
