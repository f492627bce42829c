// MediaPipe's pre- and post-processing for its released face-detection and
// hand-landmark models, as pure functions over float arrays (no model, no UI):
// the letterboxed input tensor (ImageToTensorCalculator with keep_aspect_ratio),
// SSD anchors (SsdAnchorsCalculator), box/keypoint decoding with the sigmoid
// score and threshold (TensorsToDetectionsCalculator), weighted non-maximum
// suppression (NonMaxSuppressionCalculator, WEIGHTED + IoU), the letterbox
// removal back to the original picture, and the hand model's four outputs.
// Parameter values are the ones MediaPipe's graphs set (FaceShortRange(),
// FaceFullRange(), HandLandmark(); sources in mediapipe.cpp).
//
//   fk::nn::mediapipe::FaceDetectorConfig cfg = fk::nn::mediapipe::FaceFullRange();
//   std::vector<float> input;
//   fk::Result<fk::Image> img = fk::LoadImage(path);
//   auto lb = PrepareInput(*img, cfg.input_width, cfg.input_height, cfg.input_lo, cfg.input_hi, &input, cfg.border);
//   ... run the model on `input` -> regressors [1,2304,16], classificators [1,2304,1] ...
//   auto faces = DecodeFaces(regressors, classificators, cfg);         // normalized to the model input
//   std::string json = fk::DumpJson(DetectionsJson(*faces, *lb, Coords::kImagePixels));
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/image.h"
#include "core/status.h"

