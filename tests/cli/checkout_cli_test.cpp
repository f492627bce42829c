// `fieldkit-cli checkout`: a simulated stream written to a folder and run from
// it gives the figures of the same stream run in memory (the panel's way);
// bad input is one message naming the folder, or events.jsonl's line and field.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "checkout/pipeline.h"
#include "run_verb.h"

namespace {
std::string CheckoutTempDir(const char* name) {
  auto dir = std::filesystem::temp_directory_path() / (std::string("fk_checkout_") + name);
  std::filesystem::remove_all(dir);
  return dir.string();
}
}  // namespace

TEST_CASE("cli/checkout: simulate then run --frames gives the in-memory run's figures") {
  const std::string dir = CheckoutTempDir("sim");
  const fk::test::VerbOutput sim =
      fk::test::RunVerb(fk::cli::CheckoutCommand, {"simulate", "--seed", "3", "--sessions", "1", "--out", dir, "--json"});
  REQUIRE(sim.code == 0);
  const nlohmann::json s = nlohmann::json::parse(sim.out);
  CHECK(s["frames"].get<int>() > 50);
  CHECK(std::filesystem::exists(dir + "/000000.png"));
  CHECK(std::filesystem::exists(dir + "/events.jsonl"));
  // A quick detector (4 product photos of seed 1, 5 epochs, no calibration): this test is about the plumbing.
  const fk::test::VerbOutput prod =
      fk::test::RunVerb(fk::cli::CheckoutCommand, {"products", "--seeds", "1", "--per-seed", "4", "--out", dir + "_products"});
  REQUIRE(prod.code == 0);
  const std::string manifest = dir + "_products/products.manifest";
  const fk::test::VerbOutput run = fk::test::RunVerb(
      fk::cli::CheckoutCommand,
      {"run", "--frames", dir, "--train", manifest, "--param", "epochs=5,mining_rounds=1,calibration_folds=0", "--json"});
  REQUIRE(run.code == 0);
  const nlohmann::json r = nlohmann::json::parse(run.out);
  for (const char* k : {"carts", "event_precision", "event_recall", "cart_accuracy", "ms_per_frame"}) CHECK(r.contains(k));
  CHECK(r["frames"] == s["frames"]);
  // The same stream in memory: PNG is lossless, so every figure but the time is the same.
  fk::checkout::CheckoutOptions o;
  o.seeds = {3};
  o.sim.sessions = 1;
  o.train_manifest = manifest;
  o.detector.epochs = 5;
  o.detector.mining_rounds = 1;
  o.detector.calibration_folds = 0;
  auto mem = fk::checkout::RunCheckout(o);
  REQUIRE(mem.ok());
  CHECK(r["events"] == int(mem->events.size()));
  CHECK(r["true_events"] == mem->scores.true_events);
  CHECK(r["matched_events"] == mem->scores.matched_events);
  CHECK(r["carts_right"] == mem->scores.carts_right);
  CHECK(r["cart_accuracy"] == mem->scores.cart_accuracy);
  std::filesystem::remove_all(dir);
  std::filesystem::remove_all(dir + "_products");
}

TEST_CASE("cli/checkout: a missing folder, a folder without frames and a broken events.jsonl are named") {
  const std::string dir = CheckoutTempDir("bad");
  fk::test::VerbOutput o = fk::test::RunVerb(fk::cli::CheckoutCommand, {"run", "--frames", dir + "/nope", "--json"});
  CHECK(o.code == 1);
  CHECK(o.error.find(dir + "/nope") != std::string::npos);
  std::filesystem::create_directories(dir);
  o = fk::test::RunVerb(fk::cli::CheckoutCommand, {"run", "--frames", dir});
  CHECK(o.code == 1);
  CHECK(o.error == dir + ": no frames (NNNNNN.png) in this folder");
  // One frame (a broken PNG is named too), then a broken events.jsonl line.
  std::ofstream(dir + "/000000.png", std::ios::binary) << "not a png";
  std::ofstream(dir + "/events.jsonl", std::ios::binary)
      << "{\"frame\":3,\"type\":\"take\",\"item\":\"smile\",\"session\":0}\n{\"frame\":9,\"type\":\"take\",\"session\":0}\n";
  o = fk::test::RunVerb(fk::cli::CheckoutCommand, {"run", "--frames", dir});
  CHECK(o.code == 1);
  CHECK(o.error == dir + "/events.jsonl:2: field \"item\" is missing");
  std::ofstream(dir + "/events.jsonl", std::ios::binary) << "";
  o = fk::test::RunVerb(fk::cli::CheckoutCommand, {"run", "--frames", dir});
  CHECK(o.code == 1);
  CHECK(o.error.find(dir + "/000000.png") != std::string::npos);
  // Usage: one of --frames / --seeds, seeds well formed.
  CHECK(fk::test::RunVerb(fk::cli::CheckoutCommand, {"run"}).code == 2);
  CHECK(fk::test::RunVerb(fk::cli::CheckoutCommand, {"run", "--seeds", "5-2"}).code == 2);
  CHECK(fk::test::RunVerb(fk::cli::CheckoutCommand, {"simulate", "--seed", "1"}).code == 2);
  std::filesystem::remove_all(dir);
}
