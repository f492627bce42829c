#include "forecast/pipeline.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>

#include <nlohmann/json.hpp>

namespace fk::forecast {

namespace {
// Slice sizes, measured in the page: a whole 1500-line CSV chunk took 15 ms,
// converting the whole target in one call 16-21 ms, a whole aggregation of
// the demo's 6,800 rows 18-30 ms.
constexpr size_t kCsvLines = 500;
constexpr size_t kRows = 1500;

bool SameFreq(const Frequency& a, const Frequency& b) { return a.unit == b.unit && a.n == b.n; }
}  // namespace

const char* StageName(PipelineStage s) {
  switch (s) {
    case PipelineStage::Load: return "load";
    case PipelineStage::Prepare: return "prepare";
    case PipelineStage::Backtest: return "backtest";
    case PipelineStage::Future: return "future";
    case PipelineStage::ColdStart: return "cold_start";
    case PipelineStage::Done: return "done";
  }
  return "?";
}

std::vector<double> FitInput(const PanelSeries& s) {
  std::vector<double> y = ModelInput(s);
  for (size_t t = 1; t < y.size(); t++)
    if (std::isnan(y[t])) y[t] = y[t - 1];
  return y;
}

nlohmann::json MetricsJson(const Metrics& m) {
  nlohmann::json wql = nlohmann::json::object();
  for (size_t i = 0; i < m.levels.size() && i < m.wql.size(); i++) {
    char b[16];
    std::snprintf(b, sizeof b, "p%g", m.levels[i] * 100);
    wql[b] = m.wql[i];
  }
  return {{"wql", wql},   {"avg_wql", m.avg_wql}, {"wape", m.wape},    {"rmse", m.rmse},
          {"mape", m.mape}, {"mase", m.mase},       {"points", m.points}};
}

std::string ValidatePipelineOptions(const PipelineOptions& o) {
  if (o.target_path.empty()) return "a target CSV is required";
  const bool forecasts = o.last >= PipelineStage::Backtest && (o.backtest || o.future != FutureModel::None);
  if (o.horizon < (forecasts ? 1 : 0) || o.horizon > 10000)
    return "horizon " + std::to_string(o.horizon) + " is outside " + (forecasts ? "1" : "0") + "..10000";
  if (o.future == FutureModel::BestOfBacktest && !o.backtest && o.last >= PipelineStage::Future)
    return "the future model 'best of the backtest' needs the backtest";
  if (!o.cold_start_items.empty() && o.metadata_path.empty())
    return "cold-start items need an item metadata CSV";
  if (!o.cold_start_items.empty() && o.future == FutureModel::None)
    return "cold-start forecasts average the future forecasts of similar items; no future model is set";
  for (auto& f : o.level_freqs) {
    Frequency fr;
    std::string err;
    if (!ParseFrequency(f, &fr, &err)) return "level frequency " + f + ": " + err;
  }
  if (o.backtest) {
    BacktestOptions b = o.backtest_options;
    b.horizon = std::max(1, o.horizon);
    b.period = 1;
    if (std::string e = ValidateBacktestOptions(b); !e.empty()) return e;
  }
  return "";
}

// The work in progress of the current stage.
struct Pipeline::Work {
  // Load.
  int file = 0;  // 0 target, 1 related, 2 metadata
  bool reading = false, parsed = false;
  std::string text;
  CsvTable table;
  size_t pos = 0, line = 0;
  std::unique_ptr<TargetParser> target_rows;
  std::unique_ptr<RelatedParser> related_rows;
  // Prepare: 0 aggregate, 1..levels, then fills, then related alignment.
  size_t step = 0;
  std::unique_ptr<Aggregation> agg;
  // Future.
  size_t series = 0;
  std::unique_ptr<ForecastTask> task;
};

Pipeline::Pipeline(PipelineOptions options) : opt_(std::move(options)), w_(std::make_unique<Work>()) {
  if (std::string e = ValidatePipelineOptions(opt_); !e.empty()) Fail(e);
}

Pipeline::Pipeline(PipelineOptions options, PipelineData from)
    : opt_(std::move(options)), d_(std::move(from)), w_(std::make_unique<Work>()) {
  if (std::string e = ValidatePipelineOptions(opt_); !e.empty()) {
    Fail(e);
    return;
  }
  if (!d_.in.target) return;
  // Results of an earlier run are stale for this one.
  d_.backtest.reset();
  d_.backtest_series.clear();
  d_.selection.reset();
  d_.related_verdict.clear();
  d_.future.clear();
  d_.cold_start.clear();
  first_ = stage_ = d_.prepared ? PipelineStage::Prepare : PipelineStage::Load;
  Next();
}

Pipeline::~Pipeline() = default;

void Pipeline::Fail(std::string message) {
  error_ = std::move(message);
  stage_ = PipelineStage::Done;
  w_ = std::make_unique<Work>();
}

// To the next stage this run has.
void Pipeline::Next() {
  w_ = std::make_unique<Work>();
  auto wanted = [&](PipelineStage s) {
    if (s > opt_.last) return false;
    switch (s) {
      case PipelineStage::Backtest: return opt_.backtest;
      case PipelineStage::Future:
      case PipelineStage::ColdStart: return opt_.future != FutureModel::None;
      default: return true;
    }
  };
  do {
    stage_ = PipelineStage(int(stage_) + 1);
  } while (stage_ != PipelineStage::Done && !wanted(stage_));
}

bool Pipeline::Step(double budget_ms) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  while (stage_ != PipelineStage::Done) {
    if (stage_ == PipelineStage::Backtest) {
      const double used = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      if (!StepBacktest()) d_.backtest->Step(std::max(0.0, budget_ms - used));  // the rest of the budget
    } else {
      StepOnce();
    }
    if (std::chrono::duration<double, std::milli>(Clock::now() - t0).count() >= budget_ms) break;
  }
  return stage_ == PipelineStage::Done;
}

