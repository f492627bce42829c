// The Forecasts panel: load the target / related / metadata CSVs, shape them
// to the question (dimensions, frequency, aggregation, fills, end-of-life),
// look at the series at several aggregation levels with a trend line and a
// seasonal profile, then backtest the models (a sliced job with progress and
// Cancel) and read the accuracy table, the P10-P90 fans and the windows.
// The work is forecast::Pipeline (shared/forecast/pipeline.h), the same object
// `fieldkit-cli forecast` runs; this file maps the panel's choices to its
// options, starts it as a job and draws its data.
//
// Index
// [SECTION] choices -> pipeline options, the job
// [SECTION] ?run=forecast-demo and status().forecast
// [SECTION] drawing
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/job.h"
#include "forecast/export.h"
#include "forecast/models.h"
#include "forecast/pipeline.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/panels.h"
#include "ui/plot.h"
#include "ui/widgets.h"
#include "core/strings.h"

namespace fk::ui {

namespace {

const char* const kJobLabel = "Forecast backtest";
const char* const kFreqs[] = {"H", "6H", "D", "W", "M", "Q", "Y"};
const char* const kAggs[] = {"sum", "avg", "first", "min", "max"};
const char* const kRelatedFillNames[] = {"related middlefill", "related backfill", "related futurefill"};
const char* const kRelatedFillIds[] = {"forecast.related_middlefill", "forecast.related_backfill",
                                       "forecast.related_futurefill"};
const char* const kEol[] = {"keep", "drop", "null"};

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
  st.demo_related = st.related_path;
  st.demo_metadata = st.metadata_path;
}

// The demo's related and item files describe the demo's products: joined to
// another target they would be silently wrong, so a user's target never gets
// them (the fields are cleared and the panel says so).
void KeepDemoFilesToDemo(AppState& app) {
  ForecastPanelState& st = app.forecast;
  const std::string demo_target = DataDir(app) + "/sales.csv";
  if (demo_target == st.target_path) return;
  std::string dropped;
  if (!st.demo_related.empty() && st.demo_related == st.related_path) {
    st.related_path[0] = 0;
    dropped = "related";
  }
  if (!st.demo_metadata.empty() && st.demo_metadata == st.metadata_path) {
    st.metadata_path[0] = 0;
    dropped += dropped.empty() ? "item metadata" : " and item metadata";
  }
  if (!dropped.empty())
    st.message = "the demo's " + dropped + " file is not joined to your target; give your own if you have one";
}

// [SECTION] choices -> pipeline options, the job

// The pipeline's data, or null before anything was loaded.
const forecast::PipelineData* Data(const ForecastPanelState& st) { return st.pipe ? &st.pipe->data() : nullptr; }
const forecast::TargetDataset* Target(const ForecastPanelState& st) {
  const auto* d = Data(st);
  return d && d->in.target ? &*d->in.target : nullptr;
}
bool Prepared(const ForecastPanelState& st) {
  const auto* d = Data(st);
  return d && d->prepared;
}

// The panel's one-line summary of the first cold-start item.
std::string ColdStartLine(const ForecastPanelState& st) {
  const auto* d = Data(st);
  if (!d || d->cold_start.empty()) return "";
  const auto& c = d->cold_start.front();
  std::string from;
  for (auto& s : c.similar) from += (from.empty() ? "" : ", ") + s;
  return c.item + ": no history; mean forecast of the similar items " + from;
}

void ClearData(ForecastPanelState& st) {
  st.pipe.reset();
  st.backtest_done = false;
  st.error.clear();
}

// A pipeline error as the panel says it: the core's message names the file
// and the reason; the fix is the panel's (its fields), never a CLI flag.
std::string PanelError(const std::string& e) {
  if (e.find(": no timestamp column") != std::string::npos)
    return e + ". The target needs a column of dates; rename it to timestamp or date and load again.";
  if (e.find(": no numeric target column") != std::string::npos)
    return e + ". The target needs a column of numbers (sales, demand, target_value...).";
  return e;
}

forecast::RelatedFill RelatedFills(const ForecastPanelState& st) {
  return forecast::RelatedFill{st.related_fill[0], st.related_fill[1], st.related_fill[2]};
}

// A combo over the fill methods the core's table allows for `use`, with a
// number field for value:X.
void FillCombo(const char* label, forecast::FillUse use, forecast::Fill* fill, float width) {
  ImGui::PushID(label);
  ImGui::SetNextItemWidth(width);
  const std::string shown = fill->kind == forecast::FillKind::Value ? "value" : forecast::FillName(*fill);
  if (ImGui::BeginCombo(label, shown.c_str())) {
    for (auto& m : forecast::FillMethods()) {
      if (!(m.uses & use)) continue;
      if (ImGui::Selectable(m.name, m.kind == fill->kind)) fill->kind = m.kind;
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", m.help);
    }
    ImGui::EndCombo();
  }
  if (fill->kind == forecast::FillKind::Value) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(width * 0.75f);
    ImGui::InputDouble("##value", &fill->value);
  }
  ImGui::PopID();
}

