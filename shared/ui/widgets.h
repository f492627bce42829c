// Small shared widgets: help markers, the job bar (progress + Cancel), and
// item recording for tests. Every panel uses these instead of its own copies.
#pragma once
#include <string>

#include "imgui.h"

namespace fk::ui {

struct AppState;

// "(?)" with a tooltip, as imgui_demo.cpp does.
void HelpMarker(const char* text);
// Records the last item's rectangle under `id` for window.fieldkit.status().items.
void RecordItem(AppState& app, const char* id);
// The current window's whole rectangle (a window's last item after Begin is its title bar).
void RecordWindow(AppState& app, const char* id);
// The running job: label, progress bar, detail, elapsed time and a Cancel button.
// Idle, the same two lines stay, greyed ("no job running"). Returns true if a job is running.
bool JobBar(AppState& app);
// A right-aligned key/value row in a two-column table.
void KeyValueRow(const char* key, const std::string& value);
// A section title with a rule under it (ImGui 1.86 has no SeparatorText).
void SectionHeader(const char* text);
// Human-readable bytes ("1.4 MB").
std::string FormatBytes(double bytes);

// Palette shared by panels and charts.
namespace colors {
constexpr ImU32 kAccent = IM_COL32(86, 156, 214, 255);
constexpr ImU32 kAccent2 = IM_COL32(230, 145, 56, 255);
constexpr ImU32 kGood = IM_COL32(106, 190, 115, 255);
constexpr ImU32 kBad = IM_COL32(224, 88, 88, 255);
constexpr ImU32 kMuted = IM_COL32(140, 140, 150, 255);
ImU32 Series(int i);  // categorical colours for chart series
}  // namespace colors

}  // namespace fk::ui
