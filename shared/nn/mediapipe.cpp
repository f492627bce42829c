// MediaPipe's pre/post-processing, written from the calculators' documented
// behaviour (their .proto options and graph files), not from their code.
// The parameter values are the ones MediaPipe's graphs set, in
// github.com/google-ai-edge/mediapipe:
//   mediapipe/modules/face_detection/face_detection_short_range_common.pbtxt,
//   face_detection_full_range_common.pbtxt, face_detection.pbtxt (+ the
//   *_range.pbtxt that fill its options), hand_landmark/hand_landmark_cpu.pbtxt,
// and, checked byte for byte, the same values in the graphs compiled into the
// npm packages' wasm (@mediapipe/face_detection 0.4.1657300184,
// @mediapipe/hands 0.4.1675469240); hands' label map there is "Left\nRight".
#include "nn/mediapipe.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/json_write.h"

namespace fk::nn::mediapipe {
namespace {

constexpr int kMaxSide = 16384;           // px, pictures and model inputs alike
constexpr size_t kMaxAnchors = 1u << 22;  // far above any SSD head; refuses absurd options before allocating

bool Finite(float v) { return std::isfinite(v); }

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

float LayerScale(float min_scale, float max_scale, int layer, int num_layers) {
  if (num_layers == 1) return (min_scale + max_scale) * 0.5f;
  return min_scale + (max_scale - min_scale) * float(layer) / float(num_layers - 1);
}

Status CheckAnchorOptions(const SsdAnchorOptions& o) {
  if (o.input_width <= 0 || o.input_height <= 0 || o.input_width > kMaxSide || o.input_height > kMaxSide)
    return Status::Error("SSD anchors: input size " + std::to_string(o.input_width) + "x" +
                         std::to_string(o.input_height) + " is not 1.." + std::to_string(kMaxSide));
  if (o.num_layers <= 0 || size_t(o.num_layers) != o.strides.size())
    return Status::Error("SSD anchors: num_layers is " + std::to_string(o.num_layers) + " but " +
                         std::to_string(o.strides.size()) + " strides are given (one per layer, at least one)");
  for (size_t i = 0; i < o.strides.size(); i++)
    if (o.strides[i] <= 0)
      return Status::Error("SSD anchors: stride " + std::to_string(i) + " is " + std::to_string(o.strides[i]) +
                           " (must be > 0)");
  if (o.aspect_ratios.empty()) return Status::Error("SSD anchors: no aspect_ratios");
  for (float r : o.aspect_ratios)
    if (!(r > 0.f) || !Finite(r)) return Status::Error("SSD anchors: aspect ratio " + Num(r) + " (must be > 0)");
  if (!Finite(o.min_scale) || !Finite(o.max_scale) || !Finite(o.anchor_offset_x) || !Finite(o.anchor_offset_y) ||
      !Finite(o.interpolated_scale_aspect_ratio) || o.interpolated_scale_aspect_ratio < 0.f)
    return Status::Error("SSD anchors: a scale, offset or interpolated_scale_aspect_ratio is not a finite number >= 0");
  return Status::Ok();
}

}  // namespace

Result<std::vector<Anchor>> GenerateAnchors(const SsdAnchorOptions& o) {
  if (Status s = CheckAnchorOptions(o); !s) return s;
  const int n = int(o.strides.size());
  struct Shape {
    float ratio, scale;
  };
  std::vector<Anchor> anchors;
  for (int layer = 0; layer < n;) {
    // Every consecutive layer with this stride adds its anchor shapes to the same cells.
    std::vector<Shape> shapes;
    int next = layer;
    for (; next < n && o.strides[next] == o.strides[layer]; next++) {
      const float scale = LayerScale(o.min_scale, o.max_scale, next, n);
      if (next == 0 && o.reduce_boxes_in_lowest_layer) {
        shapes.push_back({1.0f, 0.1f});
        shapes.push_back({2.0f, scale});
        shapes.push_back({0.5f, scale});
        continue;
      }
      for (float r : o.aspect_ratios) shapes.push_back({r, scale});
      if (o.interpolated_scale_aspect_ratio > 0.f) {
        const float scale_next = next == n - 1 ? 1.0f : LayerScale(o.min_scale, o.max_scale, next + 1, n);
        shapes.push_back({o.interpolated_scale_aspect_ratio, std::sqrt(scale * scale_next)});
      }
    }
    const int stride = o.strides[layer];
    const int fm_h = (o.input_height + stride - 1) / stride;  // ceil
    const int fm_w = (o.input_width + stride - 1) / stride;
    const size_t add = size_t(fm_h) * size_t(fm_w) * shapes.size();
    if (anchors.size() + add > kMaxAnchors)
      return Status::Error("SSD anchors: more than " + std::to_string(kMaxAnchors) + " anchors (stride " +
                           std::to_string(stride) + " on " + std::to_string(o.input_width) + "x" +
                           std::to_string(o.input_height) + ")");
    anchors.reserve(anchors.size() + add);
    for (int y = 0; y < fm_h; y++) {
      for (int x = 0; x < fm_w; x++) {
        for (const Shape& s : shapes) {
          Anchor a;
          a.x_center = (float(x) + o.anchor_offset_x) / float(fm_w);
          a.y_center = (float(y) + o.anchor_offset_y) / float(fm_h);
          if (o.fixed_anchor_size) {
            a.w = a.h = 1.0f;
          } else {
            const float root = std::sqrt(s.ratio);
            a.w = s.scale * root;
            a.h = s.scale / root;
          }
          anchors.push_back(a);
        }
      }
    }
    layer = next;
  }
  return anchors;
}

// ---- Face detection ----

namespace {

SsdAnchorOptions FaceAnchors(int side) {
  SsdAnchorOptions a;
  a.input_width = a.input_height = side;
  a.min_scale = 0.1484375f;
  a.max_scale = 0.75f;
  a.anchor_offset_x = a.anchor_offset_y = 0.5f;
  a.aspect_ratios = {1.0f};
  a.fixed_anchor_size = true;
  return a;
}

FaceDetectorConfig FaceCommon(const char* name, int side) {
  FaceDetectorConfig c;
  c.name = name;
  c.input_width = c.input_height = side;
  c.input_lo = -1.f;
  c.input_hi = 1.f;
  c.border = Border::kZero;
  c.anchors = FaceAnchors(side);
  c.x_scale = c.y_scale = c.w_scale = c.h_scale = float(side);
  return c;  // num_coords 16, offsets 0/4, 6 keypoints, sigmoid, clip 100, reversed order, NMS 0.3: the defaults
}

}  // namespace

FaceDetectorConfig FaceShortRange() {
  FaceDetectorConfig c = FaceCommon("face_short_range", 128);
  c.anchors.num_layers = 4;
  c.anchors.strides = {8, 16, 16, 16};
  c.anchors.interpolated_scale_aspect_ratio = 1.0f;
  c.num_boxes = 896;
  c.min_score_thresh = 0.5f;
  return c;
}

FaceDetectorConfig FaceFullRange() {
  FaceDetectorConfig c = FaceCommon("face_full_range", 192);
  c.anchors.num_layers = 1;
  c.anchors.strides = {4};
  c.anchors.interpolated_scale_aspect_ratio = 0.0f;
  c.num_boxes = 2304;
  c.min_score_thresh = 0.6f;
  return c;
}

const std::vector<std::string>& FaceKeypointNames() {
  static const std::vector<std::string> names = {"right_eye",  "left_eye",           "nose_tip",
                                                 "mouth_center", "right_ear_tragion", "left_ear_tragion"};
  return names;
}

namespace {

Status CheckFaceConfig(const FaceDetectorConfig& c) {
  const std::string& n = c.name.empty() ? std::string("face detector") : c.name;
  if (c.num_boxes <= 0 || size_t(c.num_boxes) > kMaxAnchors)
    return Status::Error(n + ": num_boxes " + std::to_string(c.num_boxes) + " is not 1.." + std::to_string(kMaxAnchors));
  if (c.num_values_per_keypoint != 2)
    return Status::Error(n + ": num_values_per_keypoint is " + std::to_string(c.num_values_per_keypoint) +
                         " (only 2-D keypoints are decoded)");
  if (c.num_keypoints < 0 || c.num_keypoints > 1024 || c.num_coords != 4 + 2 * c.num_keypoints)
    return Status::Error(n + ": num_coords " + std::to_string(c.num_coords) + " is not 4 + 2 x num_keypoints (" +
                         std::to_string(c.num_keypoints) + ")");
  if (c.box_coord_offset < 0 || c.box_coord_offset + 4 > c.num_coords)
    return Status::Error(n + ": box_coord_offset " + std::to_string(c.box_coord_offset) + " leaves no room for 4 box values in " +
                         std::to_string(c.num_coords));
  if (c.keypoint_coord_offset < 0 || c.keypoint_coord_offset + 2 * c.num_keypoints > c.num_coords)
    return Status::Error(n + ": keypoint_coord_offset " + std::to_string(c.keypoint_coord_offset) + " + " +
                         std::to_string(2 * c.num_keypoints) + " keypoint values exceed num_coords " +
                         std::to_string(c.num_coords));
  for (float s : {c.x_scale, c.y_scale, c.w_scale, c.h_scale})
    if (!(s > 0.f) || !Finite(s)) return Status::Error(n + ": x/y/w/h_scale must be > 0 (got " + Num(s) + ")");
  if (!Finite(c.min_score_thresh) || !Finite(c.min_suppression_threshold) || !Finite(c.score_clipping_thresh))
    return Status::Error(n + ": min_score_thresh, min_suppression_threshold and score_clipping_thresh must be numbers");
  return Status::Ok();
}

}  // namespace

Result<std::vector<Detection>> DecodeBoxes(Floats regressors, Floats scores, const FaceDetectorConfig& c) {
  if (Status s = CheckFaceConfig(c); !s) return s;
  const std::string& n = c.name.empty() ? std::string("face detector") : c.name;
  const size_t boxes = size_t(c.num_boxes), coords = size_t(c.num_coords);
  if (!regressors.data || regressors.size != boxes * coords)
    return Status::Error(n + ": the regressors output has " + std::to_string(regressors.size) + " values, expected " +
                         std::to_string(boxes) + " boxes x " + std::to_string(coords) + " coords = " +
                         std::to_string(boxes * coords));
  if (!scores.data || scores.size != boxes)
    return Status::Error(n + ": the scores output has " + std::to_string(scores.size) + " values, expected " +
                         std::to_string(boxes) + " (one per box)");
  Result<std::vector<Anchor>> anchors = GenerateAnchors(c.anchors);
  if (!anchors) return Status::Error(n + ": " + anchors.status().message());
  if (anchors->size() != boxes)
    return Status::Error(n + ": the anchor options give " + std::to_string(anchors->size()) + " anchors but num_boxes is " +
                         std::to_string(boxes));

  std::vector<Detection> out;
  for (size_t i = 0; i < boxes; i++) {
    float score = scores.data[i];
    if (c.sigmoid_score) {
      if (c.score_clipping_thresh > 0.f) score = std::min(std::max(score, -c.score_clipping_thresh), c.score_clipping_thresh);
      score = 1.0f / (1.0f + std::exp(-score));
    }
    if (!(score >= c.min_score_thresh)) continue;  // NaN scores go too
    const float* r = regressors.data + i * coords;
    const float* b = r + c.box_coord_offset;
    const Anchor& a = (*anchors)[i];
    // The regressors are offsets from the anchor centre and sizes, in units of x/y/w/h_scale.
    const float cx = (c.reverse_output_order ? b[0] : b[1]) / c.x_scale * a.w + a.x_center;
    const float cy = (c.reverse_output_order ? b[1] : b[0]) / c.y_scale * a.h + a.y_center;
    const float w = (c.reverse_output_order ? b[2] : b[3]) / c.w_scale * a.w;
    const float h = (c.reverse_output_order ? b[3] : b[2]) / c.h_scale * a.h;
    // A negative or NaN size is a model artefact; MediaPipe drops those boxes.
    if (!(w >= 0.f) || !(h >= 0.f)) continue;
    Detection d;
    d.score = score;
    d.x = cx - w / 2.f;
    d.y = cy - h / 2.f;
    d.w = w;
    d.h = h;
    d.keypoints.resize(size_t(c.num_keypoints));
    for (int k = 0; k < c.num_keypoints; k++) {
      const float* p = r + c.keypoint_coord_offset + 2 * k;
      const float kx = c.reverse_output_order ? p[0] : p[1];
      const float ky = c.reverse_output_order ? p[1] : p[0];
      d.keypoints[size_t(k)] = {kx / c.x_scale * a.w + a.x_center, ky / c.y_scale * a.h + a.y_center};
    }
    out.push_back(std::move(d));
  }
  return out;
}

Result<std::vector<Detection>> DecodeFaces(Floats regressors, Floats scores, const FaceDetectorConfig& c) {
  Result<std::vector<Detection>> raw = DecodeBoxes(regressors, scores, c);
  if (!raw) return raw.status();
  return WeightedNms(std::move(*raw), c.min_suppression_threshold);
}

float IoU(const Detection& a, const Detection& b) {
  const float ix0 = std::max(a.x, b.x), iy0 = std::max(a.y, b.y);
  const float ix1 = std::min(a.x + a.w, b.x + b.w), iy1 = std::min(a.y + a.h, b.y + b.h);
  if (!(ix1 > ix0) || !(iy1 > iy0)) return 0.f;
  const float inter = (ix1 - ix0) * (iy1 - iy0);
  const float uni = a.w * a.h + b.w * b.h - inter;
  return uni > 0.f ? inter / uni : 0.f;
}

std::vector<Detection> WeightedNms(std::vector<Detection> dets, float min_suppression_threshold) {
  std::vector<size_t> order(dets.size());
  for (size_t i = 0; i < order.size(); i++) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return dets[a].score > dets[b].score; });

  std::vector<Detection> out;
  std::vector<size_t> rest;
  while (!order.empty()) {
    const Detection& top = dets[order[0]];
    Detection merged = top;
    const size_t nk = top.keypoints.size();
    double sx0 = 0, sy0 = 0, sx1 = 0, sy1 = 0, total = 0;
    std::vector<double> kp(nk * 2, 0.0);
    rest.clear();
    for (size_t k = 0; k < order.size(); k++) {
      const Detection& d = dets[order[k]];
      // The top one always belongs to its own group (MediaPipe would stop at an
      // empty top box, whose IoU with itself is 0; one box is dropped instead of all later ones).
      if (k != 0 && !(IoU(d, top) > min_suppression_threshold)) {
        rest.push_back(order[k]);
        continue;
      }
      const double s = d.score;
      total += s;
      sx0 += s * d.x;
      sy0 += s * d.y;
      sx1 += s * (double(d.x) + d.w);
      sy1 += s * (double(d.y) + d.h);
      for (size_t j = 0; j < nk && j < d.keypoints.size(); j++) {
        kp[2 * j] += s * d.keypoints[j][0];
        kp[2 * j + 1] += s * d.keypoints[j][1];
      }
    }
    if (total > 0) {
      merged.x = float(sx0 / total);
      merged.y = float(sy0 / total);
      merged.w = float(sx1 / total) - merged.x;
      merged.h = float(sy1 / total) - merged.y;
      for (size_t j = 0; j < nk; j++) merged.keypoints[j] = {float(kp[2 * j] / total), float(kp[2 * j + 1] / total)};
    }
    out.push_back(std::move(merged));
    order.swap(rest);
  }
  return out;
}

