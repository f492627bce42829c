// Label Review's review statistics: "This job and all reviewed images" is one
// table, a row per scope. After a verification round on a queue of one job the
// job is every image: one row, never a second copy of the same table (the
// page showed the table twice there).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "fk_imconfig.h"
#include "headless_app.h"
#include "imgui_internal.h"
#include "labels/manifest.h"
#include "../labels/logo_data.h"
#include "ui/app_state.h"
#include "ui/panels.h"

namespace {
// The review-stats tables drawn in the last frame in Label Review's work area (a column
// "proposed"), each with its data-row count.
std::vector<int> StatsTables() {
  std::vector<int> rows;
  ImGuiContext& g = *GImGui;
  for (int n = 0; n < g.Tables.GetMapSize(); n++) {
    const ImGuiTable* t = g.Tables.TryGetMapData(n);
    if (!t || t->LastFrameActive != g.FrameCount || !t->OuterWindow ||
        std::string(t->OuterWindow->Name).find("labels.work") == std::string::npos)
      continue;
    bool stats = false;
    for (int c = 0; c < t->ColumnsCount; c++)
      stats = stats || std::string(ImGui::TableGetColumnName(t, c)) == "proposed";
    if (stats) rows.push_back(t->CurrentRow);  // the header is row 0
  }
  std::sort(rows.begin(), rows.end());  // the pool's order is not the drawing order
  return rows;
}
}  // namespace

TEST_CASE("ui/labels: after a verification round the job/all statistics are drawn once, a row per scope") {
  HeadlessApp h(__func__);
  auto& st = h.app.State().labels;
  const std::string dir = HeadlessImGui::UserDir("labels_stats");
  std::vector<std::string> refs;
  for (const char* n : {"0000.png", "0001.png", "0002.png"}) {
    refs.push_back(dir + "/" + n);
    std::filesystem::copy_file(LogoDataParent() + "/logos/test/" + n, refs.back(),
                               std::filesystem::copy_options::overwrite_existing);
    REQUIRE(fk::ui::ImportFile(h.app.State(), refs.back()));
  }
  REQUIRE(st.items.size() == 3);
  // The verification a Ground Truth job sent back: two correct, one to fix.
  const std::string ver = dir + "/verification.manifest";
  std::ofstream(ver) << fk::labels::VerificationToString({{refs[0], true, 1.f}, {refs[1], true, 1.f}, {refs[2], false, 1.f}},
                                                          "verify-bounding-box", "job/verify", "2026-12-07T10:00:00");
  REQUIRE(fk::ui::ImportFile(h.app.State(), ver));
  REQUIRE(h.app.OpenPanel("labels"));
  h.Frames(3);
  int reviewed = 0, needs_fix = 0;
  for (const auto& it : st.items) reviewed += it.reviewed, needs_fix += it.needs_fix;
  CHECK(reviewed == 2);
  CHECK(needs_fix == 1);
  CHECK(h.Status()["items"].contains("labels.review_stats"));
  // This image, then the job (= every image): two tables, one row each.
  CHECK(StatsTables() == std::vector<int>{1, 1});

  // Three jobs of one image: this job and all reviewed, two rows of one table.
  st.batch_size = 1;
  h.Frames(2);
  CHECK(StatsTables() == std::vector<int>{1, 2});
  CHECK(fk::ui::ImAssertFailures() == 0);
}
