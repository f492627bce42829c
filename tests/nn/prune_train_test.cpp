// nn::PruneTrainSession: dense training, one-shot pruning and the seed's
// 3-step strategy as one sliced job, each model scored as it ships.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "kernels/nn_kernels.h"
#include "nn/executor.h"
#include "nn/model_file.h"
#include "nn/prune_train.h"

using namespace fk::nn;

namespace {

// A small, learnable set: easy shapes, few examples, so a test trains in well under a second.
GenOptions SmallData() {
  GenOptions g;
  g.train = 960;
  g.val = 160;
  g.test = 320;
  g.difficulty = 0.f;
  return g;
}

PruneTrainOptions SmallRun() {
  PruneTrainOptions o;
  o.epochs = 3;
  o.lr = 0.1f;
  o.prune_epochs = 1;
  o.finetune_epochs = 1;
  o.frequency = 10;
  o.latency_runs = 2;
  return o;
}

void RunToEnd(PruneTrainSession& s) {
  int guard = 0;
  while (!s.Step()) REQUIRE(++guard < 10000000);
}

double ZeroShare(const Model& m) {  // in the 1x1 layers PruneForLatencyOnXNNPack prunes
  PruneOptions po;
  auto layers = PrunableLayers(m, po);
  REQUIRE(layers.ok());
  size_t z = 0, n = 0;
  for (int i : *layers) {
    for (float w : m.layers[size_t(i)].weights) z += w == 0.f;
    n += m.layers[size_t(i)].weights.size();
  }
  return double(z) / double(n);
}

}  // namespace

TEST_CASE("nn/prune_train: dense, one-shot and 3-step models, scored as they ship") {
  GeneratedShapes data(SmallData());
  PruneTrainOptions o = SmallRun();
  o.sparsities = {0.8};
  PruneTrainSession s(data, o);
  RunToEnd(s);
  REQUIRE_MESSAGE(s.status().ok(), s.status().message());
  const auto& r = s.Results();
  REQUIRE(r.size() == 3);
  CHECK(r[0].strategy == "dense");
  CHECK(r[1].strategy == "one-shot");
  CHECK(r[2].strategy == "3step");
  // The dense model learned something (10 classes: chance is 0.1).
  CHECK(r[0].accuracy > 0.3);
  CHECK(r[0].top1_drop == 0);
  for (const PruneTrainResult& x : r) {
    CHECK(x.accuracy >= 0);
    CHECK(x.accuracy <= 1);
    CHECK(x.top1_drop == doctest::Approx(r[0].accuracy - x.accuracy));
    CHECK(x.model_bytes > 0);
    CHECK(x.median_ms_dense > 0);
    CHECK(x.median_ms_sparse > 0);
    for (const Layer& l : x.model.layers) CHECK(l.mask.empty());  // stripped
  }
  // Both pruned models hold the target sparsity exactly (KeepCount per layer), stored smaller.
  CHECK(ZeroShare(r[1].model) == doctest::Approx(0.8).epsilon(0.01));
  CHECK(ZeroShare(r[2].model) == doctest::Approx(0.8).epsilon(0.01));
  CHECK(r[2].achieved_sparsity == doctest::Approx(ZeroShare(r[2].model)));
  CHECK(r[1].model_bytes < r[0].model_bytes);
  CHECK(r[2].train_steps == 2 * (960 / 32));
  // The scored accuracy is the shipped model's: re-score the 3-step model here.
  auto ex = Executor::Create(r[2].model, fk::kernels::BestNnKernels());
  REQUIRE(ex.ok());
  std::vector<uint8_t> rgb(size_t(data.ValuesPerImage()));
  std::vector<float> x(rgb.size());
  int correct = 0;
  for (int i = 0; i < data.Size(Split::kTest); ++i) {
    int label = 0;
    data.GetRgb8(Split::kTest, i, rgb.data(), &label);
    for (size_t k = 0; k < rgb.size(); ++k) x[k] = float(rgb[k]) / 255.f;
    ex->Run(x.data());
    const float* lg = ex->Logits();
    int best = 0;
    for (int c = 1; c < 10; ++c)
      if (lg[c] > lg[best]) best = c;
    correct += best == label;
  }
  CHECK(r[2].accuracy == doctest::Approx(correct / double(data.Size(Split::kTest))));
  // The contract's keys, and the curve (dense, prune, finetune stages; validation at epoch ends).
  const nlohmann::json j = s.Json();
  for (const char* k : {"sparsity", "strategy", "accuracy", "top1_drop", "model_bytes", "median_ms_dense",
                        "median_ms_sparse"})
    CHECK_MESSAGE(j["results"][2].contains(k), k);
  CHECK(j["images_per_s"].get<double>() > 0);
  const auto& curve = s.Curve();
  REQUIRE(!curve.empty());
  int val_points = 0;
  bool saw_prune = false, saw_finetune = false;
  for (const TrainCurvePoint& p : curve) {
    val_points += p.val_accuracy >= 0;
    saw_prune |= p.stage.rfind("prune", 0) == 0;
    saw_finetune |= p.stage.rfind("finetune", 0) == 0;
    CHECK(std::isfinite(p.loss));
  }
  CHECK(val_points == 3 + 1 + 1);  // an epoch's end each: 3 dense, 1 prune, 1 finetune
  CHECK(saw_prune);
  CHECK(saw_finetune);
  // The schedule reached its target in stage 2 (PolynomialDecay's last mask update).
  double last_prune_target = 0;
  for (const TrainCurvePoint& p : curve)
    if (p.stage.rfind("prune", 0) == 0) last_prune_target = p.sparsity;
  CHECK(last_prune_target == doctest::Approx(0.8));
}

