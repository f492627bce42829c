// Forecast accuracy and backtests as Amazon Forecast reports them: wQL at each
// quantile and their average, WAPE, RMSE, MAPE, MASE, over 1-5 backtest
// windows whose ends are `offset` steps apart (offset >= horizon). Actuals that
// are NaN (nan-filled gaps) are left out of every metric; zero-filled gaps
// count as real zeros, which is why the two fills give different numbers.
//
//   fk::forecast::Backtest bt(series, opts);
//   while (!bt.Step(8.0)) show(bt.Progress());     // sliced: one ETS candidate fit per unit
//   bt.results()[model].overall.wape
#pragma once
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "forecast/dataset.h"
#include "forecast/models.h"

namespace fk::forecast {

struct Frequency;  // prepare.h

// sMAPE as in M3 (0-200) and MASE against the in-sample seasonal naive error.
double Smape(const std::vector<double>& actual, const std::vector<double>& forecast);
double MaseScale(const std::vector<double>& history, int period);  // mean |y_t - y_{t-m}|

// Sums over points, turned into metrics by Finish().
struct MetricSums {
  std::vector<double> levels;
  std::vector<double> pinball;  // per level: sum of tau max(y-q,0) + (1-tau) max(q-y,0)
  double abs_y = 0, abs_err = 0, sq_err = 0, ape = 0, scaled = 0;
  size_t points = 0, ape_points = 0, scaled_points = 0;
  void Add(double y, double mean, const std::vector<double>& q, double mase_scale);
  void Merge(const MetricSums& o);
};
struct Metrics {
  std::vector<double> levels;
  std::vector<double> wql;   // per level
  double avg_wql = 0, wape = 0, rmse = 0, mape = 0, mase = 0;
  size_t points = 0;
};
Metrics Finish(const MetricSums& s);

struct BacktestOptions {
  int horizon = 12;
  int windows = 1;            // 1..5
  int offset = 0;             // steps between window ends; 0 = horizon
  int period = 12;
  std::vector<double> levels = {0.1, 0.5, 0.9};  // up to 5 in [0.01, 0.99]
  std::vector<ModelKind> models = {ModelKind::SeasonalNaive, ModelKind::Ets, ModelKind::Theta, ModelKind::Comb};
  uint64_t seed = 7;
};
// Checks the ranges above; an empty string means fine.
std::string ValidateBacktestOptions(const BacktestOptions& o);

// Forecast's forecast types: up to 5 quantiles in 0.01..0.99 and "mean",
// comma-separated ("0.1, 0.5, 0.9, mean"; "p10" and "10%" read as 0.1 too).
// *levels comes back sorted without repeats; false with *error naming the
// bad entry. At least one quantile is required (the backtest scores wQL).
bool ParseForecastTypes(const std::string& text, std::vector<double>* levels, bool* mean, std::string* error);
// "0.1,0.5,0.9,mean": what ParseForecastTypes reads back.
std::string ForecastTypesName(const std::vector<double>& levels, bool mean);

struct WindowForecast {
  size_t series = 0;
  int window = 0;       // 0 = the latest window
  size_t start = 0;     // index of the first forecast step in the series
  Forecast forecast;
};
struct ModelAccuracy {
  ModelKind model = ModelKind::Ets;
  Metrics overall;
  std::vector<Metrics> per_window;
  std::vector<WindowForecast> forecasts;
  double seconds = 0;
};

// One input series: values (NaN = missing actual), optional related features
// (one row per step, at least values.size() rows) used by ModelKind::EtsX.
struct BacktestSeries {
  std::string id;
  std::vector<double> values;
  std::vector<std::vector<double>> related;
};

class Backtest {
 public:
  Backtest(std::vector<BacktestSeries> series, BacktestOptions options);
  ~Backtest();
  // Runs units of work until budget_ms is spent (at least one); true when
  // finished. A unit is one ETS candidate fit (a ForecastTask step), so a
  // call overshoots the budget by one fit at most. Any budget gives the same
  // results, bit for bit.
  bool Step(double budget_ms);
  float Progress() const { return total_ ? float(done_) / float(total_) : 1.f; }
  bool Done() const { return done_ >= total_; }
  const std::vector<ModelAccuracy>& results() const { return results_; }
  const std::vector<BacktestSeries>& series() const { return series_; }
  const BacktestOptions& options() const { return opt_; }
  // Per series and window: related features helped EtsX over Ets (wQL), when both ran.
  std::string RelatedVerdict() const;
  std::vector<std::string> warnings;   // skipped series and why

