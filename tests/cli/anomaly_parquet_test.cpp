// `anomaly simulate --partition-format parquet` and `anomaly detect
// --partitions` / `--landing` over the Parquet parts: the same records as the
// JSON Lines partitions give the same anomalies; a broken or foreign part is
// an error naming the file (and the column).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../ui/headless_app.h"
#include "core/parquet.h"
#include "run_verb.h"
#include "stream/sink.h"
#include "stream/time.h"
#include "ui/app_state.h"
#include "ui/panels.h"

namespace {

namespace fs = std::filesystem;

std::string PqScratch(const std::string& name) {
  const std::string dir = (fs::temp_directory_path() / ("fk_cli_parquet_" + name)).string();
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string PqSlurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void PqSpit(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

// The simulator's week (it starts 2021-06-01T00:00:00) into partitions of one format.
void PqSimulate(const std::string& root, const char* format) {
  const auto sim = fk::test::RunVerb(fk::cli::AnomalyCommand, {"simulate", "--days", "7", "--seed", "11", "--partitions",
                                                                root, "--partition-format", format, "--json"});
  INFO(sim.error);
  REQUIRE(sim.code == 0);
}

fk::test::VerbOutput PqDetect(const std::vector<std::string>& source, const std::string& scored) {
  std::vector<std::string> argv = {"detect", "--param", "warmup=288", "--top", "100000", "--scored", scored, "--json"};
  argv.insert(argv.begin() + 1, source.begin(), source.end());
  return fk::test::RunVerb(fk::cli::AnomalyCommand, argv);
}

const std::vector<std::string> kPqWeek = {"--from", "2021-06-01T00:00:00", "--to", "2021-06-08T00:00:00"};

std::vector<std::string> PqPartitions(const std::string& root) {
  std::vector<std::string> a = {"--partitions", root};
  a.insert(a.end(), kPqWeek.begin(), kPqWeek.end());
  return a;
}

}  // namespace

TEST_CASE("cli/anomaly: detect over Parquet partitions gives what it gives over the JSON Lines ones") {
  const std::string dir = PqScratch("same");
  PqSimulate(dir + "/jsonl", "jsonl");
  PqSimulate(dir + "/parquet", "parquet");
  CHECK(fs::exists(dir + "/parquet/year=2021/month=06/day=03/hour=07/part-00000.parquet"));
  CHECK_FALSE(fs::exists(dir + "/parquet/year=2021/month=06/day=03/hour=07/records.jsonl"));

  const auto j = PqDetect(PqPartitions(dir + "/jsonl"), dir + "/jsonl.csv");
  const auto p = PqDetect(PqPartitions(dir + "/parquet"), dir + "/parquet.csv");
  // A landing folder of the Parquet parts (every file under it) reads the same records.
  const auto l = PqDetect({"--landing", dir + "/parquet"}, dir + "/landing.csv");
  INFO(j.error, " | ", p.error, " | ", l.error);
  REQUIRE(j.code == 0);
  REQUIRE(p.code == 0);
  REQUIRE(l.code == 0);
  const nlohmann::json jj = nlohmann::json::parse(j.out), pj = nlohmann::json::parse(p.out);
  CHECK(jj["state"] == "done");
  CHECK(jj["windows"].get<int>() == 7 * 288);
  CHECK(jj["anomalies"].get<int>() > 0);  // the simulator's injected jump, drop and shift
  CHECK(jj["bad_lines"].get<int>() == 0);
  CHECK(pj.dump() == jj.dump());  // status, counts and every top group, number for number
  CHECK(l.out == p.out);
  const std::string scored = PqSlurp(dir + "/jsonl.csv");
  CHECK(scored.size() > 100000);
  CHECK(PqSlurp(dir + "/parquet.csv") == scored);
  CHECK(PqSlurp(dir + "/landing.csv") == scored);
}

TEST_CASE("cli/anomaly: a broken Parquet part in a partition folder is an error naming it") {
  const std::string dir = PqScratch("broken");
  PqSimulate(dir + "/p", "parquet");
  const std::string part = dir + "/p/year=2021/month=06/day=04/hour=12/part-00000.parquet";
  REQUIRE(fs::exists(part));
  std::string bytes = PqSlurp(part);
  REQUIRE(bytes.size() > 200);
  // The footer's length points before the file's start: magic bytes right, content not.
  bytes.replace(bytes.size() - 8, 4, std::string("\xff\xff\xff\x7f", 4));
  PqSpit(part, bytes);
  const auto r = PqDetect(PqPartitions(dir + "/p"), dir + "/s.csv");
  CHECK(r.code == 1);
  CHECK(r.error.find(part) != std::string::npos);

  PqSpit(part, "{\"car\": 3, \"hop_time\": \"2021-06-04T12:05:00\"}\n");  // JSON under a .parquet name
  const auto r2 = PqDetect(PqPartitions(dir + "/p"), dir + "/s.csv");
  CHECK(r2.code == 1);
  CHECK(r2.error.find(part) != std::string::npos);
}

TEST_CASE("cli/anomaly: a Parquet part without a measure's column, or with it of another type, names the column") {
  const std::string dir = PqScratch("columns");
  using fk::parquet::ColumnType;
  const int64_t t0 = *fk::stream::ParseTime("2021-06-01T00:05:00");
  auto write = [&](const std::string& path, ColumnType car_type, bool with_car) {
    std::vector<fk::parquet::ColumnSpec> schema = {{"person", ColumnType::Double}};
    if (with_car) schema.push_back({"car", car_type});
    schema.push_back({"camera_id", ColumnType::String});
    schema.push_back({"hop_time", ColumnType::Timestamp, false});
    fk::parquet::ParquetWriter w(schema);
    for (int i = 0; i < 24; i++) {
      size_t c = 0;
      w.AppendDouble(c++, 10 + i % 3);
      if (with_car) {
        if (car_type == ColumnType::String) w.AppendString(c++, "7");
        else w.AppendDouble(c++, 5);
      }
      w.AppendString(c++, "cam1");
      w.AppendInt64(c, (t0 + 300 * i) * 1000000);
    }
    auto bytes = w.Finish();
    REQUIRE(bytes.ok());
    PqSpit(path, *bytes);
  };
  const std::string hour = dir + "/p/year=2021/month=06/day=01/hour=00/";
  const std::vector<std::string> range = {"--partitions", dir + "/p", "--from", "2021-06-01T00:00:00", "--to",
                                          "2021-06-01T03:00:00"};

  write(hour + "part-00000.parquet", ColumnType::Double, false);
  // Only car asked for: nothing to read is an error naming the file and the column.
  std::vector<std::string> argv = {"detect", "--measures", "car:count"};
  argv.insert(argv.end(), range.begin(), range.end());
  auto r = fk::test::RunVerb(fk::cli::AnomalyCommand, argv);
  CHECK(r.code == 1);
  CHECK(r.error.find(hour + "part-00000.parquet") != std::string::npos);
  CHECK(r.error.find("car") != std::string::npos);
  // car and person asked for: person's records are read, car's absence is reported by name.
  argv = {"detect", "--measures", "car:count,person:count", "--json"};
  argv.insert(argv.end(), range.begin(), range.end());
  r = fk::test::RunVerb(fk::cli::AnomalyCommand, argv);
  INFO(r.error);
  REQUIRE(r.code == 0);
  const nlohmann::json j = nlohmann::json::parse(r.out);
  CHECK(j["windows"].get<int>() == 24);
  CHECK(j["series"].get<int>() == 1);
  REQUIRE(j["bad_line_messages"].size() == 1);
  CHECK(j["bad_line_messages"][0].get<std::string>().find("part-00000.parquet: no column \"car\"") != std::string::npos);

  // car as text: refused, naming the column and its type.
  write(hour + "part-00000.parquet", ColumnType::String, true);
  argv = {"detect", "--measures", "car:count,person:count"};
  argv.insert(argv.end(), range.begin(), range.end());
  r = fk::test::RunVerb(fk::cli::AnomalyCommand, argv);
  CHECK(r.code == 1);
  CHECK(r.error.find(hour + "part-00000.parquet: column \"car\" is string") != std::string::npos);
}

TEST_CASE("cli/anomaly: the Anomalies panel scores a dropped part-N.parquet as it scores the hour's records.jsonl") {
  const std::string dir = PqScratch("panel");
  PqSimulate(dir + "/jsonl", "jsonl");
  PqSimulate(dir + "/parquet", "parquet");
  const std::string hour = "/year=2021/month=06/day=04/hour=03/";
  nlohmann::json status[2];
  for (int parquet = 0; parquet < 2; parquet++) {
    HeadlessApp h(std::string(__func__) + (parquet ? "_parquet" : "_jsonl"));
    h.Frames(1);
    const std::string file = dir + (parquet ? "/parquet" + hour + "part-00000.parquet" : "/jsonl" + hour + "records.jsonl");
    // As a drop on the page: the file router sends either file to Anomalies whatever panel is open.
    REQUIRE(h.app.Run("import", {{"path", file}}));
    CHECK(h.Status()["panel"] == "Anomalies");
    h.FramesUntil([](const nlohmann::json& s) {
      const std::string st = s["anomaly"].value("state", "");
      return st == "done" || st == "failed";
    });
    REQUIRE(h.app.State().anomaly.model);
    status[parquet] = h.app.State().anomaly.model->StatusJson();
    INFO(status[parquet].dump());
    CHECK(status[parquet]["state"] == "done");
    CHECK(status[parquet]["windows"].get<int>() == 12);  // one hour of 5-minute records
    CHECK(status[parquet]["bad_lines"].get<int>() == 0);
    // The records' own times: a record is filed under the hour of its window's end, so 03:00 comes first.
    const auto& series = h.app.State().anomaly.model->series();
    REQUIRE_FALSE(series.empty());
    REQUIRE_FALSE(series[0].points.empty());
    CHECK(fk::stream::FormatTime(series[0].points[0].time) == "2021-06-04T03:00:00");
  }
  CHECK(status[1].dump() == status[0].dump());
}
