#include "stream/time.h"

#include "core/civil.h"

namespace fk::stream {

static void CivilFromDays(int64_t z, int* y, int* m, int* d) {
  int64_t year = 0;
  fk::CivilFromDays(z, &year, m, d);
  *y = int(year);
}
using fk::DaysFromCivil;

CivilTime ToCivil(TimeS t) {
  const int64_t days = FloorDiv(t, 86400);
  const int64_t secs = t - days * 86400;
  CivilTime c;
  CivilFromDays(days, &c.year, &c.month, &c.day);
  c.hour = int(secs / 3600);
  c.minute = int(secs / 60 % 60);
  c.second = int(secs % 60);
  c.weekday = int(((days % 7) + 7 + 4) % 7);
  return c;
}

TimeS FromCivil(int year, int month, int day, int hour, int minute, int second) {
  return DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

std::optional<TimeS> ParseTime(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  // Epoch seconds (or milliseconds): all digits, optional fraction.
  bool numeric = true;
  for (char c : s) numeric = numeric && ((c >= '0' && c <= '9') || c == '.' || c == '-');
  if (numeric && (s.size() < 5 || s[4] != '-')) {
    int64_t v = 0;
    size_t i = 0, digits = 0;
    const bool neg = s[0] == '-';
    if (neg) i = 1;
    for (; i < s.size() && s[i] != '.'; i++, digits++) {
      if (s[i] < '0' || s[i] > '9' || digits > 15) return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    if (digits == 0) return std::nullopt;
    for (size_t k = i + (i < s.size()); k < s.size(); k++)
      if (s[k] < '0' || s[k] > '9') return std::nullopt;
    if (digits >= 13) v /= 1000;  // milliseconds since epoch
    return neg ? -v : v;
  }
  IsoTime t;
  if (!ParseIso8601(s, &t) || t.precision == IsoTime::kMonth) return std::nullopt;
  return t.seconds;  // the fraction of a second is dropped
}

std::string FormatTime(TimeS t, char sep) {
  return FormatIsoSeconds(t, sep);
}

}  // namespace fk::stream
