// AVX2 + FMA (8 lanes): dot product with 4 accumulators; GEMM with a 4×16 register tile
// (8 accumulators), a 1-row tail for M % 4 and a scalar tail for N % 16.
#include "kernels/f32_blas.h"

#include <immintrin.h>

namespace fk::kernels {


float f32_dot__avx2(const float* a, const float* b, size_t n) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps(), acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 4 * 8 <= n; i += 4 * 8) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
    acc2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 2 * 8), _mm256_loadu_ps(b + i + 2 * 8), acc2);
    acc3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 3 * 8), _mm256_loadu_ps(b + i + 3 * 8), acc3);
  }
  for (; i + 8 <= n; i += 8) acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
  __m256 acc = _mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3));
  alignas(64) float lanes[8];
  _mm256_storeu_ps(lanes, acc);
  float s = 0.f;
  for (int l = 0; l < 8; l++) s += lanes[l];
  for (; i < n; i++) s += a[i] * b[i];
  return s;
}

void f32_gemm__avx2(size_t M, size_t N, size_t K, const float* A, const float* B, float* C) {
  constexpr size_t NR = 2 * 8;
  size_t i = 0;
  for (; i + 4 <= M; i += 4) {
    size_t j = 0;
    for (; j + NR <= N; j += NR) {
      __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
      __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(), c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
      for (size_t k = 0; k < K; k++) {
        const __m256 b0 = _mm256_loadu_ps(B + k * N + j), b1 = _mm256_loadu_ps(B + k * N + j + 8);
        const __m256 a0 = _mm256_set1_ps(A[(i + 0) * K + k]), a1 = _mm256_set1_ps(A[(i + 1) * K + k]);
        const __m256 a2 = _mm256_set1_ps(A[(i + 2) * K + k]), a3 = _mm256_set1_ps(A[(i + 3) * K + k]);
        c00 = _mm256_fmadd_ps(a0, b0, c00); c01 = _mm256_fmadd_ps(a0, b1, c01);
        c10 = _mm256_fmadd_ps(a1, b0, c10); c11 = _mm256_fmadd_ps(a1, b1, c11);
        c20 = _mm256_fmadd_ps(a2, b0, c20); c21 = _mm256_fmadd_ps(a2, b1, c21);
        c30 = _mm256_fmadd_ps(a3, b0, c30); c31 = _mm256_fmadd_ps(a3, b1, c31);
      }
      _mm256_storeu_ps(C + (i + 0) * N + j, c00); _mm256_storeu_ps(C + (i + 0) * N + j + 8, c01);
      _mm256_storeu_ps(C + (i + 1) * N + j, c10); _mm256_storeu_ps(C + (i + 1) * N + j + 8, c11);
      _mm256_storeu_ps(C + (i + 2) * N + j, c20); _mm256_storeu_ps(C + (i + 2) * N + j + 8, c21);
      _mm256_storeu_ps(C + (i + 3) * N + j, c30); _mm256_storeu_ps(C + (i + 3) * N + j + 8, c31);
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
    for (; j + 8 <= N; j += 8) {
      __m256 c = _mm256_setzero_ps();
      for (size_t k = 0; k < K; k++) c = _mm256_fmadd_ps(_mm256_set1_ps(A[i * K + k]), _mm256_loadu_ps(B + k * N + j), c);
      _mm256_storeu_ps(C + i * N + j, c);
    }
    for (; j < N; j++) {
      float s = 0.f;
      for (size_t k = 0; k < K; k++) s += A[i * K + k] * B[k * N + j];
      C[i * N + j] = s;
    }
  }
}

}  // namespace fk::kernels
