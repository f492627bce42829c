#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "recommend/generate.h"
#include "recommend/metrics.h"
#include "recommend/model.h"
#include "recommend/movielens.h"

using namespace fk::recommend;

namespace {
// Items 0..3 in two categories; users 0..3 each with a little history (a and b go together).
Dataset Toy() {
  Dataset ds;
  ds.items = {{"a", "tea", "250ml", ""}, {"b", "tea", "1l", ""}, {"c", "juice", "1l", ""}, {"d", "juice", "250ml", ""}};
  ds.users = {{"u0", "p"}, {"u1", "p"}, {"u2", "q"}, {"u3", "p"}};
  ds.Index();
  auto add = [&](uint32_t u, uint32_t i, EventType e) {
    ds.interactions.push_back({u, i, int64_t(ds.interactions.size()), e, Band::Lukewarm});
  };
  add(0, 0, EventType::View), add(0, 1, EventType::Purchase);  // a and b go together
  add(1, 0, EventType::View), add(1, 1, EventType::View);
  add(2, 0, EventType::View), add(2, 2, EventType::View), add(2, 3, EventType::Purchase);
  add(3, 0, EventType::View), add(3, 1, EventType::View);
  return ds;
}

bool IsHotDrink(const Dataset& ds, uint32_t item) {
  const std::string& c = ds.items[item].category;
  return c == "coffee" || c == "tea" || c == "hot_chocolate";
}
}  // namespace

TEST_CASE("recommend/metrics: the service's definitions on a hand-checked list") {
  MetricsAccumulator acc;
  acc.Add({3, 1, 2}, {1});        // first relevant at rank 2
  acc.Add({0, 1, 2, 3, 4}, {0, 4});
  const Metrics m = acc.Finish(10);
  CHECK(m.mrr_at_25 == doctest::Approx((0.5 + 1.0) / 2));
  const double q1 = 1 / std::log2(3.0);                               // one relevant: ideal DCG 1
  const double q2 = (1 + 1 / std::log2(6.0)) / (1 + 1 / std::log2(3.0));  // ranks 1 and 5 of 2 relevant
  CHECK(m.ndcg_at_5 == doctest::Approx((q1 + q2) / 2));
  CHECK(m.precision_at_5 == doctest::Approx((1.0 / 5 + 2.0 / 5) / 2));
  CHECK(m.precision_at_25 == doctest::Approx((1.0 / 25 + 2.0 / 25) / 2));
  CHECK(m.coverage == doctest::Approx(5.0 / 10));  // items 0..4 were recommended
  CHECK(m.ToJson()["normalized_discounted_cumulative_gain_at_10"] == m.ndcg_at_10);
}

TEST_CASE("recommend/metrics: the holdout keeps test users' oldest interactions and holds out their newest") {
  GenerateOptions go;
  go.users = 200;
  const Dataset ds = Generate(go);
  const Split s = HoldoutSplit(ds, {});
  CHECK(s.test_users == 20);
  CHECK(s.train.size() + s.held_out == ds.interactions.size());
  // Every query's user trained on something, and everything newer is held out
  // (in one of the user's queries: there is one per band).
  for (auto& q : s.queries) {
    int64_t newest_train = -1;
    for (auto& x : s.train)
      if (x.user == q.user) newest_train = std::max(newest_train, x.ts);
    CHECK(newest_train >= 0);
    std::vector<uint32_t> held;
    for (auto& q2 : s.queries)
      if (q2.user == q.user) held.insert(held.end(), q2.relevant.begin(), q2.relevant.end());
    for (auto& x : ds.interactions)
      if (x.user == q.user && x.ts > newest_train) CHECK(std::find(held.begin(), held.end(), x.item) != held.end());
  }
}

TEST_CASE("recommend/model: baselines, EASE and filtering on a toy set") {
  const Dataset ds = Toy();
  auto pop = MakeRanker(RankerKind::Popularity, {});
  pop->Fit(ds, ds.interactions);
  CHECK(Recommend(*pop, {}, 1, false)[0].item == 0);  // item a: four interactions
  // Without u1's b: a goes with b twice (u0, u3), with c and d once (u2), so b comes first.
  for (RankerKind k : {RankerKind::ItemKnn, RankerKind::Ease}) {
    auto r = MakeRanker(k, RankerOptions{});
    std::vector<Interaction> train = ds.interactions;
    train.erase(train.begin() + 3);  // u1 keeps only a
    r->Fit(ds, train);
    while (!r->TrainStep(1000)) {}
    const auto top = Recommend(*r, {1, 0, Band::Unknown}, 1, false, /*filter_seen=*/true);
    REQUIRE(top.size() == 1);
    CHECK_MESSAGE(top[0].item == 1, RankerName(k));
  }
  // Filtering purchased: u2 bought d, so d never comes back.
  for (auto& s : Recommend(*pop, {2, 1, Band::Unknown}, 4, true)) CHECK(s.item != 3);
  CHECK(Recommend(*pop, {2, 1, Band::Unknown}, 4, true).size() == 3);
}

