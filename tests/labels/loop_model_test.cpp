// labels::Loop, the one core object behind `fieldkit-cli labels loop` and the
// Label Review panel: any step budget gives the same models, proposals and
// scores; Cancel stops it and gives a retrain's queue back; bad inputs fail
// with a message naming the file (and line).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "labels/loop.h"
#include "logo_data.h"

using namespace fk::labels;

namespace {

// Fewer epochs and mining rounds than the defaults: the budgets are what is compared, not the F1.
LoopOptions QuickOptions() {
  LoopOptions o;
  o.data_dir = SmallLogoDataDir();
  o.simulate_reviewer = true;
  o.detector.epochs = 12;
  o.detector.mining_rounds = 1;
  return o;
}

bool SameBoxes(const std::vector<Box>& a, const std::vector<Box>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++)
    if (a[i].left != b[i].left || a[i].top != b[i].top || a[i].width != b[i].width || a[i].height != b[i].height ||
        a[i].class_id != b[i].class_id || a[i].confidence != b[i].confidence)
      return false;
  return true;
}

nlohmann::json WithoutTimes(nlohmann::json j) {
  for (const char* k : {"train_ms_v1", "prelabel_ms_v2", "eval_ms_v1", "train_ms_v2"}) j.erase(k);
  return j;
}

std::string LoopTempDir(const std::string& name) {
  const auto d = std::filesystem::temp_directory_path() / ("fk_loop_" + name);
  std::filesystem::create_directories(d);
  return d.string();
}

std::string StepUntilError(Loop& loop) {
  for (int i = 0; i < 100000 && !loop.Step(1000); i++) {
  }
  return loop.error();
}

}  // namespace

TEST_CASE("labels/loop: one unit per Step gives the same models, queue and scores as one long Step") {
  Loop sliced(QuickOptions()), whole(QuickOptions());
  int steps = 0;
  float last = 0;
  bool monotonic = true;
  while (!sliced.Step(0)) {  // a zero budget: exactly one unit per call
    steps++;
    // (Within a training stage the bar is DetectorTrainer's, which steps back when its calibration folds start.)
    if (sliced.stage() == LoopStage::TrainV1 || sliced.stage() == LoopStage::TrainV2) continue;
    if (sliced.Progress() < last) {
      MESSAGE(StageName(sliced.stage()), ": ", sliced.Detail(), ": ", sliced.Progress(), " < ", last);
      monotonic = false;
    }
    last = sliced.Progress();
  }
  CHECK(whole.Step(1e9));  // one call
  REQUIRE_MESSAGE(!sliced.failed(), sliced.error());
  REQUIRE_MESSAGE(!whole.failed(), whole.error());
  CHECK(steps > 200);  // decodes, trainer slices and pyramid levels, each its own unit
  CHECK(monotonic);
  CHECK(sliced.Progress() == 1.f);
  CHECK(sliced.done());
  CHECK(sliced.stage() == LoopStage::Done);

  const LoopData &a = sliced.data(), &b = whole.data();
  REQUIRE(a.eval_v1);
  REQUIRE(a.eval_v2);
  CHECK(a.det_v1->Describe() == b.det_v1->Describe());
  CHECK(a.det_v2->Describe() == b.det_v2->Describe());
  CHECK(a.threshold_v1 == b.threshold_v1);
  CHECK(a.threshold_v2 == b.threshold_v2);
  CHECK(a.prelabeled == 6);
  CHECK(a.trained_v2_on == 6);  // the simulated reviewer reviewed every v2 image
  REQUIRE(a.test_pred_v2.size() == 12);
  for (size_t i = 0; i < a.test_pred_v2.size(); i++) {
    CHECK(SameBoxes(a.test_pred_v1[i], b.test_pred_v1[i]));
    CHECK(SameBoxes(a.test_pred_v2[i], b.test_pred_v2[i]));
  }
  REQUIRE(sliced.queue().items.size() == whole.queue().items.size());
  for (size_t i = 0; i < sliced.queue().items.size(); i++)
    CHECK(SameBoxes(sliced.queue().items[i].FinalBoxes(), whole.queue().items[i].FinalBoxes()));
  const nlohmann::json ja = sliced.StatusJson(), jb = whole.StatusJson();
  CHECK(ja["stage"] == "done");
  CHECK(ja["reviewed"] == 6);
  CHECK(ja["v2"]["f1"].get<double>() > 0);
  CHECK(WithoutTimes(ja) == WithoutTimes(jb));
  // The CLI's view of it: the reviewed v2 manifest and its verification, one line per image.
  const LoopResult r = MakeLoopResult(sliced);
  CHECK(r.v2_reviewed.images.size() == 6);
  CHECK(r.verification.size() == 6);
  CHECK(r.v2.overall.f1 == a.eval_v2->overall.f1);
  CHECK(r.review.proposed == ja["proposals"].get<int>());
}

