#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "core/json_write.h"
#include "nn/mediapipe.h"

namespace mp = fk::nn::mediapipe;
using doctest::Approx;

namespace {

// Raw model outputs with every box far below any threshold, to place chosen boxes in.
struct RawOutputs {
  std::vector<float> regressors, scores;
  explicit RawOutputs(const mp::FaceDetectorConfig& c)
      : regressors(size_t(c.num_boxes) * size_t(c.num_coords), 0.f), scores(size_t(c.num_boxes), -50.f) {}
  // A box centred dx, dy model pixels off the anchor's centre, w x h model pixels,
  // keypoint k at (k + 1) * kp_step pixels right of and k * kp_step above the anchor centre.
  void Place(const mp::FaceDetectorConfig& c, size_t anchor, float logit, float dx, float dy, float w, float h,
             float kp_step) {
    float* r = &regressors[anchor * size_t(c.num_coords)];
    r[0] = dx, r[1] = dy, r[2] = w, r[3] = h;
    for (int k = 0; k < c.num_keypoints; k++) {
      r[4 + 2 * k] = float(k + 1) * kp_step;
      r[4 + 2 * k + 1] = -float(k) * kp_step;
    }
    scores[anchor] = logit;
  }
};

float Sigmoid(float x) { return 1.f / (1.f + std::exp(-x)); }

mp::Detection Box(float score, float x, float y, float w, float h, std::vector<std::array<float, 2>> kps = {}) {
  mp::Detection d;
  d.score = score;
  d.x = x, d.y = y, d.w = w, d.h = h;
  d.keypoints = std::move(kps);
  return d;
}

}  // namespace

TEST_CASE("nn/mediapipe: the face models' anchors: counts and centres from the graph's parameters") {
  const mp::FaceDetectorConfig short_range = mp::FaceShortRange();
  auto a = mp::GenerateAnchors(short_range.anchors);
  REQUIRE(a);
  // Stride 8 on 128: 16x16 cells x 2 anchors (ratio 1 + the interpolated one);
  // strides 16,16,16 share one 8x8 map: 3 layers x 2 anchors per cell.
  REQUIRE(a->size() == 16 * 16 * 2 + 8 * 8 * 6);
  REQUIRE(a->size() == size_t(short_range.num_boxes));
  auto at = [&](size_t i) { return std::array<float, 2>{(*a)[i].x_center, (*a)[i].y_center}; };
  CHECK(at(0) == std::array<float, 2>{1.f / 32, 1.f / 32});
  CHECK(at(1) == std::array<float, 2>{1.f / 32, 1.f / 32});   // second anchor of the same cell
  CHECK(at(2) == std::array<float, 2>{3.f / 32, 1.f / 32});   // next cell to the right
  CHECK(at(32) == std::array<float, 2>{1.f / 32, 3.f / 32});  // second row
  CHECK(at(511) == std::array<float, 2>{31.f / 32, 31.f / 32});
  for (size_t i = 512; i < 518; i++) CHECK(at(i) == std::array<float, 2>{1.f / 16, 1.f / 16});
  CHECK(at(518) == std::array<float, 2>{3.f / 16, 1.f / 16});
  CHECK(at(895) == std::array<float, 2>{15.f / 16, 15.f / 16});
  for (const mp::Anchor& an : *a) CHECK((an.w == 1.f && an.h == 1.f));  // fixed_anchor_size

  const mp::FaceDetectorConfig full = mp::FaceFullRange();
  auto f = mp::GenerateAnchors(full.anchors);
  REQUIRE(f);
  REQUIRE(f->size() == 2304);  // stride 4 on 192: 48 x 48, one anchor per cell (interpolated ratio 0)
  for (size_t k : {size_t(0), size_t(47), size_t(48), size_t(1000), size_t(2303)}) {
    CHECK((*f)[k].x_center == Approx((float(k % 48) + 0.5f) / 48.f).epsilon(1e-7));
    CHECK((*f)[k].y_center == Approx((float(k / 48) + 0.5f) / 48.f).epsilon(1e-7));
  }
}

