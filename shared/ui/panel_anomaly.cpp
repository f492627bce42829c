// Anomalies panel: events -> windows -> per-series detector (severity 0-100)
// -> anomaly groups -> feedback -> alerts, over the simulator (live, paced in
// event time) or a user's CSV/JSONL file. A thin view over anomaly::AnomalyModel:
// the model is stepped between frames by PumpAnomalyStream (never in a draw
// call); this file draws the controls, one chart per measure with its
// expected band and severity-coloured anomalies, the group list with Yes/No
// feedback, the alert rules and the alert log.
// [SECTION] Options and actions (also used by ?run=anomaly-demo)
// [SECTION] Pumping the stream between frames
// [SECTION] Chart data
// [SECTION] Controls and status
// [SECTION] Charts
// [SECTION] Groups, alerts, rules, settings
// [SECTION] Panel
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include <nlohmann/json.hpp>

#include "anomaly/export.h"
#include "core/clock.h"
#include "imgui.h"
#include "stream/sink.h"
#include "plot/ticks.h"
#include "ui/app_state.h"
#include "ui/panels.h"
#include "ui/plot.h"
#include "ui/widgets.h"

namespace fk::ui {

// [SECTION] Options and actions (also used by ?run=anomaly-demo)

// Event seconds per wall-clock second; 0 = as fast as the CPU goes.
static const double kSpeeds[] = {1, 60, 600, 3600, 21600, 86400, 0};
static const char* kSpeedNames[] = {"real time", "1 min/s", "10 min/s", "1 h/s", "6 h/s", "1 day/s", "max"};
static const int64_t kIntervals[] = {300, 600, 3600, 86400};
static const char* kIntervalNames[] = {"5 min", "10 min", "1 h", "1 day"};
static const double kRanges[] = {1800, 3600, 7200, 21600, 0};  // 0 = everything
static const char* kRangeNames[] = {"30 min", "1 h", "2 h", "6 h", "max"};
static const char* kAggNames[] = {"COUNT", "SUM", "AVG"};
static constexpr int kMaxMeasures = 5;  // the service's limit (DetectorConfig::Validate)

static void EnsureDefaults(AnomalyPanelState& st) {
  if (!st.measures.empty()) return;
  for (const char* m : {"person", "car"}) {
    AnomalyMeasureEdit e;
    std::snprintf(e.name, sizeof e.name, "%s", m);
    st.measures.push_back(e);
  }
}

static std::vector<std::string> SplitList(const char* text) {
  std::vector<std::string> out;
  std::string cur;
  for (const char* p = text;; p++) {
    if (*p == ',' || *p == 0) {
      const size_t a = cur.find_first_not_of(' '), b = cur.find_last_not_of(' ');
      if (a != std::string::npos) out.push_back(cur.substr(a, b - a + 1));
      cur.clear();
      if (!*p) break;
    } else {
      cur += *p;
    }
  }
  return out;
}

static std::vector<anomaly::AlertRule> RulesFromPanel(const AnomalyPanelState& st) {
  std::vector<anomaly::AlertRule> rules;
  for (auto& r : st.rules) {
    anomaly::AlertRule a;
    a.name = r.name;
    a.threshold = r.threshold;
    if (r.measure > 0 && size_t(r.measure) <= st.measures.size()) a.measure = st.measures[size_t(r.measure - 1)].name;
    a.dimension = r.dimension;
    rules.push_back(a);
  }
  return rules;
}

static anomaly::ModelOptions OptionsFromPanel(const AnomalyPanelState& st) {
  anomaly::ModelOptions o;
  anomaly::DetectorConfig& c = o.config;
  c.interval_s = kIntervals[st.interval_idx];
  c.measures.clear();
  for (auto& m : st.measures) c.measures.push_back({m.name, stream::Agg(m.agg)});
  c.dimensions = SplitList(st.dimensions);
  c.timestamp_field = st.time_field;
  c.anomaly_threshold = st.threshold;
  c.mode = st.mode == 0 ? anomaly::Mode::Backtest : anomaly::Mode::Continuous;
  c.train_fraction = st.train_fraction;
  c.params.warmup = size_t(std::max(2, st.warmup));
  o.rules = RulesFromPanel(st);
  // Small slices: the live stream is paced in event time, and a slice is the
  // unit of pacing (64 events is a few minutes of one camera at rush hour).
  o.events_per_slice = 64;
  return o;
}

// A fresh model for a new source; charts and view follow it.
static anomaly::AnomalyModel& ResetModel(AnomalyPanelState& st) {
  st.import_error.clear();
  st.model = std::make_unique<anomaly::AnomalyModel>(OptionsFromPanel(st));
  st.charts.clear();
  st.dim_labels.clear();
  st.dims_idx = 0;
  st.anchor = 0;
  st.selected_group = 0;
  st.alerts_logged = 0;
  st.paused = false;
  st.last_pump_ms = 0;
  return *st.model;
}

bool StartAnomalySimulator(AppState& app) {
  AnomalyPanelState& st = app.anomaly;
  EnsureDefaults(st);
  stream::SimulatorOptions so;
  so.seed = uint64_t(st.seed);
  so.cameras = std::clamp(st.cameras, 1, 16);
  so.duration_s = int64_t(std::clamp(st.days, 1, 3650)) * 86400;
  if (!st.inject) so.anomalies.clear();
  anomaly::AnomalyModel& m = ResetModel(st);
  if (Status s = m.StartSimulator(so); !s.ok()) {
    app.Error("anomalies: " + s.message());
    return false;
  }
  st.source = 0;
  st.sim_start = so.start;
  st.sim_clock = double(so.start);
  char buf[96];
  std::snprintf(buf, sizeof buf, "simulator: %d camera%s, %d days, seed %d", so.cameras, so.cameras > 1 ? "s" : "",
                st.days, st.seed);
  st.source_label = buf;
  app.Log("anomalies: streaming the " + st.source_label + " at " + kSpeedNames[st.speed_idx]);
  return true;
}

// Reads the file in slices (AnomalyModel::StartFile), then scores it in slices.
static bool StartAnomalyFile(AppState& app, const std::string& path) {
  AnomalyPanelState& st = app.anomaly;
  EnsureDefaults(st);
  anomaly::AnomalyModel& m = ResetModel(st);
  if (Status s = m.StartFile(path); !s.ok()) {
    app.Error("anomalies: " + s.message());
    return false;
  }
  st.source = 1;
  st.source_label = path;
  app.Log("anomalies: reading " + path);
  return true;
}

// The windowed record files imported so far, scored together (a landing folder's part files).
static bool StartLanding(AppState& app) {
  AnomalyPanelState& st = app.anomaly;
  EnsureDefaults(st);
  anomaly::AnomalyModel& m = ResetModel(st);
  const std::string label = std::to_string(st.landing_files.size()) + " landing file(s)";
  st.source = 2;
  st.source_label = label;
  if (Status s = m.StartRecordFiles(st.landing_files, label); !s.ok()) {
    app.Error("anomalies: " + s.message());
    return false;
  }
  app.Log("anomalies: scoring " + label);
  return true;
}

// Does any configured measure name a numeric column of the file?
static bool MeasuresMatch(const AnomalyPanelState& st, const stream::EventColumns& cols) {
  for (auto& m : st.measures)
    if (std::find(cols.numeric.begin(), cols.numeric.end(), std::string(m.name)) != cols.numeric.end()) return true;
  return false;
}

static void OfferColumns(AppState& app, const std::string& path, stream::EventColumns cols) {
  AnomalyPanelState& st = app.anomaly;
  st.model.reset();  // nothing runs until the user picks
  st.offer_path = path;
  st.offer = std::move(cols);
  // All numeric columns as measures (the service's limit is 5), text columns as dimensions (5 too).
  st.offer_measure.assign(st.offer.numeric.size(), 0);
  for (size_t i = 0; i < st.offer_measure.size() && i < size_t(kMaxMeasures); i++) st.offer_measure[i] = 1;
  st.offer_dim.assign(st.offer.text.size(), 0);
  for (size_t i = 0; i < st.offer_dim.size() && i < 5; i++) st.offer_dim[i] = 1;
  st.offer_time = 0;
  std::string measures;
  for (auto& m : st.measures) measures += (measures.empty() ? "" : ", ") + std::string(m.name);
  st.message = path + ": no column is one of the measures " + measures + "; pick its measures and dimensions below";
  app.Log("anomalies: " + st.message);
}

// Runs the offered file with the user's picks: they become the panel's measures (AVG), dimensions and time column.
static bool RunOffer(AppState& app) {
  AnomalyPanelState& st = app.anomaly;
  const stream::EventColumns& c = st.offer;
  std::vector<AnomalyMeasureEdit> measures;
  for (size_t i = 0; i < c.numeric.size(); i++) {
    if (!st.offer_measure[i]) continue;
    AnomalyMeasureEdit e;
    if (c.numeric[i].size() >= sizeof e.name) {  // cut short, it would match no column
      st.message = "column '" + c.numeric[i] + "': a measure's name is at most " + std::to_string(sizeof e.name - 1) +
                   " characters (rename it)";
      return false;
    }
    std::snprintf(e.name, sizeof e.name, "%s", c.numeric[i].c_str());
    e.agg = int(stream::Agg::Avg);
    measures.push_back(e);
  }
  if (measures.empty() || measures.size() > size_t(kMaxMeasures)) {
    st.message = "pick 1 to " + std::to_string(kMaxMeasures) + " measures";
    return false;
  }
  std::string dims;
  for (size_t i = 0; i < c.text.size(); i++) {
    if (!st.offer_dim[i]) continue;
    // The dimensions field is a comma-separated list: a name with a comma would become two dimensions.
    if (c.text[i].find(',') != std::string::npos) {
      st.message = "column '" + c.text[i] + "' has a comma in its name and cannot be a dimension (rename it)";
      return false;
    }
    dims += (dims.empty() ? "" : ",") + c.text[i];
  }
  if (dims.size() >= sizeof st.dimensions) {  // the field would cut the list short
    st.message = "the picked dimensions' names are too long together (" + std::to_string(dims.size()) +
                 " characters, at most " + std::to_string(sizeof st.dimensions - 1) + "): pick fewer";
    return false;
  }
  st.measures = measures;
  std::snprintf(st.dimensions, sizeof st.dimensions, "%s", dims.c_str());
  std::snprintf(st.time_field, sizeof st.time_field, "%s", c.time[size_t(st.offer_time)].c_str());
  for (auto& r : st.rules) r.measure = 0;  // rule measure indexes pointed at the old list
  const std::string path = st.offer_path;
  const bool records = st.offer.records;
  st.offer_path.clear();
  st.message.clear();
  return records ? StartLanding(app) : StartAnomalyFile(app, path);
}

void ImportAnomalyFile(AppState& app, const std::string& path) {
  AnomalyPanelState& st = app.anomaly;
  EnsureDefaults(st);
  app.current_panel = PanelIndex("anomalies");
  for (size_t i = 0; i < app.imports.size(); i++)
    if (app.imports[i].path == path) st.file_idx = int(i);
  st.import_error.clear();
  auto cols = stream::InspectEventFile(path);
  if (!cols) {
    st.model.reset();
    st.import_error = cols.status().message();
    app.Error("anomalies: " + st.import_error);
    return;
  }
  if (cols->records) {  // a sink's windowed records: one more file of the landing set
    if (std::find(st.landing_files.begin(), st.landing_files.end(), path) == st.landing_files.end())
      st.landing_files.push_back(path);
    if (!MeasuresMatch(st, *cols)) return OfferColumns(app, path, std::move(*cols));
    StartLanding(app);
    return;
  }
  if (cols->time.empty()) {
    std::string all;
    for (auto* v : {&cols->numeric, &cols->text})
      for (auto& n : *v) all += (all.empty() ? "" : ", ") + n;
    st.offer_path.clear();
    st.model.reset();
    st.import_error = path + ": no column holds times (looked at " + std::to_string(cols->lines) + " lines; columns: " +
                      (all.empty() ? "none" : all) + "); a time column is what events are windowed by";
    st.message.clear();
    app.Error("anomalies: " + st.import_error);
    return;
  }
  if (!MeasuresMatch(st, *cols)) return OfferColumns(app, path, std::move(*cols));
  st.offer_path.clear();
  st.message.clear();
  StartAnomalyFile(app, path);
}

nlohmann::json AnomalyStatusJson(const AppState& app) {
  const AnomalyPanelState& st = app.anomaly;
  if (!st.offer_path.empty()) {
    // Waiting for the user's pick of the file's columns.
    return {{"state", "choose_columns"},
            {"file", st.offer_path},
            {"columns", {{"time", st.offer.time}, {"numeric", st.offer.numeric}, {"text", st.offer.text}}},
            {"message", st.message}};
  }
  if (!st.model && !st.import_error.empty()) return {{"state", "failed"}, {"error", st.import_error}};
  if (!st.model) return nullptr;
  nlohmann::json j = st.model->StatusJson();
  j["source"] = st.source_label;
  if (st.source == 2) j["landing_files"] = st.landing_files.size();
  if (!st.message.empty()) j["message"] = st.message;
  return j;
}

// Anomaly groups or the feedback on them, as JSON Lines or CSV, downloaded.
static void ExportAnomalies(AppState& app, bool feedback, bool csv) {
  AnomalyPanelState& st = app.anomaly;
  if (!st.model) return;
  const anomaly::AnomalyModel& m = *st.model;
  const std::string text = feedback ? (csv ? anomaly::FeedbackToCsv(m) : anomaly::FeedbackToJsonl(m))
                                    : (csv ? anomaly::GroupsToCsv(m) : anomaly::GroupsToJsonl(m));
  size_t n = 0;
  for (auto& g : m.groups()) n += !feedback || g.verdict != anomaly::Verdict::None;
  const std::string name = std::string(feedback ? "anomaly_feedback" : "anomaly_groups") + (csv ? ".csv" : ".jsonl");
  std::string path;
  if (!SaveUserFile(app, name, text, &path)) return;
  st.message = "exported " + std::to_string(n) + (feedback ? " judged group(s) to " : " group(s) to ") + path;
  app.Log("anomalies: " + st.message);
}

void StopAnomalyStream(AppState& app) {
  AnomalyPanelState& st = app.anomaly;
  if (!st.model) return;
  st.model->Cancel();
  st.model->Step(0);  // a cancelled source finishes on its next slice
  st.paused = false;
  app.Log("anomalies: stopped");
}

// ?run=anomaly-demo[&speed=<event s per s>|max][&cameras=][&days=][&seed=][&range=30min|1h|2h|6h|max]
bool RunAnomalyDemoFromParams(AppState& app, const std::map<std::string, std::string>& params) {
  AnomalyPanelState& st = app.anomaly;
  try {
    for (auto& [k, v] : params) {
      if (k == "speed") {
        const double s = v == "max" ? 0.0 : std::stod(v);
        const auto it = std::min_element(std::begin(kSpeeds), std::end(kSpeeds),
                                         [&](double a, double b) { return std::fabs(a - s) < std::fabs(b - s); });
        st.speed_idx = int(it - std::begin(kSpeeds));
      } else if (k == "cameras") {
        st.cameras = std::stoi(v);
      } else if (k == "days") {
        st.days = std::stoi(v);
      } else if (k == "seed") {
        st.seed = std::stoi(v);
      } else if (k == "range") {  // chart range: 30min, 1h, 2h, 6h or max
        const char* keys[] = {"30min", "1h", "2h", "6h", "max"};
        const auto it = std::find(std::begin(keys), std::end(keys), v);
        if (it == std::end(keys)) {
          app.Error("?run=anomaly-demo: range must be 30min, 1h, 2h, 6h or max (got '" + v + "')");
          return false;
        }
        st.range_idx = int(it - std::begin(keys));
      } else {
        app.Error("?run=anomaly-demo: unknown parameter '" + k + "' (known: speed, cameras, days, seed, range)");
        return false;
      }
    }
  } catch (const std::exception&) {
    app.Error("?run=anomaly-demo: a parameter is not a number");
    return false;
  }
  if (st.cameras < 1 || st.cameras > 16 || st.days < 1 || st.days > 3650) {
    app.Error("?run=anomaly-demo: cameras must be 1-16 and days 1-3650");
    return false;
  }
  return StartAnomalySimulator(app);
}

// [SECTION] Pumping the stream between frames

static double LatestTime(const anomaly::AnomalyModel& m, double fallback) {
  double t = fallback;
  for (auto& s : m.series())
    if (!s.points.empty()) t = std::max(t, double(s.points.back().time));
  return t;
}

void PumpAnomalyStream(AppState& app, double budget_ms) {
  AnomalyPanelState& st = app.anomaly;
  const double now = NowMs();
  const double dt_ms = st.last_pump_ms > 0 ? std::min(250.0, now - st.last_pump_ms) : 0.0;  // a hidden tab does not jump
  st.last_pump_ms = now;
  if (!st.model || st.paused) return;
  anomaly::AnomalyModel& m = *st.model;
  const anomaly::ModelState s = m.state();
  if (s == anomaly::ModelState::Idle || s == anomaly::ModelState::Done || s == anomaly::ModelState::Failed) return;
  const double speed = kSpeeds[st.speed_idx];
  if (st.source == 0 && speed > 0) {
    // Live: event time advances at `speed`; a window is scored once the
    // stream is past its end plus the allowed lateness, as in production.
    st.sim_clock += dt_ms / 1000.0 * speed;
    const anomaly::DetectorConfig& c = m.options().config;
    const double lag = double(c.interval_s + c.allowed_lateness_s);
    const double t0 = NowMs();
    while (LatestTime(m, double(st.sim_start)) + lag <= st.sim_clock && NowMs() - t0 < budget_ms) {
      if (m.Step(0)) break;  // one slice per call
    }
  } else {
    const bool was_reading = m.reading();
    m.Step(budget_ms);
    if (was_reading && !m.reading()) {  // the whole file is parsed: say what was skipped
      if (m.ingest().bad_lines) app.Error(st.source_label + ": " + m.ingest().Summary());
      app.Log("anomalies: scoring " + st.source_label);
    }
  }
  // Fired alerts also go to the app log (the status bar shows the latest).
  for (; st.alerts_logged < m.alerts().size(); st.alerts_logged++) {
    const anomaly::Alert& a = m.alerts()[st.alerts_logged];
    char buf[160];
    std::snprintf(buf, sizeof buf, "alert '%s': %s at %s, severity %.0f", a.rule.c_str(), a.impacted_measure.c_str(),
                  plot::FormatTimeFull(double(a.time)).c_str(), double(a.score));
    app.Log(buf);
  }
  if (m.state() == anomaly::ModelState::Done) app.Log("anomalies: " + st.source_label + " done");
  if (m.state() == anomaly::ModelState::Failed) app.Error("anomalies: " + m.error());
}

// [SECTION] Chart data

// Amber at the anomaly threshold to red at 100: how alarming, at a glance.
static ImU32 SeverityColor(float severity) {
  const float t = std::clamp((severity - 50.0f) / 50.0f, 0.0f, 1.0f);
  const auto mix = [t](int a, int b) { return int(float(a) + (float(b) - float(a)) * t); };
  return IM_COL32(mix(250, 235), mix(200, 45), mix(60, 45), 255);
}

// Copies only the points added since the last frame: O(new points).
static void SyncCharts(AnomalyPanelState& st) {
  const auto& series = st.model->series();
  const auto& measures = st.model->options().config.measures;
  st.charts.resize(series.size());
  for (size_t i = 0; i < series.size(); i++) {
    AnomalyChartCache& c = st.charts[i];
    const auto& pts = series[i].points;
    // Counts are never negative: the band stops at 0 instead of suggesting it.
    const auto spec = std::find_if(measures.begin(), measures.end(),
                                   [&](const anomaly::MeasureSpec& m) { return m.name == series[i].measure; });
    const double floor = spec != measures.end() && spec->agg == stream::Agg::Count ? 0.0 : -INFINITY;
    for (; c.synced < pts.size(); c.synced++) {
      const anomaly::ScoredPoint& p = pts[c.synced];
      const double t = double(p.time);
      c.t.push_back(t);
      c.value.push_back(p.value);
      // No band while the detector is still learning: it has no expectation yet.
      c.lower.push_back(p.initializing ? NAN : std::max(floor, p.lower));
      c.upper.push_back(p.initializing ? NAN : p.upper);
      if (p.anomaly) {
        c.anom_t.push_back(t);
        c.anom_v.push_back(p.value);
        c.anom_color.push_back(SeverityColor(p.severity));
        c.anom_severity.push_back(p.severity);
      }
    }
  }
  // Dimension values, in order of first appearance.
  for (auto& s : series) {
    const std::string label = s.dims_label.empty() ? "(all)" : s.dims_label;
    if (std::find(st.dim_labels.begin(), st.dim_labels.end(), label) == st.dim_labels.end())
      st.dim_labels.push_back(label);
  }
  st.dims_idx = std::clamp(st.dims_idx, 0, std::max(0, int(st.dim_labels.size()) - 1));
}

// [SECTION] Controls and status

static void DrawSourceBar(AppState& app, AnomalyPanelState& st) {
  const char* sources[] = {"Simulator (live)", "Imported file", "Landing records"};
  ImGui::SetNextItemWidth(150);
  ImGui::Combo("##source", &st.source, sources, 3);
  RecordItem(app, "anomaly.source");
  ImGui::SameLine();
  if (st.source == 0) {
    ImGui::SetNextItemWidth(100);
    ImGui::Combo("speed", &st.speed_idx, kSpeedNames, IM_ARRAYSIZE(kSpeedNames));
    RecordItem(app, "anomaly.speed");
    HelpMarker("Event time per second of wall time. The speed applies live; 'max' runs as fast as the CPU allows "
               "within each frame's budget.");
  } else if (st.source == 2) {
    if (!app.platform.request_import) {  // natively: read a landing folder from disk
      ImGui::SetNextItemWidth(220);
      ImGui::InputTextWithHint("##landing", "landing folder", st.landing_dir, sizeof st.landing_dir);
      ImGui::SameLine();
      if (ImGui::Button("Read folder") && st.landing_dir[0]) {
        auto files = stream::ListLandingFiles(st.landing_dir);
        if (!files) {
          app.Error("anomalies: " + files.status().message());
        } else if (files->empty()) {
          app.Error(std::string("anomalies: ") + st.landing_dir + ": no record files");
        } else {
          st.landing_files = *files;
          StartLanding(app);
        }
      }
      ImGui::SameLine();
    }
    ImGui::TextDisabled("%zu file(s)", st.landing_files.size());
    HelpMarker("Windowed records as the stream's file sink (or a Flink job) writes them: JSON lines such as "
               "{\"car\":56,\"camera_id\":\"cam1\",\"hop_time\":\"2021-06-05T16:55:00\"}, one file per part. Drop "
               "the part files on the page (they add up; Start scores all of them) or, in the desktop app, give the "
               "landing folder: every file under it except names starting with '.' or '_' (in-progress parts); "
               ".parquet files there are read as Parquet (the sink's part-N.parquet: the same columns).");
  } else {
    ImGui::SetNextItemWidth(260);
    const char* preview = st.file_idx < int(app.imports.size()) ? app.imports[size_t(st.file_idx)].path.c_str()
                                                                : "no file imported";
    if (ImGui::BeginCombo("##file", preview)) {
      for (size_t i = 0; i < app.imports.size(); i++)
        if (ImGui::Selectable(app.imports[i].path.c_str(), st.file_idx == int(i))) st.file_idx = int(i);
      ImGui::EndCombo();
    }
    HelpMarker("JSON Lines ({\"car\":17,\"camera_id\":\"cam1\",\"ts\":\"2021-06-05T16:52:10\"}) or CSV with a "
               "timestamp column. Import in the Files section (or drop the file on the page while this panel is "
               "open). Measures and dimensions come from the Source & detector tab.");
  }
  ImGui::SameLine();
  const bool running = st.model && (st.model->state() == anomaly::ModelState::Initializing ||
                                    st.model->state() == anomaly::ModelState::Running);
  const bool can_start = st.source == 0 || (st.source == 1 && st.file_idx < int(app.imports.size())) ||
                         (st.source == 2 && !st.landing_files.empty());
  if (!can_start) ImGui::BeginDisabled();
  if (ImGui::Button(running ? "Restart" : "Start")) {
    if (st.source == 0) StartAnomalySimulator(app);
    else if (st.source == 2) StartLanding(app);
    else ImportAnomalyFile(app, app.imports[size_t(st.file_idx)].path);  // checks its columns first
  }
  RecordItem(app, "anomaly.start");
  if (!can_start) ImGui::EndDisabled();
  ImGui::SameLine();
  if (!running) ImGui::BeginDisabled();
  if (ImGui::Button(st.paused ? "Resume" : "Pause")) st.paused = !st.paused;
  RecordItem(app, "anomaly.pause");
  ImGui::SameLine();
  if (ImGui::Button("Stop")) StopAnomalyStream(app);
  RecordItem(app, "anomaly.stop");
  if (!running) ImGui::EndDisabled();
}

// The offered columns of a user's file: tick measures and dimensions, pick the time column, run.
static void DrawOffer(AppState& app, AnomalyPanelState& st) {
  const stream::EventColumns& c = st.offer;
  ImGui::PushStyleColor(ImGuiCol_Text, colors::kAccent2);
  ImGui::TextWrapped("%s", st.message.c_str());
  ImGui::PopStyleColor();
  if (c.numeric.empty() || c.time.empty()) {
    ImGui::TextColored(ImColor(colors::kBad), "%s", c.time.empty() ? "No column holds times: nothing to window."
                                                                  : "No column holds numbers: nothing to measure.");
    return;
  }
  ImGui::SetNextItemWidth(160);
  if (ImGui::BeginCombo("time column", c.time[size_t(st.offer_time)].c_str())) {
    for (size_t i = 0; i < c.time.size(); i++)
      if (ImGui::Selectable(c.time[i].c_str(), st.offer_time == int(i))) st.offer_time = int(i);
    ImGui::EndCombo();
  }
  ImGui::TextUnformatted("measures (numbers, averaged per interval):");
  for (size_t i = 0; i < c.numeric.size(); i++) {
    ImGui::SameLine();
    bool on = st.offer_measure[i] != 0;
    ImGui::PushID(int(i));
    if (ImGui::Checkbox(c.numeric[i].c_str(), &on)) st.offer_measure[i] = on;
    ImGui::PopID();
  }
  ImGui::TextUnformatted("dimensions (text: one series per value):");
  if (c.text.empty()) {
    ImGui::SameLine();
    ImGui::TextDisabled("none in this file");
  }
  for (size_t i = 0; i < c.text.size(); i++) {
    ImGui::SameLine();
    bool on = st.offer_dim[i] != 0;
    ImGui::PushID(int(1000 + i));
    if (ImGui::Checkbox(c.text[i].c_str(), &on)) st.offer_dim[i] = on;
    ImGui::PopID();
  }
  if (ImGui::Button("Run with these columns")) RunOffer(app);  // landing records: all landing files run
  RecordItem(app, "anomaly.columns.run");
  ImGui::SameLine();
  if (ImGui::Button("Cancel")) {
    st.offer_path.clear();
    st.message.clear();
  }
}

static void DrawStatusLine(AnomalyPanelState& st) {
  if (!st.model && !st.import_error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, colors::kBad);
    ImGui::TextWrapped("failed: %s", st.import_error.c_str());
    ImGui::PopStyleColor();
    return;
  }
  if (!st.model) {
    ImGui::TextDisabled("Nothing running. Start the simulator (a roadside camera with injected anomalies) or score "
                        "an imported file.");
    return;
  }
  const anomaly::AnomalyModel& m = *st.model;
  const anomaly::ModelState state = m.state();
  const ImU32 state_color = state == anomaly::ModelState::Failed  ? colors::kBad
                            : state == anomaly::ModelState::Done  ? colors::kGood
                            : state == anomaly::ModelState::Running ? colors::kAccent
                                                                    : colors::kAccent2;
  ImGui::PushStyleColor(ImGuiCol_Text, state_color);
  ImGui::Text("%s%s", anomaly::ModelStateName(state), st.paused ? " (paused)" : "");
  ImGui::PopStyleColor();
  ImGui::SameLine();
  const anomaly::ModelCounts& c = m.counts();
  ImGui::TextDisabled("%s  |  %s mode", st.source_label.c_str(), anomaly::ModeName(m.options().config.mode));
  ImGui::Text("windows %llu   events %llu   anomalies %llu   groups %llu   alerts %llu", (unsigned long long)c.windows,
              (unsigned long long)c.events, (unsigned long long)c.anomalies, (unsigned long long)c.groups,
              (unsigned long long)c.alerts);
  if (c.late_events || c.bad_lines) {
    ImGui::SameLine();
    ImGui::TextDisabled("  late %llu, bad lines %llu", (unsigned long long)c.late_events,
                        (unsigned long long)c.bad_lines);
  }
  ImGui::SameLine();
  char overlay[64];
  if (st.source == 0 && st.sim_start > 0) {
    const double latest = LatestTime(m, double(st.sim_start));
    std::snprintf(overlay, sizeof overlay, "%s  (%.0f%%)", plot::FormatTimeFull(latest).c_str(), m.Progress() * 100.0);
  } else {
    std::snprintf(overlay, sizeof overlay, "%.0f%%", m.Progress() * 100.0);
  }
  ImGui::ProgressBar(m.Progress(), ImVec2(-1, 0), overlay);
  if (state == anomaly::ModelState::Initializing) {
    // How much data the detector still needs, in words and as a bar.
    const size_t need = m.options().config.params.warmup;
    size_t have = m.series().empty() ? 0 : need;
    for (auto& s : m.series()) have = std::min(have, s.detector.seen());
    ImGui::PushStyleColor(ImGuiCol_Text, colors::kAccent2);
    ImGui::TextUnformatted(m.InitializingMessage().c_str());
    ImGui::PopStyleColor();
    ImGui::SameLine();
    ImGui::ProgressBar(float(have) / float(std::max<size_t>(1, need)), ImVec2(160, 0), "");
  }
  if (state == anomaly::ModelState::Failed) {
    ImGui::PushStyleColor(ImGuiCol_Text, colors::kBad);
    ImGui::TextWrapped("%s", m.error().c_str());
    ImGui::PopStyleColor();
  }
}