// The panel's choices as pipeline options: load only, prepare, or the whole
// run (backtest, future forecasts of the best model, cold start).
forecast::PipelineOptions Options(const ForecastPanelState& st, forecast::PipelineStage last) {
  forecast::PipelineOptions o;
  o.target_path = st.target_path;
  o.related_path = st.related_path;
  o.metadata_path = st.metadata_path;
  o.last = last;
  o.aggregate.keep_all_dims = false;
  if (const auto* t = Target(st))
    for (size_t i = 0; i < st.keep_dim.size() && i < t->dim_cols.size(); i++)
      if (st.keep_dim[i]) o.aggregate.dims.push_back(t->dim_cols[i]);
  std::string err;
  forecast::ParseFrequency(kFreqs[st.freq], &o.aggregate.freq, &err);
  o.aggregate.agg = forecast::AggMethod(st.agg);
  o.level_freqs = {"M", "Y"};
  o.fills.zero_to_null = st.zero_to_null;
  o.fills.middle = st.middle_fill;
  o.fills.back = st.back_fill;
  o.fills.eol = forecast::EolAction(st.eol);
  o.related_fills = RelatedFills(st);
  o.horizon = st.horizon;
  std::vector<double> levels;
  bool mean = true;
  std::string err2;
  if (forecast::ParseForecastTypes(st.types, &levels, &mean, &err2)) o.backtest_options.levels = levels;
  o.backtest_options.windows = st.windows;
  o.backtest_options.models.clear();
  const bool related = Data(st) && Data(st)->in.related;
  for (const forecast::ModelInfo& m : forecast::Models())
    if (!st.models_off.count(m.kind) && (!m.related || related)) o.backtest_options.models.push_back(m.kind);
  if (o.backtest_options.models.empty()) o.backtest_options.models.push_back(forecast::ModelKind::Ets);
  o.future = forecast::FutureModel::BestOfBacktest;
  return o;
}

// Loads when nothing is loaded yet (then picks the default question: per the
// first dimension), prepares with the current choices, and with `forecast`
// backtests, forecasts the future with the best model and cold-starts.
struct ForecastJob {
  AppState* app;
  forecast::PipelineStage goal;
  bool loading = false;
  double t0 = 0;
  bool Step(JobContext& ctx) {
    ForecastPanelState& st = app->forecast;
    const bool done = st.pipe->Step(8.0);
    ctx.SetProgress(loading ? 0.1f * st.pipe->Progress() : 0.1f + 0.9f * st.pipe->Progress());
    ctx.SetDetail(st.pipe->Detail());
    if (!done) return false;
    if (st.pipe->failed()) {
      st.error = PanelError(st.pipe->error());
      ctx.Fail(st.error);
      return true;
    }
    if (loading) {
      loading = false;
      // Default question for the retail demo: per product, across stores.
      st.keep_dim.assign(Target(st)->dim_cols.size(), 0);
      if (!st.keep_dim.empty()) st.keep_dim[0] = 1;
      forecast::PipelineOptions o = Options(st, goal);  // before the data moves: the options read it
      st.pipe = std::make_unique<forecast::Pipeline>(std::move(o), st.pipe->TakeData(false));
      return false;
    }
    if (goal == forecast::PipelineStage::Prepare) return true;
    st.selected = 0;
    st.chart_model = 0;
    const auto& res = st.pipe->data().backtest->results();
    for (size_t i = 0; i < res.size(); i++)
      if (res[i].model == st.pipe->data().future_kind) st.chart_model = int(i);
    st.backtest_done = true;
    st.show_results = true;
    st.backtest_s = ImGui::GetTime() - t0;
    return true;
  }
};

