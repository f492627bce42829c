#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>

#include "core/rng.h"
#include "nn/fp16.h"
#include "nn/model_file.h"
#include "nn/pruning.h"

using namespace fk::nn;

namespace {

Model PrunedNet(double s = 0.8, int block = 1) {
  MobileNetV2Options o;
  o.width = 0.35f;
  o.input_size = 96;
  o.num_classes = 16;
  o.seed = 11;
  Model m = BuildMobileNetV2(o);
  PruneOptions po;
  po.block = block;
  REQUIRE(PruneToSparsity(m, s, po));
  return m;
}

// A tiny model with one wide sparse 1x1 layer: in_c = 2000 and nonzeros far
// apart so 8-bit deltas need escape codes (and 16-bit wins), plus a row with
// small gaps.
Model WideNet(int index_spread) {
  Model m;
  m.in_h = m.in_w = 8;
  Layer c;
  c.name = "conv";
  c.in_c = 3, c.out_c = 2000, c.kernel = 1, c.stride = 1;  // small, so byte-level sweeps stay fast
  c.weights.assign(c.WeightCount(), 0.5f);
  c.bias.assign(2000, 0.1f);
  m.layers.push_back(c);
  Layer p;
  p.name = "wide_1x1";
  p.input = 0;
  p.in_c = 2000, p.out_c = 8;
  p.sparse = true;
  p.weights.assign(p.WeightCount(), 0.f);
  p.bias.assign(8, 0.f);
  fk::Rng rng(3);
  for (int r = 0; r < 8; r++)
    for (int k = 0; k < 2000; k += (r == 0 && index_spread < 256 ? 3 : index_spread)) p.weights[size_t(r * 2000 + k)] = rng.Uniform(-1, 1);
  p.weights[size_t(5 * 2000 + 1999)] = 0.25f;  // last channel
  m.layers.push_back(p);
  REQUIRE(m.InferShapes());
  return m;
}

void CheckSameWeights(const Model& a, const Model& b, bool fp16) {
  REQUIRE(a.layers.size() == b.layers.size());
  for (size_t i = 0; i < a.layers.size(); i++) {
    const Layer &x = a.layers[i], &y = b.layers[i];
    CHECK(x.name == y.name);
    CHECK(x.kind == y.kind);
    CHECK(x.sparse == y.sparse);
    CHECK(x.block == y.block);
    REQUIRE(x.weights.size() == y.weights.size());
    size_t bad = 0;
    for (size_t j = 0; j < x.weights.size(); j++)
      bad += (fp16 ? RoundToHalf(x.weights[j]) : x.weights[j]) != y.weights[j];
    for (size_t j = 0; j < x.bias.size(); j++) bad += (fp16 ? RoundToHalf(x.bias[j]) : x.bias[j]) != y.bias[j];
    CHECK_MESSAGE(bad == 0, "layer " << x.name);
  }
}

std::vector<uint8_t> Bytes(const Model& m, SaveOptions o = {}) {
  auto b = SaveModelBytes(m, o);
  REQUIRE(b);
  return *b;
}

// Rewrites the header CRC so a deliberately corrupted payload gets past the checksum.
void FixCrc(std::vector<uint8_t>& b) {
  const uint32_t crc = Crc32(b.data() + kFksHeaderBytes, b.size() - kFksHeaderBytes);
  for (int k = 0; k < 4; k++) b[16 + size_t(k)] = uint8_t(crc >> (8 * k));
}

}  // namespace

TEST_CASE("nn/model_file: CRC32 matches the standard check value") {
  const char* s = "123456789";
  CHECK(Crc32(reinterpret_cast<const uint8_t*>(s), 9) == 0xCBF43926u);
}

TEST_CASE("nn/model_file: round trip is exact in fp32 and within fp16 rounding in fp16, dense and sparse") {
  const Model m = PrunedNet();
  for (bool fp16 : {false, true})
    for (bool sparse : {false, true}) {
      CAPTURE(fp16);
      CAPTURE(sparse);
      SaveOptions o;
      o.fp16 = fp16;
      o.sparse = sparse;
      const auto b = Bytes(m, o);
      auto r = LoadModelBytes(b.data(), b.size(), "m.fks");
      REQUIRE_MESSAGE(r, r.status().message());
      CheckSameWeights(m, *r, fp16);
      CHECK(r->in_h == 96);
      CHECK(r->NumClasses() == 16);
    }
}

TEST_CASE("nn/model_file: blocked sparse layers round-trip") {
  const Model m = PrunedNet(0.9, 4);
  const auto b = Bytes(m);
  auto r = LoadModelBytes(b.data(), b.size());
  REQUIRE(r);
  CheckSameWeights(m, *r, false);
}

