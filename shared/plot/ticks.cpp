#include "plot/ticks.h"

#include "core/civil.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace fk::plot {

Ticks NiceTicks(double lo, double hi, int max_ticks) {
  Ticks t;
  if (!(hi > lo) || max_ticks < 2 || !std::isfinite(lo) || !std::isfinite(hi)) return t;
  const double raw = (hi - lo) / (max_ticks - 1);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10 * mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  }
  t.step = step;
  const double first = std::ceil(lo / step - 1e-9) * step;
  for (double v = first; v <= hi + step * 1e-9; v += step) t.values.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
  return t;
}

std::string FormatTick(double value, double step) {
  char buf[32];
  const double a = std::fabs(value);
  if (a >= 1e6 && step >= 1e5) {
    std::snprintf(buf, sizeof buf, "%gM", value / 1e6);
  } else if (a >= 1e4 && step >= 1e3) {
    std::snprintf(buf, sizeof buf, "%gk", value / 1e3);
  } else {
    int decimals = step >= 1 ? 0 : int(std::ceil(-std::log10(step) - 1e-9));
    decimals = std::min(decimals, 6);
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  }
  return buf;
}

void NiceRange(double* lo, double* hi, bool include_zero) {
  if (include_zero) {
    *lo = std::min(*lo, 0.0);
    *hi = std::max(*hi, 0.0);
  }
  if (!(*hi > *lo)) {
    const double pad = std::fabs(*lo) > 0 ? std::fabs(*lo) * 0.1 : 1.0;
    *lo -= pad;
    *hi += pad;
    return;
  }
  const double pad = (*hi - *lo) * 0.05;
  if (!(include_zero && *lo == 0)) *lo -= pad;
  *hi += pad;
}

std::vector<Point> DecimateMinMax(const double* xs, const double* ys, size_t n, double x_lo, double x_hi,
                                  int columns) {
  std::vector<Point> out;
  if (n == 0 || columns <= 0 || !(x_hi > x_lo)) return out;
  if (n <= size_t(columns) * 4) {  // few points: draw them all
    out.reserve(n);
    for (size_t i = 0; i < n; i++) out.push_back({xs[i], ys[i]});
    return out;
  }
  const double scale = columns / (x_hi - x_lo);
  size_t i = 0;
  while (i < n) {
    const long col = long(std::floor((xs[i] - x_lo) * scale));
    size_t j = i, imin = i, imax = i;
    while (j < n && long(std::floor((xs[j] - x_lo) * scale)) == col) {
      if (ys[j] < ys[imin]) imin = j;
      if (ys[j] > ys[imax]) imax = j;
      j++;
    }
    // first, extremes in x order, last: keeps the line shape and every spike
    size_t idx[4] = {i, std::min(imin, imax), std::max(imin, imax), j - 1};
    size_t prev = size_t(-1);
    for (size_t k : idx) {
      if (k != prev) out.push_back({xs[k], ys[k]});
      prev = k;
    }
    i = j;
  }
  return out;
}

}  // namespace fk::plot

// [SECTION] time axes
namespace fk::plot {
namespace {

using fk::CivilFromDays;
using fk::DaysFromCivil;

using fk::FloorDiv;

constexpr double kDay = 86400.0;
constexpr double kMonth = 30 * kDay;  // nominal, for choosing the step
constexpr double kYear = 365 * kDay;
const char* const kMonthNames[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

}  // namespace

Ticks TimeTicks(double lo, double hi, int max_ticks) {
  Ticks t;
  if (!(hi > lo) || max_ticks < 2 || !std::isfinite(lo) || !std::isfinite(hi)) return t;
  static constexpr double kSteps[] = {1,    5,    10,   15,    30,    60,    120,   300,   600,
                                      900,  1800, 3600, 7200,  10800, 21600, 43200, kDay,  2 * kDay,
                                      7 * kDay, kMonth, 3 * kMonth, 6 * kMonth, kYear};
  double step = 0;
  for (double s : kSteps) {
    if ((hi - lo) / s <= max_ticks - 1 + 1e-9) {
      step = s;
      break;
    }
  }
  if (step == 0) {  // decades and beyond: nice multiples of a year
    const Ticks years = NiceTicks(lo / kYear, hi / kYear, max_ticks);
    step = std::max(1.0, years.step) * kYear;
  }
  t.step = step;
  if (step < kMonth) {
    // Fixed-length units: multiples of the step from the epoch are round
    // times in UTC (hours, midnights); weeks start on Thursdays, which is fine.
    const double first = std::ceil(lo / step - 1e-9) * step;
    for (double v = first; v <= hi + 1e-6; v += step) t.values.push_back(v);
    return t;
  }
  // Calendar units: first day of every k-th month (or January of every k-th year).
  const int months = step >= kYear ? int(std::lround(step / kYear)) * 12 : int(std::lround(step / kMonth));
  int64_t y;
  int m, d;
  CivilFromDays(FloorDiv(int64_t(std::floor(lo)), 86400), &y, &m, &d);
  int64_t index = y * 12 + (m - 1);  // months since year 0
  index = FloorDiv(index, months) * months;
  for (int guard = 0; guard < 10000; guard++, index += months) {
    const double v = double(DaysFromCivil(FloorDiv(index, 12), int(index - FloorDiv(index, 12) * 12) + 1, 1)) * kDay;
    if (v > hi + 1e-6) break;
    if (v >= lo - 1e-6) t.values.push_back(v);
  }
  return t;
}

namespace {
// UNIX seconds (rounded to the second) as a civil date and seconds of the day.
struct CivilSeconds {
  int64_t y = 0;
  int m = 1, d = 1;
  int64_t sod = 0;
  explicit CivilSeconds(double t) {
    const int64_t s = int64_t(std::floor(t + 0.5));
    const int64_t days = FloorDiv(s, 86400);
    sod = s - days * 86400;
    CivilFromDays(days, &y, &m, &d);
  }
};
}  // namespace

std::string FormatTimeTick(double t, double step) {
  const CivilSeconds c(t);
  const int64_t y = c.y, sod = c.sod;
  const int m = c.m, d = c.d;
  char buf[32];
  if (step >= kYear) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(y));
  } else if (step >= kMonth) {
    std::snprintf(buf, sizeof buf, "%s %lld", kMonthNames[m - 1], static_cast<long long>(y));
  } else if (step >= kDay || sod == 0) {
    std::snprintf(buf, sizeof buf, "%s %02d", kMonthNames[m - 1], d);
  } else if (step < 60) {
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", int(sod / 3600), int(sod / 60 % 60), int(sod % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%02d:%02d", int(sod / 3600), int(sod / 60 % 60));
  }
  return buf;
}

std::string FormatTimeFull(double t) {
  const CivilSeconds c(t);
  const int64_t y = c.y, sod = c.sod;
  const int m = c.m, d = c.d;
  char buf[48];
  if (sod % 60)
    std::snprintf(buf, sizeof buf, "%04lld-%02d-%02d %02d:%02d:%02d", static_cast<long long>(y), m, d,
                  int(sod / 3600), int(sod / 60 % 60), int(sod % 60));
  else
    std::snprintf(buf, sizeof buf, "%04lld-%02d-%02d %02d:%02d", static_cast<long long>(y), m, d, int(sod / 3600),
                  int(sod / 60 % 60));
  return buf;
}

}  // namespace fk::plot
