// .fks layout (little-endian):
//   header  "FKSM" | u32 version | u64 payload bytes | u32 crc32(payload) | u32 0
//   payload str arch | f32 width | u32 in_h, in_w, in_c | u32 flags (bit0 fp16) | u32 layer count
//           per layer: u8 kind, act, storage (0 none, 1 dense, 2 csr), flags (bit0 sparse)
//                      str name | i32 input, input2 | u32 in_c, out_c, kernel, stride, groups, block
//             dense:   bias[out_c] | weights[WeightCount] (OIHW)
//             csr:     u8 index_bits (8|16), u8 count_bits (16|32), u16 0 | u32 nnz (block columns)
//                      | u32 index bytes | bias[out_c] | counts[out_c/block] | index codes
//                      | values[nnz * block] (per nonzero, the block's channels in order)
//   str = u16 length + bytes. Index codes: per row, the first channel then
//   (gap - 1) to the next; a code equal to the maximum (255 / 65535) means
//   "add the maximum and read another code", so any gap fits.
#include "nn/model_file.h"
#include "nn/model_file.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <new>

#include "core/file.h"
#include "nn/fks_codec.h"
#include "nn/fp16.h"

namespace fk::nn {

namespace {

using fks::Reader;
using fks::Writer;

enum Storage : uint8_t { kNone = 0, kDense = 1, kCsr = 2 };

// [SECTION] Serialisation

// The model's own fields, after the file header (which is written last).
void WriteModelHead(Writer& w, const Model& m, const SaveOptions& opt) {
  w.Str(m.arch);
  w.F32(m.width);
  w.U32(uint32_t(m.in_h)), w.U32(uint32_t(m.in_w)), w.U32(uint32_t(m.in_c));
  w.U32(opt.fp16 ? 1u : 0u);
  w.U32(uint32_t(m.layers.size()));
}

constexpr size_t kSaverValuesPerStep = size_t(1) << 18;

// A dense layer's weights, values [from, to), masks baked in: the file holds what runs.
void WriteDenseWeights(Writer& w, const Layer& l, size_t from, size_t to, bool fp16) {
  if (l.mask.empty()) return w.Values(l.weights.data() + from, to - from, fp16);
  float tmp[1024];
  for (size_t a = from; a < to; a += 1024) {
    const size_t n = std::min<size_t>(1024, to - a);
    for (size_t k = 0; k < n; k++) tmp[k] = l.mask[a + k] ? l.weights[a + k] : 0.f;
    w.Values(tmp, n, fp16);
  }
}

// What of a layer's record is left after WriteLayerHead: the saver writes a big
// layer's weights over several steps.
enum class LayerBody : uint8_t { None, Dense, Csr };

// One layer's record up to its weights (a dense layer's bias included).
Status WriteLayerHead(Writer& w, const Model& m, size_t i, const SaveOptions& opt, LayerBody* body) {
  const Layer& l = m.layers[i];
  *body = LayerBody::None;
  if (l.HasWeights() && (l.weights.size() != l.WeightCount() || l.bias.size() != size_t(l.out_c)))
    return Status::Error("save: layer " + std::to_string(i) + " '" + l.name + "' has inconsistent weight sizes");
  if (l.name.size() > 256) return Status::Error("save: layer " + std::to_string(i) + " name longer than 256 bytes");
  const bool csr = opt.sparse && l.sparse && l.IsPointwise() && l.out_c % l.block == 0;
  const uint8_t storage = !l.HasWeights() ? kNone : csr ? kCsr : kDense;
  w.U8(uint8_t(l.kind)), w.U8(uint8_t(l.act)), w.U8(storage), w.U8(l.sparse ? 1 : 0);
  w.Str(l.name);
  w.I32(l.input), w.I32(l.input2);
  for (int v : {l.in_c, l.out_c, l.kernel, l.stride, l.groups, l.block}) w.U32(uint32_t(v));
  if (storage == kDense) {
    w.Values(l.bias.data(), l.bias.size(), opt.fp16);
    *body = LayerBody::Dense;
  } else if (storage == kCsr) {
    *body = LayerBody::Csr;
  }
  return Status::Ok();
}

// A CSR layer's encoding, kept between the saver's steps.
struct CsrInProgress {
  std::vector<float> wts;  // masks baked in
  fks::CsrDims d{};
  fks::CsrEncoding e;
  size_t row = 0;          // rows whose values are written
  bool index_written = false;
};

CsrInProgress EncodeCsrLayer(const Layer& l, const SaveOptions& opt) {
  CsrInProgress c;
  c.wts = l.weights;
  if (!l.mask.empty())
    for (size_t k = 0; k < c.wts.size(); k++)
      if (!l.mask[k]) c.wts[k] = 0.f;
  c.d = fks::CsrDims{uint64_t(l.out_c / l.block), uint32_t(l.in_c), uint32_t(l.block)};
  c.e = fks::EncodeCsr(c.wts.data(), c.d, opt.index_bits);
  return c;
}

// [SECTION] Parsing

// Parsing runs in steps (ModelLoader): the file header, the checksum in
// chunks, the model's fields, a layer per step, then the end checks.
struct ParseState {
  Reader r{nullptr, 0, 0, "", "", Status::Ok()};
  std::string name;
  uint32_t version = 0, crc = 0, count = 0;
  bool fp16 = false;
  uint64_t weights = 0;  // weights of the layers read so far (the kFksMaxWeights budget)
  Model m;
  FileInfo info;
};
// The container header (fks_codec.h), then this reader's own version.
Status ParseFileHeader(const uint8_t* data, size_t n, const std::string& name, ParseState& st) {
  fks::FileHeader h;
  if (Status s = fks::ParseFileHeader(data, n, name, h); !s) return s;
  if (h.version == kFksNetVersion)
    return Status::Error(name + ": format version 2 holds an imported network (fieldkit-cli sparse import), "
                         "not a MobileNet model: load it with LoadNetFile / --model");
  if (h.version != kFksVersion)
    return Status::Error(name + ": format version " + std::to_string(h.version) + " is not a model file");
  st.version = h.version;
  st.crc = h.crc;
  st.r = Reader{data, n, kFksHeaderBytes, name, "", Status::Ok()};
  return Status::Ok();
}

Status ParseModelHead(ParseState& st) {
  Reader& r = st.r;
  const std::string& name = st.name;
  Model& m = st.m;
  const size_t n = r.n;
  uint32_t in_h, in_w, in_c, flags;
  uint32_t& count = st.count;
  if (!r.Str(m.arch, 64, "arch") || !r.F32(m.width, "width") || !r.U32(in_h, "input height") ||
      !r.U32(in_w, "input width") || !r.U32(in_c, "input channels") || !r.U32(flags, "flags") ||
      !r.U32(count, "layer count"))
    return r.err;
  if (in_h > 4096 || in_w > 4096 || in_c > 65536 || in_h == 0 || in_w == 0 || in_c == 0)
    return Status::Error(name + ": input shape " + std::to_string(in_h) + "x" + std::to_string(in_w) + "x" +
                         std::to_string(in_c) + " is out of range");
  if (flags > 1) return Status::Error(name + ": unknown flags " + std::to_string(flags));
  st.fp16 = flags & 1u;
  constexpr size_t kMinLayerBytes = 4 + 2 + 8 + 24;
  if (count == 0 || count > 100000 || uint64_t(count) * kMinLayerBytes > r.Remaining())
    return Status::Error(name + ": layer count " + std::to_string(count) + " does not fit in the " +
                         std::to_string(r.Remaining()) + " remaining bytes");
  m.in_h = int(in_h), m.in_w = int(in_w), m.in_c = int(in_c);
  st.info.version = st.version;
  st.info.file_bytes = n;
  st.info.fp16 = st.fp16;
  m.layers.reserve(count);
  return Status::Ok();
}

// A layer record's fixed fields: kind, activation, storage, flags, name, inputs
// and the six hyper-parameters, each checked against its range.
Status ReadLayerFields(Reader& r, Layer& l, uint8_t& storage) {
  uint8_t kind, act, lflags;
  int32_t input, input2;
  uint32_t dims[6];
  if (!r.U8(kind, "layer kind") || !r.U8(act, "activation") || !r.U8(storage, "storage") || !r.U8(lflags, "layer flags"))
    return r.err;
  if (!r.Str(l.name, 256, "layer name")) return r.err;
  r.where += " '" + l.name + "'";
  if (!r.I32(input, "input") || !r.I32(input2, "input2")) return r.err;
  const char* dim_names[6] = {"in_c", "out_c", "kernel", "stride", "groups", "block"};
  for (int k = 0; k < 6; k++)
    if (!r.U32(dims[k], dim_names[k])) return r.err;
  if (kind < 1 || kind > 5) return r.Fail("unknown layer kind " + std::to_string(kind)), r.err;
  if (act > 1) return r.Fail("unknown activation " + std::to_string(act)), r.err;
  if (lflags > 1) return r.Fail("unknown layer flags " + std::to_string(lflags)), r.err;
  if (dims[0] == 0 || dims[0] > 65536 || dims[1] == 0 || dims[1] > 65536 || dims[2] > 7 || dims[3] > 4 ||
      dims[4] == 0 || dims[4] > dims[0] || dims[0] % dims[4] || (dims[5] != 1 && dims[5] != 2 && dims[5] != 4))
    return r.Fail("hyper-parameters out of range (in_c " + std::to_string(dims[0]) + ", out_c " +
                  std::to_string(dims[1]) + ", kernel " + std::to_string(dims[2]) + ", stride " +
                  std::to_string(dims[3]) + ", groups " + std::to_string(dims[4]) + ", block " +
                  std::to_string(dims[5]) + ")"),
           r.err;
  l.kind = LayerKind(kind);
  l.act = Activation(act);
  l.sparse = lflags & 1u;
  l.input = input, l.input2 = input2;
  l.in_c = int(dims[0]), l.out_c = int(dims[1]), l.kernel = int(dims[2]), l.stride = int(dims[3]);
  l.groups = int(dims[4]), l.block = int(dims[5]);
  if (storage != (l.HasWeights() ? (storage == kCsr ? kCsr : kDense) : kNone))
    return r.Fail("storage " + std::to_string(storage) + " does not fit a " + LayerKindName(l.kind) + " layer"), r.err;
  return Status::Ok();
}

// What WeightCount() multiplies must be valid before anything is sized by it
// (a kernel of 0 made a dense layer of no weights; Model::InferShapes checks
// the rest once every layer is read), and the model's weights so far must stay
// under kFksMaxWeights.
Status CheckWeightCount(ParseState& st, const Layer& l) {
  Reader& r = st.r;
  if (l.kind == LayerKind::Conv && (l.kernel < 1 || l.kernel % 2 == 0 || l.stride < 1 || l.out_c % l.groups))
    return r.Fail("kernel " + std::to_string(l.kernel) + ", stride " + std::to_string(l.stride) + ", groups " +
                  std::to_string(l.groups) + " (a convolution needs an odd kernel 1..7, stride 1..4 and groups dividing in_c " +
                  std::to_string(l.in_c) + " and out_c " + std::to_string(l.out_c) + ")"),
           r.err;
  // Counted in 64 bits: Layer::WeightCount()'s size_t is 32 bits in wasm, where
  // 65536 x 65536 would wrap. Under the budget, WeightCount() is exact.
  const uint64_t layer_weights =
      l.kind == LayerKind::Conv ? uint64_t(l.out_c) * uint64_t(l.in_c / l.groups) * uint64_t(l.kernel) * uint64_t(l.kernel)
      : l.kind == LayerKind::FullyConnected ? uint64_t(l.out_c) * uint64_t(l.in_c) : 0;
  st.weights += layer_weights;
  if (st.weights > kFksMaxWeights)
    return r.Fail(std::string(LayerKindName(l.kind)) + " of in_c " + std::to_string(l.in_c) + ", out_c " +
                  std::to_string(l.out_c) + ", kernel " + std::to_string(l.kernel) + ", groups " +
                  std::to_string(l.groups) + " has " + std::to_string(layer_weights) + " weights, bringing the model to " +
                  std::to_string(st.weights) + ", over the limit of " + std::to_string(kFksMaxWeights) +
                  " (refused before allocating)"),
           r.err;
  return Status::Ok();
}

// [SECTION] Parsing: CSR layers

// A CSR layer: header, bias, then row counts, index codes and values
// scattered into dense OIHW weights (fks_codec.h).
Status ReadCsrWeights(Reader& r, Layer& l, bool fp16, FileLayerInfo& li) {
  if (!l.IsPointwise() || l.out_c % l.block) return r.Fail("CSR storage needs a 1x1 stride-1 convolution whose out_c divides by block"), r.err;
  const fks::CsrDims d{uint64_t(l.out_c / l.block), uint32_t(l.in_c), uint32_t(l.block)};
  fks::CsrHeader h;
  if (Status s = fks::ReadCsrHeader(r, d, h); !s) return s;
  if (!r.Values(l.bias, l.out_c, fp16, "bias")) return r.err;
  if (Status s = fks::ReadCsrBody(r, d, h, fp16, l.weights); !s) return s;
  li.index_bits = h.bits;
  li.nonzeros = uint64_t(h.nnz) * uint64_t(l.block);
  return Status::Ok();
}

// [SECTION] Parsing: a layer, the end checks

Status ParseLayer(ParseState& st, uint32_t i) {
  Reader& r = st.r;
  const bool fp16 = st.fp16;
  const size_t start = r.pos;
  r.where = "layer " + std::to_string(i);
  Layer l;
  uint8_t storage = kNone;
  if (Status s = ReadLayerFields(r, l, storage); !s) return s;
  if (Status s = CheckWeightCount(st, l); !s) return s;
  FileLayerInfo li;
  li.name = l.name;
  li.storage = storage == kNone ? "none" : storage == kDense ? "dense" : "csr";
  li.block = l.block;
  li.weights = l.WeightCount();
  if (storage == kDense) {
    if (!r.Values(l.bias, l.out_c, fp16, "bias") || !r.Values(l.weights, l.WeightCount(), fp16, "weights")) return r.err;
    for (float v : l.weights) li.nonzeros += v != 0.f;
  } else if (storage == kCsr) {
    if (Status s = ReadCsrWeights(r, l, fp16, li); !s) return s;
  }
  li.bytes = r.pos - start;
  st.info.layers.push_back(li);
  st.m.layers.push_back(std::move(l));
  return Status::Ok();
}

Status ParseFinish(ParseState& st) {
  Reader& r = st.r;
  const std::string& name = st.name;
  const size_t n = r.n;
  Model& m = st.m;
  r.where.clear();
  if (r.pos != n) return Status::Error(name + ": " + std::to_string(n - r.pos) + " unexpected bytes after the last layer at byte " + std::to_string(r.pos));
  Status s = m.InferShapes();
  if (!s) return Status::Error(name + ": " + s.message());
  // Shapes are known now: refuse a model whose activations no executor could allocate.
  if (uint64_t(m.in_h) * uint64_t(m.in_w) * uint64_t(m.in_c) > kFksMaxActivation)
    return Status::Error(name + ": input " + std::to_string(m.in_h) + "x" + std::to_string(m.in_w) + "x" +
                         std::to_string(m.in_c) + " holds more than " + std::to_string(kFksMaxActivation) + " values");
  for (size_t i = 0; i < m.layers.size(); i++) {
    const Layer& l = m.layers[i];
    if (uint64_t(l.out_h) * uint64_t(l.out_w) * uint64_t(l.out_c) > kFksMaxActivation)
      return Status::Error(name + ": layer " + std::to_string(i) + " '" + l.name + "': output " + std::to_string(l.out_h) +
                           "x" + std::to_string(l.out_w) + "x" + std::to_string(l.out_c) + " holds more than " +
                           std::to_string(kFksMaxActivation) + " values");
  }
  return Status::Ok();
}

}  // namespace

// [SECTION] Public API

struct ModelSaver::Impl {
  Impl(const Model& model, const SaveOptions& o) : m(model), opt(o) {}
  const Model& m;
  SaveOptions opt;
  Writer w;
  size_t next = 0;          // next layer to write
  // Layer next - 1's weights, when they take more steps: dense values written so far, or
  // the CSR encoding and its rows written so far.
  LayerBody body = LayerBody::None;
  size_t weights_at = 0;
  std::unique_ptr<CsrInProgress> csr;
  size_t crc_pos = kFksHeaderBytes;
  uint32_t crc = 0;         // of the payload written so far
  bool started = false, done = false;
  Status status;
};

ModelSaver::ModelSaver(const Model& m, const SaveOptions& opt, std::vector<uint8_t> reuse)
    : impl_(std::make_unique<Impl>(m, opt)) {
  impl_->w.b = std::move(reuse);
  impl_->w.b.clear();
}
ModelSaver::~ModelSaver() = default;
const Status& ModelSaver::status() const { return impl_->status; }
float ModelSaver::Progress() const {
  return impl_->done ? 1.f : float(impl_->next) / float(impl_->m.layers.size() + 1);
}

bool ModelSaver::Step() {
  Impl& d = *impl_;
  if (d.done) return true;
  if (!d.started) {
    // Room for every weight at 4 bytes (more than any encoding takes, fp16 and sparse need less)
    // up front: growing by doubling copied the file so far and faulted in fresh pages inside one
    // layer's step (100-300 ms steps in the page's size table). Reserved pages are touched as written.
    size_t bound = kFksHeaderBytes + 4096;
    for (const Layer& l : d.m.layers) bound += 8 * (l.weights.size() + l.bias.size()) + 256 + l.name.size();
    d.w.b.reserve(bound);
    d.w.b.assign(kFksHeaderBytes, 0);  // the header goes here last: size and checksum are known then
    WriteModelHead(d.w, d.m, d.opt);
    d.started = true;
  } else if (d.body == LayerBody::Dense) {
    // A big layer's weights a slice at a time (the largest, 1.3M values, was a 30+ ms step natively).
    const Layer& l = d.m.layers[d.next - 1];
    const size_t to = std::min(l.weights.size(), d.weights_at + kSaverValuesPerStep);
    WriteDenseWeights(d.w, l, d.weights_at, to, d.opt.fp16);
    d.weights_at = to;
    if (to == l.weights.size()) d.body = LayerBody::None;
  } else if (d.body == LayerBody::Csr) {
    // Encoding, the index, then rows of values: each a step of its own.
    const Layer& l = d.m.layers[d.next - 1];
    if (!d.csr) {
      d.csr = std::make_unique<CsrInProgress>(EncodeCsrLayer(l, d.opt));
    } else if (!d.csr->index_written) {
      fks::WriteCsrHeader(d.w, d.csr->e);
      for (float v : l.bias) d.w.Value(v, d.opt.fp16);
      fks::WriteCsrIndex(d.w, d.csr->e);
      d.csr->index_written = true;
    } else {
      CsrInProgress& c = *d.csr;
      size_t to = c.row, values = 0;
      while (to < c.e.rows.size() && values < kSaverValuesPerStep) values += c.e.rows[to++].size() * c.d.block;
      fks::WriteCsrValues(d.w, c.e, c.wts.data(), c.d, d.opt.fp16, c.row, to);
      c.row = to;
      if (to == c.e.rows.size()) {
        d.csr.reset();
        d.body = LayerBody::None;
      }
    }
  } else if (d.next < d.m.layers.size()) {
    d.status = WriteLayerHead(d.w, d.m, d.next++, d.opt, &d.body);
    if (!d.status) return d.done = true;
    d.weights_at = 0;
  }
  // The checksum follows the bytes as they are written: no second pass over the file.
  d.crc = Crc32(d.w.b.data() + d.crc_pos, d.w.b.size() - d.crc_pos, d.crc);
  d.crc_pos = d.w.b.size();
  if (d.next < d.m.layers.size() || d.body != LayerBody::None) return false;
  fks::WriteFileHeader(d.w.b, kFksVersion, d.crc);
  return d.done = true;
}

std::vector<uint8_t> ModelSaver::Take() { return std::move(impl_->w.b); }

struct ModelLoader::Impl {
  Impl(const uint8_t* d, size_t size, const std::string& name) : data(d), n(size) { st.name = name; }
  const uint8_t* data;
  size_t n;
  ParseState st;
  int phase = 0;  // 0 file header, 1 checksum, 2 model fields, 3 layers, 4 end checks, 5 done
  size_t crc_pos = kFksHeaderBytes;
  uint32_t crc = 0;
  uint32_t next = 0;
  Status status;
};

ModelLoader::ModelLoader(const uint8_t* data, size_t n, const std::string& name)
    : impl_(std::make_unique<Impl>(data, n, name)) {}
ModelLoader::~ModelLoader() = default;
const Status& ModelLoader::status() const { return impl_->status; }
Model ModelLoader::Take() { return std::move(impl_->st.m); }
const FileInfo& ModelLoader::Info() const { return impl_->st.info; }

float ModelLoader::Progress() const {
  const Impl& d = *impl_;
  if (d.phase >= 5) return 1.f;
  // The checksum is half the work, the layers the other half.
  const double crc = d.n > kFksHeaderBytes ? double(d.crc_pos - kFksHeaderBytes) / double(d.n - kFksHeaderBytes) : 1.0;
  const double layers = d.st.count ? double(d.next) / double(d.st.count) : 0.0;
  return float(0.5 * crc + 0.5 * layers);
}

bool ModelLoader::Step() {
  Impl& d = *impl_;
  auto fail = [&](Status s) {
    d.status = std::move(s);
    d.phase = 5;
    return true;
  };
  switch (d.phase) {
    case 0:
      if (Status s = ParseFileHeader(d.data, d.n, d.st.name, d.st); !s) return fail(s);
      d.phase = 1;
      return false;
    case 1: {
      constexpr size_t kChunk = size_t(4) << 20;  // ~1-3 ms of checksum
      const size_t end = std::min(d.n, d.crc_pos + kChunk);
      d.crc = Crc32(d.data + d.crc_pos, end - d.crc_pos, d.crc);
      d.crc_pos = end;
      if (end < d.n) return false;
      if (d.crc != d.st.crc) return fail(fks::CrcMismatch(d.st.name, d.st.crc, d.crc));
      d.phase = 2;
      return false;
    }
    case 2:
      if (Status s = ParseModelHead(d.st); !s) return fail(s);
      d.phase = 3;
      return false;
    case 3:
      if (d.next < d.st.count) {
        // Within the weight budget a layer can still be more than this
        // device has (a phone's page): say so, as for any other bad file.
        try {
          if (Status s = ParseLayer(d.st, d.next++); !s) return fail(s);
        } catch (const std::bad_alloc&) {
          return fail(Status::Error(d.st.name + ": not enough memory for layer " + std::to_string(d.next - 1) + " (" +
                                    std::to_string(d.st.weights) + " weights so far)"));
        }
        return false;
      }
      d.phase = 4;
      return false;
    case 4:
      if (Status s = ParseFinish(d.st); !s) return fail(s);
      d.phase = 5;
      return true;
    default: return true;
  }
}

Result<std::vector<uint8_t>> SaveModelBytes(const Model& m, const SaveOptions& opt) {
  ModelSaver saver(m, opt);
  while (!saver.Step()) {
  }
  if (!saver.status()) return saver.status();
  return saver.Take();
}

Status SaveModel(const Model& m, const std::string& path, const SaveOptions& opt) {
  auto bytes = SaveModelBytes(m, opt);
  if (!bytes) return bytes.status();
  return WriteFileBytes(path, *bytes);
}

Status WriteFileBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return Status::Error(path + ": cannot open for writing");
  const size_t wrote = std::fwrite(bytes.data(), 1, bytes.size(), f);
  const bool ok = std::fclose(f) == 0 && wrote == bytes.size();
  return ok ? Status::Ok() : Status::Error(path + ": write failed (disk full?)");
}

