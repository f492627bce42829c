// The Edge Checkout's hand model: MediaPipe's hand-landmark model (or a user's
// .tflite with the same input and outputs) run on a square crop around the
// hand cue's point, read as presence + 21 landmarks in frame pixels. MediaPipe
// finds the crop with its palm detector, which Fieldkit does not have: the
// hand cue (pipeline.cpp: the top of the arm) stands in for it.
//
// Built in steps (import, then one operator lowered per Step through
// nn::NetExecutorBuilder) so a page's job never holds its thread for the whole
// kernel choice.
//
//   HandModel h("mediapipe:hand_lite");          // a bundled name or a .tflite path
//   while (!h.Step()) {}
//   if (!h.status()) error(h.status().message());
//   Result<HandReading> r = h.Run(frame, cue_x, cue_y + 17, 80);
#pragma once
#include <array>
#include <memory>
#include <string>

#include "core/image.h"
#include "core/status.h"

namespace fk::checkout {

struct HandReading {
  float presence = 0;    // the model's hand presence, 0..1
  bool present = false;  // presence over the threshold
  std::array<std::array<float, 2>, 21> points{};  // landmarks (MediaPipe's order, wrist 0), frame px
  float x = 0, y = 0;    // where the hand acts: the index/middle/ring fingertips' mean x, the highest fingertip's y
  int crop_x = 0, crop_y = 0, crop_side = 0;  // the square the model saw (may reach past the frame: edges repeated)
  double ms = 0;         // crop + model + decoding
};

class HandModel {
 public:
  // `name_or_path`: "mediapipe:hand_lite", "mediapipe:hand_full" (resolved under the bundle roots) or a file.
  explicit HandModel(std::string name_or_path, float presence_threshold = 0.5f);
  ~HandModel();
  HandModel(const HandModel&) = delete;
  HandModel& operator=(const HandModel&) = delete;

  bool Step();                  // one unit of building; true when ready or failed
  bool ready() const;
  const Status& status() const;  // a file that is missing, not a model, or not a hand-landmark model: says which
  float Progress() const;
  const std::string& name() const { return name_; }
  std::string Describe() const;  // "hand_landmark_lite.tflite, 224x224 input, own avx2: ..."

  // The model on the square of side `side` px centred on (cx, cy) of `frame` (after ready()).
  Result<HandReading> Run(const Image& frame, float cx, float cy, float side);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string name_;
};

}  // namespace fk::checkout
