#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/image.h"
#include "labels/box.h"
#include "labels/generate.h"
#include "labels/loop.h"
#include "labels/manifest.h"
#include "labels/metrics.h"
#include "labels/review.h"
#include "logo_data.h"
#include "../nn/tflite_models.h"  // ReadHostFile: the repository's data/logos, natively and under Node

using namespace fk::labels;
using fk::DecodeImage;
using fk::EncodePng;
using fk::Image;
using fk::LoadImage;

namespace {
std::string TempDir(const char* name) {
  auto dir = std::filesystem::temp_directory_path() / (std::string("fk_lab_") + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}
// A split of the generated logo set (the bundled data/logos' seed).
fk::Result<LabelSet> LoadLogoSplit(const std::string& name) {
  return LoadLabelSet(LogoDataParent() + "/logos/" + name + ".manifest");
}
void Write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }
bool AnyContains(const std::vector<std::string>& v, const std::string& s) {
  for (auto& x : v)
    if (x.find(s) != std::string::npos) return true;
  return false;
}
std::string ManifestLine(const std::string& ann, const std::string& extra_meta = "") {
  return R"({"source-ref":"a.png","bounding-box":{"image_size":[{"width":100,"height":80,"depth":3}],"annotations":[)" +
         ann + R"(]},"bounding-box-metadata":{"objects":[{"confidence":0.9}],"class-map":{"0":"smile","1":"cloud"},)" +
         extra_meta + R"("type":"groundtruth/object-detection","human-annotated":"yes","creation-date":"2026-01-01T00:00:00","job-name":"j"}})";
}
}  // namespace

TEST_CASE("labels/image: PNG round trip keeps every pixel") {
  Image img(7, 5);
  for (size_t i = 0; i < img.rgb.size(); i++) img.rgb[i] = uint8_t(i * 37);
  const std::vector<uint8_t> png = EncodePng(img);
  fk::Result<Image> back = DecodeImage(png.data(), png.size(), "t.png");
  REQUIRE(back.ok());
  CHECK(back->width == 7);
  CHECK(back->height == 5);
  CHECK(back->rgb == img.rgb);
}

TEST_CASE("labels/image: corrupt, truncated and empty files are refused with the file name") {
  Image img(16, 16);
  std::vector<uint8_t> png = EncodePng(img);
  std::vector<uint8_t> cut(png.begin(), png.begin() + long(png.size() / 2));
  auto r = DecodeImage(cut.data(), cut.size(), "cut.png");
  CHECK_FALSE(r.ok());
  CHECK(r.status().message().find("cut.png") != std::string::npos);
  const std::string junk = "this is not an image at all";
  auto j = DecodeImage(reinterpret_cast<const uint8_t*>(junk.data()), junk.size(), "junk.jpg");
  CHECK_FALSE(j.ok());
  CHECK(j.status().message().find("junk.jpg: not a PNG or JPEG") != std::string::npos);
  CHECK_FALSE(DecodeImage(nullptr, 0, "empty.png").ok());
  CHECK_FALSE(LoadImage("/nonexistent/x.png").ok());
}

TEST_CASE("labels/image: an image over 8192x8192 is refused from its header, before decoding") {
  // A PNG signature and an IHDR claiming 9000 x 20 pixels, and no pixel data at all:
  // if the decoder ran it would fail on the missing IDAT, not on the size.
  const uint8_t head[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                          0, 0, 0x23, 0x28, 0, 0, 0, 20, 8, 2, 0, 0, 0, 0, 0, 0, 0};
  auto r = DecodeImage(head, sizeof head, "huge.png");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("9000x20, larger than the 8192x8192 limit") != std::string::npos);
}

