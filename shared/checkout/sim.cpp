// [SECTION] Layout and products
// [SECTION] The script (who reaches where, frame by frame)
// [SECTION] Rendering
#include "checkout/sim.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/rng.h"
#include "labels/generate.h"

namespace fk::checkout {

namespace {

constexpr float kPi = 3.14159265358979f;
constexpr int kW = ShelfSim::kWidth, kH = ShelfSim::kHeight, kSlots = ShelfSim::kSlots;

struct Rgb {
  float r, g, b;
};
Rgb Mix(const Rgb& a, const Rgb& b, float t) { return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t}; }
float Luma(const Rgb& c) { return 0.299f * c.r + 0.587f * c.g + 0.114f * c.b; }

// [SECTION] Layout and products

constexpr float kPackW = 54, kPackH = 54;
const std::vector<SlotBox>& Layout() {
  static const std::vector<SlotBox> k = [] {
    std::vector<SlotBox> v;
    for (int row = 0; row < 2; row++)
      for (int col = 0; col < 5; col++) v.push_back({36.f + 62.f * float(col) - kPackW / 2, row == 0 ? 14.f : 88.f, kPackW, kPackH});
    return v;
  }();
  return k;
}

// A product: a package of one colour with a logo printed on it, drawn once.
struct Product {
  int cls = 0;
  float bl = 1e9f, bt = 1e9f, br = -1e9f, bb = -1e9f;  // the logo's tight box in the sprite
  std::vector<float> rgba;  // kPackW x kPackH x 4 (alpha: the package's rounded corners)
};

Product MakeProduct(Rng& rng, int cls) {
  Product p;
  p.cls = cls;
  const int w = int(kPackW), h = int(kPackH);
  p.rgba.assign(size_t(w) * size_t(h) * 4, 0.f);
  // Package and ink colours far apart in brightness: a printed logo is meant to be seen.
  Rgb pack{rng.Uniform01(), rng.Uniform01(), rng.Uniform01()}, ink{rng.Uniform01(), rng.Uniform01(), rng.Uniform01()};
  for (int k = 0; k < 30 && std::fabs(Luma(pack) - Luma(ink)) < 0.35f; k++) ink = {rng.Uniform01(), rng.Uniform01(), rng.Uniform01()};
  if (std::fabs(Luma(pack) - Luma(ink)) < 0.35f) ink = Luma(pack) > 0.5f ? Rgb{0.08f, 0.08f, 0.1f} : Rgb{0.97f, 0.95f, 0.9f};
  const float size = rng.Uniform(19.f, 22.f);  // px per logo unit: logos about 36-48 px wide
  const float rot = rng.Uniform(-8.f, 8.f) * kPi / 180.f, cr = std::cos(rot), sr = std::sin(rot);
  const float cx = float(w) / 2 + rng.Uniform(-1.5f, 1.5f), cy = float(h) / 2 + 2 + rng.Uniform(-1.5f, 1.5f);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      int hits = 0;
      for (int sy = 0; sy < 3; sy++)
        for (int sx = 0; sx < 3; sx++) {
          const float dx = float(x) + (float(sx) + 0.5f) / 3.f - cx, dy = float(y) + (float(sy) + 0.5f) / 3.f - cy;
          hits += labels::InLogoShape(cls, (dx * cr + dy * sr) / size, (-dx * sr + dy * cr) / size);
        }
      // A little shading from top to bottom, as a box under a shelf light.
      if (hits) {
        p.bl = std::min(p.bl, float(x));
        p.bt = std::min(p.bt, float(y));
        p.br = std::max(p.br, float(x + 1));
        p.bb = std::max(p.bb, float(y + 1));
      }
      const Rgb base = Mix(pack, Rgb{0, 0, 0}, 0.12f * float(y) / float(h));
      const Rgb c = Mix(base, ink, float(hits) / 9.f);
      // Rounded corners of radius 4.
      const float ex = std::max({0.f, 4.f - float(x) - 0.5f, float(x) + 0.5f - float(w - 4)});
      const float ey = std::max({0.f, 4.f - float(y) - 0.5f, float(y) + 0.5f - float(h - 4)});
      const float a = std::clamp(4.5f - std::sqrt(ex * ex + ey * ey), 0.f, 1.f);
      float* q = &p.rgba[(size_t(y) * size_t(w) + size_t(x)) * 4];
      q[0] = c.r;
      q[1] = c.g;
      q[2] = c.b;
      q[3] = a;
    }
  return p;
}

