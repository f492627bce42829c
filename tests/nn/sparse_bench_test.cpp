#include <doctest/doctest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "nn/graph.h"
#include "nn/model_file.h"
#include "nn/pruning.h"
#include "nn/sparse_bench.h"

using namespace fk::nn;

TEST_CASE("nn/sparse_bench: a small bench runs to the end with one result per backend and sparsity") {
  SparseBenchOptions o;
  o.width = 0.35f;
  o.size = 96;
  o.sparsities = {0.0, 0.9};
  o.backends = KnownBackends();
  o.runs = 2;
  o.warmup = 1;
  o.time_layers = true;
  SparseBench b(o);
  int steps = 0;
  float last = 0;
  while (!b.Step()) {
    CHECK(b.Progress() >= last);
    last = b.Progress();
    REQUIRE(++steps < 5000);
  }
  REQUIRE_MESSAGE(b.status(), b.status().message());
  CHECK(b.Progress() == 1.f);
  REQUIRE(b.Results().size() == 2 * o.backends.size());
  for (auto& r : b.Results()) {
    CHECK(r.runs == 2);
    CHECK(r.median_ms > 0);
    CHECK(r.p10_ms <= r.median_ms);
    CHECK(r.median_ms <= r.p90_ms);
    CHECK(r.max_rel_err < 1e-4);
    CHECK(r.model_bytes > 0);
    CHECK_FALSE(r.kernel.empty());
  }
  CHECK_FALSE(b.LayerProfile().empty());
  // Layer rows name the op that ran and its useful FLOPs: at 90 % a pruned 1x1
  // layer's spmm counts about a tenth of the dense layer's multiply-adds.
  int pairs = 0;
  for (auto& d : b.LayerProfile()) {
    CHECK(d.min_ms <= d.median_ms);
    if (d.backend != "own-dense" || d.sparsity != 0.9 || d.op != "conv1x1") continue;
    for (auto& s : b.LayerProfile())
      if (s.backend == "own-sparse" && s.sparsity == 0.9 && s.layer == d.layer) {
        CHECK(s.op == "spmm");
        CHECK(s.pixels == d.pixels);
        CHECK(s.flops > 0.02 * d.flops);
        CHECK(s.flops < 0.2 * d.flops);
        pairs++;
      }
  }
  CHECK(pairs == 34);
  const nlohmann::json j = b.ResultsJson();
  REQUIRE(j["results"].size() == b.Results().size());
  const nlohmann::json& r0 = j["results"][0];
  CHECK(r0.size() == 9);
  for (const char* key : {"backend", "sparsity", "median_ms", "p10_ms", "p90_ms", "model_bytes", "kernel",
                          "max_rel_err", "runs"})
    CHECK(r0.contains(key));
  CHECK(r0["backend"] == b.Results()[0].backend);
  CHECK(r0["sparsity"] == 0);
  CHECK(r0["runs"] == 2);
  // Times as "%.4f" printed them: rounded to 0.1 us, no float noise.
  CHECK(r0["median_ms"].get<double>() == doctest::Approx(b.Results()[0].median_ms).epsilon(1e-3));
  CHECK(r0["median_ms"].dump().size() <= std::to_string(int(b.Results()[0].median_ms)).size() + 5);
}

TEST_CASE("nn/sparse_bench: bad options fail with a message naming the option") {
  SparseBenchOptions o;
  o.backends = {"own-dense", "gpu"};
  SparseBench b(o);
  CHECK(b.Step());
  REQUIRE_FALSE(b.status());
  CHECK(b.status().message().find("gpu") != std::string::npos);
  o = {};
  o.sparsities = {1.0};
  CHECK_FALSE(ValidateBenchOptions(o));
  o = {};
  o.threads = 2;
  CHECK_FALSE(ValidateBenchOptions(o));
}

TEST_CASE("nn/sparse_bench: the size table shrinks with sparsity and serialises to JSON") {
  SizeTableOptions o;
  o.width = 0.35f;
  o.size = 96;
  o.sparsities = {0.0, 0.5, 0.9};
  auto rows = ComputeSizeTable(o);
  REQUIRE(rows);
  REQUIRE(rows->size() == 3);
  // The table writes the dense files once; they match a real serialisation of the 90% model.
  MobileNetV2Options mo;
  mo.width = o.width;
  mo.input_size = o.size;
  mo.seed = o.seed;
  Model m = BuildMobileNetV2(mo);
  PruneOptions po;
  po.policy = o.policy;
  po.block = o.block;
  REQUIRE(PruneToSparsity(m, 0.9, po).ok());
  auto sizes = ComputeModelSizes(m);
  REQUIRE(sizes);
  CHECK((*rows)[2].dense_fp32 == sizes->dense_fp32);
  CHECK((*rows)[2].dense_fp16 == sizes->dense_fp16);
  CHECK((*rows)[2].sparse_fp32 == sizes->sparse_fp32);
  CHECK((*rows)[2].sparse_fp16 == sizes->sparse_fp16);
  CHECK((*rows)[2].sparse_fp32 < (*rows)[1].sparse_fp32);
  CHECK((*rows)[1].sparse_fp32 < (*rows)[0].sparse_fp32);
  const nlohmann::json j = SizeTableJson(*rows);
  REQUIRE(j["sizes"].size() == 3);
  CHECK(j["sizes"][0]["sparsity"].dump() == "0");  // as "%.6g" printed it
  CHECK(j["sizes"][1]["sparsity"] == 0.5);
  CHECK(j["sizes"][2]["sparse_fp32"] == (*rows)[2].sparse_fp32);
}

TEST_CASE("nn/sparse_bench: the size table's progress only grows and ends at 1") {
  SizeTableOptions o;
  o.width = 0.35f;
  o.size = 96;
  o.sparsities = {0.0, 0.5, 0.9};
  SizeTableBuilder b(o);
  float last = b.Progress();
  CHECK(last == 0.f);
  int steps = 0;
  while (!b.Step()) {
    CHECK(b.Progress() >= last);
    CHECK(b.Progress() < 1.f);
    last = b.Progress();
    REQUIRE(++steps < 100000);
  }
  REQUIRE(b.status().ok());
  CHECK(b.Progress() == 1.f);
  CHECK(b.Rows().size() == 3);
}
