#include <doctest/doctest.h>

#include <vector>

#include "plot/ticks.h"

using namespace fk::plot;

TEST_CASE("plot/ticks: nice steps are 1, 2 or 5 times a power of ten") {
  auto t = NiceTicks(0, 37.2, 6);
  CHECK(t.step == doctest::Approx(10));
  CHECK(t.values == std::vector<double>{0, 10, 20, 30});
  t = NiceTicks(-0.13, 0.42, 8);
  CHECK(t.step == doctest::Approx(0.1));
  CHECK(t.values.front() == doctest::Approx(-0.1));
  CHECK(t.values.back() == doctest::Approx(0.4));
  CHECK(NiceTicks(1, 1, 5).values.empty());  // empty range: no ticks, no loop
}

TEST_CASE("plot/ticks: labels carry just enough decimals") {
  CHECK(FormatTick(20, 10) == "20");
  CHECK(FormatTick(0.25, 0.05) == "0.25");
  CHECK(FormatTick(1.5, 0.5) == "1.5");
  CHECK(FormatTick(15000, 5000) == "15k");
  CHECK(FormatTick(2e6, 5e5) == "2M");
}

TEST_CASE("plot/ticks: a flat range gets padded instead of collapsing") {
  double lo = 5, hi = 5;
  NiceRange(&lo, &hi, false);
  CHECK(lo < 5);
  CHECK(hi > 5);
  lo = 2, hi = 8;
  NiceRange(&lo, &hi, true);
  CHECK(lo == 0);
  CHECK(hi > 8);
}

TEST_CASE("plot/decimate: a single spike in 100k points survives decimation to 200 columns") {
  const size_t n = 100000;
  std::vector<double> xs(n), ys(n, 1.0);
  for (size_t i = 0; i < n; i++) xs[i] = double(i);
  ys[54321] = 1000.0;
  ys[77777] = -500.0;
  auto pts = DecimateMinMax(xs.data(), ys.data(), n, 0, double(n), 200);
  CHECK(pts.size() <= 200 * 4);
  double mx = -1e9, mn = 1e9;
  for (auto& p : pts) {
    mx = std::max(mx, p.y);
    mn = std::min(mn, p.y);
  }
  CHECK(mx == 1000.0);
  CHECK(mn == -500.0);
  for (size_t i = 1; i < pts.size(); i++) CHECK(pts[i].x >= pts[i - 1].x);
}
