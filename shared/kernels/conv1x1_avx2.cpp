// AVX2+FMA dense 1x1: 4 output channels x 24 pixels (12 ymm accumulators of
// 16 registers), then 16 and 8 pixels, 4 (SSE) and single pixels.
#include "kernels/conv1x1_impl.h"
#include "kernels/vec_avx2.h"
#include "kernels/vec_scalar.h"
#include "kernels/vec_sse2.h"

namespace fk::kernels {

void f32_conv1x1_minmax_ukernel_4x24__avx2(size_t pixels, size_t in_c, size_t out_c, const float* input,
                                           const float* weights, float* output, MinMax c) {
  size_t i = Conv1x1FullTiles<4, 3>(Avx2{}, pixels, 0, in_c, out_c, input, weights, output, c);
  i = Conv1x1FullTiles<4, 1>(Sse2{}, pixels, i, in_c, out_c, input, weights, output, c);
  Conv1x1FullTiles<8, 1>(ScalarVec{}, pixels, i, in_c, out_c, input, weights, output, c);
}

}  // namespace fk::kernels