void StartForecastJob(AppState& app, forecast::PipelineStage goal) {
  ForecastPanelState& st = app.forecast;
  if (app.jobs.Has(kJobLabel)) return;
  auto job = std::make_shared<ForecastJob>();
  job->app = &app;
  job->goal = goal;
  job->t0 = ImGui::GetTime();
  job->loading = !Target(st);
  if (job->loading) {
    st.pipe = std::make_unique<forecast::Pipeline>(Options(st, forecast::PipelineStage::Load));
  } else {
    // The choices may have changed: prepare again. The options read the
    // loaded data, so they are made before it moves.
    forecast::PipelineOptions o = Options(st, goal);
    st.pipe = std::make_unique<forecast::Pipeline>(std::move(o), st.pipe->TakeData(false));
  }
  st.backtest_done = false;
  st.error.clear();
  app.jobs.Enqueue(MakeJob(
      kJobLabel, [job](JobContext& ctx) { return job->Step(ctx); },
      [&app](JobState s) {
        const ForecastPanelState& st = app.forecast;
        if (s == JobState::Failed) app.Error("forecasts: " + app.jobs.Error());
        else if (s == JobState::Cancelled) app.Log("forecasts: backtest cancelled");
        else if (st.backtest_done)
          app.Log(std::string("forecasts: backtest done; best model ") +
                  forecast::ModelName(st.pipe->data().future_kind));
      }));
}

void ExportCsv(AppState& app) {
  ForecastPanelState& st = app.forecast;
  const auto* d = Data(st);
  if (!st.backtest_done || !d || d->future.empty()) return;
  const auto& levels = st.pipe->options().backtest_options.levels;
  std::vector<double> chosen;
  bool mean = true;
  std::string err;
  forecast::ParseForecastTypes(st.types, &chosen, &mean, &err);  // the run's levels; mean is the export's choice
  const std::string model = forecast::ModelName(d->future_kind);
  std::string csv = std::string("item_id,timestamp,model") + (mean ? ",mean" : "");
  char b[64];
  for (double q : levels) {
    std::snprintf(b, sizeof b, ",p%g", q * 100);
    csv += b;
  }
  csv += "\n";
  for (size_t i = 0; i < d->future.size(); i++) {
    const auto& f = d->future[i];
    for (size_t j = 0; j < f.mean.size(); j++) {
      csv += d->panel.series[i].item_id + "," +
             forecast::FormatDate(d->panel.TimeAt(d->panel.length + j), d->panel.format) + "," + model;
      if (mean) {
        std::snprintf(b, sizeof b, ",%.6g", f.mean[j]);
        csv += b;
      }
      for (size_t q = 0; q < levels.size(); q++) {
        std::snprintf(b, sizeof b, ",%.6g", f.quantiles[q][j]);
        csv += b;
      }
      csv += "\n";
    }
  }
  std::string path;
  if (!SaveUserFile(app, "forecasts.csv", csv, &path)) return;
  st.message = "exported " + std::to_string(d->future.size()) + " series x " + std::to_string(st.horizon) +
               " steps to " + path;
  app.Log(st.message);
}

// The same rows under Hive-style folders, Parquet or JSON Lines: what `forecast fit
// --partitions DIR --partition-format F --partition-by time|item` writes (one core
// function, forecast::WriteForecastPartitions, over forecast::FutureRows). Each export
// replaces the previous one in <user dir>/forecast_partitions.
std::string ForecastPartitionsDir(const AppState& app) { return app.platform.user_dir + "/forecast_partitions"; }

void ExportPartitions(AppState& app) {
  ForecastPanelState& st = app.forecast;
  const auto* d = Data(st);
  if (!st.backtest_done || !d || d->future.empty()) return;
  forecast::PartitionOptions popt;
  popt.format = st.export_format == 2 ? forecast::PartitionFormat::Jsonl : forecast::PartitionFormat::Parquet;
  popt.by_item = st.export_by_item;
  const forecast::ForecastRows rows = forecast::FutureRows(*d, st.pipe->options().backtest_options.levels);
  const std::string dir = ForecastPartitionsDir(app);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);  // files of an earlier export with other items or times
  Result<size_t> n = forecast::WriteForecastPartitions(dir, rows, popt);
  if (!n) {
    st.message = n.status().message();
    app.Error("forecasts: " + st.message);
    return;
  }
  app.Persist();  // in the user dir: IndexedDB in the page
  st.message = "exported " + std::to_string(rows.Size()) + " rows in " + std::to_string(*n) + " " +
               (popt.format == forecast::PartitionFormat::Jsonl ? "JSON Lines" : "Parquet") + " files under " + dir +
               (popt.by_item ? "/item_id=.../year=.../month=.../day=.../hour=..." : "/year=.../month=.../day=.../hour=...");
  app.Log("forecasts: " + st.message);
}

// The prepared data in Forecast's import format, the files `forecast prepare
// --out --related-out` writes (the same core functions): the target time
// series as aggregated to the question, and the related series aligned to it
// over the history and the horizon.
void ExportPrepared(AppState& app) {
  ForecastPanelState& st = app.forecast;
  const auto* d = Data(st);
  if (!d || !d->prepared) return;
  std::string path;
  if (!SaveUserFile(app, "prepared_target.csv", forecast::PanelToCsv(d->panel), &path)) return;
  st.message = "exported the target time series (" + std::to_string(d->panel.series.size()) + " series) to " + path;
  if (d->in.related && !d->related_x.empty()) {
    std::string rpath;
    if (!SaveUserFile(app, "prepared_related.csv", forecast::RelatedToCsv(d->panel, *d->in.related, d->related_x),
                      &rpath))
      return;
    st.message += " and the related time series to " + rpath;
  }
  app.Log("forecasts: " + st.message);
}

}  // namespace

