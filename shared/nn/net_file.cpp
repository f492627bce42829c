// .fks version 2 layout (little-endian; header and CSR codes as in model_file.cpp / fks_codec.h):
//   header  "FKSM" | u32 2 | u64 payload bytes | u32 crc32(payload) | u32 0
//   payload str source (the .tflite's name) | u32 flags (bit0 fp16) | u32 tflite version | u64 source bytes
//           u32 file-op count, per op name: str name | u32 count
//           u32 tensor count, per tensor:
//             str name | u8 rank | i32 dims[rank] | u8 storage (0 activation, 1 dense float, 2 CSR float, 3 int32)
//             | str stored type | u8 stored sparse | u8 0 | u64 stored bytes
//             dense: values[count] | CSR (rows = dims[0], columns = the rest): header, counts, codes, values
//             int32: i32[count]
//           u32 input count, i32 ids | u32 output count, i32 ids
//           u32 op count, per op: u8 type, act, flags (bit0 align_corners, bit1 half_pixel_centers, bit2 keep_dims), 0
//             | i32 file index | u16 n, i32 inputs[n] | u16 n, i32 outputs[n]
//             | i32 stride_h, stride_w, dilation_h, dilation_w, filter_h, filter_w, pad_top, pad_left,
//                   pad_bottom, pad_right, depth_multiplier, axis, block_size | u16 n, i32 axes[n]
//   str = u16 length + bytes; values fp16 or fp32 by the flags.
#include "nn/net_file.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "core/crc32.h"
#include "nn/fks_codec.h"
#include "nn/tflite.h"

namespace fk::nn {

namespace {

using fks::Reader;
using fks::Writer;

enum Storage : uint8_t { kActivation = 0, kDense = 1, kCsr = 2, kInt32 = 3 };
constexpr int kNumOpFields = 13;
constexpr size_t kMaxTensorName = 1024, kMaxOpName = 64, kMaxFileOps = 1024, kMaxOps = 100000;
constexpr uint32_t kMaxOperands = 4096;   // inputs of one operator (CONCATENATION has the most)
constexpr int64_t kMaxDim = 1 << 26;      // any one dimension
constexpr int kMaxParam = 4096;           // strides, dilations, filter sizes, paddings

std::string ShapeText(const std::vector<int>& s) {
  std::string t = "[";
  for (size_t i = 0; i < s.size(); ++i) t += (i ? "," : "") + std::to_string(s[i]);
  return t + "]";
}

// 1x1 convolution weights ([out_c,1,1,in_c], row-major = out_c rows of in_c):
// the constants CSR storage is for.
std::vector<char> PointwiseWeights(const Net& net) {
  std::vector<char> pw(net.tensors.size(), 0);
  for (const NetOp& op : net.ops) {
    if (op.type != NetOpType::Conv2D || op.inputs.size() < 2 || op.inputs[1] < 0) continue;
    const NetTensor& w = net.tensors[size_t(op.inputs[1])];
    if (w.shape.size() == 4 && w.shape[1] == 1 && w.shape[2] == 1 && w.shape[0] > 0 && w.data.size() == w.Count())
      pw[size_t(op.inputs[1])] = 1;
  }
  return pw;
}

// [SECTION] Saving

Status WriteTensor(Writer& w, const NetTensor& t, bool pointwise, const SaveOptions& opt, const std::string& what) {
  if (t.name.size() > kMaxTensorName) return Status::Error("save: " + what + " has a name longer than 1024 bytes");
  if (t.stored_type.size() > kMaxOpName) return Status::Error("save: " + what + " has an unknown stored type");
  if (t.shape.size() > 6) return Status::Error("save: " + what + " has rank " + std::to_string(t.shape.size()));
  uint8_t storage = kActivation;
  fks::CsrEncoding csr;
  fks::CsrDims dims;
  if (t.constant) {
    if (!t.ints.empty() || (t.data.empty() && t.stored_type == "int32")) {
      if (t.ints.size() != t.Count()) return Status::Error("save: " + what + " holds " + std::to_string(t.ints.size()) + " ints for shape " + ShapeText(t.shape));
      storage = kInt32;
    } else {
      if (t.data.size() != t.Count()) return Status::Error("save: " + what + " holds " + std::to_string(t.data.size()) + " values for shape " + ShapeText(t.shape));
      storage = kDense;
      if (pointwise && opt.sparse && t.Count() / size_t(t.shape[0]) <= 0xFFFFFFFFu) {
        dims = {uint64_t(t.shape[0]), uint32_t(t.Count() / size_t(t.shape[0])), 1};
        csr = fks::EncodeCsr(t.data.data(), dims, opt.index_bits, /*keep_negative_zero=*/true);
        // CSR only where it is smaller: a dense model's 1x1 layers stay dense.
        if (fks::CsrBodyBytes(csr, dims, opt.fp16) < uint64_t(t.Count()) * (opt.fp16 ? 2u : 4u)) storage = kCsr;
      }
    }
  }
  w.Str(t.name);
  w.U8(uint8_t(t.shape.size()));
  for (int d : t.shape) w.I32(d);
  w.U8(storage);
  w.Str(t.stored_type);
  w.U8(t.stored_sparse ? 1 : 0), w.U8(0);
  w.U64(t.stored_bytes);
  if (storage == kDense) {
    w.Values(t.data.data(), t.data.size(), opt.fp16);
  } else if (storage == kCsr) {
    fks::WriteCsrHeader(w, csr);
    fks::WriteCsrBody(w, csr, t.data.data(), dims, opt.fp16);
  } else if (storage == kInt32) {
    for (int32_t v : t.ints) w.I32(v);
  }
  return Status::Ok();
}

void WriteOp(Writer& w, const NetOp& op, const std::vector<int>& remap) {
  w.U8(uint8_t(op.type)), w.U8(uint8_t(op.act));
  w.U8(uint8_t((op.align_corners ? 1 : 0) | (op.half_pixel_centers ? 2 : 0) | (op.keep_dims ? 4 : 0))), w.U8(0);
  w.I32(op.file_index);
  w.U16(uint16_t(op.inputs.size()));
  for (int t : op.inputs) w.I32(t < 0 ? -1 : remap[size_t(t)]);
  w.U16(uint16_t(op.outputs.size()));
  for (int t : op.outputs) w.I32(remap[size_t(t)]);
  for (int v : {op.stride_h, op.stride_w, op.dilation_h, op.dilation_w, op.filter_h, op.filter_w, op.pad_top, op.pad_left,
                op.pad_bottom, op.pad_right, op.depth_multiplier, op.axis, op.block_size})
    w.I32(v);
  w.U16(uint16_t(op.axes.size()));
  for (int a : op.axes) w.I32(a);
}

// [SECTION] Loading: reading the records

struct Parser {
  Reader r{nullptr, 0, 0, "", "", Status::Ok()};
  std::string name;
  Net net;
  NetFileInfo info;
  bool fp16 = false;
  uint64_t weights = 0, activations = 0;  // budgets: constant values, activation values

