// [SECTION] Frame sources and the simulation writer
// [SECTION] The hand cue
// [SECTION] Reaches, the tracker, events
// [SECTION] The steppable model
#include "checkout/pipeline.h"

#include <algorithm>
#include <array>
#include <map>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "checkout/sim.h"
#include "core/clock.h"
#include "core/file.h"
#include "labels/generate.h"
#include "labels/manifest.h"

namespace fk::checkout {

double UnitPrice(const std::string& item) {
  if (item == "smile") return 2.49;
  if (item == "cloud") return 1.99;
  return 1.00;
}

// [SECTION] Frame sources and the simulation writer

namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

class DirFrames : public FrameSource {
 public:
  DirFrames(std::string dir, std::vector<std::string> files, std::optional<std::vector<Event>> truth)
      : dir_(std::move(dir)), files_(std::move(files)), truth_(std::move(truth)) {}
  int count() const override { return int(files_.size()); }
  Result<Image> Get(int i) override {
    const std::string path = dir_ + "/" + files_[size_t(i)];
    auto img = LoadImage(path);
    if (!img) return img.status();
    if (img->width < 32 || img->height < 32) return Status::Error(path + ": a frame of " + std::to_string(img->width) + "x" +
                                                                  std::to_string(img->height) + " px is too small (32x32 at least)");
    if (i > 0 && (img->width != w_ || img->height != h_))
      return Status::Error(path + ": " + std::to_string(img->width) + "x" + std::to_string(img->height) +
                           " px, the frames before it are " + std::to_string(w_) + "x" + std::to_string(h_));
    w_ = img->width;
    h_ = img->height;
    return img;
  }
  const std::optional<std::vector<Event>>& truth() const override { return truth_; }
  std::string name() const override { return dir_; }

 private:
  std::string dir_;
  std::vector<std::string> files_;
  std::optional<std::vector<Event>> truth_;
  int w_ = 0, h_ = 0;
};

class SimFrames : public FrameSource {
 public:
  explicit SimFrames(const SimOptions& o) : sim_(o), truth_(sim_.events()), seed_(o.seed) {}
  int count() const override { return sim_.frame_count(); }
  Result<Image> Get(int i) override { return sim_.Render(i); }
  const std::optional<std::vector<Event>>& truth() const override { return truth_; }
  std::string name() const override { return "seed " + std::to_string(seed_); }

 private:
  ShelfSim sim_;
  std::optional<std::vector<Event>> truth_;
  uint64_t seed_;
};

}  // namespace

Result<std::unique_ptr<FrameSource>> OpenFrameDir(const std::string& dir) {
  auto entries = ListDir(dir);
  if (!entries) return entries.status();
  std::vector<std::string> files;
  for (const DirEntry& e : *entries)
    if (!e.is_dir && EndsWith(e.name, ".png")) files.push_back(e.name);
  if (files.empty()) return Status::Error(dir + ": no frames (NNNNNN.png) in this folder");
  std::optional<std::vector<Event>> truth;
  const std::string ev = dir + "/events.jsonl";
  std::error_code ec;
  if (std::filesystem::exists(ev, ec)) {
    auto t = ReadEventsJsonl(ev);
    if (!t) return t.status();
    truth = std::move(*t);
  }
  return std::unique_ptr<FrameSource>(new DirFrames(dir, std::move(files), std::move(truth)));
}

std::unique_ptr<FrameSource> SimulatedFrames(const SimOptions& o) { return std::make_unique<SimFrames>(o); }

Image ScaleToWidth(const Image& img, int width) {
  if (img.empty() || width <= 0 || width >= img.width) return img;
  Image out;
  out.width = width;
  out.height = std::max(1, int(std::lround(double(img.height) * width / img.width)));
  out.rgb.resize(size_t(out.width) * size_t(out.height) * 3);
  const double sx = double(img.width) / out.width, sy = double(img.height) / out.height;
  for (int y = 0; y < out.height; y++) {
    const int y0 = int(y * sy), y1 = std::max(y0 + 1, std::min(img.height, int((y + 1) * sy)));
    for (int x = 0; x < out.width; x++) {
      const int x0 = int(x * sx), x1 = std::max(x0 + 1, std::min(img.width, int((x + 1) * sx)));
      int sum[3] = {0, 0, 0};
      for (int v = y0; v < y1; v++)
        for (int u = x0; u < x1; u++)
          for (int k = 0; k < 3; k++) sum[k] += img.rgb[(size_t(v) * size_t(img.width) + size_t(u)) * 3 + size_t(k)];
      const int n = (y1 - y0) * (x1 - x0);
      for (int k = 0; k < 3; k++)
        out.rgb[(size_t(y) * size_t(out.width) + size_t(x)) * 3 + size_t(k)] = uint8_t((sum[k] + n / 2) / n);
    }
  }
  return out;
}

Region ContentRegion(const Image& f, int tolerance) {
  Region r{0, 0, f.width, f.height};
  if (f.empty()) return r;
  // Whether pixels (x, y) for t in [0, n) along (dx, dy) from (x0, y0) are all within tolerance of `ref`.
  auto flat = [&](int x0, int y0, int dx, int dy, int n, const uint8_t* ref) {
    for (int t = 0; t < n; t++) {
      const uint8_t* p = f.At(x0 + t * dx, y0 + t * dy);
      for (int k = 0; k < 3; k++)
        if (std::abs(int(p[k]) - int(ref[k])) > tolerance) return false;
    }
    return true;
  };
  const int max_x = f.width / 3, max_y = f.height / 3;
  int left = 0, right = 0, top = 0, bottom = 0;
  while (left < max_x && flat(left, 0, 0, 1, f.height, f.At(0, 0))) left++;
  while (right < max_x && flat(f.width - 1 - right, 0, 0, 1, f.height, f.At(f.width - 1, 0))) right++;
  while (top < max_y && flat(0, top, 1, 0, f.width, f.At(0, 0))) top++;
  while (bottom < max_y && flat(0, f.height - 1 - bottom, 1, 0, f.width, f.At(0, f.height - 1))) bottom++;
  // A bar is a few pixels at least (one flat edge row can be a clipped highlight); its anti-aliased edge
  // (the scaled frame's blend of bar and picture) goes with it.
  auto cut = [](int n) { return n >= 3 ? n + 1 : 0; };
  r.x = cut(left);
  r.y = cut(top);
  r.w = std::max(1, f.width - r.x - cut(right));
  r.h = std::max(1, f.height - r.y - cut(bottom));
  return r;
}

