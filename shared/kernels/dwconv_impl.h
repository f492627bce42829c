// Templated depthwise 3x3 (padding 1, stride 1 or 2) over CHW, instantiated per
// ISA by dwconv_<isa>.cpp; vectorised along the output row (XNNPACK
// f32-dwconv2d-chw style). Each channel plane is first copied into a buffer
// with a zero border (1 row/column on top/left, more on the right/bottom), so
// the inner loop is nine unaligned loads + FMAs with no edge cases; the copy
// is ~1 load/store per input element against 9 FMAs per output element, and
// it leaves the plane hot in L1/L2. Only the last partial vector of a row is
// stored with store_partial. Stride 2 deinterleaves even/odd input columns.
#pragma once
#include <cstddef>
#include <cstring>
#include <vector>

#include "kernels/nn_kernels.h"

namespace fk::kernels {
namespace {

template <class V>
struct DwTaps {  // bias + 9 weights broadcast once per channel
  typename V::T b, w[9];
  DwTaps(const V& v, const float* wk) : b(v.set1(wk[0])) {
    for (size_t t = 0; t < 9; t++) w[t] = v.set1(wk[1 + t]);
  }
};

// Copies `ch`'s plane into `buf` (pw floats per row) at row 1, column 1; the
// border was zeroed once and is never written.
inline void DwCopyPlane(const float* x, size_t h, size_t w, float* buf, size_t pw) {
  for (size_t y = 0; y < h; y++) std::memcpy(buf + (y + 1) * pw + 1, x + y * w, w * sizeof(float));
}

template <class V>
void DwConv3x3S1(const V& v, size_t h, size_t w, size_t channels, const float* input, const float* weights,
                 float* output, MinMax c) {
  using T = typename V::T;
  constexpr size_t N = V::N;
  const size_t pw = w + 2 + N;  // loads of the last vector reach column ox + N + 1 <= w + N
  std::vector<float> buf((h + 2) * pw, 0.f);
  const T vmin = v.set1(c.min), vmax = v.set1(c.max);
  for (size_t ch = 0; ch < channels; ch++) {
    DwCopyPlane(input + ch * h * w, h, w, buf.data(), pw);
    const DwTaps<V> k(v, weights + ch * 10);
    float* out = output + ch * h * w;
    for (size_t oy = 0; oy < h; oy++) {
      const float* r0 = buf.data() + oy * pw;
      const float* r1 = r0 + pw;
      const float* r2 = r1 + pw;
      float* yr = out + oy * w;
      // Three partial sums (one per kernel column): shorter FMA chains.
      auto compute = [&](size_t ox) {
        T a0 = v.fma(v.load(r0 + ox), k.w[0], k.b);
        T a1 = v.mul(v.load(r0 + ox + 1), k.w[1]);
        T a2 = v.mul(v.load(r0 + ox + 2), k.w[2]);
        a0 = v.fma(v.load(r1 + ox), k.w[3], a0);
        a1 = v.fma(v.load(r1 + ox + 1), k.w[4], a1);
        a2 = v.fma(v.load(r1 + ox + 2), k.w[5], a2);
        a0 = v.fma(v.load(r2 + ox), k.w[6], a0);
        a1 = v.fma(v.load(r2 + ox + 1), k.w[7], a1);
        a2 = v.fma(v.load(r2 + ox + 2), k.w[8], a2);
        return v.min(v.max(v.add(v.add(a0, a1), a2), vmin), vmax);
      };
      size_t ox = 0;
      for (; ox + N <= w; ox += N) v.store(yr + ox, compute(ox));
      if (ox < w) v.store_partial(yr + ox, compute(ox), w - ox);
    }
  }
}

template <class V>
void DwConv3x3S2(const V& v, size_t h, size_t w, size_t channels, const float* input, const float* weights,
                 float* output, MinMax c) {
  using T = typename V::T;
  constexpr size_t N = V::N;
  const size_t out_h = (h - 1) / 2 + 1, out_w = (w - 1) / 2 + 1;
  const size_t pw = w + 2 * N + 2;  // loads reach padded column 2*ox + 2N + 1 <= w + 2N
  std::vector<float> buf((h + 2) * pw, 0.f);
  const T vmin = v.set1(c.min), vmax = v.set1(c.max);
  for (size_t ch = 0; ch < channels; ch++) {
    DwCopyPlane(input + ch * h * w, h, w, buf.data(), pw);
    const DwTaps<V> k(v, weights + ch * 10);
    float* out = output + ch * out_h * out_w;
    for (size_t oy = 0; oy < out_h; oy++) {
      const float* r0 = buf.data() + 2 * oy * pw;  // padded row 2*oy = input row 2*oy - 1
      float* yr = out + oy * out_w;
      auto compute = [&](size_t ox) {
        T acc[3];
        for (size_t ky = 0; ky < 3; ky++) {
          const float* r = r0 + ky * pw + 2 * ox;
          T left, center, right, unused;
          v.deinterleave(v.load(r), v.load(r + N), left, center);         // columns 2ox-1, 2ox
          v.deinterleave(v.load(r + 2), v.load(r + 2 + N), right, unused);  // column 2ox+1
          T a = ky == 0 ? v.fma(left, k.w[0], k.b) : v.mul(left, k.w[3 * ky]);
          a = v.fma(center, k.w[3 * ky + 1], a);
          acc[ky] = v.fma(right, k.w[3 * ky + 2], a);
        }
        return v.min(v.max(v.add(v.add(acc[0], acc[1]), acc[2]), vmin), vmax);
      };
      size_t ox = 0;
      for (; ox + N <= out_w; ox += N) v.store(yr + ox, compute(ox));
      if (ox < out_w) v.store_partial(yr + ox, compute(ox), out_w - ox);
    }
  }
}

}  // namespace
}  // namespace fk::kernels
