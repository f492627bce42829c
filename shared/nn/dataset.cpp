#include "nn/dataset.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/csv.h"
#include "core/file.h"
#include "core/image.h"
#include "core/rng.h"
#include "core/strings.h"

// Pixels must be the same natively and in wasm: the renderer uses only float
// +, -, *, /, sqrt (IEEE-exact everywhere), integer hashing and our own sin/cos
// polynomial; no libm transcendental and no double/float mixing that a
// compiler could evaluate differently. At most one random draw per function
// call's arguments: their order is unspecified (GCC evaluates them right to
// left, clang, and so Emscripten, left to right), and two draws there gave
// GCC and clang different pictures. (An FMA-contracting build of this file,
// -mfma with -ffp-contract=fast, would change pixels: the checksum test says so.)

namespace fk::nn {

const char* SplitName(Split s) {
  switch (s) {
    case Split::kTrain: return "train";
    case Split::kVal: return "val";
    case Split::kTest: return "test";
  }
  return "?";
}

uint64_t HashBytes(const uint8_t* data, size_t n, uint64_t h) {
  for (size_t i = 0; i < n; i++) {
    h ^= data[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

// [SECTION] Dataset

void Dataset::FillBatch(Split s, const int* indices, int n, float* nchw, int* labels) const {
  const int hw = ImageSize() * ImageSize();
  std::vector<uint8_t> rgb(size_t(hw) * 3);
  for (int b = 0; b < n; b++) {
    int label = 0;
    GetRgb8(s, indices[b], rgb.data(), &label);
    if (labels) labels[b] = label;
    float* out = nchw + size_t(b) * size_t(hw) * 3;
    for (int c = 0; c < 3; c++)
      for (int i = 0; i < hw; i++) out[size_t(c) * size_t(hw) + size_t(i)] = float(rgb[size_t(i) * 3 + size_t(c)]) * (1.f / 255.f);
  }
}

std::vector<int> Dataset::ClassCounts(Split s) const {
  std::vector<int> counts(size_t(NumClasses()), 0);
  for (int i = 0, n = Size(s); i < n; i++) {
    const int l = Label(s, i);
    if (l >= 0 && l < NumClasses()) counts[size_t(l)]++;
  }
  return counts;
}

// [SECTION] Deterministic helpers

namespace {

uint64_t Mix(uint64_t z) {  // SplitMix64's finaliser
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t KeyOf(uint64_t seed, Split s, uint64_t index, uint64_t salt) {
  return Mix(Mix(seed + 0x9E3779B97F4A7C15ull) ^ Mix((uint64_t(s) + 1) * 0xD1B54A32D192ED03ull + salt) ^
             Mix(index * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull));
}

// sin and cos of an angle in turns (1 = 360 degrees), from a Taylor polynomial
// on a quarter turn: libm's sinf differs between glibc and musl/Emscripten.
// Error below 1e-7 (float rounding dominates).
void SinCosTurns(float turns, float* s, float* c) {
  float t = turns - float(int(turns));
  if (t < 0) t += 1.f;
  int q = int(t * 4.f);
  if (q > 3) q = 3;
  const float x = (t * 4.f - float(q)) * 1.57079632679f;  // [0, pi/2)
  const float x2 = x * x;
  const float sx = x * (1.f + x2 * (-1.f / 6 + x2 * (1.f / 120 + x2 * (-1.f / 5040 + x2 * (1.f / 362880 +
                                                                                           x2 * (-1.f / 39916800))))));
  const float cx = 1.f + x2 * (-0.5f + x2 * (1.f / 24 + x2 * (-1.f / 720 + x2 * (1.f / 40320 +
                                                                                  x2 * (-1.f / 3628800 + x2 * (1.f / 479001600))))));
  switch (q) {
    case 0: *s = sx, *c = cx; break;
    case 1: *s = cx, *c = -sx; break;
    case 2: *s = -sx, *c = -cx; break;
    default: *s = -cx, *c = sx; break;
  }
}

inline float Clamp01(float v) { return v < 0.f ? 0.f : (v > 1.f ? 1.f : v); }
inline float Lerp(float a, float b, float t) { return a + (b - a) * t; }

struct Rgb {
  float r = 0, g = 0, b = 0;
};
inline float Luma(const Rgb& c) { return 0.299f * c.r + 0.587f * c.g + 0.114f * c.b; }
Rgb Mixed(const Rgb& a, const Rgb& b, float t) { return {Lerp(a.r, b.r, t), Lerp(a.g, b.g, t), Lerp(a.b, b.b, t)}; }
// Any colour, from grey to fully saturated.
Rgb RandomColor(Rng& rng) {
  const Rgb c = {rng.Uniform01(), rng.Uniform01(), rng.Uniform01()};
  const float l = Luma(c);
  return Mixed({l, l, l}, c, rng.Uniform01());
}

// A foreground colour whose luma differs from `bg_luma` by about `delta`
// (signed; flipped when it would leave [0, 1]), with a random hue.
Rgb ContrastingColor(Rng& rng, float bg_luma, float delta) {
  if (bg_luma + delta > 1.f || bg_luma + delta < 0.f) delta = -delta;
  const float target = Clamp01(bg_luma + delta);
  Rgb c = RandomColor(rng);
  const float shift = target - Luma(c);
  c = {Clamp01(c.r + shift), Clamp01(c.g + shift), Clamp01(c.b + shift)};
  const float got = Luma(c) - bg_luma;
  const float want = delta < 0 ? -delta : delta;
  if ((got < 0 ? -got : got) < 0.6f * want) c = {target, target, target};  // clamping ate the contrast: grey
  return c;
}

// [SECTION] Shapes as signed distances

constexpr const char* kShapeNames[GeneratedShapes::kNumClasses] = {
    "circle", "ring", "triangle", "square", "star", "cross", "arrow", "crescent", "heart", "hexagon"};
enum ShapeClass { kCircle, kRing, kTriangle, kSquare, kStar, kCross, kArrow, kCrescent, kHeart, kHexagon };

struct Shape {
  int cls = 0;
  float cx = 0, cy = 0;          // centre, pixels
  float cs = 1, sn = 0;          // rotation
  float inv_rx = 1, inv_ry = 1;  // pixels -> shape units along its axes
  float radius = 1;              // shape units -> pixels (for distances)
  float half_stroke = 0;         // > 0: outlined with this half width (pixels)
  float p0 = 0, p1 = 0;          // the class's own proportions
  float star[20] = {};           // star polygon (x, y) pairs
  float star_inv[10] = {};       // 1 / squared length of the edge ending at vertex i
};

// A polygon's signed distance (negative inside; even-odd rule); inv[i] is
// 1 / |v[i] - v[i-1]|^2.
float PolygonSdf(const float* v, const float* inv, int n, float x, float y) {
  float d2 = 1e30f;
  bool inside = false;
  for (int i = 0, j = n - 1; i < n; j = i++) {
    const float ax = v[2 * j], ay = v[2 * j + 1], bx = v[2 * i], by = v[2 * i + 1];
    const float ex = bx - ax, ey = by - ay, wx = x - ax, wy = y - ay;
    float t = (wx * ex + wy * ey) * inv[i];
    t = t < 0.f ? 0.f : (t > 1.f ? 1.f : t);
    const float dx = wx - ex * t, dy = wy - ey * t;
    d2 = std::min(d2, dx * dx + dy * dy);
    if ((by > y) != (ay > y) && x < ex * (y - ay) / ey + ax) inside = !inside;
  }
  const float d = std::sqrt(d2);
  return inside ? -d : d;
}

inline float Max3(float a, float b, float c) { return std::max(a, std::max(b, c)); }

// Distance in shape units (the shape spans about [-1, 1]); max-of-half-planes
// forms are exact on edges and inside, which is where anti-aliasing looks.
float ShapeSdf(const Shape& s, float x, float y) {
  const float ax = std::fabs(x), ay = std::fabs(y);
  switch (s.cls) {
    case kCircle: return std::sqrt(x * x + y * y) - 0.9f;
    case kRing: {  // outer 0.95, inner p0 * 0.95
      const float inner = 0.95f * s.p0, mid = 0.5f * (0.95f + inner), half = 0.5f * (0.95f - inner);
      return std::fabs(std::sqrt(x * x + y * y) - mid) - half;
    }
    case kTriangle:  // equilateral, circumradius 1.05
      return Max3(-y, 0.8660254f * x + 0.5f * y, -0.8660254f * x + 0.5f * y) - 0.525f;
    case kSquare: return std::max(ax, ay) - 0.78f;
    case kStar: return PolygonSdf(s.star, s.star_inv, 10, x, y);
    case kCross: return std::min(std::max(ax - 0.92f, ay - s.p0), std::max(ax - s.p0, ay - 0.92f));
    case kArrow: {
      const float shaft = std::max(ay - s.p0, std::max(x - 0.1f, -0.92f - x));
      const float hw = s.p1, inv = 1.f / std::sqrt(hw * hw + 1.f);
      const float head = Max3(-0.05f - x, (hw * x + y - 0.95f * hw) * inv, (hw * x - y - 0.95f * hw) * inv);
      return std::min(shaft, head);
    }
    case kCrescent: {
      const float dx = x - s.p0;
      return std::max(std::sqrt(x * x + y * y) - 0.92f, s.p1 - std::sqrt(dx * dx + y * y));
    }
    case kHeart: {  // a diamond with two discs on its upper edges
      const float h = 0.78f, cy = -0.08f, r = h * 0.70710678f;
      const float diamond = (ax + std::fabs(y - cy) - h) * 0.70710678f;
      const float dx = ax - 0.5f * h, dy = y - (cy + 0.5f * h);
      return std::min(diamond, std::sqrt(dx * dx + dy * dy) - r);
    }
    default:  // hexagon, apothem 0.84
      return Max3(ax, std::fabs(0.5f * x + 0.8660254f * y), std::fabs(0.5f * x - 0.8660254f * y)) - 0.84f;
  }
}

// Signed distance in pixels from pixel centre (px, py) to the shape's edge
// (to the stroke's, when outlined).
inline float Distance(const Shape& s, float px, float py) {
  const float dx = px - s.cx, dy = py - s.cy;
  const float lx = (s.cs * dx + s.sn * dy) * s.inv_rx, ly = (-s.sn * dx + s.cs * dy) * s.inv_ry;
  const float d = ShapeSdf(s, lx, ly) * s.radius;
  return s.half_stroke > 0 ? std::fabs(d) - s.half_stroke : d;
}

// Draws the shape over `img` (HWC floats) with colour `a` (a gradient to `b`
// along the shape's x axis when b != nullptr) and opacity alpha. Coverage is
// a 1-pixel box filter over the distance, clamp(0.5 - d, 0, 1).
void DrawShape(float* img, int size, const Shape& s, const Rgb& a, const Rgb* b, float alpha) {
  const float reach = std::max(1.f / s.inv_rx, 1.f / s.inv_ry) * 1.05f + s.half_stroke + 1.5f;
  const int x0 = std::max(0, int(s.cx - reach)), x1 = std::min(size - 1, int(s.cx + reach));
  const int y0 = std::max(0, int(s.cy - reach)), y1 = std::min(size - 1, int(s.cy + reach));
  // Every distance here changes by at most `lip` pixels per pixel moved (1 for
  // the exact and half-plane forms, times the aspect stretch), so one distance
  // at a 4x4 block's centre tells when all 16 pixels are fully in or out:
  // those coverages are exactly 0 or 1 and need no per-pixel distance.
  const float lip = std::max(s.inv_rx, s.inv_ry) * s.radius * 1.01f;
  const float block_reach = lip * 2.1214f + 0.5f;  // centre to the farthest pixel centre: 1.5 * sqrt(2)
  for (int by = y0; by <= y1; by += 4)
    for (int bx = x0; bx <= x1; bx += 4) {
      const int ex = std::min(bx + 3, x1), ey = std::min(by + 3, y1);
      float known = -1.f;  // -1: per pixel
      if (ex - bx == 3 && ey - by == 3) {
        const float dc = Distance(s, float(bx) + 2.f, float(by) + 2.f);
        if (dc >= block_reach) continue;  // all outside
        if (dc <= -block_reach) known = 1.f;
      }
      for (int y = by; y <= ey; y++)
        for (int x = bx; x <= ex; x++) {
          const float px = float(x) + 0.5f, py = float(y) + 0.5f;
          const float cov = (known >= 0.f ? known : Clamp01(0.5f - Distance(s, px, py))) * alpha;
          if (cov <= 0.f) continue;
          Rgb c = a;
          if (b) {
            const float t = Clamp01(0.5f + 0.5f * (s.cs * (px - s.cx) + s.sn * (py - s.cy)) * s.inv_rx);
            c = Mixed(a, *b, t);
          }
          float* p = img + (size_t(y) * size_t(size) + size_t(x)) * 3;
          p[0] = Lerp(p[0], c.r, cov);
          p[1] = Lerp(p[1], c.g, cov);
          p[2] = Lerp(p[2], c.b, cov);
        }
    }
}

// Unit vectors of the star's 10 vertices (outer at even k), from our own sin/cos.
const float* StarDirections() {
  static const auto table = [] {
    std::vector<float> t(20);
    for (int k = 0; k < 10; k++) SinCosTurns(0.25f + float(k) / 10.f, &t[size_t(2 * k + 1)], &t[size_t(2 * k)]);
    return t;
  }();
  return table.data();
}

// A shape of class `cls`, radius r pixels, centred at (cx, cy); the rest from rng.
Shape MakeShape(Rng& rng, int cls, float cx, float cy, float r, float d, bool may_outline, float px_unit) {
  Shape s;
  s.cls = cls;
  s.cx = cx, s.cy = cy;
  SinCosTurns(rng.Uniform01() * d, &s.sn, &s.cs);
  const float aspect = 1.f + (rng.Uniform01() - 0.5f) * 0.26f * d;  // 0.87..1.13
  s.inv_rx = 1.f / (r * aspect), s.inv_ry = aspect / r;
  s.radius = r;
  const float u0 = rng.Uniform01(), u1 = rng.Uniform01();
  switch (cls) {
    case kRing: s.p0 = 0.42f + 0.3f * u0; break;
    case kStar: {
      const float inner = 0.38f + 0.14f * u0;
      const float* dir = StarDirections();
      for (int k = 0; k < 10; k++) {
        const float rad = (k % 2) ? inner : 1.f;
        s.star[2 * k] = dir[2 * k] * rad, s.star[2 * k + 1] = dir[2 * k + 1] * rad;
      }
      for (int k = 0; k < 10; k++) {
        const int j = (k + 9) % 10;
        const float ex = s.star[2 * k] - s.star[2 * j], ey = s.star[2 * k + 1] - s.star[2 * j + 1];
        s.star_inv[k] = 1.f / (ex * ex + ey * ey);
      }
      break;
    }
    case kCross: s.p0 = 0.2f + 0.14f * u0; break;
    case kArrow: s.p0 = 0.13f + 0.09f * u0, s.p1 = 0.5f + 0.18f * u1; break;
    case kCrescent: s.p0 = 0.32f + 0.18f * u0, s.p1 = 0.68f + 0.12f * u1; break;
    default: break;
  }
  // Circles and rings keep their own fill: an outlined circle is a ring.
  if (may_outline && cls != kCircle && cls != kRing && rng.Uniform01() < 0.35f * d)
    s.half_stroke = (0.6f + 1.1f * rng.Uniform01()) * px_unit;
  return s;
}

// [SECTION] Backgrounds

void Background(float* img, int size, Rng& rng, const Rgb& bg, float d) {
  const size_t n = size_t(size) * size_t(size);
  for (size_t i = 0; i < n; i++) img[3 * i] = bg.r, img[3 * i + 1] = bg.g, img[3 * i + 2] = bg.b;
  const int kind = d > 0 ? int(rng.Below(6)) : 0;
  const Rgb other = RandomColor(rng);
  const Rgb bg2 = Mixed(bg, other, (0.15f + 0.5f * rng.Uniform01()) * d);
  const float fs = float(size), unit = fs / 32.f;
  float sn, cs;
  SinCosTurns(rng.Uniform01(), &sn, &cs);
  auto blend = [&](size_t i, const Rgb& c, float t) {
    img[3 * i] = Lerp(img[3 * i], c.r, t);
    img[3 * i + 1] = Lerp(img[3 * i + 1], c.g, t);
    img[3 * i + 2] = Lerp(img[3 * i + 2], c.b, t);
  };
  switch (kind) {
    case 1: {  // linear gradient
      for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++) {
          const float u = (cs * (float(x) + 0.5f - 0.5f * fs) + sn * (float(y) + 0.5f - 0.5f * fs)) / fs;
          blend(size_t(y) * size_t(size) + size_t(x), bg2, Clamp01(0.5f + u));
        }
      break;
    }
    case 2: {  // soft stripes (a triangle wave across a random direction)
      const float period = (3.f + 7.f * rng.Uniform01()) * unit, phase = rng.Uniform01();
      for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++) {
          float u = (cs * float(x) + sn * float(y)) / period + phase + 1000.f;
          u -= float(int(u));
          blend(size_t(y) * size_t(size) + size_t(x), bg2, u < 0.5f ? 2.f * u : 2.f - 2.f * u);
        }
      break;
    }
    case 3: {  // value noise: a coarse random grid, smoothly interpolated
      const int g = 2 + int(rng.Below(5));
      float grid[8 * 8];
      for (int i = 0; i < (g + 1) * (g + 1); i++) grid[i] = rng.Uniform01();
      for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++) {
          const float gx = (float(x) + 0.5f) / fs * float(g), gy = (float(y) + 0.5f) / fs * float(g);
          const int ix = std::min(int(gx), g - 1), iy = std::min(int(gy), g - 1);
          float fx = gx - float(ix), fy = gy - float(iy);
          fx = fx * fx * (3.f - 2.f * fx), fy = fy * fy * (3.f - 2.f * fy);
          const float* r0 = grid + iy * (g + 1) + ix;
          const float t = Lerp(Lerp(r0[0], r0[1], fx), Lerp(r0[g + 1], r0[g + 2], fx), fy);
          blend(size_t(y) * size_t(size) + size_t(x), bg2, t);
        }
      break;
    }
    case 4: {  // soft blobs of their own colours
      const int blobs = 2 + int(rng.Below(5));
      for (int k = 0; k < blobs; k++) {
        const float bx = rng.Uniform01() * fs, by = rng.Uniform01() * fs, rad = (0.15f + 0.3f * rng.Uniform01()) * fs;
        const Rgb own = RandomColor(rng);
        const Rgb c = Mixed(bg, own, (0.2f + 0.5f * rng.Uniform01()) * d);
        const float inv = 1.f / (rad * rad);
        const int x0 = std::max(0, int(bx - rad)), x1 = std::min(size - 1, int(bx + rad) + 1);
        const int y0 = std::max(0, int(by - rad)), y1 = std::min(size - 1, int(by + rad) + 1);
        for (int y = y0; y <= y1; y++)
          for (int x = x0; x <= x1; x++) {
            const float dx = float(x) + 0.5f - bx, dy = float(y) + 0.5f - by;
            const float w = 1.f - (dx * dx + dy * dy) * inv;
            if (w > 0) blend(size_t(y) * size_t(size) + size_t(x), c, w * w);
          }
      }
      break;
    }
    case 5: {  // rotated checks
      const float cell = (3.f + 6.f * rng.Uniform01()) * unit;
      for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++) {
          const float u = (cs * float(x) + sn * float(y)) / cell + 1000.f;
          const float v = (-sn * float(x) + cs * float(y)) / cell + 1000.f;
          if ((int(u) + int(v)) & 1) blend(size_t(y) * size_t(size) + size_t(x), bg2, 1.f);
        }
      break;
    }
    default: break;
  }
}

// 3x3 binomial blur (defocus), edges clamped.
void Blur(float* img, int size) {
  std::vector<float> tmp(size_t(size) * size_t(size) * 3);
  auto at = [size](int x, int y) { return (size_t(std::clamp(y, 0, size - 1)) * size_t(size) + size_t(std::clamp(x, 0, size - 1))) * 3; };
  for (int y = 0; y < size; y++)
    for (int x = 0; x < size; x++)
      for (int c = 0; c < 3; c++)
        tmp[at(x, y) + size_t(c)] = 0.25f * img[at(x - 1, y) + size_t(c)] + 0.5f * img[at(x, y) + size_t(c)] + 0.25f * img[at(x + 1, y) + size_t(c)];
  for (int y = 0; y < size; y++)
    for (int x = 0; x < size; x++)
      for (int c = 0; c < 3; c++)
        img[at(x, y) + size_t(c)] = 0.25f * tmp[at(x, y - 1) + size_t(c)] + 0.5f * tmp[at(x, y) + size_t(c)] + 0.25f * tmp[at(x, y + 1) + size_t(c)];
}

// One picture of class `label`; every choice from rng, scaled by difficulty d.
void RenderShapes(uint64_t key, int label, int size, float d, uint8_t* out) {
  Rng rng(key);
  const float fs = float(size), unit = fs / 32.f;
  std::vector<float> img(size_t(size) * size_t(size) * 3);

  const Rgb bg = RandomColor(rng);
  Background(img.data(), size, rng, bg, d);

  // Clutter: faint small shapes of the other classes.
  const int clutter = int(float(rng.Below(5)) * d + 0.5f);
  for (int k = 0; k < clutter; k++) {
    int cls = int(rng.Below(GeneratedShapes::kNumClasses - 1));
    if (cls >= label) cls++;
    const float r = (0.07f + 0.09f * rng.Uniform01()) * fs;
    const float x = rng.Uniform01() * fs, y = rng.Uniform01() * fs;
    const Shape s = MakeShape(rng, cls, x, y, r, 1.f, true, unit);
    const Rgb c = RandomColor(rng);
    DrawShape(img.data(), size, s, c, nullptr, 0.15f + 0.35f * rng.Uniform01());
  }

  // The shape: radius 20..42% of the side, mostly inside the frame.
  const float r = d > 0 ? (0.2f + 0.22f * rng.Uniform01()) * fs : 0.36f * fs;
  const float margin = 0.85f * r;
  const float cx = 0.5f * fs + (rng.Uniform01() - 0.5f) * (fs - 2.f * margin) * d;
  const float cy = 0.5f * fs + (rng.Uniform01() - 0.5f) * (fs - 2.f * margin) * d;
  const Shape s = MakeShape(rng, label, cx, cy, r, d, true, unit);
  const bool low = rng.Uniform01() < 0.25f * d;
  const float contrast = low ? 0.07f + 0.07f * rng.Uniform01() : 0.25f + (0.45f * rng.Uniform01()) * (d > 0 ? 1.f : 0.f);
  const float sign = rng.Uniform01() < 0.5f ? -1.f : 1.f;
  const Rgb fg = ContrastingColor(rng, Luma(bg), sign * contrast);
  Rgb fg2 = fg;
  const bool gradient = rng.Uniform01() < 0.3f * d;
  if (gradient) fg2 = ContrastingColor(rng, Luma(bg), sign * contrast);
  const float alpha = 1.f - 0.25f * d * rng.Uniform01();
  DrawShape(img.data(), size, s, fg, gradient ? &fg2 : nullptr, alpha);

  // Occluder: a box over one side of the shape (never its centre), in a
  // colour apart from the shape's (a disc in the background's colour would
  // turn a circle into a crescent).
  if (rng.Uniform01() < 0.3f * d) {
    float sn, cs;
    SinCosTurns(rng.Uniform01(), &sn, &cs);
    const float dist = (0.55f + 0.4f * rng.Uniform01()) * r;
    const float half = (0.22f + 0.23f * rng.Uniform01()) * r;
    const Shape o = MakeShape(rng, kSquare, cx + cs * dist, cy + sn * dist, half / 0.78f, 1.f, false, unit);
    const Rgb c = ContrastingColor(rng, Luma(fg), rng.Uniform01() < 0.5f ? -0.3f : 0.3f);
    DrawShape(img.data(), size, o, c, nullptr, 1.f);
  }

  if (rng.Uniform01() < 0.2f * d) Blur(img.data(), size);

  // Pixel noise: triangular, per channel, sigma up to 0.07, from a hash of the
  // value's position (independent per value, so the loop vectorises).
  const float sigma = 0.07f * d * rng.Uniform01() * 2.4494897f;
  const size_t n = img.size();
  if (sigma > 0) {
    const uint32_t base = rng.NextU32();
    for (size_t i = 0; i < n; i++) {
      uint32_t h = (uint32_t(i) + base) * 0x9E3779B9u;
      h ^= h >> 15, h *= 0x2C1B3C6Du, h ^= h >> 12;
      const float u = float(int(h & 0xffffu)) * (1.f / 65536.f) + float(int(h >> 16)) * (1.f / 65536.f) - 1.f;
      img[i] += u * sigma;
    }
  }
  for (size_t i = 0; i < n; i++) out[i] = uint8_t(int(std::min(std::max(img[i], 0.f), 1.f) * 255.f + 0.5f));
}

}  // namespace

// [SECTION] GeneratedShapes

const std::vector<std::string>& ShapeClassNames() {
  static const std::vector<std::string> names(std::begin(kShapeNames), std::end(kShapeNames));
  return names;
}

Status GenOptions::Validate() const {
  if (image_size < 16 || image_size > 96) return Status::Error("image size must be 16..96, got " + std::to_string(image_size));
  if (train < 0 || val < 0 || test < 0) return Status::Error("split sizes must not be negative");
  if (!(difficulty >= 0.f && difficulty <= 1.f)) return Status::Error("difficulty must be in [0, 1]");
  return Status::Ok();
}

GeneratedShapes::GeneratedShapes(GenOptions o) : o_(o) {
  o_.image_size = std::clamp(o_.image_size, 16, 96);
  o_.train = std::max(0, o_.train), o_.val = std::max(0, o_.val), o_.test = std::max(0, o_.test);
  if (!(o_.difficulty >= 0.f)) o_.difficulty = 0.f;
  if (o_.difficulty > 1.f) o_.difficulty = 1.f;
}

std::string GeneratedShapes::ClassName(int c) const { return kShapeNames[c]; }

int GeneratedShapes::Size(Split s) const {
  return s == Split::kTrain ? o_.train : (s == Split::kVal ? o_.val : o_.test);
}

int GeneratedShapes::Label(Split s, int index) const {
  Rng rng(KeyOf(o_.seed, s, uint64_t(index / kNumClasses), 0x4C4142454C));
  int perm[kNumClasses];
  for (int i = 0; i < kNumClasses; i++) perm[i] = i;
  for (int i = kNumClasses - 1; i > 0; i--) std::swap(perm[i], perm[rng.Below(uint32_t(i + 1))]);
  return perm[index % kNumClasses];
}

void GeneratedShapes::RenderClass(Split s, int index, int label, uint8_t* hwc) const {
  RenderShapes(KeyOf(o_.seed, s, uint64_t(index), 0x494D47), label, o_.image_size, o_.difficulty, hwc);
}

void GeneratedShapes::GetRgb8(Split s, int index, uint8_t* hwc, int* label) const {
  const int l = Label(s, index);
  RenderClass(s, index, l, hwc);
  if (label) *label = l;
}

void GeneratedShapes::Render(Split s, int index, float* chw, int* label) const {
  FillBatch(s, &index, 1, chw, label);
}

// [SECTION] Resizing

namespace {

// Per output pixel, the source pixels and weights along one axis.
struct Taps {
  std::vector<int> first, count;
  std::vector<float> w;  // count[o] weights from offset[o]
  std::vector<size_t> offset;
};

Taps BuildTaps(int src, int dst) {
  Taps t;
  const float scale = float(src) / float(dst);
  for (int o = 0; o < dst; o++) {
    t.offset.push_back(t.w.size());
    if (src > dst) {  // area: the source interval this output pixel covers
      const float lo = float(o) * scale, hi = float(o + 1) * scale;
      const int i0 = int(lo), i1 = std::min(src - 1, int(hi - 1e-4f));
      t.first.push_back(i0);
      t.count.push_back(i1 - i0 + 1);
      for (int i = i0; i <= i1; i++)
        t.w.push_back((std::min(hi, float(i + 1)) - std::max(lo, float(i))) / scale);
    } else {  // bilinear between pixel centres, edges clamped
      const float x = std::clamp((float(o) + 0.5f) * scale - 0.5f, 0.f, float(src - 1));
      const int i0 = std::min(int(x), src - 1);
      const float f = x - float(i0);
      t.first.push_back(i0);
      if (i0 + 1 < src) {
        t.count.push_back(2);
        t.w.push_back(1.f - f);
        t.w.push_back(f);
      } else {
        t.count.push_back(1);
        t.w.push_back(1.f);
      }
    }
  }
  return t;
}

}  // namespace

void ResizeRgb8(const uint8_t* src, int src_w, int src_h, uint8_t* dst, int dst_w, int dst_h) {
  const Taps tx = BuildTaps(src_w, dst_w), ty = BuildTaps(src_h, dst_h);
  std::vector<float> rows(size_t(src_h) * size_t(dst_w) * 3);  // horizontal pass
  for (int y = 0; y < src_h; y++) {
    const uint8_t* in = src + size_t(y) * size_t(src_w) * 3;
    float* out = rows.data() + size_t(y) * size_t(dst_w) * 3;
    for (int o = 0; o < dst_w; o++) {
      float acc[3] = {0, 0, 0};
      const float* w = tx.w.data() + tx.offset[size_t(o)];
      for (int k = 0; k < tx.count[size_t(o)]; k++) {
        const uint8_t* p = in + size_t(tx.first[size_t(o)] + k) * 3;
        acc[0] += w[k] * float(p[0]), acc[1] += w[k] * float(p[1]), acc[2] += w[k] * float(p[2]);
      }
      out[3 * o] = acc[0], out[3 * o + 1] = acc[1], out[3 * o + 2] = acc[2];
    }
  }
  for (int o = 0; o < dst_h; o++) {
    const float* w = ty.w.data() + ty.offset[size_t(o)];
    uint8_t* out = dst + size_t(o) * size_t(dst_w) * 3;
    for (int i = 0; i < dst_w * 3; i++) {
      float acc = 0;
      for (int k = 0; k < ty.count[size_t(o)]; k++)
        acc += w[k] * rows[size_t(ty.first[size_t(o)] + k) * size_t(dst_w) * 3 + size_t(i)];
      out[i] = uint8_t(int(std::clamp(acc, 0.f, 255.f) + 0.5f));
    }
  }
}

// [SECTION] A user's pictures

Status ImageSetOptions::Validate() const {
  if (image_size < 8 || image_size > 512) return Status::Error("image size must be 8..512, got " + std::to_string(image_size));
  if (!(val_fraction >= 0 && test_fraction >= 0 && val_fraction + test_fraction < 1))
    return Status::Error("the val and test fractions must be >= 0 and sum to less than 1");
  if (max_images < 1) return Status::Error("max_images must be at least 1");
  return Status::Ok();
}

void ImageFolderDataset::GetRgb8(Split s, int index, uint8_t* hwc, int* label) const {
  const Item& it = items_[int(s)][size_t(index)];
  std::memcpy(hwc, pixels_.data() + it.offset, BytesPerImage());
  if (label) *label = it.label;
}

namespace {

bool IsPicture(const std::string& name) {
  const std::string l = Lower(name);
  return EndsWith(l, ".png") || EndsWith(l, ".jpg") || EndsWith(l, ".jpeg");
}

// Pictures a user may have that stb is not built to read here (image.h: PNG and JPEG only).
bool IsOtherPicture(const std::string& name) {
  const std::string l = Lower(name);
  for (const char* ext : {".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm", ".pgm", ".heic"})
    if (EndsWith(l, ext)) return true;
  return false;
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (dir.empty() || dir == ".") return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

std::string TooMany(const std::string& name, size_t n, int limit) {
  return name + ": " + std::to_string(n) + " pictures; the limit is " + std::to_string(limit) +
         " (each is held in memory at the input size)";
}

constexpr size_t kMaxWarnings = 20;

}  // namespace

Result<ImageSetLoader> ImageSetLoader::FromSources(std::vector<ImageSource> sources, std::vector<std::string> classes,
                                                   const ImageSetOptions& o, const std::string& name) {
  if (Status st = o.Validate(); !st) return Status::Error(name + ": " + st.message());
  if (sources.empty()) return Status::Error(name + ": no pictures listed");
  if (classes.size() < 2)
    return Status::Error(name + ": " + std::to_string(classes.size()) + " class" + (classes.size() == 1 ? " ('" + classes[0] + "')" : "s") +
                         "; a classifier needs at least 2");
  if (sources.size() > size_t(o.max_images)) return Status::Error(TooMany(name, sources.size(), o.max_images));
  for (const ImageSource& s : sources)
    if (s.label < 0 || size_t(s.label) >= classes.size() || s.split < -1 || s.split >= kNumSplits)
      return Status::Error(s.where + ": label or split out of range");
  ImageSetLoader l;
  l.o_ = o;
  l.name_ = name;
  l.sources_ = std::move(sources);
  l.ds_.size_ = o.image_size;
  l.ds_.classes_ = std::move(classes);
  return l;
}

Result<ImageSetLoader> ImageSetLoader::Folder(const std::string& dir, const ImageSetOptions& o) {
  if (Status st = o.Validate(); !st) return Status::Error(dir + ": " + st.message());
  auto top = ListDir(dir);
  if (!top) return top.status();
  std::vector<std::string> classes;
  std::vector<ImageSource> sources;
  int ignored = 0;
  std::vector<std::string> notes;  // pictures in formats we do not decode
  size_t total = 0;  // pictures found; only the first max_images are kept, the rest counted for the message
  for (const DirEntry& e : *top) {
    if (!e.is_dir) {
      ignored++;
      continue;
    }
    if (!e.name.empty() && e.name[0] == '.') continue;  // .git and the like
    const std::string cdir = JoinPath(dir, e.name);
    auto files = ListDir(cdir);
    if (!files) return files.status();
    const int label = int(classes.size());
    size_t found = 0;
    for (const DirEntry& f : *files) {
      if (f.is_dir || !IsPicture(f.name)) {
        ignored++;
        if (!f.is_dir && IsOtherPicture(f.name) && notes.size() < kMaxWarnings)
          notes.push_back(JoinPath(cdir, f.name) + ": only PNG and JPEG pictures are read (ignored)");
        continue;
      }
      found++;
      if (++total > size_t(o.max_images)) continue;
      sources.push_back({JoinPath(cdir, f.name), e.name + "/" + f.name, JoinPath(cdir, f.name), label, -1});
    }
    if (found == 0) return Status::Error(cdir + ": no .png/.jpg/.jpeg pictures in the class folder");
    classes.push_back(e.name);
  }
  if (total > size_t(o.max_images)) return Status::Error(TooMany(dir, total, o.max_images));
  if (classes.empty()) return Status::Error(dir + ": no class folders (pictures go in " + JoinPath(dir, "<class>/<picture>.png") + ")");
  auto l = FromSources(std::move(sources), std::move(classes), o, dir);
  if (l) l->ds_.ignored_ = ignored, l->ds_.warnings_ = std::move(notes);
  return l;
}

Result<ImageSetLoader> ImageSetLoader::Csv(const std::string& csv_path, const ImageSetOptions& o) {
  if (Status st = o.Validate(); !st) return Status::Error(csv_path + ": " + st.message());
  auto text = ReadFile(csv_path);
  if (!text) return text.status();
  const size_t slash = csv_path.find_last_of('/');
  const std::string base = slash == std::string::npos ? "" : csv_path.substr(0, slash);
  CsvSplitter sp;
  std::string why;
  int path_col = -1, label_col = -1, split_col = -1;
  size_t columns = 0;
  std::vector<std::string> labels;
  std::vector<ImageSource> sources;
  size_t line_no = 0, pos = 0;
  const std::string& t = *text;
  while (pos < t.size()) {
    size_t nl = t.find('\n', pos);
    if (nl == std::string::npos) nl = t.size();
    std::string_view line(t.data() + pos, nl - pos);
    pos = nl + 1;
    line_no++;
    if (Trim(line).empty()) continue;
    const std::string where = csv_path + ":" + std::to_string(line_no);
    if (!sp.Split(line, &why)) return Status::Error(where + ": " + why);
    const auto& cells = sp.Cells();
    if (columns == 0) {  // the header
      columns = cells.size();
      for (size_t i = 0; i < cells.size(); i++) {
        std::string h = Lower(Trim(cells[i]));
        if (i == 0 && StartsWith(h, "\xEF\xBB\xBF")) h = h.substr(3);  // a BOM
        auto take = [&](int* col, const char* what) -> Status {
          if (*col >= 0) return Status::Error(where + ": two '" + std::string(what) + "' columns");
          *col = int(i);
          return Status::Ok();
        };
        Status st;
        if (h == "path" || h == "file" || h == "filename" || h == "image") st = take(&path_col, "path");
        else if (h == "label" || h == "class") st = take(&label_col, "label");
        else if (h == "split") st = take(&split_col, "split");
        if (!st) return st;
      }
      std::string header;
      for (size_t i = 0; i < cells.size(); i++) header += (i ? "," : "") + std::string(cells[i]);
      if (path_col < 0) return Status::Error(where + ": no 'path' column (the header is: " + header + ")");
      if (label_col < 0) return Status::Error(where + ": no 'label' column (the header is: " + header + ")");
      continue;
    }
    if (cells.size() != columns)
      return Status::Error(where + ": " + std::to_string(cells.size()) + " fields; the header has " + std::to_string(columns));
    const std::string path = Trim(cells[size_t(path_col)]), label = Trim(cells[size_t(label_col)]);
    if (path.empty()) return Status::Error(where + ": empty path");
    if (label.empty()) return Status::Error(where + ": empty label");
    int split = -1;
    if (split_col >= 0) {
      const std::string s = Lower(Trim(cells[size_t(split_col)]));
      if (s == "train") split = int(Split::kTrain);
      else if (s == "val" || s == "validation") split = int(Split::kVal);
      else if (s == "test") split = int(Split::kTest);
      else if (!s.empty()) return Status::Error(where + ": split '" + std::string(Trim(cells[size_t(split_col)])) + "' is not train, val or test");
    }
    if (sources.size() >= size_t(o.max_images)) {
      // Every further line counts as a picture in the message (blank lines too: close enough).
      const size_t rows = sources.size() + 1 + size_t(std::count(t.begin() + std::ptrdiff_t(std::min(pos, t.size())), t.end(), '\n'));
      return Status::Error(TooMany(csv_path, rows, o.max_images));
    }
    labels.push_back(label);
    const std::string full = path[0] == '/' ? path : JoinPath(base, path);
    sources.push_back({full, path, where + " (" + path + ")", 0, split});
  }
  if (columns == 0) return Status::Error(csv_path + ": empty (a header line 'path,label' is needed)");
  std::vector<std::string> classes = labels;
  std::sort(classes.begin(), classes.end());
  classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
  for (size_t i = 0; i < sources.size(); i++)
    sources[i].label = int(std::lower_bound(classes.begin(), classes.end(), labels[i]) - classes.begin());
  return FromSources(std::move(sources), std::move(classes), o, csv_path);
}

bool ImageSetLoader::Step(int max_images) {
  if (!status_) return true;
  const size_t bytes = ds_.BytesPerImage();
  if (ds_.pixels_.capacity() == 0) ds_.pixels_.reserve(sources_.size() * bytes);
  for (int k = 0; k < max_images && next_ < sources_.size(); k++) {
    const ImageSource& src = sources_[next_++];
    auto skip = [&](const std::string& why) {
      if (!o_.skip_bad_images) {
        status_ = Status::Error(why);
        return;
      }
      ds_.skipped_++;
      if (ds_.warnings_.size() < kMaxWarnings) ds_.warnings_.push_back(why + " (skipped)");
    };
    auto bytes_in = ReadFileBytes(src.path, nullptr, o_.max_file_bytes);
    if (!bytes_in) {
      skip(src.where + ": " + bytes_in.status().message());
      if (!status_) return true;
      continue;
    }
    auto img = DecodeImage(bytes_in->data(), bytes_in->size(), src.where);
    if (!img) {
      skip(img.status().message());
      if (!status_) return true;
      continue;
    }
    int split = src.split;
    if (split < 0) {
      const uint64_t h = Mix(HashBytes(reinterpret_cast<const uint8_t*>(src.key.data()), src.key.size()) ^ Mix(o_.seed));
      const double u = double(h >> 11) * (1.0 / 9007199254740992.0);
      split = u < 1 - o_.val_fraction - o_.test_fraction ? int(Split::kTrain)
                                                         : (u < 1 - o_.test_fraction ? int(Split::kVal) : int(Split::kTest));
    }
    const size_t off = ds_.pixels_.size();
    ds_.pixels_.resize(off + bytes);
    ResizeRgb8(img->rgb.data(), img->width, img->height, ds_.pixels_.data() + off, ds_.size_, ds_.size_);
    ds_.items_[split].push_back({off, src.label, src.where});
  }
  return next_ >= sources_.size();
}

Result<ImageFolderDataset> ImageSetLoader::Take() {
  if (!status_) return status_;
  if (next_ < sources_.size()) return Status::Error(name_ + ": not loaded yet (Step until it returns true)");
  std::vector<int> per_class(ds_.classes_.size(), 0);
  for (const auto& split : ds_.items_)
    for (const auto& it : split) per_class[size_t(it.label)]++;
  for (size_t c = 0; c < per_class.size(); c++)
    if (per_class[c] == 0)
      return Status::Error(name_ + ": class '" + ds_.classes_[c] + "' has no readable pictures (" +
                           std::to_string(ds_.skipped_) + " skipped in all; the first: " +
                           (ds_.warnings_.empty() ? std::string("none") : ds_.warnings_[0]) + ")");
  return std::move(ds_);
}

namespace {
Result<ImageFolderDataset> RunLoader(Result<ImageSetLoader> l) {
  if (!l) return l.status();
  while (!l->Step(256)) {
  }
  return l->Take();
}
}  // namespace

Result<ImageFolderDataset> LoadImageFolder(const std::string& dir, const ImageSetOptions& o) {
  return RunLoader(ImageSetLoader::Folder(dir, o));
}

Result<ImageFolderDataset> LoadImageCsv(const std::string& csv_path, const ImageSetOptions& o) {
  return RunLoader(ImageSetLoader::Csv(csv_path, o));
}

Result<std::unique_ptr<Dataset>> OpenDataset(const std::string& spec, const GenOptions& gen,
                                             const ImageSetOptions& images) {
  if (spec == "generated") {
    if (Status st = gen.Validate(); !st) return st;
    return std::unique_ptr<Dataset>(new GeneratedShapes(gen));
  }
  auto r = EndsWith(Lower(spec), ".csv") ? LoadImageCsv(spec, images) : LoadImageFolder(spec, images);
  if (!r) return r.status();
  return std::unique_ptr<Dataset>(new ImageFolderDataset(std::move(*r)));
}

}  // namespace fk::nn
