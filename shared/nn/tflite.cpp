// TFLite flatbuffer import (see tflite.h). Field numbers follow TFLite's
// schema.fbs; a flatbuffer table's field k lives at vtable slot 4 + 2k.
#include "nn/tflite.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>

#include "core/file.h"
#include "nn/fp16.h"

namespace fk::nn {

size_t NetTensor::Count() const {
  size_t n = 1;
  for (int d : shape) n *= size_t(std::max(d, 0));
  return n;
}

const char* NetOpName(NetOpType t) {
  switch (t) {
    case NetOpType::Conv2D: return "CONV_2D";
    case NetOpType::DepthwiseConv2D: return "DEPTHWISE_CONV_2D";
    case NetOpType::FullyConnected: return "FULLY_CONNECTED";
    case NetOpType::Add: return "ADD";
    case NetOpType::Mul: return "MUL";
    case NetOpType::Relu: return "RELU";
    case NetOpType::Relu6: return "RELU6";
    case NetOpType::Logistic: return "LOGISTIC";
    case NetOpType::Pad: return "PAD";
    case NetOpType::MaxPool2D: return "MAX_POOL_2D";
    case NetOpType::AveragePool2D: return "AVERAGE_POOL_2D";
    case NetOpType::ResizeBilinear: return "RESIZE_BILINEAR";
    case NetOpType::Reshape: return "RESHAPE";
    case NetOpType::Concatenation: return "CONCATENATION";
    case NetOpType::DepthToSpace: return "DEPTH_TO_SPACE";
    case NetOpType::Mean: return "MEAN";
  }
  return "?";
}

// Constants an operator reads: the import keeps the originals behind the
// folded DEQUANTIZE / DENSIFY too, which would count every weight two or three times.
static std::vector<char> ReadByOps(const Net& net) {
  std::vector<char> read(net.tensors.size(), 0);
  for (const NetOp& op : net.ops)
    for (int t : op.inputs)
      if (t >= 0 && size_t(t) < read.size()) read[size_t(t)] = 1;
  return read;
}

size_t Net::ParameterCount() const {
  const std::vector<char> read = ReadByOps(*this);
  size_t n = 0;
  for (size_t i = 0; i < tensors.size(); ++i)
    if (tensors[i].constant && read[i]) n += tensors[i].data.size();
  return n;
}

int Net::SparseStoredTensors() const {
  const std::vector<char> read = ReadByOps(*this);
  int n = 0;
  for (size_t i = 0; i < tensors.size(); ++i) n += tensors[i].stored_sparse && read[i] ? 1 : 0;
  return n;
}

bool LooksLikeTflite(const uint8_t* data, size_t size) {
  return size >= 8 && std::memcmp(data + 4, "TFL3", 4) == 0;
}

namespace {

// TFLite builtin operator codes (schema.fbs BuiltinOperator) we name or run.
enum Builtin : int32_t {
  kAdd = 0, kAvgPool = 1, kConcat = 2, kConv = 3, kDwConv = 4, kDepthToSpace = 5, kDequantize = 6,
  kFc = 9, kLogistic = 14, kMaxPool = 17, kMul = 18, kRelu = 19, kRelu6 = 21, kReshape = 22,
  kResizeBilinear = 23, kCustom = 32, kPad = 34, kMean = 40, kDensify = 124
};

const char* BuiltinName(int32_t c) {
  // Names of the operators a user is likely to meet in a mobile vision model;
  // others print as their number.
  switch (c) {
    case 0: return "ADD"; case 1: return "AVERAGE_POOL_2D"; case 2: return "CONCATENATION";
    case 3: return "CONV_2D"; case 4: return "DEPTHWISE_CONV_2D"; case 5: return "DEPTH_TO_SPACE";
    case 6: return "DEQUANTIZE"; case 9: return "FULLY_CONNECTED"; case 14: return "LOGISTIC";
    case 17: return "MAX_POOL_2D"; case 18: return "MUL"; case 19: return "RELU"; case 21: return "RELU6";
    case 22: return "RESHAPE"; case 23: return "RESIZE_BILINEAR"; case 25: return "SOFTMAX";
    case 28: return "TANH"; case 32: return "CUSTOM"; case 34: return "PAD"; case 39: return "TRANSPOSE";
    case 40: return "MEAN"; case 41: return "SUB"; case 42: return "DIV"; case 43: return "SQUEEZE";
    case 45: return "STRIDED_SLICE"; case 49: return "SPLIT"; case 53: return "CAST"; case 54: return "PRELU";
    case 55: return "MAXIMUM"; case 57: return "MINIMUM"; case 60: return "PADV2"; case 65: return "SLICE";
    case 67: return "TRANSPOSE_CONV"; case 74: return "SUM"; case 83: return "PACK"; case 97: return "RESIZE_NEAREST_NEIGHBOR";
    case 98: return "LEAKY_RELU"; case 114: return "QUANTIZE"; case 117: return "HARD_SWISH"; case 124: return "DENSIFY";
    case 126: return "BATCH_MATMUL";
  }
  return nullptr;
}

std::string OpLabel(int32_t c) {
  const char* n = BuiltinName(c);
  return n ? std::string(n) : "builtin operator " + std::to_string(c);
}

const char* TypeName(int8_t t) {
  switch (t) {
    case 0: return "FLOAT32"; case 1: return "FLOAT16"; case 2: return "INT32"; case 3: return "UINT8";
    case 4: return "INT64"; case 5: return "STRING"; case 6: return "BOOL"; case 7: return "INT16";
    case 8: return "COMPLEX64"; case 9: return "INT8"; case 10: return "FLOAT64";
  }
  return "unknown";
}
constexpr int8_t kF32 = 0, kF16 = 1, kI32 = 2, kI8 = 9;

std::string ShapeText(const std::vector<int>& s) {
  std::string o = "[";
  for (size_t i = 0; i < s.size(); ++i) o += (i ? "," : "") + std::to_string(s[i]);
  return o + "]";
}

// Bounds-checked flatbuffer access. The first failure is kept; reads after it
// return zeros, so callers check ok() at convenient points, not after each read.
class Fb {
 public:
  struct Table {
    size_t pos = 0, vt = 0;
    uint16_t vt_len = 0;
    bool valid = false;
  };
  struct Vec {
    size_t data = 0, len = 0;
  };

  Fb(const uint8_t* d, size_t n) : d_(d), n_(n) {}
  bool ok() const { return err_.empty(); }
  const std::string& error() const { return err_; }
  void Fail(const std::string& m) {
    if (err_.empty()) err_ = m;
  }
  bool Has(size_t pos, size_t len) const { return pos <= n_ && len <= n_ - pos; }
  const uint8_t* At(size_t pos) const { return d_ + pos; }

  template <typename T>
  T Read(size_t pos, const std::string& what) {
    if (!Has(pos, sizeof(T))) {
      Fail(what + ": offset " + std::to_string(pos) + " is past the end of the file (" + std::to_string(n_) +
           " bytes; truncated?)");
      return T{};
    }
    T v;
    std::memcpy(&v, d_ + pos, sizeof(T));  // flatbuffers are little-endian, as are x86 and wasm
    return v;
  }

