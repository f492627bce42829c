// Where window records go: one JSON Lines object per record
// ({"person":12,"car":56,"hop_time":"2021-06-05T16:55:00"}) and a time-prefixed
// partition sink that appends each record under
// root/year=YYYY/month=MM/day=DD/hour=HH/ (the hour of the window end) — the
// layout the detector reads in continuous mode, Hive-style so that Spark,
// Athena, Trino or DuckDB (hive_partitioning) read year/month/day/hour as columns.
//
//   fk::stream::PartitionSink sink("out", {});
//   for (auto& r : windower.TakeClosed()) sink.Write(r, schema);
//   sink.Close();
//   std::vector<std::string> hours = fk::stream::ListPartitionFiles("out", t0, t1);
#pragma once
#include <fstream>
#include <string>
#include <vector>

#include "core/file.h"
#include "core/status.h"
#include "stream/event.h"
#include "stream/window.h"

namespace fk::stream {

struct RecordFormat {
  std::vector<Agg> aggs;                 // per measure id; missing -> Count
  std::string time_key = "hop_time";     // key of the window-end stamp
  bool include_dims = true;              // add "camera_id":"cam1" fields
};

// {"person":12,"car":56,"camera_id":"cam1","hop_time":"2021-06-05T16:55:00"}
std::string RecordToJson(const WindowRecord& r, const Schema& schema, const RecordFormat& fmt = {});

// "root/year=2021/month=06/day=05/hour=16/" for a window ending 2021-06-05T16:55:00.
std::string PartitionDir(const std::string& root, TimeS t);
// "root/2021/06/05/16/": the layout written before (Firehose's default prefix), still read.
std::string LegacyPartitionDir(const std::string& root, TimeS t);

// JSON Lines (appended to file_name, what the detector reads back) or
// Parquet: an hour's records are held until the sink moves to another hour
// (or Close), then written as part-NNNNN.parquet (the next free number, so a
// late window's hour gets another part): measures as DOUBLE, dimensions as
// STRING (null where a record lacks one), the time key as a UTC TIMESTAMP.
enum class SinkFormat { Jsonl, Parquet };

class PartitionSink {
 public:
  PartitionSink(std::string root, RecordFormat fmt = {}, std::string file_name = "records.jsonl",
                SinkFormat format = SinkFormat::Jsonl);
  ~PartitionSink();
  Status Write(const WindowRecord& r, const Schema& schema);
  Status Close();  // writes the Parquet hour being held
  size_t files_opened() const { return files_opened_; }

 private:
  struct Held {  // one record, as its JSON line would name its fields
    std::vector<std::pair<std::string, double>> measures;
    std::vector<std::pair<std::string, std::string>> dims;
    TimeS end = 0;
  };
  Status FlushParquet();
  std::string root_, file_name_;
  RecordFormat fmt_;
  SinkFormat format_;
  std::string current_dir_;
  std::ofstream out_;
  std::vector<Held> held_;
  size_t files_opened_ = 0;
};

// Existing partition files for the hours from t0 to t1 (inclusive), in time
// order: per hour, file_name, then every part-*.parquet in part order (the
// Parquet sink's parts). Hour folders are probed (the Hive-style one, else
// the legacy one), not the root listed; only a folder that exists is listed.
std::vector<std::string> ListPartitionFiles(const std::string& root, TimeS t0, TimeS t1,
                                            const std::string& file_name = "records.jsonl");

// Every record file under a landing folder (a Flink-style file sink's output:
// any depth of bucket folders, part files of JSON lines or .parquet parts:
// stream::ReadRecordFile reads either), sorted by path.
// Names starting with '.' or '_' are skipped: in-progress part files and
// markers such as _SUCCESS.
Result<std::vector<std::string>> ListLandingFiles(const std::string& root);

using fk::MakeDirs;  // core/file.h

}  // namespace fk::stream
