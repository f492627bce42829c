// Scalar reference for the dense 1x1 convolution over the 8-channel-block
// packed weights (PackConv1x1Weights); plain loops, the oracle in tests.
#include "kernels/nn_kernels.h"

namespace fk::kernels {

void f32_conv1x1_minmax_ukernel_8x1__scalar(size_t pixels, size_t in_c, size_t out_c, const float* input,
                                            const float* weights, float* output, MinMax c) {
  constexpr size_t NB = kConv1x1Block;
  for (size_t n = 0; n < out_c; n++) {
    const float* wb = weights + (n / NB) * NB * (in_c + 1);  // this channel's block
    const size_t j = n % NB;
    float* y = output + n * pixels;
    for (size_t p = 0; p < pixels; p++) y[p] = wb[j];
    for (size_t k = 0; k < in_c; k++) {
      const float w = wb[NB + k * NB + j];
      const float* x = input + k * pixels;
      for (size_t p = 0; p < pixels; p++) y[p] += w * x[p];
    }
    for (size_t p = 0; p < pixels; p++) y[p] = y[p] < c.min ? c.min : (y[p] > c.max ? c.max : y[p]);
  }
}

}  // namespace fk::kernels
