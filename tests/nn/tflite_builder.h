// A tiny TFLite flatbuffer writer for tests (and the fuzz seeds): builds valid
// .tflite bytes from a small description, so op-level and bad-input tests
// need no model files. Field numbers follow TFLite's schema.fbs; a table's
// field k is vtable slot 4 + 2k.
//
//   tfl::ModelBuilder b;
//   int x = b.Input({1, 4, 4, 3});
//   int w = b.Constant({8, 1, 1, 3}, weights);
//   int y = b.Tensor({1, 4, 4, 8});
//   b.Op(tfl::kConv2D, {x, w, -1}, {y}, tfl::Conv2D(tfl::kValid, 1, 1));
//   b.Output(y);
//   std::vector<uint8_t> bytes = b.Build();
//
// The writer lays objects out front to back: every table is written before the
// objects it references, so each uoffset is a forward (positive) distance, as
// in a real flatbuffer; a vtable sits just before its table (soffset > 0).
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace fk::test::tfl {

// [SECTION] the generic flatbuffer part

struct Node;
using NodePtr = std::shared_ptr<Node>;

// A table, a vector of scalars (or a string), or a vector of tables.
struct Node {
  enum Kind { kTable, kScalars, kTables } kind = kTable;
  struct Field {
    int id = 0;
    std::vector<uint8_t> bytes;  // scalar field: its little-endian bytes
    NodePtr ref;                 // or a reference to a child object
  };
  std::vector<Field> fields;     // kTable
  std::vector<uint8_t> data;     // kScalars: the elements' bytes
  size_t elem = 1, count = 0;    // kScalars
  bool zero_terminated = false;  // strings
  std::vector<NodePtr> items;    // kTables

  template <typename T>
  Node& Set(int id, T v) {
    Field f;
    f.id = id;
    f.bytes.resize(sizeof(T));
    std::memcpy(f.bytes.data(), &v, sizeof(T));
    fields.push_back(std::move(f));
    return *this;
  }
  Node& Ref(int id, NodePtr child) {
    if (!child) return *this;
    Field f;
    f.id = id;
    f.ref = std::move(child);
    fields.push_back(std::move(f));
    return *this;
  }
};

inline NodePtr NewTable() { return std::make_shared<Node>(); }

template <typename T>
NodePtr Scalars(const std::vector<T>& v) {
  auto n = std::make_shared<Node>();
  n->kind = Node::kScalars;
  n->elem = sizeof(T);
  n->count = v.size();
  n->data.resize(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(n->data.data(), v.data(), n->data.size());
  return n;
}
inline NodePtr Bytes(const std::vector<uint8_t>& v) { return Scalars(v); }
inline NodePtr String(const std::string& s) {
  NodePtr n = Scalars(std::vector<uint8_t>(s.begin(), s.end()));
  n->zero_terminated = true;
  return n;
}
inline NodePtr Tables(std::vector<NodePtr> items) {
  auto n = std::make_shared<Node>();
  n->kind = Node::kTables;
  n->items = std::move(items);
  return n;
}

class FbWriter {
 public:
  // The buffer: root uoffset, the file identifier, then the root table.
  std::vector<uint8_t> Finish(const NodePtr& root, const char ident[4]) {
    out_.assign(8, 0);
    std::memcpy(out_.data() + 4, ident, 4);
    Patch(0, Write(*root));
    return std::move(out_);
  }

 private:
  void Align(size_t a) {
    while (out_.size() % a) out_.push_back(0);
  }
  void Put(const void* p, size_t n) {
    const uint8_t* b = static_cast<const uint8_t*>(p);
    out_.insert(out_.end(), b, b + n);
  }
  template <typename T>
  void PutAt(size_t pos, T v) {
    std::memcpy(out_.data() + pos, &v, sizeof(T));
  }
  // The uoffset at `at` points forward to `target`.
  void Patch(size_t at, size_t target) { PutAt<uint32_t>(at, uint32_t(target - at)); }

  size_t Write(const Node& n) {
    if (n.kind == Node::kScalars) {
      const size_t a = n.elem < 4 ? 4 : n.elem;
      while ((out_.size() + 4) % a) out_.push_back(0);  // the elements aligned, the length just before
      const size_t pos = out_.size();
      uint32_t len = uint32_t(n.count);
      Put(&len, 4);
      Put(n.data.data(), n.data.size());
      if (n.zero_terminated) out_.push_back(0);
      return pos;
    }
    if (n.kind == Node::kTables) {
      Align(4);
      const size_t pos = out_.size();
      uint32_t len = uint32_t(n.items.size());
      Put(&len, 4);
      out_.resize(out_.size() + 4 * n.items.size(), 0);
      for (size_t i = 0; i < n.items.size(); ++i) Patch(pos + 4 + 4 * i, Write(*n.items[i]));
      return pos;
    }
    // Table: field offsets (8-aligned table start; each field aligned to its size).
    int max_id = -1;
    for (const Node::Field& f : n.fields) max_id = f.id > max_id ? f.id : max_id;
    std::vector<uint16_t> slot(size_t(max_id + 1), 0);
    std::vector<size_t> at(n.fields.size());
    size_t size = 4;  // the soffset to the vtable
    for (size_t i = 0; i < n.fields.size(); ++i) {
      const size_t fs = n.fields[i].ref ? 4 : n.fields[i].bytes.size();
      while (size % fs) ++size;
      at[i] = size;
      slot[size_t(n.fields[i].id)] = uint16_t(size);
      size += fs;
    }
    const size_t vt_len = 4 + 2 * slot.size();
    Align(2);
    while ((out_.size() + vt_len) % 8) out_.push_back(0);
    const size_t vt = out_.size();
    uint16_t head[2] = {uint16_t(vt_len), uint16_t(size)};
    Put(head, 4);
    Put(slot.data(), 2 * slot.size());
    const size_t pos = out_.size();
    out_.resize(pos + size, 0);
    PutAt<int32_t>(pos, int32_t(pos - vt));  // vtable = table - soffset
    for (size_t i = 0; i < n.fields.size(); ++i)
      if (!n.fields[i].ref) std::memcpy(out_.data() + pos + at[i], n.fields[i].bytes.data(), n.fields[i].bytes.size());
    for (size_t i = 0; i < n.fields.size(); ++i)
      if (n.fields[i].ref) Patch(pos + at[i], Write(*n.fields[i].ref));
    return pos;
  }

  std::vector<uint8_t> out_;
};

// [SECTION] TFLite

enum TensorType : int8_t { kFloat32 = 0, kFloat16 = 1, kInt32 = 2, kUint8 = 3, kInt64 = 4, kInt8 = 9 };
enum Builtin : int32_t {
  kAdd = 0, kAveragePool2D = 1, kConcatenation = 2, kConv2D = 3, kDepthwiseConv2D = 4, kDepthToSpace = 5,
  kDequantize = 6, kFullyConnected = 9, kLogistic = 14, kMaxPool2D = 17, kMul = 18, kRelu = 19, kRelu6 = 21,
  kReshape = 22, kResizeBilinear = 23, kSoftmax = 25, kCustom = 32, kPad = 34, kMean = 40, kDensify = 124
};
enum Padding : int8_t { kSame = 0, kValid = 1 };
enum Act : int8_t { kNone = 0, kRelu_ = 1, kReluN1To1 = 2, kRelu6_ = 3, kTanh = 4 };

// BuiltinOptions union: the type tag and the table.
struct Options {
  uint8_t type = 0;
  NodePtr table;
};

inline Options Conv2D(Padding p, int stride_w, int stride_h, Act act = kNone, int dil_w = 1, int dil_h = 1) {
  NodePtr t = NewTable();
  t->Set<int8_t>(0, p).Set<int32_t>(1, stride_w).Set<int32_t>(2, stride_h).Set<int8_t>(3, act);
  t->Set<int32_t>(4, dil_w).Set<int32_t>(5, dil_h);
  return {1, t};
}
inline Options DepthwiseConv2D(Padding p, int stride_w, int stride_h, int depth_multiplier, Act act = kNone,
                               int dil_w = 1, int dil_h = 1) {
  NodePtr t = NewTable();
  t->Set<int8_t>(0, p).Set<int32_t>(1, stride_w).Set<int32_t>(2, stride_h).Set<int32_t>(3, depth_multiplier);
  t->Set<int8_t>(4, act).Set<int32_t>(5, dil_w).Set<int32_t>(6, dil_h);
  return {2, t};
}
inline Options Pool2D(Padding p, int stride_w, int stride_h, int filter_w, int filter_h, Act act = kNone) {
  NodePtr t = NewTable();
  t->Set<int8_t>(0, p).Set<int32_t>(1, stride_w).Set<int32_t>(2, stride_h).Set<int32_t>(3, filter_w);
  t->Set<int32_t>(4, filter_h).Set<int8_t>(5, act);
  return {5, t};
}
inline Options FullyConnected(Act act = kNone, bool keep_num_dims = false) {
  NodePtr t = NewTable();
  t->Set<int8_t>(0, act).Set<int8_t>(1, 0).Set<uint8_t>(2, keep_num_dims);
  return {8, t};
}
inline Options Concatenation(int axis, Act act = kNone) {
  NodePtr t = NewTable();
  t->Set<int32_t>(0, axis).Set<int8_t>(1, act);
  return {10, t};
}
inline Options AddOpt(Act act = kNone) {
  NodePtr t = NewTable();
  t->Set<int8_t>(0, act);
  return {11, t};
}
inline Options ResizeBilinear(bool align_corners, bool half_pixel_centers) {
  NodePtr t = NewTable();
  t->Set<uint8_t>(2, align_corners).Set<uint8_t>(3, half_pixel_centers);
  return {15, t};
}
inline Options Reducer(bool keep_dims) {
  NodePtr t = NewTable();
  t->Set<uint8_t>(0, keep_dims);
  return {27, t};
}
inline Options DepthToSpace(int block) {
  NodePtr t = NewTable();
  t->Set<int32_t>(0, block);
  return {94, t};
}

// One SparsityParameters dimension: DENSE with its size, or SPARSE_CSR with
// segments and indices stored as Int32Vector (1), Uint16Vector (2) or Uint8Vector (3).
struct Dim {
  bool csr = false;
  int dense_size = 0;
  uint8_t segments_type = 1, indices_type = 1;
  std::vector<int32_t> segments, indices;
};
struct Sparsity {
  std::vector<int32_t> traversal_order, block_map;
  std::vector<Dim> dims;
};

struct TensorSpec {
  std::string name;
  std::vector<int32_t> shape;
  int8_t type = kFloat32;
  std::vector<uint8_t> data;    // the buffer's bytes; empty = no data (buffer 0)
  int buffer = -1;              // >= 0: name this buffer index as is (bad-input tests)
  bool quantized = false;
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int quantized_dimension = 0;
  bool sparse = false;
  Sparsity sparsity;
};

struct OpSpec {
  int32_t builtin = 0;
  std::string custom;
  std::vector<int32_t> inputs, outputs;
  Options options;
};

template <typename T>
std::vector<uint8_t> RawBytes(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

// IEEE binary16 from a float (round to nearest even; normal range and zero,
// enough for test weights).
inline uint16_t FloatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const int exp = int((x >> 23) & 0xff) - 127 + 15;
  uint32_t mant = x & 0x7fffffu;
  if (exp <= 0) return uint16_t(sign);  // tiny -> signed zero
  if (exp >= 31) return uint16_t(sign | 0x7c00u);
  uint32_t h = sign | (uint32_t(exp) << 10) | (mant >> 13);
  const uint32_t rest = mant & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
  return uint16_t(h);
}

class ModelBuilder {
 public:
  std::vector<TensorSpec> tensors;
  std::vector<OpSpec> ops;
  std::vector<int32_t> inputs, outputs;
  uint32_t version = 3;

  int Add(TensorSpec t) {
    if (t.name.empty()) t.name = "t" + std::to_string(tensors.size());
    tensors.push_back(std::move(t));
    return int(tensors.size() - 1);
  }
  // An activation (no data).
  int Tensor(std::vector<int32_t> shape, const std::string& name = "") {
    TensorSpec t;
    t.shape = std::move(shape);
    t.name = name;
    return Add(std::move(t));
  }
  int Input(std::vector<int32_t> shape) {
    int t = Tensor(std::move(shape), "input");
    inputs.push_back(t);
    return t;
  }
  void Output(int t) { outputs.push_back(t); }
  int Constant(std::vector<int32_t> shape, const std::vector<float>& v, const std::string& name = "") {
    TensorSpec t;
    t.shape = std::move(shape);
    t.data = RawBytes(v);
    t.name = name;
    return Add(std::move(t));
  }
  int ConstantInt32(std::vector<int32_t> shape, const std::vector<int32_t>& v) {
    TensorSpec t;
    t.shape = std::move(shape);
    t.type = kInt32;
    t.data = RawBytes(v);
    return Add(std::move(t));
  }
  int ConstantF16(std::vector<int32_t> shape, const std::vector<float>& v) {
    std::vector<uint16_t> h;
    for (float f : v) h.push_back(FloatToHalf(f));
    TensorSpec t;
    t.shape = std::move(shape);
    t.type = kFloat16;
    t.data = RawBytes(h);
    return Add(std::move(t));
  }
  int ConstantInt8(std::vector<int32_t> shape, const std::vector<int8_t>& v, std::vector<float> scale,
                   std::vector<int64_t> zero_point, int quantized_dimension = 0) {
    TensorSpec t;
    t.shape = std::move(shape);
    t.type = kInt8;
    t.data = RawBytes(v);
    t.quantized = true;
    t.scale = std::move(scale);
    t.zero_point = std::move(zero_point);
    t.quantized_dimension = quantized_dimension;
    return Add(std::move(t));
  }
  void Op(int32_t builtin, std::vector<int32_t> in, std::vector<int32_t> out, Options opt = {}) {
    OpSpec o;
    o.builtin = builtin;
    o.inputs = std::move(in);
    o.outputs = std::move(out);
    o.options = std::move(opt);
    ops.push_back(std::move(o));
  }
  void CustomOp(const std::string& name, std::vector<int32_t> in, std::vector<int32_t> out) {
    OpSpec o;
    o.builtin = kCustom;
    o.custom = name;
    o.inputs = std::move(in);
    o.outputs = std::move(out);
    ops.push_back(std::move(o));
  }

  std::vector<uint8_t> Build() const {
    // Buffers: 0 is the empty one (TFLite's convention), then one per constant.
    std::vector<NodePtr> buffers = {NewTable()};
    std::vector<NodePtr> tensor_nodes;
    for (const TensorSpec& t : tensors) {
      int buffer = 0;
      if (!t.data.empty()) {
        NodePtr b = NewTable();
        b->Ref(0, Bytes(t.data));
        buffers.push_back(b);
        buffer = int(buffers.size() - 1);
      }
      if (t.buffer >= 0) buffer = t.buffer;
      NodePtr n = NewTable();
      n->Ref(0, Scalars(t.shape)).Set<int8_t>(1, t.type).Set<uint32_t>(2, uint32_t(buffer)).Ref(3, String(t.name));
      if (t.quantized) {
        NodePtr q = NewTable();
        q->Ref(2, Scalars(t.scale)).Ref(3, Scalars(t.zero_point)).Set<int32_t>(6, t.quantized_dimension);
        n->Ref(4, q);
      }
      if (t.sparse) n->Ref(6, SparsityNode(t.sparsity));
      tensor_nodes.push_back(n);
    }
    // Operator codes: one per distinct (builtin, custom name), in first-use order.
    std::vector<std::pair<int32_t, std::string>> codes;
    std::vector<NodePtr> op_nodes;
    for (const OpSpec& o : ops) {
      size_t ci = 0;
      while (ci < codes.size() && codes[ci] != std::make_pair(o.builtin, o.custom)) ++ci;
      if (ci == codes.size()) codes.push_back({o.builtin, o.custom});
      NodePtr n = NewTable();
      n->Set<uint32_t>(0, uint32_t(ci)).Ref(1, Scalars(o.inputs)).Ref(2, Scalars(o.outputs));
      if (o.options.table) n->Set<uint8_t>(3, o.options.type).Ref(4, o.options.table);
      op_nodes.push_back(n);
    }
    std::vector<NodePtr> code_nodes;
    for (const auto& [builtin, custom] : codes) {
      NodePtr c = NewTable();
      c->Set<int8_t>(0, int8_t(builtin < 127 ? builtin : 127)).Set<int32_t>(2, 1).Set<int32_t>(3, builtin);
      if (!custom.empty()) c->Ref(1, String(custom));
      code_nodes.push_back(c);
    }
    NodePtr sg = NewTable();
    sg->Ref(0, Tables(tensor_nodes)).Ref(1, Scalars(inputs)).Ref(2, Scalars(outputs)).Ref(3, Tables(op_nodes));
    sg->Ref(4, String("main"));
    NodePtr model = NewTable();
    model->Set<uint32_t>(0, version).Ref(1, Tables(code_nodes)).Ref(2, Tables({sg}));
    model->Ref(3, String("fieldkit test model")).Ref(4, Tables(buffers));
    return FbWriter().Finish(model, "TFL3");
  }

 private:
  static NodePtr IndexVector(uint8_t type, const std::vector<int32_t>& v) {
    NodePtr t = NewTable();
    if (type == 2) {
      t->Ref(0, Scalars(std::vector<uint16_t>(v.begin(), v.end())));
    } else if (type == 3) {
      t->Ref(0, Scalars(std::vector<uint8_t>(v.begin(), v.end())));
    } else {
      t->Ref(0, Scalars(v));
    }
    return t;
  }
  static NodePtr SparsityNode(const Sparsity& s) {
    std::vector<NodePtr> dims;
    for (const Dim& d : s.dims) {
      NodePtr n = NewTable();
      n->Set<int8_t>(0, d.csr ? 1 : 0).Set<int32_t>(1, d.dense_size);
      if (d.csr) {
        n->Set<uint8_t>(2, d.segments_type).Ref(3, IndexVector(d.segments_type, d.segments));
        n->Set<uint8_t>(4, d.indices_type).Ref(5, IndexVector(d.indices_type, d.indices));
      }
      dims.push_back(n);
    }
    NodePtr sp = NewTable();
    sp->Ref(0, Scalars(s.traversal_order));
    if (!s.block_map.empty()) sp->Ref(1, Scalars(s.block_map));
    sp->Ref(2, Tables(dims));
    return sp;
  }
};

// A 2-D [rows, cols] matrix stored sparse the way TFLite's converter does for
// --store_sparse_weights without blocks: dimension 0 DENSE, dimension 1 CSR.
// `shape` may be 4-D ([O,1,1,I] for a 1x1 convolution): then dims 1 and 2 are
// DENSE of size 1 and the last one is CSR. Returns the TensorSpec (values as
// float32) for ModelBuilder::Add.
inline TensorSpec SparseFloat(std::vector<int32_t> shape, const std::vector<float>& dense, uint8_t index_type) {
  TensorSpec t;
  t.shape = shape;
  t.sparse = true;
  const size_t rank = shape.size();
  size_t cols = size_t(shape.back()), rows = 1;
  for (size_t d = 0; d + 1 < rank; ++d) rows *= size_t(shape[d]);
  std::vector<float> values;
  Dim csr;
  csr.csr = true;
  csr.segments_type = csr.indices_type = index_type;
  csr.segments.push_back(0);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < cols; ++c)
      if (dense[r * cols + c] != 0.f) {
        values.push_back(dense[r * cols + c]);
        csr.indices.push_back(int32_t(c));
      }
    csr.segments.push_back(int32_t(values.size()));
  }
  for (size_t d = 0; d < rank; ++d) {
    t.sparsity.traversal_order.push_back(int32_t(d));
    if (d + 1 < rank) {
      Dim dense_dim;
      dense_dim.dense_size = shape[d];
      t.sparsity.dims.push_back(dense_dim);
    }
  }
  t.sparsity.dims.push_back(csr);
  t.data = RawBytes(values);
  return t;
}

}  // namespace fk::test::tfl
