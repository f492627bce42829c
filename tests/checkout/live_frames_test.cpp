// checkout::LiveFrames (a camera's frames pushed as they arrive): the pipeline
// waits for frames rather than ending the stream, and the same frames pushed
// one by one give the events of the simulated stream read in memory.
#include <doctest/doctest.h>

#include <algorithm>

#include "checkout/pipeline.h"
#include "checkout/sim.h"
#include "core/clock.h"

TEST_CASE("checkout/live: LiveFrames scales to 320 wide, hands frames out in order, and ends only when closed") {
  fk::checkout::LiveFrames live;
  fk::Image big(640, 480);
  for (size_t i = 0; i < big.rgb.size(); i++) big.rgb[i] = uint8_t((i / 3) % 640 < 320 ? 10 : 200);
  live.Push(big);
  live.Push(fk::Image());  // nothing: ignored
  CHECK(live.count() == 1);
  CHECK(live.more_coming());
  auto f = live.Get(0);
  REQUIRE(f.ok());
  CHECK(f->width == 320);
  CHECK(f->height == 240);
  CHECK(f->rgb[0] == 10);                        // the left half stays dark
  CHECK(f->rgb[size_t(319) * 3] == 200);         // the right half bright
  CHECK(live.pending() == 0);
  CHECK_FALSE(live.Get(0).ok());                 // already taken
  live.Close();
  CHECK_FALSE(live.more_coming());
  live.Push(big);                                // after Close: nothing more
  CHECK(live.count() == 1);
}

TEST_CASE("checkout/live: frames pushed one at a time give the in-memory stream's events; Step waits, not spins") {
  fk::checkout::SimOptions so;
  so.seed = 105;
  so.sessions = 1;
  fk::checkout::CheckoutOptions o;
  o.seeds = {105};
  o.sim = so;
  o.photo_seeds = {1};
  auto mem = fk::checkout::RunCheckout(o);
  REQUIRE(mem.ok());
  REQUIRE(!mem->events.empty());

  auto live = std::make_shared<fk::checkout::LiveFrames>();
  fk::checkout::CheckoutOptions lo;
  lo.source = live;
  lo.trained = mem->detector;  // the same detector, not trained again
  fk::checkout::Checkout c(lo);
  const fk::checkout::ShelfSim sim(so);
  int pushed = 0;
  while (!c.Step(5.0)) {
    if (live->pending() == 0) {
      if (pushed < sim.frame_count()) live->Push(sim.Render(pushed++));
      else live->Close();
    }
    REQUIRE(pushed <= sim.frame_count());
  }
  REQUIRE_FALSE(c.failed());
  CHECK(c.data().frames == sim.frame_count());
  CHECK_FALSE(c.data().has_truth);
  REQUIRE(c.data().events.size() == mem->events.size());
  for (size_t i = 0; i < mem->events.size(); i++) {
    CHECK(c.data().events[i].frame == mem->events[i].frame);
    CHECK(c.data().events[i].item == mem->events[i].item);
    CHECK(c.data().events[i].type == mem->events[i].type);
  }
  CHECK(c.data().carts.size() == mem->carts.size());
  CHECK(c.StatusJson()["cart_accuracy"].is_null());

  // No frame there yet: a Step returns at once (a 300 ms budget is not spent waiting), and not done.
  auto idle = std::make_shared<fk::checkout::LiveFrames>();
  lo.source = idle;
  fk::checkout::Checkout w(lo);
  for (int i = 0; i < 5; i++) CHECK_FALSE(w.Step(1.0));
  const double t0 = fk::NowMs();
  CHECK_FALSE(w.Step(300.0));
  CHECK(fk::NowMs() - t0 < 100.0);
  CHECK(w.Detail() == "camera: frame 0/0");
}

