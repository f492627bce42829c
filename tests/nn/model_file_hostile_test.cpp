// .fks files no saver writes, built byte by byte with a good checksum so the
// loader's checks (not the CRC) must refuse them. The first two are a
// fuzzer's findings: a 64 KB sparse layer that made the loader allocate 4 GiB,
// and a dense convolution with kernel 0 that reached memcpy(nullptr, p, 0).
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "nn/model_file.h"

using namespace fk::nn;

namespace {

struct RawFks {
  std::vector<uint8_t> payload;
  void U8(uint8_t v) { payload.push_back(v); }
  void U16(uint16_t v) { U8(uint8_t(v)), U8(uint8_t(v >> 8)); }
  void U32(uint32_t v) { U16(uint16_t(v)), U16(uint16_t(v >> 16)); }
  void Str(const std::string& s) {
    U16(uint16_t(s.size()));
    payload.insert(payload.end(), s.begin(), s.end());
  }
  // arch, width 1.0, input h x w x c, flags, layer count
  void Model(uint32_t in_h, uint32_t in_w, uint32_t in_c, bool fp16, uint32_t layers) {
    Str("mobilenet_v2");
    U32(0x3F800000u);
    U32(in_h), U32(in_w), U32(in_c), U32(fp16 ? 1 : 0), U32(layers);
  }
  // kind 1 conv / 4 fully connected; storage 1 dense / 2 CSR; in_c, out_c, kernel, stride, groups, block
  void Layer(uint8_t kind, uint8_t storage, bool sparse, const std::string& name, std::array<uint32_t, 6> dims) {
    U8(kind), U8(0), U8(storage), U8(sparse ? 1 : 0);
    Str(name);
    U32(uint32_t(-1)), U32(uint32_t(-1));
    for (uint32_t d : dims) U32(d);
  }
  void Zeros(size_t n) { payload.insert(payload.end(), n, 0); }
  std::vector<uint8_t> File() const {
    RawFks f;
    for (char c : {'F', 'K', 'S', 'M'}) f.U8(uint8_t(c));
    f.U32(kFksVersion);
    f.U32(uint32_t(payload.size())), f.U32(0);
    f.U32(Crc32(payload.data(), payload.size()));
    f.U32(0);
    f.payload.insert(f.payload.end(), payload.begin(), payload.end());
    return f.payload;
  }
};

// The same message from the one-call load, the inspection the import runs,
// and the sliced loader the page steps through.
std::string EveryLoaderSays(const std::vector<uint8_t>& file) {
  auto r = LoadModelBytes(file.data(), file.size(), "t.fks");
  REQUIRE_FALSE(r.ok());
  auto info = InspectModelBytes(file.data(), file.size(), "t.fks");
  REQUIRE_FALSE(info.ok());
  CHECK(info.status().message() == r.status().message());
  ModelLoader loader(file.data(), file.size(), "t.fks");
  while (!loader.Step()) {
  }
  CHECK_FALSE(loader.status());
  CHECK(loader.status().message() == r.status().message());
  return r.status().message();
}

}  // namespace

TEST_CASE("nn/model_file: a 64 KB sparse layer declaring 65536 x 16384 weights is refused before allocating 4 GiB") {
  RawFks f;
  f.Model(1, 1, 65536, /*fp16=*/true, 1);
  f.Layer(1, 2, true, "wide", {65536, 16384, 1, 1, 1, 1});
  f.U8(8), f.U8(16), f.U16(0);  // 8-bit indices, 16-bit row counts
  f.U32(0), f.U32(0);           // no nonzeros, no index bytes
  f.Zeros(16384 * 2);           // fp16 bias
  f.Zeros(16384 * 2);           // row counts, all 0
  const std::vector<uint8_t> file = f.File();
  CHECK(file.size() < 66 * 1024);
  const std::string m = EveryLoaderSays(file);
  INFO(m);
  CHECK(m.find("t.fks: conv of in_c 65536, out_c 16384, kernel 1, groups 1 has 1073741824 weights") == 0);
  CHECK(m.find("over the limit of 67108864 (refused before allocating) (layer 0 'wide')") != std::string::npos);
}

TEST_CASE("nn/model_file: the weight limit counts the whole model, not one layer at a time") {
  // Ten CSR layers of 16M weights each, every one under the limit alone.
  RawFks f;
  f.Model(1, 1, 4096, false, 10);
  for (int i = 0; i < 10; i++) {
    f.Layer(1, 2, true, "l" + std::to_string(i), {4096, 4096, 1, 1, 1, 1});
    f.U8(8), f.U8(16), f.U16(0);
    f.U32(0), f.U32(0);
    f.Zeros(4096 * 4 + 4096 * 2);
  }
  const std::string m = EveryLoaderSays(f.File());
  INFO(m);
  CHECK(m.find("bringing the model to 83886080, over the limit of 67108864") != std::string::npos);
  CHECK(m.find("(layer 4 'l4')") != std::string::npos);
}

TEST_CASE("nn/model_file: a dense convolution with kernel 0 is refused at its hyper-parameters") {
  RawFks f;
  f.Model(8, 8, 3, false, 1);
  f.Layer(1, 1, false, "k0", {3, 8, 0, 1, 1, 1});
  f.Zeros(8 * 4);  // bias; kernel 0 means no weights follow
  const std::string m = EveryLoaderSays(f.File());
  INFO(m);
  CHECK(m.find("t.fks: kernel 0, stride 1, groups 1 (a convolution needs an odd kernel 1..7") == 0);
  CHECK(m.find("(layer 0 'k0')") != std::string::npos);
}

TEST_CASE("nn/model_file: a model whose activations no executor could allocate is refused when loaded") {
  RawFks f;
  f.Model(4096, 4096, 3, false, 1);
  f.Layer(1, 1, false, "big", {3, 64, 1, 1, 1, 1});  // 4096 x 4096 x 64 outputs from 192 weights
  f.Zeros(64 * 4 + 64 * 3 * 4);
  const std::string m = EveryLoaderSays(f.File());
  INFO(m);
  CHECK(m == "t.fks: layer 0 'big': output 4096x4096x64 holds more than 67108864 values");
}
