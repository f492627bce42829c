// XNNPACK backend (compiled only with XNNPACK built in: FIELDKIT_HAS_XNNPACK;
// Debian's 2022 binary natively, the 2024 source in wasm, see xnnpack_api.h).
// Builds one subgraph per model: NHWC tensors, our OIHW weights re-laid out as
// XNNPACK wants them (convolution OHWI, depthwise [1][kh][kw][C], FC [out][in]),
// padding 1 on every side for 3x3 (as our kernels), fused ReLU6 as the node's
// output range. Depthwise layers use xnn_define_depthwise_convolution_2d so the
// sparse (NCHW) rewrite can recognise the graph when it is able to run at all.

#include <cmath>
#include <limits>
#include <mutex>
#include <vector>

#include "nn/xnnpack_api.h"
#include "nn/xnnpack_backend.h"

namespace fk::nn {

static bool InitXnnpack() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = xnn_initialize(nullptr) == xnn_status_success; });
  return ok;
}

bool XnnpackAvailable() { return InitXnnpack(); }
int XnnpackApi() { return FIELDKIT_XNNPACK_API; }

namespace {

class Runner final : public XnnpackRunner {
 public:
  ~Runner() override {
    if (runtime_) xnn_delete_runtime(runtime_);
  }
  void SetInput(const float* x) override { std::copy(x, x + input_size_, input_.begin()); }
  Status Invoke() override {
    return xnn_invoke_runtime(runtime_) == xnn_status_success ? Status::Ok()
                                                              : Status::Error("xnnpack: xnn_invoke_runtime failed");
  }
  const float* Output() const override { return output_.data(); }
  size_t OutputSize() const override { return output_size_; }

  std::vector<std::vector<float>> statics_;  // weights must outlive the runtime
  std::vector<float> input_, output_;
  size_t input_size_ = 0, output_size_ = 0;
  xnn_runtime_t runtime_ = nullptr;
};

struct SubgraphGuard {
  xnn_subgraph_t s = nullptr;
  ~SubgraphGuard() {
    if (s) xnn_delete_subgraph(s);
  }
};

// Defines a model's tensors and nodes in one subgraph; the re-laid-out weights
// it hands XNNPACK are kept in the runner, which outlives the runtime.
struct GraphBuilder {
  xnn_subgraph_t g;
  Runner& r;
  const Model& m;  // shapes inferred

