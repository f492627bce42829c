#include "stream/sink.h"

#include <algorithm>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/json_write.h"

namespace fk::stream {

// ordered_json keeps the line's order (measures, dimensions, time); whole
// numbers print as integers, others with 6 significant digits, NaN as null.
std::string RecordToJson(const WindowRecord& r, const Schema& schema, const RecordFormat& fmt) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (size_t m = 0; m < r.cells.size() && m < schema.MeasureCount(); m++) {
    const double v = r.cells[m].Value(m < fmt.aggs.size() ? fmt.aggs[m] : Agg::Count);
    j[schema.MeasureName(uint32_t(m))] = JsonNumberAs(v, v == std::floor(v) && std::fabs(v) < 1e15 ? "%.0f" : "%.6g");
  }
  if (fmt.include_dims)
    for (auto& [k, v] : schema.DimsValues(r.dims)) j[k] = v;
  j[fmt.time_key] = FormatTime(r.end);
  return DumpJson(j);
}

std::string PartitionDir(const std::string& root, TimeS t) {
  const CivilTime c = ToCivil(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "year=%04d/month=%02d/day=%02d/hour=%02d/", c.year, c.month, c.day, c.hour);
  return (root.empty() || root.back() == '/' ? root : root + "/") + buf;
}

std::string LegacyPartitionDir(const std::string& root, TimeS t) {
  const CivilTime c = ToCivil(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d/%02d/%02d/%02d/", c.year, c.month, c.day, c.hour);
  return (root.empty() || root.back() == '/' ? root : root + "/") + buf;
}

PartitionSink::PartitionSink(std::string root, RecordFormat fmt, std::string file_name)
    : root_(std::move(root)), file_name_(std::move(file_name)), fmt_(std::move(fmt)) {}

Status PartitionSink::Write(const WindowRecord& r, const Schema& schema) {
  const std::string dir = PartitionDir(root_, r.end);
  if (dir != current_dir_ || !out_.is_open()) {
    out_.close();
    if (Status st = MakeDirs(dir); !st) return st;
    out_.open(dir + file_name_, std::ios::app);
    if (!out_) return Status::Error(dir + file_name_ + ": cannot open for writing");
    current_dir_ = dir;
    files_opened_++;
  }
  out_ << RecordToJson(r, schema, fmt_) << '\n';
  if (!out_) return Status::Error(dir + file_name_ + ": write failed");
  return Status::Ok();
}

void PartitionSink::Close() {
  out_.close();
  current_dir_.clear();
}

std::vector<std::string> ListPartitionFiles(const std::string& root, TimeS t0, TimeS t1, const std::string& file_name) {
  std::vector<std::string> out;
  for (TimeS h = FloorDiv(t0, 3600) * 3600; h <= t1; h += 3600) {
    for (const std::string& p : {PartitionDir(root, h) + file_name, LegacyPartitionDir(root, h) + file_name}) {
      std::ifstream f(p);
      if (f) {
        out.push_back(p);
        break;
      }
    }
  }
  return out;
}

Result<std::vector<std::string>> ListLandingFiles(const std::string& root) {
  std::vector<std::string> files, dirs = {root};
  // Iterative, depth-first: a landing folder is year=/month=/day=/hour= deep at most in practice.
  while (!dirs.empty()) {
    const std::string dir = dirs.back();
    dirs.pop_back();
    auto entries = ListDir(dir);
    if (!entries) return entries.status();
    for (const DirEntry& e : *entries) {
      if (e.name.empty() || e.name[0] == '.' || e.name[0] == '_') continue;
      (e.is_dir ? dirs : files).push_back(dir + "/" + e.name);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace fk::stream