void LiveFrames::Push(const Image& frame) {
  if (frame.empty() || closed_) return;
  frames_.push_back(ScaleToWidth(frame, kWidth));
}

Result<Image> LiveFrames::Get(int i) {
  if (i < first_ || i >= count()) return Status::Error("camera: frame " + std::to_string(i) + " is not there");
  // The pipeline asks in order: what comes before i is done with.
  frames_.erase(frames_.begin(), frames_.begin() + (i - first_));
  first_ = i + 1;
  Image img = std::move(frames_.front());
  frames_.erase(frames_.begin());
  return img;
}

struct SimulationWriter::State {
  ShelfSim sim;
  std::string dir;
  int next = -1;  // -1: the folder is not made yet
  bool done = false;
};

SimulationWriter::SimulationWriter(const SimOptions& o, std::string dir) : s_(new State{ShelfSim(o), std::move(dir)}) {}
SimulationWriter::~SimulationWriter() = default;
int SimulationWriter::frames() const { return s_->sim.frame_count(); }
int SimulationWriter::events() const { return int(s_->sim.events().size()); }
float SimulationWriter::Progress() const {
  return s_->done ? 1.f : float(std::max(0, s_->next)) / float(s_->sim.frame_count() + 1);
}

bool SimulationWriter::Step() {
  State& s = *s_;
  if (s.done || !status_) return true;
  if (s.next < 0) {
    status_ = MakeDirs(s.dir);
    s.next = 0;
    if (!status_) return true;
    return false;
  }
  if (s.next < s.sim.frame_count()) {
    char name[32];
    std::snprintf(name, sizeof name, "/%06d.png", s.next);
    status_ = SavePng(s.sim.Render(s.next), s.dir + name);
    s.next++;
    return !status_;
  }
  // The truth last: a folder cut short has frames but no events.jsonl.
  const std::string path = s.dir + "/events.jsonl";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    status_ = Status::Error(path + ": cannot write");
    return true;
  }
  const std::string text = EventsToJsonl(s.sim.events());
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok) status_ = Status::Error(path + ": write error");
  s.done = true;
  return true;
}

namespace {

// The k-th of a seed's per_seed photos: evenly spread, the next hand-free frame from there (none past the end).
std::optional<ShelfPhoto> PhotoOf(const ShelfSim& sim, int k, int per_seed) {
  const int n = sim.frame_count();
  int f = int((int64_t(n) * k) / std::max(1, per_seed));
  while (f < n && sim.HandVisible(f)) f++;
  if (f >= n) return std::nullopt;
  const Image full = sim.Render(f);
  const int rows = ShelfSim::kHeight * 152 / 240;
  ShelfPhoto p;
  p.seed = sim.options().seed;
  p.frame = f;
  p.image = Image(full.width, rows);
  std::copy(full.rgb.begin(), full.rgb.begin() + std::ptrdiff_t(size_t(rows) * size_t(full.width) * 3), p.image.rgb.begin());
  p.boxes = sim.LogoBoxes(f);
  return p;
}

}  // namespace

std::vector<ShelfPhoto> ShelfPhotos(uint64_t seed, int per_seed) {
  std::vector<ShelfPhoto> out;
  SimOptions o;
  o.seed = seed;
  const ShelfSim sim(o);
  for (int k = 0; k < per_seed; k++)
    if (auto p = PhotoOf(sim, k, per_seed)) out.push_back(std::move(*p));
  return out;
}

Status WriteProductPhotos(const std::vector<uint64_t>& seeds, int per_seed, const std::string& dir, std::string* summary) {
  Status st = MakeDirs(dir);
  if (!st) return st;
  labels::Manifest m;
  for (size_t k = 0; k < labels::LogoClassNames().size(); k++) m.class_map[int(k)] = labels::LogoClassNames()[k];
  int logos = 0;
  for (uint64_t seed : seeds) {
    for (ShelfPhoto& p : ShelfPhotos(seed, per_seed)) {
      const Image& img = p.image;
      char name[64];
      std::snprintf(name, sizeof name, "%llu_%06d.png", static_cast<unsigned long long>(seed), p.frame);
      if (!(st = SavePng(img, dir + "/" + name))) return st;
      labels::LabeledImage li;
      li.source_ref = name;
      li.width = img.width;
      li.height = img.height;
      li.boxes = p.boxes;
      li.creation_date = "2026-12-07T00:00:00.000000";  // fixed: same seeds, same bytes
      li.job_name = "labeling-job/checkout-products";
      logos += int(li.boxes.size());
      m.images.push_back(std::move(li));
    }
  }
  if (!(st = labels::WriteManifest(m, dir + "/products.manifest"))) return st;
  if (summary)
    *summary = std::to_string(m.images.size()) + " shelf photos, " + std::to_string(logos) + " labelled products in " + dir +
               "/products.manifest\n";
  return Status::Ok();
}

// [SECTION] The hand cue

