#include "stream/input.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace fk::stream {

// [SECTION] numbers

// [SECTION] a flat JSON object reader
// Only what a JSON Lines event needs: one object of scalar fields. Nested
// objects/arrays are skipped (balanced), so extra structure does not reject a
// line, but broken syntax does, with the byte offset in the message.
namespace {

enum class JType { String, Number, Bool, Null, Skipped };
struct JField {
  std::string key;
  JType type;
  std::string text;  // string contents (unescaped) or number text
};

class FlatJson {
 public:
  explicit FlatJson(std::string_view s) : s_(s) {}
  bool Parse(std::vector<JField>* fields, std::string* err) {
    Ws();
    if (!Eat('{')) return Fail(err, "expected '{'");
    Ws();
    if (Eat('}')) return End(err);
    while (true) {
      JField f;
      Ws();
      if (!String(&f.key)) return Fail(err, "expected a quoted field name");
      Ws();
      if (!Eat(':')) return Fail(err, "expected ':' after \"" + f.key + "\"");
      Ws();
      if (!Value(&f)) return Fail(err, "bad value for \"" + f.key + "\"");
      fields->push_back(std::move(f));
      Ws();
      if (Eat(',')) continue;
      if (Eat('}')) return End(err);
      return Fail(err, "expected ',' or '}'");
    }
  }

 private:
  bool End(std::string* err) {
    Ws();
    return i_ == s_.size() ? true : Fail(err, "trailing characters after the object");
  }
  bool Fail(std::string* err, const std::string& what) {
    *err = "malformed JSON at byte " + std::to_string(i_ + 1) + ": " + what;
    return false;
  }
  void Ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\n')) i_++;
  }
  bool Eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      i_++;
      return true;
    }
    return false;
  }
  static void Utf8(unsigned cp, std::string* out) {
    if (cp < 0x80) {
      *out += char(cp);
    } else if (cp < 0x800) {
      *out += char(0xC0 | (cp >> 6));
      *out += char(0x80 | (cp & 0x3F));
    } else {
      *out += char(0xE0 | (cp >> 12));
      *out += char(0x80 | ((cp >> 6) & 0x3F));
      *out += char(0x80 | (cp & 0x3F));
    }
  }
  bool String(std::string* out) {
    if (!Eat('"')) return false;
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        *out += c;
        continue;
      }
      if (i_ >= s_.size()) return false;
      const char e = s_[i_++];
      switch (e) {
        case '"': *out += '"'; break;
        case '\\': *out += '\\'; break;
        case '/': *out += '/'; break;
        case 'b': *out += '\b'; break;
        case 'f': *out += '\f'; break;
        case 'n': *out += '\n'; break;
        case 'r': *out += '\r'; break;
        case 't': *out += '\t'; break;
        case 'u': {
          if (i_ + 4 > s_.size()) return false;
          unsigned cp = 0;
          for (int k = 0; k < 4; k++) {
            const char h = s_[i_++];
            cp <<= 4;
            if (h >= '0' && h <= '9') cp |= unsigned(h - '0');
            else if (h >= 'a' && h <= 'f') cp |= unsigned(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F') cp |= unsigned(h - 'A' + 10);
            else return false;
          }
          Utf8(cp, out);  // surrogate pairs pass through as two 3-byte units: fine for labels
          break;
        }
        default: return false;
      }
    }
    return false;
  }
  bool Skip() {  // a nested object or array, balanced, strings respected
    int depth = 0;
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == '"') {
        std::string ignore;
        if (!String(&ignore)) return false;
        continue;
      }
      i_++;
      if (c == '{' || c == '[') depth++;
      if (c == '}' || c == ']') {
        if (--depth == 0) return true;
      }
    }
    return false;
  }
  bool Value(JField* f) {
    if (i_ >= s_.size()) return false;
    const char c = s_[i_];
    if (c == '"') {
      f->type = JType::String;
      return String(&f->text);
    }
    if (c == '{' || c == '[') {
      f->type = JType::Skipped;
      return Skip();
    }
    if (s_.compare(i_, 4, "true") == 0 || s_.compare(i_, 5, "false") == 0) {
      f->type = JType::Bool;
      f->text = c == 't' ? "1" : "0";
      i_ += c == 't' ? 4 : 5;
      return true;
    }
    if (s_.compare(i_, 4, "null") == 0) {
      f->type = JType::Null;
      i_ += 4;
      return true;
    }
    const size_t start = i_;
    while (i_ < s_.size() && (std::strchr("+-.eE", s_[i_]) != nullptr || (s_[i_] >= '0' && s_[i_] <= '9'))) i_++;
    if (i_ == start) return false;
    f->type = JType::Number;
    f->text.assign(s_.substr(start, i_ - start));
    double v;
    return ParseNumber(f->text, &v);
  }

  std::string_view s_;
  size_t i_ = 0;
};

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  for (auto& x : v)
    if (x == s) return true;
  return false;
}

