// Op-level checks of the TFLite importer + NetExecutor: tiny models written by
// tflite_builder.h, run with the scalar and the best kernels (dense and
// sparse 1x1), compared with plain NHWC loops written here (or hand numbers).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "kernels/nn_kernels.h"
#include "nn/net_executor.h"
#include "nn/tflite.h"
#include "tflite_builder.h"

namespace fk::nn {
namespace {

using namespace fk::test;

// Deterministic values in [-1, 1).
std::vector<float> Seq(size_t n, uint32_t seed) {
  std::vector<float> v(n);
  uint32_t s = seed * 2654435761u + 12345u;
  for (float& f : v) {
    s = s * 1664525u + 1013904223u;
    f = float((s >> 8) & 0xffff) / 32768.f - 1.f;
  }
  return v;
}

// Every other weight zero (for the sparse 1x1 path).
std::vector<float> HalfZero(std::vector<float> v) {
  for (size_t i = 0; i < v.size(); i += 2) v[i] = 0.f;
  return v;
}

struct Run {
  std::vector<std::vector<float>> outputs;
  std::vector<std::vector<int>> shapes;
  size_t steps = 0;
  int sparse_layers = 0;
};

Run RunModel(const Net& net, const std::vector<float>& x, const kernels::NnKernels& k, SparseChoice sc) {
  NetExecutorOptions o;
  o.sparse = sc;
  auto ex = NetExecutor::Create(net, k, o);
  REQUIRE_MESSAGE(ex.ok(), ex.status().message());
  REQUIRE(ex->InputSize() == x.size());
  ex->Run(x.data());
  Run r;
  for (size_t i = 0; i < ex->NumOutputs(); ++i) {
    r.outputs.emplace_back(ex->Output(i), ex->Output(i) + ex->OutputSize(i));
    r.shapes.push_back(ex->OutputShape(i));
  }
  r.steps = ex->NumSteps();
  r.sparse_layers = ex->SparseLayers();
  return r;
}

Net Import(const std::vector<uint8_t>& bytes) {
  Result<Net> net = ImportTflite(bytes.data(), bytes.size(), "ops.tflite");
  REQUIRE_MESSAGE(net.ok(), net.status().message());
  return std::move(*net);
}

void ExpectNear(const std::vector<float>& got, const std::vector<float>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    REQUIRE(std::fabs(got[i] - want[i]) <= 1e-5f * std::max(1.f, std::fabs(want[i])));
  }
}

// Runs the model with scalar and best kernels, 1x1 dense and sparse, and
// compares output `o` with `want`. Returns the scalar dense run.
Run CheckModel(const std::vector<uint8_t>& bytes, const std::vector<float>& x, const std::vector<float>& want,
               size_t o = 0) {
  Net net = Import(bytes);
  Run first;
  bool have = false;
  for (const kernels::NnKernels* k : {&kernels::ScalarNnKernels(), &kernels::BestNnKernels()})
    for (SparseChoice sc : {SparseChoice::Never, SparseChoice::Always}) {
      CAPTURE(k->isa);
      CAPTURE(int(sc));
      Run r = RunModel(net, x, *k, sc);
      REQUIRE(r.outputs.size() > o);
      ExpectNear(r.outputs[o], want);
      if (!have) first = r, have = true;
    }
  return first;
}

// TFLite's SAME padding for one dimension: (before, after, out).
struct Pad1 {
  int before, after, out;
};
Pad1 Same(int in, int k, int stride, int dil = 1) {
  const int out = (in + stride - 1) / stride;
  const int total = std::max((out - 1) * stride + (k - 1) * dil + 1 - in, 0);
  return {total / 2, total - total / 2, out};
}

struct Geo {
  int h, w, c;            // input
  int kh, kw;             // filter
  int sh = 1, sw = 1, dh = 1, dw = 1;
  int pt = 0, pl = 0;     // padding before (after is implied by oh/ow)
  int oh, ow;
};

// NHWC convolution, filter [O, KH, KW, C].
std::vector<float> RefConv(const std::vector<float>& x, const std::vector<float>& w, const std::vector<float>& bias,
                           const Geo& g, int oc, float lo = -1e30f, float hi = 1e30f) {
  std::vector<float> y(size_t(g.oh * g.ow * oc));
  for (int oy = 0; oy < g.oh; ++oy)
    for (int ox = 0; ox < g.ow; ++ox)
      for (int o = 0; o < oc; ++o) {
        double acc = bias.empty() ? 0 : bias[size_t(o)];
        for (int ky = 0; ky < g.kh; ++ky)
          for (int kx = 0; kx < g.kw; ++kx) {
            const int iy = oy * g.sh - g.pt + ky * g.dh, ix = ox * g.sw - g.pl + kx * g.dw;
            if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
            for (int c = 0; c < g.c; ++c)
              acc += double(x[size_t((iy * g.w + ix) * g.c + c)]) * w[size_t(((o * g.kh + ky) * g.kw + kx) * g.c + c)];
          }
        y[size_t((oy * g.ow + ox) * oc + o)] = std::min(std::max(float(acc), lo), hi);
      }
  return y;
}

// NHWC depthwise convolution, filter [1, KH, KW, C*M].
std::vector<float> RefDw(const std::vector<float>& x, const std::vector<float>& w, const std::vector<float>& bias,
                         const Geo& g, int mult) {
  const int oc = g.c * mult;
  std::vector<float> y(size_t(g.oh * g.ow * oc));
  for (int oy = 0; oy < g.oh; ++oy)
    for (int ox = 0; ox < g.ow; ++ox)
      for (int o = 0; o < oc; ++o) {
        double acc = bias.empty() ? 0 : bias[size_t(o)];
        for (int ky = 0; ky < g.kh; ++ky)
          for (int kx = 0; kx < g.kw; ++kx) {
            const int iy = oy * g.sh - g.pt + ky * g.dh, ix = ox * g.sw - g.pl + kx * g.dw;
            if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
            acc += double(x[size_t((iy * g.w + ix) * g.c + o / mult)]) * w[size_t((ky * g.kw + kx) * oc + o)];
          }
        y[size_t((oy * g.ow + ox) * oc + o)] = float(acc);
      }
  return y;
}

// NHWC pooling; the average counts only taps inside the input (as TFLite).
std::vector<float> RefPool(const std::vector<float>& x, const Geo& g, bool max) {
  std::vector<float> y(size_t(g.oh * g.ow * g.c));
  for (int oy = 0; oy < g.oh; ++oy)
    for (int ox = 0; ox < g.ow; ++ox)
      for (int c = 0; c < g.c; ++c) {
        double acc = max ? -1e30 : 0;
        int n = 0;
        for (int ky = 0; ky < g.kh; ++ky)
          for (int kx = 0; kx < g.kw; ++kx) {
            const int iy = oy * g.sh - g.pt + ky, ix = ox * g.sw - g.pl + kx;
            if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
            const double v = x[size_t((iy * g.w + ix) * g.c + c)];
            acc = max ? std::max(acc, v) : acc + v;
            ++n;
          }
        y[size_t((oy * g.ow + ox) * g.c + c)] = float(max ? acc : acc / n);
      }
  return y;
}

// A one-convolution model: input [1,h,w,c] -> CONV_2D -> output.
struct ConvCase {
  int h, w, c, oc, k, stride;
  tfl::Padding padding;
  int dil = 1;
  bool bias = true;
};

void CheckConv(const ConvCase& cc) {
  CAPTURE(cc.h);
  CAPTURE(cc.w);
  CAPTURE(cc.k);
  CAPTURE(cc.stride);
  CAPTURE(int(cc.padding));
  Geo g{cc.h, cc.w, cc.c, cc.k, cc.k, cc.stride, cc.stride, cc.dil, cc.dil, 0, 0, 0, 0};
  if (cc.padding == tfl::kSame) {
    Pad1 py = Same(cc.h, cc.k, cc.stride, cc.dil), px = Same(cc.w, cc.k, cc.stride, cc.dil);
    g.pt = py.before, g.pl = px.before, g.oh = py.out, g.ow = px.out;
  } else {
    const int eff = (cc.k - 1) * cc.dil + 1;
    g.oh = (cc.h - eff) / cc.stride + 1, g.ow = (cc.w - eff) / cc.stride + 1;
  }
  std::vector<float> x = Seq(size_t(cc.h * cc.w * cc.c), 1), w = Seq(size_t(cc.oc * cc.k * cc.k * cc.c), 2);
  std::vector<float> bias = cc.bias ? Seq(size_t(cc.oc), 3) : std::vector<float>{};
  tfl::ModelBuilder b;
  int in = b.Input({1, cc.h, cc.w, cc.c});
  int wt = b.Constant({cc.oc, cc.k, cc.k, cc.c}, w);
  int bt = cc.bias ? b.Constant({cc.oc}, bias) : -1;
  int out = b.Tensor({1, g.oh, g.ow, cc.oc});
  b.Op(tfl::kConv2D, {in, wt, bt}, {out}, tfl::Conv2D(cc.padding, cc.stride, cc.stride, tfl::kNone, cc.dil, cc.dil));
  b.Output(out);
  std::vector<uint8_t> bytes = b.Build();
  Net net = Import(bytes);
  REQUIRE(net.ops.size() == 1);
  CHECK(net.ops[0].pad_top == g.pt);
  CHECK(net.ops[0].pad_left == g.pl);
  CheckModel(bytes, x, RefConv(x, w, bias, g, cc.oc));
}

}  // namespace

