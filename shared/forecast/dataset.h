// The three Amazon Forecast data set kinds read from CSV: target time series
// (timestamp, target value, dimensions such as product/store/country),
// related time series (same keys, up to 13 numeric features) and item
// metadata (item id + up to 9 more fields). Dates in the formats the seed uses:
// `01-Jan` (year-less, taken as 2000), `1991-01`, `1991-01-31`,
// `1991-01-31 12:00[:00]` / `T`. Bad rows are skipped with a message naming
// file, line and field; the rest is read.
//
//   auto table = fk::forecast::ReadCsvTable("sales.csv");
//   auto target = fk::forecast::ParseTarget(*table, {});
//   for (auto& e : target->errors) std::puts(e.c_str());
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace fk::forecast {

enum class DateFormat { DayMonth, YearMonth, Date, DateTime };
// Seconds since 1970-01-01 UTC.
bool ParseDate(std::string_view s, int64_t* seconds, DateFormat* format);
std::string FormatDate(int64_t seconds, DateFormat format);

struct CsvTable {
  std::string name;                            // file path, for messages
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // cells, as read
  std::vector<size_t> lines;                   // 1-based line of each row
};
Result<CsvTable> ReadCsvTable(const std::string& path);
Result<CsvTable> ParseCsvText(std::string_view text, const std::string& name);
// Sliced parsing for the page: up to max_lines more lines of text from *pos
// (line counts lines read so far); true when the text is done.
bool ParseCsvChunk(std::string_view text, size_t* pos, size_t* line, size_t max_lines, CsvTable* t);
Result<std::string> ReadTextFile(const std::string& path);

struct TargetOptions {
  std::string timestamp_col;  // empty: guess (named timestamp/date/time, or the first date column)
  std::string value_col;      // empty: guess (named target_value/demand/sales/value, or the first numeric column)
};
struct TargetDataset {
  std::string name, time_col, value_col;
  std::vector<std::string> dim_cols;
  DateFormat format = DateFormat::Date;
  std::vector<int64_t> time;
  std::vector<double> value;                   // NaN = blank
  std::vector<std::vector<std::string>> dims;  // per row, one per dim_col
  std::vector<size_t> line;
  std::vector<std::string> errors;             // first 20 bad-row messages
  size_t bad_rows = 0;
};
Result<TargetDataset> ParseTarget(const CsvTable& table, const TargetOptions& options);
// The same in slices for a UI thread: the constructor picks the columns,
// Step(rows) converts up to `rows` more rows (true when done), Finish() gives
// what ParseTarget gives (it is this run in one go). table must outlive it.
class TargetParser {
 public:
  TargetParser(const CsvTable& table, const TargetOptions& options);
  bool Step(size_t rows);
  float Progress() const;
  Result<TargetDataset> Finish();  // once

 private:
  const CsvTable* t_;
  Status status_;  // a column problem found by the constructor
  TargetDataset d_;
  int tc_ = -1, vc_ = -1;
  std::vector<size_t> dim_idx_;
  size_t next_ = 0, mixed_ = 0;
  bool have_format_ = false;
};

struct RelatedDataset {
  std::string name, time_col;
  std::vector<std::string> key_cols;           // dimensions (the target's dims present here)
  std::vector<std::string> feature_cols;       // numeric, at most 13
  std::vector<int64_t> time;
  std::vector<std::vector<std::string>> keys;
  std::vector<std::vector<double>> features;   // NaN = blank
  std::vector<std::string> errors;
  size_t bad_rows = 0;
};
// key_cols: the columns that identify a series (must exist in the table);
// other non-numeric columns become keys too, numeric ones features.
Result<RelatedDataset> ParseRelated(const CsvTable& table, const std::vector<std::string>& key_cols);
// The same in slices (as TargetParser): ParseRelated is this run in one go.
class RelatedParser {
 public:
  RelatedParser(const CsvTable& table, const std::vector<std::string>& key_cols);
  bool Step(size_t rows);  // true when every row is converted
  Result<RelatedDataset> Finish();  // once

 private:
  const CsvTable* t_;
  Status status_;
  RelatedDataset d_;
  int tc_ = -1;
  std::vector<size_t> key_idx_, feat_idx_;
  size_t next_ = 0;
};

struct ItemMetadata {
  std::string name, item_col;
  std::vector<std::string> fields;                          // at most 9 besides the item id
  std::map<std::string, std::vector<std::string>> items;    // item -> field values
  std::vector<std::string> errors;
};
Result<ItemMetadata> ParseMetadata(const CsvTable& table);

// [SECTION] guessing what an imported CSV is (routing a dropped file)

// From the header and the first rows: a forecast target (a date column and a
// value column named like a target: target_value, demand, sales, quantity,
// units), an item series (dates, an item column - item_id, item, product,
// product_id, sku - and numbers but no target-named column: a related series
// such as price/promo, or a target under another name), a plain time series
// (dates and numbers only: one forecast series or anomaly events alike), or
// neither. UNIX-second timestamps are not dates here (the anomaly readers
// take those). *reason names the columns that decided.
enum class CsvGuess { ForecastTarget, ItemSeries, TimeSeries, Other };
CsvGuess GuessForecastCsv(const CsvTable& head, std::string* reason);

}  // namespace fk::forecast