// ---- Letterboxed input ----

Result<Letterbox> FitLetterbox(int width, int height, int model_width, int model_height) {
  if (width <= 0 || height <= 0 || width > kMaxSide || height > kMaxSide)
    return Status::Error("letterbox: picture size " + std::to_string(width) + "x" + std::to_string(height) +
                         " is not 1.." + std::to_string(kMaxSide) + " on each side");
  if (model_width <= 0 || model_height <= 0 || model_width > kMaxSide || model_height > kMaxSide)
    return Status::Error("letterbox: model input size " + std::to_string(model_width) + "x" +
                         std::to_string(model_height) + " is not 1.." + std::to_string(kMaxSide) + " on each side");
  Letterbox lb;
  lb.image_width = width;
  lb.image_height = height;
  lb.model_width = model_width;
  lb.model_height = model_height;
  // As ImageToTensorCalculator: the picture's region grows to the tensor's
  // aspect ratio along one axis; the other axis fits exactly (no padding there).
  const float tensor_aspect = float(model_height) / float(model_width);
  const float image_aspect = float(height) / float(width);
  if (tensor_aspect > image_aspect) {
    lb.scale = float(model_width) / float(width);
    lb.pad_y = (float(model_height) - float(height) * lb.scale) * 0.5f;
  } else {
    lb.scale = float(model_height) / float(height);
    lb.pad_x = (float(model_width) - float(width) * lb.scale) * 0.5f;
  }
  return lb;
}

