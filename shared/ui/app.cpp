// [SECTION] AppState helpers
// [SECTION] Style
// [SECTION] Frame: sidebar, panel area, status bar
// [SECTION] Hooks for the page and tests: status JSON, ?run=, settings
#include "ui/app.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/build_info.h"
#include "core/clock.h"
#include "core/json_write.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/panels.h"
#include "ui/widgets.h"

namespace fk::ui {

// [SECTION] AppState helpers

void AppState::Log(const std::string& msg) {
  log.push_back(msg);
  while (log.size() > 200) log.pop_front();
}

void AppState::UseCamera(const std::string& who, bool on) {
  if (!platform.camera_enable) return;
  const bool was = !camera_users.empty();
  if (on) camera_users.insert(who);
  else camera_users.erase(who);
  const bool now = !camera_users.empty();
  if (now != was) platform.camera_enable(now);
}

void AppState::Error(const std::string& msg) {
  errors.push_back(msg);
  if (errors.size() > 50) errors.erase(errors.begin());
  Log("error: " + msg);
}

// While flushes keep failing, one error says so (and stays: Dismiss only hides
// it until the next frame); it goes when a flush succeeds, and the log says so.
// A single failure is not shown: a retry follows within a second, and one
// flush can fail on a race (a file removed while it was read).
static void UpdatePersistError(AppState& app) {
  const PersistReport r = app.persist.Report();
  std::string want;
  if (r.failures >= 2) {
    const bool page = app.platform.target == "wasm";
    char retry[64] = "; retrying now";
    if (!r.in_flight && r.retry_at > 0) {
      using namespace std::chrono;
      const double now = duration<double, std::milli>(system_clock::now().time_since_epoch()).count();
      std::snprintf(retry, sizeof retry, "; retrying in %.0f s", std::max(1.0, std::ceil((r.retry_at - now) / 1000.0)));
    }
    want = std::string("Your latest changes are NOT saved: ") +
           (page ? "the browser's storage (IndexedDB) refused them" : "writing to " + app.platform.user_dir + " failed") +
           " (" + r.last_error + "); " + std::to_string(r.failures) + (r.failures == 1 ? " attempt" : " attempts") +
           " failed" + retry + (page ? ". Keep this tab open." : ".");
  }
  // The retry countdown changes every second: compare without it.
  auto stem = [](const std::string& m) { return m.substr(0, m.find("; retrying")); };
  const auto it = std::find(app.errors.begin(), app.errors.end(), app.persist_error);
  const bool shown = !app.persist_error.empty() && it != app.errors.end();
  if (!want.empty() && shown && stem(*it) == stem(want)) {
    *it = want;
    app.persist_error = want;
    return;
  }
  if (shown) app.errors.erase(it);
  if (want.empty()) {
    if (!app.persist_error.empty()) app.Log("saved again: storage accepted the changes");
    app.persist_error.clear();
    return;
  }
  app.errors.push_back(want);
  if (!shown) app.Log("error: " + want);
  app.persist_error = want;
}

App::App() : state_(std::make_unique<AppState>()) {}
App::~App() = default;
AppState& App::State() { return *state_; }

// [SECTION] Style

static void ApplyStyle() {
  ImGuiStyle& s = ImGui::GetStyle();
  ImGui::StyleColorsDark(&s);
  s.WindowRounding = 0;
  s.FrameRounding = 4;
  s.GrabRounding = 4;
  s.ChildRounding = 4;
  s.PopupRounding = 4;
  s.FramePadding = ImVec2(8, 5);
  s.ItemSpacing = ImVec2(8, 7);
  s.WindowPadding = ImVec2(12, 10);
  s.ScrollbarSize = 12;
  ImVec4* c = s.Colors;
  c[ImGuiCol_WindowBg] = ImVec4(0.105f, 0.11f, 0.125f, 1.0f);
  c[ImGuiCol_ChildBg] = ImVec4(0.08f, 0.085f, 0.095f, 1.0f);
  c[ImGuiCol_FrameBg] = ImVec4(0.16f, 0.17f, 0.19f, 1.0f);
  c[ImGuiCol_Button] = ImVec4(0.20f, 0.42f, 0.66f, 1.0f);
  c[ImGuiCol_ButtonHovered] = ImVec4(0.26f, 0.52f, 0.80f, 1.0f);
  c[ImGuiCol_ButtonActive] = ImVec4(0.18f, 0.36f, 0.58f, 1.0f);
  c[ImGuiCol_Header] = ImVec4(0.20f, 0.42f, 0.66f, 0.55f);
  c[ImGuiCol_HeaderHovered] = ImVec4(0.26f, 0.52f, 0.80f, 0.70f);
  c[ImGuiCol_PlotHistogram] = ImVec4(0.34f, 0.61f, 0.84f, 1.0f);
  c[ImGuiCol_TableRowBgAlt] = ImVec4(1, 1, 1, 0.03f);
}

// DejaVu Sans at 15 px reads far better than the 13 px bitmap default; if the
// file is missing (e.g. fonts-dejavu-core not installed) we say so and go on.
static void LoadFont(AppState& app) {
  const std::string& path = app.platform.font_path;
  if (path.empty()) return;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    app.Log("font " + path + " not found; using the built-in font");
    return;
  }
  std::fclose(f);
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  if (!io.Fonts->AddFontFromFileTTF(path.c_str(), 15.0f)) {
    io.Fonts->AddFontDefault();
    app.Log("font " + path + " could not be read; using the built-in font");
  }
}

