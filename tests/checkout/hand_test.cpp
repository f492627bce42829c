#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "../nn/tflite_models.h"
#include "checkout/hand.h"
#include "checkout/pipeline.h"
#include "checkout/sim.h"

using namespace fk::checkout;

namespace {

// The deps cache's hand model, copied where this process can read it (the suite's own file system
// under wasm); "" when `make deps` has not run.
std::string HandTestModelPath() {
  const std::vector<uint8_t> b = fk::test::ReadHostFile(fk::test::ModelDir() + "/hand_landmark_lite.tflite");
  if (b.empty()) return "";
  const std::string p = (std::filesystem::temp_directory_path() / "fk_checkout_hand_landmark_lite.tflite").string();
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  return p;
}

fk::Status BuildHand(HandModel& h) {
  int guard = 0;
  while (!h.Step() && ++guard < 100000) {
  }
  return h.status();
}

}  // namespace

TEST_CASE("checkout/hand: a missing, broken or non-hand model file is a clear error, not a crash") {
  HandModel missing("/nonexistent/hand.tflite");
  fk::Status st = BuildHand(missing);
  CHECK(!st.ok());
  CHECK(st.message().find("/nonexistent/hand.tflite") != std::string::npos);
  CHECK(!missing.ready());
  CHECK(!missing.Run(fk::Image(64, 64), 32, 32, 40).ok());  // not loaded: an error

  const std::string junk = (std::filesystem::temp_directory_path() / "fk_checkout_junk.tflite").string();
  std::ofstream(junk, std::ios::binary) << "TFL3 this is not a flatbuffer at all, just some bytes";
  HandModel broken(junk);
  st = BuildHand(broken);
  CHECK(!st.ok());
  CHECK(st.message().find("fk_checkout_junk.tflite") != std::string::npos);

  // The pipeline fails on it before any training, naming the file.
  CheckoutOptions o;
  o.seeds = {2};
  o.hand_model = junk;
  Checkout c(o);
  int steps = 0;
  while (!c.Step(0)) steps++;
  CHECK(c.failed());
  CHECK(c.error().find("hand model") == 0);
  CHECK(c.error().find("fk_checkout_junk.tflite") != std::string::npos);
  CHECK(steps < 5);
  std::filesystem::remove(junk);

  // A real model that is not a hand-landmark one (a face detector) is refused, saying why.
  const std::vector<uint8_t> face = fk::test::ReadHostFile(fk::test::ModelDir() + "/face_detection_short_range.tflite");
  if (face.empty()) {
    MESSAGE("skipped the face-model case: third_party/models is empty (run `make deps`)");
    return;
  }
  const std::string fp = (std::filesystem::temp_directory_path() / "fk_checkout_face.tflite").string();
  std::ofstream(fp, std::ios::binary).write(reinterpret_cast<const char*>(face.data()), std::streamsize(face.size()));
  HandModel wrong(fp);
  st = BuildHand(wrong);
  CHECK(!st.ok());
  CHECK(st.message().find("not a hand-landmark model") != std::string::npos);
  std::filesystem::remove(fp);
}

TEST_CASE("checkout/hand: the hand model runs on a simulated stream's frames with an arm, the cue where it finds none") {
  const std::string path = HandTestModelPath();
  if (path.empty()) {
    MESSAGE("skipped: third_party/models/hand_landmark_lite.tflite is missing (run `make deps`)");
    return;
  }
  HandModel h(path);
  REQUIRE_MESSAGE(BuildHand(h).ok(), h.status().message());
  REQUIRE(h.ready());
  CHECK(h.Describe().find("224x224") != std::string::npos);
  // On a frame of a tuning seed: a reading in the frame's pixels, the square where asked.
  SimOptions so;
  so.seed = 2;
  const ShelfSim sim(so);
  const fk::Image frame = sim.Render(10);
  auto r = h.Run(frame, 300, 230, 80);  // a square past the frame's corner: edges repeated
  REQUIRE(r.ok());
  CHECK(r->crop_side == 80);
  CHECK(r->crop_x == 260);
  CHECK(r->crop_y == 190);
  CHECK(r->presence >= 0.f);
  CHECK(r->presence <= 1.f);
  for (const auto& p : r->points) CHECK((std::isfinite(p[0]) && std::isfinite(p[1])));

  // The pipeline with it, on one shopper of a tuning seed (a quick detector: 2 photos, few epochs).
  CheckoutOptions o;
  o.seeds = {2};
  o.sim.sessions = 1;
  o.photo_seeds = {1};
  o.photos_per_seed = 2;
  o.detector.epochs = 5;
  o.detector.mining_rounds = 1;
  o.hand_model = path;
  o.keep_live = true;
  Checkout c(o);
  int ran = 0, with_landmarks = 0;
  while (!c.Step(0)) {
    ran += c.live().hand_ran;
    if (c.live().landmarks) {
      with_landmarks++;
      CHECK(c.live().hand_presence > o.hand_presence);
    }
    if (c.live().hand_ran) CHECK(c.live().hand);  // the model runs only where the cue saw an arm
  }
  REQUIRE_MESSAGE(!c.failed(), c.error());
  const CheckoutData& d = c.data();
  CHECK(d.hand_frames > 5);
  CHECK(d.hand_frames == ran);
  CHECK(d.hand_found == with_landmarks);
  CHECK(d.hand_found <= d.hand_frames);
  CHECK(d.hand_ms > 0);
  CHECK(d.hand_source == path);
  const nlohmann::json j = c.StatusJson();
  CHECK(j.value("hand_source", "") == path);
  CHECK(j.value("hand_frames", -1) == d.hand_frames);
  CHECK(j.value("hand_found", -1) == d.hand_found);
  CHECK(j.value("hand_model", "").find("224x224") != std::string::npos);
  MESSAGE("hand_lite found a hand in " << d.hand_found << " of " << d.hand_frames << " frames with an arm");

  // Without the model: the cue only, said so.
  CheckoutOptions cue = o;
  cue.hand_model.clear();
  cue.trained = d.detector;
  Checkout c2(cue);
  while (!c2.Step(1e9)) {
  }
  REQUIRE(!c2.failed());
  CHECK(c2.data().hand_frames == 0);
  CHECK(c2.StatusJson().value("hand_source", "") == "cue");
  CHECK(c2.data().frames == d.frames);
  std::filesystem::remove(path);
}
