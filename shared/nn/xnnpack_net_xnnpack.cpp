// XnnpackNetRunner (xnnpack_backend.h): an imported Net as one XNNPACK
// subgraph, NHWC, weights as the .tflite stores them (TFLite's layouts are
// XNNPACK's: convolution OHWI, depthwise [1][kh][kw][C], fully connected [N][K]).
// Builds with XNNPACK only (the _xnnpack suffix keeps it out elsewhere); both
// XNNPACK versions, see xnnpack_api.h.

#include <limits>
#include <mutex>
#include <vector>

#include "nn/xnnpack_api.h"
#include "nn/xnnpack_backend.h"

namespace fk::nn {

namespace {

class NetRunner final : public XnnpackNetRunner {
 public:
  ~NetRunner() override {
    if (runtime_) xnn_delete_runtime(runtime_);
  }
  void SetInput(const float* x) override { std::copy(x, x + input_size_, input_.begin()); }
  Status Invoke() override {
    return xnn_invoke_runtime(runtime_) == xnn_status_success ? Status::Ok()
                                                              : Status::Error("xnnpack: xnn_invoke_runtime failed");
  }
  size_t NumOutputs() const override { return outputs_.size(); }
  const float* Output(size_t i) const override { return outputs_[i].data(); }
  size_t OutputSize(size_t i) const override { return output_sizes_[i]; }

  std::vector<std::vector<float>> statics_;  // weights must outlive the runtime
  std::vector<float> input_;
  std::vector<std::vector<float>> outputs_;
  std::vector<size_t> output_sizes_;
  size_t input_size_ = 0;
  xnn_runtime_t runtime_ = nullptr;
};

struct Subgraph {
  xnn_subgraph_t s = nullptr;
  ~Subgraph() {
    if (s) xnn_delete_subgraph(s);
  }
};

struct NetBuilder {
  xnn_subgraph_t g;
  NetRunner& r;
  const Net& net;
  std::vector<uint32_t> ids;  // per Net tensor; XNN_INVALID_VALUE_ID = not defined yet