namespace {

constexpr int kCell = 4;  // px per side of a hand-cue cell

// Per-channel gain of `f` against `ref` (the median ratio over a sparse grid of
// bright enough pixels): lights that change over the whole frame are not motion.
std::array<float, 3> GlobalGain(const Image& f, const Image& ref) {
  std::array<float, 3> g{1, 1, 1};
  std::vector<float> r[3];
  for (int y = 2; y < f.height; y += 6)
    for (int x = 2; x < f.width; x += 6) {
      const uint8_t *a = f.At(x, y), *b = ref.At(x, y);
      for (int k = 0; k < 3; k++)
        if (b[k] >= 24) r[k].push_back(float(a[k]) / float(b[k]));
    }
  for (int k = 0; k < 3; k++)
    if (r[k].size() >= 16) {
      std::nth_element(r[k].begin(), r[k].begin() + std::ptrdiff_t(r[k].size() / 2), r[k].end());
      g[size_t(k)] = r[k][r[k].size() / 2];
    }
  return g;
}

// Whether a patch's colour `a` (0..255 per channel) differs from `b` (the reference after the global gain)
// by more than a brightness factor: its residual after the best factor k, or k far from 1.
bool Changed(const float a[3], const float b[3], float threshold) {
  const float bb = b[0] * b[0] + b[1] * b[1] + b[2] * b[2];
  if (bb < 1.f) return a[0] + a[1] + a[2] > 255.f * threshold;
  const float k = (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) / bb;
  const float res = std::fabs(a[0] - k * b[0]) + std::fabs(a[1] - k * b[1]) + std::fabs(a[2] - k * b[2]);
  // Shadows darken to about half, lights brighten a little: outside that it is something else.
  const bool bright_enough = b[0] + b[1] + b[2] > 90.f;
  return res > 255.f * threshold || (bright_enough && (k < 0.45f || k > 1.6f));
}

struct ArmCue {
  bool present = false;
  int cells = 0;
  float x = 0, y = 0;  // the hand: the top of the arm
  float sleeve[3] = {0, 0, 0};  // median colour of the arm's cells on the bottom edge, white-balanced
  bool sleeve_ok = false;
};

// `content`: the picture inside a camera's letterbox bars, if any: arms come in at its bottom, its top is the wall.
ArmCue FindArm(const Image& f, const Image& ref, const CheckoutOptions& o, const Region& content) {
  const int cw = f.width / kCell, ch = std::clamp((content.y + content.h) / kCell, 1, f.height / kCell);
  const std::array<float, 3> g = GlobalGain(f, ref);
  std::vector<uint8_t> changed(size_t(cw) * size_t(ch), 0);
  std::vector<std::array<float, 3>> colour(changed.size());
  for (int cy = 0; cy < ch; cy++)
    for (int cx = 0; cx < cw; cx++) {
      float a[3] = {0, 0, 0}, b[3] = {0, 0, 0};
      for (int y = cy * kCell; y < cy * kCell + kCell; y++)
        for (int x = cx * kCell; x < cx * kCell + kCell; x++) {
          const uint8_t *p = f.At(x, y), *q = ref.At(x, y);
          for (int k = 0; k < 3; k++) {
            a[k] += float(p[k]);
            b[k] += float(q[k]) * g[size_t(k)];
          }
        }
      constexpr float inv = 1.f / float(kCell * kCell);
      for (int k = 0; k < 3; k++) {
        a[k] *= inv;
        b[k] *= inv;
      }
      const size_t i = size_t(cy) * size_t(cw) + size_t(cx);
      changed[i] = Changed(a, b, o.change_threshold);
      colour[i] = {a[0], a[1], a[2]};
    }
  // The arm: changed cells connected to the bottom edge.
  std::vector<int> stack, comp;
  std::vector<uint8_t> seen(changed.size(), 0);
  for (int cx = 0; cx < cw; cx++) {
    const size_t i = size_t(ch - 1) * size_t(cw) + size_t(cx);
    if (changed[i] && !seen[i]) {
      seen[i] = 1;
      stack.push_back(int(i));
    }
  }
  while (!stack.empty()) {
    const int i = stack.back();
    stack.pop_back();
    comp.push_back(i);
    const int cx = i % cw, cy = i / cw;
    // Gaps of up to two cells are bridged: where a dark forearm crosses the brown shelf board it
    // looks like a shadow (a brightness change only), which would cut the hand off the arm.
    for (int dy = -3; dy <= 3; dy++)
      for (int dx = -3; dx <= 3; dx++) {
        const int nx = cx + dx, ny = cy + dy;
        if (nx < 0 || ny < 0 || nx >= cw || ny >= ch) continue;
        const size_t j = size_t(ny) * size_t(cw) + size_t(nx);
        if (changed[j] && !seen[j]) {
          seen[j] = 1;
          stack.push_back(int(j));
        }
      }
  }
  ArmCue cue;
  cue.cells = int(comp.size());
  cue.present = cue.cells >= o.min_arm_cells;
  if (!cue.present) return cue;
  int top = ch;
  for (int i : comp) top = std::min(top, i / cw);
  float sx = 0;
  int n = 0;
  for (int i : comp)
    if (i / cw <= top + 2) {
      sx += float(i % cw);
      n++;
    }
  cue.x = (sx / float(n) + 0.5f) * float(kCell);
  cue.y = float(top) * float(kCell);
  // Sleeve: the arm's cells on the bottom three rows, white-balanced by the wall (the frame's top rows).
  std::vector<float> s[3];
  for (int i : comp)
    if (i / cw >= ch - 3)
      for (int k = 0; k < 3; k++) s[k].push_back(colour[size_t(i)][size_t(k)]);
  float wall[3] = {0, 0, 0};
  int wn = 0;
  for (int y = content.y; y < content.y + std::max(1, content.h / 20); y++)
    for (int x = content.x; x < content.x + content.w; x += 2) {
      for (int k = 0; k < 3; k++) wall[k] += float(f.At(x, y)[k]);
      wn++;
    }
  if (s[0].size() >= 3) {
    for (int k = 0; k < 3; k++) {
      std::nth_element(s[k].begin(), s[k].begin() + std::ptrdiff_t(s[k].size() / 2), s[k].end());
      cue.sleeve[k] = s[k][s[k].size() / 2] / std::max(8.f, wall[k] / float(wn));
    }
    cue.sleeve_ok = true;
  }
  return cue;
}

// Share of the pixels of a rectangle that changed between two frames (the same test as the hand cue, per 2x2 patch).
float ZoneChange(const Image& after, const Image& before, float l, float t, float w, float h, float threshold) {
  const std::array<float, 3> g = GlobalGain(after, before);
  const int x0 = std::max(0, int(l)), y0 = std::max(0, int(t));
  const int x1 = std::min(after.width - 1, int(l + w)), y1 = std::min(after.height - 1, int(t + h));
  int n = 0, c = 0;
  for (int y = y0; y + 1 <= y1; y += 2)
    for (int x = x0; x + 1 <= x1; x += 2) {
      float a[3] = {0, 0, 0}, b[3] = {0, 0, 0};
      for (int dy = 0; dy < 2; dy++)
        for (int dx = 0; dx < 2; dx++)
          for (int k = 0; k < 3; k++) {
            a[k] += 0.25f * float(after.At(x + dx, y + dy)[k]);
            b[k] += 0.25f * float(before.At(x + dx, y + dy)[k]) * g[size_t(k)];
          }
      c += Changed(a, b, threshold);
      n++;
    }
  return n ? float(c) / float(n) : 0.f;
}

// [SECTION] Reaches, the tracker, events

struct Track {
  labels::Box box;
  std::map<int, float> votes;  // class -> summed confidence over the key frames it was seen in
  int missed = 0;
  int Class() const {
    int best = box.class_id;
    float bv = -1;
    for (const auto& v : votes)
      if (v.second > bv) {
        bv = v.second;
        best = v.first;
      }
    return best;
  }
};

Image Crop(const Image& f, int x0, int y0, int w, int h) {
  Image out(w, h);
  for (int y = 0; y < h; y++) std::copy(f.At(x0, y0 + y), f.At(x0, y0 + y) + size_t(w) * 3, out.At(0, y));
  return out;
}

// The shelf is the frame above the counter (the simulator's layout: rows 0..151 of 240); hands come from below.
int ShelfRows(int height) { return height * 152 / 240; }

}  // namespace

