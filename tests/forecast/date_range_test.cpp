// Absurd date ranges are refused before the grid is allocated. Every item
// gets every bucket from the first date to the last, so one mistyped year
// decides the size: the fuzzer's finding was a row dated 1010-01-01 among rows
// of 2022, ~370,000 daily buckets per item from a 1 KB file.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "forecast/dataset.h"
#include "forecast/prepare.h"

using namespace fk::forecast;

namespace {

TargetDataset LoadRange(const std::string& text) {
  auto table = ParseCsvText(text, "sales.csv");
  REQUIRE(table.ok());
  auto target = ParseTarget(*table, {});
  REQUIRE(target.ok());
  return *target;
}

Panel Daily(const TargetDataset& d, const char* freq = "D") {
  AggregateOptions o;
  std::string err;
  REQUIRE(ParseFrequency(freq, &o.freq, &err));
  return Aggregate(d, o);
}

// Three products, daily through January 2022; `odd` replaces the date of data line 7 (file line 8).
std::string January(const std::string& odd = "") {
  std::string csv = "date,product,sales\n";
  int line = 1;
  for (int day = 1; day <= 10; day++)
    for (const char* p : {"a", "b", "c"}) {
      char date[16];
      std::snprintf(date, sizeof date, "2022-01-%02d", day);
      csv += (line++ == 7 && !odd.empty() ? odd : std::string(date)) + "," + p + "," + std::to_string(day) + "\n";
    }
  return csv;
}

}  // namespace

TEST_CASE("forecast/prepare: one row dated 1010-01-01 among rows of 2022 is named and refused, before the grid") {
  const TargetDataset d = LoadRange(January("1010-01-01"));
  const Panel p = Daily(d);
  CHECK(p.series.empty());
  CHECK(p.length == 0);
  INFO(p.refused);
  CHECK(p.refused ==
        "sales.csv:8: date 1010-01-01 lies 369626 buckets of D before the rest of the data (2022-01-01 .. 2022-01-10): "
        "every item would get 369636 buckets for 30 rows. Fix or remove that row, or choose a coarser frequency");
  CHECK(p.messages.back() == p.refused);
  // The same from the sliced aggregation the page runs.
  Aggregation a(d, AggregateOptions{});
  while (!a.Step(4)) {
  }
  CHECK(a.Finish().refused == p.refused);
}

TEST_CASE("forecast/prepare: an outlier after the data is named too, with how many rows share it") {
  std::string csv = January();
  csv += "9999-12-01,a,1\n9999-12-02,b,1\n";
  const Panel p = Daily(LoadRange(csv));
  CHECK(p.series.empty());
  INFO(p.refused);
  CHECK(p.refused.find("sales.csv:32: date 9999-12-01 (and 1 more rows) lies ") == 0);
  CHECK(p.refused.find(" after the rest of the data (2022-01-01 .. 2022-01-10)") != std::string::npos);
  CHECK(p.refused.find("Fix or remove those rows") != std::string::npos);
}

TEST_CASE("forecast/prepare: regular sparse data and a too-fine frequency are not mistaken for an outlier") {
  // Yearly rows at --freq D: 3,288 daily buckets for 10 rows, but no gap is half of them.
  std::string yearly = "date,sales\n";
  for (int y = 2010; y < 2020; y++) yearly += std::to_string(y) + "-06-01,5\n";
  const Panel p = Daily(LoadRange(yearly));
  INFO(p.refused);
  CHECK(p.refused.empty());
  REQUIRE(p.series.size() == 1);
  CHECK(p.length == 3288);
  // Daily data at --freq 1min: 1,440 minute buckets per day of data, evenly spread.
  const Panel m = Daily(LoadRange(January()), "1min");
  INFO(m.refused);
  CHECK(m.refused.empty());
  CHECK(m.length == 9 * 1440 + 1);
}

TEST_CASE("forecast/prepare: a grid far larger than its rows is refused even without one outlier") {
  // One row every ten years for five centuries, at --freq H: 4.4 M hourly buckets for 50 rows.
  std::string csv = "date,sales\n";
  for (int y = 1500; y < 2000; y += 10) csv += std::to_string(y) + "-01-01,1\n";
  const Panel p = Daily(LoadRange(csv), "H");
  CHECK(p.series.empty());
  INFO(p.refused);
  CHECK(p.refused == "sales.csv: the data spans 4295257 buckets of H for 1 items (4295257 cells from 50 rows); "
                     "choose a coarser frequency or check the dates");
}