Result<Model> LoadModelBytes(const uint8_t* data, size_t n, const std::string& name) {
  ModelLoader loader(data, n, name);
  while (!loader.Step()) {
  }
  if (!loader.status()) return loader.status();
  return loader.Take();
}

Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path) {
  FileError why;
  auto bytes = fk::ReadFileBytes(path, &why);
  if (why == FileError::kCannotOpen) return Status::Error(path + ": cannot open (missing or unreadable)");
  return bytes;
}

Result<Model> LoadModel(const std::string& path) {
  auto bytes = ReadFileBytes(path);
  if (!bytes) return bytes.status();
  return LoadModelBytes(bytes->data(), bytes->size(), path);
}

Result<FileInfo> InspectModelBytes(const uint8_t* data, size_t n, const std::string& name) {
  ModelLoader loader(data, n, name);
  while (!loader.Step()) {
  }
  if (!loader.status()) return loader.status();
  return loader.Info();
}

Result<ModelSizes> ComputeModelSizes(const Model& m) {
  ModelSizes z;
  uint64_t* slots[4] = {&z.dense_fp32, &z.dense_fp16, &z.sparse_fp32, &z.sparse_fp16};
  for (int k = 0; k < 4; k++) {
    SaveOptions o;
    o.sparse = k >= 2;
    o.fp16 = k % 2 == 1;
    auto b = SaveModelBytes(m, o);
    if (!b) return b.status();
    *slots[k] = b->size();
  }
  return z;
}

}  // namespace fk::nn
