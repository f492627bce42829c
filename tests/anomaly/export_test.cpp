// Exports of anomaly groups and feedback, a user's file whose columns are
// inspected, a file that matches no measure, and a landing folder of records.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "anomaly/export.h"
#include "anomaly/model.h"
#include "stream/input.h"
#include "stream/sink.h"

using namespace fk::anomaly;
namespace fs = std::filesystem;

namespace {
std::string TempDir(const char* name) {
  const fs::path d = fs::temp_directory_path() / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d.string();
}
void Write(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}
// Two days of a flat 10 with a jump to 90: one anomaly group, from a CSV a user could have written.
std::string MetricsCsv(const char* header, const char* region) {
  std::string csv = std::string(header) + "\n";
  for (int i = 0; i < 2 * 288; i++) {
    const long t = 1622505600L + long(i) * 300;
    const double v = i == 400 ? 90 : 10 + (i % 3);
    char row[160];
    std::snprintf(row, sizeof row, "%ld,%s,%.1f,%.1f\n", t, region, v, 50.0 + (i % 5));
    csv += row;
  }
  return csv;
}
ModelOptions Quick(std::vector<MeasureSpec> measures, std::vector<std::string> dims, std::string time_field) {
  ModelOptions o;
  o.config.measures = std::move(measures);
  o.config.dimensions = std::move(dims);
  o.config.timestamp_field = std::move(time_field);
  o.config.params.warmup = 24;
  return o;
}
}  // namespace

