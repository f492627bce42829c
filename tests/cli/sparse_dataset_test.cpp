// `fieldkit-cli sparse dataset`: the training data as a contact sheet and a
// JSON summary, for the generated shapes and for a folder of pictures.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "core/image.h"
#include "run_verb.h"

using nlohmann::json;
namespace fs = std::filesystem;

using fk::test::SparseJson;

TEST_CASE("cli/sparse dataset: generated shapes, a folder of pictures, and a missing folder") {
  const std::string dir = (fs::temp_directory_path() / "fk_cli_sparse_dataset").string();
  fs::remove_all(dir);
  const json g = SparseJson({"dataset", "--out", dir + "/gen", "--count", "20", "--split", "test", "--json"});
  CHECK(g["data"] == "generated");
  REQUIRE(g["classes"].size() == 10);
  CHECK(g["classes"][0] == "circle");
  CHECK(g["image_size"] == 32);
  CHECK(g["sizes"] == json({{"train", 20000}, {"val", 2000}, {"test", 5000}}));
  CHECK(g["class_counts"]["test"] == json(std::vector<int>(10, 500)));
  CHECK(g["shown"] == 20);
  auto sheet = fk::LoadImage(g["contact_sheet"].get<std::string>());
  REQUIRE(sheet.ok());
  CHECK(sheet->width == 2 * (32 * 3 + 2) + 2);  // 2 a row at zoom 3, 2-pixel gaps
  CHECK(sheet->height == 10 * (32 * 3 + 2) + 2);

  // A folder: two classes, one broken picture skipped with a warning.
  for (int i = 0; i < 6; i++) {
    fs::create_directories(dir + "/pics/cat");
    fs::create_directories(dir + "/pics/dog");
    REQUIRE(fk::SavePng(fk::Image(20, 10), dir + "/pics/cat/" + std::to_string(i) + ".png").ok());
    REQUIRE(fk::SavePng(fk::Image(5, 5), dir + "/pics/dog/" + std::to_string(i) + ".png").ok());
  }
  std::ofstream(dir + "/pics/dog/broken.jpg") << "no jpeg";
  const json f = SparseJson({"dataset", "--data", dir + "/pics", "--out", dir + "/pics_sheet", "--size", "16", "--json"});
  CHECK(f["classes"] == json({"cat", "dog"}));
  CHECK(f["image_size"] == 16);
  CHECK(f["bytes_per_image"] == 16 * 16 * 3);
  CHECK(f["skipped"] == 1);
  REQUIRE(f["warnings"].size() == 1);
  CHECK(f["warnings"][0].get<std::string>().find("broken.jpg") != std::string::npos);
  CHECK(f["sizes"]["train"].get<int>() + f["sizes"]["val"].get<int>() + f["sizes"]["test"].get<int>() == 12);
  CHECK(fs::exists(dir + "/pics_sheet/contact_sheet.png"));

  const auto missing = fk::test::RunVerb(fk::cli::SparseCommand, {"dataset", "--data", dir + "/nope", "--out", dir + "/x"});
  CHECK(missing.code == 1);
  CHECK(missing.error == dir + "/nope: cannot open (no such folder)");
  const auto no_out = fk::test::RunVerb(fk::cli::SparseCommand, {"dataset"});
  CHECK(no_out.code == 2);
  CHECK(no_out.error == "dataset: --out DIR is required");
  fs::remove_all(dir);
}
