// The Fieldkit app shell, the same on desktop and in the page: a sidebar of
// workflow panels (registered once, in panels.cpp), one AppState that owns the
// models and panel state, a shared job bar, and the status JSON that browser
// tests read through window.fieldkit.status().
//
// The platform entry point owns the window and the ImGui backend:
//   fk::ui::App app;  app.Init(platform);
//   each frame: backend NewFrame; ImGui::NewFrame(); app.Frame(); ImGui::Render(); draw
//   app.Shutdown();
#pragma once
#include <map>
#include <memory>
#include <string>

#include "core/platform.h"

namespace fk::ui {

struct AppState;

class App {
 public:
  App();
  ~App();
  // Creates nothing ImGui-related except style; the ImGui context must exist.
  void Init(const Platform& platform);
  void Frame();  // draws one frame of the whole app; pumps jobs
  void Shutdown();

  // Browser/CLI hooks.
  std::string StatusJson() const;
  // `?run=<name>&k=v...`: starts a named action (e.g. "system-bench"); false if unknown.
  bool Run(const std::string& name, const std::map<std::string, std::string>& params);
  void SetSetting(const std::string& key, const std::string& value);
  // The page is being hidden or closed: flush unsaved data now (see PersistQueue::Flush).
  void FlushPersist();
  bool OpenPanel(const std::string& id_or_title);  // a PanelInfo id or title
  AppState& State();

 private:
  bool RunNow(const std::string& name, const std::map<std::string, std::string>& params);  // Run, untimed
  std::unique_ptr<AppState> state_;
};

}  // namespace fk::ui
