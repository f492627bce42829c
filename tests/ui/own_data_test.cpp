// A user's own files through the app, headless, as the page's drop does it
// (?run=import): Personalize CSVs go to Recommendations by their headers and
// replace the demo data; a CSV without dates on the open Forecasts panel
// fails there with the reason (no CLI flag); a metrics CSV whose columns match
// no measure is offered its columns and runs with the pick; a file nobody
// takes gets a message saying which files each panel takes.
#include <doctest/doctest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "fk_imconfig.h"
#include "headless_app.h"
#include "ui/app_state.h"

namespace {
void Write(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}
}  // namespace

TEST_CASE("ui/own: Personalize CSVs are routed to Recommendations and replace the demo data") {
  HeadlessApp h(__func__);
  const std::string dir = HeadlessImGui::UserDir("own_reco");
  std::string inter = "USER_ID,ITEM_ID,TIMESTAMP,DAILY_TEMPERATURE\n", users = "USER_ID\n";
  for (int u = 0; u < 20; u++) {
    users += "u" + std::to_string(u) + "\n";
    for (int k = 0; k < 6; k++)
      inter += "u" + std::to_string(u) + ",i" + std::to_string((u + k) % 4) + "," + std::to_string(1585000000 + u * 100 + k) +
               "," + (k % 2 ? "hot" : "cold") + "\n";
  }
  Write(dir + "/a.csv", inter);
  Write(dir + "/b.csv", users);
  Write(dir + "/c.csv", "ITEM_ID,CATEGORY\ni0,x\ni1,x\ni2,y\ni3,y\n");
  REQUIRE(h.app.OpenPanel("System"));
  REQUIRE(h.app.Run("import", {{"path", dir + "/a.csv"}}));
  CHECK(h.Status()["panel"] == "Recommendations");
  CHECK(h.app.State().recommend.own_message.find("still missing: users, items") != std::string::npos);
  REQUIRE(h.app.Run("import", {{"path", dir + "/b.csv"}}));
  REQUIRE(h.app.Run("import", {{"path", dir + "/c.csv"}}));
  h.FramesUntil([](const nlohmann::json& s) {
    return s["recommend"].is_object() && s["recommend"].value("source", "") == "own" &&
           s["recommend"].value("state", "") == "loaded";
  });
  const nlohmann::json r = h.Status()["recommend"];
  REQUIRE(r.value("state", "") == "loaded");
  CHECK(r["data"]["items"] == 4);
  CHECK(r["data"]["users"] == 20);
  CHECK(r["data"]["interactions"] == 120);
  CHECK(r["files"]["users"] == dir + "/b.csv");
  CHECK(h.app.State().recommend.user_id == std::string("u0"));  // the demo's 170 is not theirs
}

TEST_CASE("ui/own: a CSV without dates dropped on Forecasts fails there, the reason worded for the panel") {
  HeadlessApp h(__func__);
  const std::string dir = HeadlessImGui::UserDir("own_forecast");
  Write(dir + "/nodates.csv", "product,sales\nA,3\nB,4\n");
  REQUIRE(h.app.OpenPanel("Forecasts"));
  REQUIRE(h.app.Run("import", {{"path", dir + "/nodates.csv"}}));
  h.FramesUntil([](const nlohmann::json& s) { return s["forecast"].is_object() && s["forecast"].value("state", "") == "failed"; });
  const nlohmann::json f = h.Status()["forecast"];
  REQUIRE(f.value("state", "") == "failed");
  const std::string e = f["error"];
  CHECK(e.find("nodates.csv: no timestamp column: none of its columns (product, sales)") != std::string::npos);
  CHECK(e.find("--") == std::string::npos);
  h.Frames(2);
  CHECK(h.Status()["items"].contains("forecast.error"));  // on screen, not only in status().errors
}

