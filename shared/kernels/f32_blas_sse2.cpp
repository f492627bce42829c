// SSE2 (4 lanes; no FMA in SSE2, so mul+add) instances of the f32_blas kernels (f32_blas_impl.h).
#include "kernels/f32_blas.h"
#include "kernels/f32_blas_impl.h"
#include "kernels/vec_sse2.h"

namespace fk::kernels {

float f32_dot__sse2(const float* a, const float* b, size_t n) { return DotImpl(Sse2{}, a, b, n); }

void f32_gemm__sse2(size_t M, size_t N, size_t K, const float* A, const float* B, float* C) {
  GemmImpl(Sse2{}, M, N, K, A, B, C);
}

void f32_axpy__sse2(size_t n, float a, const float* x, float* y) { AxpyImpl(Sse2{}, n, a, x, y); }

}  // namespace fk::kernels
