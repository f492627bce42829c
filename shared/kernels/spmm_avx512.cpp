// AVX-512 spmm: 32-pixel tiles (2 zmm) per output channel/block, a 16-pixel
// tile, then one masked tile for the last < 16 pixels.
#include "kernels/spmm_impl.h"
#include "kernels/vec_avx512.h"

namespace fk::kernels {
namespace {

template <size_t B>
void Spmm(size_t pixels, size_t out_c, const float* input, const float* w, const int32_t* d, const uint32_t* nnz,
          float* out, MinMax c) {
  const size_t i = SpmmFullTiles<B, 2>(Avx512{}, pixels, 0, out_c, input, w, d, nnz, out, c);
  if (i < pixels) SpmmTile<B, 1>(Avx512Masked(pixels - i), pixels, out_c, input + i, w, d, nnz, out + i, c);
}

}  // namespace

void f32_spmm_minmax_ukernel_32x1__avx512(size_t pixels, size_t out_c, const float* input, const float* w,
                                          const int32_t* d, const uint32_t* nnz, float* out, MinMax c) {
  Spmm<1>(pixels, out_c, input, w, d, nnz, out, c);
}
void f32_spmm_minmax_ukernel_32x2__avx512(size_t pixels, size_t out_c, const float* input, const float* w,
                                          const int32_t* d, const uint32_t* nnz, float* out, MinMax c) {
  Spmm<2>(pixels, out_c, input, w, d, nnz, out, c);
}
void f32_spmm_minmax_ukernel_32x4__avx512(size_t pixels, size_t out_c, const float* input, const float* w,
                                          const int32_t* d, const uint32_t* nnz, float* out, MinMax c) {
  Spmm<4>(pixels, out_c, input, w, d, nnz, out, c);
}

}  // namespace fk::kernels