TEST_CASE("labels/box: IoU and NMS") {
  Box a{0, 0, 10, 10, 0, 0.9f};
  Box b{5, 0, 10, 10, 0, 0.8f};
  CHECK(IoU(a, b) == doctest::Approx(50.0 / 150.0));
  CHECK(IoU(a, Box{20, 20, 5, 5}) == 0.f);
  Box c{1, 1, 10, 10, 0, 0.5f};  // overlaps a strongly: suppressed, and pulls the kept box a little
  Box far{50, 50, 10, 10, 1, 0.7f};
  auto kept = Nms({c, a, far}, 0.3f);
  REQUIRE(kept.size() == 2);
  CHECK(kept[0].confidence == doctest::Approx(0.9f));
  CHECK(kept[0].left > 0.f);
  CHECK(kept[0].left < 1.f);
  CHECK(kept[1].class_id == 1);
  // a's cluster average (a with m) moves toward j, which a alone did not
  // suppress (IoU 0.25): after averaging they overlap 0.38, one object, one box.
  Box m{3, 0, 10, 10, 0, 0.89f}, j{6, 0, 10, 10, 0, 0.8f};
  CHECK(IoU(a, j) < 0.3f);
  auto one = Nms({a, m, j}, 0.3f);
  REQUIRE(one.size() == 1);
  CHECK(one[0].confidence == doctest::Approx(0.9f));
}

TEST_CASE("labels/manifest: write then read gives the same boxes, class map and confidences") {
  Manifest m;
  m.class_map = {{0, "smile"}, {1, "cloud"}};
  LabeledImage li;
  li.source_ref = "v2/0001.png";
  li.width = 160;
  li.height = 120;
  li.boxes = {Box{10, 20, 30, 15, 0, 0.875f, false}, Box{50, 40, 40, 30, 1, 1.f, true}};
  m.images.push_back(li);
  const std::string text = ManifestToString(m);
  CHECK(text.find("\"type\":\"groundtruth/object-detection\"") != std::string::npos);
  CHECK(text.find("\"adjustment-status\":\"adjusted\"") != std::string::npos);
  std::vector<std::string> problems;
  auto r = ParseManifest(text, "m", &problems);
  REQUIRE(r.ok());
  CHECK(problems.empty());
  REQUIRE(r->images.size() == 1);
  CHECK(r->label_attribute == "bounding-box");
  CHECK(r->class_map.at(1) == "cloud");
  const auto& bx = r->images[0].boxes;
  REQUIRE(bx.size() == 2);
  CHECK(bx[0].confidence == doctest::Approx(0.875f));
  CHECK_FALSE(bx[0].adjusted);
  CHECK(bx[1].adjusted);
  CHECK(bx[1].width == doctest::Approx(40));
  // Saved by a Windows editor with a byte-order mark: line 1 is still an image, not a problem.
  problems.clear();
  auto bom = ParseManifest("\xEF\xBB\xBF" + text, "m", &problems);
  REQUIRE(bom.ok());
  CHECK(problems.empty());
  CHECK(bom->images.size() == 1);
  const std::string coco = CocoToString(*r);
  CHECK(coco.find("\"categories\"") != std::string::npos);
  const std::string ver = VerificationToString({{"a.png", false, 1.f}}, "verify", "job", "2026");
  CHECK(ver.find("groundtruth/label-verification") != std::string::npos);
}

TEST_CASE("labels/manifest: bad lines get one message each naming line and field; good lines are kept") {
  const std::string text = ManifestLine(R"({"class_id":0,"left":1,"top":2,"width":10,"height":10})") + "\n" +  // 1 ok
                           "{not json\n" +                                                                 // 2
                           R"({"bounding-box":{},"bounding-box-metadata":{}})" + "\n" +                   // 3 no source-ref
                           ManifestLine(R"({"class_id":0,"top":2,"width":10,"height":10})") + "\n" +               // 4 no left
                           ManifestLine(R"({"class_id":7,"left":1,"top":2,"width":10,"height":10})") + "\n" +      // 5 class 7
                           ManifestLine(R"({"class_id":1,"left":95,"top":2,"width":10,"height":10})") + "\n" +     // 6 clipped
                           ManifestLine(R"({"class_id":1,"left":200,"top":2,"width":10,"height":10})") + "\n" +    // 7 outside
                           R"({"source-ref":"b.png","bounding-box":{"annotations":[]},"bounding-box-metadata":{"class-map":{}}})" + "\n";  // 8
  std::vector<std::string> p;
  auto r = ParseManifest(text, "t.manifest", &p);
  REQUIRE(r.ok());
  CHECK(AnyContains(p, "t.manifest:2: not valid JSON"));
  CHECK(AnyContains(p, "t.manifest:3: missing field 'source-ref'"));
  CHECK(AnyContains(p, "t.manifest:4: bounding-box.annotations[0]: missing field 'left'"));
  CHECK(AnyContains(p, "t.manifest:5: bounding-box.annotations[0]: unknown class_id 7"));
  CHECK(AnyContains(p, "t.manifest:6: bounding-box.annotations[0]: box extends outside the 100x80 image (clipped)"));
  CHECK(AnyContains(p, "t.manifest:7: bounding-box.annotations[0]: box lies outside the 100x80 image (dropped)"));
  CHECK(AnyContains(p, "t.manifest:8: missing field 'bounding-box.image_size'"));
  // Lines 1, 4, 5, 6, 7 are images (their bad boxes dropped); 2, 3 and 8 are not.
  REQUIRE(r->images.size() == 5);
  CHECK(r->images[0].boxes.size() == 1);
  CHECK(r->images[3].boxes.size() == 1);
  CHECK(r->images[3].boxes[0].right() == doctest::Approx(100));
  CHECK(r->images[4].boxes.empty());
}