  bool Tensor(std::vector<size_t> dims, const float* data, uint32_t ext, uint32_t flags, uint32_t* id) {
    return xnn_define_tensor_value(g, xnn_datatype_fp32, dims.size(), dims.data(), data, ext, flags, id) ==
           xnn_status_success;
  }
  const float* Keep(std::vector<float> v) {
    r.statics_.push_back(std::move(v));
    return r.statics_.back().data();
  }
  Status Fail(size_t i, const std::string& what) const {
    return Status::Error("xnnpack: layer " + std::to_string(i) + " '" + m.layers[i].name + "': " + what);
  }
  Status DefineLayer(size_t i, uint32_t in_id, const std::vector<uint32_t>& ids);
  Status DefineConv(size_t i, uint32_t in_id, uint32_t out_id, float lo, float hi, const std::vector<float>& w,
                    xnn_status& s);
};

// Layer i's node (its output tensor already defined as ids[i]); softmax is not
// one: the logits are the output.
Status GraphBuilder::DefineLayer(size_t i, uint32_t in_id, const std::vector<uint32_t>& ids) {
  const Layer& l = m.layers[i];
  const float inf = std::numeric_limits<float>::infinity();
  const float lo = l.act == Activation::Relu6 ? 0.f : -inf, hi = l.act == Activation::Relu6 ? 6.f : inf;
  std::vector<float> w = l.weights;
  if (!l.mask.empty())
    for (size_t j = 0; j < w.size(); j++)
      if (!l.mask[j]) w[j] = 0.f;
  uint32_t fid = 0, bid = 0;
  xnn_status s = xnn_status_success;
  switch (l.kind) {
    case LayerKind::Conv:
      if (Status st = DefineConv(i, in_id, ids[i], lo, hi, w, s); !st) return st;
      break;
    case LayerKind::Add:
      s = xnn::Add(g, lo, hi, in_id, ids[size_t(l.input2)], ids[i]);
      break;
    case LayerKind::GlobalAvgPool:
      s = xnn::GlobalAveragePool(g, in_id, ids[i]);
      break;
    case LayerKind::FullyConnected:
      if (!Tensor({size_t(l.out_c)}, Keep(l.bias), XNN_INVALID_VALUE_ID, 0, &bid)) return Fail(i, "bias tensor");
      if (!Tensor({size_t(l.out_c), size_t(l.in_c)}, Keep(std::move(w)), XNN_INVALID_VALUE_ID, 0, &fid))
        return Fail(i, "filter tensor");
      s = xnn_define_fully_connected(g, lo, hi, in_id, fid, bid, ids[i], 0);
      break;
    case LayerKind::Softmax:
      return Fail(i, "softmax before the logits is not supported");
  }
  if (s != xnn_status_success) return Fail(i, "node definition rejected (status " + std::to_string(int(s)) + ")");
  return Status::Ok();
}

// A depthwise or grouped/dense convolution with our OIHW weights re-laid out;
// `s` is XNNPACK's verdict on the node.
Status GraphBuilder::DefineConv(size_t i, uint32_t in_id, uint32_t out_id, float lo, float hi,
                                const std::vector<float>& w, xnn_status& s) {
  const Layer& l = m.layers[i];
  const uint32_t pad = uint32_t(l.kernel / 2), k = uint32_t(l.kernel), stride = uint32_t(l.stride);
  uint32_t fid = 0, bid = 0;
  if (!Tensor({size_t(l.out_c)}, Keep(l.bias), XNN_INVALID_VALUE_ID, 0, &bid)) return Fail(i, "bias tensor");
  if (l.IsDepthwise()) {
    // ours [c][1][kh][kw] -> XNNPACK [1][kh][kw][c]
    std::vector<float> f(w.size());
    const size_t taps = size_t(k * k);
    for (size_t c = 0; c < size_t(l.out_c); c++)
      for (size_t t = 0; t < taps; t++) f[t * size_t(l.out_c) + c] = w[c * taps + t];
    if (!Tensor({1, k, k, size_t(l.out_c)}, Keep(std::move(f)), XNN_INVALID_VALUE_ID, 0, &fid))
      return Fail(i, "filter tensor");
    s = xnn_define_depthwise_convolution_2d(g, pad, pad, pad, pad, k, k, stride, stride, 1, 1, 1, size_t(l.in_c), lo,
                                            hi, in_id, fid, bid, out_id, 0);
  } else {
    // ours OIHW [o][ci][kh][kw] (per group) -> XNNPACK OHWI [o][kh][kw][ci]
    const size_t gi = size_t(l.in_c / l.groups), taps = size_t(k * k);
    std::vector<float> f(w.size());
    for (size_t o = 0; o < size_t(l.out_c); o++)
      for (size_t ci = 0; ci < gi; ci++)
        for (size_t t = 0; t < taps; t++) f[(o * taps + t) * gi + ci] = w[(o * gi + ci) * taps + t];
    if (!Tensor({size_t(l.out_c), k, k, gi}, Keep(std::move(f)), XNN_INVALID_VALUE_ID, 0, &fid))
      return Fail(i, "filter tensor");
    s = xnn_define_convolution_2d(g, pad, pad, pad, pad, k, k, stride, stride, 1, 1, uint32_t(l.groups), gi,
                                  size_t(l.out_c / l.groups), lo, hi, in_id, fid, bid, out_id, 0);
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<XnnpackRunner>> XnnpackRunner::Create(const Model& model, const XnnpackOptions& opt) {
  if (!InitXnnpack()) return Status::Error("xnnpack: xnn_initialize failed (unsupported CPU?)");
  Model m = model;
  Status st = m.InferShapes();
  if (!st) return st;
  auto r = std::make_unique<Runner>();
  SubgraphGuard g;
  if (xnn_create_subgraph(/*external_value_ids=*/2, 0, &g.s) != xnn_status_success)
    return Status::Error("xnnpack: xnn_create_subgraph failed");
  GraphBuilder gb{g.s, *r, m};

  uint32_t input_id = 0;
  if (!gb.Tensor({1, size_t(m.in_h), size_t(m.in_w), size_t(m.in_c)}, nullptr, 0, XNN_VALUE_FLAG_EXTERNAL_INPUT, &input_id))
    return Status::Error("xnnpack: cannot define the input tensor");
  const int last = m.LogitsLayer();  // softmax stays out: we compare logits
  if (last < 0) return Status::Error("xnnpack: model has no layers");
  std::vector<uint32_t> ids(m.layers.size(), XNN_INVALID_VALUE_ID);
  for (size_t i = 0; i <= size_t(last); i++) {
    const Layer& l = m.layers[i];
    const uint32_t in_id = l.input < 0 ? input_id : ids[size_t(l.input)];
    const bool is_out = int(i) == last;
    if (!gb.Tensor({1, size_t(l.out_h), size_t(l.out_w), size_t(l.out_c)}, nullptr, is_out ? 1u : XNN_INVALID_VALUE_ID,
                   is_out ? XNN_VALUE_FLAG_EXTERNAL_OUTPUT : 0u, &ids[i]))
      return gb.Fail(i, "cannot define the output tensor");
    if (Status s = gb.DefineLayer(i, in_id, ids); !s) return s;
  }
  const Layer& out = m.layers[size_t(last)];
  r->input_size_ = size_t(m.in_h) * size_t(m.in_w) * size_t(m.in_c);
  r->output_size_ = size_t(out.out_c) * size_t(out.out_h) * size_t(out.out_w);
  r->input_.assign(r->input_size_ + XNN_EXTRA_BYTES / sizeof(float), 0.f);
  r->output_.assign(r->output_size_ + XNN_EXTRA_BYTES / sizeof(float), 0.f);
  const uint32_t flags = opt.sparse_hint ? XNN_FLAG_HINT_SPARSE_INFERENCE : 0u;
  if (xnn_create_runtime_v2(g.s, /*threadpool=*/nullptr, flags, &r->runtime_) != xnn_status_success)
    return Status::Error("xnnpack: xnn_create_runtime_v2 failed");
  const xnn_external_value ext[2] = {{0, r->input_.data()}, {1, r->output_.data()}};
  if (xnn::Setup(r->runtime_, 2, ext) != xnn_status_success)
    return Status::Error("xnnpack: xnn_setup_runtime failed");
  return std::unique_ptr<XnnpackRunner>(std::move(r));
}

}  // namespace fk::nn
