#include <doctest/doctest.h>

#include "stream/simulator.h"
#include "stream/window.h"

using namespace fk::stream;

namespace {
std::vector<Event> Run(SimulatorOptions o, Schema* s) {
  CameraSimulator sim(o, s);
  std::vector<Event> ev;
  while (sim.Generate(5000, &ev)) {
  }
  return ev;
}
}  // namespace

TEST_CASE("stream/simulator: the same seed gives the same events, another seed different ones") {
  SimulatorOptions o;
  o.duration_s = 86400;
  Schema a, b, c;
  auto e1 = Run(o, &a), e2 = Run(o, &b);
  REQUIRE(e1.size() == e2.size());
  REQUIRE(e1.size() > 1000);
  bool same = true;
  for (size_t i = 0; i < e1.size(); i++) same = same && e1[i].time == e2[i].time && e1[i].measure == e2[i].measure;
  CHECK(same);
  o.seed = 8;
  auto e3 = Run(o, &c);
  CHECK(e3.size() != e1.size());
}

TEST_CASE("stream/simulator: rush hour is busier than the night, events arrive slightly out of order") {
  SimulatorOptions o;
  o.duration_s = 86400;
  o.anomalies.clear();
  Schema s;
  auto ev = Run(o, &s);
  size_t night = 0, rush = 0, disorder = 0;
  for (size_t i = 0; i < ev.size(); i++) {
    const int h = ToCivil(ev[i].time).hour;
    if (h == 3) night++;
    if (h == 8) rush++;
    if (i && ev[i].time < ev[i - 1].time) disorder++;
  }
  CHECK(rush > 10 * night);
  CHECK(disorder > 0);
  // With a 60 s lateness nothing is late.
  Windower w({300, 0, 60});
  for (auto& e : ev) w.Add(e);
  CHECK(w.stats().late_events == 0);
}

TEST_CASE("stream/simulator: the injected jump puts 87 extra cars in one 5-minute window at night") {
  SimulatorOptions o;
  o.duration_s = 4 * 86400;
  o.anomalies = {InjectedAnomaly{InjectedKind::Jump, "car", 0, 3 * 86400 + 3 * 3600 + 10 * 60, 300, 87}};
  Schema s;
  auto ev = Run(o, &s);
  Windower w({300, 0, 60});
  for (auto& e : ev) w.Add(e);
  w.Flush();
  const uint32_t car = uint32_t(s.FindMeasure("car"));
  const TimeS end = o.start + 3 * 86400 + 3 * 3600 + 15 * 60;
  for (auto& r : w.TakeClosed()) {
    if (r.end == end) CHECK(r.cells[car].count >= 87);
    if (r.end == end - 86400) CHECK(r.cells[car].count < 10);
  }
}
