#include "ui/widgets.h"

#include <cstdio>

#include "ui/app_state.h"

namespace fk::ui {

void HelpMarker(const char* text) {
  ImGui::SameLine();
  ImGui::TextDisabled("(?)");
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32.0f);
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

void RecordItem(AppState& app, const char* id) {
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  const ImVec2 c((a.x + b.x) * 0.5f, (a.y + b.y) * 0.5f);
  const bool visible = ImGui::IsRectVisible(c, ImVec2(c.x + 1.0f, c.y + 1.0f));
  app.items[id] = {a.x, a.y, b.x - a.x, b.y - a.y, app.frame, visible};
}

void RecordWindow(AppState& app, const char* id) {
  const ImVec2 p = ImGui::GetWindowPos(), sz = ImGui::GetWindowSize();
  app.items[id] = {p.x, p.y, sz.x, sz.y, app.frame, true};
}

bool JobBar(AppState& app) {
  JobRunner& jobs = app.jobs;
  if (jobs.State() != JobState::Running) {
    app.items.erase("job.cancel");
    // The bar's two lines stay reserved when idle: a job starting must not push the panel down
    // under the pointer (a click then lands on the wrong button).
    ImGui::BeginDisabled();
    ImGui::ProgressBar(0.0f, ImVec2(-90.0f, 0.0f), "no job running");
    ImGui::EndDisabled();
    ImGui::TextDisabled("long work (training, benchmarks, imports) shows its progress and Cancel here");
    return false;
  }
  char overlay[64];
  std::snprintf(overlay, sizeof overlay, "%.0f%%", jobs.Progress() * 100.0);
  ImGui::TextUnformatted(jobs.Label().c_str());
  ImGui::SameLine();
  ImGui::ProgressBar(jobs.Progress(), ImVec2(-90.0f, 0.0f), overlay);
  ImGui::SameLine();
  if (ImGui::Button("Cancel", ImVec2(80.0f, 0.0f))) jobs.Cancel();
  RecordItem(app, "job.cancel");
  const std::string detail = jobs.Detail();
  ImGui::TextDisabled("%s  %.1f s", detail.c_str(), jobs.ElapsedMs() / 1000.0);
  const std::vector<std::string> queued = jobs.QueuedLabels();
  if (!queued.empty()) {
    std::string next;
    for (const auto& l : queued) next += (next.empty() ? "" : ", ") + l;
    ImGui::SameLine();
    ImGui::TextDisabled("  then: %s", next.c_str());
  }
  return true;
}

void KeyValueRow(const char* key, const std::string& value) {
  ImGui::TableNextRow();
  ImGui::TableSetColumnIndex(0);
  ImGui::TextDisabled("%s", key);
  ImGui::TableSetColumnIndex(1);
  ImGui::TextUnformatted(value.c_str());
}

void SectionHeader(const char* text) {
  ImGui::Spacing();
  ImGui::PushStyleColor(ImGuiCol_Text, colors::kAccent);
  ImGui::TextUnformatted(text);
  ImGui::PopStyleColor();
  ImGui::Separator();
}

std::string FormatBytes(double bytes) {
  char buf[32];
  if (bytes >= 1e9) std::snprintf(buf, sizeof buf, "%.2f GB", bytes / 1e9);
  else if (bytes >= 1e6) std::snprintf(buf, sizeof buf, "%.2f MB", bytes / 1e6);
  else if (bytes >= 1e3) std::snprintf(buf, sizeof buf, "%.1f kB", bytes / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f B", bytes);
  return buf;
}

namespace colors {
ImU32 Series(int i) {
  static const ImU32 kSeries[] = {IM_COL32(86, 156, 214, 255), IM_COL32(230, 145, 56, 255),
                                  IM_COL32(106, 190, 115, 255), IM_COL32(197, 134, 192, 255),
                                  IM_COL32(220, 200, 90, 255),  IM_COL32(224, 88, 88, 255)};
  return kSeries[(i % 6 + 6) % 6];
}
}  // namespace colors

}  // namespace fk::ui
