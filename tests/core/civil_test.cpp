#include <doctest/doctest.h>

#include <string>

#include "core/civil.h"

using fk::IsoTime;

namespace {
IsoTime Parse(const char* s) {
  IsoTime t;
  REQUIRE_MESSAGE(fk::ParseIso8601(s, &t), s);
  return t;
}
}  // namespace

TEST_CASE("core/civil: days from civil and back, before and after 1970") {
  CHECK(fk::DaysFromCivil(1970, 1, 1) == 0);
  CHECK(fk::DaysFromCivil(2021, 6, 5) == 18783);
  CHECK(fk::DaysFromCivil(1969, 12, 31) == -1);
  CHECK(fk::DaysFromCivil(2000, 3, 1) - fk::DaysFromCivil(2000, 2, 28) == 2);  // 2000 is leap
  CHECK(fk::DaysFromCivil(1900, 3, 1) - fk::DaysFromCivil(1900, 2, 28) == 1);  // 1900 is not
  for (int64_t d : {int64_t(-800000), int64_t(-1), int64_t(0), int64_t(18783), int64_t(2932896)}) {
    int64_t y;
    int m, day;
    fk::CivilFromDays(d, &y, &m, &day);
    CHECK(fk::DaysFromCivil(y, m, day) == d);
  }
  CHECK(fk::FloorDiv(-1, 86400) == -1);
  CHECK(fk::FloorDiv(-86400, 86400) == -1);
  CHECK(fk::FloorDiv(86399, 86400) == 0);
  CHECK(fk::DaysInMonth(2024, 2) == 29);
  CHECK(fk::DaysInMonth(2023, 2) == 28);
  CHECK(fk::DaysInMonth(2023, 12) == 31);
}

TEST_CASE("core/civil: one ISO-8601 grammar, from the month to the fraction of a second") {
  IsoTime t = Parse("1991-02");
  CHECK(t.precision == IsoTime::kMonth);
  CHECK(t.seconds == fk::DaysFromCivil(1991, 2, 1) * 86400);
  t = Parse("2021-06-05");
  CHECK(t.precision == IsoTime::kDay);
  CHECK(t.seconds == 1622851200);
  CHECK_FALSE(t.zone);
  for (const char* s : {"2021-06-05T16:55", "2021-06-05 16:55", "2021-06-05t16:55", "2021-06-05T16:55Z"}) {
    t = Parse(s);
    CHECK(t.precision == IsoTime::kMinute);
    CHECK(t.seconds == 1622912100);
  }
  t = Parse("2021-06-05T18:55:00.25+02:00");
  CHECK(t.precision == IsoTime::kSecond);
  CHECK(t.seconds == 1622912100);
  CHECK(t.fraction == 0.25);
  CHECK(t.zone);
  CHECK(Parse("2021-06-05 16:55:00,5").fraction == 0.5);
  CHECK(Parse("2021-06-05T14:55:00-0200").seconds == 1622912100);
  CHECK(Parse("2021-06-05T18:55:00+02").seconds == 1622912100);
  CHECK(Parse("2021-06-05T16:55:00z").zone);
  CHECK(Parse("2016-12-31T23:59:60Z").seconds == fk::DaysFromCivil(2017, 1, 1) * 86400);  // a leap second
  CHECK(Parse("1969-12-31T23:59:59Z").seconds == -1);
}

TEST_CASE("core/civil: ISO-8601 rejects what none of its readers accepted") {
  IsoTime t;
  for (const char* bad :
       {"", "2021", "2021-6", "2021-13", "2021-00", "2021-02-29", "2021-04-31", "2021-06-00", "2021-06-05T",
        "2021-06-05T24:00", "2021-06-05T16:60", "2021-06-05T16:55:61", "2021-06-05T16:55:00.", "2021-06-05T16",
        "2021-06-05X16:55", "2021-06-05T16:55:00+24:00", "2021-06-05T16:55:00+02:60", "2021-06-05T16:55:00+2",
        "2021-06-05T16:55:00Zjunk", " 2021-06-05", "2021-06-05 ", "2021-06Z", "yesterday", "1622912100"}) {
    CAPTURE(bad);
    CHECK_FALSE(fk::ParseIso8601(bad, &t));
  }
}

TEST_CASE("core/civil: FormatIsoSeconds prints UTC seconds with either separator") {
  CHECK(fk::FormatIsoSeconds(1622912100) == "2021-06-05T16:55:00");
  CHECK(fk::FormatIsoSeconds(1622912100, ' ') == "2021-06-05 16:55:00");
  CHECK(fk::FormatIsoSeconds(-1) == "1969-12-31T23:59:59");
  CHECK(fk::FormatIsoSeconds(0) == "1970-01-01T00:00:00");
}
