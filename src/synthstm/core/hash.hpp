#pragma once
/// A stable 64-bit content hash (FNV-1a) for cache keys: the same inputs give the same key on
/// every run and machine of the same endianness.
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace synthstm {

/// Accumulates values into a 64-bit FNV-1a hash.
class Hasher {
public:
    /// Adds raw bytes.
    Hasher& bytes(const void* data, std::size_t size) {
        const auto* p = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < size; ++i) {
            state_ ^= p[i];
            state_ *= 0x100000001b3ULL;
        }
        return *this;
    }
    /// Adds a number (by its bytes, so 0.1 and 0.1000000001 differ).
    template <typename T>
    Hasher& value(T x) {
        static_assert(std::is_arithmetic_v<T>);
        return bytes(&x, sizeof x);
    }
    /// Adds a string with its length (so "ab"+"c" differs from "a"+"bc").
    Hasher& text(std::string_view s) {
        value(s.size());
        return bytes(s.data(), s.size());
    }
    /// Adds every element of a span of numbers.
    template <typename T>
    Hasher& values(std::span<const T> xs) {
        value(xs.size());
        return bytes(xs.data(), xs.size_bytes());
    }
    /// The hash so far.
    [[nodiscard]] std::uint64_t digest() const { return state_; }
    /// The hash as 16 lower-case hex digits (for file names).
    [[nodiscard]] std::string hex() const;

private:
    std::uint64_t state_ = 0xcbf29ce484222325ULL;
};

}  // namespace synthstm
