#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "anomaly/model.h"
#include "stream/sink.h"

using namespace fk::anomaly;
using fk::stream::InjectedAnomaly;
using fk::stream::InjectedKind;
using fk::stream::SimulatorOptions;
using fk::stream::TimeS;

namespace {
constexpr TimeS kJump = 3 * 86400 + 3 * 3600 + 10 * 60;  // day 4, 03:10, relative to start

SimulatorOptions FiveDays(std::vector<InjectedAnomaly> anomalies) {
  SimulatorOptions o;
  o.duration_s = 5 * 86400;
  o.anomalies = std::move(anomalies);
  return o;
}
const Series* Find(const AnomalyModel& m, const std::string& measure) {
  for (auto& s : m.series())
    if (s.measure == measure) return &s;
  return nullptr;
}
const ScoredPoint* At(const Series& s, TimeS t) {
  for (auto& p : s.points)
    if (p.time == t) return &p;
  return nullptr;
}
}  // namespace

TEST_CASE("anomaly/model: a jump of cars 1 -> 87 gets severity >= 70, ordinary points stay low (backtest)") {
  ModelOptions mo;
  mo.config.mode = Mode::Backtest;
  AnomalyModel m(mo);
  const SimulatorOptions sim = FiveDays({InjectedAnomaly{InjectedKind::Jump, "car", 0, kJump, 300, 87}});
  REQUIRE(m.StartSimulator(sim).ok());
  m.RunToEnd();
  CHECK(m.state() == ModelState::Done);
  const Series* cars = Find(m, "car");
  REQUIRE(cars != nullptr);
  const ScoredPoint* jump = At(*cars, sim.start + kJump + 300);
  REQUIRE(jump != nullptr);
  CHECK(jump->value >= 87);
  CHECK(jump->expected < 10);
  CHECK(jump->severity >= 70);
  CHECK(jump->anomaly);
  // Ordinary points: low severity, few false anomalies.
  size_t scored = 0, high = 0;
  for (auto& p : cars->points) {
    if (p.initializing || p.time == jump->time) continue;
    scored++;
    high += p.severity >= 50;
  }
  CHECK(scored > 500);
  CHECK(double(high) / double(scored) < 0.02);
  // Backtest: nothing is reported in the training part.
  for (size_t i = 0; i < cars->points.size() * 3 / 10 - 1; i++) CHECK_FALSE(cars->points[i].anomaly);
}

TEST_CASE("anomaly/model: continuous mode is Initializing until enough intervals, and says how many") {
  ModelOptions mo;
  mo.events_per_slice = 16;
  AnomalyModel m(mo);
  REQUIRE(m.StartSimulator(FiveDays({})).ok());
  m.Step(0.0);
  CHECK(m.state() == ModelState::Initializing);
  CHECK(m.InitializingMessage().find("needs 64 intervals") != std::string::npos);
  CHECK(m.StatusJson()["state"] == "initializing");
  m.RunToEnd();
  CHECK(m.state() == ModelState::Done);
  CHECK(m.counts().windows == 5 * 288);
  CHECK(m.counts().late_events == 0);
  const nlohmann::json js = m.StatusJson();
  CHECK(js["windows"] == 1440);
  CHECK(js["groups"] == m.counts().groups);
  CHECK(js["progress"].dump() == "1.0");
}

TEST_CASE("anomaly/model: anomalies of one interval across cameras form one group whose contributions sum to 100") {
  SimulatorOptions sim = FiveDays({InjectedAnomaly{InjectedKind::Jump, "car", 0, kJump, 300, 87},
                                   InjectedAnomaly{InjectedKind::Jump, "car", 1, kJump, 300, 40}});
  sim.cameras = 3;
  AnomalyModel m;
  REQUIRE(m.StartSimulator(sim).ok());
  m.RunToEnd();
  const AnomalyGroup* g = nullptr;
  for (auto& x : m.groups())
    if (x.time == sim.start + kJump + 300) g = &x;
  REQUIRE(g != nullptr);
  REQUIRE(g->contributions.size() >= 2);
  CHECK(g->primary_measure == "car");
  double total = 0;
  for (auto& c : g->contributions) total += c.percent;
  CHECK(total == doctest::Approx(100.0).epsilon(1e-4));
  CHECK(g->contributions[0].dims_label == "camera_id=cam1");
  CHECK(g->score >= 70);
  auto sorted = m.GroupsBySeverity();
  for (size_t i = 1; i < sorted.size(); i++) CHECK(sorted[i - 1]->score >= sorted[i]->score);
}