TEST_CASE("tflite ops: the test writer's model reads back as written") {
  tfl::ModelBuilder b;
  int in = b.Input({1, 2, 3, 4});
  int w = b.Constant({5, 1, 1, 4}, Seq(20, 1), "weights");
  int out = b.Tensor({1, 2, 3, 5}, "out");
  b.Op(tfl::kConv2D, {in, w, -1}, {out}, tfl::Conv2D(tfl::kValid, 1, 1, tfl::kRelu6_));
  b.Output(out);
  std::vector<uint8_t> bytes = b.Build();
  REQUIRE(LooksLikeTflite(bytes.data(), bytes.size()));
  Net net = Import(bytes);
  CHECK(net.file_version == 3);
  REQUIRE(net.tensors.size() == 3);
  CHECK(net.tensors[1].name == "weights");
  CHECK(net.tensors[1].shape == std::vector<int>{5, 1, 1, 4});
  CHECK(net.tensors[1].data == Seq(20, 1));
  CHECK(net.tensors[1].stored_type == "float32");
  CHECK(net.tensors[1].stored_bytes == 80);
  REQUIRE(net.ops.size() == 1);
  CHECK(net.ops[0].type == NetOpType::Conv2D);
  CHECK(net.ops[0].act == NetAct::Relu6);
  CHECK(net.inputs == std::vector<int>{0});
  CHECK(net.outputs == std::vector<int>{2});
  CHECK(net.file_ops == std::vector<std::pair<std::string, int>>{{"CONV_2D", 1}});
}

