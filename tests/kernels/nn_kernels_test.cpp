// NN microkernels: the scalar references against naive oracles written here,
// then every variant in AllNnKernels() against the scalar reference over
// shape/sparsity/clamp sweeps (pixel remainders of every tile size, channel
// counts not divisible by blocks, odd spatial sizes).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/rng.h"
#include "kernels/microbench.h"
#include "kernels/nn_kernels.h"

using namespace fk::kernels;

namespace {

constexpr float kGuard = 12345.f;
const MinMax kLinear{};
const MinMax kRelu6{0.f, 6.f};
const MinMax kTight{-0.25f, 0.3f};  // clamps most outputs: checks min and max paths

std::vector<float> Random(size_t n, fk::Rng& rng, float lo = -1.f, float hi = 1.f) {
  std::vector<float> v(n);
  for (auto& x : v) x = rng.Uniform(lo, hi);
  return v;
}

// Dense [out_c][in_c] with about `sparsity` zeros; channel 0 all zero when
// sparsity > 0 (nnz = 0 for a channel).
std::vector<float> RandomWeights(size_t out_c, size_t in_c, float sparsity, fk::Rng& rng) {
  std::vector<float> w(out_c * in_c);
  for (auto& x : w) x = rng.Uniform01() < sparsity ? 0.f : rng.Uniform(-1, 1);
  if (sparsity > 0)
    for (size_t k = 0; k < in_c; k++) w[k] = 0.f;
  return w;
}

// Output buffer of n values poisoned with NaN, followed by guard values.
std::vector<float> Poisoned(size_t n) {
  std::vector<float> y(n + 16, kGuard);
  for (size_t i = 0; i < n; i++) y[i] = std::nanf("");
  return y;
}
bool GuardsIntact(const std::vector<float>& y, size_t n) {
  for (size_t i = n; i < y.size(); i++)
    if (y[i] != kGuard) return false;
  return true;
}

float Clamp(float v, MinMax c) { return std::fmin(std::fmax(v, c.min), c.max); }

void NaiveConv1x1(const float* w, const float* bias, const float* x, size_t pixels, size_t in_c, size_t out_c,
                  MinMax c, float* y) {
  for (size_t n = 0; n < out_c; n++)
    for (size_t p = 0; p < pixels; p++) {
      double s = bias[n];
      for (size_t k = 0; k < in_c; k++) s += double(w[n * in_c + k]) * x[k * pixels + p];
      y[n * pixels + p] = Clamp(float(s), c);
    }
}

// Zero-pads one plane explicitly (1 on every side), then convolves without any
// bounds logic: a different route to the same answer as the scalar kernels.
std::vector<float> PadPlane(const float* x, size_t h, size_t w) {
  std::vector<float> p((h + 2) * (w + 2), 0.f);
  for (size_t y = 0; y < h; y++)
    for (size_t i = 0; i < w; i++) p[(y + 1) * (w + 2) + i + 1] = x[y * w + i];
  return p;
}

void NaiveDw(size_t stride, size_t h, size_t w, size_t ch, const float* x, const float* wt, MinMax c, float* y) {
  const size_t oh = (h - 1) / stride + 1, ow = (w - 1) / stride + 1;
  for (size_t k = 0; k < ch; k++) {
    const std::vector<float> p = PadPlane(x + k * h * w, h, w);
    for (size_t oy = 0; oy < oh; oy++)
      for (size_t ox = 0; ox < ow; ox++) {
        double s = wt[k * 10];
        for (size_t ky = 0; ky < 3; ky++)
          for (size_t kx = 0; kx < 3; kx++)
            s += double(wt[k * 10 + 1 + ky * 3 + kx]) * p[(oy * stride + ky) * (w + 2) + ox * stride + kx];
        y[k * oh * ow + oy * ow + ox] = Clamp(float(s), c);
      }
  }
}

void NaiveFirstConv(size_t h, size_t w, size_t out_c, const float* x_hwc, const float* wt, MinMax c, float* y) {
  const size_t oh = (h - 1) / 2 + 1, ow = (w - 1) / 2 + 1;
  std::vector<std::vector<float>> planes;
  for (size_t ci = 0; ci < 3; ci++) {
    std::vector<float> chw(h * w);
    for (size_t i = 0; i < h * w; i++) chw[i] = x_hwc[i * 3 + ci];
    planes.push_back(PadPlane(chw.data(), h, w));
  }
  for (size_t n = 0; n < out_c; n++)
    for (size_t oy = 0; oy < oh; oy++)
      for (size_t ox = 0; ox < ow; ox++) {
        double s = wt[n * 28];
        for (size_t ky = 0; ky < 3; ky++)
          for (size_t kx = 0; kx < 3; kx++)
            for (size_t ci = 0; ci < 3; ci++)
              s += double(wt[n * 28 + 1 + (ky * 3 + kx) * 3 + ci]) * planes[ci][(oy * 2 + ky) * (w + 2) + ox * 2 + kx];
        y[n * oh * ow + oy * ow + ox] = Clamp(float(s), c);
      }
}

F32SpmmFn SpmmFor(const NnKernels& k, size_t block) {
  return block == 1 ? k.spmm : block == 2 ? k.spmm_block2 : k.spmm_block4;
}

const size_t kPixelSweep[] = {1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 23, 24, 25, 31, 32, 33, 47, 48, 49, 63, 64, 65, 100};

}  // namespace

