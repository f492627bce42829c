// Depthwise 3x3 (stride 1 and 2, padding 1, CHW) for sse2: the row-vectorised
// templates of dwconv_impl.h with Sse2 vectors.
#include "kernels/dwconv_impl.h"
#include "kernels/vec_sse2.h"

namespace fk::kernels {

void f32_dwconv2d_chw_minmax_ukernel_3x3p1__sse2(size_t in_h, size_t in_w, size_t channels, const float* input,
                                                const float* weights, float* output, MinMax c) {
  DwConv3x3S1<1>(Sse2{}, in_h, in_w, channels, input, weights, output, c);
}

void f32_dwconv2d_chw_minmax_ukernel_3x3s2p1__sse2(size_t in_h, size_t in_w, size_t channels, const float* input,
                                                  const float* weights, float* output, MinMax c) {
  DwConv3x3S2(Sse2{}, in_h, in_w, channels, input, weights, output, c);
}

}  // namespace fk::kernels