TEST_CASE("tflite ops: CONV_2D SAME and VALID, stride 1 and 2, odd and even sizes, dilation") {
  CheckConv({5, 5, 3, 4, 3, 1, tfl::kSame});
  CheckConv({6, 6, 2, 3, 3, 2, tfl::kSame});   // even input, stride 2: pads (0, 1)
  CheckConv({7, 7, 3, 8, 3, 2, tfl::kSame});   // pads (1, 1), 3 channels: the first-layer kernel
  CheckConv({7, 6, 2, 3, 3, 1, tfl::kValid});
  CheckConv({7, 6, 2, 3, 3, 2, tfl::kValid, 1, false});
  CheckConv({8, 8, 2, 2, 2, 2, tfl::kSame});   // even filter
  CheckConv({9, 9, 2, 3, 3, 1, tfl::kSame, 2});
  CheckConv({4, 5, 3, 2, 1, 2, tfl::kValid});  // 1x1 stride 2: the generic loop
  // The even/stride-2 pads of TFLite SAME: nothing before, one after.
  tfl::ModelBuilder b;
  int in = b.Input({1, 6, 6, 2});
  int w = b.Constant({3, 3, 3, 2}, Seq(54, 4));
  int out = b.Tensor({1, 3, 3, 3});
  b.Op(tfl::kConv2D, {in, w, -1}, {out}, tfl::Conv2D(tfl::kSame, 2, 2));
  b.Output(out);
  Net net = Import(b.Build());
  CHECK(net.ops[0].pad_top == 0);
  CHECK(net.ops[0].pad_bottom == 1);
  CHECK(net.ops[0].pad_left == 0);
  CHECK(net.ops[0].pad_right == 1);
}

TEST_CASE("tflite ops: 1x1 CONV_2D runs dense (SparseChoice::Never) and sparse (Always) to the same values") {
  const int h = 4, w = 5, c = 8, oc = 12;
  std::vector<float> x = Seq(size_t(h * w * c), 5), wt = HalfZero(Seq(size_t(oc * c), 6)), bias = Seq(size_t(oc), 7);
  tfl::ModelBuilder b;
  int in = b.Input({1, h, w, c});
  int wi = b.Constant({oc, 1, 1, c}, wt);
  int bi = b.Constant({oc}, bias);
  int out = b.Tensor({1, h, w, oc});
  b.Op(tfl::kConv2D, {in, wi, bi}, {out}, tfl::Conv2D(tfl::kSame, 1, 1, tfl::kRelu_));
  b.Output(out);
  Geo g{h, w, c, 1, 1, 1, 1, 1, 1, 0, 0, h, w};
  std::vector<float> want = RefConv(x, wt, bias, g, oc, 0.f);
  std::vector<uint8_t> bytes = b.Build();
  CheckModel(bytes, x, want);
  Net net = Import(bytes);
  for (const kernels::NnKernels* k : {&kernels::ScalarNnKernels(), &kernels::BestNnKernels()}) {
    CHECK(RunModel(net, x, *k, SparseChoice::Never).sparse_layers == 0);
    CHECK(RunModel(net, x, *k, SparseChoice::Always).sparse_layers == 1);
  }
}