  Status Fail(const std::string& m) const { return Status::Error(name + ": " + m); }
  Status ReadHead();
  Status ReadTensor(size_t i);
  Status ReadIds(std::vector<int>& ids, const char* what);
  Status ReadOp(size_t i);
  Status Run();
};

Status Parser::ReadHead() {
  uint32_t flags = 0, version = 0, nops = 0;
  uint64_t source_bytes = 0;
  if (!r.Str(info.source, kMaxTensorName, "source name") || !r.U32(flags, "flags") || !r.U32(version, "tflite version") ||
      !r.U64(source_bytes, "source bytes") || !r.U32(nops, "operator name count"))
    return r.err;
  if (flags > 1) return Fail("unknown flags " + std::to_string(flags));
  fp16 = info.fp16 = flags & 1u;
  info.source_bytes = source_bytes;
  net.file_version = version;
  if (nops > kMaxFileOps) return Fail("operator name count " + std::to_string(nops) + " is over " + std::to_string(kMaxFileOps));
  for (uint32_t k = 0; k < nops; ++k) {
    std::string op;
    uint32_t count = 0;
    if (!r.Str(op, kMaxOpName, "operator name") || !r.U32(count, "operator count")) return r.err;
    if (count > kMaxOps) return Fail("operator '" + op + "' counted " + std::to_string(count) + " times");
    net.file_ops.push_back({op, int(count)});
  }
  return Status::Ok();
}

Status Parser::ReadTensor(size_t i) {
  NetTensor& t = net.tensors[i];
  r.where = "tensor #" + std::to_string(i);
  if (!r.Str(t.name, kMaxTensorName, "tensor name")) return r.err;
  r.where += " '" + t.name + "'";
  uint8_t rank = 0, storage = 0, sparse = 0, pad = 0;
  if (!r.U8(rank, "rank")) return r.err;
  if (rank > 6) return r.Fail("rank " + std::to_string(rank) + " (at most 6)"), r.err;
  uint64_t count = 1;
  for (uint8_t d = 0; d < rank; ++d) {
    int32_t v = 0;
    if (!r.I32(v, "dimension")) return r.err;
    if (v < 0 || v > kMaxDim) return r.Fail("dimension " + std::to_string(v) + " out of range"), r.err;
    t.shape.push_back(v);
    count *= uint64_t(v);
    if (count > kTfliteMaxTensorValues)
      return r.Fail("shape " + ShapeText(t.shape) + "... holds more than " + std::to_string(kTfliteMaxTensorValues) + " values"), r.err;
  }
  uint64_t stored_bytes = 0;
  if (!r.U8(storage, "storage") || !r.Str(t.stored_type, kMaxOpName, "stored type") || !r.U8(sparse, "stored sparse") ||
      !r.U8(pad, "padding") || !r.U64(stored_bytes, "stored bytes"))
    return r.err;
  if (storage > kInt32 || sparse > 1 || pad != 0)
    return r.Fail("storage " + std::to_string(storage) + ", sparse flag " + std::to_string(sparse) + ", padding " +
                  std::to_string(pad) + " (storage 0..3, flag 0/1, padding 0)"),
           r.err;
  t.stored_sparse = sparse;
  t.stored_bytes = size_t(std::min<uint64_t>(stored_bytes, uint64_t(1) << 40));
  t.constant = storage != kActivation;
  if (storage == kActivation) {
    // The executors allocate every activation: refuse what they could not.
    activations += count;
    if (count == 0 || count > kFksMaxActivation || activations > 4 * kFksMaxActivation)
      return r.Fail("activation " + ShapeText(t.shape) + " holds " + std::to_string(count) + " values (1.." +
                    std::to_string(kFksMaxActivation) + ", and at most " + std::to_string(4 * kFksMaxActivation) +
                    " over the graph)"),
             r.err;
    return Status::Ok();
  }
  weights += count;
  if (weights > kFksMaxWeights)
    return r.Fail("constants reach " + std::to_string(weights) + " values, over the limit of " +
                  std::to_string(kFksMaxWeights) + " (refused before allocating)"),
           r.err;
  if (storage == kDense) {
    info.dense_tensors++;
    return r.Values(t.data, count, fp16, "values") ? Status::Ok() : r.err;
  }
  if (storage == kInt32) {
    if (!r.Need(count * 4, "int32 values")) return r.err;
    t.ints.resize(size_t(count));
    for (int32_t& v : t.ints) r.I32(v, "int32 value");  // cannot fail: Need checked the bytes
    return Status::Ok();
  }
  // CSR: rows of the first dimension; the CSR reader checks every count against the bytes left.
  if (rank == 0 || t.shape[0] == 0) return r.Fail("CSR storage needs a tensor of rank >= 1 with rows"), r.err;
  const fks::CsrDims d{uint64_t(t.shape[0]), uint32_t(count / uint64_t(t.shape[0])), 1};
  fks::CsrHeader h;
  if (Status s = fks::ReadCsrHeader(r, d, h); !s) return s;
  if (Status s = fks::ReadCsrBody(r, d, h, fp16, t.data); !s) return s;
  info.csr_tensors++;
  return Status::Ok();
}

Status Parser::ReadIds(std::vector<int>& ids, const char* what) {
  uint16_t n = 0;
  if (!r.U16(n, what)) return r.err;
  if (n > kMaxOperands) return r.Fail(std::string(what) + ": " + std::to_string(n) + " operands"), r.err;
  if (!r.Need(size_t(n) * 4, what)) return r.err;
  ids.resize(n);
  for (int& t : ids) {
    int32_t v = 0;
    r.I32(v, what);
    if (v < -1 || v >= int64_t(net.tensors.size()))
      return r.Fail(std::string(what) + " names tensor " + std::to_string(v) + ", but the file has " +
                    std::to_string(net.tensors.size())),
             r.err;
    t = v;
  }
  return Status::Ok();
}

Status Parser::ReadOp(size_t i) {
  NetOp op;
  r.where = "operator #" + std::to_string(i);
  uint8_t type = 0, act = 0, flags = 0, pad = 0;
  int32_t file_index = 0;
  if (!r.U8(type, "operator type") || !r.U8(act, "activation") || !r.U8(flags, "operator flags") || !r.U8(pad, "padding") ||
      !r.I32(file_index, "file index"))
    return r.err;
  if (type > uint8_t(NetOpType::Mean) || act > uint8_t(NetAct::ReluN1To1) || flags > 7 || pad != 0)
    return r.Fail("type " + std::to_string(type) + ", activation " + std::to_string(act) + ", flags " +
                  std::to_string(flags) + " (type 0.." + std::to_string(int(NetOpType::Mean)) + ", activation 0..3, flags 0..7)"),
           r.err;
  op.type = NetOpType(type);
  op.act = NetAct(act);
  op.align_corners = flags & 1u, op.half_pixel_centers = flags & 2u, op.keep_dims = flags & 4u;
  op.file_index = file_index;
  r.where += " (" + std::string(NetOpName(op.type)) + ")";
  if (Status s = ReadIds(op.inputs, "inputs"); !s) return s;
  if (Status s = ReadIds(op.outputs, "outputs"); !s) return s;
  int32_t v[kNumOpFields];
  for (int32_t& f : v)
    if (!r.I32(f, "operator field")) return r.err;
  op.stride_h = v[0], op.stride_w = v[1], op.dilation_h = v[2], op.dilation_w = v[3], op.filter_h = v[4], op.filter_w = v[5];
  op.pad_top = v[6], op.pad_left = v[7], op.pad_bottom = v[8], op.pad_right = v[9];
  op.depth_multiplier = v[10], op.axis = v[11], op.block_size = v[12];
  uint16_t naxes = 0;
  if (!r.U16(naxes, "axis count")) return r.err;
  if (naxes > 8 || !r.Need(size_t(naxes) * 4, "axes")) return naxes > 8 ? (r.Fail("axis count " + std::to_string(naxes)), r.err) : r.err;
  op.axes.resize(naxes);
  for (int& a : op.axes) {
    int32_t x = 0;
    r.I32(x, "axis");
    a = x;
  }
  net.ops.push_back(std::move(op));
  return Status::Ok();
}

// [SECTION] Loading: the graph checks (what ImportTflite checks on the way in)

struct Validator {
  const Net& net;
  const std::string& name;