void Pipeline::RunToEnd() {
  while (!Step(1000.0)) {
  }
}

bool Pipeline::StepOnce() {
  switch (stage_) {
    case PipelineStage::Load: return StepLoad();
    case PipelineStage::Prepare: return StepPrepare();
    case PipelineStage::Backtest: return StepBacktest();
    case PipelineStage::Future: return StepFuture();
    case PipelineStage::ColdStart: ColdStart(); return true;
    case PipelineStage::Done: return true;
  }
  return true;
}

// [SECTION] load

bool Pipeline::StepLoad() {
  Work& w = *w_;
  const std::string* paths[3] = {&opt_.target_path, &opt_.related_path, &opt_.metadata_path};
  std::string* errors[3] = {nullptr, &d_.in.related_error, &d_.in.metadata_error};
  const char* kinds[3] = {"target", "related", "metadata"};
  if (w.file == 3) {
    Next();
    return true;
  }
  const std::string& path = *paths[w.file];
  // An optional file that cannot be used is reported and left out.
  auto skip = [&](const std::string& why) {
    if (opt_.strict_inputs) {
      Fail(why);
      return true;
    }
    *errors[w.file] = why;
    d_.in.messages.push_back(std::string(kinds[w.file]) + ": " + why);
    w.reading = w.parsed = false;
    w.file++;
    return false;
  };
  if (path.empty()) {
    w.file++;
    return false;
  }
  if (!w.reading) {
    auto t = ReadTextFile(path);
    if (!t) {
      if (w.file == 0) Fail(t.status().message());
      else skip(t.status().message());
      return stage_ == PipelineStage::Done;
    }
    w.text = std::move(*t);
    w.table = CsvTable{};
    w.table.name = path;
    w.pos = w.line = 0;
    w.reading = true;
    return false;
  }
  if (!w.parsed) {
    if (!ParseCsvChunk(w.text, &w.pos, &w.line, kCsvLines, &w.table)) return false;
    w.parsed = true;
    std::string().swap(w.text);
    if (w.table.header.empty()) {
      const std::string why = path + ": empty file (expected a header line)";
      if (w.file == 0) Fail(why);
      else skip(why);
      return stage_ == PipelineStage::Done;
    }
    return false;
  }
  if (w.file == 0) {
    if (!w.target_rows) w.target_rows = std::make_unique<TargetParser>(w.table, opt_.target);
    if (!w.target_rows->Step(kRows)) return false;
    auto t = w.target_rows->Finish();
    w.target_rows.reset();
    if (!t) {
      Fail(t.status().message());
      return true;
    }
    d_.in.target = std::move(*t);
    for (auto& e : d_.in.target->errors) d_.in.messages.push_back(e);
    if (d_.in.target->bad_rows > d_.in.target->errors.size())
      d_.in.messages.push_back(path + ": " + std::to_string(d_.in.target->bad_rows) +
                               " bad rows in all (first " + std::to_string(d_.in.target->errors.size()) +
                               " shown), skipped");
  } else if (w.file == 1) {
    // Keyed by the target's dimensions that the related table has, so the
    // same related data serves any choice of dimensions to keep.
    if (!w.related_rows) {
      std::vector<std::string> keys;
      for (auto& d : d_.in.target->dim_cols)
        for (auto& h : w.table.header)
          if (h == d) keys.push_back(d);
      w.related_rows = std::make_unique<RelatedParser>(w.table, keys);
    }
    if (!w.related_rows->Step(kRows)) return false;
    auto r = w.related_rows->Finish();
    w.related_rows.reset();
    if (!r) return skip(r.status().message());
    d_.in.related = std::move(*r);
    for (auto& e : d_.in.related->errors) d_.in.messages.push_back(e);
  } else {
    auto m = ParseMetadata(w.table);
    if (!m) return skip(m.status().message());
    d_.in.metadata = std::move(*m);
    for (auto& e : d_.in.metadata->errors) d_.in.messages.push_back(e);
  }
  w.table = CsvTable{};
  w.reading = w.parsed = false;
  w.file++;
  return false;
}

