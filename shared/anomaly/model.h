// The anomaly pipeline as one model object for the app and the CLI: events
// (simulator, JSONL/CSV file or already-windowed partition records) -> windows
// -> one SeriesDetector per (measure, dimension value) -> anomaly groups ->
// alert rules -> alert log / JSON Lines file / callback. Work happens in
// Step(budget_ms) slices so a UI frame never blocks; results are plain structs.
//
//   fk::anomaly::AnomalyModel model(fk::anomaly::ModelOptions{});
//   model.StartSimulator(fk::stream::SimulatorOptions{});
//   while (!model.Step(8.0)) { draw(model.series(), model.groups()); }
//   model.SetFeedback(model.groups()[0].id, fk::anomaly::Verdict::No);
//   nlohmann::json status = model.StatusJson();   // {"state":"done","windows":..,"anomalies":..,...}
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "anomaly/alerts.h"
#include "anomaly/detector.h"
#include "core/status.h"
#include "stream/input.h"
#include "stream/simulator.h"
#include "stream/window.h"

namespace fk::anomaly {

struct MeasureSpec {
  std::string name;
  stream::Agg agg = stream::Agg::Count;  // COUNT for id events, SUM/AVG for numeric ones
};

enum class Mode { Backtest, Continuous };
const char* ModeName(Mode m);

// The detector's configuration, shaped like the service's.
struct DetectorConfig {
  int64_t interval_s = 300;  // 300, 600, 3600 or 86400
  std::vector<MeasureSpec> measures = {{"person", stream::Agg::Count}, {"car", stream::Agg::Count}};  // 1..5
  std::vector<std::string> dimensions = {"camera_id"};
  std::string timestamp_field;          // "" = ts/time/timestamp/event_time/hop_time
  std::string timestamp_format = "auto";  // "auto" | "iso" | "epoch" (ParseTime reads both)
  int64_t offset_s = 0;                 // interval alignment offset
  int64_t allowed_lateness_s = 60;      // watermark lateness
  Mode mode = Mode::Continuous;
  double train_fraction = 0.3;          // backtest: learn on this share of intervals, report on the rest
  float anomaly_threshold = 50;         // severity from which a point is an anomaly
  DetectorParams params;                // per-series detector
  // Checks the service's limits; the message names the field.
  Status Validate() const;
};

struct ScoredPoint {
  stream::TimeS time = 0;  // interval end
  double value = 0;
  double expected = 0, lower = 0, upper = 0;
  float severity = 0;      // after feedback
  bool anomaly = false;
  bool initializing = true;
};

struct Series {
  std::string measure;
  uint32_t measure_id = 0;
  uint32_t dims = 0;
  std::string dims_label;
  stream::DimValues dims_values;
  std::vector<ScoredPoint> points;
  SeriesDetector detector;
  size_t anomalies = 0;
};

// A "no" on a group teaches: later points of the same series, same direction
// and at most this much more surprising, are damped by `damping`.
struct FeedbackPattern {
  uint32_t measure_id = 0, dims = 0;
  int direction = 0;        // +1 above expected, -1 below
  double surprise = 0;      // -log10 tail probability of the judged point
  Verdict verdict = Verdict::None;
};

struct ModelOptions {
  DetectorConfig config;
  std::vector<AlertRule> rules = {AlertRule{}};
  std::string alert_file;     // JSON Lines alerts appended here ("" = none)
  std::function<void(const Alert&, const std::string& json)> on_alert;  // e.g. the native command hook
  double feedback_damping = 0.35;   // severity factor for a pattern judged "no"
  double feedback_margin = 1.5;     // "same pattern": surprise up to this factor of the judged one
  size_t events_per_slice = 4096;   // work unit between budget checks
};

enum class ModelState { Idle, Initializing, Running, Done, Failed };
const char* ModelStateName(ModelState s);

struct ModelCounts {
  uint64_t events = 0, late_events = 0, windows = 0, points = 0, anomalies = 0, groups = 0, alerts = 0;
  uint64_t bad_lines = 0;
};

class AnomalyModel {
 public:
  explicit AnomalyModel(ModelOptions options = {});
  ~AnomalyModel();
  AnomalyModel(const AnomalyModel&) = delete;
  AnomalyModel& operator=(const AnomalyModel&) = delete;

