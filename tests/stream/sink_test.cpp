#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/parquet.h"
#include "stream/input.h"
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
  const std::string root = (std::filesystem::temp_directory_path() / "fk_sink_test").string();
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

TEST_CASE("stream/sink: the Parquet sink writes one part per hour held, typed, nulls where a record lacks a field") {
  const std::string root = (std::filesystem::temp_directory_path() / "fk_sink_parquet_test").string();
  std::filesystem::remove_all(root);
  Schema s;
  s.Measure("car");
  PartitionSink sink(root, {}, "records.jsonl", SinkFormat::Parquet);
  auto write = [&](const char* end, uint32_t dims, size_t measures, double count) {
    WindowRecord r{*ParseTime(end) - 300, *ParseTime(end), dims, std::vector<WindowCell>(measures)};
    for (auto& c : r.cells) c.count = count;
    REQUIRE(sink.Write(r, s).ok());
  };
  write("2021-06-05T16:55:00", s.Dims({{"camera_id", "cam1"}}), 1, 3);
  s.Measure("person");  // a measure seen from here on: the first record has none
  write("2021-06-05T16:55:00", 0, 2, 4);
  write("2021-06-05T17:00:00", 0, 2, 5);  // another hour: the 16h part is written now
  CHECK(sink.files_opened() == 1);
  write("2021-06-05T16:59:00", 0, 1, 6);  // back to 16h (a late window): a second part there
  REQUIRE(sink.Close().ok());
  CHECK(sink.files_opened() == 3);
  auto read = [&](const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return fk::parquet::ReadParquet(ss.str(), path);
  };
  auto t = read(root + "/year=2021/month=06/day=05/hour=16/part-00000.parquet");
  REQUIRE_MESSAGE(t.ok(), t.status().message());
  REQUIRE(t->rows == 2);
  REQUIRE(t->columns.size() == 4);  // car, person, camera_id, hop_time
  CHECK(t->columns[0].spec.name == "car");
  CHECK(t->columns[0].doubles[1] == 4);
  CHECK(t->columns[1].spec.name == "person");
  CHECK(t->columns[1].nulls[0] == 1);
  CHECK(t->columns[2].spec.name == "camera_id");
  CHECK(t->columns[2].strings[0] == "cam1");
  CHECK(t->columns[2].nulls[1] == 1);
  CHECK(t->columns[3].spec.type == fk::parquet::ColumnType::Timestamp);
  CHECK(t->columns[3].ints[0] == *ParseTime("2021-06-05T16:55:00") * 1000000);
  auto late = read(root + "/year=2021/month=06/day=05/hour=16/part-00001.parquet");
  REQUIRE_MESSAGE(late.ok(), late.status().message());
  CHECK(late->rows == 1);
  CHECK(std::filesystem::exists(root + "/year=2021/month=06/day=05/hour=17/part-00000.parquet"));
  std::filesystem::remove_all(root);
}

TEST_CASE("stream/sink: the Parquet parts of each hour are listed in part order and read back as the JSON lines would") {
  const std::string root = (std::filesystem::temp_directory_path() / "fk_sink_parquet_read_test").string();
  std::filesystem::remove_all(root);
  Schema s;
  s.Measure("car");
  PartitionSink sink(root, {}, "records.jsonl", SinkFormat::Parquet);
  auto write = [&](const char* end, double count) {
    WindowRecord r{*ParseTime(end) - 300, *ParseTime(end), s.Dims({{"camera_id", "cam1"}}), std::vector<WindowCell>(1)};
    r.cells[0].count = count;
    REQUIRE(sink.Write(r, s).ok());
  };
  write("2021-06-05T16:55:00", 3);
  write("2021-06-05T17:00:00", 5);
  write("2021-06-05T16:59:00", 6);  // a late window: part-00001 of 16h
  REQUIRE(sink.Close().ok());
  // A part of the legacy layout, and names that are not parts, which the listing leaves out.
  std::filesystem::create_directories(root + "/2021/06/05/18");
  std::filesystem::copy_file(root + "/year=2021/month=06/day=05/hour=17/part-00000.parquet",
                             root + "/2021/06/05/18/part-7.parquet");
  std::ofstream(root + "/2021/06/05/18/.part-8.parquet.inprogress") << "x";
  std::ofstream(root + "/2021/06/05/18/notes.parquet") << "x";
  const auto files = ListPartitionFiles(root, *ParseTime("2021-06-05T16:00:00"), *ParseTime("2021-06-05T19:00:00"));
  REQUIRE(files.size() == 4);
  CHECK(files[0] == root + "/year=2021/month=06/day=05/hour=16/part-00000.parquet");
  CHECK(files[1] == root + "/year=2021/month=06/day=05/hour=16/part-00001.parquet");
  CHECK(files[2] == root + "/year=2021/month=06/day=05/hour=17/part-00000.parquet");
  CHECK(files[3] == root + "/2021/06/05/18/part-7.parquet");

  IngestOptions io;
  io.time_field = "hop_time";
  io.measure_fields = {"car"};
  Schema read;
  std::vector<Event> ev;
  IngestReport rep;
  REQUIRE(ReadRecordFile(files[0], &read, io, &ev, &rep).ok());
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].time == *ParseTime("2021-06-05T16:55:00"));
  CHECK(read.MeasureName(ev[0].measure) == "car");
  CHECK(read.DimsLabel(ev[0].dims) == "camera_id=cam1");
  CHECK(ev[0].value == 3);
  CHECK(rep.lines == 1);
  CHECK(rep.bad_lines == 0);

  // What the panel's drop looks at first: the typed columns, and that these are windowed records.
  auto cols = InspectEventFile(files[0]);
  REQUIRE_MESSAGE(cols.ok(), cols.status().message());
  CHECK(cols->records);
  CHECK(cols->time == std::vector<std::string>{"hop_time"});
  CHECK(cols->numeric == std::vector<std::string>{"car"});
  CHECK(cols->text == std::vector<std::string>{"camera_id"});
  std::filesystem::remove_all(root);
}

