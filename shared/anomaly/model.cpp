#include "anomaly/model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/json_write.h"
#include "stream/sink.h"

// Index
// [SECTION] config
// [SECTION] sources
// [SECTION] stepping: windows -> series -> groups -> alerts
// [SECTION] feedback
// [SECTION] status

namespace fk::anomaly {

// [SECTION] config

const char* ModeName(Mode m) { return m == Mode::Backtest ? "backtest" : "continuous"; }

const char* ModelStateName(ModelState s) {
  switch (s) {
    case ModelState::Idle: return "idle";
    case ModelState::Initializing: return "initializing";
    case ModelState::Running: return "running";
    case ModelState::Done: return "done";
    case ModelState::Failed: return "failed";
  }
  return "?";
}

Status DetectorConfig::Validate() const {
  if (interval_s != 300 && interval_s != 600 && interval_s != 3600 && interval_s != 86400)
    return Status::Error("config: interval_s must be 300, 600, 3600 or 86400 (got " + std::to_string(interval_s) + ")");
  if (measures.empty() || measures.size() > 5)
    return Status::Error("config: measures: 1 to 5 measures (got " + std::to_string(measures.size()) + ")");
  for (size_t i = 0; i < measures.size(); i++)
    if (measures[i].name.empty()) return Status::Error("config: measures[" + std::to_string(i) + "].name is empty");
  if (dimensions.size() > 5) return Status::Error("config: dimensions: at most 5");
  if (timestamp_format != "auto" && timestamp_format != "iso" && timestamp_format != "epoch")
    return Status::Error("config: timestamp_format must be auto, iso or epoch (got '" + timestamp_format + "')");
  if (offset_s < 0 || offset_s >= interval_s) return Status::Error("config: offset_s must be in [0, interval_s)");
  if (allowed_lateness_s < 0) return Status::Error("config: allowed_lateness_s must be >= 0");
  if (!(train_fraction >= 0 && train_fraction < 1)) return Status::Error("config: train_fraction must be in [0, 1)");
  return Status::Ok();
}

// [SECTION] sources

struct AnomalyModel::Source {
  enum Kind { Simulator, Reading, Events, Records } kind = Events;
  std::unique_ptr<stream::CameraSimulator> sim;
  std::unique_ptr<stream::EventFileReader> reader;  // Reading: the file, then Events
  bool from_file = false;
  std::vector<stream::Event> events;  // Events: raw; Records: aggregated values stamped with the interval end
  size_t pos = 0;
  bool cancelled = false;
};

AnomalyModel::AnomalyModel(ModelOptions options) : opt_(std::move(options)), schema_(new stream::Schema) {}
AnomalyModel::~AnomalyModel() = default;

void AnomalyModel::Reset() {
  series_.clear();
  series_index_.clear();
  groups_.clear();
  alerts_.clear();
  counts_ = {};
  ingest_ = {};
  error_.clear();
  intervals_total_ = intervals_seen_ = 0;
  have_current_ = false;
  pending_ = {};
  stream::WindowOptions w;
  w.size_s = opt_.config.interval_s;
  w.offset_s = opt_.config.offset_s;
  w.allowed_lateness_s = opt_.config.allowed_lateness_s;
  windower_ = std::make_unique<stream::Windower>(w);
  src_ = std::make_unique<Source>();
  measure_specs_.clear();
}

static Status Fail(ModelState* state, std::string* error, Status st) {
  *state = ModelState::Failed;
  *error = st.message();
  return st;
}

Status AnomalyModel::StartSimulator(const stream::SimulatorOptions& sim) {
  if (Status st = opt_.config.Validate(); !st) return Fail(&state_, &error_, st);
  schema_ = std::make_unique<stream::Schema>();
  Reset();
  src_->kind = Source::Simulator;
  src_->sim = std::make_unique<stream::CameraSimulator>(sim, schema_.get());
  intervals_total_ = uint64_t(sim.duration_s / opt_.config.interval_s);
  state_ = ModelState::Initializing;
  return Status::Ok();
}

Status AnomalyModel::StartEvents(std::vector<stream::Event> events, std::unique_ptr<stream::Schema> schema) {
  if (Status st = opt_.config.Validate(); !st) return Fail(&state_, &error_, st);
  schema_ = std::move(schema);
  Reset();
  src_->events = std::move(events);
  BeginEvents();
  state_ = ModelState::Initializing;
  return Status::Ok();
}

// The events are all in memory: the span gives the backtest's split.
void AnomalyModel::BeginEvents() {
  src_->kind = Source::Events;
  src_->pos = 0;
  const auto& events = src_->events;
  if (events.empty()) return;
  auto [lo, hi] = std::minmax_element(events.begin(), events.end(),
                                      [](const stream::Event& a, const stream::Event& b) { return a.time < b.time; });
  intervals_total_ = uint64_t((hi->time - lo->time) / opt_.config.interval_s + 1);
}

Status AnomalyModel::StartFile(const std::string& path) {
  if (Status st = opt_.config.Validate(); !st) return Fail(&state_, &error_, st);
  schema_ = std::make_unique<stream::Schema>();
  Reset();
  stream::IngestOptions io;
  io.time_field = opt_.config.timestamp_field;
  io.dimension_fields = opt_.config.dimensions;
  for (auto& m : opt_.config.measures) io.measure_fields.push_back(m.name);
  auto reader = std::make_unique<stream::EventFileReader>();
  if (Status st = reader->Open(path, schema_.get(), io); !st) return Fail(&state_, &error_, st);
  src_->kind = Source::Reading;
  src_->reader = std::move(reader);
  src_->from_file = true;
  state_ = ModelState::Initializing;
  return Status::Ok();
}

Status AnomalyModel::StartPartitions(const std::string& root, stream::TimeS t0, stream::TimeS t1) {
  const std::vector<std::string> files = stream::ListPartitionFiles(root, t0, t1);
  if (files.empty()) return Fail(&state_, &error_, Status::Error(root + ": no partition records between the given times"));
  return StartRecordFiles(files, root);
}

Status AnomalyModel::StartRecordFiles(const std::vector<std::string>& files, const std::string& label) {
  if (Status st = opt_.config.Validate(); !st) return Fail(&state_, &error_, st);
  auto schema = std::make_unique<stream::Schema>();
  stream::IngestOptions io;
  io.time_field = "hop_time";
  io.dimension_fields = opt_.config.dimensions;
  for (auto& m : opt_.config.measures) io.measure_fields.push_back(m.name);
  std::vector<stream::Event> records;
  stream::IngestReport total;
  total.source = label;
  for (const std::string& file : files) {
    stream::IngestReport rep;
    if (Status st = stream::ReadRecordFile(file, schema.get(), io, &records, &rep); !st) return Fail(&state_, &error_, st);
    total.lines += rep.lines;
    total.records += rep.records;
    total.events += rep.events;
    total.bad_lines += rep.bad_lines;
    for (auto& m : rep.messages)
      if (total.messages.size() < total.max_messages) total.messages.push_back(m);
  }
  if (records.empty()) {
    std::string measures;
    for (auto& m : opt_.config.measures) measures += (measures.empty() ? "" : ", ") + m.name;
    std::string why = label + ": no records with a hop_time and one of the measures " + measures + " in " +
                      std::to_string(files.size()) + " file(s)";
    if (!total.messages.empty()) why += " (" + total.messages.front() + ")";
    return Fail(&state_, &error_, Status::Error(why));
  }
  std::stable_sort(records.begin(), records.end(), [](const stream::Event& a, const stream::Event& b) { return a.time < b.time; });
  Status st = StartEvents(std::move(records), std::move(schema));
  src_->kind = Source::Records;
  ingest_ = total;
  counts_.bad_lines = total.bad_lines;
  return st;
}

void AnomalyModel::Cancel() {
  if (src_) src_->cancelled = true;
}

// [SECTION] stepping: windows -> series -> groups -> alerts

size_t AnomalyModel::SeriesIndex(uint32_t measure_id, uint32_t dims) {
  const uint64_t key = (uint64_t(measure_id) << 32) | dims;
  auto it = std::lower_bound(series_index_.begin(), series_index_.end(), std::make_pair(key, size_t(0)));
  if (it != series_index_.end() && it->first == key) return it->second;
  Series s;
  s.measure = schema_->MeasureName(measure_id);
  s.measure_id = measure_id;
  s.dims = dims;
  s.dims_label = schema_->DimsLabel(dims);
  s.dims_values = schema_->DimsValues(dims);
  s.detector = SeriesDetector(opt_.config.params);
  series_.push_back(std::move(s));
  series_index_.insert(it, {key, series_.size() - 1});
  return series_.size() - 1;
}

void AnomalyModel::ScorePoint(uint32_t measure_id, uint32_t dims, stream::TimeS t, double value, AnomalyGroup* group) {
  Series& s = series_[SeriesIndex(measure_id, dims)];
  const PointScore p = s.detector.Update(t, value);
  ScoredPoint sp;
  sp.time = t;
  sp.value = value;
  sp.expected = p.expected;
  sp.lower = p.lower;
  sp.upper = p.upper;
  // Backtest: the first train_fraction of the intervals only teaches.
  const bool training = opt_.config.mode == Mode::Backtest &&
                        double(intervals_seen_) < opt_.config.train_fraction * double(intervals_total_);
  sp.initializing = p.initializing || training;
  sp.severity = sp.initializing ? 0.f : ApplyFeedback(s, p, value, p.severity);
  sp.anomaly = !sp.initializing && sp.severity >= opt_.config.anomaly_threshold;
  s.points.push_back(sp);
  counts_.points++;
  if (!sp.anomaly) return;
  s.anomalies++;
  counts_.anomalies++;
  Contribution c;
  c.measure = s.measure;
  c.dims_label = s.dims_label;
  c.dims = s.dims_values;
  c.value = value;
  c.expected = p.expected;
  c.severity = sp.severity;
  group->contributions.push_back(std::move(c));
  group->time = t;
}

void AnomalyModel::CloseInterval(AnomalyGroup* group) {
  intervals_seen_++;
  if (group->contributions.empty()) return;
  group->id = groups_.size() + 1;
  FinishGroup(group);
  groups_.push_back(*group);
  counts_.groups++;
  for (const AlertRule& rule : opt_.rules) {
    std::optional<Alert> a = EvaluateRule(rule, groups_.back());
    if (!a) continue;
    const std::string json = AlertToJson(*a);
    if (!opt_.alert_file.empty()) {
      std::ofstream f(opt_.alert_file, std::ios::app);
      if (f) f << json << '\n';
      else if (error_.empty()) error_ = opt_.alert_file + ": cannot append alerts";
    }
    if (opt_.on_alert) opt_.on_alert(*a, json);
    alerts_.push_back(std::move(*a));
    counts_.alerts++;
  }
}

void AnomalyModel::ConsumeRecords(std::vector<stream::WindowRecord>& records) {
  if (measure_specs_.size() < schema_->MeasureCount()) {
    measure_specs_.assign(schema_->MeasureCount(), -1);
    for (size_t k = 0; k < opt_.config.measures.size(); k++) {
      const int id = schema_->FindMeasure(opt_.config.measures[k].name);
      if (id >= 0) measure_specs_[size_t(id)] = int(k);
    }
  }
  for (auto& r : records) {
    if (have_current_ && r.end != current_end_) {
      CloseInterval(&pending_);
      pending_ = {};
    }
    have_current_ = true;
    current_end_ = r.end;
    for (size_t m = 0; m < r.cells.size() && m < measure_specs_.size(); m++) {
      if (measure_specs_[m] < 0) continue;
      const stream::Agg agg = opt_.config.measures[size_t(measure_specs_[m])].agg;
      ScorePoint(uint32_t(m), r.dims, r.end, r.cells[m].Value(agg), &pending_);
    }
  }
}

bool AnomalyModel::Step(double budget_ms) {
  if (!src_ || state_ == ModelState::Idle || state_ == ModelState::Done || state_ == ModelState::Failed) return true;
  const Stopwatch sw;
  std::vector<stream::Event> batch;
  do {
    bool exhausted = src_->cancelled;
    if (!exhausted && src_->kind == Source::Reading) {
      // Parse the file first (the backtest split needs its whole span).
      if (!src_->reader->Read(opt_.events_per_slice, &src_->events)) {
        ingest_ = src_->reader->report();
        counts_.bad_lines = ingest_.bad_lines;
        src_->reader.reset();
        if (src_->events.empty()) {
          // Nothing to score is a failure, not "done" with 0 events: say which measures were looked for.
          std::string measures;
          for (auto& m : opt_.config.measures) measures += (measures.empty() ? "" : ", ") + m.name;
          error_ = ingest_.source + ": no events for the measures " + measures;
          error_ += ingest_.messages.empty() ? " (no column or key of that name with numbers)"
                                             : " (" + ingest_.messages.front() + ")";
          src_->kind = Source::Events;  // the reader is gone: nothing reads it for progress any more
          state_ = ModelState::Failed;
          return true;
        }
        BeginEvents();
      }
      continue;
    }
    if (!exhausted && src_->kind == Source::Records) {
      // Pre-aggregated: one interval's records at a time, no windowing.
      auto& ev = src_->events;
      if (src_->pos >= ev.size()) {
        exhausted = true;
      } else {
        const stream::TimeS t = ev[src_->pos].time;
        if (measure_specs_.size() < schema_->MeasureCount()) {
          std::vector<stream::WindowRecord> none;
          ConsumeRecords(none);
        }
        // A landing folder may hold one window's record twice (an at-least-once sink, a part
        // file copied): one point per series and interval, the first record's.
        std::unordered_set<uint64_t> scored;
        for (; src_->pos < ev.size() && ev[src_->pos].time == t; src_->pos++) {
          const stream::Event& e = ev[src_->pos];
          const bool first = scored.insert((uint64_t(e.measure) << 32) | e.dims).second;
          if (first && e.measure < measure_specs_.size() && measure_specs_[e.measure] >= 0)
            ScorePoint(e.measure, e.dims, t, e.value, &pending_);
          counts_.events++;
        }
        CloseInterval(&pending_);
        pending_ = {};
        counts_.windows++;
      }
    } else if (!exhausted) {
      batch.clear();
      if (src_->kind == Source::Simulator) {
        exhausted = !src_->sim->Generate(opt_.events_per_slice, &batch);
      } else {
        const size_t n = std::min(opt_.events_per_slice, src_->events.size() - src_->pos);
        batch.assign(src_->events.begin() + long(src_->pos), src_->events.begin() + long(src_->pos + n));
        src_->pos += n;
        exhausted = n == 0;
      }
      for (auto& e : batch) windower_->Add(e);
      if (exhausted) windower_->Flush();
      std::vector<stream::WindowRecord> recs = windower_->TakeClosed();
      ConsumeRecords(recs);
      counts_.events = windower_->stats().events;
      counts_.late_events = windower_->stats().late_events;
      counts_.windows = windower_->stats().windows;
    }
    if (exhausted) {
      if (have_current_ || !pending_.contributions.empty()) CloseInterval(&pending_);
      pending_ = {};
      have_current_ = false;
      state_ = ModelState::Done;
      return true;
    }
    bool warming = series_.empty();
    for (auto& s : series_) warming = warming || s.detector.initializing();
    state_ = warming ? ModelState::Initializing : ModelState::Running;
  } while (sw.ElapsedMs() < budget_ms);
  return false;
}

void AnomalyModel::RunToEnd() {
  while (!Step(1e9)) {
  }
}

bool AnomalyModel::reading() const { return src_ && src_->kind == Source::Reading; }

float AnomalyModel::Progress() const {
  if (state_ == ModelState::Done) return 1.f;
  if (!src_) return 0.f;
  if (src_->kind == Source::Simulator) return src_->sim->Progress();
  // A file: reading is about a third of the work, scoring the rest.
  if (src_->kind == Source::Reading) return 0.3f * src_->reader->Progress();
  const float scored = src_->events.empty() ? 1.f : float(double(src_->pos) / double(src_->events.size()));
  return src_->from_file ? 0.3f + 0.7f * scored : scored;
}

std::vector<const AnomalyGroup*> AnomalyModel::GroupsBySeverity() const {
  std::vector<const AnomalyGroup*> out;
  for (auto& g : groups_) out.push_back(&g);
  std::stable_sort(out.begin(), out.end(), [](const AnomalyGroup* a, const AnomalyGroup* b) { return a->score > b->score; });
  return out;
}

// [SECTION] feedback

void AnomalyModel::SetFeedback(uint64_t group_id, Verdict v) {
  for (auto& g : groups_) {
    if (g.id != group_id) continue;
    g.verdict = v;
    for (auto& c : g.contributions) {
      const int m = schema_->FindMeasure(c.measure);
      if (m < 0) continue;
      const size_t si = SeriesIndex(uint32_t(m), schema_->Dims(c.dims));
      const Series& s = series_[si];
      // The judged point: recover its surprise from the stored severity-free score.
      for (auto it = s.points.rbegin(); it != s.points.rend(); ++it) {
        if (it->time != g.time) continue;
        FeedbackPattern f;
        f.measure_id = s.measure_id;
        f.dims = s.dims;
        f.direction = it->value >= it->expected ? 1 : -1;
        const double sigma = std::max(1e-12, (it->upper - it->expected) / 3.0);
        f.surprise = NormalSurprise((it->value - it->expected) / sigma);
        f.verdict = v;
        feedback_.push_back(f);
        break;
      }
    }
  }
}

void AnomalyModel::SetSeriesFeedback(size_t series_index, Verdict v) {
  if (series_index >= series_.size()) return;
  FeedbackPattern f;
  f.measure_id = series_[series_index].measure_id;
  f.dims = series_[series_index].dims;
  f.direction = 0;  // both directions
  f.surprise = 1e300;
  f.verdict = v;
  feedback_.push_back(f);
}

float AnomalyModel::ApplyFeedback(const Series& s, const PointScore& p, double value, float severity) const {
  // The latest matching judgement wins: "no" damps the same pattern, "yes" keeps it.
  const int dir = value >= p.expected ? 1 : -1;
  for (auto it = feedback_.rbegin(); it != feedback_.rend(); ++it) {
    if (it->measure_id != s.measure_id || it->dims != s.dims) continue;
    if (it->direction != 0 && it->direction != dir) continue;
    if (p.surprise > it->surprise * opt_.feedback_margin) continue;  // much stronger: a new pattern
    if (it->verdict == Verdict::No) return float(std::round(severity * opt_.feedback_damping * 10.0) / 10.0);
    return severity;
  }
  return severity;
}

// [SECTION] status

std::string AnomalyModel::InitializingMessage() const {
  if (state_ != ModelState::Initializing) return "";
  if (reading()) {
    char buf[80];
    std::snprintf(buf, sizeof buf, "Reading the file: %.0f%%", 100.0 * double(src_->reader->Progress()));
    return buf;
  }
  const size_t need = opt_.config.params.warmup;
  size_t have = need;
  for (auto& s : series_) have = std::min(have, s.detector.seen());
  if (series_.empty()) have = 0;
  const int64_t minutes = int64_t(need) * opt_.config.interval_s / 60;
  char buf[200];
  std::snprintf(buf, sizeof buf, "Initializing: needs %zu intervals per series (%lld h %02lld min of data), has %zu",
                need, static_cast<long long>(minutes / 60), static_cast<long long>(minutes % 60), have);
  return buf;
}

nlohmann::json AnomalyModel::StatusJson() const {
  return {{"state", ModelStateName(state_)},
          {"mode", ModeName(opt_.config.mode)},
          {"windows", counts_.windows},
          {"events", counts_.events},
          {"late_events", counts_.late_events},
          {"series", series_.size()},
          {"points", counts_.points},
          {"anomalies", counts_.anomalies},
          {"groups", counts_.groups},
          {"alerts", counts_.alerts},
          {"bad_lines", counts_.bad_lines},
          {"progress", JsonNumberAs(Progress(), "%.3f")},
          {"initializing", InitializingMessage()},
          {"error", error_}};
}

}  // namespace fk::anomaly