namespace fk::nn::mediapipe {

// A read-only view of a model output (or any float array): a vector converts to it.
struct Floats {
  const float* data = nullptr;
  size_t size = 0;
  Floats() = default;
  Floats(const float* d, size_t n) : data(d), size(n) {}
  Floats(const std::vector<float>& v) : data(v.data()), size(v.size()) {}  // NOLINT: implicit on purpose
};

// ---- SSD anchors (SsdAnchorsCalculatorOptions) ----

struct SsdAnchorOptions {
  int input_width = 0, input_height = 0;  // the model input, pixels
  int num_layers = 0;                     // must equal strides.size()
  float min_scale = 0.f, max_scale = 0.f;
  float anchor_offset_x = 0.5f, anchor_offset_y = 0.5f;  // in units of a feature-map cell
  std::vector<int> strides;               // one per layer; feature map = ceil(input / stride)
  std::vector<float> aspect_ratios;       // anchors per cell per layer
  // One more anchor per cell and layer at sqrt(scale * next scale) with this
  // aspect ratio; 0 adds none (MediaPipe's proto defaults it to 1.0).
  float interpolated_scale_aspect_ratio = 1.0f;
  bool reduce_boxes_in_lowest_layer = false;  // the first layer uses 3 fixed anchors instead
  bool fixed_anchor_size = false;             // every anchor 1 x 1 (the face models' regressors are in pixels)
};

struct Anchor {
  float x_center = 0.f, y_center = 0.f;  // normalized to the model input
  float w = 0.f, h = 0.f;
};

// Consecutive layers with the same stride share one feature map and put their
// anchors cell by cell (row-major), each cell's anchors in layer then ratio
// order: the order the models' outputs use.
Result<std::vector<Anchor>> GenerateAnchors(const SsdAnchorOptions& options);

// ---- Face detection ----

enum class Border { kZero, kReplicate };  // ImageToTensorCalculator's BORDER_ZERO / BORDER_REPLICATE

struct FaceDetectorConfig {
  std::string name;
  // Input tensor (ImageToTensorCalculator): size, value range, border.
  int input_width = 0, input_height = 0;
  float input_lo = -1.f, input_hi = 1.f;
  Border border = Border::kZero;
  SsdAnchorOptions anchors;
  // TensorsToDetectionsCalculatorOptions (num_classes 1).
  int num_boxes = 0;
  int num_coords = 16;
  int box_coord_offset = 0;
  int keypoint_coord_offset = 4;
  int num_keypoints = 6;
  int num_values_per_keypoint = 2;
  bool sigmoid_score = true;
  float score_clipping_thresh = 100.f;  // logits clipped to +-this before the sigmoid; <= 0: no clipping
  bool reverse_output_order = true;     // boxes x,y,w,h and keypoints x,y (false: y,x,h,w and y,x)
  float x_scale = 0.f, y_scale = 0.f, w_scale = 0.f, h_scale = 0.f;
  float min_score_thresh = 0.5f;
  // NonMaxSuppressionCalculatorOptions: WEIGHTED, INTERSECTION_OVER_UNION.
  float min_suppression_threshold = 0.3f;
};

FaceDetectorConfig FaceShortRange();  // face_detection_short_range.tflite: 128x128, 896 anchors
FaceDetectorConfig FaceFullRange();   // face_detection_full_range(_sparse).tflite: 192x192, 2304 anchors

// The face models' six keypoints, in output order.
const std::vector<std::string>& FaceKeypointNames();

struct Detection {
  float score = 0.f;
  float x = 0.f, y = 0.f, w = 0.f, h = 0.f;  // top-left + size, normalized to the model input
  std::vector<std::array<float, 2>> keypoints;  // x, y, normalized to the model input
};

// Decoded boxes above config.min_score_thresh, before NMS, in output order.
// regressors: num_boxes * num_coords values; scores: num_boxes logits.
Result<std::vector<Detection>> DecodeBoxes(Floats regressors, Floats scores, const FaceDetectorConfig& config);
// DecodeBoxes, then WeightedNms: the faces, best first.
Result<std::vector<Detection>> DecodeFaces(Floats regressors, Floats scores, const FaceDetectorConfig& config);

// Intersection over union of two boxes (0 when they do not overlap or a box is empty).
float IoU(const Detection& a, const Detection& b);

// MediaPipe's WEIGHTED suppression: take the best remaining detection, gather
// every remaining one whose IoU with it exceeds `min_suppression_threshold`
// (itself included), emit one detection with the best one's score and the
// score-weighted average of the gathered boxes' corners and keypoints, repeat
// with the rest. Ties in score keep their input order (stable), so both
// targets give the same list.
std::vector<Detection> WeightedNms(std::vector<Detection> detections, float min_suppression_threshold);

// ---- Letterboxed input ----

struct Letterbox {
  int image_width = 0, image_height = 0;  // the original picture, pixels
  int model_width = 0, model_height = 0;  // the model input, pixels
  float scale = 0.f;               // model pixels per image pixel (the same on both axes)
  float pad_x = 0.f, pad_y = 0.f;  // border on each side (left = right, top = bottom), model pixels
};

// Fits the w x h RGB8 picture into a model_w x model_h NHWC float tensor
// keeping its aspect ratio, centred, the rest border: kZero is a black pixel,
// i.e. the value `lo` (MediaPipe pads pixel value 0 before mapping to the
// range); kReplicate repeats the edge. Bilinear sampling at pixel centres.
// Pixel values 0..255 map linearly to lo..hi. `rgb_bytes` must be w*h*3.
Result<Letterbox> PrepareInput(const uint8_t* rgb, size_t rgb_bytes, int width, int height, int model_width,
                               int model_height, float lo, float hi, std::vector<float>* nhwc,
                               Border border = Border::kZero);
Result<Letterbox> PrepareInput(const Image& image, int model_width, int model_height, float lo, float hi,
                               std::vector<float>* nhwc, Border border = Border::kZero);
// The same geometry without a picture (what PrepareInput returns for these sizes).
Result<Letterbox> FitLetterbox(int width, int height, int model_width, int model_height);

// A point normalized to the model input -> original-image pixels (the letterbox
// removed), and back. Points in the border map outside 0..width / 0..height.
std::array<float, 2> ModelToImage(const Letterbox& lb, float x, float y);
std::array<float, 2> ImageToModel(const Letterbox& lb, float px, float py);

enum class Coords {
  kImagePixels,      // pixels of the original picture (what the CLI prints)
  kImageNormalized,  // 0..1 of the original picture (MediaPipe's DetectionProjection output)
  kModelNormalized,  // 0..1 of the model input, as decoded
};
// A detection's box and keypoints in `coords` (the input is model-normalized).
Detection MapDetection(const Detection& d, const Letterbox& lb, Coords coords);

// `[{"score", "box":[x,y,w,h], "keypoints":[[x,y],...]}]` in `coords`;
// pixels with 2 decimals, normalized values with 5, the score with 4.
nlohmann::json DetectionsJson(const std::vector<Detection>& detections, const Letterbox& lb, Coords coords);

// ---- Hand landmarks ----

constexpr int kHandLandmarks = 21;

struct HandLandmarkConfig {
  int input_width = 224, input_height = 224;
  float input_lo = 0.f, input_hi = 1.f;
  Border border = Border::kReplicate;
  float presence_threshold = 0.5f;  // present when presence > threshold
  float normalize_z = 0.4f;         // z = raw / input_width / normalize_z
};
HandLandmarkConfig HandLandmark();  // hand_landmark_lite.tflite and hand_landmark_full.tflite

struct Hand {
  float presence = 0.f;  // Identity_1 (already through the model's LOGISTIC)
  bool present = false;  // presence > presence_threshold
  // Identity_2 is the probability of MediaPipe's label "Left" ("Right" is
  // 1 - it). MediaPipe labels a mirrored (selfie) picture: on an unmirrored
  // photo "Left" is the person's right hand.
  float left_score = 0.f;
  std::string handedness;  // "Left" or "Right", the likelier label
  float handedness_score = 0.f;
  // x, y normalized to the model input; z on x's scale, relative to the wrist.
  std::array<std::array<float, 3>, kHandLandmarks> landmarks{};
  std::array<std::array<float, 3>, kHandLandmarks> world{};  // Identity_3 as is: metres, origin at the hand's centre
};

// The model's outputs in order: Identity [1,63], Identity_1 [1,1], Identity_2 [1,1], Identity_3 [1,63].
Result<Hand> DecodeHand(Floats landmarks, Floats presence, Floats handedness, Floats world,
                        const HandLandmarkConfig& config);

// `{"presence", "present", "handedness", "handedness_score", "landmarks":[[x,y,z],...]}` with x, y in
// `coords` (z on x's scale: pixels for kImagePixels) and the world landmarks as `"world"` (metres).
nlohmann::json HandJson(const Hand& hand, const Letterbox& lb, Coords coords);

// The 21-point hand skeleton (wrist 0; thumb 1-4, index 5-8, middle 9-12,
// ring 13-16, pinky 17-20, base to tip) as index pairs to draw.
const std::vector<std::array<int, 2>>& HandConnections();
const std::vector<std::string>& HandLandmarkNames();

}  // namespace fk::nn::mediapipe