TEST_CASE("nn/prune_train: the same options give the same numbers however the work is sliced") {
  GenOptions g = SmallData();
  g.train = 320;
  g.val = g.test = 64;
  GeneratedShapes data(g);
  PruneTrainOptions o = SmallRun();
  o.epochs = 1;
  o.sparsities = {0.5};
  o.one_shot = false;
  o.latency_runs = 0;
  PruneTrainSession a(data, o), b(data, o);
  RunToEnd(a);
  // b: interleaved with reads of its progress and detail, as the panel does.
  float last = 0;
  while (!b.Step()) {
    CHECK(b.Progress() >= last - 1e-6f);
    last = b.Progress();
    (void)b.Detail();
  }
  REQUIRE(a.status().ok());
  REQUIRE(b.status().ok());
  REQUIRE(a.Results().size() == 2);
  REQUIRE(b.Results().size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(a.Results()[i].accuracy == b.Results()[i].accuracy);
    CHECK(a.Results()[i].model.layers[3].weights == b.Results()[i].model.layers[3].weights);
  }
}

TEST_CASE("nn/prune_train: from a saved dense model; ConstantSparsity; bad options and mismatches") {
  GeneratedShapes data(SmallData());
  PruneTrainOptions o = SmallRun();
  o.epochs = 1;
  o.latency_runs = 0;
  PruneTrainSession train(data, o);
  RunToEnd(train);
  REQUIRE(train.status().ok());
  REQUIRE(train.DenseModel() != nullptr);
  auto bytes = SaveModelBytes(*train.DenseModel());
  REQUIRE(bytes.ok());
  auto back = LoadModelBytes(bytes->data(), bytes->size());
  REQUIRE(back.ok());

  PruneTrainOptions p = o;
  p.sparsities = {0.7};
  p.schedule = SparsitySchedule::Constant;
  PruneTrainSession s(data, *back, p);
  RunToEnd(s);
  REQUIRE_MESSAGE(s.status().ok(), s.status().message());
  REQUIRE(s.Results().size() == 3);
  // The dense row re-scores the saved model: the same accuracy as when it was trained.
  CHECK(s.Results()[0].accuracy == train.Results()[0].accuracy);
  CHECK(ZeroShare(s.Results()[2].model) == doctest::Approx(0.7).epsilon(0.01));

  // Mismatches and bad options are errors that say what is wrong.
  GenOptions g48 = SmallData();
  g48.image_size = 48;
  GeneratedShapes data48(g48);
  PruneTrainSession wrong_size(data48, *back, p);
  CHECK(wrong_size.Step());
  CHECK(wrong_size.status().message().find("32x32") != std::string::npos);
  PruneTrainOptions bad = p;
  bad.sparsities = {1.0};
  PruneTrainSession bad_s(data, bad);
  CHECK(bad_s.Step());
  CHECK(bad_s.status().message().find("sparsity 1") != std::string::npos);
  bad = p;
  bad.one_shot = bad.three_step = false;
  PruneTrainSession none(data, bad);
  CHECK(none.Step());
  CHECK(none.status().message().find("strategy") != std::string::npos);
}