void ExportForecasts(AppState& app) {
  if (app.forecast.export_format == 0) ExportCsv(app);
  else ExportPartitions(app);
}

// [SECTION] ?run=forecast-demo and status().forecast

// ?run=forecast-demo[&data=DIR][&freq=D][&horizon=14][&windows=2][&models=snaive,ets,...]
bool RunForecastDemoFromParams(AppState& app, const std::map<std::string, std::string>& params) {
  ForecastPanelState& st = app.forecast;
  // Other data clears the data set the running job's pipeline works on.
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
    } else if (k == "types") {  // forecast types: up to 5 quantiles + mean
      std::vector<double> levels;
      bool mean = false;
      std::string err;
      if (!forecast::ParseForecastTypes(v, &levels, &mean, &err)) {
        app.Error("?run=forecast-demo: types: " + err);
        return false;
      }
      std::snprintf(st.types, sizeof st.types, "%s", forecast::ForecastTypesName(levels, mean).c_str());
    } else if (k == "models") {
      st.models_off.clear();
      for (const forecast::ModelInfo& m : forecast::Models()) st.models_off.insert(m.kind);
      for (const std::string& name : SplitList(v)) {
        forecast::ModelKind m;
        if (!forecast::ParseModelKind(name, &m)) {
          app.Error("?run=forecast-demo: unknown model '" + name + "'");
          return false;
        }
        st.models_off.erase(m);
      }
    } else if (k == "middlefill" || k == "backfill" || k == "related_middlefill" || k == "related_backfill" ||
               k == "related_futurefill") {
      const bool related = k.rfind("related_", 0) == 0;
      forecast::Fill* fill = k == "middlefill"           ? &st.middle_fill
                             : k == "backfill"           ? &st.back_fill
                             : k == "related_middlefill" ? &st.related_fill[0]
                             : k == "related_backfill"   ? &st.related_fill[1]
                                                         : &st.related_fill[2];
      const forecast::FillUse use = related ? forecast::kFillRelated
                                    : k == "middlefill" ? forecast::kFillMiddle
                                                        : forecast::kFillBack;
      std::string err;
      if (!forecast::ParseFillFor(v, use, fill, &err)) {
        app.Error("?run=forecast-demo: " + k + ": " + err);
        return false;
      }
    } else {
      app.Error("?run=forecast-demo: unknown parameter '" + k +
                "' (known: data, freq, horizon, windows, types, models, middlefill, backfill, related_middlefill, "
                "related_backfill, related_futurefill)");
      return false;
    }
  }
  DefaultPaths(app);
  StartForecastJob(app, forecast::PipelineStage::ColdStart);
  return true;
}

// A target CSV imported by the user (dropped, picked or ?run=import): loaded
// and prepared as a job with the current choices; the backtest stays the
// user's click. The demo's related and metadata files do not belong to it.
void ImportForecastTarget(AppState& app, const std::string& path, const std::string& why) {
  ForecastPanelState& st = app.forecast;
  app.current_panel = PanelIndex("forecast");
  if (app.jobs.Has(kJobLabel)) {
    app.Error("forecasts: " + path + " not loaded: a forecast job is running; import it again when it is done");
    return;
  }
  ClearData(st);
  DefaultPaths(app);  // records the demo's paths, so they are known as the demo's
  std::snprintf(st.target_path, sizeof st.target_path, "%s", path.c_str());
  st.related_path[0] = st.metadata_path[0] = 0;
  st.message = "imported " + path + " as the target series (" + why + ")";
  app.Log("forecasts: " + st.message);
  StartForecastJob(app, forecast::PipelineStage::Prepare);
}

