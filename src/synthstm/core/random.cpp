#include "synthstm/core/random.hpp"

#include <Random123/philox.h>

#include <bit>
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

namespace {

/// The ziggurat of Marsaglia and Tsang (J. Stat. Softw. 5(8), 2000) for the half-normal
/// f(x) = e^{−x²/2}: 256 layers of equal area v. Layer 0 is the base, [0, x[0]] × [0, f(r)] with
/// x[0] = v/f(r) (it carries the tail beyond r = x[1]); layer i ≥ 1 is [0, x[i]] × [f(x[i]),
/// f(x[i+1])], x[i+1] = f⁻¹(f(x[i]) + v/x[i]); x[256] = 0. A point u·x[i] left of x[i+1] lies
/// under f whatever its height (~99 % of draws: one 64-bit word, a multiply, a compare).
struct Ziggurat {
    static constexpr int kLayers = 256;
    static constexpr double kR = 3.6541528853610088;  // the base's edge for 256 layers (the paper's value)
    double x[kLayers + 1];
    double f[kLayers + 1];
    Ziggurat() {
        const auto density = [](double t) { return std::exp(-0.5 * t * t); };
        // v: the base rectangle plus the tail, ∫_r^∞ f = √(π/2) erfc(r/√2).
        const double v = kR * density(kR) + std::sqrt(std::numbers::pi / 2.0) * std::erfc(kR / std::numbers::sqrt2);
        x[0] = v / density(kR);
        x[1] = kR;
        for (int i = 1; i < kLayers - 1; ++i) x[i + 1] = std::sqrt(-2.0 * std::log(density(x[i]) + v / x[i]));
        x[kLayers] = 0.0;
        for (int i = 0; i <= kLayers; ++i) f[i] = density(x[i]);
    }
};

const Ziggurat& ziggurat() {
    static const Ziggurat table;
    return table;
}

}  // namespace

double RandomStream::normal() {
    const Ziggurat& z = ziggurat();
    for (;;) {
        // One word: layer from bits 0–7, sign from bit 8, the uniform from the top 53 bits.
        const std::uint64_t bits = bits64();
        const int layer = static_cast<int>(bits & 0xff);
        // The sign by setting the sign bit (a branch on a random bit mispredicts half the time).
        const std::uint64_t sign_bit = (bits & 0x100) << 55;
        const double sign = std::bit_cast<double>(std::bit_cast<std::uint64_t>(1.0) | sign_bit);
        const double u = static_cast<double>(bits >> 11) * 0x1.0p-53;
        const double x = u * z.x[layer];
        if (x < z.x[layer + 1]) return std::bit_cast<double>(std::bit_cast<std::uint64_t>(x) | sign_bit);
        if (layer == 0) {
            // The tail beyond r (Marsaglia 1964): r + a with a = −ln(u1)/r, accepted when
            // 2 (−ln u2) > a². 1 − uniform() lies in (0, 1], so the logarithms are finite.
            for (;;) {
                const double a = -std::log(1.0 - uniform()) / Ziggurat::kR;
                const double b = -std::log(1.0 - uniform());
                if (2.0 * b > a * a) return sign * (Ziggurat::kR + a);
            }
        }
        // The wedge between the layer's rectangle and f: a uniform height over it.
        const double y = z.f[layer] + uniform() * (z.f[layer + 1] - z.f[layer]);
        if (y < std::exp(-0.5 * x * x)) return sign * x;
    }
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
