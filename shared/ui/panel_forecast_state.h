// State of the Forecasts panel: the user's choices (files, dimensions,
// frequency, aggregation, fills, models) and the forecast::Pipeline that ran
// them (loaded data, prepared panel, backtest, future forecasts).
#pragma once
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "forecast/pipeline.h"

namespace fk::ui {

struct ForecastPanelState {
  std::string data_dir;  // "" = <platform data_dir>/forecast
  char target_path[256] = "", related_path[256] = "", metadata_path[256] = "";
  // Preparation choices (the panel maps them to forecast::PipelineOptions).
  std::vector<char> keep_dim;           // one per target dimension
  int freq = 2;                         // index into kFreqs (panel_forecast.cpp): D
  int agg = 0;                          // AggMethod
  bool zero_to_null = false;
  forecast::Fill middle_fill{forecast::FillKind::Zero, 0}, back_fill{forecast::FillKind::Zero, 0};
  // Related fills: middlefill, backfill, futurefill.
  forecast::Fill related_fill[3] = {{forecast::FillKind::Median, 0}, {forecast::FillKind::Median, 0},
                                    {forecast::FillKind::Median, 0}};
  int eol = 1;                          // keep, drop, null
  // Models and backtest choices.
  std::set<forecast::ModelKind> models_off;  // models unticked (forecast::Models(): all on at first)
  int horizon = 14, windows = 2;
  // The run: the data sets as loaded, the prepared panel, the backtest, the
  // future forecasts and the cold start (pipe->data()). Null before a load.
  std::unique_ptr<forecast::Pipeline> pipe;
  bool backtest_done = false;           // the last run went all the way
  double backtest_s = 0;
  int selected = 0;                     // series shown in the charts
  int chart_model = 0;                  // index into the backtest results
  char types[64] = "0.1,0.5,0.9,mean";  // forecast types: up to 5 quantiles + mean (forecast::ParseForecastTypes)
  std::string types_error;              // why the field does not parse ("" = fine)
  int export_format = 0;                // 0 CSV, 1 Parquet partitions, 2 JSON Lines partitions (forecast/export.h)
  bool export_by_item = false;          // partitions: an item_id= folder level above the time folders
  std::string message;                  // last export line
  std::string error;                    // why the last load / run failed, worded for the panel
  std::string demo_related, demo_metadata;  // the demo's related/items paths (never joined to a user's target)
  bool show_results = false;            // select the results tab on the next frame
};

}  // namespace fk::ui
