// Residual add for avx2: vadd_impl.h with Avx2 vectors.
#include "kernels/vadd_impl.h"
#include "kernels/vec_avx2.h"

namespace fk::kernels {

void f32_vadd_minmax_ukernel__avx2(size_t n, const float* a, const float* b, float* y, MinMax c) {
  VAdd(Avx2{}, n, a, b, y, c);
}

}  // namespace fk::kernels
