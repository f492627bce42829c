// Fully connected layers with the SIMD dot products of f32_blas: one dot per
// output over the packed row (bias, then in_features weights). The classifier
// (1280 -> 1000 in MobileNetV2) is ~8% of a 90%-sparse inference when scalar.
#include "kernels/f32_blas.h"
#include "kernels/nn_kernels.h"

namespace fk::kernels {

template <F32DotFn Dot>
static void FcWithDot(size_t in_features, size_t out_features, const float* input, const float* weights,
                      float* output, MinMax c) {
  for (size_t n = 0; n < out_features; n++) {
    const float* row = weights + n * (in_features + 1);
    float y = row[0] + Dot(row + 1, input, in_features);
    y = y < c.min ? c.min : y;
    output[n] = y > c.max ? c.max : y;
  }
}

#if defined(__EMSCRIPTEN__)
void f32_fc_minmax_ukernel__wasmsimd(size_t in, size_t out, const float* x, const float* w, float* y, MinMax c) {
  FcWithDot<f32_dot__wasmsimd>(in, out, x, w, y, c);
}
#elif defined(__x86_64__)
void f32_fc_minmax_ukernel__sse2(size_t in, size_t out, const float* x, const float* w, float* y, MinMax c) {
  FcWithDot<f32_dot__sse2>(in, out, x, w, y, c);
}
void f32_fc_minmax_ukernel__avx2(size_t in, size_t out, const float* x, const float* w, float* y, MinMax c) {
  FcWithDot<f32_dot__avx2>(in, out, x, w, y, c);
}
#endif

}  // namespace fk::kernels
