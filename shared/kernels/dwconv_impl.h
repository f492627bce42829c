// Templated depthwise 3x3 (padding 1, stride 1 or 2) over CHW, instantiated per
// ISA by dwconv_<isa>.cpp; vectorised along the output row (XNNPACK
// f32-dwconv2d-chw style). Each channel plane is first copied into a buffer
// with a zero border, so the inner loop is unaligned loads + FMAs with no edge
// cases; the copy is ~1 load/store per input element against 9 FMAs per output
// and leaves the plane hot in L1/L2. Stride 1 computes R output rows per pass
// (input rows shared between them: 3(R+2) loads per R vectors). Stride 2 splits
// each padded row into even/odd columns while copying (vector deinterleave), so
// its taps are plain loads too. Only a row's last partial vector is stored with
// store_partial.
#pragma once
#include <cstddef>
#include <vector>

#include "kernels/nn_kernels.h"

namespace fk::kernels {
namespace {

// Copies n floats with vectors and one partial vector: a libc memcpy call per
// row costs more than the row itself on 7x7 and 14x14 planes.
template <class V>
inline void DwCopyRow(const V& v, const float* src, size_t n, float* dst) {
  size_t i = 0;
  for (; i + V::N <= n; i += V::N) v.store(dst + i, v.load(src + i));
  if (i < n) v.store_partial(dst + i, v.load_partial(src + i, n - i), n - i);
}

template <class V>
struct DwTaps {  // bias + 9 weights broadcast once per channel
  typename V::T b, w[9];
  DwTaps(const V& v, const float* wk) : b(v.set1(wk[0])) {
    for (size_t t = 0; t < 9; t++) w[t] = v.set1(wk[1 + t]);
  }
};

// R output rows at column ox from input rows r, r + pw, ..., r + (R + 1) * pw.
// Per output row, three partial sums (one per kernel column) keep FMA chains short.
template <size_t R, class V>
inline void DwRowsS1(const V& v, const DwTaps<V>& k, const float* r, size_t pw, size_t ox, typename V::T vmin,
                     typename V::T vmax, typename V::T out[R]) {
  using T = typename V::T;
  T acc[R][3];
  for (size_t i = 0; i < R + 2; i++) {  // input row i feeds output rows o = i-2 .. i
    const float* src = r + i * pw + ox;
    const T x0 = v.load(src), x1 = v.load(src + 1), x2 = v.load(src + 2);
    for (size_t o = 0; o < R; o++) {
      if (i < o || i > o + 2) continue;
      const size_t ky = i - o;
      if (ky == 0) {
        acc[o][0] = v.fma(x0, k.w[0], k.b);
        acc[o][1] = v.mul(x1, k.w[1]);
        acc[o][2] = v.mul(x2, k.w[2]);
      } else {
        acc[o][0] = v.fma(x0, k.w[3 * ky], acc[o][0]);
        acc[o][1] = v.fma(x1, k.w[3 * ky + 1], acc[o][1]);
        acc[o][2] = v.fma(x2, k.w[3 * ky + 2], acc[o][2]);
      }
    }
  }
  for (size_t o = 0; o < R; o++) out[o] = v.min(v.max(v.add(v.add(acc[o][0], acc[o][1]), acc[o][2]), vmin), vmax);
}

template <size_t R, class V>
inline void DwRowBlockS1(const V& v, const DwTaps<V>& k, const float* r, size_t pw, size_t w, float* y,
                         typename V::T vmin, typename V::T vmax) {
  using T = typename V::T;
  constexpr size_t N = V::N;
  T out[R];
  size_t ox = 0;
  for (; ox + N <= w; ox += N) {
    DwRowsS1<R>(v, k, r, pw, ox, vmin, vmax, out);
    for (size_t o = 0; o < R; o++) v.store(y + o * w + ox, out[o]);
  }
  if (ox < w) {
    DwRowsS1<R>(v, k, r, pw, ox, vmin, vmax, out);
    for (size_t o = 0; o < R; o++) v.store_partial(y + o * w + ox, out[o], w - ox);
  }
}

template <size_t R, class V>
void DwConv3x3S1(const V& v, size_t h, size_t w, size_t channels, const float* input, const float* weights,
                 float* output, MinMax c) {
  constexpr size_t N = V::N;
  const size_t pw = w + 2 + N;  // loads of the last vector reach column ox + N + 1 <= w + N
  std::vector<float> buf((h + 2) * pw, 0.f);  // the border is never written: stays zero
  const typename V::T vmin = v.set1(c.min), vmax = v.set1(c.max);
  for (size_t ch = 0; ch < channels; ch++) {
    const float* x = input + ch * h * w;
    for (size_t y = 0; y < h; y++) DwCopyRow(v, x + y * w, w, buf.data() + (y + 1) * pw + 1);
    const DwTaps<V> k(v, weights + ch * 10);
    float* out = output + ch * h * w;
    size_t oy = 0;
    for (; oy + R <= h; oy += R) DwRowBlockS1<R>(v, k, buf.data() + oy * pw, pw, w, out + oy * w, vmin, vmax);
    for (; oy < h; oy++) DwRowBlockS1<1>(v, k, buf.data() + oy * pw, pw, w, out + oy * w, vmin, vmax);
  }
}

template <class V>
void DwConv3x3S2(const V& v, size_t h, size_t w, size_t channels, const float* input, const float* weights,
                 float* output, MinMax c) {
  using T = typename V::T;
  constexpr size_t N = V::N;
  const size_t out_h = (h - 1) / 2 + 1, out_w = (w - 1) / 2 + 1;
  // Padded row r (input row r - 1) is stored as two half rows: ev[j] = x[2j - 1]
  // (ev[0] = 0) and od[j] = x[2j]. Output ox reads ev[ox], od[ox], ev[ox + 1].
  const size_t hw = out_w + N + 1;  // half-row width: loads reach ev[ox + N] <= out_w + N - 1
  std::vector<float> buf((h + 2) * 2 * hw, 0.f);  // rows 0 and h + 1, and the tails, stay zero
  const T vmin = v.set1(c.min), vmax = v.set1(c.max);
  for (size_t ch = 0; ch < channels; ch++) {
    const float* x = input + ch * h * w;
    for (size_t iy = 0; iy < h; iy++) {
      const float* src = x + iy * w;
      float* ev = buf.data() + (iy + 1) * 2 * hw;
      float* od = ev + hw;
      size_t j = 0;
      for (; 2 * j + 2 * N <= w; j += N) {
        T e, o;
        v.deinterleave(v.load(src + 2 * j), v.load(src + 2 * j + N), e, o);
        v.store(od + j, e);
        v.store(ev + j + 1, o);
      }
      if (2 * j < w) {  // zero-filled partial loads: lanes past w become the zero padding
        const size_t rest = w - 2 * j;
        T e, o;
        v.deinterleave(v.load_partial(src + 2 * j, rest < N ? rest : N), v.load_partial(src + 2 * j + N, rest > N ? rest - N : 0),
                       e, o);
        v.store(od + j, e);  // j + N <= out_w + N - 1 < hw: inside the half row
        v.store(ev + j + 1, o);
      }
    }
    const DwTaps<V> k(v, weights + ch * 10);
    float* out = output + ch * out_h * out_w;
    for (size_t oy = 0; oy < out_h; oy++) {
      const float* r0 = buf.data() + 2 * oy * 2 * hw;  // padded row 2*oy = input row 2*oy - 1
      float* yr = out + oy * out_w;
      auto compute = [&](size_t ox) {
        T acc[3];
        for (size_t ky = 0; ky < 3; ky++) {
          const float* ev = r0 + ky * 2 * hw + ox;
          const float* od = ev + hw;
          T a = ky == 0 ? v.fma(v.load(ev), k.w[0], k.b) : v.mul(v.load(ev), k.w[3 * ky]);
          a = v.fma(v.load(od), k.w[3 * ky + 1], a);
          acc[ky] = v.fma(v.load(ev + 1), k.w[3 * ky + 2], a);
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
