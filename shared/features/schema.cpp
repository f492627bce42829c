// Feature group rules, value parsing, CSV splitting and schema inference.
//
// [SECTION] types and groups
// [SECTION] values (UTF-8, numbers, ISO-8601)
// [SECTION] CSV
// [SECTION] inference
#include "features/schema.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/civil.h"
#include "core/file.h"
#include "core/json_number.h"
#include "core/json_write.h"
#include "core/strings.h"

namespace fk::features {

// [SECTION] types and groups

const char* FeatureTypeName(FeatureType t) {
  switch (t) {
    case FeatureType::Integral: return "Integral";
    case FeatureType::Fractional: return "Fractional";
    default: return "String";
  }
}

bool ParseFeatureType(std::string_view s, FeatureType* out) {
  if (s == "Integral") *out = FeatureType::Integral;
  else if (s == "Fractional") *out = FeatureType::Fractional;
  else if (s == "String") *out = FeatureType::String;
  else return false;
  return true;
}

int FeatureGroup::Index(std::string_view feature) const {
  for (size_t i = 0; i < features.size(); i++)
    if (features[i].name == feature) return int(i);
  return -1;
}


bool IsReservedName(std::string_view name) {
  const std::string l = Lower(name);
  return l == "is_deleted" || l == "write_time" || l == "api_invocation_time";
}

// SageMaker's rule for feature and group names: letters, digits, '_' and '-',
// starting with a letter or digit, at most 64 characters. It also keeps names
// safe as folder names in the offline store.
static bool ValidName(std::string_view n) {
  if (n.empty() || n.size() > 64 || !std::isalnum(static_cast<unsigned char>(n[0]))) return false;
  for (char c : n)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  return true;
}

Status ValidateGroup(const FeatureGroup& g) {
  if (!ValidName(g.name))
    return Status::Error("group name '" + g.name + "': use 1-64 letters, digits, '_' or '-'");
  if (g.features.empty()) return Status::Error("group '" + g.name + "': no features");
  std::set<std::string> seen;
  for (auto& f : g.features) {
    if (IsReservedName(f.name))
      return Status::Error("group '" + g.name + "': feature name '" + f.name +
                           "' is reserved (is_deleted, write_time, api_invocation_time)");
    if (!ValidName(f.name))
      return Status::Error("group '" + g.name + "': feature name '" + f.name +
                           "': use 1-64 letters, digits, '_' or '-'");
    if (!seen.insert(Lower(f.name)).second)
      return Status::Error("group '" + g.name + "': feature '" + f.name + "' appears twice");
  }
  const int id = g.RecordIdIndex(), et = g.EventTimeIndex();
  if (id < 0) return Status::Error("group '" + g.name + "': record id feature '" + g.record_id + "' is not a feature");
  if (et < 0) return Status::Error("group '" + g.name + "': event time feature '" + g.event_time + "' is not a feature");
  if (id == et) return Status::Error("group '" + g.name + "': record id and event time must be different features");
  if (g.features[size_t(id)].type == FeatureType::Fractional)
    return Status::Error("group '" + g.name + "': record id '" + g.record_id + "' must be Integral or String");
  if (g.features[size_t(et)].type == FeatureType::Integral)
    return Status::Error("group '" + g.name + "': event time '" + g.event_time +
                         "' must be Fractional (Unix s) or String (ISO-8601)");
  if (!(g.ttl_seconds >= 0)) return Status::Error("group '" + g.name + "': ttl must be >= 0");
  return Status::Ok();
}

const char* OfflineFormatName(OfflineFormat f) { return f == OfflineFormat::Csv ? "csv" : "parquet"; }

bool ParseOfflineFormat(std::string_view s, OfflineFormat* out) {
  if (s == "parquet") *out = OfflineFormat::Parquet;
  else if (s == "csv") *out = OfflineFormat::Csv;
  else return false;
  return true;
}

std::string GroupToJson(const FeatureGroup& g) {
  nlohmann::json j;
  j["name"] = g.name;
  j["description"] = g.description;
  j["record_identifier_feature_name"] = g.record_id;
  j["event_time_feature_name"] = g.event_time;
  j["creation_time"] = g.created;
  j["ttl_seconds"] = g.ttl_seconds;
  j["uid"] = std::to_string(g.uid);  // a string: JSON numbers lose u64 precision in JS
  j["offline_format"] = OfflineFormatName(g.offline_format);
  auto& defs = j["feature_definitions"] = nlohmann::json::array();
  for (auto& f : g.features) defs.push_back({{"name", f.name}, {"type", FeatureTypeName(f.type)}});
  return DumpJson(j, 2);  // names and description are the user's
}

Result<FeatureGroup> GroupFromJson(const std::string& text, const std::string& origin) {
  try {
    auto j = nlohmann::json::parse(text);
    FeatureGroup g;
    g.name = j.at("name").get<std::string>();
    g.description = j.value("description", "");
    g.record_id = j.at("record_identifier_feature_name").get<std::string>();
    g.event_time = j.at("event_time_feature_name").get<std::string>();
    std::string why;
    if ((j.contains("creation_time") && !JsonNumberAt(j, "creation_time", kMinEventTime, kMaxEventTime, &g.created, &why)) ||
        (j.contains("ttl_seconds") && !JsonNumberAt(j, "ttl_seconds", 0, 1e15, &g.ttl_seconds, &why)))
      return Status::Error(origin + ": " + why);
    g.uid = std::stoull(j.at("uid").get<std::string>());
    // Groups written before the field existed wrote CSV, and keep doing so.
    g.offline_format = OfflineFormat::Csv;
    if (j.contains("offline_format") && !ParseOfflineFormat(j.at("offline_format").get<std::string>(), &g.offline_format))
      return Status::Error(origin + ": offline_format '" + j.at("offline_format").get<std::string>() +
                           "' is neither parquet nor csv");
    for (auto& d : j.at("feature_definitions")) {
      FeatureDefinition f;
      f.name = d.at("name").get<std::string>();
      if (!ParseFeatureType(d.at("type").get<std::string>(), &f.type))
        return Status::Error(origin + ": feature '" + f.name + "': unknown type");
      g.features.push_back(f);
    }
    Status st = ValidateGroup(g);
    if (!st) return Status::Error(origin + ": " + st.message());
    return g;
  } catch (const std::exception& e) {
    return Status::Error(origin + ": not a feature group definition (" + e.what() + ")");
  }
}

// [SECTION] values (UTF-8, numbers, ISO-8601)

bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    // ASCII fast path, 8 bytes at a time: almost every cell is plain ASCII.
    while (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      if (w & 0x8080808080808080ull) break;
      p += 8;
    }
    if (p >= end) break;
    const unsigned c = *p;
    if (c < 0x80) { p++; continue; }
    int n;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; }
    else return false;
    if (end - p <= n) return false;
    for (int i = 1; i <= n; i++) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    p += n + 1;
  }
  return true;
}

