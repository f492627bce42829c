#include "core/json_write.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <nlohmann/json.hpp>

namespace fk {

nlohmann::json JsonNumberAs(double v, const char* format) {
  if (!std::isfinite(v)) return nullptr;
  char text[64];
  std::snprintf(text, sizeof text, format, v);
  if (!std::strpbrk(text, ".eE")) {
    errno = 0;
    const long long i = std::strtoll(text, nullptr, 10);
    if (errno == 0) return i;  // beyond int64 (huge "%.0f"): a double below
  }
  return std::strtod(text, nullptr);
}

std::string DumpJson(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string DumpJson(const nlohmann::ordered_json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace fk
