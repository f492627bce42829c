// CSV lines, split one way everywhere (RFC 4180: double quotes, "" escapes; no
// embedded newlines). The feature store rejects a malformed line; the event,
// forecast and recommendation readers always took such a line as best they
// could, so they ask for the lenient reading of the same splitter.
//   fk::CsvSplitter sp;  std::string why;
//   sp.Split("a,\"b,c\",\"d\"\"\"", &why);   // Cells() == {"a", "b,c", "d\""}
//   sp.Split("a\"b", &why) == false;          // why == "quote inside an unquoted cell"
//   fk::SplitCsvLine("a\"b,c\"d") == {"ab,cd"}   // lenient: a quote toggles quoting anywhere
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace fk {

class CsvSplitter {
 public:
  // A line without its newline; a trailing '\r' is dropped. Strict: false on a
  // stray or unterminated quote, with *why. Lenient: never false; a quote
  // anywhere toggles quoting, an unterminated quote runs to the end of the
  // line, and '\r' outside quotes is dropped.
  bool Split(std::string_view line, std::string* why);
  void SplitLenient(std::string_view line);
  // Views into the line or into the splitter's own buffer; valid until the next Split.
  const std::vector<std::string_view>& Cells() const { return cells_; }

 private:
  bool SplitQuoted(std::string_view line, bool lenient, std::string* why);
  std::vector<std::string_view> cells_;
  std::string buf_;
};

// The lenient split as owned strings (for readers that keep the cells).
std::vector<std::string> SplitCsvLine(std::string_view line);

// Appends one cell, quoted only when it holds a comma, quote or line break.
void AppendCsvCell(std::string* out, std::string_view cell);

}  // namespace fk
