#include "labels/review.h"

#include <algorithm>

namespace fk::labels {

void ReviewStats::Add(const ReviewStats& o) {
  proposed += o.proposed;
  accepted_unchanged += o.accepted_unchanged;
  adjusted += o.adjusted;
  deleted += o.deleted;
  added += o.added;
  seconds += o.seconds;
}

double ReviewStats::EffortSeconds(const EffortModel& m) const {
  return accepted_unchanged * m.accept_s + adjusted * m.adjust_s + deleted * m.delete_s + added * m.draw_s;
}
double ReviewStats::FromScratchSeconds(const EffortModel& m) const {
  return (accepted_unchanged + adjusted + added) * m.draw_s;
}
double ReviewStats::EffortSaved(const EffortModel& m) const {
  const double scratch = FromScratchSeconds(m);
  return scratch > 0 ? 1.0 - EffortSeconds(m) / scratch : 0.0;
}

static bool SameBox(const Box& a, const Box& b) {
  return a.class_id == b.class_id && a.left == b.left && a.top == b.top && a.width == b.width && a.height == b.height;
}

ReviewItem MakeReviewItem(std::string source_ref, int width, int height, std::vector<Box> proposals, float threshold) {
  ReviewItem it;
  it.source_ref = std::move(source_ref);
  it.width = width;
  it.height = height;
  it.all_proposals = std::move(proposals);
  it.SetThreshold(threshold);
  return it;
}

std::vector<QueueSlot> PlanRetrainQueue(const std::vector<ReviewItem>& old, const std::vector<bool>& old_imported,
                                        const std::vector<std::string>& fresh_refs) {
  std::vector<QueueSlot> plan;
  std::vector<bool> placed(old.size(), false);
  auto imported = [&](size_t i) { return i < old_imported.size() && old_imported[i]; };
  for (size_t f = 0; f < fresh_refs.size(); f++) {
    QueueSlot slot;
    slot.fresh_index = int(f);
    for (size_t i = 0; i < old.size(); i++) {
      if (placed[i] || imported(i) || old[i].source_ref != fresh_refs[f]) continue;
      placed[i] = true;  // this image's old item: superseded unless touched
      if (old[i].Touched()) slot = {int(i), -1, false, -1};
      else slot.replaces = int(i);
      break;
    }
    plan.push_back(slot);
  }
  for (size_t i = 0; i < old.size(); i++) {
    if (placed[i]) continue;
    if (imported(i)) plan.push_back({int(i), -1, !old[i].Touched(), -1});
    else if (old[i].Touched()) plan.push_back({int(i), -1, false, -1});
  }
  return plan;
}

void ReviewItem::SetThreshold(float threshold) {
  if (reviewed || !undo.empty()) return;
  proposed.clear();
  boxes.clear();
  min_confidence = 1.f;
  for (const Box& b : all_proposals) {
    if (b.confidence < threshold) continue;
    boxes.push_back({b, int(proposed.size())});
    proposed.push_back(b);
    min_confidence = std::min(min_confidence, b.confidence);
  }
}

void ReviewItem::Edit() {
  undo.push_back(boxes);
  if (undo.size() > 200) undo.erase(undo.begin());
  redo.clear();
}

bool ReviewItem::Undo() {
  if (undo.empty()) return false;
  redo.push_back(boxes);
  boxes = undo.back();
  undo.pop_back();
  return true;
}

bool ReviewItem::Redo() {
  if (redo.empty()) return false;
  undo.push_back(boxes);
  boxes = redo.back();
  redo.pop_back();
  return true;
}

ReviewStats ReviewItem::Stats() const {
  ReviewStats s;
  s.proposed = int(proposed.size());
  s.seconds = seconds;
  std::vector<bool> kept(proposed.size(), false);
  for (const ReviewBox& rb : boxes) {
    if (rb.origin < 0 || size_t(rb.origin) >= proposed.size()) {
      s.added++;
      continue;
    }
    kept[size_t(rb.origin)] = true;
    (SameBox(rb.box, proposed[size_t(rb.origin)]) ? s.accepted_unchanged : s.adjusted)++;
  }
  for (bool k : kept) s.deleted += !k;
  return s;
}

std::vector<Box> ReviewItem::FinalBoxes() const {
  std::vector<Box> out;
  for (const ReviewBox& rb : boxes) {
    Box b = rb.box;
    if (rb.origin < 0) {
      b.confidence = 1.f;
      b.adjusted = false;
    } else if (!SameBox(b, proposed[size_t(rb.origin)])) {
      b.adjusted = true;
      b.confidence = 1.f;  // a person confirmed the corrected box
    }
    out.push_back(b);
  }
  return out;
}

void SimulateReviewer(const std::vector<Box>& truth, ReviewItem* item, const ReviewerOptions& opt) {
  item->Edit();
  std::vector<ReviewBox> cur = item->boxes;
  // Greedy one-to-one matching by IoU (class-agnostic: a wrong class is fixed, not redrawn).
  struct Pair {
    float iou;
    size_t p, t;
  };
  std::vector<Pair> pairs;
  for (size_t p = 0; p < cur.size(); p++)
    for (size_t t = 0; t < truth.size(); t++) {
      const float v = IoU(cur[p].box, truth[t]);
      if (v >= opt.match_iou) pairs.push_back({v, p, t});
    }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) { return a.iou > b.iou; });
  std::vector<int> match(cur.size(), -1);
  std::vector<bool> used(truth.size(), false);
  for (const Pair& pr : pairs) {
    if (match[pr.p] >= 0 || used[pr.t]) continue;
    match[pr.p] = int(pr.t);
    used[pr.t] = true;
  }
  std::vector<ReviewBox> out;
  for (size_t p = 0; p < cur.size(); p++) {
    if (match[p] < 0) continue;  // false positive: deleted
    const Box& t = truth[size_t(match[p])];
    ReviewBox rb = cur[p];
    if (rb.box.class_id != t.class_id || IoU(rb.box, t) < opt.accept_iou) {
      const float conf = rb.box.confidence;
      rb.box = t;
      rb.box.confidence = conf;
    }
    out.push_back(rb);
  }
  for (size_t t = 0; t < truth.size(); t++)
    if (!used[t]) out.push_back({truth[t], -1});
  item->boxes = std::move(out);
  item->reviewed = true;
}

}  // namespace fk::labels