  Status Fail(const NetOp& op, const std::string& m) const {
    return Status::Error("xnnpack: " + net.name + ": operator #" + std::to_string(op.file_index) + " (" +
                         NetOpName(op.type) + "): " + m);
  }
  static std::vector<size_t> Dims(const std::vector<int>& shape) {
    std::vector<size_t> d;
    for (int v : shape) d.push_back(size_t(v));
    return d;
  }
  // A tensor's XNNPACK id: constants become static tensors (copied, kept in the runner).
  bool Id(int t, uint32_t* id, std::vector<size_t> dims = {}) {
    if (ids[size_t(t)] != XNN_INVALID_VALUE_ID) {
      *id = ids[size_t(t)];
      return true;
    }
    const NetTensor& nt = net.tensors[size_t(t)];
    if (dims.empty()) dims = Dims(nt.shape);
    const float* data = nullptr;
    if (nt.constant) {
      r.statics_.push_back(nt.data);
      data = r.statics_.back().data();
    }
    if (xnn_define_tensor_value(g, xnn_datatype_fp32, dims.size(), dims.data(), data, XNN_INVALID_VALUE_ID, 0,
                                &ids[size_t(t)]) != xnn_status_success)
      return false;
    *id = ids[size_t(t)];
    return true;
  }
  uint32_t ZeroBias(size_t n) {
    r.statics_.push_back(std::vector<float>(n, 0.f));
    uint32_t id = XNN_INVALID_VALUE_ID;
    size_t d = n;
    xnn_define_tensor_value(g, xnn_datatype_fp32, 1, &d, r.statics_.back().data(), XNN_INVALID_VALUE_ID, 0, &id);
    return id;
  }
  Status Define(const NetOp& op);
};

Status NetBuilder::Define(const NetOp& op) {
  const float inf = std::numeric_limits<float>::infinity();
  float lo = -inf, hi = inf;
  if (op.act == NetAct::Relu) lo = 0.f;
  if (op.act == NetAct::Relu6) lo = 0.f, hi = 6.f;
  if (op.act == NetAct::ReluN1To1) lo = -1.f, hi = 1.f;
  uint32_t in = 0, out = 0, w = 0, b = 0;
  if (!Id(op.inputs[0], &in)) return Fail(op, "input tensor rejected");
  std::vector<size_t> out_dims;
  if (op.type == NetOpType::Mean) {  // XNNPACK's global average pooling keeps [N, 1, 1, C]
    const NetTensor& x = net.tensors[size_t(op.inputs[0])];
    out_dims = {1, 1, 1, size_t(x.shape[3])};
  }
  if (!Id(op.outputs[0], &out, out_dims)) return Fail(op, "output tensor rejected");
  const bool has_bias = op.inputs.size() > 2 && op.inputs[2] >= 0;
  xnn_status s = xnn_status_success;
  switch (op.type) {
    case NetOpType::Conv2D: {
      const NetTensor& f = net.tensors[size_t(op.inputs[1])];
      if (!Id(op.inputs[1], &w)) return Fail(op, "filter rejected");
      b = has_bias ? (Id(op.inputs[2], &b), b) : ZeroBias(size_t(f.shape[0]));
      s = xnn_define_convolution_2d(g, uint32_t(op.pad_top), uint32_t(op.pad_right), uint32_t(op.pad_bottom),
                                    uint32_t(op.pad_left), uint32_t(f.shape[1]), uint32_t(f.shape[2]),
                                    uint32_t(op.stride_h), uint32_t(op.stride_w), uint32_t(op.dilation_h),
                                    uint32_t(op.dilation_w), 1, size_t(f.shape[3]), size_t(f.shape[0]), lo, hi, in, w,
                                    b, out, 0);
      break;
    }
    case NetOpType::DepthwiseConv2D: {
      const NetTensor& f = net.tensors[size_t(op.inputs[1])];
      const NetTensor& x = net.tensors[size_t(op.inputs[0])];
      if (!Id(op.inputs[1], &w)) return Fail(op, "filter rejected");
      b = has_bias ? (Id(op.inputs[2], &b), b) : ZeroBias(size_t(f.shape[3]));
      s = xnn_define_depthwise_convolution_2d(g, uint32_t(op.pad_top), uint32_t(op.pad_right), uint32_t(op.pad_bottom),
                                              uint32_t(op.pad_left), uint32_t(f.shape[1]), uint32_t(f.shape[2]),
                                              uint32_t(op.stride_h), uint32_t(op.stride_w), uint32_t(op.dilation_h),
                                              uint32_t(op.dilation_w), uint32_t(op.depth_multiplier),
                                              size_t(x.shape[3]), lo, hi, in, w, b, out, 0);
      break;
    }
    case NetOpType::FullyConnected: {
      const NetTensor& f = net.tensors[size_t(op.inputs[1])];
      if (!Id(op.inputs[1], &w)) return Fail(op, "weights rejected");
      b = has_bias ? (Id(op.inputs[2], &b), b) : ZeroBias(size_t(f.shape[0]));
      s = xnn_define_fully_connected(g, lo, hi, in, w, b, out, 0);
      break;
    }
    case NetOpType::Add:
    case NetOpType::Mul: {
      uint32_t in2 = 0;
      if (!Id(op.inputs[1], &in2)) return Fail(op, "second operand rejected");
      s = op.type == NetOpType::Add ? xnn::Add(g, lo, hi, in, in2, out) : xnn::Multiply(g, lo, hi, in, in2, out);
      break;
    }
    case NetOpType::Relu: s = xnn::Clamp(g, 0.f, inf, in, out); break;
    case NetOpType::Relu6: s = xnn::Clamp(g, 0.f, 6.f, in, out); break;
    case NetOpType::Logistic: s = xnn::Sigmoid(g, in, out); break;
    case NetOpType::Pad: {
      size_t pre[4], post[4];
      for (size_t d = 0; d < 4; ++d) pre[d] = size_t(op.axes[2 * d]), post[d] = size_t(op.axes[2 * d + 1]);
      s = xnn_define_static_constant_pad(g, pre, post, 0.f, in, out, 0);
      break;
    }
    case NetOpType::MaxPool2D:
      s = xnn_define_max_pooling_2d(g, uint32_t(op.pad_top), uint32_t(op.pad_right), uint32_t(op.pad_bottom),
                                    uint32_t(op.pad_left), uint32_t(op.filter_h), uint32_t(op.filter_w),
                                    uint32_t(op.stride_h), uint32_t(op.stride_w), 1, 1, lo, hi, in, out, 0);
      break;
    case NetOpType::AveragePool2D:
      if (op.pad_top || op.pad_left || op.pad_bottom || op.pad_right)
        return Fail(op, "padded average pooling is not mapped (XNNPACK would count the padding)");
      s = xnn_define_average_pooling_2d(g, 0, 0, 0, 0, uint32_t(op.filter_h), uint32_t(op.filter_w),
                                        uint32_t(op.stride_h), uint32_t(op.stride_w), lo, hi, in, out, 0);
      break;
    case NetOpType::ResizeBilinear: {
      const NetTensor& y = net.tensors[size_t(op.outputs[0])];
      const uint32_t flags = op.align_corners ? XNN_FLAG_ALIGN_CORNERS
                             : op.half_pixel_centers ? 0u
                                                     : XNN_FLAG_TENSORFLOW_LEGACY_MODE;
      s = xnn_define_static_resize_bilinear_2d(g, size_t(y.shape[1]), size_t(y.shape[2]), in, out, flags);
      break;
    }
    case NetOpType::Reshape: {
      std::vector<size_t> d = Dims(net.tensors[size_t(op.outputs[0])].shape);
      s = xnn_define_static_reshape(g, d.size(), d.data(), in, out, 0);
      break;
    }
    case NetOpType::DepthToSpace: s = xnn_define_depth_to_space(g, in, out, uint32_t(op.block_size), 0); break;
    case NetOpType::Mean: s = xnn::GlobalAveragePool(g, in, out); break;
    case NetOpType::Concatenation: {
#if FIELDKIT_XNNPACK_API >= 2024
      if (op.inputs.size() < 2 || op.inputs.size() > 5) return Fail(op, "XNNPACK concatenates 2 to 5 inputs");
      if (op.act != NetAct::None) return Fail(op, "a fused activation on a concatenation is not mapped");
      uint32_t v[5] = {};
      for (size_t k = 0; k < op.inputs.size(); ++k)
        if (!Id(op.inputs[k], &v[k])) return Fail(op, "input " + std::to_string(k) + " rejected");
      const int32_t axis = int32_t(op.axis);
      switch (op.inputs.size()) {
        case 2: s = xnn_define_concatenate2(g, axis, v[0], v[1], out, 0); break;
        case 3: s = xnn_define_concatenate3(g, axis, v[0], v[1], v[2], out, 0); break;
        case 4: s = xnn_define_concatenate4(g, axis, v[0], v[1], v[2], v[3], out, 0); break;
        default: s = xnn_define_concatenate5(g, axis, v[0], v[1], v[2], v[3], v[4], out, 0); break;
      }
      break;
#else
      return Fail(op, "not available in this XNNPACK (Debian 12's 2022-02 snapshot has no concatenate node)");
#endif
    }
  }
  if (s != xnn_status_success) return Fail(op, "node rejected (status " + std::to_string(int(s)) + ")");
  return Status::Ok();
}

bool Init() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = xnn_initialize(nullptr) == xnn_status_success; });
  return ok;
}

}  // namespace