// [SECTION] The steppable model

struct Checkout::Work {
  enum Stage { kLoad, kTrain, kStream, kDone } stage = kLoad;
  // Training.
  std::vector<Image> images;
  std::vector<std::vector<labels::Box>> truth;
  std::vector<std::string> class_names;
  size_t load_next = 0, load_total = 0;
  labels::Manifest manifest;
  bool manifest_read = false;
  bool checked = false, started = false;
  std::shared_ptr<labels::Detector> det;
  std::unique_ptr<labels::DetectorTrainer> trainer;
  std::unique_ptr<ShelfSim> photo_sim;  // the store's photos: the seed being photographed
  std::shared_ptr<HandModel> hand;      // the hand model, when one is given (built in kLoad)
  size_t photo_seed = size_t(-1);
  // Streams.
  size_t stream = 0;
  std::shared_ptr<FrameSource> src;
  int frame = 0;
  int session_base = 0, truth_base = 0;
  std::vector<Event> stream_events;
  // One stream's state.
  Image ref;
  bool have_ref = false;
  bool in_visit = false;
  int quiet = 0;
  float deep_x = 0, deep_y = 1e9f;
  int deep_frame = 0, visit_first = 0;
  struct Tip {
    int frame;
    float x, y;
  };
  std::vector<Tip> tips;  // the hand, frame by frame, during the reach
  float sleeve[3] = {0, 0, 0};
  int sleeve_n = 0;
  Image before, after;
  std::vector<labels::Box> before_boxes;
  std::vector<Track> tracks;
  int session = -1;
  float session_col[3] = {0, 0, 0};
  int session_visits = 0;
  Region content;  // the stream's picture, without a camera's letterbox bars (its first frame's)
  std::map<int, std::pair<int, int>> session_span;  // global session -> first, last frame
  std::map<int, uint64_t> session_stream;
  // A key frame's detection in progress, on a crop of the frame (its corner).
  enum Purpose { kNone, kInitial, kBefore, kAfter } purpose = kNone;
  Image det_img;
  int crop_x = 0, crop_y = 0, crop_w = 0, crop_h = 0;
  labels::Detector::DetectState ds;
  double stream_ms = 0;
  int total_frames = 0, done_frames = 0;
};

Checkout::Checkout(CheckoutOptions o) : opt_(std::move(o)), w_(std::make_unique<Work>()) {
  w_->det = std::make_shared<labels::Detector>(opt_.detector);
  w_->hand = opt_.hand;
  if (!w_->hand && !opt_.hand_model.empty()) w_->hand = std::make_shared<HandModel>(opt_.hand_model, opt_.hand_presence);
  if (!opt_.source && opt_.frames_dir.empty() && opt_.seeds.empty()) Fail("no frames: give a folder or simulator seeds");
}
Checkout::~Checkout() = default;

void Checkout::Fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
}
void Checkout::Cancel() { Fail("cancelled"); }
bool Checkout::done() const { return w_->stage == Work::kDone; }

float Checkout::Progress() const {
  const Work& w = *w_;
  if (w.stage == Work::kDone) return 1.f;
  if (w.stage == Work::kLoad) return 0.05f * (w.load_total ? float(w.load_next) / float(w.load_total) : 0.f);
  if (w.stage == Work::kTrain) return 0.05f + 0.25f * (w.trainer ? w.trainer->Progress() : 0.f);
  const size_t streams = opt_.source || !opt_.frames_dir.empty() ? 1 : opt_.seeds.size();
  const float in = w.src && w.src->count() ? float(w.frame) / float(w.src->count()) : 0.f;
  return 0.3f + 0.7f * std::min(1.f, (float(w.stream) + in) / float(std::max<size_t>(1, streams)));
}

std::string Checkout::Detail() const {
  const Work& w = *w_;
  if (!error_.empty()) return error_;
  switch (w.stage) {
    case Work::kLoad:
      if (w.hand && !w.hand->ready())
        return "hand model " + w.hand->name() + ": " + std::to_string(int(100 * w.hand->Progress())) + "%";
      return "training images " + std::to_string(w.load_next) + "/" + std::to_string(w.load_total);
    case Work::kTrain: return "training: " + (w.trainer ? w.trainer->Stage() : std::string());
    case Work::kStream:
      return (w.src ? w.src->name() : std::string("stream")) + ": frame " + std::to_string(w.frame) + "/" +
             std::to_string(w.src ? w.src->count() : 0);
    case Work::kDone: return "done";
  }
  return "";
}

bool Checkout::Step(double budget_ms) {
  const double start = NowMs();
  do {
    if (!error_.empty() || done()) return true;
    waiting_ = false;
    StepOnce();
  } while (!waiting_ && NowMs() - start < budget_ms);
  return !error_.empty() || done();
}

