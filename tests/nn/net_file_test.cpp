// .fks version 2: an imported network stored in our container (net_file.h).
// The bundled MediaPipe models round-trip to bit-identical outputs, fp32 and
// fp16 (their weights are fp16 in the .tflite); a hand-built graph with every
// operator takes the truncation and corruption sweeps; v1 files still load.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>

#include "kernels/nn_kernels.h"
#include "nn/fp16.h"
#include "nn/model_file.h"
#include "nn/model_zoo.h"
#include "nn/net_executor.h"
#include "nn/net_file.h"
#include "nn/real_bench.h"
#include "nn/tflite.h"
#include "tflite_models.h"
#include "tiny_net.h"

namespace fk::nn {

namespace {

bool SameBits(const float* a, const float* b, size_t n) { return n == 0 || std::memcmp(a, b, n * sizeof(float)) == 0; }

// Every output of `got` equals `want`'s bit for bit, on the same input, with
// the same kernels and the same sparse choice (not the timed one: Measure may
// pick differently run to run).
void CheckSameOutputs(const Net& want, const Net& got, SparseChoice choice) {
  NetExecutorOptions o;
  o.sparse = choice;
  auto a = NetExecutor::Create(want, kernels::BestNnKernels(), o);
  REQUIRE_MESSAGE(a.ok(), a.status().message());
  auto b = NetExecutor::Create(got, kernels::BestNnKernels(), o);
  REQUIRE_MESSAGE(b.ok(), b.status().message());
  REQUIRE(a->InputSize() == b->InputSize());
  CHECK(a->SparseLayers() == b->SparseLayers());
  const std::vector<float> x = test::PatternInput(a->InputSize());
  a->Run(x.data());
  b->Run(x.data());
  REQUIRE(a->NumOutputs() == b->NumOutputs());
  for (size_t o2 = 0; o2 < a->NumOutputs(); ++o2) {
    CAPTURE(a->OutputName(o2));
    CHECK(a->OutputShape(o2) == b->OutputShape(o2));
    REQUIRE(a->OutputSize(o2) == b->OutputSize(o2));
    CHECK(SameBits(a->Output(o2), b->Output(o2), a->OutputSize(o2)));
  }
}

// The operators and the constants they read are the same (a loaded graph
// keeps only used tensors, renumbered, so compare through the operands).
void CheckSameGraph(const Net& a, const Net& b) {
  REQUIRE(a.ops.size() == b.ops.size());
  CHECK(a.file_ops == b.file_ops);
  CHECK(a.file_version == b.file_version);
  for (size_t k = 0; k < a.ops.size(); ++k) {
    const NetOp &x = a.ops[k], &y = b.ops[k];
    CAPTURE(k);
    CHECK((x.type == y.type && x.act == y.act && x.file_index == y.file_index));
    CHECK((x.stride_h == y.stride_h && x.stride_w == y.stride_w && x.dilation_h == y.dilation_h &&
           x.dilation_w == y.dilation_w && x.filter_h == y.filter_h && x.filter_w == y.filter_w));
    CHECK((x.pad_top == y.pad_top && x.pad_left == y.pad_left && x.pad_bottom == y.pad_bottom && x.pad_right == y.pad_right));
    CHECK((x.depth_multiplier == y.depth_multiplier && x.axis == y.axis && x.block_size == y.block_size && x.axes == y.axes));
    CHECK((x.align_corners == y.align_corners && x.half_pixel_centers == y.half_pixel_centers && x.keep_dims == y.keep_dims));
    REQUIRE(x.inputs.size() == y.inputs.size());
    for (size_t i = 0; i < x.inputs.size(); ++i) {
      REQUIRE((x.inputs[i] < 0) == (y.inputs[i] < 0));
      if (x.inputs[i] < 0) continue;
      const NetTensor &s = a.tensors[size_t(x.inputs[i])], &t = b.tensors[size_t(y.inputs[i])];
      CHECK(s.name == t.name);
      CHECK(s.shape == t.shape);
      CHECK(s.constant == t.constant);
      CHECK(s.ints == t.ints);
      CHECK((s.stored_type == t.stored_type && s.stored_sparse == t.stored_sparse && s.stored_bytes == t.stored_bytes));
      REQUIRE(s.data.size() == t.data.size());
      CHECK(SameBits(s.data.data(), t.data.data(), s.data.size()));
    }
  }
}

std::vector<uint8_t> Save(const Net& n, bool fp16) {
  SaveOptions o;
  o.fp16 = fp16;
  auto b = SaveNetBytes(n, o);
  REQUIRE_MESSAGE(b.ok(), b.status().message());
  return *b;
}

// Sets the header's payload size and CRC to match the bytes, so the parser
// itself (not the checksum) must refuse what follows.
void FixHeader(std::vector<uint8_t>& b) {
  const uint64_t payload = b.size() - kFksHeaderBytes;
  for (int k = 0; k < 8; k++) b[8 + size_t(k)] = uint8_t(payload >> (8 * k));
  const uint32_t crc = Crc32(b.data() + kFksHeaderBytes, b.size() - kFksHeaderBytes);
  for (int k = 0; k < 4; k++) b[16 + size_t(k)] = uint8_t(crc >> (8 * k));
}

std::string LoadError(const Net& n) {
  const std::vector<uint8_t> b = Save(n, false);
  auto r = LoadNetBytes(b.data(), b.size(), "bad.fks");
  REQUIRE_FALSE(r.ok());
  return r.status().message();
}

}  // namespace

TEST_CASE("nn/net_file: every bundled model round-trips to bit-identical outputs, fp32 and fp16") {
  for (const BundledModel& bm : BundledModels()) {
    CAPTURE(std::string(bm.name));
    const std::vector<uint8_t> tfl = test::ReadHostFile(test::ModelDir() + "/" + bm.file);
    REQUIRE_MESSAGE(!tfl.empty(), "missing ", bm.file, ": run `make deps`");
    Result<Net> net = ImportTflite(tfl.data(), tfl.size(), bm.file);
    REQUIRE_MESSAGE(net.ok(), net.status().message());
    // The fp16 claim rests on this: every float weight was fp16 in the file.
    for (const NetTensor& t : net->tensors)
      if (t.constant && !t.data.empty()) {
        CAPTURE(t.name);
        CHECK(t.stored_type == "float16");
        for (float v : t.data) REQUIRE(RoundToHalf(v) == v);
      }
    // Each parameter counted once (not again for its folded fp16 original):
    // at 2 bytes each they fit in a file that stores none sparse.
    if (net->SparseStoredTensors() == 0) CHECK(net->ParameterCount() * 2 <= tfl.size());
    size_t sizes[2] = {0, 0};
    for (bool fp16 : {false, true}) {
      CAPTURE(fp16);
      const std::vector<uint8_t> fks = Save(*net, fp16);
      sizes[fp16] = fks.size();
      NetFileInfo fi;
      Result<Net> back = LoadNetBytes(fks.data(), fks.size(), "m.fks", &fi);
      REQUIRE_MESSAGE(back.ok(), back.status().message());
      CHECK(back->name == "m.fks");
      CHECK(back->file_bytes == fks.size());
      CHECK(fi.fp16 == fp16);
      CHECK(fi.source == bm.file);
      CHECK(fi.source_bytes == tfl.size());
      CheckSameGraph(*net, *back);
      CHECK(back->ParameterCount() == net->ParameterCount());
      CHECK(back->SparseStoredTensors() == net->SparseStoredTensors());
      CheckSameOutputs(*net, *back, SparseChoice::Never);
      CheckSameOutputs(*net, *back, SparseChoice::Always);
      // Saved again (under the source's name and size, which the loaded graph
      // does not carry), the loaded graph gives the same bytes.
      back->name = net->name;
      back->file_bytes = net->file_bytes;
      CHECK(Save(*back, fp16) == fks);
    }
    MESSAGE(std::string(bm.file), ": .tflite ", tfl.size(), " bytes, .fks fp32 ", sizes[0], ", fp16 ", sizes[1]);
    if (std::string(bm.name) == "mediapipe:face_full_sparse") {
      // Its 46 sparse 1x1 layers go CSR: fp16 .fks is smaller than the .tflite
      // (fp32 doubles every value, so it is not).
      CHECK(sizes[1] < tfl.size());
      auto fks = Save(*net, true);
      NetFileInfo fi;
      REQUIRE(LoadNetBytes(fks.data(), fks.size(), "m.fks", &fi));
      CHECK(fi.csr_tensors == 46);
      CHECK(net->SparseStoredTensors() == 46);
    }
  }
}

TEST_CASE("nn/net_file: a hand-built graph with every operator round-trips; unused constants are dropped") {
  const Net tiny = test::TinyNet();
  for (bool fp16 : {false, true}) {
    CAPTURE(fp16);
    const std::vector<uint8_t> b = Save(tiny, fp16);
    NetFileInfo fi;
    Result<Net> back = LoadNetBytes(b.data(), b.size(), "tiny.fks", &fi);
    REQUIRE_MESSAGE(back.ok(), back.status().message());
    CHECK(back->tensors.size() == tiny.tensors.size() - 1);
    CHECK(fi.csr_tensors == 1);
    CHECK(fi.dense_tensors == 6);  // the other float constants: biases, depthwise, scale, fc
    CheckSameGraph(tiny, *back);
    CheckSameOutputs(tiny, *back, SparseChoice::Never);
    CheckSameOutputs(tiny, *back, SparseChoice::Always);
  }
  SaveOptions dense;
  dense.sparse = false;
  auto d = SaveNetBytes(tiny, dense);
  REQUIRE(d);
  NetFileInfo fi;
  REQUIRE(LoadNetBytes(d->data(), d->size(), "d.fks", &fi));
  CHECK(fi.csr_tensors == 0);
  CHECK(d->size() > Save(tiny, false).size());
}

TEST_CASE("nn/net_file: truncation at every offset fails cleanly, with and without a matching header") {
  const std::vector<uint8_t> good = Save(test::TinyNet(), false);
  for (size_t n = 0; n < good.size(); ++n) {
    CAPTURE(n);
    auto r = LoadNetBytes(good.data(), n, "t.fks");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("t.fks: ") == 0);
    if (n < kFksHeaderBytes) continue;
    std::vector<uint8_t> b(good.begin(), good.begin() + std::ptrdiff_t(n));
    FixHeader(b);
    auto r2 = LoadNetBytes(b.data(), b.size(), "t.fks");
    REQUIRE_FALSE(r2.ok());
    CHECK(r2.status().message().find("t.fks: ") == 0);
  }
}

