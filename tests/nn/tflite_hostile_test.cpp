// Bad .tflite input: not a flatbuffer, truncated, corrupted, unknown
// operators, out-of-range buffers, short buffers, shapes that do not match.
// Each is a clear error naming the file and the problem, never a crash; a
// corrupted file that still imports must lower and run.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "kernels/nn_kernels.h"
#include "nn/net_executor.h"
#include "nn/tflite.h"
#include "tflite_builder.h"
#include "tflite_models.h"

namespace fk::nn {
namespace {

using namespace fk::test;

std::string ImportError(const std::vector<uint8_t>& bytes, const std::string& name = "bad.tflite") {
  Result<Net> net = ImportTflite(bytes.data(), bytes.size(), name);
  REQUIRE_MESSAGE(!net.ok(), "imported, but should not have");
  return net.status().message();
}

void Contains(const std::string& message, std::initializer_list<const char*> parts) {
  for (const char* p : parts) {
    INFO(message);
    CHECK_MESSAGE(message.find(p) != std::string::npos, "missing '", std::string(p), "'");
  }
}

std::vector<float> Ramp(size_t n) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = float(int(i % 13) - 6) * 0.125f;
  return v;
}

// conv 3x3 -> conv 1x1 -> [op under test]: a small valid model to spoil.
// Tensors: 0 input, 1 and 2 the 3x3 weights and bias, 3 its output, 4 the 1x1
// weights, 5 its output, 6 the last op's output.
tfl::ModelBuilder Small(int32_t last_op = tfl::kRelu) {
  tfl::ModelBuilder b;
  int x = b.Input({1, 4, 4, 3});
  int w3 = b.Constant({4, 3, 3, 3}, Ramp(108)), b3 = b.Constant({4}, Ramp(4));
  int a = b.Tensor({1, 4, 4, 4});
  b.Op(tfl::kConv2D, {x, w3, b3}, {a}, tfl::Conv2D(tfl::kSame, 1, 1));
  int w1 = b.Constant({4, 1, 1, 4}, Ramp(16));
  int c = b.Tensor({1, 4, 4, 4});
  b.Op(tfl::kConv2D, {a, w1, -1}, {c}, tfl::Conv2D(tfl::kValid, 1, 1));
  int y = b.Tensor({1, 4, 4, 4});
  b.Op(last_op, {c}, {y});
  b.Output(y);
  return b;
}

// Imports; when it imports, lowers and runs once (scalar kernels, sparse 1x1
// where possible). Returns whether it imported.
bool ImportAndMaybeRun(const std::vector<uint8_t>& bytes, const std::string& name, bool run) {
  Result<Net> net = ImportTflite(bytes.data(), bytes.size(), name);
  if (!net) {
    REQUIRE(net.status().message().rfind(name + ": ", 0) == 0);
    return false;
  }
  if (!run) return true;
  NetExecutorOptions o;
  o.sparse = SparseChoice::Always;
  auto ex = NetExecutor::Create(*net, kernels::ScalarNnKernels(), o);
  if (!ex) {
    REQUIRE(!ex.status().message().empty());
    return true;
  }
  std::vector<float> x(ex->InputSize(), 0.25f);
  ex->Run(x.data());
  return true;
}

}  // namespace

TEST_CASE("tflite hostile: empty, 7 bytes, not TFL3") {
  Contains(ImportError({}, "empty.tflite"), {"empty.tflite: ", "not a TFLite model", "0 bytes"});
  Contains(ImportError({1, 2, 3, 4, 5, 6, 7}, "seven.tflite"), {"seven.tflite: ", "7 bytes is too short"});
  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13};
  Contains(ImportError(png, "photo.png"), {"photo.png: ", "not a TFLite model", "TFL3"});
  CHECK_FALSE(LooksLikeTflite(png.data(), png.size()));
  // The identifier right, the rest garbage: the root offset points outside.
  std::vector<uint8_t> fake = {0xff, 0xff, 0xff, 0x7f, 'T', 'F', 'L', '3', 0, 0, 0, 0};
  Contains(ImportError(fake, "fake.tflite"), {"fake.tflite: ", "past the end of the file"});
}

