#include "recommend/movielens.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "core/file.h"
#include "core/rng.h"
#include "core/strings.h"

namespace fk::recommend {

namespace {

struct Rating {
  std::string user, item;
  int64_t ts;
};

Status ReadRatings(const std::string& path, std::vector<Rating>* out, MovieLensSplit* s) {
  size_t line = 0;
  Status st = ForEachLine(path, [&](std::string_view l) {
    line++;
    if (l.empty()) return true;
    std::vector<std::string> f;
    std::string cur;
    for (char c : l) {
      if (c == '\t' || c == ':' || c == ',') {
        if (!cur.empty() || c != ':') f.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
    f.push_back(cur);
    double rating, ts;
    const char* why = nullptr;
    if (f.size() < 4 || f[0].empty() || f[1].empty() || !ParseNumber(f[2], &rating) ||
        !ParseNumber(f[3], &ts))
      why = "expected user<TAB>item<TAB>rating<TAB>timestamp";
    else if (!(ts >= 0 && ts <= 4e9))  // also keeps the int64 conversion below defined
      why = "timestamp is not Unix seconds (0 to 4e9)";
    if (why) {
      if (s->bad_lines++ == 0) s->first_error = path + ":" + std::to_string(line) + ": " + why;
      return true;
    }
    out->push_back({f[0], f[1], int64_t(ts)});
    return true;
  });
  return st;
}

}  // namespace

Status LoadMovieLensSplit(const std::string& train_path, const std::string& test_path, MovieLensSplit* s) {
  std::vector<Rating> train, test;
  if (Status st = ReadRatings(train_path, &train, s); !st) return st;
  if (Status st = ReadRatings(test_path, &test, s); !st) return st;
  if (train.empty()) return Status::Error(train_path + ": no ratings");
  if (test.empty()) return Status::Error(test_path + ": no ratings");
  // Numeric ids sort numerically, so user 2 comes before user 10 in outputs.
  auto by_number = [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  };
  std::vector<std::string> users, items;
  for (auto* v : {&train, &test})
    for (auto& r : *v) users.push_back(r.user), items.push_back(r.item);
  for (auto* v : {&users, &items}) {
    std::sort(v->begin(), v->end(), by_number);
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  for (auto& u : users) s->ds.users.push_back({u, ""});
  for (auto& i : items) s->ds.items.push_back({i, "", "", ""});
  s->ds.Index();
  for (auto& r : train)
    s->train.push_back({s->ds.user_index[r.user], s->ds.item_index[r.item], r.ts, EventType::View, Band::Unknown});
  std::sort(s->train.begin(), s->train.end(),
            [](const Interaction& a, const Interaction& b) { return a.ts < b.ts; });
  std::map<uint32_t, size_t> query_of;
  for (auto& r : test) {
    const uint32_t u = s->ds.user_index[r.user], i = s->ds.item_index[r.item];
    auto it = query_of.find(u);
    if (it == query_of.end()) {
      it = query_of.emplace(u, s->test.size()).first;
      s->test.push_back({u, Band::Unknown, {}});
    }
    auto& rel = s->test[it->second].relevant;
    if (std::find(rel.begin(), rel.end(), i) == rel.end()) rel.push_back(i);
  }
  std::sort(s->test.begin(), s->test.end(), [](const TestQuery& a, const TestQuery& b) { return a.user < b.user; });
  return Status::Ok();
}

namespace {

// Recommend()'s order (score down, then item index up) without the seen items.
void TopK(const std::vector<float>& s, const std::vector<uint32_t>& seen, size_t k, std::vector<Scored>* all,
          std::vector<uint32_t>* ranked) {
  all->clear();
  size_t next_seen = 0;  // seen is sorted
  for (size_t i = 0; i < s.size(); i++) {
    while (next_seen < seen.size() && seen[next_seen] < i) next_seen++;
    if (next_seen < seen.size() && seen[next_seen] == i) continue;
    all->push_back({uint32_t(i), s[i]});
  }
  k = std::min(k, all->size());
  std::partial_sort(all->begin(), all->begin() + long(k), all->end(), [](const Scored& a, const Scored& b) {
    return a.score != b.score ? a.score > b.score : a.item < b.item;
  });
  ranked->clear();
  for (size_t i = 0; i < k; i++) ranked->push_back((*all)[i].item);
}

// One query's precision and NDCG at k.
void AddScore(const std::vector<uint32_t>& ranked, const std::vector<uint32_t>& relevant, size_t k, TopKScore* t) {
  size_t hits = 0;
  double dcg = 0, idcg = 0;
  for (size_t i = 0; i < ranked.size(); i++)
    if (std::find(relevant.begin(), relevant.end(), ranked[i]) != relevant.end())
      hits++, dcg += 1.0 / std::log2(double(i) + 2.0);
  for (size_t i = 0; i < std::min(k, relevant.size()); i++) idcg += 1.0 / std::log2(double(i) + 2.0);
  t->precision += double(hits) / double(k);
  t->ndcg += idcg > 0 ? dcg / idcg : 0.0;
  t->queries++;
}

void Finish(TopKScore* t) {
  const double n = double(std::max<size_t>(1, t->queries));
  t->precision /= n;
  t->ndcg /= n;
}

const std::vector<uint32_t>& HistoryOf(const Ranker& r, uint32_t user) {
  static const std::vector<uint32_t> kNone;
  return user < r.History().size() ? r.History()[user] : kNone;
}

}  // namespace

TopKScore ScoreTopK(const Ranker& r, const std::vector<TestQuery>& queries, size_t k,
                    std::vector<std::vector<uint32_t>>* lists) {
  TopKScore t;
  std::vector<float> s;
  std::vector<Scored> all;
  std::vector<uint32_t> ranked;
  if (lists) lists->clear();
  for (auto& q : queries) {
    Query query;
    query.user = int(q.user);
    r.Score(query, &s);
    TopK(s, HistoryOf(r, q.user), k, &all, &ranked);
    AddScore(ranked, q.relevant, k, &t);
    if (lists) lists->push_back(ranked);
  }
  Finish(&t);
  return t;
}

void CarveValidation(const Dataset& ds, const std::vector<Interaction>& train, size_t per_user, uint64_t seed,
                     std::vector<Interaction>* fit, std::vector<TestQuery>* val) {
  std::vector<std::vector<size_t>> of_user(ds.users.size());
  for (size_t i = 0; i < train.size(); i++)
    if (train[i].user < of_user.size()) of_user[train[i].user].push_back(i);
  std::vector<char> held(train.size(), 0);
  Rng rng(seed);
  val->clear();
  for (uint32_t u = 0; u < of_user.size(); u++) {
    auto& idx = of_user[u];
    // By (item, time) first: the draw must not depend on how a sort ordered equal timestamps.
    std::sort(idx.begin(), idx.end(), [&](size_t x, size_t y) {
      return train[x].item != train[y].item ? train[x].item < train[y].item : train[x].ts < train[y].ts;
    });
    const size_t n = std::min(per_user, idx.size() / 2);
    if (n == 0) continue;
    // The first n of a seeded partial Fisher-Yates shuffle.
    for (size_t j = 0; j < n; j++) std::swap(idx[j], idx[j + rng.Below(uint32_t(idx.size() - j))]);
    TestQuery q{u, Band::Unknown, {}};
    for (size_t j = 0; j < n; j++) {
      held[idx[j]] = 1;
      if (std::find(q.relevant.begin(), q.relevant.end(), train[idx[j]].item) == q.relevant.end())
        q.relevant.push_back(train[idx[j]].item);
    }
    val->push_back(std::move(q));
  }
  fit->clear();
  for (size_t i = 0; i < train.size(); i++)
    if (!held[i]) fit->push_back(train[i]);
  // An item the user rated twice stays relevant only if no copy is left in training.
  std::vector<std::vector<uint32_t>> kept(ds.users.size());
  for (auto& x : *fit)
    if (x.user < kept.size()) kept[x.user].push_back(x.item);
  for (auto& q : *val) {
    auto& k = kept[q.user];
    q.relevant.erase(std::remove_if(q.relevant.begin(), q.relevant.end(),
                                    [&](uint32_t i) { return std::find(k.begin(), k.end(), i) != k.end(); }),
                     q.relevant.end());
  }
  val->erase(std::remove_if(val->begin(), val->end(), [](const TestQuery& q) { return q.relevant.empty(); }),
             val->end());
}

EaseChoice ChooseEaseOnValidation(const Dataset& ds, const std::vector<Interaction>& train,
                                  const ValidationOptions& o, const std::function<void(size_t, size_t)>& progress) {
  EaseChoice c;
  std::vector<Interaction> fit;
  std::vector<TestQuery> val;
  CarveValidation(ds, train, o.per_user, o.seed, &fit, &val);
  c.val_users = val.size();
  for (auto& q : val) c.val_ratings += q.relevant.size();
  c.fit_ratings = fit.size();
  const std::vector<double> betas = o.pop_betas.empty() ? std::vector<double>{0.0} : o.pop_betas;
  const size_t k = std::max<size_t>(1, o.k);
  bool any = false;
  for (size_t li = 0; li < o.lambdas.size(); li++) {
    RankerOptions ro;
    ro.ease_lambda = o.lambdas[li];
    ro.ease_pop_beta = 0;  // applied per beta below, from one set of raw scores
    auto r = MakeRanker(RankerKind::Ease, ro);
    r->Fit(ds, fit);
    while (!r->TrainStep(0)) {
    }
    const std::vector<float> degree = ItemDegrees(r->History(), ds.items.size());
    std::vector<TopKScore> per_beta(betas.size());
    std::vector<float> raw, s;
    std::vector<Scored> all;
    std::vector<uint32_t> ranked;
    for (auto& q : val) {
      Query query;
      query.user = int(q.user);
      r->Score(query, &raw);
      for (size_t b = 0; b < betas.size(); b++) {
        s = raw;
        DiscountByPopularity(degree, betas[b], &s);
        TopK(s, HistoryOf(*r, q.user), k, &all, &ranked);
        AddScore(ranked, q.relevant, k, &per_beta[b]);
      }
    }
    for (size_t b = 0; b < betas.size(); b++) {
      Finish(&per_beta[b]);
      c.grid.push_back({o.lambdas[li], betas[b], per_beta[b].precision, per_beta[b].ndcg});
      if (!any || per_beta[b].precision > c.precision) {
        any = true;
        c.lambda = o.lambdas[li];
        c.pop_beta = betas[b];
        c.precision = per_beta[b].precision;
        c.ndcg = per_beta[b].ndcg;
      }
    }
    if (progress) progress(li + 1, o.lambdas.size());
  }
  return c;
}

}  // namespace fk::recommend