Result<Letterbox> PrepareInput(const uint8_t* rgb, size_t rgb_bytes, int width, int height, int model_width,
                               int model_height, float lo, float hi, std::vector<float>* nhwc, Border border) {
  Result<Letterbox> fit = FitLetterbox(width, height, model_width, model_height);
  if (!fit) return fit;
  const Letterbox lb = *fit;
  const size_t want = size_t(width) * size_t(height) * 3;
  if (!rgb || rgb_bytes != want)
    return Status::Error("letterbox: the picture has " + std::to_string(rgb_bytes) + " bytes, expected " +
                         std::to_string(width) + "x" + std::to_string(height) + "x3 = " + std::to_string(want));
  if (!Finite(lo) || !Finite(hi) || !(lo < hi))
    return Status::Error("letterbox: value range [" + Num(lo) + ", " + Num(hi) + "] is empty (need lo < hi)");
  if (!nhwc) return Status::Error("letterbox: no output tensor given");

  const float value_scale = (hi - lo) / 255.0f;
  nhwc->assign(size_t(model_width) * size_t(model_height) * 3, lo);
  auto pixel = [&](int x, int y) { return rgb + (size_t(y) * size_t(width) + size_t(x)) * 3; };
  float* out = nhwc->data();
  for (int my = 0; my < model_height; my++) {
    // Image coordinates of the model pixel's centre (pixel i spans [i, i+1)).
    const float v = (float(my) + 0.5f - lb.pad_y) / lb.scale;
    for (int mx = 0; mx < model_width; mx++, out += 3) {
      const float u = (float(mx) + 0.5f - lb.pad_x) / lb.scale;
      if (border == Border::kZero && (u < 0.f || v < 0.f || u >= float(width) || v >= float(height))) continue;  // stays lo
      // Bilinear between the four nearest pixel centres, edges clamped.
      const float sx = u - 0.5f, sy = v - 0.5f;
      const float fx0 = std::floor(sx), fy0 = std::floor(sy);
      const float ax = sx - fx0, ay = sy - fy0;
      const int x0 = std::min(std::max(int(fx0), 0), width - 1), x1 = std::min(std::max(int(fx0) + 1, 0), width - 1);
      const int y0 = std::min(std::max(int(fy0), 0), height - 1), y1 = std::min(std::max(int(fy0) + 1, 0), height - 1);
      const uint8_t *p00 = pixel(x0, y0), *p10 = pixel(x1, y0), *p01 = pixel(x0, y1), *p11 = pixel(x1, y1);
      for (int ch = 0; ch < 3; ch++) {
        const float top = float(p00[ch]) + (float(p10[ch]) - float(p00[ch])) * ax;
        const float bottom = float(p01[ch]) + (float(p11[ch]) - float(p01[ch])) * ax;
        out[ch] = (top + (bottom - top) * ay) * value_scale + lo;
      }
    }
  }
  return lb;
}

