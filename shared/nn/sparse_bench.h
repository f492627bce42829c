// The sparse-inference bench as a sliced job, shared by `fieldkit-cli sparse
// bench` and the Sparse Inference panel: per sparsity it prunes MobileNetV2
// (one Step), round-trips it through the .fks format, runs the scalar
// reference once, then times every backend on the same weights and input,
// interleaving backends run by run so they share machine noise.
//
//   fk::nn::SparseBenchOptions o;  o.width = 0.35f;  o.size = 96;  o.runs = 10;
//   fk::nn::SparseBench bench(o);
//   while (!bench.Step()) ShowProgress(bench.Progress(), bench.Detail());  // UI: a few Steps a frame
//   if (!bench.status()) Report(bench.status().message());
//   nlohmann::json json = bench.ResultsJson();  // {"results":[{"backend":..,"sparsity":..,...}]}
//   auto sizes = fk::nn::ComputeSizeTable({});  // bytes per format, for the size chart
//
// JSON per result: backend ("own-dense" | "own-sparse" | "xnnpack-dense" |
// "xnnpack-sparse"), sparsity, median_ms, p10_ms, p90_ms, model_bytes (the .fks
// file the backend's weights come from: dense for *-dense, CSR for *-sparse),
// kernel (what ran; for xnnpack-sparse whether the sparse path engaged, judged
// by timing against a dense runtime), max_rel_err (norm-wise, on the logits
// before softmax, against the scalar reference: max|y - ref| / max|ref|), runs.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/status.h"
#include "kernels/nn_kernels.h"
#include "nn/pruning.h"

namespace fk::nn {

struct SparseBenchOptions {
  std::string model = "mobilenet_v2";  // the only architecture so far
  float width = 1.0f;                  // 0.35 .. 1.4
  int size = 224;                      // input height = width, 96 .. 224
  std::vector<double> sparsities = {0.0, 0.5, 0.7, 0.8, 0.9};
  std::vector<std::string> backends = {"own-dense", "own-sparse", "xnnpack-dense", "xnnpack-sparse"};
  int runs = 20;                       // timed inferences per backend and sparsity
  int warmup = 3;                      // untimed inferences first
  int block = 1;                       // 1, 2, 4: output channels sharing a sparsity pattern
  bool fp16 = false;                   // weights stored (and so run) as fp16-rounded values
  PrunePolicy policy = PrunePolicy::ForLatencyOnXNNPack;
  uint64_t seed = 1;                   // weights and input image
  int threads = 1;                     // only 1 (own kernels are single-threaded; XNNPACK gets no threadpool)
  bool time_layers = false;            // per-layer times of the own backends (LayerProfile)
  const kernels::NnKernels* kernels = nullptr;  // own backends' kernels; null = BestNnKernels()
};

// Checks ranges and names; the message names the offending option.
Status ValidateBenchOptions(const SparseBenchOptions& o);
// The backends a bench can time, one row each: KnownBackends, validation
// messages, the CLI's help and the panel's checkboxes (help as tooltip) read it.
struct BackendInfo {
  const char* name;      // "own-sparse"
  const char* help;      // one line: what runs
  bool xnnpack;          // needs XNNPACK built in
  bool panel_default;    // ticked when the panel opens (xnnpack-sparse is slow to set up)
};
const std::vector<BackendInfo>& Backends();
std::vector<std::string> KnownBackends();  // the rows this build can run (xnnpack-* only with XNNPACK)

struct BenchResult {
  std::string backend;
  double sparsity = 0;
  double median_ms = 0, p10_ms = 0, p90_ms = 0;
  uint64_t model_bytes = 0;
  std::string kernel;
  double max_rel_err = 0;
  int runs = 0;
};

// Per-layer time of an own backend at one sparsity (time_layers): mean, median
// and fastest ms per run (the fastest is least disturbed by other processes),
// useful FLOPs per run (Executor::LayerTime) and input H*W.
struct LayerProfileRow {
  std::string backend, layer, op;
  double sparsity = 0, mean_ms = 0, median_ms = 0, min_ms = 0, flops = 0;
  size_t pixels = 0;
};

class SparseBench {
 public:
  explicit SparseBench(SparseBenchOptions opt);
  ~SparseBench();
  SparseBench(const SparseBench&) = delete;
  SparseBench& operator=(const SparseBench&) = delete;

  bool Step();                 // one slice (a prune, a setup or one inference); true when finished or failed
  float Progress() const;      // 0..1
  std::string Detail() const;  // e.g. "sparsity 0.7: own-sparse run 12/20"
  bool Done() const;
  const Status& status() const;  // not ok if the bench failed (bad options, backend error)
  const std::vector<BenchResult>& Results() const;  // grows as sparsities finish
  nlohmann::json ResultsJson() const;               // {"results":[...]}
  const std::vector<LayerProfileRow>& LayerProfile() const;
  const SparseBenchOptions& Options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The q-quantile (0..1) of timings, linear between order statistics; 0 for none.
// Every bench's median/p10/p90 (MobileNet, real models, the panel's side by side).
double Percentile(std::vector<double> v, double q);

nlohmann::json BenchResultJson(const BenchResult& r);  // one object of the "results" array
nlohmann::json BenchResultsJson(const std::vector<BenchResult>& results);  // {"results":[...]}

// [SECTION] Size table (bytes of the .fks file, measured by serialising)

struct SizeTableOptions {
  float width = 1.0f;
  int size = 224;
  std::vector<double> sparsities = {0.0, 0.5, 0.7, 0.8, 0.9};
  PrunePolicy policy = PrunePolicy::ForLatencyOnXNNPack;
  int block = 1;
  uint64_t seed = 1;
};
struct SizeRow {
  double sparsity = 0;
  uint64_t dense_fp32 = 0, dense_fp16 = 0, sparse_fp32 = 0, sparse_fp16 = 0;
};
// The size table in slices (build once; per sparsity one prune and four
// serialisations), so the page never blocks a frame for a whole model:
//   SizeTableBuilder b(o);  while (!b.Step()) ShowProgress(b.Progress(), b.Detail());
class SizeTableBuilder {
 public:
  explicit SizeTableBuilder(SizeTableOptions o);
  ~SizeTableBuilder();
  bool Step();                 // true when finished or failed
  float Progress() const;      // 0..1
  std::string Detail() const;  // e.g. "sparsity 0.7: writing sparse fp16"
  const Status& status() const;
  const std::vector<SizeRow>& Rows() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};
Result<std::vector<SizeRow>> ComputeSizeTable(const SizeTableOptions& o);  // runs a SizeTableBuilder
nlohmann::json SizeTableJson(const std::vector<SizeRow>& rows);  // {"sizes":[{"sparsity":..,"dense_fp32":..,...}]}

}  // namespace fk::nn
