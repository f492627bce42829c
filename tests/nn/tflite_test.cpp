#include <doctest/doctest.h>

#include <cmath>

#include "kernels/nn_kernels.h"
#include "nn/model_zoo.h"
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
    CAPTURE(bm.name);
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

}  // namespace fk::nn
