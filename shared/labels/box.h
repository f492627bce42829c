// Boxes in image pixels (left, top, width, height, as Ground Truth writes
// them), IoU, and non-maximum suppression.
//
//   fk::labels::Box a{10, 10, 20, 20, 0, 0.9f};
//   float iou = fk::labels::IoU(a, b);
//   std::vector<Box> kept = fk::labels::Nms(proposals, 0.3f);
#pragma once
#include <vector>

namespace fk::labels {

struct Box {
  float left = 0, top = 0, width = 0, height = 0;  // px
  int class_id = 0;
  float confidence = 1.f;  // 0..1; 1 for human-drawn boxes
  bool adjusted = false;   // a reviewer moved/resized/reclassified a proposal
  float right() const { return left + width; }
  float bottom() const { return top + height; }
  float area() const { return width > 0 && height > 0 ? width * height : 0.f; }
};

float IoU(const Box& a, const Box& b);
// Greedy NMS by confidence. Class-agnostic when `per_class` is false (two
// different logos never sit on the same spot in our data, so a weaker box of
// the other class there is a confusion, not a second object).
// Kept boxes are refined by the confidence-weighted mean of the boxes they
// suppress (a cheap, well-known localisation gain over plain NMS).
std::vector<Box> Nms(std::vector<Box> boxes, float iou_threshold, bool per_class = false);
// Clips to [0,w)x[0,h); returns false when nothing is left.
bool ClipBox(Box* b, int width, int height);

}  // namespace fk::labels