TEST_CASE("anomaly/model: feedback 'no' lowers the later severity of the same pattern, 'yes' keeps it") {
  // The same night-time jump on day 3 and day 4.
  const TimeS first = 2 * 86400 + 3 * 3600 + 10 * 60;
  const SimulatorOptions sim = FiveDays({InjectedAnomaly{InjectedKind::Jump, "car", 0, first, 300, 60},
                                         InjectedAnomaly{InjectedKind::Jump, "car", 0, kJump, 300, 60}});
  float second[3] = {0, 0, 0};
  const Verdict verdicts[3] = {Verdict::None, Verdict::Yes, Verdict::No};
  for (int k = 0; k < 3; k++) {
    AnomalyModel m;
    REQUIRE(m.StartSimulator(sim).ok());
    while (m.groups().empty() || m.groups().back().time < sim.start + first + 300) REQUIRE_FALSE(m.Step(0.0));
    uint64_t judged = 0;
    for (auto& g : m.groups())
      if (g.time == sim.start + first + 300) judged = g.id;
    REQUIRE(judged != 0);
    if (verdicts[k] != Verdict::None) m.SetFeedback(judged, verdicts[k]);
    m.RunToEnd();
    second[k] = At(*Find(m, "car"), sim.start + kJump + 300)->severity;
  }
  CHECK(second[0] >= 50);
  CHECK(second[1] == second[0]);          // "yes": unchanged
  CHECK(second[2] < 0.5f * second[0]);    // "no": damped
}

TEST_CASE("anomaly/model: alert rules filter by threshold, measure and dimension; alerts go to log, file and hook") {
  AnomalyGroup g;
  g.id = 7;
  g.time = 1622912100;
  Contribution a{"car", "camera_id=cam1", {{"camera_id", "cam1"}}, 87, 1.5, 92.f, 0};
  Contribution b{"person", "camera_id=cam2", {{"camera_id", "cam2"}}, 0, 20, 60.f, 0};
  g.contributions = {a, b};
  FinishGroup(&g);
  CHECK(g.score == 92.f);
  CHECK(g.primary_measure == "car");
  CHECK(g.contributions[0].percent + g.contributions[1].percent == doctest::Approx(100));

  CHECK(EvaluateRule({"any", 50, "", ""}, g)->contributions.size() == 2);
  CHECK_FALSE(EvaluateRule({"high", 95, "", ""}, g).has_value());
  auto persons = EvaluateRule({"persons", 50, "person", ""}, g);
  REQUIRE(persons.has_value());
  CHECK(persons->impacted_measure == "person");
  CHECK(persons->contributions[0].percent == doctest::Approx(100));
  CHECK_FALSE(EvaluateRule({"persons-high", 70, "person", ""}, g).has_value());
  CHECK(EvaluateRule({"cam1", 50, "", "camera_id=cam1"}, g)->impacted_measure == "car");
  CHECK(EvaluateRule({"cam2", 50, "", "cam2"}, g)->impacted_measure == "person");
  CHECK_FALSE(EvaluateRule({"cam3", 50, "", "camera_id=cam3"}, g).has_value());
  const std::string js = AlertToJson(*EvaluateRule({"cam1", 50, "car", "cam1"}, g));
  CHECK(js.find("\"alert\":\"cam1\"") != std::string::npos);
  CHECK(js.find("\"timestamp\":\"2021-06-05T16:55:00\"") != std::string::npos);
  CHECK(js.find("\"impacted_measure\":\"car\"") != std::string::npos);
  CHECK(js.find("\"dimension\":\"camera_id\",\"value\":\"cam1\"") != std::string::npos);

  // End to end: the jump fires the car rule only; the alert file gets one line per alert.
  const std::string file = (std::filesystem::temp_directory_path() / ("fk_alerts_test_" + std::to_string(std::rand()) + ".jsonl")).string();
  ModelOptions mo;
  mo.rules = {{"cars", 70, "car", "camera_id=cam1"}, {"never", 101, "", ""}};
  mo.alert_file = file;
  std::vector<std::string> hooked;
  mo.on_alert = [&](const Alert&, const std::string& json) { hooked.push_back(json); };
  AnomalyModel m(mo);
  REQUIRE(m.StartSimulator(FiveDays({InjectedAnomaly{InjectedKind::Jump, "car", 0, kJump, 300, 87}})).ok());
  m.RunToEnd();
  REQUIRE(!m.alerts().empty());
  for (auto& al : m.alerts()) CHECK(al.rule == "cars");
  CHECK(hooked.size() == m.alerts().size());
  std::ifstream f(file);
  std::string line;
  size_t lines = 0;
  while (std::getline(f, line)) lines++;
  CHECK(lines == m.alerts().size());
  std::remove(file.c_str());
}