TEST_CASE("tflite ops: DEPTHWISE_CONV_2D 3x3 behind PAD(1,1,1,1) + VALID, SAME stride 2, 5x5, depth multiplier 2") {
  const int h = 6, w = 7, c = 4;
  std::vector<float> x = Seq(size_t(h * w * c), 8);
  SUBCASE("PAD then VALID 3x3, stride 1 and 2: the PAD folds into the fast 3x3 kernel") {
    for (int stride : {1, 2}) {
      CAPTURE(stride);
      std::vector<float> wt = Seq(size_t(9 * c), 9), bias = Seq(size_t(c), 10);
      Geo g{h, w, c, 3, 3, stride, stride, 1, 1, 1, 1, (h + 2 - 3) / stride + 1, (w + 2 - 3) / stride + 1};
      tfl::ModelBuilder b;
      int in = b.Input({1, h, w, c});
      int pads = b.ConstantInt32({4, 2}, {0, 0, 1, 1, 1, 1, 0, 0});
      int padded = b.Tensor({1, h + 2, w + 2, c});
      b.Op(tfl::kPad, {in, pads}, {padded});
      int wi = b.Constant({1, 3, 3, c}, wt), bi = b.Constant({c}, bias);
      int out = b.Tensor({1, g.oh, g.ow, c});
      b.Op(tfl::kDepthwiseConv2D, {padded, wi, bi}, {out}, tfl::DepthwiseConv2D(tfl::kValid, stride, stride, 1));
      b.Output(out);
      Run r = CheckModel(b.Build(), x, RefDw(x, wt, bias, g, 1));
      CHECK(r.steps == 3);  // to CHW, the depthwise convolution (PAD folded in), to NHWC
    }
  }
  SUBCASE("SAME stride 2 on an even height: pads (0,1), the generic loop") {
    const int hh = 6, ww = 6;
    std::vector<float> xx = Seq(size_t(hh * ww * c), 11), wt = Seq(size_t(9 * c), 12);
    Pad1 p = Same(hh, 3, 2);
    Geo g{hh, ww, c, 3, 3, 2, 2, 1, 1, p.before, p.before, p.out, p.out};
    tfl::ModelBuilder b;
    int in = b.Input({1, hh, ww, c});
    int wi = b.Constant({1, 3, 3, c}, wt);
    int out = b.Tensor({1, g.oh, g.ow, c});
    b.Op(tfl::kDepthwiseConv2D, {in, wi, -1}, {out}, tfl::DepthwiseConv2D(tfl::kSame, 2, 2, 1));
    b.Output(out);
    CHECK(p.before == 0);
    CheckModel(b.Build(), xx, RefDw(xx, wt, {}, g, 1));
  }
  SUBCASE("5x5 SAME") {
    std::vector<float> wt = Seq(size_t(25 * c), 13), bias = Seq(size_t(c), 14);
    Geo g{h, w, c, 5, 5, 1, 1, 1, 1, 2, 2, h, w};
    tfl::ModelBuilder b;
    int in = b.Input({1, h, w, c});
    int wi = b.Constant({1, 5, 5, c}, wt), bi = b.Constant({c}, bias);
    int out = b.Tensor({1, h, w, c});
    b.Op(tfl::kDepthwiseConv2D, {in, wi, bi}, {out}, tfl::DepthwiseConv2D(tfl::kSame, 1, 1, 1));
    b.Output(out);
    CheckModel(b.Build(), x, RefDw(x, wt, bias, g, 1));
  }
  SUBCASE("depth multiplier 2, VALID") {
    std::vector<float> wt = Seq(size_t(9 * c * 2), 15), bias = Seq(size_t(c * 2), 16);
    Geo g{h, w, c, 3, 3, 1, 1, 1, 1, 0, 0, h - 2, w - 2};
    tfl::ModelBuilder b;
    int in = b.Input({1, h, w, c});
    int wi = b.Constant({1, 3, 3, 2 * c}, wt), bi = b.Constant({2 * c}, bias);
    int out = b.Tensor({1, h - 2, w - 2, 2 * c});
    b.Op(tfl::kDepthwiseConv2D, {in, wi, bi}, {out}, tfl::DepthwiseConv2D(tfl::kValid, 1, 1, 2));
    b.Output(out);
    Net net = Import(b.Build());
    CHECK(net.ops[0].depth_multiplier == 2);
    CheckModel(b.Build(), x, RefDw(x, wt, bias, g, 2));
  }
}

TEST_CASE("tflite ops: MAX_POOL_2D and AVERAGE_POOL_2D (SAME averages only the taps inside the input)") {
  const int h = 5, w = 6, c = 3;
  std::vector<float> x = Seq(size_t(h * w * c), 17);
  for (bool max : {true, false})
    for (int stride : {1, 2}) {
      CAPTURE(max);
      CAPTURE(stride);
      Pad1 py = Same(h, 3, stride), px = Same(w, 3, stride);
      Geo g{h, w, c, 3, 3, stride, stride, 1, 1, py.before, px.before, py.out, px.out};
      tfl::ModelBuilder b;
      int in = b.Input({1, h, w, c});
      int out = b.Tensor({1, g.oh, g.ow, c});
      b.Op(max ? tfl::kMaxPool2D : tfl::kAveragePool2D, {in}, {out}, tfl::Pool2D(tfl::kSame, stride, stride, 3, 3));
      b.Output(out);
      CheckModel(b.Build(), x, RefPool(x, g, max));
    }
  // By hand: a 2x2 input of 1..4 (one channel), 3x3 SAME stride 1 average:
  // corner (0,0) sees all four values -> 2.5; nothing counts the padding.
  tfl::ModelBuilder b;
  int in = b.Input({1, 2, 2, 1});
  int out = b.Tensor({1, 2, 2, 1});
  b.Op(tfl::kAveragePool2D, {in}, {out}, tfl::Pool2D(tfl::kSame, 1, 1, 3, 3));
  b.Output(out);
  CheckModel(b.Build(), {1, 2, 3, 4}, {2.5f, 2.5f, 2.5f, 2.5f});
}