TEST_CASE("nn/net_file: a corrupted byte anywhere is a checksum error, or with the checksum fixed a clean error or a valid graph") {
  const std::vector<uint8_t> good = Save(test::TinyNet(), false);
  int refused = 0, loaded = 0;
  for (size_t off = kFksHeaderBytes; off < good.size(); ++off) {
    CAPTURE(off);
    std::vector<uint8_t> b = good;
    b[off] ^= 0x5A;
    auto r = LoadNetBytes(b.data(), b.size(), "c.fks");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("checksum mismatch") != std::string::npos);
    FixHeader(b);
    auto r2 = LoadNetBytes(b.data(), b.size(), "c.fks");
    if (!r2.ok()) {
      CHECK(r2.status().message().find("c.fks: ") == 0);
      ++refused;
      continue;
    }
    // A changed value or name: whatever loads is a graph the executor takes and runs.
    ++loaded;
    auto ex = NetExecutor::Create(*r2, kernels::ScalarNnKernels());
    if (!ex.ok()) {
      CHECK(!ex.status().message().empty());
      continue;
    }
    const std::vector<float> x = test::PatternInput(ex->InputSize());
    ex->Run(x.data());
  }
  MESSAGE("corrupted bytes: ", refused, " refused, ", loaded, " loaded (weights, names)");
  CHECK(refused > 0);
  CHECK(loaded > 0);
}