nlohmann::json ForecastStatusJson(AppState& app) {
  ForecastPanelState& st = app.forecast;
  if (!st.error.empty() && !app.jobs.Has(kJobLabel)) {
    nlohmann::json f = {{"state", "failed"}, {"error", st.error}, {"target_path", st.target_path}};
    if (!Target(st)) return f;
  }
  if (!Target(st) && !app.jobs.Has(kJobLabel)) return nullptr;
  const bool prepared = Prepared(st);
  // The pipeline's own status, with the panel's choices and its summary of
  // the cold start (one line, as the panel shows it).
  nlohmann::json j = st.pipe ? st.pipe->StatusJson() : nlohmann::json::object();
  j.erase("stage");
  j.erase("error");
  j.erase("cold_start");
  if (!st.backtest_done) {
    for (const char* k : {"accuracy", "best", "related", "horizon", "windows"}) j.erase(k);
  }
  j["state"] = st.backtest_done ? "done" : app.jobs.Has(kJobLabel) ? "running" : !st.error.empty() ? "failed"
              : prepared ? "prepared" : "loaded";
  if (!st.error.empty()) j["error"] = st.error;
  {
    std::vector<double> levels;
    bool mean = true;
    std::string err;
    if (forecast::ParseForecastTypes(st.types, &levels, &mean, &err))
      j["forecast_types"] = forecast::ForecastTypesName(levels, mean);
  }
  if (!st.message.empty()) j["message"] = st.message;
  if (prepared) {
    const forecast::RelatedFill rf = RelatedFills(st);
    j["fills"] = {{"middlefill", forecast::FillName(st.middle_fill)},
                  {"backfill", forecast::FillName(st.back_fill)},
                  {"related_middlefill", forecast::FillName(rf.middle)},
                  {"related_backfill", forecast::FillName(rf.back)},
                  {"related_futurefill", forecast::FillName(rf.future)}};
    j["target_path"] = st.target_path;
  }
  if (st.backtest_done) {
    j["seconds"] = st.backtest_s;
    j["cold_start"] = ColdStartLine(st);
  }
  return j;
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
    st.message.clear();
    KeepDemoFilesToDemo(app);
    StartForecastJob(app, forecast::PipelineStage::Prepare);
  }
  RecordItem(app, "forecast.load");
  if (busy) ImGui::EndDisabled();
  ImGui::SameLine();
  HelpMarker("CSV files. Target: a timestamp column (01-Jan, 1991-01, 1991-01-31 or ISO date-times), a numeric "
             "target column, the rest are dimensions (product, store, country...). Related: the same keys plus up "
             "to 13 numeric features (price, promo) covering the forecast horizon too. Metadata: item id + up to 9 "
             "fields (category, colour...). In the page, dropped files are under /imports/.");
  const forecast::PipelineData* d = Data(st);
  if (const forecast::TargetDataset* t = Target(st)) {
    std::string dims;
    for (auto& dim : t->dim_cols) dims += (dims.empty() ? "" : ", ") + dim;
    ImGui::Text("target: %zu rows, dimensions %s, value column '%s'%s%s", t->time.size(), dims.c_str(),
                t->value_col.c_str(), d->in.related ? "; related loaded" : "",
                d->in.metadata ? "; metadata loaded" : "");
  }
  if (d)
    for (auto& m : d->in.messages) ImGui::TextColored(ImVec4(0.9f, 0.6f, 0.3f, 1), "%s", m.c_str());
  if (!st.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, colors::kBad);
    ImGui::TextWrapped("Not loaded: %s", st.error.c_str());
    ImGui::PopStyleColor();
    RecordItem(app, "forecast.error");
  } else if (!st.message.empty() && !st.backtest_done) {
    ImGui::TextDisabled("%s", st.message.c_str());
  }
}

