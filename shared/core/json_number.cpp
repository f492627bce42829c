#include "core/json_number.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

namespace fk {

namespace {

// The shortest of %.6g, %.15g, %.17g that reads back as v: 1e+10, 100.5, 0.1, 123456789.
std::string Num(double v) {
  char b[40];
  for (const char* f : {"%.6g", "%.15g", "%.17g"}) {
    std::snprintf(b, sizeof b, f, v);
    if (std::strtod(b, nullptr) == v) break;
  }
  return b;
}

bool Fail(std::string* why, const std::string& text) {
  if (why) *why = text;
  return false;
}

}  // namespace

bool JsonNumber(const nlohmann::json& v, const std::string& field, double lo, double hi, double* out,
                std::string* why) {
  if (!v.is_number()) return Fail(why, "field '" + field + "' is not a number");
  // Integers beyond 2^53 round here, which only matters far outside any range we ask for.
  const double d = v.get<double>();
  if (!std::isfinite(d)) return Fail(why, "field '" + field + "' is not finite");
  if (!(d >= lo && d <= hi)) return Fail(why, "field '" + field + "' = " + Num(d) + " is outside " + Num(lo) + ".." + Num(hi));
  *out = d;
  return true;
}

bool JsonInt(const nlohmann::json& v, const std::string& field, int64_t lo, int64_t hi, int64_t* out,
             std::string* why) {
  const std::string range = std::to_string(lo) + ".." + std::to_string(hi);
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (hi < 0 || u > uint64_t(hi) || (lo > 0 && u < uint64_t(lo)))
      return Fail(why, "field '" + field + "' = " + std::to_string(u) + " is outside " + range);
    *out = int64_t(u);
    return true;
  }
  if (v.is_number_integer()) {
    const int64_t i = v.get<int64_t>();
    if (i < lo || i > hi) return Fail(why, "field '" + field + "' = " + std::to_string(i) + " is outside " + range);
    *out = i;
    return true;
  }
  if (!v.is_number()) return Fail(why, "field '" + field + "' is not a number");
  const double d = v.get<double>();  // JSON like 3.0 or 1e2: fine when whole and in range
  if (!std::isfinite(d)) return Fail(why, "field '" + field + "' is not finite");
  // The +-2^63 test keeps the conversion below defined when hi is INT64_MAX (which rounds up to 2^63).
  if (!(d >= double(lo) && d <= double(hi) && std::fabs(d) < 9223372036854775808.0))
    return Fail(why, "field '" + field + "' = " + Num(d) + " is outside " + range);
  if (d != std::floor(d)) return Fail(why, "field '" + field + "' = " + Num(d) + " is not a whole number");
  *out = int64_t(d);
  return true;
}

bool JsonNumberAt(const nlohmann::json& obj, const std::string& key, double lo, double hi, double* out,
                  std::string* why) {
  if (!obj.is_object() || !obj.contains(key)) return Fail(why, "missing field '" + key + "'");
  return JsonNumber(obj.at(key), key, lo, hi, out, why);
}

bool JsonIntAt(const nlohmann::json& obj, const std::string& key, int64_t lo, int64_t hi, int64_t* out,
               std::string* why) {
  if (!obj.is_object() || !obj.contains(key)) return Fail(why, "missing field '" + key + "'");
  return JsonInt(obj.at(key), key, lo, hi, out, why);
}

}  // namespace fk
