// [SECTION] Features (HOG cells, FHOG-style normalisation)
// [SECTION] Pyramid and scanning
// [SECTION] Training (logistic regression, hard-negative mining)
// [SECTION] Training phases (DetectorTrainer::State), in run order
// [SECTION] DetectorTrainer
#include "labels/detector.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "core/linalg.h"
#include "core/rng.h"
#include "kernels/f32_blas.h"
#include "labels/metrics.h"

namespace fk::labels {

const std::vector<ParamInfo<DetectorOptions>>& DetectorOptionTable() {
  using O = DetectorOptions;
  static const std::vector<ParamInfo<O>> kTable = {
      {"window_cells", "object area in HOG cells", &O::window_cells, 4, 4096},
      {"min_object", "smallest object side searched, px", &O::min_object, 4, 10000},
      {"max_object", "largest object side searched, px", &O::max_object, 4, 10000},
      {"scale_step", "between pyramid levels", &O::scale_step, 1.01, 4},
      {"nms_iou", "overlap above which the weaker box is dropped", &O::nms_iou, 0, 1},
      {"mining_rounds", "hard-negative mining rounds", &O::mining_rounds, 0, 100},
      {"epochs", "training passes", &O::epochs, 1, 10000},
      {"mining_cap", "hard negatives added per round", &O::mining_cap, 0, 10000000},
      {"l2", "weight decay", &O::l2, 0, 1000},
      {"calibration_folds", "folds that choose the threshold (0 or 1: none)", &O::calibration_folds, 0, 100},
      {"box_regression", "predict the box from the window's features (0/1)", &O::box_regression, 0, 1},
      {"box_ridge", "ridge strength of the box regression", &O::box_ridge, 0, 1e6},
      {"box_samples", "windows per class the box regression fits on", &O::box_samples, 1, 10000000},
      {"size_margin", "sizes searched around the training boxes' (0 = every size)", &O::size_margin, 0, 100},
      {"scale_with_image", "also the training sizes relative to the image's side (0/1)", &O::scale_with_image, 0, 1},
  };
  return kTable;
}

// [SECTION] Features (HOG cells, FHOG-style normalisation)

namespace {

constexpr int kBins = 9;

std::vector<float> ResizeGray(const std::vector<float>& g, int w, int h, int nw, int nh) {
  std::vector<float> out(size_t(nw) * size_t(nh));
  const float sx = float(w) / float(nw), sy = float(h) / float(nh);
  for (int y = 0; y < nh; y++) {
    const float fy = std::clamp((float(y) + 0.5f) * sy - 0.5f, 0.f, float(h - 1));
    const int y0 = std::min(int(fy), h - 2 < 0 ? 0 : h - 2);
    const float ty = std::min(fy - float(y0), 1.f);
    const int y1 = std::min(y0 + 1, h - 1);
    for (int x = 0; x < nw; x++) {
      const float fx = std::clamp((float(x) + 0.5f) * sx - 0.5f, 0.f, float(w - 1));
      const int x0 = std::min(int(fx), w - 2 < 0 ? 0 : w - 2);
      const float tx = std::min(fx - float(x0), 1.f);
      const int x1 = std::min(x0 + 1, w - 1);
      const float a = g[size_t(y0) * size_t(w) + size_t(x0)], b = g[size_t(y0) * size_t(w) + size_t(x1)];
      const float c = g[size_t(y1) * size_t(w) + size_t(x0)], d = g[size_t(y1) * size_t(w) + size_t(x1)];
      out[size_t(y) * size_t(nw) + size_t(x)] = (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
    }
  }
  return out;
}

float Sigmoid(float s) { return 1.f / (1.f + std::exp(-s)); }

// Box regression targets, R-CNN's parametrisation: centre offset in window
// sizes, log of the size ratio. Clamped: a window far off is not trusted to move far.
void BoxDelta(const Box& window, const Box& truth, float t[4]) {
  t[0] = (truth.left + 0.5f * truth.width - window.left - 0.5f * window.width) / window.width;
  t[1] = (truth.top + 0.5f * truth.height - window.top - 0.5f * window.height) / window.height;
  t[2] = std::log(truth.width / window.width);
  t[3] = std::log(truth.height / window.height);
}
Box ApplyBoxDelta(Box b, const float t[4]) {
  const float dx = std::clamp(t[0], -0.3f, 0.3f), dy = std::clamp(t[1], -0.3f, 0.3f);
  const float dw = std::clamp(t[2], -0.4f, 0.4f), dh = std::clamp(t[3], -0.4f, 0.4f);
  const float cx = b.left + (0.5f + dx) * b.width, cy = b.top + (0.5f + dy) * b.height;
  b.width *= std::exp(dw);
  b.height *= std::exp(dh);
  b.left = cx - 0.5f * b.width;
  b.top = cy - 0.5f * b.height;
  return b;
}

std::string FormatFloat(float v, int digits = 2) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, double(v));
  return buf;
}

}  // namespace

