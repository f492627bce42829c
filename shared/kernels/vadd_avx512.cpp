// Residual add for avx512: vadd_impl.h with Avx512 vectors.
#include "kernels/vadd_impl.h"
#include "kernels/vec_avx512.h"

namespace fk::kernels {

void f32_vadd_minmax_ukernel__avx512(size_t n, const float* a, const float* b, float* y, MinMax c) {
  VAdd(Avx512{}, n, a, b, y, c);
}

}  // namespace fk::kernels
