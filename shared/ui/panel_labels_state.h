// State of the Label Review panel: the loaded splits, the v1/v2 detectors, the
// review queue (one ReviewItem per pre-labelled image), the editor's view and
// drag state, and the v1-vs-v2 evaluation. Owned by AppState; no statics.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "labels/detector.h"
#include "labels/loop.h"
#include "labels/metrics.h"
#include "labels/review.h"

namespace fk::ui {

struct LabelsPanelState {
  std::string data_dir;  // default: <platform.data_dir>/logos
  std::optional<labels::LabelSet> v1, v2, test;
  std::unique_ptr<labels::Detector> det_v1, det_v2;
  // The queue: v2 images (with their truth, for the simulated reviewer) and imports.
  std::vector<labels::ReviewItem> items;
  std::vector<labels::Image> images;            // parallel to items
  std::vector<std::vector<labels::Box>> truth;  // parallel; empty + has_truth=false for imports
  std::vector<bool> has_truth;
  std::vector<int> order;  // the queue as shown (lowest confidence first or in order)
  bool lowest_first = true;
  int batch_size = 10;     // images per review job
  int pos = 0;             // index into order
  int test_limit = 0;      // score on the first N test images only (0 = all; ?run=...&test=N)
  float threshold = 0.5f;  // proposals below are hidden; set to v1's calibrated threshold once trained
  float threshold_override = -1.f;  // ?run=labels-demo&threshold=T: used instead of each model's own
  // Editor.
  int selected = -1;       // box index in the current item
  int draw_class = 0;
  float zoom = 1.f, pan_x = 0, pan_y = 0;
  int drag = 0;            // 0 none, 1 move, 2 resize, 3 draw, 4 pan
  float drag_x = 0, drag_y = 0;  // image coords at the press
  labels::Box drag_orig;
  bool drag_changed = false;
  double last_input_s = -1e9;  // ImGui::GetTime() of the last mouse/key input (review time counts only near it)
  uint64_t texture = 0;
  int texture_item = -1;
  // Results.
  std::optional<labels::Evaluation> eval_v1, eval_v2;
  double train_ms_v1 = 0, prelabel_ms = 0, eval_ms_v1 = 0, train_ms_v2 = 0;
  int prelabeled = 0;
  int trained_v2_on = 0;   // reviewed images v2 was trained on
  std::string message;     // last action, shown under the toolbar
  std::vector<std::string> problems;
  // Sliced jobs keep their progress here.
  std::unique_ptr<labels::DetectorTrainer> trainer;
  size_t job_i = 0;
  double job_t0 = 0, job_ms = 0;
  std::vector<std::vector<labels::Box>> job_pred;
  labels::Detector::DetectState detect;  // the image being scanned, one pyramid level per slice
  // A retrain rebuilds the queue slot by slot (labels::PlanRetrainQueue) from
  // the queue as it was: the reviewer's work and the user's imports are kept.
  std::vector<labels::QueueSlot> plan;
  std::vector<labels::ReviewItem> prev_items;
  std::vector<labels::Image> prev_images;
  std::vector<std::vector<labels::Box>> prev_truth;
  std::vector<bool> prev_has_truth;
};

}  // namespace fk::ui
