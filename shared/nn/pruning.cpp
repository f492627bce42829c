#include "nn/pruning.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

namespace fk::nn {

// [SECTION] Schedules

bool ShouldPruneInStep(int64_t step, int64_t begin_step, int64_t end_step, int64_t frequency) {
  const bool in_range = step >= begin_step && (step <= end_step || end_step < 0);
  if (!in_range || frequency <= 0) return false;
  // tf.math.floormod: the result has the divisor's sign (step - begin >= 0 here anyway).
  int64_t r = (step - begin_step) % frequency;
  if (r < 0) r += frequency;
  return r == 0;
}

static Status ValidateSteps(const char* what, int64_t begin, int64_t end, int64_t freq, bool allow_minus1) {
  const std::string w = what;
  if (begin < 0) return Status::Error(w + ": begin_step should be >= 0");
  if (!allow_minus1 && end == -1) return Status::Error(w + ": end_step cannot be -1");
  if (end != -1) {
    if (end < 0) return Status::Error(w + ": end_step can be -1 or >= 0");
    if (end < begin) return Status::Error(w + ": begin_step should be <= end_step if end_step != -1");
  }
  if (freq <= 0) return Status::Error(w + ": frequency should be > 0");
  return Status::Ok();
}

static Status ValidateSparsity(const char* what, const char* name, double s) {
  if (!(s >= 0.0 && s < 1.0)) return Status::Error(std::string(what) + ": " + name + " must be in range [0,1)");
  return Status::Ok();
}

Status ConstantSparsity::Validate() const {
  Status s = ValidateSteps("ConstantSparsity", begin_step, end_step, frequency, true);
  return s ? ValidateSparsity("ConstantSparsity", "target_sparsity", target_sparsity) : s;
}

PruneDecision ConstantSparsity::operator()(int64_t step) const {
  return {ShouldPruneInStep(step, begin_step, end_step, frequency), target_sparsity};
}

Status PolynomialDecay::Validate() const {
  Status s = ValidateSteps("PolynomialDecay", begin_step, end_step, frequency, false);
  if (s) s = ValidateSparsity("PolynomialDecay", "initial_sparsity", initial_sparsity);
  if (s) s = ValidateSparsity("PolynomialDecay", "final_sparsity", final_sparsity);
  return s;
}

PruneDecision PolynomialDecay::operator()(int64_t step) const {
  double p;
  if (end_step == begin_step) p = step >= begin_step ? 1.0 : 0.0;
  else p = double(step - begin_step) / double(end_step - begin_step);
  p = std::min(1.0, std::max(0.0, p));
  const double s = final_sparsity + (initial_sparsity - final_sparsity) * std::pow(1.0 - p, power);
  return {ShouldPruneInStep(step, begin_step, end_step, frequency), s};
}

// [SECTION] Policies

const char* PrunePolicyName(PrunePolicy p) { return p == PrunePolicy::All ? "all" : "xnnpack"; }

static std::string Describe(const Layer& l) {
  if (l.kind != LayerKind::Conv) return LayerKindName(l.kind);
  std::string d = std::to_string(l.kernel) + "x" + std::to_string(l.kernel) + " stride-" + std::to_string(l.stride);
  if (l.IsDepthwise()) return d + " depthwise convolution";
  return d + " convolution (groups=" + std::to_string(l.groups) + ", " + std::to_string(l.in_c) + " input channels)";
}

Status CheckXnnpackSparsePolicy(const Model& m) {
  const std::string pre = "PruneForLatencyOnXNNPack: ";
  if (m.layers.empty()) return Status::Error(pre + "the model has no layers");
  const Layer& first = m.layers[0];
  if (!(first.kind == LayerKind::Conv && first.input == -1 && first.kernel == 3 && first.stride == 2 &&
        first.groups == 1 && first.in_c == 3))
    return Status::Error(pre + "the model must start with a 3x3 stride-2 convolution on 3 channels, but layer 0 '" +
                         first.name + "' is a " + Describe(first));
  int gap = -1;
  for (size_t i = 0; i < m.layers.size(); i++)
    if (m.layers[i].kind == LayerKind::GlobalAvgPool) gap = int(i);
  if (gap < 0)
    return Status::Error(pre + "the model must end in global average pooling, but none was found (last layer '" +
                         m.layers.back().name + "')");
  for (size_t i = size_t(gap) + 1; i < m.layers.size(); i++) {
    const Layer& l = m.layers[i];
    if (l.kind != LayerKind::FullyConnected && l.kind != LayerKind::Softmax)
      return Status::Error(pre + "the model must end in global average pooling, but layer " + std::to_string(i) +
                           " '" + l.name + "' (" + Describe(l) + ") follows it");
  }
  for (int i = 1; i < gap; i++) {
    const Layer& l = m.layers[size_t(i)];
    const bool ok = l.kind == LayerKind::Add || l.IsPointwise() ||
                    (l.IsDepthwise() && l.kernel == 3 && (l.stride == 1 || l.stride == 2));
    if (!ok)
      return Status::Error(pre + "layer " + std::to_string(i) + " '" + l.name + "' is a " + Describe(l) +
                           ", which XNNPACK's sparse inference cannot run (only 1x1 stride-1 convolutions, "
                           "depthwise 3x3 and add between the first convolution and global average pooling)");
  }
  return Status::Ok();
}

Result<std::vector<int>> PrunableLayers(const Model& m, const PruneOptions& opt) {
  if (opt.policy == PrunePolicy::ForLatencyOnXNNPack) {
    Status s = CheckXnnpackSparsePolicy(m);
    if (!s) return s;
  }
  std::vector<int> out;
  for (size_t i = 0; i < m.layers.size(); i++) {
    const Layer& l = m.layers[i];
    const bool take = opt.policy == PrunePolicy::All ? l.HasWeights() : l.IsPointwise();
    if (take) out.push_back(int(i));
  }
  return out;
}

// [SECTION] Magnitude pruning

size_t KeepCount(size_t n, double sparsity) {
  // tf.round rounds half to even, which nearbyint does in the default rounding mode.
  const double k = std::nearbyint(double(n) * (1.0 - sparsity));
  return std::max<size_t>(1, std::min<size_t>(n, size_t(std::max(0.0, k))));
}

Status PruneLayer(Layer& l, double sparsity, int block, bool block_l2) {
  if (!l.HasWeights() || l.weights.empty()) return Status::Error("prune: layer '" + l.name + "' has no weights");
  if (!(sparsity >= 0.0 && sparsity < 1.0)) return Status::Error("prune: sparsity must be in [0, 1)");
  if (block != 1 && block != 2 && block != 4) return Status::Error("prune: block must be 1, 2 or 4");
  // Blocks group output channels of a 1x1 conv (rows of [out_c][in_c]); other
  // layers and channel counts that do not divide fall back to single weights.
  if (!l.IsPointwise() || l.out_c % block) block = 1;
  const size_t cols = l.IsPointwise() ? size_t(l.in_c) : l.weights.size() / size_t(l.out_c);
  const size_t rows = l.weights.size() / cols;
  const size_t units = (rows / size_t(block)) * cols;  // unit u = (row block u / cols, column u % cols)
  std::vector<float> score(units);
  for (size_t u = 0; u < units; u++) {
    const size_t rb = u / cols, c = u % cols;
    double s = 0;
    for (int r = 0; r < block; r++) {
      const float w = l.weights[(rb * size_t(block) + size_t(r)) * cols + c];
      s += block_l2 ? double(w) * w : std::fabs(double(w));
    }
    score[u] = float(s);
  }
  const size_t keep = KeepCount(units, sparsity);
  // Strict total order (score desc, index asc): the kept set is deterministic under ties. As one
  // 64-bit key per unit (a non-negative float's bits order as the float does), so nth_element
  // compares integers: a comparator reading two arrays was most of a big layer's 20 ms step.
  std::vector<uint64_t> order(units);
  for (size_t u = 0; u < units; u++) {
    uint32_t bits;
    std::memcpy(&bits, &score[u], 4);
    order[u] = (uint64_t(~bits) << 32) | uint64_t(u);
  }
  std::nth_element(order.begin(), order.begin() + std::ptrdiff_t(keep - 1), order.end());
  l.mask.assign(l.weights.size(), 0);
  for (size_t i = 0; i < keep; i++) {
    const size_t unit = size_t(order[i] & 0xFFFFFFFFu);
    const size_t rb = unit / cols, c = unit % cols;
    for (int r = 0; r < block; r++) l.mask[(rb * size_t(block) + size_t(r)) * cols + c] = 1;
  }
  for (size_t i = 0; i < l.weights.size(); i++)
    if (!l.mask[i]) l.weights[i] = 0.f;
  if (l.IsPointwise()) l.block = block;
  return Status::Ok();
}

namespace {
Status PruneOne(Layer& l, double sparsity, const PruneOptions& opt) {
  Status s = PruneLayer(l, sparsity, opt.block, opt.block_l2);
  if (s && l.IsPointwise()) l.sparse = true;
  return s;
}
}  // namespace

Status PruneLayers(Model& m, double sparsity, const PruneOptions& opt) {
  auto layers = PrunableLayers(m, opt);
  if (!layers) return layers.status();
  for (int i : *layers)
    if (Status s = PruneOne(m.layers[size_t(i)], sparsity, opt); !s) return s;
  return Status::Ok();
}

Status PruneToSparsity(Model& m, double sparsity, const PruneOptions& opt) {
  PruneTask t(m, sparsity, opt);
  while (!t.Step()) {
  }
  return t.status();
}

PruneTask::PruneTask(Model& m, double sparsity, const PruneOptions& opt) : m_(m), sparsity_(sparsity), opt_(opt) {
  auto layers = PrunableLayers(m, opt);
  if (!layers) {
    status_ = layers.status();
    done_ = true;
    return;
  }
  layers_ = std::move(*layers);
}

bool PruneTask::Step() {
  if (done_) return true;
  if (next_ < layers_.size()) {
    Layer& l = m_.layers[size_t(layers_[next_++])];
    status_ = PruneOne(l, sparsity_, opt_);
    if (!status_) return done_ = true;
    // A layer's pruning reads only its own weights, so its mask is baked in now: the same weights
    // as stripping all at the end, without one last step over every layer (100+ ms in the page).
    StripLayer(l);
    return false;
  }
  Strip(m_);  // masks the model had before, if any
  return done_ = true;
}

float PruneTask::Progress() const {
  return done_ ? 1.f : float(next_) / float(layers_.size() + 1);
}

void StripLayer(Layer& l) {
  if (l.mask.empty()) return;
  for (size_t i = 0; i < l.weights.size(); i++)
    if (!l.mask[i]) l.weights[i] = 0.f;
  l.mask.clear();
  l.mask.shrink_to_fit();
}

void Strip(Model& m) {
  for (auto& l : m.layers) StripLayer(l);
}

double LayerSparsity(const Layer& l) {
  if (l.weights.empty()) return 0;
  size_t z = 0;
  for (float w : l.weights) z += w == 0.f;
  return double(z) / double(l.weights.size());
}

}  // namespace fk::nn