TEST_CASE("nn/model_file: 8-bit and 16-bit index paths both round-trip, with escapes for large gaps") {
  for (int spread : {7, 700}) {
    const Model m = WideNet(spread);
    for (int bits : {0, 8, 16}) {
      CAPTURE(spread);
      CAPTURE(bits);
      SaveOptions o;
      o.index_bits = bits;
      const auto b = Bytes(m, o);
      auto info = InspectModelBytes(b.data(), b.size());
      REQUIRE_MESSAGE(info, info.status().message());
      const int chosen = info->layers[1].index_bits;
      if (bits) CHECK(chosen == bits);
      else CHECK(chosen == (spread == 700 ? 16 : 8));  // gaps of 700 cost 3 bytes at 8 bits, 2 at 16
      auto r = LoadModelBytes(b.data(), b.size());
      REQUIRE_MESSAGE(r, r.status().message());
      CheckSameWeights(m, *r, false);
    }
  }
}

TEST_CASE("nn/model_file: sparse fp16 at 90% is much smaller than dense fp32") {
  const Model m = PrunedNet(0.9);
  auto z = ComputeModelSizes(m);
  REQUIRE(z);
  CHECK(z->dense_fp16 < z->dense_fp32);
  CHECK(z->sparse_fp32 < z->dense_fp32);
  CHECK(z->sparse_fp16 < z->sparse_fp32);
  CHECK(z->dense_fp32 == Bytes(m, {false, false, 0}).size());  // sizes are real files
}

TEST_CASE("nn/model_file: a flipped byte anywhere in the payload is a checksum error") {
  const auto good = Bytes(PrunedNet());
  for (size_t off : {size_t(kFksHeaderBytes), good.size() / 2, good.size() - 1}) {
    auto b = good;
    b[off] ^= 0x40;
    auto r = LoadModelBytes(b.data(), b.size(), "flip.fks");
    REQUIRE_FALSE(r);
    CHECK(r.status().message().find("flip.fks") == 0);
    CHECK(r.status().message().find("checksum") != std::string::npos);
  }
}

TEST_CASE("nn/model_file: truncation at any offset fails cleanly") {
  const auto good = Bytes(WideNet(50));
  for (size_t n = 0; n < good.size(); n += (n < 64 ? 1 : 97)) {
    auto r = LoadModelBytes(good.data(), n, "t.fks");
    REQUIRE_FALSE(r);
    CHECK(r.status().message().find("t.fks: ") == 0);
  }
}

TEST_CASE("nn/model_file: truncation with a matching header and checksum still fails cleanly") {
  // The parser itself (not just the size check) must stop at every offset.
  const auto good = Bytes(WideNet(50));
  // Every offset through the model header, layer 0's header and all of the
  // CSR layer's header, counts and codes; ~300 offsets across the dense data.
  auto info = InspectModelBytes(good.data(), good.size());
  REQUIRE(info);
  const size_t csr_start = good.size() - info->layers[1].bytes;
  std::vector<size_t> cuts;
  for (size_t n = kFksHeaderBytes; n < good.size(); n += (n < 400 || n >= csr_start ? 1 : good.size() / 300))
    cuts.push_back(n);
  for (size_t n : cuts) {
    std::vector<uint8_t> b(good.begin(), good.begin() + std::ptrdiff_t(n));
    const uint64_t payload = n - kFksHeaderBytes;
    for (int k = 0; k < 8; k++) b[8 + size_t(k)] = uint8_t(payload >> (8 * k));
    FixCrc(b);
    auto r = LoadModelBytes(b.data(), b.size(), "t.fks");
    REQUIRE_FALSE(r);
    CHECK(r.status().message().find("t.fks: ") == 0);
  }
}

TEST_CASE("nn/model_file: absurd counts are rejected before allocating") {
  auto b = Bytes(WideNet(50));
  // Layer 1's CSR nonzero count sits after its fixed fields; find it by parsing
  // offsets: header 24 + arch(2+12) + width 4 + 3*4 + flags 4 + count 4 = 62.
  size_t pos = 62;
  auto skip_layer_header = [&](size_t p) {
    const size_t name_len = b[p + 4] | (b[p + 5] << 8);
    return p + 4 + 2 + name_len + 8 + 24;
  };
  SUBCASE("a layer count larger than the file") {
    for (int k = 0; k < 4; k++) b[58 + size_t(k)] = 0xFF;
    FixCrc(b);
    auto r = LoadModelBytes(b.data(), b.size(), "a.fks");
    REQUIRE_FALSE(r);
    CHECK(r.status().message().find("layer count") != std::string::npos);
  }
  SUBCASE("an out_c of 2^31") {
    const size_t dims = skip_layer_header(pos) - 24;
    b[dims + 4 + 3] = 0x80;  // out_c of layer 0
    FixCrc(b);
    auto r = LoadModelBytes(b.data(), b.size(), "a.fks");
    REQUIRE_FALSE(r);
    CHECK(r.status().message().find("out of range") != std::string::npos);
  }
  SUBCASE("a CSR nonzero count near 2^32") {
    // layer 0: dense 2000 biases + 2000*3 weights (fp32)
    size_t p1 = skip_layer_header(pos) + 4 * (2000 + 2000 * 3);
    const size_t csr = skip_layer_header(p1);
    for (int k = 0; k < 4; k++) b[csr + 4 + size_t(k)] = 0xFF;
    FixCrc(b);
    auto r = LoadModelBytes(b.data(), b.size(), "a.fks");
    REQUIRE_FALSE(r);
    CHECK(r.status().message().find("layer 1 'wide_1x1'") != std::string::npos);
  }
  SUBCASE("an index past in_c") {
    size_t p1 = skip_layer_header(pos) + 4 * (2000 + 2000 * 3);
    const size_t csr = skip_layer_header(p1);
    const size_t codes = csr + 12 + 4 * 8 + 2 * 8;  // after bias (8 fp32) and 8 u16 row counts
    b[codes] = 0xFE;  // row 0's first channel: 254, then its later gaps push it past 2000
    b[codes + 1] = 0xFE;
    FixCrc(b);
    auto r = LoadModelBytes(b.data(), b.size(), "a.fks");
    REQUIRE_FALSE(r);
    CHECK(!r.status().message().empty());
  }
}

