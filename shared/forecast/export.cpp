#include "forecast/export.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "core/civil.h"
#include "core/file.h"
#include "core/parquet.h"
#include "forecast/pipeline.h"

namespace fk::forecast {

void ForecastRows::Add(const std::string& item_id, int64_t t, double m, const std::vector<double>& q) {
  item.push_back(item_id);
  time.push_back(t);
  mean.push_back(m);
  if (quantiles.size() < levels.size()) quantiles.resize(levels.size());
  for (size_t k = 0; k < levels.size(); k++) quantiles[k].push_back(k < q.size() ? q[k] : NAN);
}

ForecastRows FutureRows(const PipelineData& d, const std::vector<double>& levels) {
  ForecastRows rows;
  rows.levels = levels;
  std::vector<double> qv(levels.size());
  auto add = [&](const std::string& item, const Forecast& f) {
    for (size_t j = 0; j < f.mean.size(); j++) {
      for (size_t q = 0; q < levels.size(); q++) qv[q] = q < f.quantiles.size() ? f.quantiles[q][j] : NAN;
      rows.Add(item, d.panel.TimeAt(d.panel.length + j), f.mean[j], qv);
    }
  };
  for (size_t i = 0; i < d.future.size() && i < d.panel.series.size(); i++) add(d.panel.series[i].item_id, d.future[i]);
  for (const ColdStartForecast& c : d.cold_start) add(c.item, c.forecast);
  return rows;
}

bool ParsePartitionFormat(const std::string& s, PartitionFormat* out) {
  if (s == "parquet") *out = PartitionFormat::Parquet;
  else if (s == "jsonl") *out = PartitionFormat::Jsonl;
  else return false;
  return true;
}

std::string QuantileColumn(double level) {
  char b[24];
  std::snprintf(b, sizeof b, "p%g", level * 100);
  return b;
}

std::string HiveFolder(const std::string& key, const std::string& value) {
  std::string out = key + "=";
  for (unsigned char c : value) {
    // Hive escapes these (and engines decode them); everything else stays readable.
    if (c < 0x20 || c >= 0x7f || c == '/' || c == '\\' || c == '=' || c == '%' || c == ':' || c == '"' || c == '\'' ||
        c == '#' || c == '?' || c == '*' || c == '[' || c == ']' || c == '{' || c == '}' || c == '^') {
      char b[4];
      std::snprintf(b, sizeof b, "%%%02X", c);
      out += b;
    } else {
      out += char(c);
    }
  }
  if (value.empty()) out += "__HIVE_DEFAULT_PARTITION__";  // what Hive names an empty value
  return out;
}

static std::string TimeFolders(int64_t t) {
  int64_t y;
  int m, d;
  CivilFromDays(FloorDiv(t, 86400), &y, &m, &d);
  const int h = int(FloorDiv(t, 3600) - FloorDiv(t, 86400) * 24);
  char b[64];
  std::snprintf(b, sizeof b, "year=%04lld/month=%02d/day=%02d/hour=%02d", (long long)y, m, d, h);
  return b;
}

static void JsonNumber(std::string* o, double v) {
  if (!std::isfinite(v)) {
    *o += "null";  // JSON has no NaN
    return;
  }
  char b[32];
  std::snprintf(b, sizeof b, "%.17g", v);
  *o += b;
}

Result<size_t> WriteForecastPartitions(const std::string& dir, const ForecastRows& rows, const PartitionOptions& opt) {
  if (rows.quantiles.size() != rows.levels.size() || rows.time.size() != rows.Size() || rows.mean.size() != rows.Size())
    return Status::Error("forecast partitions: the rows' columns differ in length");
  for (auto& q : rows.quantiles)
    if (q.size() != rows.Size()) return Status::Error("forecast partitions: a quantile column differs in length");
  // Folder -> its rows, in the rows' order (item by item, then time).
  std::map<std::string, std::vector<size_t>> files;
  for (size_t i = 0; i < rows.Size(); i++) {
    std::string folder = dir + "/";
    if (opt.by_item) folder += HiveFolder("item_id", rows.item[i]) + "/";
    files[folder + TimeFolders(rows.time[i])].push_back(i);
  }
  std::vector<std::string> qnames;
  for (double l : rows.levels) qnames.push_back(QuantileColumn(l));
  using parquet::ColumnType;
  std::vector<parquet::ColumnSpec> schema;
  if (!opt.by_item) schema.push_back({"item_id", ColumnType::String, false});
  schema.push_back({"timestamp", ColumnType::Timestamp, false, parquet::TimeUnit::Micros});
  schema.push_back({"mean", ColumnType::Double, false});
  for (auto& q : qnames) schema.push_back({q, ColumnType::Double, false});
  size_t written = 0;
  for (auto& [folder, idx] : files) {
    if (Status st = MakeDirs(folder); !st) return st;
    std::string bytes;
    const bool pq = opt.format == PartitionFormat::Parquet;
    if (pq) {
      parquet::ParquetWriter w(schema);
      w.Reserve(idx.size());
      for (size_t i : idx) {
        size_t c = 0;
        if (!opt.by_item) w.AppendString(c++, rows.item[i]);
        w.AppendInt64(c++, rows.time[i] * 1000000);
        w.AppendDouble(c++, rows.mean[i]);
        for (size_t k = 0; k < rows.levels.size(); k++) w.AppendDouble(c++, rows.quantiles[k][i]);
      }
      Result<std::string> b = w.Finish();
      if (!b) return Status::Error(folder + ": " + b.status().message());
      bytes = std::move(*b);
    } else {
      for (size_t i : idx) {
        bytes += '{';
        if (!opt.by_item) bytes += "\"item_id\":" + nlohmann::json(rows.item[i]).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + ",";
        bytes += "\"timestamp\":\"" + FormatIsoSeconds(rows.time[i]) + "Z\",\"mean\":";
        JsonNumber(&bytes, rows.mean[i]);
        for (size_t k = 0; k < rows.levels.size(); k++) {
          bytes += ",\"" + qnames[k] + "\":";
          JsonNumber(&bytes, rows.quantiles[k][i]);
        }
        bytes += "}\n";
      }
    }
    const std::string path = folder + (pq ? "/part-00000.parquet" : "/part-00000.jsonl");
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), std::streamsize(bytes.size()));
    if (!f) return Status::Error(path + ": cannot write");
    written++;
  }
  return written;
}

}  // namespace fk::forecast
