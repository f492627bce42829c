// One recommendations experiment as a steppable object, the way Amazon
// Personalize's workflow goes: load the data set (items, users, weather,
// interactions) -> holdout split(s) -> train each ranker and score its
// held-out queries (all, hot days, cold days) -> optionally train one model on
// every interaction (the deployable one). The Recommendations panel and
// `fieldkit-cli recommend train|eval|top` both run this object, so for the
// same inputs they give the same numbers.
//
//   recommend::ExperimentOptions o;
//   o.data_dir = "data/recommend";
//   o.models = {RankerKind::Popularity, RankerKind::FmContext};
//   recommend::Experiment e(o);
//   while (!e.Step(8.0)) show(e.Progress(), e.Detail());   // one UI frame per Step
//   if (e.failed()) error(e.error());
//   else for (auto& r : e.data().results) use(r.all, r.hot, r.cold);
//   auto top = recommend::TopForUser(*e.data().ds, *e.data().results.back().ranker, {"170"});
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "recommend/data.h"
#include "recommend/metrics.h"
#include "recommend/model.h"

namespace fk::recommend {

enum class ExperimentStage { Load, Split, Evaluate, Full, Done };
const char* StageName(ExperimentStage s);  // "load", "split", "evaluate", "full", "done"

struct ExperimentOptions {
  std::string data_dir;               // DIR/items.csv, users.csv, weather_data.csv, interactions.csv
  // A user's own files instead (when files.interactions is set): Personalize's
  // interactions, users and items CSVs, weather optional (DataFiles).
  DataFiles files;
  std::vector<RankerKind> models;     // evaluated on the holdout, in this order; none = load only
  RankerOptions ranker;
  SplitOptions split;
  std::vector<uint64_t> split_seeds;  // several splits, queries pooled; empty = {split.seed}
  // Trained on every interaction after the evaluation (what `train --out`
  // saves and `top` recommends with); not evaluated.
  std::optional<RankerKind> full_model;
  // Units of work: interaction lines read and training samples per unit.
  // They keep a page frame short; the results do not depend on them.
  size_t read_lines = 1000;
  size_t train_samples = 2500;
};
// Checks ranges; "" when fine.
std::string ValidateExperimentOptions(const ExperimentOptions& o);

struct ModelResult {
  RankerKind kind = RankerKind::Popularity;
  std::string name;                   // RankerName
  Metrics all, hot, cold;             // pooled over the splits: all, hot-day and cold-day queries
  double train_seconds = 0;           // Fit + training, averaged over the splits
  std::unique_ptr<Ranker> ranker;     // trained on the first split's training part
};

struct ExperimentData {
  std::unique_ptr<Dataset> ds;        // set once the whole data set is read (the rankers point into it)
  LoadReport report;
  std::vector<size_t> band_counts;    // interactions per band (index = Band, kNumBands = unknown)
  std::vector<Split> splits;
  std::vector<ModelResult> results;   // one per options.models, as each finishes
  std::unique_ptr<Ranker> full;       // options.full_model trained on every interaction
  double full_train_seconds = 0;
};

class Experiment {
 public:
  explicit Experiment(ExperimentOptions options);
  // Starts from a data set already read (no loading; options.data_dir only
  // names it in messages). `from.ds` must be set; its results are dropped.
  Experiment(ExperimentOptions options, ExperimentData from);
  ~Experiment();
  Experiment(const Experiment&) = delete;
  Experiment& operator=(const Experiment&) = delete;

  // Runs units of work (one small file, read_lines interaction lines, one
  // split, a Fit, train_samples training samples, one evaluation...) until
  // budget_ms is spent, at least one; true when done or failed. Any budget
  // gives the same results, bit for bit.
  bool Step(double budget_ms);
  void RunToEnd();  // Step until done (the CLI)
  bool done() const { return stage_ == ExperimentStage::Done; }
  bool failed() const { return !error_.empty(); }
  bool loaded() const { return d_.ds != nullptr; }
  // Every model evaluated (and the full model trained), without error.
  bool finished() const { return done() && !failed(); }
  const std::string& error() const { return error_; }
  ExperimentStage stage() const { return stage_; }
  float Progress() const;      // 0..1 over the stages this run has
  std::string Detail() const;  // "reading items.csv", "fm_context epoch 3/25, BPR loss 0.412", ...

  const ExperimentOptions& options() const { return opt_; }
  const ExperimentData& data() const { return d_; }
  // The ranker evaluated for `kind`, null when it was not (yet).
  const Ranker* Model(RankerKind kind) const;
  // Gives the loaded data set away (the experiment is spent), for the next
  // run with other choices. Results are dropped: they point into it.
  ExperimentData TakeData();

  // {"stage", "error"?, "dataset":{items,users,interactions,weather_days,skipped,interactions_by_band},
  //  "report":{rows,skipped,malformed,...,messages}, "split":{splits,train_interactions,test_users,held_out,queries},
  //  "models":{name:{coverage,...,queries,"hot_days":{..},"cold_days":{..},"train_seconds"}}}
  // (dataset and report once loaded, split once split, models as they finish).
  nlohmann::json StatusJson() const;

 private:
  struct Work;
  bool StepOnce();
  bool StepLoad();
  void StepSplit();
  void StepEvaluate();
  void StepFull();
  void Fail(std::string message);
  void Next();
  ExperimentOptions opt_;
  ExperimentData d_;
  ExperimentStage stage_ = ExperimentStage::Load, first_ = ExperimentStage::Load;
  std::string error_;
  std::unique_ptr<Work> w_;
};

// The load report as the CLI prints it: {rows, skipped, malformed, unknown_user,
// unknown_item, duplicates, bad_temperature, unknown_context, messages}.
nlohmann::json ReportJson(const LoadReport& r);

// Pools the queries of several splits: per-query metrics weighted by query
// count, coverage averaged.
Metrics Pool(const std::vector<Metrics>& ms);

// A top-k for one user (or a new user) without and with a context.
struct TopRequest {
  std::string user;             // an id of users.csv; ignored for a new user
  bool new_user = false;
  int persona = -1;             // >= 0: this persona instead of the user's own (index into Dataset::personas)
  Band band = Band::Unknown;    // the context of the "with" list
  size_t k = 5;
  bool filter_purchased = false;
};
struct TopLists {
  Query query;                  // without context
  std::vector<Scored> without_context, with_context;
  std::string error;            // "user '9999' is not in users.csv"; the lists are empty then
};
TopLists TopForUser(const Dataset& ds, const Ranker& r, const TopRequest& req);

}  // namespace fk::recommend
