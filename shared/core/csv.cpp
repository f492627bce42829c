#include "core/csv.h"

namespace fk {

bool CsvSplitter::Split(std::string_view line, std::string* why) {
  cells_.clear();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // The fast path (no quoting at all) is the feature store's ingest loop:
  // views into the line, no copy.
  if (line.find('"') == std::string_view::npos) {
    size_t start = 0;
    for (;;) {
      const size_t c = line.find(',', start);
      if (c == std::string_view::npos) {
        cells_.push_back(line.substr(start));
        return true;
      }
      cells_.push_back(line.substr(start, c - start));
      start = c + 1;
    }
  }
  return SplitQuoted(line, false, why);
}

void CsvSplitter::SplitLenient(std::string_view line) {
  std::string why;
  const bool inner_cr = line.find('\r') < line.size() - 1;  // dropped below, kept by Split
  if (!inner_cr && Split(line, &why)) return;
  SplitQuoted(line, true, &why);
}

// One pass for both readings. Strict stops at the first quote out of place;
// lenient toggles quoting there instead, which gives the same cells as strict
// on every well-formed line.
bool CsvSplitter::SplitQuoted(std::string_view line, bool lenient, std::string* why) {
  cells_.clear();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // Cells never grow past the line, so reserving its size up front keeps the
  // views into buf_ valid while it fills.
  buf_.clear();
  buf_.reserve(line.size());
  enum { kStart, kUnquoted, kQuoted, kClosed } state = kStart;
  size_t begin = 0;
  for (size_t i = 0; i < line.size(); i++) {
    const char c = line[i];
    if (state == kQuoted) {
      if (c != '"') buf_ += c;
      else if (i + 1 < line.size() && line[i + 1] == '"') buf_ += '"', i++;
      else state = kClosed;
    } else if (c == ',') {
      cells_.push_back(std::string_view(buf_).substr(begin, buf_.size() - begin));
      begin = buf_.size();
      state = kStart;
    } else if (c == '"') {
      if (state != kStart && !lenient) {
        *why = state == kClosed ? "text after a closing quote" : "quote inside an unquoted cell";
        return false;
      }
      state = kQuoted;
    } else if (state == kClosed && !lenient) {
      *why = "text after a closing quote";
      return false;
    } else if (c != '\r' || !lenient) {
      buf_ += c;
      state = state == kStart ? kUnquoted : state;
    }
  }
  if (state == kQuoted && !lenient) {
    *why = "unterminated quote";
    return false;
  }
  cells_.push_back(std::string_view(buf_).substr(begin, buf_.size() - begin));
  return true;
}

std::vector<std::string> SplitCsvLine(std::string_view line) {
  CsvSplitter sp;
  sp.SplitLenient(line);
  return std::vector<std::string>(sp.Cells().begin(), sp.Cells().end());
}

void AppendCsvCell(std::string* out, std::string_view cell) {
  if (cell.find_first_of(",\"\n\r") == std::string_view::npos) {
    out->append(cell);
    return;
  }
  *out += '"';
  for (char c : cell) {
    if (c == '"') *out += '"';
    *out += c;
  }
  *out += '"';
}

}  // namespace fk
