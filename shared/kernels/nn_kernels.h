// Microkernels for MobileNet-family inference, batch 1, channel-major (CHW)
// activations, in XNNPACK's spirit (see google/XNNPACK src/f32-spmm and
// doc/microkernel-naming-conventions.md). Every op has a scalar reference
// (the oracle in tests) and SIMD variants per ISA (sse2/avx2/avx512 natively,
// wasmsimd in the browser); kernel_list.inc names each kernel exactly once and
// feeds the declarations, the dispatcher (NnKernels), tests and benchmarks.
//
// Layouts (all f32):
//   activations   CHW: x[c * pixels + p], pixels = H * W
//   first conv    input HWC (3 channels), output CHW
//   packed weights, per output channel n: bias first, then that channel's
//                  weights in input-channel order (dense) or its nonzeros (sparse)
//
//   const fk::kernels::NnKernels& k = fk::kernels::BestNnKernels();
//   k.spmm(pixels, out_c, x, packed.values, packed.deltas, packed.nnz, y, clamp);
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fk::kernels {

struct MinMax {
  float min = -3.4e38f, max = 3.4e38f;  // ReLU6 = {0, 6}; linear = defaults
};

// 1×1 convolution, sparse weights (XNNPACK's f32-spmm contract):
//   for each output channel n (or block of `block` channels that share one
//   sparsity pattern): nnz[n/block] nonzeros; `weights` holds, per channel
//   (block), the bias(es) then the nonzero values (block values interleaved
//   per nonzero); `input_deltas` holds one int32 per nonzero: the BYTE offset
//   to add to the input pointer to reach the next nonzero's input channel row
//   (the first delta is relative to `input`; the last one wraps to the start
//   of the next channel's first nonzero, as XNNPACK's dmap does).
//   y[n * pixels + p] = clamp(bias[n] + sum_k w[n,k] * x[ch(k) * pixels + p]).
//   `pixels` need not be a multiple of the pixel tile (remainders handled).
using F32SpmmFn = void (*)(size_t pixels, size_t out_channels, const float* input, const float* weights,
                           const int32_t* input_deltas, const uint32_t* nnz, float* output, MinMax clamp);

// 1×1 convolution, dense weights: weights per output channel = bias, in_c values.
using F32Conv1x1Fn = void (*)(size_t pixels, size_t in_channels, size_t out_channels, const float* input,
                              const float* weights, float* output, MinMax clamp);

// First layer: 3×3 conv, stride 2, padding 1 on all sides, 3 input channels,
// HWC input -> CHW output; out_h = (in_h - 1) / 2 + 1, likewise out_w.
// weights per output channel: bias, then 27 values in (ky, kx, ci) order.
using F32ConvHwc2ChwFn = void (*)(size_t in_h, size_t in_w, size_t out_channels, const float* input,
                                  const float* weights, float* output, MinMax clamp);

// Depthwise 3×3, padding 1, stride 1 or 2, CHW in and out.
// weights per channel: bias, then 9 values in (ky, kx) order.
using F32DwConvFn = void (*)(size_t in_h, size_t in_w, size_t channels, const float* input,
                             const float* weights, float* output, MinMax clamp);

// Global average pool: CHW -> C.
using F32GavgPoolFn = void (*)(size_t pixels, size_t channels, const float* input, float* output);

// Fully connected: y[n] = clamp(bias[n] + dot(W[n], x)); weights per output: bias, in values.
using F32FcFn = void (*)(size_t in_features, size_t out_features, const float* input, const float* weights,
                         float* output, MinMax clamp);

// Elementwise y = clamp(a + b) (residual add).
using F32AddFn = void (*)(size_t n, const float* a, const float* b, float* y, MinMax clamp);

// One set of kernels for a given ISA; names are shown in the UI and bench.
struct NnKernels {
  std::string isa;                  // "scalar", "sse2", "avx2", "avx512", "wasmsimd"
  F32SpmmFn spmm = nullptr;         // block 1
  F32SpmmFn spmm_block2 = nullptr;  // 2 output channels share a pattern
  F32SpmmFn spmm_block4 = nullptr;  // 4 output channels share a pattern
  F32Conv1x1Fn conv1x1 = nullptr;
  F32ConvHwc2ChwFn conv_hwc2chw_3x3s2 = nullptr;
  F32DwConvFn dwconv_3x3s1 = nullptr;
  F32DwConvFn dwconv_3x3s2 = nullptr;
  F32GavgPoolFn gavgpool = nullptr;
  F32FcFn fc = nullptr;
  F32AddFn add = nullptr;
  // Kernel names as in kernel_list.inc, e.g. "f32_spmm_minmax_ukernel_32x1__avx512".
  std::string spmm_name, conv1x1_name;
};

// The reference (scalar) set and the best set for this CPU; an ISA variant
// falls back to scalar for any op it does not implement. `Choose` logs once.
const NnKernels& ScalarNnKernels();
const NnKernels& BestNnKernels();
std::vector<const NnKernels*> AllNnKernels();  // every set this CPU runs, scalar first

// Softmax in place (numerically stable); scalar is plenty for 1000 classes.
void Softmax(float* x, size_t n);

}  // namespace fk::kernels
