#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "nn/export.h"

using namespace fk::nn;

TEST_CASE("nn/export: PruneExport in steps writes the bytes of build + prune + save in one go") {
  PruneExportOptions o;
  o.model.width = 0.35f;
  o.model.input_size = 96;
  o.model.seed = 3;
  o.sparsity = 0.8;
  o.prune.block = 2;
  o.save.fp16 = true;
  CHECK(PruneExportName(o) == "mobilenet_v2_w0.35_96_s80_fp16.fks");
  const std::string path = (std::filesystem::temp_directory_path() / "fk_export_test.fks").string();
  PruneExport e(o, path);
  int steps = 0;
  float last = 0;
  while (!e.Step()) {
    steps++;
    CHECK(e.Progress() >= last);  // the bar never goes back
    last = e.Progress();
  }
  REQUIRE(e.status().ok());
  CHECK(steps > 3);  // build, prune and save each take slices
  CHECK(e.Progress() == 1.f);

  Model m = BuildMobileNetV2(o.model);
  REQUIRE(PruneToSparsity(m, o.sparsity, o.prune).ok());
  auto direct = SaveModelBytes(m, o.save);
  REQUIRE(direct.ok());
  auto written = ReadFileBytes(path);
  REQUIRE(written.ok());
  CHECK(*written == *direct);
  CHECK(e.bytes() == direct->size());
  CHECK(e.pruned_weights() > 0);
  CHECK(double(e.zeros()) / double(e.pruned_weights()) == doctest::Approx(0.8).epsilon(0.01));
  std::remove(path.c_str());
}

TEST_CASE("nn/export: a bad sparsity or an unwritable path is an error, not a crash") {
  PruneExportOptions o;
  o.model.width = 0.35f;
  o.model.input_size = 96;
  o.sparsity = 1.0;
  PruneExport bad(o, "/tmp/never.fks");
  CHECK(bad.Step());
  CHECK(bad.status().message() == "--sparsity must be in [0, 1)");
  o.sparsity = 0.5;
  PruneExport nowhere(o, "/nonexistent-dir/m.fks");
  while (!nowhere.Step()) {
  }
  CHECK(nowhere.status().message() == "/nonexistent-dir/m.fks: cannot open for writing");
}
