// State of the Forecasts panel: the three data sets as loaded, the user's
// preparation choices (dimensions, frequency, aggregation, fills), the
// prepared panel with its quality report and the aggregation-level views,
// and the backtest (run as a sliced job) with the future forecasts it ends with.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "forecast/accuracy.h"
#include "forecast/dataset.h"
#include "forecast/prepare.h"

namespace fk::ui {

struct ForecastPanelState {
  std::string data_dir;  // "" = <platform data_dir>/forecast
  char target_path[256] = "", related_path[256] = "", metadata_path[256] = "";
  // Loaded data sets.
  std::optional<forecast::TargetDataset> target;
  std::optional<forecast::RelatedDataset> related;
  std::optional<forecast::ItemMetadata> metadata;
  std::vector<std::string> load_messages;
  // Preparation choices.
  std::vector<char> keep_dim;           // one per target dimension
  int freq = 2;                         // index into kFreqs (panel_forecast.cpp): D
  int agg = 0;                          // AggMethod
  bool zero_to_null = false;
  int middle_fill = 1, back_fill = 1;   // index into kFills: zero
  double middle_value = 0, back_value = 0;        // for kFills "value"
  // Related fills (middlefill, backfill, futurefill): index into kRelatedFills, median.
  int related_fill[3] = {1, 1, 1};
  double related_value[3] = {0, 0, 0};            // for kRelatedFills "value"
  int eol = 1;                          // keep, drop, null
  // Prepared data.
  bool prepared = false;
  forecast::Panel panel;
  std::vector<forecast::QualityItem> quality;
  std::vector<std::string> prepare_messages;
  std::vector<forecast::Panel> levels;  // the same dims at coarser frequencies (M, Y), for the level charts
  std::vector<std::vector<std::vector<double>>> related_x;  // [series][bucket][feature], history + horizon
  int selected = 0;                     // series shown in the charts
  // Models and backtest.
  bool use_model[5] = {true, true, true, true, true};  // snaive, ets, theta, comb, etsx
  int horizon = 14, windows = 2;
  std::unique_ptr<forecast::Backtest> backtest;
  std::vector<size_t> backtest_series;  // panel series index of each backtest series
  bool backtest_done = false;
  double backtest_s = 0;
  int chart_model = 0;                  // index into backtest results
  std::string best_model, related_verdict;
  std::vector<forecast::Forecast> future;  // per panel series: best model, horizon steps after the data
  size_t future_done = 0;
  std::unique_ptr<forecast::ForecastTask> future_task;  // the future fit in progress (one ETS candidate per slice)
  std::string cold_start;               // "throw-blanket: mean of duvet, ..."
  std::vector<double> cold_start_mean;
  std::string message;                  // last export / error line
  bool show_results = false;            // select the results tab on the next frame
};

}  // namespace fk::ui
