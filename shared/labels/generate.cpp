// [SECTION] Logo shapes (coverage in logo coordinates)
// [SECTION] Backgrounds and distractors
// [SECTION] One image
// [SECTION] The data set
#include "labels/generate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "core/rng.h"
#include "labels/manifest.h"

namespace fk::labels {

const std::vector<std::string>& LogoClassNames() {
  static const std::vector<std::string> k = {"smile", "cloud"};
  return k;
}

const std::vector<LogoSplit>& LogoSplits() {
  static const std::vector<LogoSplit> k = {{"v1", 8}, {"v2", 30}, {"test", 100}};
  return k;
}

namespace {

constexpr float kPi = 3.14159265358979f;

// [SECTION] Logo shapes (coverage in logo coordinates)
// Both shapes live in roughly [-1.1, 1.1] x [-0.8, 0.6] (y down).

bool InSmile(float u, float v) {
  // Lower arc of a circle, thicker in the middle, ending in an arrowhead at the right.
  const float cx = 0.f, cy = -0.6f, r = 1.0f;
  const float dx = u - cx, dy = v - cy;
  const float d = std::sqrt(dx * dx + dy * dy);
  float th = std::atan2(dy, dx);  // y down: the lower arc has th in (0, pi)
  const float a0 = 20.f * kPi / 180.f, a1 = 160.f * kPi / 180.f;
  if (th >= a0 && th <= a1) {
    const float half = 0.04f + 0.09f * std::sin(th);
    if (std::fabs(d - r) <= half) return true;
  }
  // Arrowhead at th = a0: a triangle pointing along the tangent (towards smaller th).
  const float ex = cx + r * std::cos(a0), ey = cy + r * std::sin(a0);
  const float tx = std::sin(a0), ty = -std::cos(a0);  // tangent, up-right
  const float nx = std::cos(a0), ny = std::sin(a0);   // normal
  const float px = u - ex, py = v - ey;
  const float along = px * tx + py * ty;  // 0 at the base, 0.3 at the tip
  const float across = px * nx + py * ny;
  if (along >= -0.02f && along <= 0.30f) {
    const float half = 0.20f * (1.f - along / 0.30f);
    if (std::fabs(across) <= half) return true;
  }
  return false;
}

bool InCloud(float u, float v) {
  auto disc = [&](float x, float y, float r) { return (u - x) * (u - x) + (v - y) * (v - y) <= r * r; };
  if (v > 0.45f) return false;  // flat bottom
  if (disc(-0.55f, 0.08f, 0.37f) || disc(0.f, -0.22f, 0.50f) || disc(0.52f, 0.02f, 0.43f)) return true;
  return u >= -0.55f && u <= 0.52f && v >= 0.05f;
}

}  // namespace

bool InLogoShape(int cls, float u, float v) { return cls == 0 ? InSmile(u, v) : InCloud(u, v); }

namespace {

bool InLogo(int cls, float u, float v) { return InLogoShape(cls, u, v); }

struct Rgb {
  float r, g, b;
};
float Luma(const Rgb& c) { return 0.299f * c.r + 0.587f * c.g + 0.114f * c.b; }

Rgb RandomColor(Rng& rng) { return {rng.Uniform01(), rng.Uniform01(), rng.Uniform01()}; }

// [SECTION] Backgrounds and distractors

struct Canvas {
  int w, h;
  std::vector<Rgb> px;
  Rgb& at(int x, int y) { return px[size_t(y) * size_t(w) + size_t(x)]; }
};

// Smooth value noise in [0,1): bilinear over a random grid of cell px.
struct ValueNoise {
  int gw, gh;
  float cell;
  std::vector<float> g;
  ValueNoise(Rng& rng, int w, int h, float cell_px) : cell(cell_px) {
    gw = int(float(w) / cell_px) + 2;
    gh = int(float(h) / cell_px) + 2;
    g.resize(size_t(gw) * size_t(gh));
    for (float& v : g) v = rng.Uniform01();
  }
  float At(float x, float y) const {
    const float fx = x / cell, fy = y / cell;
    const int ix = std::min(int(fx), gw - 2), iy = std::min(int(fy), gh - 2);
    float tx = fx - float(ix), ty = fy - float(iy);
    tx = tx * tx * (3 - 2 * tx);
    ty = ty * ty * (3 - 2 * ty);
    auto G = [&](int a, int b) { return g[size_t(b) * size_t(gw) + size_t(a)]; };
    return (G(ix, iy) * (1 - tx) + G(ix + 1, iy) * tx) * (1 - ty) + (G(ix, iy + 1) * (1 - tx) + G(ix + 1, iy + 1) * tx) * ty;
  }
};

Rgb Mix(const Rgb& a, const Rgb& b, float t) {
  return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
}

void DrawBackground(Canvas& c, Rng& rng) {
  const int kind = int(rng.Below(4));
  const Rgb a = RandomColor(rng), b = RandomColor(rng);
  const float ang = rng.Uniform(0, 2 * kPi), ca = std::cos(ang), sa = std::sin(ang);
  const float diag = float(std::max(c.w, c.h));
  ValueNoise n1(rng, c.w, c.h, rng.Uniform(24, 60)), n2(rng, c.w, c.h, rng.Uniform(6, 12));
  const float period = rng.Uniform(8, 22), contrast = rng.Uniform(0.05f, 0.2f);
  const float horizon = rng.Uniform(0.3f, 0.7f) * float(c.h);
  const Rgb sky = Mix(RandomColor(rng), Rgb{0.6f, 0.75f, 0.95f}, 0.5f), ground = Mix(RandomColor(rng), Rgb{0.35f, 0.3f, 0.2f}, 0.5f);
  for (int y = 0; y < c.h; y++) {
    for (int x = 0; x < c.w; x++) {
      const float fx = float(x), fy = float(y);
      const float t = std::clamp(0.5f + ((fx - c.w * 0.5f) * ca + (fy - c.h * 0.5f) * sa) / diag, 0.f, 1.f);
      Rgb p = Mix(a, b, t);
      if (kind == 1) {  // "photo-like": colour fields from two octaves of noise
        p = Mix(a, b, 0.8f * n1.At(fx, fy) + 0.2f * n2.At(fx, fy));
      } else if (kind == 2) {  // stripes or checks over a gradient
        const float s = std::sin((fx * ca - fy * sa) * 2 * kPi / period);
        const float k = (int(fx / period) + int(fy / period)) % 2 == 0 ? 1.f : -1.f;
        const float m = (ang > kPi ? s : k) * contrast;
        p = {p.r + m, p.g + m, p.b + m};
      } else if (kind == 3) {  // horizon: sky gradient over textured ground
        const float hz = horizon + 6.f * std::sin(fx * 0.05f + ang);
        p = fy < hz ? Mix(sky, Rgb{1, 1, 1}, 0.4f * fy / hz)
                    : Mix(ground, Mix(a, ground, 0.5f), n2.At(fx, fy) * 0.8f);
      } else {  // gradient with a little large-scale noise
        const float m = (n1.At(fx, fy) - 0.5f) * 0.15f;
        p = {p.r + m, p.g + m, p.b + m};
      }
      c.at(x, y) = p;
    }
  }
}

// Anti-aliased fill of whatever `inside(x, y)` covers (3x3 samples per pixel).
template <typename F>
void Fill(Canvas& c, int x0, int y0, int x1, int y1, const Rgb& col, F inside) {
  x0 = std::max(0, x0);
  y0 = std::max(0, y0);
  x1 = std::min(c.w - 1, x1);
  y1 = std::min(c.h - 1, y1);
  for (int y = y0; y <= y1; y++) {
    for (int x = x0; x <= x1; x++) {
      int hits = 0;
      for (int sy = 0; sy < 3; sy++)
        for (int sx = 0; sx < 3; sx++) hits += inside(float(x) + (float(sx) + 0.5f) / 3.f, float(y) + (float(sy) + 0.5f) / 3.f);
      if (hits) c.at(x, y) = Mix(c.at(x, y), col, float(hits) / 9.f);
    }
  }
}

void DrawDistractor(Canvas& c, Rng& rng) {
  const Rgb col = RandomColor(rng);
  const float cx = rng.Uniform(0, float(c.w)), cy = rng.Uniform(0, float(c.h));
  const float r = rng.Uniform(4, 22);
  const int kind = int(rng.Below(5));
  const int x0 = int(cx - r * 2.2f), y0 = int(cy - r * 2.2f), x1 = int(cx + r * 2.2f), y1 = int(cy + r * 2.2f);
  const float ang = rng.Uniform(0, kPi), ca = std::cos(ang), sa = std::sin(ang);
  const float a0 = rng.Uniform(0, 2 * kPi), span = rng.Uniform(0.8f, 2.5f);
  Fill(c, x0, y0, x1, y1, col, [&](float x, float y) {
    const float dx = x - cx, dy = y - cy;
    const float u = dx * ca + dy * sa, v = -dx * sa + dy * ca;
    switch (kind) {
      case 0: return dx * dx + dy * dy <= r * r;                                   // disc
      case 1: return std::fabs(u) <= r && std::fabs(v) <= r * 0.6f;                // rectangle
      case 2: return std::fabs(v) <= 1.5f && std::fabs(u) <= r * 2;                // line
      case 3: {                                                                      // arc (near-miss for the smile)
        const float d = std::sqrt(dx * dx + dy * dy);
        float th = std::atan2(dy, dx) - a0;
        while (th < 0) th += 2 * kPi;
        return std::fabs(d - r) <= 2.f && th <= span;
      }
      default: return v >= -r * 0.6f && v <= r * 0.6f && std::fabs(u) <= (r * 0.6f - v) * 0.7f;  // triangle
    }
  });
}

}  // namespace

// [SECTION] One image

GeneratedImage GenerateLogoImage(uint64_t seed, int width, int height, int max_logos) {
  Rng rng(seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull);
  Canvas c{width, height, std::vector<Rgb>(size_t(width) * size_t(height))};
  DrawBackground(c, rng);
  const int distractors = 1 + int(rng.Below(5));
  for (int i = 0; i < distractors; i++) DrawDistractor(c, rng);
  GeneratedImage out;
  const int n = max_logos <= 0 ? 0 : 1 + int(rng.Below(uint32_t(max_logos)));
  for (int i = 0; i < n; i++) {
    const int cls = int(rng.Below(2));
    for (int attempt = 0; attempt < 30; attempt++) {
      const float size = rng.Uniform(13.f, 34.f);  // px per logo unit: logos ~27-75 px wide
      const float rot = rng.Uniform(-20.f, 20.f) * kPi / 180.f;
      const float cr = std::cos(rot), sr = std::sin(rot);
      const float cx = rng.Uniform(0, float(width)), cy = rng.Uniform(0, float(height));
      // Exact tight box from a fine scan of the rotated shape.
      float l = 1e9f, t = 1e9f, r = -1e9f, b = -1e9f;
      for (float v = -1.2f; v <= 1.2f; v += 0.02f)
        for (float u = -1.3f; u <= 1.3f; u += 0.02f) {
          if (!InLogo(cls, u, v)) continue;
          const float x = cx + size * (u * cr - v * sr), y = cy + size * (u * sr + v * cr);
          l = std::min(l, x);
          r = std::max(r, x);
          t = std::min(t, y);
          b = std::max(b, y);
        }
      Box box{std::floor(l), std::floor(t), std::ceil(r) - std::floor(l), std::ceil(b) - std::floor(t), cls, 1.f, false};
      if (box.left < 1 || box.top < 1 || box.right() > float(width - 1) || box.bottom() > float(height - 1)) continue;
      bool clash = false;
      for (const Box& o : out.boxes) {
        Box grown{o.left - 3, o.top - 3, o.width + 6, o.height + 6, 0, 1, false};
        if (IoU(grown, box) > 0) clash = true;
      }
      if (clash) continue;
      // A colour that stands out from the local background (luma difference).
      Rgb bg{0, 0, 0};
      int cnt = 0;
      for (int y = int(box.top); y < int(box.bottom()); y += 2)
        for (int x = int(box.left); x < int(box.right()); x += 2) {
          const Rgb& p = c.at(x, y);
          bg = {bg.r + p.r, bg.g + p.g, bg.b + p.b};
          cnt++;
        }
      bg = {bg.r / float(cnt), bg.g / float(cnt), bg.b / float(cnt)};
      Rgb col = RandomColor(rng);
      for (int k = 0; k < 20 && std::fabs(Luma(col) - std::clamp(Luma(bg), 0.f, 1.f)) < 0.3f; k++) col = RandomColor(rng);
      if (std::fabs(Luma(col) - Luma(bg)) < 0.3f) col = Luma(bg) > 0.5f ? Rgb{0.08f, 0.08f, 0.1f} : Rgb{0.97f, 0.6f, 0.1f};
      Fill(c, int(box.left) - 1, int(box.top) - 1, int(box.right()) + 1, int(box.bottom()) + 1, col, [&](float x, float y) {
        const float dx = x - cx, dy = y - cy;
        return InLogo(cls, (dx * cr + dy * sr) / size, (-dx * sr + dy * cr) / size);
      });
      // Occlusion: a bar over up to a quarter of the logo from one side.
      if (rng.Uniform01() < 0.25f) {
        const Rgb oc = RandomColor(rng);
        const float f = rng.Uniform(0.12f, 0.25f);
        const int side = int(rng.Below(4));
        float ol = box.left, ot = box.top, orr = box.right(), ob = box.bottom();
        if (side == 0) orr = box.left + box.width * f;
        if (side == 1) ol = box.right() - box.width * f;
        if (side == 2) ob = box.top + box.height * f;
        if (side == 3) ot = box.bottom() - box.height * f;
        Fill(c, int(ol) - 2, int(ot) - 2, int(orr) + 2, int(ob) + 2, oc,
             [&](float x, float y) { return x >= ol && x <= orr && y >= ot && y <= ob; });
      }
      out.boxes.push_back(box);
      break;
    }
  }
  // Sensor noise, +-1 level: more would double the PNGs' size.
  out.image = Image(width, height);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++) {
      const Rgb& p = c.at(x, y);
      const float nz = 0.f;  // no sensor noise: random LSBs would double the PNGs (2.6 -> 4.3 MB)
      uint8_t* q = out.image.At(x, y);
      q[0] = uint8_t(std::clamp(p.r + nz, 0.f, 1.f) * 255.f + 0.5f);
      q[1] = uint8_t(std::clamp(p.g + nz, 0.f, 1.f) * 255.f + 0.5f);
      q[2] = uint8_t(std::clamp(p.b + nz, 0.f, 1.f) * 255.f + 0.5f);
    }
  return out;
}

