// Weight packing for the 1x1 kernels, done once at model load: the spmm
// arrays (XNNPACK-style bias-first values, byte deltas, nonzero counts) and
// the 8-channel-block layout of the dense conv1x1.
#include <cstring>

#include "kernels/nn_kernels.h"

namespace fk::kernels {

SparsePacked PackSpmm(const float* dense_w, const float* bias, size_t out_c, size_t in_c, size_t block,
                      size_t pixels) {
  SparsePacked sp;
  sp.block = block == 0 ? 1 : block;
  sp.out_channels = out_c;
  sp.in_channels = in_c;
  sp.pixels = pixels;
  const size_t nblocks = out_c / sp.block;
  const int64_t row_bytes = int64_t(pixels * sizeof(float));
  int64_t prev_k = 0;  // the input pointer's row after the previous nonzero
  // One group = `b` consecutive channels starting at n0 sharing one pattern.
  auto pack_group = [&](size_t n0, size_t b) {
    for (size_t j = 0; j < b; j++) sp.weights.push_back(bias ? bias[n0 + j] : 0.f);
    uint32_t count = 0;
    for (size_t k = 0; k < in_c; k++) {
      bool any = false;
      for (size_t j = 0; j < b; j++) any |= dense_w[(n0 + j) * in_c + k] != 0.f;
      if (!any) continue;
      for (size_t j = 0; j < b; j++) sp.weights.push_back(dense_w[(n0 + j) * in_c + k]);
      sp.deltas.push_back(int32_t((int64_t(k) - prev_k) * row_bytes));
      prev_k = int64_t(k);
      count++;
    }
    sp.nnz.push_back(count);
  };
  for (size_t g = 0; g < nblocks; g++) pack_group(g * sp.block, sp.block);
  for (size_t n = nblocks * sp.block; n < out_c; n++) pack_group(n, 1);
  return sp;
}

std::vector<float> PackConv1x1Weights(const float* dense_w, const float* bias, size_t out_c, size_t in_c) {
  constexpr size_t NB = kConv1x1Block;
  const size_t nblocks = (out_c + NB - 1) / NB;
  std::vector<float> packed(nblocks * NB * (in_c + 1), 0.f);
  for (size_t n = 0; n < out_c; n++) {
    float* wb = packed.data() + (n / NB) * NB * (in_c + 1);
    const size_t j = n % NB;
    wb[j] = bias ? bias[n] : 0.f;
    for (size_t k = 0; k < in_c; k++) wb[NB + k * NB + j] = dense_w[n * in_c + k];
  }
  return packed;
}

}  // namespace fk::kernels