TEST_CASE("nn/net_file: graphs that break the importer's rules are refused by name, not run") {
  const Net tiny = test::TinyNet();
  auto find_op = [](Net& n, NetOpType t) -> NetOp& {
    for (NetOp& op : n.ops)
      if (op.type == t) return op;
    FAIL("no such op");
    return n.ops[0];
  };
  // Each edit makes one field wrong; the message names the operator and what is wrong.
  {
    Net n = tiny;
    find_op(n, NetOpType::Conv2D).stride_h = 0;
    const std::string m = LoadError(n);
    CHECK(m.find("bad.fks: operator #0 (CONV_2D, .tflite operator #0): strides, dilations and filter sizes") == 0);
  }
  {
    Net n = tiny;
    find_op(n, NetOpType::Conv2D).filter_h = 3;
    CHECK(LoadError(n).find("filter size 3x1 differs from the weights [16,1,1,16]") != std::string::npos);
  }
  {
    Net n = tiny;
    n.tensors[size_t(find_op(n, NetOpType::DepthwiseConv2D).outputs[0])].shape = {1, 5, 6, 16};
    CHECK(LoadError(n).find("is [1,5,6,16], the operator computes [1,6,6,16]") != std::string::npos);
  }
  {
    Net n = tiny;
    find_op(n, NetOpType::MaxPool2D).pad_top = 2;
    CHECK(LoadError(n).find("MAX_POOL_2D, .tflite operator #8): paddings must be smaller than the window") != std::string::npos);
  }
  {
    Net n = tiny;
    find_op(n, NetOpType::Pad).axes[2] = 5;
    CHECK(LoadError(n).find("its paddings field differs from its paddings operand") != std::string::npos);
  }
  {
    Net n = tiny;
    n.tensors[size_t(find_op(n, NetOpType::FullyConnected).inputs[2])].data.resize(2);
    n.tensors[size_t(find_op(n, NetOpType::FullyConnected).inputs[2])].shape = {2};
    CHECK(LoadError(n).find("the bias must be a float constant of 3 values") != std::string::npos);
  }
  {
    Net n = tiny;
    find_op(n, NetOpType::DepthToSpace).block_size = 3;
    CHECK(LoadError(n).find("block size 3 does not fit input [1,6,6,32]") != std::string::npos);
  }
  {
    Net n = tiny;
    std::swap(n.ops[0], n.ops[1]);  // PAD before the convolution that feeds it
    // Tensor #3 in the file: the unused constant is not stored.
    CHECK(LoadError(n).find("bad.fks: operator #0 reads tensor #3 'pw' before any operator writes it") == 0);
  }
  {
    Net n = tiny;
    n.ops[1].outputs = n.ops[0].outputs;
    CHECK(LoadError(n).find("which already has a value") != std::string::npos);
  }
  {
    Net n = tiny;
    n.tensors[size_t(n.inputs[0])].shape = {1, 4096, 4096, 16};
    const std::string m = LoadError(n);
    CHECK(m.find("bad.fks: shape [1,4096,4096,16]... holds more than 67108864 values (tensor #0 'input')") == 0);
  }
}

