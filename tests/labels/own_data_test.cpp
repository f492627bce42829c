// The user's own data in the label-review loop (issue #19): a Ground Truth
// manifest as the v1 training set (test held out of it) or as a batch to
// review, the label-verification manifest back, per-label P/R/F1, and the
// loop repeated (v2 pre-labels the next batch, v3 ...); and the detector
// trained on small pictures finding the same logos in a 4x larger photo.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/image.h"
#include "labels/generate.h"
#include "labels/loop.h"
#include "labels/manifest.h"
#include "labels/metrics.h"
#include "logo_data.h"

using namespace fk::labels;

namespace {

std::string FreshDir(const std::string& name) {
  const auto d = std::filesystem::temp_directory_path() / ("fk_own_" + name);
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d.string();
}

// Quick models: the tests check the loop's bookkeeping, not its F1.
LoopOptions Quick() {
  LoopOptions o;
  o.detector.epochs = 8;
  o.detector.mining_rounds = 1;
  o.detector.calibration_folds = 0;
  o.detector.default_threshold = 0.3f;
  return o;
}

// The small logo set's images as a user's own: copied into one flat folder
// (as dropped files land), listed by a manifest whose source-refs are S3
// addresses (Ground Truth's own), `count` of them from the splits in order.
std::string UserManifest(const std::string& dir, int count, bool labelled) {
  const std::string src = SmallLogoDataDir();
  std::string out;
  int n = 0;
  for (const char* split : {"v1", "v2", "test"}) {
    std::vector<std::string> problems;
    fk::Result<Manifest> m = ReadManifest(src + "/" + split + ".manifest", &problems);
    REQUIRE(m);
    for (const LabeledImage& li : m->images) {
      if (n == count) break;
      const std::string name = std::string(split) + "_" + std::filesystem::path(li.source_ref).filename().string();
      std::filesystem::copy_file(src + "/" + li.source_ref, dir + "/" + name,
                                 std::filesystem::copy_options::overwrite_existing);
      Manifest one = *m;
      one.images = {li};
      one.images[0].source_ref = "s3://my-bucket/photos/" + name;
      out += labelled ? ManifestToString(one) : "{\"source-ref\":\"s3://my-bucket/photos/" + name + "\"}\n";
      n++;
    }
  }
  return out;
}

void RunToStop(Loop& loop) {
  for (int i = 0; i < 100000 && !loop.Step(1000); i++) {
  }
}

}  // namespace

TEST_CASE("labels/own data: a user's manifest as the v1 set (every 5th image held out as test), then a batch") {
  const std::string dir = FreshDir("v1");
  std::ofstream(dir + "/mine.manifest") << UserManifest(dir, 12, true);
  LoopOptions o = Quick();
  o.v1_manifest = dir + "/mine.manifest";  // no data folder: the user's own alone
  ReviewQueue q;
  Loop loop(o, &q);
  RunToStop(loop);
  REQUIRE_MESSAGE(!loop.failed(), loop.error());
  CHECK(loop.waiting());
  const LoopData& d = loop.data();
  CHECK(d.test_split);
  CHECK(d.v1->images.size() == 10);  // s3:// refs found by file name beside the manifest
  CHECK(d.test->images.size() == 2);  // images 5 and 10
  CHECK(d.test->manifest.images[0].source_ref == "s3://my-bucket/photos/v1_0004.png");
  CHECK(d.v2->images.empty());
  CHECK(q.items.empty());  // no bundled v2: nothing to review until a batch comes
  REQUIRE(d.rounds.size() == 1);
  CHECK(d.rounds[0].version == 1);
  CHECK(d.rounds[0].trained_on == 10);
  CHECK(loop.StatusJson()["test_split"] == true);

  // A batch: Ground Truth's input manifest (bare source-refs), pre-labelled by v1.
  std::ofstream(dir + "/batch.manifest") << UserManifest(dir, 4, false);
  fk::Result<LabelSet> batch = OpenLabelSet(dir + "/batch.manifest", /*allow_unlabeled=*/true);
  REQUIRE(batch);
  CHECK(batch->problems.empty());
  REQUIRE(loop.AddBatch(std::move(*batch)).ok());
  CHECK(loop.stage() == LoopStage::Batch);
  RunToStop(loop);
  REQUIRE_MESSAGE(!loop.failed(), loop.error());
  CHECK(loop.waiting());  // back where it was
  REQUIRE(q.items.size() == 4);
  for (size_t i = 0; i < q.items.size(); i++) {
    CHECK_FALSE(q.has_truth[i]);
    CHECK(q.from_batch[i]);
    CHECK(q.items[i].width == 80);  // the size comes from the file
  }
  // The same boxes v1 gives on that picture.
  const fk::Result<fk::Image> first = fk::LoadImage(dir + "/v1_0000.png");
  REQUIRE(first);
  CHECK(q.items[0].all_proposals.size() == d.det_v1->Detect(*first).size());
  // An unlabelled manifest cannot train v1; an empty batch is refused.
  LoopOptions bad = Quick();
  bad.v1_manifest = dir + "/batch.manifest";
  Loop no(bad);
  RunToStop(no);
  CHECK(no.failed());
  CHECK(no.error().find("no label attribute") != std::string::npos);
  CHECK_FALSE(loop.AddBatch(LabelSet{}).ok());
}