// Sleeve colours, far apart so consecutive shoppers can be told apart by their sleeve.
const Rgb kSleeves[] = {{0.75f, 0.12f, 0.12f}, {0.12f, 0.25f, 0.7f}, {0.15f, 0.55f, 0.2f}, {0.9f, 0.75f, 0.1f},
                        {0.45f, 0.15f, 0.55f}, {0.1f, 0.6f, 0.65f},  {0.95f, 0.5f, 0.15f}, {0.95f, 0.55f, 0.75f}};
const Rgb kSkins[] = {{0.93f, 0.76f, 0.62f}, {0.78f, 0.57f, 0.42f}, {0.55f, 0.37f, 0.25f}, {0.36f, 0.24f, 0.17f}};

struct Hand {
  bool on = false;
  float hx = 0, hy = 0;  // the hand's centre
  float bx = 0;          // where the arm comes in under the bottom edge
  int carry = -1;        // product held
  int sleeve = 0, skin = 0;
};

struct FrameState {
  Hand hand;
  std::array<int, kSlots> slot;  // product index or -1
};

struct ShadowPass {
  int start, frames;
  float y, radius, depth;
  bool leftwards;
};

}  // namespace

struct ShelfSim::Script {
  std::vector<Product> products;
  std::vector<FrameState> frames;
  std::vector<Rgb> background;  // wall, boards and counter, kW x kH
  std::vector<std::pair<int, float>> light_steps;  // (frame, brightness level from then on)
  float drift_period = 200, drift_phase = 0, temp_period = 300, temp_phase = 0;
  std::vector<ShadowPass> shadows;
};

// [SECTION] The script (who reaches where, frame by frame)

