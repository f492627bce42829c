#include "recommend/metrics.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "core/rng.h"

namespace fk::recommend {

Split HoldoutSplit(const Dataset& ds, const SplitOptions& opt) {
  Split s;
  // Test users: a seeded shuffle, then the first share (users with at least two
  // interactions, so something stays in training).
  std::vector<size_t> count(ds.users.size(), 0);
  for (auto& x : ds.interactions) count[x.user]++;
  std::vector<uint32_t> order;
  for (size_t u = 0; u < ds.users.size(); u++)
    if (count[u] >= 2) order.push_back(uint32_t(u));
  Rng rng(opt.seed);
  for (size_t i = order.size(); i > 1; i--) std::swap(order[i - 1], order[rng.Below(uint32_t(i))]);
  const size_t n_test = size_t(std::llround(opt.test_users * double(ds.users.size())));
  std::vector<char> is_test(ds.users.size(), 0);
  for (size_t i = 0; i < std::min(n_test, order.size()); i++) is_test[order[i]] = 1;
  s.test_users = std::min(n_test, order.size());

  // Interactions are sorted by time, so a user's newest are their last ones.
  std::vector<size_t> keep(ds.users.size(), 0), seen(ds.users.size(), 0);
  for (size_t u = 0; u < ds.users.size(); u++) {
    if (!is_test[u]) continue;
    const size_t hold = std::max<size_t>(1, size_t(std::llround(opt.holdout * double(count[u]))));
    keep[u] = count[u] - std::min(hold, count[u] - 1);
  }
  std::map<std::pair<uint32_t, int>, size_t> query_of;
  for (auto& x : ds.interactions) {
    if (!is_test[x.user] || seen[x.user]++ < keep[x.user]) {
      s.train.push_back(x);
      continue;
    }
    s.held_out++;
    auto key = std::make_pair(x.user, int(x.band));
    auto it = query_of.find(key);
    if (it == query_of.end()) {
      it = query_of.emplace(key, s.queries.size()).first;
      s.queries.push_back({x.user, x.band, {}});
    }
    auto& rel = s.queries[it->second].relevant;
    if (std::find(rel.begin(), rel.end(), x.item) == rel.end()) rel.push_back(x.item);
  }
  return s;
}

nlohmann::json Metrics::ToJson() const {
  return {{"coverage", coverage},
          {"mean_reciprocal_rank_at_25", mrr_at_25},
          {"normalized_discounted_cumulative_gain_at_5", ndcg_at_5},
          {"normalized_discounted_cumulative_gain_at_10", ndcg_at_10},
          {"normalized_discounted_cumulative_gain_at_25", ndcg_at_25},
          {"precision_at_5", precision_at_5},
          {"precision_at_10", precision_at_10},
          {"precision_at_25", precision_at_25},
          {"queries", queries},
          {"hits_at_10", hits_at_10}};
}

void MetricsAccumulator::Add(const std::vector<uint32_t>& ranked, const std::vector<uint32_t>& relevant) {
  auto is_rel = [&](uint32_t i) { return std::find(relevant.begin(), relevant.end(), i) != relevant.end(); };
  auto ndcg = [&](size_t k) {
    double dcg = 0, idcg = 0;
    for (size_t r = 0; r < std::min(k, ranked.size()); r++)
      if (is_rel(ranked[r])) dcg += 1.0 / std::log2(double(r) + 2.0);
    for (size_t r = 0; r < std::min(k, relevant.size()); r++) idcg += 1.0 / std::log2(double(r) + 2.0);
    return idcg > 0 ? dcg / idcg : 0.0;
  };
  auto precision = [&](size_t k) {
    size_t hits = 0;
    for (size_t r = 0; r < std::min(k, ranked.size()); r++) hits += is_rel(ranked[r]);
    return double(hits) / double(k);
  };
  double rr = 0;
  for (size_t r = 0; r < std::min<size_t>(25, ranked.size()); r++) {
    if (recommended.size() <= ranked[r]) recommended.resize(ranked[r] + 1, 0);
    recommended[ranked[r]] = 1;
    if (rr == 0 && is_rel(ranked[r])) rr = 1.0 / double(r + 1);
  }
  sum.mrr_at_25 += rr;
  for (size_t r = 0; r < std::min<size_t>(10, ranked.size()); r++)
    if (is_rel(ranked[r])) {
      sum.hits_at_10++;
      break;
    }
  sum.ndcg_at_5 += ndcg(5);
  sum.ndcg_at_10 += ndcg(10);
  sum.ndcg_at_25 += ndcg(25);
  sum.precision_at_5 += precision(5);
  sum.precision_at_10 += precision(10);
  sum.precision_at_25 += precision(25);
  sum.queries++;
}

Metrics MetricsAccumulator::Finish(size_t catalog_size) const {
  Metrics m = sum;
  const double n = double(std::max<size_t>(1, sum.queries));
  for (double* v : {&m.mrr_at_25, &m.ndcg_at_5, &m.ndcg_at_10, &m.ndcg_at_25, &m.precision_at_5,
                    &m.precision_at_10, &m.precision_at_25})
    *v /= n;
  size_t distinct = 0;
  for (char c : recommended) distinct += c != 0;
  m.coverage = catalog_size ? double(distinct) / double(catalog_size) : 0.0;
  return m;
}

Metrics Evaluate(const Ranker& r, const Dataset& ds, const Split& split, bool use_context,
                 const std::function<bool(Band)>& band_filter, bool filter_seen) {
  MetricsAccumulator acc;
  for (auto& q : split.queries) {
    if (band_filter && !band_filter(q.band)) continue;
    Query query;
    query.user = int(q.user);
    query.persona = ds.user_persona.empty() ? -1 : ds.user_persona[q.user];
    query.band = use_context ? q.band : Band::Unknown;
    std::vector<uint32_t> ranked;
    for (auto& s : Recommend(r, query, 25, false, filter_seen)) ranked.push_back(s.item);
    acc.Add(ranked, q.relevant);
  }
  return acc.Finish(ds.items.size());
}

bool IsHotBand(Band b) { return b == Band::Hot || b == Band::VeryHot; }
bool IsColdBand(Band b) { return b == Band::Cold || b == Band::VeryCold; }

}  // namespace fk::recommend
