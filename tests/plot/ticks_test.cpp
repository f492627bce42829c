#include <doctest/doctest.h>

#include <cmath>
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

// 2021-06-05T00:00:00Z, a Saturday.
static constexpr double kJun5 = 1622851200;

TEST_CASE("plot/time ticks: six hours on a wide axis tick every hour, on the hour") {
  const double lo = kJun5 + 14 * 3600 + 17 * 60, hi = lo + 6 * 3600;
  auto t = TimeTicks(lo, hi, 8);
  CHECK(t.step == 3600);
  REQUIRE(t.values.size() == 6);
  CHECK(t.values.front() == kJun5 + 15 * 3600);
  for (double v : t.values) CHECK(std::fmod(v, 3600.0) == 0);
  CHECK(FormatTimeTick(t.values.front(), t.step) == "15:00");
}

TEST_CASE("plot/time ticks: the step grows with the range and shrinks with the room") {
  SUBCASE("30 minutes, room for 7 ticks: every 5 minutes") {
    auto t = TimeTicks(kJun5 + 600, kJun5 + 600 + 1800, 7);
    CHECK(t.step == 300);
    CHECK(FormatTimeTick(t.values[1], t.step) == "00:15");
  }
  SUBCASE("a week, room for 8 ticks: daily, labelled with dates") {
    auto t = TimeTicks(kJun5, kJun5 + 7 * 86400, 8);
    CHECK(t.step == 86400);
    CHECK(t.values.size() == 8);
    CHECK(FormatTimeTick(t.values[0], t.step) == "Jun 05");
    CHECK(FormatTimeTick(t.values[2], t.step) == "Jun 07");
  }
  SUBCASE("a week, room for 4 ticks: every other day or more") {
    auto t = TimeTicks(kJun5, kJun5 + 7 * 86400, 4);
    CHECK(t.step >= 2 * 86400);
    CHECK(t.values.size() <= 4);
  }
  SUBCASE("seconds") {
    auto t = TimeTicks(kJun5 + 3, kJun5 + 40, 5);
    CHECK(t.step == 10);
    CHECK(FormatTimeTick(t.values[0], t.step) == "00:00:10");
  }
}

TEST_CASE("plot/time ticks: an hourly axis marks midnight with the date") {
  auto t = TimeTicks(kJun5 - 3 * 3600, kJun5 + 3 * 3600, 7);
  CHECK(t.step == 3600);
  bool saw_date = false;
  for (double v : t.values) saw_date = saw_date || FormatTimeTick(v, t.step) == "Jun 05";
  CHECK(saw_date);
  CHECK(FormatTimeTick(kJun5 - 3600, 3600) == "23:00");
}

TEST_CASE("plot/time ticks: month steps land on the first of the month, years on January") {
  const double jan1_2021 = 1609459200;
  auto t = TimeTicks(jan1_2021 + 5 * 86400, jan1_2021 + 360 * 86400, 5);
  CHECK(t.step == doctest::Approx(3 * 30 * 86400.0));
  REQUIRE(t.values.size() == 3);  // Apr, Jul, Oct
  CHECK(FormatTimeTick(t.values[0], t.step) == "Apr 2021");
  CHECK(FormatTimeTick(t.values[2], t.step) == "Oct 2021");
  auto y = TimeTicks(jan1_2021, jan1_2021 + 6 * 365.25 * 86400, 8);
  CHECK(FormatTimeTick(y.values[0], y.step) == "2021");
  CHECK(y.values.size() == 7);
  CHECK(FormatTimeFull(kJun5 + 16 * 3600 + 55 * 60) == "2021-06-05 16:55");
  CHECK(TimeTicks(5, 5, 8).values.empty());
}
