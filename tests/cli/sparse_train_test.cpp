// `fieldkit-cli sparse train` and `sparse prune-train`: the contract
// (flags and JSON keys) on a small generated set, and bad input.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "nn/model_file.h"
#include "run_verb.h"

using nlohmann::json;
namespace fs = std::filesystem;

TEST_CASE("cli/sparse train + prune-train: dense model file, results per sparsity and strategy") {
  const std::string dir = (fs::temp_directory_path() / "fk_cli_sparse_train").string();
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string dense = dir + "/dense.fks";
  auto t = fk::test::RunVerb(fk::cli::SparseCommand,
                             {"train", "--data", "generated", "--epochs", "1", "--train-size", "320", "--eval-limit",
                              "64", "--runs", "2", "--out", dense, "--json"});
  INFO(t.error);
  REQUIRE(t.code == 0);
  const json tj = json::parse(t.out);
  REQUIRE(tj["results"].size() == 1);
  CHECK(tj["results"][0]["strategy"] == "dense");
  CHECK(tj["out"] == dense);
  CHECK(tj["train_images"] == 320);
  auto m = fk::nn::LoadModel(dense);
  REQUIRE(m.ok());
  CHECK(m->NumClasses() == 10);
  CHECK(m->in_h == 32);

  auto p = fk::test::RunVerb(fk::cli::SparseCommand,
                             {"prune-train", "--model", dense, "--sparsity", "0.5,0.9", "--schedule", "polynomial",
                              "--strategy", "3step", "--train-size", "320", "--eval-limit", "64", "--prune-epochs",
                              "1", "--finetune-epochs", "1", "--frequency", "5", "--runs", "2", "--out-dir",
                              dir + "/pruned", "--json"});
  INFO(p.error);
  REQUIRE(p.code == 0);
  const json pj = json::parse(p.out);
  REQUIRE(pj["results"].size() == 3);  // dense, 3step 0.5, 3step 0.9
  for (const json& r : pj["results"])
    for (const char* k : {"sparsity", "strategy", "accuracy", "top1_drop", "model_bytes", "median_ms_dense",
                          "median_ms_sparse"})
      CHECK_MESSAGE(r.contains(k), k);
  CHECK(pj["results"][2]["strategy"] == "3step");
  CHECK(pj["results"][2]["sparsity"] == 0.9);
  CHECK(pj["results"][2]["achieved_sparsity"].get<double>() == doctest::Approx(0.9).epsilon(0.01));
  CHECK(pj["results"][2]["model_bytes"].get<size_t>() < pj["results"][0]["model_bytes"].get<size_t>());
  CHECK(fs::exists(dir + "/pruned/3step_90.fks"));
  auto pruned = fk::nn::LoadModel(dir + "/pruned/3step_90.fks");
  REQUIRE(pruned.ok());

  // Bad input names what is wrong.
  auto bad = fk::test::RunVerb(fk::cli::SparseCommand, {"prune-train", "--model", dense, "--sparsity", "0.5,1.2"});
  CHECK(bad.code == 2);
  CHECK(bad.error.find("1.2") != std::string::npos);
  bad = fk::test::RunVerb(fk::cli::SparseCommand, {"prune-train", "--model", dense, "--strategy", "magic"});
  CHECK(bad.code == 2);
  CHECK(bad.error.find("magic") != std::string::npos);
  bad = fk::test::RunVerb(fk::cli::SparseCommand, {"prune-train", "--model", dir + "/missing.fks"});
  CHECK(bad.code == 1);
  CHECK(bad.error.find("missing.fks") != std::string::npos);
  bad = fk::test::RunVerb(fk::cli::SparseCommand,
                          {"prune-train", "--model", dense, "--data", dir + "/no_such_folder", "--sparsity", "0.5"});
  CHECK(bad.code == 1);
  CHECK(bad.error.find("no_such_folder") != std::string::npos);
  fs::remove_all(dir);
}
