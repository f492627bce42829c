// Seed replay: a window any workflow panel opens (its "Seed replay" button
// beside the panel title, or ?run=replay&panel=NAME) that runs that panel's
// replay::Replay as a sliced job and shows the post's figures beside ours.
#include <filesystem>

#include <imgui.h>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/strings.h"
#include "ui/app_state.h"
#include "ui/panels.h"
#include "ui/widgets.h"

namespace fk::ui {

namespace {

constexpr const char* kJobLabel = "Seed replay";

// The replay of each workflow row (panel ids as in Panels()).
struct ReplayRow {
  replay::Panel panel;
  const char* panel_id;
};
constexpr ReplayRow kRows[] = {
    {replay::Panel::Labels, "labels"},       {replay::Panel::Anomaly, "anomalies"},
    {replay::Panel::Forecast, "forecast"},   {replay::Panel::Recommend, "recommend"},
    {replay::Panel::Sparse, "sparse"},       {replay::Panel::Features, "features"},
};

const ReplayRow* RowForPanelId(const std::string& id) {
  for (const ReplayRow& r : kRows)
    if (id == r.panel_id) return &r;
  return nullptr;
}
const char* PanelIdFor(replay::Panel p) {
  for (const ReplayRow& r : kRows)
    if (r.panel == p) return r.panel_id;
  return "";
}

// The page's sizes: each replay a few seconds, every slice one unit of the workflow's own object.
replay::ReplayOptions Options(const AppState& app) {
  replay::ReplayOptions o;
  o.data_dir = app.platform.data_dir;
  o.labels_test_limit = app.replay.labels_test_limit;  // 50: half the test split; v1 and v2 scored on each
  o.sparse_width = 1.0f;     // the post's MobileNetV2 1.0; a 96 px input keeps a timed run short
  o.sparse_size = 96;
  o.sparse_runs = 5;
  o.sparse_size_width = 1.0f;
  std::error_code ec;
  const auto tmp = std::filesystem::temp_directory_path(ec);
  o.scratch_dir = (ec ? std::filesystem::path(app.platform.user_dir) : tmp).string() + "/fieldkit-replay";
  o.feature_threads = app.platform.threads_enabled ? 4 : 1;  // the post's 4 threads; the page has none
  return o;
}

struct ReplayJob {
  AppState* app = nullptr;
  replay::Panel panel = replay::Panel::Labels;
  double t0 = 0;
  bool Step(JobContext& ctx) {
    ReplayPanelState& st = app->replay;
    if (!st.run || st.state == "queued") {  // made here: a replay queued behind another job starts fresh
      st.run = std::make_unique<replay::Replay>(panel, Options(*app));
      st.panel = panel;
      st.state = "running";
      t0 = NowMs();
      ctx.SetDetail(replay::PanelName(panel));
      return false;
    }
    const bool done = st.run->Step(0.0);  // one unit; the runner fills the frame's budget
    ctx.SetProgress(st.run->Progress());
    ctx.SetDetail(st.run->Detail());
    if (!done) return false;
    st.seconds = (NowMs() - t0) / 1000.0;
    if (st.run->failed()) ctx.Fail(st.run->error());
    return true;
  }
};

}  // namespace

bool StartReplay(AppState& app, replay::Panel panel) {
  ReplayPanelState& st = app.replay;
  st.open = true;
  if (app.jobs.Has(kJobLabel)) {
    app.Error("a seed replay is already running; wait for it or cancel it");
    return false;
  }
  st.started = true;
  st.panel = panel;
  st.state = "queued";
  st.run.reset();
  auto job = std::make_shared<ReplayJob>();
  job->app = &app;
  job->panel = panel;
  app.jobs.Enqueue(MakeJob(
      kJobLabel, [job](JobContext& ctx) { return job->Step(ctx); },
      [&app](JobState s) {
        ReplayPanelState& st = app.replay;
        st.state = s == JobState::Done ? "done" : s == JobState::Cancelled ? "cancelled" : "failed";
        if (s == JobState::Failed && st.run) app.Error("seed replay: " + st.run->error());
      }));
  return true;
}

bool RunReplayFromParams(AppState& app, const std::map<std::string, std::string>& params, std::string* panel_id) {
  auto it = params.find("panel");
  replay::Panel p;
  if (it == params.end() || !replay::ParsePanel(it->second, &p)) {
    app.Error("?run=replay needs panel=NAME, one of " + replay::PanelNames() +
              (it == params.end() ? std::string() : " (got '" + it->second + "')"));
    return false;
  }
  *panel_id = PanelIdFor(p);
  // test_limit: fewer test images for a quicker Label Review replay (the row says how many were scored).
  app.replay.labels_test_limit = 50;
  if (auto t = params.find("test_limit"); t != params.end()) {
    double n = 0;
    if (!ParseNumber(t->second, &n) || n < 1 || n > 100000 || n != double(int(n))) {
      app.Error("?run=replay: test_limit must be a whole number of test images, at least 1 (got '" + t->second + "')");
      return false;
    }
    app.replay.labels_test_limit = int(n);
  }
  return StartReplay(app, p);
}

nlohmann::json ReplayStatusJson(const AppState& app) {
  const ReplayPanelState& st = app.replay;
  if (!st.started) return nullptr;
  nlohmann::json j;
  if (st.run) {
    j = st.run->StatusJson();
  } else {
    j["panel"] = replay::PanelName(st.panel);
    j["rows"] = nlohmann::json::array();
  }
  j["state"] = st.state;  // the job's view: queued and cancelled are not the replay's own
  j["seconds"] = st.seconds;
  return j;
}

void DrawReplayButton(AppState& app, const char* panel_id) {
  const ReplayRow* row = RowForPanelId(panel_id);
  if (!row) return;
  ImGui::SameLine();
  const bool busy = app.jobs.Has(kJobLabel);
  if (busy) ImGui::BeginDisabled();
  if (ImGui::SmallButton("Seed replay")) StartReplay(app, row->panel);
  if (busy) ImGui::EndDisabled();
  RecordItem(app, "replay.open");
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("Run this workflow on the blog post's own example and show its figures beside ours");
}

void DrawReplayWindow(AppState& app) {
  ReplayPanelState& st = app.replay;
  if (!st.open) {
    app.items.erase("replay.window");
    app.items.erase("replay.table");
    app.items.erase("replay.run");
    return;
  }
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos(ImVec2(display.x * 0.18f, display.y * 0.12f), ImGuiCond_Appearing);
  ImGui::SetNextWindowSize(ImVec2(display.x * 0.78f, display.y * 0.7f), ImGuiCond_Appearing);
  const std::string title = std::string("Seed replay: ") + replay::PanelName(st.panel) + "###seed_replay";
  if (!ImGui::Begin(title.c_str(), &st.open, ImGuiWindowFlags_NoSavedSettings)) {
    ImGui::End();
    return;
  }
  RecordWindow(app, "replay.window");
  ImGui::TextWrapped("Post: \"%s\"", replay::PanelPostTitle(st.panel));
  const bool busy = app.jobs.Has(kJobLabel);
  if (busy) ImGui::BeginDisabled();
  if (ImGui::Button("Run again")) StartReplay(app, st.panel);
  if (busy) ImGui::EndDisabled();
  RecordItem(app, "replay.run");
  ImGui::SameLine();
  if (st.state == "done")
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(colors::kGood), "done in %.1f s: every 'ours' was measured now",
                       st.seconds);
  else if (st.state == "failed")
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(colors::kBad), "failed: %s",
                       st.run ? st.run->error().c_str() : "");
  else if (st.state == "running" && st.run)
    ImGui::TextDisabled("running: %s (%.0f%%)", st.run->Detail().c_str(), 100.0 * st.run->Progress());
  else
    ImGui::TextDisabled("%s", st.state.c_str());
  const auto& rows = st.run ? st.run->rows() : std::vector<replay::Row>();
  if (!rows.empty() &&
      ImGui::BeginTable("replay_rows", 4,
                        ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_Resizable |
                            ImGuiTableFlags_ScrollY)) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("figure", ImGuiTableColumnFlags_WidthStretch, 0.8f);
    ImGui::TableSetupColumn("the post", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableSetupColumn("ours (now)", ImGuiTableColumnFlags_WidthStretch, 1.2f);
    ImGui::TableSetupColumn("why ours differs", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableHeadersRow();
    for (const replay::Row& r : rows) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::TextWrapped("%s", r.figure.c_str());
      ImGui::TableSetColumnIndex(1);
      ImGui::TextWrapped("%s", r.seed.c_str());
      ImGui::TableSetColumnIndex(2);
      ImGui::PushStyleColor(ImGuiCol_Text, r.note.empty() ? colors::kGood : ImGui::GetColorU32(ImGuiCol_Text));
      ImGui::TextWrapped("%s", r.ours.c_str());
      ImGui::PopStyleColor();
      ImGui::TableSetColumnIndex(3);
      if (r.note.empty())
        ImGui::TextDisabled("matches");
      else
        ImGui::TextWrapped("%s", r.note.c_str());
    }
    ImGui::EndTable();
    RecordItem(app, "replay.table");
  } else {
    app.items.erase("replay.table");
  }
  ImGui::End();
}

}  // namespace fk::ui
