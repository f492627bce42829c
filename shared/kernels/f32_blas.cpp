#include "kernels/f32_blas.h"

#include "kernels/cpu.h"

namespace fk::kernels {

std::vector<F32BlasVariant> F32BlasVariants() {
  std::vector<F32BlasVariant> v;
  v.push_back({"scalar", f32_dot__scalar, f32_gemm__scalar, f32_axpy__scalar});
#if defined(__EMSCRIPTEN__)
  v.push_back({"wasmsimd", f32_dot__wasmsimd, f32_gemm__wasmsimd, f32_axpy__wasmsimd});
#elif defined(__x86_64__)
  const CpuFeatures& cpu = GetCpuFeatures();
  if (cpu.sse2) v.push_back({"sse2", f32_dot__sse2, f32_gemm__sse2, f32_axpy__sse2});
  if (cpu.avx2 && cpu.fma) v.push_back({"avx2", f32_dot__avx2, f32_gemm__avx2, f32_axpy__avx2});
#endif
  return v;
}

F32BlasVariant BestF32Blas() { return F32BlasVariants().back(); }

}  // namespace fk::kernels