TEST_CASE("tflite ops: ADD with fused RELU; standalone RELU and RELU6 fold into the convolution") {
  const int h = 3, w = 4, c = 4;
  std::vector<float> x = Seq(size_t(h * w * c), 18), wt = Seq(size_t(c * c), 19);
  Geo g1{h, w, c, 1, 1, 1, 1, 1, 1, 0, 0, h, w};
  SUBCASE("ADD(conv(x), x) with RELU") {
    tfl::ModelBuilder b;
    int in = b.Input({1, h, w, c});
    int wi = b.Constant({c, 1, 1, c}, wt);
    int a = b.Tensor({1, h, w, c});
    b.Op(tfl::kConv2D, {in, wi, -1}, {a}, tfl::Conv2D(tfl::kValid, 1, 1));
    int out = b.Tensor({1, h, w, c});
    b.Op(tfl::kAdd, {a, in}, {out}, tfl::AddOpt(tfl::kRelu_));
    b.Output(out);
    std::vector<float> want = RefConv(x, wt, {}, g1, c);
    for (size_t i = 0; i < want.size(); ++i) want[i] = std::max(want[i] + x[i], 0.f);
    CheckModel(b.Build(), x, want);
  }
  SUBCASE("ADD of a per-channel constant and of a scalar constant") {
    std::vector<float> k = {0.5f, -1.f, 2.f, 0.25f};
    tfl::ModelBuilder b;
    int in = b.Input({1, h, w, c});
    int kc = b.Constant({c}, k);
    int a = b.Tensor({1, h, w, c});
    b.Op(tfl::kAdd, {in, kc}, {a});
    int s = b.Constant({1}, {-0.75f});
    int out = b.Tensor({1, h, w, c});
    b.Op(tfl::kAdd, {a, s}, {out}, tfl::AddOpt(tfl::kRelu6_));
    b.Output(out);
    std::vector<float> want(x.size());
    for (size_t i = 0; i < x.size(); ++i) want[i] = std::min(std::max(x[i] + k[i % c] - 0.75f, 0.f), 6.f);
    CheckModel(b.Build(), x, want);
  }
  SUBCASE("conv then RELU / RELU6 ops") {
    for (int32_t act : {tfl::kRelu, tfl::kRelu6}) {
      CAPTURE(act);
      // Weights scaled so that some outputs pass 6.
      Geo g{h, w, c, 3, 3, 1, 1, 1, 1, 1, 1, h, w};
      std::vector<float> w3 = Seq(size_t(c * 9 * c), 20);
      for (float& v : w3) v *= 4.f;
      tfl::ModelBuilder b;
      int in = b.Input({1, h, w, c});
      int wi = b.Constant({c, 3, 3, c}, w3);
      int a = b.Tensor({1, h, w, c});
      b.Op(tfl::kConv2D, {in, wi, -1}, {a}, tfl::Conv2D(tfl::kSame, 1, 1));
      int out = b.Tensor({1, h, w, c});
      b.Op(act, {a}, {out});
      b.Output(out);
      std::vector<float> want = RefConv(x, w3, {}, g, c, 0.f, act == tfl::kRelu6 ? 6.f : 1e30f);
      CHECK(*std::max_element(want.begin(), want.end()) > (act == tfl::kRelu6 ? 5.99f : 6.f));
      CHECK(*std::min_element(want.begin(), want.end()) == 0.f);
      Run r = CheckModel(b.Build(), x, want);
      CHECK(r.steps == 2);  // the convolution (activation folded in) and the output's layout
    }
  }
}

TEST_CASE("tflite ops: PAD of height, width and channels") {
  const int h = 3, w = 2, c = 2;
  std::vector<float> x = Seq(size_t(h * w * c), 21);
  tfl::ModelBuilder b;
  int in = b.Input({1, h, w, c});
  int pads = b.ConstantInt32({4, 2}, {0, 0, 1, 0, 0, 2, 1, 2});
  const int oh = h + 1, ow = w + 2, oc = c + 3;
  int out = b.Tensor({1, oh, ow, oc});
  b.Op(tfl::kPad, {in, pads}, {out});
  b.Output(out);
  std::vector<float> want(size_t(oh * ow * oc), 0.f);
  for (int y = 0; y < h; ++y)
    for (int xx = 0; xx < w; ++xx)
      for (int ch = 0; ch < c; ++ch) want[size_t(((y + 1) * ow + xx) * oc + ch + 1)] = x[size_t((y * w + xx) * c + ch)];
  CheckModel(b.Build(), x, want);
}

TEST_CASE("tflite ops: RESIZE_BILINEAR with half_pixel_centers, align_corners, neither") {
  const int h = 3, w = 4, c = 2, oh = 5, ow = 7;
  std::vector<float> x = Seq(size_t(h * w * c), 22);
  for (int mode = 0; mode < 3; ++mode) {
    const bool align = mode == 1, half = mode == 2;
    CAPTURE(mode);
    tfl::ModelBuilder b;
    int in = b.Input({1, h, w, c});
    int size = b.ConstantInt32({2}, {oh, ow});
    int out = b.Tensor({1, oh, ow, c});
    b.Op(tfl::kResizeBilinear, {in, size}, {out}, tfl::ResizeBilinear(align, half));
    b.Output(out);
    // TFLite's coordinate rule: source = dst * scale (or (dst + 0.5) * scale - 0.5),
    // scale = in/out (or (in-1)/(out-1) with align_corners); neighbours clamped.
    auto source = [&](int o, int in_size, int out_size, int& lo, int& hi) {
      const double scale = align && out_size > 1 ? double(in_size - 1) / (out_size - 1) : double(in_size) / out_size;
      const double s = half ? (o + 0.5) * scale - 0.5 : o * scale;
      lo = std::max(int(std::floor(s)), 0);
      hi = std::min(int(std::ceil(s)), in_size - 1);
      return s - lo;
    };
    std::vector<float> want(size_t(oh * ow * c));
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox) {
        int y0, y1, x0, x1;
        const double dy = source(oy, h, oh, y0, y1), dx = source(ox, w, ow, x0, x1);
        for (int ch = 0; ch < c; ++ch) {
          auto at = [&](int yy, int xx) { return double(x[size_t((yy * w + xx) * c + ch)]); };
          want[size_t((oy * ow + ox) * c + ch)] = float(at(y0, x0) * (1 - dy) * (1 - dx) + at(y1, x0) * dy * (1 - dx) +
                                                        at(y0, x1) * (1 - dy) * dx + at(y1, x1) * dy * dx);
        }
      }
    CheckModel(b.Build(), x, want);
  }
  // By hand: [0, 1] (1x2) resized to 1x4. Neither: sources 0, .5, 1, 1.5 -> 0, .5, 1, 1.
  // align_corners: 0, 1/3, 2/3, 1. half_pixel_centers: -.25, .25, .75, 1.25 -> 0, .25, .75, 1.
  const float want[3][4] = {{0.f, 0.5f, 1.f, 1.f}, {0.f, 1.f / 3, 2.f / 3, 1.f}, {0.f, 0.25f, 0.75f, 1.f}};
  for (int mode = 0; mode < 3; ++mode) {
    tfl::ModelBuilder b;
    int in = b.Input({1, 1, 2, 1});
    int size = b.ConstantInt32({2}, {1, 4});
    int out = b.Tensor({1, 1, 4, 1});
    b.Op(tfl::kResizeBilinear, {in, size}, {out}, tfl::ResizeBilinear(mode == 1, mode == 2));
    b.Output(out);
    CheckModel(b.Build(), {0.f, 1.f}, std::vector<float>(want[mode], want[mode] + 4));
  }
}