FeatureMap ComputeFeatures(const std::vector<float>& gray, int width, int height, int cell, float grad_scale) {
  FeatureMap m;
  m.cw = width / cell;
  m.ch = height / cell;
  if (m.cw < 1 || m.ch < 1) return m;
  std::vector<float> hist(size_t(m.cw) * size_t(m.ch) * kBins, 0.f);
  std::vector<float> mag_sum(size_t(m.cw) * size_t(m.ch), 0.f), mag_max(size_t(m.cw) * size_t(m.ch), 0.f);
  // Unsigned orientation (contrast polarity does not matter: logos come in any colour).
  for (int y = 1; y < m.ch * cell && y < height - 1; y++) {
    const float* row = &gray[size_t(y) * size_t(width)];
    const int cy = y / cell;
    for (int x = 1; x < m.cw * cell && x < width - 1; x++) {
      const float gx = row[x + 1] - row[x - 1];
      const float gy = row[x + width] - row[x - width];
      const float mag = std::sqrt(gx * gx + gy * gy);
      if (mag < 1e-4f) continue;
      const size_t ci = size_t(cy) * size_t(m.cw) + size_t(x / cell);
      mag_sum[ci] += mag;
      mag_max[ci] = std::max(mag_max[ci], mag);
      float ang = std::atan2(gy, gx);
      if (ang < 0) ang += 3.14159265f;
      const float pos = ang * (float(kBins) / 3.14159265f) - 0.5f;
      int b0 = int(std::floor(pos));
      const float t = pos - float(b0);
      const int b1 = (b0 + 1 + kBins) % kBins;
      b0 = (b0 + kBins) % kBins;
      float* hc = &hist[(size_t(cy) * size_t(m.cw) + size_t(x / cell)) * kBins];
      hc[b0] += mag * (1 - t);
      hc[b1] += mag * t;
    }
  }
  std::vector<float> energy(size_t(m.cw) * size_t(m.ch));
  for (size_t i = 0; i < energy.size(); i++) {
    float e = 0;
    for (int b = 0; b < kBins; b++) e += hist[i * kBins + size_t(b)] * hist[i * kBins + size_t(b)];
    energy[i] = e;
  }
  auto E = [&](int x, int y) {
    x = std::clamp(x, 0, m.cw - 1);
    y = std::clamp(y, 0, m.ch - 1);
    return energy[size_t(y) * size_t(m.cw) + size_t(x)];
  };
  m.f.assign(size_t(m.cw) * size_t(m.ch) * kFeat, 0.f);
  for (int y = 0; y < m.ch; y++) {
    for (int x = 0; x < m.cw; x++) {
      float inv[4];
      int k = 0;
      for (int by = -1; by <= 0; by++)
        for (int bx = -1; bx <= 0; bx++)
          inv[k++] = 1.f / std::sqrt(E(x + bx, y + by) + E(x + bx + 1, y + by) + E(x + bx, y + by + 1) +
                                     E(x + bx + 1, y + by + 1) + 1e-4f);
      const float* h = &hist[(size_t(y) * size_t(m.cw) + size_t(x)) * kBins];
      float* out = &m.f[(size_t(y) * size_t(m.cw) + size_t(x)) * kFeat];
      for (int b = 0; b < kBins; b++) {
        float s = 0;
        for (int q = 0; q < 4; q++) {
          const float v = std::min(h[b] * inv[q], 0.2f);
          s += v;
          out[kBins + q] += v * 0.2357f;
        }
        out[b] = 0.5f * s;
      }
      const size_t ci = size_t(y) * size_t(m.cw) + size_t(x);
      out[kBins + 4] = std::min(1.f, mag_sum[ci] * grad_scale / float(cell * cell) * 4.f);
      out[kBins + 5] = std::min(1.f, mag_max[ci] * grad_scale * 1.5f);
    }
  }
  return m;
}

// [SECTION] Pyramid and scanning

std::vector<float> Detector::LevelScales(const Image& img) const {
  std::vector<float> scales;
  if (models_.empty() || img.empty()) return scales;
  // Levels put objects of min..max_object px onto the windows' inner size.
  int inner_lo = 1 << 30, inner_hi = 0;
  for (const ClassModel& m : models_) {
    const int inner = std::max(m.wc, m.hc) - 2;
    inner_lo = std::min(inner_lo, inner);
    inner_hi = std::max(inner_hi, inner);
  }
  const float f_hi = float(inner_hi * opt_.cell) / opt_.min_object;
  const float f_lo = float(inner_lo * opt_.cell) / opt_.max_object;
  for (float f = f_hi; f >= f_lo * 0.999f; f /= opt_.scale_step) {
    const int nw = int(std::lround(float(img.width) * f)), nh = int(std::lround(float(img.height) * f));
    if (nw < 3 * opt_.cell || nh < 3 * opt_.cell) break;
    scales.push_back(f);
  }
  return scales;
}

// Relative to the picture when the model has that range: for pictures the
// size of the training ones it is the absolute range; for a larger photo the
// absolute one would only look for logos far smaller (relative) than any it
// was shown, which on a 4x photo gave mostly false positives (measured).
bool Detector::SideAllowed(const ClassModel& m, float side, float image_side) const {
  if (opt_.scale_with_image && m.max_rel > 0 && image_side != m.train_side)
    return side >= m.min_rel * image_side && side <= m.max_rel * image_side;
  return side >= m.min_side && side <= m.max_side;  // (the same range for a picture the training ones' size)
}

std::vector<float> Detector::DetectScales(const Image& img) const {
  std::vector<float> out;
  if (models_.empty() || img.empty()) return out;
  const float image_side = float(std::max(img.width, img.height));
  float largest = 0;  // the largest side some class reports here
  int inner_lo = 1 << 30;
  for (const ClassModel& m : models_) {
    largest = std::max(largest, opt_.scale_with_image && m.max_rel > 0 ? m.max_rel * image_side
                                                                       : std::min(m.max_side, opt_.max_object));
    inner_lo = std::min(inner_lo, std::max(m.wc, m.hc) - 2);
  }
  std::vector<float> scales = LevelScales(img);
  if (scales.empty()) return out;
  const float f_lo = float(inner_lo * opt_.cell) / largest;
  for (float f = scales.back() / opt_.scale_step; largest > 0 && f >= f_lo * 0.999f; f /= opt_.scale_step) {
    const int nw = int(std::lround(float(img.width) * f)), nh = int(std::lround(float(img.height) * f));
    if (nw < 3 * opt_.cell || nh < 3 * opt_.cell) break;
    scales.push_back(f);
  }
  for (float f : scales) {
    // BuildLevel rounds the level's size: the side is taken at the level's actual scale.
    const float fa = float(std::lround(float(img.width) * f)) / float(img.width);
    bool any = false;
    for (const ClassModel& m : models_)
      any = any || SideAllowed(m, float(std::max(m.wc, m.hc) - 2) * float(opt_.cell) / fa, image_side);
    if (any) out.push_back(f);
  }
  return out;
}