bool IsDefaultTimeField(const std::string& k) {
  return k == "ts" || k == "time" || k == "timestamp" || k == "event_time" || k == "hop_time";
}

}  // namespace

// [SECTION] JSON Lines

JsonLinesParser::JsonLinesParser(Schema* schema, IngestOptions options, std::string source)
    : schema_(schema), opt_(std::move(options)) {
  report_.source = std::move(source);
  report_.max_messages = opt_.max_messages;
}

void JsonLinesParser::ParseLine(std::string_view line, TimeS ingest_time, std::vector<Event>* out) {
  line_no_++;
  bool blank = true;
  for (char c : line) blank = blank && (c == ' ' || c == '\t' || c == '\r');
  if (blank) return;
  report_.lines++;
  std::vector<JField> fields;
  std::string err;
  if (!FlatJson(line).Parse(&fields, &err)) return report_.AddError(line_no_, err);

  // Time first: a line without a usable time is rejected as a whole.
  const JField* tf = nullptr;
  for (auto& f : fields)
    if (opt_.time_field.empty() ? IsDefaultTimeField(f.key) : f.key == opt_.time_field) {
      tf = &f;
      break;
    }
  TimeS t = ingest_time;
  if (tf == nullptr) {
    if (!opt_.ingest_time_fallback)
      return report_.AddError(line_no_, "missing timestamp field \"" +
                                            (opt_.time_field.empty() ? std::string("ts") : opt_.time_field) + "\"");
  } else {
    std::optional<TimeS> parsed;
    if (tf->type == JType::String || tf->type == JType::Number) parsed = ParseTime(tf->text);
    if (!parsed) return report_.AddError(line_no_, "unparsable timestamp \"" + tf->text + "\" in field \"" + tf->key + "\"");
    t = *parsed;
  }

  DimValues dims;
  for (auto& f : fields)
    if (Contains(opt_.dimension_fields, f.key) && (f.type == JType::String || f.type == JType::Number))
      dims.emplace_back(f.key, f.text);
  const uint32_t dims_id = schema_->Dims(std::move(dims));

  size_t made = 0;
  std::string bad;
  for (auto& f : fields) {
    if (&f == tf || Contains(opt_.dimension_fields, f.key)) continue;
    if (!opt_.measure_fields.empty() && !Contains(opt_.measure_fields, f.key)) continue;
    double v;
    const bool numeric = (f.type == JType::Number || f.type == JType::String) && ParseNumber(f.text, &v);
    if (!numeric) {
      if (f.type == JType::Null || f.type == JType::Skipped) continue;  // no value / nested: ignored
      if (bad.empty()) bad = "non-numeric measure \"" + f.key + "\"" + (f.type == JType::String ? ": \"" + f.text + "\"" : "");
      continue;
    }
    out->push_back(Event{t, schema_->Measure(f.key), dims_id, v});
    made++;
  }
  report_.events += made;
  if (made) report_.records++;
  if (!bad.empty()) report_.AddError(line_no_, bad);
  else if (made == 0) report_.AddError(line_no_, "no measure fields");
}

