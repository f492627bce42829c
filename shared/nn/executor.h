// Runs a Model with one NnKernels set (ScalarNnKernels() is the oracle).
// Everything is prepared at Create: weights packed per kernel layout, sparse
// 1x1 layers packed for spmm, activation buffers assigned by liveness. Run
// does no allocation and no copies between layers.
//
//   auto ex = fk::nn::Executor::Create(model, fk::kernels::BestNnKernels());
//   if (!ex) return ex.status();
//   ex->Run(image_hwc);                          // in_h * in_w * 3 floats
//   const float* probs = ex->Output();  const float* logits = ex->Logits();
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "kernels/nn_kernels.h"
#include "nn/graph.h"

namespace fk::nn {

struct ExecutorOptions {
  bool sparse = true;        // layers marked sparse run with spmm; false runs them with the dense conv1x1
  bool time_layers = false;  // accumulate per-layer wall time (a clock read per layer)
};

class Executor {
 public:
  static Result<Executor> Create(const Model& m, const kernels::NnKernels& k, const ExecutorOptions& opt = {});

  void Run(const float* input_hwc);
  // Runs ops [begin, end) only, so a caller can spread one slow inference (the
  // scalar reference in the page) over several UI frames. Run = RunOps(0, NumOps()).
  void RunOps(const float* input_hwc, size_t begin, size_t end);
  size_t NumOps() const { return ops_.size(); }

  const float* Output() const { return Buffer(output_layer_); }  // last layer (probabilities)
  size_t OutputSize() const { return output_size_; }
  const float* Logits() const { return Buffer(logits_layer_); }  // before softmax
  size_t NumLogits() const { return logits_size_; }
  size_t InputSize() const { return input_size_; }
  const float* LayerOutput(int layer) const { return Buffer(layer); }  // valid until reused by a later layer

  // e.g. "own scalar: f32_spmm... (14 sparse 1x1 layers)" for the bench's "kernel" field.
  const std::string& Description() const { return description_; }
  size_t BufferBytes() const;  // activation memory after liveness sharing (not the spmm row-padding copies)

  // Per-layer time (time_layers): total ms since the last reset, one sample per
  // timed run (medians resist the load of a shared machine), and the layer's
  // useful FLOPs per run (spmm: stored nonzeros only) for GFLOP/s.
  struct LayerTime {
    std::string name, op;  // op: "first_conv", "dwconv3x3s1", "dwconv3x3s2", "conv1x1", "spmm", "add", ...
    double total_ms = 0;
    std::vector<double> run_ms;
    double flops = 0;
    size_t pixels = 0;  // H*W of the layer's input
  };
  const std::vector<LayerTime>& LayerTimes() const { return times_; }
  int TimedRuns() const { return timed_runs_; }
  void ResetTimes();

 private:
  enum class OpKind { FirstConv, DwConv, Conv1x1, Spmm, Add, GavgPool, Fc, Softmax };
  struct Op {
    OpKind kind = OpKind::Add;
    int in = -1, in2 = -1, out = -1;  // buffer ids (-1 = model input)
    size_t in_h = 0, in_w = 0, in_c = 0, out_c = 0, pixels = 0;
    size_t stride = 1;  // first conv and depthwise
    size_t row = 0;     // spmm: padded row length it runs at (> pixels) or 0 (runs in place)
    kernels::MinMax clamp;
    std::vector<float> packed;   // dense layouts
    kernels::SparsePacked sp;    // spmm
    kernels::F32SpmmFn spmm = nullptr;
    kernels::F32DwConvFn dw = nullptr;
  };
  const float* Buffer(int layer) const {
    if (layer < 0) return nullptr;
    const size_t b = size_t(layer_buffer_[size_t(layer)]);
    return buffers_[b].data() + buffer_offset_[b];
  }
  float* MutableBuffer(int layer) {
    const size_t b = size_t(layer_buffer_[size_t(layer)]);
    return buffers_[b].data() + buffer_offset_[b];
  }
  void RunOp(const Op& op, const float* input);
  // Create's steps: layer i as an op (kind and packed weights), counting the 1x1 layers by path.
  struct Counts {
    int sparse_1x1 = 0, dense_1x1 = 0;
  };
  static const char* OpName(const Op& op);
  static double OpFlops(const Op& op);
  static Status MakeOp(const Layer& l, size_t i, const kernels::NnKernels& k, const ExecutorOptions& opt, Op& op,
                       Counts& counts);
  static Status PackConv(const Layer& l, size_t i, const kernels::NnKernels& k, const ExecutorOptions& opt, Op& op,
                         Counts& counts);

  const kernels::NnKernels* k_ = nullptr;
  ExecutorOptions opt_;
  std::vector<Op> ops_;
  std::vector<std::vector<float>> buffers_;
  std::vector<size_t> buffer_offset_;  // floats from data() to the first 64-byte boundary
  // Spmm layers with padded rows (Op::row) run between these two, 64-byte aligned.
  std::vector<float> pad_in_, pad_out_;
  size_t pad_in_offset_ = 0, pad_out_offset_ = 0;
  std::vector<int> layer_buffer_;
  int output_layer_ = -1, logits_layer_ = -1;
  size_t output_size_ = 0, logits_size_ = 0, input_size_ = 0;
  std::string description_;
  std::vector<LayerTime> times_;
  int timed_runs_ = 0;
};

}  // namespace fk::nn