TEST_CASE("labels/metrics: precision, recall, F1 at IoU 0.5 and the assumed threshold") {
  std::vector<std::vector<Box>> truth = {{Box{0, 0, 10, 10, 0}, Box{20, 20, 10, 10, 1}}, {Box{0, 0, 10, 10, 1}}};
  std::vector<std::vector<Box>> pred = {
      {Box{1, 0, 10, 10, 0, 0.9f}, Box{20, 20, 10, 10, 0, 0.8f} /*wrong class*/, Box{60, 60, 5, 5, 1, 0.3f}},
      {Box{0, 1, 10, 10, 1, 0.6f}, Box{0, 0, 10, 10, 1, 0.55f} /*duplicate*/}};
  Evaluation e = Evaluate(truth, pred, 0.5f, 2);
  CHECK(e.overall.tp == 2);
  CHECK(e.overall.fp == 2);
  CHECK(e.overall.fn == 1);
  CHECK(e.overall.precision == doctest::Approx(0.5));
  CHECK(e.overall.recall == doctest::Approx(2.0 / 3.0));
  CHECK(e.per_class[0].tp == 1);
  CHECK(e.per_class[1].fn == 1);
  // Best F1 is reached at 0.6 (3 predictions, 2 right): P 2/3, R 2/3.
  CHECK(e.assumed_threshold == doctest::Approx(0.6f));
  CHECK(e.assumed.f1 == doctest::Approx(2.0 / 3.0));
}

TEST_CASE("labels/review: the simulated reviewer accepts, adjusts, deletes and adds; undo restores") {
  std::vector<Box> truth = {Box{0, 0, 20, 20, 0}, Box{40, 40, 20, 20, 1}, Box{80, 0, 20, 20, 0}};
  std::vector<Box> proposals = {Box{1, 0, 20, 20, 0, 0.9f},    // IoU 0.9: accepted
                                Box{44, 44, 20, 20, 1, 0.8f},  // IoU 0.47: adjusted
                                Box{100, 60, 10, 10, 0, 0.7f}, // nothing there: deleted
                                Box{0, 60, 10, 10, 1, 0.2f}};  // below the threshold: never shown
  ReviewItem it = MakeReviewItem("x.png", 120, 80, proposals, 0.5f);
  CHECK(it.proposed.size() == 3);
  SimulateReviewer(truth, &it, ReviewerOptions{});
  ReviewStats s = it.Stats();
  CHECK(s.proposed == 3);
  CHECK(s.accepted_unchanged == 1);
  CHECK(s.adjusted == 1);
  CHECK(s.deleted == 1);
  CHECK(s.added == 1);
  CHECK(s.EffortSaved() > 0.0);
  CHECK(s.EffortSaved() < 1.0);
  auto fin = it.FinalBoxes();
  REQUIRE(fin.size() == 3);
  CHECK(fin[1].adjusted);
  CHECK(it.Undo());
  CHECK(it.Stats().accepted_unchanged == 3);
  CHECK(it.Redo());
  CHECK(it.Stats().added == 1);
}

TEST_CASE("labels/generate: the same seed gives the same pixels; boxes lie inside the image") {
  GeneratedImage a = GenerateLogoImage(42, 160, 120, 4), b = GenerateLogoImage(42, 160, 120, 4);
  CHECK(a.image.rgb == b.image.rgb);
  REQUIRE(a.boxes.size() == b.boxes.size());
  CHECK_FALSE(a.boxes.empty());
  for (const Box& x : a.boxes) {
    CHECK(x.left >= 0);
    CHECK(x.right() <= 160);
    CHECK(x.bottom() <= 120);
  }
  CHECK(GenerateLogoImage(43, 160, 120, 4).image.rgb != a.image.rgb);
  CHECK(GenerateLogoImage(44, 160, 120, 0).boxes.empty());
}