TEST_CASE("nn/mediapipe: anchor sizes follow the layer scales, interpolated and reduced anchors") {
  mp::SsdAnchorOptions o;
  o.input_width = o.input_height = 64;
  o.num_layers = 2;
  o.strides = {8, 16};
  o.min_scale = 0.2f;
  o.max_scale = 0.8f;
  o.aspect_ratios = {1.f, 2.f};
  o.interpolated_scale_aspect_ratio = 1.f;
  auto a = mp::GenerateAnchors(o);
  REQUIRE(a);
  REQUIRE(a->size() == 8 * 8 * 3 + 4 * 4 * 3);
  // Layer 0: scale 0.2; ratio 2 is 0.2*sqrt2 wide, 0.2/sqrt2 high; interpolated sqrt(0.2 * 0.8) = 0.4.
  CHECK((*a)[0].w == Approx(0.2f));
  CHECK((*a)[1].w == Approx(0.2f * std::sqrt(2.f)));
  CHECK((*a)[1].h == Approx(0.2f / std::sqrt(2.f)));
  CHECK((*a)[2].w == Approx(0.4f));
  CHECK((*a)[2].h == Approx(0.4f));
  // Layer 1 (the last): scale 0.8, interpolated with 1.0.
  CHECK((*a)[192].w == Approx(0.8f));
  CHECK((*a)[194].w == Approx(std::sqrt(0.8f)));
  CHECK((*a)[192].x_center == Approx(0.5f / 4));

  o.reduce_boxes_in_lowest_layer = true;  // layer 0: (1, 0.1), (2, 0.2), (0.5, 0.2)
  auto r = mp::GenerateAnchors(o);
  REQUIRE(r);
  CHECK((*r)[0].w == Approx(0.1f));
  CHECK((*r)[1].w == Approx(0.2f * std::sqrt(2.f)));
  CHECK((*r)[2].h == Approx(0.2f * std::sqrt(2.f)));

  o = {};
  o.input_width = o.input_height = 32;
  o.num_layers = 1;
  o.strides = {16};
  o.min_scale = 0.2f;
  o.max_scale = 0.6f;
  o.aspect_ratios = {1.f};
  o.interpolated_scale_aspect_ratio = 0.f;
  auto one = mp::GenerateAnchors(o);
  REQUIRE(one);
  REQUIRE(one->size() == 4);
  CHECK((*one)[0].w == Approx(0.4f));  // a single layer takes the mean of min and max
}

TEST_CASE("nn/mediapipe: bad anchor options are errors, not crashes") {
  mp::SsdAnchorOptions o = mp::FaceShortRange().anchors;
  o.num_layers = 3;
  auto r = mp::GenerateAnchors(o);
  REQUIRE(!r);
  CHECK(r.status().message().find("num_layers is 3 but 4 strides") != std::string::npos);
  o = mp::FaceShortRange().anchors;
  o.strides[2] = 0;
  CHECK(mp::GenerateAnchors(o).status().message().find("stride 2 is 0") != std::string::npos);
  o = mp::FaceShortRange().anchors;
  o.input_width = 0;
  CHECK(!mp::GenerateAnchors(o));
  o = mp::FaceShortRange().anchors;
  o.aspect_ratios.clear();
  CHECK(!mp::GenerateAnchors(o));
  o = mp::FaceShortRange().anchors;
  o.aspect_ratios = {-1.f};
  CHECK(!mp::GenerateAnchors(o));
  o = mp::FaceShortRange().anchors;
  o.input_width = o.input_height = 16384;
  o.num_layers = 1;
  o.strides = {1};
  CHECK(mp::GenerateAnchors(o).status().message().find("more than") != std::string::npos);
}

