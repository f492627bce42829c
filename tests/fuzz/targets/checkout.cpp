// Edge Checkout inputs: a frames folder's events.jsonl (the ground truth that
// `checkout run --frames DIR` scores against, or a pipeline's own events with
// confidence) through ParseEventsJsonl, what OpenFrameDir runs.
#include "../fuzz_target.h"
#include "checkout/events.h"
#include "checkout/metrics.h"

namespace fk::fuzz {

Outcome CheckoutEvents(const uint8_t* data, size_t size) {
  Outcome o;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto ev = checkout::ParseEventsJsonl(text, "fuzz/events.jsonl");
  if (!ev) {
    o.Set(ev.status());
    o.Check(ev.status().message().rfind("fuzz/events.jsonl:", 0) == 0, "an error that does not name the file and line");
    return o;
  }
  for (const checkout::Event& e : *ev)
    o.Check(e.frame >= 0 && e.session >= 0 && e.slot >= -1 && !e.item.empty() && e.confidence >= 0.f &&
                e.confidence <= 1.f,
            "an event with a negative frame or session, no item or a confidence outside 0..1 was accepted");
  // What is written reads back the same (confidence apart: it is rounded to 3 digits).
  auto again = checkout::ParseEventsJsonl(checkout::EventsToJsonl(*ev, true), "written.jsonl");
  bool same = again.ok() && again->size() == ev->size();
  for (size_t i = 0; same && i < ev->size(); i++) {
    const checkout::Event &a = (*ev)[i], &b = (*again)[i];
    same = a.frame == b.frame && a.type == b.type && a.item == b.item && a.session == b.session && a.slot == b.slot;
  }
  o.Check(same, "written events do not read back the same");
  // Scored against itself, a stream is perfect (pairs are n*n: only small inputs).
  if (ev->size() <= 300) {
    const checkout::Scores s = checkout::Score(*ev, *ev, 10);
    o.Check(s.matched_events == s.true_events && s.carts_right == s.sessions,
            "events scored against themselves are not all matched with every cart right");
  }
  o.ok = true;
  return o;
}

}  // namespace fk::fuzz
