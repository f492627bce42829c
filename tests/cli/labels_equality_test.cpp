// The Label Review panel and `fieldkit-cli labels loop --simulate-reviewer`
// run one labels::Loop: driven as a user would (?run=labels-demo, "Simulate
// reviewer on the rest", "Train v2 on reviewed") the panel's v1 and v2 scores
// and review counts are the CLI's, number for number.
#include <doctest/doctest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "../labels/logo_data.h"
#include "../ui/headless_app.h"
#include "fk_imconfig.h"
#include "run_verb.h"
#include "ui/app_state.h"
#include "ui/panels.h"

TEST_CASE("cli/labels: the panel's loop and `labels loop --simulate-reviewer` give the same scores and review") {
  const std::string dir = SmallLogoDataDir();
  HeadlessApp h(__func__);
  REQUIRE(h.app.Run("labels-demo", {{"data", dir}}));
  h.FramesUntil([](const nlohmann::json& s) { return s["labels"].value("state", "") == "ready"; });
  REQUIRE(h.Status()["labels"]["state"] == "ready");
  h.Frames(1);
  REQUIRE(h.Click("labels.simulate"));
  REQUIRE(h.Status()["labels"]["reviewed"] == 6);
  REQUIRE(h.Click("labels.train_v2"));
  h.FramesUntil([](const nlohmann::json& s) { return s["labels"]["v2"].is_object(); });
  const nlohmann::json panel = h.Status()["labels"];
  REQUIRE(panel["v2"].is_object());
  CHECK(fk::ui::ImAssertFailures() == 0);

  const auto out = fk::test::RunVerb(fk::cli::LabelsCommand, {"loop", "--data", dir, "--simulate-reviewer", "--json"});
  INFO(out.error);
  REQUIRE(out.code == 0);
  const nlohmann::json cli = nlohmann::json::parse(out.out);
  for (const char* model : {"v1", "v2"}) {
    INFO(model);
    for (const char* k : {"precision", "recall", "f1", "threshold", "assumed_threshold", "f1_at_assumed"}) {
      INFO(k);
      CHECK(cli[model][k] == panel[model][k]);  // exact: the same object, the same arithmetic
    }
  }
  CHECK(cli["v2"]["f1"] != cli["v1"]["f1"]);  // v2 learnt from the review: the two rows are not one number twice
  for (const char* k : {"accepted_unchanged", "adjusted", "deleted", "added", "effort_saved"}) {
    INFO(k);
    CHECK(cli[k] == panel["review"][k]);
  }
  CHECK(cli["proposed"] == panel["proposals"]);
  CHECK(cli["problems"] == panel["problems"]);
}
