// Templated sparse 1x1 (spmm) tile, instantiated per ISA by spmm_<isa>.cpp with
// a vector-traits type (vec_<isa>.h). XNNPACK's scheme: for one tile of
// NV*V::N pixels, walk every output channel (block of B channels): start from
// the bias, and for each nonzero advance the input pointer by its byte delta,
// load the tile's pixels once and FMA them with the broadcast weight(s).
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/nn_kernels.h"

namespace fk::kernels {
namespace {

// `count` groups of B channels for one pixel tile; advances w/d/nnz/in.
template <size_t B, size_t NV, class V>
inline void SpmmGroups(const V& v, size_t count, size_t pixels, const char*& in, const float*& w,
                       const int32_t*& d, const uint32_t*& nnz, float* out, typename V::T vmin,
                       typename V::T vmax) {
  using T = typename V::T;
  for (size_t g = 0; g < count; g++) {
    T acc[B][NV];
    for (size_t j = 0; j < B; j++)
      for (size_t k = 0; k < NV; k++) acc[j][k] = v.set1(w[j]);
    w += B;
    for (uint32_t n = *nnz++; n != 0; n--) {
      in += *d++;
      const float* x = reinterpret_cast<const float*>(in);
      T xv[NV];
      for (size_t k = 0; k < NV; k++) xv[k] = v.load(x + k * V::N);
      for (size_t j = 0; j < B; j++) {
        const T wj = v.set1(w[j]);
        for (size_t k = 0; k < NV; k++) acc[j][k] = v.fma(xv[k], wj, acc[j][k]);
      }
      w += B;
    }
    for (size_t j = 0; j < B; j++)
      for (size_t k = 0; k < NV; k++) v.store(out + j * pixels + k * V::N, v.min(v.max(acc[j][k], vmin), vmax));
    out += B * pixels;
  }
}

// One pixel tile (NV vectors) through all output channels: blocks, then the
// out_c % B tail channels, which PackSpmm stores block-1 after the blocks.
template <size_t B, size_t NV, class V>
inline void SpmmTile(const V& v, size_t pixels, size_t out_c, const float* input, const float* w,
                     const int32_t* d, const uint32_t* nnz, float* out, MinMax c) {
  const typename V::T vmin = v.set1(c.min), vmax = v.set1(c.max);
  const char* in = reinterpret_cast<const char*>(input);
  SpmmGroups<B, NV>(v, out_c / B, pixels, in, w, d, nnz, out, vmin, vmax);
  SpmmGroups<1, NV>(v, out_c % B, pixels, in, w, d, nnz, out + (out_c / B) * B * pixels, vmin, vmax);
}

// Tiles of NV vectors from pixel `i` while they fit, then tiles of NV/2, ...,
// 1 vectors; returns the first pixel not done (the caller finishes the last
// < V::N pixels with masks or ScalarVec). `pixels` is also the row stride.
template <size_t B, size_t NV, class V>
inline size_t SpmmFullTiles(const V& v, size_t pixels, size_t i, size_t out_c, const float* input, const float* w,
                            const int32_t* d, const uint32_t* nnz, float* out, MinMax c) {
  for (; i + NV * V::N <= pixels; i += NV * V::N) SpmmTile<B, NV>(v, pixels, out_c, input + i, w, d, nnz, out + i, c);
  if constexpr (NV > 1) i = SpmmFullTiles<B, NV / 2>(v, pixels, i, out_c, input, w, d, nnz, out, c);
  return i;
}

}  // namespace
}  // namespace fk::kernels
