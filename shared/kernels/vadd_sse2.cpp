// Residual add for sse2: vadd_impl.h with Sse2 vectors.
#include "kernels/vadd_impl.h"
#include "kernels/vec_sse2.h"

namespace fk::kernels {

void f32_vadd_minmax_ukernel__sse2(size_t n, const float* a, const float* b, float* y, MinMax c) {
  VAdd(Sse2{}, n, a, b, y, c);
}

}  // namespace fk::kernels