void Checkout::StepOnce() {
  Work& w = *w_;
  if (w.stage == Work::kLoad) {
    if (!w.checked) {
      // A folder's problems (missing, no frames, a broken events.jsonl or first frame) before any training.
      w.checked = true;
      if (!opt_.frames_dir.empty()) {
        auto src = OpenFrameDir(opt_.frames_dir);
        if (!src) return Fail(src.status().message());
        auto first = (*src)->Get(0);
        if (!first) return Fail(first.status().message());
        w.src = std::move(*src);
      }
      return;
    }
    if (w.hand && !w.hand->ready()) {  // the hand model first: a bad file fails before any training
      if (w.hand->Step() && !w.hand->status()) return Fail("hand model: " + w.hand->status().message());
      if (w.hand->ready()) {
        d_.hand_source = w.hand->name();
        d_.hand_model = w.hand->Describe();
      }
      return;
    }
    if (w.hand && d_.hand_model.empty()) {  // one loaded before this run
      d_.hand_source = w.hand->name();
      d_.hand_model = w.hand->Describe();
    }
    if (opt_.trained) {
      {
        // Names: the logos', or the manifest's when it was trained on one (read again only for them).
        w.class_names = labels::LogoClassNames();
        if (!opt_.train_manifest.empty()) {
          std::vector<std::string> problems;
          auto m = labels::ReadManifest(opt_.train_manifest, &problems);
          if (!m) return Fail(m.status().message());
          w.class_names.assign(size_t(opt_.trained->num_classes()), "");
          for (int c = 0; c < opt_.trained->num_classes(); c++) {
            auto it = m->class_map.find(c);
            w.class_names[size_t(c)] = it == m->class_map.end() ? std::to_string(c) : it->second;
          }
        }
      }
      d_.detector = opt_.trained;
      d_.model = opt_.trained->Describe();
      w.stage = Work::kStream;
      return;
    }
    if (opt_.train_manifest.empty() && !opt_.train_on_logos) {
      // The store's product photos (ShelfPhotos'), a seed's simulator or one photo per unit (a seed's six
      // at once were one 40 ms step).
      const size_t per = size_t(std::max(0, opt_.photos_per_seed));
      if (w.load_total == 0) {
        w.load_total = opt_.photo_seeds.size() * per;
        w.class_names = labels::LogoClassNames();
      }
      if (w.load_next < w.load_total) {
        const size_t seed_i = w.load_next / per;
        if (!w.photo_sim || w.photo_seed != seed_i) {
          SimOptions so;
          so.seed = opt_.photo_seeds[seed_i];
          w.photo_sim = std::make_unique<ShelfSim>(so);
          w.photo_seed = seed_i;
          return;
        }
        if (auto p = PhotoOf(*w.photo_sim, int(w.load_next % per), int(per))) {
          w.images.push_back(std::move(p->image));
          w.truth.push_back(std::move(p->boxes));
        }
        w.load_next++;
        return;
      }
      w.photo_sim.reset();
      if (w.images.empty()) return Fail("no product photos to train on");
    } else if (opt_.train_manifest.empty()) {
      // The bundled set's v1 and v2 splits, drawn in memory: the same pixels as data/logos.
      const std::vector<labels::LogoSplit>& splits = labels::LogoSplits();
      if (w.load_total == 0) {
        w.load_total = size_t(splits[0].count + splits[1].count);
        w.class_names = labels::LogoClassNames();
      }
      if (w.load_next < w.load_total) {
        const size_t i = w.load_next++;
        const size_t split = i < size_t(splits[0].count) ? 0 : 1;
        const int index = int(split == 0 ? i : i - size_t(splits[0].count));
        labels::GeneratedImage g = labels::BundledLogoImage(labels::kBundledLogoSeed, split, index);
        w.images.push_back(std::move(g.image));
        w.truth.push_back(std::move(g.boxes));
        return;
      }
    } else {
      if (!w.manifest_read) {
        std::vector<std::string> problems;
        auto m = labels::ReadManifest(opt_.train_manifest, &problems);
        if (!m) return Fail(m.status().message());
        if (!problems.empty()) return Fail(problems.front());
        w.manifest = std::move(*m);
        w.manifest_read = true;
        w.load_total = w.manifest.images.size();
        int classes = 0;
        for (const auto& c : w.manifest.class_map) classes = std::max(classes, c.first + 1);
        w.class_names.assign(size_t(classes), "");
        for (int c = 0; c < classes; c++) {
          auto it = w.manifest.class_map.find(c);
          w.class_names[size_t(c)] = it == w.manifest.class_map.end() ? std::to_string(c) : it->second;
        }
        if (w.load_total == 0) return Fail(opt_.train_manifest + ": no labelled images");
        return;
      }
      if (w.load_next < w.load_total) {
        const labels::LabeledImage& li = w.manifest.images[w.load_next++];
        auto img = LoadImage(w.manifest.ResolvePath(li.source_ref));
        if (!img) return Fail(img.status().message());
        w.images.push_back(std::move(*img));
        w.truth.push_back(li.boxes);
        return;
      }
    }
    std::vector<const Image*> ptrs;
    for (const Image& im : w.images) ptrs.push_back(&im);
    w.trainer = std::make_unique<labels::DetectorTrainer>(w.det.get(), ptrs, w.truth, int(w.class_names.size()));
    w.stage = Work::kTrain;
    return;
  }
  if (w.stage == Work::kTrain) {
    const double t0 = NowMs();
    Status st = w.trainer->Step();
    d_.train_ms += NowMs() - t0;
    if (!st) return Fail("training the detector: " + st.message());
    if (w.trainer->Done()) {
      w.trainer.reset();
      w.images.clear();
      d_.model = w.det->Describe();
      d_.detector = w.det;
      w.stage = Work::kStream;
    }
    return;
  }
  if (w.stage != Work::kStream) return;

  // Open the next stream.
  if (!w.started) {
    const size_t streams = opt_.source || !opt_.frames_dir.empty() ? 1 : opt_.seeds.size();
    if (w.stream >= streams) return Finish();
    if (opt_.source) {
      w.src = opt_.source;
    } else if (!w.src && !opt_.frames_dir.empty()) {  // (a folder is opened once, before training)
      auto src = OpenFrameDir(opt_.frames_dir);
      if (!src) return Fail(src.status().message());
      w.src = std::move(*src);
    } else if (!w.src) {
      SimOptions so = opt_.sim;
      so.seed = opt_.seeds[w.stream];
      w.src = SimulatedFrames(so);
    }
    w.started = true;
    w.frame = 0;
    w.have_ref = w.in_visit = false;
    w.tracks.clear();
    w.session = -1;
    w.stream_events.clear();
    w.purpose = Work::kNone;
    return;
  }
  const uint64_t stream_id = opt_.source || !opt_.frames_dir.empty() ? 0 : opt_.seeds[w.stream];
  const double t0 = NowMs();
  // A key frame: the whole shelf, or (at_reach) the area around the reach point, which is all a reach can change.
  auto detect = [&](const Image& frame, Work::Purpose p, bool at_reach) {
    // Inside the picture only: a letterbox bar is no shelf.
    const Region& c = w.content;
    const int rows = std::clamp(ShelfRows(c.h), 1, c.h);
    w.crop_x = c.x;
    w.crop_y = c.y;
    w.crop_w = c.w;
    w.crop_h = rows;
    if (at_reach) {
      w.crop_w = std::min(c.w, 150);
      w.crop_h = std::min(rows, 130);
      w.crop_x = std::clamp(int(w.deep_x) - w.crop_w / 2, c.x, c.x + c.w - w.crop_w);
      w.crop_y = std::clamp(int(w.deep_y) + 12 - w.crop_h / 2, c.y, c.y + rows - w.crop_h);
    }
    w.det_img = Crop(frame, w.crop_x, w.crop_y, w.crop_w, w.crop_h);
    w.ds = labels::Detector::DetectState{};
    w.purpose = p;
  };
  auto classify = [&](const labels::Box& b) {
    // The tracker's class: votes over every key frame the item was seen in.
    for (const Track& t : w.tracks)
      if (labels::IoU(t.box, b) >= 0.4f) return t.Class();
    return b.class_id;
  };
  auto update_tracks = [&](const std::vector<labels::Box>& boxes) {
    std::vector<bool> used(boxes.size(), false);
    for (Track& t : w.tracks) {
      const float cx = t.box.left + t.box.width / 2, cy = t.box.top + t.box.height / 2;
      if (cx < float(w.crop_x) || cy < float(w.crop_y) || cx >= float(w.crop_x + w.crop_w) || cy >= float(w.crop_y + w.crop_h))
        continue;  // outside what this key frame's detection saw
      int best = -1;
      float bi = 0.4f;
      for (size_t i = 0; i < boxes.size(); i++) {
        if (used[i] || boxes[i].confidence < opt_.present_above) continue;
        const float iou = labels::IoU(t.box, boxes[i]);
        if (iou >= bi) {
          bi = iou;
          best = int(i);
        }
      }
      if (best < 0) {
        t.missed++;
        continue;
      }
      used[size_t(best)] = true;
      t.box = boxes[size_t(best)];
      t.votes[t.box.class_id] += t.box.confidence;
      t.missed = 0;
    }
    w.tracks.erase(std::remove_if(w.tracks.begin(), w.tracks.end(), [](const Track& t) { return t.missed >= 2; }),
                   w.tracks.end());
    for (size_t i = 0; i < boxes.size(); i++)
      if (!used[i] && boxes[i].confidence >= opt_.present_above) {
        Track t;
        t.box = boxes[i];
        t.votes[t.box.class_id] = t.box.confidence;
        w.tracks.push_back(t);
      }
  };

  // A key frame's detection, one pyramid level per unit.
  if (w.purpose != Work::kNone) {
    if (!d_.detector->DetectStep(w.det_img, &w.ds)) {
      w.stream_ms += NowMs() - t0;
      return;
    }
    d_.key_frames++;
    std::vector<labels::Box> boxes = std::move(w.ds.boxes);
    for (labels::Box& b : boxes) {
      b.left += float(w.crop_x);
      b.top += float(w.crop_y);
    }
    w.ds = labels::Detector::DetectState{};
    if (opt_.keep_live) {
      live_.detections.clear();
      for (const labels::Box& b : boxes)
        if (b.confidence >= opt_.present_above) live_.detections.push_back(b);
      live_.scan_x = w.crop_x, live_.scan_y = w.crop_y, live_.scan_w = w.crop_w, live_.scan_h = w.crop_h;
      live_.detection_frame = w.frame - 1;
    }
    const Work::Purpose purpose = w.purpose;
    w.purpose = Work::kNone;
    if (purpose == Work::kInitial) {
      update_tracks(boxes);
    } else if (purpose == Work::kBefore) {
      w.before_boxes = boxes;
      update_tracks(boxes);
      detect(w.after, Work::kAfter, true);
    } else {
      // The reach is over: what changed where the hand was?
      const float px = w.deep_x, py = w.deep_y + 12.f;
      auto best_near = [&](const std::vector<labels::Box>& bs) {
        const labels::Box* best = nullptr;
        for (const labels::Box& b : bs) {
          const float dx = b.left + b.width / 2 - px, dy = b.top + b.height / 2 - py;
          if (dx * dx + dy * dy > opt_.reach_radius * opt_.reach_radius) continue;
          if (!best || b.confidence > best->confidence) best = &b;
        }
        return best ? std::optional<labels::Box>(*best) : std::nullopt;
      };
      const std::optional<labels::Box> bb = best_near(w.before_boxes), ba = best_near(boxes);
      const float pb = bb ? bb->confidence : 0.f, pa = ba ? ba->confidence : 0.f;
      // The zone: the item's box when one was seen there, else a package-sized area at the reach point.
      labels::Box zone{px - 27, py - 27, 54, 54, 0, 1, false};
      if (bb && pb >= pa) zone = *bb;
      else if (ba) zone = *ba;
      const float change = ZoneChange(w.after, w.before, zone.left, zone.top, zone.width, zone.height, opt_.change_threshold);
      // The session: a sleeve colour unlike the current shopper's is the next shopper.
      if (w.sleeve_n > 0) {
        float c[3];
        for (int k = 0; k < 3; k++) c[k] = w.sleeve[k] / float(w.sleeve_n);
        const float dist = std::fabs(c[0] - w.session_col[0]) + std::fabs(c[1] - w.session_col[1]) +
                           std::fabs(c[2] - w.session_col[2]);
        if (w.session < 0 || dist > opt_.session_distance) {
          w.session++;
          w.session_visits = 0;
          for (int k = 0; k < 3; k++) w.session_col[k] = c[k];
        } else {
          for (int k = 0; k < 3; k++)
            w.session_col[k] = (w.session_col[k] * float(w.session_visits) + c[k]) / float(w.session_visits + 1);
        }
        w.session_visits++;
      } else if (w.session < 0) {
        w.session = 0;
      }
      const int gsession = w.session_base + w.session;
      auto span = w.session_span.find(gsession);
      if (span == w.session_span.end()) w.session_span[gsession] = {w.visit_first, w.frame};
      else span->second.second = w.frame;
      w.session_stream[gsession] = stream_id;
      auto emit = [&](EventType type, int cls, float conf) {
        Event e;
        e.frame = w.deep_frame;
        e.type = type;
        e.item = cls >= 0 && size_t(cls) < w.class_names.size() ? w.class_names[size_t(cls)] : std::to_string(cls);
        e.session = gsession;
        e.confidence = std::clamp(conf, 0.f, 1.f);
        w.stream_events.push_back(e);
      };
      // A product taken: its track goes (a product put there later is a new one, with its own votes).
      auto forget = [&](const labels::Box& b) {
        w.tracks.erase(std::remove_if(w.tracks.begin(), w.tracks.end(),
                                      [&](const Track& t) { return labels::IoU(t.box, b) >= 0.4f; }),
                       w.tracks.end());
      };
      if (change >= opt_.zone_change) {
        const bool there_before = pb >= opt_.present_above, there_after = pa >= opt_.present_above;
        if (there_before && !there_after) {
          emit(EventType::kTake, classify(*bb), pb * (1 - pa));
          forget(*bb);
        } else if (!there_before && there_after) {
          emit(EventType::kPutBack, ba->class_id, pa * (1 - pb));
        } else if (there_before && there_after) {
          if (classify(*bb) != ba->class_id) {  // one product swapped for another
            emit(EventType::kTake, classify(*bb), std::min(pb, pa) * 0.5f);
            emit(EventType::kPutBack, ba->class_id, std::min(pb, pa) * 0.5f);
            forget(*bb);
          }
        } else if (std::max(pb, pa) >= 0.05f) {
          // Something moved, the detector is unsure either way: its best guess, for review.
          if (pb >= pa) emit(EventType::kTake, classify(*bb), pb);
          else emit(EventType::kPutBack, ba->class_id, pa);
        }
      }
      update_tracks(boxes);
    }
    w.stream_ms += NowMs() - t0;
    return;
  }

  if (w.frame >= w.src->count() && w.src->more_coming()) {
    waiting_ = true;  // a live source: the next frame is not there yet
    return;
  }
  // The stream is over: score it against its truth, then the next one.
  if (w.frame >= w.src->count()) {
    if (w.src->truth()) {
      d_.has_truth = true;
      int max_session = -1;
      std::vector<Event> truth = *w.src->truth();
      for (Event& e : truth) {
        max_session = std::max(max_session, e.session);
        e.session += w.truth_base;
      }
      std::vector<Event> pred = w.stream_events;
      const Scores s = Score(truth, pred, opt_.frame_tolerance);
      Scores& a = d_.scores;
      a.true_events += s.true_events;
      a.predicted_events += s.predicted_events;
      a.matched_events += s.matched_events;
      a.sessions += s.sessions;
      a.carts_right += s.carts_right;
      for (const auto& p : s.paired) a.paired[p.first] = p.second;
      d_.truth.insert(d_.truth.end(), truth.begin(), truth.end());
      w.truth_base += max_session + 1;
    }
    d_.events.insert(d_.events.end(), w.stream_events.begin(), w.stream_events.end());
    w.session_base += w.session + 1;
    w.src.reset();
    w.started = false;
    w.stream++;
    return;
  }

  auto img = w.src->Get(w.frame);
  if (!img) return Fail(img.status().message());
  const double t1 = NowMs();
  const Image& f = *img;
  const int f_index = w.frame++;
  d_.frames++;
  if (!w.have_ref) {
    w.ref = f;
    w.have_ref = true;
    w.content = ContentRegion(f);
    detect(f, Work::kInitial, false);
  } else {
    const ArmCue cue = FindArm(f, w.ref, opt_, w.content);
    live_.hand = cue.present;
    live_.hand_x = cue.x;
    live_.hand_y = cue.y;
    live_.hand_ran = live_.landmarks = false;
    // Where the hand is: the hand model's fingertips on a square around the cue's point (centred a
    // little below it: the cue's point is the top of the fingers), else the cue's point.
    float tip_x = cue.x, tip_y = cue.y;
    if (cue.present && w.hand) {
      Result<HandReading> r = w.hand->Run(f, cue.x, cue.y + 0.2f * opt_.hand_crop, opt_.hand_crop);
      if (!r) return Fail("hand model: " + r.status().message());
      d_.hand_frames++;
      d_.hand_ms += r->ms;
      if (r->present) {
        d_.hand_found++;
        tip_x = r->x;
        tip_y = r->y;
      }
      if (opt_.keep_live) {
        live_.hand_ran = true;
        live_.landmarks = r->present;
        live_.hand_presence = r->presence;
        live_.points = r->points;
        live_.hand_crop_x = r->crop_x, live_.hand_crop_y = r->crop_y, live_.hand_crop_side = r->crop_side;
        live_.hand_x = tip_x;
        live_.hand_y = tip_y;
      }
    }
    if (cue.present) {
      if (!w.in_visit) {
        w.in_visit = true;
        w.visit_first = f_index;
        w.before = w.ref;
        w.deep_y = 1e9f;
        w.sleeve_n = 0;
        w.sleeve[0] = w.sleeve[1] = w.sleeve[2] = 0;
        w.tips.clear();
      }
      w.quiet = 0;
      w.tips.push_back({f_index, tip_x, tip_y});
      // The sleeve is read while the hand is up at the shelf (the forearm's skin is then off the bottom edge).
      if (cue.sleeve_ok && cue.y < float(ShelfRows(f.height))) {
        for (int k = 0; k < 3; k++) w.sleeve[k] += cue.sleeve[k];
        w.sleeve_n++;
      }
    } else if (w.in_visit) {
      if (++w.quiet >= opt_.quiet_frames) {
        w.in_visit = false;
        w.after = f;
        w.ref = f;
        // Where the hand acted: where it first arrived near its deepest point (later, a product
        // lifted with it moves the arm's top edge up to the package's top); when: the middle of its
        // stay there (the grab or release comes at the end of the stay, the arrival at its start).
        float top = 1e9f;
        for (const Work::Tip& t : w.tips) top = std::min(top, t.y);
        int first = -1, last = -1;
        for (size_t k = 0; k < w.tips.size(); k++)
          if (w.tips[k].y <= top + float(4 * kCell)) {
            if (first < 0) first = int(k);
            last = int(k);
          }
        w.deep_x = w.tips[size_t(first)].x;
        w.deep_y = w.tips[size_t(first)].y;
        w.deep_frame = (w.tips[size_t(first)].frame + w.tips[size_t(last)].frame + 1) / 2;
        // Before, then after, each around the reach point.
        detect(w.before, Work::kBefore, true);
      }
    } else {
      w.ref = f;
    }
  }
  w.stream_ms += NowMs() - t1;
  if (opt_.keep_live) {
    live_.stream = stream_id;
    live_.frame = f_index;
    live_.image = f;
    live_.items.clear();
    for (const Track& t : w.tracks) {
      labels::Box b = t.box;
      b.class_id = t.Class();
      live_.items.push_back(b);
    }
    live_.events = int(d_.events.size() + w.stream_events.size());
  }
}

