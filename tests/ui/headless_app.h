// Test fixture for UI tests: an ImGui context with no renderer (draw lists are
// built, nobody rasterises them) and an fk::ui::App with a fresh user dir.
//   HeadlessApp h(__func__);  h.app.Run("system-bench", {});  h.Frames(10);  h.Status()["bench"]
#pragma once
#include <chrono>
#include <filesystem>
#include <string>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "imgui.h"
#include "ui/app.h"

struct HeadlessImGui {
  HeadlessImGui() {
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(1280, 800);
    io.DeltaTime = 1.0f / 60.0f;
    BuildFonts();
  }
  ~HeadlessImGui() { ImGui::DestroyContext(); }
  HeadlessImGui(const HeadlessImGui&) = delete;
  HeadlessImGui& operator=(const HeadlessImGui&) = delete;
  static void BuildFonts() {  // again after App::Init added the UI font
    unsigned char* pixels;
    int w, h;
    ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
  }
  // A fresh user directory per test, so settings never leak between runs;
  // the process id keeps two suites running at once (CI and a developer's
  // run, or native and ASan) out of each other's files.
  static std::string UserDir(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() / ("fk_ui_" + name + "_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir.string();
  }
  void Frame(fk::ui::App& app) {
    if (!ImGui::GetIO().Fonts->IsBuilt()) BuildFonts();
    ImGui::NewFrame();
    app.Frame();
    ImGui::Render();
  }
};

struct HeadlessApp {
  HeadlessImGui gui;  // first: the ImGui context outlives the app
  fk::Platform platform;
  fk::ui::App app;
  explicit HeadlessApp(const std::string& name) {
    platform.user_dir = HeadlessImGui::UserDir(name);
    app.Init(platform);
  }
  ~HeadlessApp() { app.Shutdown(); }
  void Frames(int n) {
    for (int i = 0; i < n; i++) gui.Frame(app);
  }
  // Runs frames until done(Status()) holds or `seconds` of wall time pass, and
  // returns the frames run. A deadline, not a frame count: how many frames a
  // job needs depends on the machine's load and on sanitizers (a frame pumps
  // jobs for a few ms, and threaded jobs progress whatever the frame count).
  template <class Done>
  int FramesUntil(Done done, double seconds = 600) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    int frames = 0;
    while (!done(Status()) && std::chrono::steady_clock::now() < deadline) {
      gui.Frame(app);
      frames++;
    }
    return frames;
  }
  nlohmann::json Status() const { return nlohmann::json::parse(app_const().StatusJson()); }
  // Scrolls widget `item` into view as a user would (wheel notches over the panel) when the app
  // drew it scrolled out of the panel (status().items_offscreen). True once it is on screen.
  bool ScrollTo(const std::string& item) {
    for (int notch = 0; notch < 60; notch++) {
      const nlohmann::json s = Status();
      if (s["items"].contains(item)) return true;
      const nlohmann::json& r = s["items_offscreen"].contains(item) ? s["items_offscreen"][item] : nlohmann::json();
      const nlohmann::json& body = s["items"].contains("panel.body") ? s["items"]["panel.body"] : nlohmann::json();
      if (!r.is_array() || !body.is_array()) return false;
      const float cy = r[1].get<float>() + r[3].get<float>() / 2, by = body[1].get<float>() + body[3].get<float>() / 2;
      ImGuiIO& io = ImGui::GetIO();
      io.MousePos = ImVec2(body[0].get<float>() + body[2].get<float>() / 2, by);
      io.MouseWheel = cy > by ? -1.0f : 1.0f;  // ImGui: negative wheel scrolls down; NewFrame reads it once
      Frames(1);
      io.MouseWheel = 0.0f;
      Frames(1);
    }
    return Status()["items"].contains(item);
  }
  // Clicks a named widget (status().items) as a user would: scroll it into view, move there,
  // press, release; a button fires on the release frame. False when it is not drawn.
  bool Click(const std::string& item) {
    if (!ScrollTo(item)) return false;
    const nlohmann::json r = Status()["items"][item];
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(r[0].get<float>() + 5, r[1].get<float>() + 5);
    Frames(1);
    io.MouseDown[0] = true;
    Frames(1);
    io.MouseDown[0] = false;
    Frames(1);
    return true;
  }

 private:
  const fk::ui::App& app_const() const { return app; }
};
