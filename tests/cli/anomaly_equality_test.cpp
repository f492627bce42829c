// The Anomalies panel and `fieldkit-cli anomaly detect` run one
// anomaly::AnomalyModel: for the same events file, the panel's model (as its
// widgets configure it: 5-minute intervals, person/car counts per camera_id,
// continuous, a day's warm-up, the default alert rule) and the CLI with those
// choices as flags give the same windows, scored points, anomaly groups and
// alerts, number for number.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../ui/headless_app.h"
#include "anomaly/alerts.h"
#include "anomaly/nab.h"
#include "run_verb.h"
#include "stream/input.h"
#include "ui/app_state.h"
#include "ui/panels.h"

namespace {

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream f(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(f, l);) out.push_back(l);
  return out;
}

// One scored point as `anomaly detect --scored` writes it.
std::string ScoredRow(const fk::anomaly::Series& s, const fk::anomaly::ScoredPoint& p) {
  char buf[200];
  std::snprintf(buf, sizeof buf, ",%.6g,%.6g,%.6g,%.6g,%.1f,%d", p.value, p.expected, p.lower, p.upper,
                double(p.severity), p.anomaly ? 1 : 0);
  return fk::stream::FormatTime(p.time) + "," + s.measure + ",\"" + s.dims_label + "\"" + buf;
}

}  // namespace

TEST_CASE("cli/anomaly: the panel's model and the CLI's detect give the same points, groups and alerts") {
  const std::string dir = HeadlessImGui::UserDir("anomaly_equality");
  const std::string events = dir + "/events.jsonl";
  // A week of one camera with the simulator's injected jump, drop and level shift.
  const auto sim = fk::test::RunVerb(fk::cli::AnomalyCommand, {"simulate", "--days", "7", "--events", events, "--json"});
  INFO(sim.error);
  REQUIRE(sim.code == 0);

  HeadlessApp h(__func__);
  h.app.OpenPanel("Anomalies");
  h.Frames(1);
  fk::ui::ImportAnomalyFile(h.app.State(), events);
  h.FramesUntil([](const nlohmann::json& s) {
    const std::string st = s["anomaly"].value("state", "");
    return st == "done" || st == "failed";
  });
  const fk::anomaly::AnomalyModel& m = *h.app.State().anomaly.model;
  REQUIRE(m.state() == fk::anomaly::ModelState::Done);
  const nlohmann::json panel = m.StatusJson();

  // The panel's defaults as flags; the CLI's defaults cover the rest (interval, measures, dimensions, threshold, rule).
  const auto out = fk::test::RunVerb(fk::cli::AnomalyCommand,
                                     {"detect", "--input", events, "--param", "warmup=288", "--scored",
                                      dir + "/scored.csv", "--alerts", dir + "/alerts.jsonl", "--top", "100000",
                                      "--json"});
  INFO(out.error);
  REQUIRE(out.code == 0);
  const nlohmann::json cli = nlohmann::json::parse(out.out);
  for (const char* k : {"state", "mode", "windows", "events", "late_events", "series", "points", "anomalies", "groups",
                        "alerts", "bad_lines"}) {
    INFO(k);
    CHECK(cli[k] == panel[k]);
  }
  CHECK(panel["anomalies"].get<int>() > 0);
  CHECK(panel["alerts"].get<int>() > 0);

  // Every scored point, as the CLI wrote it.
  const auto scored = Lines(dir + "/scored.csv");
  size_t row = 1;  // after the header
  for (auto& s : m.series())
    for (auto& p : s.points) {
      REQUIRE(row < scored.size());
      CHECK(scored[row++] == ScoredRow(s, p));
    }
  CHECK(row == scored.size());

  // Every group (by severity) with its contributions, and every alert.
  const auto groups = m.GroupsBySeverity();
  REQUIRE(cli["top_groups"].size() == groups.size());
  for (size_t i = 0; i < groups.size(); i++) {
    const nlohmann::json& c = cli["top_groups"][i];
    CHECK(c["id"] == groups[i]->id);
    CHECK(c["time"] == fk::stream::FormatTime(groups[i]->time));
    CHECK(c["score"] == groups[i]->score);
    CHECK(c["primary_measure"] == groups[i]->primary_measure);
    REQUIRE(c["contributions"].size() == groups[i]->contributions.size());
    for (size_t k = 0; k < groups[i]->contributions.size(); k++) {
      CHECK(c["contributions"][k]["severity"] == groups[i]->contributions[k].severity);
      CHECK(c["contributions"][k]["percent"] == groups[i]->contributions[k].percent);
    }
  }
  const auto alerts = Lines(dir + "/alerts.jsonl");
  REQUIRE(alerts.size() == m.alerts().size());
  for (size_t i = 0; i < alerts.size(); i++) CHECK(alerts[i] == fk::anomaly::AlertToJson(m.alerts()[i]));

  // Another warm-up is another model: the comparison above can fail.
  const auto other = fk::test::RunVerb(fk::cli::AnomalyCommand,
                                       {"detect", "--input", events, "--scored", dir + "/other.csv", "--json"});
  REQUIRE(other.code == 0);
  CHECK(Lines(dir + "/other.csv") != scored);
}

TEST_CASE("cli/anomaly: corpus writes a NAB-layout corpus that nab loads and scores; bad kinds are refused") {
  const char* tmp = std::getenv("TMPDIR");
  const std::string dir = std::string(tmp ? tmp : "/tmp") + "/fk_anomaly_corpus_test";
  const auto made = fk::test::RunVerb(fk::cli::AnomalyCommand,
                                      {"corpus", "--out", dir, "--seed", "3", "--files", "4", "--days", "8",
                                       "--kinds", "drop,stuck,level_shift,jump", "--json"});
  REQUIRE(made.code == 0);
  const auto j = nlohmann::json::parse(made.out);
  REQUIRE(j["anomalies"].size() == 4);
  CHECK(j["anomalies"][1]["kind"] == "stuck");
  CHECK(j["anomalies"][3]["kind"] == "jump");
  std::vector<fk::anomaly::NabFile> files;
  REQUIRE(fk::anomaly::LoadNabCorpus(dir, {"simTraffic"}, &files).ok());
  REQUIRE(files.size() == 4);
  for (auto& f : files) {
    CHECK(f.values.size() == 8 * 288);
    CHECK(f.windows.size() == 1);  // one label per file, after the probationary period
  }
  // The stuck file repeats one count for at least an hour from its label.
  const auto& stuck = files[1];
  const size_t at = (stuck.windows[0].first + stuck.windows[0].second + 1) / 2;
  for (size_t r = at; r < at + 12; r++) CHECK(stuck.values[r] == stuck.values[at]);
  const auto scored = fk::test::RunVerb(fk::cli::AnomalyCommand,
                                        {"nab", "--data", dir, "--categories", "simTraffic", "--threshold", "0.5", "--json"});
  REQUIRE(scored.code == 0);
  const auto s = nlohmann::json::parse(scored.out);
  CHECK(s["thresholds"]["standard"] == 0.5);
  CHECK(s["scores"]["simTraffic"]["standard"].is_number());
  const auto bad = fk::test::RunVerb(fk::cli::AnomalyCommand, {"corpus", "--out", dir, "--kinds", "wobble"});
  CHECK(bad.code == 2);
  CHECK(bad.error == "--kinds: drop, stuck, level_shift or jump (got 'wobble')");
}