  Table GetTable(size_t pos, const std::string& what) {
    Table t;
    int32_t so = Read<int32_t>(pos, what);
    int64_t vt = int64_t(pos) - int64_t(so);
    if (!ok()) return t;
    if (vt < 0 || !Has(size_t(vt), 4)) {
      Fail(what + ": table at byte " + std::to_string(pos) + " points to a vtable outside the file");
      return t;
    }
    t.vt = size_t(vt);
    t.vt_len = Read<uint16_t>(t.vt, what);
    if (t.vt_len < 4 || (t.vt_len & 1) || !Has(t.vt, t.vt_len)) {
      Fail(what + ": malformed vtable at byte " + std::to_string(t.vt));
      return t;
    }
    t.pos = pos;
    t.valid = true;
    return t;
  }
  uint16_t FieldOffset(const Table& t, int field, const std::string& what) {
    size_t o = 4 + 2 * size_t(field);
    if (!t.valid || o + 2 > t.vt_len) return 0;
    return Read<uint16_t>(t.vt + o, what);
  }
  template <typename T>
  T Scalar(const Table& t, int field, T def, const std::string& what) {
    uint16_t fo = FieldOffset(t, field, what);
    return fo ? Read<T>(t.pos + fo, what) : def;
  }
  std::optional<size_t> Ref(const Table& t, int field, const std::string& what) {
    uint16_t fo = FieldOffset(t, field, what);
    if (!fo) return std::nullopt;
    size_t p = t.pos + fo;
    uint32_t rel = Read<uint32_t>(p, what);
    if (!ok()) return std::nullopt;
    if (!Has(p + rel, 4)) {
      Fail(what + ": reference at byte " + std::to_string(p) + " points outside the file");
      return std::nullopt;
    }
    return p + rel;
  }
  std::optional<Table> Sub(const Table& t, int field, const std::string& what) {
    auto r = Ref(t, field, what);
    if (!r) return std::nullopt;
    Table s = GetTable(*r, what);
    if (!s.valid) return std::nullopt;
    return s;
  }
  Vec GetVector(const Table& t, int field, size_t elem, const std::string& what) {
    Vec v;
    auto r = Ref(t, field, what);
    if (!r) return v;
    uint32_t len = Read<uint32_t>(*r, what);
    if (!ok()) return v;
    if (len > (n_ - *r - 4) / elem) {
      Fail(what + ": a vector of " + std::to_string(len) + " elements at byte " + std::to_string(*r) +
           " runs past the end of the file");
      return v;
    }
    v.data = *r + 4;
    v.len = len;
    return v;
  }
  Table VecTable(const Vec& v, size_t i, const std::string& what) {
    size_t p = v.data + 4 * i;
    uint32_t rel = Read<uint32_t>(p, what);
    if (!ok() || !Has(p + rel, 4)) {
      Fail(what + ": element " + std::to_string(i) + " points outside the file");
      return Table{};
    }
    return GetTable(p + rel, what);
  }
  template <typename T>
  std::vector<T> Values(const Table& t, int field, const std::string& what) {
    Vec v = GetVector(t, field, sizeof(T), what);
    std::vector<T> out(v.len);
    if (v.len) std::memcpy(out.data(), d_ + v.data, v.len * sizeof(T));
    return out;
  }
  std::string String(const Table& t, int field, const std::string& what) {
    Vec v = GetVector(t, field, 1, what);
    return std::string(reinterpret_cast<const char*>(d_ + v.data), v.len);
  }

 private:
  const uint8_t* d_;
  size_t n_;
  std::string err_;
};

struct RawTensor {
  std::string name;
  std::vector<int> shape;
  int8_t type = kF32;
  uint32_t buffer = 0;
  std::vector<float> scale;       // quantization (int8 constants)
  std::vector<int64_t> zero_point;
  int quantized_dimension = 0;
  std::optional<Fb::Table> sparsity;
};

struct RawOp {
  int32_t code = 0;
  std::string custom;
  std::vector<int> inputs, outputs;
  std::optional<Fb::Table> options;
};

class Importer {
 public:
  Importer(const uint8_t* d, size_t n, std::string name) : fb_(d, n), size_(n), name_(std::move(name)) {}
  Result<Net> Run();

 private:
  Status Fail(const std::string& m) const { return Status::Error(name_ + ": " + m); }
  Status FbStatus() const { return fb_.ok() ? Status::Ok() : Fail(fb_.error()); }
  Status ReadModel();
  Status ReadTensor(size_t i, const Fb::Table& t);
  Status ReadOperator(size_t i, const Fb::Table& t);
  Status LoadConstant(size_t i);
  Status DecodeSparse(size_t i, const std::vector<float>& values, std::vector<float>& dense);
  Status Fold(size_t i, const RawOp& op, bool& folded);
  Status Lower(size_t i, const RawOp& op);
  // Lowering helpers.
  Status Activation(size_t i, int tensor) const;  // a float activation tensor
  Status Constant(size_t i, int tensor, const char* what) const;
  Status FloatConstant(size_t i, int tensor, const std::string& what) const;  // weights, biases
  Status CheckOutputShape(size_t i, const RawOp& op, const std::vector<int>& want) const;
  Status Padding(size_t i, int8_t padding, int in, int k, int stride, int dilation, int& before, int& after,
                 int& out) const;
  Status LowerConv(size_t i, const RawOp& op, NetOp& n);
  Status LowerPool(size_t i, const RawOp& op, NetOp& n);
  Status LowerFc(size_t i, const RawOp& op, NetOp& n);
  Status LowerShapeOp(size_t i, const RawOp& op, NetOp& n);
  std::string OpText(size_t i, const RawOp& op) const {
    return "operator #" + std::to_string(i) + " (" + OpLabel(op.code) + ")";
  }
  std::string TensorText(int t) const {
    return "tensor #" + std::to_string(t) + " '" + net_.tensors[size_t(t)].name + "'";
  }
  template <typename T>
  T Opt(const RawOp& op, int field, T def) {
    return op.options ? fb_.Scalar<T>(*op.options, field, def, "operator options") : def;
  }

