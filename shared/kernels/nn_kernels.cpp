// NN kernel tables: one NnKernels per ISA built from kernel_list.inc (scalar
// entries first, so an ISA that omits an op inherits the scalar kernel), the
// best set chosen once from GetCpuFeatures() and logged once to stderr.
#include "kernels/nn_kernels.h"

#include <cmath>
#include <cstdio>
#include <cstring>

#include "kernels/cpu.h"

namespace fk::kernels {
namespace {

NnKernels BuildSet(const char* isa) {
  NnKernels k;
  k.isa = isa;
  // Scalar first (fallback), then the ISA's own entries override.
  for (const char* pass : {"scalar", isa}) {
#define FK_NN_KERNEL(isa_, op, name) \
  if (std::strcmp(#isa_, pass) == 0) k.op = name;
#include "kernels/kernel_list.inc"
#undef FK_NN_KERNEL
  }
  // Names in struct order, resolved by function pointer (the list is the truth).
  auto name_of = [](auto fn) -> std::string {
    std::string found;
#define FK_NN_KERNEL(isa_, op, name) \
  if (reinterpret_cast<void (*)()>(fn) == reinterpret_cast<void (*)()>(&name)) found = #name;
#include "kernels/kernel_list.inc"
#undef FK_NN_KERNEL
    return found;
  };
  k.names = {name_of(k.spmm),    name_of(k.spmm_block2), name_of(k.spmm_block4),
             name_of(k.conv1x1), name_of(k.conv_hwc2chw_3x3s2), name_of(k.dwconv_3x3s1),
             name_of(k.dwconv_3x3s2), name_of(k.gavgpool), name_of(k.fc), name_of(k.add)};
  k.spmm_name = k.names[0];
  k.conv1x1_name = k.names[3];
  return k;
}

// Every set this CPU runs, scalar first, widest last.
const std::vector<NnKernels>& Sets() {
  static const std::vector<NnKernels> sets = [] {
    std::vector<NnKernels> v;
    v.push_back(BuildSet("scalar"));
#if defined(__EMSCRIPTEN__)
    v.push_back(BuildSet("wasmsimd"));
#elif defined(__x86_64__)
    const CpuFeatures& cpu = GetCpuFeatures();
    if (cpu.sse2) v.push_back(BuildSet("sse2"));
    if (cpu.avx2 && cpu.fma) v.push_back(BuildSet("avx2"));
    if (cpu.avx512f) v.push_back(BuildSet("avx512"));  // cpu.avx512f implies BW and VL
#endif
    return v;
  }();
  return sets;
}

}  // namespace

const NnKernels& ScalarNnKernels() { return Sets().front(); }

const NnKernels& BestNnKernels() {
  static const NnKernels& best = [&]() -> const NnKernels& {
    const NnKernels& k = Sets().back();
    std::string list;
    for (const std::string& n : k.names) list += (list.empty() ? "" : ", ") + n;
    std::fprintf(stderr, "fieldkit: nn kernels = %s (%s)\n", k.isa.c_str(), list.c_str());
    return k;
  }();
  return best;
}

std::vector<const NnKernels*> AllNnKernels() {
  std::vector<const NnKernels*> v;
  for (const NnKernels& k : Sets()) v.push_back(&k);
  return v;
}

void Softmax(float* x, size_t n) {
  if (n == 0) return;
  float m = x[0];
  for (size_t i = 1; i < n; i++) m = x[i] > m ? x[i] : m;
  double sum = 0;
  for (size_t i = 0; i < n; i++) {
    x[i] = std::exp(x[i] - m);
    sum += x[i];
  }
  const float inv = float(1.0 / sum);
  for (size_t i = 0; i < n; i++) x[i] *= inv;
}

}  // namespace fk::kernels
