// Scalar reference for the sparse 1x1 convolution (the oracle for every SIMD
// spmm): one output row at a time, written as plainly as the contract reads.
#include "kernels/nn_kernels.h"

namespace fk::kernels {
namespace {

float Clamp(float v, MinMax c) { return v < c.min ? c.min : (v > c.max ? c.max : v); }

// `count` blocks of B channels; advances every cursor like the SIMD kernels do.
template <size_t B>
void SpmmBlocks(size_t count, size_t pixels, const char*& in, const float*& w, const int32_t*& d,
                const uint32_t*& nnz, float*& out, MinMax c) {
  for (size_t b = 0; b < count; b++) {
    for (size_t j = 0; j < B; j++)
      for (size_t p = 0; p < pixels; p++) out[j * pixels + p] = w[j];
    w += B;
    for (uint32_t n = *nnz++; n != 0; n--) {
      in += *d++;
      const float* x = reinterpret_cast<const float*>(in);
      for (size_t j = 0; j < B; j++)
        for (size_t p = 0; p < pixels; p++) out[j * pixels + p] += w[j] * x[p];
      w += B;
    }
    for (size_t j = 0; j < B; j++)
      for (size_t p = 0; p < pixels; p++) out[j * pixels + p] = Clamp(out[j * pixels + p], c);
    out += B * pixels;
  }
}

template <size_t B>
void Spmm(size_t pixels, size_t out_c, const float* input, const float* w, const int32_t* d,
          const uint32_t* nnz, float* out, MinMax c) {
  const char* in = reinterpret_cast<const char*>(input);
  SpmmBlocks<B>(out_c / B, pixels, in, w, d, nnz, out, c);
  SpmmBlocks<1>(out_c % B, pixels, in, w, d, nnz, out, c);  // tail channels, block-1 packed
}

}  // namespace

void f32_spmm_minmax_ukernel_1x1__scalar(size_t pixels, size_t out_c, const float* input, const float* w,
                                         const int32_t* d, const uint32_t* nnz, float* out, MinMax c) {
  Spmm<1>(pixels, out_c, input, w, d, nnz, out, c);
}
void f32_spmm_minmax_ukernel_1x2__scalar(size_t pixels, size_t out_c, const float* input, const float* w,
                                         const int32_t* d, const uint32_t* nnz, float* out, MinMax c) {
  Spmm<2>(pixels, out_c, input, w, d, nnz, out, c);
}
void f32_spmm_minmax_ukernel_1x4__scalar(size_t pixels, size_t out_c, const float* input, const float* w,
                                         const int32_t* d, const uint32_t* nnz, float* out, MinMax c) {
  Spmm<4>(pixels, out_c, input, w, d, nnz, out, c);
}

}  // namespace fk::kernels
