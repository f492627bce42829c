// The Recommendations panel and `fieldkit-cli recommend eval` run one
// recommend::Experiment: for the same data they give the same offline
// metrics (all, hot-day and cold-day queries), number for number.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "../ui/headless_app.h"
#include "recommend/generate.h"
#include "run_verb.h"
#include "ui/app_state.h"

TEST_CASE("cli/recommend: the panel's run and the CLI's eval give the same metrics") {
  HeadlessApp h(__func__);
  const std::string dir = HeadlessImGui::UserDir("recommend_equality");
  fk::recommend::GenerateOptions g;
  g.users = 300;
  REQUIRE(fk::recommend::WriteDataset(dir, fk::recommend::Generate(g)));
  REQUIRE(h.app.Run("recommend-demo", {{"data", dir}, {"context", "cold"}}));
  h.FramesUntil([](const nlohmann::json& s) { return s["recommend"].value("state", "") == "trained"; });
  const nlohmann::json panel = h.Status()["recommend"];
  REQUIRE(panel["state"] == "trained");

  // The panel's models and split (Personalize's defaults, split seed 1), with the CLI's defaults for the rest.
  const auto out = fk::test::RunVerb(
      fk::cli::RecommendCommand,
      {"eval", "--data", dir, "--models", "popularity,popularity_in_context,item_knn,fm_no_context,fm_context", "--json"});
  INFO(out.error);
  REQUIRE(out.code == 0);
  const nlohmann::json cli = nlohmann::json::parse(out.out);
  REQUIRE(cli["models"].size() == 5);
  REQUIRE(panel["metrics"].size() == 5);
  CHECK(cli["data"]["skipped"] == panel["data"]["skipped"]);
  for (auto& [name, c] : cli["models"].items()) {
    INFO(name);
    REQUIRE(panel["metrics"].contains(name));
    const nlohmann::json& p = panel["metrics"][name];
    CHECK(c["queries"].get<size_t>() > 0);
    for (const char* part : {"", "hot_days", "cold_days"}) {
      INFO(part);
      const nlohmann::json& cm = *part ? c[part] : c;
      const nlohmann::json& pm = *part ? p[part] : p;
      for (const char* k : {"coverage", "mean_reciprocal_rank_at_25", "normalized_discounted_cumulative_gain_at_5",
                            "normalized_discounted_cumulative_gain_at_10",
                            "normalized_discounted_cumulative_gain_at_25", "precision_at_5", "precision_at_10",
                            "precision_at_25", "queries"}) {
        INFO(k);
        REQUIRE(cm.contains(k));
        CHECK(cm[k] == pm[k]);  // exact: the same object, the same arithmetic
      }
    }
  }
  // A different split is a different experiment: the comparison above can fail.
  const auto other = fk::test::RunVerb(fk::cli::RecommendCommand,
                                       {"eval", "--data", dir, "--models", "popularity", "--split-seed", "2", "--json"});
  REQUIRE(other.code == 0);
  CHECK(nlohmann::json::parse(other.out)["models"]["popularity"]["normalized_discounted_cumulative_gain_at_10"] !=
        panel["metrics"]["popularity"]["normalized_discounted_cumulative_gain_at_10"]);
}