TEST_CASE("tflite hostile: the real sparse face model truncated at many lengths is an error naming the file") {
  const std::string file = "face_detection_full_range_sparse.tflite";
  std::vector<uint8_t> bytes = ReadHostFile(ModelDir() + "/" + file);
  REQUIRE_MESSAGE(!bytes.empty(), "missing ", file, ": run `make deps`");
  REQUIRE(ImportTflite(bytes.data(), bytes.size(), file).ok());
  int errors = 0;
  for (size_t len = 0; len < bytes.size(); len += 4999) {
    CAPTURE(len);
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + long(len));
    Result<Net> net = ImportTflite(cut.data(), cut.size(), file);
    REQUIRE_FALSE(net.ok());  // buffers lie at the end and the tables before them point there
    REQUIRE(net.status().message().rfind(file + ": ", 0) == 0);
    ++errors;
  }
  CHECK(errors > 100);
  // The last bytes too (the end of the last buffer).
  for (size_t cut_off : {1, 2, 3, 4, 7, 8, 100}) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.end() - long(cut_off));
    Result<Net> net = ImportTflite(cut.data(), cut.size(), file);
    CHECK_FALSE(net.ok());
  }
}

TEST_CASE("tflite hostile: single-byte corruptions import cleanly or fail with the file's name; what imports runs") {
  // Every position of a small model, two ways (a large value; a small change).
  const std::vector<uint8_t> good = Small().Build();
  REQUIRE(ImportTflite(good.data(), good.size(), "small.tflite").ok());
  int imported = 0;
  for (size_t pos = 0; pos < good.size(); ++pos)
    for (int how = 0; how < 2; ++how) {
      CAPTURE(pos);
      CAPTURE(how);
      std::vector<uint8_t> b = good;
      b[pos] = how == 0 ? 0xff : uint8_t(b[pos] ^ 0x01);
      imported += ImportAndMaybeRun(b, "small.tflite", true) ? 1 : 0;
    }
  CHECK(imported > 0);  // weight bytes, names, padding: many corruptions leave a valid model
  // The real sparse model at spread positions (import only: its densify and checks).
  const std::string file = "face_detection_full_range_sparse.tflite";
  std::vector<uint8_t> bytes = ReadHostFile(ModelDir() + "/" + file);
  REQUIRE_MESSAGE(!bytes.empty(), "missing ", file, ": run `make deps`");
  for (size_t pos = 0; pos < bytes.size(); pos += 7919) {
    CAPTURE(pos);
    std::vector<uint8_t> b = bytes;
    b[pos] ^= 0xff;
    ImportAndMaybeRun(b, file, false);
  }
}

TEST_CASE("tflite hostile: unsupported operators name the operator and its index") {
  {
    tfl::ModelBuilder b = Small(tfl::kSoftmax);
    Contains(ImportError(b.Build(), "softmax.tflite"), {"softmax.tflite: ", "operator #2 (SOFTMAX)", "not supported"});
  }
  {
    tfl::ModelBuilder b = Small();
    b.ops[1].builtin = tfl::kCustom;
    b.ops[1].custom = "FancyUpsample";
    Contains(ImportError(b.Build(), "custom.tflite"), {"custom.tflite: ", "operator #1 (CUSTOM", "FancyUpsample"});
  }
  {
    tfl::ModelBuilder b = Small();
    b.ops[2].builtin = 200;  // a builtin newer than this importer knows
    Contains(ImportError(b.Build()), {"bad.tflite: ", "operator #2", "200", "not supported"});
  }
}

