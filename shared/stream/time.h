// Event time for the streaming pipeline: UNIX seconds (UTC, no time zones),
// parsed from ISO-8601-like text or epoch numbers, formatted the way window
// records are stamped ("2021-06-05T16:55:00").
//
//   std::optional<fk::stream::TimeS> t = fk::stream::ParseTime("2021-06-05 16:52:10");
//   std::string s = fk::stream::FormatTime(*t);   // "2021-06-05T16:52:10"
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/civil.h"

namespace fk::stream {

using TimeS = int64_t;  // seconds since 1970-01-01T00:00:00 UTC

struct CivilTime {
  int year = 1970, month = 1, day = 1;  // month 1..12, day 1..31
  int hour = 0, minute = 0, second = 0;
  int weekday = 4;  // 0 = Sunday (1970-01-01 was a Thursday)
};

CivilTime ToCivil(TimeS t);
TimeS FromCivil(int year, int month, int day, int hour = 0, int minute = 0, int second = 0);

// Accepts core's ISO-8601 grammar (fk::ParseIso8601) down to the day
// ("YYYY-MM-DD", "YYYY-MM-DD[T or space]HH:MM[:SS[.ffffff]][Z|+HH:MM]"),
// surrounding spaces, and plain epoch seconds ("1622911920", fractions truncated; 13-digit values are
// taken as milliseconds). Fractions of a second are dropped. Returns nullopt on
// anything else (including out-of-range fields such as month 13).
std::optional<TimeS> ParseTime(std::string_view s);

// "YYYY-MM-DDTHH:MM:SS" (sep = 'T') or "YYYY-MM-DD HH:MM:SS" (sep = ' ').
std::string FormatTime(TimeS t, char sep = 'T');

using fk::FloorDiv;  // window alignment before 1970

}  // namespace fk::stream
