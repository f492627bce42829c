#include "labels/loop.h"

#include "core/clock.h"

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

Result<LabelSet> OpenLabelSet(const std::string& manifest_path) {
  LabelSet set;
  set.path = manifest_path;
  Result<Manifest> m = ReadManifest(manifest_path, &set.problems);
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
  Result<Image> img = LoadImage(set->manifest.ResolvePath(li.source_ref));
  if (!img) {
    set->problems.push_back(set->path + ": " + li.source_ref + ": " + img.status().message() + " (image skipped)");
    return true;
  }
  if (img->width != li.width || img->height != li.height) {
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

static std::vector<std::vector<Box>> Predict(const Detector& d, const LabelSet& set) {
  std::vector<std::vector<Box>> out;
  for (const Image& im : set.images) out.push_back(d.Detect(im));
  return out;
}

Result<LoopResult> RunLoop(const std::string& data_dir, const LoopOptions& opt,
                           const std::function<void(const std::string&)>& progress) {
  auto say = [&](const std::string& s) {
    if (progress) progress(s);
  };
  LoopResult r;
  Result<LabelSet> v1 = LoadLabelSet(data_dir + "/v1.manifest");
  if (!v1) return v1.status();
  Result<LabelSet> v2 = LoadLabelSet(data_dir + "/v2.manifest");
  if (!v2) return v2.status();
  Result<LabelSet> test = LoadLabelSet(data_dir + "/test.manifest");
  if (!test) return test.status();
  for (auto* s : {&*v1, &*v2, &*test}) r.problems.insert(r.problems.end(), s->problems.begin(), s->problems.end());
  const int classes = v1->manifest.class_map.empty() ? 0 : v1->manifest.class_map.rbegin()->first + 1;

  say("training v1");
  Detector d1(opt.detector);
  double t0 = NowMs();
  Status st = d1.Train(v1->ImagePtrs(), v1->Truth(), classes);
  if (!st) return Status::Error(data_dir + "/v1.manifest: " + st.message());
  r.train_seconds_v1 = (NowMs() - t0) / 1000.0;
  r.detector_v1 = d1.Describe();
  r.threshold_v1 = opt.threshold >= 0 ? opt.threshold : d1.threshold();
  r.calibration_v1 = d1.calibration();

  say("pre-labelling v2");
  t0 = NowMs();
  std::vector<std::vector<Box>> proposals = Predict(d1, *v2);
  r.prelabel_seconds = (NowMs() - t0) / 1000.0;
  r.v2_proposals = PredictionManifest(*v2, proposals, opt.job_name + "/v1-prelabel");

  say("simulated review of v2");
  r.v2_reviewed.label_attribute = v2->manifest.label_attribute;
  r.v2_reviewed.class_map = v2->manifest.class_map;
  const std::string date = NowIso8601();
  LabelSet reviewed = *v2;  // v2 images with the reviewed labels (what v2 trains on)
  for (size_t i = 0; i < v2->images.size(); i++) {
    const LabeledImage& li = v2->manifest.images[i];
    ReviewItem it = MakeReviewItem(li.source_ref, li.width, li.height, proposals[i], r.threshold_v1);
    SimulateReviewer(li.boxes, &it, opt.reviewer);
    const ReviewStats s = it.Stats();
    r.review.Add(s);
    LabeledImage out = li;
    out.boxes = it.FinalBoxes();
    out.human_annotated = true;
    out.creation_date = date;
    out.job_name = opt.job_name;
    reviewed.manifest.images[i].boxes = out.boxes;
    r.v2_reviewed.images.push_back(out);
    r.verification.push_back({li.source_ref, s.adjusted == 0 && s.deleted == 0 && s.added == 0, 1.f});
  }

  say("training v2");
  std::vector<const Image*> imgs = v1->ImagePtrs();
  std::vector<std::vector<Box>> truth = v1->Truth();
  for (size_t i = 0; i < reviewed.images.size(); i++) {
    imgs.push_back(&reviewed.images[i]);
    truth.push_back(reviewed.manifest.images[i].boxes);
  }
  Detector d2(opt.detector);
  t0 = NowMs();
  st = d2.Train(imgs, truth, classes);
  if (!st) return Status::Error("v2 training: " + st.message());
  r.train_seconds_v2 = (NowMs() - t0) / 1000.0;
  r.detector_v2 = d2.Describe();
  r.threshold_v2 = opt.threshold >= 0 ? opt.threshold : d2.threshold();
  r.calibration_v2 = d2.calibration();

  say("evaluating on test");
  const std::vector<std::vector<Box>> p1 = Predict(d1, *test), p2 = Predict(d2, *test);
  r.v1 = Evaluate(test->Truth(), p1, r.threshold_v1, classes);
  r.v2 = Evaluate(test->Truth(), p2, r.threshold_v2, classes);
  r.test_predictions_v1 = PredictionManifest(*test, p1, opt.job_name + "/v1");
  r.test_predictions_v2 = PredictionManifest(*test, p2, opt.job_name + "/v2");
  return r;
}

}  // namespace fk::labels