TEST_CASE("labels/generate: the sliced writer draws data/logos byte for byte, an image in two steps; a loop draws a missing set first") {
  // The page ships without data/logos and draws it: the bytes must be the bundled ones, on every platform.
  const std::string d = TempDir("gen") + "/logos";
  LogoDataSetWriter w(d, kBundledLogoSeed);
  const int v1 = LogoSplits()[0].count;
  for (int i = 0; i < v1; i++) {
    const std::string png = d + "/v1/" + std::string(i < 10 ? "000" : "00") + std::to_string(i) + ".png";
    REQUIRE_FALSE(w.Step());  // drawn
    CHECK_FALSE(std::filesystem::exists(png));
    REQUIRE_FALSE(w.Step());  // written
    CHECK(std::filesystem::exists(png));
  }
  CHECK_FALSE(std::filesystem::exists(d + "/v1.manifest"));  // the manifest last: a cut-short split has none
  REQUIRE_FALSE(w.Step());
  REQUIRE(w.status().ok());
  CHECK(w.summary() == "v1: 8 images, 18 logos, 1 empty\n");
  CHECK(w.Progress() == doctest::Approx(float(v1) / 138.f));
  const std::string repo = std::string(FIELDKIT_SOURCE_DIR) + "/data/logos/";
  for (const char* f : {"v1.manifest", "v1/0000.png", "v1/0003.png", "v1/0007.png"}) {
    const std::string host = repo + f;
    const std::vector<uint8_t> want = fk::test::ReadHostFile(host);
    REQUIRE_MESSAGE(!want.empty(), host);
    std::ifstream in(d + "/" + f, std::ios::binary);
    const std::vector<uint8_t> got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string name = f;
    CHECK_MESSAGE(got == want, name);
  }
  CHECK_FALSE(LogoDataSetPresent(d));  // v2 and test not written yet
  // A loop over a folder without the set, with generate_seed: its first units draw it.
  LoopOptions o;
  o.data_dir = TempDir("gen_loop") + "/logos";
  o.generate_seed = kBundledLogoSeed;
  Loop loop(o);
  loop.Step(0);
  CHECK(loop.stage() == LoopStage::Load);
  CHECK(loop.Detail().rfind("drawing the logo set", 0) == 0);
  for (int i = 0; i < 17; i++) loop.Step(0);  // 8 images in two steps each, then the manifest
  CHECK(std::filesystem::exists(o.data_dir + "/v1.manifest"));
  // Without generate_seed an empty folder is an error naming the manifest, as before.
  LoopOptions plain;
  plain.data_dir = TempDir("gen_none");
  Loop l2(plain);
  for (int i = 0; i < 3 && !l2.done(); i++) l2.Step(0);
  CHECK(l2.failed());
  CHECK(l2.error().find("v1.manifest") != std::string::npos);
}

TEST_CASE("labels/loop: a set with a corrupt and a missing image keeps the others and names both") {
  const std::string d = TempDir("set");
  GeneratedImage g = GenerateLogoImage(5, 160, 120, 3);
  REQUIRE(SavePng(g.image, d + "/ok.png").ok());
  Write(d + "/bad.png", "\x89PNG\r\n\x1a\nnot really");
  Manifest m;
  m.class_map = {{0, "smile"}, {1, "cloud"}};
  for (const char* ref : {"ok.png", "bad.png", "gone.png"}) {
    LabeledImage li;
    li.source_ref = ref;
    li.width = 160;
    li.height = 120;
    li.boxes = g.boxes;
    m.images.push_back(li);
  }
  REQUIRE(WriteManifest(m, d + "/m.manifest").ok());
  auto set = LoadLabelSet(d + "/m.manifest");
  REQUIRE(set.ok());
  CHECK(set->images.size() == 1);
  CHECK(AnyContains(set->problems, "bad.png"));
  CHECK(AnyContains(set->problems, "gone.png: cannot open"));
}

