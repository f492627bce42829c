// The v1 -> v2 loop without a person: train v1 on the v1 split, pre-label v2,
// let the simulated reviewer fix the proposals, train v2 on v1 + reviewed v2,
// and evaluate both models on the held-out test split.
//
//   Result<LabelSet> v1 = LoadLabelSet("data/logos/v1.manifest");   // images decoded, problems listed
//   Result<LoopResult> r = RunLoop("data/logos", LoopOptions{});
//   printf("v1 F1 %.3f -> v2 F1 %.3f\n", r->v1.overall.f1, r->v2.overall.f1);
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "labels/detector.h"
#include "labels/image.h"
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
Result<LabelSet> OpenLabelSet(const std::string& manifest_path);
bool LoadNextImage(LabelSet* set);  // false when every listed image was tried

struct LoopOptions {
  // Confidence at which proposals are shown and metrics taken. < 0: each
  // model's own threshold, chosen by cross-validation on its training images.
  float threshold = -1.f;
  ReviewerOptions reviewer;
  DetectorOptions detector;
  std::string job_name = "fieldkit-label-review";
};

struct LoopResult {
  Evaluation v1, v2;
  ReviewStats review;
  double train_seconds_v1 = 0, train_seconds_v2 = 0, prelabel_seconds = 0;
  Manifest v2_reviewed, test_predictions_v1, test_predictions_v2;
  Manifest v2_proposals;  // what v1 proposed on v2 (all confidences) before the review
  std::vector<Verification> verification;  // per v2 image: proposals right as they were?
  std::vector<std::string> problems;
  std::string detector_v1, detector_v2;  // Detector::Describe()
  float threshold_v1 = 0, threshold_v2 = 0;  // what each model's proposals and metrics used
  std::string calibration_v1, calibration_v2;
};

// `progress(stage)` is called between stages (CLI progress on stderr).
Result<LoopResult> RunLoop(const std::string& data_dir, const LoopOptions& opt,
                           const std::function<void(const std::string&)>& progress = {});

// Predictions as a Ground Truth manifest (human-annotated "no", objects[].confidence).
Manifest PredictionManifest(const LabelSet& set, const std::vector<std::vector<Box>>& predictions,
                            const std::string& job_name);

}  // namespace fk::labels
