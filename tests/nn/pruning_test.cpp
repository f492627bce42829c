#include <doctest/doctest.h>

#include <cmath>

#include "nn/graph.h"
#include "nn/pruning.h"

using namespace fk::nn;

namespace {
Model SmallNet() {
  MobileNetV2Options o;
  o.width = 0.35f;
  o.input_size = 96;
  o.num_classes = 10;
  o.seed = 5;
  return BuildMobileNetV2(o);
}
}  // namespace

TEST_CASE("nn/pruning: ConstantSparsity prunes at begin, every frequency steps, up to and including end") {
  ConstantSparsity c(0.5, 100, 500, 100);
  CHECK(c.Validate());
  CHECK_FALSE(c(99).prune);
  CHECK(c(100).prune);
  CHECK_FALSE(c(101).prune);
  CHECK_FALSE(c(199).prune);
  CHECK(c(200).prune);
  CHECK(c(500).prune);   // end is inclusive
  CHECK_FALSE(c(600).prune);
  CHECK(c(250).sparsity == 0.5);
  ConstantSparsity forever(0.8, 0, -1, 10);
  CHECK(forever(1000000).prune);
  CHECK_FALSE(forever(1000005).prune);
  ConstantSparsity odd(0.3, 7, 20, 5);  // the phase is relative to begin, not to 0
  CHECK(odd(7).prune);
  CHECK(odd(12).prune);
  CHECK_FALSE(odd(10).prune);
  CHECK_FALSE(odd(22).prune);  // past end though on phase
}

TEST_CASE("nn/pruning: PolynomialDecay is s_i at begin, s_f at end and power-3 in between") {
  PolynomialDecay p(0.2, 0.8, 1000, 3000);  // power 3, frequency 100
  CHECK(p.Validate());
  CHECK(p(1000).sparsity == doctest::Approx(0.2));
  CHECK(p(3000).sparsity == doctest::Approx(0.8));
  // p = 0.5: 0.8 + (0.2 - 0.8) * 0.5^3 = 0.725
  CHECK(p(2000).sparsity == doctest::Approx(0.725));
  CHECK(p(500).sparsity == doctest::Approx(0.2));   // clipped before begin
  CHECK(p(9000).sparsity == doctest::Approx(0.8));  // clipped after end
  CHECK(p(1000).prune);
  CHECK(p(3000).prune);
  CHECK_FALSE(p(3100).prune);
  CHECK_FALSE(p(1050).prune);
  CHECK_FALSE(p(900).prune);
  PolynomialDecay quad(0.0, 0.9, 0, 100, 2, 10);
  CHECK(quad(25).sparsity == doctest::Approx(0.9 - 0.9 * 0.75 * 0.75));
}

TEST_CASE("nn/pruning: schedules reject what TF MOT rejects") {
  CHECK_FALSE(ConstantSparsity(1.0, 0).Validate());
  CHECK_FALSE(ConstantSparsity(0.5, -1).Validate());
  CHECK_FALSE(ConstantSparsity(0.5, 10, 5).Validate());
  CHECK_FALSE(ConstantSparsity(0.5, 0, -1, 0).Validate());
  CHECK_FALSE(PolynomialDecay(0.1, 0.5, 0, -1).Validate());  // decay needs an end
  CHECK_FALSE(PolynomialDecay(-0.1, 0.5, 0, 10).Validate());
  CHECK(PolynomialDecay(0.1, 0.5, 10, 10).Validate());
  CHECK(PolynomialDecay(0.1, 0.5, 10, 10)(10).sparsity == doctest::Approx(0.5));  // begin == end: p = 1
}

