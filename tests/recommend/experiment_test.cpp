// recommend::Experiment, the one recommendations run behind the
// Recommendations panel and `fieldkit-cli recommend`: results do not depend on
// the slice budget or the unit sizes, a run can start from a data set an
// earlier one read, and bad or missing files are errors that name them.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "recommend/experiment.h"
#include "recommend/generate.h"

namespace fs = std::filesystem;
using namespace fk::recommend;

namespace {

std::string DataDir(const std::string& name, int users = 200) {
  const fs::path dir = fs::temp_directory_path() / ("fk_experiment_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  GenerateOptions g;
  g.users = users;
  REQUIRE(WriteDataset(dir.string(), Generate(g)));
  return dir.string();
}

ExperimentOptions SmallOptions(const std::string& dir) {
  ExperimentOptions o;
  o.data_dir = dir;
  o.models = {RankerKind::Popularity, RankerKind::PopularityInContext, RankerKind::ItemKnn, RankerKind::Ease,
              RankerKind::FmNoContext, RankerKind::FmContext};
  o.ranker.epochs = 3;  // keeps the one-sample-per-unit run short
  o.split_seeds = {1, 2};
  o.full_model = RankerKind::FmContext;
  return o;
}

// The status without the timings (the only numbers allowed to differ).
nlohmann::json Numbers(const Experiment& e) {
  nlohmann::json j = e.StatusJson();
  for (auto& [name, m] : j["models"].items()) m.erase("train_seconds");
  return j;
}

std::vector<float> Scores(const Ranker& r, const Query& q) {
  std::vector<float> s;
  r.Score(q, &s);
  return s;
}

}  // namespace

TEST_CASE("recommend/experiment: the smallest units one per step and one big step give the same numbers") {
  const std::string dir = DataDir("budget");
  ExperimentOptions small = SmallOptions(dir);
  small.read_lines = 1;
  small.train_samples = 1;
  Experiment a(small);
  size_t steps = 0;
  float last = 0;
  bool monotone = true, named = true;
  while (!a.Step(0.0)) {  // exactly one unit per step
    steps++;
    monotone = monotone && a.Progress() >= last && a.Progress() <= 1.f;
    last = a.Progress();
    named = named && !a.Detail().empty();
  }
  REQUIRE_MESSAGE(a.finished(), a.error());
  CHECK(monotone);
  CHECK(named);

  ExperimentOptions big = SmallOptions(dir);
  big.read_lines = size_t(1) << 30;
  big.train_samples = size_t(1) << 30;
  Experiment b(big);
  CHECK(b.Step(1e9));  // everything in one step
  REQUIRE_MESSAGE(b.finished(), b.error());
  CHECK(steps > 10000);  // the small run really was sliced: one sample per unit

  const nlohmann::json ja = Numbers(a), jb = Numbers(b);
  CHECK(ja == jb);
  REQUIRE(ja["models"].size() == 6);
  CHECK(ja["split"]["splits"] == 2);
  CHECK(ja["models"]["fm_context"]["queries"].get<size_t>() > 0);
  CHECK(ja["models"]["fm_context"]["normalized_discounted_cumulative_gain_at_10"].get<double>() >
        ja["models"]["popularity"]["normalized_discounted_cumulative_gain_at_10"].get<double>());
  // The kept rankers and the model trained on every interaction score alike too.
  const Query q{3, a.data().ds->user_persona[3], Band::Cold};
  for (RankerKind k : small.models) {
    REQUIRE(a.Model(k) != nullptr);
    CHECK(Scores(*a.Model(k), q) == Scores(*b.Model(k), q));
  }
  REQUIRE(a.data().full);
  REQUIRE(b.data().full);
  CHECK(Scores(*a.data().full, q) == Scores(*b.data().full, q));
}

TEST_CASE("recommend/experiment: a run can start from the data set an earlier run read") {
  const std::string dir = DataDir("from");
  ExperimentOptions load = SmallOptions(dir);
  load.models.clear();
  load.full_model.reset();
  Experiment loading(load);
  loading.RunToEnd();
  REQUIRE_MESSAGE(loading.finished(), loading.error());
  REQUIRE(loading.loaded());
  CHECK(loading.data().results.empty());
  CHECK(loading.Progress() == 1.f);
  const Dataset* ds = loading.data().ds.get();

  ExperimentOptions o = SmallOptions(dir);
  o.split_seeds = {3};
  o.full_model.reset();
  Experiment from(o, loading.TakeData());
  CHECK(loading.failed());  // spent: its data moved on
  CHECK_FALSE(loading.loaded());
  CHECK(from.loaded());
  CHECK(from.data().ds.get() == ds);  // not copied: rankers may point into it
  CHECK(from.stage() == ExperimentStage::Split);
  from.RunToEnd();
  REQUIRE_MESSAGE(from.finished(), from.error());

  Experiment fresh(o);
  fresh.RunToEnd();
  REQUIRE_MESSAGE(fresh.finished(), fresh.error());
  CHECK(Numbers(from)["models"] == Numbers(fresh)["models"]);
  CHECK(Numbers(from)["dataset"] == Numbers(fresh)["dataset"]);

  Experiment nothing(o, ExperimentData{});
  CHECK(nothing.done());
  CHECK(nothing.error().find("no data set") != std::string::npos);
}

TEST_CASE("recommend/experiment: bad or missing files and bad options are errors naming them") {
  const std::string dir = DataDir("bad", 30);
  auto error_of = [](const ExperimentOptions& o) {
    Experiment e(o);
    e.RunToEnd();
    CHECK(e.failed());
    CHECK_FALSE(e.loaded());
    CHECK(e.data().results.empty());
    return e.error();
  };
  ExperimentOptions o = SmallOptions("/nonexistent/recommend");
  CHECK(error_of(o).find("/nonexistent/recommend/items.csv") != std::string::npos);

  fs::remove(dir + "/users.csv");
  o.data_dir = dir;
  CHECK(error_of(o).find(dir + "/users.csv") != std::string::npos);

  const std::string dir2 = DataDir("bad2", 30);
  std::ofstream(dir2 + "/interactions.csv") << "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n";
  o.data_dir = dir2;
  CHECK(error_of(o) == dir2 + "/interactions.csv: no valid interactions");
  std::ofstream(dir2 + "/interactions.csv") << "USER_ID,TIMESTAMP\n1,1585132800\n";
  CHECK(error_of(o).find(dir2 + "/interactions.csv") != std::string::npos);
  std::ofstream(dir2 + "/items.csv") << "ITEM_ID,CATEGORY,SIZE\n";
  CHECK(error_of(o) == dir2 + "/items.csv: no valid items");

  ExperimentOptions bad = SmallOptions(dir);
  bad.ranker.factors = 0;
  CHECK(error_of(bad).find("factors") != std::string::npos);
  bad = SmallOptions(dir);
  bad.split.holdout = 1;
  CHECK(error_of(bad).find("holdout") != std::string::npos);
  bad = SmallOptions("");
  CHECK(error_of(bad).find("data folder") != std::string::npos);
}

TEST_CASE("recommend/experiment: TopForUser resolves the user, the persona and the context") {
  const std::string dir = DataDir("top", 60);
  ExperimentOptions o;
  o.data_dir = dir;
  o.full_model = RankerKind::FmContext;
  o.ranker.epochs = 2;
  Experiment e(o);
  e.RunToEnd();
  REQUIRE_MESSAGE(e.finished(), e.error());
  const Dataset& ds = *e.data().ds;
  const Ranker& r = *e.data().full;

  TopRequest req;
  req.user = "17";
  req.band = Band::Hot;
  req.k = 7;
  const TopLists t = TopForUser(ds, r, req);
  REQUIRE(t.error.empty());
  const uint32_t u = ds.user_index.at("17");
  CHECK(t.query.user == int(u));
  CHECK(t.query.persona == ds.user_persona[u]);
  CHECK(t.query.band == Band::Unknown);
  CHECK(t.without_context.size() == 7);
  const auto expect_with = Recommend(r, {int(u), ds.user_persona[u], Band::Hot}, 7, false);
  REQUIRE(t.with_context.size() == expect_with.size());
  for (size_t i = 0; i < expect_with.size(); i++) CHECK(t.with_context[i].item == expect_with[i].item);

  req.persona = ds.user_persona[u] == 0 ? 1 : 0;  // another persona than the user's own
  CHECK(TopForUser(ds, r, req).query.persona == req.persona);

  req.new_user = true;
  const TopLists cold = TopForUser(ds, r, req);
  CHECK(cold.query.user == -1);
  CHECK(cold.query.persona == req.persona);
  CHECK(cold.with_context.size() == 7);

  req.new_user = false;
  req.user = "no-such-user";
  const TopLists missing = TopForUser(ds, r, req);
  CHECK(missing.error == "user 'no-such-user' is not in users.csv");
  CHECK(missing.without_context.empty());
  CHECK(missing.with_context.empty());
}
