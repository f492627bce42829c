// Detection metrics as Rekognition Custom Labels reports them: precision,
// recall and F1 at IoU >= 0.5, per class and overall (pooled over classes),
// at a confidence threshold; plus the "assumed threshold", the confidence
// threshold that maximises overall F1 on the evaluated set.
//
//   Evaluation e = Evaluate(truth, predictions, /*threshold=*/0.5f);
//   printf("%.3f (assumed threshold %.2f -> %.3f)", e.overall.f1, e.assumed_threshold, e.assumed.f1);
#pragma once
#include <vector>

#include "labels/box.h"

namespace fk::labels {

struct Prf {
  int tp = 0, fp = 0, fn = 0;
  double precision = 0, recall = 0, f1 = 0;
  void Finish();  // computes the ratios from the counts (0 where undefined)
};

struct Evaluation {
  Prf overall;                  // at `threshold`
  std::vector<Prf> per_class;   // index = class id, at `threshold`
  float threshold = 0.5f;
  float assumed_threshold = 0;  // maximises overall F1
  Prf assumed;                  // overall at assumed_threshold
};

// truth[i] and predicted[i] are the boxes of image i. A prediction is a true
// positive when it is the highest-confidence unmatched prediction of the same
// class with IoU >= iou to a true box (greedy, as COCO/PASCAL match).
Evaluation Evaluate(const std::vector<std::vector<Box>>& truth, const std::vector<std::vector<Box>>& predicted,
                    float threshold, int num_classes, float iou = 0.5f);

// Every prediction with its match outcome (the same greedy matching), image by
// image in descending confidence: what score calibration fits on.
struct ScoredBox {
  float confidence;
  int class_id;
  bool tp;
};
std::vector<ScoredBox> MatchPredictions(const std::vector<std::vector<Box>>& truth,
                                        const std::vector<std::vector<Box>>& predicted, float iou = 0.5f);

}  // namespace fk::labels
