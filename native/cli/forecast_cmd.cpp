// fieldkit-cli forecast m3|prepare|fit|backtest|eval|demo — headless runs of
// shared/forecast: data preparation, models with quantiles, backtests, and
// the M3 monthly evaluation.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <fstream>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "core/json_write.h"
#include "forecast/accuracy.h"
#include "forecast/dataset.h"
#include "forecast/demo.h"
#include "forecast/export.h"
#include "forecast/m3.h"
#include "forecast/models.h"
#include "forecast/pipeline.h"
#include "forecast/prepare.h"

namespace fk::cli {

namespace {

// The panel's forecast-types field reads the same way (forecast::ParseForecastTypes);
// fit always writes the mean column, so "mean" here changes nothing.
std::vector<double> ParseLevels(const Args& args) {
  std::vector<double> levels;
  bool mean = false;
  std::string err;
  if (!forecast::ParseForecastTypes(args.Get("quantiles", "0.1,0.5,0.9"), &levels, &mean, &err))
    throw UsageError{"--quantiles: " + err};
  return levels;
}

// "best" is resolved by the caller (a selection on an in-sample holdout).
forecast::ModelKind ParseModel(const std::string& name, bool best_ok) {
  forecast::ModelKind k;
  if (name == "best" && best_ok) return forecast::ModelKind::Comb;
  if (name == "best")
    throw UsageError{"--models: 'best' is a selection, not a model; the backtest compares the models you list"};
  if (!forecast::ParseModelKind(name, &k))
    throw UsageError{"unknown model '" + name + "' (snaive, ets, theta, comb, etsx" + (best_ok ? ", best)" : ")")};
  return k;
}

nlohmann::json SelectionJson(const forecast::ModelSelection& sel) {
  nlohmann::json sm = nlohmann::json::object();
  for (auto& [k, v] : sel.smape) sm[forecast::ModelName(k)] = v;
  nlohmann::json per_window = nlohmann::json::array();
  for (size_t w = 0; w < sel.window_smape.size(); w++) {
    nlohmann::json pw = {{"window", w}, {"ends_before_last", w * size_t(sel.step)}, {"series", sel.window_count[w]}};
    for (size_t k = 0; k < sel.smape.size() && k < sel.window_smape[w].size(); k++)
      pw[forecast::ModelName(sel.smape[k].first)] = sel.window_smape[w][k];
    per_window.push_back(pw);
  }
  return {{"chosen", forecast::ModelName(sel.chosen)}, {"holdout", sel.holdout}, {"series_used", sel.series_used},
          {"holdout_smape", sm}, {"windows", sel.windows}, {"step", sel.step}, {"windows_used", sel.windows_used},
          {"window_smape", per_window},
          {"rule", "lowest mean sMAPE over every (series, window): each window is the holdout points ending step*w "
                   "points before the end of the train part, forecast from the points before it"}};
}

forecast::SelectionOptions SelectOptions(const Args& args) {
  forecast::SelectionOptions o;
  o.windows = int(args.GetInt("select-windows", o.windows));
  o.step = int(args.GetInt("select-step", o.step));
  if (o.windows < 1 || o.windows > 20) throw UsageError{"--select-windows must be 1..20"};
  if (o.step < 0) throw UsageError{"--select-step must be >= 0 (0 = holdout / 3)"};
  return o;
}

int M3Verb(const Args& args) {
  const std::string data = args.Get("data", "../shared/data/m3-monthly");
  const std::string model_name = args.Get("model", "best");
  forecast::ModelKind kind = ParseModel(model_name, true);
  std::vector<forecast::M3Series> series;
  if (Status st = forecast::LoadM3(data, &series); !st) throw InputError{st.message()};
  ProgressBar bar("forecast m3", ProgressWanted(args));
  const bool best = model_name == "best";
  forecast::ModelSelection sel;
  double select_s = 0;
  if (best) {
    // Chosen on the train parts only: windows of 18 points at their ends.
    const auto t0 = std::chrono::steady_clock::now();
    sel = forecast::SelectM3Model(series, SelectOptions(args), [&](size_t i, size_t n) {
      if (i % 16 == 0 || i == n) bar.Update(0.5f * float(i) / float(n), "selecting: " + series[i - 1].id);
    });
    kind = sel.chosen;
    select_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  const float base = best ? 0.5f : 0.f;
  forecast::M3Result r = forecast::RunM3(series, kind, [&](size_t i, size_t n) {
    if (i % 16 == 0 || i == n) bar.Update(base + (1 - base) * float(i) / float(n), series[i - 1].id);
  });
  r.seconds += select_s;
  bar.Done();
  if (args.Has("out")) {
    const std::string out = args.Get("out");
    std::ofstream f(out);
    if (!f) throw InputError{out + ": cannot write"};
    f << "series_id,h,forecast\n";
    char buf[64];
    for (size_t i = 0; i < series.size(); i++)
      for (size_t j = 0; j < r.forecasts[i].size(); j++) {
        std::snprintf(buf, sizeof buf, ",%zu,%.10g\n", j + 1, r.forecasts[i][j]);
        f << series[i].id << buf;
      }
    if (!f) throw InputError{out + ": write failed"};
  }
  nlohmann::json j;
  j["model"] = forecast::ModelName(kind);  // for best: the model the holdout chose, whose forecasts are in FILE
  if (best) {
    j["requested"] = "best";
    j["selection"] = SelectionJson(sel);
  }
  j["smape"] = r.smape;
  j["mase"] = r.mase;
  j["seconds"] = r.seconds;
  j["series"] = series.size();
  if (args.Has("json")) EmitJson(j);
  else
    std::printf("%s%s: sMAPE %.3f  MASE %.4f  %.2f s for %zu series\n", j["model"].get<std::string>().c_str(),
                best ? " (best on the train holdout)" : "", r.smape, r.mase, r.seconds, series.size());
  return 0;
}


// [SECTION] prepare / fit / backtest / eval / demo

void Note(const std::string& m) { std::fprintf(stderr, "fieldkit-cli forecast: %s\n", m.c_str()); }

forecast::RelatedFill RelatedFills(const Args& args) {
  forecast::RelatedFill fill;
  std::string err;
  if (!forecast::ParseRelatedFill(args.Get("related-middlefill", "median"), &fill.middle, &err))
    throw UsageError{"--related-middlefill: " + err};
  if (!forecast::ParseRelatedFill(args.Get("related-backfill", "median"), &fill.back, &err))
    throw UsageError{"--related-backfill: " + err};
  if (!forecast::ParseRelatedFill(args.Get("related-futurefill", "median"), &fill.future, &err))
    throw UsageError{"--related-futurefill: " + err};
  return fill;
}

// The prepare options every verb shares, as forecast::Pipeline options (the
// Forecasts panel maps its choices to the same options): load and prepare only.
forecast::PipelineOptions PipelineFrom(const Args& args, bool fill, bool use_related) {
  if (!args.Has("target")) throw UsageError{"--target FILE is required"};
  for (const char* f : {"related-middlefill", "related-backfill", "related-futurefill"})
    if (args.Has(f) && !args.Has("related")) throw UsageError{std::string("--") + f + " needs --related FILE"};
  forecast::PipelineOptions o;
  o.strict_inputs = true;
  o.target_path = args.Get("target");
  o.target.timestamp_col = args.Get("timestamp", "");
  o.target.value_col = args.Get("value", "");
  if (args.Has("dims")) {
    o.aggregate.keep_all_dims = false;
    for (auto& d : args.GetList("dims", {}))
      if (d != "none") o.aggregate.dims.push_back(d);
  }
  std::string err;
  if (!forecast::ParseFrequency(args.Get("freq", "D"), &o.aggregate.freq, &err)) throw UsageError{"--freq: " + err};
  if (!forecast::ParseAgg(args.Get("agg", "sum"), &o.aggregate.agg)) throw UsageError{"--agg: sum, avg, first, min or max"};
  o.fill = fill;
  if (fill) {
    o.fills.zero_to_null = args.Has("zero-to-null");
    if (!forecast::ParseFillFor(args.Get("middlefill", "zero"), forecast::kFillMiddle, &o.fills.middle, &err))
      throw UsageError{"--middlefill: " + err};
    if (!forecast::ParseFillFor(args.Get("backfill", "zero"), forecast::kFillBack, &o.fills.back, &err))
      throw UsageError{"--backfill: " + err};
    const std::string eol = args.Get("eol", "keep");
    if (eol == "drop") o.fills.eol = forecast::EolAction::Drop;
    else if (eol == "null") o.fills.eol = forecast::EolAction::Null;
    else if (eol != "keep") throw UsageError{"--eol: keep, drop or null"};
  }
  if (args.Has("related")) {
    o.related_fills = RelatedFills(args);
    if (use_related) o.related_path = args.Get("related");
  }
  o.horizon = 0;
  o.backtest = false;
  o.future = forecast::FutureModel::None;
  o.last = forecast::PipelineStage::Prepare;
  return o;
}

// Runs the pipeline to its end with a progress bar; its messages go to stderr
// (and *messages, for --json), its failure is the command's.
std::unique_ptr<forecast::Pipeline> RunPipeline(const forecast::PipelineOptions& o, const Args& args,
                                                std::vector<std::string>* messages) {
  auto p = std::make_unique<forecast::Pipeline>(o);
  {
    ProgressBar bar("forecast", ProgressWanted(args));
    while (!p->Step(50)) bar.Update(p->Progress(), p->Detail());
    bar.Done();
  }
  const auto& d = p->data();
  for (auto* list : {&d.in.messages, &d.prepare_messages})
    for (auto& m : *list) {
      Note(m);
      messages->push_back(m);
    }
  if (p->failed()) {
    // The core's message names no flag (the panel shows it too); here the flag that fixes it.
    std::string e = p->error();
    if (e.find(": no timestamp column") != std::string::npos) e += " (name it with --timestamp)";
    else if (e.find(": no numeric target column") != std::string::npos) e += " (name it with --value)";
    throw InputError{e};
  }
  return p;
}

nlohmann::json QualityJson(const std::vector<forecast::QualityItem>& quality, const forecast::Panel& panel) {
  nlohmann::json items = nlohmann::json::array();
  for (auto& q : quality)
    items.push_back({{"item_id", q.item_id}, {"observed", q.observed}, {"density", q.density}, {"gaps", q.gaps},
                     {"longest_gap", q.longest_gap}, {"zero_runs", q.zero_runs}, {"longest_zero_run", q.longest_zero_run},
                     {"end_of_life", q.end_of_life}, {"new", q.is_new},
                     {"first", forecast::FormatDate(panel.TimeAt(q.first), panel.format)}});
  return items;
}

int PrepareVerb(const Args& args) {
  if (args.Has("holdout") != args.Has("holdout-out"))
    throw UsageError{"--holdout H and --holdout-out FILE go together"};
  if (args.Has("related") != args.Has("related-out"))
    throw UsageError{"prepare: --related FILE and --related-out FILE go together"};
  forecast::PipelineOptions o = PipelineFrom(args, false, true);
  const long long horizon = args.GetInt("horizon", 0);
  if (horizon < 0 || horizon > 10000) throw UsageError{"--horizon must be 0..10000"};
  o.horizon = int(horizon);
  std::vector<std::string> messages;
  auto p = RunPipeline(o, args, &messages);
  const forecast::PipelineData& d = p->data();
  forecast::Panel panel = d.panel;
  size_t held = 0;
  if (args.Has("holdout")) {
    const long long h = args.GetInt("holdout", 0);
    if (h < 1 || size_t(h) >= panel.length)
      throw UsageError{"--holdout " + std::to_string(h) + ": must be 1.." + std::to_string(panel.length - 1) + " (" +
                       args.Get("target") + " has " + std::to_string(panel.length) + " " + panel.freq.Name() +
                       " buckets)"};
    forecast::Panel hold = forecast::SplitHoldout(&panel, size_t(h));
    std::ofstream f(args.Get("holdout-out"));
    f << forecast::PanelToCsv(hold);
    if (!f) throw InputError{args.Get("holdout-out") + ": cannot write"};
    held = size_t(h);
    Note("held out the last " + std::to_string(h) + " buckets (" + forecast::FormatDate(hold.TimeAt(0), hold.format) +
         " .. " + forecast::FormatDate(hold.TimeAt(hold.length - 1), hold.format) + ") in " + args.Get("holdout-out"));
  }
  if (args.Has("related")) {
    // Aligned to what is left after the holdout: the held-out buckets are the
    // first of the horizon, as they are for a fit on this output.
    std::vector<std::string> msgs;
    const auto aligned = held ? forecast::AlignRelated(*d.in.related, panel, o.horizon, o.related_fills, &msgs)
                              : d.related_x;
    for (auto& m : msgs) Note(m);
    std::ofstream f(args.Get("related-out"));
    f << forecast::RelatedToCsv(panel, *d.in.related, aligned);
    if (!f) throw InputError{args.Get("related-out") + ": cannot write"};
  }
  const std::string csv = forecast::PanelToCsv(panel);
  if (args.Has("out")) {
    std::ofstream f(args.Get("out"));
    f << csv;
    if (!f) throw InputError{args.Get("out") + ": cannot write"};
  }
  if (args.Has("json")) {
    nlohmann::json j;
    j["series"] = panel.series.size();
    j["buckets"] = panel.length;
    j["freq"] = panel.freq.Name();
    j["held_out"] = held;
    j["messages"] = messages;
    j["quality"] = QualityJson(d.quality, d.panel);
    EmitJson(j);
    return 0;
  }
  if (!args.Has("out")) std::fputs(csv.c_str(), stdout);
  if (args.Has("report")) {
    std::fprintf(stderr, "%-28s %8s %8s %5s %8s %9s %4s %4s\n", "item", "observed", "density", "gaps", "longest",
                 "zero_runs", "EOL", "new");
    for (auto& q : d.quality)
      std::fprintf(stderr, "%-28s %8zu %8.3f %5zu %8zu %9zu %4s %4s\n", q.item_id.c_str(), q.observed, q.density, q.gaps,
                   q.longest_gap, q.zero_runs, q.end_of_life ? "yes" : "", q.is_new ? "yes" : "");
  }
  return 0;
}

int FitVerb(const Args& args) {
  const std::string model = args.Get("model", "comb");
  const forecast::ModelKind kind = ParseModel(model, true);
  const bool etsx = model != "best" && kind == forecast::ModelKind::EtsX;
  if (args.Has("related") && !etsx)
    Note("--related is used by model etsx only; ignored for " + model);
  if (args.Has("cold-start") && !args.Has("metadata")) throw UsageError{"--cold-start ITEM needs --metadata FILE"};
  forecast::PipelineOptions o = PipelineFrom(args, true, etsx);
  const int period = o.aggregate.freq.SeasonalPeriod();
  const int h = int(args.GetInt("horizon", period > 1 ? period * 2 : 8));
  if (h < 1 || h > 10000) throw UsageError{"--horizon must be 1..10000"};
  o.horizon = h;
  o.backtest_options.levels = ParseLevels(args);
  o.future = model == "best" ? forecast::FutureModel::BestOnHoldout : forecast::FutureModel::Fixed;
  o.future_model = kind;
  o.selection = SelectOptions(args);
  if (args.Has("cold-start")) {
    o.metadata_path = args.Get("metadata");
    o.cold_start_items = args.GetList("cold-start", {});
  }
  o.last = forecast::PipelineStage::ColdStart;
  std::vector<std::string> messages;
  auto p = RunPipeline(o, args, &messages);
  const forecast::PipelineData& d = p->data();
  const std::vector<double>& levels = o.backtest_options.levels;
  nlohmann::json selection;
  if (d.selection) {
    selection = SelectionJson(*d.selection);
    Note("best: " + std::string(forecast::ModelName(d.future_kind)) + " (lowest mean sMAPE over " +
         std::to_string(d.selection->windows) + " windows of " + std::to_string(h) + " points " +
         std::to_string(d.selection->step) + " apart at each history's end; " +
         std::to_string(d.selection->series_used) + " series long enough)");
  }
  std::string csv = "item_id,timestamp,mean";
  for (double q : levels) {
    char b[16];
    std::snprintf(b, sizeof b, ",p%g", q * 100);
    csv += b;
  }
  csv += "\n";
  nlohmann::json jitems = nlohmann::json::array();
  // --partitions: the same rows under Hive-style folders (forecast/export.h).
  forecast::PartitionOptions popt;
  if (args.Has("partition-format") && !forecast::ParsePartitionFormat(args.Get("partition-format"), &popt.format))
    throw UsageError{"--partition-format must be parquet or jsonl"};
  const std::string by = args.Get("partition-by", "time");
  if (by != "time" && by != "item") throw UsageError{"--partition-by must be time or item"};
  popt.by_item = by == "item";
  auto emit = [&](const std::string& item, const forecast::Forecast& f) {
    char b[48];
    for (int j = 0; j < h; j++) {
      csv += item + "," + forecast::FormatDate(d.panel.TimeAt(d.panel.length + size_t(j)), d.panel.format);
      std::snprintf(b, sizeof b, ",%.6g", f.mean[size_t(j)]);
      csv += b;
      for (size_t q = 0; q < levels.size(); q++) {
        std::snprintf(b, sizeof b, ",%.6g", f.quantiles[q][size_t(j)]);
        csv += b;
      }
      csv += "\n";
    }
    jitems.push_back({{"item_id", item}, {"model", f.detail}, {"message", f.message}});
  };
  for (size_t i = 0; i < d.panel.series.size(); i++) {
    if (!d.future[i].message.empty()) Note(d.panel.series[i].item_id + ": " + d.future[i].message);
    emit(d.panel.series[i].item_id, d.future[i]);
  }
  for (auto& c : d.cold_start) {
    Note(c.item + ": " + c.forecast.detail);
    emit(c.item, c.forecast);
  }
  if (args.Has("out")) {
    std::ofstream out(args.Get("out"));
    out << csv;
    if (!out) throw InputError{args.Get("out") + ": cannot write"};
  }
  size_t partition_files = 0;
  if (args.Has("partitions")) {
    // The rows the Forecasts panel's partitioned export writes too.
    const forecast::ForecastRows prows = forecast::FutureRows(d, levels);
    auto n = forecast::WriteForecastPartitions(args.Get("partitions"), prows, popt);
    if (!n) throw InputError{n.status().message()};
    partition_files = *n;
    Note("wrote " + std::to_string(prows.Size()) + " forecast rows in " + std::to_string(*n) + " files under " +
         args.Get("partitions"));
  }
  if (args.Has("json")) {
    nlohmann::json j{{"items", jitems}, {"horizon", h}, {"model", forecast::ModelName(d.future_kind)},
                     {"messages", messages}};
    if (args.Has("partitions")) j["partition_files"] = partition_files;
    if (!selection.is_null()) j["selection"] = selection;
    EmitJson(j);
  } else if (!args.Has("out")) {
    std::fputs(csv.c_str(), stdout);
  }
  return 0;
}

int BacktestVerb(const Args& args) {
  forecast::BacktestOptions bo;
  bo.windows = int(args.GetInt("windows", 1));
  bo.offset = int(args.GetInt("offset", 0));
  bo.levels = ParseLevels(args);
  bo.models.clear();
  for (auto& m : args.GetList("models", {"snaive", "ets", "theta", "comb"})) bo.models.push_back(ParseModel(m, false));
  bool want_related = false;
  for (auto m : bo.models) want_related |= m == forecast::ModelKind::EtsX;
  if (want_related && !args.Has("related")) throw UsageError{"model etsx needs --related FILE"};
  forecast::PipelineOptions o = PipelineFrom(args, true, want_related);
  const int period = o.aggregate.freq.SeasonalPeriod();
  bo.period = period;
  bo.horizon = int(args.GetInt("horizon", period > 1 ? period * 2 : 8));
  if (std::string e = forecast::ValidateBacktestOptions(bo); !e.empty()) throw UsageError{e};
  o.horizon = bo.horizon;
  o.backtest = true;
  o.backtest_options = bo;
  o.last = forecast::PipelineStage::Backtest;
  std::vector<std::string> messages;
  auto p = RunPipeline(o, args, &messages);
  const forecast::Backtest& bt = *p->data().backtest;
  nlohmann::json models = nlohmann::json::array();
  for (auto& r : bt.results()) {
    nlohmann::json m = forecast::MetricsJson(r.overall);
    m["model"] = forecast::ModelName(r.model);
    m["seconds"] = r.seconds;
    models.push_back(m);
  }
  if (args.Has("json")) {
    EmitJson({{"models", models}, {"related", bt.RelatedVerdict()}, {"horizon", bo.horizon},
              {"windows", bo.windows}, {"offset", bt.options().offset}, {"series", bt.series().size()}});
    return 0;
  }
  std::printf("%-8s %8s %8s %8s %10s %8s %8s\n", "model", "avg_wQL", "WAPE", "MAPE", "RMSE", "MASE", "seconds");
  for (auto& m : models)
    std::printf("%-8s %8.4f %8.4f %8.4f %10.4g %8.4f %8.3f\n", m["model"].get<std::string>().c_str(),
                m["avg_wql"].get<double>(), m["wape"].get<double>(), m["mape"].get<double>(), m["rmse"].get<double>(),
                m["mase"].get<double>(), m["seconds"].get<double>());
  if (!bt.RelatedVerdict().empty()) std::printf("%s\n", bt.RelatedVerdict().c_str());
  return 0;
}

int EvalVerb(const Args& args) {
  if (!args.Has("actual") || !args.Has("forecast")) throw UsageError{"--actual FILE and --forecast FILE are required"};
  auto at = forecast::ReadCsvTable(args.Get("actual"));
  if (!at) throw InputError{at.status().message()};
  auto ft = forecast::ReadCsvTable(args.Get("forecast"));
  if (!ft) throw InputError{ft.status().message()};
  std::optional<forecast::CsvTable> history;
  if (args.Has("history")) {
    auto ht = forecast::ReadCsvTable(args.Get("history"));
    if (!ht) throw InputError{ht.status().message()};
    history = std::move(*ht);
  }
  forecast::Frequency freq;
  std::string err;
  if (!forecast::ParseFrequency(args.Get("freq", "D"), &freq, &err)) throw UsageError{"--freq: " + err};
  auto r = forecast::EvaluateForecastTable(*at, *ft, history ? &*history : nullptr, freq,
                                               freq.SeasonalPeriod());
  if (!r) throw InputError{r.status().message()};
  for (auto& m : r->messages) Note(m);
  if (r->unmatched_forecasts)
    Note(std::to_string(r->unmatched_forecasts) + " forecast rows have no actual value in " + args.Get("actual") +
         "; not scored");
  nlohmann::json j = forecast::MetricsJson(r->metrics);
  if (!r->has_mase) j["mase"] = nullptr;  // unknown without the history, not 0
  j["items"] = r->items;
  j["unmatched_forecasts"] = r->unmatched_forecasts;
  if (args.Has("json")) EmitJson(j);
  else std::printf("%s\n", DumpJson(j, 2).c_str());
  return 0;
}

int DemoVerb(const Args& args) {
  const std::string out = args.Get("out", "data/forecast");
  const uint64_t seed = uint64_t(args.GetInt("seed", 7));
  if (Status st = forecast::WriteDemo(out, seed); !st) throw InputError{st.message()};
  if (args.Has("json")) EmitJson({{"dir", out}, {"seed", seed}});
  else std::printf("wrote %s/sales.csv, related.csv, items.csv (seed %llu)\n", out.c_str(), (unsigned long long)seed);
  return 0;
}

// [SECTION] the verb table

std::string FillHelp(const char* what, forecast::FillUse use, const char* def) {
  return std::string(what) + ":\n" + forecast::JoinChoices(forecast::FillChoices(use)) + " (default " + def + ")";
}

// The target CSV's options, shared by prepare, fit and backtest.
std::vector<Flag> PrepareFlags() {
  return {{"target", "FILE", "the target CSV: a timestamp column, a numeric target column, the rest dimensions"},
          {"dims", "LIST", "dimensions to keep; 'none' aggregates everything (default: all)"},
          {"freq", "D", "1min..59min, 1H..23H, 1D..6D, 1W..4W, 1M..11M, Q, Y (default D)"},
          {"agg", "sum|avg|first|min|max", "aggregation into buckets (default sum)"},
          {"timestamp", "COL", "the timestamp column, when it can not be guessed"},
          {"value", "COL", "the target column, when it can not be guessed"},
          {"zero-to-null", "", "treat zeros as missing before filling"},
          {"middlefill", "M", FillHelp("gaps inside an item's history", forecast::kFillMiddle, "zero")},
          {"backfill", "M", FillHelp("after an item's last value to the end of the data", forecast::kFillBack, "zero")},
          {"eol", "keep|drop|null", "end-of-life items: keep, drop from training, or null-fill"}};
}

// Amazon Forecast's featurization of related time series (the related CSV:
// timestamp, the target's dimension columns, numeric features).
std::vector<Flag> RelatedFlags() {
  return {{"related", "FILE", "the related time series CSV"},
          {"related-middlefill", "M",
           FillHelp("gaps between an item's first and last related value", forecast::kFillRelated, "median")},
          {"related-backfill", "M",
           FillHelp("after its last related value to the end of the target data", forecast::kFillRelated, "median")},
          {"related-futurefill", "M",
           FillHelp("the forecast horizon after the end of the target data", forecast::kFillRelated, "median")}};
}

const Flag kSelectWindows = {"select-windows", "N", "best: holdout windows per history, 1..20 (default 3)"};
const Flag kSelectStep = {"select-step", "N", "best: points between window ends (default 0 = horizon / 3)"};
const Flag kQuantiles = {"quantiles", "LIST", "1 to 5 levels in 0.01..0.99 (default 0.1,0.5,0.9)"};

const VerbTable& ForecastTable() {
  // Built on first use: the fill names come from the core's table (forecast::FillMethods).
  static const VerbTable t = {
      "forecast",
      {{"m3", "the M3 monthly evaluation: sMAPE and MASE on every series' 18 test points",
        {{"data", "DIR", "the M3 monthly data (default ../shared/data/m3-monthly)"},
         {"model", "NAME|best", "the model (default best)"},
         kSelectWindows, kSelectStep,
         {"out", "FILE", "write the forecasts as series_id,h,forecast"}},
        M3Verb, "",
        "Fits every series on its train part only, forecasts the 18 test points and prints\n"
        "{\"model\",\"smape\",\"mase\",\"seconds\",\"series\"} with --json (seconds include best's selection)."},
       {"prepare", "aggregate and check the target data; print it as CSV timestamp,item_id,<value column>",
        Flags({PrepareFlags(), RelatedFlags(),
               {{"out", "FILE", "write the table here instead of stdout"},
                {"report", "", "a data quality table per item on stderr"},
                {"holdout", "H", "leave the last H buckets out of the output (with --holdout-out)"},
                {"holdout-out", "FILE", "write the held-out buckets here (same form)"},
                {"related-out", "FILE", "write the related features aligned to the prepared items and grid"},
                {"horizon", "H", "future rows of --related-out (default 0)"}}}),
        PrepareVerb, "",
        "Only the buckets that had rows are printed; messages about the input go to stderr.\n"
        "--holdout lets fit train on the rest and eval score the forecast against actuals it never saw."},
       {"fit", "forecasts with quantiles: item_id,timestamp,mean,pNN...",
        Flags({PrepareFlags(), RelatedFlags(),
               {{"model", "NAME|best", "the model (default comb)"},
                {"horizon", "H", "steps ahead (default two seasons, or 8)"},
                kQuantiles, kSelectWindows, kSelectStep,
                {"cold-start", "LIST", "items without history, forecast from similar items (with --metadata)"},
                {"metadata", "FILE", "the items' metadata CSV"},
                {"out", "FILE", "write the forecasts here instead of stdout"},
                {"partitions", "DIR", "also write them under DIR/[item_id=X/]year=/month=/day=/hour=/ (Hive-style)"},
                {"partition-format", "parquet|jsonl", "the files under --partitions (default parquet)"},
                {"partition-by", "time|item", "item: an item_id= folder level above the time folders (default time)"}}}),
        FitVerb, "",
        "--related is used by model etsx only.\n"
        "--partitions writes the rows of --out (timestamp as a UTC timestamp, mean and quantiles as\n"
        "doubles) where Spark, Athena, Trino or DuckDB read year, month, day, hour (and item_id) as\n"
        "partition columns; without --out the CSV still goes to stdout unless --json is given."},
       {"backtest", "compare models on the last windows of the history",
        Flags({PrepareFlags(), RelatedFlags(),
               {{"models", "LIST", "the models (default snaive,ets,theta,comb)"},
                {"horizon", "H", "steps per window (default two seasons, or 8)"},
                {"windows", "N", "1..5 (default 1)"},
                {"offset", "N", "steps between window starts, >= H (default H)"},
                kQuantiles}}),
        BacktestVerb},
       {"eval", "score fit's output against actuals: wQL per quantile, WAPE, RMSE, MAPE (MASE)",
        {{"actual", "FILE", "timestamp,item_id,value (e.g. prepare --holdout-out)"},
         {"forecast", "FILE", "fit's output"},
         {"history", "FILE", "the data the forecast was fitted on, for MASE"},
         {"freq", "D", "the history's frequency, for its seasonal period (default D)"}},
        EvalVerb, "",
        "Forecast and actual rows are matched on item and time; no matching (item, time) is an\n"
        "error, not zero scores."},
       {"demo", "write the demo data set: DIR/sales.csv, related.csv, items.csv",
        {{"out", "DIR", "the folder (default data/forecast)"}, {"seed", "N", "seed (default 7)"}}, DemoVerb}},
      "models: snaive, ets (AICc over R's 15-model family), theta (M3 standard),\n"
      "  comb (mean of ets, theta, damped ets), etsx (regression on the related\n"
      "  series with ETS errors).\n"
      "best (m3, fit): one model for all series, chosen on in-sample holdouts:\n"
      "  windows of H points (H = the horizon) at the end of every history, the\n"
      "  last one and each --select-step points earlier (3 by default), are each\n"
      "  forecast from the points before them by snaive, theta, ets and comb; the\n"
      "  lowest mean sMAPE over all windows wins and is refitted on the whole\n"
      "  history. Nothing after the history is ever seen. \"model\" then names the\n"
      "  chosen model, \"requested\" is \"best\" and \"selection\" holds the holdout\n"
      "  sMAPE per candidate (overall and per window).\n"
      "related fills have no nan: models need a value at every step.\n"
      "example (score a forecast on held-out data):\n"
      "  fieldkit-cli forecast prepare --target data/forecast/sales.csv --dims product --freq D \\\n"
      "      --holdout 14 --holdout-out actual.csv --out train.csv\n"
      "  fieldkit-cli forecast fit --target train.csv --freq D --horizon 14 --model comb --out f.csv\n"
      "  fieldkit-cli forecast eval --actual actual.csv --forecast f.csv --history train.csv --freq D"};
  return t;
}

}  // namespace

int ForecastCommand(const std::vector<std::string>& argv) { return RunVerbTable(ForecastTable(), argv); }

}  // namespace fk::cli
