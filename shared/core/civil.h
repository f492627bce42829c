// Civil time, written once: proleptic Gregorian calendar <-> days since
// 1970-01-01 in UTC (Howard Hinnant's "days from civil" construction: the year
// starts in March so that Feb 29 is the last day), and the one ISO-8601 grammar
// that stream/ (event times), features/ (event times) and forecast/ (dates)
// read, each asking for the precision it needs.
//
//   int64_t d = fk::DaysFromCivil(2021, 6, 5);   // 18783
//   int64_t y; int m, day; fk::CivilFromDays(d, &y, &m, &day);
//   fk::IsoTime t;
//   fk::ParseIso8601("2021-06-05T18:55:00.25+02:00", &t);  // t.seconds == 1622912100, t.fraction == 0.25
//   fk::FormatIsoSeconds(1622912100) == "2021-06-05T16:55:00"
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace fk {

// Floor division that rounds towards -infinity (b > 0): times before 1970.
inline int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

inline int DaysInMonth(int64_t y, int m) {  // m in 1..12
  static const int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

inline int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

inline void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = int(doy - (153 * mp + 2) / 5 + 1);
  *m = int(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

// What ParseIso8601 read. The grammar (no surrounding spaces; callers trim):
//   YYYY-MM
//   YYYY-MM-DD
//   YYYY-MM-DD(T|t|' ')HH:MM[:SS[(.|,)F...]][Z|z|(+|-)HH[[:]MM]]
// with month 1..12, the day valid in its month, hour <= 23, minute <= 59,
// second <= 60 (a leap second) and an offset of at most 23:59.
struct IsoTime {
  enum Precision { kMonth, kDay, kMinute, kSecond };
  int64_t seconds = 0;   // UTC seconds since 1970-01-01 (offset applied, fraction not)
  double fraction = 0;   // the fraction of a second, [0, 1)
  Precision precision = kDay;
  bool zone = false;     // 'Z' or an offset was given
};
bool ParseIso8601(std::string_view s, IsoTime* out);

// "YYYY-MM-DD<sep>HH:MM:SS" for UTC seconds since 1970 (sep 'T' or ' ').
std::string FormatIsoSeconds(int64_t seconds, char sep = 'T');

}  // namespace fk
