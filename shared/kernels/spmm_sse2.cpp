// SSE2 spmm: 8-pixel tiles (2 xmm, mul + add), a 4-pixel tile, then single
// pixels.
#include "kernels/spmm_impl.h"
#include "kernels/vec_scalar.h"
#include "kernels/vec_sse2.h"

namespace fk::kernels {
namespace {

template <size_t B>
void Spmm(size_t pixels, size_t out_c, const float* input, const float* w, const int32_t* d, const uint32_t* nnz,
          float* out, MinMax c) {
  const size_t i = SpmmFullTiles<B, 2>(Sse2{}, pixels, 0, out_c, input, w, d, nnz, out, c);
  SpmmFullTiles<B, 1>(ScalarVec{}, pixels, i, out_c, input, w, d, nnz, out, c);
}

}  // namespace

void f32_spmm_minmax_ukernel_8x1__sse2(size_t pixels, size_t out_c, const float* input, const float* w,
                                       const int32_t* d, const uint32_t* nnz, float* out, MinMax c) {
  Spmm<1>(pixels, out_c, input, w, d, nnz, out, c);
}
void f32_spmm_minmax_ukernel_8x2__sse2(size_t pixels, size_t out_c, const float* input, const float* w,
                                       const int32_t* d, const uint32_t* nnz, float* out, MinMax c) {
  Spmm<2>(pixels, out_c, input, w, d, nnz, out, c);
}
void f32_spmm_minmax_ukernel_8x4__sse2(size_t pixels, size_t out_c, const float* input, const float* w,
                                       const int32_t* d, const uint32_t* nnz, float* out, MinMax c) {
  Spmm<4>(pixels, out_c, input, w, d, nnz, out, c);
}

}  // namespace fk::kernels
