// v2 trains in slices over many frames on pointers to its images; a user may
// drop images into the review queue meanwhile, which grows (and may move) the
// queue's image vector. The trainer must not point into it (a heap-use-after-
// free under ASan before v2 trained on copies), and fieldkit.run() must not
// retrain v1 (whose images v2 also trains on) while v2 runs.
#include <doctest/doctest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "core/image.h"
#include "fk_imconfig.h"
#include "headless_app.h"
#include "labels/review.h"
#include "../labels/logo_data.h"
#include "ui/app_state.h"
#include "ui/panels.h"

TEST_CASE("ui/labels: images dropped while v2 trains join the queue and v2 still trains on what was reviewed") {
  HeadlessApp h(__func__);
  h.app.State().platform.data_dir = LogoDataParent();
  REQUIRE(h.app.Run("labels-demo", {{"test", "5"}}));
  h.FramesUntil([](const nlohmann::json& s) { return s["labels"].value("state", "") == "ready"; });
  REQUIRE(h.Status()["labels"]["state"] == "ready");
  auto& st = h.app.State().labels;
  for (size_t i = 0; i < 6 && i < st.items.size(); i++) fk::labels::SimulateReviewer(st.truth[i], &st.items[i], {});
  h.Frames(2);
  const size_t queue = st.items.size();
  // A user's own image to drop, many times.
  fk::Image img(64, 48);
  const std::string path = h.platform.user_dir + "/dropped.png";
  REQUIRE(fk::SavePng(img, path));
  // Train v2 through its button, as a user would.
  REQUIRE(h.Click("labels.train_v2"));  // a button fires on the release frame
  REQUIRE(h.Status()["labels"]["state"] == "training_v2");
  // fieldkit.run() cannot retrain v1 under it either (that replaces v1's images, which v2 trains on).
  CHECK_FALSE(h.app.Run("labels-demo", {}));
  CHECK(h.Status()["labels"]["state"] == "training_v2");
  int dropped = 0;
  h.FramesUntil([&](const nlohmann::json& s) {
    if (s["labels"]["state"] == "training_v2" && dropped < 64) {
      fk::ui::ImportLabelImage(h.app.State(), path);  // the vector doubles several times
      dropped++;
    }
    return s["labels"]["v2"].is_object();
  });
  const nlohmann::json l = h.Status()["labels"];
  REQUIRE(l["v2"].is_object());
  CHECK(dropped > 1);  // some landed while v2 was training
  CHECK(st.items.size() == queue + size_t(dropped));
  CHECK(l["v2"]["f1"].is_number());
}