// [SECTION] CSV

CsvParser::CsvParser(Schema* schema, IngestOptions options, std::string source)
    : schema_(schema), opt_(std::move(options)) {
  report_.source = std::move(source);
  report_.max_messages = opt_.max_messages;
}

void CsvParser::ParseLine(std::string_view line, std::vector<Event>* out) {
  line_no_++;
  bool blank = true;
  for (char c : line) blank = blank && (c == ' ' || c == '\t' || c == '\r');
  if (blank) return;
  std::vector<std::string> cells = SplitCsvLine(line);
  if (!have_header_) {
    have_header_ = true;
    // A byte-order mark (spreadsheets save one) is not part of the first name; InspectEventFile
    // drops it too, so the time column it offers is found here.
    if (!cells.empty() && cells[0].compare(0, 3, "\xEF\xBB\xBF") == 0) cells[0].erase(0, 3);
    header_ = cells;
    for (size_t c = 0; c < cells.size(); c++) {
      const std::string& k = cells[c];
      if (time_col_ < 0 && (opt_.time_field.empty() ? IsDefaultTimeField(k) : k == opt_.time_field)) time_col_ = int(c);
      else if (Contains(opt_.dimension_fields, k)) dim_cols_.push_back(int(c));
      else if (opt_.measure_fields.empty() || Contains(opt_.measure_fields, k))
        measure_cols_.emplace_back(int(c), schema_->Measure(k));
    }
    if (time_col_ < 0) report_.AddError(line_no_, "header has no timestamp column (ts, time, timestamp)");
    return;
  }
  report_.lines++;
  if (time_col_ < 0) return report_.AddError(line_no_, "no timestamp column");
  if (cells.size() != header_.size())
    return report_.AddError(line_no_, std::to_string(cells.size()) + " cells, header has " +
                                          std::to_string(header_.size()));
  const std::optional<TimeS> t = ParseTime(cells[size_t(time_col_)]);
  if (!t) return report_.AddError(line_no_, "unparsable timestamp \"" + cells[size_t(time_col_)] + "\"");
  DimValues dims;
  for (int c : dim_cols_) dims.emplace_back(header_[size_t(c)], cells[size_t(c)]);
  const uint32_t dims_id = schema_->Dims(std::move(dims));
  size_t made = 0;
  std::string bad;
  for (auto& [c, m] : measure_cols_) {
    const std::string& cell = cells[size_t(c)];
    if (cell.empty()) continue;
    double v;
    if (!ParseNumber(cell, &v)) {
      if (bad.empty()) bad = "non-numeric value \"" + cell + "\" in column \"" + header_[size_t(c)] + "\"";
      continue;
    }
    out->push_back(Event{*t, m, dims_id, v});
    made++;
  }
  report_.events += made;
  if (made) report_.records++;
  if (!bad.empty()) report_.AddError(line_no_, bad);
}

// [SECTION] Parquet

bool IsParquetPath(const std::string& path) {
  return path.size() >= 8 && Lower(path.substr(path.size() - 8)) == ".parquet";
}

namespace {

// "hop_time (timestamp), car (double)": what a file has, for messages about what it lacks.
std::string ColumnList(const parquet::ParquetTable& t) {
  std::string s;
  for (auto& c : t.columns) s += (s.empty() ? "" : ", ") + c.spec.name + " (" + parquet::ColumnTypeName(c.spec.type) + ")";
  return s.empty() ? "none" : s;
}

}  // namespace

