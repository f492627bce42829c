#include "nn/graph.h"

#include <algorithm>
#include <cmath>

namespace fk::nn {

const char* LayerKindName(LayerKind k) {
  switch (k) {
    case LayerKind::Conv: return "conv";
    case LayerKind::Add: return "add";
    case LayerKind::GlobalAvgPool: return "global_avg_pool";
    case LayerKind::FullyConnected: return "fully_connected";
    case LayerKind::Softmax: return "softmax";
  }
  return "unknown";
}

size_t Layer::WeightCount() const {
  if (kind == LayerKind::Conv) {
    if (groups <= 0) return 0;
    return size_t(out_c) * size_t(in_c / groups) * size_t(kernel) * size_t(kernel);
  }
  if (kind == LayerKind::FullyConnected) return size_t(out_c) * size_t(in_c);
  return 0;
}

// [SECTION] Shape inference and validation

Status Model::InferShapes() {
  constexpr int kMaxDim = 1 << 16;
  if (in_h < 1 || in_w < 1 || in_c < 1 || in_h > 4096 || in_w > 4096 || in_c > kMaxDim)
    return Status::Error("model: input shape " + std::to_string(in_h) + "x" + std::to_string(in_w) + "x" +
                         std::to_string(in_c) + " is out of range");
  if (layers.empty()) return Status::Error("model: no layers");
  for (size_t i = 0; i < layers.size(); i++) {
    Layer& l = layers[i];
    auto fail = [&](const std::string& what) {
      return Status::Error("model: layer " + std::to_string(i) + " '" + l.name + "' (" + LayerKindName(l.kind) +
                           "): " + what);
    };
    if (l.input < -1 || l.input >= int(i)) return fail("input " + std::to_string(l.input) + " is not an earlier layer");
    const int pc = l.input < 0 ? in_c : layers[size_t(l.input)].out_c;
    const int ph = l.input < 0 ? in_h : layers[size_t(l.input)].out_h;
    const int pw = l.input < 0 ? in_w : layers[size_t(l.input)].out_w;
    if (l.in_c != pc) return fail("in_c " + std::to_string(l.in_c) + " but its input has " + std::to_string(pc) + " channels");
    if (l.out_c < 1 || l.out_c > kMaxDim) return fail("out_c " + std::to_string(l.out_c) + " is out of range");
    if (l.block != 1 && l.block != 2 && l.block != 4) return fail("block must be 1, 2 or 4");
    if (l.act != Activation::None && l.act != Activation::Relu6) return fail("unknown activation");
    l.in_h = ph;
    l.in_w = pw;
    switch (l.kind) {
      case LayerKind::Conv:
        if (l.kernel < 1 || l.kernel > 7 || l.kernel % 2 == 0) return fail("kernel must be odd and <= 7");
        if (l.stride < 1 || l.stride > 4) return fail("stride must be 1..4");
        if (l.groups < 1 || l.in_c % l.groups || l.out_c % l.groups) return fail("groups must divide in_c and out_c");
        if (l.input >= 0 && ph * pw == 0) return fail("input has no pixels");
        l.out_h = ConvOutSize(ph, l.kernel, l.stride);
        l.out_w = ConvOutSize(pw, l.kernel, l.stride);
        break;
      case LayerKind::Add: {
        if (l.input < 0 || l.input2 < 0 || l.input2 >= int(i)) return fail("Add needs two earlier layers as inputs");
        const Layer& b = layers[size_t(l.input2)];
        if (b.out_c != pc || b.out_h != ph || b.out_w != pw) return fail("operands have different shapes");
        if (l.out_c != pc) return fail("out_c must equal in_c");
        l.out_h = ph;
        l.out_w = pw;
        break;
      }
      case LayerKind::GlobalAvgPool:
      case LayerKind::Softmax:
        if (l.out_c != pc) return fail("out_c must equal in_c");
        if (l.kind == LayerKind::Softmax && (ph != 1 || pw != 1)) return fail("input must be a vector (1x1)");
        l.out_h = l.out_w = 1;
        break;
      case LayerKind::FullyConnected:
        if (ph != 1 || pw != 1) return fail("input must be a vector (1x1), got " + std::to_string(ph) + "x" + std::to_string(pw));
        l.out_h = l.out_w = 1;
        break;
      default:
        return fail("unknown layer kind " + std::to_string(int(l.kind)));
    }
    if (l.HasWeights()) {
      if (l.weights.size() != l.WeightCount())
        return fail("has " + std::to_string(l.weights.size()) + " weights, expected " + std::to_string(l.WeightCount()));
      if (l.bias.size() != size_t(l.out_c)) return fail("bias size differs from out_c");
      if (!l.mask.empty() && l.mask.size() != l.weights.size()) return fail("mask size differs from weights");
    } else if (!l.weights.empty() || !l.bias.empty()) {
      return fail("has weights but takes none");
    }
    if (l.sparse && !l.IsPointwise()) return fail("only 1x1 stride-1 groups=1 convolutions can be sparse");
    if (l.sparse && l.out_c % l.block) return fail("out_c is not a multiple of block " + std::to_string(l.block));
  }
  return Status::Ok();
}

int Model::LogitsLayer() const {
  int i = int(layers.size()) - 1;
  if (i >= 0 && layers[size_t(i)].kind == LayerKind::Softmax) i = layers[size_t(i)].input;
  return i;
}

int Model::NumClasses() const {
  for (size_t i = layers.size(); i-- > 0;)
    if (layers[i].kind == LayerKind::FullyConnected) return layers[i].out_c;
  return 0;
}

size_t Model::ParameterCount() const {
  size_t n = 0;
  for (auto& l : layers) n += l.weights.size() + l.bias.size();
  return n;
}

// [SECTION] MobileNetV2 builder

int MakeDivisible(double v, int divisor) {
  int nv = std::max(divisor, int(v + divisor / 2.0) / divisor * divisor);
  if (nv < 0.9 * v) nv += divisor;
  return nv;
}

namespace {

// Lays out the graph; weights are drawn later, in layer order, by
// MobileNetV2Build (sd[i] > 0 marks a layer with weights to draw).
struct Builder {
  Model& m;
  std::vector<float>& sd;
  int last = -1;  // index of the latest layer