void DrawPrepareSection(AppState& app) {
  ForecastPanelState& st = app.forecast;
  const forecast::TargetDataset* t = Target(st);
  if (!t) return;
  const forecast::PipelineData& d = *Data(st);
  SectionHeader("Shape to the question");
  ImGui::TextUnformatted("keep dimensions:");
  for (size_t i = 0; i < st.keep_dim.size(); i++) {
    ImGui::SameLine();
    bool v = st.keep_dim[i] != 0;
    if (ImGui::Checkbox(t->dim_cols[i].c_str(), &v)) st.keep_dim[i] = v;
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
  FillCombo("middlefill", forecast::kFillMiddle, &st.middle_fill, 90);
  ImGui::SameLine();
  FillCombo("backfill", forecast::kFillBack, &st.back_fill, 90);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(80);
  ImGui::Combo("end-of-life items", &st.eol, kEol, IM_ARRAYSIZE(kEol));
  ImGui::SameLine();
  HelpMarker("Amazon Forecast's featurization: middlefill between an item's first and last value, backfill from "
             "its last value to the end, no frontfill (a new item starts when it starts). Hover a method for what "
             "it does. End-of-life items (only blanks/zeros until the end) can be dropped "
             "(their forecast is zero) or null-filled.");
  if (d.in.related) {
    for (int i = 0; i < 3; i++) {
      if (i) ImGui::SameLine();
      FillCombo(kRelatedFillNames[i], forecast::kFillRelated, &st.related_fill[i], 80);
      RecordItem(app, kRelatedFillIds[i]);
    }
    ImGui::SameLine();
    HelpMarker("Filling the related series (price, promo): middlefill between an item's first and last related "
               "value, backfill from its last value to the end of the target data, futurefill over the forecast "
               "horizon. No nan: the models need a value at every step, so the service allows zero, value, "
               "median, mean, min and max only.");
  }
  const bool busy = app.jobs.Has(kJobLabel);
  if (busy) ImGui::BeginDisabled();
  if (ImGui::Button("Prepare")) StartForecastJob(app, forecast::PipelineStage::Prepare);
  RecordItem(app, "forecast.prepare");
  if (busy) ImGui::EndDisabled();
  if (!d.prepared) return;
  ImGui::SameLine();
  ImGui::Text("%zu series x %zu buckets of %s", d.panel.series.size(), d.panel.length, d.panel.freq.Name().c_str());
  ImGui::SameLine();
  if (ImGui::Button("Export prepared CSV")) ExportPrepared(app);
  RecordItem(app, "forecast.export_prepared");
  ImGui::SameLine();
  HelpMarker("Downloads the data as prepared, in Amazon Forecast's import format: prepared_target.csv "
             "(timestamp, item_id, target: the buckets that had records, aggregated to the question) and, with a "
             "related file, prepared_related.csv (every bucket of the history and the horizon, filled). "
             "fieldkit-cli forecast prepare --out --related-out writes the same files.");
  for (auto& m : d.prepare_messages) ImGui::TextColored(ImVec4(0.9f, 0.6f, 0.3f, 1), "%s", m.c_str());

  if (ImGui::TreeNode("Preview and data quality")) {
    const int cols = int(std::min<size_t>(d.panel.series.size(), 8)) + 1;
    if (ImGui::BeginTable("forecast.preview", cols, ImGuiTableFlags_Borders | ImGuiTableFlags_ScrollY,
                          ImVec2(0, 180))) {
      ImGui::TableSetupScrollFreeze(0, 1);
      ImGui::TableSetupColumn("timestamp");
      for (int c = 1; c < cols; c++) ImGui::TableSetupColumn(d.panel.series[size_t(c - 1)].item_id.c_str());
      ImGui::TableHeadersRow();
      ImGuiListClipper clip;
      clip.Begin(int(d.panel.length));
      while (clip.Step())
        for (int t = clip.DisplayStart; t < clip.DisplayEnd; t++) {
          ImGui::TableNextRow();
          ImGui::TableNextColumn();
          ImGui::TextUnformatted(forecast::FormatDate(d.panel.TimeAt(size_t(t)), d.panel.format).c_str());
          for (int c = 1; c < cols; c++) {
            ImGui::TableNextColumn();
            const double v = d.panel.series[size_t(c - 1)].values[size_t(t)];
            if (std::isnan(v)) ImGui::TextDisabled("-");
            else ImGui::Text("%.6g", v);
          }
        }
      ImGui::EndTable();
    }
    if (ImGui::BeginTable("forecad.quality", 8, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg)) {
      for (const char* h : {"item", "observed", "density", "gaps", "longest gap", "zero runs", "end of life", "new"})
        ImGui::TableSetupColumn(h);
      ImGui::TableHeadersRow();
      for (auto& q : d.quality) {
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
  const forecast::Panel& panel = Data(st)->panel;
  if (st.selected >= int(panel.series.size())) st.selected = 0;
  ImGui::SetNextItemWidth(200);
  if (ImGui::BeginCombo("series", panel.series[size_t(st.selected)].item_id.c_str())) {
    for (size_t i = 0; i < panel.series.size(); i++)
      if (ImGui::Selectable(panel.series[i].item_id.c_str(), int(i) == st.selected)) st.selected = int(i);
    ImGui::EndCombo();
  }
  RecordItem(app, "forecast.series");
  ImGui::SameLine();
  HelpMarker("The same series at several aggregation levels with a least-squares trend line, and its seasonal "
             "profile: pick the level where the pattern repeats (a yearly view with one bump does not).");
}

void DrawChartsSection(AppState& app) {
  ForecastPanelState& st = app.forecast;
  if (!Prepared(st)) return;
  const forecast::PipelineData& d = *Data(st);
  if (!ImGui::CollapsingHeader("Aggregation levels and seasonal profile", ImGuiTreeNodeFlags_DefaultOpen)) return;
  if (!st.backtest_done) DrawSeriesPicker(app);
  const float w = (ImGui::GetContentRegionAvail().x - 2 * ImGui::GetStyle().ItemSpacing.x) / 3;
  const std::string& item = d.panel.series[size_t(st.selected)].item_id;
  LevelChart(d.panel, item, "forecast.level0", w);
  for (size_t l = 0; l < d.levels.size() && l < 2; l++) {
    ImGui::SameLine();
    LevelChart(d.levels[l], item, l == 0 ? "forecast.level1" : "forecast.level2", w);
  }
  SeasonalProfile(d.panel, size_t(st.selected), w);
}

void DrawModelsSection(AppState& app) {
  ForecastPanelState& st = app.forecast;
  if (!Prepared(st)) {
    ImGui::TextDisabled("Load and prepare the data first (first tab).");
    return;
  }
  SectionHeader("Models and backtest");
  bool first = true;
  for (const forecast::ModelInfo& m : forecast::Models()) {
    if (!first) ImGui::SameLine();
    first = false;
    const bool disabled = m.related && Data(st)->related_x.empty();
    if (disabled) ImGui::BeginDisabled();
    bool on = !st.models_off.count(m.kind);
    if (ImGui::Checkbox(m.label, &on)) on ? (void)st.models_off.erase(m.kind) : (void)st.models_off.insert(m.kind);
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s: %s", m.name, m.help);
    if (disabled) ImGui::EndDisabled();
  }
  ImGui::SetNextItemWidth(100);
  ImGui::InputInt("horizon", &st.horizon);
  st.horizon = std::max(1, std::min(st.horizon, 400));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(100);
  ImGui::SliderInt("backtest windows", &st.windows, 1, 5);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(170);
  ImGui::InputText("forecast types", st.types, sizeof st.types);
  RecordItem(app, "forecast.types");
  {
    std::vector<double> levels;
    bool mean = true;
    st.types_error.clear();
    forecast::ParseForecastTypes(st.types, &levels, &mean, &st.types_error);
  }
  ImGui::SameLine();
  HelpMarker("As Forecast's forecast types: up to 5 quantiles in 0.01..0.99 (0.1, p10 or 10%) and mean, "
             "comma-separated. The backtest scores wQL at each quantile; the fan spans the lowest to the highest; "
             "the export has a column per type.");
  ImGui::SameLine();
  if (!st.types_error.empty()) ImGui::TextColored(ImColor(colors::kBad), "forecast types: %s", st.types_error.c_str());
  const bool busy = app.jobs.Has(kJobLabel) || !st.types_error.empty();
  if (busy) ImGui::BeginDisabled();
  if (ImGui::Button("Run backtest")) {
    StartForecastJob(app, forecast::PipelineStage::ColdStart);  // prepares again: the horizon sizes the related features too
  }
  RecordItem(app, "forecast.run");
  if (busy) ImGui::EndDisabled();
  ImGui::SameLine();
  HelpMarker("Each window cuts the last offset (= horizon) steps off, fits on the rest and scores the next horizon "
             "steps: wQL at each quantile (P10/P50/P90) and their mean, WAPE, RMSE, MAPE and MASE. Missing actuals "
             "(nan fill) are not scored; zero-filled ones count as real zeros. ETS + related is a regression on "
             "price/promo with ETS errors; it is reported helpful when it beats plain ETS.");
}

void DrawForecastResults(AppState& app) {
  ForecastPanelState& st = app.forecast;
  const forecast::PipelineData* dp = Data(st);
  if (!st.backtest_done || !dp || !dp->backtest) return;
  const auto& res = dp->backtest->results();
  const auto& opt = dp->backtest->options();
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
      const bool best = dp->future_kind == res[i].model;
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
  if (!dp->related_verdict.empty()) ImGui::TextUnformatted(dp->related_verdict.c_str());
  if (const std::string cs = ColdStartLine(st); !cs.empty()) ImGui::TextUnformatted(("cold start " + cs).c_str());
  // History + backtest windows (P10-P90 band, P50 line) + the future fan of the best model.
  const size_t si = size_t(st.selected);
  size_t bi = SIZE_MAX;
  for (size_t k = 0; k < dp->backtest_series.size(); k++)
    if (dp->backtest_series[k] == si) bi = k;
  const auto& series = dp->panel.series[si];
  std::vector<double> hx, hy;
  const size_t show = std::min(dp->panel.length, size_t(opt.offset * opt.windows + 4 * opt.horizon));
  for (size_t t = dp->panel.length - show; t < dp->panel.length; t++) {
    hx.push_back(double(dp->panel.TimeAt(t)));
    hy.push_back(series.values[t]);
  }
  const std::string title = series.item_id + ": history, backtest windows and forecast (" +
                            forecast::ModelName(res[size_t(st.chart_model)].model) + ", P" +
                            std::to_string(int(std::lround(opt.levels.front() * 100))) + "-P" +
                            std::to_string(int(std::lround(opt.levels.back() * 100))) + ")";
  auto pct = [](double q) { return "P" + std::to_string(int(std::lround(q * 100))); };
  const std::string span = pct(opt.levels.front()) + "-" + pct(opt.levels.back());
  const std::string band_label = "backtest " + span, future_label = "forecast " + span,
                    mid_label = "backtest " + pct(opt.levels[opt.levels.size() / 2]);
  PlotSpec spec;
  spec.title = title.c_str();
  spec.time_x = true;
  Plot plot("forecast.fan", ImVec2(-1, 260), spec);
  std::vector<std::vector<double>> keep;  // the plot borrows these until Draw()
  keep.reserve(64);
  const size_t offset = dp->panel.length - (bi == SIZE_MAX ? 0 : dp->backtest->series()[bi].values.size());
  if (bi != SIZE_MAX)
    for (auto& wf : res[size_t(st.chart_model)].forecasts) {
      if (wf.series != bi) continue;
      keep.emplace_back();
      auto& x = keep.back();
      for (size_t j = 0; j < wf.forecast.mean.size(); j++) x.push_back(double(dp->panel.TimeAt(offset + wf.start + j)));
      const size_t mid = opt.levels.size() / 2;
      plot.Band(wf.window == 0 ? band_label.c_str() : "", x.data(), wf.forecast.quantiles.front().data(),
                wf.forecast.quantiles.back().data(), x.size(), IM_COL32(230, 145, 56, 70));
      plot.Line(wf.window == 0 ? mid_label.c_str() : "", x.data(), wf.forecast.quantiles[mid].data(), x.size(),
                colors::kAccent2, false);
    }
  if (si < dp->future.size() && !dp->future[si].mean.empty()) {
    keep.emplace_back();
    auto& x = keep.back();
    for (size_t j = 0; j < dp->future[si].mean.size(); j++) x.push_back(double(dp->panel.TimeAt(dp->panel.length + j)));
    plot.Band(future_label.c_str(), x.data(), dp->future[si].quantiles.front().data(),
              dp->future[si].quantiles.back().data(), x.size(), IM_COL32(106, 190, 115, 70));
    plot.Line("forecast mean", x.data(), dp->future[si].mean.data(), x.size(), colors::kGood, false);
  }
  plot.Line("actual", hx.data(), hy.data(), hx.size(), colors::kAccent, false);
  plot.Draw();
  if (ImGui::Button(st.export_format == 0 ? "Export forecasts CSV" : "Export forecasts")) ExportForecasts(app);
  RecordItem(app, "forecast.export");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(190);
  const char* formats[] = {"CSV", "Parquet, Hive partitions", "JSON Lines, Hive partitions"};
  ImGui::Combo("##forecast.export_format", &st.export_format, formats, 3);
  RecordItem(app, "forecast.export_format");
  if (st.export_format != 0) {
    ImGui::SameLine();
    ImGui::Checkbox("by item##forecast.export_by_item", &st.export_by_item);
    RecordItem(app, "forecast.export_by_item");
    ImGui::SameLine();
    HelpMarker("Partitions: the forecasts (timestamp as a UTC timestamp, mean and quantiles as numbers) under "
               "year=/month=/day=/hour=/ folders (by item: item_id=/ above them) in forecast_partitions/ of the "
               "user folder, as `fieldkit-cli forecast fit --partitions DIR` writes them. Spark, Athena, Trino and "
               "DuckDB (hive_partitioning) read the folder names as columns.");
  }
  ImGui::SameLine();
  ImGui::TextDisabled("%s", st.message.empty() ? "future forecasts of the best model, all series" : st.message.c_str());
}

}  // namespace

void DrawForecastPanel(AppState& app) {
  ForecastPanelState& st = app.forecast;
  DefaultPaths(app);
  ImGui::TextDisabled("fieldkit-cli forecast prepare|fit|backtest|eval runs the same headless");
  if (!ImGui::BeginTabBar("forecast.tabs")) return;
  const bool data_tab = ImGui::BeginTabItem("Data and preparation");
  RecordItem(app, "forecast.tab.data");
  if (data_tab) {
    DrawDataSection(app);
    DrawPrepareSection(app);
    DrawChartsSection(app);
    ImGui::EndTabItem();
  }
  // A finished backtest brings its tab to the front once.
  const bool show = st.show_results;
  st.show_results = false;
  const bool models_tab =
      ImGui::BeginTabItem("Models, backtest and forecast", nullptr, show ? ImGuiTabItemFlags_SetSelected : 0);
  RecordItem(app, "forecast.tab.models");
  if (models_tab) {
    DrawModelsSection(app);
    DrawForecastResults(app);
    ImGui::EndTabItem();
  }
  ImGui::EndTabBar();
}

}  // namespace fk::ui
