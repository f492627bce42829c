// The v1 -> v2 loop as a steppable object, the way SageMaker Ground Truth's
// model-assisted labelling goes: load the v1, v2 and test splits -> train v1
// on v1 -> pre-label v2 -> score v1 on the test split -> review (a simulated
// reviewer, or a person in the Label Review panel who hands the reviewed
// items in) -> train v2 on v1 + the reviewed images -> score v2 on test.
// `fieldkit-cli labels loop` and the panel both run this object, so for the
// same inputs they give the same numbers.
//
//   Result<LabelSet> v1 = LoadLabelSet("data/logos/v1.manifest");   // images decoded, problems listed
//   labels::LoopOptions o;  o.data_dir = "data/logos";  o.simulate_reviewer = true;
//   labels::Loop loop(o);
//   while (!loop.Step(8.0)) show(loop.Progress(), loop.Detail());   // one UI frame per Step
//   if (loop.failed()) error(loop.error());
//   else printf("v1 F1 %.3f -> v2 F1 %.3f\n", loop.data().eval_v1->overall.f1, loop.data().eval_v2->overall.f1);
//   Result<LoopResult> r = RunLoop("data/logos", o);   // the same to the end, with the output manifests
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/image.h"
#include "core/status.h"
#include "labels/detector.h"
#include "labels/manifest.h"
#include "labels/metrics.h"
#include "labels/review.h"