TEST_CASE("nn/train: batch norm calibrated as the identity on a folded model computes what the model does") {
  GeneratedShapes data(SmallData());
  PruneTrainOptions o = SmallRun();
  o.epochs = 1;
  o.latency_runs = 0;
  PruneTrainSession s(data, o);
  RunToEnd(s);
  REQUIRE(s.status().ok());
  const Model& folded = *s.DenseModel();
  TrainOptions to;
  to.batch_norm = true;
  to.max_batch = 16;
  auto tr = Trainer::Create(folded, to);
  REQUIRE(tr.ok());
  const int side = data.ImageSize(), n = 16;
  const size_t per = size_t(side) * size_t(side) * 3;
  std::vector<uint8_t> rgb(per);
  std::vector<float> calib(per * n), test(per * n);
  for (int i = 0; i < n; ++i) {
    data.GetRgb8(Split::kTrain, i, rgb.data(), nullptr);
    for (size_t k = 0; k < per; ++k) calib[size_t(i) * per + k] = float(rgb[k]) / 255.f;
    data.GetRgb8(Split::kTest, i, rgb.data(), nullptr);
    for (size_t k = 0; k < per; ++k) test[size_t(i) * per + k] = float(rgb[k]) / 255.f;
  }
  REQUIRE(tr->CalibrateBatchNormAsIdentity(calib.data(), n).ok());
  // Eval mode on other pictures: the folded model's logits.
  std::vector<float> logits(size_t(n) * 10);
  REQUIRE(tr->PredictLogits(test.data(), n, logits.data()).ok());
  auto ex = Executor::Create(folded, fk::kernels::ScalarNnKernels());
  REQUIRE(ex.ok());
  double worst = 0, scale = 0;
  for (int i = 0; i < n; ++i) {
    ex->Run(test.data() + size_t(i) * per);
    for (int c = 0; c < 10; ++c) {
      worst = std::max(worst, double(std::abs(ex->Logits()[c] - logits[size_t(i) * 10 + c])));
      scale = std::max(scale, double(std::abs(ex->Logits()[c])));
    }
  }
  CHECK(worst <= 1e-4 * std::max(1.0, scale));
  // Export gives the folded model back (up to rounding).
  const Model back = tr->Export();
  double wdiff = 0;
  for (size_t l = 0; l < back.layers.size(); ++l)
    for (size_t k = 0; k < back.layers[l].weights.size(); ++k)
      wdiff = std::max(wdiff, double(std::abs(back.layers[l].weights[k] - folded.layers[l].weights[k])));
  CHECK(wdiff < 1e-4);
  // A model without batch norm in its options has nothing to calibrate.
  to.batch_norm = false;
  auto plain = Trainer::Create(folded, to);
  REQUIRE(plain.ok());
  CHECK_FALSE(plain->CalibrateBatchNormAsIdentity(calib.data(), n).ok());
}