Result<Letterbox> PrepareInput(const Image& image, int model_width, int model_height, float lo, float hi,
                               std::vector<float>* nhwc, Border border) {
  return PrepareInput(image.rgb.data(), image.rgb.size(), image.width, image.height, model_width, model_height, lo, hi,
                      nhwc, border);
}

std::array<float, 2> ModelToImage(const Letterbox& lb, float x, float y) {
  return {(x * float(lb.model_width) - lb.pad_x) / lb.scale, (y * float(lb.model_height) - lb.pad_y) / lb.scale};
}

std::array<float, 2> ImageToModel(const Letterbox& lb, float px, float py) {
  return {(px * lb.scale + lb.pad_x) / float(lb.model_width), (py * lb.scale + lb.pad_y) / float(lb.model_height)};
}

Detection MapDetection(const Detection& d, const Letterbox& lb, Coords coords) {
  if (coords == Coords::kModelNormalized) return d;
  Detection m = d;
  const float sx = coords == Coords::kImagePixels ? 1.f : 1.f / float(lb.image_width);
  const float sy = coords == Coords::kImagePixels ? 1.f : 1.f / float(lb.image_height);
  const std::array<float, 2> tl = ModelToImage(lb, d.x, d.y);
  m.x = tl[0] * sx;
  m.y = tl[1] * sy;
  m.w = d.w * float(lb.model_width) / lb.scale * sx;
  m.h = d.h * float(lb.model_height) / lb.scale * sy;
  for (auto& k : m.keypoints) {
    const std::array<float, 2> p = ModelToImage(lb, k[0], k[1]);
    k = {p[0] * sx, p[1] * sy};
  }
  return m;
}