Status ParquetToEvents(const parquet::ParquetTable& t, Schema* schema, const IngestOptions& opt, std::vector<Event>* out,
                       IngestReport* report) {
  using parquet::ColumnType;
  const std::string& src = report->source;
  auto type_of = [&](int c) { return std::string(parquet::ColumnTypeName(t.columns[size_t(c)].spec.type)); };
  // The columns first, all of them: a file that does not fit appends nothing.
  int tc = -1;
  for (size_t c = 0; c < t.columns.size() && tc < 0; c++) {
    const std::string& k = t.columns[c].spec.name;
    if (opt.time_field.empty() ? IsDefaultTimeField(k) : k == opt.time_field) tc = int(c);
  }
  if (tc < 0)
    return Status::Error(src + ": no timestamp column \"" +
                         (opt.time_field.empty() ? std::string("ts, time, timestamp, event_time or hop_time") : opt.time_field) +
                         "\" (columns: " + ColumnList(t) + ")");
  const ColumnType tt = t.columns[size_t(tc)].spec.type;
  if (tt != ColumnType::Timestamp && tt != ColumnType::Int64 && tt != ColumnType::String)
    return Status::Error(src + ": column \"" + t.columns[size_t(tc)].spec.name + "\" is " + type_of(tc) +
                         "; the timestamp must be a timestamp, int64 (Unix seconds or milliseconds) or string column");
  std::vector<int> dim_cols, measure_cols;
  for (size_t c = 0; c < t.columns.size(); c++) {
    if (int(c) == tc) continue;
    const parquet::ColumnSpec& s = t.columns[c].spec;
    if (Contains(opt.dimension_fields, s.name)) {
      if (s.type != ColumnType::String && s.type != ColumnType::Int64)
        return Status::Error(src + ": column \"" + s.name + "\" is " + type_of(int(c)) +
                             "; a dimension must be a string or int64 column");
      dim_cols.push_back(int(c));
      continue;
    }
    if (!opt.measure_fields.empty() && !Contains(opt.measure_fields, s.name)) continue;
    if (s.type != ColumnType::Double && s.type != ColumnType::Int64)
      return Status::Error(src + ": column \"" + s.name + "\" is " + type_of(int(c)) +
                           "; a measure must be a double or int64 column");
    measure_cols.push_back(int(c));
  }
  std::vector<std::string> missing;
  for (auto& m : opt.measure_fields)
    if (t.Index(m) < 0 && !Contains(opt.dimension_fields, m)) missing.push_back(m);
  if (measure_cols.empty()) {
    std::string names;
    for (auto& m : (opt.measure_fields.empty() ? std::vector<std::string>{"a measure"} : opt.measure_fields))
      names += (names.empty() ? "" : ", ") + m;
    return Status::Error(src + ": no measure column " + names + " (columns: " + ColumnList(t) + ")");
  }
  for (auto& m : missing)
    if (report->messages.size() < report->max_messages)
      report->messages.push_back(src + ": no column \"" + m + "\" (a measure): its values are missing from this file");

  // The columns fit: from here on nothing refuses the file, so rows go straight to *out (no reserve:
  // one per file of a partition range would defeat the vector's doubling).
  const parquet::ParquetColumn& time = t.columns[size_t(tc)];
  for (size_t r = 0; r < t.rows; r++) {
    report->lines++;
    if (time.nulls[r]) {
      report->AddError(r + 1, "missing timestamp field \"" + time.spec.name + "\" (null)");
      continue;
    }
    std::optional<TimeS> when;
    std::string text;
    if (time.spec.type == ColumnType::Timestamp) {
      when = FloorDiv(time.ints[r], time.spec.unit == parquet::TimeUnit::Micros ? 1000000 : 1000);
    } else {
      text = time.spec.type == ColumnType::Int64 ? std::to_string(time.ints[r]) : time.strings[r];
      when = ParseTime(text);
    }
    if (!when) {
      report->AddError(r + 1, "unparsable timestamp \"" + text + "\" in field \"" + time.spec.name + "\"");
      continue;
    }
    DimValues dims;
    for (int c : dim_cols) {
      const parquet::ParquetColumn& d = t.columns[size_t(c)];
      if (d.nulls[r]) continue;
      dims.emplace_back(d.spec.name, d.spec.type == ColumnType::Int64 ? std::to_string(d.ints[r]) : d.strings[r]);
    }
    const uint32_t dims_id = schema->Dims(std::move(dims));
    size_t made = 0;
    for (int c : measure_cols) {
      const parquet::ParquetColumn& m = t.columns[size_t(c)];
      if (m.nulls[r]) continue;
      const double v = m.spec.type == ColumnType::Double ? m.doubles[r] : double(m.ints[r]);
      if (!std::isfinite(v)) continue;
      out->push_back(Event{*when, schema->Measure(m.spec.name), dims_id, v});
      made++;
    }
    report->events += made;
    if (made) report->records++;
    else report->AddError(r + 1, "no measure fields (every measure null)");
  }
  return Status::Ok();
}

