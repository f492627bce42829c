#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/linalg.h"

namespace {
// A random SPD matrix G = B B' + n I (the shape of a ridge Gram matrix).
std::vector<double> Spd(size_t n, unsigned seed) {
  std::vector<double> b(n * n), g(n * n, 0.0);
  for (auto& v : b) {
    seed = seed * 1103515245u + 12345u;
    v = double((seed >> 8) % 2001) / 1000.0 - 1.0;
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) {
      for (size_t k = 0; k < n; k++) g[i * n + j] += b[i * n + k] * b[j * n + k];
      if (i == j) g[i * n + j] += double(n);
    }
  return g;
}
}  // namespace

TEST_CASE("core/linalg: Dot sums every tail length") {
  std::vector<double> a(11), b(11);
  for (size_t i = 0; i < 11; i++) a[i] = double(i + 1), b[i] = 0.5;
  for (size_t n = 0; n <= 11; n++) CHECK(fk::Dot(a.data(), b.data(), n) == 0.25 * double(n * (n + 1)));
}

TEST_CASE("core/linalg: Cholesky solves and inverts SPD systems; refuses the rest") {
  std::vector<double> a = {4, 2, 2, 3}, b = {2, 1};
  REQUIRE(fk::CholeskyFactor(a.data(), 2));
  CHECK(a[0] == 2);
  CHECK(a[2] == 1);
  CHECK(a[3] == doctest::Approx(std::sqrt(2.0)));
  fk::CholeskySolve(a.data(), 2, b.data());
  CHECK(b[0] == doctest::Approx(0.5));
  CHECK(b[1] == doctest::Approx(0.0));

  for (size_t n : {1u, 3u, 7u, 20u}) {
    CAPTURE(n);
    const std::vector<double> g = Spd(n, unsigned(n));
    std::vector<double> x(n), rhs(n), l = g;
    for (size_t i = 0; i < n; i++) x[i] = double(i) - 2.5;
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < n; j++) rhs[i] += g[i * n + j] * x[j];
    REQUIRE(fk::CholeskyFactor(l.data(), n));
    fk::CholeskySolve(l.data(), n, rhs.data());
    for (size_t i = 0; i < n; i++) CHECK(rhs[i] == doctest::Approx(x[i]).epsilon(1e-10));
    std::vector<double> inv = g;
    REQUIRE(fk::InvertSpd(inv.data(), n));
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < n; j++) {
        double s = 0;
        for (size_t k = 0; k < n; k++) s += g[i * n + k] * inv[k * n + j];
        CHECK(s == doctest::Approx(i == j ? 1.0 : 0.0).epsilon(1e-10));
        CHECK(inv[i * n + j] == inv[j * n + i]);
      }
  }
  std::vector<double> indefinite = {1, 2, 2, 1}, keep = indefinite;
  CHECK_FALSE(fk::InvertSpd(indefinite.data(), 2));
  CHECK(indefinite == keep);
  std::vector<double> nan = {NAN, 0, 0, 1};
  CHECK_FALSE(fk::CholeskyFactor(nan.data(), 2));
}