TEST_CASE("nn/mediapipe: boxes placed at chosen anchors decode to those boxes") {
  const mp::FaceDetectorConfig c = mp::FaceFullRange();
  RawOutputs raw(c);
  const size_t anchor = 48 * 10 + 20;  // centre (20.5/48, 10.5/48)
  // 9.6 px right, 4.8 px up, 38.4 x 57.6 px: 0.05, -0.025, 0.2 x 0.3 of the 192 px input.
  raw.Place(c, anchor, 2.f, 9.6f, -4.8f, 38.4f, 57.6f, 1.92f);
  auto faces = mp::DecodeFaces(raw.regressors, raw.scores, c);
  REQUIRE(faces);
  REQUIRE(faces->size() == 1);
  const mp::Detection& d = (*faces)[0];
  const float cx = 20.5f / 48 + 0.05f, cy = 10.5f / 48 - 0.025f;
  CHECK(d.score == Approx(Sigmoid(2.f)).epsilon(1e-6));
  CHECK(d.x == Approx(cx - 0.1f).epsilon(1e-5));
  CHECK(d.y == Approx(cy - 0.15f).epsilon(1e-5));
  CHECK(d.w == Approx(0.2f).epsilon(1e-5));
  CHECK(d.h == Approx(0.3f).epsilon(1e-5));
  REQUIRE(d.keypoints.size() == 6);
  for (int k = 0; k < 6; k++) {
    CHECK(d.keypoints[size_t(k)][0] == Approx(20.5f / 48 + 0.01f * float(k + 1)).epsilon(1e-5));
    CHECK(d.keypoints[size_t(k)][1] == Approx(10.5f / 48 - 0.01f * float(k)).epsilon(1e-5));
  }

  // The same box in y,x,h,w order decodes identically with reverse_output_order off.
  mp::FaceDetectorConfig yx = c;
  yx.reverse_output_order = false;
  RawOutputs swapped = raw;
  float* r = &swapped.regressors[anchor * 16];
  std::swap(r[0], r[1]);
  std::swap(r[2], r[3]);
  for (int k = 0; k < 6; k++) std::swap(r[4 + 2 * k], r[5 + 2 * k]);
  auto same = mp::DecodeFaces(swapped.regressors, swapped.scores, yx);
  REQUIRE(same);
  REQUIRE(same->size() == 1);
  CHECK((*same)[0].x == Approx(d.x).epsilon(1e-6));
  CHECK((*same)[0].h == Approx(d.h).epsilon(1e-6));
  CHECK((*same)[0].keypoints[3][1] == Approx(d.keypoints[3][1]).epsilon(1e-6));

  // Short range: two faces on different layers' anchors stay two faces, best first.
  const mp::FaceDetectorConfig s = mp::FaceShortRange();
  RawOutputs two(s);
  two.Place(s, 2, 1.f, 0.f, 0.f, 12.8f, 12.8f, 0.f);     // centre (3/32, 1/32), 0.1 x 0.1
  two.Place(s, 520, 3.f, 6.4f, 0.f, 25.6f, 38.4f, 0.f);  // centre (3/16 + 0.05, 1/16), 0.2 x 0.3
  auto both = mp::DecodeFaces(two.regressors, two.scores, s);
  REQUIRE(both);
  REQUIRE(both->size() == 2);
  CHECK((*both)[0].score == Approx(Sigmoid(3.f)));
  CHECK((*both)[0].x == Approx(3.f / 16 + 0.05f - 0.1f).epsilon(1e-5));
  CHECK((*both)[0].h == Approx(0.3f).epsilon(1e-5));
  CHECK((*both)[1].x == Approx(3.f / 32 - 0.05f).epsilon(1e-5));
  CHECK((*both)[1].y == Approx(1.f / 32 - 0.05f).epsilon(1e-5));
}

TEST_CASE("nn/mediapipe: the score threshold, clipping and bad boxes") {
  const mp::FaceDetectorConfig c = mp::FaceFullRange();  // min_score_thresh 0.6 = logit 0.405
  RawOutputs raw(c);
  raw.Place(c, 100, 0.5f, 0, 0, 19.2f, 19.2f, 0);   // 0.622: kept
  raw.Place(c, 600, 0.3f, 0, 0, 19.2f, 19.2f, 0);   // 0.574: dropped
  raw.Place(c, 1200, 1e6f, 0, 0, 19.2f, 19.2f, 0);  // clipped to 100 before the sigmoid: 1, not NaN
  raw.Place(c, 1800, std::numeric_limits<float>::quiet_NaN(), 0, 0, 19.2f, 19.2f, 0);  // dropped
  raw.Place(c, 2000, 5.f, 0, 0, -19.2f, 19.2f, 0);  // negative width: dropped, as MediaPipe does
  auto boxes = mp::DecodeBoxes(raw.regressors, raw.scores, c);
  REQUIRE(boxes);
  REQUIRE(boxes->size() == 2);
  CHECK((*boxes)[0].score == Approx(Sigmoid(0.5f)));
  CHECK((*boxes)[1].score == 1.f);

  mp::FaceDetectorConfig strict = c;
  strict.min_score_thresh = 0.99f;
  auto few = mp::DecodeBoxes(raw.regressors, raw.scores, strict);
  REQUIRE(few);
  CHECK(few->size() == 1);
}

