#include "stream/sink.h"

#include <algorithm>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/json_write.h"
#include "core/parquet.h"

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

PartitionSink::PartitionSink(std::string root, RecordFormat fmt, std::string file_name, SinkFormat format)
    : root_(std::move(root)), file_name_(std::move(file_name)), fmt_(std::move(fmt)), format_(format) {}

PartitionSink::~PartitionSink() { Close(); }  // a failure here has no one to tell: callers Close() first

Status PartitionSink::Write(const WindowRecord& r, const Schema& schema) {
  const std::string dir = PartitionDir(root_, r.end);
  if (format_ == SinkFormat::Parquet) {
    if (dir != current_dir_) {
      if (Status st = FlushParquet(); !st) return st;
      current_dir_ = dir;
    }
    Held h;
    h.end = r.end;
    for (size_t m = 0; m < r.cells.size() && m < schema.MeasureCount(); m++)
      h.measures.emplace_back(schema.MeasureName(uint32_t(m)), r.cells[m].Value(m < fmt_.aggs.size() ? fmt_.aggs[m] : Agg::Count));
    if (fmt_.include_dims)
      for (auto& [k, v] : schema.DimsValues(r.dims)) h.dims.emplace_back(k, v);
    held_.push_back(std::move(h));
    return Status::Ok();
  }
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

Status PartitionSink::FlushParquet() {
  if (held_.empty()) return Status::Ok();
  std::vector<Held> held;
  held.swap(held_);
  // The columns: every measure, then every dimension, in the order first seen, then the time.
  std::vector<std::string> measures, dims;
  auto index = [](std::vector<std::string>& names, const std::string& n) {
    for (size_t i = 0; i < names.size(); i++)
      if (names[i] == n) return i;
    names.push_back(n);
    return names.size() - 1;
  };
  for (auto& h : held) {
    for (auto& m : h.measures) index(measures, m.first);
    for (auto& d : h.dims) index(dims, d.first);
  }
  std::vector<parquet::ColumnSpec> schema;
  for (auto& m : measures) schema.push_back({m, parquet::ColumnType::Double, true});
  for (auto& d : dims) schema.push_back({d, parquet::ColumnType::String, true});
  schema.push_back({fmt_.time_key, parquet::ColumnType::Timestamp, false, parquet::TimeUnit::Micros});
  parquet::ParquetWriter w(schema);
  w.Reserve(held.size());
  std::vector<const double*> mv(measures.size());
  std::vector<const std::string*> dv(dims.size());
  for (auto& h : held) {
    std::fill(mv.begin(), mv.end(), nullptr);
    std::fill(dv.begin(), dv.end(), nullptr);
    for (auto& m : h.measures) mv[index(measures, m.first)] = &m.second;
    for (auto& d : h.dims) dv[index(dims, d.first)] = &d.second;
    size_t c = 0;
    for (const double* v : mv) v ? w.AppendDouble(c++, *v) : w.AppendNull(c++);
    for (const std::string* v : dv) v ? w.AppendString(c++, *v) : w.AppendNull(c++);
    w.AppendInt64(c, h.end * 1000000);
  }
  Result<std::string> bytes = w.Finish();
  if (!bytes) return Status::Error(current_dir_ + ": " + bytes.status().message());
  if (Status st = MakeDirs(current_dir_); !st) return st;
  std::string path;
  for (int k = 0;; k++) {  // the next free part: an hour the sink comes back to keeps its earlier parts
    char name[32];
    std::snprintf(name, sizeof name, "part-%05d.parquet", k);
    path = current_dir_ + name;
    if (!std::filesystem::exists(path)) break;
  }
  std::ofstream f(path, std::ios::binary);
  if (!f) return Status::Error(path + ": cannot open for writing");
  f.write(bytes->data(), std::streamsize(bytes->size()));
  f.close();
  if (!f) return Status::Error(path + ": write failed");
  files_opened_++;
  return Status::Ok();
}

Status PartitionSink::Close() {
  Status st = FlushParquet();
  out_.close();
  current_dir_.clear();
  return st;
}

std::vector<std::string> ListPartitionFiles(const std::string& root, TimeS t0, TimeS t1, const std::string& file_name) {
  std::vector<std::string> out;
  for (TimeS h = FloorDiv(t0, 3600) * 3600; h <= t1; h += 3600) {
    for (const std::string& dir : {PartitionDir(root, h), LegacyPartitionDir(root, h)}) {
      const size_t before = out.size();
      if (std::ifstream(dir + file_name)) out.push_back(dir + file_name);
      // Only a folder that exists is listed: most probes of a long range miss, and a stat is cheaper.
      std::error_code ec;
      if (std::filesystem::is_directory(dir, ec)) {
        std::vector<std::string> parts;
        if (auto entries = ListDir(dir)) {
          for (const DirEntry& e : *entries)
            if (!e.is_dir && e.name.size() > 13 && e.name.compare(0, 5, "part-") == 0 &&
                e.name.compare(e.name.size() - 8, 8, ".parquet") == 0)
              parts.push_back(e.name);
        }
        // Shorter names first, then by name: part-9 before part-10, whatever the zero padding.
        std::sort(parts.begin(), parts.end(), [](const std::string& a, const std::string& b) {
          return a.size() != b.size() ? a.size() < b.size() : a < b;
        });
        for (auto& p : parts) out.push_back(dir + p);
      }
      if (out.size() > before) break;
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
