// Offline evaluation as Amazon Personalize describes it: a random share of
// users (default 10%) is the test set; each test user's oldest interactions
// stay in training and their newest share (default 10%, at least one) is held
// out. Every other user is wholly in training. A query is (test user, band):
// the held-out items of that user in that context are the relevant ones.
//
// Metrics (Personalize's names and definitions, binary relevance):
//   coverage                      distinct items in all top-25 lists / catalog size
//   mean_reciprocal_rank_at_25    mean of 1/rank of the first relevant item in the top 25 (0 if none)
//   normalized_discounted_cumulative_gain_at_K   DCG@K (1/log2(1+rank)) / ideal DCG@K
//   precision_at_K                relevant items in the top K / K
//
//   auto split = fk::recommend::HoldoutSplit(ds, {});
//   auto m = fk::recommend::Evaluate(*ranker, ds, split, true);  m.ToJson()
#pragma once
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "recommend/model.h"

namespace fk::recommend {

struct SplitOptions {
  double test_users = 0.1;   // share of users held out
  double holdout = 0.1;      // newest share of each test user's interactions
  uint64_t seed = 1;
};

struct TestQuery {
  uint32_t user = 0;
  Band band = Band::Unknown;
  std::vector<uint32_t> relevant;  // distinct held-out items
};

struct Split {
  std::vector<Interaction> train;
  std::vector<TestQuery> queries;
  size_t test_users = 0, held_out = 0;  // counts for the report
};

Split HoldoutSplit(const Dataset& ds, const SplitOptions& opt);

struct Metrics {
  double coverage = 0, mrr_at_25 = 0;
  double ndcg_at_5 = 0, ndcg_at_10 = 0, ndcg_at_25 = 0;
  double precision_at_5 = 0, precision_at_10 = 0, precision_at_25 = 0;
  size_t queries = 0;
  // Queries with a relevant item in the top 10: NDCG@10 = 0 over 12 queries
  // with hits_at_10 = 0 is a real zero (no hit at all), not a missing value.
  size_t hits_at_10 = 0;
  nlohmann::json ToJson() const;  // Personalize's key names, plus "queries" and "hits_at_10"
};

// One query's lists: ranked items against its relevant set, accumulated.
struct MetricsAccumulator {
  void Add(const std::vector<uint32_t>& ranked, const std::vector<uint32_t>& relevant);
  Metrics Finish(size_t catalog_size) const;
  Metrics sum;
  std::vector<char> recommended;  // per item: seen in some top-25
};

// use_context = false asks the ranker without the query's band (the same
// model, no context at inference). band_filter selects queries (empty = all).
Metrics Evaluate(const Ranker& r, const Dataset& ds, const Split& split, bool use_context,
                 const std::function<bool(Band)>& band_filter = {}, bool filter_seen = false);

// Hot days: hot or very hot; cold days: cold or very cold.
bool IsHotBand(Band b);
bool IsColdBand(Band b);

}  // namespace fk::recommend
