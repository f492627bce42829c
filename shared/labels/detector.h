// A small trainable object detector for the label-review loop: HOG-style
// gradient features (cells of 4 px, 9 orientations, 4-way block normalisation
// plus 4 energy terms, as Felzenszwalb's FHOG) over an image pyramid, one
// linear logistic classifier per class with a window shaped like that class's
// boxes, trained with hard-negative mining, a ridge box regression per class
// (windows have one shape; rotated logos' boxes do not), then NMS. Trains on a handful of
// images in well under a second and scans a 160x120 image in a few ms; the
// choice is explained and measured in docs/BENCHMARKS.md ("Label review").
//
//   Detector d;
//   Status st = d.Train(images, truth, /*num_classes=*/2);
//   std::vector<Box> boxes = d.Detect(image);   // confidences in 0..1, NMS done
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/image.h"
#include "core/params.h"
#include "core/status.h"
#include "labels/box.h"

namespace fk::labels {

struct DetectorOptions {
  int cell = 4;                  // px per HOG cell
  int window_cells = 56;         // object area in cells (window shape follows the class's box aspect)
  float min_object = 18;         // px, smallest object side searched
  float max_object = 90;         // px, largest
  float scale_step = 1.16f;      // between pyramid levels
  float min_confidence = 0.05f;  // boxes below are not returned at all
  float nms_iou = 0.3f;
  int mining_rounds = 3;          // chosen on out-of-fold F1 (v1 0.70 -> 0.79, v2 0.927 -> 0.938), not on test
  int mining_cap = 1500;         // hard negatives added per round (the most confident first)
  int epochs = 30;
  float l2 = 3e-3f;
  uint64_t seed = 1;
  // The operating threshold is chosen on the training images by k-fold
  // cross-validation (out-of-fold predictions, the F1-maximising confidence),
  // never on the data the model is evaluated on. 0 or 1 = no calibration:
  // the threshold stays at default_threshold.
  int calibration_folds = 3;
  float default_threshold = 0.5f;
  // Also map each class's scores through a logistic fit (Platt scaling) on
  // the out-of-fold detections, so one confidence means the same for every
  // class: P(this box is a true logo).
  bool calibrate_scores = true;
  // Box regression (as DPM's bounding-box prediction and R-CNN's): per class a
  // ridge regression from the window's features to the true box's centre
  // offset and log size, fitted on windows near true boxes. A fixed-shape
  // window cannot follow a rotated logo's box; a reviewer accepts a box only
  // when it is close (IoU >= 0.7), so this is what turns "adjust" into "accept".
  bool box_regression = true;
  float box_ridge = 1.f;   // ridge strength relative to the mean squared feature norm
  int box_samples = 300;   // windows per class the regression fits on (a random subset when more)
  // Detection reports a class only at the sizes its training boxes span (the
  // longer side), widened by this factor both ways; 0 = every pyramid size.
  // Training still mines the whole pyramid (restricting that hurt, measured).
  // Chosen on out-of-fold boxes within IoU 0.7 over 8 generator seeds that are
  // not the bundled set (1.2: 83 %, 1.4: 87 %, 1.7: 86 %, off: 84 %).
  float size_margin = 1.4f;
  // Also search and report the training boxes' sizes relative to the image
  // (its longer side, same margin): a detector trained on 160x120 pictures
  // then finds the same logos shown 4x larger in a 640x480 photo (measured in
  // tests/labels/own_data_test.cpp). false: absolute sizes only (as before).
  // Used at detection only.
  bool scale_with_image = true;
};

// The options a user may set (--param key=value in labels loop), one row each (core/params.h).
const std::vector<ParamInfo<DetectorOptions>>& DetectorOptionTable();

// HOG feature map of a grey image: cw x ch cells, kFeat floats per cell.
struct FeatureMap {
  int cw = 0, ch = 0;
  std::vector<float> f;
};
// Per cell: 9 orientation bins + 4 block energies (contrast-normalised, as FHOG)
// + mean and max gradient magnitude (NOT normalised: logos have strong edges,
// textured backgrounds weak ones, which normalisation alone hides).
// grad_scale undoes the pyramid's resampling (edges of an upsampled image are softer).
constexpr int kFeat = 15;
FeatureMap ComputeFeatures(const std::vector<float>& gray, int width, int height, int cell, float grad_scale = 1.f);

class DetectorTrainer;

class Detector {
 public:
  explicit Detector(DetectorOptions o = {}) : opt_(o) {}
  // images[i] with truth[i]. Fails on no boxes at all or mismatched sizes.
  Status Train(const std::vector<const Image*>& images, const std::vector<std::vector<Box>>& truth, int num_classes);
  std::vector<Box> Detect(const Image& img) const;
  // The same in steps, one pyramid level per call (a few ms each): true when
  // done, the boxes then in st->boxes. A fresh DetectState per image.
  struct DetectState {
    std::vector<float> scales, gray;
    size_t next = 0;
    std::vector<Box> raw, boxes;
  };
  bool DetectStep(const Image& img, DetectState* st) const;
  bool trained() const { return !models_.empty(); }
  // scale_with_image is a detection-time choice (the training is the same): switchable on a trained model.
  void SetScaleWithImage(bool on) { opt_.scale_with_image = on; }
  int num_classes() const { return int(models_.size()); }
  std::string Describe() const;  // "smile 14x7 cells, 122 pos / 3190 neg; ..."
  // The confidence at which this model's boxes count (proposals shown,
  // metrics taken): from cross-validation on its own training images.
  float threshold() const { return threshold_; }
  const std::string& calibration() const { return calibration_; }  // "3-fold CV on 38 images: F1 0.87 at 0.64"