TEST_CASE("stream/input: a Parquet table's rows without a time or a measure value are counted bad, like JSON lines") {
  using fk::parquet::ColumnType;
  fk::parquet::ParquetWriter w({{"car", ColumnType::Int64}, {"camera_id", ColumnType::Int64}, {"ts", ColumnType::String}});
  w.AppendInt64(0, 4), w.AppendInt64(1, 2), w.AppendString(2, "2021-06-05T16:55:00");
  w.AppendInt64(0, 5), w.AppendNull(1), w.AppendNull(2);                // no time
  w.AppendInt64(0, 6), w.AppendNull(1), w.AppendString(2, "yesterday");  // not a time
  w.AppendNull(0), w.AppendNull(1), w.AppendString(2, "1622912400");    // no measure value
  auto bytes = w.Finish();
  REQUIRE(bytes.ok());
  auto t = fk::parquet::ReadParquet(*bytes, "t.parquet");
  REQUIRE(t.ok());
  IngestOptions io;
  io.dimension_fields = {"camera_id"};
  Schema s;
  std::vector<Event> ev;
  IngestReport rep;
  rep.source = "t.parquet";
  REQUIRE(ParquetToEvents(*t, &s, io, &ev, &rep).ok());
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].value == 4);
  CHECK(s.DimsLabel(ev[0].dims) == "camera_id=2");
  CHECK(rep.lines == 4);
  CHECK(rep.records == 1);
  CHECK(rep.bad_lines == 3);
  REQUIRE(rep.messages.size() == 3);
  CHECK(rep.messages[0] == "t.parquet:2: missing timestamp field \"ts\" (null)");
  CHECK(rep.messages[1] == "t.parquet:3: unparsable timestamp \"yesterday\" in field \"ts\"");
  CHECK(rep.messages[2] == "t.parquet:4: no measure fields (every measure null)");

  // A time column of a type no time is read from: refused, naming it, nothing appended.
  fk::parquet::ParquetWriter w2({{"car", ColumnType::Double}, {"ts", ColumnType::Double}});
  w2.AppendDouble(0, 1), w2.AppendDouble(1, 1622912400);
  auto t2 = fk::parquet::ReadParquet(*w2.Finish(), "t2.parquet");
  REQUIRE(t2.ok());
  rep = IngestReport{};
  rep.source = "t2.parquet";
  ev.clear();
  fk::Status st = ParquetToEvents(*t2, &s, io, &ev, &rep);
  CHECK_FALSE(st.ok());
  CHECK(st.message() == "t2.parquet: column \"ts\" is double; the timestamp must be a timestamp, int64 (Unix seconds or "
                        "milliseconds) or string column");
  CHECK(ev.empty());
}

TEST_CASE("stream/sink: a Parquet part that cannot be opened is an error naming the file") {
  const std::string root = (std::filesystem::temp_directory_path() / "fk_sink_parquet_open_test").string();
  std::filesystem::remove_all(root);
  const std::string hour = root + "/year=2021/month=06/day=05/hour=16/";
  std::filesystem::create_directories(hour);
  // A dangling link as the first part's name: not an existing part, and opening it
  // would create a file in a folder that does not exist.
  std::filesystem::create_symlink(root + "/missing/folder/x", hour + "part-00000.parquet");
  Schema s;
  s.Measure("car");
  PartitionSink sink(root, {}, "records.jsonl", SinkFormat::Parquet);
  WindowRecord r{*ParseTime("2021-06-05T16:55:00") - 300, *ParseTime("2021-06-05T16:55:00"), 0, std::vector<WindowCell>(1)};
  REQUIRE(sink.Write(r, s).ok());  // held until the hour is complete
  const fk::Status st = sink.Close();
  REQUIRE_FALSE(st.ok());
  CHECK(st.message() == hour + "part-00000.parquet: cannot open for writing");
  CHECK(sink.files_opened() == 0);
  std::filesystem::remove_all(root);
}