TEST_CASE("nn/mediapipe: wrong output sizes and configs are clear errors") {
  const mp::FaceDetectorConfig c = mp::FaceFullRange();
  std::vector<float> reg(2304 * 16), sc(2304);
  auto r = mp::DecodeFaces(std::vector<float>(100), sc, c);
  REQUIRE(!r);
  CHECK(r.status().message() ==
        "face_full_range: the regressors output has 100 values, expected 2304 boxes x 16 coords = 36864");
  r = mp::DecodeFaces(reg, std::vector<float>(896), c);
  REQUIRE(!r);
  CHECK(r.status().message().find("scores output has 896 values, expected 2304") != std::string::npos);
  // The short-range model's outputs fed to the full-range config.
  const mp::FaceDetectorConfig s = mp::FaceShortRange();
  CHECK(!mp::DecodeFaces(std::vector<float>(896 * 16), std::vector<float>(896), c));
  mp::FaceDetectorConfig bad = c;
  bad.num_boxes = 896;  // the anchors still make 2304
  r = mp::DecodeFaces(std::vector<float>(896 * 16), std::vector<float>(896), bad);
  REQUIRE(!r);
  CHECK(r.status().message().find("2304 anchors but num_boxes is 896") != std::string::npos);
  bad = c;
  bad.num_coords = 15;
  CHECK(!mp::DecodeFaces(reg, sc, bad));
  bad = c;
  bad.x_scale = 0.f;
  CHECK(!mp::DecodeFaces(reg, sc, bad));
  bad = c;
  bad.keypoint_coord_offset = 6;
  CHECK(!mp::DecodeFaces(reg, sc, bad));
  CHECK(!mp::DecodeFaces(mp::Floats(nullptr, reg.size()), sc, c));
  CHECK(mp::DecodeFaces(std::vector<float>(896 * 16), std::vector<float>(896), s));
}

TEST_CASE("nn/mediapipe: IoU") {
  CHECK(mp::IoU(Box(1, 0, 0, 2, 2), Box(1, 0, 0, 2, 2)) == 1.f);
  CHECK(mp::IoU(Box(1, 0, 0, 2, 2), Box(1, 1, 0, 2, 2)) == Approx(1.f / 3));
  CHECK(mp::IoU(Box(1, 0, 0, 2, 2), Box(1, 2, 0, 2, 2)) == 0.f);  // touching
  CHECK(mp::IoU(Box(1, 0, 0, 2, 2), Box(1, 5, 5, 1, 1)) == 0.f);
  CHECK(mp::IoU(Box(1, 0, 0, 0, 0), Box(1, 0, 0, 0, 0)) == 0.f);  // empty
  CHECK(mp::IoU(Box(1, 0, 0, 4, 4), Box(1, 1, 1, 2, 2)) == Approx(0.25f));
}

TEST_CASE("nn/mediapipe: weighted NMS merges overlaps into the score-weighted average and keeps the rest") {
  std::vector<mp::Detection> in = {
      Box(0.6f, 0.12f, 0.10f, 0.2f, 0.2f, {{0.20f, 0.20f}}),  // IoU 0.82 with the first
      Box(0.7f, 0.60f, 0.60f, 0.2f, 0.2f, {{0.70f, 0.70f}}),  // disjoint
      Box(0.9f, 0.10f, 0.10f, 0.2f, 0.2f, {{0.17f, 0.26f}}),
      Box(0.5f, 0.10f, 0.25f, 0.2f, 0.2f, {{0.00f, 0.00f}}),  // IoU 0.14 with the first: its own face
  };
  std::vector<mp::Detection> out = mp::WeightedNms(in, 0.3f);
  REQUIRE(out.size() == 3);
  // 0.9 and 0.6 merge: corners (0.9 * 0.10 + 0.6 * 0.12) / 1.5 = 0.108 and (0.9 * 0.30 + 0.6 * 0.32) / 1.5 = 0.308.
  CHECK(out[0].score == Approx(0.9f));
  CHECK(out[0].x == Approx(0.108f));
  CHECK(out[0].w == Approx(0.2f));
  CHECK(out[0].y == Approx(0.1f));
  CHECK(out[0].keypoints[0][0] == Approx((0.9f * 0.17f + 0.6f * 0.20f) / 1.5f));
  CHECK(out[0].keypoints[0][1] == Approx((0.9f * 0.26f + 0.6f * 0.20f) / 1.5f));
  CHECK(out[1].score == Approx(0.7f));
  CHECK(out[1].x == Approx(0.6f));
  CHECK(out[2].score == Approx(0.5f));
  CHECK(out[2].y == Approx(0.25f));

  // Just at the threshold is not above it: both stay.
  std::vector<mp::Detection> edge = {Box(0.9f, 0, 0, 2, 2), Box(0.8f, 1, 0, 2, 2)};  // IoU 1/3
  CHECK(mp::WeightedNms(edge, 1.f / 3).size() == 2);
  CHECK(mp::WeightedNms(edge, 0.3f).size() == 1);
  CHECK(mp::WeightedNms({}, 0.3f).empty());
  // An empty top box does not stop the others (MediaPipe would stop there).
  std::vector<mp::Detection> empty_top = {Box(0.9f, 0, 0, 0, 0), Box(0.8f, 0.5f, 0.5f, 0.1f, 0.1f)};
  CHECK(mp::WeightedNms(empty_top, 0.3f).size() == 2);
}

