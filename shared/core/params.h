// Named numeric options of a struct, one table row each: `--param key=value`
// in the CLI, the help that lists them and their ranges all read the table,
// so a new option is one row (and a typo or an out-of-range value is an error
// that names the option, not a silent 0 from atof).
//
//   const std::vector<ParamInfo<Opts>>& T = {{"epochs", "training passes", &Opts::epochs, 1, 1000}, ...};
//   Status st = SetParam(T, &opts, "epochs=40");      // "epochs: 0.5 is not a whole number in 1..1000"
//   std::string names = ParamNames(T);                // "epochs, l2, ..."
#pragma once
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <variant>
#include <vector>

#include "core/status.h"

namespace fk {

template <class T>
struct ParamInfo {
  const char* name;
  const char* help;
  std::variant<bool T::*, int T::*, size_t T::*, float T::*, double T::*> field;
  double lo = 0, hi = 0;  // accepted range (bools: 0..1)
};

template <class T>
std::string ParamNames(const std::vector<ParamInfo<T>>& table) {
  std::string out;
  for (const auto& p : table) out += (out.empty() ? "" : ", ") + std::string(p.name);
  return out;
}

// One line per row, "  name  lo..hi  help", for a CLI's --help.
template <class T>
std::string ParamHelp(const std::vector<ParamInfo<T>>& table) {
  std::string out;
  for (const auto& p : table) {
    char range[64];
    std::snprintf(range, sizeof range, "%g..%g", p.lo, p.hi);
    char line[256];
    std::snprintf(line, sizeof line, "  %-20s %-12s %s\n", p.name, range, p.help);
    out += line;
  }
  return out;
}

// "key=value": the value must parse whole, lie in the row's range, and be a
// whole number for integer fields; bools take 0/1/true/false.
template <class T>
Status SetParam(const std::vector<ParamInfo<T>>& table, T* obj, const std::string& key_value) {
  const size_t eq = key_value.find('=');
  if (eq == std::string::npos) return Status::Error("wants key=value, got '" + key_value + "'");
  const std::string key = key_value.substr(0, eq), text = key_value.substr(eq + 1);
  for (const auto& p : table) {
    if (key != p.name) continue;
    double v = 0;
    if (text == "true" || text == "false") {
      v = text == "true" ? 1 : 0;
    } else {
      char* end = nullptr;
      errno = 0;
      v = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v))
        return Status::Error(key + ": '" + text + "' is not a number");
    }
    const bool whole = !std::holds_alternative<float T::*>(p.field) && !std::holds_alternative<double T::*>(p.field);
    if (!(v >= p.lo && v <= p.hi) || (whole && v != std::floor(v))) {
      char range[64];
      std::snprintf(range, sizeof range, "%g..%g", p.lo, p.hi);
      return Status::Error(key + ": " + text + " is not " + (whole ? "a whole number" : "a value") + " in " + range);
    }
    std::visit(
        [&](auto field) {
          using F = std::decay_t<decltype(obj->*field)>;
          obj->*field = std::is_same_v<F, bool> ? F(v != 0) : F(v);
        },
        p.field);
    return Status::Ok();
  }
  return Status::Error("unknown option '" + key + "' (known: " + ParamNames(table) + ")");
}

}  // namespace fk