TEST_CASE("labels/own data: too few images to hold a test split out fail with a message naming the manifest") {
  const std::string dir = FreshDir("few");
  std::ofstream(dir + "/few.manifest") << UserManifest(dir, 3, true);
  LoopOptions o = Quick();
  o.v1_manifest = dir + "/few.manifest";
  Loop loop(o);
  RunToStop(loop);
  CHECK(loop.error().find(dir + "/few.manifest: 3 usable images; at least 5") == 0);
}

TEST_CASE("labels/own data: the verification manifest goes out and comes back onto the queue") {
  ReviewQueue q;
  for (int i = 0; i < 4; i++) {
    std::vector<Box> p = {{10.f + float(i), 10, 20, 20, i % 2, 0.9f}};
    q.Add(MakeReviewItem("batch/img" + std::to_string(i) + ".png", 80, 60, p, 0.5f), fk::Image(80, 60), {}, false, true);
  }
  q.items[0].reviewed = true;  // accepted as proposed: correct
  q.items[1].Edit();           // moved: needs a fix
  q.items[1].boxes[0].box.left += 5;
  q.items[1].reviewed = true;
  const ReviewedFiles rf = Reviewed(q, nullptr, "job", nullptr);
  REQUIRE(rf.verification.size() == 2);
  const std::string text = VerificationToString(rf.verification, "verify-bounding-box", "job/verify", NowIso8601());
  std::vector<std::string> problems;
  std::string why;
  CHECK(ManifestKind(text, &why) == "label-verification");
  std::vector<Verification> back = ParseVerification(text + "not json\n{\"source-ref\":\"x.png\"}\n", "v.manifest",
                                                     &problems);
  REQUIRE(back.size() == 2);
  CHECK(back[0].source_ref == "batch/img0.png");
  CHECK(back[0].correct);
  CHECK_FALSE(back[1].correct);
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].find("v.manifest:3: not valid JSON") == 0);
  CHECK(problems[1].find("v.manifest:4: no label-verification attribute") == 0);

  // The reviewers' verdicts on a fresh queue (as after a reload): matched by
  // source-ref, or by file name when their tool rewrote the paths.
  ReviewQueue fresh;
  for (int i = 0; i < 4; i++)
    fresh.Add(MakeReviewItem("batch/img" + std::to_string(i) + ".png", 80, 60, {}, 0.5f), fk::Image(80, 60), {}, false);
  back.push_back({"s3://b/img2.png", false, 1.f});
  back.push_back({"elsewhere/none.png", true, 1.f});
  const VerificationApplied r = ApplyVerification(&fresh, back);
  CHECK(r.accepted == 1);
  CHECK(r.needs_fix == 2);
  CHECK(r.unmatched == 1);
  CHECK(fresh.items[0].reviewed);
  CHECK_FALSE(fresh.items[1].reviewed);
  CHECK(fresh.items[1].needs_fix);
  CHECK(fresh.items[2].needs_fix);
  CHECK_FALSE(fresh.items[3].reviewed);
  // Not Ground Truth at all, or another task's output: said so.
  CHECK(ManifestKind("{\"a\":1}\n", &why).empty());
  CHECK(why.find("line 1 has no 'source-ref'") == 0);
  CHECK(ManifestKind("{\"source-ref\":\"a.png\",\"c\":3,\"c-metadata\":{\"type\":\"groundtruth/image-classification\"}}",
                     &why)
            .empty());
  CHECK(why.find("another task") != std::string::npos);
  // Only the first non-blank line decides, named by its number in the file.
  CHECK(ManifestKind("\n \t\r\n" + text, &why) == "label-verification");
  CHECK(ManifestKind("\n\nnot json\n" + text, &why).empty());
  CHECK(why == "line 3 is not JSON");
  CHECK(ManifestKind("{\"source-ref\":\"a.png\"}\nnot json\n", &why) == "input");
  CHECK(ManifestKind(" \n\n", &why).empty());
  CHECK(why == "no lines");
}

