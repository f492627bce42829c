// MovieLens tuning: the validation split is carved from the training ratings
// only, the EASE settings are chosen on it (so an altered test file cannot
// change them), and the chosen setting scores on validation exactly as the
// grid reported it.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "core/rng.h"
#include "recommend/model.h"
#include "recommend/movielens.h"

using namespace fk::recommend;
namespace fs = std::filesystem;

namespace {

// 48 users in three taste groups over 36 items (each group likes its own 12,
// a few items are liked by all), ratings in u.data's layout; 4 test ratings
// per user from the same tastes. test_shift moves every test item elsewhere
// in the catalogue (same ids overall, other relevance).
fs::path WriteRatings(const std::string& name, int test_shift) {
  const fs::path dir = fs::temp_directory_path() / ("fk_ml_" + name + "_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream base(dir / "r.base"), test(dir / "r.test");
  fk::Rng rng(3);
  for (int u = 1; u <= 48; u++) {
    const int group = u % 3;
    int t = 0;
    if (u == 2) {  // rated every item once, in training: every item id appears in the base file
      for (int i = 1; i <= 36; i++) base << u << '\t' << i << "\t3\t880000001\n";
      continue;
    }
    for (int i = 1; i <= 36; i++) {
      const bool mine = (i - 1) / 12 == group, shared = i % 12 == 0;
      const float p = mine ? 0.55f : shared ? 0.4f : 0.06f;
      if (rng.Uniform01() >= p) continue;
      if (t++ % 6 == 5) {  // every sixth liked item is a test rating
        const int item = (i - 1 + test_shift) % 36 + 1;
        test << u << '\t' << item << "\t4\t" << 880000000 + i << '\n';
      } else {
        base << u << '\t' << i << "\t4\t" << 880000000 + i << '\n';
      }
    }
  }
  return dir;
}

ValidationOptions SmallGrid() {
  ValidationOptions o;
  o.per_user = 3;
  o.k = 5;
  o.lambdas = {1, 10, 100};
  o.pop_betas = {0, 0.5};
  return o;
}

}  // namespace

TEST_CASE("recommend/movielens validation: carved from training ratings only, per user, seeded") {
  const fs::path dir = WriteRatings("carve", 0);
  MovieLensSplit s;
  REQUIRE(LoadMovieLensSplit((dir / "r.base").string(), (dir / "r.test").string(), &s));
  std::vector<Interaction> fit, fit2, fit3;
  std::vector<TestQuery> val, val2, val3;
  CarveValidation(s.ds, s.train, 3, 1, &fit, &val);
  std::vector<size_t> per_user(s.ds.users.size(), 0);
  for (auto& x : s.train) per_user[x.user]++;
  size_t held = 0;
  for (auto& q : val) {
    CHECK(q.relevant.size() <= std::min<size_t>(3, per_user[q.user] / 2));
    held += q.relevant.size();
    for (auto& x : fit) CHECK_FALSE((x.user == q.user && x.item == q.relevant[0]));  // held out, not also kept
  }
  CHECK(fit.size() + held == s.train.size());
  CHECK(val.size() >= 40);
  CarveValidation(s.ds, s.train, 3, 1, &fit2, &val2);  // same seed: same split
  CHECK(fit2.size() == fit.size());
  bool same = val2.size() == val.size();
  for (size_t i = 0; same && i < val.size(); i++) same = val[i].relevant == val2[i].relevant;
  CHECK(same);
  CarveValidation(s.ds, s.train, 3, 2, &fit3, &val3);  // another seed: another draw
  bool differs = val3.size() != val.size();
  for (size_t i = 0; !differs && i < val.size(); i++) differs = val[i].relevant != val3[i].relevant;
  CHECK(differs);
  fs::remove_all(dir);
}

TEST_CASE("recommend/movielens EASE tuning: the choice ignores the test file and is reported with its scores") {
  const fs::path a_dir = WriteRatings("tune_a", 0), b_dir = WriteRatings("tune_b", 17);
  MovieLensSplit a, b;
  REQUIRE(LoadMovieLensSplit((a_dir / "r.base").string(), (a_dir / "r.test").string(), &a));
  REQUIRE(LoadMovieLensSplit((b_dir / "r.base").string(), (b_dir / "r.test").string(), &b));
  REQUIRE(a.ds.items.size() == b.ds.items.size());
  const ValidationOptions o = SmallGrid();
  const EaseChoice ca = ChooseEaseOnValidation(a.ds, a.train, o), cb = ChooseEaseOnValidation(b.ds, b.train, o);
  // The grid is every lambda x beta, the choice its highest P@k.
  REQUIRE(ca.grid.size() == 6);
  double best = -1;
  for (auto& g : ca.grid) best = std::max(best, g.precision);
  CHECK(ca.precision == best);
  CHECK(ca.precision > 0.15);  // the tastes are learnable (a random list scores about 0.1)
  // Altered test ratings (other items relevant): the same choice, the same validation numbers.
  CHECK(ca.lambda == cb.lambda);
  CHECK(ca.pop_beta == cb.pop_beta);
  for (size_t i = 0; i < ca.grid.size(); i++) CHECK(ca.grid[i].precision == cb.grid[i].precision);
  // ...while the test scores of the refitted model do move, so the test file was read, just not for choosing.
  RankerOptions ro;
  ro.ease_lambda = ca.lambda;
  ro.ease_pop_beta = ca.pop_beta;
  auto ra = MakeRanker(RankerKind::Ease, ro), rb = MakeRanker(RankerKind::Ease, ro);
  ra->Fit(a.ds, a.train);
  rb->Fit(b.ds, b.train);
  while (!ra->TrainStep(0) || !rb->TrainStep(0)) {
  }
  CHECK(ScoreTopK(*ra, a.test, o.k).precision != ScoreTopK(*rb, b.test, o.k).precision);
  // The ranker built from a grid row scores on validation exactly as that row says.
  std::vector<Interaction> fit;
  std::vector<TestQuery> val;
  CarveValidation(a.ds, a.train, o.per_user, o.seed, &fit, &val);
  CHECK(ca.val_users == val.size());
  CHECK(ca.fit_ratings == fit.size());
  for (const ValidationRow& g : {ca.grid[1], ca.grid[4]}) {
    RankerOptions r;
    r.ease_lambda = g.lambda;
    r.ease_pop_beta = g.pop_beta;
    auto m = MakeRanker(RankerKind::Ease, r);
    m->Fit(a.ds, fit);
    while (!m->TrainStep(0)) {
    }
    const TopKScore t = ScoreTopK(*m, val, o.k);
    CHECK(t.precision == g.precision);
    CHECK(t.ndcg == g.ndcg);
  }
  fs::remove_all(a_dir);
  fs::remove_all(b_dir);
}
