// AVX2+FMA spmm: 32-pixel tiles (4 ymm) for block 1, 16-pixel tiles for blocks
// 2/4 (8 accumulators of 16 registers), halving down to 8 pixels, then 4 (SSE)
// and single pixels.
#include "kernels/spmm_impl.h"
#include "kernels/vec_avx2.h"
#include "kernels/vec_scalar.h"
#include "kernels/vec_sse2.h"

namespace fk::kernels {
namespace {

template <size_t B, size_t NV>
void Spmm(size_t pixels, size_t out_c, const float* input, const float* w, const int32_t* d, const uint32_t* nnz,
          float* out, MinMax c) {
  size_t i = SpmmFullTiles<B, NV>(Avx2{}, pixels, 0, out_c, input, w, d, nnz, out, c);
  i = SpmmFullTiles<B, 1>(Sse2{}, pixels, i, out_c, input, w, d, nnz, out, c);
  SpmmFullTiles<B, 1>(ScalarVec{}, pixels, i, out_c, input, w, d, nnz, out, c);
}

}  // namespace

void f32_spmm_minmax_ukernel_32x1__avx2(size_t pixels, size_t out_c, const float* input, const float* w,
                                        const int32_t* d, const uint32_t* nnz, float* out, MinMax c) {
  Spmm<1, 4>(pixels, out_c, input, w, d, nnz, out, c);
}
void f32_spmm_minmax_ukernel_16x2__avx2(size_t pixels, size_t out_c, const float* input, const float* w,
                                        const int32_t* d, const uint32_t* nnz, float* out, MinMax c) {
  Spmm<2, 2>(pixels, out_c, input, w, d, nnz, out, c);
}
void f32_spmm_minmax_ukernel_16x4__avx2(size_t pixels, size_t out_c, const float* input, const float* w,
                                        const int32_t* d, const uint32_t* nnz, float* out, MinMax c) {
  Spmm<4, 2>(pixels, out_c, input, w, d, nnz, out, c);
}

}  // namespace fk::kernels
