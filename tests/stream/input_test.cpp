#include <doctest/doctest.h>

#include <filesystem>

#include <cstdio>
#include <fstream>

#include "stream/input.h"

using namespace fk::stream;

namespace {
IngestReport ParseAll(const std::vector<std::string>& lines, std::vector<Event>* out, Schema* s,
                      IngestOptions o = {}) {
  JsonLinesParser p(s, o, "cam.jsonl");
  for (auto& l : lines) p.ParseLine(l, 0, out);
  return p.report();
}
std::string TempPath(const char* name) {
  return (std::filesystem::temp_directory_path() / (std::string("fk_input_test_") + name)).string();
}
}  // namespace

TEST_CASE("stream/input: person and car events with dimensions parse into interned events") {
  Schema s;
  std::vector<Event> ev;
  auto r = ParseAll({R"({"car": 17, "ts": "2021-06-05T16:52:10", "camera_id": "cam1"})",
                     R"({"person":3,"time":"2021-06-05 16:53:00","camera_id":"cam2","locality":"north"})"},
                    &ev, &s);
  CHECK(r.bad_lines == 0);
  REQUIRE(ev.size() == 2);
  CHECK(s.MeasureName(ev[0].measure) == "car");
  CHECK(ev[0].value == 17);
  CHECK(s.DimsLabel(ev[0].dims) == "camera_id=cam1");
  CHECK(s.DimsLabel(ev[1].dims) == "camera_id=cam2,locality=north");
}

TEST_CASE("stream/input: bad lines are counted with file:line messages and the rest is processed") {
  Schema s;
  std::vector<Event> ev;
  auto r = ParseAll({R"({"car": 1, "ts": "2021-06-05T16:52:10"})",
                     R"({"car": 2, "ts": "2021-06-05T16:52:11")",         // malformed: no closing brace
                     R"({"car": 3})",                                     // missing timestamp
                     R"({"car": 4, "ts": "not a time"})",                 // unparsable timestamp
                     R"({"car": "red", "ts": "2021-06-05T16:52:12"})",    // non-numeric measure
                     R"(["car", 5])",                                     // not an object
                     "",                                                  // blank: ignored
                     R"({"car": 6, "ts": "2021-06-05T16:52:13", "extra": {"nested": [1, 2]}})"},
                    &ev, &s);
  CHECK(r.lines == 7);
  CHECK(r.bad_lines == 5);
  CHECK(ev.size() == 2);
  REQUIRE(r.messages.size() == 5);
  CHECK(r.messages[0].rfind("cam.jsonl:2: malformed JSON", 0) == 0);
  CHECK(r.messages[1] == "cam.jsonl:3: missing timestamp field \"ts\"");
  CHECK(r.messages[2] == "cam.jsonl:4: unparsable timestamp \"not a time\" in field \"ts\"");
  CHECK(r.messages[3] == "cam.jsonl:5: non-numeric measure \"car\": \"red\"");
  CHECK(r.messages[4].rfind("cam.jsonl:6: malformed JSON", 0) == 0);
  CHECK(r.Summary().find("5 bad") != std::string::npos);
}

TEST_CASE("stream/input: only the first few messages are kept, every bad line is counted") {
  Schema s;
  std::vector<Event> ev;
  std::vector<std::string> lines(1000, "{oops");
  auto r = ParseAll(lines, &ev, &s);
  CHECK(r.bad_lines == 1000);
  CHECK(r.messages.size() == 5);
}

TEST_CASE("stream/input: events without a time take the ingest time when configured") {
  Schema s;
  std::vector<Event> ev;
  IngestOptions o;
  o.ingest_time_fallback = true;
  JsonLinesParser p(&s, o, "x");
  p.ParseLine(R"({"car": 9})", 1622912100, &ev);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].time == 1622912100);
}

TEST_CASE("stream/input: CSV rows with bad cells are reported per line") {
  Schema s;
  std::vector<Event> ev;
  CsvParser p(&s, {}, "m.csv");
  for (const char* l : {"timestamp,value,camera_id", "2014-04-01 00:00:00,3.5,cam1", "2014-04-01 00:05:00,abc,cam1",
                        "garbage,1,cam1", "2014-04-01 00:10:00,4", "2014-04-01 00:15:00,,cam1",
                        "\"2014-04-01 00:20:00\",\"5\",\"cam,1\""})
    p.ParseLine(l, &ev);
  CHECK(ev.size() == 2);
  CHECK(p.report().bad_lines == 3);
  CHECK(p.report().messages[0] == "m.csv:3: non-numeric value \"abc\" in column \"value\"");
  CHECK(p.report().messages[1] == "m.csv:4: unparsable timestamp \"garbage\"");
  CHECK(s.DimsLabel(ev[1].dims) == "camera_id=cam,1");
}

