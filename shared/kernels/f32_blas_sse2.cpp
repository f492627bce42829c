// SSE2 (4 lanes; SSE2 has no FMA, so mul+add): dot product with 4 accumulators; GEMM with a 4×8 register tile
// (8 accumulators), a 1-row tail for M % 4 and a scalar tail for N % 8.
#include "kernels/f32_blas.h"

#include <emmintrin.h>

namespace fk::kernels {

static inline __m128 MulAdd(__m128 a, __m128 b, __m128 c) { return _mm_add_ps(_mm_mul_ps(a, b), c); }

float f32_dot__sse2(const float* a, const float* b, size_t n) {
  __m128 acc0 = _mm_setzero_ps(), acc1 = _mm_setzero_ps(), acc2 = _mm_setzero_ps(), acc3 = _mm_setzero_ps();
  size_t i = 0;
  for (; i + 4 * 4 <= n; i += 4 * 4) {
    acc0 = MulAdd(_mm_loadu_ps(a + i), _mm_loadu_ps(b + i), acc0);
    acc1 = MulAdd(_mm_loadu_ps(a + i + 4), _mm_loadu_ps(b + i + 4), acc1);
    acc2 = MulAdd(_mm_loadu_ps(a + i + 2 * 4), _mm_loadu_ps(b + i + 2 * 4), acc2);
    acc3 = MulAdd(_mm_loadu_ps(a + i + 3 * 4), _mm_loadu_ps(b + i + 3 * 4), acc3);
  }
  for (; i + 4 <= n; i += 4) acc0 = MulAdd(_mm_loadu_ps(a + i), _mm_loadu_ps(b + i), acc0);
  __m128 acc = _mm_add_ps(_mm_add_ps(acc0, acc1), _mm_add_ps(acc2, acc3));
  alignas(64) float lanes[4];
  _mm_storeu_ps(lanes, acc);
  float s = 0.f;
  for (int l = 0; l < 4; l++) s += lanes[l];
  for (; i < n; i++) s += a[i] * b[i];
  return s;
}

void f32_gemm__sse2(size_t M, size_t N, size_t K, const float* A, const float* B, float* C) {
  constexpr size_t NR = 2 * 4;
  size_t i = 0;
  for (; i + 4 <= M; i += 4) {
    size_t j = 0;
    for (; j + NR <= N; j += NR) {
      __m128 c00 = _mm_setzero_ps(), c01 = _mm_setzero_ps(), c10 = _mm_setzero_ps(), c11 = _mm_setzero_ps();
      __m128 c20 = _mm_setzero_ps(), c21 = _mm_setzero_ps(), c30 = _mm_setzero_ps(), c31 = _mm_setzero_ps();
      for (size_t k = 0; k < K; k++) {
        const __m128 b0 = _mm_loadu_ps(B + k * N + j), b1 = _mm_loadu_ps(B + k * N + j + 4);
        const __m128 a0 = _mm_set1_ps(A[(i + 0) * K + k]), a1 = _mm_set1_ps(A[(i + 1) * K + k]);
        const __m128 a2 = _mm_set1_ps(A[(i + 2) * K + k]), a3 = _mm_set1_ps(A[(i + 3) * K + k]);
        c00 = MulAdd(a0, b0, c00); c01 = MulAdd(a0, b1, c01);
        c10 = MulAdd(a1, b0, c10); c11 = MulAdd(a1, b1, c11);
        c20 = MulAdd(a2, b0, c20); c21 = MulAdd(a2, b1, c21);
        c30 = MulAdd(a3, b0, c30); c31 = MulAdd(a3, b1, c31);
      }
      _mm_storeu_ps(C + (i + 0) * N + j, c00); _mm_storeu_ps(C + (i + 0) * N + j + 4, c01);
      _mm_storeu_ps(C + (i + 1) * N + j, c10); _mm_storeu_ps(C + (i + 1) * N + j + 4, c11);
      _mm_storeu_ps(C + (i + 2) * N + j, c20); _mm_storeu_ps(C + (i + 2) * N + j + 4, c21);
      _mm_storeu_ps(C + (i + 3) * N + j, c30); _mm_storeu_ps(C + (i + 3) * N + j + 4, c31);
    }
    for (; j < N; j++) {
      for (size_t r = 0; r < 4; r++) {
        float s = 0.f;
        for (size_t k = 0; k < K; k++) s += A[(i + r) * K + k] * B[k * N + j];
        C[(i + r) * N + j] = s;
      }
    }
  }
  for (; i < M; i++) {
    size_t j = 0;
    for (; j + 4 <= N; j += 4) {
      __m128 c = _mm_setzero_ps();
      for (size_t k = 0; k < K; k++) c = MulAdd(_mm_set1_ps(A[i * K + k]), _mm_loadu_ps(B + k * N + j), c);
      _mm_storeu_ps(C + i * N + j, c);
    }
    for (; j < N; j++) {
      float s = 0.f;
      for (size_t k = 0; k < K; k++) s += A[i * K + k] * B[k * N + j];
      C[i * N + j] = s;
    }
  }
}

}  // namespace fk::kernels
