// Scalar oracle; compiled with auto-vectorisation off (see cmake/FieldkitDefaults.cmake).
#include "kernels/f32_blas.h"

namespace fk::kernels {

float f32_dot__scalar(const float* a, const float* b, size_t n) {
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;  // four independent chains: fair to the CPU, still scalar
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < n; i++) s0 += a[i] * b[i];
  return (s0 + s1) + (s2 + s3);
}

void f32_gemm__scalar(size_t M, size_t N, size_t K, const float* A, const float* B, float* C) {
  for (size_t i = 0; i < M; i++) {
    float* c = C + i * N;
    for (size_t j = 0; j < N; j++) c[j] = 0.f;
    for (size_t k = 0; k < K; k++) {
      const float a = A[i * K + k];
      const float* b = B + k * N;
      for (size_t j = 0; j < N; j++) c[j] += a * b[j];
    }
  }
}

void f32_axpy__scalar(size_t n, float a, const float* x, float* y) {
  for (size_t i = 0; i < n; i++) y[i] += a * x[i];
}

}  // namespace fk::kernels