TEST_CASE("nn/pruning: magnitude pruning keeps exactly the target count per layer, the largest first") {
  Model m = SmallNet();
  for (double s : {0.0, 0.3, 0.5, 0.9, 0.95}) {
    Model c = m;
    PruneOptions po;
    po.policy = PrunePolicy::All;
    REQUIRE(PruneLayers(c, s, po));
    for (size_t i = 0; i < c.layers.size(); i++) {
      const Layer& l = c.layers[i];
      if (!l.HasWeights()) continue;
      size_t kept = 0;
      float min_kept = 1e30f, max_pruned = 0;
      for (size_t j = 0; j < l.mask.size(); j++) {
        const float a = std::fabs(m.layers[i].weights[j]);
        if (l.mask[j]) {
          kept++;
          min_kept = std::min(min_kept, a);
        } else {
          max_pruned = std::max(max_pruned, a);
          CHECK(l.weights[j] == 0.f);
        }
      }
      CHECK_MESSAGE(kept == KeepCount(l.weights.size(), s), l.name << " s=" << s);
      CHECK(min_kept >= max_pruned);
    }
  }
  CHECK(KeepCount(10, 0.25) == 8);   // 7.5 rounds half to even
  CHECK(KeepCount(10, 0.35) == 6);   // 6.5 -> 6
  CHECK(KeepCount(10, 0.999) == 1);  // never prunes everything
}

TEST_CASE("nn/pruning: ties are broken deterministically by index") {
  Layer l;
  l.name = "ties";
  l.kind = LayerKind::Conv;
  l.in_c = 8, l.out_c = 2;
  l.weights.assign(16, 1.0f);
  l.bias.assign(2, 0.f);
  REQUIRE(PruneLayer(l, 0.5, 1));
  for (size_t j = 0; j < 16; j++) CHECK(l.mask[j] == (j < 8 ? 1 : 0));
}

TEST_CASE("nn/pruning: blocks of 2 and 4 output channels share one sparsity pattern") {
  for (int block : {2, 4}) {
    Model m = SmallNet();
    PruneOptions po;
    po.block = block;
    REQUIRE(PruneLayers(m, 0.8, po));
    int checked = 0;
    for (const Layer& l : m.layers) {
      if (!l.sparse) continue;
      CHECK(l.block == block);
      for (int r = 0; r < l.out_c; r += block)
        for (int c = 0; c < l.in_c; c++)
          for (int k = 1; k < block; k++)
            REQUIRE(l.mask[size_t(r * l.in_c + c)] == l.mask[size_t((r + k) * l.in_c + c)]);
      size_t kept = 0;
      for (auto v : l.mask) kept += v;
      CHECK(kept == size_t(block) * KeepCount(l.weights.size() / size_t(block), 0.8));
      checked++;
    }
    CHECK(checked == 34);
  }
}

TEST_CASE("nn/pruning: PruneForLatencyOnXNNPack accepts MobileNetV2 and prunes only its 1x1 convolutions") {
  Model m = SmallNet();
  CHECK(CheckXnnpackSparsePolicy(m));
  PruneOptions po;
  REQUIRE(PruneToSparsity(m, 0.7, po));
  for (const Layer& l : m.layers) {
    if (!l.HasWeights()) continue;
    CHECK(l.mask.empty());  // stripped
    if (l.IsPointwise()) {
      CHECK(l.sparse);
      CHECK(LayerSparsity(l) == doctest::Approx(0.7).epsilon(0.01));
    } else {
      CHECK_FALSE(l.sparse);
      CHECK(LayerSparsity(l) < 0.01);
    }
  }
}

TEST_CASE("nn/pruning: the XNNPACK policy rejects a dense 3x3 convolution in the middle, naming it") {
  Model m = SmallNet();
  // Turn block_3_depthwise into a dense (groups=1) 3x3 convolution.
  for (auto& l : m.layers)
    if (l.name == "block_3_depthwise") {
      l.groups = 1;
      l.weights.assign(l.WeightCount(), 0.01f);
    }
  REQUIRE(m.InferShapes());
  const fk::Status s = CheckXnnpackSparsePolicy(m);
  REQUIRE_FALSE(s);
  CHECK(s.message().find("block_3_depthwise") != std::string::npos);
  PruneOptions po;
  CHECK_FALSE(PruneLayers(m, 0.5, po));
  po.policy = PrunePolicy::All;  // PruneAll does not care
  CHECK(PruneLayers(m, 0.5, po));
}

