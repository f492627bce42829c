#include "stream/sink.h"

#include <cmath>
#include <cstdio>
#include <filesystem>

namespace fk::stream {

static void AppendJsonString(std::string* out, const std::string& s) {
  *out += '"';
  for (char c : s) {
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(c));
          *out += buf;
        } else {
          *out += c;
        }
    }
  }
  *out += '"';
}

static void AppendNumber(std::string* out, double v) {
  char buf[32];
  if (v == std::floor(v) && std::fabs(v) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.6g", v);
  *out += buf;
}

std::string RecordToJson(const WindowRecord& r, const Schema& schema, const RecordFormat& fmt) {
  std::string s = "{";
  for (size_t m = 0; m < r.cells.size() && m < schema.MeasureCount(); m++) {
    if (s.size() > 1) s += ',';
    AppendJsonString(&s, schema.MeasureName(uint32_t(m)));
    s += ':';
    AppendNumber(&s, r.cells[m].Value(m < fmt.aggs.size() ? fmt.aggs[m] : Agg::Count));
  }
  if (fmt.include_dims)
    for (auto& [k, v] : schema.DimsValues(r.dims)) {
      if (s.size() > 1) s += ',';
      AppendJsonString(&s, k);
      s += ':';
      AppendJsonString(&s, v);
    }
  if (s.size() > 1) s += ',';
  AppendJsonString(&s, fmt.time_key);
  s += ':';
  AppendJsonString(&s, FormatTime(r.end));
  s += '}';
  return s;
}

std::string PartitionDir(const std::string& root, TimeS t) {
  const CivilTime c = ToCivil(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d/%02d/%02d/%02d/", c.year, c.month, c.day, c.hour);
  return (root.empty() || root.back() == '/' ? root : root + "/") + buf;
}

Status MakeDirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Status::Error(path + ": cannot create directory (" + ec.message() + ")");
  return Status::Ok();
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
    const std::string p = PartitionDir(root, h) + file_name;
    std::ifstream f(p);
    if (f) out.push_back(p);
  }
  return out;
}

}  // namespace fk::stream