TEST_CASE("kernels/conv1x1: the scalar reference equals a naive triple loop") {
  fk::Rng rng(11);
  for (size_t out_c : {1, 5, 8, 9, 20})
    for (size_t in_c : {1, 3, 16})
      for (size_t pixels : {1, 7, 33}) {
        CAPTURE(out_c); CAPTURE(in_c); CAPTURE(pixels);
        const auto w = RandomWeights(out_c, in_c, 0.f, rng);
        const auto bias = Random(out_c, rng), x = Random(in_c * pixels, rng);
        const auto packed = PackConv1x1Weights(w.data(), bias.data(), out_c, in_c);
        CHECK(packed.size() == (out_c + 7) / 8 * 8 * (in_c + 1));
        for (MinMax c : {kLinear, kTight}) {
          std::vector<float> want(out_c * pixels);
          NaiveConv1x1(w.data(), bias.data(), x.data(), pixels, in_c, out_c, c, want.data());
          auto got = Poisoned(want.size());
          ScalarNnKernels().conv1x1(pixels, in_c, out_c, x.data(), packed.data(), got.data(), c);
          CHECK(MaxRelErr(got.data(), want.data(), want.size()) < 1e-5);
          CHECK(GuardsIntact(got, want.size()));
        }
      }
}

TEST_CASE("kernels/dwconv: the scalar reference equals a naive convolution over an explicitly padded plane") {
  fk::Rng rng(12);
  for (size_t stride : {1, 2})
    for (size_t h : {1, 2, 5, 8})
      for (size_t w : {1, 3, 6, 7}) {
        CAPTURE(stride); CAPTURE(h); CAPTURE(w);
        const size_t ch = 3, oh = (h - 1) / stride + 1, ow = (w - 1) / stride + 1;
        const auto x = Random(ch * h * w, rng), wt = Random(ch * 10, rng);
        std::vector<float> want(ch * oh * ow);
        NaiveDw(stride, h, w, ch, x.data(), wt.data(), kLinear, want.data());
        auto got = Poisoned(want.size());
        const NnKernels& s = ScalarNnKernels();
        (stride == 1 ? s.dwconv_3x3s1 : s.dwconv_3x3s2)(h, w, ch, x.data(), wt.data(), got.data(), kLinear);
        CHECK(MaxRelErr(got.data(), want.data(), want.size()) < 1e-5);
        CHECK(GuardsIntact(got, want.size()));
      }
}

