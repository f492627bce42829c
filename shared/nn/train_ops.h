// Forward and backward passes of the layers Trainer (train.h) runs, on raw
// float buffers, exposed so tests can check each gradient numerically.
//
// Layout: batch activations are CNHW, x[((c * N + n) * H + y) * W + x]: each
// channel's N images are contiguous, so a 1x1 convolution over the whole batch
// is ONE GEMM (Y[Cout x N*P] = W[Cout x Cin] * X[Cin x N*P]), its backward two
// GEMMs, and batch-norm statistics are a pass over one contiguous row. Vectors
// (GAP output, logits) are [C][N].
//
// Conventions: every backward OVERWRITES the parameter gradients it is given
// (dw, db, dgamma, dbeta); the input gradient dx is overwritten, or added to
// when `accumulate` is true (a tensor feeding two layers: block input -> expand
// and -> residual add); dx == nullptr skips it (the first layer's input).
// GEMMs go through f32_blas (C = A * B, row-major), the depthwise forward
// through the inference kernels (TrainKernels); `Scratch` holds the
// im2col/transposed copies and only ever grows, so steady-state calls do not
// allocate.
//
//   fk::nn::train_ops::ConvGeom g{batch, 16, 8, 8, 32, 8, 8, 1, 1, false};
//   const auto k = train_ops::TrainKernels::Best();
//   train_ops::ConvForward(g, k, x, w, nullptr, y, scratch);
//   train_ops::ConvBackward(g, k, x, w, dy, dw, nullptr, dx, false, scratch);
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/f32_blas.h"
#include "kernels/nn_kernels.h"

namespace fk::nn::train_ops {

// The SIMD kernels the ops run on: f32_blas's GEMM and the inference
// depthwise 3x3 kernels (nn_kernels.h), per ISA, scalar in the references.
struct TrainKernels {
  kernels::F32GemmFn gemm = nullptr;
  kernels::F32DotFn dot = nullptr;
  kernels::F32DwConvFn dw3x3s1 = nullptr, dw3x3s2 = nullptr;
  static TrainKernels Best();    // the widest ISA this CPU runs
  static TrainKernels Scalar();  // the scalar references
};

struct Scratch {
  std::vector<float> a, b, c, c2, d;  // im2col / transposes / GEMM results / padded planes
};

// A convolution with padding kernel/2 on every side (as graph.h): either dense
// (groups = 1) or depthwise (groups = in_c = out_c).
struct ConvGeom {
  int batch = 1, in_c = 1, in_h = 1, in_w = 1, out_c = 1, out_h = 1, out_w = 1, kernel = 1, stride = 1;
  bool depthwise = false;
  size_t InSize() const { return size_t(in_c) * size_t(batch) * size_t(in_h) * size_t(in_w); }
  size_t OutSize() const { return size_t(out_c) * size_t(batch) * size_t(out_h) * size_t(out_w); }
  size_t WeightSize() const {
    return size_t(out_c) * size_t(depthwise ? 1 : in_c) * size_t(kernel) * size_t(kernel);
  }
};

// y = conv(x, w) + bias (bias may be null). w is OIHW as in graph.h.
void ConvForward(const ConvGeom& g, const TrainKernels& k, const float* x, const float* w, const float* bias,
                 float* y, Scratch& s);
// dw (overwritten), db (overwritten; null = no bias), dx (see accumulate; null = skip).
void ConvBackward(const ConvGeom& g, const TrainKernels& k, const float* x, const float* w, const float* dy,
                  float* dw, float* db, float* dx, bool accumulate, Scratch& s);

// Batch norm in training mode over rows of `count` values per channel:
// y = gamma * (x - mean) / sqrt(var + eps) + beta with the batch's (biased)
// variance; saves mean and 1/sqrt(var + eps) per channel for the backward.
// Statistics are summed in double (rows are up to N*H*W = 8192 long).
// relu6 = true clamps y to [0, 6] in the same pass (a conv's BN + ReLU6).
void BatchNormTrainForward(int channels, size_t count, const float* x, const float* gamma, const float* beta,
                           float eps, float* y, float* mean, float* inv_std, bool relu6 = false);
// The backward of the above (batch statistics depend on x, so dx has the
// full three-term form). dx is overwritten (it may be x itself). With
// relu6_y (the clamped forward output) dy is first masked in place as
// Relu6Backward does, row by row while it is in cache.
void BatchNormBackward(int channels, size_t count, const float* x, const float* gamma, const float* mean,
                       const float* inv_std, float* dy, float* dx, float* dgamma, float* dbeta,
                       const float* relu6_y = nullptr);
// Inference-mode batch norm (running statistics): a per-channel affine map.
void BatchNormEval(int channels, size_t count, const float* x, const float* gamma, const float* beta,
                   const float* running_mean, const float* running_var, float eps, float* y, bool relu6 = false);

// ReLU6 in place; its backward masks dy in place where y was clamped
// (TF's relu6 gradient: passes where 0 < pre-activation < 6).
void Relu6Forward(size_t n, float* y);
void Relu6Backward(size_t n, const float* y, float* dy);

// y = a + b; the backward is dy to both operands (done by the caller's routing).
void AddForward(size_t n, const float* a, const float* b, float* y);

// [C][N][P] -> [C][N] mean over the P pixels, and back (dx = dy / P).
void GlobalAvgPoolForward(size_t rows, size_t pixels, const float* x, float* y);
void GlobalAvgPoolBackward(size_t rows, size_t pixels, const float* dy, float* dx, bool accumulate);

// Fully connected on [Cin][N] -> [Cout][N]; w is [Cout][Cin] as graph.h.
void FcForward(int batch, int in_c, int out_c, const float* x, const float* w, const float* bias, float* y);
void FcBackward(int batch, int in_c, int out_c, const float* x, const float* w, const float* dy, float* dw,
                float* db, float* dx, bool accumulate);

// Mean softmax cross-entropy over the batch of logits [K][N]; labels in
// [0, K). Writes dlogits [K][N] = (softmax - onehot) / N (null = skip) and
// returns the loss (computed in double, log-sum-exp stabilised).
double SoftmaxCrossEntropy(int batch, int classes, const float* logits, const int* labels, float* dlogits);

}  // namespace fk::nn::train_ops