TEST_CASE("labels/detector: trained on the v1 split it finds most logos of the first test images") {
  auto v1 = LoadLogoSplit("v1");
  auto test = LoadLogoSplit("test");
  REQUIRE(v1.ok());
  REQUIRE(test.ok());
  CHECK(v1->problems.empty());
  Detector d;
  REQUIRE(d.Train(v1->ImagePtrs(), v1->Truth(), 2).ok());
  std::vector<std::vector<Box>> truth, pred;
  for (size_t i = 0; i < 12; i++) {
    truth.push_back(test->manifest.images[i].boxes);
    pred.push_back(d.Detect(test->images[i]));
  }
  Evaluation e = Evaluate(truth, pred, d.threshold(), 2);
  CHECK(e.assumed.f1 > 0.6);
  CHECK(e.overall.f1 > 0.5);  // at the model's own threshold, chosen without these images
  // The threshold came from 3-fold cross-validation on the 8 training images.
  INFO(d.calibration());
  CHECK(d.calibration().find("3-fold CV on 8 training images") != std::string::npos);
  CHECK(d.calibration().find("per-class score calibration") != std::string::npos);
  CHECK(d.threshold() > 0.05f);
  CHECK(d.threshold() < 0.99f);
  // Without calibration the threshold is the option's default, and says so.
  DetectorOptions no_cv;
  no_cv.calibration_folds = 0;
  no_cv.default_threshold = 0.6f;
  Detector d0(no_cv);
  REQUIRE(d0.Train(v1->ImagePtrs(), v1->Truth(), 2).ok());
  CHECK(d0.threshold() == 0.6f);
  CHECK(d0.calibration().find("not calibrated") != std::string::npos);
  // A fold that cannot train (class 1 only in one image) keeps the default and names the fold.
  std::vector<const Image*> few;
  std::vector<std::vector<Box>> few_truth;
  for (size_t i = 0; i < v1->images.size() && few.size() < 3; i++) {
    std::vector<Box> b;
    for (const Box& x : v1->manifest.images[i].boxes)
      if (x.class_id == 0 || few.empty()) b.push_back(x);
    bool has1 = false;
    for (const Box& x : b) has1 = has1 || x.class_id == 1;
    if (few.empty() && !has1) continue;  // the first image must hold a class-1 box
    few.push_back(&v1->images[i]);
    few_truth.push_back(b);
  }
  REQUIRE(few.size() == 3);
  Detector d3;
  REQUIRE(d3.Train(few, few_truth, 2).ok());
  CHECK(d3.threshold() == DetectorOptions{}.default_threshold);
  CHECK(d3.calibration().find("could not train") != std::string::npos);
  // An untrained detector says nothing rather than crashing.
  CHECK(Detector().Detect(test->images[0]).empty());
  // Training without boxes of a class is refused with a message.
  CHECK_FALSE(Detector().Train({&test->images[0]}, {{}}, 2).ok());
}

TEST_CASE("labels/detector: the trainer steps through its phases in run order, each class once, then the folds") {
  auto v1 = LoadLogoSplit("v1");
  REQUIRE(v1.ok());
  REQUIRE(v1->images.size() >= 3);
  std::vector<const Image*> imgs = v1->ImagePtrs();
  std::vector<std::vector<Box>> truth = v1->Truth();
  imgs.resize(3);
  truth.resize(3);
  DetectorOptions o;  // small, so this stays quick: one mining round, few epochs, 2 folds
  o.mining_rounds = 1;
  o.epochs = 2;
  o.calibration_folds = 2;
  Detector d(o);
  DetectorTrainer t(&d, imgs, truth, 2);
  // Stage() before every step, counters dropped: the phases as a newcomer reads them.
  auto kind = [](std::string st) {
    const size_t fold = st.find(": ");
    if (st.rfind("calibration fold ", 0) == 0)
      return st.substr(0, fold) + (st.compare(fold + 2, std::string::npos, "detect") == 0 ? " detect" : " train");
    if (st.rfind("features ", 0) == 0) return std::string("features");
    const size_t epoch = st.find(" epoch ");
    return epoch == std::string::npos ? st : st.substr(0, epoch) + " epoch";
  };
  std::vector<std::string> phases;
  int steps = 0;
  float last = 0;
  bool monotone = true;
  while (!t.Done() && steps < 100000) {
    const std::string k = kind(t.Stage());
    if (phases.empty() || phases.back() != k) phases.push_back(k);
    REQUIRE(t.Step().ok());
    steps++;
    if (t.Progress() < last) {
      monotone = false;
      INFO("progress went back at step ", steps, " (", t.Stage(), ")");
      CHECK(t.Progress() >= last);
    }
    last = t.Progress();
  }
  CHECK(monotone);  // the bar never jumps back (the main model's share is known from the start)
  REQUIRE(t.Done());
  phases.push_back(t.Stage());
  const std::vector<std::string> expected = {
      "setup", "features",
      "class 0 samples", "class 0 epoch", "class 0 mining round 1", "class 0 refit 1", "class 0 box regression", "class 0 done",
      "class 1 samples", "class 1 epoch", "class 1 mining round 1", "class 1 refit 1", "class 1 box regression", "class 1 done",
      "calibration fold 1/2 train", "calibration fold 1/2 detect", "calibration fold 2/2 train", "calibration fold 2/2 detect",
      "done"};
  CHECK(phases == expected);
  CHECK(t.Progress() == 1.f);
  CHECK(d.trained());
  CHECK(d.calibration().find("2-fold CV on 3 training images") != std::string::npos);
  // Stepping a finished trainer changes nothing.
  CHECK(t.Step().ok());
  CHECK(t.Done());
}