TEST_CASE("kernels/conv_hwc2chw: the scalar reference equals a naive padded convolution") {
  fk::Rng rng(13);
  for (size_t h : {1, 2, 5, 8})
    for (size_t w : {1, 4, 7}) {
      CAPTURE(h); CAPTURE(w);
      const size_t out_c = 5, oh = (h - 1) / 2 + 1, ow = (w - 1) / 2 + 1;
      const auto x = Random(h * w * 3, rng), wt = Random(out_c * 28, rng);
      std::vector<float> want(out_c * oh * ow);
      NaiveFirstConv(h, w, out_c, x.data(), wt.data(), kRelu6, want.data());
      auto got = Poisoned(want.size());
      ScalarNnKernels().conv_hwc2chw_3x3s2(h, w, out_c, x.data(), wt.data(), got.data(), kRelu6);
      CHECK(MaxRelErr(got.data(), want.data(), want.size()) < 1e-5);
      CHECK(GuardsIntact(got, want.size()));
    }
}

TEST_CASE("kernels/spmm: packing keeps the block union, byte deltas, nnz 0 channels and block-1 tail channels") {
  // 5 output channels x 4 input channels, block 2: blocks {0,1}, {2,3}, tail {4}.
  const float w[5 * 4] = {0, 0, 0, 0,   // channel 0: all zero
                          0, 2, 0, 0,   // channel 1
                          3, 0, 0, 4,   // channel 2
                          0, 0, 0, 5,   // channel 3
                          0, 0, 6, 0};  // channel 4 (tail)
  const float bias[5] = {10, 11, 12, 13, 14};
  const size_t pixels = 7;
  const SparsePacked sp = PackSpmm(w, bias, 5, 4, 2, pixels);
  CHECK(sp.nnz == std::vector<uint32_t>{1, 2, 1});
  CHECK(sp.weights == std::vector<float>{10, 11, 0, 2, 12, 13, 3, 0, 4, 5, 14, 6});
  const int32_t row = int32_t(pixels * sizeof(float));
  CHECK(sp.deltas == std::vector<int32_t>{1 * row, -1 * row, 3 * row, -1 * row});
  CHECK(sp.nonzeros() == 4);
  const SparsePacked empty = PackSpmm(w, bias, 1, 4, 1, pixels);  // only channel 0: nothing to read
  CHECK(empty.nnz == std::vector<uint32_t>{0});
  CHECK(empty.deltas.empty());
}

TEST_CASE("kernels/spmm: the sparse path equals dense conv1x1 on the same weights (zeros included)") {
  fk::Rng rng(14);
  for (float sparsity : {0.f, 0.5f, 0.9f, 1.f})
    for (size_t block : {1, 2, 4})
      for (size_t out_c : {1, 3, 8, 13})
        for (size_t pixels : {1, 9, 49}) {
          const size_t in_c = 19;
          CAPTURE(sparsity); CAPTURE(block); CAPTURE(out_c); CAPTURE(pixels);
          const auto w = RandomWeights(out_c, in_c, sparsity, rng);
          const auto bias = Random(out_c, rng), x = Random(in_c * pixels, rng);
          const auto dense = PackConv1x1Weights(w.data(), bias.data(), out_c, in_c);
          const SparsePacked sp = PackSpmm(w.data(), bias.data(), out_c, in_c, block, pixels);
          std::vector<float> want(out_c * pixels);
          NaiveConv1x1(w.data(), bias.data(), x.data(), pixels, in_c, out_c, kRelu6, want.data());
          for (const NnKernels* k : {&ScalarNnKernels(), &BestNnKernels()}) {
            CAPTURE(k->isa);
            auto yd = Poisoned(want.size()), ys = Poisoned(want.size());
            k->conv1x1(pixels, in_c, out_c, x.data(), dense.data(), yd.data(), kRelu6);
            SpmmFor(*k, block)(pixels, out_c, x.data(), sp.weights.data(), sp.deltas.data(), sp.nnz.data(),
                               ys.data(), kRelu6);
            CHECK(MaxRelErr(ys.data(), yd.data(), want.size()) < 1e-5);
            CHECK(MaxRelErr(ys.data(), want.data(), want.size()) < 1e-5);
            CHECK(GuardsIntact(ys, want.size()));
          }
        }
}

