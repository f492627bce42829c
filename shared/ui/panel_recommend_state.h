// State of the Recommendations panel: the loaded data set (read in slices by
// the load/train job), the trained rankers with their offline metrics, and
// the user's picks (user or new user, persona, context, filter) with the
// cached top-5 lists they produce.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "recommend/data.h"
#include "recommend/metrics.h"
#include "recommend/model.h"

namespace fk::ui {

struct RecommendMetricsRow {
  std::string model;                // RankerName
  recommend::Metrics all, hot, cold;  // all test queries; hot-day and cold-day queries
  double train_s = 0;
};

struct RecommendPanelState {
  std::string data_dir;             // "" = <platform data_dir>/recommend
  // Data (owned here; the rankers keep a pointer to it).
  std::unique_ptr<recommend::Dataset> ds;
  recommend::LoadReport report;
  std::string load_error;
  double band_counts[recommend::kNumBands + 1] = {};  // interactions per band, last = unknown
  // Training and evaluation.
  std::unique_ptr<recommend::Split> split;
  std::vector<std::unique_ptr<recommend::Ranker>> models;  // kRecommendModels order (panel_recommend.cpp)
  std::vector<RecommendMetricsRow> metrics;
  bool trained = false;
  double train_s = 0;               // wall time of the whole train job
  // Picks.
  char user_id[24] = "170";
  bool new_user = false;
  int new_persona = -1;             // persona of a new user, -1 = none
  int band = 1;                     // context for "with context" (Band index; default cold)
  bool filter_purchased = false;
  // Cached lists for the current picks (recomputed when a pick changes).
  std::string cache_key;
  recommend::Query query;           // without context
  std::vector<recommend::Scored> without_ctx, with_ctx;
  std::string user_error;           // "user 9999 is not in users.csv"
};

}  // namespace fk::ui
