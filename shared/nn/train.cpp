#include "nn/train.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/rng.h"

namespace fk::nn {

// [SECTION] The small classifier

Model BuildSmallMobileNetV2(const SmallNetOptions& opt) {
  Model m;
  m.arch = "small_mobilenet_v2";
  m.width = opt.width;
  m.in_h = m.in_w = opt.input_size;
  m.in_c = 3;
  Rng rng(opt.seed * 0x9E3779B97F4A7C15ull + 0x7EA1);
  int last = -1;
  auto out_c_of = [&](int l) { return l < 0 ? m.in_c : m.layers[size_t(l)].out_c; };
  // He-normal (std = gain / sqrt(fan_in)), gain sqrt(2) before ReLU6, 1 for
  // linear projections and the classifier; zero biases (BN's beta takes over).
  auto push = [&](Layer l, double gain) {
    if (l.HasWeights()) {
      l.weights.resize(l.WeightCount());
      l.bias.assign(size_t(l.out_c), 0.f);
      const double sd = gain / std::sqrt(double(l.WeightCount() / size_t(l.out_c)));
      for (float& w : l.weights) w = float(sd) * rng.Normal();
    }
    m.layers.push_back(std::move(l));
    last = int(m.layers.size()) - 1;
    return last;
  };
  auto conv = [&](const std::string& name, int out_c, int kernel, int stride, bool depthwise, Activation act,
                  double gain) {
    Layer l;
    l.name = name;
    l.kind = LayerKind::Conv;
    l.input = last;
    l.in_c = out_c_of(last);
    l.out_c = depthwise ? l.in_c : out_c;
    l.kernel = kernel;
    l.stride = stride;
    l.groups = depthwise ? l.in_c : 1;
    l.act = act;
    return push(std::move(l), gain);
  };
  auto simple = [&](const std::string& name, LayerKind kind, int input2 = -1) {
    Layer l;
    l.name = name;
    l.kind = kind;
    l.input = last;
    l.input2 = input2;
    l.in_c = l.out_c = out_c_of(last);
    return push(std::move(l), 0);
  };
  const double relu_gain = std::sqrt(2.0);
  const Activation relu6 = Activation::Relu6;
  auto ch = [&](int c) { return MakeDivisible(double(c) * opt.width); };
  conv("Conv1", ch(16), 3, 2, false, relu6, relu_gain);
  struct Stage { int t, c, n, s; };
  const Stage stages[] = {{1, 8, 1, 1}, {6, 16, 2, 2}, {6, 24, 2, 2}};
  int block_id = 0;
  for (const Stage& st : stages) {
    const int out_c = ch(st.c);
    for (int r = 0; r < st.n; r++, block_id++) {
      const int stride = r == 0 ? st.s : 1;
      const int block_in = last;
      const int in_c = out_c_of(block_in);
      const std::string p = "block_" + std::to_string(block_id) + "_";
      if (st.t != 1) conv(p + "expand", in_c * st.t, 1, 1, false, relu6, relu_gain);
      conv(p + "depthwise", 0, 3, stride, true, relu6, relu_gain);
      const bool residual = stride == 1 && in_c == out_c;
      conv(p + "project", out_c, 1, 1, false, Activation::None, residual ? 0.5 : 1.0);
      if (residual) simple(p + "add", LayerKind::Add, block_in);
    }
  }
  const int last_c = MakeDivisible(128.0 * std::max(1.0f, opt.width));
  conv("Conv_1", last_c, 1, 1, false, relu6, relu_gain);
  simple("global_average_pooling2d", LayerKind::GlobalAvgPool);
  Layer fc;
  fc.name = "Logits";
  fc.kind = LayerKind::FullyConnected;
  fc.input = last;
  fc.in_c = last_c;
  fc.out_c = opt.num_classes;
  push(std::move(fc), 1.0);
  simple("softmax", LayerKind::Softmax);
  m.InferShapes();  // the builder's own graph always validates; fills shapes
  return m;
}

// [SECTION] Options

LrSchedule LrSchedule::Constant(float lr, int64_t warmup) {
  LrSchedule s;
  s.kind = Kind::Constant;
  s.base = lr;
  s.warmup_steps = warmup;
  return s;
}

LrSchedule LrSchedule::Cosine(float lr, int64_t warmup, int64_t total, float alpha) {
  LrSchedule s;
  s.kind = Kind::Cosine;
  s.base = lr;
  s.warmup_steps = warmup;
  s.total_steps = total;
  s.alpha = alpha;
  return s;
}

LrSchedule LrSchedule::StepDecay(float lr, int64_t step_size, float gamma, int64_t warmup) {
  LrSchedule s;
  s.kind = Kind::StepDecay;
  s.base = lr;
  s.step_size = step_size;
  s.gamma = gamma;
  s.warmup_steps = warmup;
  return s;
}

Status LrSchedule::Validate() const {
  if (!(base > 0.f) || !std::isfinite(base)) return Status::Error("schedule: learning rate must be > 0");
  if (warmup_steps < 0) return Status::Error("schedule: warmup_steps must be >= 0");
  if (kind == Kind::Cosine) {
    if (total_steps < warmup_steps) return Status::Error("schedule: cosine total_steps must be >= warmup_steps");
    if (!(alpha >= 0.f && alpha <= 1.f)) return Status::Error("schedule: cosine alpha must be in [0, 1]");
  }
  if (kind == Kind::StepDecay) {
    if (step_size < 1) return Status::Error("schedule: step_size must be >= 1");
    if (!(gamma > 0.f && gamma <= 1.f)) return Status::Error("schedule: gamma must be in (0, 1]");
  }
  return Status::Ok();
}

float LrSchedule::operator()(int64_t step) const {
  if (step < warmup_steps) return float(double(base) * double(step + 1) / double(warmup_steps));
  const int64_t t = step - warmup_steps;
  switch (kind) {
    case Kind::Constant: return base;
    case Kind::Cosine: {
      const int64_t span = total_steps - warmup_steps;
      const double p = span <= 0 ? 1.0 : std::min(1.0, double(t) / double(span));
      const double c = 0.5 * (1.0 + std::cos(3.14159265358979323846 * p));
      return float(double(base) * (double(alpha) + (1.0 - double(alpha)) * c));
    }
    case Kind::StepDecay: return float(double(base) * std::pow(double(gamma), double(t / step_size)));
  }
  return base;
}

Status TrainOptions::Validate() const {
  Status s = schedule.Validate();
  if (!s) return s;
  if (!(momentum >= 0.f && momentum < 1.f)) return Status::Error("train options: momentum must be in [0, 1)");
  if (!(beta1 >= 0.f && beta1 < 1.f) || !(beta2 >= 0.f && beta2 < 1.f))
    return Status::Error("train options: Adam beta1 and beta2 must be in [0, 1)");
  if (!(adam_eps > 0.f)) return Status::Error("train options: adam_eps must be > 0");
  if (!(weight_decay >= 0.f) || !std::isfinite(weight_decay))
    return Status::Error("train options: weight_decay must be >= 0");
  if (!(bn_momentum >= 0.f && bn_momentum < 1.f)) return Status::Error("train options: bn_momentum must be in [0, 1)");
  if (!(bn_eps > 0.f)) return Status::Error("train options: bn_eps must be > 0");
  if (max_batch < 1 || max_batch > 4096) return Status::Error("train options: max_batch must be in [1, 4096]");
  return Status::Ok();
}

// [SECTION] Trainer: set-up

Result<Trainer> Trainer::Create(Model m, const TrainOptions& opt) {
  auto t = CreateDeferred(std::move(m), opt);
  if (!t) return t;
  while (!t->Allocated()) t->PrepareStep(size_t(-1));
  if (Status w = t->Warm(); !w) return w;
  return t;
}

// One throw-away pass sizes the GEMM scratch for max_batch, so the first
// real step allocates nothing either.
Status Trainer::Warm() {
  const size_t B = size_t(opt_.max_batch);
  std::vector<float> zeros(InputSize() * B, 0.f);
  std::vector<int> labels(B, 0);
  auto r = ComputeGradients(zeros.data(), labels.data(), opt_.max_batch);
  warmed_ = r.ok();
  return r.ok() ? Status::Ok() : r.status();
}

void Trainer::AllocateNode(size_t i) {
  const Layer& l = m_.layers[i];
  Node& nd = nodes_[i];
  if (l.kind == LayerKind::Softmax) return;
  const size_t out = size_t(l.out_c) * size_t(opt_.max_batch) * size_t(l.out_h) * size_t(l.out_w);
  nd.y.resize(out);
  nd.dy.resize(out);
  if (nd.bn) nd.z.resize(out);
}

bool Trainer::PrepareStep(size_t max_bytes) {
  if (Ready()) return true;
  if (!Allocated()) {
    if (alloc_next_ == 0) input_.resize(size_t(m_.in_c) * size_t(opt_.max_batch) * size_t(m_.in_h) * size_t(m_.in_w));
    size_t bytes = 0;
    while (alloc_next_ < nodes_.size() && bytes < max_bytes) {
      const Layer& l = m_.layers[alloc_next_];
      bytes += sizeof(float) * 3 * size_t(l.out_c) * size_t(opt_.max_batch) * size_t(l.out_h) * size_t(l.out_w);
      AllocateNode(alloc_next_++);
    }
    return false;
  }
  // No sizing pass here: it is one whole forward and backward at max_batch (with the page's
  // scalar training kernels, ~200 ms). The first sliced step grows the scratch layer by layer.
  warmed_ = true;
  return true;
}

Result<Trainer> Trainer::CreateDeferred(Model m, const TrainOptions& opt) {
  Status s = opt.Validate();
  if (!s) return s;
  s = m.InferShapes();
  if (!s) return Status::Error("trainer: " + s.message());
  Trainer t;
  t.opt_ = opt;
  t.k_ = train_ops::TrainKernels::Best();
  t.logits_layer_ = m.LogitsLayer();
  const size_t n_layers = m.layers.size();
  for (size_t i = 0; i < n_layers; i++) {
    const Layer& l = m.layers[i];
    auto fail = [&](const std::string& what) {
      return Status::Error("trainer: layer " + std::to_string(i) + " '" + l.name + "' (" + LayerKindName(l.kind) +
                           "): " + what);
    };
    if (l.kind == LayerKind::Conv && l.groups != 1 && !l.IsDepthwise())
      return fail("grouped convolutions other than depthwise are not supported");
    if (l.kind == LayerKind::Softmax && i + 1 != n_layers) return fail("softmax is supported only as the last layer");
  }
  if (t.logits_layer_ < 0) return Status::Error("trainer: the model has no logits layer");
  const Layer& lg = m.layers[size_t(t.logits_layer_)];
  if (lg.out_h != 1 || lg.out_w != 1 || lg.out_c < 2)
    return Status::Error("trainer: the logits layer '" + lg.name + "' must output a vector of >= 2 classes");
  t.classes_ = lg.out_c;

  const size_t B = size_t(opt.max_batch);
  t.nodes_.resize(n_layers);
  t.slice_labels_.resize(B);
  for (size_t i = 0; i < n_layers; i++) {
    Layer& l = m.layers[i];
    Node& nd = t.nodes_[i];
    if (l.kind == LayerKind::Softmax) continue;
    if (l.kind == LayerKind::Conv) {
      nd.geom = {opt.max_batch, l.in_c, l.in_h, l.in_w, l.out_c, l.out_h, l.out_w, l.kernel, l.stride,
                 l.IsDepthwise() && l.groups > 1};
      nd.bn = opt.batch_norm;
    }
    if (l.HasWeights()) {
      nd.train_bias = !nd.bn;
      nd.dw.resize(l.weights.size());
      nd.mw.assign(l.weights.size(), 0.f);
      if (opt.optimizer == OptimizerKind::Adam) nd.vw.assign(l.weights.size(), 0.f);
      if (nd.train_bias) {
        nd.db.resize(l.bias.size());
        nd.mb.assign(l.bias.size(), 0.f);
        nd.vb.assign(l.bias.size(), 0.f);
      }
    }
    if (nd.bn) {
      const size_t c = size_t(l.out_c);
      nd.gamma.assign(c, 1.f);
      nd.beta = l.bias;  // BN's beta replaces the conv bias (same function at init)
      std::fill(l.bias.begin(), l.bias.end(), 0.f);
      nd.running_mean.assign(c, 0.f);
      nd.running_var.assign(c, 1.f);
      nd.batch_mean.resize(c);
      nd.batch_inv_std.resize(c);
      nd.dgamma.resize(c);
      nd.dbeta.resize(c);
      nd.mgamma.assign(c, 0.f);
      nd.vgamma.assign(c, 0.f);
      nd.mbeta.assign(c, 0.f);
      nd.vbeta.assign(c, 0.f);
    }
    if (!l.mask.empty()) {
      for (size_t k = 0; k < l.weights.size(); k++)
        if (!l.mask[k]) l.weights[k] = 0.f;
    }
  }
  t.m_ = std::move(m);
  return t;  // activation buffers and the sizing pass: PrepareStep
}

Status Trainer::SetOptions(const TrainOptions& opt, bool reset_state) {
  Status s = opt.Validate();
  if (!s) return s;
  if (opt.max_batch != opt_.max_batch) return Status::Error("trainer: max_batch cannot change after Create");
  if (opt.batch_norm != opt_.batch_norm) return Status::Error("trainer: batch_norm cannot change after Create");
  opt_ = opt;
  for (Node& nd : nodes_) {
    if (!nd.dw.empty() && opt.optimizer == OptimizerKind::Adam && nd.vw.size() != nd.dw.size())
      nd.vw.assign(nd.dw.size(), 0.f);
    if (reset_state) {
      for (auto* v : {&nd.mw, &nd.vw, &nd.mb, &nd.vb, &nd.mgamma, &nd.vgamma, &nd.mbeta, &nd.vbeta})
        std::fill(v->begin(), v->end(), 0.f);
    }
  }
  if (reset_state) step_ = 0;
  return Status::Ok();
}

// Layer by layer in one pass: each BN layer's statistics on the batch become
// its own (gamma = sd, beta = bias + mean, running = batch), so BN(z) = z + b
// and the next layer sees exactly the folded model's activations.
Status Trainer::CalibrateBatchNormAsIdentity(const float* images_nhwc, int batch) {
  if (Status s = CheckBatch(images_nhwc, nullptr, batch, false); !s) return s;
  if (!opt_.batch_norm) return Status::Error("trainer: no batch norm to calibrate (batch_norm = false)");
  LoadBatch(images_nhwc, batch);
  for (int i = 0; i <= logits_layer_; i++) {
    ForwardLayer(i, batch, true);
    Node& nd = nodes_[size_t(i)];
    if (!nd.bn) continue;
    for (size_t c = 0; c < nd.gamma.size(); c++) {
      const float sd = 1.f / nd.batch_inv_std[c];
      nd.gamma[c] = sd;
      nd.beta[c] += nd.batch_mean[c];
      nd.running_mean[c] = nd.batch_mean[c];
      nd.running_var[c] = std::max(0.f, sd * sd - opt_.bn_eps);
    }
    ForwardLayer(i, batch, true);  // this layer's output with the calibrated parameters
  }
  return Status::Ok();
}

Status Trainer::SetMask(int layer, std::vector<uint8_t> mask) {
  if (layer < 0 || size_t(layer) >= m_.layers.size())
    return Status::Error("trainer: SetMask: layer " + std::to_string(layer) + " does not exist");
  Layer& l = m_.layers[size_t(layer)];
  if (!l.HasWeights()) return Status::Error("trainer: SetMask: layer '" + l.name + "' has no weights");
  if (!mask.empty() && mask.size() != l.weights.size())
    return Status::Error("trainer: SetMask: layer '" + l.name + "' has " + std::to_string(l.weights.size()) +
                         " weights but the mask " + std::to_string(mask.size()));
  l.mask = std::move(mask);
  for (size_t k = 0; k < l.mask.size(); k++)
    if (!l.mask[k]) l.weights[k] = 0.f;
  return Status::Ok();
}

Status Trainer::CheckParams() const {
  for (size_t i = 0; i < m_.layers.size(); i++) {
    const Layer& l = m_.layers[i];
    if (!l.HasWeights()) continue;
    if (l.weights.size() != l.WeightCount() || l.bias.size() != size_t(l.out_c) ||
        (!l.mask.empty() && l.mask.size() != l.weights.size()))
      return Status::Error("trainer: layer " + std::to_string(i) + " '" + l.name +
                           "': weights, bias or mask changed size since Create");
  }
  return Status::Ok();
}

Status Trainer::CheckBatch(const float* images, const int* labels, int batch, bool need_labels) const {
  if (!Allocated()) return Status::Error("trainer: buffers not allocated yet (call PrepareStep until it returns true)");
  if (slice_phase_ != SlicePhase::Idle)
    return Status::Error("trainer: a sliced step is in progress (call StepSlice until it returns true)");
  if (batch < 1 || batch > opt_.max_batch)
    return Status::Error("trainer: batch " + std::to_string(batch) + " is outside [1, max_batch = " +
                         std::to_string(opt_.max_batch) + "]");
  if (!images) return Status::Error("trainer: no images");
  if (need_labels) {
    if (!labels) return Status::Error("trainer: no labels");
    for (int n = 0; n < batch; n++)
      if (labels[n] < 0 || labels[n] >= classes_)
        return Status::Error("trainer: label " + std::to_string(labels[n]) + " of image " + std::to_string(n) +
                             " is outside [0, " + std::to_string(classes_) + ")");
  }
  return CheckParams();
}

// [SECTION] Trainer: forward and backward

const float* Trainer::LayerInput(int producer) const {
  return producer < 0 ? input_.data() : nodes_[size_t(producer)].y.data();
}

const float* Trainer::EffectiveWeights(int layer) {
  const Layer& l = m_.layers[size_t(layer)];
  if (l.mask.empty()) return l.weights.data();
  Node& nd = nodes_[size_t(layer)];
  nd.masked_w.resize(l.weights.size());  // allocates once per masked layer
  for (size_t k = 0; k < l.weights.size(); k++) nd.masked_w[k] = l.mask[k] ? l.weights[k] : 0.f;
  return nd.masked_w.data();
}

void Trainer::LoadBatch(const float* images, int batch) {
  const size_t N = size_t(batch), HW = size_t(m_.in_h) * size_t(m_.in_w), C = size_t(m_.in_c);
  for (size_t n = 0; n < N; n++)
    for (size_t p = 0; p < HW; p++)
      for (size_t c = 0; c < C; c++) input_[(c * N + n) * HW + p] = images[(n * HW + p) * C + c];
}

void Trainer::Forward(const float* images, int batch, bool training) {
  LoadBatch(images, batch);
  for (int i = 0; i <= logits_layer_; i++) ForwardLayer(i, batch, training);
}

void Trainer::ForwardLayer(int i, int batch, bool training) {
  const size_t N = size_t(batch);
  {
    const Layer& l = m_.layers[size_t(i)];
    Node& nd = nodes_[size_t(i)];
    const size_t out = size_t(l.out_c) * N * size_t(l.out_h) * size_t(l.out_w);
    const float* x = LayerInput(l.input);
    const bool relu6 = l.act == Activation::Relu6;
    switch (l.kind) {
      case LayerKind::Conv: {
        nd.geom.batch = batch;
        const float* w = EffectiveWeights(i);
        if (!nd.bn) {
          train_ops::ConvForward(nd.geom, k_, x, w, l.bias.data(), nd.y.data(), scratch_);
          break;
        }
        train_ops::ConvForward(nd.geom, k_, x, w, nullptr, nd.z.data(), scratch_);
        const size_t count = N * size_t(l.out_h) * size_t(l.out_w);
        if (!training) {
          train_ops::BatchNormEval(l.out_c, count, nd.z.data(), nd.gamma.data(), nd.beta.data(),
                                   nd.running_mean.data(), nd.running_var.data(), opt_.bn_eps, nd.y.data(), relu6);
          break;
        }
        train_ops::BatchNormTrainForward(l.out_c, count, nd.z.data(), nd.gamma.data(), nd.beta.data(), opt_.bn_eps,
                                         nd.y.data(), nd.batch_mean.data(), nd.batch_inv_std.data(), relu6);
        break;
      }
      case LayerKind::Add:
        train_ops::AddForward(out, x, LayerInput(l.input2), nd.y.data());
        break;
      case LayerKind::GlobalAvgPool:
        train_ops::GlobalAvgPoolForward(size_t(l.out_c) * N, size_t(l.in_h) * size_t(l.in_w), x, nd.y.data());
        break;
      case LayerKind::FullyConnected:
        train_ops::FcForward(batch, l.in_c, l.out_c, x, EffectiveWeights(i), l.bias.data(), nd.y.data());
        break;
      case LayerKind::Softmax:
        break;
    }
    if (l.act == Activation::Relu6 && !nd.bn) train_ops::Relu6Forward(out, nd.y.data());  // BN fuses it
  }
}

double Trainer::Backward(const int* labels, int batch) {
  const double loss = BeginBackward(labels, batch);
  for (int i = logits_layer_; i >= 0; i--) BackwardLayer(i, batch);
  return loss;
}

double Trainer::BeginBackward(const int* labels, int batch) {
  for (Node& nd : nodes_) nd.dy_set = false;
  Node& lg = nodes_[size_t(logits_layer_)];
  const double loss = train_ops::SoftmaxCrossEntropy(batch, classes_, lg.y.data(), labels, lg.dy.data());
  lg.dy_set = true;
  return loss;
}

void Trainer::BackwardLayer(int i, int batch) {
  const size_t N = size_t(batch);
  // The gradient of a tensor read by two layers is the sum of both
  // contributions: the first consumer (in reverse order) writes, the next adds.
  auto target = [&](int producer, bool& accumulate) -> float* {
    if (producer < 0) return nullptr;
    Node& p = nodes_[size_t(producer)];
    accumulate = p.dy_set;
    p.dy_set = true;
    return p.dy.data();
  };
  {
    const Layer& l = m_.layers[size_t(i)];
    Node& nd = nodes_[size_t(i)];
    if (!nd.dy_set) {  // does not reach the loss: zero parameter gradients
      for (auto* v : {&nd.dw, &nd.db, &nd.dgamma, &nd.dbeta}) std::fill(v->begin(), v->end(), 0.f);
      return;
    }
    const size_t out = size_t(l.out_c) * N * size_t(l.out_h) * size_t(l.out_w);
    if (l.act == Activation::Relu6 && !nd.bn) train_ops::Relu6Backward(out, nd.y.data(), nd.dy.data());
    const float* x = LayerInput(l.input);
    bool acc = false;
    switch (l.kind) {
      case LayerKind::Conv: {
        const float* w = l.mask.empty() ? l.weights.data() : nd.masked_w.data();
        const float* dz = nd.dy.data();
        if (nd.bn) {
          const size_t count = N * size_t(l.out_h) * size_t(l.out_w);
          // dz overwrites z (not needed after this point in the step).
          train_ops::BatchNormBackward(l.out_c, count, nd.z.data(), nd.gamma.data(), nd.batch_mean.data(),
                                       nd.batch_inv_std.data(), nd.dy.data(), nd.z.data(), nd.dgamma.data(),
                                       nd.dbeta.data(), l.act == Activation::Relu6 ? nd.y.data() : nullptr);
          dz = nd.z.data();
        }
        float* dx = target(l.input, acc);
        train_ops::ConvBackward(nd.geom, k_, x, w, dz, nd.dw.data(), nd.train_bias ? nd.db.data() : nullptr, dx,
                                acc, scratch_);
        break;
      }
      case LayerKind::Add: {
        for (int prod : {l.input, l.input2}) {
          float* dx = target(prod, acc);
          if (acc)
            for (size_t k = 0; k < out; k++) dx[k] += nd.dy[k];
          else
            std::memcpy(dx, nd.dy.data(), sizeof(float) * out);
        }
        break;
      }
      case LayerKind::GlobalAvgPool: {
        float* dx = target(l.input, acc);
        if (dx) train_ops::GlobalAvgPoolBackward(size_t(l.out_c) * N, size_t(l.in_h) * size_t(l.in_w), nd.dy.data(), dx, acc);
        break;
      }
      case LayerKind::FullyConnected: {
        const float* w = l.mask.empty() ? l.weights.data() : nd.masked_w.data();
        float* dx = target(l.input, acc);
        train_ops::FcBackward(batch, l.in_c, l.out_c, x, w, nd.dy.data(), nd.dw.data(), nd.db.data(), dx, acc);
        break;
      }
      case LayerKind::Softmax:
        break;
    }
    // The forward used w * mask: d/dw = d/d(w * mask) * mask.
    if (!l.mask.empty())
      for (size_t k = 0; k < nd.dw.size(); k++)
        if (!l.mask[k]) nd.dw[k] = 0.f;
  }
}

namespace {

// One parameter tensor. decay: coefficient (0 for biases/BN); decoupled or L2.
void UpdateTensor(const Trainer::UpdateRule& r, float decay, bool decoupled, float* w, const float* g, float* m, float* v,
                  size_t n, const uint8_t* mask) {
  for (size_t i = 0; i < n; i++) {
    float gi = g[i];
    if (decay > 0.f) {
      if (decoupled) w[i] -= r.lr * decay * w[i];
      else gi += decay * w[i];
    }
    if (mask && !mask[i]) gi = 0.f;
    if (r.kind == OptimizerKind::Sgd) {
      m[i] = r.momentum * m[i] - r.lr * gi;
      w[i] += r.nesterov ? r.momentum * m[i] - r.lr * gi : m[i];
    } else {
      m[i] = r.beta1 * m[i] + (1.f - r.beta1) * gi;
      v[i] = r.beta2 * v[i] + (1.f - r.beta2) * gi * gi;
      w[i] -= float(r.adam_lr * double(m[i]) / (std::sqrt(double(v[i])) + double(r.eps)));
    }
    if (mask && !mask[i]) w[i] = 0.f;
  }
}

}  // namespace

Trainer::UpdateRule Trainer::Rule() const {
  UpdateRule r;
  r.kind = opt_.optimizer;
  r.lr = opt_.schedule(step_);
  r.momentum = opt_.momentum;
  r.nesterov = opt_.nesterov;
  r.beta1 = opt_.beta1;
  r.beta2 = opt_.beta2;
  r.eps = opt_.adam_eps;
  const double t = double(step_ + 1);
  r.adam_lr = double(r.lr) * std::sqrt(1.0 - std::pow(double(opt_.beta2), t)) / (1.0 - std::pow(double(opt_.beta1), t));
  return r;
}

void Trainer::UpdateRunningStats(int i, int batch) {
  const Layer& l = m_.layers[size_t(i)];
  Node& nd = nodes_[size_t(i)];
  if (!nd.bn) return;
  const size_t count = size_t(batch) * size_t(l.out_h) * size_t(l.out_w);
  const float mo = opt_.bn_momentum;
  const double unbias = count > 1 ? double(count) / double(count - 1) : 1.0;
  for (int c = 0; c < l.out_c; c++) {
    const double is = nd.batch_inv_std[size_t(c)];
    const double var = std::max(0.0, 1.0 / (is * is) - double(opt_.bn_eps)) * unbias;
    nd.running_mean[size_t(c)] = mo * nd.running_mean[size_t(c)] + (1.f - mo) * nd.batch_mean[size_t(c)];
    nd.running_var[size_t(c)] = float(mo * nd.running_var[size_t(c)] + (1.0 - mo) * var);
  }
}

void Trainer::UpdateLayer(int i, const UpdateRule& r) {
  Layer& l = m_.layers[size_t(i)];
  Node& nd = nodes_[size_t(i)];
  if (!l.HasWeights()) return;
  const bool decoupled = opt_.decay_kind == WeightDecayKind::Decoupled;
  UpdateTensor(r, opt_.weight_decay, decoupled, l.weights.data(), nd.dw.data(), nd.mw.data(), nd.vw.data(),
               l.weights.size(), l.mask.empty() ? nullptr : l.mask.data());
  if (nd.train_bias)
    UpdateTensor(r, 0.f, false, l.bias.data(), nd.db.data(), nd.mb.data(), nd.vb.data(), l.bias.size(), nullptr);
  if (nd.bn) {
    UpdateTensor(r, 0.f, false, nd.gamma.data(), nd.dgamma.data(), nd.mgamma.data(), nd.vgamma.data(),
                 nd.gamma.size(), nullptr);
    UpdateTensor(r, 0.f, false, nd.beta.data(), nd.dbeta.data(), nd.mbeta.data(), nd.vbeta.data(), nd.beta.size(),
                 nullptr);
  }
}

// [SECTION] Trainer: public steps

Result<double> Trainer::ComputeGradients(const float* images, const int* labels, int batch) {
  Status s = CheckBatch(images, labels, batch, true);
  if (!s) return s;
  Forward(images, batch, true);
  return Backward(labels, batch);
}

Result<float> Trainer::TrainStep(const float* images, const int* labels, int batch) {
  Status s = BeginStep(images, labels, batch);
  if (!s) return s;
  while (!StepSlice()) {
  }
  return StepLoss();
}

Status Trainer::BeginStep(const float* images, const int* labels, int batch) {
  Status s = CheckBatch(images, labels, batch, true);
  if (!s) return s;
  LoadBatch(images, batch);
  std::copy(labels, labels + batch, slice_labels_.begin());
  slice_batch_ = batch;
  slice_phase_ = SlicePhase::Forward;
  slice_i_ = 0;
  slice_loss_ = 0;
  slice_status_ = Status::Ok();
  return Status::Ok();
}

bool Trainer::StepSlice() {
  switch (slice_phase_) {
    case SlicePhase::Idle:
      return true;
    case SlicePhase::Forward:
      ForwardLayer(slice_i_, slice_batch_, true);
      if (++slice_i_ > logits_layer_) {
        slice_loss_ = BeginBackward(slice_labels_.data(), slice_batch_);
        if (!std::isfinite(slice_loss_)) {
          slice_status_ = Status::Error("trainer: the loss is not finite at step " + std::to_string(step_) +
                                        " (training diverged: lower the learning rate)");
          slice_phase_ = SlicePhase::Idle;
          return true;
        }
        slice_phase_ = SlicePhase::Backward;
        slice_i_ = logits_layer_;
      }
      return false;
    case SlicePhase::Backward:
      BackwardLayer(slice_i_, slice_batch_);
      if (--slice_i_ < 0) {
        slice_phase_ = SlicePhase::Update;
        slice_rule_ = Rule();
        slice_i_ = 0;
      }
      return false;
    case SlicePhase::Update:
      // All layers' updates in one slice: cheap next to a layer's backward.
      // The running BN statistics move here too, so an aborted step changes nothing.
      for (int i = 0; i < int(m_.layers.size()); i++) {
        UpdateRunningStats(i, slice_batch_);
        UpdateLayer(i, slice_rule_);
      }
      step_++;
      slice_phase_ = SlicePhase::Idle;
      return true;
  }
  return true;
}

void Trainer::AbortStep() { slice_phase_ = SlicePhase::Idle; }

Result<float> Trainer::StepLoss() const {
  if (slice_phase_ != SlicePhase::Idle) return Status::Error("trainer: the step has not finished");
  if (!slice_status_) return slice_status_;
  return float(slice_loss_);
}

float Trainer::StepProgress() const {
  const double layers = double(logits_layer_ + 1);
  switch (slice_phase_) {
    case SlicePhase::Idle: return 1.f;
    case SlicePhase::Forward: return float(double(slice_i_) / (2 * layers + 1));
    case SlicePhase::Backward: return float((2 * layers - 1 - double(slice_i_)) / (2 * layers + 1));
    case SlicePhase::Update: return float(2 * layers / (2 * layers + 1));
  }
  return 1.f;
}

Status Trainer::PredictLogits(const float* images, int count, float* logits) {
  if (count < 0) return Status::Error("trainer: negative image count");
  if (count > 0 && !logits) return Status::Error("trainer: no output buffer for the logits");
  for (int done = 0; done < count;) {
    const int b = std::min(opt_.max_batch, count - done);
    const float* chunk = images + size_t(done) * InputSize();
    Status s = CheckBatch(chunk, nullptr, b, false);
    if (!s) return s;
    Forward(chunk, b, false);
    const float* y = nodes_[size_t(logits_layer_)].y.data();
    for (int n = 0; n < b; n++)
      for (int k = 0; k < classes_; k++)
        logits[size_t(done + n) * size_t(classes_) + size_t(k)] = y[size_t(k) * size_t(b) + size_t(n)];
    done += b;
  }
  return Status::Ok();
}

Result<Trainer::EvalResult> Trainer::EvaluateLoss(const float* images, const int* labels, int count) {
  if (count < 1) return Status::Error("trainer: nothing to evaluate");
  EvalResult r;
  int correct = 0;
  for (int done = 0; done < count;) {
    const int b = std::min(opt_.max_batch, count - done);
    const float* chunk = images + size_t(done) * InputSize();
    Status s = CheckBatch(chunk, labels + done, b, true);
    if (!s) return s;
    Forward(chunk, b, false);
    const float* y = nodes_[size_t(logits_layer_)].y.data();
    r.loss += train_ops::SoftmaxCrossEntropy(b, classes_, y, labels + done, nullptr) * double(b);
    for (int n = 0; n < b; n++) {
      int best = 0;
      for (int k = 1; k < classes_; k++)
        if (y[size_t(k) * size_t(b) + size_t(n)] > y[size_t(best) * size_t(b) + size_t(n)]) best = k;
      correct += best == labels[done + n];
    }
    done += b;
  }
  r.loss /= double(count);
  r.accuracy = double(correct) / double(count);
  return r;
}

Result<float> Trainer::Evaluate(const float* images, const int* labels, int count) {
  auto r = EvaluateLoss(images, labels, count);
  if (!r) return r.status();
  return float(r->accuracy);
}

Model Trainer::Export() const {
  Model out = m_;
  for (size_t i = 0; i < out.layers.size(); i++) {
    Layer& l = out.layers[i];
    const Node& nd = nodes_[i];
    if (!l.HasWeights()) continue;
    if (nd.bn) {
      const size_t per = l.weights.size() / size_t(l.out_c);
      for (int o = 0; o < l.out_c; o++) {
        const double scale = double(nd.gamma[size_t(o)]) / std::sqrt(double(nd.running_var[size_t(o)]) + double(opt_.bn_eps));
        for (size_t k = 0; k < per; k++) l.weights[size_t(o) * per + k] = float(double(l.weights[size_t(o) * per + k]) * scale);
        l.bias[size_t(o)] = float(double(nd.beta[size_t(o)]) +
                                  (double(l.bias[size_t(o)]) - double(nd.running_mean[size_t(o)])) * scale);
      }
    }
    for (size_t k = 0; k < l.mask.size(); k++)
      if (!l.mask[k]) l.weights[k] = 0.f;
  }
  return out;
}

}  // namespace fk::nn
