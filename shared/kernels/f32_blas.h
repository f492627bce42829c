// Dense f32 building blocks used by the System micro-benchmark (and anywhere a
// plain dot product or small row-major GEMM is needed), one variant per ISA:
//   f32_dot__<isa>(a, b, n)                 -> sum a[i]*b[i]
//   f32_gemm__<isa>(M, N, K, A, B, C)       -> C[M×N] = A[M×K] · B[K×N], row-major
//   f32_axpy__<isa>(n, a, x, y)             -> y[i] += a * x[i]
// The scalar variants are compiled without auto-vectorisation and serve as
// the oracle in tests. Use BestF32Blas() to get the fastest one this CPU runs.
#pragma once
#include <cstddef>
#include <vector>

namespace fk::kernels {

using F32DotFn = float (*)(const float* a, const float* b, size_t n);
using F32GemmFn = void (*)(size_t M, size_t N, size_t K, const float* A, const float* B, float* C);
using F32AxpyFn = void (*)(size_t n, float a, const float* x, float* y);

float f32_dot__scalar(const float* a, const float* b, size_t n);
void f32_gemm__scalar(size_t M, size_t N, size_t K, const float* A, const float* B, float* C);
void f32_axpy__scalar(size_t n, float a, const float* x, float* y);
#if defined(__EMSCRIPTEN__)
float f32_dot__wasmsimd(const float* a, const float* b, size_t n);
void f32_gemm__wasmsimd(size_t M, size_t N, size_t K, const float* A, const float* B, float* C);
void f32_axpy__wasmsimd(size_t n, float a, const float* x, float* y);
#elif defined(__x86_64__)
float f32_dot__sse2(const float* a, const float* b, size_t n);
void f32_gemm__sse2(size_t M, size_t N, size_t K, const float* A, const float* B, float* C);
void f32_axpy__sse2(size_t n, float a, const float* x, float* y);
float f32_dot__avx2(const float* a, const float* b, size_t n);
void f32_gemm__avx2(size_t M, size_t N, size_t K, const float* A, const float* B, float* C);
void f32_axpy__avx2(size_t n, float a, const float* x, float* y);
#endif

struct F32BlasVariant {
  const char* isa;  // "scalar", "sse2", "avx2", "wasmsimd"
  F32DotFn dot;
  F32GemmFn gemm;
  F32AxpyFn axpy;
};

// Every variant compiled into this binary that this CPU can run, scalar first.
std::vector<F32BlasVariant> F32BlasVariants();
// The last entry of F32BlasVariants(): the widest ISA available.
F32BlasVariant BestF32Blas();

}  // namespace fk::kernels
