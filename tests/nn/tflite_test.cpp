#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <numeric>

#include "kernels/nn_kernels.h"
#include "nn/model_zoo.h"
#include "nn/reference.h"
#include "nn/net_executor.h"
#include "nn/tflite.h"
#include "tflite_models.h"

namespace fk::nn {

namespace {
double MaxRelErr(const float* a, const float* b, size_t n) {
  double m = 0, d = 0;
  for (size_t i = 0; i < n; ++i) {
    m = std::max(m, double(std::fabs(b[i])));
    d = std::max(d, double(std::fabs(a[i] - b[i])));
  }
  return m > 0 ? d / m : d;
}
}  // namespace

TEST_CASE("tflite: every bundled model imports and runs; scalar, best, dense and sparse agree") {
  for (const BundledModel& bm : BundledModels()) {
    CAPTURE(std::string(bm.name));
    std::vector<uint8_t> bytes = test::ReadHostFile(test::ModelDir() + "/" + bm.file);
    REQUIRE_MESSAGE(!bytes.empty(), "missing ", bm.file, ": run `make deps`");
    Result<Net> net = ImportTflite(bytes.data(), bytes.size(), bm.file);
    REQUIRE_MESSAGE(net.ok(), net.status().message());
    NetExecutorOptions dense_opt;
    dense_opt.sparse = SparseChoice::Never;
    NetExecutorOptions sparse_opt;
    sparse_opt.sparse = SparseChoice::Always;
    auto ref = NetExecutor::Create(*net, kernels::ScalarNnKernels(), dense_opt);
    REQUIRE_MESSAGE(ref.ok(), ref.status().message());
    auto best = NetExecutor::Create(*net, kernels::BestNnKernels(), sparse_opt);
    REQUIRE(best.ok());
    std::vector<float> x = test::PatternInput(ref->InputSize());
    ref->Run(x.data());
    best->Run(x.data());
    REQUIRE(ref->NumOutputs() == net->outputs.size());
    for (size_t o = 0; o < ref->NumOutputs(); ++o) {
      CAPTURE(ref->OutputName(o));
      for (size_t i = 0; i < ref->OutputSize(o); ++i) REQUIRE(std::isfinite(ref->Output(o)[i]));
      CHECK(MaxRelErr(best->Output(o), ref->Output(o), ref->OutputSize(o)) < 1e-5);
    }
  }
}

TEST_CASE("tflite: NetExecutorBuilder lowers one operator per step and builds what Create builds") {
  const BundledModel& bm = BundledModels().front();
  std::vector<uint8_t> bytes = test::ReadHostFile(test::ModelDir() + "/" + bm.file);
  REQUIRE_MESSAGE(!bytes.empty(), "missing ", bm.file, ": run `make deps`");
  Result<Net> net = ImportTflite(bytes.data(), bytes.size(), bm.file);
  REQUIRE(net.ok());
  NetExecutorOptions o;
  o.sparse = SparseChoice::Always;
  NetExecutorBuilder b(*net, kernels::BestNnKernels(), o);
  CHECK_FALSE(b.Take().ok());  // not before the last step
  size_t steps = 0;
  float last = 0.f;
  while (!b.Step()) {
    ++steps;
    CHECK(b.Progress() >= last);
    CHECK(b.Progress() < 1.f);
    last = b.Progress();
  }
  ++steps;
  REQUIRE(b.status().ok());
  CHECK(b.OpsTotal() > 10);
  CHECK(b.OpsTotal() <= net->ops.size());  // fusion removes some
  CHECK(steps == b.OpsTotal() + 2);       // begin, one per operator, finish
  CHECK(b.Progress() == 1.f);
  auto stepped = b.Take();
  REQUIRE(stepped.ok());
  CHECK_FALSE(b.Take().ok());  // once
  auto whole = NetExecutor::Create(*net, kernels::BestNnKernels(), o);
  REQUIRE(whole.ok());
  CHECK(stepped->Description() == whole->Description());
  CHECK(stepped->NumSteps() == whole->NumSteps());
  std::vector<float> x = test::PatternInput(whole->InputSize());
  stepped->Run(x.data());
  whole->Run(x.data());
  for (size_t out = 0; out < whole->NumOutputs(); ++out)
    for (size_t i = 0; i < whole->OutputSize(out); ++i) REQUIRE(stepped->Output(out)[i] == whole->Output(out)[i]);
}

TEST_CASE("tflite: NetExecutorBuilder reports a model it cannot lower through status()") {
  Net net;
  net.name = "two-inputs.tflite";
  net.inputs = {0, 1};
  NetExecutorBuilder b(net, kernels::BestNnKernels());
  size_t guard = 0;
  while (!b.Step() && ++guard < 10) {
  }
  CHECK(guard < 10);
  CHECK_FALSE(b.status().ok());
  CHECK(b.status().message().find("2 inputs") != std::string::npos);
  CHECK(b.Progress() == 1.f);
  CHECK_FALSE(b.Take().ok());
}

TEST_CASE("tflite: every bundled model matches the TFLite runtime's outputs (max_rel_err <= 1e-4), dense and sparse") {
  const struct {
    const char* fixture;
    const char* name;
  } cases[] = {{"face_full", "mediapipe:face_full"},
               {"face_full_sparse", "mediapipe:face_full_sparse"},
               {"face_short", "mediapipe:face_short"},
               {"hand_lite", "mediapipe:hand_lite"},
               {"hand_full", "mediapipe:hand_full"}};
  for (const auto& c : cases) {
    CAPTURE(std::string(c.name));
    std::vector<uint8_t> text = test::ReadHostFile(std::string(FIELDKIT_SOURCE_DIR) + "/tests/reference/fixtures/" + c.fixture + ".json");
    REQUIRE(!text.empty());
    auto ref = ParseReference(std::string(text.begin(), text.end()), c.fixture);
    REQUIRE_MESSAGE(ref.ok(), ref.status().message());
    const BundledModel* bm = FindBundledModel(c.name);
    REQUIRE(bm);
    CHECK(ref->file == bm->file);
    std::vector<uint8_t> bytes = test::ReadHostFile(test::ModelDir() + "/" + bm->file);
    REQUIRE_MESSAGE(!bytes.empty(), "missing ", bm->file, ": run `make deps`");
    auto net = ImportTflite(bytes.data(), bytes.size(), bm->file);
    REQUIRE(net.ok());
    for (SparseChoice sc : {SparseChoice::Never, SparseChoice::Always}) {
      NetExecutorOptions o;
      o.sparse = sc;
      for (const kernels::NnKernels* k : {&kernels::ScalarNnKernels(), &kernels::BestNnKernels()}) {
        CAPTURE(k->isa);
        CAPTURE(int(sc));
        auto ex = NetExecutor::Create(*net, *k, o);
        REQUIRE(ex.ok());
        std::vector<float> x = ReferenceInput(ex->InputSize());
        ex->Run(x.data());
        auto err = MaxRelErrVsReference(*ex, *ref);
        REQUIRE_MESSAGE(err.ok(), err.status().message());
        CHECK(*err <= 1e-4);
        const std::string what = std::string(c.name) + " " + k->isa +
                                 (sc == SparseChoice::Never ? " dense" : " sparse") + ": max_rel_err " +
                                 std::to_string(*err);
        MESSAGE(what);
      }
    }
  }
}

// The second reference: Arm NN 20.08's CpuRef backend (tests/reference/armnn_reference.py,
// fixtures/<short>.armnn.json). Arm NN runs face_short and both hand models (after the script folds
// their fp16 DEQUANTIZEs); it refuses face_full_sparse (DEPTH_TO_SPACE) and gets face_full wrong
// (it ignores RESIZE_BILINEAR's half_pixel_centers), so those have no fixture (see the README).
TEST_CASE("tflite: the models Arm NN runs match its CpuRef outputs (max_rel_err <= 1e-4)") {
  // These must have a fixture: a regenerated set that lost one fails here, not silently.
  const std::vector<std::string> required = {"mediapipe:face_short", "mediapipe:hand_lite", "mediapipe:hand_full"};
  size_t checked = 0;
  for (const BundledModel& bm : BundledModels()) {
    const std::string shortname = ShortName(bm);
    CAPTURE(shortname);
    std::vector<uint8_t> text =
        test::ReadHostFile(std::string(FIELDKIT_SOURCE_DIR) + "/tests/reference/fixtures/" + shortname + ".armnn.json");
    const bool must = std::find(required.begin(), required.end(), bm.name) != required.end();
    if (text.empty()) {
      CHECK_MESSAGE(!must, "tests/reference/fixtures/", shortname, ".armnn.json is missing");
      continue;
    }
    auto ref = ParseReference(std::string(text.begin(), text.end()), shortname + ".armnn.json");
    REQUIRE_MESSAGE(ref.ok(), ref.status().message());
    CHECK(ref->model == bm.name);
    CHECK(ref->file == bm.file);
    CHECK(ref->runtime.find("Arm NN") != std::string::npos);
    std::vector<uint8_t> bytes = test::ReadHostFile(test::ModelDir() + "/" + bm.file);
    REQUIRE_MESSAGE(!bytes.empty(), "missing ", bm.file, ": run `make deps`");
    auto net = ImportTflite(bytes.data(), bytes.size(), bm.file);
    REQUIRE(net.ok());
    // Scalar dense and best sparse: both kernel sets, both weight layouts.
    const struct {
      const kernels::NnKernels* k;
      SparseChoice sparse;
    } runs[] = {{&kernels::ScalarNnKernels(), SparseChoice::Never}, {&kernels::BestNnKernels(), SparseChoice::Always}};
    for (const auto& r : runs) {
      CAPTURE(r.k->isa);
      CAPTURE(int(r.sparse));
      NetExecutorOptions o;
      o.sparse = r.sparse;
      auto ex = NetExecutor::Create(*net, *r.k, o);
      REQUIRE(ex.ok());
      REQUIRE(ex->InputSize() == size_t(std::accumulate(ref->input_shape.begin(), ref->input_shape.end(), 1,
                                                         std::multiplies<int>())));
      std::vector<float> x = ReferenceInput(ex->InputSize());
      ex->Run(x.data());
      auto err = MaxRelErrVsReference(*ex, *ref);
      REQUIRE_MESSAGE(err.ok(), err.status().message());
      CHECK(*err <= 1e-4);
      char what[160];
      std::snprintf(what, sizeof what, "%s %s %s vs Arm NN: max_rel_err %.3g", bm.name, r.k->isa.c_str(),
                    r.sparse == SparseChoice::Never ? "dense" : "sparse", *err);
      MESSAGE(what);
      // The bar can fail: one reference value moved by 2e-4 of its output's scale must exceed it.
      ReferenceFixture bad = *ref;
      std::vector<float>& v = bad.outputs[0].values;
      float scale = 0;
      for (float f : v) scale = std::max(scale, std::fabs(f));
      v[v.size() / 2] += 2e-4f * scale;
      auto bad_err = MaxRelErrVsReference(*ex, bad);
      REQUIRE(bad_err.ok());
      CHECK(*bad_err > 1e-4);
    }
    ++checked;
  }
  CHECK(checked >= required.size());
}

}  // namespace fk::nn