namespace fk::labels {

// A manifest with its images decoded. Images that cannot be read (missing,
// corrupt, oversize) are dropped with their labels, one problem each; a
// manifest image_size that disagrees with the file is corrected (and said).
struct LabelSet {
  Manifest manifest;
  std::vector<Image> images;  // parallel to manifest.images
  std::vector<std::string> problems;
  std::string path;                    // the manifest file
  std::vector<LabeledImage> pending;   // listed but not decoded yet (OpenLabelSet)
  size_t next = 0;                     // next pending image
  std::vector<std::vector<Box>> Truth() const;
  std::vector<const Image*> ImagePtrs() const;
};
Result<LabelSet> LoadLabelSet(const std::string& manifest_path);
// The same in steps (the page decodes one image per job slice):
//   Result<LabelSet> s = OpenLabelSet(path);  while (LoadNextImage(&*s)) {}
// allow_unlabeled: bare {"source-ref"} lines too (a batch to review; labeled = false).
Result<LabelSet> OpenLabelSet(const std::string& manifest_path, bool allow_unlabeled = false);
// A batch of loose pictures (dropped files): unlabeled, source-ref = the path.
LabelSet ImageBatch(const std::vector<std::string>& paths);
// Decodes the next listed image. A source-ref that is not found as written
// (an s3:// address, or a folder the user's files were not dropped with) is
// looked up by its file name beside the manifest, where dropped files land.
bool LoadNextImage(LabelSet* set);  // false when every listed image was tried

// The review queue: one item per image to review with its pixels and, for
// data-set images, the truth the simulated reviewer checks against (images
// the user imported have none). The Label Review panel edits it; the loop
// pre-labels into it and trains v2 on its reviewed items.
struct ReviewQueue {
  std::vector<ReviewItem> items;
  std::vector<Image> images;            // parallel to items
  std::vector<std::vector<Box>> truth;  // parallel; empty + has_truth=false for imports
  std::vector<bool> has_truth;
  std::vector<bool> from_batch;         // parallel; added by Loop::AddBatch or a drop, not the data set's v2
  void Add(ReviewItem item, Image image, std::vector<Box> truth, bool has_truth, bool from_batch = false);
  void Clear();
};
// The simulated reviewer on every unreviewed item that has a truth; returns how many it reviewed.
int SimulateReview(ReviewQueue* queue, const ReviewerOptions& opt);

// A label-verification manifest back from the reviewers (Ground Truth's
// verification job over what Export wrote): "correct" accepts that image's
// boxes as they are (reviewed); "needs-fix" leaves it to adjust, marked
// (ReviewItem::needs_fix) and first in the queue. Matched by source-ref, else
// by file name. Lines matching no queue image are counted in `unmatched`.
struct VerificationApplied {
  int accepted = 0, needs_fix = 0, unmatched = 0;
};
VerificationApplied ApplyVerification(ReviewQueue* queue, const std::vector<Verification>& v);

// What the review produced, as files: the reviewed images as a Ground Truth
// manifest (human-annotated "yes") with a verification line each ("were the
// proposals right as they were?"). Data-set images come first, in their
// manifest's order and with its fields; then the user's imported images in
// queue order. The CLI's --out and the panel's Export both write these.
struct ReviewedFiles {
  Manifest manifest;
  std::vector<Verification> verification;
  ReviewStats stats;  // over the same images
};
// class_map: the labels' names (v1's); null = v2's.
ReviewedFiles Reviewed(const ReviewQueue& q, const LabelSet* v2, const std::string& job_name,
                       const std::map<int, std::string>* class_map = nullptr);

enum class LoopStage { Load, TrainV1, Prelabel, EvalV1, Review, TrainV2, EvalV2, Done, Batch };
const char* StageName(LoopStage s);  // "load", "train_v1", "prelabel", "eval_v1", "review", ...

struct LoopOptions {
  std::string data_dir;  // DIR/v1.manifest, DIR/v2.manifest, DIR/test.manifest
  // The user's own Ground Truth object-detection manifests (images beside
  // them) instead of data_dir's. Without data_dir, no v2 batch unless
  // v2_manifest is given, and without test_manifest the test split is every
  // 5th v1 image held out (Rekognition Custom Labels' auto split is 80/20).
  std::string v1_manifest, v2_manifest, test_manifest;
  // Confidence at which proposals are shown and metrics taken. < 0: each
  // model's own threshold, chosen by cross-validation on its training images.
  float threshold = -1.f;
  // true: the simulated reviewer fixes every pre-labelled image against the
  // truth and the loop runs to its end. false: the loop waits at Review until
  // SubmitReview() (a person reviews in the panel).
  bool simulate_reviewer = false;
  ReviewerOptions reviewer;
  DetectorOptions detector;
  size_t test_limit = 0;  // score on the first N test images only (0 = all)
  std::string job_name = "fieldkit-label-review";
  // Non-zero: when data_dir holds no logo set, write the seeded one there first
  // (labels::LogoDataSetWriter, one image per unit). The page ships without the
  // bundled set's PNGs and draws the same bytes on first use.
  uint64_t generate_seed = 0;
};

// One trained model's score on the test split: v1, then each retrain (v2, v3, ...).
struct RoundResult {
  int version = 1;
  int trained_on = 0;  // images: v1's training images (+ the reviewed ones from v2 on)
  int reviewed = 0;    // of those, reviewed queue images
  Evaluation eval;
};

// What a loop has made so far.
struct LoopData {
  std::optional<LabelSet> v1, v2, test;  // set when each manifest is read; images decoded one per unit
  std::vector<std::string> problems;     // of the three sets, once all are loaded
  int classes = 0;                       // v1's highest class id + 1 (class ids index the models)
  // The models. A new one takes the place of the old when its training
  // starts and is trained in place.
  // det_v2 is the latest retrained model (v2, then v3, ...: each SubmitReview
  // trains a new one on v1 + every reviewed image); it pre-labels later batches.
  std::unique_ptr<Detector> det_v1, det_v2;
  int version = 0;                             // of the latest trained model (0 before v1)
  std::vector<RoundResult> rounds;             // each scored model, in order
  bool test_split = false;                     // the test set was held out of v1 (no test manifest)
  float threshold_v1 = 0, threshold_v2 = 0;    // what each model's proposals and metrics use
  std::vector<std::vector<Box>> v2_proposals;  // per v2 image: every box v1 proposed, before the review
  int prelabeled = 0;                          // images v1 proposed boxes for
  int trained_v2_on = 0;                       // reviewed images v2 was trained on (besides v1's)
  std::optional<Evaluation> eval_v1, eval_v2;  // on the first test_scored() test images (eval_v2: the latest retrain)
  std::vector<std::vector<Box>> test_pred_v1, test_pred_v2;
  // Work time of each stage (the sum of its units); v1's scoring in wall time.
  double train_ms_v1 = 0, prelabel_ms = 0, eval_ms_v1 = 0, train_ms_v2 = 0;
};

class Loop {
 public:
  // `queue`: the review queue to pre-label into (the panel's; it must outlive
  // the loop); null = the loop's own.
  explicit Loop(LoopOptions options, ReviewQueue* queue = nullptr);
  // Starts again (Train v1 again) from what an earlier loop kept: its models
  // and times stay until new ones replace them; the sets and scores are made anew.
  Loop(LoopOptions options, ReviewQueue* queue, LoopData from);
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  // Runs units of work (reading a manifest, decoding one image, one training
  // slice, one pyramid level of one image's scan, one simulated review) until
  // budget_ms is spent, at least one; true when done, failed, or waiting for
  // the review. Any budget gives the same results, bit for bit.
  bool Step(double budget_ms);
  // Hands the reviewed items of the queue in: v2 trains on v1 + them (copies:
  // the queue may grow meanwhile), then is scored. Allowed once the sets are
  // loaded and v1 ran (waiting, done, failed or cancelled); fails when no item is reviewed.
  Status SubmitReview();
  // Stops. A retrain's rebuild of the queue gives the rest of the old items
  // back as they were; the loop then reports failed() with "cancelled".
  void Cancel();
  // The review slider: items pre-labelled from now on show proposals at/above it.
  void SetProposalThreshold(float t) { proposal_threshold_ = t; }
  // Pre-labels a batch (OpenLabelSet(path, true) or ImageBatch) into the queue
  // with the latest model (one decode or one pyramid level per unit), then
  // returns to waiting/done. Labelled images keep their boxes as the truth the
  // simulated reviewer checks against. Allowed when the loop waits or is done
  // and a model is trained.
  Status AddBatch(LabelSet batch);
  // The newest fully trained model (v1, v2, v3 ...); null while v1 trains. A
  // model being trained is never returned (it is trained in place).
  const Detector* latest_model() const;

