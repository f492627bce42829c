// XNNPACK backend (compiled only natively with XNNPACK; FIELDKIT_HAS_XNNPACK).
// Builds one subgraph per model: NHWC tensors, our OIHW weights re-laid out as
// XNNPACK wants them (convolution OHWI, depthwise [1][kh][kw][C], FC [out][in]),
// padding 1 on every side for 3x3 (as our kernels), fused ReLU6 as the node's
// output range. Depthwise layers use xnn_define_depthwise_convolution_2d so the
// sparse (NCHW) rewrite can recognise the graph when it is able to run at all.
#include <xnnpack.h>

#include <cmath>
#include <limits>
#include <mutex>
#include <vector>

#include "nn/xnnpack_backend.h"

namespace fk::nn {

static bool InitXnnpack() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = xnn_initialize(nullptr) == xnn_status_success; });
  return ok;
}

bool XnnpackAvailable() { return InitXnnpack(); }

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
  const float inf = std::numeric_limits<float>::infinity();
  auto fail = [&](size_t i, const std::string& what) {
    return Status::Error("xnnpack: layer " + std::to_string(i) + " '" + m.layers[i].name + "': " + what);
  };
  auto tensor = [&](std::vector<size_t> dims, const float* data, uint32_t ext, uint32_t flags, uint32_t* id) {
    return xnn_define_tensor_value(g.s, xnn_datatype_fp32, dims.size(), dims.data(), data, ext, flags, id) ==
           xnn_status_success;
  };
  auto keep = [&](std::vector<float> v) -> const float* {
    r->statics_.push_back(std::move(v));
    return r->statics_.back().data();
  };

  uint32_t input_id = 0;
  if (!tensor({1, size_t(m.in_h), size_t(m.in_w), size_t(m.in_c)}, nullptr, 0, XNN_VALUE_FLAG_EXTERNAL_INPUT, &input_id))
    return Status::Error("xnnpack: cannot define the input tensor");
  const int last = m.LogitsLayer();  // softmax stays out: we compare logits
  if (last < 0) return Status::Error("xnnpack: model has no layers");
  std::vector<uint32_t> ids(m.layers.size(), XNN_INVALID_VALUE_ID);
  for (size_t i = 0; i <= size_t(last); i++) {
    const Layer& l = m.layers[i];
    const uint32_t in_id = l.input < 0 ? input_id : ids[size_t(l.input)];
    const bool is_out = int(i) == last;
    if (!tensor({1, size_t(l.out_h), size_t(l.out_w), size_t(l.out_c)}, nullptr, is_out ? 1u : XNN_INVALID_VALUE_ID,
                is_out ? XNN_VALUE_FLAG_EXTERNAL_OUTPUT : 0u, &ids[i]))
      return fail(i, "cannot define the output tensor");
    const float lo = l.act == Activation::Relu6 ? 0.f : -inf, hi = l.act == Activation::Relu6 ? 6.f : inf;
    std::vector<float> w = l.weights;
    if (!l.mask.empty())
      for (size_t j = 0; j < w.size(); j++)
        if (!l.mask[j]) w[j] = 0.f;
    uint32_t fid = 0, bid = 0;
    xnn_status s = xnn_status_success;
    const uint32_t pad = uint32_t(l.kernel / 2), k = uint32_t(l.kernel), stride = uint32_t(l.stride);
    switch (l.kind) {
      case LayerKind::Conv: {
        if (!tensor({size_t(l.out_c)}, keep(l.bias), XNN_INVALID_VALUE_ID, 0, &bid)) return fail(i, "bias tensor");
        if (l.IsDepthwise()) {
          // ours [c][1][kh][kw] -> XNNPACK [1][kh][kw][c]
          std::vector<float> f(w.size());
          const size_t taps = size_t(k * k);
          for (size_t c = 0; c < size_t(l.out_c); c++)
            for (size_t t = 0; t < taps; t++) f[t * size_t(l.out_c) + c] = w[c * taps + t];
          if (!tensor({1, k, k, size_t(l.out_c)}, keep(std::move(f)), XNN_INVALID_VALUE_ID, 0, &fid))
            return fail(i, "filter tensor");
          s = xnn_define_depthwise_convolution_2d(g.s, pad, pad, pad, pad, k, k, stride, stride, 1, 1, 1,
                                                  size_t(l.in_c), lo, hi, in_id, fid, bid, ids[i], 0);
        } else {
          // ours OIHW [o][ci][kh][kw] (per group) -> XNNPACK OHWI [o][kh][kw][ci]
          const size_t gi = size_t(l.in_c / l.groups), taps = size_t(k * k);
          std::vector<float> f(w.size());
          for (size_t o = 0; o < size_t(l.out_c); o++)
            for (size_t ci = 0; ci < gi; ci++)
              for (size_t t = 0; t < taps; t++) f[(o * taps + t) * gi + ci] = w[(o * gi + ci) * taps + t];
          if (!tensor({size_t(l.out_c), k, k, gi}, keep(std::move(f)), XNN_INVALID_VALUE_ID, 0, &fid))
            return fail(i, "filter tensor");
          s = xnn_define_convolution_2d(g.s, pad, pad, pad, pad, k, k, stride, stride, 1, 1, uint32_t(l.groups), gi,
                                        size_t(l.out_c / l.groups), lo, hi, in_id, fid, bid, ids[i], 0);
        }
        break;
      }
      case LayerKind::Add:
        s = xnn_define_add2(g.s, lo, hi, in_id, ids[size_t(l.input2)], ids[i], 0);
        break;
      case LayerKind::GlobalAvgPool:
        s = xnn_define_global_average_pooling_2d(g.s, -inf, inf, in_id, ids[i], 0);
        break;
      case LayerKind::FullyConnected:
        if (!tensor({size_t(l.out_c)}, keep(l.bias), XNN_INVALID_VALUE_ID, 0, &bid)) return fail(i, "bias tensor");
        if (!tensor({size_t(l.out_c), size_t(l.in_c)}, keep(std::move(w)), XNN_INVALID_VALUE_ID, 0, &fid))
          return fail(i, "filter tensor");
        s = xnn_define_fully_connected(g.s, lo, hi, in_id, fid, bid, ids[i], 0);
        break;
      case LayerKind::Softmax:
        return fail(i, "softmax before the logits is not supported");
    }
    if (s != xnn_status_success) return fail(i, "node definition rejected (status " + std::to_string(int(s)) + ")");
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
  if (xnn_setup_runtime(r->runtime_, 2, ext) != xnn_status_success)
    return Status::Error("xnnpack: xnn_setup_runtime failed");
  return std::unique_ptr<XnnpackRunner>(std::move(r));
}

}  // namespace fk::nn
