#include "plot/ticks.h"

#include <algorithm>
#include <cmath>
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