Detector::Level Detector::BuildLevel(const std::vector<float>& gray, int width, int height, float f) const {
  const int nw = int(std::lround(float(width) * f)), nh = int(std::lround(float(height) * f));
  Level lv;
  lv.f = float(nw) / float(width);
  lv.image_side = float(std::max(width, height));
  lv.map = ComputeFeatures(ResizeGray(gray, width, height, nw, nh), nw, nh, opt_.cell, std::max(1.f, lv.f));
  return lv;
}

std::vector<Detector::Level> Detector::Pyramid(const Image& img) const {
  std::vector<Level> levels;
  const std::vector<float> scales = LevelScales(img);
  if (scales.empty()) return levels;
  const std::vector<float> gray = ToGray(img);
  for (float f : scales) levels.push_back(BuildLevel(gray, img.width, img.height, f));
  return levels;
}

Box Detector::WindowBox(const ClassModel& m, const Level& lv, int x, int y) const {
  const float c = float(opt_.cell) / lv.f;
  return Box{float(x + 1) * c, float(y + 1) * c, float(m.wc - 2) * c, float(m.hc - 2) * c, 0, 0, false};
}

void Detector::Scan(const ClassModel& m, int c, const Level& lv, float min_score, std::vector<Box>* out,
                    bool regress) const {
  static const kernels::F32DotFn dot = kernels::BestF32Blas().dot;
  const FeatureMap& fm = lv.map;
  const size_t row = size_t(m.wc) * kFeat;
  const size_t dim = row * size_t(m.hc);
  regress = regress && m.reg.size() == 4 * dim;
  const float side = float(std::max(m.wc, m.hc) - 2) * float(opt_.cell) / lv.f;
  if (regress && !SideAllowed(m, side, lv.image_side)) return;
  for (int y = 0; y + m.hc <= fm.ch; y++) {
    for (int x = 0; x + m.wc <= fm.cw; x++) {
      float s = m.b;
      for (int j = 0; j < m.hc; j++)
        s += dot(&m.w[size_t(j) * row], &fm.f[(size_t(y + j) * size_t(fm.cw) + size_t(x)) * kFeat], row);
      if (s < min_score) continue;
      Box b = WindowBox(m, lv, x, y);
      if (regress) {
        float t[4];
        for (int k = 0; k < 4; k++) {
          t[k] = m.reg_b[k];
          for (int j = 0; j < m.hc; j++)
            t[k] += dot(&m.reg[size_t(k) * dim + size_t(j) * row],
                        &fm.f[(size_t(y + j) * size_t(fm.cw) + size_t(x)) * kFeat], row);
        }
        b = ApplyBoxDelta(b, t);
      }
      b.class_id = c;
      b.confidence = s;  // raw score; callers map it through the sigmoid
      out->push_back(b);
    }
  }
}

bool Detector::DetectStep(const Image& img, DetectState* st) const {
  if (!trained()) return true;
  if (st->gray.empty() && st->next == 0) {
    st->scales = DetectScales(img);
    st->gray = ToGray(img);
    st->raw.clear();
  }
  if (st->next < st->scales.size()) {
    const float min_score = std::log(opt_.min_confidence / (1 - opt_.min_confidence));
    const Level lv = BuildLevel(st->gray, img.width, img.height, st->scales[st->next++]);
    for (size_t c = 0; c < models_.size(); c++) Scan(models_[c], int(c), lv, min_score, &st->raw, true);
    if (st->next < st->scales.size()) return false;
  }
  for (Box& b : st->raw) {
    const ClassModel& m = models_[size_t(b.class_id)];
    b.confidence = Sigmoid(m.cal_a * b.confidence + m.cal_b);
  }
  std::vector<Box> kept = Nms(std::move(st->raw), opt_.nms_iou, false);
  st->boxes.clear();
  for (Box& b : kept)
    if (ClipBox(&b, img.width, img.height)) st->boxes.push_back(b);
  st->raw.clear();
  st->gray.clear();
  st->next = 0;
  return true;
}

std::vector<Box> Detector::Detect(const Image& img) const {
  DetectState st;
  while (!DetectStep(img, &st)) {
  }
  return st.boxes;
}

// [SECTION] Training (logistic regression, hard-negative mining)

