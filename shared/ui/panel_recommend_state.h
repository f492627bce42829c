// State of the Recommendations panel: the recommend::Experiment the load and
// train jobs run (the data set, the split, the trained rankers with their
// offline metrics), and the user's picks (user or new user, persona, context,
// filter) with the cached top-5 lists they produce.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "recommend/experiment.h"

namespace fk::ui {

struct RecommendPanelState {
  std::string data_dir;             // "" = <platform data_dir>/recommend
  // The user's own files (Personalize's interactions/users/items CSVs, weather
  // optional), filled by imports or typed in; used once use_own is set.
  char own[4][256] = {};            // interactions, users, items, weather (kOwnKinds in panel_recommend.cpp)
  bool use_own = false;
  bool own_pending = false;         // all three imported while a job ran: loaded once it ends
  std::string own_message;          // what was imported, what is still missing
  // The run: the loaded data set and, after training, the splits, rankers and
  // metrics (exp->data()). Null before a load; a new run takes the data set on.
  std::unique_ptr<recommend::Experiment> exp;
  std::string load_error;
  double band_counts[recommend::kNumBands + 1] = {};  // interactions per band, last = unknown (the chart's bars)
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