nlohmann::json DetectionsJson(const std::vector<Detection>& detections, const Letterbox& lb, Coords coords) {
  const char* fmt = coords == Coords::kImagePixels ? "%.2f" : "%.5f";
  nlohmann::json arr = nlohmann::json::array();
  for (const Detection& d : detections) {
    const Detection m = MapDetection(d, lb, coords);
    nlohmann::json kps = nlohmann::json::array();
    for (const auto& k : m.keypoints) kps.push_back({JsonNumberAs(k[0], fmt), JsonNumberAs(k[1], fmt)});
    arr.push_back({{"score", JsonNumberAs(m.score, "%.4f")},
                   {"box", {JsonNumberAs(m.x, fmt), JsonNumberAs(m.y, fmt), JsonNumberAs(m.w, fmt), JsonNumberAs(m.h, fmt)}},
                   {"keypoints", std::move(kps)}});
  }
  return arr;
}

// ---- Hand landmarks ----

HandLandmarkConfig HandLandmark() {
  HandLandmarkConfig c;
  c.input_width = c.input_height = 224;
  c.input_lo = 0.f;
  c.input_hi = 1.f;
  c.border = Border::kReplicate;  // hand_landmark_cpu.pbtxt sets no border_mode: MediaPipe's default
  c.presence_threshold = 0.5f;
  c.normalize_z = 0.4f;
  return c;
}