  Fb fb_;
  size_t size_;
  std::string name_;
  Net net_;
  std::vector<RawTensor> raw_;
  std::vector<RawOp> ops_;
  std::vector<int32_t> codes_;
  std::vector<std::string> custom_codes_;
  std::vector<std::pair<size_t, size_t>> buffers_;  // (byte offset, bytes) into the file
  std::vector<int> consumers_;                       // per tensor: how many ops read it
};

Status Importer::ReadModel() {
  uint32_t root = fb_.Read<uint32_t>(0, "root offset");
  Fb::Table model = fb_.GetTable(root, "model table");
  if (!fb_.ok()) return FbStatus();
  net_.file_version = fb_.Scalar<uint32_t>(model, 0, 0, "model version");
  Fb::Vec codes = fb_.GetVector(model, 1, 4, "operator_codes");
  for (size_t i = 0; i < codes.len && fb_.ok(); ++i) {
    Fb::Table c = fb_.VecTable(codes, i, "operator_codes");
    int8_t dep = fb_.Scalar<int8_t>(c, 0, 0, "operator code");
    int32_t code = fb_.Scalar<int32_t>(c, 3, 0, "operator code");
    codes_.push_back(std::max<int32_t>(dep, code));  // TFLite: the larger of the two fields
    custom_codes_.push_back(fb_.String(c, 1, "custom code"));
  }
  Fb::Vec bufs = fb_.GetVector(model, 4, 4, "buffers");
  for (size_t i = 0; i < bufs.len && fb_.ok(); ++i) {
    Fb::Table b = fb_.VecTable(bufs, i, "buffer #" + std::to_string(i));
    Fb::Vec data = fb_.GetVector(b, 0, 1, "buffer #" + std::to_string(i));
    uint64_t off = fb_.Scalar<uint64_t>(b, 1, 0, "buffer offset"), sz = fb_.Scalar<uint64_t>(b, 2, 0, "buffer size");
    if (data.len || off <= 1) {
      buffers_.push_back({data.data, data.len});
    } else {  // large models keep buffers after the flatbuffer, addressed from the file's start
      if (off > size_ || sz > size_ - off)
        return Fail("buffer #" + std::to_string(i) + " (offset " + std::to_string(off) + ", " + std::to_string(sz) +
                    " bytes) lies outside the file");
      buffers_.push_back({size_t(off), size_t(sz)});
    }
  }
  Fb::Vec subgraphs = fb_.GetVector(model, 2, 4, "subgraphs");
  if (!fb_.ok()) return FbStatus();
  if (subgraphs.len == 0) return Fail("the model has no subgraph");
  if (subgraphs.len > 1)
    return Fail("the model has " + std::to_string(subgraphs.len) +
                " subgraphs (control flow); only single-subgraph models are supported");
  Fb::Table sg = fb_.VecTable(subgraphs, 0, "subgraph 0");
  Fb::Vec tensors = fb_.GetVector(sg, 0, 4, "tensors");
  if (!fb_.ok()) return FbStatus();
  if (tensors.len > kTfliteMaxTensors) return Fail(std::to_string(tensors.len) + " tensors is more than supported");
  raw_.resize(tensors.len);
  net_.tensors.resize(tensors.len);
  for (size_t i = 0; i < tensors.len; ++i) {
    Fb::Table t = fb_.VecTable(tensors, i, "tensor #" + std::to_string(i));
    if (!fb_.ok()) return FbStatus();
    if (Status s = ReadTensor(i, t); !s) return s;
  }
  for (int v : fb_.Values<int32_t>(sg, 1, "subgraph inputs")) net_.inputs.push_back(v);
  for (int v : fb_.Values<int32_t>(sg, 2, "subgraph outputs")) net_.outputs.push_back(v);
  Fb::Vec ops = fb_.GetVector(sg, 3, 4, "operators");
  if (!fb_.ok()) return FbStatus();
  for (size_t i = 0; i < ops.len; ++i) {
    Fb::Table o = fb_.VecTable(ops, i, "operator #" + std::to_string(i));
    if (!fb_.ok()) return FbStatus();
    if (Status s = ReadOperator(i, o); !s) return s;
  }
  for (int t : net_.inputs)
    if (t < 0 || size_t(t) >= raw_.size()) return Fail("subgraph input " + std::to_string(t) + " is not a tensor");
  for (int t : net_.outputs)
    if (t < 0 || size_t(t) >= raw_.size()) return Fail("subgraph output " + std::to_string(t) + " is not a tensor");
  if (net_.inputs.empty() || net_.outputs.empty()) return Fail("the model declares no inputs or no outputs");
  return FbStatus();
}

Status Importer::ReadTensor(size_t i, const Fb::Table& t) {
  RawTensor& r = raw_[i];
  NetTensor& n = net_.tensors[i];
  std::string what = "tensor #" + std::to_string(i);
  r.name = n.name = fb_.String(t, 3, what + " name");
  std::vector<int32_t> shape = fb_.Values<int32_t>(t, 0, what + " shape");
  r.type = fb_.Scalar<int8_t>(t, 1, 0, what + " type");
  r.buffer = fb_.Scalar<uint32_t>(t, 2, 0, what + " buffer");
  if (auto q = fb_.Sub(t, 4, what + " quantization")) {
    r.scale = fb_.Values<float>(*q, 2, what + " scales");
    r.zero_point = fb_.Values<int64_t>(*q, 3, what + " zero points");
    r.quantized_dimension = fb_.Scalar<int32_t>(*q, 6, 0, what + " quantized dimension");
  }
  r.sparsity = fb_.Sub(t, 6, what + " sparsity");
  if (!fb_.ok()) return FbStatus();
  if (shape.size() > 6) return Fail(TensorText(int(i)) + " has rank " + std::to_string(shape.size()) + " (at most 6)");
  size_t count = 1;
  for (int32_t d : shape) {
    if (d < 0) return Fail(TensorText(int(i)) + " has a dynamic or negative dimension " + ShapeText(shape));
    if (d > 0 && count > kTfliteMaxTensorValues / size_t(d))
      return Fail(TensorText(int(i)) + " " + ShapeText(shape) + " holds more values than supported");
    count *= size_t(d);
  }
  if (count > kTfliteMaxTensorValues)
    return Fail(TensorText(int(i)) + " " + ShapeText(shape) + " holds more values than supported");
  r.shape = n.shape = shape;
  if (r.buffer >= buffers_.size())
    return Fail(TensorText(int(i)) + " names buffer " + std::to_string(r.buffer) + ", but the file has " +
                std::to_string(buffers_.size()));
  return Status::Ok();
}

Status Importer::ReadOperator(size_t i, const Fb::Table& t) {
  RawOp op;
  uint32_t ci = fb_.Scalar<uint32_t>(t, 0, 0, "operator opcode");
  for (int v : fb_.Values<int32_t>(t, 1, "operator inputs")) op.inputs.push_back(v);
  for (int v : fb_.Values<int32_t>(t, 2, "operator outputs")) op.outputs.push_back(v);
  op.options = fb_.Sub(t, 4, "operator #" + std::to_string(i) + " options");
  if (!fb_.ok()) return FbStatus();
  if (ci >= codes_.size())
    return Fail("operator #" + std::to_string(i) + " names operator code " + std::to_string(ci) + ", but the file has " +
                std::to_string(codes_.size()));
  op.code = codes_[ci];
  op.custom = custom_codes_[ci];
  for (int v : op.inputs)
    if (v < -1 || v >= int(raw_.size()))
      return Fail(OpText(i, op) + " reads tensor " + std::to_string(v) + ", which does not exist");
  for (int v : op.outputs)
    if (v < 0 || v >= int(raw_.size()))
      return Fail(OpText(i, op) + " writes tensor " + std::to_string(v) + ", which does not exist");
  ops_.push_back(std::move(op));
  return Status::Ok();
}

// Decodes a sparse constant (TFLite SparsityParameters: per traversal dimension
// DENSE or CSR segments/indices, optional block dimensions) into `dense`.
Status Importer::DecodeSparse(size_t i, const std::vector<float>& values, std::vector<float>& dense) {
  const RawTensor& r = raw_[i];
  std::string what = TensorText(int(i)) + " sparsity";
  const Fb::Table& sp = *r.sparsity;
  std::vector<int32_t> order = fb_.Values<int32_t>(sp, 0, what);
  std::vector<int32_t> block_map = fb_.Values<int32_t>(sp, 1, what);
  Fb::Vec dims = fb_.GetVector(sp, 2, 4, what);
  if (!fb_.ok()) return FbStatus();
  const size_t rank = r.shape.size(), levels = rank + block_map.size();
  if (order.size() != levels || dims.len != levels || levels == 0 || levels > 8)
    return Fail(what + ": " + std::to_string(order.size()) + " traversal dimensions and " + std::to_string(dims.len) +
                " dimension descriptions for rank " + std::to_string(rank) + " with " +
                std::to_string(block_map.size()) + " block dimensions");
  std::vector<int> seen(levels, 0);
  for (int32_t o : order) {
    if (o < 0 || size_t(o) >= levels || seen[size_t(o)]++) return Fail(what + ": traversal order is not a permutation");
  }
  struct Level {
    bool csr = false;
    size_t dense_size = 0;
    std::vector<uint32_t> segments, indices;
  };
  std::vector<Level> lv(levels);
  auto read_index_vector = [&](const Fb::Table& dm, int type_field, std::vector<uint32_t>& out) -> Status {
    uint8_t type = fb_.Scalar<uint8_t>(dm, type_field, 0, what);
    auto t = fb_.Sub(dm, type_field + 1, what);
    if (!fb_.ok()) return FbStatus();
    if (!t) return Fail(what + ": a CSR dimension lacks its segments or indices");
    if (type == 1) {
      for (int32_t v : fb_.Values<int32_t>(*t, 0, what)) {
        if (v < 0) return Fail(what + ": negative sparse index " + std::to_string(v));
        out.push_back(uint32_t(v));
      }
    } else if (type == 2) {
      for (uint16_t v : fb_.Values<uint16_t>(*t, 0, what)) out.push_back(v);
    } else if (type == 3) {
      for (uint8_t v : fb_.Values<uint8_t>(*t, 0, what)) out.push_back(v);
    } else {
      return Fail(what + ": unknown sparse index vector type " + std::to_string(type));
    }
    return FbStatus();
  };
  for (size_t k = 0; k < levels; ++k) {
    Fb::Table dm = fb_.VecTable(dims, k, what);
    lv[k].csr = fb_.Scalar<int8_t>(dm, 0, 0, what) == 1;
    lv[k].dense_size = size_t(std::max<int32_t>(0, fb_.Scalar<int32_t>(dm, 1, 0, what)));
    if (!fb_.ok()) return FbStatus();
    if (lv[k].csr) {
      if (Status s = read_index_vector(dm, 2, lv[k].segments); !s) return s;
      if (Status s = read_index_vector(dm, 4, lv[k].indices); !s) return s;
    }
  }
  // Sizes of the expanded dimensions: blocked original dims shrink by the block size.
  std::vector<size_t> block_size(rank, 1), ext(levels, 0);
  for (size_t b = 0; b < block_map.size(); ++b) {
    int32_t d = block_map[b];
    if (d < 0 || size_t(d) >= rank) return Fail(what + ": block map names dimension " + std::to_string(d));
    size_t k = size_t(std::find(order.begin(), order.end(), int32_t(rank + b)) - order.begin());
    if (lv[k].csr || lv[k].dense_size == 0) return Fail(what + ": a block dimension must be dense and non-empty");
    block_size[size_t(d)] = lv[k].dense_size;
  }
  for (size_t d = 0; d < rank; ++d) {
    if (size_t(r.shape[d]) % block_size[d]) return Fail(what + ": dimension " + std::to_string(d) + " is not a multiple of its block");
    ext[d] = size_t(r.shape[d]) / block_size[d];
  }
  for (size_t b = 0; b < block_map.size(); ++b) ext[rank + b] = block_size[size_t(block_map[b])];
  for (size_t k = 0; k < levels; ++k)
    if (!lv[k].csr && lv[k].dense_size != ext[size_t(order[k])])
      return Fail(what + ": dense dimension " + std::to_string(k) + " has size " + std::to_string(lv[k].dense_size) +
                  ", the shape says " + std::to_string(ext[size_t(order[k])]));
  dense.assign(net_.tensors[i].Count(), 0.f);
  std::vector<size_t> coord(levels, 0);
  size_t leaves = 0;
  Status err;
  std::function<void(size_t, size_t)> walk = [&](size_t k, size_t pos) {
    if (!err) return;
    if (k == levels) {
      if (pos >= values.size() || ++leaves > dense.size()) {
        err = Fail(what + ": more stored values are addressed than the buffer holds (" + std::to_string(values.size()) + ")");
        return;
      }
      size_t flat = 0;
      for (size_t d = 0; d < rank; ++d) {
        size_t c = coord[d] * block_size[d];
        for (size_t b = 0; b < block_map.size(); ++b)
          if (size_t(block_map[b]) == d) c += coord[rank + b];
        flat = flat * size_t(r.shape[d]) + c;
      }
      dense[flat] = values[pos];
      return;
    }
    const Level& L = lv[k];
    const size_t dim = size_t(order[k]);
    if (!L.csr) {
      for (size_t j = 0; j < L.dense_size && err; ++j) {
        coord[dim] = j;
        walk(k + 1, pos * L.dense_size + j);
      }
      return;
    }
    if (pos + 1 >= L.segments.size() || L.segments[pos] > L.segments[pos + 1] || L.segments[pos + 1] > L.indices.size()) {
      err = Fail(what + ": CSR segments of dimension " + std::to_string(k) + " are inconsistent");
      return;
    }
    for (size_t j = L.segments[pos]; j < L.segments[pos + 1] && err; ++j) {
      if (L.indices[j] >= ext[dim]) {
        err = Fail(what + ": sparse index " + std::to_string(L.indices[j]) + " is outside dimension size " +
                   std::to_string(ext[dim]));
        return;
      }
      coord[dim] = L.indices[j];
      walk(k + 1, j);
    }
  };
  walk(0, 0);
  return err;
}

// Decodes tensor i's buffer (if any) into the Net tensor as a constant.
Status Importer::LoadConstant(size_t i) {
  RawTensor& r = raw_[i];
  NetTensor& n = net_.tensors[i];
  auto [off, bytes] = buffers_[r.buffer];
  if (bytes == 0) return Status::Ok();
  const uint8_t* p = fb_.At(off);
  size_t elem = r.type == kF32 || r.type == kI32 ? 4 : r.type == kF16 ? 2 : r.type == kI8 ? 1 : 0;
  if (!elem) return Fail(TensorText(int(i)) + " is a constant of type " + TypeName(r.type) + ", which is not supported");
  if (bytes % elem) return Fail(TensorText(int(i)) + ": its buffer's " + std::to_string(bytes) + " bytes are not whole " + TypeName(r.type) + " values");
  const size_t stored = bytes / elem, count = n.Count();
  if (!r.sparsity && stored != count)
    return Fail(TensorText(int(i)) + " " + ShapeText(n.shape) + " needs " + std::to_string(count) + " values; its buffer holds " +
                std::to_string(stored));
  if (r.sparsity && stored > count)
    return Fail(TensorText(int(i)) + ": a sparse buffer holds more values (" + std::to_string(stored) + ") than the shape");
  n.constant = true;
  n.stored_type = r.type == kF32 ? "float32" : r.type == kF16 ? "float16" : r.type == kI32 ? "int32" : "int8";
  n.stored_sparse = bool(r.sparsity);
  n.stored_bytes = bytes;
  if (r.type == kI32) {
    if (r.sparsity) return Fail(TensorText(int(i)) + ": sparse INT32 constants are not supported");
    n.ints.resize(count);
    std::memcpy(n.ints.data(), p, bytes);
    return Status::Ok();
  }
  std::vector<float> values(stored);
  for (size_t k = 0; k < stored; ++k) {
    if (r.type == kF32) {
      std::memcpy(&values[k], p + 4 * k, 4);
    } else if (r.type == kF16) {
      uint16_t h;
      std::memcpy(&h, p + 2 * k, 2);
      values[k] = HalfToFloat(h);
    } else {
      values[k] = float(int8_t(p[k]));  // dequantized by its DEQUANTIZE
    }
  }
  if (!r.sparsity) {
    n.data = std::move(values);
    return Status::Ok();
  }
  return DecodeSparse(i, values, n.data);
}

Status Importer::Activation(size_t i, int t) const {
  (void)i;
  if (t < 0) return Fail("a required operand is missing");
  if (net_.tensors[size_t(t)].constant) return Fail(TensorText(t) + " must be computed by the graph, not a constant");
  if (raw_[size_t(t)].type != kF32)
    return Fail(TensorText(t) + " has type " + TypeName(raw_[size_t(t)].type) + "; only FLOAT32 activations are supported");
  // The executor's loops index neighbours (resize, pools) and never see an empty tensor.
  if (net_.tensors[size_t(t)].Count() == 0)
    return Fail(TensorText(t) + " " + ShapeText(net_.tensors[size_t(t)].shape) + " has a zero dimension");
  return Status::Ok();
}

Status Importer::Constant(size_t i, int t, const char* what) const {
  (void)i;
  if (t < 0 || !net_.tensors[size_t(t)].constant)
    return Fail(std::string(what) + (t < 0 ? " is missing" : " (" + TensorText(t) + ") must be a constant"));
  return Status::Ok();
}

// Weights, biases and constant operands are read as floats: a FLOAT32 tensor
// (stored so, or the output of a folded DEQUANTIZE / DENSIFY). An INT32, or an
// INT8 / FLOAT16 tensor without its DEQUANTIZE, has no float values to read.
Status Importer::FloatConstant(size_t i, int t, const std::string& what) const {
  if (Status s = Constant(i, t, what.c_str()); !s) return s;
  const NetTensor& n = net_.tensors[size_t(t)];
  if (raw_[size_t(t)].type != kF32 || n.data.size() != n.Count())
    return Fail(what + " (" + TensorText(t) + ") has type " + TypeName(raw_[size_t(t)].type) +
                "; float values are needed (FLOAT16 and INT8 constants need a DEQUANTIZE)");
  return Status::Ok();
}

Status Importer::CheckOutputShape(size_t i, const RawOp& op, const std::vector<int>& want) const {
  const std::vector<int>& got = net_.tensors[size_t(op.outputs[0])].shape;
  if (got != want)
    return Fail(OpText(i, op) + ": output " + TensorText(op.outputs[0]) + " is declared " + ShapeText(got) +
                ", the operator computes " + ShapeText(want));
  return Status::Ok();
}

// TFLite's SAME (0) / VALID (1) padding for one spatial dimension.
Status Importer::Padding(size_t i, int8_t padding, int in, int k, int stride, int dilation, int& before, int& after,
                         int& out) const {
  if (stride < 1 || dilation < 1 || k < 1)
    return Fail("operator #" + std::to_string(i) + ": stride, dilation and filter size must be >= 1");
  // In 64 bits: a file's stride, dilation and filter size can each be near INT_MAX.
  const int64_t eff = int64_t(k - 1) * dilation + 1;
  if (padding == 0) {
    const int64_t o = (int64_t(in) + stride - 1) / stride;
    const int64_t total = std::max<int64_t>((o - 1) * stride + eff - in, 0);
    if (total > std::numeric_limits<int>::max())
      return Fail("operator #" + std::to_string(i) + ": filter " + std::to_string(k) + ", dilation " +
                  std::to_string(dilation) + " and stride " + std::to_string(stride) + " need more padding than supported");
    out = int(o);
    before = int(total / 2);
    after = int(total - total / 2);
  } else if (padding == 1) {
    if (in < eff) return Fail("operator #" + std::to_string(i) + ": the filter is larger than its input");
    out = int((in - eff) / stride + 1);
    before = after = 0;
  } else {
    return Fail("operator #" + std::to_string(i) + ": unknown padding " + std::to_string(padding));
  }
  return Status::Ok();
}

NetAct ActFromFile(int8_t a, bool& ok) {
  ok = true;
  switch (a) {
    case 0: return NetAct::None;
    case 1: return NetAct::Relu;
    case 2: return NetAct::ReluN1To1;
    case 3: return NetAct::Relu6;
  }
  ok = false;
  return NetAct::None;
}

Status Importer::LowerConv(size_t i, const RawOp& op, NetOp& n) {
  const bool dw = op.code == kDwConv;
  if (op.inputs.size() < 2) return Fail(OpText(i, op) + " needs an input and a filter");
  if (Status s = Activation(i, op.inputs[0]); !s) return s;
  if (Status s = FloatConstant(i, op.inputs[1], OpText(i, op) + ": the filter"); !s) return s;
  const NetTensor& in = net_.tensors[size_t(op.inputs[0])];
  const NetTensor& w = net_.tensors[size_t(op.inputs[1])];
  if (in.shape.size() != 4 || w.shape.size() != 4)
    return Fail(OpText(i, op) + ": input " + ShapeText(in.shape) + " and filter " + ShapeText(w.shape) + " must be 4-D");
  if (in.shape[0] != 1) return Fail(OpText(i, op) + ": batch " + std::to_string(in.shape[0]) + " (only batch 1 is supported)");
  const int cin = in.shape[3];
  int cout = w.shape[0];
  if (dw) {
    cout = w.shape[3];
    if (w.shape[0] != 1 || cin == 0 || cout % cin)
      return Fail(OpText(i, op) + ": filter " + ShapeText(w.shape) + " does not fit input channels " + std::to_string(cin));
    n.depth_multiplier = cout / cin;
  } else if (w.shape[3] != cin) {
    return Fail(OpText(i, op) + ": filter " + ShapeText(w.shape) + " expects " + std::to_string(w.shape[3]) +
                " input channels, the input has " + std::to_string(cin) + " (grouped convolutions are not supported)");
  }
  if (op.inputs.size() > 2 && op.inputs[2] >= 0) {
    if (Status s = FloatConstant(i, op.inputs[2], OpText(i, op) + ": the bias"); !s) return s;
    if (net_.tensors[size_t(op.inputs[2])].data.size() != size_t(cout))
      return Fail(OpText(i, op) + ": bias has " + std::to_string(net_.tensors[size_t(op.inputs[2])].data.size()) +
                  " values for " + std::to_string(cout) + " output channels");
  }
  int8_t padding = Opt<int8_t>(op, 0, 0);
  n.stride_w = Opt<int32_t>(op, 1, 1);
  n.stride_h = Opt<int32_t>(op, 2, 1);
  bool act_ok;
  n.act = ActFromFile(Opt<int8_t>(op, dw ? 4 : 3, 0), act_ok);
  n.dilation_w = Opt<int32_t>(op, dw ? 5 : 4, 1);
  n.dilation_h = Opt<int32_t>(op, dw ? 6 : 5, 1);
  if (!act_ok) return Fail(OpText(i, op) + ": fused activation " + std::to_string(Opt<int8_t>(op, dw ? 4 : 3, 0)) + " is not supported");
  n.filter_h = w.shape[1];
  n.filter_w = w.shape[2];
  int oh, ow;
  if (Status s = Padding(i, padding, in.shape[1], n.filter_h, n.stride_h, n.dilation_h, n.pad_top, n.pad_bottom, oh); !s) return s;
  if (Status s = Padding(i, padding, in.shape[2], n.filter_w, n.stride_w, n.dilation_w, n.pad_left, n.pad_right, ow); !s) return s;
  return CheckOutputShape(i, op, {1, oh, ow, cout});
}

Status Importer::LowerPool(size_t i, const RawOp& op, NetOp& n) {
  if (op.inputs.empty()) return Fail(OpText(i, op) + " needs an input");
  if (Status s = Activation(i, op.inputs[0]); !s) return s;
  const NetTensor& in = net_.tensors[size_t(op.inputs[0])];
  if (in.shape.size() != 4 || in.shape[0] != 1) return Fail(OpText(i, op) + ": input " + ShapeText(in.shape) + " must be [1,H,W,C]");
  int8_t padding = Opt<int8_t>(op, 0, 0);
  n.stride_w = Opt<int32_t>(op, 1, 1);
  n.stride_h = Opt<int32_t>(op, 2, 1);
  n.filter_w = Opt<int32_t>(op, 3, 1);
  n.filter_h = Opt<int32_t>(op, 4, 1);
  bool act_ok;
  n.act = ActFromFile(Opt<int8_t>(op, 5, 0), act_ok);
  if (!act_ok) return Fail(OpText(i, op) + ": unsupported fused activation");
  int oh, ow;
  if (Status s = Padding(i, padding, in.shape[1], n.filter_h, n.stride_h, 1, n.pad_top, n.pad_bottom, oh); !s) return s;
  if (Status s = Padding(i, padding, in.shape[2], n.filter_w, n.stride_w, 1, n.pad_left, n.pad_right, ow); !s) return s;
  return CheckOutputShape(i, op, {1, oh, ow, in.shape[3]});
}

Status Importer::LowerFc(size_t i, const RawOp& op, NetOp& n) {
  if (op.inputs.size() < 2) return Fail(OpText(i, op) + " needs an input and weights");
  if (Status s = Activation(i, op.inputs[0]); !s) return s;
  if (Status s = FloatConstant(i, op.inputs[1], OpText(i, op) + ": the weights"); !s) return s;
  const NetTensor& in = net_.tensors[size_t(op.inputs[0])];
  const NetTensor& w = net_.tensors[size_t(op.inputs[1])];
  bool act_ok;
  n.act = ActFromFile(Opt<int8_t>(op, 0, 0), act_ok);
  if (!act_ok) return Fail(OpText(i, op) + ": unsupported fused activation");
  if (Opt<int8_t>(op, 1, 0) != 0) return Fail(OpText(i, op) + ": shuffled weight formats are not supported");
  n.keep_dims = Opt<uint8_t>(op, 2, 0) != 0;
  if (w.shape.size() != 2 || w.shape[1] == 0 || in.Count() % size_t(w.shape[1]))
    return Fail(OpText(i, op) + ": weights " + ShapeText(w.shape) + " do not fit input " + ShapeText(in.shape));
  if (in.Count() != size_t(w.shape[1]))
    return Fail(OpText(i, op) + ": batch > 1 is not supported (input " + ShapeText(in.shape) + ")");
  if (op.inputs.size() > 2 && op.inputs[2] >= 0) {
    if (Status s = FloatConstant(i, op.inputs[2], OpText(i, op) + ": the bias"); !s) return s;
    if (net_.tensors[size_t(op.inputs[2])].data.size() != size_t(w.shape[0]))
      return Fail(OpText(i, op) + ": bias size does not match the weights' " + std::to_string(w.shape[0]) + " outputs");
  }
  if (net_.tensors[size_t(op.outputs[0])].Count() != size_t(w.shape[0]))
    return Fail(OpText(i, op) + ": output " + ShapeText(net_.tensors[size_t(op.outputs[0])].shape) + " does not hold " +
                std::to_string(w.shape[0]) + " values");
  return Status::Ok();
}

// Elementwise, reshape, pad, resize, concatenation, depth-to-space, mean.
Status Importer::LowerShapeOp(size_t i, const RawOp& op, NetOp& n) {
  if (op.inputs.empty()) return Fail(OpText(i, op) + " needs an input");
  for (size_t k = 0; k < (op.code == kConcat ? op.inputs.size() : 1); ++k)
    if (Status s = Activation(i, op.inputs[k]); !s) return s;
  const NetTensor& in = net_.tensors[size_t(op.inputs[0])];
  const std::vector<int>& s = in.shape;
  bool act_ok = true;
  switch (op.code) {
    case kAdd:
    case kMul: {
      if (op.inputs.size() != 2) return Fail(OpText(i, op) + " needs two operands");
      const NetTensor& b = net_.tensors[size_t(op.inputs[1])];
      n.act = ActFromFile(Opt<int8_t>(op, 0, 0), act_ok);
      if (!act_ok) return Fail(OpText(i, op) + ": unsupported fused activation");
      // Same shapes, or a constant per-channel / scalar second operand.
      bool broadcast = b.constant && (b.Count() == 1 || (!s.empty() && b.Count() == size_t(s.back())));
      if (b.shape != s && !broadcast)
        return Fail(OpText(i, op) + ": operands " + ShapeText(s) + " and " + ShapeText(b.shape) + " (broadcasting is not supported)");
      if (Status st = b.constant ? FloatConstant(i, op.inputs[1], OpText(i, op) + ": the second operand")
                                 : Activation(i, op.inputs[1]);
          !st)
        return st;
      return CheckOutputShape(i, op, s);
    }
    case kRelu:
    case kRelu6:
    case kLogistic:
      return CheckOutputShape(i, op, s);
    case kPad: {
      if (op.inputs.size() < 2) return Fail(OpText(i, op) + " needs its paddings");
      if (Status st = Constant(i, op.inputs[1], (OpText(i, op) + ": the paddings").c_str()); !st) return st;
      const std::vector<int32_t>& p = net_.tensors[size_t(op.inputs[1])].ints;
      if (s.size() != 4 || p.size() != 8) return Fail(OpText(i, op) + ": only 4-D inputs with [4,2] INT32 paddings are supported");
      std::vector<int> out = s;
      for (size_t d = 0; d < 4; ++d) {
        if (p[2 * d] < 0 || p[2 * d + 1] < 0 || p[2 * d] > 4096 || p[2 * d + 1] > 4096)
          return Fail(OpText(i, op) + ": padding " + std::to_string(p[2 * d]) + "," + std::to_string(p[2 * d + 1]) + " out of range");
        out[d] += p[2 * d] + p[2 * d + 1];
        n.axes.push_back(p[2 * d]);
        n.axes.push_back(p[2 * d + 1]);
      }
      if (p[0] || p[1]) return Fail(OpText(i, op) + ": padding the batch dimension is not supported");
      return CheckOutputShape(i, op, out);
    }
    case kResizeBilinear: {
      if (op.inputs.size() < 2) return Fail(OpText(i, op) + " needs its output size");
      if (Status st = Constant(i, op.inputs[1], (OpText(i, op) + ": the size").c_str()); !st) return st;
      const std::vector<int32_t>& sz = net_.tensors[size_t(op.inputs[1])].ints;
      if (s.size() != 4 || sz.size() != 2 || sz[0] < 1 || sz[1] < 1 || sz[0] > 16384 || sz[1] > 16384)
        return Fail(OpText(i, op) + ": needs a 4-D input and a positive [2] size");
      n.align_corners = Opt<uint8_t>(op, 2, 0) != 0;
      n.half_pixel_centers = Opt<uint8_t>(op, 3, 0) != 0;
      return CheckOutputShape(i, op, {s[0], sz[0], sz[1], s[3]});
    }
    case kReshape:
      if (net_.tensors[size_t(op.outputs[0])].Count() != in.Count())
        return Fail(OpText(i, op) + ": reshapes " + ShapeText(s) + " to " +
                    ShapeText(net_.tensors[size_t(op.outputs[0])].shape) + ", a different number of values");
      return Status::Ok();
    case kConcat: {
      int axis = Opt<int32_t>(op, 0, 0);
      n.act = ActFromFile(Opt<int8_t>(op, 1, 0), act_ok);
      if (!act_ok) return Fail(OpText(i, op) + ": unsupported fused activation");
      if (axis < 0) axis += int(s.size());
      if (axis < 0 || size_t(axis) >= s.size()) return Fail(OpText(i, op) + ": axis out of range for " + ShapeText(s));
      n.axis = axis;
      std::vector<int> out = s;
      out[size_t(axis)] = 0;
      for (int t : op.inputs) {
        const std::vector<int>& ts = net_.tensors[size_t(t)].shape;
        if (ts.size() != s.size()) return Fail(OpText(i, op) + ": inputs of different rank");
        for (size_t d = 0; d < s.size(); ++d)
          if (d != size_t(axis) && ts[d] != s[d])
            return Fail(OpText(i, op) + ": input " + ShapeText(ts) + " does not match " + ShapeText(s));
        out[size_t(axis)] += ts[size_t(axis)];
      }
      return CheckOutputShape(i, op, out);
    }
    case kDepthToSpace: {
      n.block_size = Opt<int32_t>(op, 0, 0);
      const int b = n.block_size;
      if (s.size() != 4 || b < 1 || b > 64 || s[3] % (b * b))
        return Fail(OpText(i, op) + ": block size " + std::to_string(b) + " does not fit input " + ShapeText(s));
      return CheckOutputShape(i, op, {s[0], s[1] * b, s[2] * b, s[3] / (b * b)});
    }
    case kMean: {
      if (op.inputs.size() < 2) return Fail(OpText(i, op) + " needs its axes");
      if (Status st = Constant(i, op.inputs[1], (OpText(i, op) + ": the axes").c_str()); !st) return st;
      n.keep_dims = Opt<uint8_t>(op, 0, 0) != 0;
      for (int32_t a : net_.tensors[size_t(op.inputs[1])].ints) n.axes.push_back(a < 0 ? a + int(s.size()) : a);
      std::sort(n.axes.begin(), n.axes.end());
      if (s.size() != 4 || n.axes != std::vector<int>{1, 2})
        return Fail(OpText(i, op) + ": only the spatial mean of a 4-D tensor (axes [1,2]) is supported");
      return CheckOutputShape(i, op, n.keep_dims ? std::vector<int>{s[0], 1, 1, s[3]} : std::vector<int>{s[0], s[3]});
    }
  }
  return Fail(OpText(i, op) + " is not supported");
}

Status Importer::Fold(size_t i, const RawOp& op, bool& folded) {
  folded = false;
  if (op.code != kDequantize && op.code != kDensify) return Status::Ok();
  if (op.inputs.size() != 1 || op.outputs.size() != 1) return Fail(OpText(i, op) + " needs one input and one output");
  const int src = op.inputs[0], dst = op.outputs[0];
  if (src < 0) return Fail(OpText(i, op) + ": input missing");
  NetTensor& a = net_.tensors[size_t(src)];
  NetTensor& b = net_.tensors[size_t(dst)];
  if (!a.constant)
    return Fail(OpText(i, op) + " of a non-constant tensor (" + TensorText(src) + ") is not supported");
  if (a.shape != b.shape) return Fail(OpText(i, op) + ": input " + ShapeText(a.shape) + " and output " + ShapeText(b.shape) + " differ");
  if (a.data.size() != a.Count()) return Fail(OpText(i, op) + ": " + TensorText(src) + " is not a float-decodable constant");
  b.constant = true;
  b.stored_type = a.stored_type;
  b.stored_sparse = a.stored_sparse;
  b.stored_bytes = a.stored_bytes;
  b.data = a.data;
  const RawTensor& r = raw_[size_t(src)];
  if (op.code == kDequantize && r.type == kI8) {
    // Per-tensor or per-channel (along quantized_dimension) affine dequantization.
    const size_t nscale = r.scale.size();
    if (nscale == 0) return Fail(OpText(i, op) + ": " + TensorText(src) + " is INT8 without quantization scales");
    size_t qd = size_t(std::max(r.quantized_dimension, 0)), inner = 1, dimsize = 1;
    if (nscale > 1) {
      if (qd >= a.shape.size() || size_t(a.shape[qd]) != nscale)
        return Fail(OpText(i, op) + ": " + std::to_string(nscale) + " scales do not match dimension " + std::to_string(qd));
      dimsize = nscale;
      for (size_t d = qd + 1; d < a.shape.size(); ++d) inner *= size_t(a.shape[d]);
    }
    for (size_t k = 0; k < b.data.size(); ++k) {
      size_t c = nscale > 1 ? (k / inner) % dimsize : 0;
      float zp = c < r.zero_point.size() ? float(r.zero_point[c]) : 0.f;
      b.data[k] = (b.data[k] - zp) * r.scale[c];
    }
  }
  folded = true;
  return Status::Ok();
}

Status Importer::Lower(size_t i, const RawOp& op) {
  if (op.outputs.size() != 1) return Fail(OpText(i, op) + " must have exactly one output");
  if (Status s = Activation(i, op.outputs[0]); !s) return Fail(OpText(i, op) + ": " + s.message().substr(name_.size() + 2));
  NetOp n;
  n.file_index = int(i);
  n.inputs = op.inputs;
  n.outputs = op.outputs;
  Status s;
  switch (op.code) {
    case kConv: n.type = NetOpType::Conv2D; s = LowerConv(i, op, n); break;
    case kDwConv: n.type = NetOpType::DepthwiseConv2D; s = LowerConv(i, op, n); break;
    case kFc: n.type = NetOpType::FullyConnected; s = LowerFc(i, op, n); break;
    case kMaxPool: n.type = NetOpType::MaxPool2D; s = LowerPool(i, op, n); break;
    case kAvgPool: n.type = NetOpType::AveragePool2D; s = LowerPool(i, op, n); break;
    case kAdd: n.type = NetOpType::Add; s = LowerShapeOp(i, op, n); break;
    case kMul: n.type = NetOpType::Mul; s = LowerShapeOp(i, op, n); break;
    case kRelu: n.type = NetOpType::Relu; s = LowerShapeOp(i, op, n); break;
    case kRelu6: n.type = NetOpType::Relu6; s = LowerShapeOp(i, op, n); break;
    case kLogistic: n.type = NetOpType::Logistic; s = LowerShapeOp(i, op, n); break;
    case kPad: n.type = NetOpType::Pad; s = LowerShapeOp(i, op, n); break;
    case kResizeBilinear: n.type = NetOpType::ResizeBilinear; s = LowerShapeOp(i, op, n); break;
    case kReshape: n.type = NetOpType::Reshape; s = LowerShapeOp(i, op, n); break;
    case kConcat: n.type = NetOpType::Concatenation; s = LowerShapeOp(i, op, n); break;
    case kDepthToSpace: n.type = NetOpType::DepthToSpace; s = LowerShapeOp(i, op, n); break;
    case kMean: n.type = NetOpType::Mean; s = LowerShapeOp(i, op, n); break;
    case kCustom:
      return Fail(OpText(i, op) + " '" + op.custom + "' is not supported");
    default:
      return Fail(OpText(i, op) + " is not supported (supported: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, MUL, "
                  "RELU, RELU6, LOGISTIC, PAD, MAX_POOL_2D, AVERAGE_POOL_2D, RESIZE_BILINEAR, RESHAPE, CONCATENATION, "
                  "DEPTH_TO_SPACE, MEAN, and DEQUANTIZE/DENSIFY of constants)");
  }
  if (!fb_.ok()) return FbStatus();
  if (!s) return s;
  if (!fb_.ok()) return FbStatus();
  net_.ops.push_back(std::move(n));
  return Status::Ok();
}

Result<Net> Importer::Run() {
  net_.name = name_;
  net_.file_bytes = size_;
  if (size_ < 8) return Fail("not a TFLite model: " + std::to_string(size_) + " bytes is too short for a flatbuffer");
  if (!LooksLikeTflite(fb_.At(0), size_)) return Fail("not a TFLite model (no \"TFL3\" identifier at byte 4)");
  if (Status s = ReadModel(); !s) return s;
  for (size_t i = 0; i < raw_.size(); ++i)
    if (Status s = LoadConstant(i); !s) return s;
  // Each tensor is produced once, before it is read (the file's order is the execution order).
  std::vector<char> ready(raw_.size(), 0);
  for (size_t t = 0; t < raw_.size(); ++t) ready[t] = net_.tensors[t].constant;
  for (int t : net_.inputs) {
    if (net_.tensors[size_t(t)].constant) return Fail("input " + TensorText(t) + " is a constant");
    if (Status s = Activation(0, t); !s) return s;
    ready[size_t(t)] = 1;
  }
  for (size_t i = 0; i < ops_.size(); ++i) {
    const RawOp& op = ops_[i];
    auto it = std::find_if(net_.file_ops.begin(), net_.file_ops.end(), [&](auto& p) { return p.first == OpLabel(op.code); });
    if (it == net_.file_ops.end()) net_.file_ops.push_back({OpLabel(op.code), 1});
    else ++it->second;
    for (int t : op.inputs)
      if (t >= 0 && !ready[size_t(t)])
        return Fail(OpText(i, op) + " reads " + TensorText(t) + " before any operator writes it");
    for (int t : op.outputs) {
      if (ready[size_t(t)]) return Fail(OpText(i, op) + " writes " + TensorText(t) + ", which already has a value");
      ready[size_t(t)] = 1;
    }
    bool folded = false;
    if (Status s = Fold(i, op, folded); !s) return s;
    if (!folded)
      if (Status s = Lower(i, op); !s) return s;
  }
  for (int t : net_.outputs) {
    if (!ready[size_t(t)]) return Fail("output " + TensorText(t) + " is never computed");
    if (net_.tensors[size_t(t)].constant) return Fail("output " + TensorText(t) + " is a constant");
  }
  if (net_.ops.empty()) return Fail("the model has no operators to run");
  return std::move(net_);
}

}  // namespace

Result<Net> ImportTflite(const uint8_t* data, size_t size, const std::string& name) {
  return Importer(data, size, name).Run();
}

Result<Net> ImportTfliteFile(const std::string& path) {
  Result<std::vector<uint8_t>> bytes = fk::ReadFileBytes(path);
  if (!bytes) return bytes.status();
  std::string base = path.substr(path.find_last_of("/\\") == std::string::npos ? 0 : path.find_last_of("/\\") + 1);
  return ImportTflite(bytes->data(), bytes->size(), base);
}

}  // namespace fk::nn
