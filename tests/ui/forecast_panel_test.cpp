// The Forecasts panel through the app, headless: ?run=forecast-demo loads the
// demo data, prepares it per product and day and backtests in slices while
// frames draw; status().forecast then holds the accuracy table. Bad
// parameters and a missing folder are errors the user sees, not crashes.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "forecast/demo.h"
#include "headless_app.h"
#include "ui/app_state.h"

TEST_CASE("ui/forecast: ?run=forecast-demo backtests in slices; status().forecast has the accuracy table") {
  HeadlessApp h(__func__);
  const std::string dir = HeadlessImGui::UserDir("forecast_data");
  REQUIRE(fk::forecast::WriteDemo(dir, 7));
  REQUIRE(h.app.Run("forecast-demo", {{"data", dir}, {"horizon", "14"}, {"windows", "2"}}));
  CHECK(h.Status()["panel"] == "Forecasts");
  int frames = 0;
  nlohmann::json f;
  for (; frames < 5000; frames++) {
    h.Frames(1);
    f = h.Status()["forecast"];
    if (f.is_object() && f["state"] == "done") break;
  }
  REQUIRE(f["state"] == "done");
  CHECK(frames > 5);  // loading, preparing and the backtest took many slices
  CHECK(f["series"] == 4);  // the end-of-life lamp is dropped by default
  CHECK(f["end_of_life"] == 1);
  CHECK(f["new_items"] == 1);
  REQUIRE(f["accuracy"].size() == 5);
  for (auto& m : f["accuracy"]) {
    INFO(m["model"].get<std::string>());
    for (const char* k : {"avg_wql", "wape", "rmse", "mape", "mase"}) CHECK(m[k].is_number());
    CHECK(m["wql"]["p10"].is_number());
    CHECK(m["wql"]["p90"].is_number());
    CHECK(m["points"] == 4 * 2 * 14);
  }
  CHECK(f["related"].get<std::string>().find("related time series helpful") == 0);
  CHECK(f["best"] == "etsx");
  CHECK(f["cold_start"].get<std::string>().find("throw-blanket: no history") == 0);
  h.Frames(3);  // the results draw
  CHECK(h.Status()["items"].contains("forecast.export"));
}

TEST_CASE("ui/forecast: bad ?run=forecast-demo parameters and a missing folder are reported") {
  HeadlessApp h(__func__);
  CHECK_FALSE(h.app.Run("forecast-demo", {{"windows", "9"}}));
  CHECK_FALSE(h.app.Run("forecast-demo", {{"models", "prophet"}}));
  REQUIRE(h.app.Run("forecast-demo", {{"data", "/nonexistent/forecast"}}));
  h.Frames(20);
  const auto s = h.Status();
  REQUIRE(s["errors"].size() >= 3);
  CHECK(s["errors"][0].get<std::string>().find("windows out of range") != std::string::npos);
  CHECK(s["errors"][1].get<std::string>().find("unknown model 'prophet'") != std::string::npos);
  bool missing = false;
  for (auto& e : s["errors"]) missing |= e.get<std::string>().find("/nonexistent/forecast/sales.csv") != std::string::npos;
  CHECK(missing);
}
