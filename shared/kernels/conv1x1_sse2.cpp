// SSE2 dense 1x1: 4 output channels x 8 pixels (8 xmm accumulators, mul + add),
// a 4-pixel tile, then single pixels.
#include "kernels/conv1x1_impl.h"
#include "kernels/vec_scalar.h"
#include "kernels/vec_sse2.h"

namespace fk::kernels {

void f32_conv1x1_minmax_ukernel_4x8__sse2(size_t pixels, size_t in_c, size_t out_c, const float* input,
                                          const float* weights, float* output, MinMax c) {
  const size_t i = Conv1x1FullTiles<4, 2>(Sse2{}, pixels, 0, in_c, out_c, input, weights, output, c);
  Conv1x1FullTiles<8, 1>(ScalarVec{}, pixels, i, in_c, out_c, input, weights, output, c);
}

}  // namespace fk::kernels
