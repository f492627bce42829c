// The Forecasts panel: load the target / related / metadata CSVs, shape them
// to the question (dimensions, frequency, aggregation, fills, end-of-life),
// look at the series at several aggregation levels with a trend line and a
// seasonal profile, then backtest the models (a sliced job with progress and
// Cancel) and read the accuracy table, the P10-P90 fans and the windows.
// All work is in shared/forecast; this file draws and starts jobs.
//
// Index
// [SECTION] data, preparation, job
// [SECTION] ?run=forecast-demo and status().forecast
// [SECTION] drawing
#include <cmath>
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/job.h"
#include "forecast/models.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/panels.h"
#include "ui/plot.h"
#include "ui/widgets.h"

namespace fk::ui {

namespace {

const char* const kJobLabel = "Forecast backtest";
const char* const kFreqs[] = {"H", "6H", "D", "W", "M", "Q", "Y"};
const char* const kAggs[] = {"sum", "avg", "first", "min", "max"};
const char* const kFills[] = {"nan", "zero", "median", "mean", "min", "max", "value"};
// Related series: no nan (models need a value at every step), as the service.
const char* const kRelatedFills[] = {"zero", "median", "mean", "min", "max", "value"};
const char* const kRelatedFillNames[] = {"related middlefill", "related backfill", "related futurefill"};
const char* const kRelatedFillIds[] = {"forecast.related_middlefill", "forecast.related_backfill",
                                       "forecast.related_futurefill"};
const char* const kEol[] = {"keep", "drop", "null"};
const forecast::ModelKind kModels[] = {forecast::ModelKind::SeasonalNaive, forecast::ModelKind::Ets,
                                       forecast::ModelKind::Theta, forecast::ModelKind::Comb,
                                       forecast::ModelKind::EtsX};

std::string DataDir(const AppState& app) {
  return app.forecast.data_dir.empty() ? app.platform.data_dir + "/forecast" : app.forecast.data_dir;
}

void DefaultPaths(AppState& app) {
  ForecastPanelState& st = app.forecast;
  if (st.target_path[0]) return;
  const std::string d = DataDir(app);
  std::snprintf(st.target_path, sizeof st.target_path, "%s/sales.csv", d.c_str());
  std::snprintf(st.related_path, sizeof st.related_path, "%s/related.csv", d.c_str());
  std::snprintf(st.metadata_path, sizeof st.metadata_path, "%s/items.csv", d.c_str());
}

// [SECTION] data, preparation, job

void ClearData(ForecastPanelState& st) {
  st.load_messages.clear();
  st.target.reset();
  st.related.reset();
  st.metadata.reset();
  st.prepared = false;
}

// Turns one parsed CSV into its data set (kind 0 target, 1 related, 2 metadata).
bool SetTarget(AppState& app, Result<forecast::TargetDataset> t) {
  ForecastPanelState& st = app.forecast;
  if (!t) {
    app.Error("forecasts: " + t.status().message());
    return false;
  }
  st.target = std::move(*t);
  for (auto& e : st.target->errors) st.load_messages.push_back(e);
  // Default question for the retail demo: per product, across stores.
  st.keep_dim.assign(st.target->dim_cols.size(), 0);
  if (!st.keep_dim.empty()) st.keep_dim[0] = 1;
  return true;
}

// The target's dimensions that the related table has: its series keys.
std::vector<std::string> RelatedKeys(const ForecastPanelState& st, const forecast::CsvTable& table) {
  std::vector<std::string> keys;
  for (auto& d : st.target->dim_cols)
    for (auto& h : table.header)
      if (h == d) keys.push_back(d);
  return keys;
}

void SetRelated(AppState& app, Result<forecast::RelatedDataset> r) {
  ForecastPanelState& st = app.forecast;
  if (!r) {
    st.load_messages.push_back("related: " + r.status().message());
    return;
  }
  st.related = std::move(*r);
  for (auto& e : st.related->errors) st.load_messages.push_back(e);
}

bool FinishTable(AppState& app, int kind, const forecast::CsvTable& table) {
  ForecastPanelState& st = app.forecast;
  if (kind == 0) return SetTarget(app, forecast::ParseTarget(table, {}));
  if (kind == 1) {
    SetRelated(app, forecast::ParseRelated(table, RelatedKeys(st, table)));
  } else {
    auto m = forecast::ParseMetadata(table);
    if (!m) {
      st.load_messages.push_back("metadata: " + m.status().message());
      return true;
    }
    st.metadata = std::move(*m);
    for (auto& e : st.metadata->errors) st.load_messages.push_back(e);
  }
  return true;
}

forecast::Fill FillFrom(const char* name, double value) {
  forecast::Fill f;
  if (std::string(name) == "value") return forecast::Fill{forecast::FillKind::Value, value};
  forecast::ParseFill(name, &f);
  return f;
}

forecast::RelatedFill RelatedFills(const ForecastPanelState& st) {
  forecast::RelatedFill r;
  forecast::Fill* f[3] = {&r.middle, &r.back, &r.future};
  for (int i = 0; i < 3; i++) *f[i] = FillFrom(kRelatedFills[st.related_fill[i]], st.related_value[i]);
  return r;
}

// "median" / "value:3" -> index (+ value) into a fill list; false when not in it.
bool FillIndex(const forecast::Fill& f, const char* const* names, int n, int* index, double* value) {
  const std::string want = f.kind == forecast::FillKind::Value ? "value" : forecast::FillName(f);
  for (int i = 0; i < n; i++)
    if (want == names[i]) {
      *index = i;
      if (f.kind == forecast::FillKind::Value) *value = f.value;
      return true;
    }
  return false;
}

forecast::AggregateOptions AggOptions(const ForecastPanelState& st) {
  forecast::AggregateOptions o;
  o.keep_all_dims = false;
  for (size_t i = 0; i < st.keep_dim.size(); i++)
    if (st.keep_dim[i]) o.dims.push_back(st.target->dim_cols[i]);
  std::string err;
  forecast::ParseFrequency(kFreqs[st.freq], &o.freq, &err);
  o.agg = forecast::AggMethod(st.agg);
  return o;
}

// Preparation in steps: 0 aggregate, 1-2 the coarser levels for the charts,
// 3 quality + fills, 4 related alignment. The aggregations read `rows` raw
// rows per call (a slice of the job); true when the step is complete.
constexpr int kPrepareSteps = 5;
bool PrepareSlice(AppState& app, int step, std::unique_ptr<forecast::Aggregation>* agg, size_t rows) {
  ForecastPanelState& st = app.forecast;
  if (!st.target) return true;
  const forecast::AggregateOptions o = AggOptions(st);
  std::string err;
  if (step == 0) {
    if (!*agg) {
      st.prepared = false;
      st.levels.clear();
      st.backtest.reset();
      st.backtest_done = false;
      st.future.clear();
      *agg = std::make_unique<forecast::Aggregation>(*st.target, o);
    }
    if (!(*agg)->Step(rows)) return false;
    st.panel = (*agg)->Finish();
    agg->reset();
    st.prepare_messages = st.panel.messages;
    return true;
  }
  if (step == 1 || step == 2) {
    const char* lf = step == 1 ? "M" : "Y";
    if (o.freq.unit == lf[0] && o.freq.n == 1) return true;
    if (!*agg) {
      forecast::AggregateOptions lo = o;
      forecast::ParseFrequency(lf, &lo.freq, &err);
      *agg = std::make_unique<forecast::Aggregation>(*st.target, lo);
    }
    if (!(*agg)->Step(rows)) return false;
    st.levels.push_back((*agg)->Finish());
    agg->reset();
    return true;
  }
  forecast::FillOptions fo;
  fo.zero_to_null = st.zero_to_null;
  fo.middle = FillFrom(kFills[st.middle_fill], st.middle_value);
  fo.back = FillFrom(kFills[st.back_fill], st.back_value);
  fo.eol = forecast::EolAction(st.eol);
  if (step == 3) {
    st.quality = forecast::QualityReport(st.panel);  // before the fills: what the data looks like
    for (auto& m : forecast::ApplyFill(&st.panel, fo)) st.prepare_messages.push_back(m);
    return true;
  }
  st.related_x.clear();
  if (st.related) {
    const forecast::RelatedFill rf = RelatedFills(st);
    forecast::AlignRelated(*st.related, st.panel, st.horizon, rf, &st.prepare_messages).swap(st.related_x);
    st.prepare_messages.push_back("related series filled: middlefill " + forecast::FillName(rf.middle) +
                                  ", backfill " + forecast::FillName(rf.back) + ", futurefill " +
                                  forecast::FillName(rf.future));
  }
  st.prepared = !st.panel.series.empty();
  st.selected = 0;
  return true;
}

void Prepare(AppState& app) {
  for (int i = 0; i < kPrepareSteps; i++) {
    std::unique_ptr<forecast::Aggregation> agg;
    while (!PrepareSlice(app, i, &agg, size_t(-1) / 2)) {
    }
  }
}

struct ForecastJob {
  AppState* app;
  bool run_backtest = true;
  int stage = 0;
  double t0 = 0;
  // Loading state.
  int file = 0;
  bool reading = false;
  std::string text;
  forecast::CsvTable table;
  size_t pos = 0, line = 0;
  bool parsed = false;                                // the CSV text of the current file is split into cells
  std::unique_ptr<forecast::TargetParser> target_rows;  // target rows converted 1500 per slice
  std::unique_ptr<forecast::RelatedParser> related_rows;  // the same for the related series
  int prep_step = 0;
  std::unique_ptr<forecast::Aggregation> agg;  // the aggregation in progress
  bool Step(JobContext& ctx) {
    ForecastPanelState& st = app->forecast;
    switch (stage) {
      case 0: {
        // Loading, a slice at a time: read a file, split 500 lines per slice into cells (the first
        // 1500-line chunk took 15 ms in the page), build the data set.
        const char* paths[3] = {st.target_path, st.related_path, st.metadata_path};
        if (file == 0 && text.empty() && st.target) {
          stage = 1;  // already loaded
          return false;
        }
        if (file == 3 || (file > 0 && !st.target)) {
          stage = 1;
          return false;
        }
        if (!paths[file][0]) {
          file++;
          return false;
        }
        if (!reading) {
          ctx.SetDetail(std::string("reading ") + paths[file]);
          auto t = forecast::ReadTextFile(paths[file]);
          if (!t) {
            if (file == 0) {
              ctx.Fail(t.status().message());
              return true;
            }
            st.load_messages.push_back(t.status().message());
            file++;
            return false;
          }
          text = std::move(*t);
          table = forecast::CsvTable{};
          table.name = paths[file];
          pos = line = 0;
          reading = true;
          return false;
        }
        if (!parsed) {
          ctx.SetDetail(std::string("parsing ") + paths[file]);
          if (!forecast::ParseCsvChunk(text, &pos, &line, 500, &table)) {
            ctx.SetProgress(0.1f * float(pos) / float(text.size() + 1));
            return false;
          }
          parsed = true;
          text.clear();
          if (table.header.empty() && file == 0) {
            ctx.Fail(table.name + ": empty file (expected a header line)");
            return true;
          }
          return false;
        }
        if (file == 0) {
          // Dates and numbers of the target, 1500 rows per slice: the whole
          // table in one call was the page's longest slice (16-21 ms).
          if (!target_rows) target_rows = std::make_unique<forecast::TargetParser>(table, forecast::TargetOptions{});
          ctx.SetDetail(std::string("reading the rows of ") + paths[file]);
          if (!target_rows->Step(1500)) return false;
          const bool ok = SetTarget(*app, target_rows->Finish());
          target_rows.reset();
          reading = parsed = false;
          if (!ok) {
            ctx.Fail("cannot load " + table.name);
            return true;
          }
          file++;
          return false;
        }
        if (file == 1 && st.target) {
          if (!related_rows) related_rows = std::make_unique<forecast::RelatedParser>(table, RelatedKeys(st, table));
          ctx.SetDetail(std::string("reading the rows of ") + paths[file]);
          if (!related_rows->Step(1500)) return false;
          SetRelated(*app, related_rows->Finish());
          related_rows.reset();
          reading = parsed = false;
          file++;
          return false;
        }
        reading = parsed = false;
        if (!FinishTable(*app, file, table) && file == 0) {
          ctx.Fail("cannot load " + table.name);
          return true;
        }
        file++;
        return false;
      }
      case 1:
        ctx.SetDetail("aggregating and filling");
        if (st.prepared && prep_step == 0) {
          prep_step = kPrepareSteps;
        } else if (prep_step < kPrepareSteps) {
          // 1500 raw rows per slice, like the CSV parsing: a whole aggregation of
          // the demo's 6,800 rows was the page's longest slice (18-30 ms).
          if (PrepareSlice(*app, prep_step, &agg, 1500)) prep_step++;
          else ctx.SetDetail("aggregating " + std::to_string(int(agg->Progress() * 100)) + "%");
          return false;
        }
        if (!st.prepared) {
          ctx.Fail("nothing to forecast after preparation");
          return true;
        }
        if (!run_backtest) return true;
        StartBacktest();
        stage = 3;
        return false;
      case 3: {
        const bool done = st.backtest->Step(8.0);
        ctx.SetProgress(0.1f + 0.8f * st.backtest->Progress());
        ctx.SetDetail("backtest " + std::to_string(int(st.backtest->Progress() * 100)) + "% (one ETS candidate per unit)");
        if (done) {
          FinishBacktest();
          stage = 4;
        }
        return false;
      }
      case 4: {
        // Future forecasts with the best model: one ETS candidate fit per slice.
        if (st.future_done < st.panel.series.size()) {
          if (!st.future_task) StartFuture(st.future_done);
          ctx.SetDetail("forecast " + st.panel.series[st.future_done].item_id + " with " + st.best_model);
          if (st.future_task->Step()) {
            st.future[st.future_done++] = st.future_task->regression().forecast;
            st.future_task.reset();
          }
          ctx.SetProgress(0.9f + 0.1f * float(st.future_done) / float(st.panel.series.size()));
          return false;
        }
        ColdStart();
        st.backtest_done = true;
        st.show_results = true;
        st.backtest_s = (ImGui::GetTime() - t0);
        return true;
      }
    }
    return true;
  }
  void StartBacktest() {
    ForecastPanelState& st = app->forecast;
    forecast::BacktestOptions o;
    o.period = st.panel.freq.SeasonalPeriod();
    o.horizon = st.horizon;
    o.windows = st.windows;
    o.models.clear();
    for (int i = 0; i < 5; i++)
      if (st.use_model[i] && (kModels[i] != forecast::ModelKind::EtsX || !st.related_x.empty()))
        o.models.push_back(kModels[i]);
    if (o.models.empty()) o.models.push_back(forecast::ModelKind::Ets);
    std::vector<forecast::BacktestSeries> series;
    st.backtest_series.clear();
    for (size_t i = 0; i < st.panel.series.size(); i++) {
      forecast::BacktestSeries s;
      s.id = st.panel.series[i].item_id;
      s.values = forecast::ModelInput(st.panel.series[i]);
      if (s.values.size() < 2) continue;
      if (!st.related_x.empty())
        s.related.assign(st.related_x[i].begin() + long(st.panel.length - s.values.size()), st.related_x[i].end());
      series.push_back(std::move(s));
      st.backtest_series.push_back(i);
    }
    st.backtest = std::make_unique<forecast::Backtest>(std::move(series), o);
    for (auto& w : st.backtest->warnings) st.prepare_messages.push_back(w);
    st.future.clear();
    st.future_done = 0;
    st.future_task.reset();
    st.chart_model = 0;
  }
  void FinishBacktest() {
    ForecastPanelState& st = app->forecast;
    const auto& res = st.backtest->results();
    size_t best = 0;
    for (size_t i = 1; i < res.size(); i++)
      if (res[i].overall.avg_wql < res[best].overall.avg_wql) best = i;
    st.best_model = forecast::ModelName(res[best].model);
    st.chart_model = int(best);
    st.related_verdict = st.backtest->RelatedVerdict();
    st.future.assign(st.panel.series.size(), forecast::Forecast{});
  }
  void StartFuture(size_t i) {
    ForecastPanelState& st = app->forecast;
    const auto& opt = st.backtest->options();
    forecast::ModelKind kind;
    forecast::ParseModelKind(st.best_model, &kind);
    std::vector<double> y = forecast::ModelInput(st.panel.series[i]);
    for (size_t t = 1; t < y.size(); t++)
      if (std::isnan(y[t])) y[t] = y[t - 1];
    forecast::ModelSpec spec{kind, opt.period, opt.seed, 400};
    if (kind == forecast::ModelKind::EtsX && !st.related_x.empty()) {
      std::vector<std::vector<double>> x(st.related_x[i].begin() + long(st.panel.length - y.size()),
                                         st.related_x[i].end());
      st.future_task =
          std::make_unique<forecast::ForecastTask>(std::move(y), std::move(x), spec, opt.horizon, opt.levels);
    } else {
      st.future_task = std::make_unique<forecast::ForecastTask>(std::move(y), spec, opt.horizon, opt.levels);
    }
  }
  void ColdStart() {
    ForecastPanelState& st = app->forecast;
    st.cold_start.clear();
    st.cold_start_mean.clear();
    if (!st.metadata) return;
    for (auto& [item, fields] : st.metadata->items) {
      if (st.panel.FindSeries(item) >= 0) continue;
      const auto similar = forecast::SimilarItems(*st.metadata, item, st.panel);
      if (similar.empty()) continue;
      st.cold_start_mean.assign(size_t(st.horizon), 0.0);
      std::string from;
      for (auto& s : similar) {
        const auto& f = st.future[size_t(st.panel.FindSeries(s))];
        for (size_t j = 0; j < st.cold_start_mean.size() && j < f.mean.size(); j++)
          st.cold_start_mean[j] += f.mean[j] / double(similar.size());
        from += (from.empty() ? "" : ", ") + s;
      }
      st.cold_start = item + ": no history; mean forecast of the similar items " + from;
      return;  // one cold-start item is shown
    }
  }
};

void StartForecastJob(AppState& app, bool run_backtest) {
  if (app.jobs.Has(kJobLabel)) return;
  auto job = std::make_shared<ForecastJob>();
  job->app = &app;
  job->run_backtest = run_backtest;
  job->t0 = ImGui::GetTime();
  app.forecast.backtest_done = false;
  app.jobs.Enqueue(MakeJob(
      kJobLabel, [job](JobContext& ctx) { return job->Step(ctx); },
      [&app](JobState s) {
        if (s == JobState::Failed) app.Error("forecasts: " + app.jobs.Error());
        else if (s == JobState::Cancelled) app.Log("forecasts: backtest cancelled");
        else if (app.forecast.backtest_done) app.Log("forecasts: backtest done; best model " + app.forecast.best_model);
      }));
}

void ExportCsv(AppState& app) {
  ForecastPanelState& st = app.forecast;
  if (st.future.empty() || !st.backtest) return;
  const auto& levels = st.backtest->options().levels;
  std::string csv = "item_id,timestamp,model,mean";
  char b[64];
  for (double q : levels) {
    std::snprintf(b, sizeof b, ",p%g", q * 100);
    csv += b;
  }
  csv += "\n";
  for (size_t i = 0; i < st.future.size(); i++) {
    const auto& f = st.future[i];
    for (size_t j = 0; j < f.mean.size(); j++) {
      csv += st.panel.series[i].item_id + "," +
             forecast::FormatDate(st.panel.TimeAt(st.panel.length + j), st.panel.format) + "," + st.best_model;
      std::snprintf(b, sizeof b, ",%.6g", f.mean[j]);
      csv += b;
      for (size_t q = 0; q < levels.size(); q++) {
        std::snprintf(b, sizeof b, ",%.6g", f.quantiles[q][j]);
        csv += b;
      }
      csv += "\n";
    }
  }
  const std::string path = app.platform.user_dir + "/forecasts.csv";
  std::ofstream out(path);
  out << csv;
  if (!out) {
    app.Error(path + ": cannot write");
    return;
  }
  out.close();
  st.message = "exported " + std::to_string(st.future.size()) + " series x " + std::to_string(st.horizon) +
               " steps to " + path;
  app.Log(st.message);
  if (app.platform.offer_download) app.platform.offer_download(path);
}

nlohmann::json MetricsJson(const forecast::Metrics& m) {
  nlohmann::json wql = nlohmann::json::object();
  for (size_t i = 0; i < m.levels.size(); i++) {
    char b[16];
    std::snprintf(b, sizeof b, "p%g", m.levels[i] * 100);
    wql[b] = m.wql[i];
  }
  return {{"wql", wql}, {"avg_wql", m.avg_wql}, {"wape", m.wape}, {"rmse", m.rmse}, {"mape", m.mape},
          {"mase", m.mase}, {"points", m.points}};
}

}  // namespace

// [SECTION] ?run=forecast-demo and status().forecast

// ?run=forecast-demo[&data=DIR][&freq=D][&horizon=14][&windows=2][&models=snaive,ets,...]
bool RunForecastDemoFromParams(AppState& app, const std::map<std::string, std::string>& params) {
  ForecastPanelState& st = app.forecast;
  // Other data clears the data set the running job's aggregation points into.
  if (params.count("data") && app.jobs.Has(kJobLabel)) {
    app.Error("?run=forecast-demo: data cannot change while a forecast job runs; run it again when it is done");
    return false;
  }
  for (auto& [k, v] : params) {
    if (k == "data") {
      st.data_dir = v;
      st.target_path[0] = 0;
      ClearData(st);
    } else if (k == "freq") {
      int found = -1;
      for (int i = 0; i < int(sizeof kFreqs / sizeof *kFreqs); i++)
        if (v == kFreqs[i]) found = i;
      if (found < 0) {
        app.Error("?run=forecast-demo: freq must be H, 6H, D, W, M, Q or Y");
        return false;
      }
      st.freq = found;
    } else if (k == "horizon" || k == "windows") {
      const int n = std::atoi(v.c_str());
      if (k == "horizon" ? (n < 1 || n > 400) : (n < 1 || n > 5)) {
        app.Error("?run=forecast-demo: " + k + " out of range");
        return false;
      }
      (k == "horizon" ? st.horizon : st.windows) = n;
    } else if (k == "models") {
      for (auto& u : st.use_model) u = false;
      size_t pos = 0;
      while (pos <= v.size()) {
        const size_t c = std::min(v.find(',', pos), v.size());
        forecast::ModelKind m;
        if (!forecast::ParseModelKind(v.substr(pos, c - pos), &m)) {
          app.Error("?run=forecast-demo: unknown model '" + v.substr(pos, c - pos) + "'");
          return false;
        }
        for (int i = 0; i < 5; i++)
          if (kModels[i] == m) st.use_model[i] = true;
        pos = c + 1;
      }
    } else if (k == "middlefill" || k == "backfill") {
      forecast::Fill f;
      if (!forecast::ParseFill(v, &f) ||
          !FillIndex(f, kFills, IM_ARRAYSIZE(kFills), k == "middlefill" ? &st.middle_fill : &st.back_fill,
                     k == "middlefill" ? &st.middle_value : &st.back_value)) {
        app.Error("?run=forecast-demo: " + k + " must be nan, zero, median, mean, min, max or value:X (got '" + v + "')");
        return false;
      }
    } else if (k == "related_middlefill" || k == "related_backfill" || k == "related_futurefill") {
      const int i = k == "related_middlefill" ? 0 : k == "related_backfill" ? 1 : 2;
      forecast::Fill f;
      std::string err;
      if (!forecast::ParseRelatedFill(v, &f, &err) ||
          !FillIndex(f, kRelatedFills, IM_ARRAYSIZE(kRelatedFills), &st.related_fill[i], &st.related_value[i])) {
        app.Error("?run=forecast-demo: " + k + ": " + (err.empty() ? "'" + v + "' is not a fill method" : err));
        return false;
      }
    } else {
      app.Error("?run=forecast-demo: unknown parameter '" + k +
                "' (known: data, freq, horizon, windows, models, middlefill, backfill, related_middlefill, "
                "related_backfill, related_futurefill)");
      return false;
    }
  }
  DefaultPaths(app);
  st.prepared = false;
  StartForecastJob(app, true);
  return true;
}

// A target CSV imported by the user (dropped, picked or ?run=import): loaded
// and prepared as a job with the current choices; the backtest stays the
// user's click. The demo's related and metadata files do not belong to it.
void ImportForecastTarget(AppState& app, const std::string& path, const std::string& why) {
  ForecastPanelState& st = app.forecast;
  for (size_t i = 0; i < Panels().size(); i++)
    if (std::string(Panels()[i].name) == "Forecasts") app.current_panel = int(i);
  if (app.jobs.Has(kJobLabel)) {
    app.Error("forecasts: " + path + " not loaded: a forecast job is running; import it again when it is done");
    return;
  }
  ClearData(st);
  std::snprintf(st.target_path, sizeof st.target_path, "%s", path.c_str());
  st.related_path[0] = st.metadata_path[0] = 0;
  st.backtest.reset();
  st.backtest_done = false;
  st.future.clear();
  st.future_task.reset();
  st.message = "imported " + path + " as the target series (" + why + ")";
  app.Log("forecasts: " + st.message);
  StartForecastJob(app, false);
}

std::string ForecastStatusJson(AppState& app) {
  ForecastPanelState& st = app.forecast;
  if (!st.target && !app.jobs.Has(kJobLabel)) return "null";
  nlohmann::json j;
  j["state"] = st.backtest_done ? "done" : app.jobs.Has(kJobLabel) ? "running" : st.prepared ? "prepared" : "loaded";
  if (st.prepared) {
    j["series"] = st.panel.series.size();
    j["buckets"] = st.panel.length;
    j["freq"] = st.panel.freq.Name();
    j["dims"] = st.panel.dim_names;
    j["messages"] = st.prepare_messages;
    size_t eol = 0, fresh = 0;
    for (auto& q : st.quality) eol += q.end_of_life, fresh += q.is_new;
    j["end_of_life"] = eol;
    j["new_items"] = fresh;
    const forecast::RelatedFill rf = RelatedFills(st);
    j["fills"] = {{"middlefill", forecast::FillName(FillFrom(kFills[st.middle_fill], st.middle_value))},
                  {"backfill", forecast::FillName(FillFrom(kFills[st.back_fill], st.back_value))},
                  {"related_middlefill", forecast::FillName(rf.middle)},
                  {"related_backfill", forecast::FillName(rf.back)},
                  {"related_futurefill", forecast::FillName(rf.future)}};
    j["related_features"] = st.related_x.empty() ? 0 : st.related_x[0].empty() ? 0 : st.related_x[0][0].size();
    j["target_path"] = st.target_path;
  }
  if (st.backtest_done && st.backtest) {
    nlohmann::json acc = nlohmann::json::array();
    for (auto& r : st.backtest->results()) {
      nlohmann::json m = MetricsJson(r.overall);
      m["model"] = forecast::ModelName(r.model);
      m["seconds"] = r.seconds;
      acc.push_back(m);
    }
    j["accuracy"] = acc;
    j["best"] = st.best_model;
    j["related"] = st.related_verdict;
    j["horizon"] = st.backtest->options().horizon;
    j["windows"] = st.backtest->options().windows;
    j["seconds"] = st.backtest_s;
    j["cold_start"] = st.cold_start;
  }
  return j.dump();
}

// [SECTION] drawing

namespace {

void TrendLine(const std::vector<double>& xs, const std::vector<double>& ys, std::vector<double>* tx,
               std::vector<double>* ty) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;
  for (size_t i = 0; i < xs.size(); i++) {
    if (std::isnan(ys[i])) continue;
    const double x = double(i);
    sx += x, sy += ys[i], sxx += x * x, sxy += x * ys[i], n++;
  }
  tx->clear();
  ty->clear();
  if (n < 2 || n * sxx - sx * sx == 0) return;
  const double b = (n * sxy - sx * sy) / (n * sxx - sx * sx), a = (sy - b * sx) / n;
  *tx = {xs.front(), xs.back()};
  *ty = {a, a + b * double(xs.size() - 1)};
}

void LevelChart(const forecast::Panel& p, const std::string& item, const char* id, float width) {
  const int s = p.FindSeries(item);
  std::vector<double> xs, ys, tx, ty;
  if (s >= 0)
    for (size_t t = 0; t < p.length; t++) {
      xs.push_back(double(p.TimeAt(t)));
      ys.push_back(p.series[size_t(s)].values[t]);
    }
  TrendLine(xs, ys, &tx, &ty);
  const std::string title = item + " per " + p.freq.Name();
  PlotSpec spec;
  spec.title = title.c_str();
  spec.time_x = true;
  spec.y_from_zero = true;
  Plot plot(id, ImVec2(width, 170), spec);
  plot.Line("demand", xs.data(), ys.data(), xs.size(), colors::kAccent, xs.size() < 60);
  if (!tx.empty()) plot.Line("trend", tx.data(), ty.data(), 2, colors::kAccent2, false);
  plot.Draw();
}

void SeasonalProfile(const forecast::Panel& p, size_t s, float width) {
  const int period = p.freq.SeasonalPeriod();
  if (period < 2) {
    ImGui::TextDisabled("no seasonal period at %s", p.freq.Name().c_str());
    return;
  }
  static const char* const kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::vector<double> sum(size_t(period), 0.0), cnt(size_t(period), 0.0), mean(size_t(period), 0.0);
  std::vector<std::string> names(static_cast<size_t>(period));
  for (size_t t = 0; t < p.length; t++) {
    const double v = p.series[s].values[t];
    if (std::isnan(v)) continue;
    const int64_t ts = p.TimeAt(t);
    size_t pos;
    if (p.freq.unit == 'D') pos = size_t(((ts / 86400) % 7 + 10) % 7);  // 1970-01-01 was a Thursday
    else if (p.freq.unit == 'M') pos = size_t(std::atoi(forecast::FormatDate(ts, forecast::DateFormat::YearMonth).c_str() + 5) - 1);
    else pos = size_t((p.first_bucket + int64_t(t)) % period);
    sum[pos] += v, cnt[pos]++;
  }
  std::vector<const char*> cats(static_cast<size_t>(period));
  for (int i = 0; i < period; i++) {
    mean[size_t(i)] = cnt[size_t(i)] ? sum[size_t(i)] / cnt[size_t(i)] : 0;
    names[size_t(i)] = p.freq.unit == 'D' ? kDays[i] : p.freq.unit == 'M' ? kMonths[i] : std::to_string(i + 1);
    cats[size_t(i)] = names[size_t(i)].c_str();
  }
  PlotSpec spec;
  spec.title = "seasonal profile (mean per position)";
  Plot plot("forecast.profile", ImVec2(width, 170), spec);
  plot.SetCategories(cats.data(), cats.size());
  plot.Bars("mean", mean.data(), colors::kAccent);
  plot.Draw();
}

void DrawDataSection(AppState& app) {
  ForecastPanelState& st = app.forecast;
  SectionHeader("Data sets");
  const bool busy = app.jobs.Has(kJobLabel);
  ImGui::SetNextItemWidth(420);
  ImGui::InputText("target time series", st.target_path, sizeof st.target_path);
  ImGui::SetNextItemWidth(420);
  ImGui::InputText("related time series (optional)", st.related_path, sizeof st.related_path);
  ImGui::SetNextItemWidth(420);
  ImGui::InputText("item metadata (optional)", st.metadata_path, sizeof st.metadata_path);
  if (busy) ImGui::BeginDisabled();
  if (ImGui::Button("Load")) {
    ClearData(st);
    StartForecastJob(app, false);
  }
  RecordItem(app, "forecast.load");
  if (busy) ImGui::EndDisabled();
  ImGui::SameLine();
  HelpMarker("CSV files. Target: a timestamp column (01-Jan, 1991-01, 1991-01-31 or ISO date-times), a numeric "
             "target column, the rest are dimensions (product, store, country...). Related: the same keys plus up "
             "to 13 numeric features (price, promo) covering the forecast horizon too. Metadata: item id + up to 9 "
             "fields (category, colour...). In the page, dropped files are under /imports/.");
  if (st.target) {
    std::string dims;
    for (auto& d : st.target->dim_cols) dims += (dims.empty() ? "" : ", ") + d;
    ImGui::Text("target: %zu rows, dimensions %s, value column '%s'%s%s", st.target->time.size(), dims.c_str(),
                st.target->value_col.c_str(), st.related ? "; related loaded" : "",
                st.metadata ? "; metadata loaded" : "");
  }
  for (auto& m : st.load_messages) ImGui::TextColored(ImVec4(0.9f, 0.6f, 0.3f, 1), "%s", m.c_str());
}

void DrawPrepareSection(AppState& app) {
  ForecastPanelState& st = app.forecast;
  if (!st.target) return;
  SectionHeader("Shape to the question");
  ImGui::TextUnformatted("keep dimensions:");
  for (size_t i = 0; i < st.keep_dim.size(); i++) {
    ImGui::SameLine();
    bool v = st.keep_dim[i] != 0;
    if (ImGui::Checkbox(st.target->dim_cols[i].c_str(), &v)) st.keep_dim[i] = v;
  }
  ImGui::SameLine();
  HelpMarker("Dimensions not kept are aggregated away: keep product to answer 'how many of product A', keep "
             "country for 'how much from Canada', none for 'how much overall'.");
  ImGui::SetNextItemWidth(80);
  ImGui::Combo("frequency", &st.freq, kFreqs, IM_ARRAYSIZE(kFreqs));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(80);
  ImGui::Combo("aggregation", &st.agg, kAggs, IM_ARRAYSIZE(kAggs));
  ImGui::SameLine();
  ImGui::Checkbox("zeros as null", &st.zero_to_null);
  ImGui::SetNextItemWidth(90);
  ImGui::Combo("middlefill", &st.middle_fill, kFills, IM_ARRAYSIZE(kFills));
  if (std::string(kFills[st.middle_fill]) == "value") {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(70);
    ImGui::InputDouble("##middle_value", &st.middle_value);
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(90);
  ImGui::Combo("backfill", &st.back_fill, kFills, IM_ARRAYSIZE(kFills));
  if (std::string(kFills[st.back_fill]) == "value") {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(70);
    ImGui::InputDouble("##back_value", &st.back_value);
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(80);
  ImGui::Combo("end-of-life items", &st.eol, kEol, IM_ARRAYSIZE(kEol));
  ImGui::SameLine();
  HelpMarker("Amazon Forecast's featurization: middlefill between an item's first and last value, backfill from "
             "its last value to the end, no frontfill (a new item starts when it starts). median/mean/min/max use "
             "the last 64 values before a gap. End-of-life items (only blanks/zeros until the end) can be dropped "
             "(their forecast is zero) or null-filled.");
  if (st.related) {
    for (int i = 0; i < 3; i++) {
      if (i) ImGui::SameLine();
      ImGui::SetNextItemWidth(80);
      ImGui::Combo(kRelatedFillNames[i], &st.related_fill[i], kRelatedFills, IM_ARRAYSIZE(kRelatedFills));
      RecordItem(app, kRelatedFillIds[i]);
      if (std::string(kRelatedFills[st.related_fill[i]]) == "value") {
        ImGui::SameLine();
        ImGui::SetNextItemWidth(60);
        ImGui::InputDouble((std::string("##related_value") + char('0' + i)).c_str(), &st.related_value[i]);
      }
    }
    ImGui::SameLine();
    HelpMarker("Filling the related series (price, promo): middlefill between an item's first and last related "
               "value, backfill from its last value to the end of the target data, futurefill over the forecast "
               "horizon. No nan: the models need a value at every step, so the service allows zero, value, "
               "median, mean, min and max only.");
  }
  if (ImGui::Button("Prepare")) Prepare(app);
  RecordItem(app, "forecast.prepare");
  if (!st.prepared) return;
  ImGui::SameLine();
  ImGui::Text("%zu series x %zu buckets of %s", st.panel.series.size(), st.panel.length, st.panel.freq.Name().c_str());
  for (auto& m : st.prepare_messages) ImGui::TextColored(ImVec4(0.9f, 0.6f, 0.3f, 1), "%s", m.c_str());

  if (ImGui::TreeNode("Preview and data quality")) {
    const int cols = int(std::min<size_t>(st.panel.series.size(), 8)) + 1;
    if (ImGui::BeginTable("forecast.preview", cols, ImGuiTableFlags_Borders | ImGuiTableFlags_ScrollY,
                          ImVec2(0, 180))) {
      ImGui::TableSetupScrollFreeze(0, 1);
      ImGui::TableSetupColumn("timestamp");
      for (int c = 1; c < cols; c++) ImGui::TableSetupColumn(st.panel.series[size_t(c - 1)].item_id.c_str());
      ImGui::TableHeadersRow();
      ImGuiListClipper clip;
      clip.Begin(int(st.panel.length));
      while (clip.Step())
        for (int t = clip.DisplayStart; t < clip.DisplayEnd; t++) {
          ImGui::TableNextRow();
          ImGui::TableNextColumn();
          ImGui::TextUnformatted(forecast::FormatDate(st.panel.TimeAt(size_t(t)), st.panel.format).c_str());
          for (int c = 1; c < cols; c++) {
            ImGui::TableNextColumn();
            const double v = st.panel.series[size_t(c - 1)].values[size_t(t)];
            if (std::isnan(v)) ImGui::TextDisabled("-");
            else ImGui::Text("%.6g", v);
          }
        }
      ImGui::EndTable();
    }
    if (ImGui::BeginTable("forecast.quality", 8, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg)) {
      for (const char* h : {"item", "observed", "density", "gaps", "longest gap", "zero runs", "end of life", "new"})
        ImGui::TableSetupColumn(h);
      ImGui::TableHeadersRow();
      for (auto& q : st.quality) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(q.item_id.c_str());
        ImGui::TableNextColumn();
        ImGui::Text("%zu", q.observed);
        ImGui::TableNextColumn();
        ImGui::Text("%.3f", q.density);
        ImGui::TableNextColumn();
        ImGui::Text("%zu", q.gaps);
        ImGui::TableNextColumn();
        ImGui::Text("%zu", q.longest_gap);
        ImGui::TableNextColumn();
        ImGui::Text("%zu (longest %zu)", q.zero_runs, q.longest_zero_run);
        ImGui::TableNextColumn();
        if (q.end_of_life) ImGui::TextColored(ImVec4(0.9f, 0.4f, 0.4f, 1), "yes (%zu)", q.trailing);
        ImGui::TableNextColumn();
        if (q.is_new) ImGui::TextUnformatted("yes");
      }
      ImGui::EndTable();
    }
    ImGui::TreePop();
  }
}

void DrawSeriesPicker(AppState& app) {
  ForecastPanelState& st = app.forecast;
  if (st.selected >= int(st.panel.series.size())) st.selected = 0;
  ImGui::SetNextItemWidth(200);
  if (ImGui::BeginCombo("series", st.panel.series[size_t(st.selected)].item_id.c_str())) {
    for (size_t i = 0; i < st.panel.series.size(); i++)
      if (ImGui::Selectable(st.panel.series[i].item_id.c_str(), int(i) == st.selected)) st.selected = int(i);
    ImGui::EndCombo();
  }
  RecordItem(app, "forecast.series");
  ImGui::SameLine();
  HelpMarker("The same series at several aggregation levels with a least-squares trend line, and its seasonal "
             "profile: pick the level where the pattern repeats (a yearly view with one bump does not).");
}

void DrawChartsSection(AppState& app) {
  ForecastPanelState& st = app.forecast;
  if (!st.prepared) return;
  if (!ImGui::CollapsingHeader("Aggregation levels and seasonal profile", ImGuiTreeNodeFlags_DefaultOpen)) return;
  if (!st.backtest_done) DrawSeriesPicker(app);
  const float w = (ImGui::GetContentRegionAvail().x - 2 * ImGui::GetStyle().ItemSpacing.x) / 3;
  const std::string& item = st.panel.series[size_t(st.selected)].item_id;
  LevelChart(st.panel, item, "forecast.level0", w);
  for (size_t l = 0; l < st.levels.size() && l < 2; l++) {
    ImGui::SameLine();
    LevelChart(st.levels[l], item, l == 0 ? "forecast.level1" : "forecast.level2", w);
  }
  SeasonalProfile(st.panel, size_t(st.selected), w);
}

void DrawModelsSection(AppState& app) {
  ForecastPanelState& st = app.forecast;
  if (!st.prepared) {
    ImGui::TextDisabled("Load and prepare the data first (first tab).");
    return;
  }
  SectionHeader("Models and backtest");
  static const char* const kNames[] = {"seasonal naive", "ETS (AICc)", "Theta", "Comb", "ETS + related"};
  for (int i = 0; i < 5; i++) {
    if (i) ImGui::SameLine();
    if (i == 4 && st.related_x.empty()) ImGui::BeginDisabled();
    ImGui::Checkbox(kNames[i], &st.use_model[i]);
    if (i == 4 && st.related_x.empty()) ImGui::EndDisabled();
  }
  ImGui::SetNextItemWidth(100);
  ImGui::InputInt("horizon", &st.horizon);
  st.horizon = std::max(1, std::min(st.horizon, 400));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(100);
  ImGui::SliderInt("backtest windows", &st.windows, 1, 5);
  ImGui::SameLine();
  const bool busy = app.jobs.Has(kJobLabel);
  if (busy) ImGui::BeginDisabled();
  if (ImGui::Button("Run backtest")) {
    Prepare(app);  // the horizon sizes the related features too
    StartForecastJob(app, true);
  }
  RecordItem(app, "forecast.run");
  if (busy) ImGui::EndDisabled();
  ImGui::SameLine();
  HelpMarker("Each window cuts the last offset (= horizon) steps off, fits on the rest and scores the next horizon "
             "steps: wQL at each quantile (P10/P50/P90) and their mean, WAPE, RMSE, MAPE and MASE. Missing actuals "
             "(nan fill) are not scored; zero-filled ones count as real zeros. ETS + related is a regression on "
             "price/promo with ETS errors; it is reported helpful when it beats plain ETS.");
}

void DrawResults(AppState& app) {
  ForecastPanelState& st = app.forecast;
  if (!st.backtest_done || !st.backtest) return;
  const auto& res = st.backtest->results();
  const auto& opt = st.backtest->options();
  SectionHeader("Accuracy (all series, all windows)");
  DrawSeriesPicker(app);
  const int cols = 7 + int(opt.levels.size());
  if (ImGui::BeginTable("forecast.accuracy", cols, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg)) {
    ImGui::TableSetupColumn("model");
    std::vector<std::string> heads;
    for (double q : opt.levels) heads.push_back("wQL[" + std::to_string(int(std::lround(q * 100))) + "]");
    for (auto& h : heads) ImGui::TableSetupColumn(h.c_str());
    for (const char* h : {"avg wQL", "WAPE", "RMSE", "MAPE", "MASE", "fit s"}) ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (size_t i = 0; i < res.size(); i++) {
      const auto& m = res[i].overall;
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      const bool best = st.best_model == forecast::ModelName(res[i].model);
      if (ImGui::Selectable((std::string(forecast::ModelName(res[i].model)) + (best ? " (best)" : "")).c_str(),
                            st.chart_model == int(i), ImGuiSelectableFlags_SpanAllColumns))
        st.chart_model = int(i);
      for (double w : m.wql) {
        ImGui::TableNextColumn();
        ImGui::Text("%.4f", w);
      }
      for (double v : {m.avg_wql, m.wape, m.rmse, m.mape, m.mase, res[i].seconds}) {
        ImGui::TableNextColumn();
        ImGui::Text("%.4g", v);
      }
    }
    ImGui::EndTable();
  }
  if (!st.related_verdict.empty()) ImGui::TextUnformatted(st.related_verdict.c_str());
  if (!st.cold_start.empty()) ImGui::TextUnformatted(("cold start " + st.cold_start).c_str());
  // History + backtest windows (P10-P90 band, P50 line) + the future fan of the best model.
  const size_t si = size_t(st.selected);
  size_t bi = SIZE_MAX;
  for (size_t k = 0; k < st.backtest_series.size(); k++)
    if (st.backtest_series[k] == si) bi = k;
  const auto& series = st.panel.series[si];
  std::vector<double> hx, hy;
  const size_t show = std::min(st.panel.length, size_t(opt.offset * opt.windows + 4 * opt.horizon));
  for (size_t t = st.panel.length - show; t < st.panel.length; t++) {
    hx.push_back(double(st.panel.TimeAt(t)));
    hy.push_back(series.values[t]);
  }
  const std::string title = series.item_id + ": history, backtest windows and forecast (" +
                            forecast::ModelName(res[size_t(st.chart_model)].model) + ", P" +
                            std::to_string(int(std::lround(opt.levels.front() * 100))) + "-P" +
                            std::to_string(int(std::lround(opt.levels.back() * 100))) + ")";
  PlotSpec spec;
  spec.title = title.c_str();
  spec.time_x = true;
  Plot plot("forecast.fan", ImVec2(-1, 260), spec);
  std::vector<std::vector<double>> keep;  // the plot borrows these until Draw()
  keep.reserve(64);
  const size_t offset = st.panel.length - (bi == SIZE_MAX ? 0 : st.backtest->series()[bi].values.size());
  if (bi != SIZE_MAX)
    for (auto& wf : res[size_t(st.chart_model)].forecasts) {
      if (wf.series != bi) continue;
      keep.emplace_back();
      auto& x = keep.back();
      for (size_t j = 0; j < wf.forecast.mean.size(); j++) x.push_back(double(st.panel.TimeAt(offset + wf.start + j)));
      const size_t mid = opt.levels.size() / 2;
      plot.Band(wf.window == 0 ? "backtest P10-P90" : "", x.data(), wf.forecast.quantiles.front().data(),
                wf.forecast.quantiles.back().data(), x.size(), IM_COL32(230, 145, 56, 70));
      plot.Line(wf.window == 0 ? "backtest P50" : "", x.data(), wf.forecast.quantiles[mid].data(), x.size(),
                colors::kAccent2, false);
    }
  if (si < st.future.size() && !st.future[si].mean.empty()) {
    keep.emplace_back();
    auto& x = keep.back();
    for (size_t j = 0; j < st.future[si].mean.size(); j++) x.push_back(double(st.panel.TimeAt(st.panel.length + j)));
    plot.Band("forecast P10-P90", x.data(), st.future[si].quantiles.front().data(),
              st.future[si].quantiles.back().data(), x.size(), IM_COL32(106, 190, 115, 70));
    plot.Line("forecast mean", x.data(), st.future[si].mean.data(), x.size(), colors::kGood, false);
  }
  plot.Line("actual", hx.data(), hy.data(), hx.size(), colors::kAccent, false);
  plot.Draw();
  if (ImGui::Button("Export forecasts CSV")) ExportCsv(app);
  RecordItem(app, "forecast.export");
  ImGui::SameLine();
  ImGui::TextDisabled("%s", st.message.empty() ? "future forecasts of the best model, all series" : st.message.c_str());
}

}  // namespace

void DrawForecastPanel(AppState& app) {
  ForecastPanelState& st = app.forecast;
  DefaultPaths(app);
  ImGui::TextDisabled("fieldkit-cli forecast prepare|fit|backtest|eval runs the same headless");
  if (!ImGui::BeginTabBar("forecast.tabs")) return;
  if (ImGui::BeginTabItem("Data and preparation")) {
    DrawDataSection(app);
    DrawPrepareSection(app);
    DrawChartsSection(app);
    ImGui::EndTabItem();
  }
  // A finished backtest brings its tab to the front once.
  const bool show = st.show_results;
  st.show_results = false;
  if (ImGui::BeginTabItem("Models, backtest and forecast", nullptr, show ? ImGuiTabItemFlags_SetSelected : 0)) {
    DrawModelsSection(app);
    DrawResults(app);
    ImGui::EndTabItem();
  }
  ImGui::EndTabBar();
}

}  // namespace fk::ui
