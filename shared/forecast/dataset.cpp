#include "forecast/dataset.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "core/civil.h"
#include "core/csv.h"
#include "core/file.h"
#include "core/strings.h"

namespace fk::forecast {

namespace {

const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
const char* kMonthNames[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; i++) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}


}  // namespace

bool ParseDate(std::string_view in, int64_t* seconds, DateFormat* format) {
  const std::string s = Trim(in);
  int mo = 0, d = 0;
  // 01-Jan (the seed's year-less dates; year 2000 is a leap year so 29-Feb parses)
  if (s.size() == 6 && s[2] == '-' && Digits(s, 0, 2, &d)) {
    const std::string mon = Lower(s.substr(3));
    for (int k = 0; k < 12; k++)
      if (mon == kMonths[k]) mo = k + 1;
    if (!mo || d < 1 || d > DaysInMonth(2000, mo)) return false;
    *seconds = DaysFromCivil(2000, mo, d) * 86400;
    *format = DateFormat::DayMonth;
    return true;
  }
  IsoTime t;
  if (!ParseIso8601(s, &t)) return false;
  *seconds = t.seconds;  // a fraction of a second is dropped
  *format = t.precision == IsoTime::kMonth ? DateFormat::YearMonth
            : t.precision == IsoTime::kDay ? DateFormat::Date
                                           : DateFormat::DateTime;
  return true;
}

std::string FormatDate(int64_t seconds, DateFormat format) {
  if (format == DateFormat::DateTime) return FormatIsoSeconds(seconds, ' ');
  int64_t y;
  int m, d;
  CivilFromDays(FloorDiv(seconds, 86400), &y, &m, &d);
  char buf[32];
  if (format == DateFormat::DayMonth) std::snprintf(buf, sizeof buf, "%02d-%s", d, kMonthNames[m - 1]);
  else if (format == DateFormat::YearMonth) std::snprintf(buf, sizeof buf, "%04lld-%02d", (long long)y, m);
  else std::snprintf(buf, sizeof buf, "%04lld-%02d-%02d", (long long)y, m, d);
  return buf;
}

