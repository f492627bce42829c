#include "kernels/cpu.h"

namespace fk::kernels {

const CpuFeatures& GetCpuFeatures() {
  static const CpuFeatures f = [] {
    CpuFeatures c;
#if defined(__EMSCRIPTEN__)
    c.wasm_simd128 = true;
#elif defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    c.sse2 = __builtin_cpu_supports("sse2");
    c.avx2 = __builtin_cpu_supports("avx2");
    c.fma = __builtin_cpu_supports("fma");
    c.avx512f = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                __builtin_cpu_supports("avx512vl");
#endif
    return c;
  }();
  return f;
}

std::string CpuFeaturesString() {
  const CpuFeatures& c = GetCpuFeatures();
  std::string s;
  auto add = [&](bool on, const char* name) {
    if (!on) return;
    if (!s.empty()) s += ' ';
    s += name;
  };
  add(c.sse2, "sse2");
  add(c.avx2, "avx2");
  add(c.fma, "fma");
  add(c.avx512f, "avx512f");
  add(c.wasm_simd128, "simd128");
  return s.empty() ? "none" : s;
}

}  // namespace fk::kernels