Status ReadRecordFile(const std::string& path, Schema* schema, const IngestOptions& options, std::vector<Event>* out,
                      IngestReport* report) {
  *report = IngestReport{};
  report->source = path;
  report->max_messages = options.max_messages;
  if (IsParquetPath(path)) {
    auto bytes = ReadFile(path);
    if (!bytes) return bytes.status();
    auto table = parquet::ReadParquet(*bytes, path);
    if (!table) return table.status();
    return ParquetToEvents(*table, schema, options, out, report);
  }
  JsonLinesParser p(schema, options, path);
  Status st = ForEachLine(path, [&](std::string_view l) { p.ParseLine(l, 0, out); return true; });
  *report = p.report();
  return st;
}

// [SECTION] files

EventFileReader::EventFileReader() = default;
EventFileReader::~EventFileReader() = default;

Status EventFileReader::Open(const std::string& path, Schema* schema, const IngestOptions& options) {
  if (Status st = lines_.Open(path); !st) return st;
  const std::string name = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  const bool csv = path.size() >= 4 && path.compare(path.size() - 4, 4, ".csv") == 0;
  if (csv) csv_ = std::make_unique<CsvParser>(schema, options, name);
  else json_ = std::make_unique<JsonLinesParser>(schema, options, name);
  return Status::Ok();
}

bool EventFileReader::Read(size_t max_lines, std::vector<Event>* out) {
  if (done_) return false;
  const bool more = csv_ ? lines_.Read(max_lines, [&](std::string_view l) { csv_->ParseLine(l, out); return true; })
                         : lines_.Read(max_lines, [&](std::string_view l) { json_->ParseLine(l, 0, out); return true; });
  if (more) return true;
  done_ = true;
  final_ = csv_ ? csv_->report() : json_->report();
  if (final_.lines == 0) final_.AddError(0, "empty file (no data lines)");
  return false;
}

const IngestReport& EventFileReader::report() const {
  if (done_) return final_;
  return csv_ ? csv_->report() : json_->report();
}

// [SECTION] inspecting a user's file

// A Parquet file's columns say their types: only string columns need their values looked at.
static Result<EventColumns> InspectParquet(const std::string& path, size_t max_lines) {
  auto bytes = ReadFile(path);
  if (!bytes) return bytes.status();
  auto t = parquet::ReadParquet(*bytes, path);
  if (!t) return t.status();
  EventColumns out;
  out.lines = size_t(std::min<uint64_t>(t->rows, max_lines));
  for (const parquet::ParquetColumn& c : t->columns) {
    const std::string& name = c.spec.name;
    if (name == "hop_time") out.records = true;
    if (name.empty()) continue;
    bool time = false, text = false;
    switch (c.spec.type) {
      case parquet::ColumnType::Timestamp: time = true; break;
      case parquet::ColumnType::Int64: time = IsDefaultTimeField(name); break;
      case parquet::ColumnType::Double: break;
      case parquet::ColumnType::Boolean: continue;  // neither a number ParquetToEvents takes nor a dimension
      case parquet::ColumnType::String: {
        bool seen = false, all_times = true;
        for (size_t r = 0; r < out.lines; r++) {
          if (c.nulls[r] || c.strings[r].empty()) continue;
          seen = true;
          all_times = all_times && ParseTime(c.strings[r]).has_value();
        }
        time = seen && all_times;
        text = !time;
        break;
      }
    }
    if (time) out.time.insert(IsDefaultTimeField(name) ? out.time.begin() : out.time.end(), name);
    else (text ? out.text : out.numeric).push_back(name);
  }
  if (!out.records)
    return Status::Error(path + ": a Parquet file is read as windowed records and this one has no hop_time column (columns: " +
                         ColumnList(*t) + ")");
  return out;
}