namespace {
// The simulated frame between flat grey bars of `bar` px above and below (a camera's letterbox, as the
// page's fake camera shows a picture of another aspect), 320 px wide so LiveFrames does not scale it.
fk::Image Letterboxed(const fk::Image& f, int bar) {
  fk::Image out(f.width, f.height + 2 * bar);
  std::fill(out.rgb.begin(), out.rgb.end(), uint8_t(128));
  std::copy(f.rgb.begin(), f.rgb.end(), out.rgb.begin() + std::ptrdiff_t(size_t(bar) * size_t(f.width) * 3));
  return out;
}
}  // namespace

TEST_CASE("checkout/live: a letterboxed camera frame: products are looked for in the picture only, the bars never") {
  fk::checkout::SimOptions so;
  so.seed = 3;  // a tuning seed
  so.sessions = 1;
  const fk::checkout::ShelfSim sim(so);
  // The content region: the whole of a simulated frame (its noise is no flat bar), the picture of a letterboxed one.
  const fk::Image plain = sim.Render(0);
  const fk::checkout::Region all = fk::checkout::ContentRegion(plain);
  CHECK(all.x == 0);
  CHECK(all.y == 0);
  CHECK(all.w == plain.width);
  CHECK(all.h == plain.height);
  const fk::checkout::Region lb = fk::checkout::ContentRegion(Letterboxed(plain, 30));
  CHECK(lb.x == 0);
  CHECK(lb.w == plain.width);
  CHECK(lb.y >= 30);
  CHECK(lb.y <= 32);
  CHECK(lb.y + lb.h >= 268);
  CHECK(lb.y + lb.h <= 270);
  // Pillarbox bars (left and right) too.
  fk::Image pillar(400, 240);
  std::fill(pillar.rgb.begin(), pillar.rgb.end(), uint8_t(40));
  for (int y = 0; y < 240; y++) std::copy(plain.At(0, y), plain.At(0, y) + 320 * 3, pillar.At(40, y));
  const fk::checkout::Region pb = fk::checkout::ContentRegion(pillar);
  CHECK(pb.x >= 40);
  CHECK(pb.x <= 42);
  CHECK(pb.x + pb.w >= 358);
  CHECK(pb.x + pb.w <= 360);
  CHECK(pb.h == 240);

  // The stream letterboxed through a camera's queue: every key frame's scan stays inside the picture,
  // and the reaches are still seen (the arm comes in at the picture's bottom, above the bar).
  fk::checkout::CheckoutOptions o;
  o.seeds = {3};
  o.sim = so;
  o.photo_seeds = {1};
  o.photos_per_seed = 3;
  auto mem = fk::checkout::RunCheckout(o);
  REQUIRE(mem.ok());
  auto live = std::make_shared<fk::checkout::LiveFrames>();
  fk::checkout::CheckoutOptions lo;
  lo.source = live;
  lo.trained = mem->detector;
  lo.keep_live = true;
  fk::checkout::Checkout c(lo);
  int pushed = 0, scans = 0, last_scan = -1;
  while (!c.Step(5.0)) {
    if (live->pending() == 0) {
      if (pushed < sim.frame_count()) live->Push(Letterboxed(sim.Render(pushed++), 30));
      else live->Close();
    }
    const fk::checkout::LiveView& v = c.live();
    if (v.detection_frame >= 0 && v.detection_frame != last_scan) {
      last_scan = v.detection_frame;
      scans++;
      CHECK(v.scan_y >= 30);
      CHECK(v.scan_y + v.scan_h <= 270);
      for (const fk::labels::Box& b : v.detections) {
        CHECK(b.top >= 30.f);
        CHECK(b.top + b.height <= 270.f);
      }
    }
  }
  REQUIRE_FALSE(c.failed());
  CHECK(scans >= 2);
  CHECK(c.data().frames == sim.frame_count());
  // The same reaches as the stream without bars (a frame or two apart at most: one picture row per bar is cut).
  INFO("letterboxed: " << fk::checkout::EventsToJsonl(c.data().events, true) << "plain: " << fk::checkout::EventsToJsonl(mem->events, true));
  CHECK(c.data().events.size() == mem->events.size());
}
