#include <doctest/doctest.h>

#include <cmath>

#include "core/rng.h"
#include "kernels/microbench.h"
#include "nn/executor.h"
#include "nn/pruning.h"
#include "nn/xnnpack_backend.h"

using namespace fk::nn;
using fk::kernels::BestNnKernels;
using fk::kernels::ScalarNnKernels;

namespace {

Model PrunedNet(double sparsity, int block = 1, uint64_t seed = 21) {
  MobileNetV2Options o;
  o.width = 0.35f;
  o.input_size = 96;
  o.num_classes = 100;
  o.seed = seed;
  Model m = BuildMobileNetV2(o);
  PruneOptions po;
  po.block = block;
  REQUIRE(PruneToSparsity(m, sparsity, po));
  return m;
}

std::vector<float> Image(const Executor& ex, uint64_t seed = 4) {
  fk::Rng r(seed);
  std::vector<float> x(ex.InputSize());
  for (auto& v : x) v = r.Uniform01();
  return x;
}

std::vector<float> Logits(const Model& m, const fk::kernels::NnKernels& k, bool sparse) {
  ExecutorOptions eo;
  eo.sparse = sparse;
  auto ex = Executor::Create(m, k, eo);
  REQUIRE_MESSAGE(ex, ex.status().message());
  const auto x = Image(*ex);
  ex->Run(x.data());
  return std::vector<float>(ex->Logits(), ex->Logits() + ex->NumLogits());
}

}  // namespace

TEST_CASE("nn/executor: MobileNetV2 with seeded weights gives finite, non-degenerate outputs") {
  for (float width : {0.35f, 1.4f}) {
    MobileNetV2Options o;
    o.width = width;
    o.input_size = 96;
    Model m = BuildMobileNetV2(o);
    CHECK(m.layers.size() == 65);
    auto ex = Executor::Create(m, BestNnKernels());
    REQUIRE(ex);
    const auto x = Image(*ex);
    ex->Run(x.data());
    double mean = 0, sq = 0;
    const size_t n = ex->NumLogits();
    for (size_t i = 0; i < n; i++) {
      REQUIRE(std::isfinite(ex->Logits()[i]));
      mean += ex->Logits()[i];
    }
    mean /= double(n);
    for (size_t i = 0; i < n; i++) sq += (ex->Logits()[i] - mean) * (ex->Logits()[i] - mean);
    const double sd = std::sqrt(sq / double(n));
    CHECK(sd > 0.1);  // activations neither died nor exploded through 65 layers
    CHECK(sd < 100);
    double psum = 0;
    for (size_t i = 0; i < ex->OutputSize(); i++) psum += ex->Output()[i];
    CHECK(psum == doctest::Approx(1.0).epsilon(1e-4));
  }
}

TEST_CASE("nn/executor: the builder follows Keras' channel rounding") {
  CHECK(MakeDivisible(32 * 0.35) == 16);
  CHECK(MakeDivisible(double(int(16 * 0.35))) == 8);
  CHECK(MakeDivisible(1280 * 1.4) == 1792);
  MobileNetV2Options o;
  Model m = BuildMobileNetV2(o);
  CHECK(m.ParameterCount() == 3487816);  // Keras' 3,538,984 minus the 51,168 BatchNorm parameters + conv biases
}

TEST_CASE("nn/executor: the sparse path equals dense-with-zeros (scalar kernels)") {
  for (int block : {1, 2, 4}) {
    CAPTURE(block);
    const Model m = PrunedNet(0.8, block);
    const auto dense = Logits(m, ScalarNnKernels(), false);
    const auto sparse = Logits(m, ScalarNnKernels(), true);
    CHECK(fk::kernels::MaxRelErr(sparse.data(), dense.data(), dense.size(), 1e-30) < 1e-5);
  }
}

TEST_CASE("nn/executor: the best kernels match the scalar reference within 1e-4, dense and sparse") {
  for (double s : {0.0, 0.9}) {
    const Model m = PrunedNet(s);
    const auto ref = Logits(m, ScalarNnKernels(), false);
    for (bool sparse : {false, true}) {
      CAPTURE(s);
      CAPTURE(sparse);
      const auto got = Logits(m, BestNnKernels(), sparse);
      CHECK(fk::kernels::MaxRelErr(got.data(), ref.data(), ref.size(), 1e-30) < 1e-4);
    }
  }
}

TEST_CASE("nn/executor: buffers are shared by liveness and runs are repeatable") {
  const Model m = PrunedNet(0.5);
  auto ex = Executor::Create(m, BestNnKernels());
  REQUIRE(ex);
  size_t all = 0;
  for (auto& l : m.layers) all += size_t(l.out_c) * size_t(l.out_h) * size_t(l.out_w) * 4;
  CHECK(ex->BufferBytes() < all / 3);
  const auto x = Image(*ex);
  ex->Run(x.data());
  const std::vector<float> a(ex->Output(), ex->Output() + ex->OutputSize());
  ex->Run(x.data());
  for (size_t i = 0; i < a.size(); i++) REQUIRE(a[i] == ex->Output()[i]);
}

TEST_CASE("nn/executor: an unsupported layer is named") {
  Model m = PrunedNet(0.0);
  for (auto& l : m.layers)
    if (l.name == "block_2_depthwise") {
      l.groups = 1;
      l.weights.assign(l.WeightCount(), 0.f);
    }
  auto ex = Executor::Create(m, ScalarNnKernels());
  REQUIRE_FALSE(ex);
  CHECK(ex.status().message().find("block_2_depthwise") != std::string::npos);
}

TEST_CASE("nn/executor: XNNPACK (when built in) matches the scalar reference, dense and with the sparse hint") {
  if (!XnnpackAvailable()) return;
  const Model m = PrunedNet(0.9);
  const auto ref = Logits(m, ScalarNnKernels(), false);
  for (bool hint : {false, true}) {
    auto rt = XnnpackRunner::Create(m, {hint});
    REQUIRE_MESSAGE(rt, rt.status().message());
    auto ex = Executor::Create(m, ScalarNnKernels());
    const auto x = Image(*ex);
    (*rt)->SetInput(x.data());
    REQUIRE((*rt)->Invoke());
    REQUIRE((*rt)->OutputSize() == ref.size());
    CHECK(fk::kernels::MaxRelErr((*rt)->Output(), ref.data(), ref.size(), 1e-30) < 1e-4);
  }
}
