// `fieldkit-cli sparse import FILE.tflite --out FILE.fks`: the written file is
// what `sparse info|run|bench` then take, with the same outputs as the .tflite.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "../nn/tflite_models.h"
#include "cli/cli.h"
#include "run_verb.h"

using nlohmann::json;

using fk::test::SparseJson;

TEST_CASE("cli/sparse import: a .tflite stored as .fks runs with the same outputs; info and bench take it") {
  const std::string tfl = fk::test::ModelDir() + "/face_detection_full_range_sparse.tflite";
  REQUIRE_MESSAGE(!fk::test::ReadHostFile(tfl).empty(), "missing ", tfl, ": run `make deps`");
  const std::string out = "cli_sparse_import_test.fks";
  const json imp = SparseJson({"import", tfl, "--out", out, "--fp16", "--json"});
  CHECK(imp["out"] == out);
  CHECK(imp["fp16"] == true);
  CHECK(imp["csr_layers"] == 46);
  CHECK(imp["tflite_bytes"] == 680736);
  CHECK(imp["bytes"].get<uint64_t>() < imp["tflite_bytes"].get<uint64_t>());
  CHECK(imp["bytes"].get<uint64_t>() == fk::test::ReadHostFile(out).size());

  const json info = SparseJson({"info", out, "--json"});
  CHECK(info["version"] == 2);
  CHECK(info["csr_layers"] == 46);
  CHECK(info["bytes"] == imp["bytes"]);
  CHECK(info["source"] == "face_detection_full_range_sparse.tflite");
  CHECK(info["stored_sparse_tensors"] == 46);
  CHECK(info["pointwise_layers"] == 48);

  // Same kernels, dense 1x1 (the timed sparse choice may differ run to run): the same numbers.
  const json a = SparseJson({"run", "--model", tfl, "--dense", "--json"});
  const json b = SparseJson({"run", "--model", out, "--dense", "--json"});
  REQUIRE(a["outputs"].size() == 2);
  CHECK(a["outputs"] == b["outputs"]);

  const json bench = SparseJson({"bench", "--model", out, "--backend", "own-dense", "--runs", "1", "--warmup", "0", "--json", "--quiet"});
  REQUIRE(bench["results"].size() == 1);
  CHECK(bench["results"][0]["model_bytes"] == imp["bytes"]);
  std::remove(out.c_str());
}

TEST_CASE("cli/sparse import: a file that is not a .tflite and a missing --out are named") {
  const std::string junk = "cli_sparse_import_junk.tflite";
  std::FILE* f = std::fopen(junk.c_str(), "wb");
  REQUIRE(f);
  std::fputs("not a flatbuffer at all", f);
  std::fclose(f);
  auto o = fk::test::RunVerb(fk::cli::SparseCommand, {"import", junk, "--out", "x.fks"});
  CHECK(o.code == 1);
  CHECK(o.error.find(junk + ": not a TFLite model") == 0);
  o = fk::test::RunVerb(fk::cli::SparseCommand, {"import", junk});
  CHECK(o.code == 2);
  CHECK(o.error.find("--out") != std::string::npos);
  std::remove(junk.c_str());
  std::FILE* x = std::fopen("x.fks", "rb");
  CHECK(x == nullptr);  // nothing written for a bad input
  if (x) std::fclose(x);
}