void App::Init(const Platform& platform) {
  AppState& app = *state_;
  app.platform = platform;
  // Read at each flush, so a test can install a hook after Init. The page's
  // flush answers between frames: status().errors follows at once.
  app.persist.SetSync([&app](PersistQueue::Done done) {
    if (!app.platform.persist) {
      done(true, "");
      return;
    }
    app.platform.persist([&app, done = std::move(done)](bool ok, const std::string& error) {
      done(ok, error);
      UpdatePersistError(app);
    });
  });
  app.settings_path = platform.user_dir + "/settings.json";
  Status st = app.settings.Load(app.settings_path);
  if (!st.ok()) app.Error(st.message());
  const std::string panel = app.settings.Get("panel");
  if (!panel.empty()) OpenPanel(panel);
  ApplyStyle();
  LoadFont(app);
  app.Log("Fieldkit " + GetBuildInfo().version + " (" + GetBuildInfo().git_hash + ") on " + platform.target);
}

void App::Shutdown() {
  AppState& app = *state_;
  app.jobs.CancelAll();
  app.jobs.RunToEnd();
  for (const PanelInfo& p : Panels())
    if (p.shutdown) p.shutdown(app);  // while the renderer still exists
}

// [SECTION] Frame: sidebar, panel area, status bar

static void DrawSidebar(App& self, AppState& app) {
  ImGui::PushStyleColor(ImGuiCol_Text, colors::kAccent);
  ImGui::TextUnformatted("FIELDKIT");
  ImGui::PopStyleColor();
  ImGui::TextDisabled("on-device ML workflows");
  ImGui::Separator();
  ImGui::Spacing();
  const auto& panels = Panels();
  bool dev_header = false;
  for (size_t i = 0; i < panels.size(); i++) {
    if (panels[i].developer && !dev_header) {
      ImGui::Spacing();
      ImGui::TextDisabled("Developer");
      dev_header = true;
    }
    if (ImGui::Selectable(panels[i].title, app.current_panel == int(i), 0, ImVec2(0, 26))) {
      self.OpenPanel(panels[i].id);
    }
    const std::string id = std::string("nav.") + panels[i].title;
    RecordItem(app, id.c_str());
  }
  const float footer = ImGui::GetTextLineHeightWithSpacing() * 2.2f;
  ImGui::SetCursorPosY(std::max(ImGui::GetCursorPosY(), ImGui::GetWindowHeight() - footer));
  ImGui::TextDisabled("%s | %s", GetBuildInfo().target.c_str(), GetBuildInfo().git_hash.c_str());
  ImGui::TextDisabled("runs on your CPU only");
}

static void DrawStatusBar(AppState& app) {
  ImGui::Separator();
  ImGui::TextDisabled("%.1f ms/frame", app.last_frame_ms);
  if (app.platform.memory_in_use) {
    ImGui::SameLine();
    ImGui::TextDisabled("  |  %s in use", FormatBytes(double(app.platform.memory_in_use())).c_str());
  }
  const PersistReport pr = app.persist.Report();
  if (pr.failures == 0) app.items.erase("status.not_saved");
  if (pr.failures > 0) {
    ImGui::SameLine();
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(colors::kBad), "  |  NOT SAVED (%d failed)", pr.failures);
    RecordItem(app, "status.not_saved");
  } else if (pr.in_flight || pr.pending) {
    ImGui::SameLine();
    ImGui::TextDisabled("  |  saving...");
  }
  if (!app.log.empty()) {
    ImGui::SameLine();
    ImGui::TextDisabled("  |  %s", app.log.back().c_str());
  }
}

