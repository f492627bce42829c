// checkout::LiveFrames (a camera's frames pushed as they arrive): the pipeline
// waits for frames rather than ending the stream, and the same frames pushed
// one by one give the events of the simulated stream read in memory.
#include <doctest/doctest.h>

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
