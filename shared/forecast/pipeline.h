// One forecasting run as a steppable object, the way Amazon Forecast's
// workflow goes: load the target / related / item-metadata CSVs -> prepare
// (aggregate to the question, coarser levels for charts, quality report,
// fills, related alignment) -> backtest the models -> forecast the future with
// one model -> cold-start forecasts for items that have metadata but no
// history. The Forecasts panel and `fieldkit-cli forecast prepare|fit|backtest`
// both run this object, so for the same inputs they give the same numbers.
//
//   forecast::PipelineOptions o;
//   o.target_path = "data/forecast/sales.csv";
//   o.aggregate.keep_all_dims = false;  o.aggregate.dims = {"product"};
//   forecast::Pipeline p(o);
//   while (!p.Step(8.0)) show(p.Progress(), p.Detail());   // one UI frame per Step
//   if (p.failed()) error(p.error());
//   else use(p.data().backtest->results(), p.data().future, p.data().cold_start);
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "forecast/accuracy.h"
#include "forecast/dataset.h"
#include "forecast/models.h"
#include "forecast/prepare.h"

namespace fk::forecast {

enum class PipelineStage { Load, Prepare, Backtest, Future, ColdStart, Done };
const char* StageName(PipelineStage s);  // "load", "prepare", ...

// Which model forecasts the future.
enum class FutureModel {
  None,            // no future forecasts
  BestOfBacktest,  // the backtest's lowest average wQL (needs backtest)
  Fixed,           // future_model
  BestOnHoldout,   // SelectModelOnHoldout on the prepared histories (the CLI's "best")
};

struct PipelineOptions {
  std::string target_path;
  std::string related_path, metadata_path;  // "" = none
  TargetOptions target;                     // column names, guessed when empty
  AggregateOptions aggregate;
  std::vector<std::string> level_freqs;     // the same dims at coarser frequencies, for charts ("M", "Y")
  bool fill = true;                         // false: the series as aggregated (quality is reported either way)
  FillOptions fills;
  RelatedFill related_fills;
  int horizon = 14;                          // future steps; the related features are aligned this far too
  bool backtest = true;
  BacktestOptions backtest_options;          // period and horizon are set from the data and `horizon`
  FutureModel future = FutureModel::BestOfBacktest;
  ModelKind future_model = ModelKind::Comb;  // for FutureModel::Fixed
  SelectionOptions selection;                // for FutureModel::BestOnHoldout: windows and step
  // Cold start: these items (an error when one has no similar item), or,
  // when empty, every metadata item without history that has similar items.
  std::vector<std::string> cold_start_items;
  PipelineStage last = PipelineStage::ColdStart;  // stop after this stage
  // A related or metadata file that cannot be used fails the run (the CLI,
  // where the user named it) instead of being reported and left out (the panel).
  bool strict_inputs = false;
};
// Checks ranges and combinations; "" when fine.
std::string ValidatePipelineOptions(const PipelineOptions& o);

// The data sets as loaded. Kept when only the preparation choices change.
struct PipelineInputs {
  std::optional<TargetDataset> target;
  std::optional<RelatedDataset> related;
  std::optional<ItemMetadata> metadata;
  std::string related_error, metadata_error;  // why an optional file was not loaded
  std::vector<std::string> messages;          // bad rows and the like, per file
};

struct ColdStartForecast {
  std::string item;
  std::vector<std::string> similar;  // the items averaged, best match first
  Forecast forecast;                 // mean and quantiles: the average of theirs
};

struct PipelineData {
  PipelineInputs in;
  bool prepared = false;
  Panel panel;                        // filled unless options.fill is false
  std::vector<QualityItem> quality;   // before the fills: what the data looks like
  std::vector<Panel> levels;          // one per options.level_freqs that differs from the frequency
  std::vector<std::vector<std::vector<double>>> related_x;  // [series][bucket][feature], history + horizon
  std::vector<std::string> prepare_messages;
  std::unique_ptr<Backtest> backtest;
  std::vector<size_t> backtest_series;  // panel series index of each backtest series
  std::optional<ModelSelection> selection;  // FutureModel::BestOnHoldout
  ModelKind future_kind = ModelKind::Comb;  // the model of `future`
  std::string related_verdict;
  std::vector<Forecast> future;  // per panel series, horizon steps after the data
  std::vector<ColdStartForecast> cold_start;
};

class Pipeline {
 public:
  explicit Pipeline(PipelineOptions options);
  // Starts from what an earlier run kept: no loading when from.in.target is
  // set, no preparation either when from.prepared (the options' preparation
  // choices must then be the ones `from` was prepared with).
  Pipeline(PipelineOptions options, PipelineData from);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Runs units of work (a 500-line CSV chunk, 1500 rows, one ETS candidate
  // fit...) until budget_ms is spent, at least one; true when done or failed.
  // Any budget gives the same results, bit for bit.
  bool Step(double budget_ms);
  void RunToEnd();  // Step until done (the CLI)
  bool done() const { return stage_ == PipelineStage::Done; }
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  PipelineStage stage() const { return stage_; }
  float Progress() const;    // 0..1 over the stages this run has
  std::string Detail() const;  // "reading sales.csv", "backtest 40%", ...

  const PipelineOptions& options() const { return opt_; }
  const PipelineData& data() const { return d_; }
  // Gives the data away (the pipeline is spent): inputs only, or the
  // prepared data too, for the next run with other choices.
  PipelineData TakeData(bool keep_prepared);

  // {"stage","series","buckets","freq","dims","messages","end_of_life","new_items",
  //  "related_features","accuracy":[{model,wql,avg_wql,wape,rmse,mape,mase,points,seconds}],
  //  "best","related","horizon","windows","cold_start":[{item,similar}]}
  nlohmann::json StatusJson() const;

 private:
  struct Work;
  bool StepOnce();
  bool StepLoad();
  bool StepPrepare();
  bool StepBacktest();
  bool StepFuture();
  void ColdStart();
  void Fail(std::string message);
  void Next();
  PipelineOptions opt_;
  PipelineData d_;
  PipelineStage stage_ = PipelineStage::Load, first_ = PipelineStage::Load;
  std::string error_;
  std::unique_ptr<Work> w_;
};

// The part of a series a model fits: ModelInput with NaN gaps (a nan fill)
// carried forward from the last value.
std::vector<double> FitInput(const PanelSeries& s);

// JSON of one accuracy row: {"wql":{"p10":..},"avg_wql","wape","rmse","mape","mase","points"}.
nlohmann::json MetricsJson(const Metrics& m);

}  // namespace fk::forecast
