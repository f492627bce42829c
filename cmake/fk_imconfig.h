// ImGui user config for every Fieldkit build: IM_ASSERT stays on in release
// builds (it logs and counts instead of aborting) so the headless UI smoke
// test catches Begin/End mismatches and other misuse in the shipped code.
#pragma once
namespace fk::ui {
void ImAssertFailed(const char* expr, const char* file, int line);
int ImAssertFailures();
}  // namespace fk::ui
#define IM_ASSERT(_EXPR) ((_EXPR) ? (void)0 : ::fk::ui::ImAssertFailed(#_EXPR, __FILE__, __LINE__))
