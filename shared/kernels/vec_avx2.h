// AVX2+FMA vector traits (8 lanes) for the templated kernels in *_impl.h.
// Include only from *_avx2.cpp. Sse2Vec/ScalarVec (vec_sse2.h, vec_scalar.h)
// cover pixel remainders below 8.
#pragma once
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace fk::kernels {
namespace {

struct Avx2 {
  using T = __m256;
  static constexpr size_t N = 8;
  T load(const float* p) const { return _mm256_loadu_ps(p); }
  void store(float* p, T v) const { _mm256_storeu_ps(p, v); }
  T set1(float x) const { return _mm256_set1_ps(x); }
  T fma(T a, T b, T c) const { return _mm256_fmadd_ps(a, b, c); }
  T mul(T a, T b) const { return _mm256_mul_ps(a, b); }
  T add(T a, T b) const { return _mm256_add_ps(a, b); }
  T max(T a, T b) const { return _mm256_max_ps(a, b); }
  T min(T a, T b) const { return _mm256_min_ps(a, b); }
  // n <= 8 lanes. Loads use vmaskmovps (masked-off lanes are not read, so no
  // fault); stores go through a stack temp because vmaskmovps stores are
  // microcoded and very slow on AMD Zen.
  static __m256i Mask(size_t n) {
    static const int32_t kOnes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kOnes + 8 - n));
  }
  void store_partial(float* p, T v, size_t n) const {
    alignas(32) float tmp[8];
    _mm256_store_ps(tmp, v);
    for (size_t i = 0; i < n; i++) p[i] = tmp[i];
  }
  T load_partial(const float* p, size_t n) const { return _mm256_maskload_ps(p, Mask(n)); }
  void deinterleave(T a, T b, T& even, T& odd) const {
    // shuffle_ps works per 128-bit lane: [a0 a2 b0 b2 | a4 a6 b4 b6]; fix the
    // 64-bit order to [a0 a2 a4 a6 b0 b2 b4 b6].
    const __m256 e = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
    const __m256 o = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
    even = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), _MM_SHUFFLE(3, 1, 2, 0)));
    odd = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(o), _MM_SHUFFLE(3, 1, 2, 0)));
  }
};

}  // namespace
}  // namespace fk::kernels
