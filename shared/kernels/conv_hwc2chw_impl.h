// Templated first layer (3x3, stride 2, pad 1, 3 input channels, HWC -> CHW),
// instantiated per ISA by conv_hwc2chw_<isa>.cpp. The input is first split
// into zero-padded planes per (channel, column parity) so every tap is a plain
// unaligned vector load along the output row; the register tile is MC output
// channels x NV pixel vectors, weights repacked per call into 8-channel blocks
// (27 taps x 8, a few KB) so a tap's MC weights are contiguous.
#pragma once
#include <cstddef>
#include <vector>

#include "kernels/nn_kernels.h"

namespace fk::kernels {
namespace {

template <size_t MC, size_t NV, class V>
void ConvHwc2Chw3x3S2(const V& v, size_t h, size_t w, size_t out_c, const float* input, const float* weights,
                      float* output, MinMax c) {
  using T = typename V::T;
  constexpr size_t N = V::N, NB = 8;
  static_assert(NB % MC == 0, "channel tile must divide the repack block");
  const size_t out_h = (h - 1) / 2 + 1, out_w = (w - 1) / 2 + 1, out_p = out_h * out_w;
  // plane(ci, par)[r][j] = x[r - 1][2j - 1 + par][ci]: par 0 serves kx = 0 (at j)
  // and kx = 2 (at j + 1), par 1 serves kx = 1. Rows 0 and h + 1 stay zero.
  const size_t pw = out_w + 1 + NV * N, rows = h + 2;
  std::vector<float> planes(3 * 2 * rows * pw, 0.f);
  for (size_t iy = 0; iy < h; iy++) {
    const float* src = input + iy * w * 3;
    for (size_t ix = 0; ix < w; ix++) {  // stored column ix + 1 = 2j + par
      const size_t par = (ix + 1) & 1, j = (ix + 1) >> 1;
      for (size_t ci = 0; ci < 3; ci++) planes[((ci * 2 + par) * rows + iy + 1) * pw + j] = src[ix * 3 + ci];
    }
  }
  const size_t nblocks = (out_c + NB - 1) / NB;
  std::vector<float> wp(nblocks * NB * 28, 0.f);  // per block: 8 biases, then 27 taps x 8
  for (size_t n = 0; n < out_c; n++)
    for (size_t t = 0; t < 28; t++) wp[(n / NB) * NB * 28 + t * NB + n % NB] = weights[n * 28 + t];
  const T vmin = v.set1(c.min), vmax = v.set1(c.max);
  // Offset of tap t = (ky * 3 + kx) * 3 + ci from output row oy's base: the
  // tap loop then does no index arithmetic.
  size_t tap_off[27];
  for (size_t ky = 0; ky < 3; ky++)
    for (size_t kx = 0; kx < 3; kx++)
      for (size_t ci = 0; ci < 3; ci++)
        tap_off[(ky * 3 + kx) * 3 + ci] = ((ci * 2 + (kx == 1)) * rows + ky) * pw + (kx == 2);
  for (size_t oy = 0; oy < out_h; oy++) {
    const float* row_base = planes.data() + 2 * oy * pw;
    for (size_t ox = 0; ox < out_w; ox += NV * N) {
      const size_t left = out_w - ox;  // pixels still to write in this row
      for (size_t n0 = 0; n0 < out_c; n0 += MC) {
        const float* wb = wp.data() + (n0 / NB) * NB * 28 + n0 % NB;
        T acc[MC][NV];
        for (size_t j = 0; j < MC; j++)
          for (size_t k = 0; k < NV; k++) acc[j][k] = v.set1(wb[j]);
        const float* wt = wb + NB;
        for (size_t t = 0; t < 27; t++) {
          const float* src = row_base + tap_off[t] + ox;
          T xv[NV];
          for (size_t k = 0; k < NV; k++) xv[k] = v.load(src + k * N);
          for (size_t j = 0; j < MC; j++) {
            const T wj = v.set1(wt[j]);
            for (size_t k = 0; k < NV; k++) acc[j][k] = v.fma(xv[k], wj, acc[j][k]);
          }
          wt += NB;
        }
        for (size_t j = 0; j < MC && n0 + j < out_c; j++) {
          float* y = output + (n0 + j) * out_p + oy * out_w + ox;
          for (size_t k = 0; k < NV; k++) {
            const T r = v.min(v.max(acc[j][k], vmin), vmax);
            if (left >= (k + 1) * N) v.store(y + k * N, r);
            else if (left > k * N) v.store_partial(y + k * N, r, left - k * N);
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace fk::kernels
