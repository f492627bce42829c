// Pruning-aware training, the seed's 3-step strategy, as one sliced job: the
// Sparse panel's "Train and prune" section, `?run=sparse-train`, and
// `fieldkit-cli sparse train` / `sparse prune-train` all drive this session.
//
//   Stage 0 (dense): train the small MobileNetV2 (batch norm, SGD + cosine
//     schedule), then fold BN into the convs: the dense model that ships.
//     Skipped when the session starts from a dense model (a .fks file).
//   Per target sparsity s:
//     one-shot: magnitude-prune the dense model's 1x1 convs to s, no training.
//     3-step (Table 1 of the seed's post): (1) the dense model; (2) fine-tune
//       while prune_low_magnitude raises the sparsity with PolynomialDecay (or
//       ConstantSparsity) every `frequency` steps; (3) fine-tune with the masks
//       fixed; strip_pruning.
//   Every model is scored as it ships: exported (BN folded, masks baked in),
//   run by the inference Executor on the test split (and on validation, which
//   is what hyper-parameters are chosen on), stored as .fks (CSR 1x1 layers)
//   for its size, and timed on this device with our dense and sparse kernels.
//
//   fk::nn::GeneratedShapes data(fk::nn::GenOptions{});
//   fk::nn::PruneTrainOptions o;  o.sparsities = {0.5, 0.7, 0.8, 0.9};
//   fk::nn::PruneTrainSession s(data, o);          // or (data, dense_model, o)
//   while (!s.Step()) ShowProgress(s.Progress(), s.Detail());   // Step: a few
//   ms at most if (!s.status()) ...;   nlohmann::json j = s.Json();         //
//   {"results":[...], ...}
//
// Fine-tuning (stages 2 and 3) starts from the folded dense model with batch
// norm put back as the identity (Trainer::CalibrateBatchNormAsIdentity on a
// fixed training batch), as TF MOT fine-tunes with BN in place: the panel's
// run and `prune-train` from a saved .fks compute exactly the same thing.
// (Without BN, fine-tuning at 70 %+ sparsity fell to chance, loss ln 10.)
#pragma once
#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "nn/dataset.h"
#include "nn/graph.h"
#include "nn/pruning.h"
#include "nn/train.h"

namespace fk::nn {

enum class SparsitySchedule { Polynomial, Constant };
const char *SparsityScheduleName(SparsitySchedule s);  // "polynomial" | "constant"

struct PruneTrainOptions {
  // Stage 0: dense training (when no dense model is given).
  SmallNetOptions net;  // input size and classes are taken from the data
  int epochs = 10;
  int batch = 32;
  float lr = 0.1f;  // SGD (Nesterov, momentum 0.9), cosine decay, warmup
                    // `warmup_epochs`
  float warmup_epochs = 0.5f;
  float weight_decay = 4e-5f;
  uint64_t seed = 1;  // weights and the order of examples

  // Pruning: each target sparsity of the 1x1 convolutions
  // (PruneForLatencyOnXNNPack).
  // Stage 2-3 defaults chosen on the validation split at 90 % (docs/BENCHMARKS.md "Pruning-aware training"):
  // 11 settings of epochs 4-12 per stage and learning rates 0.03-0.1 / 0.01-0.03; 8+8 at 0.1/0.01 and
  // 8+8 at 0.1/0.03 tied best (val 0.825 vs the dense model's 0.832); the smaller fine-tune rate kept.
  std::vector<double> sparsities;  // empty: stage 0 only
  bool one_shot = true;            // the baseline: prune, no fine-tuning
  bool three_step = true;          // the seed's strategy
  SparsitySchedule schedule = SparsitySchedule::Polynomial;
  double initial_sparsity = 0.0;  // PolynomialDecay's start (TF MOT's example
                                  // uses 0.5; 0 ramps from dense)
  int frequency = 100;            // mask updates every `frequency` steps (TF MOT's default)
  float prune_epochs = 8.f;       // stage 2: the schedule's begin_step 0, end_step =
                                  // the stage's last step
  float prune_lr = 0.1f;
  float finetune_epochs = 8.f;  // stage 3: masks fixed
  float finetune_lr = 0.01f;
  int block = 1;  // output channels per shared sparsity pattern (1, 2, 4)

  int latency_runs = 30;  // timed samples per model and kernel set (each ~1 ms of repeated inferences), interleaved; 0 = none
  int eval_limit = 0;     // examples scored per split; 0 = the whole split
  Status Validate() const;
};

struct PruneTrainResult {
  double sparsity = 0;           // the target (0 for the dense model)
  std::string strategy;          // "dense" | "one-shot" | "3step"
  double achieved_sparsity = 0;  // zeros in the pruned 1x1 layers of the stripped model
  double accuracy = 0;           // test split, 0..1
  double val_accuracy = 0;       // validation split (hyper-parameters are chosen on this)
  double top1_drop = 0;          // dense accuracy - accuracy (0..1; x100 = points)
  size_t model_bytes = 0;        // the .fks file (fp32, CSR where sparse)
  double median_ms_dense = 0;    // one inference, our dense kernels (every 1x1 dense)
  double median_ms_sparse = 0;   // our kernels with spmm on the sparse 1x1 layers
  int64_t train_steps = 0;       // fine-tuning steps that produced it (stages 2 + 3)
  Model model;                   // stripped, ready to save / run
};

// A point of the live curves: the mean loss of the training batches since the
// previous point; at each epoch's end also the validation accuracy (the
// trainer's eval forward on up to eval_limit validation examples).
struct TrainCurvePoint {
  std::string stage;  // "dense", "prune 0.9", "finetune 0.9"
  int64_t step = 0;   // within the stage
  double epoch = 0;   // within the stage
  double loss = 0;
  double lr = 0;
  double sparsity = 0;       // current target of the schedule (stages 2-3)
  double val_accuracy = -1;  // -1 = not evaluated at this point
};

class PruneTrainSession {
 public:
  // Trains the dense model first. `data` must outlive the session.
  PruneTrainSession(const Dataset &data, const PruneTrainOptions &o);
  // Starts from a dense (folded) model, e.g. a .fks written by `sparse train`.
  PruneTrainSession(const Dataset &data, Model dense, const PruneTrainOptions &o);
  ~PruneTrainSession();
  PruneTrainSession(PruneTrainSession &&) noexcept;
  PruneTrainSession &operator=(PruneTrainSession &&) noexcept;

  // One small unit of work (a layer of a training step, a chunk of
  // evaluation, a pruning pass, one timed inference); true when finished or
  // failed. Bit-identical however it is sliced.
  bool Step();
  bool Done() const;
  const Status &status() const;
  float Progress() const;
  std::string Detail() const;  // "dense: epoch 3/10, step 1234/6250"

  const std::vector<PruneTrainResult> &Results() const;  // the dense row first
  const std::vector<TrainCurvePoint> &Curve() const;
  const Model *DenseModel() const;  // after stage 0 (folded), or the given model
  double ImagesPerSecond() const;   // training throughput so far (all stages; wall time in Step)
  int64_t TrainImages() const;

  // {"results":[{sparsity, strategy, accuracy, top1_drop, model_bytes,
  // median_ms_dense, median_ms_sparse,
  //   val_accuracy, achieved_sparsity, train_steps}], "dense_accuracy",
  //   "images_per_s", "train_images", "data": {...}, "options": {...}}
  nlohmann::json Json() const;
  nlohmann::json CurveJson() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fk::nn