Result<EventColumns> InspectEventFile(const std::string& path, size_t max_lines) {
  if (IsParquetPath(path)) return InspectParquet(path, max_lines);
  const bool csv = path.size() >= 4 && Lower(path.substr(path.size() - 4)) == ".csv";
  // Per column / key, in order of first appearance: (all times, all numbers, seen a value).
  struct Col {
    std::string name;
    bool time = true, number = true, seen = false;
    bool epoch = true;  // every number at least 1e8 (after 1973 as Unix seconds)
  };
  std::vector<Col> cols;
  auto col = [&](const std::string& name) -> Col& {
    for (auto& c : cols)
      if (c.name == name) return c;
    cols.push_back(Col{name});
    return cols.back();
  };
  auto see = [](Col& c, const std::string& v) {
    if (v.empty()) return;
    c.seen = true;
    double d;
    if (!ParseNumber(v, &d)) c.number = false;
    else if (!(d >= 1e8)) c.epoch = false;
    if (!ParseTime(v)) c.time = false;
  };
  std::vector<std::string> header;
  bool have_header = false;
  EventColumns out;
  Status st = ForEachLine(path, [&](std::string_view line) {
    bool blank = true;
    for (char ch : line) blank = blank && (ch == ' ' || ch == '\t' || ch == '\r');
    if (blank) return true;
    if (csv) {
      std::vector<std::string> cells = SplitCsvLine(line);
      if (!have_header) {
        have_header = true;
        if (!cells.empty() && cells[0].size() >= 3 && cells[0].compare(0, 3, "\xEF\xBB\xBF") == 0) cells[0].erase(0, 3);
        header = cells;
        for (auto& h : header) col(h);
        return true;
      }
      for (size_t c = 0; c < cells.size() && c < header.size(); c++) see(col(header[c]), cells[c]);
    } else {
      std::vector<JField> fields;
      std::string err;
      if (!FlatJson(line).Parse(&fields, &err)) return ++out.lines < max_lines;  // a bad line says nothing
      for (auto& f : fields) {
        if (f.type == JType::Null || f.type == JType::Skipped) continue;
        Col& c = col(f.key);
        if (f.type == JType::Bool) {
          c.seen = true, c.number = c.time = false;
        } else {
          see(c, f.text);
        }
      }
    }
    return ++out.lines < max_lines;
  });
  if (!st) return st;
  if (csv && !have_header) return Status::Error(path + ": empty file (no header row)");
  for (auto& c : cols) {
    if (c.name == "hop_time") out.records = true;
    // A column without a name cannot be picked by name (an empty time field means "the default
    // names"), so it is not offered.
    if (c.name.empty()) continue;
    // Any number reads as Unix seconds: numbers are a time column under a
    // default time name, or when every one is a plausible recent time.
    const bool named = IsDefaultTimeField(c.name);
    if (c.seen && c.time && (!c.number || named || c.epoch)) {
      out.time.insert(named ? out.time.begin() : out.time.end(), c.name);
    } else if (c.seen && c.number) {
      out.numeric.push_back(c.name);
    } else {
      out.text.push_back(c.name);
    }
  }
  return out;
}

Status ReadEventsFile(const std::string& path, Schema* schema, const IngestOptions& options, std::vector<Event>* out,
                      IngestReport* report) {
  EventFileReader r;
  if (Status st = r.Open(path, schema, options); !st) return st;
  while (r.Read(size_t(1) << 20, out)) {
  }
  *report = r.report();
  return Status::Ok();
}

}  // namespace fk::stream
