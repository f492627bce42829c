#include "labels/loop.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "labels/generate.h"

namespace fk::labels {

std::vector<std::vector<Box>> LabelSet::Truth() const {
  std::vector<std::vector<Box>> t;
  for (auto& im : manifest.images) t.push_back(im.boxes);
  return t;
}

std::vector<const Image*> LabelSet::ImagePtrs() const {
  std::vector<const Image*> p;
  for (auto& im : images) p.push_back(&im);
  return p;
}

Result<LabelSet> OpenLabelSet(const std::string& manifest_path, bool allow_unlabeled) {
  LabelSet set;
  set.path = manifest_path;
  Result<Manifest> m = ReadManifest(manifest_path, &set.problems, "", allow_unlabeled);
  if (!m) return m.status();
  set.manifest.label_attribute = m->label_attribute;
  set.manifest.class_map = m->class_map;
  set.manifest.dir = m->dir;
  set.pending = std::move(m->images);
  return set;
}

bool LoadNextImage(LabelSet* set) {
  if (set->next >= set->pending.size()) {
    set->pending.clear();
    set->next = 0;
    return false;
  }
  LabeledImage li = std::move(set->pending[set->next++]);
  const std::string path = set->manifest.ResolvePath(li.source_ref);
  Result<Image> img = LoadImage(path);
  const size_t slash = li.source_ref.find_last_of('/');
  if (!img && slash != std::string::npos && !set->manifest.dir.empty()) {
    // s3://bucket/x/a.jpg or a folder that did not come along: the file by its name beside the manifest.
    Result<Image> by_name = LoadImage(set->manifest.dir + "/" + li.source_ref.substr(slash + 1));
    if (by_name) img = std::move(by_name);
  }
  if (!img) {
    set->problems.push_back(set->path + ": " + li.source_ref + ": " + img.status().message() + " (image skipped)");
    return true;
  }
  if (!li.labeled) {  // an input-manifest line or a dropped picture: the file says its size
    li.width = img->width;
    li.height = img->height;
  } else if (img->width != li.width || img->height != li.height) {
    set->problems.push_back(set->path + ": " + li.source_ref + ": image_size " + std::to_string(li.width) + "x" +
                            std::to_string(li.height) + " but the file is " + std::to_string(img->width) + "x" +
                            std::to_string(img->height) + " (using the file's size)");
    li.width = img->width;
    li.height = img->height;
    std::vector<Box> kept;
    for (Box b : li.boxes)
      if (ClipBox(&b, li.width, li.height)) kept.push_back(b);
    li.boxes = kept;
  }
  set->manifest.images.push_back(std::move(li));
  set->images.push_back(std::move(*img));
  return true;
}

LabelSet ImageBatch(const std::vector<std::string>& paths) {
  LabelSet set;
  set.path = paths.size() == 1 ? paths[0] : std::to_string(paths.size()) + " pictures";
  for (const std::string& p : paths) {
    LabeledImage li;
    li.source_ref = p;
    li.labeled = false;
    li.width = li.height = 0;
    set.pending.push_back(std::move(li));
  }
  return set;
}

Result<LabelSet> LoadLabelSet(const std::string& manifest_path) {
  Result<LabelSet> set = OpenLabelSet(manifest_path);
  if (!set) return set;
  while (LoadNextImage(&*set)) {
  }
  return set;
}

Manifest PredictionManifest(const LabelSet& set, const std::vector<std::vector<Box>>& predictions,
                            const std::string& job_name) {
  Manifest m;
  m.label_attribute = set.manifest.label_attribute;
  m.class_map = set.manifest.class_map;
  const std::string date = NowIso8601();
  for (size_t i = 0; i < set.manifest.images.size(); i++) {
    LabeledImage li = set.manifest.images[i];
    li.boxes = i < predictions.size() ? predictions[i] : std::vector<Box>{};
    li.human_annotated = false;
    li.creation_date = date;
    li.job_name = job_name;
    m.images.push_back(std::move(li));
  }
  return m;
}

// [SECTION] the review queue

void ReviewQueue::Add(ReviewItem item, Image image, std::vector<Box> t, bool has, bool batch) {
  items.push_back(std::move(item));
  images.push_back(std::move(image));
  truth.push_back(std::move(t));
  has_truth.push_back(has);
  from_batch.push_back(batch);
}

void ReviewQueue::Clear() {
  items.clear();
  images.clear();
  truth.clear();
  has_truth.clear();
  from_batch.clear();
}

static bool SimulateOne(ReviewQueue* q, size_t i, const ReviewerOptions& opt) {
  if (q->items[i].reviewed || !q->has_truth[i]) return false;
  SimulateReviewer(q->truth[i], &q->items[i], opt);
  return true;
}

int SimulateReview(ReviewQueue* queue, const ReviewerOptions& opt) {
  int n = 0;
  for (size_t i = 0; i < queue->items.size(); i++) n += SimulateOne(queue, i, opt);
  return n;
}

static std::string FileName(const std::string& ref) {
  const size_t slash = ref.find_last_of('/');
  return slash == std::string::npos ? ref : ref.substr(slash + 1);
}

VerificationApplied ApplyVerification(ReviewQueue* q, const std::vector<Verification>& v) {
  VerificationApplied r;
  std::map<std::string, size_t> by_ref, by_name;
  for (size_t i = 0; i < q->items.size(); i++) {
    by_ref.emplace(q->items[i].source_ref, i);
    by_name.emplace(FileName(q->items[i].source_ref), i);
  }
  for (const Verification& x : v) {
    size_t idx = 0;
    if (auto a = by_ref.find(x.source_ref); a != by_ref.end()) {
      idx = a->second;
    } else if (auto b = by_name.find(FileName(x.source_ref)); b != by_name.end()) {
      idx = b->second;
    } else {
      r.unmatched++;
      continue;
    }
    ReviewItem& item = q->items[idx];
    item.needs_fix = !x.correct;
    item.reviewed = x.correct;  // a "needs-fix" image goes back to the reviewer
    (x.correct ? r.accepted : r.needs_fix)++;
  }
  return r;
}

// [SECTION] the loop

const char* StageName(LoopStage s) {
  switch (s) {
    case LoopStage::Load: return "load";
    case LoopStage::TrainV1: return "train_v1";
    case LoopStage::Prelabel: return "prelabel";
    case LoopStage::EvalV1: return "eval_v1";
    case LoopStage::Review: return "review";
    case LoopStage::TrainV2: return "train_v2";
    case LoopStage::EvalV2: return "eval_v2";
    case LoopStage::Done: return "done";
    case LoopStage::Batch: return "batch";
  }
  return "?";
}

namespace {
constexpr const char* kSetNames[3] = {"v1", "v2", "test"};
}  // namespace

// The work in progress of the current stage.
struct Loop::Work {
  std::unique_ptr<DetectorTrainer> trainer;
  std::vector<Image> reviewed_images;  // v2's training copies of the reviewed queue images
  // Pre-label: the slots of the rebuilt queue and the queue as it was.
  std::vector<QueueSlot> plan;
  ReviewQueue prev;
  std::optional<LabelSet> batch;  // AddBatch: decoded one image per unit, each pre-labelled before the next
  size_t batch_added = 0;
  size_t i = 0;  // plan slot, test image or queue item
  Detector::DetectState detect;
  double t0 = 0;  // wall clock at the start of v1's scoring
  std::unique_ptr<LogoDataSetWriter> generate;  // LoopOptions::generate_seed: the set being written
  bool generate_checked = false;
};

Loop::Loop(LoopOptions options, ReviewQueue* queue)
    : opt_(std::move(options)), q_(queue ? queue : &own_), w_(std::make_unique<Work>()) {
  if (opt_.data_dir.empty() && opt_.v1_manifest.empty()) Fail("a data folder or a v1 manifest is required");
  else if (opt_.threshold > 1.f) Fail("threshold " + std::to_string(opt_.threshold) + " is outside 0..1");
}

Loop::Loop(LoopOptions options, ReviewQueue* queue, LoopData from) : Loop(std::move(options), queue) {
  if (failed()) return;
  d_ = std::move(from);
  d_.v1.reset();
  d_.v2.reset();
  d_.test.reset();
  d_.eval_v1.reset();
  d_.eval_v2.reset();
  d_.test_pred_v1.clear();
  d_.test_pred_v2.clear();
  d_.v2_proposals.clear();
  d_.rounds.clear();
  d_.test_split = false;
}

Loop::~Loop() = default;

void Loop::Fail(std::string message) {
  error_ = std::move(message);
  RestoreUnplanned();
  w_ = std::make_unique<Work>();
  stage_ = LoopStage::Done;
}

void Loop::Cancel() {
  if (!done() && !waiting()) Fail("cancelled");
}

// The rest of a retrain's plan, as the queue was, when the loop stops before
// the plan is done (Cancel, a failure): nothing the user had goes missing.
void Loop::RestoreUnplanned() {
  Work& w = *w_;
  for (size_t k = w.i; k < w.plan.size(); k++) {
    const QueueSlot& slot = w.plan[k];
    const int keep = slot.old_index >= 0 ? slot.old_index : slot.replaces;  // not pre-labelled: the old item
    if (keep < 0) continue;
    const size_t o = size_t(keep);
    q_->Add(std::move(w.prev.items[o]), std::move(w.prev.images[o]), std::move(w.prev.truth[o]),
            w.prev.has_truth[o], w.prev.from_batch[o]);
  }
  w.plan.clear();
  w.prev.Clear();
}

bool Loop::Step(double budget_ms) {
  const double t0 = NowMs();
  while (!done() && !waiting()) {
    StepOnce();
    if (NowMs() - t0 >= budget_ms) break;
  }
  return done() || waiting();
}

void Loop::StepOnce() {
  switch (stage_) {
    case LoopStage::Load: StepLoad(); return;
    case LoopStage::TrainV1:
    case LoopStage::TrainV2: StepTrain(); return;
    case LoopStage::Prelabel: StepPrelabel(); return;
    case LoopStage::EvalV1:
    case LoopStage::EvalV2: StepEval(); return;
    case LoopStage::Review: StepReview(); return;
    case LoopStage::Batch: StepBatch(); return;
    case LoopStage::Done: return;
  }
}

// [SECTION] load: each manifest in one unit, then one image per unit

void Loop::StepLoad() {
  if (opt_.generate_seed != 0 && !opt_.data_dir.empty() && !w_->generate_checked) {
    if (!w_->generate) {
      if (LogoDataSetPresent(opt_.data_dir)) {
        w_->generate_checked = true;
        return;
      }
      w_->generate = std::make_unique<LogoDataSetWriter>(opt_.data_dir, opt_.generate_seed);
    }
    if (!w_->generate->Step()) return;
    if (!w_->generate->status().ok()) return Fail("writing the logo set: " + w_->generate->status().message());
    w_->generate.reset();
    w_->generate_checked = true;
    return;
  }
  std::optional<LabelSet>* sets[3] = {&d_.v1, &d_.v2, &d_.test};
  const std::string* given[3] = {&opt_.v1_manifest, &opt_.v2_manifest, &opt_.test_manifest};
  for (int k = 0; k < 3; k++) {
    if (!*sets[k]) {
      std::string path = *given[k];
      if (path.empty() && !opt_.data_dir.empty()) path = opt_.data_dir + "/" + kSetNames[k] + ".manifest";
      if (path.empty()) {  // the user's own v1 alone: no batch yet; the test split is held out of v1 below
        *sets[k] = LabelSet{};
        sets[k]->value().path = std::string("(no ") + kSetNames[k] + " manifest)";
        d_.test_split = k == 2;
        return;
      }
      Result<LabelSet> r = OpenLabelSet(path, /*allow_unlabeled=*/k == 1);
      if (!r) return Fail(r.status().message());
      *sets[k] = std::move(*r);
      return;
    }
    const LabelSet& s = **sets[k];
    if (!s.pending.empty()) {
      LoadNextImage(&**sets[k]);
      return;
    }
    // A manifest none of whose lines could be used is broken, not empty: say where.
    if (s.images.empty() && !s.problems.empty())
      return Fail(s.path + ": no usable image; " + s.problems[0] +
                  (s.problems.size() > 1 ? " (and " + std::to_string(s.problems.size() - 1) + " more problems)" : ""));
  }
  if (d_.test_split) {
    // Every 5th v1 image (from the 5th) is the test split, the rest trains:
    // deterministic, so the CLI and the panel score the same images.
    LabelSet& v1 = *d_.v1;
    LabelSet& test = *d_.test;
    test.manifest.label_attribute = v1.manifest.label_attribute;
    test.manifest.class_map = v1.manifest.class_map;
    test.manifest.dir = v1.manifest.dir;
    test.path = v1.path + " (every 5th image held out as the test split)";
    LabelSet keep = v1;
    keep.manifest.images.clear();
    keep.images.clear();
    for (size_t i = 0; i < v1.images.size(); i++) {
      LabelSet& to = i % 5 == 4 ? test : keep;
      to.manifest.images.push_back(std::move(v1.manifest.images[i]));
      to.images.push_back(std::move(v1.images[i]));
    }
    v1 = std::move(keep);
    if (test.images.empty())
      return Fail(v1.path + ": " + std::to_string(v1.images.size()) +
                  " usable images; at least 5 are needed to hold every 5th out as the test split (or give a test manifest)");
  }
  for (const LabeledImage& li : d_.v1->manifest.images)
    if (!li.labeled) return Fail(d_.v1->path + ": " + li.source_ref + " has no labels; v1 trains on labelled images");
  d_.problems.clear();
  for (auto* set : sets) d_.problems.insert(d_.problems.end(), (*set)->problems.begin(), (*set)->problems.end());
  const auto& cm = d_.v1->manifest.class_map;
  d_.classes = cm.empty() ? 0 : cm.rbegin()->first + 1;
  d_.det_v1 = std::make_unique<Detector>(opt_.detector);
  w_->trainer = std::make_unique<DetectorTrainer>(d_.det_v1.get(), d_.v1->ImagePtrs(), d_.v1->Truth(), d_.classes);
  d_.train_ms_v1 = 0;
  stage_ = LoopStage::TrainV1;
}

// [SECTION] training: one bounded trainer slice per unit

void Loop::StepTrain() {
  const bool v2 = stage_ == LoopStage::TrainV2;
  const double t = NowMs();
  const Status st = w_->trainer->Step();
  (v2 ? d_.train_ms_v2 : d_.train_ms_v1) += NowMs() - t;
  if (!st) return Fail(v2 ? "v2 training: " + st.message() : d_.v1->path + ": " + st.message());
  if (!w_->trainer->Done()) return;
  w_->trainer.reset();
  if (!v2) return V1Trained();
  d_.threshold_v2 = opt_.threshold >= 0 ? opt_.threshold : d_.det_v2->threshold();
  d_.version++;
  w_->i = 0;
  d_.test_pred_v2.clear();
  stage_ = LoopStage::EvalV2;
}

// The queue is rebuilt from what it holds now: reviews and imports stay.
void Loop::V1Trained() {
  Work& w = *w_;
  d_.threshold_v1 = opt_.threshold >= 0 ? opt_.threshold : d_.det_v1->threshold();
  proposal_threshold_ = d_.threshold_v1;
  d_.version = 1;
  d_.det_v2.reset();  // the retrains were of the old v1's data
  w.prev = std::move(*q_);
  q_->Clear();
  std::vector<bool> imported;  // kept (proposals renewed while untouched): drops and batches
  for (size_t i = 0; i < w.prev.items.size(); i++) imported.push_back(!w.prev.has_truth[i] || w.prev.from_batch[i]);
  std::vector<std::string> refs;
  for (auto& li : d_.v2->manifest.images) refs.push_back(li.source_ref);
  w.plan = PlanRetrainQueue(w.prev.items, imported, refs);
  w.i = 0;
  d_.prelabeled = 0;
  d_.prelabel_ms = 0;
  d_.v2_proposals.assign(d_.v2->images.size(), {});
  stage_ = LoopStage::Prelabel;
}

// [SECTION] pre-label: one pyramid level of one image per unit; the queue's kept items move over

void Loop::StepPrelabel() {
  Work& w = *w_;
  if (w.i == w.plan.size()) {
    RestoreUnplanned();  // the plan is done: this only clears it
    w.i = 0;
    d_.test_pred_v1.clear();
    w.t0 = NowMs();
    stage_ = LoopStage::EvalV1;
    return;
  }
  const QueueSlot& slot = w.plan[w.i];
  if (slot.old_index >= 0 && !slot.repropose) {
    const size_t o = size_t(slot.old_index);
    q_->Add(std::move(w.prev.items[o]), std::move(w.prev.images[o]), std::move(w.prev.truth[o]), w.prev.has_truth[o],
            w.prev.from_batch[o]);
    w.i++;
    return;
  }
  const Image& img = slot.fresh_index >= 0 ? d_.v2->images[size_t(slot.fresh_index)]
                                           : w.prev.images[size_t(slot.old_index)];
  const double t = NowMs();
  const bool scanned = d_.det_v1->DetectStep(img, &w.detect);
  d_.prelabel_ms += NowMs() - t;
  if (!scanned) return;
  std::vector<Box> p = std::move(w.detect.boxes);
  w.detect = {};
  if (slot.fresh_index >= 0) {
    const size_t f = size_t(slot.fresh_index);
    const LabeledImage& li = d_.v2->manifest.images[f];
    d_.v2_proposals[f] = p;
    q_->Add(MakeReviewItem(li.source_ref, li.width, li.height, std::move(p), proposal_threshold_), img, li.boxes,
            true);
    d_.prelabeled++;
  } else {  // an untouched import: the new model's proposals
    const size_t o = size_t(slot.old_index);
    const ReviewItem& was = w.prev.items[o];
    q_->Add(MakeReviewItem(was.source_ref, was.width, was.height, std::move(p), proposal_threshold_),
            std::move(w.prev.images[o]), std::move(w.prev.truth[o]), w.prev.has_truth[o], true);
  }
  w.i++;
}

// [SECTION] scoring on the test split: one pyramid level per unit, then the metrics

size_t Loop::test_scored() const {
  const size_t n = d_.test ? d_.test->images.size() : 0;
  return opt_.test_limit > 0 ? std::min(n, opt_.test_limit) : n;
}

void Loop::StepEval() {
  Work& w = *w_;
  const bool v2 = stage_ == LoopStage::EvalV2;
  const Detector& det = v2 ? *d_.det_v2 : *d_.det_v1;
  std::vector<std::vector<Box>>& pred = v2 ? d_.test_pred_v2 : d_.test_pred_v1;
  const size_t n = test_scored();
  if (w.i < n) {
    if (!det.DetectStep(d_.test->images[w.i], &w.detect)) return;
    pred.push_back(std::move(w.detect.boxes));
    w.detect = {};
    w.i++;
    return;
  }
  std::vector<std::vector<Box>> truth = d_.test->Truth();
  truth.resize(n);
  const Evaluation e = Evaluate(truth, pred, v2 ? d_.threshold_v2 : d_.threshold_v1, d_.classes);
  w.i = 0;
  RoundResult round;
  round.version = v2 ? d_.version : 1;
  round.reviewed = v2 ? d_.trained_v2_on : 0;
  round.trained_on = int(d_.v1->images.size()) + round.reviewed;
  round.eval = e;
  d_.rounds.push_back(round);
  if (v2) {
    d_.eval_v2 = e;
    stage_ = LoopStage::Done;
  } else {
    d_.eval_v1 = e;
    d_.eval_ms_v1 = NowMs() - w.t0;
    stage_ = LoopStage::Review;
  }
}

// [SECTION] review: the simulated reviewer, one image per unit, or the panel's SubmitReview

void Loop::StepReview() {
  Work& w = *w_;
  while (w.i < q_->items.size())
    if (SimulateOne(q_, w.i++, opt_.reviewer)) return;
  if (Status s = SubmitReview(); !s) Fail(s.message());
}

Status Loop::SubmitReview() {
  if (!d_.v1 || !d_.test || !d_.v1->pending.empty() || !d_.test->pending.empty() || !d_.det_v1)
    return Status::Error("the data set is not loaded yet");
  if (stage_ != LoopStage::Review && stage_ != LoopStage::Done) return Status::Error("the loop is still running");
  auto w = std::make_unique<Work>();
  std::vector<const Image*> imgs = d_.v1->ImagePtrs();
  std::vector<std::vector<Box>> truth = d_.v1->Truth();
  // Copies, not pointers into the queue: the trainer keeps its pointers for
  // the whole training, and an image dropped meanwhile grows the queue, which may move.
  for (size_t i = 0; i < q_->items.size(); i++) {
    if (!q_->items[i].reviewed) continue;
    w->reviewed_images.push_back(q_->images[i]);
    truth.push_back(q_->items[i].FinalBoxes());
  }
  if (w->reviewed_images.empty()) return Status::Error("review some images first (Enter accepts an image), then train v2");
  for (const Image& im : w->reviewed_images) imgs.push_back(&im);
  d_.trained_v2_on = int(w->reviewed_images.size());
  d_.det_v2 = std::make_unique<Detector>(opt_.detector);
  w->trainer = std::make_unique<DetectorTrainer>(d_.det_v2.get(), std::move(imgs), std::move(truth), d_.classes);
  w_ = std::move(w);
  d_.eval_v2.reset();
  d_.test_pred_v2.clear();
  d_.train_ms_v2 = 0;
  error_.clear();
  stage_ = LoopStage::TrainV2;
  return Status::Ok();
}

const Detector* Loop::latest_model() const {
  if (d_.det_v2 && d_.version > 1 && stage_ != LoopStage::TrainV2) return d_.det_v2.get();
  if (stage_ == LoopStage::TrainV1) return nullptr;  // a retrain of v1 trains in place
  return d_.det_v1.get();
}

// [SECTION] a batch to review: one decode or one pyramid level per unit, with the latest model

Status Loop::AddBatch(LabelSet batch) {
  if (failed() && error_ != "cancelled") return Status::Error("the loop failed: " + error_);
  if (!waiting() && !done()) return Status::Error("the loop is still running");
  if (!latest_model()) return Status::Error("no model is trained yet");
  if (batch.pending.empty() && batch.images.empty()) return Status::Error(batch.path + ": no images listed");
  after_batch_ = stage_;
  w_ = std::make_unique<Work>();
  w_->batch = std::move(batch);
  stage_ = LoopStage::Batch;
  return Status::Ok();
}

void Loop::StepBatch() {
  Work& w = *w_;
  LabelSet& b = *w.batch;
  if (w.i < b.images.size()) {
    const Detector& det = *latest_model();
    const Image& img = b.images[w.i];
    const double t = NowMs();
    const bool scanned = det.DetectStep(img, &w.detect);
    d_.prelabel_ms += NowMs() - t;
    if (!scanned) return;
    const LabeledImage& li = b.manifest.images[w.i];
    q_->Add(MakeReviewItem(li.source_ref, li.width, li.height, std::move(w.detect.boxes), proposal_threshold_), img,
            li.boxes, li.labeled, true);
    w.detect = {};
    w.i++;
    w.batch_added++;
    return;
  }
  if (LoadNextImage(&b)) return;
  d_.problems.insert(d_.problems.end(), b.problems.begin(), b.problems.end());
  const bool none = w.batch_added == 0;
  const std::string path = b.path;
  w_ = std::make_unique<Work>();
  stage_ = after_batch_;
  if (none) Fail(path + ": no usable image" + (b.problems.empty() ? std::string() : "; " + b.problems[0]));
}

// [SECTION] progress, status, results

const std::vector<QueueSlot>& Loop::plan() const { return w_->plan; }
size_t Loop::plan_done() const { return stage_ == LoopStage::Prelabel ? w_->i : 0; }

float Loop::Progress() const {
  const Work& w = *w_;
  auto part = [](size_t i, size_t n) { return n ? float(i) / float(n) : 1.f; };
  float a = 1.f, b = 0.f;  // loading to v1 scored; v2 trained and scored
  switch (stage_) {
    case LoopStage::Load: a = 0.f; break;
    case LoopStage::TrainV1: a = 0.5f * (w.trainer ? w.trainer->Progress() : 0.f); break;
    case LoopStage::Prelabel: a = 0.5f + 0.1f * part(w.i, w.plan.size()); break;
    case LoopStage::EvalV1: a = 0.6f + 0.4f * part(w.i, test_scored()); break;
    case LoopStage::TrainV2: b = 0.7f * (w.trainer ? w.trainer->Progress() : 0.f); break;
    case LoopStage::EvalV2: b = 0.7f + 0.3f * part(w.i, test_scored()); break;
    case LoopStage::Review: break;
    case LoopStage::Done: return 1.f;
    case LoopStage::Batch: {
      const size_t n = w.batch ? w.batch->pending.size() + w.batch->images.size() - w.batch->next : 0;
      return part(w.batch_added, std::max<size_t>(n, 1));
    }
  }
  const bool second = stage_ == LoopStage::TrainV2 || stage_ == LoopStage::EvalV2;
  if (!opt_.simulate_reviewer) return second ? b : a;
  if (stage_ == LoopStage::Review) return 0.5f + 0.05f * part(w.i, q_->items.size());
  return second ? 0.55f + 0.45f * b : 0.5f * a;
}

std::string Loop::Detail() const {
  const Work& w = *w_;
  auto of = [](size_t i, size_t n) { return std::to_string(i) + "/" + std::to_string(n); };
  switch (stage_) {
    case LoopStage::Load: {
      if (w.generate) return "drawing the logo set " + std::to_string(int(w.generate->Progress() * 100.f + 0.5f)) + "%";
      const std::optional<LabelSet>* sets[3] = {&d_.v1, &d_.v2, &d_.test};
      for (int k = 0; k < 3; k++) {
        if (!*sets[k]) return std::string("reading ") + kSetNames[k] + ".manifest";
        const LabelSet& s = **sets[k];
        // The images decoded so far of those listed: never more than listed.
        if (!s.pending.empty()) return std::string("decoding ") + kSetNames[k] + " " + of(s.next, s.pending.size());
      }
      return "loaded";
    }
    case LoopStage::TrainV1: return "v1 " + (w.trainer ? w.trainer->Stage() : std::string());
    case LoopStage::Prelabel: return "pre-label " + of(w.i, w.plan.size());
    case LoopStage::EvalV1:
    case LoopStage::EvalV2: return "test image " + of(w.i, test_scored());
    case LoopStage::Review: return waiting() ? "waiting for the review" : "simulated review " + of(w.i, q_->items.size());
    case LoopStage::TrainV2: return "v2 " + (w.trainer ? w.trainer->Stage() : std::string());
    case LoopStage::Done: return failed() ? error_ : "done";
    case LoopStage::Batch: {
      const size_t n = w.batch ? w.batch->pending.size() : 0;
      return "batch: pre-label with v" + std::to_string(d_.version) + " " +
             of(w.batch_added, std::max(n, w.batch_added));
    }
  }
  return "";
}

LoopData Loop::TakeData() {
  LoopData out = std::move(d_);
  d_ = LoopData{};
  Fail("the loop's data was handed on");
  return out;
}

static nlohmann::json PerLabel(const Evaluation& e, const std::map<int, std::string>& names) {
  nlohmann::json a = nlohmann::json::array();
  for (size_t c = 0; c < e.per_class.size(); c++) {
    const Prf& p = e.per_class[c];
    auto n = names.find(int(c));
    a.push_back({{"label", n != names.end() ? n->second : std::to_string(c)}, {"precision", p.precision},
                 {"recall", p.recall}, {"f1", p.f1}, {"tp", p.tp}, {"fp", p.fp}, {"fn", p.fn}});
  }
  return a;
}

static nlohmann::json EvalStatus(const std::optional<Evaluation>& e, const std::map<int, std::string>& names) {
  if (!e) return nlohmann::json();
  return nlohmann::json{{"precision", e->overall.precision}, {"recall", e->overall.recall}, {"f1", e->overall.f1},
                        {"threshold", e->threshold}, {"assumed_threshold", e->assumed_threshold},
                        {"f1_at_assumed", e->assumed.f1}, {"per_label", PerLabel(*e, names)}};
}

nlohmann::json Loop::StatusJson() const {
  nlohmann::json j;
  j["stage"] = StageName(stage_);
  if (failed()) j["error"] = error_;
  j["images"] = {{"v1", d_.v1 ? d_.v1->images.size() : 0},
                 {"v2", d_.v2 ? d_.v2->images.size() : 0},
                 {"test", d_.test ? d_.test->images.size() : 0}};
  j["test_scored"] = test_scored();
  j["problems"] = d_.problems.size();
  j["prelabeled"] = d_.prelabeled;
  int proposals = 0, reviewed = 0;
  ReviewStats s;
  for (const ReviewItem& it : q_->items) {
    proposals += int(it.proposed.size());
    reviewed += it.reviewed;
    if (it.reviewed) s.Add(it.Stats());
  }
  j["queue"] = q_->items.size();
  j["proposals"] = proposals;
  j["reviewed"] = reviewed;
  j["review"] = {{"accepted_unchanged", s.accepted_unchanged}, {"adjusted", s.adjusted}, {"deleted", s.deleted},
                 {"added", s.added}, {"effort_saved", s.EffortSaved()}};
  j["train_ms_v1"] = d_.train_ms_v1;
  j["prelabel_ms_v2"] = d_.prelabel_ms;
  j["eval_ms_v1"] = d_.eval_ms_v1;
  static const std::map<int, std::string> kNoNames;
  const std::map<int, std::string>& names = d_.v1 ? d_.v1->manifest.class_map : kNoNames;
  j["v1"] = EvalStatus(d_.eval_v1, names);
  j["v2"] = EvalStatus(d_.eval_v2, names);
  if (d_.eval_v2) j["train_ms_v2"] = d_.train_ms_v2;
  j["version"] = d_.version;
  j["test_split"] = d_.test_split;
  nlohmann::json rounds = nlohmann::json::array();
  for (const RoundResult& r : d_.rounds)
    rounds.push_back({{"version", r.version}, {"trained_on", r.trained_on}, {"reviewed", r.reviewed},
                      {"precision", r.eval.overall.precision}, {"recall", r.eval.overall.recall},
                      {"f1", r.eval.overall.f1}, {"per_label", PerLabel(r.eval, names)}});
  j["rounds"] = rounds;
  return j;
}

ReviewedFiles Reviewed(const ReviewQueue& q, const LabelSet* v2, const std::string& job_name,
                       const std::map<int, std::string>* class_map) {
  ReviewedFiles r;
  r.manifest.label_attribute = v2 ? v2->manifest.label_attribute : "bounding-box";
  r.manifest.class_map = class_map && !class_map->empty()           ? *class_map
                         : v2 && !v2->manifest.class_map.empty() ? v2->manifest.class_map
                                                                  : std::map<int, std::string>{{0, "smile"}, {1, "cloud"}};
  const std::string date = NowIso8601();
  auto add = [&](const ReviewItem& item, LabeledImage out) {
    const ReviewStats s = item.Stats();
    r.stats.Add(s);
    out.boxes = item.FinalBoxes();
    out.human_annotated = true;
    out.creation_date = date;
    out.job_name = job_name;
    r.verification.push_back({out.source_ref, s.adjusted == 0 && s.deleted == 0 && s.added == 0, 1.f});
    r.manifest.images.push_back(std::move(out));
  };
  std::map<std::string, size_t> by_ref;  // the queue's data-set (v2) items
  for (size_t i = 0; i < q.items.size(); i++)
    if (q.has_truth[i] && !q.from_batch[i]) by_ref.emplace(q.items[i].source_ref, i);
  if (v2)
    for (const LabeledImage& li : v2->manifest.images) {
      auto it = by_ref.find(li.source_ref);
      if (it != by_ref.end() && q.items[it->second].reviewed) add(q.items[it->second], li);
    }
  for (size_t i = 0; i < q.items.size(); i++) {
    const ReviewItem& item = q.items[i];
    if (!item.reviewed || (v2 && q.has_truth[i] && !q.from_batch[i])) continue;  // data-set images are in already
    LabeledImage li;
    li.source_ref = item.source_ref;
    li.width = item.width;
    li.height = item.height;
    add(item, std::move(li));
  }
  return r;
}

LoopResult MakeLoopResult(const Loop& loop) {
  const LoopData& d = loop.data();
  const ReviewQueue& q = loop.queue();
  const std::string& job = loop.options().job_name;
  LoopResult r;
  if (d.eval_v1) r.v1 = *d.eval_v1;
  if (d.eval_v2) r.v2 = *d.eval_v2;
  r.train_seconds_v1 = d.train_ms_v1 / 1000.0;
  r.train_seconds_v2 = d.train_ms_v2 / 1000.0;
  r.prelabel_seconds = d.prelabel_ms / 1000.0;
  r.problems = d.problems;
  r.threshold_v1 = d.threshold_v1;
  r.threshold_v2 = d.threshold_v2;
  if (d.det_v1) r.detector_v1 = d.det_v1->Describe(), r.calibration_v1 = d.det_v1->calibration();
  if (d.det_v2) r.detector_v2 = d.det_v2->Describe(), r.calibration_v2 = d.det_v2->calibration();
  if (!d.v2 || !d.test) return r;
  r.v2_proposals = PredictionManifest(*d.v2, d.v2_proposals, job + "/v1-prelabel");
  ReviewedFiles rf = Reviewed(q, &*d.v2, job, d.v1 ? &d.v1->manifest.class_map : nullptr);
  r.v2_reviewed = std::move(rf.manifest);
  r.verification = std::move(rf.verification);
  r.review = rf.stats;
  r.test_predictions_v1 = PredictionManifest(*d.test, d.test_pred_v1, job + "/v1");
  r.test_predictions_v2 = PredictionManifest(*d.test, d.test_pred_v2, job + "/v2");
  return r;
}

Result<LoopResult> RunLoop(const std::string& data_dir, const LoopOptions& opt,
                           const std::function<void(float, const std::string&)>& progress) {
  LoopOptions o = opt;
  o.data_dir = data_dir;
  o.simulate_reviewer = true;
  Loop loop(o);
  while (!loop.Step(50.0))
    if (progress) progress(loop.Progress(), loop.Detail());
  if (loop.failed()) return Status::Error(loop.error());
  return MakeLoopResult(loop);
}

}  // namespace fk::labels