// [SECTION] Charts

static void DrawPointTooltip(const anomaly::Series& s, const anomaly::ScoredPoint& p) {
  ImGui::BeginTooltip();
  ImGui::Text("%s  %s", s.measure.c_str(), s.dims_label.c_str());
  ImGui::TextDisabled("%s UTC (interval end)", plot::FormatTimeFull(double(p.time)).c_str());
  ImGui::Text("value      %.4g", p.value);
  if (p.initializing) {
    ImGui::TextDisabled("expected   (initializing: no score yet)");
  } else {
    ImGui::Text("expected   %.4g   range %.4g .. %.4g", p.expected, p.lower, p.upper);
    ImGui::PushStyleColor(ImGuiCol_Text, p.anomaly ? SeverityColor(p.severity) : colors::kMuted);
    ImGui::Text("severity   %.0f%s", double(p.severity), p.anomaly ? "  ANOMALY" : "");
    ImGui::PopStyleColor();
  }
  ImGui::EndTooltip();
}

static void DrawRangeBar(AppState& app, AnomalyPanelState& st) {
  if (st.dim_labels.size() > 1) {
    ImGui::SetNextItemWidth(200);
    if (ImGui::BeginCombo("series", st.dim_labels[size_t(st.dims_idx)].c_str())) {
      for (size_t i = 0; i < st.dim_labels.size(); i++)
        if (ImGui::Selectable(st.dim_labels[i].c_str(), st.dims_idx == int(i))) st.dims_idx = int(i);
      ImGui::EndCombo();
    }
    RecordItem(app, "anomaly.series");
    ImGui::SameLine(0, 20);
  }
  ImGui::TextDisabled("range");
  for (int i = 0; i < IM_ARRAYSIZE(kRanges); i++) {
    ImGui::SameLine();
    const bool on = st.range_idx == i;
    if (on) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    else ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_FrameBg));
    if (ImGui::SmallButton(kRangeNames[i])) st.range_idx = i;
    ImGui::PopStyleColor();
    const std::string id = std::string("anomaly.range.") + kRangeNames[i];
    RecordItem(app, id.c_str());
  }
  ImGui::SameLine(0, 20);
  if (st.anchor > 0) {
    if (ImGui::SmallButton("Follow live")) st.anchor = 0;
    ImGui::SameLine();
    ImGui::TextDisabled("showing up to %s", plot::FormatTimeFull(st.anchor).c_str());
  } else {
    ImGui::TextDisabled("following the latest window (UTC)");
  }
}

