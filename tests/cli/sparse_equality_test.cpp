// The Sparse Inference panel and `fieldkit-cli sparse bench|size` run one
// nn::SparseBench and one size-table builder: for the same choices they give
// the same deterministic numbers — .fks bytes per format and sparsity, the
// bytes of each backend's model, the kernels that ran and each backend's
// error against the scalar reference. Latencies are the machine's, not compared.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "../ui/headless_app.h"
#include "nn/sparse_bench.h"
#include "run_verb.h"
#include "ui/app_state.h"

TEST_CASE("cli/sparse: the panel's bench and size table and the CLI's give the same bytes, kernels and errors") {
  HeadlessApp h(__func__);
  // The panel's widgets: MobileNetV2 0.35 @96, sparsities 0, 50% and 90% (the size table uses them on first view).
  auto& st = h.app.State().sparse;
  st.width_idx = 0;
  st.size_idx = 0;
  const bool on[6] = {true, true, false, false, true, false};
  for (int i = 0; i < 6; i++) st.sparsity_on[i] = on[i];
  REQUIRE(h.app.Run("sparse-bench", {{"width", "0.35"}, {"size", "96"}, {"sparsity", "0,0.5,0.9"}, {"runs", "3"}}));
  h.FramesUntil([](const nlohmann::json& s) {
    return (!s["sparse_bench"].is_null() && s.contains("sparse_sizes")) || !s["errors"].empty();
  });
  const nlohmann::json status = h.Status();
  REQUIRE(status["errors"].empty());
  REQUIRE(!status["sparse_bench"].is_null());
  REQUIRE(status.contains("sparse_sizes"));

  // The same choices as flags (the panel warms up twice; only timing depends on it).
  const std::vector<std::string> model = {"--width", "0.35", "--size", "96", "--sparsity", "0,0.5,0.9"};
  std::vector<std::string> bench = {"bench", "--backend", "own-dense,own-sparse", "--runs", "3", "--warmup", "2", "--json"};
  bench.insert(bench.end(), model.begin(), model.end());
  const auto bo = fk::test::RunVerb(fk::cli::SparseCommand, bench);
  INFO(bo.error);
  REQUIRE(bo.code == 0);
  const nlohmann::json cli = nlohmann::json::parse(bo.out)["results"];
  const nlohmann::json panel = status["sparse_bench"]["results"];
  REQUIRE(cli.size() == 6);
  REQUIRE(panel.size() == cli.size());
  for (size_t i = 0; i < cli.size(); i++) {
    INFO(cli[i]["backend"].get<std::string>(), " at ", cli[i]["sparsity"].dump());
    for (const char* k : {"backend", "sparsity", "model_bytes", "kernel", "max_rel_err", "runs"}) CHECK(cli[i][k] == panel[i][k]);
  }
  // The sparse model is smaller at 90% than dense: the bytes compared are the model's.
  CHECK(cli[5]["model_bytes"].get<uint64_t>() < cli[4]["model_bytes"].get<uint64_t>());

  std::vector<std::string> size = {"size", "--json"};
  size.insert(size.end(), model.begin(), model.end());
  const auto so = fk::test::RunVerb(fk::cli::SparseCommand, size);
  INFO(so.error);
  REQUIRE(so.code == 0);
  const nlohmann::json sizes = nlohmann::json::parse(so.out)["sizes"];
  REQUIRE(sizes.size() == 3);
  CHECK(sizes == status["sparse_sizes"]);
  // Another block size prunes other weights: the comparison above can fail.
  size.insert(size.end(), {"--block", "4"});
  const auto other = fk::test::RunVerb(fk::cli::SparseCommand, size);
  REQUIRE(other.code == 0);
  CHECK(nlohmann::json::parse(other.out)["sizes"] != sizes);
}