  bool done() const { return stage_ == LoopStage::Done; }
  bool waiting() const { return stage_ == LoopStage::Review && !opt_.simulate_reviewer; }
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  LoopStage stage() const { return stage_; }
  // 0..1 up to the next stop: with a person reviewing, loading to v1 scored,
  // then v2 trained and scored; with the simulated reviewer, the whole run.
  float Progress() const;
  std::string Detail() const;  // "decoding v2 4/30", "v1 class 0 epoch 3", "pre-label 5/30", "test image 7/100"

  const LoopOptions& options() const { return opt_; }
  const LoopData& data() const { return d_; }
  const ReviewQueue& queue() const { return *q_; }
  // A retrain's rebuild of the queue (PlanRetrainQueue) and how many of its
  // slots are done; empty when no rebuild is under way.
  const std::vector<QueueSlot>& plan() const;
  size_t plan_done() const;
  size_t test_scored() const;  // test images scored: all, or the first test_limit
  LoopData TakeData();         // the loop is spent

  // {"stage","error"?,"images":{v1,v2,test},"test_scored","problems","prelabeled","queue","proposals",
  //  "reviewed","review":{accepted_unchanged,adjusted,deleted,added,effort_saved},"train_ms_v1",
  //  "prelabel_ms_v2","eval_ms_v1","v1":{precision,recall,f1,threshold,assumed_threshold,f1_at_assumed}|null,
  //  "v2":{..}|null (the latest retrain),"train_ms_v2" (once v2 is scored),"version","rounds":[{version,
  //  trained_on,reviewed,precision,recall,f1,per_label:[{label,precision,recall,f1,tp,fp,fn}]}]}
  //  (v1 and v2 carry per_label too)
  nlohmann::json StatusJson() const;

 private:
  struct Work;
  void StepOnce();
  void StepLoad();
  void StepTrain();
  void StepPrelabel();
  void StepEval();
  void StepReview();
  void StepBatch();
  void V1Trained();
  void Fail(std::string message);
  void RestoreUnplanned();
  LoopOptions opt_;
  ReviewQueue own_;
  ReviewQueue* q_;
  LoopData d_;
  LoopStage stage_ = LoopStage::Load;
  std::string error_;
  float proposal_threshold_ = 0.5f;
  std::unique_ptr<Work> w_;
  LoopStage after_batch_ = LoopStage::Done;
};

struct LoopResult {
  Evaluation v1, v2;
  ReviewStats review;
  double train_seconds_v1 = 0, train_seconds_v2 = 0, prelabel_seconds = 0;
  Manifest v2_reviewed, test_predictions_v1, test_predictions_v2;
  Manifest v2_proposals;  // what v1 proposed on v2 (all confidences) before the review
  std::vector<Verification> verification;  // per reviewed v2 image: proposals right as they were?
  std::vector<std::string> problems;
  std::string detector_v1, detector_v2;  // Detector::Describe()
  float threshold_v1 = 0, threshold_v2 = 0;  // what each model's proposals and metrics used
  std::string calibration_v1, calibration_v2;
};
// What the CLI writes of a loop that scored v2: the reviewed v2 images as a
// manifest, their verification, v1's proposals on v2 and both models' test predictions.
LoopResult MakeLoopResult(const Loop& loop);

// A Loop with the simulated reviewer, run to its end (data_dir replaces
// opt.data_dir). `progress(share, detail)` is called between steps (CLI progress on stderr).
Result<LoopResult> RunLoop(const std::string& data_dir, const LoopOptions& opt,
                           const std::function<void(float, const std::string&)>& progress = {});

// Predictions as a Ground Truth manifest (human-annotated "no", objects[].confidence).
Manifest PredictionManifest(const LabelSet& set, const std::vector<std::vector<Box>>& predictions,
                            const std::string& job_name);

}  // namespace fk::labels