void Checkout::Finish() {
  Work& w = *w_;
  Scores& a = d_.scores;
  a.precision = a.predicted_events ? double(a.matched_events) / double(a.predicted_events) : 1.0;
  a.recall = a.true_events ? double(a.matched_events) / double(a.true_events) : 1.0;
  a.cart_accuracy = a.sessions ? double(a.carts_right) / double(a.sessions) : 1.0;
  d_.frame_ms = d_.frames ? w.stream_ms / double(d_.frames) : 0.0;
  for (const Event& e : d_.events)
    if (e.confidence < opt_.review_below) d_.review.push_back(e);
  for (const auto& sp : w.session_span) {
    Cart c;
    c.session = sp.first;
    c.stream = w.session_stream[sp.first];
    c.first_frame = sp.second.first;
    c.last_frame = sp.second.second;
    d_.carts.push_back(std::move(c));
  }
  FillCarts(d_.events, opt_.review_below, &d_.carts);
  w.stage = Work::kDone;
}

const std::vector<std::string>& Checkout::ClassNames() const { return w_->class_names; }

std::vector<Event> Checkout::EventsSoFar() const {
  std::vector<Event> all = d_.events;
  if (w_->stage == Work::kStream) all.insert(all.end(), w_->stream_events.begin(), w_->stream_events.end());
  return all;
}