static void DrawCharts(AnomalyPanelState& st) {
  const anomaly::AnomalyModel& m = *st.model;
  const std::string& dims = st.dim_labels.empty() ? std::string() : st.dim_labels[size_t(st.dims_idx)];
  std::vector<size_t> shown;
  for (size_t i = 0; i < m.series().size(); i++) {
    const anomaly::Series& s = m.series()[i];
    if ((s.dims_label.empty() ? std::string("(all)") : s.dims_label) == dims) shown.push_back(i);
  }
  if (shown.empty()) {
    Plot empty("anomaly.empty", ImVec2(-1, 200), {"Waiting for the first closed window", "", ""});
    empty.Draw();
    return;
  }
  const float h = shown.size() == 1 ? 300.f : std::max(170.f, 420.f / float(shown.size()));
  for (size_t si : shown) {
    const anomaly::Series& s = m.series()[si];
    const AnomalyChartCache& c = st.charts[si];
    const std::string title = s.measure + (s.dims_label.empty() ? "" : "   " + s.dims_label);
    PlotSpec spec;
    spec.title = title.c_str();
    const auto spec_it = std::find_if(m.options().config.measures.begin(), m.options().config.measures.end(),
                                      [&](const anomaly::MeasureSpec& ms) { return ms.name == s.measure; });
    spec.y_label = spec_it != m.options().config.measures.end() ? stream::AggName(spec_it->agg) : "";
    spec.time_x = true;
    spec.tooltip = false;
    // A child window per chart: each gets its own draw list, so several
    // 100k-point charts never add up past the 64k vertices a list can index.
    ImGui::BeginChild(("chart." + s.measure).c_str(), ImVec2(0, h), false,
                      ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    Plot p(("anomaly.chart." + s.measure).c_str(), ImVec2(-1, h), spec);
    const double range = kRanges[st.range_idx];
    const double end = st.anchor > 0 ? st.anchor : (c.t.empty() ? 0.0 : c.t.back());
    if (range > 0 && !c.t.empty()) p.SetXLimits(end - range, end + double(m.options().config.interval_s) * 0.5);
    p.Band("expected range", c.t.data(), c.lower.data(), c.upper.data(), c.t.size(), IM_COL32(110, 170, 235, 80));
    p.Line("observed", c.t.data(), c.value.data(), c.t.size(), colors::kAccent, false);
    p.Scatter("anomaly (colour = severity)", c.anom_t.data(), c.anom_v.data(), c.anom_t.size(), c.anom_color.data(),
              colors::kBad);
    p.Draw();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 r0 = ImGui::GetItemRectMin(), r1 = ImGui::GetItemRectMax();
    // The group picked in the list, marked on every chart.
    for (auto& g : m.groups()) {
      if (g.id != st.selected_group) continue;
      const float x = p.ToScreen(double(g.time), 0).x;
      if (x > r0.x && x < r1.x) dl->AddLine(ImVec2(x, r0.y + 20), ImVec2(x, r1.y - 20), IM_COL32(255, 255, 255, 90), 1.0f);
    }
    double hx = 0;
    if (p.Hovered(&hx, nullptr) && !c.t.empty()) {
      // Nearest interval by time (binary search: O(log n) even at 100k points).
      size_t i = size_t(std::lower_bound(c.t.begin(), c.t.end(), hx) - c.t.begin());
      if (i == c.t.size() || (i > 0 && hx - c.t[i - 1] < c.t[i] - hx)) i = i == 0 ? 0 : i - 1;
      const ImVec2 pt = p.ToScreen(c.t[i], c.value[i]);
      if (std::fabs(pt.x - ImGui::GetIO().MousePos.x) < 24) {
        dl->AddLine(ImVec2(pt.x, r0.y + 20), ImVec2(pt.x, r1.y - 20), IM_COL32(255, 255, 255, 50));
        dl->AddCircle(pt, 6, IM_COL32(255, 255, 255, 200), 0, 1.5f);
        DrawPointTooltip(s, s.points[i]);
      }
    }
    ImGui::EndChild();
  }
}

// [SECTION] Groups, alerts, rules, settings

static std::string ContributionsText(const std::vector<anomaly::Contribution>& cs, size_t max_items) {
  std::string out;
  for (size_t k = 0; k < cs.size() && k < max_items; k++) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s%s %s %.0f%%", k ? ",  " : "", cs[k].dims_label.empty() ? "(all)" : cs[k].dims_label.c_str(),
                  cs[k].measure.c_str(), double(cs[k].percent));
    out += buf;
  }
  if (cs.size() > max_items) out += ",  +" + std::to_string(cs.size() - max_items) + " more";
  return out;
}