TEST_CASE("kernels/spmm: every variant equals the scalar reference with pixel remainders") {
  fk::Rng rng(15);
  const auto all = AllNnKernels();
  for (size_t pixels : kPixelSweep)
    for (float sparsity : {0.f, 0.5f, 0.9f, 1.f})
      for (size_t block : {1, 2, 4})
        for (size_t out_c : {1, 2, 5, 7}) {
          const size_t in_c = 11;
          const auto w = RandomWeights(out_c, in_c, sparsity, rng);
          const auto bias = Random(out_c, rng), x = Random(in_c * pixels, rng);
          const SparsePacked sp = PackSpmm(w.data(), bias.data(), out_c, in_c, block, pixels);
          const MinMax c = (pixels + out_c) % 2 ? kTight : kLinear;
          std::vector<float> want(out_c * pixels);
          SpmmFor(ScalarNnKernels(), block)(pixels, out_c, x.data(), sp.weights.data(), sp.deltas.data(),
                                            sp.nnz.data(), want.data(), c);
          for (const NnKernels* k : all) {
            CAPTURE(k->isa); CAPTURE(pixels); CAPTURE(sparsity); CAPTURE(block); CAPTURE(out_c);
            auto got = Poisoned(want.size());
            SpmmFor(*k, block)(pixels, out_c, x.data(), sp.weights.data(), sp.deltas.data(), sp.nnz.data(),
                               got.data(), c);
            CHECK(MaxRelErr(got.data(), want.data(), want.size()) < 1e-5);
            CHECK(GuardsIntact(got, want.size()));
          }
        }
}

TEST_CASE("kernels/spmm: wide rows, odd channel counts, empty rows and unread input rows equal the scalar reference") {
  // Rows of several pixel tiles (AVX-512 splits a row into balanced tiles of up
  // to 8 vectors, so 129..300 pixels give 2..3 tiles of different widths), odd
  // output channel counts (block tails), channels without nonzeros in the middle
  // and at the end, and an input channel no weight uses: its row holds NaN, so
  // a kernel that reads it anyway fails.
  fk::Rng rng(17);
  const auto all = AllNnKernels();
  for (size_t pixels : {112, 127, 128, 129, 196, 200, 257, 300})
    for (size_t block : {1, 2, 4})
      for (size_t out_c : {3, 9, 13})
        for (float sparsity : {0.5f, 0.9f}) {
          const size_t in_c = 24, unread = 5;
          auto w = RandomWeights(out_c, in_c, sparsity, rng);  // channel 0 empty
          for (size_t k = 0; k < in_c; k++) w[(out_c / 2) * in_c + k] = w[(out_c - 1) * in_c + k] = 0.f;
          for (size_t n = 0; n < out_c; n++) w[n * in_c + unread] = 0.f;
          const auto bias = Random(out_c, rng);
          const auto x_ref = Random(in_c * pixels, rng);  // the naive loop reads every row: 0 * NaN = NaN
          auto x = x_ref;
          for (size_t p = 0; p < pixels; p++) x[unread * pixels + p] = std::nanf("");
          const SparsePacked sp = PackSpmm(w.data(), bias.data(), out_c, in_c, block, pixels);
          const MinMax c = out_c % 2 ? kRelu6 : kTight;
          std::vector<float> want(out_c * pixels);
          NaiveConv1x1(w.data(), bias.data(), x_ref.data(), pixels, in_c, out_c, c, want.data());
          for (const NnKernels* k : all) {
            CAPTURE(k->isa); CAPTURE(pixels); CAPTURE(block); CAPTURE(out_c); CAPTURE(sparsity);
            auto got = Poisoned(want.size());
            SpmmFor(*k, block)(pixels, out_c, x.data(), sp.weights.data(), sp.deltas.data(), sp.nnz.data(),
                               got.data(), c);
            CHECK(MaxRelErr(got.data(), want.data(), want.size()) < 1e-5);
            CHECK(GuardsIntact(got, want.size()));
            // The empty channels are their clamped bias everywhere.
            for (size_t n : {size_t(0), out_c / 2, out_c - 1})
              CHECK(got[n * pixels + pixels - 1] == std::min(std::max(bias[n], c.min), c.max));
          }
        }
}

