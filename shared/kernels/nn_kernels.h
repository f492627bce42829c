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
//   packed weights: sparse 1x1 = PackSpmm (per channel/block: bias(es), nonzeros);
//                  dense 1x1 = PackConv1x1Weights (blocks of 8 output channels);
//                  dwconv / first conv: per output channel bias, then taps
//
//   const fk::kernels::NnKernels& k = fk::kernels::BestNnKernels();
//   SparsePacked sp = PackSpmm(w, bias, out_c, in_c, /*block=*/1, pixels);  // at load
//   k.spmm(pixels, out_c, x, sp.weights.data(), sp.deltas.data(), sp.nnz.data(), y, clamp);
//   std::vector<float> dp = PackConv1x1Weights(w, bias, out_c, in_c);       // at load
//   k.conv1x1(pixels, in_c, out_c, x, dp.data(), y, clamp);
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
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
//   added to the input pointer BEFORE reading that nonzero's input row. The
//   pointer starts at `input` and runs through all channels without reset, so
//   delta[0] = ch(first nonzero) * pixels * 4 and every later delta is relative
//   to the previous nonzero's row, also across channel boundaries (XNNPACK's
//   dmap rotated by one: its start offset is folded into delta[0], its final
//   wrap dropped). Deltas depend on `pixels`: pack per layer resolution.
//   y[n * pixels + p] = clamp(bias[n] + sum_k w[n,k] * x[ch(k) * pixels + p]).
//   `pixels` need not be a multiple of the pixel tile (remainders handled).
//   Blocked kernels (block 2/4) with out_channels % block != 0: the kernel
//   itself runs the out_channels % block tail channels as block-1 entries that
//   follow the blocks in all three arrays (nnz[out_c / block + t], one bias then
//   one value per nonzero); PackSpmm produces exactly this.
using F32SpmmFn = void (*)(size_t pixels, size_t out_channels, const float* input, const float* weights,
                           const int32_t* input_deltas, const uint32_t* nnz, float* output, MinMax clamp);

// 1×1 convolution, dense weights, packed by PackConv1x1Weights in blocks of
// kConv1x1Block = 8 output channels (the last block zero-padded): per block,
// 8 biases, then for each input channel k the 8 weights w[n0..n0+7][k]. This
// keeps a register tile's weights contiguous (one cache line per k).
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
  // Kernel names as in kernel_list.inc, e.g. "f32_spmm_minmax_ukernel_128x1__avx512".
  std::string spmm_name, conv1x1_name;
  std::vector<std::string> names;   // every kernel of this set, in struct order
};

// The reference (scalar) set and the best set for this CPU; an ISA variant
// falls back to scalar for any op it does not implement. `Choose` logs once.
const NnKernels& ScalarNnKernels();
const NnKernels& BestNnKernels();
std::vector<const NnKernels*> AllNnKernels();  // every set this CPU runs, scalar first

// Softmax in place (numerically stable); scalar is plenty for 1000 classes.
void Softmax(float* x, size_t n);

// [Packing] done once at model load.
// Sparse 1x1 weights for the spmm kernels from a dense row-major [out_c][in_c]
// matrix and out_c biases. block = 1, 2 or 4: a block's pattern is the union of
// its channels' nonzeros (explicit zeros stored where a channel lacks one);
// out_c % block tail channels are packed block-1 after the blocks (see above).
// `pixels` = H*W of the layer's input: the deltas are byte offsets.
struct SparsePacked {
  std::vector<float> weights;
  std::vector<int32_t> deltas;
  std::vector<uint32_t> nnz;  // out_c / block + out_c % block entries
  size_t block = 1, out_channels = 0, in_channels = 0, pixels = 0;
  size_t nonzeros() const { return deltas.size(); }  // block nonzeros count once
};
SparsePacked PackSpmm(const float* dense_w, const float* bias, size_t out_c, size_t in_c, size_t block,
                      size_t pixels);

// Dense 1x1 weights for `conv1x1` from row-major [out_c][in_c] + out_c biases;
// ceil(out_c / 8) * 8 * (in_c + 1) floats (layout above).
constexpr size_t kConv1x1Block = 8;
std::vector<float> PackConv1x1Weights(const float* dense_w, const float* bias, size_t out_c, size_t in_c);

// [Kernel declarations] one per kernel_list.inc entry (function types per op).
namespace sig {
using spmm = std::remove_pointer_t<F32SpmmFn>;
using spmm_block2 = spmm;
using spmm_block4 = spmm;
using conv1x1 = std::remove_pointer_t<F32Conv1x1Fn>;
using conv_hwc2chw_3x3s2 = std::remove_pointer_t<F32ConvHwc2ChwFn>;
using dwconv_3x3s1 = std::remove_pointer_t<F32DwConvFn>;
using dwconv_3x3s2 = dwconv_3x3s1;
using gavgpool = std::remove_pointer_t<F32GavgPoolFn>;
using fc = std::remove_pointer_t<F32FcFn>;
using add = std::remove_pointer_t<F32AddFn>;
}  // namespace sig
#define FK_NN_KERNEL(isa, op, name) sig::op name;
#include "kernels/kernel_list.inc"
#undef FK_NN_KERNEL

}  // namespace fk::kernels