TEST_CASE("labels/loop: waits for the review, refuses an empty one; Cancel of a retrain gives the queue back") {
  LoopOptions o = QuickOptions();
  o.simulate_reviewer = false;  // a person reviews (the panel)
  o.test_limit = 3;
  ReviewQueue queue;
  Loop first(o, &queue);
  while (!first.Step(1000)) {
  }
  REQUIRE_MESSAGE(!first.failed(), first.error());
  CHECK(first.waiting());
  CHECK(first.stage() == LoopStage::Review);
  CHECK(first.test_scored() == 3);
  CHECK(first.data().eval_v1);
  CHECK_FALSE(first.data().eval_v2);
  REQUIRE(queue.items.size() == 6);
  const fk::Status none = first.SubmitReview();
  CHECK_FALSE(none.ok());
  CHECK(none.message().find("review some images first") != std::string::npos);
  for (size_t i = 0; i < queue.items.size(); i += 2) SimulateReviewer(queue.truth[i], &queue.items[i], {});

  // Train v1 again from what the first loop kept; cancel it half-way through rebuilding the queue.
  Loop again(o, &queue, first.TakeData());
  CHECK(again.data().det_v1);  // the old model stays until the new one trains
  CHECK_FALSE(again.data().v1);
  while (!(again.stage() == LoopStage::Prelabel && again.plan_done() > 2)) REQUIRE_FALSE(again.Step(0));
  REQUIRE(again.plan().size() == 6);
  CHECK(queue.items.size() < 6);  // moved into the new queue slot by slot
  again.Cancel();
  CHECK(again.failed());
  CHECK(again.error() == "cancelled");
  CHECK(again.Step(1000));  // nothing more to do
  CHECK(again.plan().empty());
  REQUIRE(queue.items.size() == 6);
  CHECK(queue.images.size() == 6);
  int reviewed = 0;
  for (auto& it : queue.items) reviewed += it.reviewed;
  CHECK(reviewed == 3);
  // The reviewed images can still train v2 (as the panel's Train v2 after a Cancel).
  CHECK(again.SubmitReview().ok());
  CHECK(again.stage() == LoopStage::TrainV2);
  CHECK(again.data().trained_v2_on == 3);
}

TEST_CASE("labels/loop: a missing folder, a broken manifest and bad options fail naming the file and line") {
  {
    LoopOptions o;
    o.data_dir = "/nonexistent/logos";
    Loop loop(o);
    CHECK(StepUntilError(loop) == "/nonexistent/logos/v1.manifest: cannot open manifest");
    CHECK(loop.done());
  }
  {
    Loop loop(LoopOptions{});
    CHECK(StepUntilError(loop) == "a data folder or a v1 manifest is required");
  }
  {
    LoopOptions o = QuickOptions();
    o.threshold = 1.5f;
    Loop loop(o);
    CHECK(StepUntilError(loop).find("threshold") != std::string::npos);
  }
  // v1's lines are all broken: the error says which file, which line and what, before v2 is read.
  const std::string dir = LoopTempDir("broken");
  { std::ofstream(dir + "/v1.manifest") << "{\"source-ref\": \"v1/0000.png\"}\nnot json\n"; }
  LoopOptions o = QuickOptions();
  o.data_dir = dir;
  Loop loop(o);
  const std::string e = StepUntilError(loop);
  CHECK(e.find(dir + "/v1.manifest: no usable image") == 0);
  CHECK(e.find(dir + "/v1.manifest:1: no label attribute") != std::string::npos);
  CHECK(e.find("and 1 more problems") != std::string::npos);
  CHECK_FALSE(loop.data().v2);
}