  // Sources (each resets the results).
  Status StartSimulator(const stream::SimulatorOptions& sim);
  // Raw events from a JSONL/CSV file, windowed by config.interval_s. The file
  // is parsed in Step() slices first (reading() is true meanwhile; ingest()
  // is complete once it is false), so a 200 MB file never blocks a frame.
  Status StartFile(const std::string& path);
  // Events already in memory (tests, the page's imported files).
  Status StartEvents(std::vector<stream::Event> events, std::unique_ptr<stream::Schema> schema);
  // Already-windowed records in a partition folder (root/year=YYYY/month=MM/day=DD/hour=HH/records.jsonl and
  // part-N.parquet, or YYYY/MM/DD/HH/) between t0 and t1: continuous mode over the sink's output.
  Status StartPartitions(const std::string& root, stream::TimeS t0, stream::TimeS t1);
  // Already-windowed records ({"car":56,"camera_id":"cam1","hop_time":"..."}
  // per line, or the same columns in a .parquet file: stream::ReadRecordFile)
  // from these files in any order, e.g. a landing folder's part files
  // (stream::ListLandingFiles) or the files a user dropped; `label` names them in errors.
  Status StartRecordFiles(const std::vector<std::string>& files, const std::string& label);

  // Does up to budget_ms of work (at least one slice); true when finished.
  bool Step(double budget_ms);
  // Runs to the end (CLI, tests).
  void RunToEnd();
  void Cancel();

  // Feedback on a group (applies to its series) and on a whole series.
  void SetFeedback(uint64_t group_id, Verdict v);
  void SetSeriesFeedback(size_t series_index, Verdict v);
  void AddRule(AlertRule r) { opt_.rules.push_back(std::move(r)); }
  void SetRules(std::vector<AlertRule> r) { opt_.rules = std::move(r); }

  ModelState state() const { return state_; }
  bool reading() const;
  float Progress() const;
  // "Initializing: needs 64 intervals (5 h 20 min of data) per series, has 12" or "".
  std::string InitializingMessage() const;
  const ModelCounts& counts() const { return counts_; }
  const std::vector<Series>& series() const { return series_; }
  const std::vector<AnomalyGroup>& groups() const { return groups_; }
  std::vector<const AnomalyGroup*> GroupsBySeverity() const;
  const std::vector<Alert>& alerts() const { return alerts_; }
  const stream::IngestReport& ingest() const { return ingest_; }
  const stream::Schema& schema() const { return *schema_; }
  const std::string& error() const { return error_; }
  const ModelOptions& options() const { return opt_; }
  // {"state":"running","mode":"continuous","windows":..,"events":..,"late_events":..,"series":..,
  //  "points":..,"anomalies":..,"groups":..,"alerts":..,"bad_lines":..,"progress":..,"initializing":"..",
  //  "error":".."}
  nlohmann::json StatusJson() const;

 private:
  struct Source;
  void Reset();
  void BeginEvents();
  void ConsumeRecords(std::vector<stream::WindowRecord>& records);
  void ScorePoint(uint32_t measure_id, uint32_t dims, stream::TimeS t, double value, AnomalyGroup* group);
  void CloseInterval(AnomalyGroup* group);
  size_t SeriesIndex(uint32_t measure_id, uint32_t dims);
  float ApplyFeedback(const Series& s, const PointScore& p, double value, float severity) const;

  ModelOptions opt_;
  std::unique_ptr<stream::Schema> schema_;
  std::unique_ptr<Source> src_;
  std::unique_ptr<stream::Windower> windower_;
  std::vector<Series> series_;
  std::vector<std::pair<uint64_t, size_t>> series_index_;  // (measure << 32 | dims) -> index, sorted
  std::vector<AnomalyGroup> groups_;
  std::vector<Alert> alerts_;
  std::vector<FeedbackPattern> feedback_;
  std::vector<int> measure_specs_;  // measure id -> index into config.measures, -1 = ignored
  stream::IngestReport ingest_;
  ModelCounts counts_;
  ModelState state_ = ModelState::Idle;
  std::string error_;
  uint64_t intervals_total_ = 0;   // known for files (backtest split)
  uint64_t intervals_seen_ = 0;
  stream::TimeS current_end_ = 0;
  bool have_current_ = false;
  AnomalyGroup pending_;
};

}  // namespace fk::anomaly