TEST_CASE("anomaly/export: groups and feedback as JSON Lines and CSV, one row per contribution") {
  const std::string dir = TempDir("fk_anomaly_export");
  const std::string path = dir + "/metrics.csv";
  Write(path, MetricsCsv("ts,region,cpu,mem", "eu"));
  AnomalyModel m(Quick({{"cpu", fk::stream::Agg::Avg}, {"mem", fk::stream::Agg::Avg}}, {"region"}, ""));
  REQUIRE(m.StartFile(path).ok());
  m.RunToEnd();
  REQUIRE(m.state() == ModelState::Done);
  REQUIRE(!m.groups().empty());
  const std::vector<std::string> jl = Lines(GroupsToJsonl(m));
  REQUIRE(jl.size() == m.groups().size());
  const auto first = nlohmann::json::parse(jl[0]);
  CHECK(first["score"].get<double>() == doctest::Approx(m.GroupsBySeverity()[0]->score).epsilon(0.01));
  CHECK(first["feedback"] == "");
  CHECK(first["dimension_contributions"][0]["series"] == "region=eu");
  const std::vector<std::string> csv = Lines(GroupsToCsv(m));
  CHECK(csv[0] == "group_id,timestamp,score,primary_measure,feedback,series,measure,contribution,severity,"
                  "value_observed,value_expected");
  size_t contributions = 0;
  for (auto& g : m.groups()) contributions += g.contributions.size();
  CHECK(csv.size() == 1 + contributions);
  // No feedback yet: the feedback files are empty (CSV: the header only).
  CHECK(FeedbackToJsonl(m).empty());
  CHECK(Lines(FeedbackToCsv(m)).size() == 1);
  const uint64_t judged = m.GroupsBySeverity()[0]->id;
  m.SetFeedback(judged, Verdict::No);
  const std::vector<std::string> fb = Lines(FeedbackToJsonl(m));
  REQUIRE(fb.size() == 1);
  CHECK(nlohmann::json::parse(fb[0])["group_id"] == judged);
  CHECK(nlohmann::json::parse(fb[0])["feedback"] == "no");
  const std::vector<std::string> fbcsv = Lines(FeedbackToCsv(m));
  REQUIRE(fbcsv.size() >= 2);
  CHECK(fbcsv[1].rfind(std::to_string(judged) + ",", 0) == 0);
  CHECK(fbcsv[1].find(",no,region=eu,") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("anomaly/export: a user's CSV offers its numeric columns as measures and text ones as dimensions") {
  const std::string dir = TempDir("fk_anomaly_inspect");
  Write(dir + "/m.csv", MetricsCsv("when,region,cpu,mem", "eu"));
  auto cols = fk::stream::InspectEventFile(dir + "/m.csv");
  REQUIRE(cols.ok());
  // Epoch seconds under any name are a time column; small numbers (cpu 10..12) are not.
  CHECK(cols->time == std::vector<std::string>{"when"});
  CHECK(cols->numeric == std::vector<std::string>{"cpu", "mem"});
  CHECK(cols->text == std::vector<std::string>{"region"});
  CHECK_FALSE(cols->records);
  Write(dir + "/e.jsonl", "{\"car\":17,\"camera_id\":\"cam1\",\"ts\":\"2021-06-05T16:52:10\"}\n"
                          "{\"car\":18,\"camera_id\":\"cam2\",\"ts\":\"2021-06-05T16:53:10\"}\n");
  auto ev = fk::stream::InspectEventFile(dir + "/e.jsonl");
  REQUIRE(ev.ok());
  CHECK(ev->time == std::vector<std::string>{"ts"});
  CHECK(ev->numeric == std::vector<std::string>{"car"});
  CHECK(ev->text == std::vector<std::string>{"camera_id"});
  CHECK_FALSE(fk::stream::InspectEventFile(dir + "/missing.csv").ok());
  fs::remove_all(dir);
}

TEST_CASE("anomaly/export: a file matching no measure fails naming them instead of ending done with 0 events") {
  const std::string dir = TempDir("fk_anomaly_nomatch");
  Write(dir + "/m.csv", MetricsCsv("ts,region,cpu,mem", "eu"));
  AnomalyModel m;  // person, car
  REQUIRE(m.StartFile(dir + "/m.csv").ok());
  m.RunToEnd();
  CHECK(m.state() == ModelState::Failed);
  CHECK(m.error().find("no events for the measures person, car") != std::string::npos);
  CHECK(m.StatusJson()["state"] == "failed");
  fs::remove_all(dir);
}

TEST_CASE("anomaly/export: a landing folder of windowed record files is listed and scored") {
  const std::string dir = TempDir("fk_anomaly_landing");
  fs::create_directories(dir + "/2021-06-01--00");
  fs::create_directories(dir + "/2021-06-01--12");
  std::string a, b;
  for (int i = 0; i < 288; i++) {
    const long t = 1622505600L + long(i + 1) * 300;
    char line[160];
    std::snprintf(line, sizeof line, "{\"car\":%d,\"camera_id\":\"cam1\",\"hop_time\":%ld}\n", i == 200 ? 90 : 10 + i % 2, t);
    (i < 144 ? a : b) += line;
  }
  Write(dir + "/2021-06-01--12/part-0-1", b);  // written first: order comes from the times, not the files
  Write(dir + "/2021-06-01--00/part-0-0", a);
  Write(dir + "/2021-06-01--12/.part-0-2.inprogress", "{\"car\": broken");
  Write(dir + "/_SUCCESS", "");
  auto files = fk::stream::ListLandingFiles(dir);
  REQUIRE(files.ok());
  REQUIRE(files->size() == 2);
  CHECK((*files)[0] == dir + "/2021-06-01--00/part-0-0");
  AnomalyModel m(Quick({{"car", fk::stream::Agg::Count}}, {"camera_id"}, ""));
  REQUIRE(m.StartRecordFiles(*files, "landing").ok());
  m.RunToEnd();
  CHECK(m.state() == ModelState::Done);
  CHECK(m.counts().windows == 288);
  CHECK(m.counts().bad_lines == 0);
  CHECK(m.counts().anomalies >= 1);
  AnomalyModel wrong(Quick({{"bus", fk::stream::Agg::Count}}, {}, ""));
  CHECK_FALSE(wrong.StartRecordFiles(*files, "landing").ok());
  CHECK(wrong.error().find("landing: no records") != std::string::npos);
  CHECK_FALSE(fk::stream::ListLandingFiles(dir + "/nope").ok());
  fs::remove_all(dir);
}

TEST_CASE("anomaly/export: a window's record landing twice is one point of its series (fuzz: anomaly_landing)") {
  // An at-least-once sink, or a part file copied, repeats records: the series got two points
  // at one time and the detector learnt the interval twice.
  const std::string dir = TempDir("fk_anomaly_landing_twice");
  fs::create_directories(dir + "/a");
  std::string part;
  for (int i = 0; i < 20; i++) {
    char line[160];
    std::snprintf(line, sizeof line, "{\"car\":%d,\"camera_id\":\"cam1\",\"hop_time\":%ld}\n", 10 + i % 3,
                  1622505600L + long(i + 1) * 300);
    part += line;
  }
  Write(dir + "/a/part-0-0", part);
  Write(dir + "/a/part-0-0-copy", part);
  auto files = fk::stream::ListLandingFiles(dir);
  REQUIRE(files.ok());
  REQUIRE(files->size() == 2);
  AnomalyModel m(Quick({{"car", fk::stream::Agg::Count}}, {"camera_id"}, ""));
  REQUIRE(m.StartRecordFiles(*files, "landing").ok());
  m.RunToEnd();
  CHECK(m.state() == ModelState::Done);
  CHECK(m.counts().windows == 20);
  CHECK(m.counts().events == 40);  // every record read is counted
  REQUIRE(m.series().size() == 1);
  const auto& points = m.series()[0].points;
  CHECK(points.size() == 20);
  for (size_t i = 1; i < points.size(); i++) CHECK(points[i - 1].time < points[i].time);
  fs::remove_all(dir);
}