TEST_CASE("recommend/model: the context-aware FM recovers the planted temperature effect and beats the no-context FM") {
  const Dataset ds = Generate({});
  const Split split = HoldoutSplit(ds, {});
  auto ctx = MakeRanker(RankerKind::FmContext, {});
  auto plain = MakeRanker(RankerKind::FmNoContext, {});
  auto pop = MakeRanker(RankerKind::Popularity, {});
  for (auto* r : {ctx.get(), plain.get(), pop.get()}) {
    r->Fit(ds, split.train);
    while (!r->TrainStep(50000)) {}
  }
  // A cold user with a mixed persona: hot drinks rise on a cold day, fall on a hot one.
  const int persona = ds.PersonaIndex("iced_tea_hot_chocolate");
  REQUIRE(persona >= 0);
  auto hot_drinks = [&](Band b) {
    int n = 0;
    for (auto& s : Recommend(*ctx, {-1, persona, b}, 10, false)) n += IsHotDrink(ds, s.item);
    return n;
  };
  CHECK(hot_drinks(Band::Cold) > hot_drinks(Band::Hot));
  // Explanations name the context when it is given.
  const auto top = Recommend(*ctx, {-1, persona, Band::Cold}, 1, false);
  bool names_context = false;
  for (auto& f : ctx->Explain({-1, persona, Band::Cold}, top[0].item, 20))
    names_context = names_context || f.label.find("cold day") != std::string::npos;
  CHECK(names_context);
  // Offline: context helps on cold-day queries and overall; both beat popularity clearly.
  const Metrics c_cold = Evaluate(*ctx, ds, split, true, IsColdBand);
  const Metrics p_cold = Evaluate(*plain, ds, split, true, IsColdBand);
  CHECK(c_cold.queries >= 20);
  CHECK(c_cold.ndcg_at_10 > p_cold.ndcg_at_10);
  const Metrics c = Evaluate(*ctx, ds, split, true), p = Evaluate(*plain, ds, split, true);
  const Metrics pp = Evaluate(*pop, ds, split, true);
  CHECK(c.ndcg_at_10 > p.ndcg_at_10);
  CHECK(c.ndcg_at_10 > 1.5 * pp.ndcg_at_10);
}

TEST_CASE("recommend/model: a saved FM loads back with the same scores; other data is refused") {
  GenerateOptions go;
  go.users = 150;
  const Dataset ds = Generate(go);
  RankerOptions o;
  o.epochs = 3;
  auto fm = MakeRanker(RankerKind::FmContext, o);
  fm->Fit(ds, ds.interactions);
  while (!fm->TrainStep(100000)) {}
  const std::string path = (std::filesystem::temp_directory_path() / "fk_rec_model.json").string();
  REQUIRE(SaveRanker(*fm, path));
  auto loaded = LoadRanker(path, ds);
  REQUIRE(loaded.ok());
  CHECK((*loaded)->Kind() == RankerKind::FmContext);
  const Query q{3, ds.user_persona[3], Band::Hot};
  std::vector<float> a, b;
  fm->Score(q, &a);
  (*loaded)->Score(q, &b);
  CHECK(a == b);
  go.users = 151;
  const Dataset other = Generate(go);
  auto refused = LoadRanker(path, other);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("model has 150 users") != std::string::npos);
  auto pop = MakeRanker(RankerKind::Popularity, {});
  CHECK_FALSE(SaveRanker(*pop, path));
  CHECK_FALSE(LoadRanker(path + ".missing", ds).ok());
}

TEST_CASE("recommend/movielens: ratings files load into one query per test user; bad lines are counted") {
  const auto dir = std::filesystem::temp_directory_path() / "fk_rec_ml";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "a.base") << "1\t10\t5\t881250949\n1\t11\t3\t881250950\n2\t10\t4\t881250951\nbroken line\n";
  std::ofstream(dir / "a.test") << "1\t12\t4\t891250949\n2\t11\t1\t891250949\n2\t12\t2\t891250950\n";
  MovieLensSplit s;
  REQUIRE(LoadMovieLensSplit((dir / "a.base").string(), (dir / "a.test").string(), &s));
  CHECK(s.train.size() == 3);
  CHECK(s.bad_lines == 1);
  CHECK(s.first_error.find("a.base:4:") != std::string::npos);
  REQUIRE(s.test.size() == 2);
  CHECK(s.test[1].relevant.size() == 2);
  CHECK(s.ds.items.size() == 3);
  CHECK_FALSE(LoadMovieLensSplit((dir / "none").string(), (dir / "a.test").string(), &s));
}

TEST_CASE("recommend/model: numbers in a saved FM file are range-checked before conversion, naming the field") {
  GenerateOptions go;
  go.users = 40;
  const Dataset ds = Generate(go);
  RankerOptions o;
  o.epochs = 1;
  auto fm = MakeRanker(RankerKind::FmContext, o);
  fm->Fit(ds, ds.interactions);
  while (!fm->TrainStep(100000)) {}
  const std::string path = (std::filesystem::temp_directory_path() / "fk_rec_numbers.json").string();
  REQUIRE(SaveRanker(*fm, path));
  std::string good;
  {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    good = ss.str();
  }
  const auto j = nlohmann::json::parse(good);
  struct Case {
    const char* key;
    nlohmann::json value;
    const char* message;
  };
  const Case cases[] = {
      {"factors", 1e10, "field 'factors' = 1e+10 is outside 1..1024"},
      {"factors", 0, "field 'factors' = 0 is outside 1..1024"},
      {"users", -1, "field 'users' = -1 is outside 0..2147483647"},
      {"items", 2.5, "field 'items' = 2.5 is not a whole number"},
  };
  for (const Case& c : cases) {
    INFO(c.key);
    nlohmann::json bad = j;
    bad[c.key] = c.value;
    std::ofstream(path) << bad.dump();
    auto r = LoadRanker(path, ds);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == path + ": " + c.message);
  }
  nlohmann::json bad = j;
  bad["vu"][3] = 1e300;  // beyond float
  std::ofstream(path) << bad.dump();
  auto r = LoadRanker(path, ds);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find(path + ": field 'vu[3]' = 1e+300 is outside -3.40282") == 0);
  std::ofstream(path) << good;
  CHECK(LoadRanker(path, ds).ok());
}