// [SECTION] prepare

bool Pipeline::StepPrepare() {
  Work& w = *w_;
  const size_t n_levels = opt_.level_freqs.size();
  if (w.step == 0) {
    if (!w.agg) {
      d_.prepared = false;
      d_.levels.clear();
      d_.related_x.clear();
      w.agg = std::make_unique<Aggregation>(*d_.in.target, opt_.aggregate);
    }
    if (!w.agg->Step(kRows)) return false;
    d_.panel = w.agg->Finish();
    w.agg.reset();
    d_.prepare_messages = d_.panel.messages;
    if (!d_.panel.refused.empty()) {
      Fail(d_.panel.refused);
      return true;
    }
    if (d_.panel.series.empty()) {
      Fail(opt_.target_path + ": nothing left to aggregate");
      return true;
    }
    w.step++;
    return false;
  }
  if (w.step <= n_levels) {
    AggregateOptions lo = opt_.aggregate;
    std::string err;
    ParseFrequency(opt_.level_freqs[w.step - 1], &lo.freq, &err);  // checked by ValidatePipelineOptions
    if (SameFreq(lo.freq, opt_.aggregate.freq)) {
      w.step++;
      return false;
    }
    if (!w.agg) w.agg = std::make_unique<Aggregation>(*d_.in.target, lo);
    if (!w.agg->Step(kRows)) return false;
    d_.levels.push_back(w.agg->Finish());
    w.agg.reset();
    w.step++;
    return false;
  }
  if (w.step == n_levels + 1) {
    d_.quality = QualityReport(d_.panel);
    if (opt_.fill)
      for (auto& m : ApplyFill(&d_.panel, opt_.fills)) d_.prepare_messages.push_back(m);
    w.step++;
    return false;
  }
  if (d_.in.related) {
    const RelatedFill& rf = opt_.related_fills;
    d_.related_x = AlignRelated(*d_.in.related, d_.panel, opt_.horizon, rf, &d_.prepare_messages);
    d_.prepare_messages.push_back("related series filled: middlefill " + FillName(rf.middle) + ", backfill " +
                                  FillName(rf.back) + ", futurefill " + FillName(rf.future));
  }
  d_.prepared = true;
  Next();
  return true;
}

