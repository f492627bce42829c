#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/csv.h"

using Cells = std::vector<std::string>;

namespace {
Cells Strict(const char* line) {
  fk::CsvSplitter sp;
  std::string why;
  REQUIRE_MESSAGE(sp.Split(line, &why), line);
  return Cells(sp.Cells().begin(), sp.Cells().end());
}
std::string Why(const char* line) {
  fk::CsvSplitter sp;
  std::string why;
  CHECK_FALSE(sp.Split(line, &why));
  return why;
}
}  // namespace

TEST_CASE("core/csv: RFC 4180 lines split the same strictly and leniently") {
  for (const char* line : {"a,b,c", "", ",", "a,,c\r", "\"a,b\",c", "\"\",x", "\"d\"\"\"", "x,\"q \"\"r\"\" s\",",
                           "\"line\rbreak\",2"}) {
    CAPTURE(line);
    CHECK(Strict(line) == fk::SplitCsvLine(line));
  }
  CHECK(Strict("a,b,c") == Cells{"a", "b", "c"});
  CHECK(Strict("") == Cells{""});
  CHECK(Strict(",") == Cells{"", ""});
  CHECK(Strict("a,,c\r") == Cells{"a", "", "c"});
  CHECK(Strict("\"a,b\",c") == Cells{"a,b", "c"});
  CHECK(Strict("\"d\"\"\"") == Cells{"d\""});
  CHECK(Strict("x,\"q \"\"r\"\" s\",") == Cells{"x", "q \"r\" s", ""});
}

TEST_CASE("core/csv: a malformed quote is an error when strict and read as before when lenient") {
  CHECK(Why("a\"b") == "quote inside an unquoted cell");
  CHECK(Why("\"a\"b") == "text after a closing quote");
  CHECK(Why("\"a\"\"") == "unterminated quote");
  CHECK(Why("\"abc") == "unterminated quote");
  // Lenient: a quote toggles quoting wherever it stands; '\r' outside quotes goes.
  CHECK(fk::SplitCsvLine("a\"b,c\"d") == Cells{"ab,cd"});
  CHECK(fk::SplitCsvLine("\"a\"b,c") == Cells{"ab", "c"});
  CHECK(fk::SplitCsvLine("\"abc,d") == Cells{"abc,d"});
  CHECK(fk::SplitCsvLine("a\rb,c\r") == Cells{"ab", "c"});
  CHECK(Strict("a\rb,c\r") == Cells{"a\rb", "c"});
}

TEST_CASE("core/csv: views stay valid across cells of a quoted line, and cells round-trip") {
  fk::CsvSplitter sp;
  std::string why;
  std::string line;
  Cells want;
  for (int i = 0; i < 200; i++) {  // many cells: buf_ must not reallocate under earlier views
    want.push_back("c" + std::to_string(i) + (i % 3 ? "" : ",\"q\""));
    if (i) line += ',';
    fk::AppendCsvCell(&line, want.back());
  }
  REQUIRE(sp.Split(line, &why));
  CHECK(Cells(sp.Cells().begin(), sp.Cells().end()) == want);
  std::string out;
  fk::AppendCsvCell(&out, "plain");
  fk::AppendCsvCell(&out, "x,\"y\"");
  CHECK(out == "plain\"x,\"\"y\"\"\"");
}