  // He-style init: std = gain * sqrt(1 / fan_in). gain sqrt(2) before ReLU6;
  // 1 for linear layers; residual branches get a smaller gain so the sum of
  // 17 blocks keeps a roughly constant scale instead of growing with depth.
  // Called just before the layer is pushed.
  void Init(Layer& l, double gain) {
    const size_t fan_in = l.WeightCount() / size_t(l.out_c);
    // Allocated by MobileNetV2Build::Step as it reaches the layer: zeroing all 14 MB at once (and
    // the page faults) was one 100-300 ms step.
    sd.resize(m.layers.size() + 1, 0.f);
    sd[m.layers.size()] = float(gain / std::sqrt(double(fan_in)));
  }
  int Conv(const std::string& name, int out_c, int kernel, int stride, bool depthwise, Activation act, double gain) {
    Layer l;
    l.name = name;
    l.kind = LayerKind::Conv;
    l.input = last;
    l.in_c = last < 0 ? m.in_c : m.layers[size_t(last)].out_c;
    l.out_c = out_c;
    l.kernel = kernel;
    l.stride = stride;
    l.groups = depthwise ? l.in_c : 1;
    l.act = act;
    Init(l, gain);
    return Push(std::move(l));
  }
  int Simple(const std::string& name, LayerKind kind, int input2 = -1) {
    Layer l;
    l.name = name;
    l.kind = kind;
    l.input = last;
    l.input2 = input2;
    l.in_c = l.out_c = m.layers[size_t(last)].out_c;
    return Push(std::move(l));
  }
  int Push(Layer l) {
    m.layers.push_back(std::move(l));
    last = int(m.layers.size()) - 1;
    return last;
  }
};

}  // namespace

MobileNetV2Build::MobileNetV2Build(const MobileNetV2Options& opt, size_t values_per_step)
    : rng_(opt.seed * 0x9E3779B97F4A7C15ull + 0x5EED), per_step_(std::max<size_t>(1, values_per_step)) {
  Model& m = m_;
  m.arch = "mobilenet_v2";
  m.width = opt.width;
  m.in_h = m.in_w = opt.input_size;
  m.in_c = 3;
  Builder b{m, sd_};
  const double relu_gain = std::sqrt(2.0);
  const Activation relu6 = Activation::Relu6;

  b.Conv("Conv1", MakeDivisible(32 * opt.width), 3, 2, false, relu6, relu_gain);
  struct Stage { int t, c, n, s; };
  const Stage stages[] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                          {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  int block_id = 0;
  for (const Stage& st : stages) {
    // Keras: pointwise_filters = _make_divisible(int(filters * alpha), 8).
    const int out_c = MakeDivisible(double(int(st.c * opt.width)));
    for (int r = 0; r < st.n; r++, block_id++) {
      const int stride = r == 0 ? st.s : 1;
      const int block_in = b.last;
      const int in_c = m.layers[size_t(block_in)].out_c;
      const std::string p = block_id == 0 ? "expanded_conv_" : "block_" + std::to_string(block_id) + "_";
      if (block_id != 0) b.Conv(p + "expand", in_c * st.t, 1, 1, false, relu6, relu_gain);
      b.Conv(p + "depthwise", m.layers[size_t(b.last)].out_c, 3, stride, true, relu6, relu_gain);
      const bool residual = stride == 1 && in_c == out_c;
      b.Conv(p + "project", out_c, 1, 1, false, Activation::None, residual ? 0.5 : 1.0);
      if (residual) b.Simple(p + "add", LayerKind::Add, block_in);
    }
  }
  const int last_c = opt.width > 1.0f ? MakeDivisible(1280 * opt.width) : 1280;
  b.Conv("Conv_1", last_c, 1, 1, false, relu6, relu_gain);
  b.Simple("global_average_pooling2d", LayerKind::GlobalAvgPool);
  {
    Layer fc;
    fc.name = "Logits";
    fc.kind = LayerKind::FullyConnected;
    fc.input = b.last;
    fc.in_c = last_c;
    fc.out_c = opt.num_classes;
    b.Init(fc, 1.0);
    b.Push(std::move(fc));
  }
  b.Simple("softmax", LayerKind::Softmax);
  sd_.resize(m.layers.size(), 0.f);
  for (size_t i = 0; i < m.layers.size(); i++)
    if (sd_[i] > 0) total_ += m.layers[i].WeightCount() + size_t(m.layers[i].out_c);
}

bool MobileNetV2Build::Step() {
  // The draw order is fixed: each layer's weights, then its biases, layer by
  // layer; a step only decides where to pause, never what is drawn.
  size_t budget = per_step_;
  while (layer_ < m_.layers.size() && budget > 0) {
    Layer& l = m_.layers[layer_];
    if (!(sd_[layer_] > 0)) {
      layer_++;
      continue;
    }
    if (pos_ == 0) {
      l.weights.resize(l.WeightCount());
      l.bias.resize(size_t(l.out_c));
    }
    const size_t nw = l.weights.size(), n = nw + l.bias.size();
    const size_t end = std::min(n, pos_ + budget);
    for (size_t i = pos_; i < end; i++) {
      if (i < nw) l.weights[i] = sd_[layer_] * rng_.Normal();
      else l.bias[i - nw] = rng_.Uniform(-0.05f, 0.1f);
    }
    budget -= end - pos_;
    drawn_ += end - pos_;
    pos_ = end;
    if (pos_ == n) layer_++, pos_ = 0;
  }
  while (layer_ < m_.layers.size() && !(sd_[layer_] > 0)) layer_++;
  // Shapes once every weight exists (InferShapes checks their counts): it always succeeds for
  // the builder's own graph.
  if (Done() && !shaped_) shaped_ = m_.InferShapes().ok();
  return Done();
}

Model BuildMobileNetV2(const MobileNetV2Options& opt) {
  MobileNetV2Build b(opt, size_t(-1));
  while (!b.Step()) {
  }
  return b.Take();
}

}  // namespace fk::nn