TEST_CASE("nn/mediapipe: neighbouring anchors voting for one face decode to one merged face") {
  const mp::FaceDetectorConfig c = mp::FaceFullRange();
  RawOutputs raw(c);
  const size_t a = 48 * 24 + 24;  // centre (24.5/48, 24.5/48)
  // Three anchors in a row predict the same 0.3 x 0.3 face centred at the first anchor's centre.
  raw.Place(c, a, 3.f, 0.f, 0.f, 57.6f, 57.6f, 0.f);
  raw.Place(c, a + 1, 2.f, -4.f, 0.f, 57.6f, 57.6f, 0.f);
  raw.Place(c, a + 2, 1.f, -8.f, 0.f, 57.6f, 57.6f, 0.f);
  auto faces = mp::DecodeFaces(raw.regressors, raw.scores, c);
  REQUIRE(faces);
  REQUIRE(faces->size() == 1);
  CHECK((*faces)[0].score == Approx(Sigmoid(3.f)));
  CHECK((*faces)[0].x + (*faces)[0].w / 2 == Approx(24.5f / 48).epsilon(1e-5));
  CHECK((*faces)[0].w == Approx(0.3f).epsilon(1e-5));
}

TEST_CASE("nn/mediapipe: letterbox geometry, padding and round trips") {
  auto wide = mp::FitLetterbox(200, 100, 128, 128);
  REQUIRE(wide);
  CHECK(wide->scale == Approx(0.64f));
  CHECK(wide->pad_x == 0.f);
  CHECK(wide->pad_y == Approx(32.f));
  auto tall = mp::FitLetterbox(100, 200, 192, 192);
  REQUIRE(tall);
  CHECK(tall->scale == Approx(0.96f));
  CHECK(tall->pad_x == Approx(48.f));
  CHECK(tall->pad_y == 0.f);
  auto same = mp::FitLetterbox(300, 300, 128, 128);
  REQUIRE(same);
  CHECK((same->pad_x == 0.f && same->pad_y == 0.f));

  for (const mp::Letterbox& lb : {*wide, *tall}) {
    for (std::array<float, 2> p : {std::array<float, 2>{37.25f, 81.5f}, {0.f, 0.f}, {99.f, 99.f}}) {
      const auto m = mp::ImageToModel(lb, p[0], p[1]);
      CHECK((m[0] >= 0.f && m[0] <= 1.f && m[1] >= 0.f && m[1] <= 1.f));
      const auto back = mp::ModelToImage(lb, m[0], m[1]);
      CHECK(back[0] == Approx(p[0]).epsilon(1e-5));
      CHECK(back[1] == Approx(p[1]).epsilon(1e-5));
    }
    const auto centre = mp::ModelToImage(lb, 0.5f, 0.5f);
    CHECK(centre[0] == Approx(lb.image_width / 2.f));
    CHECK(centre[1] == Approx(lb.image_height / 2.f));
  }
  // The model's top edge is in the border above a wide picture.
  CHECK(mp::ModelToImage(*wide, 0.f, 0.f)[1] == Approx(-50.f));
}

TEST_CASE("nn/mediapipe: PrepareInput fills the picture, the border and the value range") {
  // A 200x100 picture of one colour: the content rows hold it, the border is black (lo).
  std::vector<uint8_t> rgb(200 * 100 * 3);
  for (size_t i = 0; i < rgb.size(); i += 3) rgb[i] = 10, rgb[i + 1] = 128, rgb[i + 2] = 255;
  std::vector<float> t;
  auto lb = mp::PrepareInput(rgb.data(), rgb.size(), 200, 100, 128, 128, -1.f, 1.f, &t);
  REQUIRE(lb);
  REQUIRE(t.size() == 128 * 128 * 3);
  auto px = [&](int x, int y, int ch) { return t[(size_t(y) * 128 + size_t(x)) * 3 + size_t(ch)]; };
  for (int x : {0, 64, 127}) {
    CHECK(px(x, 0, 0) == -1.f);
    CHECK(px(x, 31, 2) == -1.f);
    CHECK(px(x, 32, 0) == Approx(-1.f + 2.f * 10 / 255));
    CHECK(px(x, 64, 1) == Approx(-1.f + 2.f * 128 / 255));
    CHECK(px(x, 95, 2) == Approx(1.f));
    CHECK(px(x, 96, 1) == -1.f);
    CHECK(px(x, 127, 1) == -1.f);
  }
  // Replicated border: the edge rows carry on.
  auto rep = mp::PrepareInput(rgb.data(), rgb.size(), 200, 100, 128, 128, 0.f, 1.f, &t, mp::Border::kReplicate);
  REQUIRE(rep);
  CHECK(px(5, 0, 2) == Approx(1.f));
  CHECK(px(5, 127, 0) == Approx(10.f / 255));

  // Same size: every value is its pixel, mapped to [0, 1].
  std::vector<uint8_t> grad(4 * 4 * 3);
  for (size_t i = 0; i < grad.size(); i++) grad[i] = uint8_t(i * 5);
  auto id = mp::PrepareInput(grad.data(), grad.size(), 4, 4, 4, 4, 0.f, 1.f, &t);
  REQUIRE(id);
  for (size_t i = 0; i < grad.size(); i++) CHECK(t[i] == Approx(float(grad[i]) / 255));
  // Half size: each model pixel's centre falls between two picture pixels on each axis.
  auto half = mp::PrepareInput(grad.data(), grad.size(), 4, 4, 2, 2, 0.f, 255.f, &t);
  REQUIRE(half);
  // Model pixel (0,0) samples at picture (1,1) in pixel units: the mean of pixels (0..1, 0..1).
  const float mean = (float(grad[0]) + float(grad[3]) + float(grad[12]) + float(grad[15])) / 4;
  CHECK(t[0] == Approx(mean));
}

