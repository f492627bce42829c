// Magnitude pruning with TensorFlow Model Optimization semantics: schedules
// (ConstantSparsity, PolynomialDecay) say when and how much; per-layer
// magnitude pruning keeps the largest |w| (optionally in blocks of 2 or 4
// output channels sharing one pattern); policies pick the layers; Strip bakes
// masks into the weights. PruneToSparsity is the one-shot path for benches.
//
//   fk::nn::PruneOptions po;  po.policy = fk::nn::PrunePolicy::ForLatencyOnXNNPack;
//   fk::Status s = fk::nn::PruneToSparsity(model, 0.9, po);   // then Strip(model)
//
//   fk::nn::PolynomialDecay sched(0.0, 0.8, 0, 1000);   // during training:
//   auto d = sched(step);  if (d.prune) PruneLayers(model, d.sparsity, po);
#pragma once
#include <cstdint>
#include <vector>

#include "core/status.h"
#include "nn/graph.h"

namespace fk::nn {

// [SECTION] Schedules

struct PruneDecision {
  bool prune = false;    // TF MOT's should_prune_in_step
  double sparsity = 0;   // target fraction of zeros at this step
};

// TF MOT's _should_prune_in_step: begin <= step && (step <= end || end < 0)
// && floormod(step - begin, frequency) == 0.
bool ShouldPruneInStep(int64_t step, int64_t begin_step, int64_t end_step, int64_t frequency);

struct ConstantSparsity {
  double target_sparsity;      // [0, 1)
  int64_t begin_step;          // >= 0
  int64_t end_step = -1;       // -1: prune forever
  int64_t frequency = 100;     // > 0
  ConstantSparsity(double target, int64_t begin, int64_t end = -1, int64_t freq = 100)
      : target_sparsity(target), begin_step(begin), end_step(end), frequency(freq) {}
  Status Validate() const;
  PruneDecision operator()(int64_t step) const;
};

struct PolynomialDecay {
  double initial_sparsity, final_sparsity;  // [0, 1)
  int64_t begin_step, end_step;             // end_step >= begin_step (no -1: the decay needs an end)
  double power = 3;
  int64_t frequency = 100;
  PolynomialDecay(double initial, double final_, int64_t begin, int64_t end, double pw = 3, int64_t freq = 100)
      : initial_sparsity(initial), final_sparsity(final_), begin_step(begin), end_step(end), power(pw),
        frequency(freq) {}
  Status Validate() const;
  // s = s_f + (s_i - s_f) * (1 - p)^power, p = clip((step - begin) / (end - begin), 0, 1).
  // With end == begin (TF would divide by zero) p is 1 from begin on.
  PruneDecision operator()(int64_t step) const;
};

// [SECTION] Policies and magnitude pruning

enum class PrunePolicy {
  All,                  // every conv and fully connected layer
  ForLatencyOnXNNPack,  // only 1x1 stride-1 groups=1 convs, and only in graphs XNNPACK can run sparse
};
const char* PrunePolicyName(PrunePolicy p);  // "all" | "xnnpack"

struct PruneOptions {
  PrunePolicy policy = PrunePolicy::ForLatencyOnXNNPack;
  int block = 1;        // 1, 2 or 4 output channels share one pattern (1x1 convs only)
  bool block_l2 = true; // block score: L2 norm (true) or sum of |w| (false)
};

// TF MOT's PruneForLatencyOnXNNPack graph check: the model must start with a
// 3x3 stride-2 conv on 3 input channels and, before its classifier head (FC,
// softmax), end in global average pooling; every layer in between must be one
// XNNPACK's sparse (CHW) path runs: 1x1 s1 conv, depthwise 3x3, add. The
// error names the first offending layer.
Status CheckXnnpackSparsePolicy(const Model& m);

// Layers the policy prunes (after the graph check for ForLatencyOnXNNPack).
Result<std::vector<int>> PrunableLayers(const Model& m, const PruneOptions& opt);

// Number of weights (or blocks) kept at `sparsity`: max(1, round_half_even(n * (1 - s))),
// as TF MOT's mask update.
size_t KeepCount(size_t n, double sparsity);

// Magnitude-prunes one layer to `sparsity`: keeps exactly KeepCount units with
// the largest |w| (block score for blocks; ties keep the lower index), sets the
// mask and zeroes the pruned weights (TF MOT assigns weight * mask).
Status PruneLayer(Layer& l, double sparsity, int block = 1, bool block_l2 = true);

// Prunes every layer the policy selects to `sparsity` and marks the 1x1 ones
// sparse (stored CSR, run by spmm). Idempotent for a fixed sparsity.
Status PruneLayers(Model& m, double sparsity, const PruneOptions& opt);

// One-shot "prune to sparsity s" (the demo/bench path): PruneLayers + Strip.
Status PruneToSparsity(Model& m, double sparsity, const PruneOptions& opt);  // runs a PruneTask to the end

// PruneToSparsity in slices, one layer per Step and the Strip last, so the
// page never spends a frame on a whole model. `m` must outlive the task.
//   PruneTask t(model, 0.9, po);  while (!t.Step()) ShowProgress(t.Progress());  if (!t.status()) ...
class PruneTask {
 public:
  PruneTask(Model& m, double sparsity, const PruneOptions& opt);
  bool Step();  // true when finished or failed
  const Status& status() const { return status_; }
  float Progress() const;

 private:
  Model& m_;
  double sparsity_;
  PruneOptions opt_;
  std::vector<int> layers_;
  size_t next_ = 0;
  bool done_ = false;
  Status status_;
};

// Bakes masks into weights (w *= mask) and drops them, as tfmot's strip_pruning.
void Strip(Model& m);
void StripLayer(Layer& l);  // the same for one layer

// Fraction of zero weights in a layer / in the given layers.
double LayerSparsity(const Layer& l);

}  // namespace fk::nn
