#include "core/strings.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace fk {

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string Lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = char(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::vector<std::string> SplitList(std::string_view s, char sep, bool drop_empty) {
  std::vector<std::string> out;
  for (size_t start = 0;;) {
    const size_t c = s.find(sep, start);
    std::string item = Trim(s.substr(start, c == std::string_view::npos ? std::string_view::npos : c - start));
    if (!item.empty() || !drop_empty) out.push_back(std::move(item));
    if (c == std::string_view::npos) break;
    start = c + 1;
  }
  return out;
}

std::map<std::string, std::string> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> params;
  for (const std::string& kv : SplitList(query, '&', /*drop_empty=*/true)) {
    const size_t eq = kv.find('=');
    params[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
  return params;
}

std::string SplitRunSpec(std::string_view spec, std::map<std::string, std::string>* params) {
  const size_t q = spec.find('?');
  *params = q == std::string_view::npos ? std::map<std::string, std::string>() : ParseQuery(spec.substr(q + 1));
  return std::string(spec.substr(0, q));
}

bool ParseNumber(std::string_view s, double* out) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  if (s.empty() || s.size() > 64) return false;
  char buf[72];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  char* end = nullptr;
  const double v = std::strtod(buf, &end);
  if (end != buf + s.size() || !std::isfinite(v)) return false;  // "nan", "inf", "12abc"
  *out = v;
  return true;
}

}  // namespace fk
