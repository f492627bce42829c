// What the CPU running this binary supports (x86 natively; fixed in wasm,
// where SIMD128 is validated by the page loader before the module starts).
#pragma once
#include <string>

namespace fk::kernels {

struct CpuFeatures {
  bool sse2 = false, avx2 = false, fma = false, avx512f = false;
  bool wasm_simd128 = false;
};

const CpuFeatures& GetCpuFeatures();
std::string CpuFeaturesString();  // "sse2 avx2 fma avx512f" or "simd128"

}  // namespace fk::kernels
