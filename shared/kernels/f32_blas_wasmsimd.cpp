// WebAssembly SIMD128 (4 lanes; no relaxed-SIMD FMA in this toolchain, so mul+add): dot product with 4 accumulators; GEMM with a 4×8 register tile
// (8 accumulators), a 1-row tail for M % 4 and a scalar tail for N % 8.
#include "kernels/f32_blas.h"

#include <wasm_simd128.h>

namespace fk::kernels {

static inline v128_t MulAdd(v128_t a, v128_t b, v128_t c) { return wasm_f32x4_add(wasm_f32x4_mul(a, b), c); }

float f32_dot__wasmsimd(const float* a, const float* b, size_t n) {
  v128_t acc0 = wasm_f32x4_splat(0.f), acc1 = wasm_f32x4_splat(0.f), acc2 = wasm_f32x4_splat(0.f), acc3 = wasm_f32x4_splat(0.f);
  size_t i = 0;
  for (; i + 4 * 4 <= n; i += 4 * 4) {
    acc0 = MulAdd(wasm_v128_load(a + i), wasm_v128_load(b + i), acc0);
    acc1 = MulAdd(wasm_v128_load(a + i + 4), wasm_v128_load(b + i + 4), acc1);
    acc2 = MulAdd(wasm_v128_load(a + i + 2 * 4), wasm_v128_load(b + i + 2 * 4), acc2);
    acc3 = MulAdd(wasm_v128_load(a + i + 3 * 4), wasm_v128_load(b + i + 3 * 4), acc3);
  }
  for (; i + 4 <= n; i += 4) acc0 = MulAdd(wasm_v128_load(a + i), wasm_v128_load(b + i), acc0);
  v128_t acc = wasm_f32x4_add(wasm_f32x4_add(acc0, acc1), wasm_f32x4_add(acc2, acc3));
  alignas(64) float lanes[4];
  wasm_v128_store(lanes, acc);
  float s = 0.f;
  for (int l = 0; l < 4; l++) s += lanes[l];
  for (; i < n; i++) s += a[i] * b[i];
  return s;
}

void f32_gemm__wasmsimd(size_t M, size_t N, size_t K, const float* A, const float* B, float* C) {
  constexpr size_t NR = 2 * 4;
  size_t i = 0;
  for (; i + 4 <= M; i += 4) {
    size_t j = 0;
    for (; j + NR <= N; j += NR) {
      v128_t c00 = wasm_f32x4_splat(0.f), c01 = wasm_f32x4_splat(0.f), c10 = wasm_f32x4_splat(0.f), c11 = wasm_f32x4_splat(0.f);
      v128_t c20 = wasm_f32x4_splat(0.f), c21 = wasm_f32x4_splat(0.f), c30 = wasm_f32x4_splat(0.f), c31 = wasm_f32x4_splat(0.f);
      for (size_t k = 0; k < K; k++) {
        const v128_t b0 = wasm_v128_load(B + k * N + j), b1 = wasm_v128_load(B + k * N + j + 4);
        const v128_t a0 = wasm_f32x4_splat(A[(i + 0) * K + k]), a1 = wasm_f32x4_splat(A[(i + 1) * K + k]);
        const v128_t a2 = wasm_f32x4_splat(A[(i + 2) * K + k]), a3 = wasm_f32x4_splat(A[(i + 3) * K + k]);
        c00 = MulAdd(a0, b0, c00); c01 = MulAdd(a0, b1, c01);
        c10 = MulAdd(a1, b0, c10); c11 = MulAdd(a1, b1, c11);
        c20 = MulAdd(a2, b0, c20); c21 = MulAdd(a2, b1, c21);
        c30 = MulAdd(a3, b0, c30); c31 = MulAdd(a3, b1, c31);
      }
      wasm_v128_store(C + (i + 0) * N + j, c00); wasm_v128_store(C + (i + 0) * N + j + 4, c01);
      wasm_v128_store(C + (i + 1) * N + j, c10); wasm_v128_store(C + (i + 1) * N + j + 4, c11);
      wasm_v128_store(C + (i + 2) * N + j, c20); wasm_v128_store(C + (i + 2) * N + j + 4, c21);
      wasm_v128_store(C + (i + 3) * N + j, c30); wasm_v128_store(C + (i + 3) * N + j + 4, c31);
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
      v128_t c = wasm_f32x4_splat(0.f);
      for (size_t k = 0; k < K; k++) c = MulAdd(wasm_f32x4_splat(A[i * K + k]), wasm_v128_load(B + k * N + j), c);
      wasm_v128_store(C + i * N + j, c);
    }
    for (; j < N; j++) {
      float s = 0.f;
      for (size_t k = 0; k < K; k++) s += A[i * K + k] * B[k * N + j];
      C[i * N + j] = s;
    }
  }
}

}  // namespace fk::kernels
