#include "labels/box.h"

#include <algorithm>

namespace fk::labels {

float IoU(const Box& a, const Box& b) {
  const float ix = std::min(a.right(), b.right()) - std::max(a.left, b.left);
  const float iy = std::min(a.bottom(), b.bottom()) - std::max(a.top, b.top);
  if (ix <= 0 || iy <= 0) return 0.f;
  const float inter = ix * iy;
  const float uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.f;
}

std::vector<Box> Nms(std::vector<Box> boxes, float iou_threshold, bool per_class) {
  std::stable_sort(boxes.begin(), boxes.end(), [](const Box& a, const Box& b) { return a.confidence > b.confidence; });
  std::vector<Box> kept;
  std::vector<bool> gone(boxes.size(), false);
  for (size_t i = 0; i < boxes.size(); i++) {
    if (gone[i]) continue;
    // Weighted mean over the cluster of same-class boxes that overlap strongly.
    float wsum = 0, l = 0, t = 0, r = 0, btm = 0;
    for (size_t j = i; j < boxes.size(); j++) {
      if (gone[j] || (per_class && boxes[j].class_id != boxes[i].class_id)) continue;
      const float iou = j == i ? 1.f : IoU(boxes[i], boxes[j]);
      // A box mostly inside the kept one (a part of the same logo) goes too.
      const float inter = iou > 0 ? iou * (boxes[i].area() + boxes[j].area()) / (1 + iou) : 0.f;
      const float in_min = inter / std::max(1e-6f, std::min(boxes[i].area(), boxes[j].area()));
      if (iou <= iou_threshold && in_min < 0.7f) continue;
      gone[j] = true;
      if (boxes[j].class_id == boxes[i].class_id && iou >= 0.5f) {
        const float w = boxes[j].confidence;
        wsum += w;
        l += w * boxes[j].left;
        t += w * boxes[j].top;
        r += w * boxes[j].right();
        btm += w * boxes[j].bottom();
      }
    }
    Box k = boxes[i];
    if (wsum > 0) {
      k.left = l / wsum;
      k.top = t / wsum;
      k.width = r / wsum - k.left;
      k.height = btm / wsum - k.top;
    }
    kept.push_back(k);
  }
  // The cluster averages move boxes: two kept boxes can end up on the same
  // object (each cluster pulled toward it). Keep only the more confident.
  std::vector<Box> out;
  for (const Box& k : kept) {
    bool dup = false;
    for (const Box& o : out) {
      if (per_class && o.class_id != k.class_id) continue;
      const float iou = IoU(k, o);
      const float inter = iou > 0 ? iou * (k.area() + o.area()) / (1 + iou) : 0.f;
      if (iou > iou_threshold || inter / std::max(1e-6f, std::min(k.area(), o.area())) >= 0.7f) {
        dup = true;
        break;
      }
    }
    if (!dup) out.push_back(k);
  }
  return out;
}

bool ClipBox(Box* b, int width, int height) {
  const float l = std::max(0.f, b->left), t = std::max(0.f, b->top);
  const float r = std::min(float(width), b->right()), btm = std::min(float(height), b->bottom());
  if (r - l < 1.f || btm - t < 1.f) return false;
  b->left = l;
  b->top = t;
  b->width = r - l;
  b->height = btm - t;
  return true;
}

}  // namespace fk::labels