namespace {

struct Sample {
  std::vector<float> x;
  float y;  // 1 or 0
};

// Mini-batch Adam on logistic loss + L2. The optimiser state lives across
// calls (the trainer runs an epoch over several slices); lr decays as
// 1/sqrt(epoch). Returns true when the epoch is complete.
struct Adam {
  std::vector<float> m1, m2;
  int t = 0;
  int epoch = 0;
  std::vector<size_t> order;  // this epoch's shuffled sample order
  size_t cursor = 0;          // next sample of the epoch
};

bool FitLogisticChunk(const std::vector<Sample>& data, float l2, uint64_t seed, std::vector<float>* w, float* b,
                      Adam* adam, size_t max_samples) {
  if (data.empty()) return true;
  const size_t d = w->size();
  size_t npos = 0;
  for (auto& s : data) npos += s.y > 0.5f;
  const size_t nneg = data.size() - npos;
  // Positives weighted up only mildly: full balancing inflates the confidence
  // of every near-miss window and the 0.5 threshold stops meaning anything.
  const float wpos = npos && nneg ? std::min(4.f, float(nneg) / float(npos)) : 1.f;
  const float wneg = 1.f;
  if (adam->m1.size() != d + 1) {
    adam->m1.assign(d + 1, 0.f);
    adam->m2.assign(d + 1, 0.f);
    adam->t = 0;
  }
  if (adam->cursor == 0 || adam->order.size() != data.size()) {
    adam->order.resize(data.size());
    for (size_t i = 0; i < adam->order.size(); i++) adam->order[i] = i;
    Rng rng(seed);
    for (size_t i = adam->order.size(); i > 1; i--) std::swap(adam->order[i - 1], adam->order[rng.Below(uint32_t(i))]);
    adam->cursor = 0;
  }
  std::vector<float>& m1 = adam->m1;
  std::vector<float>& m2 = adam->m2;
  const std::vector<size_t>& order = adam->order;
  std::vector<float> g(d + 1, 0.f);
  const float b1 = 0.9f, b2 = 0.999f;
  const size_t batch = 32;
  static const kernels::F32DotFn dot = kernels::BestF32Blas().dot;
  // SIMD g += err·x: as a plain loop it was a third of training time without auto-vectorisation
  // (the sanitizer build, -O1).
  static const kernels::F32AxpyFn axpy = kernels::BestF32Blas().axpy;
  const float lr = 0.01f / std::sqrt(1.f + float(adam->epoch));
  const size_t stop = std::min(order.size(), adam->cursor + std::max(batch, max_samples));
  for (size_t s0 = adam->cursor; s0 < stop; s0 += batch) {
    std::fill(g.begin(), g.end(), 0.f);
    const size_t s1 = std::min(order.size(), s0 + batch);
    for (size_t k = s0; k < s1; k++) {
      const Sample& s = data[order[k]];
      const float p = Sigmoid(dot(w->data(), s.x.data(), d) + *b);
      const float err = (p - s.y) * (s.y > 0.5f ? wpos : wneg);
      axpy(d, err, s.x.data(), g.data());
      g[d] += err;
    }
    const float inv = 1.f / float(s1 - s0);
    adam->t++;
    const float c1 = 1.f - std::pow(b1, float(adam->t)), c2 = 1.f - std::pow(b2, float(adam->t));
    for (size_t j = 0; j <= d; j++) {
      float gj = g[j] * inv + (j < d ? l2 * (*w)[j] : 0.f);
      m1[j] = b1 * m1[j] + (1 - b1) * gj;
      m2[j] = b2 * m2[j] + (1 - b2) * gj * gj;
      const float step = lr * (m1[j] / c1) / (std::sqrt(m2[j] / c2) + 1e-8f);
      if (j < d) (*w)[j] -= step;
      else *b -= step;
    }
    adam->cursor = s1;
  }
  if (adam->cursor < order.size()) return false;
  adam->cursor = 0;
  adam->epoch++;
  return true;
}

std::vector<float> WindowFeatures(const FeatureMap& fm, int x, int y, int wc, int hc) {
  std::vector<float> v(size_t(wc) * size_t(hc) * kFeat);
  for (int j = 0; j < hc; j++)
    std::copy_n(&fm.f[(size_t(y + j) * size_t(fm.cw) + size_t(x)) * kFeat], size_t(wc) * kFeat,
                &v[size_t(j) * size_t(wc) * kFeat]);
  return v;
}

}  // namespace

struct DetectorTrainer::State {
  // The phases in run order. Step() runs one bounded unit of the current
  // phase; the phase's method returns the phase that runs next (itself while
  // it has work left). Each class runs Collect .. FinishClass once, with
  // Mine and Refit alternating for mining_rounds rounds (fewer when nothing
  // is left to mine) and the Reg* phases only with box regression.
  enum class Phase {
    Setup,        // window shape and size range per class
    Features,     // one pyramid level of one image
    Collect,      // class c: training windows of one image
    Fit,          // class c: a slice of an epoch on the collected windows
    Mine,         // class c: hard negatives of one pyramid level
    Refit,        // class c: a slice of an epoch with the mined windows added
    RegCentre,    // class c, box regression: centre the sampled windows
    RegGram,      // ... a few rows of their Gram matrix
    RegSolve,     // ... the ridge solve
    FinishClass,  // class c: counts, data freed; next class or calibration
    CvTrain,      // calibration fold: one step of its trainer
    CvDetect,     // calibration fold: one pyramid level of a held-out image
    Done
  };

  Detector* d;
  std::vector<const Image*> images;
  std::vector<std::vector<Box>> truth;
  int num_classes;
  std::vector<std::vector<Detector::Level>> pyr;
  Phase phase = Phase::Setup;
  int c = 0;        // class being trained
  size_t i = 0;     // image index within a phase
  size_t lvl = 0;   // pyramid level within image i (features, mining)
  std::vector<float> scales, gray;  // image i's levels and grey pixels while its pyramid is built
  int epoch = 0;    // within Fit or Refit
  int round = 0;    // mining round of class c
  std::vector<Sample> data;
  std::vector<std::pair<float, Sample>> hard;
  Adam adam;
  Rng rng{1};
  // Box regression of class c: windows near its true boxes (a reservoir
  // sample), their targets, and the Gram matrix filled a few rows per step.
  std::vector<std::vector<float>> rx;
  std::vector<std::array<float, 4>> ry;
  size_t reg_seen = 0, gram_row = 0;
  std::vector<double> gram;
  std::vector<float> reg_mean;
  Rng reg_rng{2};
  // Calibration: fold f trains on images with i % folds != f and predicts the rest.
  int folds = 0, fold = 0;
  std::unique_ptr<Detector> fold_det;
  std::unique_ptr<DetectorTrainer> fold_trainer;
  Detector::DetectState detect;
  std::vector<std::vector<Box>> oof;  // out-of-fold predictions per image

  const DetectorOptions& opt() const { return d->opt_; }
  Detector::ClassModel& model() { return d->models_[size_t(c)]; }
  float MaxIoU(const Box& w, size_t img, bool same_class_only) const {
    float best = 0;
    for (const Box& t : truth[img])
      if (!same_class_only || t.class_id == c) best = std::max(best, IoU(w, t));
    return best;
  }

  Phase Run(Phase p, Status* error);
  Result<Phase> Setup();
  Phase Features();
  Phase Collect();
  Phase Fit();
  Phase Mine();
  Phase Refit();
  Phase RegCentre();
  Phase RegGram();
  Phase RegSolve();
  Phase FinishClass();
  Phase CvTrain();
  Phase CvDetect();

  // Helpers of the phases above.
  void CollectNear(const Detector::Level& lv, const Box& t, int nx, int ny);
  void OfferRegressionWindow(const Detector::Level& lv, int x, int y, const Box& t);
  bool FitSlice();                // one slice of an epoch; true when the epoch completed
  Phase NextRoundOrAfterMining();  // Mine while rounds are left, else what follows mining
  Phase AfterMining();            // box regression when there is enough to fit it, else FinishClass
  Phase StartCalibration();       // after the last class
  void StartFold();
  void FinishCalibration();       // after the last fold
};

