// Label Review: "Retrain v1 + pre-label v2" keeps every image the user
// imported and every review they made (the queue is rebuilt, not cleared).
#include <doctest/doctest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "fk_imconfig.h"
#include "headless_app.h"
#include "labels/review.h"
#include "../labels/logo_data.h"
#include "ui/app_state.h"
#include "ui/panels.h"

namespace {
int FindRef(const fk::ui::LabelsPanelState& st, const std::string& ref) {
  for (size_t i = 0; i < st.items.size(); i++)
    if (st.items[i].source_ref == ref) return int(i);
  return -1;
}
bool SameBoxes(const std::vector<fk::labels::Box>& a, const std::vector<fk::labels::Box>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++)
    if (a[i].left != b[i].left || a[i].top != b[i].top || a[i].width != b[i].width || a[i].height != b[i].height ||
        a[i].class_id != b[i].class_id)
      return false;
  return true;
}
}  // namespace

TEST_CASE("ui/labels: retraining keeps the user's imported images and their reviews") {
  HeadlessApp h(__func__);
  h.app.State().platform.data_dir = LogoDataParent();
  auto& st = h.app.State().labels;
  // Two images of the user's own, dropped before any model: no proposals. On
  // the first they draw a box and accept it; the second they leave.
  const std::string dir = HeadlessImGui::UserDir("labels_own");
  const std::string mine = dir + "/mine.png", other = dir + "/other.png";
  std::filesystem::copy_file(LogoDataParent() + "/logos/test/0000.png", mine,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(LogoDataParent() + "/logos/test/0001.png", other,
                             std::filesystem::copy_options::overwrite_existing);
  REQUIRE(fk::ui::ImportFile(h.app.State(), mine));
  REQUIRE(fk::ui::ImportFile(h.app.State(), other));
  REQUIRE(st.items.size() == 2);
  const fk::labels::Box drawn{12, 14, 30, 22, 1, 1.f};
  st.items[0].Edit();
  st.items[0].boxes.push_back({drawn, -1});
  st.items[0].reviewed = true;

  REQUIRE(h.app.Run("labels-demo", {{"test", "5"}}));
  auto ready = [](const nlohmann::json& s) { return s["labels"].value("state", "") == "ready"; };
  h.FramesUntil(ready);
  REQUIRE(ready(h.Status()));
  REQUIRE(st.items.size() == 32);  // 30 pre-labelled v2 images + the 2 imports
  int m = FindRef(st, mine), o = FindRef(st, other);
  REQUIRE(m >= 0);
  REQUIRE(o >= 0);
  CHECK(st.items[size_t(m)].reviewed);
  CHECK(SameBoxes(st.items[size_t(m)].FinalBoxes(), {drawn}));
  CHECK_FALSE(st.has_truth[size_t(m)]);
  CHECK_FALSE(st.items[size_t(o)].Touched());

  // Review a v2 image, edit another without accepting, then retrain.
  int v2a = -1, v2b = -1;
  for (size_t i = 0; i < st.items.size(); i++)
    if (st.has_truth[i] && !st.truth[i].empty()) (v2a < 0 ? v2a : v2b) = int(i);
  REQUIRE(v2a >= 0);
  REQUIRE(v2b >= 0);
  fk::labels::SimulateReviewer(st.truth[size_t(v2a)], &st.items[size_t(v2a)], {});
  const std::string ref_a = st.items[size_t(v2a)].source_ref, ref_b = st.items[size_t(v2b)].source_ref;
  const auto boxes_a = st.items[size_t(v2a)].FinalBoxes();
  st.items[size_t(v2b)].Edit();
  st.items[size_t(v2b)].boxes.clear();  // deleted every proposal, not accepted yet

  REQUIRE(h.app.Run("labels-demo", {{"test", "5"}}));  // what "Retrain v1 + pre-label v2" starts
  h.FramesUntil([](const nlohmann::json& s) { return s["labels"].value("state", "") == "training_v1"; }, 30);
  h.FramesUntil(ready);
  const auto l = h.Status()["labels"];
  REQUIRE(l["state"] == "ready");
  CHECK(l["queue"] == 32);
  CHECK(l["reviewed"] == 2);
  CHECK(l["prelabeled"] == 28);  // the two touched v2 images kept their boxes
  m = FindRef(st, mine);
  o = FindRef(st, other);
  const int a = FindRef(st, ref_a), b = FindRef(st, ref_b);
  REQUIRE((m >= 0 && o >= 0 && a >= 0 && b >= 0));
  CHECK(st.items[size_t(m)].reviewed);
  CHECK(SameBoxes(st.items[size_t(m)].FinalBoxes(), {drawn}));
  CHECK(st.items[size_t(a)].reviewed);
  CHECK(SameBoxes(st.items[size_t(a)].FinalBoxes(), boxes_a));
  CHECK(st.has_truth[size_t(a)]);
  CHECK_FALSE(st.items[size_t(b)].reviewed);
  CHECK(st.items[size_t(b)].boxes.empty());
  CHECK(st.items[size_t(b)].Undo());  // its history came along
  CHECK_FALSE(st.has_truth[size_t(o)]);
  CHECK(st.images.size() == st.items.size());
  CHECK(st.truth.size() == st.items.size());
  h.Frames(2);
  CHECK(fk::ui::ImAssertFailures() == 0);
}

TEST_CASE("ui/labels: a retrain cancelled while pre-labelling leaves the rest of the queue as it was") {
  HeadlessApp h(__func__);
  h.app.State().platform.data_dir = LogoDataParent();
  auto& st = h.app.State().labels;
  REQUIRE(h.app.Run("labels-demo", {{"test", "5"}}));
  auto ready = [](const nlohmann::json& s) { return s["labels"].value("state", "") == "ready"; };
  h.FramesUntil(ready);
  REQUIRE(st.items.size() == 30);
  for (size_t i = 0; i < st.items.size(); i += 2) fk::labels::SimulateReviewer(st.truth[i], &st.items[i], {});
  REQUIRE(h.app.Run("labels-demo", {{"test", "5"}}));
  // Cancel once the queue is being rebuilt (the plan is set when v1 is trained);
  // the untouched images are pre-labelled one scan slice at a time, so it is mid-way.
  h.FramesUntil([&](const nlohmann::json&) { return !st.plan.empty() && st.job_i > 3; }, 300);
  REQUIRE(!st.plan.empty());
  REQUIRE(st.job_i < st.plan.size());
  h.app.State().jobs.Cancel();
  h.Frames(3);
  CHECK(st.plan.empty());
  CHECK(st.items.size() == 30);  // the images not pre-labelled yet are back as they were
  CHECK(st.images.size() == 30);
  int reviewed = 0;
  for (auto& it : st.items) reviewed += it.reviewed;
  CHECK(reviewed == 15);
}
