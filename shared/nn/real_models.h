// Real models side by side on a picture: the Sparse panel's "Real models"
// section, `?run=sparse-real` and `fieldkit-cli sparse detect` drive this one
// sliced job. Per model: import, lower (own kernels, per-layer sparse choice
// measured), check against TFLite's reference outputs when the fixture is
// bundled, run on the picture and decode (faces: MediaPipe's anchors + weighted
// NMS; hands: 21 landmarks); then the latency bench, one inference per Step,
// models (and XNNPACK dense, where it is built in) interleaved run by run.
//
//   fk::nn::RealModelsOptions o;  o.models = {"mediapipe:face_full_sparse", "mediapipe:face_full"};
//   fk::nn::RealModelsSession s(o);       // o.image empty = the bundled astronaut.png
//   while (!s.Step()) ShowProgress(s.Progress(), s.Detail());
//   nlohmann::json j = s.Json();          // {"models":[{name, bytes, ops, sparse_layers, median_ms, ...}], "image"}
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/image.h"
#include "core/status.h"
#include "nn/mediapipe.h"
#include "nn/model_zoo.h"
#include "nn/net.h"

namespace fk::nn {

struct RealModelsOptions {
  std::vector<std::string> models;  // bundled names or .tflite paths
  std::string image;                // a PNG/JPEG path; empty = the bundled picture
  const Image* frame = nullptr;     // or a picture in memory (a webcam frame); wins over `image`
  int runs = 20, warmup = 3;        // latency bench; runs 0 = none (detect only)
  bool xnnpack = true;              // also time XNNPACK dense on each model (where it is built in)
  bool own_dense = true;            // also time the own kernels with every 1x1 layer dense
};

struct RealModelResult {
  std::string name, file;
  std::optional<ModelTask> task;     // none: outputs only (an unknown model)
  size_t bytes = 0, ops = 0;         // file size; operators in the file (folded ones included)
  int sparse_layers = 0;             // 1x1 layers on spmm (own kernels, measured choice)
  int pointwise_layers = 0;
  int stored_sparse = 0;             // tensors the file stores sparse
  std::string kernel;                // what the own kernels ran
  double median_ms = 0, p10_ms = 0, p90_ms = 0;      // own kernels
  double dense_median_ms = -1, dense_p10_ms = -1;      // own kernels, every 1x1 dense; -1 = not timed
  double xnnpack_median_ms = -1, xnnpack_p10_ms = -1;  // natively; -1 = not timed
  std::string xnnpack_note;          // why XNNPACK did not run, if it did not
  std::optional<double> max_rel_err_vs_reference;    // none: no fixture for this model
  double image_ms = 0;               // the inference on the picture (first run)
  mediapipe::Letterbox lb;
  std::vector<mediapipe::Detection> faces;  // model-normalized, best first
  std::optional<mediapipe::Hand> hand;
};

// Which post-processing a model gets: its bundled task, else guessed from the
// output shapes (a [1,N,16] + [1,N,1] pair with N = 896 or 2304 is a face detector).
std::optional<ModelTask> TaskFor(const std::string& name_or_path, const Net& net);

class RealModelsSession {
 public:
  explicit RealModelsSession(RealModelsOptions o);
  ~RealModelsSession();
  bool Step();  // true when finished or failed
  float Progress() const;
  std::string Detail() const;
  const Status& status() const;
  const std::vector<RealModelResult>& Results() const;
  const Image& Picture() const;          // the picture the models ran on
  const std::string& PictureName() const;
  nlohmann::json Json() const;           // status().sparse_real
  // Detections of result i in original-picture pixels: [{score, box:[x,y,w,h], keypoints}]
  // (a hand: one entry, the landmarks' bounding box, when present).
  nlohmann::json DetectionsJson(size_t i) const;
  // After Step() finished: the loaded models on one more picture (a camera
  // frame): letterbox, run, decode into Results() (faces, hand, image_ms) and
  // Picture(). Both models see the same frame. Not sliced: one inference each.
  Status RunFrame(const Image& frame);
  // RunFrame a model at a time, for a view that runs one inference per UI frame (a camera frame
  // through a dense and a sparse face model is ~25 ms in the page: both in one UI frame, plus
  // a job's slice, made frames of 100 ms): BeginFrame takes the frame, each StepFrame runs the
  // next model and returns true when all have run. Results() of models not yet run this frame
  // still hold the previous frame's.
  Status BeginFrame(const Image& frame);
  Result<bool> StepFrame();
  bool FrameInProgress() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fk::nn