bool ParseIntegral(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  // The common case first, with no overflow to check: a sign, then 1 to 18 digits.
  const bool neg = s[0] == '-';
  const size_t d0 = neg || s[0] == '+';
  if (s.size() > d0 && s.size() - d0 <= 18) {
    uint64_t v = 0;
    size_t i = d0;
    for (; i < s.size() && unsigned(s[i] - '0') < 10; i++) v = v * 10 + unsigned(s[i] - '0');
    if (i == s.size()) {
      *out = neg ? -int64_t(v) : int64_t(v);
      return true;
    }
  }
  const char* b = s.data();
  if (*b == '+') b++;
  auto r = std::from_chars(b, s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool ParseFractional(std::string_view s, double* out) {
  if (s.empty() || s.size() > 64) return false;
  {
    // The common case exactly and quickly: [sign] digits [. digits], at most
    // 15 digits in all. The mantissa (< 2^53) and the power of ten are then
    // both exact doubles, so one division rounds correctly: the value
    // from_chars would give (Clinger's fast path).
    static const double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    const bool neg = s[0] == '-';
    const char* p = s.data() + (neg || s[0] == '+');
    const char* const end = s.data() + s.size();
    uint64_t m = 0;  // wraps past 19 digits, but then more than 15 are refused below
    const char* const ip = p;
    for (; p < end && unsigned(*p - '0') < 10; p++) m = m * 10 + unsigned(*p - '0');
    const size_t idigits = size_t(p - ip);
    size_t frac = 0;
    if (p < end && *p == '.') {
      const char* const fp = ++p;
      for (; p < end && unsigned(*p - '0') < 10; p++) m = m * 10 + unsigned(*p - '0');
      frac = size_t(p - fp);
    }
    if (p == end && idigits + frac > 0 && idigits + frac <= 15) {
      const double v = frac > 0 ? double(m) / kPow10[frac] : double(m);
      *out = neg ? -v : v;
      return true;
    }
  }
  // Only plain decimal numbers: strtod would also take "inf", "nan" and hex.
  for (char c : s)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
      return false;
#if !defined(__EMSCRIPTEN__)
  // libstdc++ has floating-point from_chars (no copy, no locale); Emscripten's libc++ does not yet.
  const char* b = s.data() + (s[0] == '+');
  double v = 0;
  auto r = std::from_chars(b, s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v)) return false;
  *out = v;
  return true;
#else
  char buf[72];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = 0;
  char* end = nullptr;
  const double v = std::strtod(buf, &end);
  if (end != buf + s.size() || !std::isfinite(v)) return false;
  *out = v;
  return true;
#endif
}

bool ParseIso8601(std::string_view s, double* unix_seconds) {
  IsoTime t;
  if (!fk::ParseIso8601(s, &t) || t.precision != IsoTime::kSecond) return false;  // an event time names its second
  *unix_seconds = double(t.seconds) + t.fraction;
  return true;
}

std::string FormatIso8601(double t) {
  if (!EventTimeInRange(t)) {  // int64 conversion below would be undefined for 1e300 or NaN
    char b[48];
    std::snprintf(b, sizeof b, "out-of-range time %g", t);
    return b;
  }
  double whole = std::floor(t);
  int ms = int(std::lround((t - whole) * 1000));
  if (ms == 1000) { whole += 1; ms = 0; }
  char buf[16];
  std::snprintf(buf, sizeof buf, ".%03dZ", ms);
  return FormatIsoSeconds(int64_t(whole), 'T') + buf;
}

bool ParseEventTime(std::string_view s, FeatureType t, double* unix_seconds, std::string* why) {
  if (s.empty()) { *why = "missing event time"; return false; }
  if (t == FeatureType::String) {
    if (!ParseIso8601(s, unix_seconds)) {
      *why = "event time '" + std::string(s.substr(0, 40)) + "' is not ISO-8601 (2024-03-01T12:00:00Z)";
      return false;
    }
  } else if (!ParseFractional(s, unix_seconds)) {
    *why = "event time '" + std::string(s.substr(0, 40)) + "' is not Unix seconds";
    return false;
  }
  if (EventTimeInRange(*unix_seconds)) return true;
  *why = "event time '" + std::string(s.substr(0, 40)) + "' is outside years 0000..9999";
  return false;
}

bool CheckValue(std::string_view s, FeatureType t, std::string* why) {
  if (s.empty() || t == FeatureType::String) return true;
  if (t == FeatureType::Integral) {
    int64_t v;
    if (ParseIntegral(s, &v)) return true;
    *why = "'" + std::string(s.substr(0, 40)) + "' is not Integral";
    return false;
  }
  double v;
  if (ParseFractional(s, &v)) return true;
  *why = "'" + std::string(s.substr(0, 40)) + "' is not Fractional";
  return false;
}

// [SECTION] CSV

// [SECTION] inference

Result<InferredSchema> InferSchemaFromCsv(const std::string& path, const InferOptions& opt) {
  Result<std::string> text = ReadFile(path);
  if (!text) return text.status();  // "<path>: cannot open", or why it could not be read
  return InferSchemaFromCsvText(*text, path, opt);
}

namespace {
// What the rows said about each column so far: could every non-empty value be
// Integral / Fractional, is the column pandas' 0..n-1 index; for the event
// time, how many non-empty values each format reads (so a few bad rows,
// rejected later by ingest with a reason, do not decide the type).
struct ColumnEvidence {
  std::vector<char> all_int, all_num, any, index_like;
  std::vector<uint64_t> first_bad;  // line of the first value that is not a number
  uint64_t et_iso = 0, et_num = 0, et_values = 0;
  explicit ColumnEvidence(size_t n) : all_int(n, 1), all_num(n, 1), any(n, 0), index_like(n, 1), first_bad(n, 0) {}

  void AddRow(const std::vector<std::string_view>& c, uint64_t this_row, uint64_t line_no, size_t et_col) {
    for (size_t k = 0; k < c.size(); k++) {
      if (c[k].empty()) continue;
      any[k] = 1;
      int64_t iv;
      double dv;
      const bool is_int = ParseIntegral(c[k], &iv);
      if (!is_int) all_int[k] = 0;
      if (!is_int && !ParseFractional(c[k], &dv)) {
        if (all_num[k]) first_bad[k] = line_no;
        all_num[k] = 0;
      }
      if (!is_int || iv != int64_t(this_row)) index_like[k] = 0;
    }
    double t;
    const std::string_view et = c[et_col];
    if (!et.empty()) {
      et_values++;
      et_iso += ParseIso8601(et, &t);
      et_num += ParseFractional(et, &t);
    }
  }
};

// Column k's feature from the evidence (notes say what was guessed); an error
// when the event time column has no readable value.
Status TypeColumn(const ColumnEvidence& ev, size_t k, const std::string& name, int id_col, int et_col,
                  const std::string& origin, FeatureDefinition* f, std::vector<std::string>* notes) {
  f->name = name;
  if (!ev.any[k]) {
    f->type = FeatureType::String;
    notes->push_back(f->name + ": every value empty, String");
  } else if (ev.all_int[k]) {
    f->type = FeatureType::Integral;
  } else if (ev.all_num[k]) {
    f->type = FeatureType::Fractional;
  } else {
    f->type = FeatureType::String;
    if (ev.first_bad[k] > 2 && int(k) != et_col)  // the first rows looked numeric: say where that stopped
      notes->push_back(f->name + ": String (line " + std::to_string(ev.first_bad[k]) + " is not a number)");
  }
  if (int(k) == et_col) {
    if (ev.et_num == 0 && ev.et_iso == 0)
      return Status::Error(origin + ": event time column '" + f->name +
                           "' has no value that is Unix seconds or ISO-8601");
    f->type = ev.et_num >= ev.et_iso ? FeatureType::Fractional : FeatureType::String;
    const uint64_t good = std::max(ev.et_num, ev.et_iso);
    if (good < ev.et_values)
      notes->push_back(f->name + ": " + (ev.et_num >= ev.et_iso ? "Unix seconds" : "ISO-8601") + " in " +
                       std::to_string(good) + " of " + std::to_string(ev.et_values) + " rows; ingest rejects the others");
  }
  if (int(k) == id_col && f->type == FeatureType::Fractional) {
    f->type = FeatureType::String;
    notes->push_back(f->name + ": record id with decimals, kept as String");
  }
  return Status::Ok();
}
}  // namespace

Result<InferredSchema> InferSchemaFromCsvText(std::string_view text, const std::string& origin,
                                              const InferOptions& opt) {
  CsvSplitter sp;
  std::string why;
  size_t pos = 0;
  uint64_t line_no = 0;
  auto next_line = [&](std::string_view* line) {
    if (pos >= text.size()) return false;
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    *line = text.substr(pos, nl - pos);
    pos = nl + 1;
    line_no++;
    return true;
  };
  std::string_view line;
  if (!next_line(&line)) return Status::Error(origin + ": empty file (no header)");
  if (!sp.Split(line, &why)) return Status::Error(origin + ":1: header: " + why);
  std::vector<std::string> names(sp.Cells().begin(), sp.Cells().end());
  const size_t ncol = names.size();
  InferredSchema out;
  const int id_col = int(std::find(names.begin(), names.end(), opt.record_id) - names.begin());
  const int et_col = int(std::find(names.begin(), names.end(), opt.event_time) - names.begin());
  if (id_col >= int(ncol)) return Status::Error(origin + ":1: record id column '" + opt.record_id + "' not in header");
  if (et_col >= int(ncol)) return Status::Error(origin + ":1: event time column '" + opt.event_time + "' not in header");
  ColumnEvidence ev(ncol);
  uint64_t row = 0, skipped = 0, data_row = 0;  // data_row counts skipped rows too (pandas' index does)
  auto skip = [&](const std::string& reason) {
    // A malformed row says nothing about the types; ingest rejects it per row.
    if (++skipped <= 3) out.notes.push_back("line " + std::to_string(line_no) + ": " + reason + " (skipped; ingest rejects it)");
  };
  while (next_line(&line)) {
    if (line.empty() || line == "\r") continue;
    const uint64_t this_row = data_row++;
    if (!sp.Split(line, &why)) {
      skip(why);
      continue;
    }
    if (sp.Cells().size() != ncol) {
      skip(std::to_string(sp.Cells().size()) + " columns, header has " + std::to_string(ncol));
      continue;
    }
    ev.AddRow(sp.Cells(), this_row, line_no, size_t(et_col));
    row++;
  }
  if (skipped > 3) out.notes.push_back(std::to_string(skipped) + " malformed rows skipped in all");
  out.rows_scanned = row;
  FeatureGroup& g = out.group;
  g.name = opt.name;
  g.description = opt.description;
  g.record_id = opt.record_id;
  g.event_time = opt.event_time;
  g.ttl_seconds = opt.ttl_seconds;
  for (size_t k = 0; k < ncol; k++) {
    if (names[k].empty() || names[k] == "Unnamed: 0") {
      // pandas writes its index as an unnamed first column: 0, 1, 2, ... It is
      // not a feature; ingest skips unnamed columns by name too.
      if (k == 0 && ev.index_like[k]) {
        out.dropped_index_column = true;
        out.notes.push_back("column 1 is unnamed and counts 0..n-1: treated as an index and skipped");
        continue;
      }
      return Status::Error(origin + ":1: column " + std::to_string(k + 1) + " has no name");
    }
    FeatureDefinition f;
    if (Status st = TypeColumn(ev, k, names[k], id_col, et_col, origin, &f, &out.notes); !st) return st;
    g.features.push_back(f);
  }
  Status st = ValidateGroup(g);
  if (!st) return Status::Error(origin + ": " + st.message());
  return out;
}

}  // namespace fk::features
