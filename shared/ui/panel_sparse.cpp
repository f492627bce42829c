// TEMPORARY: the Sparse Inference panel lands with the sparse engine (issue #3).
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/panels.h"

namespace fk::ui {
void DrawSparsePanel(AppState&) { ImGui::TextUnformatted("Sparse engine not built yet."); }
}  // namespace fk::ui
