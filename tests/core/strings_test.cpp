#include <doctest/doctest.h>

#include "core/crc32.h"
#include "core/strings.h"

using fk::SplitList;

TEST_CASE("core/strings: Trim, Lower, StartsWith, EndsWith") {
  CHECK(fk::Trim("  a b \t\r\n") == "a b");
  CHECK(fk::Trim("") == "");
  CHECK(fk::Trim(" \t ") == "");
  CHECK(fk::Lower("CSV Ümlaut") == "csv Ümlaut");  // ASCII only: bytes >= 0x80 untouched
  CHECK(fk::StartsWith("forecast-demo", "forecast"));
  CHECK_FALSE(fk::StartsWith("fore", "forecast"));
  CHECK(fk::EndsWith("model.fks", ".fks"));
  CHECK_FALSE(fk::EndsWith("fks", ".fks"));
}

TEST_CASE("core/strings: SplitList keeps empty items unless asked, and trims") {
  CHECK(SplitList("0, 0.9,,1") == std::vector<std::string>{"0", "0.9", "", "1"});
  CHECK(SplitList("0, 0.9,,1", ',', true) == std::vector<std::string>{"0", "0.9", "1"});
  CHECK(SplitList("") == std::vector<std::string>{""});
  CHECK(SplitList("", ',', true).empty());
  CHECK(SplitList("a;b", ';') == std::vector<std::string>{"a", "b"});
  CHECK(SplitList("a,") == std::vector<std::string>{"a", ""});
}

TEST_CASE("core/strings: ?run= specs and queries") {
  std::map<std::string, std::string> p;
  CHECK(fk::SplitRunSpec("sparse-bench?sparsity=0,0.9&fp16&&runs=3&runs=5", &p) == "sparse-bench");
  CHECK(p == std::map<std::string, std::string>{{"sparsity", "0,0.9"}, {"fp16", ""}, {"runs", "5"}});
  CHECK(fk::SplitRunSpec("system-bench", &p) == "system-bench");
  CHECK(p.empty());
  CHECK(fk::ParseQuery("path=/imports/a=b.csv")["path"] == "/imports/a=b.csv");  // the first '=' splits
  CHECK(fk::ParseQuery("").empty());
}

TEST_CASE("core/crc32: the standard check value, chaining and every tail length") {
  CHECK(fk::Crc32("123456789", 9) == 0xCBF43926u);
  CHECK(fk::Crc32("", 0) == 0u);
  const char* text = "The quick brown fox jumps over the lazy dog";  // 43 bytes: 8-byte blocks and a tail
  CHECK(fk::Crc32(text, 43) == 0x414FA339u);
  for (size_t cut = 0; cut <= 43; cut++) CHECK(fk::Crc32(text + cut, 43 - cut, fk::Crc32(text, cut)) == 0x414FA339u);
}
