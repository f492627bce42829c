// Templated dense 1x1 convolution (a GEMM over CHW), instantiated per ISA by
// conv1x1_<isa>.cpp. Register tile: MC output channels x NV vectors of pixels;
// per input channel, NV pixel vectors are loaded once and each of the MC
// weights (contiguous thanks to the 8-channel-block packing) is broadcast once.
// Pixel tiles are the outer loop so a tile's input rows stay in L1/L2 while
// every output channel block consumes them.
#pragma once
#include <cstddef>

#include "kernels/nn_kernels.h"

namespace fk::kernels {
namespace {

template <size_t MC, size_t NV, class V>
inline void Conv1x1Tile(const V& v, size_t pixels, size_t in_c, const float* x, const float* wb, size_t coff,
                        size_t nvalid, float* y, typename V::T vmin, typename V::T vmax) {
  using T = typename V::T;
  constexpr size_t NB = kConv1x1Block;
  T acc[MC][NV];
  for (size_t j = 0; j < MC; j++)
    for (size_t k = 0; k < NV; k++) acc[j][k] = v.set1(wb[coff + j]);
  const float* w = wb + NB + coff;
  for (size_t kk = 0; kk < in_c; kk++) {
    T xv[NV];
    for (size_t k = 0; k < NV; k++) xv[k] = v.load(x + k * V::N);
    for (size_t j = 0; j < MC; j++) {
      const T wj = v.set1(w[j]);
      for (size_t k = 0; k < NV; k++) acc[j][k] = v.fma(xv[k], wj, acc[j][k]);
    }
    x += pixels;
    w += NB;
  }
  for (size_t j = 0; j < MC; j++) {
    if (j >= nvalid) break;
    for (size_t k = 0; k < NV; k++) v.store(y + j * pixels + k * V::N, v.min(v.max(acc[j][k], vmin), vmax));
  }
}

// One pixel tile (NV vectors at pixel i) through every output channel.
template <size_t MC, size_t NV, class V>
inline void Conv1x1PixelTile(const V& v, size_t pixels, size_t i, size_t in_c, size_t out_c, const float* input,
                             const float* weights, float* output, MinMax c) {
  constexpr size_t NB = kConv1x1Block;
  static_assert(NB % MC == 0, "channel tile must divide the packing block");
  const typename V::T vmin = v.set1(c.min), vmax = v.set1(c.max);
  for (size_t n0 = 0; n0 < out_c; n0 += MC) {
    const float* wb = weights + (n0 / NB) * NB * (in_c + 1);
    const size_t nvalid = out_c - n0 < MC ? out_c - n0 : MC;
    Conv1x1Tile<MC, NV>(v, pixels, in_c, input + i, wb, n0 % NB, nvalid, output + n0 * pixels + i, vmin, vmax);
  }
}

// Pixel tiles of NV vectors from pixel `i` while they fit, then NV/2, ..., 1;
// returns the first pixel not done.
template <size_t MC, size_t NV, class V>
inline size_t Conv1x1FullTiles(const V& v, size_t pixels, size_t i, size_t in_c, size_t out_c, const float* input,
                               const float* weights, float* output, MinMax c) {
  for (; i + NV * V::N <= pixels; i += NV * V::N)
    Conv1x1PixelTile<MC, NV>(v, pixels, i, in_c, out_c, input, weights, output, c);
  if constexpr (NV > 1) i = Conv1x1FullTiles<MC, NV / 2>(v, pixels, i, in_c, out_c, input, weights, output, c);
  return i;
}

}  // namespace
}  // namespace fk::kernels
