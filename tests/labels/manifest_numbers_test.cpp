// Numbers in a Ground Truth manifest that do not fit the field they fill: each
// is refused with file:line and the field, and never converted out of range.
// The first two are a fuzzer's findings ("width": 1e10 and "class_id": 1e10
// converted a double to int, undefined behaviour).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "labels/manifest.h"

using namespace fk::labels;

namespace {
std::string NumbersLine(const std::string& size, const std::string& ann, const std::string& objects = R"([{"confidence":0.9}])",
                 const std::string& class_map = R"({"0":"smile","1":"cloud"})") {
  return R"({"source-ref":"a.png","bounding-box":{"image_size":[)" + size + R"(],"annotations":[)" + ann +
         R"(]},"bounding-box-metadata":{"objects":)" + objects + R"(,"class-map":)" + class_map +
         R"(,"type":"groundtruth/object-detection"}})";
}
const std::string kSize = R"({"width":100,"height":80,"depth":3})";
const std::string kBox = R"({"class_id":0,"left":1,"top":2,"width":10,"height":10})";

std::string Problems(const std::string& text, size_t* images = nullptr) {
  std::vector<std::string> p;
  auto r = ParseManifest(text, "t.manifest", &p);
  REQUIRE(r.ok());
  if (images) *images = r->images.size();
  std::string all;
  for (auto& s : p) all += s + "\n";
  return all;
}
}  // namespace

TEST_CASE("labels/manifest: numbers out of range are refused naming file:line and field, never converted") {
  struct Case {
    std::string line, problem;
    size_t images;  // the line still yields an image (its bad box dropped) or not
  };
  const Case cases[] = {
      {NumbersLine(R"({"width":1e10,"height":80})", kBox), "t.manifest:1: bounding-box.image_size[0]: field 'width' = 1e+10 is outside 1..8192", 0},
      {NumbersLine(R"({"width":100,"height":-5})", kBox), "t.manifest:1: bounding-box.image_size[0]: field 'height' = -5 is outside 1..8192", 0},
      {NumbersLine(R"({"width":100.5,"height":80})", kBox), "t.manifest:1: bounding-box.image_size[0]: field 'width' = 100.5 is not a whole number", 0},
      {NumbersLine(R"({"width":100,"height":80,"depth":1e10})", kBox), "t.manifest:1: bounding-box.image_size[0]: field 'depth' = 1e+10 is outside 1..4", 0},
      {NumbersLine(kSize, R"({"class_id":1e10,"left":1,"top":2,"width":10,"height":10})"),
       "t.manifest:1: bounding-box.annotations[0]: field 'class_id' = 1e+10 is outside 0..2147483647", 1},
      {NumbersLine(kSize, R"({"class_id":-1,"left":1,"top":2,"width":10,"height":10})"),
       "t.manifest:1: bounding-box.annotations[0]: field 'class_id' = -1 is outside 0..2147483647", 1},
      {NumbersLine(kSize, R"({"class_id":0,"left":1e300,"top":2,"width":10,"height":10})"),
       "t.manifest:1: bounding-box.annotations[0]: field 'left' = 1e+300 is outside -1e+06..1e+06", 1},
      {NumbersLine(kSize, R"({"class_id":0,"left":1,"top":2,"width":"10","height":10})"),
       "t.manifest:1: bounding-box.annotations[0]: field 'width' is not a number", 1},
      {NumbersLine(kSize, kBox, R"([{"confidence":1e300}])"),
       "t.manifest:1: bounding-box-metadata.objects[0]: field 'confidence' = 1e+300 is outside 0..1 (the box is kept with confidence 1)", 1},
      {NumbersLine(kSize, kBox, "[]", R"({"0":"smile","99999999999":"x"})"),
       "t.manifest:1: bounding-box-metadata.class-map: bad entry '99999999999'", 1},
  };
  for (const Case& c : cases) {
    INFO(c.line);
    size_t images = 0;
    const std::string p = Problems(c.line + "\n", &images);
    INFO(p);
    CHECK(p.find(c.problem) != std::string::npos);
    CHECK(images == c.images);
  }
  // Whole numbers written as 1.0 or 1e2 are numbers like any other.
  size_t images = 0;
  CHECK(Problems(NumbersLine(R"({"width":1e2,"height":80.0})", R"({"class_id":1.0,"left":1,"top":2,"width":10,"height":10})") + "\n",
                 &images) == "");
  CHECK(images == 1);
}

TEST_CASE("labels/manifest: source-refs, class and job names with quotes, backslashes and stray bytes are written as valid JSON") {
  const std::string odd = "q\"b\\s \xC3\xA9 \xFF", shown = "q\"b\\s \xC3\xA9 \xEF\xBF\xBD";
  Manifest m;
  m.class_map = {{0, odd}, {1, "cloud"}};
  LabeledImage img;
  img.source_ref = odd + ".png";
  img.width = 100, img.height = 80;
  img.job_name = "job " + odd;
  img.creation_date = "2026-11-28T15:00:00.000000";
  Box b;
  b.class_id = 0, b.left = 1, b.top = 2, b.width = 10, b.height = 10, b.confidence = 0.5f;
  img.boxes.push_back(b);
  m.images.push_back(img);
  std::string text, verification, coco;
  REQUIRE_NOTHROW(text = ManifestToString(m));
  REQUIRE_NOTHROW(verification = VerificationToString({{odd + ".png", false, 0.25f}}, "bounding-box", "job " + odd,
                                                      "2026-11-28T15:00:00.000000"));
  REQUIRE_NOTHROW(coco = CocoToString(m));
  CHECK(nlohmann::json::accept(verification.substr(0, verification.find('\n'))));
  const nlohmann::json cj = nlohmann::json::parse(coco);
  CHECK(cj["images"][0]["file_name"] == shown + ".png");
  CHECK(cj["categories"][0]["name"] == shown);
  std::vector<std::string> problems;
  auto back = ParseManifest(text, "odd.manifest", &problems);
  REQUIRE(back.ok());
  CHECK(problems.empty());
  REQUIRE(back->images.size() == 1);
  CHECK(back->images[0].source_ref == shown + ".png");
  CHECK(back->images[0].job_name == "job " + shown);
  CHECK(back->class_map[0] == shown);
}