Result<Hand> DecodeHand(Floats landmarks, Floats presence, Floats handedness, Floats world,
                        const HandLandmarkConfig& c) {
  const size_t n = size_t(kHandLandmarks) * 3;
  auto wrong = [](const char* what, size_t got, size_t want) {
    return Status::Error(std::string("hand landmarks: the ") + what + " output has " + std::to_string(got) +
                         " values, expected " + std::to_string(want));
  };
  if (!landmarks.data || landmarks.size != n) return wrong("landmarks (Identity)", landmarks.size, n);
  if (!presence.data || presence.size != 1) return wrong("presence (Identity_1)", presence.size, 1);
  if (!handedness.data || handedness.size != 1) return wrong("handedness (Identity_2)", handedness.size, 1);
  if (!world.data || world.size != n) return wrong("world landmarks (Identity_3)", world.size, n);
  if (c.input_width <= 0 || c.input_height <= 0 || !(c.normalize_z > 0.f) || !Finite(c.normalize_z))
    return Status::Error("hand landmarks: input size " + std::to_string(c.input_width) + "x" +
                         std::to_string(c.input_height) + " and normalize_z " + Num(c.normalize_z) + " must be > 0");
  Hand h;
  h.presence = presence.data[0];
  h.present = h.presence > c.presence_threshold;
  h.left_score = handedness.data[0];
  const bool left = h.left_score >= 0.5f;
  h.handedness = left ? "Left" : "Right";
  h.handedness_score = left ? h.left_score : 1.f - h.left_score;
  const float iw = float(c.input_width), ih = float(c.input_height);
  for (size_t i = 0; i < size_t(kHandLandmarks); i++) {
    const float* p = landmarks.data + 3 * i;
    h.landmarks[i] = {p[0] / iw, p[1] / ih, p[2] / iw / c.normalize_z};
    const float* q = world.data + 3 * i;
    h.world[i] = {q[0], q[1], q[2]};
  }
  return h;
}

