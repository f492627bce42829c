// Plot math with no UI (unit-testable without a GPU): "nice" axis ticks,
// tick labels, and per-pixel-column min/max decimation so a 100k-point series
// draws in O(width) segments without losing spikes.
//
//   auto t = fk::plot::NiceTicks(0.0, 37.2, 6);   // {0, 10, 20, 30} step 10
//   std::string s = fk::plot::FormatTick(20.0, t.step);   // "20"
//   auto tt = fk::plot::TimeTicks(t0, t0 + 6 * 3600, 8);   // every hour, step 3600
//   std::string l = fk::plot::FormatTimeTick(tt.values[0], tt.step);   // "14:00" (or "Jun 05" at midnight)
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fk::plot {

struct Ticks {
  std::vector<double> values;  // inside [lo, hi]
  double step = 0;
};

// Ticks at multiples of 1, 2 or 5 × 10^k, at most max_ticks of them.
Ticks NiceTicks(double lo, double hi, int max_ticks);
// A label with just enough decimals for the step ("0.25", "1.5k", "2M").
std::string FormatTick(double value, double step);
// Expands [lo, hi] to nice bounds with a little headroom; handles lo == hi.
void NiceRange(double* lo, double* hi, bool include_zero);

// Time axes (UNIX seconds, UTC), in ImPlot's Locator_Time spirit: the step is
// the smallest "calendar" unit (1/5/10/15/30 s, 1/2/5/10/15/30 min, 1/2/3/6/12 h,
// 1/2/7 days, 1/3/6 months, years) giving at most max_ticks ticks, and ticks
// sit on round times (whole hours, UTC midnights, first days of months).
// Month and year steps are nominal (30 / 365 days) in Ticks::step.
Ticks TimeTicks(double lo, double hi, int max_ticks);
// "HH:MM:SS" for second steps, "HH:MM" for minute/hour steps (a date such as
// "Jun 05" instead at UTC midnight, so a day boundary reads as one), "Jun 05"
// for day steps, "Jun 2021" for month steps, "2021" for year steps.
std::string FormatTimeTick(double t, double step);
// A full label for tooltips: "2021-06-05 16:55" (seconds shown when not 0).
std::string FormatTimeFull(double t);

struct Point {
  double x, y;
};
// Per pixel column keeps first, min, max and last (in x order) of the points
// that fall in it. xs must be ascending. Output is in x order.
std::vector<Point> DecimateMinMax(const double* xs, const double* ys, size_t n, double x_lo, double x_hi,
                                  int columns);

}  // namespace fk::plot