void App::Frame() {
  AppState& app = *state_;
  const double t0 = NowMs();
  app.persist.Tick();  // a retry that is due
  UpdatePersistError(app);
  ImGuiIO& io = ImGui::GetIO();
  app.last_frame_ms = io.DeltaTime * 1000.0;
  app.system.frame_ms[app.system.frame_ms_head] = float(app.last_frame_ms);
  app.system.frame_busy[app.system.frame_ms_head] = app.prev_frame_busy;
  app.system.work_ms[app.system.frame_ms_head] = float(app.prev_frame_work_ms);
  app.system.frame_ms_head = (app.system.frame_ms_head + 1) % 240;
  app.system.frame_ms_count = std::min(app.system.frame_ms_count + 1, 240);

  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(io.DisplaySize);
  ImGui::Begin("Fieldkit", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus);
  const float status_h = ImGui::GetFrameHeightWithSpacing() + 4;
  ImGui::BeginChild("sidebar", ImVec2(190, -status_h), true);
  DrawSidebar(*this, app);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("panel", ImVec2(0, -status_h), false);
  const auto& panels = Panels();
  const PanelInfo& panel = panels[size_t(std::clamp(app.current_panel, 0, int(panels.size()) - 1))];
  ImGui::SetWindowFontScale(1.25f);
  ImGui::TextUnformatted(panel.title);
  ImGui::SetWindowFontScale(1.0f);
  DrawReplayButton(app, panel.id);  // on the title's line: the layout below does not move
  ImGui::TextDisabled("%s", panel.summary);
  JobBar(app);
  if (!app.errors.empty()) {
    // The button first: after wrapped text it would land past the panel's edge.
    if (ImGui::SmallButton("Dismiss")) app.errors.clear();
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_Text, colors::kBad);
    ImGui::TextWrapped("%s", app.errors.empty() ? "" : app.errors.back().c_str());
    ImGui::PopStyleColor();
    RecordItem(app, "app.error");  // tests check the error is on screen
  } else {
    app.items.erase("app.error");
  }
  ImGui::Separator();
  ImGui::BeginChild("panel_body", ImVec2(0, 0), false);
  ImGui::PushID(panel.id);
  panel.draw(app);
  ImGui::PopID();
  // Where the panel scrolls and by how much: the page's wheel tests read it from status().
  RecordWindow(app, "panel.body");
  app.panel_scroll_y = ImGui::GetScrollY();
  app.panel_scroll_max_y = ImGui::GetScrollMaxY();
  ImGui::EndChild();
  ImGui::EndChild();
  DrawStatusBar(app);
  ImGui::End();
  DrawReplayWindow(app);
  if (app.show_imgui_demo) ImGui::ShowDemoWindow(&app.show_imgui_demo);

  // Work happens after drawing, within what is left of the frame. With a GPU a frame is ~16 ms and
  // the job gets ~12 ms of it. Where the browser itself takes long between our frames (software
  // rendering: headless Chromium's SwiftShader spends ~85 ms a frame) a fixed 12 ms left the job
  // ~12% of the time; it gets up to half of that outside time then, at most 40 ms, so frames stay
  // well under the 200 ms bar and each slice stays short.
  const double outside = app.prev_frame_start_ms > 0
                             ? std::max(0.0, (t0 - app.prev_frame_start_ms) - app.prev_frame_work_ms)
                             : 0.0;
  app.pump_budget_ms = std::clamp(outside * 0.5, 12.0, 40.0);
  const double used = NowMs() - t0;
  const bool busy_before = app.jobs.Busy();
  app.jobs.Pump(std::max(4.0, app.pump_budget_ms - used));
  for (const PanelInfo& p : Panels())
    if (p.pump) p.pump(app, std::max(2.0, app.pump_budget_ms + 2.0 - (NowMs() - t0)));  // live streams, in slices
  app.prev_frame_start_ms = t0;
  app.prev_frame_busy = busy_before || app.jobs.Busy();
  app.prev_frame_work_ms = NowMs() - t0;
  app.frame++;
}

// [SECTION] Hooks for the page and tests: status JSON, ?run=, settings

bool App::OpenPanel(const std::string& id_or_title) {
  const int i = PanelIndex(id_or_title);  // settings written before ids held the title
  if (i < 0) return false;
  if (state_->current_panel != i) {
    state_->current_panel = i;
    SetSetting("panel", Panels()[size_t(i)].id);
  }
  return true;
}

void App::SetSetting(const std::string& key, const std::string& value) {
  AppState& app = *state_;
  app.settings.Set(key, value);
  Status st = app.settings.Save(app.settings_path);
  if (!st.ok()) {
    app.Error(st.message());
    return;
  }
  app.Persist();
}

void App::FlushPersist() {
  state_->persist.Flush();
  UpdatePersistError(*state_);
}

bool App::Run(const std::string& name, const std::map<std::string, std::string>& params) {
  const double t0 = NowMs();
  const bool ok = RunNow(name, params);
  const double ms = NowMs() - t0;
  if (ms > state_->run_ms_max) {
    state_->run_ms_max = ms;
    auto path = params.find("path");
    state_->run_ms_max_what = name + (path != params.end() ? " " + path->second : "");
  }
  return ok;
}