TEST_CASE("anomaly/model: continuous mode reads the partition sink's records back") {
  // Window the simulator into partitions, then detect over them.
  fk::stream::Schema schema;
  SimulatorOptions sim = FiveDays({InjectedAnomaly{InjectedKind::Jump, "car", 0, kJump, 300, 87}});
  fk::stream::CameraSimulator cam(sim, &schema);
  fk::stream::Windower w({300, 0, 60});
  std::vector<fk::stream::Event> ev;
  while (cam.Generate(10000, &ev)) {
  }
  for (auto& e : ev) w.Add(e);
  w.Flush();
  const std::string root = (std::filesystem::temp_directory_path() / "fk_partitions_test").string();
  std::filesystem::remove_all(root);
  fk::stream::PartitionSink sink(root);
  for (auto& r : w.TakeClosed()) REQUIRE(sink.Write(r, schema).ok());
  sink.Close();
  AnomalyModel m;
  REQUIRE(m.StartPartitions(root, sim.start, sim.start + sim.duration_s).ok());
  m.RunToEnd();
  CHECK(m.counts().windows == 5 * 288);
  CHECK(m.counts().bad_lines == 0);
  const ScoredPoint* jump = At(*Find(m, "car"), sim.start + kJump + 300);
  REQUIRE(jump != nullptr);
  CHECK(jump->severity >= 70);
}

TEST_CASE("anomaly/model: a config outside the service's limits is refused naming the field") {
  ModelOptions mo;
  mo.config.interval_s = 120;
  AnomalyModel m(mo);
  auto st = m.StartSimulator(SimulatorOptions{});
  CHECK_FALSE(st.ok());
  CHECK(st.message().find("interval_s") != std::string::npos);
  CHECK(m.state() == ModelState::Failed);
  DetectorConfig c;
  c.measures.assign(6, MeasureSpec{"x", fk::stream::Agg::Sum});
  CHECK(c.Validate().message().find("measures") != std::string::npos);
}

TEST_CASE("anomaly/model: a file with bad lines reports them and still detects on the rest") {
  const std::string path = (std::filesystem::temp_directory_path() / "fk_model_file_test.jsonl").string();
  {
    std::ofstream f(path);
    fk::stream::Schema s;
    fk::stream::CameraSimulator cam(FiveDays({}), &s);
    std::vector<fk::stream::Event> ev;
    while (cam.Generate(10000, &ev)) {
    }
    for (size_t i = 0; i < ev.size(); i++) {
      if (i % 1000 == 500) f << "{\"car\": oops}\n";
      f << cam.ToJsonLine(ev[i]) << "\n";
    }
  }
  AnomalyModel m;
  REQUIRE(m.StartFile(path).ok());
  // The file is parsed a slice at a time: a frame never waits for all of it.
  CHECK(m.reading());
  m.Step(0);
  CHECK(m.reading());
  CHECK(m.Progress() < 0.3f);
  CHECK(m.InitializingMessage().rfind("Reading the file:", 0) == 0);
  m.RunToEnd();
  CHECK_FALSE(m.reading());
  CHECK(m.counts().bad_lines > 10);
  CHECK(m.ingest().messages.size() == 5);
  CHECK(m.counts().windows == 5 * 288);
  CHECK(m.StatusJson()["bad_lines"] == m.counts().bad_lines);
  std::remove(path.c_str());
}
