#include <doctest/doctest.h>

#include <vector>

#include <nlohmann/json.hpp>

#include "core/rng.h"
#include "kernels/f32_blas.h"
#include "kernels/microbench.h"

using namespace fk::kernels;

TEST_CASE("kernels/microbench: GFLOP/s arithmetic") {
  // 2*64^3 flops per call, 1000 calls in 10 ms -> 52.4288 GFLOP/s
  CHECK(Gflops(2.0 * 64 * 64 * 64, 1000, 10.0) == doctest::Approx(52.4288));
  CHECK(Gflops(100, 10, 0.0) == 0.0);  // no division by zero
}

TEST_CASE("kernels/microbench: median of odd and even samples, input order irrelevant") {
  CHECK(Median({3, 1, 2}) == 2);
  CHECK(Median({4, 1, 3, 2}) == doctest::Approx(2.5));
  CHECK(Median({}) == 0);
}

TEST_CASE("kernels/microbench: relative error is norm-wise, with a floor for all-zero outputs") {
  const float a[] = {1.0f, 0.0f, 2.0f}, b[] = {1.1f, 1e-6f, 2.0f};
  CHECK(MaxRelErr(a, b, 3) == doctest::Approx(0.1 / 2.0).epsilon(1e-3));
  const float z[] = {0.f, 0.f}, e[] = {1e-6f, 0.f};
  CHECK(MaxRelErr(e, z, 2) == doctest::Approx(1e-3).epsilon(1e-2));  // 1e-6 / floor 1e-3
}

TEST_CASE("kernels/f32_blas: every variant matches the scalar oracle across shapes") {
  fk::Rng rng(7);
  const auto variants = F32BlasVariants();
  REQUIRE(variants.size() >= 2);  // scalar + at least one SIMD variant on every target we ship
  for (size_t n : {0, 1, 3, 4, 15, 16, 17, 33, 64, 1000}) {
    std::vector<float> a(n), b(n);
    for (auto& x : a) x = rng.Uniform(-1, 1);
    for (auto& x : b) x = rng.Uniform(-1, 1);
    const float ref = f32_dot__scalar(a.data(), b.data(), n);
    for (auto& v : variants) {
      CAPTURE(v.isa);
      CAPTURE(n);
      CHECK(v.dot(a.data(), b.data(), n) == doctest::Approx(ref).epsilon(1e-4));
    }
  }
  const size_t shapes[][3] = {{1, 1, 1}, {4, 16, 8}, {5, 17, 3}, {7, 9, 31}, {64, 64, 64}, {13, 40, 1}};
  for (auto& s : shapes) {
    const size_t M = s[0], N = s[1], K = s[2];
    std::vector<float> A(M * K), B(K * N), ref(M * N), out(M * N, -99.f);
    for (auto& x : A) x = rng.Uniform(-1, 1);
    for (auto& x : B) x = rng.Uniform(-1, 1);
    f32_gemm__scalar(M, N, K, A.data(), B.data(), ref.data());
    for (auto& v : variants) {
      CAPTURE(v.isa);
      CAPTURE(M);
      CAPTURE(N);
      CAPTURE(K);
      std::fill(out.begin(), out.end(), -99.f);
      v.gemm(M, N, K, A.data(), B.data(), out.data());
      CHECK(MaxRelErr(out.data(), ref.data(), out.size()) < 1e-4);
    }
  }
  for (size_t n : {0, 1, 3, 4, 7, 8, 15, 16, 17, 33, 1000}) {  // every tail of 4-, 8- and 16-float loops
    std::vector<float> x(n), y0(n);
    for (auto& e : x) e = rng.Uniform(-1, 1);
    for (auto& e : y0) e = rng.Uniform(-1, 1);
    std::vector<float> ref = y0;
    f32_axpy__scalar(n, -0.75f, x.data(), ref.data());
    if (n) CHECK(ref[n - 1] == doctest::Approx(y0[n - 1] - 0.75f * x[n - 1]));
    for (auto& v : variants) {
      CAPTURE(v.isa);
      CAPTURE(n);
      std::vector<float> y = y0;
      v.axpy(n, -0.75f, x.data(), y.data());
      CHECK(MaxRelErr(y.data(), ref.data(), n) < 1e-6);
    }
  }
}

TEST_CASE("kernels/microbench: a short run reports positive, consistent numbers") {
  MicroBenchOptions opt;
  opt.repeats = 1;
  opt.batch_ms = 0.5;
  MicroBench b(opt);
  int steps = 0;
  while (!b.Step()) {
    ++steps;
    CHECK(b.Progress() < 1.f);
  }
  CHECK(steps == 3);  // 4 timed batches: dot/gemm × scalar/simd
  const auto& r = b.Result();
  CHECK(r.scalar_gflops > 0);
  CHECK(r.simd_gflops > 0);
  CHECK(r.dot_scalar_gflops > 0);
  CHECK(r.speedup == doctest::Approx(r.simd_gflops / r.scalar_gflops));
  CHECK(r.max_rel_err < 1e-4);
  CHECK(r.ToJson()["scalar_gflops"] == r.scalar_gflops);
}