TEST_CASE("kernels/conv1x1: every variant equals the scalar reference with pixel and channel remainders") {
  fk::Rng rng(16);
  const auto all = AllNnKernels();
  for (size_t pixels : kPixelSweep)
    for (size_t out_c : {1, 4, 7, 8, 12, 17})
      for (size_t in_c : {1, 6}) {
        const auto w = RandomWeights(out_c, in_c, 0.f, rng);
        const auto bias = Random(out_c, rng), x = Random(in_c * pixels, rng);
        const auto packed = PackConv1x1Weights(w.data(), bias.data(), out_c, in_c);
        const MinMax c = pixels % 2 ? kTight : kLinear;
        std::vector<float> want(out_c * pixels);
        ScalarNnKernels().conv1x1(pixels, in_c, out_c, x.data(), packed.data(), want.data(), c);
        for (const NnKernels* k : all) {
          CAPTURE(k->isa); CAPTURE(pixels); CAPTURE(out_c); CAPTURE(in_c);
          auto got = Poisoned(want.size());
          k->conv1x1(pixels, in_c, out_c, x.data(), packed.data(), got.data(), c);
          CHECK(MaxRelErr(got.data(), want.data(), want.size()) < 1e-5);
          CHECK(GuardsIntact(got, want.size()));
        }
      }
}

TEST_CASE("kernels/dwconv: every variant equals the scalar reference, stride 1 and 2, odd and even sizes") {
  fk::Rng rng(17);
  const auto all = AllNnKernels();
  for (size_t stride : {1, 2})
    for (size_t h : {1, 2, 3, 7, 14})
      for (size_t w : {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 35, 56, 65}) {
        const size_t ch = 3, oh = (h - 1) / stride + 1, ow = (w - 1) / stride + 1;
        const auto x = Random(ch * h * w, rng), wt = Random(ch * 10, rng);
        const MinMax c = w % 2 ? kTight : kRelu6;
        std::vector<float> want(ch * oh * ow);
        const NnKernels& s = ScalarNnKernels();
        (stride == 1 ? s.dwconv_3x3s1 : s.dwconv_3x3s2)(h, w, ch, x.data(), wt.data(), want.data(), c);
        for (const NnKernels* k : all) {
          CAPTURE(k->isa); CAPTURE(stride); CAPTURE(h); CAPTURE(w);
          auto got = Poisoned(want.size());
          (stride == 1 ? k->dwconv_3x3s1 : k->dwconv_3x3s2)(h, w, ch, x.data(), wt.data(), got.data(), c);
          CHECK(MaxRelErr(got.data(), want.data(), want.size()) < 1e-5);
          CHECK(GuardsIntact(got, want.size()));
        }
      }
}