ShelfSim::ShelfSim(SimOptions o) : opt_(o), s_(std::make_unique<Script>()) {
  Rng rng(o.seed * 0xD1B54A32D192ED03ull + 0x8CB92BA72F3D8DD7ull);
  Script& s = *s_;
  const std::vector<SlotBox>& L = Layout();
  // Background: a textured wall, two wooden shelf boards, the counter below.
  {
    Rng bg(o.seed * 31 + 7);
    const int gw = kW / 16 + 2, gh = kH / 16 + 2;
    std::vector<float> g(size_t(gw) * size_t(gh));
    for (float& v : g) v = bg.Uniform01();
    const Rgb wall = Mix(Rgb{0.82f, 0.78f, 0.68f}, Rgb{bg.Uniform01(), bg.Uniform01(), bg.Uniform01()}, 0.25f);
    const Rgb board{0.45f, 0.3f, 0.18f}, counter{0.28f, 0.28f, 0.3f};
    s.background.resize(size_t(kW) * size_t(kH));
    for (int y = 0; y < kH; y++)
      for (int x = 0; x < kW; x++) {
        const float fx = float(x) / 16.f, fy = float(y) / 16.f;
        const int ix = int(fx), iy = int(fy);
        const float tx = fx - float(ix), ty = fy - float(iy);
        auto G = [&](int a, int b) { return g[size_t(b) * size_t(gw) + size_t(a)]; };
        const float n = (G(ix, iy) * (1 - tx) + G(ix + 1, iy) * tx) * (1 - ty) + (G(ix, iy + 1) * (1 - tx) + G(ix + 1, iy + 1) * tx) * ty;
        Rgb c = Mix(wall, Rgb{0, 0, 0}, 0.1f * n);
        if ((y >= 68 && y < 75) || (y >= 142 && y < 149)) c = Mix(board, Rgb{0, 0, 0}, 0.15f * n + (y == 68 || y == 142 ? 0.f : 0.2f));
        if (y >= 152) c = Mix(counter, Rgb{1, 1, 1}, 0.08f * n);
        s.background[size_t(y) * kW + size_t(x)] = c;
      }
  }
  auto new_product = [&]() {
    s.products.push_back(MakeProduct(rng, int(rng.Below(2))));
    return int(s.products.size()) - 1;
  };
  FrameState cur;
  cur.slot.fill(-1);
  for (int i = 0; i < kSlots; i++)
    if (rng.Uniform01() < 0.85f) cur.slot[size_t(i)] = new_product();
  auto emit = [&](int n) {
    for (int k = 0; k < n; k++) s.frames.push_back(cur);
  };
  emit(8 + int(rng.Below(5)));
  int sleeve = -1;
  for (int session = 0; session < o.sessions; session++) {
    int next = int(rng.Below(8));
    if (next == sleeve) next = (next + 1 + int(rng.Below(7))) % 8;
    sleeve = next;
    const int skin = int(rng.Below(4));
    std::vector<int> cart;  // products this shopper holds
    const int visits = o.min_visits + int(rng.Below(uint32_t(std::max(1, o.max_visits - o.min_visits + 1))));
    for (int v = 0; v < visits; v++) {
      std::vector<int> filled, empty;
      for (int i = 0; i < kSlots; i++) (cur.slot[size_t(i)] >= 0 ? filled : empty).push_back(i);
      enum { kTouch, kTake, kPut } act = kTake;
      if (rng.Uniform01() < o.touch_share) act = kTouch;
      else if (!cart.empty() && !empty.empty() && rng.Uniform01() < 0.3f) act = kPut;
      else if (filled.empty()) act = kTouch;
      int slot = 0;
      if (act == kTake) slot = filled[rng.Below(uint32_t(filled.size()))];
      else if (act == kPut) slot = empty[rng.Below(uint32_t(empty.size()))];
      else slot = int(rng.Below(kSlots));
      const SlotBox& b = L[size_t(slot)];
      const float tx = b.left + b.width / 2 + rng.Uniform(-4, 4), ty = b.top + b.height * 0.72f + rng.Uniform(-3, 3);
      Hand h;
      h.on = true;
      h.sleeve = sleeve;
      h.skin = skin;
      h.bx = std::clamp(tx + rng.Uniform(-50, 50), 12.f, float(kW - 12));
      int put_index = -1;
      if (act == kPut) {
        put_index = int(rng.Below(uint32_t(cart.size())));
        h.carry = cart[size_t(put_index)];
      }
      const int reach = 6 + int(rng.Below(3)), dwell = 2 + int(rng.Below(2)), back = 6 + int(rng.Below(3));
      const float sy = float(kH) + 30;  // off screen
      for (int t = 1; t <= reach; t++) {
        const float u = float(t) / float(reach), e = u * u * (3 - 2 * u);
        h.hx = h.bx + (tx - h.bx) * e;
        h.hy = sy + (ty - sy) * e;
        cur.hand = h;
        emit(1);
      }
      for (int t = 0; t < dwell; t++) {
        h.hx = tx + rng.Uniform(-1, 1);
        h.hy = ty + rng.Uniform(-1, 1);
        if (t == dwell - 1 && act != kTouch) {
          Event ev;
          ev.frame = int(s.frames.size());
          ev.session = session;
          ev.slot = slot;
          if (act == kTake) {
            ev.type = EventType::kTake;
            h.carry = cur.slot[size_t(slot)];
            cur.slot[size_t(slot)] = -1;
            cart.push_back(h.carry);
          } else {
            ev.type = EventType::kPutBack;
            cur.slot[size_t(slot)] = h.carry;
            cart.erase(cart.begin() + put_index);
            h.carry = -1;
          }
          ev.item = ItemNames()[size_t(s.products[size_t(cur.slot[size_t(slot)] >= 0 ? cur.slot[size_t(slot)] : h.carry)].cls)];
          events_.push_back(ev);
        }
        cur.hand = h;
        emit(1);
      }
      const float ex = std::clamp(h.bx + rng.Uniform(-20, 20), 12.f, float(kW - 12)), ey = sy + 10;
      for (int t = 1; t <= back; t++) {
        const float u = float(t) / float(back), e = u * u * (3 - 2 * u);
        h.hx = tx + (ex - tx) * e;
        h.hy = ty + (ey - ty) * e;
        h.bx = h.bx + (ex - h.bx) * 0.2f;
        cur.hand = h;
        emit(1);
      }
      cur.hand = Hand{};
      emit(3 + int(rng.Below(5)));
    }
    // The next shopper comes after a pause; the shelf is restocked off camera meanwhile.
    emit(4 + int(rng.Below(4)));
    for (int i = 0; i < kSlots; i++)
      if (cur.slot[size_t(i)] < 0 && rng.Uniform01() < 0.6f) cur.slot[size_t(i)] = new_product();
    emit(6 + int(rng.Below(6)));
  }
  // Lighting: a slow brightness drift and colour-temperature swing, steps when lights change, passing shadows.
  const int n = int(s.frames.size());
  s.drift_period = rng.Uniform(150, 300);
  s.drift_phase = rng.Uniform(0, 2 * kPi);
  s.temp_period = rng.Uniform(200, 400);
  s.temp_phase = rng.Uniform(0, 2 * kPi);
  s.light_steps.push_back({0, rng.Uniform(0.85f, 1.1f)});
  for (int f = int(rng.Uniform(60, 200)); f < n; f += int(rng.Uniform(80, 250)))
    s.light_steps.push_back({f, rng.Uniform(0.72f, 1.18f)});
  for (int f = int(rng.Uniform(20, 120)); f < n; f += int(rng.Uniform(100, 260)))
    s.shadows.push_back({f, int(rng.Uniform(50, 90)), rng.Uniform(30, 130), rng.Uniform(50, 80), rng.Uniform(0.2f, 0.4f),
                         rng.Uniform01() < 0.5f});
}