// [SECTION] backtest, future, cold start

// Sets the backtest up on its first call; true when it is finished (and the
// stage moved on).
bool Pipeline::StepBacktest() {
  if (!d_.backtest) {
    BacktestOptions o = opt_.backtest_options;
    o.period = d_.panel.freq.SeasonalPeriod();
    o.horizon = opt_.horizon;
    bool etsx = false;
    for (auto m : o.models) etsx |= m == ModelKind::EtsX;
    if (etsx && d_.related_x.empty()) {
      Fail("model etsx needs related series (a related CSV with the target's keys)");
      return true;
    }
    std::vector<BacktestSeries> series;
    for (size_t i = 0; i < d_.panel.series.size(); i++) {
      BacktestSeries s;
      s.id = d_.panel.series[i].item_id;
      s.values = ModelInput(d_.panel.series[i]);
      if (s.values.size() < 2) {
        d_.prepare_messages.push_back(s.id + ": fewer than 2 values; left out of the backtest");
        continue;
      }
      if (!d_.related_x.empty())
        s.related.assign(d_.related_x[i].begin() + long(d_.panel.length - s.values.size()), d_.related_x[i].end());
      series.push_back(std::move(s));
      d_.backtest_series.push_back(i);
    }
    d_.backtest = std::make_unique<Backtest>(std::move(series), o);
    for (auto& w : d_.backtest->warnings) d_.prepare_messages.push_back(w);
    return false;
  }
  if (!d_.backtest->Done()) return false;
  d_.related_verdict = d_.backtest->RelatedVerdict();
  Next();
  return true;
}

bool Pipeline::StepFuture() {
  Work& w = *w_;
  const int period = d_.panel.freq.SeasonalPeriod();
  if (d_.future.empty() && w.series == 0 && !w.task) {
    // Which model: decided once, before the first fit.
    switch (opt_.future) {
      case FutureModel::BestOfBacktest: {
        const auto& res = d_.backtest->results();
        size_t best = 0;
        for (size_t i = 1; i < res.size(); i++)
          if (res[i].overall.avg_wql < res[best].overall.avg_wql) best = i;
        if (!res.empty()) d_.future_kind = res[best].model;
        break;
      }
      case FutureModel::Fixed: d_.future_kind = opt_.future_model; break;
      case FutureModel::BestOnHoldout: {
        std::vector<std::vector<double>> histories;
        for (auto& s : d_.panel.series) histories.push_back(FitInput(s));
        d_.selection = SelectModelOnHoldout(histories, period, opt_.horizon, {}, opt_.selection);
        d_.future_kind = d_.selection->chosen;
        break;
      }
      case FutureModel::None: break;
    }
    d_.future.assign(d_.panel.series.size(), Forecast{});
  }
  if (w.series >= d_.panel.series.size()) {
    Next();
    return true;
  }
  const size_t i = w.series;
  const bool etsx = d_.future_kind == ModelKind::EtsX && !d_.related_x.empty();
  if (!w.task) {
    std::vector<double> y = FitInput(d_.panel.series[i]);
    const ModelSpec spec{d_.future_kind, period, opt_.backtest_options.seed, 400};
    if (etsx) {
      std::vector<std::vector<double>> x(d_.related_x[i].begin() + long(d_.panel.length - y.size()),
                                         d_.related_x[i].end());
      w.task = std::make_unique<ForecastTask>(std::move(y), std::move(x), spec, opt_.horizon,
                                              opt_.backtest_options.levels);
    } else {
      w.task = std::make_unique<ForecastTask>(std::move(y), spec, opt_.horizon, opt_.backtest_options.levels);
    }
    return false;
  }
  if (!w.task->Step()) return false;
  Forecast f = w.task->regression().forecast;
  if (etsx)
    f.message += (f.message.empty() ? "" : "; ") + std::string("related features ") +
                 (w.task->regression().helpful ? "helpful" : "not helpful") + " by AICc";
  d_.future[i] = std::move(f);
  w.task.reset();
  w.series++;
  return false;
}

