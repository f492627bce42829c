// AVX-512 dense 1x1: 8 output channels x 32 pixels (16 zmm accumulators), a
// 16-pixel tile, then one masked tile for the last < 16 pixels.
#include "kernels/conv1x1_impl.h"
#include "kernels/vec_avx512.h"

namespace fk::kernels {

void f32_conv1x1_minmax_ukernel_8x32__avx512(size_t pixels, size_t in_c, size_t out_c, const float* input,
                                             const float* weights, float* output, MinMax c) {
  const size_t i = Conv1x1FullTiles<8, 2>(Avx512{}, pixels, 0, in_c, out_c, input, weights, output, c);
  if (i < pixels)
    Conv1x1PixelTile<8, 1>(Avx512Masked(pixels - i), pixels, i, in_c, out_c, input, weights, output, c);
}

}  // namespace fk::kernels
