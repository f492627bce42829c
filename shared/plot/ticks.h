// Plot math with no UI (unit-testable without a GPU): "nice" axis ticks,
// tick labels, and per-pixel-column min/max decimation so a 100k-point series
// draws in O(width) segments without losing spikes.
//
//   auto t = fk::plot::NiceTicks(0.0, 37.2, 6);   // {0, 10, 20, 30} step 10
//   std::string s = fk::plot::FormatTick(20.0, t.step);   // "20"
#pragma once
#include <cstddef>
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

struct Point {
  double x, y;
};
// Per pixel column keeps first, min, max and last (in x order) of the points
// that fall in it. xs must be ascending. Output is in x order.
std::vector<Point> DecimateMinMax(const double* xs, const double* ys, size_t n, double x_lo, double x_hi,
                                  int columns);

}  // namespace fk::plot
