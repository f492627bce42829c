// One-lane "vector" traits: lets the SIMD files finish pixel remainders with
// the same templated tile code (no masked loads on SSE2/AVX2/wasm).
#pragma once
#include <cstddef>

namespace fk::kernels {
namespace {

struct ScalarVec {
  using T = float;
  static constexpr size_t N = 1;
  T load(const float* p) const { return *p; }
  void store(float* p, T v) const { *p = v; }
  T set1(float x) const { return x; }
  T fma(T a, T b, T c) const { return a * b + c; }
  T mul(T a, T b) const { return a * b; }
  T add(T a, T b) const { return a + b; }
  T max(T a, T b) const { return a > b ? a : b; }
  T min(T a, T b) const { return a < b ? a : b; }
  void store_partial(float* p, T v, size_t n) const { if (n) *p = v; }
  T load_partial(const float* p, size_t n) const { return n ? *p : 0.f; }
  void deinterleave(T a, T b, T& even, T& odd) const { even = a; odd = b; }
};

}  // namespace
}  // namespace fk::kernels