TEST_CASE("tflite hostile: a tensor's buffer out of range, a buffer shorter than its shape") {
  {
    tfl::ModelBuilder b = Small();
    b.tensors[1].buffer = 99;
    Contains(ImportError(b.Build(), "buf.tflite"), {"buf.tflite: ", "tensor #1", "buffer 99", "the file has"});
  }
  {
    tfl::ModelBuilder b = Small();
    b.tensors[1].data.resize(b.tensors[1].data.size() - 4);  // 107 of 108 floats
    Contains(ImportError(b.Build(), "short.tflite"), {"short.tflite: ", "tensor #1", "[4,3,3,3]", "needs 108 values", "holds 107"});
  }
  {
    tfl::ModelBuilder b = Small();
    b.tensors[1].data.resize(b.tensors[1].data.size() - 1);  // not whole floats
    Contains(ImportError(b.Build(), "odd.tflite"), {"odd.tflite: ", "tensor #1", "not whole FLOAT32 values"});
  }
}

TEST_CASE("tflite hostile: shapes that do not match name the operator, the tensor and both shapes") {
  {
    tfl::ModelBuilder b = Small();
    b.tensors[5].shape = {1, 4, 4, 5};  // the 1x1 conv's output declared with 5 channels
    Contains(ImportError(b.Build(), "shape.tflite"),
             {"shape.tflite: ", "operator #1 (CONV_2D)", "declared [1,4,4,5]", "computes [1,4,4,4]"});
  }
  {
    tfl::ModelBuilder b = Small();
    b.tensors[4].shape = {4, 1, 1, 5};  // weights for 5 input channels
    b.tensors[4].data = tfl::RawBytes(Ramp(20));
    Contains(ImportError(b.Build(), "cin.tflite"), {"cin.tflite: ", "operator #1 (CONV_2D)", "[4,1,1,5]", "input has 4"});
  }
  {
    tfl::ModelBuilder b = Small();
    b.tensors[2].data = tfl::RawBytes(Ramp(3));  // bias of 3 for 4 outputs
    b.tensors[2].shape = {3};
    Contains(ImportError(b.Build(), "bias.tflite"), {"bias.tflite: ", "operator #0 (CONV_2D)", "bias has 3 values", "4 output channels"});
  }
  {  // a huge declared shape is refused before anything is allocated
    tfl::ModelBuilder b = Small();
    b.tensors[3].shape = {1, 65536, 65536, 4};
    Contains(ImportError(b.Build(), "huge.tflite"), {"huge.tflite: ", "tensor #3", "more values than supported"});
  }
}

TEST_CASE("tflite hostile: weights, biases and constant operands that are not floats") {
  {  // a 1x1 convolution's weights as INT32 (not decodable to floats)
    tfl::ModelBuilder b = Small();
    const int w = 4;  // the second convolution's weights
    REQUIRE(b.tensors[size_t(w)].shape == std::vector<int32_t>{4, 1, 1, 4});
    b.tensors[size_t(w)].type = tfl::kInt32;
    Contains(ImportError(b.Build(), "int_weights.tflite"), {"int_weights.tflite: ", "operator #1 (CONV_2D)", "tensor #4", "INT32"});
  }
  {  // ADD of an INT32 constant
    tfl::ModelBuilder b;
    int x = b.Input({1, 2, 2, 3});
    int k = b.ConstantInt32({3}, {1, 2, 3});
    int y = b.Tensor({1, 2, 2, 3});
    b.Op(tfl::kAdd, {x, k}, {y});
    b.Output(y);
    Contains(ImportError(b.Build(), "int_add.tflite"), {"int_add.tflite: ", "operator #0 (ADD)", "INT32"});
  }
  {  // INT8 weights used without their DEQUANTIZE
    tfl::ModelBuilder b = Small();
    std::vector<int8_t> q(16, 3);
    b.tensors[4] = tfl::TensorSpec{};
    b.tensors[4].name = "q";
    b.tensors[4].shape = {4, 1, 1, 4};
    b.tensors[4].type = tfl::kInt8;
    b.tensors[4].data = tfl::RawBytes(q);
    b.tensors[4].quantized = true;
    b.tensors[4].scale = {0.5f};
    b.tensors[4].zero_point = {0};
    Contains(ImportError(b.Build(), "int8.tflite"), {"int8.tflite: ", "operator #1 (CONV_2D)", "INT8"});
  }
}

