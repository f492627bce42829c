#include <doctest/doctest.h>

#include <cmath>

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

}  // namespace fk::nn
