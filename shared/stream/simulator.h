// A roadside camera, simulated: person and car detections with a daily rhythm
// (rush hours, quiet nights), a weekly one (quieter weekends), multiplicative
// noise, slightly out-of-order arrival, and injected anomalies (a jump such as
// cars 1 -> 87 in one 5-minute window, a drop to zero, a level shift, a stuck
// sensor repeating one count). Seeded:
// the same options give the same events natively and in wasm.
//
//   fk::stream::Schema schema;
//   fk::stream::CameraSimulator sim(fk::stream::SimulatorOptions{}, &schema);
//   std::vector<fk::stream::Event> ev;
//   while (sim.Generate(10000, &ev)) { ...feed a Windower...; ev.clear(); }
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.h"
#include "stream/event.h"

namespace fk::stream {

enum class InjectedKind { Jump, Drop, LevelShift, Stuck };
const char* InjectedKindName(InjectedKind k);

struct InjectedAnomaly {
  InjectedKind kind = InjectedKind::Jump;
  std::string measure = "car";
  int camera = 0;            // camera index (0-based)
  int64_t at_s = 0;          // seconds after SimulatorOptions::start
  int64_t duration_s = 300;
  // Jump: extra events in the interval; LevelShift: rate factor; Stuck: events
  // every minute, exactly (a stuck sensor repeats one count); Drop: unused.
  double value = 87;
};

struct SimulatorOptions {
  uint64_t seed = 7;
  TimeS start = 1622505600;        // 2021-06-01T00:00:00 (a Tuesday)
  int64_t duration_s = 7 * 86400;  // how much event time to simulate
  int cameras = 1;                 // camera_id = cam1, cam2, ...
  double car_peak_per_min = 6.0;   // rush-hour car rate per camera
  double person_peak_per_min = 3.0;
  double night_fraction = 0.03;    // night rate relative to peak (cars ~1 per 5 min)
  double weekend_factor = 0.7;     // Saturday/Sunday rate factor
  double noise = 0.15;             // sd of the hourly multiplicative (log-normal) noise
  int64_t max_disorder_s = 20;     // events arrive up to this late (out of order)
  // Default: the scenario of the issue: cars jump to 87 at night on day 4
  // (03:10), persons drop to zero for 1 h on day 5 (12:00), cars x3 from day 6
  // 08:00 for 3 h. Set explicitly to override (empty = none).
  std::vector<InjectedAnomaly> anomalies = DefaultAnomalies();
  static std::vector<InjectedAnomaly> DefaultAnomalies();
};

class CameraSimulator {
 public:
  CameraSimulator(SimulatorOptions options, Schema* schema);
  // Appends up to max_events events in arrival order (event times slightly out
  // of order); returns false when the simulated period is over and nothing was
  // appended.
  bool Generate(size_t max_events, std::vector<Event>* out);
  float Progress() const;
  TimeS now() const { return minute_; }
  // Expected (noise-free) event rate per minute, for tests and the demo.
  double RatePerMinute(uint32_t measure_index, TimeS t) const;
  // The JSON Lines form of an event: {"car":17,"camera_id":"cam1","ts":"..."}
  std::string ToJsonLine(const Event& e) const;

 private:
  void SimulateMinute();
  double HourNoise(int camera, int measure, TimeS hour);
  SimulatorOptions opt_;
  Schema* schema_;
  Rng rng_;
  TimeS minute_;
  std::vector<uint32_t> measure_ids_;  // person, car
  std::vector<uint32_t> dims_ids_;     // per camera
  std::vector<Event> pending_;         // current minute, shuffled arrival
  size_t pending_pos_ = 0;
  uint64_t next_id_ = 1;
  TimeS noise_hour_ = -1;
  std::vector<double> noise_;          // per camera x measure, this hour
};

}  // namespace fk::stream
