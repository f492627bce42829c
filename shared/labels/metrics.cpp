#include "labels/metrics.h"

#include <algorithm>

namespace fk::labels {

void Prf::Finish() {
  precision = tp + fp > 0 ? double(tp) / double(tp + fp) : 0.0;
  recall = tp + fn > 0 ? double(tp) / double(tp + fn) : 0.0;
  f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
}

namespace {

// Every prediction (any confidence) marked TP/FP once; the counts at a
// threshold are then prefix sums over predictions sorted by confidence.
using Scored = ScoredBox;

std::vector<Scored> Match(const std::vector<std::vector<Box>>& truth, const std::vector<std::vector<Box>>& pred,
                          float iou) {
  std::vector<Scored> out;
  for (size_t i = 0; i < truth.size(); i++) {
    std::vector<Box> p = i < pred.size() ? pred[i] : std::vector<Box>{};
    std::stable_sort(p.begin(), p.end(), [](const Box& a, const Box& b) { return a.confidence > b.confidence; });
    std::vector<bool> used(truth[i].size(), false);
    for (const Box& b : p) {
      int best = -1;
      float best_iou = iou;
      for (size_t g = 0; g < truth[i].size(); g++) {
        if (used[g] || truth[i][g].class_id != b.class_id) continue;
        const float v = IoU(b, truth[i][g]);
        if (v >= best_iou) {
          best_iou = v;
          best = int(g);
        }
      }
      if (best >= 0) used[size_t(best)] = true;
      out.push_back({b.confidence, b.class_id, best >= 0});
    }
  }
  return out;
}

}  // namespace

std::vector<ScoredBox> MatchPredictions(const std::vector<std::vector<Box>>& truth,
                                        const std::vector<std::vector<Box>>& predicted, float iou) {
  return Match(truth, predicted, iou);
}

Evaluation Evaluate(const std::vector<std::vector<Box>>& truth, const std::vector<std::vector<Box>>& predicted,
                    float threshold, int num_classes, float iou) {
  Evaluation e;
  e.threshold = threshold;
  e.per_class.assign(size_t(std::max(num_classes, 0)), Prf{});
  std::vector<int> truth_per_class(e.per_class.size(), 0);
  int truth_total = 0;
  for (auto& img : truth)
    for (const Box& b : img) {
      truth_total++;
      if (b.class_id >= 0 && size_t(b.class_id) < truth_per_class.size()) truth_per_class[size_t(b.class_id)]++;
    }
  // Matching is done at threshold 0 over all predictions; a TP at a higher
  // threshold stays the same match because matching is greedy by confidence.
  std::vector<Scored> s = Match(truth, predicted, iou);
  for (const Scored& x : s) {
    if (x.confidence < threshold) continue;
    Prf& o = e.overall;
    (x.tp ? o.tp : o.fp)++;
    if (x.class_id >= 0 && size_t(x.class_id) < e.per_class.size()) (x.tp ? e.per_class[size_t(x.class_id)].tp : e.per_class[size_t(x.class_id)].fp)++;
  }
  e.overall.fn = truth_total - e.overall.tp;
  e.overall.Finish();
  for (size_t c = 0; c < e.per_class.size(); c++) {
    e.per_class[c].fn = truth_per_class[c] - e.per_class[c].tp;
    e.per_class[c].Finish();
  }
  // Assumed threshold: sweep the distinct confidences, high to low.
  std::stable_sort(s.begin(), s.end(), [](const Scored& a, const Scored& b) { return a.confidence > b.confidence; });
  int tp = 0, fp = 0;
  e.assumed.fn = truth_total;
  e.assumed.Finish();
  e.assumed_threshold = s.empty() ? threshold : s.front().confidence;
  for (size_t k = 0; k < s.size(); k++) {
    (s[k].tp ? tp : fp)++;
    if (k + 1 < s.size() && s[k + 1].confidence == s[k].confidence) continue;
    Prf p;
    p.tp = tp;
    p.fp = fp;
    p.fn = truth_total - tp;
    p.Finish();
    if (p.f1 > e.assumed.f1) {
      e.assumed = p;
      e.assumed_threshold = s[k].confidence;
    }
  }
  return e;
}

}  // namespace fk::labels
