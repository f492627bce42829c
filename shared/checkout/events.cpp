#include "checkout/events.h"

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/file.h"
#include "core/json_write.h"

namespace fk::checkout {

const char* EventTypeName(EventType t) { return t == EventType::kTake ? "take" : "put_back"; }

std::string EventToJsonLine(const Event& e, bool with_confidence) {
  nlohmann::json j = {{"frame", e.frame}, {"type", EventTypeName(e.type)}, {"item", e.item}, {"session", e.session}};
  if (e.slot >= 0) j["slot"] = e.slot;
  // Rounded: a file is read by people too, and 3 digits say all the model knows.
  if (with_confidence) j["confidence"] = std::round(double(e.confidence) * 1000.0) / 1000.0;
  return DumpJson(j);
}

std::string EventsToJsonl(const std::vector<Event>& events, bool with_confidence) {
  std::string out;
  for (const Event& e : events) out += EventToJsonLine(e, with_confidence) + "\n";
  return out;
}

namespace {

// An integer field in [lo, hi]: JSON numbers that are whole (3 or 3.0), nothing else.
Status IntField(const nlohmann::json& j, const char* key, bool required, int lo, int hi, const std::string& where,
                int* out) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (!required) return Status::Ok();
    return Status::Error(where + ": field \"" + key + "\" is missing");
  }
  double v = 0;
  if (it->is_number_integer() || it->is_number_unsigned()) {
    // Compare as double: an unsigned value above INT64_MAX is still a number here.
    v = it->is_number_unsigned() ? double(it->get<uint64_t>()) : double(it->get<int64_t>());
  } else if (it->is_number_float()) {
    v = it->get<double>();
    if (!std::isfinite(v) || v != std::floor(v))
      return Status::Error(where + ": field \"" + key + "\": expected a whole number, got " + DumpJson(*it));
  } else {
    return Status::Error(where + ": field \"" + key + "\": expected a number, got " + DumpJson(*it));
  }
  if (v < double(lo) || v > double(hi))
    return Status::Error(where + ": field \"" + key + "\": " + DumpJson(*it) + " is outside " + std::to_string(lo) +
                         ".." + std::to_string(hi));
  *out = int(v);
  return Status::Ok();
}

}  // namespace

Result<std::vector<Event>> ParseEventsJsonl(const std::string& text, const std::string& name) {
  std::vector<Event> out;
  size_t pos = 0;
  int line_no = 0;
  constexpr int kMaxInt = std::numeric_limits<int>::max();
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    line_no++;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;  // blank lines are allowed
    const std::string where = name + ":" + std::to_string(line_no);
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) return Status::Error(where + ": not a JSON object (malformed JSON)");
    if (!j.is_object()) return Status::Error(where + ": expected a JSON object, got " + DumpJson(j).substr(0, 40));
    Event e;
    Status st = IntField(j, "frame", true, 0, kMaxInt, where, &e.frame);
    if (!st) return st;
    auto t = j.find("type");
    if (t == j.end()) return Status::Error(where + ": field \"type\" is missing");
    if (!t->is_string() || (*t != "take" && *t != "put_back"))
      return Status::Error(where + ": field \"type\": expected \"take\" or \"put_back\", got " + DumpJson(*t).substr(0, 40));
    e.type = *t == "take" ? EventType::kTake : EventType::kPutBack;
    auto it = j.find("item");
    if (it == j.end()) return Status::Error(where + ": field \"item\" is missing");
    if (!it->is_string() || it->get<std::string>().empty())
      return Status::Error(where + ": field \"item\": expected a product name, got " + DumpJson(*it).substr(0, 40));
    e.item = it->get<std::string>();
    if (!(st = IntField(j, "session", true, 0, kMaxInt, where, &e.session))) return st;
    if (!(st = IntField(j, "slot", false, -1, kMaxInt, where, &e.slot))) return st;
    auto c = j.find("confidence");
    if (c != j.end()) {
      if (!c->is_number() || !(c->get<double>() >= 0.0 && c->get<double>() <= 1.0))
        return Status::Error(where + ": field \"confidence\": expected a number in 0..1, got " + DumpJson(*c).substr(0, 40));
      e.confidence = float(c->get<double>());
    }
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<Event>> ReadEventsJsonl(const std::string& path) {
  auto text = ReadFile(path);
  if (!text) return text.status();
  return ParseEventsJsonl(*text, path);
}

}  // namespace fk::checkout