 private:
  bool StartOne(size_t model, size_t series, int window);  // false: series too short, nothing to fit
  void FinishOne(size_t model, size_t series, int window);
  std::vector<BacktestSeries> series_;
  std::unique_ptr<ForecastTask> task_;   // the fit in progress
  size_t task_train_n_ = 0;
  BacktestOptions opt_;
  std::vector<ModelAccuracy> results_;
  std::vector<std::vector<MetricSums>> sums_;  // [model][window]
  size_t total_ = 0, done_ = 0;
};

// [SECTION] scoring a forecast file against actuals (fieldkit-cli forecast eval)

// Scores forecast rows (item_id,timestamp,mean[,pNN...], the output of
// `forecast fit`) against actual rows (timestamp,item_id,value, the output of
// `forecast prepare`) matched on (item, time). history (optional, same form
// as actual: the data the forecast was fitted on) gives each item's MASE
// scale: the in-sample seasonal naive error with `period` buckets of `freq`,
// the history laid on freq's grid so a missing date is a gap (skipped), never
// a shift; without it MASE is not reported. Errors (not zeros) when nothing matches, naming both files.
struct EvalResult {
  Metrics metrics;
  bool has_mase = false;
  size_t matched = 0, unmatched_forecasts = 0, items = 0;
  std::vector<std::string> messages;  // malformed rows, items without history
};
Result<EvalResult> EvaluateForecastTable(const CsvTable& actual, const CsvTable& forecast, const CsvTable* history,
                                         const Frequency& freq, int period);

// [SECTION] "best": one model chosen on an in-sample holdout

// Each history is cut at `windows` origins: its last `holdout` points, then the
// `holdout` points ending `step` earlier, and so on (step 0 = holdout / 3,
// at least 1). Every window is forecast from the points before it and scored
// with sMAPE (M3's); a window is used when at least 3 points precede it. The
// candidate with the lowest mean over every used (history, window) wins. Only
// the histories are seen, never anything after them. The candidates are
// seasonal naive, Theta, ETS and Comb, all four from one ETS selection per
// window. Several windows because one is a noisy judge: on M3's train parts
// the last window alone prefers Theta while each of the six earlier ones
// prefers Comb (docs/BENCHMARKS.md, Forecasts).
struct SelectionOptions {
  int windows = 3;  // 1 = the last `holdout` points only (the rule before issue #18)
  int step = 0;     // points between window ends; 0 = holdout / 3
};
struct ModelSelection {
  ModelKind chosen = ModelKind::Comb;
  int holdout = 0;
  int windows = 1, step = 0;    // as used (step resolved)
  size_t series_used = 0;       // histories with at least one window
  size_t windows_used = 0;      // (history, window) pairs scored
  std::vector<std::pair<ModelKind, double>> smape;  // per candidate, mean over windows_used
  // Per window (0 = the last): pairs scored and each candidate's mean sMAPE.
  std::vector<size_t> window_count;
  std::vector<std::vector<double>> window_smape;  // [window][candidate], candidates in `smape` order
};
ModelSelection SelectModelOnHoldout(const std::vector<std::vector<double>>& histories, int period, int holdout,
                                    const std::function<void(size_t, size_t)>& progress = {},
                                    const SelectionOptions& options = {});

}  // namespace fk::forecast
