// Residual add for wasmsimd: vadd_impl.h with WasmSimd vectors.
#include "kernels/vadd_impl.h"
#include "kernels/vec_wasmsimd.h"

namespace fk::kernels {

void f32_vadd_minmax_ukernel__wasmsimd(size_t n, const float* a, const float* b, float* y, MinMax c) {
  VAdd(WasmSimd{}, n, a, b, y, c);
}

}  // namespace fk::kernels
