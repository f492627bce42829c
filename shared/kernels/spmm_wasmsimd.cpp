// WebAssembly SIMD spmm: 16-pixel tiles (4 v128) for blocks 1 and 2, 8-pixel
// tiles for block 4 (8 accumulators: V8 has 16 xmm registers on x64), halving
// down to 4 pixels, then single pixels.
#include "kernels/spmm_impl.h"
#include "kernels/vec_scalar.h"
#include "kernels/vec_wasmsimd.h"

namespace fk::kernels {
namespace {

template <size_t B, size_t NV>
void Spmm(size_t pixels, size_t out_c, const float* input, const float* w, const int32_t* d, const uint32_t* nnz,
          float* out, MinMax c) {
  const size_t i = SpmmFullTiles<B, NV>(WasmSimd{}, pixels, 0, out_c, input, w, d, nnz, out, c);
  SpmmFullTiles<B, 1>(ScalarVec{}, pixels, i, out_c, input, w, d, nnz, out, c);
}

}  // namespace

void f32_spmm_minmax_ukernel_16x1__wasmsimd(size_t pixels, size_t out_c, const float* input, const float* w,
                                            const int32_t* d, const uint32_t* nnz, float* out, MinMax c) {
  Spmm<1, 4>(pixels, out_c, input, w, d, nnz, out, c);
}
void f32_spmm_minmax_ukernel_16x2__wasmsimd(size_t pixels, size_t out_c, const float* input, const float* w,
                                            const int32_t* d, const uint32_t* nnz, float* out, MinMax c) {
  Spmm<2, 4>(pixels, out_c, input, w, d, nnz, out, c);
}
void f32_spmm_minmax_ukernel_8x4__wasmsimd(size_t pixels, size_t out_c, const float* input, const float* w,
                                           const int32_t* d, const uint32_t* nnz, float* out, MinMax c) {
  Spmm<4, 2>(pixels, out_c, input, w, d, nnz, out, c);
}

}  // namespace fk::kernels
