// Parquet files, written and read without a Parquet library (none builds for
// both our toolchains), from the format specification: a Thrift
// compact-protocol footer, flat schemas of INT64 / DOUBLE / BOOLEAN /
// BYTE_ARRAY (UTF8 string) / INT64 TIMESTAMP (UTC, millis or micros) columns,
// REQUIRED or OPTIONAL (RLE/bit-packed definition levels, so a null is a null
// and "" is an empty string), PLAIN encoding, dictionary pages (RLE_DICTIONARY)
// for strings and integers and DELTA_BINARY_PACKED for integers where each is
// smaller, version-1 data pages, uncompressed or Snappy (our own compressor
// and decompressor, from the Snappy format description). Spark, DuckDB, Trino
// and pandas read these files as they are.
//
//   fk::parquet::ParquetWriter w({{"id", ColumnType::String, false}, {"age", ColumnType::Int64}});
//   w.AppendString(0, "u7");  w.AppendInt64(1, 31);        // one row: every column once
//   w.AppendString(0, "u8");  w.AppendNull(1);
//   fk::Result<std::string> bytes = w.Finish();             // the whole file
//   auto t = fk::parquet::ReadParquet(*bytes, "users.parquet");  // strict: names what is wrong and where
//
// The reader takes what this writer writes and the same subset from other
// writers (version-1 data pages, the encodings above, UNCOMPRESSED or SNAPPY,
// flat schemas); anything else is refused with a message naming the field and byte offset.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace fk::parquet {

enum class ColumnType { Boolean, Int64, Double, String, Timestamp };
enum class TimeUnit { Millis, Micros };
const char* ColumnTypeName(ColumnType t);  // "boolean" | "int64" | "double" | "string" | "timestamp"

struct ColumnSpec {
  std::string name;
  ColumnType type = ColumnType::String;
  bool nullable = true;               // OPTIONAL (definition levels) or REQUIRED
  TimeUnit unit = TimeUnit::Micros;   // Timestamp only (always adjusted to UTC)
};

struct WriterOptions {
  size_t page_rows = 16384;           // rows per data page
  size_t row_group_rows = 1u << 20;   // rows per row group
  bool dictionary = true;             // a dictionary page where it is smaller (strings, integers)
  bool delta = true;                  // DELTA_BINARY_PACKED integers where smaller than PLAIN
  bool snappy = false;                // Snappy-compressed pages (codec SNAPPY)
  std::string created_by = "fieldkit";
};

// Collects rows column by column, then writes the file at once: every column
// gets exactly one Append* per row (AppendNull only on nullable columns).
class ParquetWriter {
 public:
  explicit ParquetWriter(std::vector<ColumnSpec> schema, WriterOptions opt = {});
  const std::vector<ColumnSpec>& Schema() const { return schema_; }
  size_t Rows() const;  // rows complete in every column

  void Reserve(size_t rows);  // room for this many more rows: appending them does not reallocate
  void AppendNull(size_t col);
  // Inline: a part file takes a million of these; misuse goes the slow way and Finish reports it.
  void AppendInt64(size_t col, int64_t v) {  // Int64, Timestamp (in the column's unit)
    if (col < cols_.size() && (schema_[col].type == ColumnType::Int64 || schema_[col].type == ColumnType::Timestamp)) {
      cols_[col].defined.push_back(1);
      cols_[col].ints.push_back(v);
    } else AppendInt64Slow(col, v);
  }
  void AppendDouble(size_t col, double v) {
    if (col < cols_.size() && schema_[col].type == ColumnType::Double) {
      cols_[col].defined.push_back(1);
      cols_[col].doubles.push_back(v);
    } else AppendDoubleSlow(col, v);
  }
  void AppendBool(size_t col, bool v);
  void AppendString(size_t col, std::string_view v) {
    if (col < cols_.size() && schema_[col].type == ColumnType::String && v.size() <= kMaxText - cols_[col].text) {
      Column& c = cols_[col];
      if (v.size() > c.bytes.size() - c.text) GrowText(c, v.size());
      c.defined.push_back(1);
      // A copy into room already there: std::string::append's checks were a tenth of a part's appends.
      if (!v.empty()) std::memcpy(&c.bytes[c.text], v.data(), v.size());
      c.text += v.size();
      c.ends.push_back(uint32_t(c.text));
    } else AppendStringSlow(col, v);
  }

  // The file's bytes. Fails, naming the column, when a column got a value of
  // another type, a null while REQUIRED, or a different number of rows.
  Result<std::string> Finish() const;

 private:
  struct Column {
    std::vector<uint8_t> defined;  // per row: 1 = a value, 0 = null
    std::vector<int64_t> ints;     // Int64, Timestamp, Boolean (0/1): the values only
    std::vector<double> doubles;
    std::string bytes;             // String: the values back to back in [0, text); the rest is room
    size_t text = 0;
    std::vector<uint32_t> ends;    // String: where each value ends in bytes
  };
  static constexpr size_t kMaxText = UINT32_MAX;  // a String column's bytes in one file (ends are 32-bit)
  void AppendInt64Slow(size_t col, int64_t v);
  void AppendDoubleSlow(size_t col, double v);
  void AppendStringSlow(size_t col, std::string_view v);
  static void GrowText(Column& c, size_t more);  // room for `more` bytes after c.text
  void Bad(size_t col, const char* what);
  std::vector<ColumnSpec> schema_;
  WriterOptions opt_;
  std::vector<Column> cols_;
  std::string error_;  // the first misuse, reported by Finish
};

struct ParquetColumn {
  ColumnSpec spec;
  // Per row. Values of null rows are 0 / "".
  std::vector<uint8_t> nulls;        // 1 = null
  std::vector<int64_t> ints;         // Int64, Timestamp (in spec.unit), Boolean (0/1)
  std::vector<double> doubles;       // Double
  std::vector<std::string> strings;  // String
  uint64_t NullCount() const;
};

struct ParquetTable {
  uint64_t rows = 0;
  std::vector<ParquetColumn> columns;
  std::string created_by;
  int Index(std::string_view name) const;  // -1 when absent
};

// Reads a whole file (bytes) strictly; origin names it in messages
// ("x.parquet: byte 812: page header: compressed_page_size -3 is negative").
Result<ParquetTable> ReadParquet(std::string_view bytes, const std::string& origin);

}  // namespace fk::parquet
