// The Forecasts panel through the app, headless: ?run=forecast-demo loads the
// demo data, prepares it per product and day and backtests in slices while
// frames draw; status().forecast then holds the accuracy table. Bad
// parameters and a missing folder are errors the user sees, not crashes.
#include <doctest/doctest.h>

#include <fstream>

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
  const int frames = h.FramesUntil([](const nlohmann::json& s) { return s["forecast"].value("state", "") == "done"; });
  nlohmann::json f = h.Status()["forecast"];
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

TEST_CASE("ui/forecast: related fills from ?run=forecast-demo reach the aligned features; nan is refused") {
  HeadlessApp h(__func__);
  const std::string dir = HeadlessImGui::UserDir("forecast_fills");
  REQUIRE(fk::forecast::WriteDemo(dir, 7));
  CHECK_FALSE(h.app.Run("forecast-demo", {{"data", dir}, {"related_backfill", "nan"}}));
  CHECK(h.Status()["errors"][0].get<std::string>().find(
            "related_backfill: 'nan' is not allowed for a related time series") != std::string::npos);
  REQUIRE(h.app.Run("forecast-demo", {{"data", dir}, {"models", "snaive"}, {"horizon", "35"},
                                      {"related_middlefill", "zero"}, {"related_futurefill", "value:-1"},
                                      {"backfill", "value:2"}}));
  h.FramesUntil([](const nlohmann::json& s) { return s["forecast"].value("state", "") == "done"; });
  nlohmann::json f = h.Status()["forecast"];
  REQUIRE(f["state"] == "done");
  CHECK(f["fills"]["related_middlefill"] == "zero");
  CHECK(f["fills"]["related_backfill"] == "median");
  CHECK(f["fills"]["related_futurefill"] == "value:-1");
  CHECK(f["fills"]["backfill"] == "value:2");
  CHECK(f["related_features"] == 2);  // price, promo
  REQUIRE(h.app.State().forecast.pipe);
  const auto& d = h.app.State().forecast.pipe->data();
  REQUIRE(!d.related_x.empty());
  // The demo's related file covers 28 days past the sales; the rest of the 35-day horizon is futurefill.
  const size_t last = d.panel.length + 34;
  REQUIRE(d.related_x[0].size() == last + 1);
  CHECK(d.related_x[0][last][0] == -1);
  CHECK(d.related_x[0][d.panel.length + 27][0] > 0);  // a real price, not filled
  bool said = false;
  for (auto& m : f["messages"]) said |= m.get<std::string>() == "related series filled: middlefill zero, backfill median, futurefill value:-1";
  CHECK(said);
}

TEST_CASE("ui/forecast: an imported target CSV is routed to Forecasts by its columns; a bare series waits with a message") {
  HeadlessApp h(__func__);
  const std::string dir = HeadlessImGui::UserDir("forecast_import");
  REQUIRE(fk::forecast::WriteDemo(dir, 7));
  REQUIRE(h.app.OpenPanel("System"));
  REQUIRE(h.app.Run("import", {{"path", dir + "/sales.csv"}}));
  CHECK(h.Status()["panel"] == "Forecasts");
  h.FramesUntil([](const nlohmann::json& s) { return s["forecast"].value("state", "") == "prepared"; });
  nlohmann::json f = h.Status()["forecast"];
  REQUIRE(f["state"] == "prepared");
  CHECK(f["target_path"] == dir + "/sales.csv");
  CHECK(f["series"] == 4);  // per product; the end-of-life lamp dropped
  CHECK(f["related_features"] == 0);  // the demo's related file is not attached to a user's target

  // A related series dropped on its own is not taken for a target.
  const size_t before = h.app.State().log.size();
  REQUIRE(h.app.Run("import", {{"path", dir + "/related.csv"}}));
  CHECK(h.Status()["forecast"]["target_path"] == dir + "/sales.csv");
  bool said = false;
  for (size_t i = before; i < h.app.State().log.size(); i++)
    said |= h.app.State().log[i].find("a related series (price, promo) or a target under another name") != std::string::npos;
  CHECK(said);

  // Dates and one number column: a forecast series or anomaly events; the open panel decides.
  const std::string bare = dir + "/monthly.csv";
  {
    std::ofstream out(bare);
    out << "month,value\n";
    for (int y = 2015; y < 2020; y++)
      for (int m = 1; m <= 12; m++) out << y << '-' << (m < 10 ? "0" : "") << m << ',' << 100 + 10 * (m % 4) + y << '\n';
  }
  REQUIRE(h.app.OpenPanel("System"));
  REQUIRE(h.app.Run("import", {{"path", bare}}));
  CHECK(h.Status()["panel"] == "System");
  CHECK(h.app.State().log.back().find("either one forecast series or anomaly events; open the Anomalies or the "
                                      "Forecasts panel") != std::string::npos);
  REQUIRE(h.app.OpenPanel("Forecasts"));
  REQUIRE(h.app.Run("import", {{"path", bare}}));
  h.FramesUntil([&bare](const nlohmann::json& s) {
    return s["forecast"].value("state", "") == "prepared" && s["forecast"].value("target_path", "") == bare;
  });
  f = h.Status()["forecast"];
  CHECK(f["target_path"] == bare);
  CHECK(f["series"] == 1);
}
