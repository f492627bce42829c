// The Label Review panel through the app, headless: ?run=labels-demo trains v1
// on the bundled logos in slices, pre-labels v2 and scores v1 on the test
// split; the editor then accepts, deletes, undoes and draws like a user would
// (keys and mouse through ImGui's IO), and v2 trains on the reviewed images.
#include <doctest/doctest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "fk_imconfig.h"
#include "headless_app.h"
#include "labels/review.h"
#include "../labels/logo_data.h"
#include "ui/app_state.h"
#include "ui/panels.h"

namespace {
void Key(HeadlessApp& h, int key) {  // one press + release, a frame each
  ImGui::GetIO().KeysDown[key] = true;
  h.Frames(1);
  ImGui::GetIO().KeysDown[key] = false;
  h.Frames(1);
}
}  // namespace

TEST_CASE("ui/labels: ?run=labels-demo trains v1, pre-labels v2; review keys and mouse edit; v2 trains") {
  HeadlessApp h(__func__);
  // What the GLFW backend sets up: named keys map to GLFW key codes.
  ImGui::GetIO().KeyMap[ImGuiKey_Enter] = 257;
  ImGui::GetIO().KeyMap[ImGuiKey_Delete] = 261;
  h.app.State().platform.data_dir = LogoDataParent();  // <dir>/logos, as the bundle
  REQUIRE(h.app.Run("labels-demo", {{"test", "25"}}));  // 25 test images keep the test short
  CHECK(h.Status()["panel"] == "Label Review");
  int frames = h.FramesUntil([](const nlohmann::json& s) { return s["labels"].value("state", "") == "ready"; });
  nlohmann::json l = h.Status()["labels"];
  REQUIRE(l["state"] == "ready");
  CHECK(frames > 30);  // many slices, not one long step
  CHECK(l["images"]["v1"] == 8);
  CHECK(l["images"]["v2"] == 30);
  CHECK(l["images"]["test"] == 100);
  CHECK(l["prelabeled"] == 30);
  CHECK(l["proposals"].get<int>() > 10);
  CHECK(l["v1"]["f1"].get<double>() > 0.5);
  // v1 is scored, and the review slider starts, at v1's own cross-validated threshold.
  REQUIRE(h.app.State().labels.det_v1);
  const double thr = h.app.State().labels.det_v1->threshold();
  CHECK(l["v1"]["threshold"].get<double>() == doctest::Approx(thr));
  CHECK(l["threshold"].get<double>() == doctest::Approx(thr));
  CHECK(l["texture"] == false);  // no renderer here: no picture, still no crash
  auto& st = h.app.State().labels;
  h.Frames(2);
  auto s = h.Status();
  CHECK(s["items"].contains("labels.canvas"));
  // The F1 chart is drawn below the review canvas (scrolled out of a small window, not absent).
  CHECK((s["items"].contains("labels.chart") || s["items_offscreen"].contains("labels.chart")));
  // No wall-clock bound on the longest slice here: load and sanitizers stretch any such
  // limit. It is a benchmark figure (the e2e run prints it for the page); that the work
  // was sliced at all is checked by the frame count above.

  // Delete the first box of the current image, undo it, then accept with Enter.
  const int item = st.order[size_t(st.pos)];
  // Review time counts only near the person's input: idle frames add nothing, moving the mouse does.
  const double idle = st.items[size_t(item)].seconds;
  h.Frames(10);
  CHECK(st.items[size_t(item)].seconds == idle);
  ImGui::GetIO().MousePos = ImVec2(5, 5);
  h.Frames(1);
  ImGui::GetIO().MousePos = ImVec2(9, 7);
  h.Frames(3);
  CHECK(st.items[size_t(item)].seconds > idle);
  const size_t boxes = st.items[size_t(item)].boxes.size();
  if (boxes > 0) {
    st.selected = 0;
    Key(h, ImGui::GetKeyIndex(ImGuiKey_Delete));
    CHECK(st.items[size_t(item)].boxes.size() == boxes - 1);
    ImGui::GetIO().KeyCtrl = true;
    Key(h, 'Z');
    ImGui::GetIO().KeyCtrl = false;
    CHECK(st.items[size_t(item)].boxes.size() == boxes);
  }
  // Draw a new box with the mouse on the canvas (drag from 30% to 60% of it).
  const auto rect = h.Status()["items"]["labels.canvas"];
  const float x0 = rect[0].get<float>(), y0 = rect[1].get<float>(), w = rect[2].get<float>(), hh = rect[3].get<float>();
  ImGuiIO& io = ImGui::GetIO();
  Key(h, '2');  // new boxes get class 1 ("cloud")
  const auto before = st.items[size_t(item)].boxes.size();
  // An empty 24x24 px spot of the picture (no box there), in screen coordinates.
  const auto& cur = st.items[size_t(item)];
  const float sc = std::min(w / float(cur.width), hh / float(cur.height));
  const float ox = x0 + (w - float(cur.width) * sc) / 2, oy = y0 + (hh - float(cur.height) * sc) / 2;
  float ix = -1, iy = -1;
  for (float y = 2; y + 26 < float(cur.height) && ix < 0; y += 4)
    for (float x = 2; x + 26 < float(cur.width) && ix < 0; x += 4) {
      bool free = true;
      for (auto& b : cur.boxes)
        if (fk::labels::IoU(b.box, fk::labels::Box{x, y, 24, 24}) > 0) free = false;
      if (free) {
        ix = x;
        iy = y;
      }
    }
  REQUIRE(ix >= 0);
  io.MousePos = ImVec2(ox + ix * sc, oy + iy * sc);
  h.Frames(1);
  io.MouseDown[0] = true;
  h.Frames(1);
  CHECK(st.drag == 3);
  io.MousePos = ImVec2(ox + (ix + 24) * sc, oy + (iy + 24) * sc);
  h.Frames(2);
  io.MouseDown[0] = false;
  h.Frames(2);
  const auto& after = st.items[size_t(item)];
  CHECK(after.boxes.size() == before + 1);
  CHECK(after.boxes.back().origin == -1);
  CHECK(after.boxes.back().box.class_id == 1);
  CHECK(after.Stats().added == 1);
  Key(h, ImGui::GetKeyIndex(ImGuiKey_Enter));
  CHECK(st.items[size_t(item)].reviewed);
  CHECK(st.order[size_t(st.pos)] != item);  // moved on to the next image

  // The simulated reviewer reviews 11 more (12 reviewed), then v2 trains on v1 + those.
  for (size_t i = 0, n = 0; i < st.items.size() && n < 11; i++)
    if (!st.items[i].reviewed) {
      fk::labels::SimulateReviewer(st.truth[i], &st.items[i], {});
      n++;
    }
  h.Frames(1);
  l = h.Status()["labels"];
  CHECK(l["reviewed"] == 12);
  CHECK(l["test_scored"] == 25);
  CHECK(l["review"]["accepted_unchanged"].get<int>() > 0);
  CHECK(l["review"]["effort_saved"].get<double>() > 0.3);
  h.app.State().labels.message.clear();
  // The Train v2 button through its recorded rectangle.
  REQUIRE(h.Click("labels.train_v2"));
  h.FramesUntil([](const nlohmann::json& s) { return s["labels"]["v2"].is_object(); });
  l = h.Status()["labels"];
  REQUIRE(l["v2"].is_object());
  CHECK(l["v2"]["f1"].get<double>() > 0.5);  // (v2 beating v1 on the full split is the CLI loop's number)
  CHECK(fk::ui::ImAssertFailures() == 0);
}

TEST_CASE("ui/labels: a missing data folder is an error the user sees; a corrupt dropped image too") {
  HeadlessApp h(__func__);
  REQUIRE(h.app.Run("labels-demo", {{"data", "/nonexistent/logos"}}));
  for (int i = 0; i < 20; i++) h.Frames(1);
  auto s = h.Status();
  CHECK(s["job"]["state"] == "failed");
  CHECK(s["job"]["error"].get<std::string>().find("/nonexistent/logos/v1.manifest") != std::string::npos);
  const std::string bad = HeadlessImGui::UserDir("labels_bad") + "/broken.png";
  { std::ofstream(bad) << "\x89PNG\r\n\x1a\n garbage"; }
  fk::ui::ImportFile(h.app.State(), bad);
  h.Frames(1);
  s = h.Status();
  REQUIRE_FALSE(s["errors"].empty());
  CHECK(s["errors"].back().get<std::string>().find("broken.png") != std::string::npos);
  CHECK(fk::ui::ImAssertFailures() == 0);
}
