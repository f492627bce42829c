// The MobileNet-family model: a flat list of layers in execution order, each
// naming its producer(s) by index, with weights owned by the layer. Batch 1;
// activations are CHW except the model input, which is HWC (3 channels).
// BuildMobileNetV2 follows Keras' MobileNetV2 (channels via _make_divisible).
//
//   fk::nn::MobileNetV2Options o;  o.width = 0.35f;  o.input_size = 96;
//   fk::nn::Model m = fk::nn::BuildMobileNetV2(o);   // seeded He-style weights
//   fk::Status s = m.InferShapes();                  // validates and fills shapes
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/status.h"

namespace fk::nn {

// A small dense tensor (shape + values). CHW for activations.
struct Tensor {
  std::vector<int> shape;
  std::vector<float> data;
  size_t Size() const { return data.size(); }
};

enum class LayerKind : uint8_t { Conv = 1, Add = 2, GlobalAvgPool = 3, FullyConnected = 4, Softmax = 5 };
enum class Activation : uint8_t { None = 0, Relu6 = 1 };
const char* LayerKindName(LayerKind k);

struct Layer {
  std::string name;
  LayerKind kind = LayerKind::Conv;
  int input = -1;   // producer layer index; -1 = the model input (HWC)
  int input2 = -1;  // second operand of Add
  int in_c = 0, out_c = 0;
  int kernel = 1, stride = 1, groups = 1;  // Conv only; padding is kernel/2 on every side
  Activation act = Activation::None;       // fused (ReLU6 = clamp to [0, 6])
  bool sparse = false;  // pruned 1x1 conv: stored CSR and run with the spmm kernels
  int block = 1;        // output channels per shared sparsity pattern (1, 2, 4)
  // Conv: OIHW [out_c][in_c/groups][kernel][kernel]; FullyConnected: [out_c][in_c].
  std::vector<float> weights;
  std::vector<float> bias;    // [out_c]
  std::vector<uint8_t> mask;  // pruning mask (1 = kept), same size as weights; empty = none
  // Filled by Model::InferShapes (not stored in files).
  int in_h = 0, in_w = 0, out_h = 0, out_w = 0;

  size_t WeightCount() const;  // expected weights.size() from the hyper-parameters
  bool IsPointwise() const { return kind == LayerKind::Conv && kernel == 1 && stride == 1 && groups == 1; }
  bool IsDepthwise() const { return kind == LayerKind::Conv && groups > 1 && groups == in_c && in_c == out_c; }
  bool HasWeights() const { return kind == LayerKind::Conv || kind == LayerKind::FullyConnected; }
};

struct Model {
  std::string arch = "mobilenet_v2";
  float width = 1.0f;  // width multiplier the model was built with (informative)
  int in_h = 224, in_w = 224, in_c = 3;
  std::vector<Layer> layers;

  // Checks topology (producers precede consumers), hyper-parameters, weight
  // counts and channel agreement; fills in_h/in_w/out_h/out_w. The message
  // names the first offending layer.
  Status InferShapes();
  int NumClasses() const;       // out_c of the last FC (0 if none)
  int LogitsLayer() const;      // index of the layer whose output is the logits (before softmax)
  size_t ParameterCount() const;
};

struct MobileNetV2Options {
  float width = 1.0f;     // 0.35 .. 1.4
  int input_size = 224;   // 96 .. 224 (any size >= 32 works)
  int num_classes = 1000;
  uint64_t seed = 1;      // weights are a pure function of (options, seed)
};

// Keras' _make_divisible: round to the nearest multiple of `divisor`, never
// below 90% of v and never below `divisor`.
int MakeDivisible(double v, int divisor = 8);

Model BuildMobileNetV2(const MobileNetV2Options& opt);  // runs a MobileNetV2Build to the end

// The same model in slices, so the page never spends a frame on a whole
// build: the graph at once, then the weights in their fixed draw order, at
// most values_per_step per Step. Bit-identical for any slice size.
//   MobileNetV2Build b(o);  while (!b.Step()) ShowProgress(b.Progress());  Model m = b.Take();
class MobileNetV2Build {
 public:
  explicit MobileNetV2Build(const MobileNetV2Options& opt, size_t values_per_step = size_t(1) << 16);
  bool Step();  // true when every weight is drawn
  bool Done() const { return layer_ >= m_.layers.size(); }
  float Progress() const { return total_ ? float(double(drawn_) / double(total_)) : 1.f; }
  Model Take() { return std::move(m_); }  // after Step() returned true

 private:
  Model m_;
  Rng rng_;
  std::vector<float> sd_;  // per layer: the weights' standard deviation; 0 = no weights
  size_t per_step_;
  size_t layer_ = 0, pos_ = 0;  // next value to draw
  size_t drawn_ = 0, total_ = 0;
  bool shaped_ = false;
};

// Output spatial size of a conv with padding kernel/2 (matches the kernels).
inline int ConvOutSize(int in, int kernel, int stride) { return (in + 2 * (kernel / 2) - kernel) / stride + 1; }

}  // namespace fk::nn
