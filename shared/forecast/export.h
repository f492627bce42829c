// Forecasts as an engine-readable data set: the rows `forecast fit --out`
// writes as CSV (item_id,timestamp,mean,pNN...), written instead under
// Hive-style folders that Spark, Athena, Trino and DuckDB (hive_partitioning)
// read as partition columns:
//
//   DIR/[item_id=<item>/]year=2024/month=01/day=05/hour=00/part-00000.parquet
//
// one file per folder, Parquet (the core's writer: timestamp as a UTC
// TIMESTAMP, mean and quantiles as DOUBLE) or JSON Lines. With by_item the
// item id is a folder level and not repeated in the files (engines add it
// back from the path); item ids are percent-encoded in folder names as Hive
// does ('/', '=', '%', control and non-ASCII bytes).
//
//   fk::forecast::ForecastRows rows;   // filled from the forecasts
//   auto n = fk::forecast::WriteForecastPartitions("out/forecasts", rows, {});
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace fk::forecast {

struct ForecastRows {
  std::vector<double> levels;                  // the quantile levels (0.1 -> column p10)
  std::vector<std::string> item;               // per row
  std::vector<int64_t> time;                   // per row: Unix seconds, UTC (the bucket's start)
  std::vector<double> mean;                    // per row
  std::vector<std::vector<double>> quantiles;  // [level][row]
  void Add(const std::string& item_id, int64_t t, double m, const std::vector<double>& q);
  size_t Size() const { return item.size(); }
};

struct PipelineData;
// A run's future forecasts as rows: each panel series, then each cold-start
// item, every step of its horizon (timestamps from the prepared panel). What
// `forecast fit --partitions` and the Forecasts panel's partitioned export write.
ForecastRows FutureRows(const PipelineData& d, const std::vector<double>& levels);

enum class PartitionFormat { Parquet, Jsonl };
bool ParsePartitionFormat(const std::string& s, PartitionFormat* out);  // "parquet" | "jsonl"

struct PartitionOptions {
  PartitionFormat format = PartitionFormat::Parquet;
  bool by_item = false;  // item_id=<item>/ above the time folders
};

// "p10", "p50", "p97.5": the column name of a level, as the CSV header has it.
std::string QuantileColumn(double level);
// "item_id=a%2Fb": a Hive partition folder for key=value, the value percent-encoded.
std::string HiveFolder(const std::string& key, const std::string& value);

// Writes the rows under dir (created; files already there with the same names
// are replaced) and returns how many files it wrote. Fails naming the file.
Result<size_t> WriteForecastPartitions(const std::string& dir, const ForecastRows& rows, const PartitionOptions& opt);

}  // namespace fk::forecast