ShelfSim::~ShelfSim() = default;
ShelfSim::ShelfSim(ShelfSim&&) noexcept = default;
ShelfSim& ShelfSim::operator=(ShelfSim&&) noexcept = default;

int ShelfSim::frame_count() const { return int(s_->frames.size()); }
const std::vector<SlotBox>& ShelfSim::slots() const { return Layout(); }
const std::vector<std::string>& ShelfSim::ItemNames() { return labels::LogoClassNames(); }

bool ShelfSim::HandVisible(int frame) const {
  if (frame < 0 || frame >= frame_count()) return false;
  const Hand& h = s_->frames[size_t(frame)].hand;
  return h.on && h.hy - 40 < float(kH);
}

std::vector<labels::Box> ShelfSim::LogoBoxes(int frame) const {
  std::vector<labels::Box> out;
  if (frame < 0 || frame >= frame_count()) return out;
  const FrameState& st = s_->frames[size_t(frame)];
  const std::vector<SlotBox>& L = Layout();
  for (int i = 0; i < kSlots; i++) {
    const int pi = st.slot[size_t(i)];
    if (pi < 0) continue;
    const Product& p = s_->products[size_t(pi)];
    // BlitProduct's placement (rounded to whole pixels).
    const float x0 = float(std::lround(L[size_t(i)].left)), y0 = float(std::lround(L[size_t(i)].top));
    out.push_back(labels::Box{x0 + p.bl, y0 + p.bt, p.br - p.bl, p.bb - p.bt, p.cls, 1.f, false});
  }
  return out;
}

// [SECTION] Rendering

namespace {

// Distance from p to the segment a-b.
float SegDist(float px, float py, float ax, float ay, float bx, float by) {
  const float vx = bx - ax, vy = by - ay, wx = px - ax, wy = py - ay;
  const float l2 = vx * vx + vy * vy;
  const float t = l2 > 0 ? std::clamp((wx * vx + wy * vy) / l2, 0.f, 1.f) : 0.f;
  const float dx = wx - t * vx, dy = wy - t * vy;
  return std::sqrt(dx * dx + dy * dy);
}

void BlitProduct(std::vector<Rgb>& c, const Product& p, float left, float top) {
  const int w = int(kPackW), h = int(kPackH), x0 = int(std::lround(left)), y0 = int(std::lround(top));
  for (int y = 0; y < h; y++) {
    const int cy = y0 + y;
    if (cy < 0 || cy >= kH) continue;
    for (int x = 0; x < w; x++) {
      const int cx = x0 + x;
      if (cx < 0 || cx >= kW) continue;
      const float* q = &p.rgba[(size_t(y) * size_t(w) + size_t(x)) * 4];
      Rgb& d = c[size_t(cy) * kW + size_t(cx)];
      d = Mix(d, Rgb{q[0], q[1], q[2]}, q[3]);
    }
  }
}

// Coverage (0..1) of the arm (a capsule from below the frame to the wrist) and of the hand.
float ArmCover(const Hand& h, float x, float y) {
  const float d = SegDist(x, y, h.bx, float(kH) + 60, h.hx, h.hy + 8);
  return std::clamp(11.5f - d, 0.f, 1.f);
}
float HandCover(const Hand& h, float x, float y) {
  float best = 12.5f - std::sqrt((x - h.hx) * (x - h.hx) + (y - h.hy) * (y - h.hy));
  for (int k = -1; k <= 1; k++)  // three fingers up
    best = std::max(best, 4.f - SegDist(x, y, h.hx + 6.f * float(k), h.hy - 6, h.hx + 6.5f * float(k), h.hy - 17));
  best = std::max(best, 3.5f - SegDist(x, y, h.hx - 10, h.hy, h.hx - 16, h.hy - 8));  // thumb
  return std::clamp(best, 0.f, 1.f);
}

}  // namespace

