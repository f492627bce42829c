// Training in the core: a small MobileNetV2-style classifier as a graph.h
// Model, and a Trainer that runs mini-batch SGD/Adam on any Model of that
// family (3x3/1x1/depthwise convs, residual adds, global average pool, one
// fully connected layer, softmax), with batch norm after every conv while
// training, folded into the conv weights by Export().
//
//   fk::nn::SmallNetOptions so;  so.num_classes = 10;  so.seed = 1;
//   fk::nn::TrainOptions to;     to.schedule = fk::nn::LrSchedule::Cosine(0.05f, 100, 3000);
//   auto tr = fk::nn::Trainer::Create(fk::nn::BuildSmallMobileNetV2(so), to);
//   if (!tr) return tr.status();
//   for (...) { auto loss = tr->TrainStep(images_nhwc, labels, 32); if (!loss) ... }   // one step per call
//   auto acc = tr->Evaluate(test_images, test_labels, n_test);       // running BN statistics
//   fk::nn::Model m = tr->Export();                                   // BN folded; runs in Executor
//
// Pruning (TF MOT prune_low_magnitude semantics): the trainer's own weights
// live in RawModel() (unfolded conv kernels, masks in Layer::mask), so
//   PruneLayers(tr->RawModel(), sparsity, po);  // ranks the trainer's weights, sets masks
// takes effect from the next TrainStep: the forward uses w * mask, masked
// gradients are zero and masked weights are re-zeroed after each update, so
// they stay exactly 0. SetMask/Mask/Weights give the same per layer. A
// Trainer is copyable: one-shot pruning without fine-tuning is a copy,
// PruneLayers on the copy's RawModel(), then Evaluate (or Export + Strip).
//
// Semantics and choices:
//  * Images are NHWC floats (the executor's HWC input, batch-major), labels
//    in [0, classes). Internally activations are CNHW (train_ops.h).
//  * Batch norm (batch_norm = true): Keras defaults, momentum 0.99, eps 1e-3;
//    batch (biased) variance in the forward, running variance updated with
//    the unbiased batch variance. A conv's own bias is not trained then (BN's
//    beta replaces it; Create moves any existing conv bias into beta).
//    batch_norm = false trains conv biases instead (fine-tuning an exported,
//    already folded model).
//  * SGD as Keras: v = momentum * v - lr * g; w += v (Nesterov: w += momentum
//    * v - lr * g). Adam as Keras: lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t),
//    w -= lr_t * m / (sqrt(v) + eps).
//  * Weight decay applies to conv and FC kernels only (not biases, BN):
//    L2 adds decay * w to the gradient (Keras kernel_regularizer l2(decay/2));
//    Decoupled subtracts lr * decay * w before the step (AdamW/SGDW).
//  * Deterministic for a given binary and CPU (single-threaded; the GEMM and
//    depthwise kernels are the best variants, whose rounding differs by ISA).
//  * TrainStep allocates nothing once buffers exist for max_batch (Create).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "nn/graph.h"
#include "nn/train_ops.h"

namespace fk::nn {

// [SECTION] The small classifier

struct SmallNetOptions {
  int input_size = 32;   // 32 or 48 (any size >= 16 works)
  int num_classes = 10;
  float width = 1.0f;    // channel multiplier (0.5 .. 2)
  uint64_t seed = 1;     // weights are a pure function of (options, seed)
};

// Conv1 3x3/2 (16) + ReLU6; inverted-residual blocks (t, c, n, s) =
// (1, 8, 1, 1), (6, 16, 2, 2), (6, 24, 2, 2): 1x1 expand + ReLU6, depthwise
// 3x3 + ReLU6, 1x1 project (linear), add when shapes match; Conv_1 1x1 (128)
// + ReLU6; GAP; FC; softmax. Channels scale with width (MakeDivisible by 8).
// Passes CheckXnnpackSparsePolicy. He-normal weights, zero biases.
// 24.5k parameters, 0.94 M multiply-adds per 32x32 image (2.1 M at 48x48);
// a training step at batch 32 takes ~8.5-9.5 ms of CPU natively (AVX2, one
// core; the nn/train throughput doctest prints it), ~18-20 ms at 48x48.
Model BuildSmallMobileNetV2(const SmallNetOptions& opt);

// [SECTION] Options

// Learning rate per step: linear warmup from base/warmup to base over
// `warmup_steps`, then constant, cosine decay to alpha * base at total_steps
// (Keras CosineDecay), or step decay (base * gamma^floor(t / step_size)),
// t = steps after the warmup.
struct LrSchedule {
  enum class Kind { Constant, Cosine, StepDecay };
  Kind kind = Kind::Constant;
  float base = 0.01f;
  int64_t warmup_steps = 0;
  int64_t total_steps = 0;  // Cosine: the step where the decay ends (>= warmup_steps)
  float alpha = 0.f;        // Cosine: final fraction of base
  int64_t step_size = 1000; // StepDecay
  float gamma = 0.1f;       // StepDecay