TEST_CASE("tflite ops: RESHAPE to [1,N,K] and CONCATENATION on axis 1 (the detector's head), and on channels") {
  const int h = 4, w = 4, c = 3;
  std::vector<float> x = Seq(size_t(h * w * c), 23);
  std::vector<float> w1 = Seq(size_t(4 * c), 24), w2 = Seq(size_t(4 * 9 * c), 25);
  Geo g1{h, w, c, 1, 1, 1, 1, 1, 1, 0, 0, h, w};
  Geo g2{h, w, c, 3, 3, 2, 2, 1, 1, 0, 0, 2, 2};
  g2.pt = Same(h, 3, 2).before, g2.pl = Same(w, 3, 2).before;
  std::vector<float> a = RefConv(x, w1, {}, g1, 4);  // [1,4,4,4] -> [1,32,2]
  std::vector<float> bb = RefConv(x, w2, {}, g2, 4); // [1,2,2,4] -> [1,8,2]
  SUBCASE("axis 1 of [1,N,2]") {
    tfl::ModelBuilder b;
    int in = b.Input({1, h, w, c});
    int wa = b.Constant({4, 1, 1, c}, w1), wb = b.Constant({4, 3, 3, c}, w2);
    int ta = b.Tensor({1, h, w, 4}), tb = b.Tensor({1, 2, 2, 4});
    b.Op(tfl::kConv2D, {in, wa, -1}, {ta}, tfl::Conv2D(tfl::kSame, 1, 1));
    b.Op(tfl::kConv2D, {in, wb, -1}, {tb}, tfl::Conv2D(tfl::kSame, 2, 2));
    int shape_a = b.ConstantInt32({3}, {1, 32, 2}), shape_b = b.ConstantInt32({3}, {1, 8, 2});
    int ra = b.Tensor({1, 32, 2}), rb = b.Tensor({1, 8, 2});
    b.Op(tfl::kReshape, {ta, shape_a}, {ra});
    b.Op(tfl::kReshape, {tb, shape_b}, {rb});
    int out = b.Tensor({1, 40, 2});
    b.Op(tfl::kConcatenation, {ra, rb}, {out}, tfl::Concatenation(1));
    b.Output(out);
    std::vector<float> want = a;
    want.insert(want.end(), bb.begin(), bb.end());
    Run r = CheckModel(b.Build(), x, want);
    CHECK(r.shapes[0] == std::vector<int>{1, 40, 2});
  }
  SUBCASE("axis 3 (channels) of [1,H,W,C], negative axis") {
    tfl::ModelBuilder b;
    int in = b.Input({1, h, w, c});
    int wa = b.Constant({4, 1, 1, c}, w1);
    int ta = b.Tensor({1, h, w, 4});
    b.Op(tfl::kConv2D, {in, wa, -1}, {ta}, tfl::Conv2D(tfl::kSame, 1, 1));
    int out = b.Tensor({1, h, w, 4 + c});
    b.Op(tfl::kConcatenation, {ta, in}, {out}, tfl::Concatenation(-1));
    b.Output(out);
    std::vector<float> want;
    for (int p = 0; p < h * w; ++p) {
      want.insert(want.end(), a.begin() + p * 4, a.begin() + p * 4 + 4);
      want.insert(want.end(), x.begin() + p * c, x.begin() + p * c + c);
    }
    CheckModel(b.Build(), x, want);
  }
}