// Platt scaling per class on out-of-fold detections: p(TP) = sigmoid(a*s + b)
// with s the raw window score (logit of the uncalibrated confidence). A few
// Newton steps on the logistic loss with a weak pull toward the identity
// (a=1, b=0): a class with few detections stays close to its raw scores.
// Rewrites `oof` confidences with the fit. False when no class had enough.
bool DetectorTrainer::FitScoreCalibration(const std::vector<std::vector<Box>>& truth,
                                          std::vector<std::vector<Box>>* oof,
                                          std::vector<Detector::ClassModel>* models) {
  const std::vector<ScoredBox> m = MatchPredictions(truth, *oof);
  bool any = false;
  auto logit = [](float p) {
    p = std::clamp(p, 1e-6f, 1.f - 1e-6f);
    return std::log(p / (1 - p));
  };
  for (size_t c = 0; c < models->size(); c++) {
    int tp = 0, fp = 0;
    for (const ScoredBox& x : m)
      if (x.class_id == int(c)) (x.tp ? tp : fp)++;
    if (tp < 3 || fp < 1) continue;
    double a = 1, b = 0;
    const double lambda = 1.0;
    for (int it = 0; it < 25; it++) {
      double ga = lambda * (a - 1), gb = lambda * b, haa = lambda, hab = 0, hbb = lambda;
      for (const ScoredBox& x : m) {
        if (x.class_id != int(c)) continue;
        const double sc = logit(x.confidence);
        const double p = 1 / (1 + std::exp(-(a * sc + b)));
        const double e = p - (x.tp ? 1 : 0), w = p * (1 - p);
        ga += e * sc;
        gb += e;
        haa += w * sc * sc;
        hab += w * sc;
        hbb += w;
      }
      const double det = haa * hbb - hab * hab;
      if (!(det > 1e-12)) break;
      const double da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
      a -= da;
      b -= db;
      if (std::abs(da) + std::abs(db) < 1e-6) break;
    }
    if (!(a > 0.05) || !std::isfinite(b)) continue;  // must stay increasing in the score
    (*models)[c].cal_a = float(a);
    (*models)[c].cal_b = float(b);
    any = true;
  }
  if (!any) return false;
  for (auto& img : *oof)
    for (Box& bx : img) {
      const Detector::ClassModel& cm = (*models)[size_t(bx.class_id)];
      bx.confidence = Sigmoid(cm.cal_a * logit(bx.confidence) + cm.cal_b);
    }
  return true;
}

// [SECTION] Training phases (DetectorTrainer::State), in run order

auto DetectorTrainer::State::Run(Phase p, Status* error) -> Phase {
  switch (p) {
    case Phase::Setup: {
      Result<Phase> next = Setup();
      if (!next) {
        *error = next.status();
        return Phase::Setup;
      }
      return *next;
    }
    case Phase::Features: return Features();
    case Phase::Collect: return Collect();
    case Phase::Fit: return Fit();
    case Phase::Mine: return Mine();
    case Phase::Refit: return Refit();
    case Phase::RegCentre: return RegCentre();
    case Phase::RegGram: return RegGram();
    case Phase::RegSolve: return RegSolve();
    case Phase::FinishClass: return FinishClass();
    case Phase::CvTrain: return CvTrain();
    case Phase::CvDetect: return CvDetect();
    case Phase::Done: return Phase::Done;
  }
  return Phase::Done;
}

auto DetectorTrainer::State::Setup() -> Result<Phase> {
  const DetectorOptions& o = opt();
  if (images.size() != truth.size()) return Status::Error("detector: images and labels differ in count");
  if (num_classes < 1) return Status::Error("detector: no classes");
  // Window shape per class from the median aspect of its boxes.
  std::vector<std::vector<float>> aspects(static_cast<size_t>(num_classes));
  for (auto& t : truth)
    for (const Box& b : t)
      if (b.class_id >= 0 && b.class_id < num_classes && b.height > 0)
        aspects[size_t(b.class_id)].push_back(b.width / b.height);
  d->models_.assign(size_t(num_classes), Detector::ClassModel{});
  for (int k = 0; k < num_classes; k++) {
    auto& a = aspects[size_t(k)];
    if (a.empty()) {
      d->models_.clear();
      return Status::Error("detector: no training boxes for class " + std::to_string(k));
    }
    std::nth_element(a.begin(), a.begin() + long(a.size() / 2), a.end());
    const float aspect = std::clamp(a[a.size() / 2], 0.25f, 4.f);
    Detector::ClassModel& m = d->models_[size_t(k)];
    m.wc = std::max(3, int(std::lround(std::sqrt(float(o.window_cells) * aspect)))) + 2;
    m.hc = std::max(3, int(std::lround(std::sqrt(float(o.window_cells) / aspect)))) + 2;
    m.w.assign(size_t(m.wc) * size_t(m.hc) * kFeat, 0.f);
    if (o.size_margin > 1.f) {
      float lo = 1e9f, hi = 0;
      for (auto& t : truth)
        for (const Box& b : t)
          if (b.class_id == k) {
            lo = std::min(lo, std::max(b.width, b.height));
            hi = std::max(hi, std::max(b.width, b.height));
          }
      m.min_side = lo / o.size_margin;
      m.max_side = hi * o.size_margin;
      float rlo = 1e9f, rhi = 0;
      m.train_side = 0;
      for (size_t i = 0; i < truth.size(); i++) {
        const float side = float(std::max(images[i]->width, images[i]->height));
        m.train_side = i == 0 || m.train_side == side ? side : -1.f;  // -1: the training pictures differ in size
        for (const Box& b : truth[i])
          if (b.class_id == k && side > 0) {
            rlo = std::min(rlo, std::max(b.width, b.height) / side);
            rhi = std::max(rhi, std::max(b.width, b.height) / side);
          }
      }
      if (rhi > 0) {
        m.min_rel = rlo / o.size_margin;
        m.max_rel = rhi * o.size_margin;
      }
    }
  }
  pyr.resize(images.size());
  i = 0;
  return Phase::Features;
}

