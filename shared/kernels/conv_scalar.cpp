// Scalar references for the spatial convolutions: depthwise 3x3 (stride 1/2,
// CHW) and the first 3x3s2 conv (HWC in, CHW out). Direct loops with bounds
// checks for the implicit zero padding; oracles for the SIMD variants.
#include "kernels/nn_kernels.h"

namespace fk::kernels {
namespace {

float Clamp(float v, MinMax c) { return v < c.min ? c.min : (v > c.max ? c.max : v); }

void DwConv(size_t stride, size_t in_h, size_t in_w, size_t channels, const float* input, const float* weights,
            float* output, MinMax c) {
  const size_t out_h = (in_h - 1) / stride + 1, out_w = (in_w - 1) / stride + 1;
  for (size_t ch = 0; ch < channels; ch++) {
    const float* x = input + ch * in_h * in_w;
    const float* w = weights + ch * 10;
    float* y = output + ch * out_h * out_w;
    for (size_t oy = 0; oy < out_h; oy++) {
      for (size_t ox = 0; ox < out_w; ox++) {
        float acc = w[0];
        for (size_t ky = 0; ky < 3; ky++) {
          const ptrdiff_t iy = ptrdiff_t(oy * stride + ky) - 1;
          if (iy < 0 || iy >= ptrdiff_t(in_h)) continue;
          for (size_t kx = 0; kx < 3; kx++) {
            const ptrdiff_t ix = ptrdiff_t(ox * stride + kx) - 1;
            if (ix < 0 || ix >= ptrdiff_t(in_w)) continue;
            acc += w[1 + ky * 3 + kx] * x[iy * in_w + ix];
          }
        }
        y[oy * out_w + ox] = Clamp(acc, c);
      }
    }
  }
}

}  // namespace

void f32_dwconv2d_chw_minmax_ukernel_3x3p1__scalar(size_t in_h, size_t in_w, size_t channels, const float* input,
                                                   const float* weights, float* output, MinMax c) {
  DwConv(1, in_h, in_w, channels, input, weights, output, c);
}

void f32_dwconv2d_chw_minmax_ukernel_3x3s2p1__scalar(size_t in_h, size_t in_w, size_t channels,
                                                     const float* input, const float* weights, float* output,
                                                     MinMax c) {
  DwConv(2, in_h, in_w, channels, input, weights, output, c);
}

void f32_conv_hwc2chw_minmax_ukernel_3x3s2p1c3__scalar(size_t in_h, size_t in_w, size_t out_c, const float* input,
                                                       const float* weights, float* output, MinMax c) {
  const size_t out_h = (in_h - 1) / 2 + 1, out_w = (in_w - 1) / 2 + 1;
  for (size_t n = 0; n < out_c; n++) {
    const float* w = weights + n * 28;
    float* y = output + n * out_h * out_w;
    for (size_t oy = 0; oy < out_h; oy++) {
      for (size_t ox = 0; ox < out_w; ox++) {
        float acc = w[0];
        for (size_t ky = 0; ky < 3; ky++) {
          const ptrdiff_t iy = ptrdiff_t(oy * 2 + ky) - 1;
          if (iy < 0 || iy >= ptrdiff_t(in_h)) continue;
          for (size_t kx = 0; kx < 3; kx++) {
            const ptrdiff_t ix = ptrdiff_t(ox * 2 + kx) - 1;
            if (ix < 0 || ix >= ptrdiff_t(in_w)) continue;
            for (size_t ci = 0; ci < 3; ci++)
              acc += w[1 + (ky * 3 + kx) * 3 + ci] * input[(iy * in_w + ix) * 3 + ci];
          }
        }
        y[oy * out_w + ox] = Clamp(acc, c);
      }
    }
  }
}

}  // namespace fk::kernels