void Pipeline::ColdStart() {
  d_.cold_start.clear();
  const bool listed = !opt_.cold_start_items.empty();
  if (!d_.in.metadata) {
    if (listed) Fail(d_.in.metadata_error.empty() ? "no item metadata loaded" : d_.in.metadata_error);
    else Next();
    return;
  }
  std::vector<std::string> items = opt_.cold_start_items;
  if (!listed) {
    // Items without history: not in the data at all (an end-of-life item
    // dropped by the fills has history; the quality report, made before the
    // fills, still lists it).
    std::set<std::string> known;
    for (auto& q : d_.quality) known.insert(q.item_id);
    for (auto& [item, fields] : d_.in.metadata->items)
      if (d_.panel.FindSeries(item) < 0 && !known.count(item)) items.push_back(item);
  }
  for (auto& item : items) {
    ColdStartForecast c;
    c.item = item;
    c.similar = SimilarItems(*d_.in.metadata, item, d_.panel);
    if (c.similar.empty()) {
      if (!listed) continue;
      Fail("cold start " + item + ": no item in " + d_.in.metadata->name + " shares a field with it");
      return;
    }
    // The average of the similar items' forecasts, mean and every quantile.
    Forecast f = d_.future[size_t(d_.panel.FindSeries(c.similar[0]))];
    for (size_t k = 1; k < c.similar.size(); k++) {
      const Forecast& g = d_.future[size_t(d_.panel.FindSeries(c.similar[k]))];
      for (size_t j = 0; j < f.mean.size() && j < g.mean.size(); j++) f.mean[j] += g.mean[j];
      for (size_t q = 0; q < f.quantiles.size() && q < g.quantiles.size(); q++)
        for (size_t j = 0; j < f.quantiles[q].size() && j < g.quantiles[q].size(); j++)
          f.quantiles[q][j] += g.quantiles[q][j];
    }
    const double n = double(c.similar.size());
    for (auto& v : f.mean) v /= n;
    for (auto& qv : f.quantiles)
      for (auto& v : qv) v /= n;
    std::string from;
    for (auto& s : c.similar) from += (from.empty() ? "" : ",") + s;
    f.detail = "cold start: mean of " + from;
    f.message.clear();
    c.forecast = std::move(f);
    d_.cold_start.push_back(std::move(c));
  }
  Next();
}

// [SECTION] progress, status

float Pipeline::Progress() const {
  if (stage_ == PipelineStage::Done) return 1.f;
  // Weights of the stages this run has; the backtest is most of the time.
  float weight[5] = {0.1f, 0.1f, opt_.backtest ? 0.7f : 0.f, opt_.future != FutureModel::None ? 0.1f : 0.f, 0.f};
  for (int s = 0; s < 5; s++)
    if (s < int(first_) || s > int(opt_.last)) weight[s] = 0;
  float total = 0, done = 0;
  for (float x : weight) total += x;
  for (int s = 0; s < int(stage_); s++) done += weight[s];
  float part = 0;
  const Work& w = *w_;
  switch (stage_) {
    case PipelineStage::Load:
    {
      // Per file: the first half splits the text into cells, the second converts the rows.
      float in_file = 0;
      if (w.parsed) in_file = 0.5f + (w.target_rows ? 0.5f * w.target_rows->Progress() : 0.f);
      else if (w.reading) in_file = 0.5f * float(w.pos) / float(w.text.size() + 1);
      part = (float(w.file) + in_file) / 3.f;
    }
      break;
    case PipelineStage::Prepare:
      part = (float(w.step) + (w.agg ? w.agg->Progress() : 0.f)) / float(opt_.level_freqs.size() + 3);
      break;
    case PipelineStage::Backtest: part = d_.backtest ? d_.backtest->Progress() : 0.f; break;
    case PipelineStage::Future:
      part = d_.panel.series.empty() ? 1.f : float(w.series) / float(d_.panel.series.size());
      break;
    default: break;
  }
  return total > 0 ? std::min(1.f, (done + weight[int(stage_)] * part) / total) : 0.f;
}

