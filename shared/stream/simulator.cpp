#include "stream/simulator.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/json_write.h"

namespace fk::stream {

const char* InjectedKindName(InjectedKind k) {
  return k == InjectedKind::Jump ? "jump" : k == InjectedKind::Drop ? "drop" : k == InjectedKind::Stuck ? "stuck" : "level_shift";
}

std::vector<InjectedAnomaly> SimulatorOptions::DefaultAnomalies() {
  std::vector<InjectedAnomaly> a;
  a.push_back({InjectedKind::Jump, "car", 0, 3 * 86400 + 3 * 3600 + 10 * 60, 300, 87});
  a.push_back({InjectedKind::Drop, "person", 0, 4 * 86400 + 12 * 3600, 3600, 0});
  a.push_back({InjectedKind::LevelShift, "car", 0, 5 * 86400 + 8 * 3600, 3 * 3600, 3.0});
  return a;
}

CameraSimulator::CameraSimulator(SimulatorOptions options, Schema* schema)
    : opt_(std::move(options)), schema_(schema), rng_(opt_.seed), minute_(opt_.start) {
  measure_ids_ = {schema_->Measure("person"), schema_->Measure("car")};
  for (int c = 0; c < std::max(1, opt_.cameras); c++)
    dims_ids_.push_back(schema_->Dims({{"camera_id", "cam" + std::to_string(c + 1)}}));
}

// Daily shape: low at night, morning and evening rush peaks, a midday plateau.
static double DailyShape(double hour) {
  auto bump = [](double h, double centre, double width) {
    const double d = (h - centre) / width;
    return std::exp(-0.5 * d * d);
  };
  return 0.25 * bump(hour, 13.0, 4.0) + bump(hour, 8.0, 1.2) + 0.9 * bump(hour, 17.5, 1.5);
}

double CameraSimulator::RatePerMinute(uint32_t measure_index, TimeS t) const {
  const CivilTime c = ToCivil(t);
  const double hour = c.hour + c.minute / 60.0;
  const double peak = measure_index == 0 ? opt_.person_peak_per_min : opt_.car_peak_per_min;
  double shape = opt_.night_fraction + (1.0 - opt_.night_fraction) * std::min(1.0, DailyShape(hour));
  if (c.weekday == 0 || c.weekday == 6) shape *= opt_.weekend_factor;
  return peak * shape;
}

double CameraSimulator::HourNoise(int camera, int measure, TimeS hour) {
  if (hour != noise_hour_) {
    noise_hour_ = hour;
    noise_.assign(dims_ids_.size() * 2, 1.0);
    for (auto& n : noise_) n = std::exp(opt_.noise * double(rng_.Normal()));
  }
  return noise_[size_t(camera) * 2 + size_t(measure)];
}

void CameraSimulator::SimulateMinute() {
  pending_.clear();
  pending_pos_ = 0;
  const TimeS t0 = minute_;
  for (size_t cam = 0; cam < dims_ids_.size(); cam++) {
    for (int m = 0; m < 2; m++) {
      double rate = RatePerMinute(uint32_t(m), t0) * HourNoise(int(cam), m, FloorDiv(t0, 3600));
      double extra = 0;
      int stuck = -1;
      for (auto& a : opt_.anomalies) {
        if (a.camera != int(cam) || a.measure != schema_->MeasureName(measure_ids_[size_t(m)])) continue;
        const TimeS a0 = opt_.start + a.at_s;
        if (t0 < a0 || t0 >= a0 + a.duration_s) continue;
        if (a.kind == InjectedKind::Drop) rate = 0;
        if (a.kind == InjectedKind::LevelShift) rate *= a.value;
        if (a.kind == InjectedKind::Stuck) stuck = int(std::max(0L, std::lround(a.value)));
        if (a.kind == InjectedKind::Jump) {
          // Exactly a.value extra events over the interval, spread by minute.
          const double per_s = a.value / double(std::max<int64_t>(60, a.duration_s));
          extra += std::round(double(t0 + 60 - a0) * per_s) - std::round(double(t0 - a0) * per_s);
        }
      }
      // Poisson count: inversion for small rates, normal approximation above 30.
      int n;
      if (rate < 30) {
        const double l = std::exp(-rate);
        double p = 1;
        n = -1;
        do {
          n++;
          p *= rng_.Uniform01();
        } while (p > l && n < 200);
      } else {
        n = std::max(0, int(std::lround(rate + std::sqrt(rate) * rng_.Normal())));
      }
      if (stuck >= 0) n = stuck;
      n += int(std::lround(extra));
      for (int k = 0; k < n; k++) {
        const TimeS t = t0 + TimeS(rng_.Below(60));
        pending_.push_back(Event{t, measure_ids_[size_t(m)], dims_ids_[cam], double(next_id_++)});
      }
    }
  }
  // Arrival order: sorted by time, then each event delayed by up to
  // max_disorder_s — sorting by arrival makes event times slightly out of order.
  std::vector<std::pair<TimeS, size_t>> arrival(pending_.size());
  for (size_t i = 0; i < pending_.size(); i++)
    arrival[i] = {pending_[i].time + TimeS(opt_.max_disorder_s > 0 ? rng_.Below(uint32_t(opt_.max_disorder_s + 1)) : 0), i};
  std::sort(arrival.begin(), arrival.end());
  std::vector<Event> ordered;
  ordered.reserve(pending_.size());
  for (auto& a : arrival) ordered.push_back(pending_[a.second]);
  pending_.swap(ordered);
  minute_ += 60;
}

bool CameraSimulator::Generate(size_t max_events, std::vector<Event>* out) {
  size_t made = 0;
  while (made < max_events) {
    if (pending_pos_ >= pending_.size()) {
      if (minute_ >= opt_.start + opt_.duration_s) break;
      SimulateMinute();
      continue;
    }
    out->push_back(pending_[pending_pos_++]);
    made++;
  }
  return made > 0;
}

float CameraSimulator::Progress() const {
  return opt_.duration_s > 0 ? std::min(1.f, float(double(minute_ - opt_.start) / double(opt_.duration_s))) : 1.f;
}

std::string CameraSimulator::ToJsonLine(const Event& e) const {
  nlohmann::ordered_json j = {{schema_->MeasureName(e.measure), uint64_t(e.value)}};  // keys in this order
  for (auto& [k, v] : schema_->DimsValues(e.dims)) j[k] = v;
  j["ts"] = FormatTime(e.time);
  return DumpJson(j);
}

}  // namespace fk::stream
