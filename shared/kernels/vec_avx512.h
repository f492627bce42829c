// AVX-512F vector traits (16 lanes) for the templated kernels in *_impl.h.
// Include only from *_avx512.cpp (compiled with AVX-512 flags). Avx512Masked
// serves pixel remainders: masked loads never fault, masked stores write only
// the valid lanes, so no scalar tail is needed.
#pragma once
#include <immintrin.h>

#include <cstddef>

#include "kernels/vec_avx2.h"

// GCC 12's _mm512_min_ps/_mm512_max_ps expand through _mm512_undefined_ps and
// warn "__Y is used uninitialized" at every inlining site: a header bug, not ours.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace fk::kernels {
namespace {

struct Avx512 {
  using T = __m512;
  static constexpr size_t N = 16;
  T load(const float* p) const { return _mm512_loadu_ps(p); }
  void store(float* p, T v) const { _mm512_storeu_ps(p, v); }
  T set1(float x) const { return _mm512_set1_ps(x); }
  T fma(T a, T b, T c) const { return _mm512_fmadd_ps(a, b, c); }
  T mul(T a, T b) const { return _mm512_mul_ps(a, b); }
  T add(T a, T b) const { return _mm512_add_ps(a, b); }
  T max(T a, T b) const { return _mm512_max_ps(a, b); }
  T min(T a, T b) const { return _mm512_min_ps(a, b); }
  // n <= 16 lanes; masked-off lanes are neither read (no fault) nor written.
  void store_partial(float* p, T v, size_t n) const {
    _mm512_mask_storeu_ps(p, __mmask16((1u << n) - 1u), v);
  }
  T load_partial(const float* p, size_t n) const { return _mm512_maskz_loadu_ps(__mmask16((1u << n) - 1u), p); }
  void deinterleave(T a, T b, T& even, T& odd) const {
    const __m512i ie = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i io = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    even = _mm512_permutex2var_ps(a, ie, b);
    odd = _mm512_permutex2var_ps(a, io, b);
  }
};

// Same, but every load/store touches only the first n lanes (n < 16).
struct Avx512Masked : Avx512 {
  __mmask16 m;
  explicit Avx512Masked(size_t n) : m(__mmask16((1u << n) - 1u)) {}
  T load(const float* p) const { return _mm512_maskz_loadu_ps(m, p); }
  void store(float* p, T v) const { _mm512_mask_storeu_ps(p, m, v); }
};

// 8-lane ymm vectors with AVX-512VL masked tails: for rows of <= 8 outputs,
// where a 16-lane vector would be half empty.
struct Avx512Ymm : Avx2 {
  void store_partial(float* p, T v, size_t n) const { _mm256_mask_storeu_ps(p, __mmask8((1u << n) - 1u), v); }
  T load_partial(const float* p, size_t n) const { return _mm256_maskz_loadu_ps(__mmask8((1u << n) - 1u), p); }
};

}  // namespace
}  // namespace fk::kernels