std::string Pipeline::Detail() const {
  const Work& w = *w_;
  switch (stage_) {
    case PipelineStage::Load: {
      const std::string* paths[3] = {&opt_.target_path, &opt_.related_path, &opt_.metadata_path};
      const std::string& p = *paths[std::min(w.file, 2)];
      return (!w.reading ? "reading " : !w.parsed ? "parsing " : "reading the rows of ") + p;
    }
    case PipelineStage::Prepare:
      return w.agg ? "aggregating " + std::to_string(int(w.agg->Progress() * 100)) + "%" : "aggregating and filling";
    case PipelineStage::Backtest:
      return "backtest " + std::to_string(int((d_.backtest ? d_.backtest->Progress() : 0.f) * 100)) +
             "% (one ETS candidate per unit)";
    case PipelineStage::Future:
      if (w.series < d_.panel.series.size())
        return "forecast " + d_.panel.series[w.series].item_id + " with " + ModelName(d_.future_kind);
      return "forecast";
    case PipelineStage::ColdStart: return "cold start";
    case PipelineStage::Done: return failed() ? error_ : "done";
  }
  return "";
}

PipelineData Pipeline::TakeData(bool keep_prepared) {
  PipelineData out;
  out.in = std::move(d_.in);
  if (keep_prepared && d_.prepared) {
    out.prepared = true;
    out.panel = std::move(d_.panel);
    out.quality = std::move(d_.quality);
    out.levels = std::move(d_.levels);
    out.related_x = std::move(d_.related_x);
    out.prepare_messages = std::move(d_.prepare_messages);
  }
  d_ = PipelineData{};
  Fail("the pipeline's data was handed on");
  return out;
}

nlohmann::json Pipeline::StatusJson() const {
  nlohmann::json j;
  j["stage"] = StageName(stage_);
  if (failed()) j["error"] = error_;
  if (d_.prepared) {
    j["series"] = d_.panel.series.size();
    j["buckets"] = d_.panel.length;
    j["freq"] = d_.panel.freq.Name();
    j["dims"] = d_.panel.dim_names;
    j["messages"] = d_.prepare_messages;
    size_t eol = 0, fresh = 0;
    for (auto& q : d_.quality) eol += q.end_of_life, fresh += q.is_new;
    j["end_of_life"] = eol;
    j["new_items"] = fresh;
    j["related_features"] = d_.related_x.empty() || d_.related_x[0].empty() ? 0 : d_.related_x[0][0].size();
  }
  if (d_.backtest && d_.backtest->Done()) {
    nlohmann::json acc = nlohmann::json::array();
    for (auto& r : d_.backtest->results()) {
      nlohmann::json m = MetricsJson(r.overall);
      m["model"] = ModelName(r.model);
      m["seconds"] = r.seconds;
      acc.push_back(m);
    }
    j["accuracy"] = acc;
    j["related"] = d_.related_verdict;
    j["horizon"] = d_.backtest->options().horizon;
    j["windows"] = d_.backtest->options().windows;
  }
  if (!d_.future.empty()) j["best"] = ModelName(d_.future_kind);
  if (stage_ == PipelineStage::Done && !failed() && opt_.future != FutureModel::None) {
    nlohmann::json cs = nlohmann::json::array();
    for (auto& c : d_.cold_start) cs.push_back({{"item", c.item}, {"similar", c.similar}});
    j["cold_start"] = cs;
  }
  return j;
}

}  // namespace fk::forecast
