// Checkout events and their file: one JSON object per line (events.jsonl),
//   {"frame":118,"type":"take","item":"smile","session":0,"slot":3}
// `type` is "take" or "put_back"; `slot` is optional (-1 = unknown); the
// pipeline's own events also carry "confidence". The reader names the file,
// line and field of the first problem, and never throws on a user's bytes.
#pragma once
#include <string>
#include <vector>

#include "core/status.h"

namespace fk::checkout {

enum class EventType { kTake, kPutBack };
const char* EventTypeName(EventType t);  // "take", "put_back"

struct Event {
  int frame = 0;  // the grab (take) or release (put back)
  EventType type = EventType::kTake;
  std::string item;  // the product's class name
  int session = 0;   // the shopper
  int slot = -1;
  float confidence = 1.f;  // 1 for ground truth
};

std::string EventToJsonLine(const Event& e, bool with_confidence = false);  // no newline
std::string EventsToJsonl(const std::vector<Event>& events, bool with_confidence = false);
// `name` is used in messages: "DIR/events.jsonl:3: field \"type\": ...".
Result<std::vector<Event>> ParseEventsJsonl(const std::string& text, const std::string& name);
Result<std::vector<Event>> ReadEventsJsonl(const std::string& path);

}  // namespace fk::checkout