TEST_CASE("ui/own: the demo's related and item files are not joined to a user's target on Load") {
  HeadlessApp h(__func__);
  const std::string dir = HeadlessImGui::UserDir("own_forecast_load");
  std::string csv = "date,product,sales\n";
  for (int d = 1; d <= 28; d++) csv += "2022-02-" + std::string(d < 10 ? "0" : "") + std::to_string(d) + ",A," + std::to_string(d % 5) + "\n";
  Write(dir + "/mine.csv", csv);
  REQUIRE(h.app.OpenPanel("Forecasts"));
  h.Frames(2);  // the panel fills in the demo's paths
  auto& st = h.app.State().forecast;
  REQUIRE(std::string(st.related_path).find("related.csv") != std::string::npos);
  std::snprintf(st.target_path, sizeof st.target_path, "%s", (dir + "/mine.csv").c_str());
  REQUIRE(h.Click("forecast.load"));
  h.FramesUntil([](const nlohmann::json& s) { return s["forecast"].is_object() && s["forecast"].value("state", "") == "prepared"; });
  const nlohmann::json f = h.Status()["forecast"];
  REQUIRE(f.value("state", "") == "prepared");
  CHECK(f["related_features"] == 0);
  CHECK(std::string(st.related_path).empty());
  CHECK(f["message"].get<std::string>().find("demo's related and item metadata file is not joined") != std::string::npos);
}

TEST_CASE("ui/own: a metrics CSV matching no measure is offered its columns and runs with the pick") {
  HeadlessApp h(__func__);
  const std::string dir = HeadlessImGui::UserDir("own_anomaly");
  std::string csv = "ts,host,cpu\n";
  for (int i = 0; i < 400; i++) csv += std::to_string(1622505600 + i * 300) + ",web1," + std::to_string(20 + i % 3) + "\n";
  Write(dir + "/metrics.csv", csv);
  REQUIRE(h.app.OpenPanel("Anomalies"));
  REQUIRE(h.app.Run("import", {{"path", dir + "/metrics.csv"}}));
  nlohmann::json a = h.Status()["anomaly"];
  REQUIRE(a.value("state", "") == "choose_columns");
  CHECK(a["columns"]["numeric"] == nlohmann::json::array({"cpu"}));
  CHECK(a["columns"]["text"] == nlohmann::json::array({"host"}));
  CHECK(a["columns"]["time"] == nlohmann::json::array({"ts"}));
  h.Frames(2);
  REQUIRE(h.Click("anomaly.columns.run"));
  h.FramesUntil([](const nlohmann::json& s) {
    const std::string st = s["anomaly"].is_object() ? s["anomaly"].value("state", "") : "";
    return st == "done" || st == "failed";
  });
  a = h.Status()["anomaly"];
  CHECK(a["state"] == "done");
  CHECK(a["events"] == 400);
  CHECK(a["series"] == 1);
  // A text column whose name holds a comma: the dimensions field is a comma-separated list, so it
  // would become two dimensions matching nothing. The run is refused, saying why.
  std::string comma = "ts,\"host, rack\",mem\n";  // mem: not the measure picked above
  for (int i = 0; i < 50; i++) comma += std::to_string(1622505600 + i * 300) + ",web1," + std::to_string(20 + i % 3) + "\n";
  Write(dir + "/comma.csv", comma);
  REQUIRE(h.app.Run("import", {{"path", dir + "/comma.csv"}}));
  a = h.Status()["anomaly"];
  REQUIRE(a.value("state", "") == "choose_columns");
  CHECK(a["columns"]["text"] == nlohmann::json::array({"host, rack"}));
  h.Frames(2);
  REQUIRE(h.Click("anomaly.columns.run"));
  h.Frames(2);
  a = h.Status()["anomaly"];
  CHECK(a.value("state", "") == "choose_columns");
  CHECK(a.value("message", "").find("'host, rack' has a comma in its name") != std::string::npos);
  // No time column at all: failed, saying so (not "done" with 0 events).
  Write(dir + "/notime.csv", "host,cpu\nweb1,3\n");
  REQUIRE(h.app.Run("import", {{"path", dir + "/notime.csv"}}));
  a = h.Status()["anomaly"];
  CHECK(a["state"] == "failed");
  CHECK(a["error"].get<std::string>().find("no column holds times") != std::string::npos);
}

TEST_CASE("ui/own: a file no panel takes gets a message naming what each panel takes") {
  HeadlessApp h(__func__);
  const std::string dir = HeadlessImGui::UserDir("own_route");
  Write(dir + "/notes.txt", "hello\n");
  REQUIRE(h.app.Run("import", {{"path", dir + "/notes.txt"}}));
  CHECK(h.app.State().errors.empty());  // the import worked; the file stays in the list
  REQUIRE_FALSE(h.app.State().log.empty());
  CHECK(h.app.State().log.back().find("no panel takes a .txt file") != std::string::npos);
}
