// The Sparse panel's "Train and prune" section over nn::PruneTrainSession:
// ?run=sparse-train trains, then prunes, in slices over frames, into
// status().sparse_train; the buttons' jobs; bad parameters.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "headless_app.h"

TEST_CASE("ui/sparse: ?run=sparse-train trains the dense model, then prunes it, into status().sparse_train") {
  HeadlessApp h(__func__);
  auto& app = h.app;
  REQUIRE(app.Run("sparse-train", {{"epochs", "1"},
                                   {"train_size", "256"},
                                   {"eval_limit", "64"},
                                   {"sparsity", "0.5,0.9"},
                                   {"prune_epochs", "1"},
                                   {"finetune_epochs", "1"},
                                   {"runs", "2"}}));
  // While it trains the status says so, with the session's detail.
  const nlohmann::json first = h.Status()["sparse_train"];
  CHECK(first["state"] == "training");
  CHECK(first["detail"].get<std::string>().find("dense: ") == 0);
  const int frames = h.FramesUntil([](const nlohmann::json& s) {
    return !s["sparse_train"].is_null() && s["sparse_train"]["state"] == "done";
  });
  CHECK(frames > 10);  // sliced over frames, never the whole run in one
  const nlohmann::json status = nlohmann::json::parse(app.StatusJson());
  CHECK(status["panel"] == "Sparse Inference");
  const nlohmann::json& t = status["sparse_train"];
  REQUIRE(t.contains("dense"));
  CHECK(t["dense"]["train_images"] == 256 / 32 * 32);
  CHECK(t["dense"]["images_per_s"].get<double>() > 0);
  REQUIRE(t.contains("pruned"));
  const auto& r = t["pruned"]["results"];
  REQUIRE(r.size() == 5);  // dense, one-shot and 3-step at 0.5 and 0.9
  CHECK(r[0]["strategy"] == "dense");
  CHECK(r[4]["strategy"] == "3step");
  CHECK(r[4]["sparsity"] == 0.9);
  CHECK(r[4]["model_bytes"].get<double>() < r[0]["model_bytes"].get<double>());
  // The same dense model was re-scored by the pruning run.
  CHECK(r[0]["accuracy"] == t["dense"]["results"][0]["accuracy"]);
  CHECK(status["job"]["max_step_ms"].get<double>() < 2000);  // a slice is a layer, not a step
  CHECK(fk::ui::ImAssertFailures() == 0);
  app.Shutdown();
}

TEST_CASE("ui/sparse: bad ?run=sparse-train parameters are errors the user sees") {
  HeadlessApp h(__func__);
  auto& app = h.app;
  CHECK_FALSE(app.Run("sparse-train", {{"epochs", "many"}}));
  CHECK_FALSE(app.Run("sparse-train", {{"sparsity", "0.6"}}));
  CHECK_FALSE(app.Run("sparse-train", {{"schedule", "cubic"}}));
  CHECK_FALSE(app.Run("sparse-train", {{"colour", "red"}}));
  const auto status = nlohmann::json::parse(app.StatusJson());
  REQUIRE(status["errors"].size() == 4);
  CHECK(status["errors"][0].get<std::string>().find("epochs") != std::string::npos);
  CHECK(status["errors"][1].get<std::string>().find("0.6") != std::string::npos);
  CHECK(status["errors"][2].get<std::string>().find("cubic") != std::string::npos);
  CHECK(status["errors"][3].get<std::string>().find("colour") != std::string::npos);
  CHECK(status["sparse_train"].is_null());
  CHECK(fk::ui::ImAssertFailures() == 0);
  app.Shutdown();
}
