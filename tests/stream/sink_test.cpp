#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "stream/sink.h"

using namespace fk::stream;

TEST_CASE("stream/sink: a window record becomes one JSON line stamped hop_time with the window end") {
  Schema s;
  const uint32_t person = s.Measure("person"), car = s.Measure("car");
  WindowRecord r{*ParseTime("2021-06-05T16:50:00"), *ParseTime("2021-06-05T16:55:00"), 0, {}};
  r.cells.resize(2);
  r.cells[person].count = 12;
  r.cells[car].count = 56;
  CHECK(RecordToJson(r, s) == R"({"person":12,"car":56,"hop_time":"2021-06-05T16:55:00"})");
  r.dims = s.Dims({{"camera_id", "cam1"}});
  CHECK(RecordToJson(r, s) == R"({"person":12,"car":56,"camera_id":"cam1","hop_time":"2021-06-05T16:55:00"})");
  RecordFormat avg;
  avg.aggs = {Agg::Avg, Agg::Sum};
  r.cells[car].sum = 7.5;
  r.cells[person].sum = 30;
  CHECK(RecordToJson(r, s, avg) == R"({"person":2.5,"car":7.5,"camera_id":"cam1","hop_time":"2021-06-05T16:55:00"})");
}

TEST_CASE("stream/sink: odd dimension values and a NaN average still give one strict JSON line") {
  Schema s;
  s.Measure("car");
  WindowRecord r{*ParseTime("2021-06-05T16:50:00"), *ParseTime("2021-06-05T16:55:00"), 0, std::vector<WindowCell>(1)};
  r.dims = s.Dims({{"camera_id", "q\"b\\s\n\xC3\xA9 \xFF"}});  // quote, backslash, newline, e-acute, stray byte
  r.cells[0].count = 1;
  r.cells[0].sum = std::nan("");  // a NaN measure value
  RecordFormat avg;
  avg.aggs = {Agg::Avg};
  const std::string line = RecordToJson(r, s, avg);
  CHECK(line == "{\"car\":null,\"camera_id\":\"q\\\"b\\\\s\\n\xC3\xA9 \xEF\xBF\xBD\",\"hop_time\":\"2021-06-05T16:55:00\"}");
  const auto j = nlohmann::json::parse(line);  // strict: throws on NaN, raw newlines or invalid UTF-8
  CHECK(j["car"].is_null());
  CHECK(j["camera_id"] == "q\"b\\s\n\xC3\xA9 \xEF\xBF\xBD");
}

TEST_CASE("stream/sink: partitions are Hive-style year=/month=/day=/hour= folders of the window end, readable back in time order") {
  CHECK(PartitionDir("out", *ParseTime("2021-06-05T16:55:00")) == "out/year=2021/month=06/day=05/hour=16/");
  CHECK(PartitionDir("out/", *ParseTime("2021-06-05T17:00:00")) == "out/year=2021/month=06/day=05/hour=17/");
  CHECK(LegacyPartitionDir("out", *ParseTime("2021-06-05T17:00:00")) == "out/2021/06/05/17/");
  const std::string root = "/tmp/fk_sink_test";
  std::filesystem::remove_all(root);
  Schema s;
  s.Measure("car");
  PartitionSink sink(root);
  for (const char* end : {"2021-06-05T16:55:00", "2021-06-05T17:00:00", "2021-06-05T17:05:00"}) {
    WindowRecord r{*ParseTime(end) - 300, *ParseTime(end), 0, std::vector<WindowCell>(1)};
    r.cells[0].count = 3;
    REQUIRE(sink.Write(r, s).ok());
  }
  sink.Close();
  auto files = ListPartitionFiles(root, *ParseTime("2021-06-05T16:00:00"), *ParseTime("2021-06-05T18:00:00"));
  REQUIRE(files.size() == 2);
  CHECK(files[0] == root + "/year=2021/month=06/day=05/hour=16/records.jsonl");
  CHECK(files[1] == root + "/year=2021/month=06/day=05/hour=17/records.jsonl");
  std::ifstream f(files[1]);
  std::stringstream ss;
  ss << f.rdbuf();
  CHECK(ss.str() == "{\"car\":3,\"hop_time\":\"2021-06-05T17:00:00\"}\n{\"car\":3,\"hop_time\":\"2021-06-05T17:05:00\"}\n");
  // A folder written before (YYYY/MM/DD/HH/) is still read, in time order with the Hive-style hours.
  std::filesystem::create_directories(root + "/2021/06/05/18");
  std::ofstream(root + "/2021/06/05/18/records.jsonl") << "{\"car\":1,\"hop_time\":\"2021-06-05T18:05:00\"}\n";
  files = ListPartitionFiles(root, *ParseTime("2021-06-05T16:00:00"), *ParseTime("2021-06-05T19:00:00"));
  REQUIRE(files.size() == 3);
  CHECK(files[2] == root + "/2021/06/05/18/records.jsonl");
}
