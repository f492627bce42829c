// State of the Edge Checkout panel: the choices (source, seed, shoppers,
// detector), the checkout::Checkout the job steps (the same object
// `fieldkit-cli checkout run` runs), the camera's frame queue, the live
// frame's texture, and the person's verdicts on the review queue.
// Owned by AppState; no statics.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "checkout/pipeline.h"

namespace fk::ui {

struct CheckoutPanelState {
  enum Source { kSimulated = 0, kCamera = 1, kFolder = 2 };
  enum DetectorChoice { kStorePhotos = 0, kLogos = 1, kLabelReview = 2 };
  // Choices.
  int source = kSimulated;
  int seed = 101;     // the simulated stream (the benchmark reports 101-110; 1-5 tuned the settings)
  int sessions = 3;   // shoppers in it
  int detector = kStorePhotos;
  int photo_seeds = 5;  // the store's product photos of seeds 1..N (the CLI's --photos 1-N; default 1-5 as there)
  float review_below = 0.5f;  // events under this confidence go to the review queue (the CLI's --review-below)
  // The hand source: the cue only, a bundled hand-landmark model, or the user's .tflite (the one dropped
  // on / opened in Sparse Inference: app.sparse.own_model). The loaded model is kept for the next run.
  enum HandChoice { kHandCue = 0, kHandLite = 1, kHandFull = 2, kHandOwn = 3 };
  int hand = kHandCue;
  std::shared_ptr<checkout::HandModel> hand_model;
  std::string hand_key;  // what hand_model was made from
  char frames_dir[512] = "";  // native: a folder as `checkout simulate --out DIR` writes it
  // The run.
  std::unique_ptr<checkout::Checkout> run;
  std::shared_ptr<checkout::LiveFrames> camera;  // the camera's frames, while a camera run goes
  std::string state;       // "" (never ran), "running", "done", "cancelled", "error"
  std::string error;
  std::string source_name;  // what the run reads: "seed 101, 3 shoppers", a folder, "camera"
  // A trained detector kept for the next run with the same detector choice (training is most of a short run).
  std::shared_ptr<const labels::Detector> trained;
  std::string trained_key;
  // Throughput: wall time from the first streamed frame (the page's frames and drawing included).
  double stream_start_ms = 0, stream_last_ms = 0;
  int stream_frames = 0;
  int width = 0, height = 0;  // the frames' size
  // The live view's texture: replaced in the draw when a newer frame is there (before the frame names it).
  uint64_t texture = 0;
  int texture_frame = -1;
  uint64_t texture_stream = 0;
  // The live carts (recomputed when the number of events changes).
  std::vector<checkout::Cart> live_carts;
  size_t live_events = size_t(-1);
  // Review: verdicts per data().review entry, and the carts rebuilt from them.
  std::vector<checkout::Verdict> verdicts;
  checkout::ReviewedRun reviewed;
};

}  // namespace fk::ui