// [SECTION] The data set

GeneratedImage BundledLogoImage(uint64_t seed, size_t split, int index, int width, int height) {
  // About one image in ten has no logo.
  Rng pick(seed * 7919u + split * 104729u + uint64_t(index));
  const bool none = pick.Below(10) == 0 && index > 0;
  return GenerateLogoImage(seed * 1000003u + split * 10007u + uint64_t(index), width, height, none ? 0 : 4);
}

LogoDataSetWriter::LogoDataSetWriter(std::string dir, uint64_t seed, int width, int height)
    : dir_(std::move(dir)), seed_(seed), width_(width), height_(height) {
  for (const LogoSplit& sp : LogoSplits()) total_images_ += sp.count;
}

float LogoDataSetWriter::Progress() const {
  return total_images_ > 0 ? float(done_images_) / float(total_images_) : 1.f;
}

bool LogoDataSetWriter::Step() {
  if (!status_ || split_ >= LogoSplits().size()) return true;
  const LogoSplit& split = LogoSplits()[split_];
  const size_t s = split_;
  const std::string date = "2026-11-28T00:00:00.000000";  // fixed: same seed, same bytes
  if (image_ == 0 && !drawn_ && manifest_.images.empty()) {  // a split starts: its folder and class map
    std::error_code ec;
    std::filesystem::create_directories(dir_ + "/" + split.name, ec);
    if (ec) {
      status_ = Status::Error(dir_ + "/" + split.name + ": cannot create (" + ec.message() + ")");
      return true;
    }
    manifest_ = Manifest{};
    for (size_t k = 0; k < LogoClassNames().size(); k++) manifest_.class_map[int(k)] = LogoClassNames()[k];
    logos_ = empty_ = 0;
  }
  if (image_ < split.count && !drawn_) {
    drawn_ = BundledLogoImage(seed_, s, image_, width_, height_);
    return false;
  }
  if (drawn_) {
    const int i = image_++;
    GeneratedImage g = std::move(*drawn_);
    drawn_.reset();
    char name[32];
    std::snprintf(name, sizeof name, "%04d.png", i);
    const std::string rel = std::string(split.name) + "/" + name;
    Status st = SavePng(g.image, dir_ + "/" + rel);
    if (!st) {
      status_ = st;
      return true;
    }
    LabeledImage li;
    li.source_ref = rel;
    li.width = width_;
    li.height = height_;
    li.boxes = g.boxes;
    li.creation_date = date;
    li.job_name = "labeling-job/logos-generated";
    logos_ += int(g.boxes.size());
    empty_ += g.boxes.empty();
    manifest_.images.push_back(std::move(li));
    done_images_++;
    return false;
  }
  // The split's manifest last: a set cut short has no manifest for its unfinished split.
  Status st = WriteManifest(manifest_, dir_ + "/" + split.name + ".manifest");
  if (!st) {
    status_ = st;
    return true;
  }
  summary_ += std::string(split.name) + ": " + std::to_string(split.count) + " images, " + std::to_string(logos_) +
              " logos, " + std::to_string(empty_) + " empty\n";
  manifest_ = Manifest{};
  image_ = 0;
  split_++;
  return split_ >= LogoSplits().size();
}

Status GenerateLogoDataSet(const std::string& dir, uint64_t seed, std::string* summary, int width, int height) {
  LogoDataSetWriter w(dir, seed, width, height);
  while (!w.Step()) {
  }
  if (summary) *summary += w.summary();
  return w.status();
}

bool LogoDataSetPresent(const std::string& dir) {
  std::error_code ec;
  for (const LogoSplit& sp : LogoSplits())
    if (!std::filesystem::exists(dir + "/" + sp.name + ".manifest", ec)) return false;
  return true;
}

}  // namespace fk::labels