TEST_CASE("labels/own data: per-label precision, recall and F1") {
  // Class 0: 2 true, 1 found + 1 false positive. Class 1: 1 true, found.
  const std::vector<std::vector<Box>> truth = {{{0, 0, 10, 10, 0}, {20, 20, 10, 10, 0}, {40, 0, 10, 10, 1}}};
  const std::vector<std::vector<Box>> pred = {
      {{0, 0, 10, 10, 0, 0.9f}, {60, 40, 10, 10, 0, 0.8f}, {40, 0, 10, 10, 1, 0.7f}}};
  const Evaluation e = Evaluate(truth, pred, 0.5f, 2);
  REQUIRE(e.per_class.size() == 2);
  CHECK(e.per_class[0].tp == 1);
  CHECK(e.per_class[0].fp == 1);
  CHECK(e.per_class[0].fn == 1);
  CHECK(e.per_class[0].precision == doctest::Approx(0.5));
  CHECK(e.per_class[0].recall == doctest::Approx(0.5));
  CHECK(e.per_class[0].f1 == doctest::Approx(0.5));
  CHECK(e.per_class[1].f1 == doctest::Approx(1.0));
  CHECK(e.overall.f1 == doctest::Approx(2.0 * (2.0 / 3) * (2.0 / 3) / (4.0 / 3)));
}

TEST_CASE("labels/own data: three rounds - v2 pre-labels the next batch, v3 trains on every reviewed image") {
  LoopOptions o = Quick();
  o.data_dir = SmallLogoDataDir();
  o.test_limit = 6;
  ReviewQueue q;
  Loop loop(o, &q);
  RunToStop(loop);
  REQUIRE_MESSAGE(!loop.failed(), loop.error());
  REQUIRE(q.items.size() == 6);  // v2 pre-labelled by v1
  CHECK(SimulateReview(&q, {}) == 6);
  REQUIRE(loop.SubmitReview().ok());
  RunToStop(loop);
  REQUIRE_MESSAGE(!loop.failed(), loop.error());
  CHECK(loop.done());
  CHECK(loop.data().version == 2);
  const Detector* v2 = loop.latest_model();
  REQUIRE(v2 == loop.data().det_v2.get());

  // The next batch: 5 new labelled pictures of the same generator, pre-labelled by v2.
  const std::string dir = FreshDir("round3");
  Manifest m;
  m.class_map = {{0, "smile"}, {1, "cloud"}};
  for (int i = 0; i < 5; i++) {
    GeneratedImage g = GenerateLogoImage(9000 + uint64_t(i), 80, 60, 3);
    const std::string name = "next" + std::to_string(i) + ".png";
    REQUIRE(fk::SavePng(g.image, dir + "/" + name));
    m.images.push_back({name, 80, 60, 3, g.boxes, true, "", ""});
  }
  REQUIRE(WriteManifest(m, dir + "/next.manifest").ok());
  fk::Result<LabelSet> batch = OpenLabelSet(dir + "/next.manifest", true);
  REQUIRE(batch);
  REQUIRE(loop.AddBatch(std::move(*batch)).ok());
  RunToStop(loop);
  REQUIRE_MESSAGE(!loop.failed(), loop.error());
  REQUIRE(q.items.size() == 11);
  const fk::Result<fk::Image> img = fk::LoadImage(dir + "/next0.png");
  REQUIRE(img);
  CHECK(q.items[6].all_proposals.size() == v2->Detect(*img).size());  // v2's boxes, not v1's
  CHECK(q.has_truth[6]);  // the manifest's boxes: what the simulated reviewer checks against
  CHECK(SimulateReview(&q, {}) == 5);
  REQUIRE(loop.SubmitReview().ok());
  RunToStop(loop);
  REQUIRE_MESSAGE(!loop.failed(), loop.error());
  const LoopData& d = loop.data();
  CHECK(d.version == 3);
  REQUIRE(d.rounds.size() == 3);
  CHECK(d.rounds[0].version == 1);
  CHECK(d.rounds[1].version == 2);
  CHECK(d.rounds[2].version == 3);
  CHECK(d.rounds[0].trained_on == 8);
  CHECK(d.rounds[1].trained_on == 14);
  CHECK(d.rounds[2].trained_on == 19);
  CHECK(d.rounds[2].reviewed == 11);
  const nlohmann::json j = loop.StatusJson();
  REQUIRE(j["rounds"].size() == 3);
  CHECK(j["rounds"][2]["version"] == 3);
  CHECK(j["rounds"][2]["f1"].get<double>() == d.rounds[2].eval.overall.f1);
  REQUIRE(j["v2"]["per_label"].size() == 2);
  CHECK(j["v2"]["per_label"][1]["label"] == "cloud");
  CHECK(j["v2"]["per_label"][1]["f1"].get<double>() == d.eval_v2->per_class[1].f1);
  // The reviewed files hold the batch too, in the labels' names.
  const ReviewedFiles rf = Reviewed(q, &*d.v2, "job", &d.v1->manifest.class_map);
  CHECK(rf.manifest.images.size() == 11);
  CHECK(rf.manifest.class_map.at(1) == "cloud");
}