TEST_CASE("nn/mediapipe: PrepareInput refuses bad sizes with a message") {
  std::vector<uint8_t> rgb(10 * 10 * 3, 7);
  std::vector<float> t;
  auto r = mp::PrepareInput(rgb.data(), rgb.size() - 1, 10, 10, 128, 128, -1.f, 1.f, &t);
  REQUIRE(!r);
  CHECK(r.status().message() == "letterbox: the picture has 299 bytes, expected 10x10x3 = 300");
  CHECK(mp::PrepareInput(rgb.data(), rgb.size(), 0, 10, 128, 128, -1.f, 1.f, &t).status().message().find(
            "picture size 0x10") != std::string::npos);
  CHECK(mp::PrepareInput(rgb.data(), rgb.size(), 10, 10, 0, 128, -1.f, 1.f, &t).status().message().find(
            "model input size 0x128") != std::string::npos);
  CHECK(!mp::PrepareInput(rgb.data(), rgb.size(), 10, 10, 128, 128, 1.f, 1.f, &t));
  CHECK(!mp::PrepareInput(rgb.data(), rgb.size(), 10, 10, 128, 128, std::nanf(""), 1.f, &t));
  CHECK(!mp::PrepareInput(nullptr, rgb.size(), 10, 10, 128, 128, -1.f, 1.f, &t));
  CHECK(!mp::PrepareInput(rgb.data(), rgb.size(), 10, 10, 128, 128, -1.f, 1.f, nullptr));
  CHECK(!mp::PrepareInput(rgb.data(), rgb.size(), 10, 10, 100000, 128, -1.f, 1.f, &t));
}

TEST_CASE("nn/mediapipe: detections mapped to the original picture and written as JSON") {
  auto lb = mp::FitLetterbox(200, 100, 128, 128);  // scale 0.64, 32 px border above and below
  REQUIRE(lb);
  // A box covering the picture's middle half: x 50..150, y 25..75 px.
  const auto tl = mp::ImageToModel(*lb, 50, 25), br = mp::ImageToModel(*lb, 150, 75);
  mp::Detection d = Box(0.87654f, tl[0], tl[1], br[0] - tl[0], br[1] - tl[1], {mp::ImageToModel(*lb, 100, 40)});
  const mp::Detection px = mp::MapDetection(d, *lb, mp::Coords::kImagePixels);
  CHECK(px.x == Approx(50.f));
  CHECK(px.y == Approx(25.f));
  CHECK(px.w == Approx(100.f));
  CHECK(px.h == Approx(50.f));
  CHECK(px.keypoints[0][0] == Approx(100.f));
  CHECK(px.keypoints[0][1] == Approx(40.f));
  const mp::Detection norm = mp::MapDetection(d, *lb, mp::Coords::kImageNormalized);
  CHECK(norm.x == Approx(0.25f));
  CHECK(norm.h == Approx(0.5f));
  CHECK(mp::MapDetection(d, *lb, mp::Coords::kModelNormalized).y == d.y);

  const nlohmann::json j = nlohmann::json::parse(fk::DumpJson(mp::DetectionsJson({d}, *lb, mp::Coords::kImagePixels)));
  REQUIRE(j.is_array());
  REQUIRE(j.size() == 1);
  CHECK(j[0]["score"].get<double>() == Approx(0.8765));
  REQUIRE(j[0]["box"].size() == 4);
  CHECK(j[0]["box"][0].get<double>() == Approx(50.0));
  CHECK(j[0]["box"][3].get<double>() == Approx(50.0));
  REQUIRE(j[0]["keypoints"].size() == 1);
  CHECK(j[0]["keypoints"][0][1].get<double>() == Approx(40.0));
  const nlohmann::json n = mp::DetectionsJson({d}, *lb, mp::Coords::kImageNormalized);
  CHECK(n[0]["box"][2].get<double>() == Approx(0.5));
  CHECK(mp::DetectionsJson({}, *lb, mp::Coords::kImagePixels).dump() == "[]");
}