TEST_CASE("labels/detector: box regression moves boxes closer to the truth; sizes stay in the trained range") {
  auto v1 = LoadLogoSplit("v1");
  auto test = LoadLogoSplit("test");
  REQUIRE(v1.ok());
  REQUIRE(test.ok());
  // Mean IoU and the share within IoU 0.7 of the confident boxes that hit a true box (IoU >= 0.5, same class).
  auto localisation = [&](const Detector& d, double* tight) {
    double sum = 0;
    int n = 0, close = 0;
    for (size_t i = 0; i < 25; i++)
      for (const Box& p : d.Detect(test->images[i])) {
        if (p.confidence < 0.5f) continue;
        float best = 0;
        for (const Box& t : test->manifest.images[i].boxes)
          if (t.class_id == p.class_id) best = std::max(best, IoU(p, t));
        if (best < 0.5f) continue;
        sum += best;
        n++;
        close += best >= 0.7f;
      }
    REQUIRE(n > 10);
    *tight = double(close) / n;
    return sum / n;
  };
  DetectorOptions o;
  o.calibration_folds = 0;  // the calibration is not what this checks
  o.size_margin = 0;
  DetectorOptions plain = o;
  plain.box_regression = false;
  Detector with(o), without(plain);
  REQUIRE(with.Train(v1->ImagePtrs(), v1->Truth(), 2).ok());
  REQUIRE(without.Train(v1->ImagePtrs(), v1->Truth(), 2).ok());
  double tight_with = 0, tight_without = 0;
  const double iou_with = localisation(with, &tight_with), iou_without = localisation(without, &tight_without);
  INFO("mean IoU " << iou_without << " -> " << iou_with << ", within 0.7 " << tight_without << " -> " << tight_with);
  CHECK(iou_with > iou_without + 0.02);
  CHECK(tight_with > tight_without);

  // With the size range on, no box is reported at a size far outside the training boxes' longer sides.
  float lo = 1e9f, hi = 0;
  for (auto& t : v1->Truth())
    for (const Box& b : t) {
      lo = std::min(lo, std::max(b.width, b.height));
      hi = std::max(hi, std::max(b.width, b.height));
    }
  DetectorOptions ranged = o;
  ranged.size_margin = 1.4f;
  Detector r(ranged);
  REQUIRE(r.Train(v1->ImagePtrs(), v1->Truth(), 2).ok());
  int checked = 0;
  for (size_t i = 0; i < 25; i++)
    for (const Box& p : r.Detect(test->images[i])) {
      const Image& im = test->images[i];
      if (p.left <= 0.5f || p.top <= 0.5f || p.right() >= float(im.width) - 0.5f || p.bottom() >= float(im.height) - 0.5f)
        continue;  // clipped at the border: smaller than its window
      const float side = std::max(p.width, p.height);
      // The window's size within [lo/1.4, hi*1.4]; the regression may then scale it by e^±0.4; one pyramid step of slack.
      CHECK(side >= lo / 1.4f / std::exp(0.4f) / 1.16f);
      CHECK(side <= hi * 1.4f * std::exp(0.4f) * 1.16f);
      checked++;
    }
  CHECK(checked > 10);
}
