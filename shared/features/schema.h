// Feature groups: names, types and the rules every value must pass (shared by
// Put, batch ingest and schema inference), plus event-time parsing and the
// small CSV splitter the store uses. No I/O beyond reading the CSV to infer.
//
//   fk::features::InferOptions o;  o.name = "users"; o.record_id = "user_id"; o.event_time = "ts";
//   auto r = fk::features::InferSchemaFromCsv("users.csv", o);   // scans every row
//   if (r) store.CreateGroup(r->group);
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/csv.h"
#include "core/status.h"

namespace fk::features {

enum class FeatureType { Integral, Fractional, String };
const char* FeatureTypeName(FeatureType t);  // "Integral" | "Fractional" | "String"
bool ParseFeatureType(std::string_view s, FeatureType* out);

// How a group's offline store files are written: Parquet (typed columns, real
// nulls; what Spark, Athena, Trino and DuckDB read) or CSV (text).
enum class OfflineFormat { Parquet, Csv };
const char* OfflineFormatName(OfflineFormat f);  // "parquet" | "csv"
bool ParseOfflineFormat(std::string_view s, OfflineFormat* out);

struct FeatureDefinition {
  std::string name;
  FeatureType type = FeatureType::String;
};

struct FeatureGroup {
  std::string name;
  std::string description;
  std::string record_id;   // name of the record identifier feature
  std::string event_time;  // name of the event time feature (Fractional Unix s or ISO-8601 String)
  std::vector<FeatureDefinition> features;  // every column, record id and event time included
  double created = 0;      // Unix s, set by CreateGroup
  double ttl_seconds = 0;  // 0 = records never expire; a Put may override per record
  uint64_t uid = 0;        // set by CreateGroup; a re-created name gets a new uid
  // A group file without the field was written before Parquet existed: CSV.
  OfflineFormat offline_format = OfflineFormat::Parquet;

  int Index(std::string_view feature) const;  // -1 when absent
  int RecordIdIndex() const { return Index(record_id); }
  int EventTimeIndex() const { return Index(event_time); }
};

// The three columns the offline store adds: a feature may not use these names.
bool IsReservedName(std::string_view name);
// Names, reserved words, duplicates, id/event-time presence and types.
Status ValidateGroup(const FeatureGroup& g);

std::string GroupToJson(const FeatureGroup& g);
Result<FeatureGroup> GroupFromJson(const std::string& text, const std::string& origin);

// [SECTION] values
bool IsValidUtf8(std::string_view s);
bool ParseIntegral(std::string_view s, int64_t* out);
bool ParseFractional(std::string_view s, double* out);  // finite decimal/exponent numbers
// ISO-8601 "2024-03-01T12:00:00[.fff][Z|+hh:mm]" (a space may replace the T) -> Unix s.
bool ParseIso8601(std::string_view s, double* unix_seconds);
// Event times the store keeps: years 0000..9999 (ISO-8601's four digits and the
// offline store's year= partitions). Outside, a time is refused, not converted.
constexpr double kMinEventTime = -62167219200.0;  // 0000-01-01T00:00:00Z
constexpr double kMaxEventTime = 253402300800.0;  // 10000-01-01T00:00:00Z, excluded
inline bool EventTimeInRange(double t) { return t >= kMinEventTime && t < kMaxEventTime; }
// "2024-03-01T12:00:00.000Z"; a time outside the range above gives "out-of-range time <t>".
std::string FormatIso8601(double unix_seconds);
// Event time by the event-time feature's type, within the range above; false
// with a reason on failure.
bool ParseEventTime(std::string_view s, FeatureType t, double* unix_seconds, std::string* why);
// Checks one value against its type; empty text is null and passes (callers
// reject a null record id or event time themselves).
bool CheckValue(std::string_view s, FeatureType t, std::string* why);

// [SECTION] CSV
// core's splitter, strict: a stray or unterminated quote rejects the row.
using fk::AppendCsvCell;
using fk::CsvSplitter;

// [SECTION] inference
struct InferOptions {
  std::string name;
  std::string description;
  std::string record_id;   // required
  std::string event_time;  // required
  double ttl_seconds = 0;
};
struct InferredSchema {
  FeatureGroup group;
  uint64_t rows_scanned = 0;
  bool dropped_index_column = false;  // pandas' unnamed 0..n-1 first column
  std::vector<std::string> notes;     // why each type was chosen where it was not obvious
};
// Reads the whole CSV: a column is Integral only if every non-empty value is,
// Fractional if every one is a number, else String.
Result<InferredSchema> InferSchemaFromCsv(const std::string& path, const InferOptions& opt);
Result<InferredSchema> InferSchemaFromCsvText(std::string_view text, const std::string& origin,
                                              const InferOptions& opt);

}  // namespace fk::features