TEST_CASE("tflite hostile: a zero-sized activation") {
  {  // a zero-sized activation
    tfl::ModelBuilder b = Small();
    b.tensors[0].shape = {1, 0, 4, 3};
    b.tensors[3].shape = {1, 0, 4, 4};
    Contains(ImportError(b.Build(), "zero.tflite"), {"zero.tflite: ", "tensor #0", "[1,0,4,3]", "zero dimension"});
  }
  {  // an empty input resized to 2x2 (the resize would read neighbours that do not exist)
    tfl::ModelBuilder b;
    int x = b.Input({1, 0, 2, 3});
    int y = b.Tensor({1, 2, 2, 3});
    b.Op(tfl::kResizeBilinear, {x, b.ConstantInt32({2}, {2, 2})}, {y}, tfl::ResizeBilinear(false, false));
    b.Output(y);
    Contains(ImportError(b.Build(), "empty_resize.tflite"), {"empty_resize.tflite: ", "tensor #0", "[1,0,2,3]", "zero dimension"});
  }
}

TEST_CASE("tflite hostile: strides and dilations whose span overflows an int") {
  {  // a dilation whose span overflows an int
    tfl::ModelBuilder b = Small();
    b.ops[0].options = tfl::Conv2D(tfl::kSame, 1, 1, tfl::kNone, 1 << 30, 1 << 30);
    Contains(ImportError(b.Build(), "dil.tflite"), {"dil.tflite: ", "operator #0", "dilation 1073741824", "more padding than supported"});
  }
  {
    tfl::ModelBuilder b = Small();
    b.ops[0].options = tfl::Conv2D(tfl::kSame, 2147483647, 2147483647);
    // SAME with a stride near INT_MAX is one output pixel, no overflow, and runs.
    std::vector<uint8_t> bytes = b.Build();
    Result<Net> net = ImportTflite(bytes.data(), bytes.size(), "stride.tflite");
    REQUIRE_MESSAGE(!net.ok(), "expected the output shape check to fail");
    Contains(net.status().message(), {"stride.tflite: ", "operator #0 (CONV_2D)", "computes [1,1,1,4]"});
  }
}

TEST_CASE("tflite hostile: a pooling window far larger than its input runs in time, over the input only") {
  const int h = 4, w = 3, c = 2;
  std::vector<float> x = Ramp(size_t(h * w * c));
  for (bool max : {true, false}) {
    CAPTURE(max);
    tfl::ModelBuilder b;
    int in = b.Input({1, h, w, c});
    int y = b.Tensor({1, h, w, c});
    b.Op(max ? tfl::kMaxPool2D : tfl::kAveragePool2D, {in}, {y}, tfl::Pool2D(tfl::kSame, 1, 1, 1 << 30, 1 << 30));
    b.Output(y);
    std::vector<uint8_t> bytes = b.Build();
    Result<Net> net = ImportTflite(bytes.data(), bytes.size(), "pool.tflite");
    REQUIRE_MESSAGE(net.ok(), net.status().message());
    // Every window covers the whole input: each output is the channel's max / mean.
    std::vector<float> want(size_t(c), max ? -1e30f : 0.f);
    for (int p = 0; p < h * w; ++p)
      for (int ch = 0; ch < c; ++ch) {
        const float v = x[size_t(p * c + ch)];
        want[size_t(ch)] = max ? std::max(want[size_t(ch)], v) : want[size_t(ch)] + v / float(h * w);
      }
    auto ex = NetExecutor::Create(*net, kernels::ScalarNnKernels());
    REQUIRE(ex.ok());
    ex->Run(x.data());
    for (size_t i = 0; i < ex->OutputSize(0); ++i) CHECK(ex->Output(0)[i] == doctest::Approx(want[i % size_t(c)]));
  }
}

}  // namespace fk::nn
