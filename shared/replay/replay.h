// Seed replay: each workflow's figures from the blog post it comes from
// (../shared/SEED.txt), beside the same figure measured now by our own core
// objects. One steppable object per run, like the workflows themselves:
//
//   fk::replay::ReplayOptions o;  o.data_dir = "data";
//   fk::replay::Replay r(fk::replay::Panel::Forecast, o);
//   while (!r.Step(8.0)) show(r.Progress(), r.Detail());
//   for (auto& row : r.rows()) printf("%s: %s | %s | %s\n", row.figure, row.seed, row.ours, row.note);
//
// `seed` is the post's figure as the post states it (text, constant); `ours`
// is computed by the run (never stored); `note` says in one line why ours
// differs where it does (empty where it matches).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "labels/detector.h"

namespace fk::replay {

struct Row {
  std::string figure;  // what is compared ("v1 F1 (8 training images)")
  std::string seed;    // as the post states it
  std::string ours;    // measured by this run
  std::string note;    // why ours differs, one line ("" when it does not)
};

enum class Panel { Labels, Anomaly, Forecast, Recommend, Sparse, Features };
const char* PanelName(Panel p);     // "labels", "anomaly", "forecast", "recommend", "sparse", "features"
const char* PanelPostTitle(Panel p);  // the seed post's title
bool ParsePanel(const std::string& s, Panel* out);
std::string PanelNames();  // "labels, anomaly, forecast, recommend, sparse, features"

struct ReplayOptions {
  std::string data_dir = "data";  // bundled data: logos/, recommend/
  // Label Review: the logo set (empty = data_dir/logos); score on the first N test images (0 = all).
  std::string logos_dir;
  size_t labels_test_limit = 0;
  labels::DetectorOptions labels_detector;  // the panel's defaults (tests shrink it)
  // Recommendations: users > 0 generates that many users in memory instead of reading
  // data_dir/recommend (tests); epochs > 0 overrides the factorisation machine's.
  int recommend_users = 0;
  int recommend_epochs = 0;
  // Sparse: the latency bench's MobileNetV2 (width, input side, timed runs per backend) and
  // the width of the size table's model (sizes do not depend on the input side).
  float sparse_width = 1.0f;
  int sparse_size = 128;
  int sparse_runs = 5;
  float sparse_size_width = 1.0f;
  // Feature Store: a scratch folder, the replay's own (its store/ is removed and made
  // anew each run), rows ingested (the post's 2000) and worker threads (the post's 4;
  // the page has no threads and runs one worker in slices).
  std::string scratch_dir;
  int feature_rows = 2000;
  int feature_threads = 4;
};

class Replay {
 public:
  Replay(Panel panel, ReplayOptions options);
  ~Replay();
  Replay(const Replay&) = delete;
  Replay& operator=(const Replay&) = delete;

  // Units of work (one unit of the wrapped workflow object) until budget_ms is
  // spent, at least one; true when done or failed.
  bool Step(double budget_ms);
  void RunToEnd();
  bool done() const;
  bool failed() const;
  const std::string& error() const;
  float Progress() const;
  std::string Detail() const;
  Panel panel() const { return panel_; }
  // Complete once done(); empty before.
  const std::vector<Row>& rows() const;
  // {"panel","state":"running|done|failed","rows":[{figure,seed,ours,note}],"error"?,"detail"?}
  nlohmann::json StatusJson() const;

  struct Impl;

 private:
  Panel panel_;
  std::unique_ptr<Impl> impl_;
};

// The seed's sales table of the Forecast post (Date, Product ID, Sales, Store ID, Country),
// exactly the seven rows it shows; the forecast replay aggregates these rows.
const char* SeedSalesCsv();

}  // namespace fk::replay