Image ShelfSim::Render(int frame) const {
  const Script& s = *s_;
  frame = std::clamp(frame, 0, frame_count() - 1);
  const FrameState& st = s.frames[size_t(frame)];
  std::vector<Rgb> c = s.background;
  const std::vector<SlotBox>& L = Layout();
  for (int i = 0; i < kSlots; i++)
    if (st.slot[size_t(i)] >= 0) BlitProduct(c, s.products[size_t(st.slot[size_t(i)])], L[size_t(i)].left, L[size_t(i)].top);
  const Hand& h = st.hand;
  if (h.on) {
    const int x0 = int(std::min(h.bx, h.hx)) - 40, x1 = int(std::max(h.bx, h.hx)) + 40;
    const int y0 = std::max(0, int(h.hy) - 30);
    // The arm's shadow first (down-right of it), then the arm, the held product, the hand.
    for (int y = y0; y < kH; y++)
      for (int x = std::max(0, x0); x < std::min(kW, x1); x++) {
        const float a = std::max(ArmCover(h, float(x) - 7, float(y) - 5), HandCover(h, float(x) - 7, float(y) - 5));
        if (a > 0) c[size_t(y) * kW + size_t(x)] = Mix(c[size_t(y) * kW + size_t(x)], Rgb{0, 0, 0}, 0.3f * a);
      }
    const Rgb sleeve = kSleeves[h.sleeve], skin = kSkins[h.skin];
    for (int y = y0; y < kH; y++)
      for (int x = std::max(0, x0); x < std::min(kW, x1); x++) {
        const float a = ArmCover(h, float(x) + 0.5f, float(y) + 0.5f);
        // Sleeve up to the wrist, a little skin above it.
        if (a > 0) c[size_t(y) * kW + size_t(x)] = Mix(c[size_t(y) * kW + size_t(x)], float(y) < h.hy + 22 ? skin : sleeve, a);
      }
    if (h.carry >= 0) BlitProduct(c, s.products[size_t(h.carry)], h.hx - kPackW / 2, h.hy - kPackH * 0.72f);
    for (int y = y0; y < std::min(kH, int(h.hy) + 14); y++)
      for (int x = std::max(0, int(h.hx) - 20); x < std::min(kW, int(h.hx) + 20); x++) {
        const float a = HandCover(h, float(x) + 0.5f, float(y) + 0.5f);
        if (a > 0) c[size_t(y) * kW + size_t(x)] = Mix(c[size_t(y) * kW + size_t(x)], skin, a);
      }
  }
  // Lighting.
  float level = 1.f;
  if (opt_.lighting)
    for (const auto& step : s.light_steps)
      if (step.first <= frame) level = step.second;
  const float drift = opt_.lighting ? 1.f + 0.08f * std::sin(2 * kPi * float(frame) / s.drift_period + s.drift_phase) : 1.f;
  const float temp = opt_.lighting ? 0.06f * std::sin(2 * kPi * float(frame) / s.temp_period + s.temp_phase) : 0.f;
  const float gr = level * drift * (1 + temp), gg = level * drift, gb = level * drift * (1 - temp);
  const ShadowPass* pass = nullptr;
  if (opt_.lighting)
    for (const ShadowPass& p : s.shadows)
      if (frame >= p.start && frame < p.start + p.frames) pass = &p;
  float sx = 0;
  if (pass) {
    const float u = float(frame - pass->start) / float(pass->frames);
    sx = pass->leftwards ? float(kW) + 80 - u * float(kW + 160) : -80 + u * float(kW + 160);
  }
  Rng noise(opt_.seed * 0x9E3779B97F4A7C15ull + uint64_t(frame) * 0xBF58476D1CE4E5B9ull + 1);
  Image img(kW, kH);
  const float sigma = opt_.noise / 255.f;
  for (int y = 0; y < kH; y++)
    for (int x = 0; x < kW; x++) {
      Rgb p = c[size_t(y) * kW + size_t(x)];
      float shade = 1.f;
      if (pass) {
        const float dx = float(x) - sx, dy = float(y) - pass->y;
        shade = 1.f - pass->depth * std::exp(-(dx * dx + dy * dy) / (pass->radius * pass->radius));
      }
      uint8_t* q = img.At(x, y);
      const float ch[3] = {p.r * gr * shade, p.g * gg * shade, p.b * gb * shade};
      for (int k = 0; k < 3; k++) {
        // Sum of three uniforms: close enough to Gaussian noise, and cheap.
        const float nz = sigma > 0 ? (noise.Uniform01() + noise.Uniform01() + noise.Uniform01() - 1.5f) * 2.f * sigma : 0.f;
        q[k] = uint8_t(std::clamp(ch[k] + nz, 0.f, 1.f) * 255.f + 0.5f);
      }
    }
  return img;
}

}  // namespace fk::checkout