 private:
  friend class DetectorTrainer;
  struct ClassModel {
    int wc = 0, hc = 0;  // window in cells including a one-cell context margin
    std::vector<float> w;
    float b = 0;
    int positives = 0, negatives = 0;
    float cal_a = 1, cal_b = 0;  // confidence = sigmoid(cal_a * raw score + cal_b)
    float min_side = 0, max_side = 1e9f;  // longer box side detection reports, px
    // The same relative to the image's longer side: a photo bigger than the
    // training images shows its logos bigger too (a 640x480 photo vs 160x120
    // training images), and those sizes are searched and reported as well. 0 = none.
    float min_rel = 0, max_rel = 0;
    float train_side = 0;  // the training pictures' longer side when all share it (there: min/max_side), else -1
    std::vector<float> reg;      // box regression: 4 weight vectors laid out as w (empty = none)
    float reg_b[4] = {0, 0, 0, 0};
  };
  struct Level {
    float f;  // pixels of this level per original pixel
    FeatureMap map;
    float image_side = 0;  // the original image's longer side, px
  };
  // Whether class model m reports boxes of this longer side in an image of this longer side.
  bool SideAllowed(const ClassModel& m, float side, float image_side) const;
  std::vector<Level> Pyramid(const Image& img) const;
  std::vector<float> LevelScales(const Image& img) const;  // pixels per original pixel, largest first
  // Detection's levels: LevelScales extended to the sizes SideAllowed takes
  // relative to this image, without the levels where no class reports anything.
  std::vector<float> DetectScales(const Image& img) const;
  Level BuildLevel(const std::vector<float>& gray, int width, int height, float f) const;
  // Raw scores of all windows of class c at one level above `min_score`; with
  // `regress` the boxes are moved by the class's box regression (if it has one).
  void Scan(const ClassModel& m, int c, const Level& lv, float min_score, std::vector<Box>* out,
            bool regress = false) const;
  Box WindowBox(const ClassModel& m, const Level& lv, int x, int y) const;
  DetectorOptions opt_;
  std::vector<ClassModel> models_;
  float threshold_ = 0.5f;
  std::string calibration_;
};

// Training in slices (the page is single-threaded: a frame must not wait for a
// whole training run). Each Step() does one bounded piece: one image's
// pyramid, one epoch, one image's mining scan, then the calibration folds'
// training and detection in the same kind of steps. Detector::Train runs it to the end.
//   DetectorTrainer t(&det, images, truth, 2);
//   while (!t.Done()) { Status s = t.Step(); if (!s) break; }   // progress: t.Progress()
class DetectorTrainer {
 public:
  // images/truth must outlive the trainer.
  DetectorTrainer(Detector* d, std::vector<const Image*> images, std::vector<std::vector<Box>> truth, int num_classes);
  ~DetectorTrainer();
  Status Step();
  bool Done() const;
  float Progress() const;
  std::string Stage() const;  // "features 3/8", "class 1 epoch 12/30", ...

 private:
  static bool FitScoreCalibration(const std::vector<std::vector<Box>>& truth, std::vector<std::vector<Box>>* oof,
                                  std::vector<Detector::ClassModel>* models);
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace fk::labels
