// A seeded simulated shelf camera for the Edge Checkout workflow: a 320x240
// shelf (two rows of five slots) holding products that carry the bundled
// Label Review logos (smile, cloud: labels/generate.h), and shoppers, one
// after the other, whose arm reaches in from the bottom edge to take a product
// off the shelf, put one they took back into an empty slot, or touch one and
// leave it. Nuisances: the arm and its shadow cover products on the way
// (occlusion), global brightness and colour-temperature drift with sudden
// steps (lights), a soft shadow passing over the shelf, sensor noise. Between
// shoppers the shelf is restocked off camera (products appear with no hand).
// Ground truth: every take / put-back with its frame (the grab or release),
// item, shopper session and slot. Same seed -> same events everywhere and the
// same pixels on one platform (tests/checkout); the pixels use libm's sin/exp,
// so another libm (the page's) may round one differently: not checked yet.
//
//   SimOptions o;  o.seed = 3;  ShelfSim sim(o);
//   for (int f = 0; f < sim.frame_count(); f++) { Image img = sim.Render(f); ... }
//   const std::vector<Event>& truth = sim.events();
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "checkout/events.h"
#include "core/image.h"
#include "labels/box.h"

namespace fk::checkout {

struct SimOptions {
  uint64_t seed = 1;
  int sessions = 5;       // shoppers per stream
  int min_visits = 3;     // reaches per shopper
  int max_visits = 6;
  float touch_share = 0.15f;  // reaches that take nothing (a product touched and left, or an empty slot)
  float noise = 3.f;          // sensor noise, standard deviation in 8-bit levels
  bool lighting = true;       // brightness / colour drift and steps, the passing shadow
};

// A slot's package box in the frame, px.
struct SlotBox {
  float left, top, width, height;
};

class ShelfSim {
 public:
  static constexpr int kWidth = 320, kHeight = 240, kSlots = 10;
  explicit ShelfSim(SimOptions o);
  ~ShelfSim();
  ShelfSim(ShelfSim&&) noexcept;
  ShelfSim& operator=(ShelfSim&&) noexcept;

  int frame_count() const;
  Image Render(int frame) const;                          // a pure function of (seed, frame)
  const std::vector<Event>& events() const { return events_; }  // by frame
  const std::vector<SlotBox>& slots() const;
  // Whether a hand is in the frame, and the tight boxes of the logos on the shelf's products
  // (class = the logo): what a store's own labelled shelf photos would hold.
  bool HandVisible(int frame) const;
  std::vector<labels::Box> LogoBoxes(int frame) const;
  // Item names by class id (the logo classes).
  static const std::vector<std::string>& ItemNames();
  const SimOptions& options() const { return opt_; }

 private:
  struct Script;
  SimOptions opt_;
  std::vector<Event> events_;
  std::unique_ptr<Script> s_;
};

}  // namespace fk::checkout