TEST_CASE("labels/own data: Detail never counts past the images listed while decoding") {
  LoopOptions o = Quick();
  o.data_dir = SmallLogoDataDir();
  Loop loop(o);
  int checked = 0;
  while (loop.stage() == LoopStage::Load && !loop.failed()) {
    loop.Step(0);
    const std::string s = loop.Detail();
    if (s.rfind("decoding ", 0) != 0) continue;
    const size_t sp = s.find(' ', 9), slash = s.find('/');
    REQUIRE(slash != std::string::npos);
    CHECK_MESSAGE(std::stoi(s.substr(sp + 1, slash - sp - 1)) <= std::stoi(s.substr(slash + 1)), s);
    checked++;
  }
  CHECK(checked > 10);
}

// A detector trained on the small bundled-style pictures (160x120) and a
// 640x480 photo of the same scenes with 4x larger logos: searching the
// training sizes relative to the picture finds them; absolute sizes alone
// (scale_with_image off, as before) cannot: the logos are 80-240 px, past
// the 90 px search limit and the training boxes' sizes.
TEST_CASE("labels/own data: a 640x480 photo with 4x larger logos") {
  const std::string root = LogoDataParent() + "/logos";
  fk::Result<LabelSet> v1 = LoadLabelSet(root + "/v1.manifest");
  REQUIRE(v1);
  fk::Result<LabelSet> test = LoadLabelSet(root + "/test.manifest");
  REQUIRE(test);
  DetectorOptions opt;
  opt.epochs = 6;
  opt.mining_rounds = 1;
  opt.calibration_folds = 0;
  Detector det(opt);
  REQUIRE(det.Train(v1->ImagePtrs(), v1->Truth(), 2).ok());
  std::vector<std::vector<Box>> truth, big_rel, big_abs;
  double rel_ms = 0;  // one whole Detect per photo (what a dropped picture costs in one frame)
  for (size_t i = 0; i < 2; i++) {
    const fk::Image& im = test->images[i];
    fk::Image big(im.width * 4, im.height * 4);  // nearest-neighbour 4x: the same scene, logos 4x larger
    for (int y = 0; y < big.height; y++)
      for (int x = 0; x < big.width; x++)
        for (int c = 0; c < 3; c++)
          big.rgb[(size_t(y) * size_t(big.width) + size_t(x)) * 3 + size_t(c)] =
              im.rgb[(size_t(y / 4) * size_t(im.width) + size_t(x / 4)) * 3 + size_t(c)];
    std::vector<Box> t = test->manifest.images[i].boxes;
    for (Box& b : t) b = {b.left * 4, b.top * 4, b.width * 4, b.height * 4, b.class_id};
    truth.push_back(t);
    det.SetScaleWithImage(true);
    const auto t0 = std::chrono::steady_clock::now();
    big_rel.push_back(det.Detect(big));
    rel_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    det.SetScaleWithImage(false);  // absolute sizes only, as before
    big_abs.push_back(det.Detect(big));
  }
  const float th = 0.5f;
  const Evaluation e_rel = Evaluate(truth, big_rel, th, 2), e_abs = Evaluate(truth, big_abs, th, 2);
  MESSAGE("640x480, 4x logos: recall ", e_rel.overall.recall, " (F1 ", e_rel.overall.f1, ") with sizes relative to ",
          "the picture; ", e_abs.overall.recall, " with absolute sizes only; ", rel_ms / 2, " ms per photo");
  CHECK(e_abs.overall.tp == 0);
  CHECK(e_rel.overall.recall >= 0.5);
}
