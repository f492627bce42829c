#include "stream/time.h"

#include "core/civil.h"

#include <cstdio>

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

namespace {
// Reads exactly n digits at s[*i]; false if any is not a digit.
bool Digits(std::string_view s, size_t* i, int n, int* out) {
  if (*i + size_t(n) > s.size()) return false;
  int v = 0;
  for (int k = 0; k < n; k++) {
    const char c = s[*i + size_t(k)];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *i += size_t(n);
  *out = v;
  return true;
}
int DaysInMonth(int y, int m) {
  static const int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}
}  // namespace

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
  size_t i = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;  // set by Digits before use; zeroed for -Wmaybe-uninitialized
  if (!Digits(s, &i, 4, &y) || i >= s.size() || s[i++] != '-') return std::nullopt;
  if (!Digits(s, &i, 2, &mo) || i >= s.size() || s[i++] != '-') return std::nullopt;
  if (!Digits(s, &i, 2, &d)) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo)) return std::nullopt;
  if (i < s.size()) {
    if (s[i] != 'T' && s[i] != ' ' && s[i] != 't') return std::nullopt;
    i++;
    if (!Digits(s, &i, 2, &h) || i >= s.size() || s[i++] != ':' || !Digits(s, &i, 2, &mi)) return std::nullopt;
    if (i < s.size() && s[i] == ':') {
      i++;
      if (!Digits(s, &i, 2, &sec)) return std::nullopt;
      if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
        i++;
        const size_t start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') i++;
        if (i == start) return std::nullopt;
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
    int offset = 0;
    if (i < s.size()) {
      if (s[i] == 'Z' || s[i] == 'z') {
        i++;
      } else if (s[i] == '+' || s[i] == '-') {
        const int sign = s[i] == '+' ? 1 : -1;
        i++;
        int oh, om = 0;
        if (!Digits(s, &i, 2, &oh)) return std::nullopt;
        if (i < s.size() && s[i] == ':') i++;
        if (i < s.size() && !Digits(s, &i, 2, &om)) return std::nullopt;
        offset = sign * (oh * 3600 + om * 60);
      }
    }
    if (i != s.size()) return std::nullopt;
    return FromCivil(y, mo, d, h, mi, sec) - offset;
  }
  return FromCivil(y, mo, d);
}

std::string FormatTime(TimeS t, char sep) {
  const CivilTime c = ToCivil(t);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d%c%02d:%02d:%02d", c.year, c.month, c.day, sep, c.hour, c.minute,
                c.second);
  return buf;
}

}  // namespace fk::stream
