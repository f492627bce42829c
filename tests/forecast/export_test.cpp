#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/file.h"
#include "core/parquet.h"
#include "forecast/export.h"

using namespace fk::forecast;
namespace fs = std::filesystem;

namespace {
std::string ExportSlurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}
// Two items over three hours that cross a day, with quantiles 0.1 and 0.9.
ForecastRows ExportRows() {
  ForecastRows r;
  r.levels = {0.1, 0.9};
  const int64_t t0 = 1704153600 - 3600;  // 2024-01-01T23:00:00Z
  for (const char* item : {"a/b=c", "plain"})
    for (int j = 0; j < 3; j++) r.Add(item, t0 + j * 3600, 10.0 * j + 0.25, {j - 1.5, j + 1.5});
  return r;
}
}  // namespace

TEST_CASE("forecast export: Hive folders, percent-encoded values, quantile names") {
  CHECK(HiveFolder("item_id", "a/b=c") == "item_id=a%2Fb%3Dc");
  CHECK(HiveFolder("item_id", "Store-1_x") == "item_id=Store-1_x");
  CHECK(HiveFolder("k", "") == "k=__HIVE_DEFAULT_PARTITION__");
  CHECK(QuantileColumn(0.1) == "p10");
  CHECK(QuantileColumn(0.975) == "p97.5");
  PartitionFormat f;
  CHECK(ParsePartitionFormat("jsonl", &f));
  CHECK(f == PartitionFormat::Jsonl);
  CHECK_FALSE(ParsePartitionFormat("csv", &f));
}

TEST_CASE("forecast export: Parquet partitions by time hold every row, typed, in the hour of its timestamp") {
  const std::string dir = (fs::temp_directory_path() / "fk_forecast_export_pq").string();
  fs::remove_all(dir);
  auto n = WriteForecastPartitions(dir, ExportRows(), {});
  REQUIRE_MESSAGE(n.ok(), n.status().message());
  CHECK(*n == 3);  // 23:00 on Jan 1, 00:00 and 01:00 on Jan 2
  auto t = fk::parquet::ReadParquet(ExportSlurp(dir + "/year=2024/month=01/day=02/hour=00/part-00000.parquet"), "p");
  REQUIRE_MESSAGE(t.ok(), t.status().message());
  REQUIRE(t->rows == 2);
  REQUIRE(t->columns.size() == 5);
  CHECK(t->columns[0].spec.name == "item_id");
  CHECK(t->columns[0].strings[0] == "a/b=c");
  CHECK(t->columns[0].strings[1] == "plain");
  CHECK(t->columns[1].spec.type == fk::parquet::ColumnType::Timestamp);
  CHECK(t->columns[1].ints[0] == 1704153600LL * 1000000);
  CHECK(t->columns[2].spec.name == "mean");
  CHECK(t->columns[2].doubles[1] == 10.25);
  CHECK(t->columns[3].spec.name == "p10");
  CHECK(t->columns[3].doubles[0] == -0.5);
  CHECK(t->columns[4].spec.name == "p90");
  CHECK(t->columns[4].doubles[0] == 2.5);
  CHECK(fs::exists(dir + "/year=2024/month=01/day=01/hour=23/part-00000.parquet"));
  fs::remove_all(dir);
}

TEST_CASE("forecast export: JSON Lines by item leave the item to the folder; NaN becomes null") {
  const std::string dir = (fs::temp_directory_path() / "fk_forecast_export_jsonl").string();
  fs::remove_all(dir);
  ForecastRows r = ExportRows();
  r.mean[5] = NAN;
  PartitionOptions o;
  o.format = PartitionFormat::Jsonl;
  o.by_item = true;
  auto n = WriteForecastPartitions(dir, r, o);
  REQUIRE_MESSAGE(n.ok(), n.status().message());
  CHECK(*n == 6);
  const std::string line = ExportSlurp(dir + "/item_id=a%2Fb%3Dc/year=2024/month=01/day=01/hour=23/part-00000.jsonl");
  CHECK(line == "{\"timestamp\":\"2024-01-01T23:00:00Z\",\"mean\":0.25,\"p10\":-1.5,\"p90\":1.5}\n");
  const std::string last = ExportSlurp(dir + "/item_id=plain/year=2024/month=01/day=02/hour=01/part-00000.jsonl");
  CHECK(last == "{\"timestamp\":\"2024-01-02T01:00:00Z\",\"mean\":null,\"p10\":0.5,\"p90\":3.5}\n");
  fs::remove_all(dir);
}

TEST_CASE("forecast export: columns of different lengths are refused, not written") {
  ForecastRows r = ExportRows();
  r.quantiles[1].pop_back();
  auto n = WriteForecastPartitions((fs::temp_directory_path() / "fk_forecast_export_bad").string(), r, {});
  CHECK_FALSE(n.ok());
  CHECK(n.status().message().find("quantile") != std::string::npos);
}