TEST_CASE("nn/model_file: wrong magic, future version and a too-short file are named") {
  auto b = Bytes(WideNet(50));
  auto magic = b;
  magic[0] = 'X';
  auto r = LoadModelBytes(magic.data(), magic.size(), "m.fks");
  REQUIRE_FALSE(r);
  CHECK(r.status().message().find("magic") != std::string::npos);
  auto ver = b;
  ver[4] = 9;
  r = LoadModelBytes(ver.data(), ver.size(), "m.fks");
  REQUIRE_FALSE(r);
  CHECK(r.status().message().find("version 9") != std::string::npos);
  r = LoadModelBytes(b.data(), 10, "m.fks");
  REQUIRE_FALSE(r);
  CHECK(r.status().message().find("shorter than") != std::string::npos);
  auto longer = b;
  longer.push_back(0);
  r = LoadModelBytes(longer.data(), longer.size(), "m.fks");
  REQUIRE_FALSE(r);
  CHECK(r.status().message().find("trailing") != std::string::npos);
}

TEST_CASE("nn/model_file: save and load through a file path; a missing file is named") {
  const Model m = WideNet(9);
  const std::string path = "nn_model_file_test.fks";
  REQUIRE(SaveModel(m, path));
  auto r = LoadModel(path);
  REQUIRE(r);
  CheckSameWeights(m, *r, false);
  std::remove(path.c_str());
  auto missing = LoadModel("does/not/exist.fks");
  REQUIRE_FALSE(missing);
  CHECK(missing.status().message().find("does/not/exist.fks") == 0);
}

TEST_CASE("nn/model_file: ModelSaver and ModelLoader pause between layers and give the one-call bytes and model") {
  const Model m = PrunedNet(0.7, 2);
  for (bool fp16 : {false, true}) {
    SaveOptions so;
    so.fp16 = fp16;
    const auto whole = SaveModelBytes(m, so);
    REQUIRE(whole.ok());
    ModelSaver saver(m, so);
    int steps = 1;
    float last = 0;
    bool monotone = true;
    while (!saver.Step()) {
      steps++;
      monotone &= saver.Progress() >= last;
      last = saver.Progress();
    }
    CAPTURE(fp16);
    CHECK(monotone);
    CHECK(saver.status());
    // The model's fields, then each layer's head, and its weights in slices of at most 2^18 values
    // (a CSR layer: encoded, its index, then rows): never two layers in one step.
    CHECK(steps > int(m.layers.size()) + 1);
    const std::vector<uint8_t> bytes = saver.Take();
    CHECK(bytes == *whole);

    ModelLoader loader(bytes.data(), bytes.size(), "sliced.fks");
    int lsteps = 1;
    while (!loader.Step()) lsteps++;
    REQUIRE(loader.status());
    CHECK(lsteps >= int(m.layers.size()));
    CHECK(loader.Info().layers.size() == m.layers.size());
    const Model back = loader.Take();
    const auto again = SaveModelBytes(back, so);
    REQUIRE(again.ok());
    CHECK(*again == bytes);
  }
  // A save that fails part-way stops there with the one-call message.
  Model bad = m;
  bad.layers[3].bias.pop_back();
  ModelSaver saver(bad, {});
  while (!saver.Step()) {
  }
  CHECK_FALSE(saver.status());
  CHECK(saver.status().message() == SaveModelBytes(bad, {}).status().message());
  CHECK(saver.status().message().find(bad.layers[3].name) != std::string::npos);
  // A corrupt file: the sliced loader stops with the same message.
  auto bytes = SaveModelBytes(m, {});
  REQUIRE(bytes.ok());
  (*bytes)[bytes->size() / 2] ^= 0x40;
  ModelLoader loader(bytes->data(), bytes->size(), "bad.fks");
  while (!loader.Step()) {
  }
  CHECK_FALSE(loader.status());
  CHECK(loader.status().message().find("bad.fks: checksum mismatch") == 0);
}
