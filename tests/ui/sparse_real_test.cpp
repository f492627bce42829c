#include <doctest/doctest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "../nn/tflite_models.h"
#include "headless_app.h"

TEST_CASE("ui/sparse: ?run=sparse-real runs the face pair on the bundled picture into status().sparse_real") {
  REQUIRE_MESSAGE(fk::test::StageBundle(), "run `make deps`");
  HeadlessApp h(__func__);
  auto& app = h.app;
  REQUIRE(app.Run("sparse-real", {{"model", "mediapipe:face_full_sparse,mediapipe:face_full"}, {"runs", "3"}}));
  const int frames = h.FramesUntil([](const nlohmann::json& s) { return !s["sparse_real"].is_null(); });
  CHECK(frames > 3);  // sliced over frames
  nlohmann::json status = nlohmann::json::parse(app.StatusJson());
  CHECK(status["panel"] == "Sparse Inference");
  const nlohmann::json& r = status["sparse_real"];
  REQUIRE(r["models"].size() == 2);
  for (const auto& m : r["models"]) {
    CHECK(m["median_ms"].get<double>() > 0);
    CHECK(m["max_rel_err_vs_reference"].get<double>() <= 1e-4);
    CHECK(m["detections"].size() >= 1);
    CHECK(m["bytes"].get<double>() > 100000);
  }
  CHECK(r["models"][0]["sparse_layers"].is_number());
  CHECK(r["image"]["name"] == "astronaut.png");
  CHECK(fk::ui::ImAssertFailures() == 0);
  app.Shutdown();
}

TEST_CASE("ui/sparse: bad ?run=sparse-real parameters and a corrupt dropped .tflite are errors the user sees") {
  HeadlessApp h(__func__);
  auto& app = h.app;
  CHECK_FALSE(app.Run("sparse-real", {{"runs", "many"}}));
  CHECK_FALSE(app.Run("sparse-real", {{"colour", "red"}}));
  CHECK_FALSE(app.Run("sparse-real", {{"model", "a,b,c"}}));
  const std::string path = h.platform.user_dir + "/broken.tflite";
  { std::ofstream(path, std::ios::binary) << "\x10\x00\x00\x00TFL3garbage"; }
  CHECK(app.Run("import", {{"path", path}}));
  auto status = nlohmann::json::parse(app.StatusJson());
  REQUIRE(status["errors"].size() == 4);
  CHECK(status["errors"][3].get<std::string>().find("broken.tflite") != std::string::npos);
  app.OpenPanel("sparse");
  for (int f = 0; f < 3; f++) h.gui.Frame(app);
  CHECK(fk::ui::ImAssertFailures() == 0);
  app.Shutdown();
}
