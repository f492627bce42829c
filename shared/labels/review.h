// Reviewing proposals: one ReviewItem per image holds the detector's proposals
// and the boxes as the reviewer leaves them; the effort statistics (accepted
// unchanged / adjusted / deleted / added) follow from comparing the two, so the
// panel's editor and the simulated reviewer count the same way. Undo/redo are
// snapshots of the box list.
//
//   ReviewItem it = MakeReviewItem("v2/0003.png", w, h, proposals, /*threshold=*/0.5f);
//   SimulateReviewer(truth, &it, {});          // or edit it.boxes through Edit()/Undo()
//   ReviewStats s = it.Stats();                // s.accepted_unchanged, s.EffortSaved()
#pragma once
#include <string>
#include <vector>

#include "labels/box.h"

namespace fk::labels {

// Seconds a person spends per box: the assumptions behind "effort saved"
// (drawing a tight box from scratch vs. glancing at a good one).
struct EffortModel {
  double draw_s = 7.0;    // draw a new box and pick its class
  double adjust_s = 3.5;  // drag/resize or reclassify a proposal
  double delete_s = 1.0;  // delete a false positive
  double accept_s = 0.5;  // look at a correct proposal and accept it
};

struct ReviewStats {
  int proposed = 0, accepted_unchanged = 0, adjusted = 0, deleted = 0, added = 0;
  double seconds = 0;  // measured time spent (the panel) or 0
  void Add(const ReviewStats& o);
  double EffortSeconds(const EffortModel& m = {}) const;
  double FromScratchSeconds(const EffortModel& m = {}) const;  // drawing every final box
  double EffortSaved(const EffortModel& m = {}) const;          // 1 - effort / from scratch
  double AcceptedShare() const { return proposed ? double(accepted_unchanged) / proposed : 0; }
};

struct ReviewBox {
  Box box;
  int origin = -1;  // index into ReviewItem::proposed, -1 = drawn by the reviewer
};

struct ReviewItem {
  std::string source_ref;
  int width = 0, height = 0;
  std::vector<Box> all_proposals;  // everything the detector returned
  std::vector<Box> proposed;       // those at/above the threshold: what the reviewer was shown
  std::vector<ReviewBox> boxes;    // the current state
  bool reviewed = false;           // accepted/finished by the reviewer
  bool needs_fix = false;          // a verification manifest said "needs-fix" (ApplyVerification)
  double seconds = 0;              // time spent on this image
  float min_confidence = 1.f;      // lowest proposal confidence (queue order)
  std::vector<std::vector<ReviewBox>> undo, redo;

  // The reviewer's work is in it (reviewed, or a box edited): proposals must not replace it.
  bool Touched() const { return reviewed || !undo.empty(); }
  // Re-filters proposals at a new threshold; only while untouched.
  void SetThreshold(float threshold);
  void Edit();  // call before changing `boxes`: records an undo snapshot
  bool Undo();
  bool Redo();
  ReviewStats Stats() const;
  std::vector<Box> FinalBoxes() const;  // adjusted boxes marked, confidences kept for accepted ones
};

ReviewItem MakeReviewItem(std::string source_ref, int width, int height, std::vector<Box> proposals, float threshold);

// The queue after a retrain (Train v1 again): the new model proposes boxes
// again, but never over the reviewer's work. One slot per item of the new
// queue, in order: the data set's images first (`fresh_refs`, as pre-labelled),
// then everything else of the old queue. A touched old item (Touched()) is
// kept as it is, boxes, review and undo history; an untouched data-set item
// takes the new proposals; every image the user imported stays, untouched
// ones with the new model's proposals. Only untouched data-set items the data
// set no longer lists are dropped.
struct QueueSlot {
  int old_index = -1;      // keep this item of the old queue (its image too) ...
  int fresh_index = -1;    // ... or pre-label this image of the data set
  bool repropose = false;  // with old_index: an untouched import; run the new model on its image
  int replaces = -1;       // with fresh_index: the untouched old item of that image (back if the retrain stops)
};
std::vector<QueueSlot> PlanRetrainQueue(const std::vector<ReviewItem>& old, const std::vector<bool>& old_imported,
                                        const std::vector<std::string>& fresh_refs);

struct ReviewerOptions {
  float accept_iou = 0.7f;  // a proposal this close to the truth, right class, is accepted as is
  float match_iou = 0.2f;   // below this a proposal is a false positive (deleted)
};
// Fixes the item against the truth as a careful person would: keep good
// proposals, move/reclassify near ones onto the true box, delete the rest,
// draw what was missed. Marks the item reviewed.
void SimulateReviewer(const std::vector<Box>& truth, ReviewItem* item, const ReviewerOptions& opt);

}  // namespace fk::labels
