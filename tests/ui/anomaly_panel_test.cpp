// The Anomalies panel through the app, headless: ?run=anomaly-demo streams the
// simulator while frames keep drawing, status().anomaly counts grow, the
// feedback buttons are recorded for browser tests, and a 100k-point chart
// draws in O(width) vertices.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "fk_imconfig.h"
#include "imgui.h"
#include "ui/app.h"
#include "headless_app.h"
#include "ui/app_state.h"
#include "ui/panels.h"
#include "ui/plot.h"

namespace {
nlohmann::json Status(fk::ui::App& app) { return nlohmann::json::parse(app.StatusJson()); }
}  // namespace

TEST_CASE("ui/anomaly: ?run=anomaly-demo streams the simulator; status().anomaly counts grow while frames draw") {
  HeadlessApp h(__func__);
  auto& gui = h.gui;
  auto& app = h.app;
  CHECK(Status(app)["anomaly"].is_null());
  REQUIRE(app.Run("anomaly-demo", {{"speed", "max"}, {"days", "120"}}));  // ~0.6M events: many frames
  CHECK(Status(app)["panel"] == "Anomalies");
  h.Frames(4);
  const uint64_t windows_mid = Status(app)["anomaly"]["windows"].get<uint64_t>();
  const int frames = 4 + h.FramesUntil([](const nlohmann::json& st) { return st["anomaly"]["state"] == "done"; });
  const nlohmann::json s = Status(app)["anomaly"];
  CHECK(frames > 3);  // it took several frames: the stream runs in slices
  CHECK(windows_mid > 0);
  CHECK(s["windows"].get<uint64_t>() > windows_mid);
  CHECK(s["windows"].get<uint64_t>() >= 120 * 288 - 2);
  CHECK(s["anomalies"].get<uint64_t>() > 0);
  CHECK(s["groups"].get<uint64_t>() > 0);
  CHECK(s["alerts"].is_number());
  for (int f = 0; f < 3; f++) gui.Frame(app);  // the finished panel with its group list
  auto status = Status(app);
  CHECK(status["items"].contains("anomaly.start"));
  CHECK(status["items"].contains("anomaly.group0.no"));
  CHECK(status["items"].contains("anomaly.group0.yes"));
  CHECK(status["items"].contains("anomaly.range.30 min"));
  CHECK(fk::ui::ImAssertFailures() == 0);
  app.Shutdown();
}

TEST_CASE("ui/anomaly: a live stream is paced in event time and Stop ends it") {
  HeadlessApp h(__func__);
  auto& gui = h.gui;
  auto& app = h.app;
  REQUIRE(app.Run("anomaly-demo", {{"speed", "3600"}}));  // 1 h of events per second
  for (int f = 0; f < 10; f++) gui.Frame(app);
  auto s = Status(app)["anomaly"];
  // Frames are fast here, so wall time (not frame count) sets the pace: far
  // less than the 2016 windows of the week.
  CHECK(s["windows"].get<uint64_t>() < 500);
  CHECK(s["state"] != "done");
  fk::ui::StopAnomalyStream(app.State());
  gui.Frame(app);
  CHECK(Status(app)["anomaly"]["state"] == "done");
  CHECK(fk::ui::ImAssertFailures() == 0);
}

TEST_CASE("ui/anomaly: a No on the top group is recorded on the group while the stream goes on") {
  HeadlessApp h(__func__);
  auto& gui = h.gui;
  auto& app = h.app;
  REQUIRE(app.Run("anomaly-demo", {{"speed", "max"}, {"days", "3"}}));
  h.FramesUntil([](const nlohmann::json& s) { return s["anomaly"]["groups"].get<uint64_t>() > 0; });
  fk::ui::AppState& st = app.State();
  REQUIRE(st.anomaly.model);
  REQUIRE(!st.anomaly.model->groups().empty());
  // An id, not a pointer: the stream goes on and appends groups, which may
  // move the vector the pointer pointed into.
  const uint64_t top_id = st.anomaly.model->GroupsBySeverity()[0]->id;
  st.anomaly.model->SetFeedback(top_id, fk::anomaly::Verdict::No);
  for (int f = 0; f < 3; f++) gui.Frame(app);
  CHECK(st.anomaly.model->groups()[top_id - 1].verdict == fk::anomaly::Verdict::No);
  CHECK(fk::ui::ImAssertFailures() == 0);
  app.Shutdown();
}

TEST_CASE("ui/anomaly: an imported CSV is scored when the Anomalies panel is open") {
  HeadlessApp h(__func__);
  auto& app = h.app;
  auto& platform = h.platform;
  REQUIRE(app.OpenPanel("Anomalies"));
  const std::string path = platform.user_dir + "/traffic.csv";
  {
    std::ofstream f(path);
    f << "timestamp,value\n";
    for (int i = 0; i < 600; i++)
      f << (1622505600 + i * 300) << ',' << (i == 500 ? 400 : 20 + (i * 7) % 5) << '\n';
  }
  auto& st = app.State().anomaly;
  st.measures.clear();
  st.measures.push_back({});
  std::snprintf(st.measures[0].name, sizeof st.measures[0].name, "value");
  st.measures[0].agg = 2;  // AVG
  REQUIRE(app.Run("import", {{"path", path}}));
  h.FramesUntil([](const nlohmann::json& s) { return s["anomaly"]["state"] == "done"; });
  auto s = Status(app)["anomaly"];
  CHECK(s["state"] == "done");
  CHECK(s["windows"].get<uint64_t>() >= 599);
  CHECK(s["anomalies"].get<uint64_t>() > 0);
  CHECK(fk::ui::ImAssertFailures() == 0);
}

TEST_CASE("ui/plot: 100k points with a band and markers draw in O(width) vertices") {
  HeadlessImGui gui;
  const size_t n = 100000;
  std::vector<double> t(n), v(n), lo(n), hi(n);
  for (size_t i = 0; i < n; i++) {
    t[i] = 1622505600.0 + 300.0 * double(i);
    v[i] = double(i % 97);
    lo[i] = v[i] - 5;
    hi[i] = v[i] + 5;
  }
  std::vector<double> ax = {t[500], t[90000]}, ay = {v[500], v[90000]};
  std::vector<ImU32> ac = {IM_COL32(255, 0, 0, 255), IM_COL32(255, 200, 0, 255)};
  for (int range = 0; range < 2; range++) {
    ImGui::NewFrame();
    ImGui::SetNextWindowSize(ImVec2(1000, 400));
    ImGui::Begin("plot");
    fk::ui::PlotSpec spec;
    spec.time_x = true;
    fk::ui::Plot p("big", ImVec2(-1, 300), spec);
    if (range) p.SetXLimits(t[n - 1] - 6 * 3600, t[n - 1]);
    p.Band("band", t.data(), lo.data(), hi.data(), n);
    p.Line("line", t.data(), v.data(), n);
    p.Scatter("anomalies", ax.data(), ay.data(), ax.size(), ac.data());
    p.Draw();
    const int vertices = ImGui::GetWindowDrawList()->VtxBuffer.Size;
    ImGui::End();
    ImGui::Render();
    CAPTURE(range);
    CHECK(vertices < 60000);  // ~1000 columns x (4 line points + 1 band quad) plus text: not 100k x anything
    CHECK(vertices > 1000);
  }
  CHECK(fk::ui::ImAssertFailures() == 0);
}