  const NetTensor& T(int t) const { return net.tensors[size_t(t)]; }
  std::string TensorText(int t) const { return "tensor #" + std::to_string(t) + " '" + T(t).name + "'"; }
  bool IsActivation(int t) const { return t >= 0 && !T(t).constant; }
  bool IsFloat(int t) const { return t >= 0 && T(t).constant && T(t).ints.empty() && T(t).data.size() == T(t).Count(); }
  bool IsInts(int t) const { return t >= 0 && T(t).constant && T(t).data.empty() && T(t).ints.size() == T(t).Count(); }

  Status OpCheck(size_t k, const NetOp& op);
  Status Run();
};

// Output extent of a window over `in` with explicit paddings; false when it does not fit.
bool WindowOut(int in, int pb, int pa, int k, int stride, int dilation, int& out) {
  const int64_t eff = int64_t(k - 1) * dilation + 1, span = int64_t(in) + pb + pa;
  if (span < eff) return false;
  out = int((span - eff) / stride + 1);
  return true;
}

Status Validator::OpCheck(size_t k, const NetOp& op) {
  auto fail = [&](const std::string& m) {
    return Status::Error(name + ": operator #" + std::to_string(k) + " (" + NetOpName(op.type) + ", .tflite operator #" +
                         std::to_string(op.file_index) + "): " + m);
  };
  const size_t nin = op.inputs.size();
  if (op.outputs.size() != 1) return fail("must have exactly one output");
  if (!IsActivation(op.outputs[0])) return fail("output " + TensorText(op.outputs[0]) + " is a constant");
  if (nin == 0 || !IsActivation(op.inputs[0])) return fail("its first input must be computed by the graph, not a constant or missing");
  const std::vector<int>& s = T(op.inputs[0]).shape;
  const std::vector<int>& out = T(op.outputs[0]).shape;
  auto want = [&](const std::vector<int>& w) {
    return out == w ? Status::Ok() : fail("output " + TensorText(op.outputs[0]) + " is " + ShapeText(out) + ", the operator computes " + ShapeText(w));
  };
  auto in_range = [](int v, int lo, int hi) { return v >= lo && v <= hi; };
  auto bias_ok = [&](int count) {
    return nin < 3 || op.inputs[2] < 0 || (IsFloat(op.inputs[2]) && T(op.inputs[2]).data.size() == size_t(count));
  };
  switch (op.type) {
    case NetOpType::Conv2D:
    case NetOpType::DepthwiseConv2D: {
      const bool dw = op.type == NetOpType::DepthwiseConv2D;
      if (nin < 2 || nin > 3 || !IsFloat(op.inputs[1])) return fail("needs an input, constant float weights and an optional bias");
      const std::vector<int>& w = T(op.inputs[1]).shape;
      if (s.size() != 4 || w.size() != 4 || s[0] != 1) return fail("input " + ShapeText(s) + " and filter " + ShapeText(w) + " must be 4-D, batch 1");
      const int cin = s[3];
      const int cout = dw ? w[3] : w[0];
      if (dw ? (w[0] != 1 || cin < 1 || cout % cin || op.depth_multiplier != cout / cin) : (w[3] != cin || op.depth_multiplier != 1))
        return fail("filter " + ShapeText(w) + " with depth multiplier " + std::to_string(op.depth_multiplier) +
                    " does not fit input channels " + std::to_string(cin));
      if (!bias_ok(cout)) return fail("the bias must be a float constant of " + std::to_string(cout) + " values");
      if (op.filter_h != w[1] || op.filter_w != w[2]) return fail("filter size " + std::to_string(op.filter_h) + "x" + std::to_string(op.filter_w) + " differs from the weights " + ShapeText(w));
      if (!in_range(op.stride_h, 1, kMaxParam) || !in_range(op.stride_w, 1, kMaxParam) || !in_range(op.dilation_h, 1, kMaxParam) ||
          !in_range(op.dilation_w, 1, kMaxParam) || !in_range(op.filter_h, 1, kMaxParam) || !in_range(op.filter_w, 1, kMaxParam))
        return fail("strides, dilations and filter sizes must be in 1.." + std::to_string(kMaxParam));
      for (int p : {op.pad_top, op.pad_left, op.pad_bottom, op.pad_right})
        if (!in_range(p, 0, kMaxParam)) return fail("padding " + std::to_string(p) + " out of range");
      int oh = 0, ow = 0;
      if (!WindowOut(s[1], op.pad_top, op.pad_bottom, op.filter_h, op.stride_h, op.dilation_h, oh) ||
          !WindowOut(s[2], op.pad_left, op.pad_right, op.filter_w, op.stride_w, op.dilation_w, ow))
        return fail("the filter is larger than its padded input " + ShapeText(s));
      return want({1, oh, ow, cout});
    }
    case NetOpType::FullyConnected: {
      if (nin < 2 || nin > 3 || !IsFloat(op.inputs[1])) return fail("needs an input, constant float weights and an optional bias");
      const std::vector<int>& w = T(op.inputs[1]).shape;
      if (w.size() != 2 || w[1] < 1 || T(op.inputs[0]).Count() != size_t(w[1]))
        return fail("weights " + ShapeText(w) + " do not fit input " + ShapeText(s));
      if (!bias_ok(w[0])) return fail("the bias must be a float constant of " + std::to_string(w[0]) + " values");
      if (T(op.outputs[0]).Count() != size_t(w[0])) return fail("output " + ShapeText(out) + " does not hold " + std::to_string(w[0]) + " values");
      return Status::Ok();
    }
    case NetOpType::Add:
    case NetOpType::Mul: {
      if (nin != 2 || op.inputs[1] < 0) return fail("needs two operands");
      const NetTensor& b = T(op.inputs[1]);
      if (b.constant && !IsFloat(op.inputs[1])) return fail("constant operand " + TensorText(op.inputs[1]) + " is not float");
      const bool broadcast = b.constant && (b.Count() == 1 || (!s.empty() && b.Count() == size_t(s.back())));
      if (b.shape != s && !broadcast) return fail("operands " + ShapeText(s) + " and " + ShapeText(b.shape) + " (broadcasting is not supported)");
      return want(s);
    }
    case NetOpType::Relu:
    case NetOpType::Relu6:
    case NetOpType::Logistic:
      if (nin != 1) return fail("needs one input");
      return want(s);
    case NetOpType::Pad: {
      if (nin != 2 || !IsInts(op.inputs[1]) || T(op.inputs[1]).ints.size() != 8 || s.size() != 4)
        return fail("needs a 4-D input and [4,2] int32 paddings");
      const std::vector<int32_t>& p = T(op.inputs[1]).ints;
      std::vector<int> o = s;
      for (size_t d = 0; d < 4; ++d) {
        if (!in_range(p[2 * d], 0, kMaxParam) || !in_range(p[2 * d + 1], 0, kMaxParam)) return fail("padding out of range");
        o[d] += p[2 * d] + p[2 * d + 1];
      }
      if (p[0] || p[1]) return fail("padding the batch dimension is not supported");
      if (op.axes != std::vector<int>(p.begin(), p.end())) return fail("its paddings field differs from its paddings operand");
      return want(o);
    }
    case NetOpType::MaxPool2D:
    case NetOpType::AveragePool2D: {
      if (nin != 1 || s.size() != 4 || s[0] != 1) return fail("needs one [1,H,W,C] input");
      if (!in_range(op.stride_h, 1, kMaxParam) || !in_range(op.stride_w, 1, kMaxParam) || !in_range(op.filter_h, 1, kMaxParam) ||
          !in_range(op.filter_w, 1, kMaxParam))
        return fail("strides and filter sizes must be in 1.." + std::to_string(kMaxParam));
      // Every window keeps at least one input value (as SAME padding makes it): an average never divides by 0.
      if (!in_range(op.pad_top, 0, op.filter_h - 1) || !in_range(op.pad_bottom, 0, op.filter_h - 1) ||
          !in_range(op.pad_left, 0, op.filter_w - 1) || !in_range(op.pad_right, 0, op.filter_w - 1))
        return fail("paddings must be smaller than the window");
      int oh = 0, ow = 0;
      if (!WindowOut(s[1], op.pad_top, op.pad_bottom, op.filter_h, op.stride_h, 1, oh) ||
          !WindowOut(s[2], op.pad_left, op.pad_right, op.filter_w, op.stride_w, 1, ow))
        return fail("the window is larger than its padded input " + ShapeText(s));
      return want({1, oh, ow, s[3]});
    }
    case NetOpType::ResizeBilinear: {
      if (nin != 2 || !IsInts(op.inputs[1]) || T(op.inputs[1]).ints.size() != 2 || s.size() != 4)
        return fail("needs a 4-D input and a [2] int32 size");
      const std::vector<int32_t>& z = T(op.inputs[1]).ints;
      if (!in_range(z[0], 1, 16384) || !in_range(z[1], 1, 16384)) return fail("size out of range");
      return want({s[0], z[0], z[1], s[3]});
    }
    case NetOpType::Reshape:
      if (nin > 2) return fail("needs one input and an optional shape");
      if (T(op.outputs[0]).Count() != T(op.inputs[0]).Count())
        return fail("reshapes " + ShapeText(s) + " to " + ShapeText(out) + ", a different number of values");
      return Status::Ok();
    case NetOpType::Concatenation: {
      if (!in_range(op.axis, 0, int(s.size()) - 1)) return fail("axis " + std::to_string(op.axis) + " out of range for " + ShapeText(s));
      std::vector<int> o = s;
      int64_t along = 0;
      for (int t : op.inputs) {
        if (!IsActivation(t)) return fail("every input must be computed by the graph");
        const std::vector<int>& ts = T(t).shape;
        if (ts.size() != s.size()) return fail("inputs of different rank");
        for (size_t d = 0; d < s.size(); ++d)
          if (d != size_t(op.axis) && ts[d] != s[d]) return fail("input " + ShapeText(ts) + " does not match " + ShapeText(s));
        along += ts[size_t(op.axis)];
      }
      if (along > kMaxDim) return fail("the concatenated dimension is out of range");
      o[size_t(op.axis)] = int(along);
      return want(o);
    }
    case NetOpType::DepthToSpace: {
      const int b = op.block_size;
      if (nin != 1 || s.size() != 4 || b < 1 || b > 64 || s[3] % (b * b))
        return fail("block size " + std::to_string(b) + " does not fit input " + ShapeText(s));
      return want({s[0], s[1] * b, s[2] * b, s[3] / (b * b)});
    }
    case NetOpType::Mean: {
      if (nin != 2 || !IsInts(op.inputs[1]) || s.size() != 4 || op.axes != std::vector<int>{1, 2})
        return fail("only the spatial mean of a 4-D tensor (axes [1,2]) is supported");
      return want(op.keep_dims ? std::vector<int>{s[0], 1, 1, s[3]} : std::vector<int>{s[0], s[3]});
    }
  }
  return fail("unknown operator type");
}

Status Validator::Run() {
  if (net.inputs.empty() || net.outputs.empty()) return Status::Error(name + ": the graph declares no inputs or no outputs");
  if (net.ops.empty()) return Status::Error(name + ": the graph has no operators");
  // Each tensor is produced once, before it is read (the ops are in execution order).
  std::vector<char> ready(net.tensors.size(), 0);
  for (size_t t = 0; t < net.tensors.size(); ++t) ready[t] = net.tensors[t].constant;
  for (int t : net.inputs) {
    if (t < 0 || !IsActivation(t)) return Status::Error(name + ": input " + std::to_string(t) + " is not an activation tensor");
    ready[size_t(t)] = 1;
  }
  for (size_t k = 0; k < net.ops.size(); ++k) {
    const NetOp& op = net.ops[k];
    for (int t : op.inputs)
      if (t >= 0 && !ready[size_t(t)])
        return Status::Error(name + ": operator #" + std::to_string(k) + " reads " + TensorText(t) + " before any operator writes it");
    for (int t : op.outputs) {
      if (t < 0 || ready[size_t(t)])
        return Status::Error(name + ": operator #" + std::to_string(k) + " writes " + (t < 0 ? std::string("no tensor") : TensorText(t)) +
                             (t < 0 ? "" : ", which already has a value"));
      ready[size_t(t)] = 1;
    }
    if (Status s = OpCheck(k, op); !s) return s;
  }
  for (int t : net.outputs) {
    if (t < 0 || !IsActivation(t)) return Status::Error(name + ": output " + std::to_string(t) + " is not an activation tensor");
    if (!ready[size_t(t)]) return Status::Error(name + ": output " + TensorText(t) + " is never computed");
  }
  return Status::Ok();
}

Status Parser::Run() {
  fks::FileHeader h;
  if (Status s = fks::ParseFileHeader(r.p, r.n, name, h); !s) return s;
  if (h.version != kFksNetVersion)
    return Fail("format version " + std::to_string(h.version) + " holds a MobileNet model, not an imported network (load it with LoadModel)");
  const uint32_t crc = Crc32(r.p + kFksHeaderBytes, r.n - kFksHeaderBytes);
  if (crc != h.crc) return fks::CrcMismatch(name, h.crc, crc);
  info.version = h.version;
  info.file_bytes = r.n;
  r.pos = kFksHeaderBytes;
  if (Status s = ReadHead(); !s) return s;
  uint32_t ntensors = 0;
  if (!r.U32(ntensors, "tensor count")) return r.err;
  constexpr size_t kMinTensorBytes = 2 + 1 + 1 + 2 + 1 + 1 + 8;
  if (ntensors > kTfliteMaxTensors || uint64_t(ntensors) * kMinTensorBytes > r.Remaining())
    return Fail("tensor count " + std::to_string(ntensors) + " does not fit in the " + std::to_string(r.Remaining()) + " remaining bytes");
  net.tensors.resize(ntensors);
  for (size_t i = 0; i < ntensors; ++i)
    if (Status s = ReadTensor(i); !s) return s;
  r.where.clear();
  for (auto [ids, what] : {std::pair<std::vector<int>*, const char*>{&net.inputs, "graph inputs"}, {&net.outputs, "graph outputs"}}) {
    uint32_t n = 0;
    if (!r.U32(n, what)) return r.err;
    if (n > ntensors || !r.Need(size_t(n) * 4, what)) return n > ntensors ? Fail(std::string(what) + ": " + std::to_string(n) + " for " + std::to_string(ntensors) + " tensors") : r.err;
    for (uint32_t k = 0; k < n; ++k) {
      int32_t v = 0;
      r.I32(v, what);
      if (v < 0 || uint32_t(v) >= ntensors) return Fail(std::string(what) + " name tensor " + std::to_string(v) + ", but the file has " + std::to_string(ntensors));
      ids->push_back(v);
    }
  }
  uint32_t nops = 0;
  if (!r.U32(nops, "operator count")) return r.err;
  constexpr size_t kMinOpBytes = 4 + 4 + 2 + 2 + 4 * kNumOpFields + 2;
  if (nops > kMaxOps || uint64_t(nops) * kMinOpBytes > r.Remaining())
    return Fail("operator count " + std::to_string(nops) + " does not fit in the " + std::to_string(r.Remaining()) + " remaining bytes");
  net.ops.reserve(nops);
  for (size_t i = 0; i < nops; ++i)
    if (Status s = ReadOp(i); !s) return s;
  r.where.clear();
  if (r.pos != r.n) return Fail(std::to_string(r.n - r.pos) + " unexpected bytes after the last operator at byte " + std::to_string(r.pos));
  return Validator{net, name}.Run();
}

Result<Net> Parse(const uint8_t* data, size_t n, const std::string& name, NetFileInfo* info) {
  Parser p;
  p.r = Reader{data, n, 0, name, "", Status::Ok()};
  p.name = name;
  try {
    if (Status s = p.Run(); !s) return s;
  } catch (const std::bad_alloc&) {  // within the budgets, still more than this device has
    return Status::Error(name + ": not enough memory (" + std::to_string(p.weights) + " constant values read)");
  }
  p.net.name = name;
  p.net.file_bytes = n;
  if (info) *info = p.info;
  return std::move(p.net);
}

}  // namespace

// [SECTION] Public API

Result<std::vector<uint8_t>> SaveNetBytes(const Net& net, const SaveOptions& opt) {
  const size_t nt = net.tensors.size();
  auto bad = [&](int t, bool optional) { return optional ? (t < -1 || t >= int64_t(nt)) : (t < 0 || t >= int64_t(nt)); };
  // Keep what the graph uses, in the original order: the folded originals go.
  std::vector<char> used(nt, 0);
  for (const NetOp& op : net.ops) {
    for (int t : op.inputs)
      if (bad(t, true)) return Status::Error("save: operator #" + std::to_string(op.file_index) + " reads tensor " + std::to_string(t) + ", which does not exist");
      else if (t >= 0) used[size_t(t)] = 1;
    for (int t : op.outputs)
      if (bad(t, false)) return Status::Error("save: operator #" + std::to_string(op.file_index) + " writes tensor " + std::to_string(t) + ", which does not exist");
      else used[size_t(t)] = 1;
    if (op.inputs.size() > kMaxOperands || op.outputs.size() > kMaxOperands || op.axes.size() > 8)
      return Status::Error("save: operator #" + std::to_string(op.file_index) + " has too many operands");
  }
  for (const std::vector<int>* ids : {&net.inputs, &net.outputs})
    for (int t : *ids)
      if (bad(t, false)) return Status::Error("save: graph input/output " + std::to_string(t) + " is not a tensor");
      else used[size_t(t)] = 1;
  std::vector<int> remap(nt, -1);
  int kept = 0;
  for (size_t t = 0; t < nt; ++t)
    if (used[t]) remap[t] = kept++;
  const std::vector<char> pointwise = PointwiseWeights(net);

  Writer w;
  w.b.assign(kFksHeaderBytes, 0);  // the header goes here last: size and checksum are known then
  const std::string source = net.name.substr(0, kMaxTensorName);
  w.Str(source);
  w.U32(opt.fp16 ? 1u : 0u);
  w.U32(net.file_version);
  w.U64(net.file_bytes);
  if (net.file_ops.size() > kMaxFileOps) return Status::Error("save: more than 1024 operator names");
  w.U32(uint32_t(net.file_ops.size()));
  for (auto& [op, count] : net.file_ops) {
    w.Str(op.substr(0, kMaxOpName));
    w.U32(uint32_t(std::max(count, 0)));
  }
  w.U32(uint32_t(kept));
  for (size_t t = 0; t < nt; ++t)
    if (used[t])
      if (Status s = WriteTensor(w, net.tensors[t], pointwise[t], opt, "tensor #" + std::to_string(t) + " '" + net.tensors[t].name + "'"); !s)
        return s;
  for (const std::vector<int>* ids : {&net.inputs, &net.outputs}) {
    w.U32(uint32_t(ids->size()));
    for (int t : *ids) w.I32(remap[size_t(t)]);
  }
  w.U32(uint32_t(net.ops.size()));
  for (const NetOp& op : net.ops) WriteOp(w, op, remap);
  fks::WriteFileHeader(w.b, kFksNetVersion, Crc32(w.b.data() + kFksHeaderBytes, w.b.size() - kFksHeaderBytes));
  return std::move(w.b);
}

Status SaveNet(const Net& net, const std::string& path, const SaveOptions& opt) {
  auto bytes = SaveNetBytes(net, opt);
  if (!bytes) return bytes.status();
  return WriteFileBytes(path, *bytes);
}

Result<Net> LoadNetBytes(const uint8_t* data, size_t n, const std::string& name, NetFileInfo* info) {
  return Parse(data, n, name, info);
}

Result<Net> LoadNetFile(const std::string& path) {
  auto bytes = ReadFileBytes(path);  // model_file.h: names a missing file
  if (!bytes) return bytes.status();
  return LoadNetBytes(bytes->data(), bytes->size(), path);
}

uint32_t FksFileVersion(const uint8_t* data, size_t n) {
  if (n < kFksHeaderBytes || std::memcmp(data, kFksMagic, 4) != 0) return 0;
  return uint32_t(data[4]) | uint32_t(data[5]) << 8 | uint32_t(data[6]) << 16 | uint32_t(data[7]) << 24;
}

}  // namespace fk::nn