TEST_CASE("nn/net_file: v1 and v2 files go to their own loaders; LoadNet takes a .fks v2 path") {
  MobileNetV2Options mo;
  mo.width = 0.35f;
  mo.input_size = 96;
  mo.num_classes = 4;
  const Model m = BuildMobileNetV2(mo);
  auto v1 = SaveModelBytes(m);
  REQUIRE(v1);
  auto model = LoadModelBytes(v1->data(), v1->size(), "v1.fks");
  REQUIRE_MESSAGE(model.ok(), model.status().message());
  CHECK(model->layers.size() == m.layers.size());
  CHECK(FksFileVersion(v1->data(), v1->size()) == kFksVersion);
  auto as_net = LoadNetBytes(v1->data(), v1->size(), "v1.fks");
  REQUIRE_FALSE(as_net.ok());
  CHECK(as_net.status().message() == "v1.fks: format version 1 holds a MobileNet model, not an imported network (load it with LoadModel)");

  const std::vector<uint8_t> v2 = Save(test::TinyNet(), true);
  CHECK(FksFileVersion(v2.data(), v2.size()) == kFksNetVersion);
  auto as_model = LoadModelBytes(v2.data(), v2.size(), "v2.fks");
  REQUIRE_FALSE(as_model.ok());
  CHECK(as_model.status().message().find("v2.fks: format version 2 holds an imported network") == 0);
  auto inspect = InspectModelBytes(v2.data(), v2.size(), "v2.fks");
  CHECK_FALSE(inspect.ok());

  std::vector<uint8_t> v3 = v2;
  v3[4] = 3;
  auto future = LoadNetBytes(v3.data(), v3.size(), "v3.fks");
  REQUIRE_FALSE(future.ok());
  CHECK(future.status().message() == "v3.fks: format version 3 is not supported (this build reads 1..2)");

  const std::string path = "nn_net_file_test.fks";
  REQUIRE(WriteFileBytes(path, v2));
  auto net = LoadNet(path);
  REQUIRE_MESSAGE(net.ok(), net.status().message());
  CHECK(net->name == path);
  CheckSameOutputs(test::TinyNet(), *net, SparseChoice::Never);
  auto file = LoadNetFile(path);
  REQUIRE(file.ok());
  std::remove(path.c_str());
  auto missing = LoadNetFile("does/not/exist.fks");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().find("does/not/exist.fks") == 0);
}

}  // namespace fk::nn