bool ParseCsvChunk(std::string_view text, size_t* pos, size_t* line, size_t max_lines, CsvTable* t) {
  size_t done = 0;
  while (*pos < text.size() && done < max_lines) {
    size_t nl = text.find('\n', *pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view l = text.substr(*pos, nl - *pos);
    *pos = nl + 1;
    ++*line;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (Trim(l).empty()) continue;
    auto cells = SplitCsvLine(l);
    for (auto& c : cells) c = Trim(c);
    if (t->header.empty()) {
      t->header = std::move(cells);
    } else {
      t->rows.push_back(std::move(cells));
      t->lines.push_back(*line);
    }
    done++;
  }
  return *pos >= text.size();
}

Result<CsvTable> ParseCsvText(std::string_view text, const std::string& name) {
  CsvTable t;
  t.name = name;
  size_t pos = 0, line = 0;
  ParseCsvChunk(text, &pos, &line, SIZE_MAX, &t);
  if (t.header.empty()) return Status::Error(name + ": empty file (expected a header line)");
  return t;
}

Result<std::string> ReadTextFile(const std::string& path) {
  std::string text;
  Status st = ForEachLine(path, [&](std::string_view l) {
    text.append(l);
    text.push_back('\n');
    return true;
  });
  if (!st) return st;
  return text;
}

Result<CsvTable> ReadCsvTable(const std::string& path) {
  auto text = ReadTextFile(path);
  if (!text) return text.status();
  return ParseCsvText(*text, path);
}

namespace {

int FindCol(const CsvTable& t, const std::string& name) {
  for (size_t i = 0; i < t.header.size(); i++)
    if (Lower(t.header[i]) == Lower(name)) return int(i);
  return -1;
}

int GuessTimeCol(const CsvTable& t) {
  for (const char* n : {"timestamp", "date", "time", "datetime", "ref_date"})
    if (int c = FindCol(t, n); c >= 0) return c;
  for (size_t c = 0; c < t.header.size(); c++) {
    int64_t s;
    DateFormat f;
    if (!t.rows.empty() && c < t.rows[0].size() && ParseDate(t.rows[0][c], &s, &f)) return int(c);
  }
  return -1;
}

bool NumericColumn(const CsvTable& t, size_t c) {
  size_t seen = 0;
  for (size_t r = 0; r < t.rows.size() && seen < 50; r++) {
    if (c >= t.rows[r].size() || t.rows[r][c].empty()) continue;
    double v;
    if (!ParseNumber(t.rows[r][c], &v)) return false;
    seen++;
  }
  return seen > 0;
}

std::string Where(const CsvTable& t, size_t r, const std::string& field) {
  return t.name + ":" + std::to_string(t.lines[r]) + ": field " + field + ": ";
}

}  // namespace

TargetParser::TargetParser(const CsvTable& t, const TargetOptions& o) : t_(&t) {
  TargetDataset& d = d_;
  d.name = t.name;
  const int tc = o.timestamp_col.empty() ? GuessTimeCol(t) : FindCol(t, o.timestamp_col);
  if (tc < 0) {
    // Worded for every front end: the CLI's flag and the panel's field are theirs to name.
    std::string cols;
    for (auto& h : t.header) cols += (cols.empty() ? "" : ", ") + h;
    status_ = Status::Error(t.name + ": no timestamp column" +
                            (o.timestamp_col.empty()
                                 ? std::string(": none of its columns (") + cols +
                                       ") holds dates such as 2021-01-31, 2021-01, 01-Jan or ISO date-times"
                                 : " '" + o.timestamp_col + "'"));
    return;
  }
  int vc = -1;
  if (!o.value_col.empty()) {
    vc = FindCol(t, o.value_col);
    if (vc < 0) {
      status_ = Status::Error(t.name + ": no column '" + o.value_col + "'");
      return;
    }
  } else {
    for (const char* n : {"target_value", "demand", "sales", "value", "target", "quantity"})
      if ((vc = FindCol(t, n)) >= 0) break;
    for (size_t c = 0; vc < 0 && c < t.header.size(); c++)
      if (int(c) != tc && NumericColumn(t, c)) vc = int(c);
    if (vc < 0) {
      status_ = Status::Error(t.name + ": no numeric target column: no column besides '" +
                              t.header[size_t(tc)] + "' holds numbers");
      return;
    }
  }
  tc_ = tc, vc_ = vc;
  d.time_col = t.header[size_t(tc)];
  d.value_col = t.header[size_t(vc)];
  for (size_t c = 0; c < t.header.size(); c++)
    if (int(c) != tc && int(c) != vc) d.dim_cols.push_back(t.header[c]), dim_idx_.push_back(c);
}

bool TargetParser::Step(size_t rows) {
  if (!status_) return true;
  const CsvTable& t = *t_;
  TargetDataset& d = d_;
  const size_t tc = size_t(tc_), vc = size_t(vc_);
  auto bad = [&](const std::string& m) {
    if (d.errors.size() < 20) d.errors.push_back(m);
    d.bad_rows++;
  };
  const size_t end = std::min(t.rows.size(), next_ + std::max<size_t>(rows, 1));
  for (size_t r = next_; r < end; r++) {
    const auto& row = t.rows[r];
    if (row.size() != t.header.size()) {
      bad(t.name + ":" + std::to_string(t.lines[r]) + ": " + std::to_string(row.size()) + " fields, the header has " +
          std::to_string(t.header.size()));
      continue;
    }
    int64_t ts;
    DateFormat f;
    if (!ParseDate(row[tc], &ts, &f)) {
      bad(Where(t, r, d.time_col) + "'" + row[tc] + "' is not a date (01-Jan, 1991-01, 1991-01-31, 1991-01-31 12:00:00)");
      continue;
    }
    if (!have_format_) d.format = f, have_format_ = true;
    else if (f != d.format) mixed_++;
    double v = NAN;
    if (!row[vc].empty() && !ParseNumber(row[vc], &v)) {
      bad(Where(t, r, d.value_col) + "'" + row[vc] + "' is not a number");
      continue;
    }
    d.time.push_back(ts);
    d.value.push_back(v);
    std::vector<std::string> dims;
    for (size_t c : dim_idx_) dims.push_back(row[c]);
    d.dims.push_back(std::move(dims));
    d.line.push_back(t.lines[r]);
  }
  next_ = end;
  return next_ >= t.rows.size();
}

float TargetParser::Progress() const { return t_->rows.empty() ? 1.f : float(next_) / float(t_->rows.size()); }

Result<TargetDataset> TargetParser::Finish() {
  if (!status_) return status_;
  while (!Step(size_t(-1) / 2)) {
  }
  const CsvTable& t = *t_;
  TargetDataset& d = d_;
  if (mixed_) {
    // A finer format wins so no row loses precision in the output.
    d.errors.push_back(t.name + ": " + std::to_string(mixed_) + " rows use another date format than line " +
                       std::to_string(t.lines.empty() ? 0 : t.lines[0]) + " (mixed frequencies?)");
    d.format = DateFormat::DateTime;
  }
  if (d.time.empty()) return Status::Error(t.name + ": no usable rows" + (d.errors.empty() ? "" : " (" + d.errors[0] + ")"));
  return std::move(d);
}

Result<TargetDataset> ParseTarget(const CsvTable& t, const TargetOptions& o) {
  TargetParser p(t, o);
  return p.Finish();
}

RelatedParser::RelatedParser(const CsvTable& t, const std::vector<std::string>& key_cols) : t_(&t) {
  RelatedDataset& d = d_;
  std::vector<size_t>& key_idx = key_idx_;
  std::vector<size_t>& feat_idx = feat_idx_;
  d.name = t.name;
  const int tc = GuessTimeCol(t);
  tc_ = tc;
  if (tc < 0) {
    status_ = Status::Error(t.name + ": no timestamp column");
    return;
  }
  d.time_col = t.header[size_t(tc)];
  for (auto& k : key_cols) {
    const int c = FindCol(t, k);
    if (c < 0) {
      status_ = Status::Error(t.name + ": no key column '" + k + "' (the target's dimensions)");
      return;
    }
    key_idx.push_back(size_t(c));
    d.key_cols.push_back(t.header[size_t(c)]);
  }
  for (size_t c = 0; c < t.header.size(); c++) {
    if (int(c) == tc || std::find(key_idx.begin(), key_idx.end(), c) != key_idx.end()) continue;
    if (!NumericColumn(t, c)) {  // a finer key (e.g. store when forecasting per product): averaged over later
      key_idx.push_back(c);
      d.key_cols.push_back(t.header[c]);
      continue;
    }
    feat_idx.push_back(c);
    d.feature_cols.push_back(t.header[c]);
  }
  if (d.feature_cols.empty()) {
    status_ = Status::Error(t.name + ": no numeric feature columns");
    return;
  }
  if (d.feature_cols.size() > 13) {
    status_ = Status::Error(t.name + ": " + std::to_string(d.feature_cols.size()) + " features, at most 13 are allowed");
    return;
  }
}

bool RelatedParser::Step(size_t rows) {
  if (!status_) return true;
  const CsvTable& t = *t_;
  RelatedDataset& d = d_;
  const int tc = tc_;
  const std::vector<size_t>& key_idx = key_idx_;
  const std::vector<size_t>& feat_idx = feat_idx_;
  const size_t end = std::min(t.rows.size(), next_ + std::max<size_t>(rows, 1));
  for (size_t r = next_; r < end; r++) {
    const auto& row = t.rows[r];
    auto bad = [&](const std::string& m) {
      if (d.errors.size() < 20) d.errors.push_back(m);
      d.bad_rows++;
    };
    if (row.size() != t.header.size()) {
      bad(t.name + ":" + std::to_string(t.lines[r]) + ": wrong number of fields");
      continue;
    }
    int64_t ts;
    DateFormat f;
    if (!ParseDate(row[size_t(tc)], &ts, &f)) {
      bad(Where(t, r, d.time_col) + "'" + row[size_t(tc)] + "' is not a date");
      continue;
    }
    std::vector<double> feats;
    bool ok = true;
    for (size_t c : feat_idx) {
      double v = NAN;
      if (!row[c].empty() && !ParseNumber(row[c], &v)) {
        bad(Where(t, r, t.header[c]) + "'" + row[c] + "' is not a number");
        ok = false;
        break;
      }
      feats.push_back(v);
    }
    if (!ok) continue;
    std::vector<std::string> keys;
    for (size_t c : key_idx) keys.push_back(row[c]);
    d.time.push_back(ts);
    d.keys.push_back(std::move(keys));
    d.features.push_back(std::move(feats));
  }
  next_ = end;
  return next_ >= t.rows.size();
}

Result<RelatedDataset> RelatedParser::Finish() {
  if (!status_) return status_;
  while (!Step(size_t(-1) / 2)) {
  }
  return std::move(d_);
}

Result<RelatedDataset> ParseRelated(const CsvTable& t, const std::vector<std::string>& key_cols) {
  RelatedParser p(t, key_cols);
  return p.Finish();
}

Result<ItemMetadata> ParseMetadata(const CsvTable& t) {
  ItemMetadata m;
  m.name = t.name;
  if (t.header.size() < 2) return Status::Error(t.name + ": item metadata needs the item id and at least one field");
  if (t.header.size() > 10)
    return Status::Error(t.name + ": " + std::to_string(t.header.size()) + " columns, at most 10 (item id + 9 fields)");
  m.item_col = t.header[0];
  m.fields.assign(t.header.begin() + 1, t.header.end());
  for (size_t r = 0; r < t.rows.size(); r++) {
    const auto& row = t.rows[r];
    if (row.size() != t.header.size() || row[0].empty()) {
      m.errors.push_back(t.name + ":" + std::to_string(t.lines[r]) + ": expected " + std::to_string(t.header.size()) +
                         " fields with a non-empty " + m.item_col);
      continue;
    }
    if (m.items.count(row[0])) {
      m.errors.push_back(t.name + ":" + std::to_string(t.lines[r]) + ": field " + m.item_col + ": '" + row[0] +
                         "' repeats an earlier row; the first is kept");
      continue;
    }
    m.items[row[0]] = std::vector<std::string>(row.begin() + 1, row.end());
  }
  return m;
}

// [SECTION] guessing what an imported CSV is

CsvGuess GuessForecastCsv(const CsvTable& t, std::string* reason) {
  int date_col = -1, value_col = -1, item_col = -1, numeric = 0;
  for (size_t c = 0; c < t.header.size(); c++) {
    const std::string name = Lower(Trim(t.header[c]));
    std::string first;  // first non-empty cell
    for (auto& row : t.rows)
      if (c < row.size() && !Trim(row[c]).empty()) {
        first = Trim(row[c]);
        break;
      }
    int64_t sec;
    DateFormat fmt;
    char* end = nullptr;
    const bool is_number = !first.empty() && (std::strtod(first.c_str(), &end), end && *end == 0);
    if (date_col < 0 && !first.empty() && ParseDate(first, &sec, &fmt)) {
      date_col = int(c);
      continue;
    }
    if (is_number) numeric++;
    for (const char* n : {"target_value", "demand", "sales", "quantity", "units"})
      if (name == n && is_number && value_col < 0) value_col = int(c);
    for (const char* n : {"item_id", "item", "product", "product_id", "sku"})
      if (name == n && item_col < 0) item_col = int(c);
  }
  auto col = [&](int c) { return "'" + t.header[size_t(c)] + "'"; };
  if (date_col >= 0 && value_col >= 0) {
    *reason = "a date column " + col(date_col) + ", a target column " + col(value_col) +
              (item_col >= 0 ? ", an item column " + col(item_col) : std::string());
    return CsvGuess::ForecastTarget;
  }
  if (date_col >= 0 && item_col >= 0 && numeric > 0) {
    *reason = "a date column " + col(date_col) + ", an item column " + col(item_col) + " and " +
              std::to_string(numeric) + " numeric column(s) but none named like a target (target_value, demand, "
              "sales, quantity, units)";
    return CsvGuess::ItemSeries;
  }
  if (date_col >= 0 && numeric > 0) {
    *reason = "a date column " + col(date_col) + " and " + std::to_string(numeric) +
              " numeric column(s), no item or target column";
    return CsvGuess::TimeSeries;
  }
  *reason = date_col < 0 ? "no column of dates (01-Jan, 1991-01, 1991-01-31, ISO date-times)" : "no numeric column";
  return CsvGuess::Other;
}

}  // namespace fk::forecast
