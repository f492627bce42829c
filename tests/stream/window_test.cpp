#include <doctest/doctest.h>

#include "stream/time.h"
#include "stream/window.h"

using namespace fk::stream;

namespace {
TimeS T(const char* s) { return *ParseTime(s); }
Event Car(const char* t, uint32_t dims = 0) { return Event{T(t), 0, dims, 1.0}; }
}  // namespace

TEST_CASE("stream/time: ISO, space-separated, fractional and epoch timestamps parse to the same second") {
  CHECK(T("2021-06-05T16:55:00") == 1622912100);
  CHECK(T("2021-06-05 16:55:00") == 1622912100);
  CHECK(T("2021-06-05 16:55:00.000000") == 1622912100);
  CHECK(T("2021-06-05T18:55:00+02:00") == 1622912100);
  CHECK(T("1622912100") == 1622912100);
  CHECK(T("1622912100000") == 1622912100);
  CHECK(FormatTime(1622912100) == "2021-06-05T16:55:00");
  CHECK_FALSE(ParseTime("2021-13-01").has_value());
  CHECK_FALSE(ParseTime("yesterday").has_value());
  CHECK_FALSE(ParseTime("").has_value());
  CHECK(ToCivil(T("2021-06-05T00:00:00")).weekday == 6);  // a Saturday
}

TEST_CASE("stream/windows: a tumbling window is stamped with its end (TUMBLE_END)") {
  Windower w({300, 0, 0});
  w.Add(Car("2021-06-05T16:50:00"));
  w.Add(Car("2021-06-05T16:54:59"));
  w.Flush();
  auto r = w.TakeClosed();
  REQUIRE(r.size() == 1);
  CHECK(r[0].start == T("2021-06-05T16:50:00"));
  CHECK(r[0].end == T("2021-06-05T16:55:00"));
  CHECK(FormatTime(r[0].end) == "2021-06-05T16:55:00");
  CHECK(r[0].cells[0].count == 2);
}

TEST_CASE("stream/windows: an event at the boundary goes to the next window") {
  Windower w({300, 0, 0});
  w.Add(Car("2021-06-05T16:54:59"));
  w.Add(Car("2021-06-05T16:55:00"));
  w.Flush();
  auto r = w.TakeClosed();
  REQUIRE(r.size() == 2);
  CHECK(r[0].end == T("2021-06-05T16:55:00"));
  CHECK(r[0].cells[0].count == 1);
  CHECK(r[1].end == T("2021-06-05T17:00:00"));
  CHECK(r[1].cells[0].count == 1);
}

TEST_CASE("stream/windows: out-of-order events within the allowed lateness are counted in their window") {
  Windower w({300, 0, 60});
  w.Add(Car("2021-06-05T16:54:30"));
  w.Add(Car("2021-06-05T16:55:40"));  // watermark 16:54:40: window [16:50,16:55) still open
  w.Add(Car("2021-06-05T16:54:50"));  // out of order, but within lateness
  CHECK(w.TakeClosed().empty());
  w.Add(Car("2021-06-05T16:56:10"));  // watermark 16:55:10 closes [16:50,16:55)
  auto r = w.TakeClosed();
  REQUIRE(r.size() == 1);
  CHECK(r[0].cells[0].count == 2);
  CHECK(w.stats().late_events == 0);
}

TEST_CASE("stream/windows: events after their window closed are counted as late, not dropped silently") {
  Windower w({300, 0, 60});
  w.Add(Car("2021-06-05T16:54:30"));
  w.Add(Car("2021-06-05T16:57:00"));  // closes [16:50,16:55)
  w.Add(Car("2021-06-05T16:53:00"));  // too late
  w.Flush();
  CHECK(w.stats().late_events == 1);
  CHECK(w.stats().events == 2);
  auto r = w.TakeClosed();
  REQUIRE(r.size() == 2);
  CHECK(r[0].cells[0].count == 1);
}

TEST_CASE("stream/windows: hopping windows count an event in every window that covers it") {
  Windower w({600, 300, 0});  // 10-minute windows every 5 minutes
  w.Add(Car("2021-06-05T16:52:00"));
  w.Add(Car("2021-06-05T16:57:00"));
  w.Flush();
  auto r = w.TakeClosed();
  // Windows ending 16:55 ([16:45,16:55)), 17:00 ([16:50,17:00)), 17:05 ([16:55,17:05)).
  REQUIRE(r.size() == 3);
  CHECK(r[0].end == T("2021-06-05T16:55:00"));
  CHECK(r[0].cells[0].count == 1);
  CHECK(r[1].end == T("2021-06-05T17:00:00"));
  CHECK(r[1].cells[0].count == 2);
  CHECK(r[2].end == T("2021-06-05T17:05:00"));
  CHECK(r[2].cells[0].count == 1);
}

TEST_CASE("stream/windows: quiet windows are emitted with zero counts so a drop to zero is visible") {
  Windower w({300, 0, 0});
  w.Add(Car("2021-06-05T16:50:00"));
  w.Add(Car("2021-06-05T17:01:00"));
  w.Flush();
  auto r = w.TakeClosed();
  REQUIRE(r.size() == 3);
  CHECK(r[1].end == T("2021-06-05T17:00:00"));
  CHECK(r[1].cells[0].count == 0);
}

TEST_CASE("stream/windows: count, sum and average per measure and per dimension value") {
  Schema s;
  const uint32_t speed = s.Measure("speed");
  const uint32_t cam1 = s.Dims({{"camera_id", "cam1"}}), cam2 = s.Dims({{"camera_id", "cam2"}});
  Windower w({300, 0, 0});
  w.Add(Event{T("2021-06-05T16:51:00"), speed, cam1, 40});
  w.Add(Event{T("2021-06-05T16:52:00"), speed, cam1, 60});
  w.Add(Event{T("2021-06-05T16:53:00"), speed, cam2, 30});
  w.Flush();
  auto r = w.TakeClosed();
  REQUIRE(r.size() == 2);
  CHECK(r[0].dims == cam1);
  CHECK(r[0].cells[speed].Value(Agg::Count) == 2);
  CHECK(r[0].cells[speed].Value(Agg::Sum) == 100);
  CHECK(r[0].cells[speed].Value(Agg::Avg) == 50);
  CHECK(r[1].dims == cam2);
  CHECK(r[1].cells[speed].Value(Agg::Avg) == 30);
}

TEST_CASE("stream/windows: a far jump in time skips the gap instead of emitting millions of empty windows") {
  Windower w({300, 0, 0});
  w.Add(Car("2021-06-05T16:50:00"));
  w.Add(Car("2031-06-05T16:50:00"));
  w.Flush();
  CHECK(w.TakeClosed().size() < 10);
  CHECK(w.stats().skipped_gaps == 1);
}
