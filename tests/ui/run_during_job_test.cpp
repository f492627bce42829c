// fieldkit.run() can be called at any time in the page. A run that would
// replace the data a running job points into (the forecast aggregation's
// target rows, the recommenders' data set) is refused with a message; the job
// finishes on the data it started with.
#include <doctest/doctest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "forecast/demo.h"
#include "demo_data.h"
#include "headless_app.h"
#include "recommend/generate.h"
#include "ui/app_state.h"

namespace {
bool Logged(const fk::ui::AppState& app, const std::string& text) {
  for (auto& e : app.errors)
    if (e.find(text) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("ui/forecast: other data while the forecast job runs is refused; the job finishes on its own data") {
  HeadlessApp h(__func__);
  const std::string dir = HeadlessImGui::UserDir("forecast_run_data");
  REQUIRE(fk::forecast::WriteDemo(dir, 7));
  REQUIRE(h.app.Run("forecast-demo", {{"data", dir}, {"horizon", "14"}, {"windows", "1"}}));
  // Once the target is loaded the job aggregates it, then backtests, over many slices.
  const auto& st = h.app.State().forecast;
  auto loaded = [&st] { return st.pipe && st.pipe->data().in.target.has_value(); };
  h.FramesUntil([&loaded](const nlohmann::json&) { return loaded(); });
  REQUIRE(loaded());
  REQUIRE(h.app.State().jobs.Has("Forecast backtest"));
  CHECK_FALSE(h.app.Run("forecast-demo", {{"data", dir + "/elsewhere"}}));
  CHECK(Logged(h.app.State(), "data cannot change while a forecast job runs"));
  h.FramesUntil([](const nlohmann::json& s) { return s["forecast"].value("state", "") == "done"; });
  const nlohmann::json f = h.Status()["forecast"];
  REQUIRE(f["state"] == "done");
  CHECK(f["series"] == 4);
}

TEST_CASE("ui/recommend: other data while training runs is refused; training finishes on its own data") {
  HeadlessApp h(__func__);
  const std::string dir = WriteRecommendDemo("recommend_run_data", 120);
  REQUIRE(h.app.Run("recommend-demo", {{"data", dir}}));
  REQUIRE(FramesUntilRunning(h, "Train recommenders"));
  h.Frames(2);
  CHECK_FALSE(h.app.Run("recommend-demo", {{"data", dir + "/elsewhere"}}));
  CHECK(Logged(h.app.State(), "data cannot change while a recommendations job runs"));
  h.FramesUntil([](const nlohmann::json& s) { return s["recommend"]["state"] == "trained"; });
  CHECK(h.Status()["recommend"]["state"] == "trained");
}
