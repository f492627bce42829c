#include <doctest/doctest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "nn/real_models.h"
#include "tflite_models.h"

namespace fk::nn {

TEST_CASE("real models: the dense and sparse face models find the same face in the bundled picture (IoU >= 0.9)") {
  REQUIRE_MESSAGE(test::StageBundle(), "the bundled models or picture are missing: run `make deps`");
  RealModelsOptions o;
  o.models = {"mediapipe:face_full_sparse", "mediapipe:face_full"};
  o.runs = 2;
  o.warmup = 0;
  RealModelsSession s(o);
  int steps = 0;
  while (!s.Step()) ++steps;
  REQUIRE_MESSAGE(s.status().ok(), s.status().message());
  CHECK(steps > 6);  // sliced: never the whole job in one step
  REQUIRE(s.Results().size() == 2);
  CHECK(s.Picture().width == 512);
  for (const RealModelResult& r : s.Results()) {
    CAPTURE(r.name);
    REQUIRE(r.faces.size() >= 1);
    CHECK(r.faces[0].score > 0.8f);
    REQUIRE(r.max_rel_err_vs_reference.has_value());
    CHECK(*r.max_rel_err_vs_reference <= 1e-4);
    CHECK(r.median_ms > 0);
  }
  CHECK(s.Results()[0].stored_sparse == 46);  // the sparse file stores 46 weight tensors sparse
  CHECK(s.Results()[1].stored_sparse == 0);
  CHECK(mediapipe::IoU(s.Results()[0].faces[0], s.Results()[1].faces[0]) >= 0.9f);
  // The face sits in the upper middle of the astronaut portrait, in picture pixels.
  nlohmann::json d = s.DetectionsJson(0);
  REQUIRE(d.size() >= 1);
  const double x = d[0]["box"][0].get<double>(), y = d[0]["box"][1].get<double>(), w = d[0]["box"][2].get<double>();
  CHECK(x > 120);
  CHECK(x + w < 330);
  CHECK(y > 20);
  CHECK(y < 150);
  CHECK(d[0]["keypoints"].size() == 6);
  nlohmann::json j = s.Json();
  for (const char* k : {"name", "bytes", "ops", "sparse_layers", "median_ms", "p10_ms", "p90_ms",
                        "max_rel_err_vs_reference", "detections"})
    CHECK(j["models"][0].contains(k));
  CHECK(j["image"]["width"] == 512);

  // A new frame through the loaded models (the camera path): the picture mirrored and
  // widened puts the face where the mirror says, for both models.
  const Image pic = s.Picture();  // a copy: RunFrame replaces the session's picture
  Image frame(pic.width + 128, pic.height);
  for (int y = 0; y < pic.height; ++y)
    for (int x = 0; x < pic.width; ++x) {
      const uint8_t* p = pic.At(pic.width - 1 - x, y);
      std::copy(p, p + 3, frame.At(x + 128, y));
    }
  REQUIRE(s.RunFrame(frame).ok());
  CHECK(s.Picture().width == pic.width + 128);
  for (size_t i = 0; i < 2; ++i) {
    nlohmann::json f = s.DetectionsJson(i);
    REQUIRE(f.size() >= 1);
    const double fx = f[0]["box"][0].get<double>(), fw = f[0]["box"][2].get<double>();
    CHECK(std::abs((fx + fw / 2) - (128 + pic.width - (x + w / 2))) < 12);  // mirrored centre, in frame pixels
  }
  CHECK(!s.RunFrame(Image()).ok());

  // A model at a time (the page's camera pump): the same detections as RunFrame, model by model.
  const nlohmann::json whole0 = s.DetectionsJson(0), whole1 = s.DetectionsJson(1);
  CHECK(!s.StepFrame().ok());  // nothing begun
  REQUIRE(s.BeginFrame(frame).ok());
  CHECK(s.FrameInProgress());
  Result<bool> first = s.StepFrame();
  REQUIRE(first.ok());
  CHECK_FALSE(*first);
  CHECK(s.DetectionsJson(0) == whole0);
  Result<bool> second = s.StepFrame();
  REQUIRE(second.ok());
  CHECK(*second);
  CHECK_FALSE(s.FrameInProgress());
  CHECK(s.DetectionsJson(1) == whole1);
  CHECK(!s.StepFrame().ok());
}

TEST_CASE("real models: a hand model on a picture without a hand reports it absent; bad inputs are clear errors") {
  REQUIRE(test::StageBundle());
  RealModelsOptions o;
  o.models = {"mediapipe:hand_lite"};
  o.runs = 0;
  RealModelsSession s(o);
  while (!s.Step()) {
  }
  REQUIRE_MESSAGE(s.status().ok(), s.status().message());
  REQUIRE(s.Results()[0].hand.has_value());
  CHECK(s.DetectionsJson(0).size() == (s.Results()[0].hand->present ? 1u : 0u));

  RealModelsOptions bad;
  bad.models = {"mediapipe:nope"};
  RealModelsSession b(bad);
  while (!b.Step()) {
  }
  CHECK(!b.status().ok());
  CHECK(b.status().message().find("mediapipe:nope") != std::string::npos);

  RealModelsOptions img;
  img.models = {"mediapipe:face_short"};
  img.image = "/nonexistent/picture.png";
  RealModelsSession c(img);
  while (!c.Step()) {
  }
  CHECK(!c.status().ok());
  CHECK(c.status().message().find("picture.png") != std::string::npos);
}

}  // namespace fk::nn
