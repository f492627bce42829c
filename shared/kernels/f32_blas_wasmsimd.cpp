// WebAssembly SIMD128 (4 lanes, mul+add) instances of the f32_blas kernels (f32_blas_impl.h).
#include "kernels/f32_blas.h"
#include "kernels/f32_blas_impl.h"
#include "kernels/vec_wasmsimd.h"

namespace fk::kernels {

float f32_dot__wasmsimd(const float* a, const float* b, size_t n) { return DotImpl(WasmSimd{}, a, b, n); }

void f32_gemm__wasmsimd(size_t M, size_t N, size_t K, const float* A, const float* B, float* C) {
  GemmImpl(WasmSimd{}, M, N, K, A, B, C);
}

void f32_axpy__wasmsimd(size_t n, float a, const float* x, float* y) { AxpyImpl(WasmSimd{}, n, a, x, y); }

}  // namespace fk::kernels