  static LrSchedule Constant(float lr, int64_t warmup = 0);
  static LrSchedule Cosine(float lr, int64_t warmup, int64_t total, float alpha = 0.f);
  static LrSchedule StepDecay(float lr, int64_t step_size, float gamma, int64_t warmup = 0);
  Status Validate() const;
  float operator()(int64_t step) const;  // step counts from 0
};

enum class OptimizerKind { Sgd, Adam };
enum class WeightDecayKind { L2, Decoupled };

struct TrainOptions {
  OptimizerKind optimizer = OptimizerKind::Sgd;
  LrSchedule schedule = LrSchedule::Constant(0.05f);
  float momentum = 0.9f;  // SGD
  bool nesterov = true;   // SGD
  float beta1 = 0.9f, beta2 = 0.999f, adam_eps = 1e-7f;  // Adam (Keras defaults)
  float weight_decay = 4e-5f;
  WeightDecayKind decay_kind = WeightDecayKind::L2;
  bool batch_norm = true;
  float bn_momentum = 0.99f, bn_eps = 1e-3f;
  int max_batch = 32;  // buffers are sized for this; TrainStep/Evaluate take 1..max_batch per call
  Status Validate() const;
};

// [SECTION] Trainer

class Trainer {
 public:
  // Checks the model (InferShapes; convs dense or depthwise, one input HWC
  // image, Softmax/FC head) and allocates every buffer for max_batch.
  static Result<Trainer> Create(Model m, const TrainOptions& opt);
  // Create for a UI job: the same checks and parameters, but the activation buffers (tens of MB
  // for max_batch: their first touch was an 80 ms step natively, more in the page) are left to
  // PrepareStep, which allocates them about max_bytes a call; true when done. Unlike Create it runs
  // no sizing pass (a whole forward and backward at once), so the first step grows the GEMM scratch.
  // Other calls fail until then.
  static Result<Trainer> CreateDeferred(Model m, const TrainOptions& opt);
  bool PrepareStep(size_t max_bytes = size_t(4) << 20);
  bool Ready() const { return alloc_next_ == nodes_.size() && warmed_; }

  // One optimizer step on `batch` images (NHWC) and labels; returns the mean
  // cross-entropy before the update. The step counter (schedule) advances.
  Result<float> TrainStep(const float* images_nhwc, const int* labels, int batch);

  // TrainStep in slices, so a UI frame never holds a whole step: BeginStep
  // checks and copies the batch; each StepSlice runs one layer's forward or
  // backward (the optimizer update of all layers is the last slice) and
  // returns true when the step is done; StepLoss() then gives the loss (or
  // the divergence error). Bit-identical to TrainStep. Other calls on the
  // trainer fail while a sliced step is in progress; AbortStep (a cancelled
  // job) drops it with no effect: weights, BN statistics and the step
  // counter change only in the last slice.
  //   tr.BeginStep(x, y, 32);  each frame: while (budget left && !tr.StepSlice()) {}  then tr.StepLoss()
  Status BeginStep(const float* images_nhwc, const int* labels, int batch);
  bool StepSlice();
  Result<float> StepLoss() const;
  void AbortStep();
  float StepProgress() const;  // 0..1 within the current step

  // Forward + backward without an update: fills the gradients (Grad*) and
  // returns the loss (in double: gradient checks difference it). BN runs in
  // training mode (batch statistics); the running statistics are left alone.
  Result<double> ComputeGradients(const float* images_nhwc, const int* labels, int batch);

  // Inference with running statistics: logits [count][classes] (batch-major),
  // top-1 accuracy, or mean loss + accuracy. Any count (chunks of max_batch).
  Status PredictLogits(const float* images_nhwc, int count, float* logits);
  Result<float> Evaluate(const float* images_nhwc, const int* labels, int count);
  struct EvalResult {
    double loss = 0, accuracy = 0;
  };
  Result<EvalResult> EvaluateLoss(const float* images_nhwc, const int* labels, int count);

  // A Model equivalent to the eval forward: BN folded into conv weights and
  // biases (w' = w * gamma / sqrt(var + eps), b' = beta + (b - mean) * that
  // scale), masks and sparse flags preserved, masked weights exactly 0.
  Model Export() const;

  // The trainer's parameters, per Model layer index (which must exist). Weights are the raw
  // (unfolded) kernels the optimizer updates. Changing a mask or a weight
  // value between steps is fine; changing vector sizes fails the next step.
  Model& RawModel() { return m_; }
  const Model& RawModel() const { return m_; }
  std::vector<float>& Weights(int layer) { return m_.layers[size_t(layer)].weights; }
  const std::vector<uint8_t>& Mask(int layer) const { return m_.layers[size_t(layer)].mask; }
  // Fine-tuning a folded model with batch norm (TF MOT fine-tunes with BN in
  // place): after Create (its conv biases moved into beta), sets every BN
  // layer to the identity on this batch's statistics, so the trainer computes
  // what the folded model does (exactly on this batch in training mode, and
  // in eval mode on any input) and Export() gives the model back.
  Status CalibrateBatchNormAsIdentity(const float* images_nhwc, int batch);
  // Sets (or clears, with an empty vector) a layer's mask and zeroes the
  // masked weights now, as TF MOT's weight assignment does.
  Status SetMask(int layer, std::vector<uint8_t> mask);

