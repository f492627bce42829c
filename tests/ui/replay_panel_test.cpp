// The Seed replay through the app, headless: ?run=replay&panel=NAME opens the
// panel, runs the replay as a job while frames draw and fills status().replay;
// the "Seed replay" button beside a panel's title does the same; a bad or
// missing panel name is an error the user sees.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "headless_app.h"

TEST_CASE("ui/replay: ?run=replay&panel=anomaly runs in a job; status().replay holds the rows; the window shows them") {
  HeadlessApp h(__func__);
  CHECK(h.Status()["replay"].is_null());
  REQUIRE(h.app.Run("replay", {{"panel", "anomaly"}}));
  CHECK(h.Status()["panel"] == "Anomalies");
  h.FramesUntil([](const nlohmann::json& s) { return s["replay"].value("state", "") == "done"; }, 60);
  const nlohmann::json r = h.Status()["replay"];
  REQUIRE(r["state"] == "done");
  CHECK(r["panel"] == "anomaly");
  REQUIRE(r["rows"].size() >= 4);
  for (const auto& row : r["rows"])
    for (const char* k : {"figure", "seed", "ours", "note"}) CHECK(row[k].is_string());
  CHECK(r["rows"][2]["ours"] == "1 -> 87");
  h.Frames(2);
  CHECK(h.Status()["items"].contains("replay.table"));
}

TEST_CASE("ui/replay: the Seed replay button beside the Forecasts title runs that panel's replay") {
  HeadlessApp h(__func__);
  REQUIRE(h.app.OpenPanel("forecast"));
  h.Frames(2);
  REQUIRE(h.Status()["items"].contains("replay.open"));
  REQUIRE(h.Click("replay.open"));
  h.FramesUntil([](const nlohmann::json& s) { return s["replay"].is_object() && s["replay"].value("state", "") == "done"; },
                60);
  const nlohmann::json r = h.Status()["replay"];
  REQUIRE(r["panel"] == "forecast");
  CHECK(r["rows"][0]["ours"] == r["rows"][0]["seed"]);  // Product A/B per day, from the post's seven rows
  h.Frames(1);
  CHECK(h.Status()["items"].contains("replay.window"));
}

TEST_CASE("ui/replay: a missing or unknown panel name is refused with the names") {
  HeadlessApp h(__func__);
  CHECK_FALSE(h.app.Run("replay", {}));
  CHECK(h.Status()["errors"].back() ==
        "?run=replay needs panel=NAME, one of labels, anomaly, forecast, recommend, sparse, features");
  CHECK_FALSE(h.app.Run("replay", {{"panel", "weather"}}));
  CHECK(h.Status()["errors"].back().get<std::string>().find("(got 'weather')") != std::string::npos);
  CHECK(h.Status()["replay"].is_null());
  CHECK_FALSE(h.app.Run("replay-demo", {}));
  CHECK(h.Status()["errors"].back().get<std::string>().find(", replay, import)") != std::string::npos);
}

TEST_CASE("ui/replay: the Feature Store replay: ingest, describe, get and delete rows; the longest job step") {
  HeadlessApp h(__func__);
  REQUIRE(h.app.Run("replay", {{"panel", "features"}}));
  h.FramesUntil([](const nlohmann::json& s) { return s["replay"].value("state", "") == "done"; }, 120);
  const nlohmann::json s = h.Status();
  const nlohmann::json r = s["replay"];
  REQUIRE(r["state"] == "done");
  REQUIRE(r["rows"].size() == 5);
  const char* figures[] = {"multithreaded batch ingest", "per thread", "describe: feature definitions", "GetRecord by id",
                           "DeleteRecord, then get"};
  for (size_t i = 0; i < 5; i++) CHECK(r["rows"][i]["figure"] == figures[i]);
  CHECK(r["rows"][4]["ours"].get<std::string>().find("deleted; get again: ") == 0);
  MESSAGE("features replay: longest job step " << s["job"]["max_step_ms"].get<double>() << " ms ("
                                               << s["job"]["max_step_detail"].get<std::string>() << ")");
}
