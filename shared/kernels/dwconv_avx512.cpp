// Depthwise 3x3 (stride 1 and 2, padding 1, CHW) for AVX-512: the row-vectorised
// templates of dwconv_impl.h, 2 output rows per pass (32 zmm registers hold 10
// broadcast taps, 6 accumulators and the loads). Rows of <= 8 outputs (7x7
// layers) use 8-lane ymm vectors (AVX-512VL masks): a 16-lane vector would be half empty.
#include "kernels/dwconv_impl.h"
#include "kernels/vec_avx512.h"

namespace fk::kernels {

void f32_dwconv2d_chw_minmax_ukernel_3x3p1__avx512(size_t in_h, size_t in_w, size_t channels, const float* input,
                                                  const float* weights, float* output, MinMax c) {
  if (in_w <= 8) DwConv3x3S1<2>(Avx512Ymm{}, in_h, in_w, channels, input, weights, output, c);
  else DwConv3x3S1<2>(Avx512{}, in_h, in_w, channels, input, weights, output, c);
}

void f32_dwconv2d_chw_minmax_ukernel_3x3s2p1__avx512(size_t in_h, size_t in_w, size_t channels,
                                                    const float* input, const float* weights, float* output,
                                                    MinMax c) {
  if ((in_w - 1) / 2 + 1 <= 8) DwConv3x3S2(Avx512Ymm{}, in_h, in_w, channels, input, weights, output, c);
  else DwConv3x3S2(Avx512{}, in_h, in_w, channels, input, weights, output, c);
}

}  // namespace fk::kernels