// One pyramid level per step (a whole pyramid took up to 46 ms in the page).
auto DetectorTrainer::State::Features() -> Phase {
  if (i >= images.size()) {
    i = 0;
    c = 0;
    return Phase::Collect;
  }
  const Image& img = *images[i];
  if (lvl == 0) {
    scales = d->LevelScales(img);
    gray = scales.empty() ? std::vector<float>{} : ToGray(img);
    pyr[i].clear();
  }
  if (lvl < scales.size()) pyr[i].push_back(d->BuildLevel(gray, img.width, img.height, scales[lvl++]));
  if (lvl >= scales.size()) {
    lvl = 0;
    gray.clear();
    i++;
  }
  return Phase::Features;
}

// Class c's training windows of image i, at every level of its pyramid.
auto DetectorTrainer::State::Collect() -> Phase {
  if (i >= images.size()) {
    epoch = 0;
    return Phase::Fit;
  }
  const size_t img = i++;
  const Detector::ClassModel& m = model();
  for (const Detector::Level& lv : pyr[img]) {
    const int nx = lv.map.cw - m.wc + 1, ny = lv.map.ch - m.hc + 1;
    if (nx <= 0 || ny <= 0) continue;
    for (const Box& t : truth[img])
      if (t.class_id == c) CollectNear(lv, t, nx, ny);
    // Random negatives (the other class's logos included).
    for (int k = 0; k < 25; k++) {
      const int x = int(rng.Below(uint32_t(nx))), y = int(rng.Below(uint32_t(ny)));
      if (MaxIoU(d->WindowBox(m, lv, x, y), img, false) < 0.3f)
        data.push_back({WindowFeatures(lv.map, x, y, m.wc, m.hc), 0.f});
    }
  }
  return Phase::Collect;
}

// Positives: windows close to the true box t (jittered in position and scale
// by the pyramid); with box regression also a wider ring of windows, as it
// must learn to move windows that are off.
void DetectorTrainer::State::CollectNear(const Detector::Level& lv, const Box& t, int nx, int ny) {
  const DetectorOptions& o = opt();
  const Detector::ClassModel& m = model();
  const int x0 = int(t.left * lv.f / float(o.cell)) - 1, y0 = int(t.top * lv.f / float(o.cell)) - 1;
  for (int y = y0 - 1; y <= y0 + 1; y++)
    for (int x = x0 - 1; x <= x0 + 1; x++) {
      if (x < 0 || y < 0 || x >= nx || y >= ny) continue;
      if (IoU(d->WindowBox(m, lv, x, y), t) >= 0.6f) data.push_back({WindowFeatures(lv.map, x, y, m.wc, m.hc), 1.f});
    }
  if (!o.box_regression || t.width <= 0 || t.height <= 0) return;
  for (int y = y0 - 2; y <= y0 + 2; y++)
    for (int x = x0 - 2; x <= x0 + 2; x++)
      if (x >= 0 && y >= 0 && x < nx && y < ny) OfferRegressionWindow(lv, x, y, t);
}

// Reservoir sampling: every window near a true box has the same chance to be
// among the box_samples the regression fits on.
void DetectorTrainer::State::OfferRegressionWindow(const Detector::Level& lv, int x, int y, const Box& t) {
  const Detector::ClassModel& m = model();
  const Box w = d->WindowBox(m, lv, x, y);
  if (IoU(w, t) < 0.45f) return;
  std::array<float, 4> tg;
  BoxDelta(w, t, tg.data());
  const size_t cap = size_t(std::max(8, opt().box_samples));
  size_t slot = rx.size();
  if (slot >= cap) {
    slot = reg_rng.Below(uint32_t(reg_seen + 1));
  } else {
    rx.emplace_back();
    ry.emplace_back();
  }
  reg_seen++;
  if (slot >= cap) return;
  rx[slot] = WindowFeatures(lv.map, x, y, m.wc, m.hc);
  ry[slot] = tg;
}

// ~2000 samples per slice: a v2 epoch (~15k windows) spreads over several frames.
bool DetectorTrainer::State::FitSlice() {
  const DetectorOptions& o = opt();
  Detector::ClassModel& m = model();
  const uint64_t seed = o.seed + uint64_t(c) * 1000u + uint64_t(round) * 100u + uint64_t(epoch);
  if (!FitLogisticChunk(data, o.l2, seed, &m.w, &m.b, &adam, 2048)) return false;
  epoch++;
  return true;
}

auto DetectorTrainer::State::Fit() -> Phase {
  if (epoch < opt().epochs) {
    FitSlice();
    return Phase::Fit;
  }
  return NextRoundOrAfterMining();
}

auto DetectorTrainer::State::NextRoundOrAfterMining() -> Phase {
  if (round >= opt().mining_rounds) return AfterMining();
  i = 0;
  hard.clear();
  return Phase::Mine;
}

auto DetectorTrainer::State::AfterMining() -> Phase {
  return opt().box_regression && rx.size() >= 8 ? Phase::RegCentre : Phase::FinishClass;
}

// Hard negatives: confident windows that are not this class's objects, one
// pyramid level per step; then the most confident mining_cap join the data.
auto DetectorTrainer::State::Mine() -> Phase {
  const DetectorOptions& o = opt();
  if (i < images.size()) {
    const size_t img = i;
    if (lvl >= pyr[img].size()) {
      lvl = 0;
      i++;
      return Phase::Mine;
    }
    const Detector::ClassModel& m = model();
    const Detector::Level& lv = pyr[img][lvl++];
    std::vector<Box> hits;
    d->Scan(m, c, lv, -1.f, &hits);
    for (const Box& h : hits) {
      if (MaxIoU(h, img, true) >= 0.3f) continue;
      const int x = int(std::lround(h.left * lv.f / float(o.cell))) - 1;
      const int y = int(std::lround(h.top * lv.f / float(o.cell))) - 1;
      hard.push_back({h.confidence, {WindowFeatures(lv.map, x, y, m.wc, m.hc), 0.f}});
    }
    return Phase::Mine;
  }
  if (hard.empty()) return AfterMining();  // nothing confusing left: no further rounds
  std::sort(hard.begin(), hard.end(), [](auto& a, auto& b) { return a.first > b.first; });
  if (hard.size() > size_t(o.mining_cap)) hard.resize(size_t(o.mining_cap));
  for (auto& h : hard) data.push_back(std::move(h.second));
  hard.clear();
  epoch = 0;
  return Phase::Refit;
}