TEST_CASE("kernels/conv_hwc2chw: every variant equals the scalar reference on odd sizes and channel tails") {
  fk::Rng rng(18);
  const auto all = AllNnKernels();
  for (size_t h : {1, 2, 5, 9})
    for (size_t w : {1, 2, 3, 7, 16, 33, 66, 67})
      for (size_t out_c : {1, 5, 8, 12}) {
        const size_t oh = (h - 1) / 2 + 1, ow = (w - 1) / 2 + 1;
        const auto x = Random(h * w * 3, rng), wt = Random(out_c * 28, rng);
        const MinMax c = w % 2 ? kTight : kLinear;
        std::vector<float> want(out_c * oh * ow);
        ScalarNnKernels().conv_hwc2chw_3x3s2(h, w, out_c, x.data(), wt.data(), want.data(), c);
        for (const NnKernels* k : all) {
          CAPTURE(k->isa); CAPTURE(h); CAPTURE(w); CAPTURE(out_c);
          auto got = Poisoned(want.size());
          k->conv_hwc2chw_3x3s2(h, w, out_c, x.data(), wt.data(), got.data(), c);
          CHECK(MaxRelErr(got.data(), want.data(), want.size()) < 1e-5);
          CHECK(GuardsIntact(got, want.size()));
        }
      }
}

TEST_CASE("kernels/nn: gavgpool, fc and add of every variant equal plain loops; softmax sums to one") {
  fk::Rng rng(19);
  const size_t pixels = 49, ch = 13, out = 7;
  const auto x = Random(ch * pixels, rng), wt = Random(out * (ch + 1), rng), b = Random(ch * pixels, rng);
  std::vector<float> avg(ch), fc(out), sum(ch * pixels);
  for (size_t k = 0; k < ch; k++) {
    double s = 0;
    for (size_t p = 0; p < pixels; p++) s += x[k * pixels + p];
    avg[k] = float(s / pixels);
  }
  for (size_t n = 0; n < out; n++) {
    double s = wt[n * (ch + 1)];
    for (size_t k = 0; k < ch; k++) s += double(wt[n * (ch + 1) + 1 + k]) * avg[k];
    fc[n] = Clamp(float(s), kTight);
  }
  for (size_t i = 0; i < sum.size(); i++) sum[i] = Clamp(x[i] + b[i], kTight);
  for (const NnKernels* k : AllNnKernels()) {
    CAPTURE(k->isa);
    std::vector<float> g(ch), f(out), a(sum.size());
    k->gavgpool(pixels, ch, x.data(), g.data());
    k->fc(ch, out, avg.data(), wt.data(), f.data(), kTight);
    k->add(sum.size(), x.data(), b.data(), a.data(), kTight);
    CHECK(MaxRelErr(g.data(), avg.data(), ch) < 1e-5);
    CHECK(MaxRelErr(f.data(), fc.data(), out) < 1e-5);
    CHECK(MaxRelErr(a.data(), sum.data(), sum.size()) < 1e-6);
  }
  std::vector<float> logits = {1000.f, 1001.f, 999.f, -50.f};  // large: needs the max shift
  Softmax(logits.data(), logits.size());
  double total = 0;
  for (float p : logits) { CHECK(std::isfinite(p)); total += p; }
  CHECK(total == doctest::Approx(1.0).epsilon(1e-6));
  CHECK(logits[1] > logits[0]);
}

TEST_CASE("kernels/nn: every set is complete, scalar first, the best last, names from the kernel list") {
  const auto all = AllNnKernels();
  REQUIRE(!all.empty());
  CHECK(all.front()->isa == "scalar");
  CHECK(all.back() == &BestNnKernels());
#if defined(__EMSCRIPTEN__) || defined(__x86_64__)
  CHECK(all.size() >= 2);  // a SIMD set on every target we ship
#endif
  for (const NnKernels* k : all) {
    CAPTURE(k->isa);
    const bool complete = k->spmm && k->spmm_block2 && k->spmm_block4 && k->conv1x1 && k->conv_hwc2chw_3x3s2 &&
                          k->dwconv_3x3s1 && k->dwconv_3x3s2 && k->gavgpool && k->fc && k->add;
    CHECK(complete);
    REQUIRE(k->names.size() == 10);
    for (const std::string& n : k->names) CHECK(n.rfind("f32_", 0) == 0);
    CHECK(k->spmm_name.find("__" + k->isa) != std::string::npos);
    CHECK(k->conv1x1_name.find("__" + k->isa) != std::string::npos);
  }
}