TEST_CASE("nn/mediapipe: hand landmark outputs decode to presence, handedness and 21 landmarks") {
  const mp::HandLandmarkConfig c = mp::HandLandmark();
  std::vector<float> lm(63), world(63);
  for (int i = 0; i < 21; i++) {
    lm[size_t(3 * i)] = float(i) * 10.f;
    lm[size_t(3 * i + 1)] = 224.f - float(i) * 5.f;
    lm[size_t(3 * i + 2)] = float(i) * 2.f - 10.f;
    world[size_t(3 * i)] = 0.01f * float(i);
  }
  auto h = mp::DecodeHand(lm, std::vector<float>{0.9f}, std::vector<float>{0.2f}, world, c);
  REQUIRE(h);
  CHECK(h->present);
  CHECK(h->presence == Approx(0.9f));
  CHECK(h->handedness == "Right");  // Identity_2 is "Left"'s probability
  CHECK(h->handedness_score == Approx(0.8f));
  CHECK(h->landmarks[0][1] == Approx(1.f));
  CHECK(h->landmarks[20][0] == Approx(200.f / 224));
  CHECK(h->landmarks[20][1] == Approx(124.f / 224));
  CHECK(h->landmarks[20][2] == Approx(30.f / 224 / 0.4f));
  CHECK(h->world[20][0] == Approx(0.2f));

  auto left = mp::DecodeHand(lm, std::vector<float>{0.5f}, std::vector<float>{0.7f}, world, c);
  REQUIRE(left);
  CHECK(!left->present);  // presence must exceed the threshold
  CHECK(left->handedness == "Left");
  CHECK(left->handedness_score == Approx(0.7f));

  auto bad = mp::DecodeHand(std::vector<float>(42), std::vector<float>{0.9f}, std::vector<float>{0.2f}, world, c);
  REQUIRE(!bad);
  CHECK(bad.status().message() == "hand landmarks: the landmarks (Identity) output has 42 values, expected 63");
  CHECK(!mp::DecodeHand(lm, std::vector<float>{}, std::vector<float>{0.2f}, world, c));
  CHECK(!mp::DecodeHand(lm, std::vector<float>{0.9f}, std::vector<float>{0.2f, 0.8f}, world, c));
  CHECK(!mp::DecodeHand(lm, std::vector<float>{0.9f}, std::vector<float>{0.2f}, std::vector<float>(60), c));
}

