// Readers that turn text into events: JSON Lines ({"car": 17, "ts": "...",
// "camera_id": "cam1"}) and CSV (timestamp column + numeric measure columns).
// Bad lines are counted in an IngestReport with "file:line: reason" messages;
// the rest of the input is still processed. Files are read in chunks, so a
// 200 MB file never needs 200 MB of string.
//
//   fk::stream::Schema schema;  std::vector<fk::stream::Event> events;
//   fk::stream::JsonLinesParser p(&schema, {}, "cam.jsonl");
//   fk::stream::ForEachLine("cam.jsonl", [&](std::string_view l) { p.ParseLine(l, 0, &events); return true; });
//   if (p.report().bad_lines) puts(p.report().Summary().c_str());
#pragma once
#include <cstdint>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/csv.h"
#include "core/file.h"
#include "core/status.h"
#include "core/strings.h"
#include "core/parquet.h"
#include "stream/event.h"

namespace fk::stream {

struct IngestOptions {
  // Event-time field; "" = the first present of ts, time, timestamp, event_time, hop_time.
  std::string time_field;
  // Fields whose (string or number) values are dimensions, not measures.
  std::vector<std::string> dimension_fields = {"camera_id", "locality"};
  // Measures to keep; empty = every other field (each must then be numeric).
  std::vector<std::string> measure_fields;
  // When an event has no time field: use the ingest time passed to ParseLine
  // (true) or reject the line (false).
  bool ingest_time_fallback = false;
  size_t max_messages = 5;  // error messages kept in the report
};

class JsonLinesParser {
 public:
  JsonLinesParser(Schema* schema, IngestOptions options, std::string source);
  // Parses one line (1-based numbering is kept internally); appends its events.
  // Never throws: problems are counted in report().
  void ParseLine(std::string_view line, TimeS ingest_time, std::vector<Event>* out);
  const IngestReport& report() const { return report_; }

 private:
  Schema* schema_;
  IngestOptions opt_;
  IngestReport report_;
  size_t line_no_ = 0;
};

// CSV with a header row. One row gives one event per measure column (value =
// the cell). Columns: the time column (options.time_field, or ts/time/timestamp/
// event_time/hop_time), dimension columns, the rest are measures (or only
// options.measure_fields). Empty cells are skipped silently (missing value);
// non-numeric ones are errors.
class CsvParser {
 public:
  CsvParser(Schema* schema, IngestOptions options, std::string source);
  void ParseLine(std::string_view line, std::vector<Event>* out);
  const IngestReport& report() const { return report_; }

 private:
  Schema* schema_;
  IngestOptions opt_;
  IngestReport report_;
  size_t line_no_ = 0;
  bool have_header_ = false;
  int time_col_ = -1;
  std::vector<int> dim_cols_;
  std::vector<std::pair<int, uint32_t>> measure_cols_;  // (column, measure id)
  std::vector<std::string> header_;
};

// The line readers and the CSV and number helpers are core's (core/file.h,
// core/csv.h, core/strings.h); these names keep the stream:: spelling working.
using fk::ForEachLine;
using fk::LineReader;
using fk::ParseNumber;
using fk::SplitCsvLine;

// Parses a JSONL or CSV file (chosen by extension: .csv, else JSON Lines) a
// slice at a time, so a 200 MB import never blocks a frame of the page.
//   EventFileReader r;  r.Open(path, &schema, {});  while (r.Read(20000, &events)) show(r.Progress());
class EventFileReader {
 public:
  EventFileReader();
  ~EventFileReader();
  Status Open(const std::string& path, Schema* schema, const IngestOptions& options);
  // Parses up to max_lines more lines into *out; false once the file is done.
  bool Read(size_t max_lines, std::vector<Event>* out);
  float Progress() const { return lines_.Progress(); }
  // Complete once Read returned false (an empty file is reported there).
  const IngestReport& report() const;

 private:
  LineReader lines_;
  std::unique_ptr<CsvParser> csv_;
  std::unique_ptr<JsonLinesParser> json_;
  IngestReport final_;
  bool done_ = false;
};

// What a user's event file holds, from its first lines: the columns (CSV) or
// keys (JSON Lines) whose values all read as times, all as numbers, or as
// text. The Anomalies panel offers them as timestamp, measures and
// dimensions when the configured measures match none of them. A column or key
// without a name is in none of the lists (it cannot be picked by name).
struct EventColumns {
  std::vector<std::string> time;     // every value a time (ParseTime); default names (ts, time...) first
  std::vector<std::string> numeric;  // every non-empty value a number (not a time column)
  std::vector<std::string> text;     // the rest: candidates for dimensions
  bool records = false;              // has "hop_time": windowed records of the sink (stream/sink.h)
  size_t lines = 0;                  // data lines looked at
};
// Reads at most max_lines data lines. A file that cannot be opened, or a CSV
// without a header, is an error naming the file. A .parquet file is read
// whole (its column types say what each column is: timestamps are times,
// strings times or text, doubles and int64s numbers); it is only read as
// windowed records, so one without hop_time is an error naming it.
Result<EventColumns> InspectEventFile(const std::string& path, size_t max_lines = 200);

// Events from a Parquet table, with a JSON Lines record's rules: the time
// column (options.time_field, else the first column named ts, time,
// timestamp, event_time or hop_time: a TIMESTAMP, or int64 / string read as
// ParseTime reads them), dimension columns (string or int64; null = the
// record lacks it), measure columns (double or int64, one event per non-null
// finite value: the JSON Lines sink writes NaN as null). A column of the
// wrong type, no time column, or none of options.measure_fields is an error
// naming report->source and the column, and nothing is appended; a measure
// column missing beside others is a message in *report. Rows without a time
// or without any measure value are counted bad ("source:ROW: reason", ROW
// 1-based), as bad lines are. report->source names the file in messages.
Status ParquetToEvents(const parquet::ParquetTable& table, Schema* schema, const IngestOptions& options,
                       std::vector<Event>* out, IngestReport* report);

// Whether a path names a Parquet file (".parquet", any case).
bool IsParquetPath(const std::string& path);

// One file of windowed records (the sink's records.jsonl or part-N.parquet, a
// landing folder's part file): ".parquet" through ReadParquet and
// ParquetToEvents, anything else as JSON Lines. *report is this file's
// (source = path); a file that does not read or a Parquet file that does not
// fit is an error naming it.
Status ReadRecordFile(const std::string& path, Schema* schema, const IngestOptions& options, std::vector<Event>* out,
                      IngestReport* report);

// Reads a whole JSONL or CSV file (chosen by extension: .csv, else JSON Lines).
Status ReadEventsFile(const std::string& path, Schema* schema, const IngestOptions& options,
                      std::vector<Event>* out, IngestReport* report);

}  // namespace fk::stream
