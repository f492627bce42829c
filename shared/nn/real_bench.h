// Real (imported .tflite) models: load + inspect, and the latency bench of
// `fieldkit-cli sparse bench --model NAME|PATH` and the Sparse panel's "Real
// models" section, as one sliced job: per model, import, set up every backend
// (own-sparse measures its per-layer kernel choice here), run the scalar
// reference once, then one timed inference per Step, backends interleaved run
// by run so they share machine noise.
//
//   fk::nn::RealBenchOptions o;  o.models = {"mediapipe:face_full_sparse", "mediapipe:face_full"};
//   fk::nn::RealModelBench b(o);
//   while (!b.Step()) ShowProgress(b.Progress(), b.Detail());
//   nlohmann::json j = b.ResultsJson();   // {"results":[{"model", "backend", "sparsity", "median_ms", ...}]}
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/status.h"
#include "kernels/nn_kernels.h"
#include "nn/net.h"
#include "nn/sparse_bench.h"

namespace fk::nn {

// What `sparse info FILE.tflite` and the panel show about an imported model.
struct NetSummary {
  std::string name, file;
  size_t bytes = 0, parameters = 0, ops = 0;   // ops: compute ops after folding
  std::vector<std::pair<std::string, int>> file_ops;
  int stored_sparse = 0;                       // constants stored with SparsityParameters
  std::vector<std::string> stored_types;       // distinct storage types of constants
  struct Pointwise {
    int file_index = 0;
    std::string weights;
    int in_c = 0, out_c = 0;
    double zero_fraction = 0;
    bool stored_sparse = false;
  };
  std::vector<Pointwise> pointwise;            // 1x1 convolutions in order
  double pointwise_zero_fraction = 0;          // over all 1x1 weights
  std::vector<int> input_shape;
  std::vector<std::pair<std::string, std::vector<int>>> outputs;
};
NetSummary Summarize(const Net& net);
nlohmann::json NetSummaryJson(const NetSummary& s, bool layers);

// Loads a model by bundled name ("mediapipe:face_full") or path and imports it.
Result<Net> LoadNet(const std::string& name_or_path);

struct RealBenchOptions {
  std::vector<std::string> models;
  std::vector<std::string> backends = {"own-dense", "own-sparse"};
  int runs = 20, warmup = 3;
  const kernels::NnKernels* kernels = nullptr;  // null = BestNnKernels()
};
std::vector<std::string> RealBackends();  // the backends imported models run on in this build

class RealModelBench {
 public:
  explicit RealModelBench(RealBenchOptions o);
  ~RealModelBench();
  bool Step();
  float Progress() const;
  std::string Detail() const;
  const Status& status() const;
  struct Row {
    std::string model;
    BenchResult r;
  };
  const std::vector<Row>& Results() const;
  const std::vector<NetSummary>& Summaries() const;  // one per model, as loaded
  nlohmann::json ResultsJson() const;                // {"results":[{"model", ...BenchResultJson}]}

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fk::nn