TEST_CASE("stream/input: a CSV saved with a byte-order mark reads its first column's name as InspectEventFile does") {
  // Spreadsheets write one; the header's first name was "\xEF\xBB\xBFts", so the time column was not found
  // although InspectEventFile (which drops the mark) had offered "ts" (fuzz: stream_inspect/bom_header.csv).
  const std::string path = TempPath("bom.csv");
  std::ofstream(path, std::ios::binary) << "\xEF\xBB\xBFts,camera_id,car\r\n2021-06-05T16:55:00,cam1,3\r\n";
  auto cols = InspectEventFile(path);
  REQUIRE(cols.ok());
  REQUIRE(cols->time == std::vector<std::string>{"ts"});
  for (const std::string& time_field : {std::string(), std::string("ts")}) {
    IngestOptions o;
    o.time_field = time_field;
    Schema s;
    std::vector<Event> ev;
    IngestReport r;
    REQUIRE(ReadEventsFile(path, &s, o, &ev, &r).ok());
    CHECK(r.bad_lines == 0);
    REQUIRE(ev.size() == 1);
    CHECK(s.MeasureName(ev[0].measure) == "car");
  }
  std::remove(path.c_str());
}

TEST_CASE("stream/input: InspectEventFile offers no column without a name") {
  // The panel's offer would have set the time field to "", which reads as "the default names" and
  // found no time column (fuzz: stream_inspect/unnamed_time_column.csv).
  const std::string path = TempPath("unnamed.csv");
  std::ofstream(path, std::ios::binary) << ",camera_id,car\n2021-06-05T16:55:00,cam1,3\n";
  auto cols = InspectEventFile(path);
  REQUIRE(cols.ok());
  CHECK(cols->time.empty());
  CHECK(cols->numeric == std::vector<std::string>{"car"});
  CHECK(cols->text == std::vector<std::string>{"camera_id"});
  std::remove(path.c_str());
}

TEST_CASE("stream/input: an empty file is an error in the report, not a crash") {
  const std::string path = TempPath("empty.jsonl");
  { std::ofstream f(path); }
  Schema s;
  std::vector<Event> ev;
  IngestReport r;
  REQUIRE(ReadEventsFile(path, &s, {}, &ev, &r).ok());
  CHECK(ev.empty());
  CHECK(r.bad_lines == 1);
  CHECK(r.messages[0] == "fk_input_test_empty.jsonl:0: empty file (no data lines)");
  CHECK_FALSE(ReadEventsFile("/tmp/does/not/exist.jsonl", &s, {}, &ev, &r).ok());
}

TEST_CASE("stream/input: a large file streams through in chunks with lines split across chunk borders") {
  // 60k lines (~3.5 MB, > 3 read chunks), one broken line every 10k; CRLF endings.
  const std::string path = TempPath("large.jsonl");
  {
    std::ofstream f(path, std::ios::binary);
    for (int i = 0; i < 60000; i++) {
      if (i % 10000 == 9999) f << "{\"car\": 1, \"ts\": \"2021-06-05T16:5\r\n";
      else f << "{\"car\": " << i << ", \"ts\": \"2021-06-05T16:52:10\", \"camera_id\": \"cam1\"}\r\n";
    }
  }
  Schema s;
  std::vector<Event> ev;
  IngestReport r;
  REQUIRE(ReadEventsFile(path, &s, {}, &ev, &r).ok());
  CHECK(r.lines == 60000);
  CHECK(r.bad_lines == 6);
  CHECK(ev.size() == 59994);
  CHECK(ev.back().value == 59998);
  std::remove(path.c_str());
}

TEST_CASE("stream/input: an event file read a few lines per call gives the same events, with rising progress") {
  // What the page does with a big import: a bounded slice per frame.
  const std::string path = TempPath("sliced.jsonl");
  {
    std::ofstream f(path, std::ios::binary);
    for (int i = 0; i < 50000; i++) {
      if (i % 7000 == 3) f << "{\"car\": oops}\n";
      else f << "{\"car\": " << i << ", \"ts\": \"2021-06-05T16:52:10\"}\n";
    }
    f << "{\"car\": 50000, \"ts\": \"2021-06-05T16:52:10\"}";  // no final newline
  }
  Schema whole_schema;
  std::vector<Event> whole;
  IngestReport whole_report;
  REQUIRE(ReadEventsFile(path, &whole_schema, {}, &whole, &whole_report).ok());

  Schema s;
  fk::stream::EventFileReader r;
  REQUIRE(r.Open(path, &s, {}).ok());
  std::vector<Event> ev;
  int calls = 0;
  float last = 0;
  while (r.Read(1000, &ev)) {
    calls++;
    CHECK(ev.size() <= size_t(calls) * 1000);
    CHECK(r.Progress() >= last);
    last = r.Progress();
  }
  CHECK(calls >= 50);
  CHECK(r.Progress() == doctest::Approx(1.0));
  REQUIRE(ev.size() == whole.size());
  CHECK(ev.back().value == 50000);
  CHECK(r.report().bad_lines == whole_report.bad_lines);
  CHECK(r.report().bad_lines == 8);
  CHECK_FALSE(r.Read(1000, &ev));  // stays finished
  CHECK_FALSE(r.Open("/tmp/does/not/exist.jsonl", &s, {}).ok());
  std::remove(path.c_str());
}