static void DrawGroups(AppState& app, AnomalyPanelState& st) {
  anomaly::AnomalyModel& m = *st.model;
  const std::vector<const anomaly::AnomalyGroup*> groups = m.GroupsBySeverity();
  if (groups.empty()) {
    ImGui::TextDisabled("No anomaly groups yet. A group collects the anomalous series of one interval.");
    return;
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("groups", 5, flags, ImVec2(0, std::max(140.f, ImGui::GetContentRegionAvail().y)))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("time (UTC)", ImGuiTableColumnFlags_WidthFixed, 150);
  ImGui::TableSetupColumn("severity", ImGuiTableColumnFlags_WidthFixed, 64);
  ImGui::TableSetupColumn("primary", ImGuiTableColumnFlags_WidthFixed, 70);
  ImGui::TableSetupColumn("contributions (dimension value, measure, share)", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableSetupColumn("anomaly?", ImGuiTableColumnFlags_WidthFixed, 96);
  ImGui::TableHeadersRow();
  ImGuiListClipper clip;
  clip.Begin(int(groups.size()));
  while (clip.Step()) {
    for (int row = clip.DisplayStart; row < clip.DisplayEnd; row++) {
      const anomaly::AnomalyGroup& g = *groups[size_t(row)];
      ImGui::PushID(int(g.id));
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      const std::string when = plot::FormatTimeFull(double(g.time));
      if (ImGui::Selectable(when.c_str(), st.selected_group == g.id, ImGuiSelectableFlags_SpanAllColumns |
                                                                         ImGuiSelectableFlags_AllowItemOverlap)) {
        // Focus the charts on this group: its series and a window around it.
        st.selected_group = g.id;
        const double range = kRanges[st.range_idx] > 0 ? kRanges[st.range_idx] : 0;
        st.anchor = range > 0 ? double(g.time) + range / 2 : 0;
        if (!g.contributions.empty()) {
          const std::string& d = g.contributions[0].dims_label;
          for (size_t i = 0; i < st.dim_labels.size(); i++)
            if (st.dim_labels[i] == (d.empty() ? "(all)" : d)) st.dims_idx = int(i);
        }
      }
      ImGui::TableNextColumn();
      ImGui::PushStyleColor(ImGuiCol_Text, SeverityColor(g.score));
      ImGui::Text("%.0f", double(g.score));
      ImGui::PopStyleColor();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(g.primary_measure.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(ContributionsText(g.contributions, 4).c_str());
      if (g.contributions.size() > 4 && ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", ContributionsText(g.contributions, 64).c_str());
      ImGui::TableNextColumn();
      // Yes/No: the current verdict is the highlighted button.
      const anomaly::Verdict verdicts[] = {anomaly::Verdict::Yes, anomaly::Verdict::No};
      const char* names[] = {"Yes", "No"};
      const char* ids[] = {"yes", "no"};
      for (int k = 0; k < 2; k++) {
        if (k) ImGui::SameLine();
        const bool on = g.verdict == verdicts[k];
        ImGui::PushStyleColor(ImGuiCol_Button, on ? ImGui::ColorConvertU32ToFloat4(k ? colors::kBad : colors::kGood)
                                                  : ImGui::GetStyleColorVec4(ImGuiCol_FrameBg));
        if (ImGui::SmallButton(names[k])) m.SetFeedback(g.id, verdicts[k]);
        ImGui::PopStyleColor();
        char id[48];
        std::snprintf(id, sizeof id, "anomaly.group%d.%s", row, ids[k]);
        RecordItem(app, id);
      }
      ImGui::PopID();
    }
  }
  ImGui::EndTable();
}

static void DrawExportBar(AppState& app, AnomalyPanelState& st) {
  ImGui::TextUnformatted("Export");
  struct Btn {
    const char* label;
    const char* id;
    bool feedback, csv;
  };
  static const Btn kButtons[] = {{"groups JSONL", "anomaly.export.groups_jsonl", false, false},
                                 {"groups CSV", "anomaly.export.groups_csv", false, true},
                                 {"feedback JSONL", "anomaly.export.feedback_jsonl", true, false},
                                 {"feedback CSV", "anomaly.export.feedback_csv", true, true}};
  for (const Btn& b : kButtons) {
    ImGui::SameLine();
    if (ImGui::SmallButton(b.label)) ExportAnomalies(app, b.feedback, b.csv);
    RecordItem(app, b.id);
  }
  ImGui::SameLine();
  HelpMarker("Groups: every anomaly group, highest severity first, with its contributions and your Yes/No. "
             "Feedback: only the groups you judged, in time order. JSON Lines: one group per line; CSV: one row per "
             "contribution.");
}

static void DrawAlertLog(AnomalyPanelState& st) {
  const auto& alerts = st.model->alerts();
  if (alerts.empty()) {
    ImGui::TextDisabled("No alerts yet. Alerts fire when a closed group passes an alert rule.");
    return;
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("alerts", 5, flags, ImVec2(0, std::max(140.f, ImGui::GetContentRegionAvail().y)))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("time (UTC)", ImGuiTableColumnFlags_WidthFixed, 150);
  ImGui::TableSetupColumn("rule", ImGuiTableColumnFlags_WidthFixed, 90);
  ImGui::TableSetupColumn("score", ImGuiTableColumnFlags_WidthFixed, 50);
  ImGui::TableSetupColumn("impacted", ImGuiTableColumnFlags_WidthFixed, 70);
  ImGui::TableSetupColumn("dimension contributions", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableHeadersRow();
  ImGuiListClipper clip;
  clip.Begin(int(alerts.size()));
  while (clip.Step()) {
    for (int row = clip.DisplayStart; row < clip.DisplayEnd; row++) {
      const anomaly::Alert& a = alerts[alerts.size() - 1 - size_t(row)];  // newest first
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(plot::FormatTimeFull(double(a.time)).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(a.rule.c_str());
      ImGui::TableNextColumn();
      ImGui::PushStyleColor(ImGuiCol_Text, SeverityColor(a.score));
      ImGui::Text("%.0f", double(a.score));
      ImGui::PopStyleColor();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(a.impacted_measure.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(ContributionsText(a.contributions, 4).c_str());
    }
  }
  ImGui::EndTable();
}

static void DrawRules(AppState& app, AnomalyPanelState& st) {
  ImGui::TextDisabled("A rule fires an alert for a group when a series passing its filters has severity >= threshold. "
                      "Edits apply to groups closed from now on.");
  bool changed = false;
  int remove = -1;
  if (ImGui::BeginTable("rules", 5, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg)) {
    ImGui::TableSetupColumn("name");
    ImGui::TableSetupColumn("min severity");
    ImGui::TableSetupColumn("measure");
    ImGui::TableSetupColumn("dimension filter");
    ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed, 60);
    ImGui::TableHeadersRow();
    for (size_t i = 0; i < st.rules.size(); i++) {
      AnomalyRuleEdit& r = st.rules[i];
      ImGui::PushID(int(i));
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::SetNextItemWidth(-1);
      changed |= ImGui::InputText("##name", r.name, sizeof r.name);
      ImGui::TableNextColumn();
      ImGui::SetNextItemWidth(-1);
      changed |= ImGui::SliderFloat("##thr", &r.threshold, 0, 100, "%.0f");
      ImGui::TableNextColumn();
      ImGui::SetNextItemWidth(-1);
      const char* preview = r.measure > 0 && size_t(r.measure) <= st.measures.size() ? st.measures[size_t(r.measure - 1)].name : "any";
      if (ImGui::BeginCombo("##measure", preview)) {
        if (ImGui::Selectable("any", r.measure == 0)) r.measure = 0, changed = true;
        for (size_t k = 0; k < st.measures.size(); k++)
          if (ImGui::Selectable(st.measures[k].name, r.measure == int(k + 1))) r.measure = int(k + 1), changed = true;
        ImGui::EndCombo();
      }
      ImGui::TableNextColumn();
      ImGui::SetNextItemWidth(-1);
      changed |= ImGui::InputTextWithHint("##dim", "any (or cam1, camera_id=cam1)", r.dimension, sizeof r.dimension);
      ImGui::TableNextColumn();
      if (ImGui::SmallButton("Remove")) remove = int(i);
      ImGui::PopID();
    }
    ImGui::EndTable();
  }
  if (remove >= 0) {
    st.rules.erase(st.rules.begin() + remove);
    changed = true;
  }
  if (ImGui::Button("Add rule")) {
    st.rules.push_back(AnomalyRuleEdit{});
    changed = true;
  }
  RecordItem(app, "anomaly.add_rule");
  if (changed && st.model) st.model->SetRules(RulesFromPanel(st));
}

static void DrawSettings(AppState& app, AnomalyPanelState& st) {
  ImGui::TextDisabled("Applied when a source starts (Start / Restart).");
  if (!ImGui::BeginTable("settings", 2, ImGuiTableFlags_SizingStretchSame)) return;
  ImGui::TableNextColumn();
  SectionHeader("Detector");
  ImGui::SetNextItemWidth(120);
  ImGui::Combo("interval", &st.interval_idx, kIntervalNames, IM_ARRAYSIZE(kIntervalNames));
  ImGui::SetNextItemWidth(120);
  const char* modes[] = {"backtest", "continuous"};
  ImGui::Combo("mode", &st.mode, modes, 2);
  HelpMarker("Backtest: learn on the first part of the data, report anomalies on the rest. Continuous: score each "
             "interval as it closes, learning as it goes.");
  if (st.mode == 0) {
    ImGui::SetNextItemWidth(120);
    ImGui::SliderFloat("learn on", &st.train_fraction, 0.05f, 0.9f, "%.2f");
  }
  ImGui::SetNextItemWidth(120);
  ImGui::SliderFloat("anomaly from severity", &st.threshold, 1, 100, "%.0f");
  ImGui::SetNextItemWidth(120);
  ImGui::InputInt("warm-up intervals", &st.warmup);
  st.warmup = std::clamp(st.warmup, 2, 10000);
  ImGui::SetNextItemWidth(200);
  ImGui::InputText("dimensions", st.dimensions, sizeof st.dimensions);
  HelpMarker("Comma-separated fields whose values split the data into series, e.g. camera_id, locality.");
  ImGui::TextDisabled("measures (up to %d)", kMaxMeasures);
  int remove = -1;
  for (size_t i = 0; i < st.measures.size(); i++) {
    ImGui::PushID(int(i));
    ImGui::SetNextItemWidth(120);
    ImGui::InputText("##m", st.measures[i].name, sizeof st.measures[i].name);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(90);
    ImGui::Combo("##agg", &st.measures[i].agg, kAggNames, 3);
    ImGui::SameLine();
    if (st.measures.size() > 1 && ImGui::SmallButton("Remove")) remove = int(i);
    ImGui::PopID();
  }
  if (remove >= 0) st.measures.erase(st.measures.begin() + remove);
  if (int(st.measures.size()) < kMaxMeasures && ImGui::SmallButton("Add measure")) {
    st.measures.push_back(AnomalyMeasureEdit{});
    std::snprintf(st.measures.back().name, sizeof st.measures.back().name, "value");
    st.measures.back().agg = 2;
  }
  ImGui::TableNextColumn();
  SectionHeader("Simulator");
  ImGui::SetNextItemWidth(120);
  ImGui::SliderInt("cameras", &st.cameras, 1, 8);
  ImGui::SetNextItemWidth(120);
  ImGui::InputInt("days", &st.days);
  st.days = std::clamp(st.days, 1, 3650);
  ImGui::TextDisabled("%d points per series at this interval", int(int64_t(st.days) * 86400 / kIntervals[st.interval_idx]));
  ImGui::SetNextItemWidth(120);
  ImGui::InputInt("seed", &st.seed);
  ImGui::Checkbox("inject anomalies (jump, drop, level shift)", &st.inject);
  SectionHeader("Imported file");
  ImGui::TextDisabled("%d file(s) imported; pick one with the source selector above.", int(app.imports.size()));
  ImGui::EndTable();
}

// [SECTION] Panel

void DrawAnomalyPanel(AppState& app) {
  AnomalyPanelState& st = app.anomaly;
  EnsureDefaults(st);
  DrawSourceBar(app, st);
  if (!st.offer_path.empty()) {
    DrawOffer(app, st);
  } else {
    DrawStatusLine(st);
    if (!st.message.empty()) ImGui::TextDisabled("%s", st.message.c_str());
  }
  if (st.model) {
    SyncCharts(st);
    DrawRangeBar(app, st);
    DrawCharts(st);
  }
  ImGui::Spacing();
  if (!ImGui::BeginTabBar("anomaly.tabs")) return;
  char label[64];
  std::snprintf(label, sizeof label, "Anomaly groups (%zu)###groups", st.model ? st.model->groups().size() : size_t(0));
  if (ImGui::BeginTabItem(label)) {
    if (st.model) {
      ImGui::TextDisabled("Sorted by severity. Click a row to show it on the charts. Yes keeps this pattern's "
                          "severity; No lowers it for later points of the same series and direction.");
      DrawExportBar(app, st);
      DrawGroups(app, st);
    } else {
      ImGui::TextDisabled("Start a source to see anomaly groups.");
    }
    ImGui::EndTabItem();
  }
  std::snprintf(label, sizeof label, "Alert log (%zu)###alerts", st.model ? st.model->alerts().size() : size_t(0));
  if (ImGui::BeginTabItem(label)) {
    if (st.model) DrawAlertLog(st);
    ImGui::EndTabItem();
  }
  if (ImGui::BeginTabItem("Alert rules")) {
    DrawRules(app, st);
    ImGui::EndTabItem();
  }
  if (ImGui::BeginTabItem("Source & detector")) {
    DrawSettings(app, st);
    ImGui::EndTabItem();
  }
  ImGui::EndTabBar();
}

}  // namespace fk::ui