TEST_CASE("nn/pruning: the XNNPACK policy rejects a model that does not start with a 3x3 s2 conv on 3 channels") {
  Model m = SmallNet();
  m.layers[0].stride = 1;
  fk::Status s = CheckXnnpackSparsePolicy(m);
  REQUIRE_FALSE(s);
  CHECK(s.message().find("Conv1") != std::string::npos);
  CHECK(s.message().find("start with a 3x3 stride-2") != std::string::npos);

  Model n = SmallNet();  // and one whose end is not global average pooling
  for (auto& l : n.layers)
    if (l.kind == LayerKind::GlobalAvgPool) l.kind = LayerKind::Softmax;
  s = CheckXnnpackSparsePolicy(n);
  REQUIRE_FALSE(s);
  CHECK(s.message().find("global average pooling") != std::string::npos);
}

namespace {
bool SameWeights(const Model& a, const Model& b) {
  if (a.layers.size() != b.layers.size()) return false;
  for (size_t i = 0; i < a.layers.size(); i++) {
    const Layer &x = a.layers[i], &y = b.layers[i];
    if (x.name != y.name || x.weights != y.weights || x.bias != y.bias || x.mask != y.mask || x.sparse != y.sparse)
      return false;
  }
  return true;
}
}  // namespace

TEST_CASE("nn/graph: MobileNetV2 built in slices of any size is the one-shot model, bit for bit") {
  MobileNetV2Options o;
  o.width = 0.35f;
  o.input_size = 96;
  o.num_classes = 10;
  o.seed = 5;
  const Model whole = BuildMobileNetV2(o);
  REQUIRE(whole.ParameterCount() > 100000);
  for (size_t per_step : {size_t(1), size_t(977), size_t(1) << 18}) {
    MobileNetV2Build b(o, per_step);
    int steps = 0;
    float last = -1;
    bool monotone = true;
    while (!b.Step()) {
      steps++;
      monotone &= b.Progress() >= last;
      last = b.Progress();
    }
    CAPTURE(per_step);
    CHECK(monotone);
    CHECK(b.Progress() == doctest::Approx(1.0));
    CHECK(steps + 1 >= int(whole.ParameterCount() / per_step));  // it really paused
    CHECK(SameWeights(b.Take(), whole));
  }
}

TEST_CASE("nn/pruning: PruneTask, a layer per step, equals PruneLayers + Strip; a bad graph fails at once") {
  const Model base = SmallNet();
  for (PrunePolicy policy : {PrunePolicy::ForLatencyOnXNNPack, PrunePolicy::All}) {
    for (int block : {1, 2}) {
      PruneOptions po;
      po.policy = policy;
      po.block = block;
      Model expected = base;
      REQUIRE(PruneLayers(expected, 0.8, po));
      Strip(expected);
      Model m = base;
      PruneTask t(m, 0.8, po);
      int steps = 0;
      while (!t.Step()) steps++;
      CAPTURE(block);
      CHECK(t.status());
      CHECK(steps == int(PrunableLayers(base, po)->size()));  // a layer per step, then the strip
      CHECK(SameWeights(m, expected));
    }
  }
  Model bad = base;
  bad.layers[1].kernel = 5;  // not a graph XNNPACK's sparse path runs
  PruneOptions po;
  Model before = bad;
  PruneTask t(bad, 0.5, po);
  CHECK(t.Step());
  CHECK_FALSE(t.status());
  CHECK(t.status().message().find(bad.layers[1].name) != std::string::npos);
  CHECK(SameWeights(bad, before));  // nothing touched
}
