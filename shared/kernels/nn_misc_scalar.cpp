// Scalar global average pool, fully connected layer and residual add: a
// negligible share of MobileNet time, so every ISA set uses these.
#include "kernels/nn_kernels.h"

namespace fk::kernels {
namespace {
float Clamp(float v, MinMax c) { return v < c.min ? c.min : (v > c.max ? c.max : v); }
}  // namespace

void f32_gavgpool_cw_ukernel__scalar(size_t pixels, size_t channels, const float* input, float* output) {
  const float scale = pixels ? 1.0f / float(pixels) : 0.0f;
  for (size_t ch = 0; ch < channels; ch++) {
    const float* x = input + ch * pixels;
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;  // 4 partial sums: shorter dependency chain
    size_t p = 0;
    for (; p + 4 <= pixels; p += 4) { s0 += x[p]; s1 += x[p + 1]; s2 += x[p + 2]; s3 += x[p + 3]; }
    for (; p < pixels; p++) s0 += x[p];
    output[ch] = ((s0 + s1) + (s2 + s3)) * scale;
  }
}

void f32_fc_minmax_ukernel__scalar(size_t in_features, size_t out_features, const float* input,
                                   const float* weights, float* output, MinMax c) {
  for (size_t n = 0; n < out_features; n++) {
    const float* w = weights + n * (in_features + 1);
    float s0 = w[0], s1 = 0, s2 = 0, s3 = 0;
    size_t k = 0;
    for (; k + 4 <= in_features; k += 4) {
      s0 += w[1 + k] * input[k]; s1 += w[2 + k] * input[k + 1];
      s2 += w[3 + k] * input[k + 2]; s3 += w[4 + k] * input[k + 3];
    }
    for (; k < in_features; k++) s0 += w[1 + k] * input[k];
    output[n] = Clamp((s0 + s1) + (s2 + s3), c);
  }
}

void f32_vadd_minmax_ukernel__scalar(size_t n, const float* a, const float* b, float* y, MinMax c) {
  // Branch-free (max then min): a residual add with a fused ReLU is negative about half the
  // time, and a branch per value mispredicted enough to make this the slowest op of a
  // MediaPipe model. Same results as Clamp, NaN included; the compiler vectorises it.
  // Blocks of 8 read into a local before writing, so y may alias a or b (in place).
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    float t[8];
    for (size_t k = 0; k < 8; k++) {
      float v = a[i + k] + b[i + k];
      v = v < c.min ? c.min : v;
      t[k] = v > c.max ? c.max : v;
    }
    for (size_t k = 0; k < 8; k++) y[i + k] = t[k];
  }
  for (; i < n; i++) {
    float v = a[i] + b[i];
    v = v < c.min ? c.min : v;
    y[i] = v > c.max ? c.max : v;
  }
}

}  // namespace fk::kernels