void FillCarts(const std::vector<Event>& events, float review_below, std::vector<Cart>* carts) {
  for (Cart& c : *carts) {
    c.lines.clear();
    c.total = 0;
    std::map<std::string, CartLine> lines;
    for (const Event& e : events) {
      if (e.session != c.session) continue;
      CartLine& l = lines[e.item];
      l.item = e.item;
      l.quantity += e.type == EventType::kTake ? 1 : -1;
      l.confidence = std::min(l.confidence, e.confidence);
      l.unit_price = UnitPrice(e.item);
    }
    char buf[160];
    std::snprintf(buf, sizeof buf, "shopper %d (frames %d-%d)\n", c.session, c.first_frame, c.last_frame);
    c.receipt = buf;
    for (auto& l : lines) {
      if (l.second.quantity == 0) continue;
      c.lines.push_back(l.second);
      c.total += l.second.unit_price * l.second.quantity;
      std::snprintf(buf, sizeof buf, "  %2d x %-12s %6.2f  %s\n", l.second.quantity, l.second.item.c_str(),
                    l.second.unit_price * l.second.quantity, l.second.confidence < review_below ? "(review)" : "");
      c.receipt += buf;
    }
    std::snprintf(buf, sizeof buf, "  total %19.2f\n", c.total);
    c.receipt += buf;
  }
}

