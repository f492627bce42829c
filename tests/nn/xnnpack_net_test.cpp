// XnnpackNetRunner (xnnpack_backend.h) on the hand-built net with one of every
// imported operator, against our own NetExecutor with the scalar kernels. Runs
// wherever XNNPACK is built in: natively Debian's 2022 library, in the wasm
// suite the 2024 source (which also has CONCATENATION).
#include <doctest/doctest.h>

#include <vector>

#include "kernels/microbench.h"
#include "kernels/nn_kernels.h"
#include "nn/net_executor.h"
#include "nn/xnnpack_backend.h"
#include "tiny_net.h"

using namespace fk::nn;

TEST_CASE("nn/xnnpack: built in wherever FIELDKIT_HAS_XNNPACK says so, and initialises") {
#ifdef FIELDKIT_HAS_XNNPACK
  CHECK(XnnpackAvailable());
  CHECK((XnnpackApi() == 2022 || XnnpackApi() == 2024));
#else
  CHECK_FALSE(XnnpackAvailable());
  CHECK_FALSE(XnnpackNetRunner::Create(fk::test::TinyNet()));
#endif
}

TEST_CASE("nn/xnnpack: an imported net with every operator runs as our executor does (2022: no CONCATENATION)") {
  if (!XnnpackAvailable()) return;
  const Net net = fk::test::TinyNet();
  auto x = XnnpackNetRunner::Create(net);
  if (XnnpackApi() < 2024) {
    REQUIRE_FALSE(x);
    CHECK(x.status().message().find("CONCATENATION") != std::string::npos);
    return;
  }
  REQUIRE_MESSAGE(x, x.status().message());
  NetExecutorOptions o;
  o.sparse = SparseChoice::Never;
  auto ex = NetExecutor::Create(net, fk::kernels::ScalarNnKernels(), o);
  REQUIRE_MESSAGE(ex.ok(), ex.status().message());
  std::vector<float> in(ex->InputSize());
  for (size_t i = 0; i < in.size(); ++i) in[i] = float(int(i * 7919 % 201) - 100) / 100.f;
  ex->Run(in.data());
  (*x)->SetInput(in.data());
  REQUIRE((*x)->Invoke());
  REQUIRE((*x)->NumOutputs() == ex->NumOutputs());
  for (size_t i = 0; i < ex->NumOutputs(); ++i) {
    CAPTURE(ex->OutputName(i));
    REQUIRE((*x)->OutputSize(i) == ex->OutputSize(i));
    CHECK(fk::kernels::MaxRelErr((*x)->Output(i), ex->Output(i), ex->OutputSize(i), 1e-30) < 1e-4);
  }
}