  // Gradients of the last ComputeGradients/TrainStep (before decay), per layer:
  // kernel, bias (FC, or conv without BN), BN gamma and beta. Empty if none.
  const std::vector<float>& GradWeights(int layer) const { return nodes_[size_t(layer)].dw; }
  const std::vector<float>& GradBias(int layer) const { return nodes_[size_t(layer)].db; }
  const std::vector<float>& GradGamma(int layer) const { return nodes_[size_t(layer)].dgamma; }
  const std::vector<float>& GradBeta(int layer) const { return nodes_[size_t(layer)].dbeta; }
  // BN parameters and running statistics (empty when the layer has no BN).
  std::vector<float>& Gamma(int layer) { return nodes_[size_t(layer)].gamma; }
  std::vector<float>& Beta(int layer) { return nodes_[size_t(layer)].beta; }
  std::vector<float>& RunningMean(int layer) { return nodes_[size_t(layer)].running_mean; }
  std::vector<float>& RunningVar(int layer) { return nodes_[size_t(layer)].running_var; }

  // Optimizer and schedule can change between stages (the 3-step strategy):
  // weights, BN statistics and masks are kept; max_batch and batch_norm must
  // not change. reset_state zeroes momenta/Adam moments and the step counter.
  Status SetOptions(const TrainOptions& opt, bool reset_state);
  const TrainOptions& Options() const { return opt_; }
  int64_t Step() const { return step_; }
  float CurrentLearningRate() const { return opt_.schedule(step_); }
  int NumClasses() const { return classes_; }
  size_t InputSize() const { return size_t(m_.in_h) * size_t(m_.in_w) * size_t(m_.in_c); }  // per image

 public:
  struct UpdateRule {  // one step's optimizer constants (internal)
    OptimizerKind kind = OptimizerKind::Sgd;
    float lr = 0, momentum = 0, beta1 = 0, beta2 = 0, eps = 0;
    bool nesterov = false;
    double adam_lr = 0;  // lr * sqrt(1 - b2^t) / (1 - b1^t)
  };

 private:
  struct Node {
    train_ops::ConvGeom geom;  // Conv (batch set per call)
    bool bn = false, train_bias = false;
    std::vector<float> z;       // conv output before BN (BN layers)
    std::vector<float> y;       // layer output (after BN and activation)
    std::vector<float> dy;      // gradient of y (written by the first consumer in the backward)
    bool dy_set = false;
    std::vector<float> gamma, beta, running_mean, running_var, batch_mean, batch_inv_std;
    std::vector<float> dw, db, dgamma, dbeta;
    std::vector<float> masked_w;  // w * mask for the forward (masked layers only)
    // Optimizer slots: momentum/velocity (m) and Adam's second moment (v).
    std::vector<float> mw, vw, mb, vb, mgamma, vgamma, mbeta, vbeta;
  };
  Trainer() = default;
  Status CheckParams() const;
  Status CheckBatch(const float* images, const int* labels, int batch, bool need_labels) const;
  void LoadBatch(const float* images_nhwc, int batch);
  void Forward(const float* images_nhwc, int batch, bool training);
  void ForwardLayer(int i, int batch, bool training);
  double Backward(const int* labels, int batch);
  double BeginBackward(const int* labels, int batch);  // the loss and its gradient
  void BackwardLayer(int i, int batch);
  UpdateRule Rule() const;
  void UpdateLayer(int i, const UpdateRule& r);
  void UpdateRunningStats(int i, int batch);
  const float* LayerInput(int producer) const;
  const float* EffectiveWeights(int layer);

  Model m_;
  TrainOptions opt_;
  train_ops::TrainKernels k_;
  std::vector<Node> nodes_;
  std::vector<float> input_;  // the batch as CNHW [3][N][H][W]
  enum class SlicePhase { Idle, Forward, Backward, Update };
  SlicePhase slice_phase_ = SlicePhase::Idle;
  size_t alloc_next_ = 0;  // nodes whose activation buffers exist (PrepareStep)
  bool warmed_ = false;    // ready: the sizing pass ran (Create), or PrepareStep finished
  bool Allocated() const { return alloc_next_ == nodes_.size(); }
  void AllocateNode(size_t i);
  Status Warm();
  int slice_i_ = 0, slice_batch_ = 0;
  std::vector<int> slice_labels_;
  double slice_loss_ = 0;
  Status slice_status_;
  UpdateRule slice_rule_;
  train_ops::Scratch scratch_;
  int logits_layer_ = -1, classes_ = 0;
  int64_t step_ = 0;
};

}  // namespace fk::nn
