// First layer 3x3s2 HWC -> CHW for avx2: conv_hwc2chw_impl.h with a tile of
// 8 output channels x 1 Avx2 vectors of pixels.
#include "kernels/conv_hwc2chw_impl.h"
#include "kernels/vec_avx2.h"

namespace fk::kernels {

void f32_conv_hwc2chw_minmax_ukernel_3x3s2p1c3x8__avx2(size_t in_h, size_t in_w, size_t out_c, const float* input,
                                                   const float* weights, float* output, MinMax c) {
  ConvHwc2Chw3x3S2<8, 1>(Avx2{}, in_h, in_w, out_c, input, weights, output, c);
}

}  // namespace fk::kernels
