#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include <nlohmann/json.hpp>

#include "core/settings.h"

namespace {
std::string TempPath(const char* name) { return std::string("fk_test_") + name + ".json"; }
void WriteFile(const std::string& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }
bool Exists(const std::string& p) { return bool(std::ifstream(p)); }
}  // namespace

TEST_CASE("core/settings: values survive a save and load") {
  const auto p = TempPath("roundtrip");
  fk::Settings a;
  a.Set("theme", "dark");
  a.Set("quote\"key", "line\nbreak");
  REQUIRE(a.Save(p).ok());
  fk::Settings b;
  REQUIRE(b.Load(p).ok());
  CHECK(b.Get("theme") == "dark");
  CHECK(b.Get("quote\"key") == "line\nbreak");
  CHECK(b.Get("missing", "def") == "def");
  std::remove(p.c_str());
}

TEST_CASE("core/settings: a missing file is an empty, valid settings set") {
  fk::Settings s;
  CHECK(s.Load(TempPath("does_not_exist")).ok());
  CHECK(s.Values().empty());
}

TEST_CASE("core/settings: malformed files are reported with the path and kept aside") {
  struct Case {
    const char* name;
    const char* text;
    const char* expect;
  } cases[] = {{"truncated", "{\"theme\": \"da", "not valid JSON"},
               {"array", "[1,2]", "not an object"},
               {"number", "{\"theme\": 3}", "field 'theme' is not a string"}};
  for (auto& c : cases) {
    CAPTURE(c.name);
    const auto p = TempPath(c.name);
    WriteFile(p, c.text);
    fk::Settings s;
    s.Set("kept", "yes");
    fk::Status st = s.Load(p);
    CHECK_FALSE(st.ok());
    CHECK(st.message().find(p) != std::string::npos);
    CHECK(st.message().find(c.expect) != std::string::npos);
    CHECK(s.Get("kept") == "yes");  // in-memory values not clobbered
    CHECK(Exists(p + ".bad"));      // the user's file is not lost
    std::remove((p + ".bad").c_str());
  }
}

TEST_CASE("core/settings: a value with a quote, a backslash and a stray byte saves as valid JSON, no throw") {
  const auto p = TempPath("odd_bytes");
  fk::Settings a;
  a.Set("last_file", "C:\\data\\q\"b \xC3\xA9 \xFF.csv");
  REQUIRE_NOTHROW(REQUIRE(a.Save(p).ok()));
  std::ifstream f(p, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  CHECK(nlohmann::json::accept(text));
  fk::Settings b;
  REQUIRE(b.Load(p).ok());
  CHECK(b.Get("last_file") == "C:\\data\\q\"b \xC3\xA9 \xEF\xBF\xBD.csv");  // 0xFF became U+FFFD
  std::remove(p.c_str());
}