bool App::RunNow(const std::string& name, const std::map<std::string, std::string>& params) {
  AppState& app = *state_;
  if (name == "import") {
    auto it = params.find("path");
    return it != params.end() && ImportFile(app, it->second);
  }
  if (name == "replay") {  // one action over every workflow row: ?run=replay&panel=NAME
    std::string panel_id;
    if (!RunReplayFromParams(app, params, &panel_id)) return false;
    OpenPanel(panel_id);
    return true;
  }
  std::string known;
  for (const PanelInfo& p : Panels()) {
    if (!p.run) continue;
    if (name == p.run_name) {
      OpenPanel(p.id);
      return p.run(app, params);
    }
    known += std::string(known.empty() ? "" : ", ") + p.run_name;
    for (const PanelRun& r : p.more_runs) {
      if (name == r.name) {
        OpenPanel(p.id);
        return r.run(app, params);
      }
      known += std::string(", ") + r.name;
    }
  }
  app.Error("unknown ?run= value '" + name + "' (known: " + known + ", replay, import)");
  return false;
}

std::string App::StatusJson() const {
  const AppState& app = *state_;
  nlohmann::json j;
  j["ready"] = app.frame > 0;
  j["target"] = GetBuildInfo().target;
  j["simd"] = GetBuildInfo().simd;
  j["version"] = GetBuildInfo().version;
  j["git_hash"] = GetBuildInfo().git_hash;
  j["frame"] = app.frame;
  float worst = 0;  // longest frame among the last 240: shows whether long work ever blocked the UI
  float worst_busy = 0;  // the same over the frames a job ran in (the browser's own time between frames included)
  float work_busy = 0;   // how long our code held the thread in those frames: issue #19's 200 ms bar
  for (int i = 0; i < app.system.frame_ms_count; i++) {
    worst = std::max(worst, app.system.frame_ms[i]);
    if (app.system.frame_busy[i]) {
      worst_busy = std::max(worst_busy, app.system.frame_ms[i]);
      work_busy = std::max(work_busy, app.system.work_ms[i]);
    }
  }
  j["frame_ms_max"] = worst;
  j["frame_ms_max_busy"] = worst_busy;
  j["work_ms_max_busy"] = work_busy;
  j["run_ms_max"] = {{"ms", app.run_ms_max}, {"what", app.run_ms_max_what}};
  j["panel"] = Panels()[size_t(app.current_panel)].title;
  j["job"] = {{"state", JobStateName(app.jobs.State())},
              {"label", app.jobs.Label()},
              {"progress", app.jobs.Progress()},
              {"error", app.jobs.Error()},
              {"max_step_ms", app.jobs.MaxStepMs()},
              {"max_step_detail", app.jobs.MaxStepDetail()},
              {"max_step_ever", {{"ms", app.jobs.MaxStepEverMs()}, {"what", app.jobs.MaxStepEverWhat()}}},
              {"queued", app.jobs.QueuedLabels()},
              {"budget_ms", app.pump_budget_ms}};
  for (const PanelInfo& p : Panels())
    if (p.status_json) p.status_json(*state_, j);
  j["replay"] = ReplayStatusJson(app);
  j["errors"] = app.errors;
  // items: drawn in the last frame with the centre on screen (a click there hits it);
  // items_offscreen: drawn but scrolled out of the panel (a user, or a test, scrolls first).
  nlohmann::json items = nlohmann::json::object(), offscreen = nlohmann::json::object();
  for (auto& [k, r] : app.items) {
    if (r.frame + 1 != app.frame) continue;  // not drawn last frame (another panel, a closed popup)
    (r.visible ? items : offscreen)[k] = {r.x, r.y, r.w, r.h};
  }
  j["items"] = items;
  j["items_offscreen"] = offscreen;
  j["scroll"] = {{"panel_y", app.panel_scroll_y}, {"panel_max_y", app.panel_scroll_max_y}};
  nlohmann::json imports = nlohmann::json::array();
  for (const ImportedFile& f : app.imports) imports.push_back({{"path", f.path}, {"bytes", f.bytes}});
  j["imports"] = imports;
  nlohmann::json settings = nlohmann::json::object();
  for (auto& [k, v] : app.settings.Values()) settings[k] = v;
  j["settings"] = settings;
  const PersistReport pr = app.persist.Report();
  j["persist"] = {{"in_flight", pr.in_flight},
                  {"pending", pr.pending},
                  {"last_ok_at", pr.last_ok_at},
                  {"last_error", pr.last_error},
                  {"failures", pr.failures}};
  if (app.platform.memory_in_use) j["memory_bytes"] = app.platform.memory_in_use();
  return DumpJson(j);  // an imported file's odd name in errors or paths must not throw
}

}  // namespace fk::ui
