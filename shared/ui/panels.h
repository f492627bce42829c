// The panel registry: every workflow panel is one row here (panels as data).
// A panel is a thin view: it draws from AppState and starts jobs; no statics.
#pragma once
#include <vector>

namespace fk::ui {

struct AppState;

struct PanelInfo {
  const char* name;     // sidebar label and status().panel value, e.g. "System"
  const char* summary;  // one line under the panel title
  void (*draw)(AppState&);
  bool developer;       // listed under "Developer" in the sidebar
};

const std::vector<PanelInfo>& Panels();

void DrawSystemPanel(AppState& app);
void DrawSparsePanel(AppState& app);
void DrawGalleryPanel(AppState& app);

// Actions shared by buttons and ?run= parameters.
bool StartSystemBench(AppState& app);

}  // namespace fk::ui