ReviewedRun ApplyReview(const CheckoutData& d, const std::vector<Verdict>& verdicts, float review_below) {
  auto same = [](const Event& a, const Event& b) {
    return a.frame == b.frame && a.type == b.type && a.item == b.item && a.session == b.session &&
           a.confidence == b.confidence;
  };
  ReviewedRun r;
  std::vector<bool> taken(d.review.size(), false);  // each queued event answers for one predicted event
  for (const Event& e : d.events) {
    Verdict v = Verdict::kPending;
    for (size_t i = 0; i < d.review.size(); i++)
      if (!taken[i] && same(e, d.review[i])) {
        taken[i] = true;
        v = i < verdicts.size() ? verdicts[i] : Verdict::kPending;
        break;
      }
    if (v == Verdict::kReject) continue;
    r.events.push_back(e);
    if (v == Verdict::kAccept) r.events.back().confidence = 1.f;
  }
  r.carts = d.carts;
  FillCarts(r.events, review_below, &r.carts);
  r.sessions = d.scores.sessions;
  for (const auto& p : d.scores.paired) {
    std::map<std::string, int> want = NetCart(d.truth, p.first);
    if (p.second >= 0 ? NetCart(r.events, p.second) == want : want.empty()) r.carts_right++;
  }
  r.cart_accuracy = r.sessions ? double(r.carts_right) / double(r.sessions) : 1.0;
  return r;
}

nlohmann::json Checkout::StatusJson() const {
  const char* stage = "";
  switch (w_->stage) {
    case Work::kLoad: stage = "load"; break;
    case Work::kTrain: stage = "train"; break;
    case Work::kStream: stage = "stream"; break;
    case Work::kDone: stage = "done"; break;
  }
  nlohmann::json carts = nlohmann::json::array();
  for (const Cart& c : d_.carts) {
    nlohmann::json items = nlohmann::json::array();
    for (const CartLine& l : c.lines)
      items.push_back({{"item", l.item}, {"quantity", l.quantity}, {"confidence", l.confidence}, {"unit_price", l.unit_price}});
    carts.push_back({{"session", c.session},
                     {"stream", c.stream},
                     {"first_frame", c.first_frame},
                     {"last_frame", c.last_frame},
                     {"items", items},
                     {"total", std::round(c.total * 100) / 100},
                     {"receipt", c.receipt}});
  }
  // The review queue: the events a person should look at, lowest confidence first.
  std::vector<Event> review = d_.review;
  std::stable_sort(review.begin(), review.end(), [](const Event& a, const Event& b) { return a.confidence < b.confidence; });
  nlohmann::json queue = nlohmann::json::array();
  for (const Event& e : review)
    queue.push_back({{"frame", e.frame},
                     {"type", EventTypeName(e.type)},
                     {"item", e.item},
                     {"session", e.session},
                     {"confidence", e.confidence}});
  nlohmann::json j = {{"stage", stage},
                      {"review_queue", queue},
                      {"frames", d_.frames},
                      {"key_frames", d_.key_frames},
                      {"events", int(d_.events.size())},
                      {"review", int(d_.review.size())},
                      {"carts", carts},
                      {"ms_per_frame", d_.frame_ms},
                      {"train_ms", d_.train_ms},
                      {"model", d_.model},
                      {"hand_source", d_.hand_source},
                      {"hand_frames", d_.hand_frames},
                      {"hand_found", d_.hand_found},
                      {"hand_ms_per_run", d_.hand_frames ? d_.hand_ms / d_.hand_frames : 0.0}};
  if (!d_.hand_model.empty()) j["hand_model"] = d_.hand_model;
  if (!error_.empty()) j["error"] = error_;
  if (d_.has_truth) {
    j["event_precision"] = d_.scores.precision;
    j["event_recall"] = d_.scores.recall;
    j["cart_accuracy"] = d_.scores.cart_accuracy;
    j["true_events"] = d_.scores.true_events;
    j["matched_events"] = d_.scores.matched_events;
    j["sessions"] = d_.scores.sessions;
    j["carts_right"] = d_.scores.carts_right;
  } else {
    j["event_precision"] = nullptr;
    j["event_recall"] = nullptr;
    j["cart_accuracy"] = nullptr;
  }
  return j;
}

Result<CheckoutData> RunCheckout(const CheckoutOptions& o) {
  Checkout c(o);
  while (!c.Step(50.0)) {
  }
  if (c.failed()) return Status::Error(c.error());
  return c.data();
}

}  // namespace fk::checkout