auto DetectorTrainer::State::Refit() -> Phase {
  if (epoch < std::max(1, opt().epochs / 2)) {
    FitSlice();
    return Phase::Refit;
  }
  round++;
  return NextRoundOrAfterMining();
}

// Kernel (dual) ridge regression: with a few hundred windows of ~1400
// features the n x n system is the small one. Centred, so no bias term is
// shrunk.
auto DetectorTrainer::State::RegCentre() -> Phase {
  const size_t n = rx.size(), dim = rx[0].size();
  reg_mean.assign(dim, 0.f);
  for (auto& x : rx)
    for (size_t j = 0; j < dim; j++) reg_mean[j] += x[j] / float(n);
  for (auto& x : rx)
    for (size_t j = 0; j < dim; j++) x[j] -= reg_mean[j];
  gram.assign(n * n, 0.0);
  gram_row = 0;
  return Phase::RegGram;
}

// Rows of the Gram matrix a few at a time (a step stays ~ms).
auto DetectorTrainer::State::RegGram() -> Phase {
  const size_t n = rx.size(), dim = rx[0].size();
  static const kernels::F32DotFn dot = kernels::BestF32Blas().dot;
  const size_t rows = std::max<size_t>(1, size_t(3e6) / (n * dim));
  for (size_t r = gram_row; r < std::min(n, gram_row + rows); r++)
    for (size_t k = 0; k <= r; k++) gram[r * n + k] = gram[k * n + r] = dot(rx[r].data(), rx[k].data(), dim);
  gram_row = std::min(n, gram_row + rows);
  return gram_row < n ? Phase::RegGram : Phase::RegSolve;
}

auto DetectorTrainer::State::RegSolve() -> Phase {
  const size_t n = rx.size(), dim = rx[0].size();
  static const kernels::F32DotFn dot = kernels::BestF32Blas().dot;
  std::array<double, 4> ymean{};
  for (auto& y : ry)
    for (int k = 0; k < 4; k++) ymean[size_t(k)] += y[size_t(k)] / double(n);
  double tr = 0;
  for (size_t r = 0; r < n; r++) tr += gram[r * n + r];
  const double lambda = std::max(1e-9, double(opt().box_ridge) * tr / double(n));
  for (size_t r = 0; r < n; r++) gram[r * n + r] += lambda;
  if (CholeskyFactor(gram.data(), n)) {  // else (not positive definite) the class keeps no regression
    Detector::ClassModel& m = model();
    m.reg.assign(4 * dim, 0.f);
    std::vector<double> a(n);
    for (int k = 0; k < 4; k++) {
      for (size_t r = 0; r < n; r++) a[r] = double(ry[r][size_t(k)]) - ymean[size_t(k)];
      CholeskySolve(gram.data(), n, a.data());
      float* w = &m.reg[size_t(k) * dim];
      for (size_t r = 0; r < n; r++)
        for (size_t j = 0; j < dim; j++) w[j] += float(a[r]) * rx[r][j];
      m.reg_b[k] = float(ymean[size_t(k)]) - dot(w, reg_mean.data(), dim);
    }
  }
  gram.clear();
  gram.shrink_to_fit();
  return Phase::FinishClass;
}

auto DetectorTrainer::State::FinishClass() -> Phase {
  Detector::ClassModel& m = model();
  m.positives = 0;
  for (auto& x : data) m.positives += x.y > 0.5f;
  m.negatives = int(data.size()) - m.positives;
  data.clear();
  rx.clear();
  ry.clear();
  reg_seen = 0;
  adam = Adam{};
  round = 0;
  i = 0;
  if (++c < num_classes) return Phase::Collect;
  return StartCalibration();
}

auto DetectorTrainer::State::StartCalibration() -> Phase {
  const DetectorOptions& o = opt();
  pyr.clear();
  d->threshold_ = o.default_threshold;
  d->calibration_ = "threshold " + FormatFloat(o.default_threshold) + " (default, not calibrated)";
  folds = std::min(o.calibration_folds, int(images.size()));
  if (folds < 2) return Phase::Done;
  fold = 0;
  oof.assign(images.size(), {});
  return Phase::CvTrain;
}

void DetectorTrainer::State::StartFold() {
  std::vector<const Image*> imgs;
  std::vector<std::vector<Box>> fold_truth;
  for (size_t k = 0; k < images.size(); k++)
    if (int(k % size_t(folds)) != fold) {
      imgs.push_back(images[k]);
      fold_truth.push_back(truth[k]);
    }
  DetectorOptions fo = opt();
  fo.calibration_folds = 0;
  fold_det = std::make_unique<Detector>(fo);
  fold_trainer = std::make_unique<DetectorTrainer>(fold_det.get(), std::move(imgs), std::move(fold_truth), num_classes);
}

auto DetectorTrainer::State::CvTrain() -> Phase {
  if (!fold_trainer) StartFold();
  Status st = fold_trainer->Step();
  if (!st) {  // e.g. a fold without any box of some class: keep the default threshold, say why
    d->calibration_ = "threshold " + FormatFloat(opt().default_threshold) + " (default: calibration fold " +
                      std::to_string(fold + 1) + " could not train: " + st.message() + ")";
    fold_trainer.reset();
    fold_det.reset();
    oof.clear();
    return Phase::Done;
  }
  if (!fold_trainer->Done()) return Phase::CvTrain;
  fold_trainer.reset();
  i = size_t(fold);
  detect = {};
  return Phase::CvDetect;
}

// The fold's held-out images (i = fold, fold + folds, ...), one pyramid level per step.
auto DetectorTrainer::State::CvDetect() -> Phase {
  if (i < images.size()) {
    if (fold_det->DetectStep(*images[i], &detect)) {
      oof[i] = std::move(detect.boxes);
      detect = {};
      i += size_t(folds);
    }
    return Phase::CvDetect;
  }
  fold_det.reset();
  if (++fold < folds) return Phase::CvTrain;
  FinishCalibration();
  return Phase::Done;
}

