#include "core/civil.h"

#include <cstdio>

namespace fk {

namespace {
// Exactly n digits at s[*i]; advances *i.
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
bool At(std::string_view s, size_t i, char c) { return i < s.size() && s[i] == c; }
}  // namespace

bool ParseIso8601(std::string_view s, IsoTime* out) {
  size_t i = 0;
  int y = 0, mo = 0, d = 1, h = 0, mi = 0, sec = 0;
  if (!Digits(s, &i, 4, &y) || !At(s, i++, '-') || !Digits(s, &i, 2, &mo) || mo < 1 || mo > 12) return false;
  IsoTime t;
  t.precision = IsoTime::kMonth;
  if (i < s.size()) {
    if (!At(s, i++, '-') || !Digits(s, &i, 2, &d) || d < 1 || d > DaysInMonth(y, mo)) return false;
    t.precision = IsoTime::kDay;
  }
  if (i < s.size()) {
    if (t.precision != IsoTime::kDay || (s[i] != 'T' && s[i] != 't' && s[i] != ' ')) return false;
    i++;
    if (!Digits(s, &i, 2, &h) || !At(s, i++, ':') || !Digits(s, &i, 2, &mi)) return false;
    t.precision = IsoTime::kMinute;
    if (At(s, i, ':')) {
      i++;
      if (!Digits(s, &i, 2, &sec)) return false;
      t.precision = IsoTime::kSecond;
      if (At(s, i, '.') || At(s, i, ',')) {
        // Summed digit by digit (0.1, 0.01, ...): the feature store's event
        // times have always been computed this way, so stored values stay equal.
        const size_t start = ++i;
        double scale = 0.1;
        for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; i++) {
          t.fraction += (s[i] - '0') * scale;
          scale *= 0.1;
        }
        if (i == start) return false;
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return false;
    int offset_min = 0;
    if (At(s, i, 'Z') || At(s, i, 'z')) {
      i++;
      t.zone = true;
    } else if (At(s, i, '+') || At(s, i, '-')) {
      const int sign = s[i++] == '-' ? -1 : 1;
      int oh = 0, om = 0;
      if (!Digits(s, &i, 2, &oh)) return false;
      if (At(s, i, ':')) {
        i++;
        if (!Digits(s, &i, 2, &om)) return false;
      } else if (i < s.size() && !Digits(s, &i, 2, &om)) {
        return false;
      }
      if (oh > 23 || om > 59) return false;
      offset_min = sign * (oh * 60 + om);
      t.zone = true;
    }
    if (i != s.size()) return false;
    t.seconds = -int64_t(offset_min) * 60;
  }
  t.seconds += DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
  *out = t;
  return true;
}

std::string FormatIsoSeconds(int64_t seconds, char sep) {
  const int64_t days = FloorDiv(seconds, 86400);
  const int64_t rem = seconds - days * 86400;
  int64_t y;
  int m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02d%c%02d:%02d:%02d", static_cast<long long>(y), m, d, sep,
                int(rem / 3600), int(rem / 60 % 60), int(rem % 60));
  return buf;
}

}  // namespace fk