Result<std::unique_ptr<XnnpackNetRunner>> XnnpackNetRunner::Create(const Net& net, const XnnpackOptions& opt) {
  if (!Init()) return Status::Error("xnnpack: xnn_initialize failed (unsupported CPU?)");
  if (net.inputs.size() != 1) return Status::Error("xnnpack: " + net.name + ": one input expected");
  auto r = std::make_unique<NetRunner>();
  Subgraph g;
  const uint32_t n_ext = uint32_t(1 + net.outputs.size());
  if (xnn_create_subgraph(n_ext, 0, &g.s) != xnn_status_success)
    return Status::Error("xnnpack: xnn_create_subgraph failed");
  NetBuilder b{g.s, *r, net, std::vector<uint32_t>(net.tensors.size(), XNN_INVALID_VALUE_ID)};
  // External values: 0 = the input, 1.. = the outputs (declared before the nodes that use them).
  const NetTensor& in = net.tensors[size_t(net.inputs[0])];
  std::vector<size_t> d = NetBuilder::Dims(in.shape);
  if (xnn_define_tensor_value(g.s, xnn_datatype_fp32, d.size(), d.data(), nullptr, 0, XNN_VALUE_FLAG_EXTERNAL_INPUT,
                              &b.ids[size_t(net.inputs[0])]) != xnn_status_success)
    return Status::Error("xnnpack: cannot define the input");
  for (size_t o = 0; o < net.outputs.size(); ++o) {
    const NetTensor& t = net.tensors[size_t(net.outputs[o])];
    d = NetBuilder::Dims(t.shape);
    if (xnn_define_tensor_value(g.s, xnn_datatype_fp32, d.size(), d.data(), nullptr, uint32_t(1 + o),
                                XNN_VALUE_FLAG_EXTERNAL_OUTPUT, &b.ids[size_t(net.outputs[o])]) != xnn_status_success)
      return Status::Error("xnnpack: cannot define output " + t.name);
    r->output_sizes_.push_back(t.Count());
    r->outputs_.emplace_back(t.Count() + XNN_EXTRA_BYTES / sizeof(float), 0.f);
  }
  for (const NetOp& op : net.ops)
    if (Status s = b.Define(op); !s) return s;
  r->input_size_ = in.Count();
  r->input_.assign(r->input_size_ + XNN_EXTRA_BYTES / sizeof(float), 0.f);
  const uint32_t flags = opt.sparse_hint ? XNN_FLAG_HINT_SPARSE_INFERENCE : 0u;
  if (xnn_create_runtime_v2(g.s, nullptr, flags, &r->runtime_) != xnn_status_success)
    return Status::Error("xnnpack: " + net.name + ": xnn_create_runtime_v2 failed");
  std::vector<xnn_external_value> ext = {{0, r->input_.data()}};
  for (size_t o = 0; o < r->outputs_.size(); ++o) ext.push_back({uint32_t(1 + o), r->outputs_[o].data()});
  if (xnn::Setup(r->runtime_, ext.size(), ext.data()) != xnn_status_success)
    return Status::Error("xnnpack: " + net.name + ": xnn_setup_runtime failed");
  return std::unique_ptr<XnnpackNetRunner>(std::move(r));
}

}  // namespace fk::nn