void DetectorTrainer::State::FinishCalibration() {
  const DetectorOptions& o = opt();
  std::string how = "threshold";
  if (o.calibrate_scores && FitScoreCalibration(truth, &oof, &d->models_)) how = "per-class score calibration and threshold";
  const Evaluation e = Evaluate(truth, oof, o.default_threshold, num_classes);
  if (e.assumed.tp > 0) {
    d->threshold_ = e.assumed_threshold;
    // What a reviewer would accept as is (a proxy measured on the training images only).
    const Evaluation tight = Evaluate(truth, oof, d->threshold_, num_classes, 0.7f);
    d->calibration_ = "threshold " + FormatFloat(d->threshold_) + " (" + how + ") from " + std::to_string(folds) +
                      "-fold CV on " + std::to_string(images.size()) + " training images (out-of-fold F1 " +
                      FormatFloat(float(e.assumed.f1), 3) + ", " + FormatFloat(float(100 * tight.overall.precision), 0) +
                      " % of its boxes within IoU 0.7 of a true box)";
  } else {
    d->calibration_ = "threshold " + FormatFloat(o.default_threshold) + " (default: no out-of-fold detection matched a box)";
  }
  oof.clear();
}

// [SECTION] DetectorTrainer

DetectorTrainer::DetectorTrainer(Detector* d, std::vector<const Image*> images, std::vector<std::vector<Box>> truth,
                                 int num_classes)
    : s_(std::make_unique<State>()) {
  s_->d = d;
  s_->images = std::move(images);
  s_->truth = std::move(truth);
  s_->num_classes = num_classes;
  s_->rng = Rng(d->opt_.seed);
  // Known from the start, so Progress() gives the main model its share from
  // the first step (StartCalibration sets the same value).
  s_->folds = std::min(d->opt_.calibration_folds, int(s_->images.size()));
}
DetectorTrainer::~DetectorTrainer() = default;
bool DetectorTrainer::Done() const { return s_->phase == State::Phase::Done; }

Status DetectorTrainer::Step() {
  Status error;
  s_->phase = s_->Run(s_->phase, &error);
  return error;
}

float DetectorTrainer::Progress() const {
  using P = State::Phase;
  const State& s = *s_;
  if (s.phase == P::Done) return 1.f;
  // The main model is one share, each calibration fold (k-1)/k of one (it
  // trains on that part of the images) plus its detection pass.
  const float k = float(s.folds);
  const float main_share = s.folds > 1 ? 1.f / (1.f + k - 1.f) : 1.f;
  if (s.phase == P::CvTrain || s.phase == P::CvDetect) {
    float in_fold = 0;
    if (s.phase == P::CvTrain && s.fold_trainer) in_fold = 0.9f * s.fold_trainer->Progress();
    if (s.phase == P::CvDetect) in_fold = 0.9f + 0.1f * float(std::min(s.i, s.images.size())) / float(std::max<size_t>(1, s.images.size()));
    return main_share + (1.f - main_share) * (float(s.fold) + in_fold) / k;
  }
  if (s.phase == P::Setup || s.phase == P::Features)
    return main_share * 0.1f * float(s.i) / float(std::max<size_t>(1, s.images.size()));
  const DetectorOptions& o = s.d->opt_;
  // Per class: collect, fit, mining rounds (scan + fit) in equal-ish parts;
  // box regression and finishing count as the class's end.
  const float parts = 2.f + 2.f * float(o.mining_rounds);
  float part = parts;
  const float n = float(std::max<size_t>(1, s.images.size()));
  if (s.phase == P::Collect) part = float(s.i) / n;
  if (s.phase == P::Fit) part = 1.f + float(s.epoch) / float(std::max(1, o.epochs));
  if (s.phase == P::Mine) part = 2.f + 2.f * float(s.round) + float(s.i) / n;
  if (s.phase == P::Refit) part = 3.f + 2.f * float(s.round) + float(s.epoch) / float(std::max(1, o.epochs / 2));
  part = std::min(part, parts);
  return main_share * (0.1f + 0.9f * (float(s.c) + part / parts) / float(std::max(1, s.num_classes)));
}

std::string DetectorTrainer::Stage() const {
  using P = State::Phase;
  const State& s = *s_;
  const std::string cls = "class " + std::to_string(s.c);
  const std::string fold = "calibration fold " + std::to_string(s.fold + 1) + "/" + std::to_string(s.folds) + ": ";
  switch (s.phase) {
    case P::Setup: return "setup";
    case P::Features: return "features " + std::to_string(s.i) + "/" + std::to_string(s.images.size());
    case P::Collect: return cls + " samples";
    case P::Fit: return cls + " epoch " + std::to_string(s.epoch);
    case P::Mine: return cls + " mining round " + std::to_string(s.round + 1);
    case P::Refit: return cls + " refit " + std::to_string(s.round + 1);
    case P::RegCentre:
    case P::RegGram:
    case P::RegSolve: return cls + " box regression";
    case P::FinishClass: return cls + " done";
    case P::CvTrain: return fold + (s.fold_trainer ? s.fold_trainer->Stage() : std::string("setup"));
    case P::CvDetect: return fold + "detect";
    case P::Done: return "done";
  }
  return "";
}

Status Detector::Train(const std::vector<const Image*>& images, const std::vector<std::vector<Box>>& truth,
                       int num_classes) {
  DetectorTrainer t(this, images, truth, num_classes);
  while (!t.Done()) {
    Status st = t.Step();
    if (!st) return st;
  }
  return Status::Ok();
}

std::string Detector::Describe() const {
  std::string s;
  for (size_t c = 0; c < models_.size(); c++) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%sclass %zu: %dx%d cells, %d pos / %d neg", c ? "; " : "", c, models_[c].wc - 2,
                  models_[c].hc - 2, models_[c].positives, models_[c].negatives);
    s += buf;
  }
  if (!models_.empty()) s += "; " + calibration_;
  return s;
}

}  // namespace fk::labels