TEST_CASE("tflite ops: DEPTH_TO_SPACE block 2") {
  const int h = 2, w = 3, c = 8, bs = 2, oc = c / (bs * bs);
  std::vector<float> x = Seq(size_t(h * w * c), 26);
  tfl::ModelBuilder b;
  int in = b.Input({1, h, w, c});
  int out = b.Tensor({1, h * bs, w * bs, oc});
  b.Op(tfl::kDepthToSpace, {in}, {out}, tfl::DepthToSpace(bs));
  b.Output(out);
  // TFLite: output[y*bs+dy][x*bs+dx][ch] = input[y][x][(dy*bs+dx)*oc + ch].
  std::vector<float> want(x.size());
  for (int y = 0; y < h; ++y)
    for (int xx = 0; xx < w; ++xx)
      for (int dy = 0; dy < bs; ++dy)
        for (int dx = 0; dx < bs; ++dx)
          for (int ch = 0; ch < oc; ++ch)
            want[size_t(((y * bs + dy) * w * bs + xx * bs + dx) * oc + ch)] = x[size_t((y * w + xx) * c + (dy * bs + dx) * oc + ch)];
  CheckModel(b.Build(), x, want);
}

TEST_CASE("tflite ops: FULLY_CONNECTED, LOGISTIC, MEAN over axes [1,2]") {
  const int h = 2, w = 2, c = 3, n = 5;
  std::vector<float> x = Seq(size_t(h * w * c), 27);
  SUBCASE("FULLY_CONNECTED of a flattened [1,2,2,3] with bias and RELU") {
    std::vector<float> wt = Seq(size_t(n * h * w * c), 28), bias = Seq(size_t(n), 29);
    tfl::ModelBuilder b;
    int in = b.Input({1, h, w, c});
    int wi = b.Constant({n, h * w * c}, wt), bi = b.Constant({n}, bias);
    int out = b.Tensor({1, n});
    b.Op(tfl::kFullyConnected, {in, wi, bi}, {out}, tfl::FullyConnected(tfl::kRelu_));
    b.Output(out);
    std::vector<float> want(static_cast<size_t>(n));
    for (int o = 0; o < n; ++o) {
      double acc = bias[size_t(o)];
      for (int i = 0; i < h * w * c; ++i) acc += double(x[size_t(i)]) * wt[size_t(o * h * w * c + i)];
      want[size_t(o)] = std::max(float(acc), 0.f);
    }
    CheckModel(b.Build(), x, want);
  }
  SUBCASE("LOGISTIC") {
    tfl::ModelBuilder b;
    int in = b.Input({1, h, w, c});
    int out = b.Tensor({1, h, w, c});
    b.Op(tfl::kLogistic, {in}, {out});
    b.Output(out);
    std::vector<float> want(x.size());
    for (size_t i = 0; i < x.size(); ++i) want[i] = float(1.0 / (1.0 + std::exp(-double(x[i]))));
    CheckModel(b.Build(), x, want);
  }
  SUBCASE("MEAN, keep_dims false and true, axes given as [2,1] and [-3,-2]") {
    for (bool keep : {false, true}) {
      CAPTURE(keep);
      tfl::ModelBuilder b;
      int in = b.Input({1, h, w, c});
      int axes = keep ? b.ConstantInt32({2}, {-3, -2}) : b.ConstantInt32({2}, {2, 1});
      int out = keep ? b.Tensor({1, 1, 1, c}) : b.Tensor({1, c});
      b.Op(tfl::kMean, {in, axes}, {out}, tfl::Reducer(keep));
      b.Output(out);
      std::vector<float> want(size_t(c), 0.f);
      for (int p = 0; p < h * w; ++p)
        for (int ch = 0; ch < c; ++ch) want[size_t(ch)] += x[size_t(p * c + ch)] / float(h * w);
      CheckModel(b.Build(), x, want);
    }
  }
}

