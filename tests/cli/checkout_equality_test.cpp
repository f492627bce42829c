// The Edge Checkout panel and `fieldkit-cli checkout run` run one
// checkout::Checkout: ?run=checkout-demo's status().checkout holds the figures
// and carts the CLI prints with --json for the same stream and detector
// (ms_per_frame aside: a time).
#include <doctest/doctest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "../ui/headless_app.h"
#include "run_verb.h"
#include "ui/app_state.h"

TEST_CASE("cli/checkout: the panel's ?run=checkout-demo and `checkout run --json` give the same figures and carts") {
  HeadlessApp h(__func__);
  REQUIRE(h.app.Run("checkout-demo", {{"seed", "102"}, {"sessions", "2"}, {"photos", "1"}}));
  h.FramesUntil([](const nlohmann::json& s) {
    return s["checkout"].is_object() && s["checkout"].value("state", "") != "running";
  });
  const nlohmann::json panel = h.Status()["checkout"];
  REQUIRE(panel["state"] == "done");

  const auto out = fk::test::RunVerb(fk::cli::CheckoutCommand,
                                     {"run", "--seeds", "102", "--sessions", "2", "--photos", "1", "--json"});
  INFO(out.error);
  REQUIRE(out.code == 0);
  const nlohmann::json cli = nlohmann::json::parse(out.out);
  for (const char* k : {"event_precision", "event_recall", "cart_accuracy", "frames", "carts"}) {
    INFO(k);
    CHECK(cli[k] == panel[k]);  // exact: the same object, the same arithmetic
  }
  CHECK(cli["ms_per_frame"].is_number());
  CHECK(panel["ms_per_frame"].is_number());
  CHECK(!panel["carts"].empty());
}