nlohmann::json HandJson(const Hand& hand, const Letterbox& lb, Coords coords) {
  const char* fmt = coords == Coords::kImagePixels ? "%.2f" : "%.5f";
  // z shares x's scale: model-normalized x to pixels is * model_width / scale.
  const float z_scale = coords == Coords::kModelNormalized ? 1.f
                        : coords == Coords::kImagePixels   ? float(lb.model_width) / lb.scale
                                                           : float(lb.model_width) / lb.scale / float(lb.image_width);
  nlohmann::json lms = nlohmann::json::array(), world = nlohmann::json::array();
  for (size_t i = 0; i < size_t(kHandLandmarks); i++) {
    const auto& p = hand.landmarks[i];
    std::array<float, 2> xy = {p[0], p[1]};
    if (coords != Coords::kModelNormalized) {
      xy = ModelToImage(lb, p[0], p[1]);
      if (coords == Coords::kImageNormalized) xy = {xy[0] / float(lb.image_width), xy[1] / float(lb.image_height)};
    }
    lms.push_back({JsonNumberAs(xy[0], fmt), JsonNumberAs(xy[1], fmt), JsonNumberAs(p[2] * z_scale, fmt)});
    const auto& w = hand.world[i];
    world.push_back({JsonNumberAs(w[0], "%.5f"), JsonNumberAs(w[1], "%.5f"), JsonNumberAs(w[2], "%.5f")});
  }
  return {{"presence", JsonNumberAs(hand.presence, "%.4f")},
          {"present", hand.present},
          {"handedness", hand.handedness},
          {"handedness_score", JsonNumberAs(hand.handedness_score, "%.4f")},
          {"landmarks", std::move(lms)},
          {"world", std::move(world)}};
}

const std::vector<std::array<int, 2>>& HandConnections() {
  // Each finger base to tip, the palm outline wrist-thumb/index-middle-ring-pinky-wrist.
  static const std::vector<std::array<int, 2>> edges = {
      {0, 1},  {1, 2},   {2, 3},   {3, 4},              // thumb
      {0, 5},  {5, 6},   {6, 7},   {7, 8},              // index
      {9, 10}, {10, 11}, {11, 12},                      // middle
      {13, 14}, {14, 15}, {15, 16},                     // ring
      {0, 17}, {17, 18}, {18, 19}, {19, 20},            // pinky
      {5, 9},  {9, 13},  {13, 17},                      // knuckles across the palm
  };
  return edges;
}

const std::vector<std::string>& HandLandmarkNames() {
  static const std::vector<std::string> names = {
      "wrist",
      "thumb_cmc", "thumb_mcp", "thumb_ip", "thumb_tip",
      "index_finger_mcp", "index_finger_pip", "index_finger_dip", "index_finger_tip",
      "middle_finger_mcp", "middle_finger_pip", "middle_finger_dip", "middle_finger_tip",
      "ring_finger_mcp", "ring_finger_pip", "ring_finger_dip", "ring_finger_tip",
      "pinky_mcp", "pinky_pip", "pinky_dip", "pinky_tip",
  };
  return names;
}

}  // namespace fk::nn::mediapipe
