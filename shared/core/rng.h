// Seeded, platform-independent random numbers (SplitMix64 + xoshiro128+ style
// mixing): the same seed gives the same weights natively and in wasm, which
// std::uniform_real_distribution does not guarantee across standard libraries.
//
//   fk::Rng rng(42);  float w = rng.Uniform(-1.f, 1.f);  float g = rng.Normal();
#pragma once
#include <cmath>
#include <cstdint>

namespace fk {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0x9E3779B97F4A7C15ull) : state_(seed) {}
  uint64_t NextU64() {  // SplitMix64
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint32_t NextU32() { return uint32_t(NextU64() >> 32); }
  // [0, 1) with 24 bits of mantissa: exact in float.
  float Uniform01() { return float(NextU32() >> 8) * (1.0f / 16777216.0f); }
  float Uniform(float lo, float hi) { return lo + (hi - lo) * Uniform01(); }
  // Integer in [0, n).
  uint32_t Below(uint32_t n) { return uint32_t((uint64_t(NextU32()) * n) >> 32); }
  // Standard normal (Box–Muller; one value per call for simplicity).
  float Normal() {
    float u1 = Uniform01();
    if (u1 < 1e-7f) u1 = 1e-7f;
    const float u2 = Uniform01();
    return std::sqrt(-2.f * std::log(u1)) * std::cos(6.2831853071795864f * u2);
  }

 private:
  uint64_t state_;
};

}  // namespace fk