TEST_CASE("nn/mediapipe: a decoded picture letterboxed for the hand model, its landmarks back on the picture as JSON") {
  // A 60x30 picture, left half red, right half blue, as fk::Image (what LoadImage returns).
  fk::Image img(60, 30);
  for (int y = 0; y < 30; y++)
    for (int x = 0; x < 60; x++) img.At(x, y)[x < 30 ? 0 : 2] = 255;
  const mp::HandLandmarkConfig c = mp::HandLandmark();
  std::vector<float> t;
  auto lb = mp::PrepareInput(img, c.input_width, c.input_height, c.input_lo, c.input_hi, &t, c.border);
  REQUIRE(lb);
  CHECK(lb->pad_y == Approx(56.f));  // 224 x 112 content, 56 rows above and below
  auto px = [&](int x, int y, int ch) { return t[(size_t(y) * 224 + size_t(x)) * 3 + size_t(ch)]; };
  CHECK(px(10, 0, 0) == Approx(1.f));    // replicated border: the red edge carries on
  CHECK(px(200, 223, 2) == Approx(1.f));
  CHECK(px(10, 100, 2) == 0.f);
  CHECK(px(100, 100, 0) == Approx(1.f));  // either side of the colour edge at model x = 112
  CHECK(px(120, 100, 2) == Approx(1.f));
  CHECK(px(112, 100, 0) == Approx(px(111, 100, 2)).epsilon(0.2));  // blended across it

  // A hand whose landmark i sits at model pixel (100 + i, 112), z = i.
  std::vector<float> lm(63), world(63, 0.f);
  for (int i = 0; i < 21; i++) lm[size_t(3 * i)] = 100.f + float(i), lm[size_t(3 * i + 1)] = 112.f, lm[size_t(3 * i + 2)] = float(i);
  auto h = mp::DecodeHand(lm, std::vector<float>{0.95f}, std::vector<float>{0.9f}, world, c);
  REQUIRE(h);
  const nlohmann::json j = nlohmann::json::parse(fk::DumpJson(mp::HandJson(*h, *lb, mp::Coords::kImagePixels)));
  CHECK(j["present"] == true);
  CHECK(j["handedness"] == "Left");
  REQUIRE(j["landmarks"].size() == 21);
  REQUIRE(j["world"].size() == 21);
  // Model pixel (100, 112) is picture pixel (100 / 3.7333, (112 - 56) / 3.7333) = (26.79, 15).
  CHECK(j["landmarks"][0][0].get<double>() == Approx(100.0 * 60 / 224).epsilon(1e-3));
  CHECK(j["landmarks"][0][1].get<double>() == Approx(15.0).epsilon(1e-3));
  // z on x's scale, in picture pixels: raw / 224 / 0.4 of the model width, times 60 / 224 pixels per model pixel.
  CHECK(j["landmarks"][20][2].get<double>() == Approx(20.0 / 0.4 * 60 / 224).epsilon(1e-3));
  const nlohmann::json n = mp::HandJson(*h, *lb, mp::Coords::kImageNormalized);
  CHECK(n["landmarks"][0][1].get<double>() == Approx(0.5).epsilon(1e-4));
}

TEST_CASE("nn/mediapipe: the hand skeleton joins all 21 landmarks, each finger base to tip") {
  const auto& edges = mp::HandConnections();
  REQUIRE(mp::HandLandmarkNames().size() == 21);
  std::set<std::pair<int, int>> seen;
  std::vector<int> degree(21, 0);
  for (const auto& e : edges) {
    REQUIRE((e[0] >= 0 && e[0] < 21 && e[1] >= 0 && e[1] < 21 && e[0] != e[1]));
    CHECK(seen.insert({std::min(e[0], e[1]), std::max(e[0], e[1])}).second);
    degree[size_t(e[0])]++, degree[size_t(e[1])]++;
  }
  // Every landmark reachable from the wrist.
  std::vector<bool> reached(21, false);
  reached[0] = true;
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& e : edges)
      if (reached[size_t(e[0])] != reached[size_t(e[1])]) reached[size_t(e[0])] = reached[size_t(e[1])] = grew = true;
  }
  for (int i = 0; i < 21; i++) CHECK_MESSAGE(reached[size_t(i)], "landmark " << i);
  for (int tip : {4, 8, 12, 16, 20}) CHECK(degree[size_t(tip)] == 1);  // tips end their finger
  for (int f = 0; f < 5; f++)
    for (int j = 1; j < 4; j++) CHECK(seen.count({1 + 4 * f + j - 1, 1 + 4 * f + j}) == 1);
  CHECK(mp::FaceKeypointNames().size() == size_t(mp::FaceFullRange().num_keypoints));
}

TEST_CASE("nn/mediapipe: the face configs carry MediaPipe's graph values") {
  const mp::FaceDetectorConfig s = mp::FaceShortRange(), f = mp::FaceFullRange();
  CHECK((s.input_width == 128 && s.input_height == 128 && s.num_boxes == 896 && s.min_score_thresh == 0.5f));
  CHECK((f.input_width == 192 && f.input_height == 192 && f.num_boxes == 2304 && f.min_score_thresh == 0.6f));
  for (const mp::FaceDetectorConfig& c : {s, f}) {
    CHECK((c.input_lo == -1.f && c.input_hi == 1.f && c.border == mp::Border::kZero));
    CHECK((c.num_coords == 16 && c.box_coord_offset == 0 && c.keypoint_coord_offset == 4 && c.num_keypoints == 6));
    CHECK((c.sigmoid_score && c.score_clipping_thresh == 100.f && c.reverse_output_order));
    CHECK((c.x_scale == float(c.input_width) && c.h_scale == float(c.input_height)));
    CHECK(c.min_suppression_threshold == 0.3f);
    CHECK((c.anchors.min_scale == 0.1484375f && c.anchors.max_scale == 0.75f && c.anchors.fixed_anchor_size));
  }
  const mp::HandLandmarkConfig h = mp::HandLandmark();
  CHECK((h.input_width == 224 && h.input_lo == 0.f && h.input_hi == 1.f && h.normalize_z == 0.4f));
}
