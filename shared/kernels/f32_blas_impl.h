// The dot product and small GEMM of f32_blas.h written once over the vector
// traits (vec_<isa>.h); each f32_blas_<isa>.cpp instantiates them. Dot: four
// accumulators; GEMM: a 4 x 2N register tile (8 accumulators), a 1-row tail
// for M % 4 and scalar tails for the columns.
#pragma once
#include <cstddef>

namespace fk::kernels {
namespace {

template <class V>
float DotImpl(V v, const float* a, const float* b, size_t n) {
  constexpr size_t W = V::N;
  typename V::T acc0 = v.set1(0.f), acc1 = acc0, acc2 = acc0, acc3 = acc0;
  size_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    acc0 = v.fma(v.load(a + i), v.load(b + i), acc0);
    acc1 = v.fma(v.load(a + i + W), v.load(b + i + W), acc1);
    acc2 = v.fma(v.load(a + i + 2 * W), v.load(b + i + 2 * W), acc2);
    acc3 = v.fma(v.load(a + i + 3 * W), v.load(b + i + 3 * W), acc3);
  }
  for (; i + W <= n; i += W) acc0 = v.fma(v.load(a + i), v.load(b + i), acc0);
  alignas(64) float lanes[W];
  v.store(lanes, v.add(v.add(acc0, acc1), v.add(acc2, acc3)));
  float s = 0.f;
  for (size_t l = 0; l < W; l++) s += lanes[l];
  for (; i < n; i++) s += a[i] * b[i];
  return s;
}

template <class V>
void AxpyImpl(V v, size_t n, float a, const float* x, float* y) {
  constexpr size_t W = V::N;
  const typename V::T va = v.set1(a);
  size_t i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    v.store(y + i, v.fma(va, v.load(x + i), v.load(y + i)));
    v.store(y + i + W, v.fma(va, v.load(x + i + W), v.load(y + i + W)));
  }
  for (; i + W <= n; i += W) v.store(y + i, v.fma(va, v.load(x + i), v.load(y + i)));
  for (; i < n; i++) y[i] += a * x[i];
}

inline float DotColumn(const float* A, const float* B, size_t K, size_t N, size_t i, size_t j) {
  float s = 0.f;
  for (size_t k = 0; k < K; k++) s += A[i * K + k] * B[k * N + j];
  return s;
}

template <class V>
void GemmImpl(V v, size_t M, size_t N, size_t K, const float* A, const float* B, float* C) {
  constexpr size_t W = V::N;
  using T = typename V::T;
  size_t i = 0;
  for (; i + 4 <= M; i += 4) {
    size_t j = 0;
    for (; j + 2 * W <= N; j += 2 * W) {
      T c00 = v.set1(0.f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      for (size_t k = 0; k < K; k++) {
        const T b0 = v.load(B + k * N + j), b1 = v.load(B + k * N + j + W);
        const T a0 = v.set1(A[(i + 0) * K + k]), a1 = v.set1(A[(i + 1) * K + k]);
        const T a2 = v.set1(A[(i + 2) * K + k]), a3 = v.set1(A[(i + 3) * K + k]);
        c00 = v.fma(a0, b0, c00), c01 = v.fma(a0, b1, c01);
        c10 = v.fma(a1, b0, c10), c11 = v.fma(a1, b1, c11);
        c20 = v.fma(a2, b0, c20), c21 = v.fma(a2, b1, c21);
        c30 = v.fma(a3, b0, c30), c31 = v.fma(a3, b1, c31);
      }
      v.store(C + (i + 0) * N + j, c00), v.store(C + (i + 0) * N + j + W, c01);
      v.store(C + (i + 1) * N + j, c10), v.store(C + (i + 1) * N + j + W, c11);
      v.store(C + (i + 2) * N + j, c20), v.store(C + (i + 2) * N + j + W, c21);
      v.store(C + (i + 3) * N + j, c30), v.store(C + (i + 3) * N + j + W, c31);
    }
    for (; j < N; j++)
      for (size_t r = 0; r < 4; r++) C[(i + r) * N + j] = DotColumn(A, B, K, N, i + r, j);
  }
  for (; i < M; i++) {
    size_t j = 0;
    for (; j + W <= N; j += W) {
      T c = v.set1(0.f);
      for (size_t k = 0; k < K; k++) c = v.fma(v.set1(A[i * K + k]), v.load(B + k * N + j), c);
      v.store(C + i * N + j, c);
    }
    for (; j < N; j++) C[i * N + j] = DotColumn(A, B, K, N, i, j);
  }
}

}  // namespace
}  // namespace fk::kernels
