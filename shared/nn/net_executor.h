// Runs an imported Net (net.h) on one NnKernels set, batch 1, fp32.
// Activations live channel-major (CHW), as in XNNPACK's sparse path, so the
// same spmm / 1x1 / depthwise microkernels that run our MobileNet run the
// imported graph; ops that need the file's NHWC order (RESHAPE, CONCATENATION
// of flattened tensors, FULLY_CONNECTED, the outputs) get a layout conversion
// inserted once. Create lowers the graph: PAD folded into the next convolution,
// RELU/RELU6 folded into their producer, weights packed per kernel layout,
// activation buffers shared by liveness. Run allocates nothing.
//
// Graph lowering picks the sparse kernel per 1x1 convolution: with
// SparseChoice::Measure (the default) each 1x1 layer whose weights hold zeros
// is timed once both ways on its real shape at Create, and the faster kernel
// is kept, as XNNPACK decides by zero ratio, but measured on this device.
//
//   auto net = fk::nn::ImportTfliteFile("face_detection_full_range_sparse.tflite");
//   auto ex = fk::nn::NetExecutor::Create(*net, fk::kernels::BestNnKernels());
//   ex->Run(input_nhwc);                  // ex->InputSize() floats, NHWC as the model declares
//   const float* scores = ex->Output(1);  // NHWC, ex->OutputShape(1)
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "kernels/nn_kernels.h"
#include "nn/net.h"

namespace fk::nn {

enum class SparseChoice : uint8_t {
  Never,    // every 1x1 convolution dense (the "own-dense" backend)
  Measure,  // per layer, whichever kernel measured faster at Create ("own-sparse")
  Always,   // spmm for every 1x1 layer with at least min_zero_fraction zeros (tests)
};

struct NetExecutorOptions {
  SparseChoice sparse = SparseChoice::Measure;
  double min_zero_fraction = 0.2;  // below this a layer is not even measured sparse
  bool time_ops = false;           // per-step wall time (a clock read per step)
};

// What lowering chose for one 1x1 (pointwise) convolution, for inspection.
struct PointwiseInfo {
  int file_index = 0;          // operator index in the .tflite
  std::string name;            // the weights tensor's name
  int in_c = 0, out_c = 0, pixels = 0;
  double zero_fraction = 0;    // of the weights
  bool sparse = false;         // runs on spmm
  double dense_ms = 0, sparse_ms = 0;  // SparseChoice::Measure's timings (0 = not measured)
};

class NetExecutor {
 public:
  static Result<NetExecutor> Create(const Net& net, const kernels::NnKernels& k, const NetExecutorOptions& opt = {});

  size_t InputSize() const { return input_size_; }
  const std::vector<int>& InputShape() const { return input_shape_; }
  void Run(const float* input_nhwc);

  size_t NumOutputs() const { return outputs_.size(); }
  const float* Output(size_t i) const { return buffers_[size_t(value_buffer_[size_t(outputs_[i].value)])].data(); }
  size_t OutputSize(size_t i) const { return outputs_[i].size; }
  const std::vector<int>& OutputShape(size_t i) const { return outputs_[i].shape; }
  const std::string& OutputName(size_t i) const { return outputs_[i].name; }

  // e.g. "own avx2: 46 of 49 1x1 layers on f32_spmm_minmax_ukernel_32x1__avx2"
  const std::string& Description() const { return description_; }
  const std::vector<PointwiseInfo>& Pointwise() const { return pointwise_; }
  int SparseLayers() const;
  size_t NumSteps() const { return steps_.size(); }
  size_t BufferBytes() const;

  struct StepTime {
    std::string op;
    int file_index = -1;
    double total_ms = 0;
  };
  const std::vector<StepTime>& StepTimes() const { return times_; }

  enum class StepKind : uint8_t {
    ToChw, ToHwc, ConvFirst, ConvGeneric, Conv1x1, Spmm, Dw3x3, DwGeneric, Binary, Unary, Pad, Pool,
    Resize, Copy, ConcatChannels, ConcatRows, DepthToSpace, Fc, Mean
  };
  struct Step {
    StepKind kind = StepKind::Copy;
    int op = -1;              // index into Net::ops (-1: a layout conversion)
    std::vector<int> in;      // value ids
    int out = -1;
    NetOpType type = NetOpType::Add;  // Binary/Unary/Pool: which
    size_t c = 0, h = 0, w = 0, oc = 0, oh = 0, ow = 0;
    int kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1, pt = 0, pl = 0, pb = 0, pr = 0, mult = 1;
    kernels::MinMax clamp;
    std::vector<float> packed;           // weights in the kernel's layout
    std::vector<float> constant;         // Binary with a constant operand
    std::vector<size_t> sizes;           // Concat*: per input extent; Pad: the 8 paddings
    size_t outer = 0, inner = 0;         // ConcatRows
    bool align_corners = false, half_pixel = false;
    kernels::SparsePacked sp;
    kernels::F32SpmmFn spmm = nullptr;
    kernels::F32DwConvFn dwfn = nullptr;
  };

 private:
  struct OutputInfo {
    int value = -1;
    size_t size = 0;
    std::vector<int> shape;
    std::string name;
  };
  friend class NetLowering;
  friend class NetExecutorBuilder;
  void RunStep(const Step& s);
  float* Buf(int value) { return buffers_[size_t(value_buffer_[size_t(value)])].data(); }

  const kernels::NnKernels* k_ = nullptr;
  NetExecutorOptions opt_;
  std::vector<Step> steps_;
  std::vector<size_t> value_size_;
  std::vector<int> value_buffer_;
  std::vector<std::vector<float>> buffers_;
  std::vector<OutputInfo> outputs_;
  std::vector<int> input_shape_;
  size_t input_size_ = 0;
  std::vector<PointwiseInfo> pointwise_;
  std::string description_;
  std::vector<StepTime> times_;
};

// Create in steps, one operator lowered per Step, so that the page's thread is
// never held for the whole kernel choice (timing every 1x1 layer both ways on
// a face model is ~0.3 s in the browser). `net` must outlive the builder.
//   NetExecutorBuilder b(net, k, opt);
//   while (!b.Step()) {}          // a job calls Step once per slice
//   Result<NetExecutor> ex = b.Take();
class NetExecutorBuilder {
 public:
  NetExecutorBuilder(const Net& net, const kernels::NnKernels& k, const NetExecutorOptions& opt = {});
  ~NetExecutorBuilder();
  NetExecutorBuilder(const NetExecutorBuilder&) = delete;
  NetExecutorBuilder& operator=(const NetExecutorBuilder&) = delete;

  bool Step();                  // true when done (or failed: see status())
  float Progress() const;       // 0..1
  size_t OpsDone() const;
  size_t OpsTotal() const;
  const Status& status() const;
  Result<NetExecutor> Take();   // after Step returned true; once

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fk::nn
