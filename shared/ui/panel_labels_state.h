// State of the Label Review panel: the review queue (one ReviewItem per
// pre-labelled or imported image, labels::ReviewQueue), the editor's view and
// drag state, and the labels::Loop that loads the splits, trains v1 and v2,
// pre-labels and scores. Owned by AppState; no statics.
#pragma once
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "labels/loop.h"
#include "labels/review.h"

namespace fk::ui {

// The queue (items, images, truth, has_truth) is the base: the loop
// pre-labels into it and trains v2 on its reviewed items; the editor edits it.
struct LabelsPanelState : labels::ReviewQueue {
  std::string data_dir;  // default: <platform.data_dir>/logos
  // The user's own data: a Ground Truth manifest they dropped.
  std::string v1_manifest;       // "Use as the v1 training set": replaces data_dir's splits (test = every 5th)
  std::string pending_manifest;  // dropped, waiting for the choice: v1 set or batch to review
  int pending_images = 0, pending_labeled = 0;
  std::vector<labels::LabelSet> batches;
  int last_batch_by = 0;  // the model version that pre-labelled the latest batch
  std::set<std::string> manifest_names;  // file names dropped manifests list: such pictures come in through them  // "Review as the next batch": pre-labelled once a model is idle
  std::unique_ptr<labels::Loop> loop;  // the workflow (shared/labels/loop.h); null before the first run
  // What the loop shows, read after each of its slices: its models, and a
  // retrain's rebuild of the queue (slots, slots done).
  const labels::Detector* det_v1 = nullptr;
  const labels::Detector* det_v2 = nullptr;
  std::vector<labels::QueueSlot> plan;
  size_t job_i = 0;
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
  std::string message;     // last action, shown under the toolbar
};

}  // namespace fk::ui