TEST_CASE("tflite ops: DEQUANTIZE of FLOAT16 and of per-channel INT8 weights folds into the constant") {
  const int h = 3, w = 3, c = 4, oc = 3;
  std::vector<float> x = Seq(size_t(h * w * c), 30);
  Geo g{h, w, c, 1, 1, 1, 1, 1, 1, 0, 0, h, w};
  SUBCASE("FLOAT16 conv weights") {
    // Values exact in binary16, so the dequantized weights are known exactly.
    std::vector<float> wt(size_t(oc * c));
    for (size_t i = 0; i < wt.size(); ++i) wt[i] = float(int(i % 7) - 3) * 0.125f;
    tfl::ModelBuilder b;
    int in = b.Input({1, h, w, c});
    int w16 = b.ConstantF16({oc, 1, 1, c}, wt);
    int w32 = b.Tensor({oc, 1, 1, c});
    b.Op(tfl::kDequantize, {w16}, {w32});
    int out = b.Tensor({1, h, w, oc});
    b.Op(tfl::kConv2D, {in, w32, -1}, {out}, tfl::Conv2D(tfl::kValid, 1, 1));
    b.Output(out);
    std::vector<uint8_t> bytes = b.Build();
    Net net = Import(bytes);
    CHECK(net.tensors[size_t(w32)].data == wt);
    CHECK(net.tensors[size_t(w32)].stored_type == "float16");
    CHECK(net.tensors[size_t(w32)].stored_bytes == size_t(oc * c * 2));
    CHECK(net.ops.size() == 1);
    CHECK(net.file_ops == std::vector<std::pair<std::string, int>>{{"DEQUANTIZE", 1}, {"CONV_2D", 1}});
    CheckModel(bytes, x, RefConv(x, wt, {}, g, oc));
  }
  SUBCASE("per-channel INT8 conv weights (dimension 0) and depthwise weights (dimension 3)") {
    std::vector<int8_t> q(size_t(oc * c));
    for (size_t i = 0; i < q.size(); ++i) q[i] = int8_t(int(i * 37 % 255) - 127);
    const std::vector<float> scale = {0.5f, 0.25f, 0.125f};
    const std::vector<int64_t> zp = {0, 3, -2};
    std::vector<float> wt(q.size());
    for (size_t i = 0; i < q.size(); ++i) wt[i] = float(q[i] - zp[i / size_t(c)]) * scale[i / size_t(c)];
    std::vector<int8_t> qd(size_t(9 * c));
    for (size_t i = 0; i < qd.size(); ++i) qd[i] = int8_t(int(i * 53 % 200) - 100);
    const std::vector<float> dscale = {0.01f, 0.02f, 0.03f, 0.04f};
    std::vector<float> wd(qd.size());
    for (size_t i = 0; i < qd.size(); ++i) wd[i] = float(qd[i]) * dscale[i % size_t(c)];
    tfl::ModelBuilder b;
    int in = b.Input({1, h, w, c});
    int dq = b.ConstantInt8({1, 3, 3, c}, qd, dscale, {0, 0, 0, 0}, 3);
    int df = b.Tensor({1, 3, 3, c});
    b.Op(tfl::kDequantize, {dq}, {df});
    int mid = b.Tensor({1, h, w, c});
    b.Op(tfl::kDepthwiseConv2D, {in, df, -1}, {mid}, tfl::DepthwiseConv2D(tfl::kSame, 1, 1, 1));
    int w8 = b.ConstantInt8({oc, 1, 1, c}, q, scale, zp, 0);
    int wf = b.Tensor({oc, 1, 1, c});
    b.Op(tfl::kDequantize, {w8}, {wf});
    int out = b.Tensor({1, h, w, oc});
    b.Op(tfl::kConv2D, {mid, wf, -1}, {out}, tfl::Conv2D(tfl::kValid, 1, 1));
    b.Output(out);
    std::vector<uint8_t> bytes = b.Build();
    Net net = Import(bytes);
    CHECK(net.tensors[size_t(wf)].data == wt);
    CHECK(net.tensors[size_t(df)].data == wd);
    CHECK(net.tensors[size_t(wf)].stored_type == "int8");
    Geo gd{h, w, c, 3, 3, 1, 1, 1, 1, 1, 1, h, w};
    CheckModel(bytes, x, RefConv(RefDw(x, wd, {}, gd, 1), wt, {}, g, oc));
  }
}

TEST_CASE("tflite ops: DENSIFY of a sparse constant (DENSE + CSR with uint8, uint16, int32 indices) equals the dense tensor") {
  const int h = 2, w = 3, c = 10, oc = 6;
  std::vector<float> x = Seq(size_t(h * w * c), 31);
  std::vector<float> dense = Seq(size_t(oc * c), 32);
  for (size_t i = 0; i < dense.size(); ++i)
    if (i % 3 != 1) dense[i] = 0.f;  // two thirds zeros
  std::fill(dense.begin() + c, dense.begin() + 2 * c, 0.f);  // an empty row: equal segments
  Geo g{h, w, c, 1, 1, 1, 1, 1, 1, 0, 0, h, w};
  const std::vector<float> want = RefConv(x, dense, {}, g, oc);
  for (uint8_t index_type : {uint8_t(3), uint8_t(2), uint8_t(1)}) {
    CAPTURE(int(index_type));
    tfl::ModelBuilder b;
    int in = b.Input({1, h, w, c});
    int sp = b.Add(tfl::SparseFloat({oc, 1, 1, c}, dense, index_type));
    int wd = b.Tensor({oc, 1, 1, c});
    b.Op(tfl::kDensify, {sp}, {wd});
    int out = b.Tensor({1, h, w, oc});
    b.Op(tfl::kConv2D, {in, wd, -1}, {out}, tfl::Conv2D(tfl::kValid, 1, 1));
    b.Output(out);
    std::vector<uint8_t> bytes = b.Build();
    Net net = Import(bytes);
    CHECK(net.tensors[size_t(wd)].data == dense);
    CHECK(net.tensors[size_t(wd)].stored_sparse);
    CHECK(net.SparseStoredTensors() == 1);  // counted once, at the weight the convolution reads
    CHECK(net.tensors[size_t(wd)].stored_bytes ==
          size_t(4 * std::count_if(dense.begin(), dense.end(), [](float v) { return v != 0.f; })));
    CheckModel(bytes, x, want);
  }
  // A 2-D sparse FULLY_CONNECTED weight.
  tfl::ModelBuilder b;
  int in = b.Input({1, c});
  int sp = b.Add(tfl::SparseFloat({oc, c}, dense, 2));
  int wd = b.Tensor({oc, c});
  b.Op(tfl::kDensify, {sp}, {wd});
  int out = b.Tensor({1, oc});
  b.Op(tfl::kFullyConnected, {in, wd, -1}, {out}, tfl::FullyConnected());
  b.Output(out);
  std::vector<float> xv = Seq(size_t(c), 33), fc(size_t(oc), 0.f);
  for (int o = 0; o < oc; ++o)
    for (int i = 0; i < c; ++i) fc[size_t(o)] += xv[size_t(i)] * dense[size_t(o * c + i)];
  CheckModel(b.Build(), xv, fc);
}

}  // namespace fk::nn
