// SSE2 vector traits (4 lanes, no FMA: mul + add) for the templated kernels in
// *_impl.h. Include only from *_sse2.cpp or *_avx2.cpp (remainders).
#pragma once
#include <emmintrin.h>

#include <cstddef>

namespace fk::kernels {
namespace {

struct Sse2 {
  using T = __m128;
  static constexpr size_t N = 4;
  T load(const float* p) const { return _mm_loadu_ps(p); }
  void store(float* p, T v) const { _mm_storeu_ps(p, v); }
  T set1(float x) const { return _mm_set1_ps(x); }
  T fma(T a, T b, T c) const { return _mm_add_ps(_mm_mul_ps(a, b), c); }
  T mul(T a, T b) const { return _mm_mul_ps(a, b); }
  T add(T a, T b) const { return _mm_add_ps(a, b); }
  T max(T a, T b) const { return _mm_max_ps(a, b); }
  T min(T a, T b) const { return _mm_min_ps(a, b); }
  // n <= 4 lanes through a stack temp (no masked memory ops in this ISA).
  void store_partial(float* p, T v, size_t n) const {
    alignas(16) float tmp[4];
    _mm_store_ps(tmp, v);
    for (size_t i = 0; i < n; i++) p[i] = tmp[i];
  }
  T load_partial(const float* p, size_t n) const {
    alignas(16) float tmp[4] = {0.f, 0.f, 0.f, 0.f};
    for (size_t i = 0; i < n; i++) tmp[i] = p[i];
    return _mm_load_ps(tmp);
  }
  void deinterleave(T a, T b, T& even, T& odd) const {
    even = _mm_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
    odd = _mm_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
  }
};

}  // namespace
}  // namespace fk::kernels
