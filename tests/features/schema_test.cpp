#include <doctest/doctest.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <cstdlib>
#include <string>
#include <vector>

#include "features/schema.h"

using namespace fk::features;

namespace {
InferOptions Opts() {
  InferOptions o;
  o.name = "g";
  o.record_id = "id";
  o.event_time = "ts";
  return o;
}
FeatureType TypeOf(const InferredSchema& s, const std::string& name) {
  return s.group.features[size_t(s.group.Index(name))].type;
}
}  // namespace

TEST_CASE("features/schema: inference scans the whole column, not the first row") {
  const std::string csv =
      "id,ts,n,x,s,e\n"
      "a,1700000000,1,1,1,\n"
      "b,1700000001,2,2,2,\n"
      "c,1700000002,3,2.5,3,\n"
      "d,1700000003,4,3,four,\n";
  auto r = InferSchemaFromCsvText(csv, "t.csv", Opts());
  REQUIRE(r.ok());
  CHECK(r->rows_scanned == 4);
  CHECK(TypeOf(*r, "n") == FeatureType::Integral);
  CHECK(TypeOf(*r, "x") == FeatureType::Fractional);  // 2.5 only on line 4
  CHECK(TypeOf(*r, "s") == FeatureType::String);      // "four" only on the last line
  CHECK(TypeOf(*r, "e") == FeatureType::String);      // all empty
  CHECK(TypeOf(*r, "ts") == FeatureType::Fractional);
  CHECK(TypeOf(*r, "id") == FeatureType::String);
}

TEST_CASE("features/schema: an unnamed pandas index column is skipped") {
  auto r = InferSchemaFromCsvText(",id,ts,v\n0,a,2024-01-01T00:00:00Z,1\n1,b,2024-01-01T01:00:00Z,2\n", "t.csv", Opts());
  REQUIRE(r.ok());
  CHECK(r->dropped_index_column);
  CHECK(r->group.features.size() == 3);
  CHECK(r->group.features[0].name == "id");
  CHECK(TypeOf(*r, "ts") == FeatureType::String);  // ISO-8601 event time
}

TEST_CASE("features/schema: reserved and invalid names are refused") {
  for (const char* bad : {"is_deleted", "write_time", "API_INVOCATION_TIME"}) {
    auto r = InferSchemaFromCsvText(std::string("id,ts,") + bad + "\na,1,1\n", "t.csv", Opts());
    CHECK_FALSE(r.ok());
    CHECK(r.status().message().find("reserved") != std::string::npos);
  }
  auto dup = InferSchemaFromCsvText("id,ts,v,v\na,1,1,1\n", "t.csv", Opts());
  CHECK_FALSE(dup.ok());
  auto noet = InferSchemaFromCsvText("id,when,v\na,1,1\n", "t.csv", Opts());
  CHECK_FALSE(noet.ok());
  CHECK(noet.status().message().find("'ts'") != std::string::npos);
  auto badet = InferSchemaFromCsvText("id,ts\na,now\nb,yesterday\n", "t.csv", Opts());
  CHECK_FALSE(badet.ok());
}

TEST_CASE("features/schema: a few bad rows do not decide the types; they are noted") {
  // Ragged row, broken quote, one event time in the wrong format: skipped or
  // outvoted here, rejected per row by ingest.
  auto r = InferSchemaFromCsvText("id,ts,n\na,1,1\nb,2\nc,\"x,3\nd,yesterday,4\ne,5,5\n", "t.csv", Opts());
  REQUIRE(r.ok());
  CHECK(r->rows_scanned == 3);
  CHECK(TypeOf(*r, "ts") == FeatureType::Fractional);
  CHECK(TypeOf(*r, "n") == FeatureType::Integral);
  std::string notes;
  for (auto& n : r->notes) notes += n + "\n";
  CHECK(notes.find("line 3: 2 columns, header has 3") != std::string::npos);
  CHECK(notes.find("line 4:") != std::string::npos);
  CHECK(notes.find("Unix seconds in 2 of 3 rows") != std::string::npos);
}

TEST_CASE("features/schema: ISO-8601 event times parse with offsets and fractions; bad ones do not") {
  double t = 0;
  REQUIRE(ParseIso8601("1970-01-01T00:00:00Z", &t));
  CHECK(t == 0);
  REQUIRE(ParseIso8601("2024-03-01T12:34:56.5Z", &t));
  CHECK(t == doctest::Approx(1709296496.5));
  REQUIRE(ParseIso8601("2024-03-01T14:34:56+02:00", &t));
  CHECK(t == 1709296496);
  CHECK(FormatIso8601(1709296496.5) == "2024-03-01T12:34:56.500Z");
  for (const char* bad : {"2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-03-01", "2024-03-01T25:00:00Z",
                          "2024-03-01T12:00:00Zjunk", "1709296496"})
    CHECK_FALSE(ParseIso8601(bad, &t));
}

TEST_CASE("features/schema: values are checked by type and UTF-8") {
  std::string why;
  CHECK(CheckValue("-12", FeatureType::Integral, &why));
  CHECK_FALSE(CheckValue("1.5", FeatureType::Integral, &why));
  CHECK(CheckValue("1e3", FeatureType::Fractional, &why));
  CHECK_FALSE(CheckValue("nan", FeatureType::Fractional, &why));
  CHECK_FALSE(CheckValue("0x10", FeatureType::Fractional, &why));
  CHECK(CheckValue("", FeatureType::Integral, &why));  // null
  CHECK(IsValidUtf8("caf\xc3\xa9"));
  CHECK_FALSE(IsValidUtf8("caf\xc3"));
  CHECK_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  CHECK_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
}

TEST_CASE("features/schema: CSV cells split with RFC 4180 quoting") {
  CsvSplitter sp;
  std::string why;
  REQUIRE(sp.Split("a,\"b,c\",\"say \"\"hi\"\"\",", &why));
  REQUIRE(sp.Cells().size() == 4);
  CHECK(sp.Cells()[1] == "b,c");
  CHECK(sp.Cells()[2] == "say \"hi\"");
  CHECK(sp.Cells()[3] == "");
  CHECK_FALSE(sp.Split("a,\"b", &why));
  CHECK_FALSE(sp.Split("a,b\"c", &why));
  std::string out;
  AppendCsvCell(&out, "x,\"y\"");
  CHECK(out == "\"x,\"\"y\"\"\"");
}

// The fast paths of ParseIntegral / ParseFractional (plain digits, at most 15
// significant) must accept, refuse and round exactly as std::from_chars does.
TEST_CASE("features/schema: number parsing agrees with from_chars (strtod in wasm) on every input shape") {
  auto slow_int = [](std::string_view s, int64_t* v) {
    if (s.empty()) return false;
    const char* b = s.data() + (s[0] == '+');
    auto r = std::from_chars(b, s.data() + s.size(), *v);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
  };
  auto slow_double = [](std::string_view s, double* v) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s)
      if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) return false;
#if !defined(__EMSCRIPTEN__)
    const char* b = s.data() + (s[0] == '+');
    auto r = std::from_chars(b, s.data() + s.size(), *v);
    return r.ec == std::errc() && r.ptr == s.data() + s.size() && std::isfinite(*v);
#else  // Emscripten's libc++ has no floating-point from_chars: the slow path there is strtod, as ParseFractional's
    const std::string z(s);
    char* end = nullptr;
    *v = std::strtod(z.c_str(), &end);
    return end == z.c_str() + z.size() && std::isfinite(*v);
#endif
  };
  std::vector<std::string> cases = {"0", "-0", "+0", "-", "+", ".", "-.", "5.", ".5", "-.5", "+.5", "+-5", "-+5", "--5",
                                    "1..2", "1.2.3", "1e5", "1.5e-3", "-0.0000", "0.1", "0.3", "2.675", "9007199254740993",
                                    "123456789012345", "1234567890123456", "0.000000000000000000001", "999999999999999999",
                                    "9223372036854775807", "9223372036854775808", "-9223372036854775808", "1 ", " 1", "1a",
                                    "00000000000000000001.5", "3.14159265358979", "-1.7976931348623157", "1.7976931348623157e308"};
  uint64_t x = 88172645463325252ull;  // xorshift: random digit strings of every length, signs and points
  const char alphabet[] = "0123456789012345678901234567890123456789.-+e";
  for (int i = 0; i < 20000; i++) {
    std::string s;
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    const int len = 1 + int(x % 24);
    for (int k = 0; k < len; k++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      s += alphabet[x % (sizeof alphabet - 1)];
    }
    cases.push_back(s);
  }
  for (const std::string& s : cases) {
    CAPTURE(s);
    int64_t a = 7, b = 7;
    const bool ia = ParseIntegral(s, &a), ib = slow_int(s, &b);
    CHECK(ia == ib);
    if (ia && ib) CHECK(a == b);
    double c = 7, d = 7;
    const bool fa = ParseFractional(s, &c), fb = slow_double(s, &d);
    CHECK(fa == fb);
    if (fa && fb) {
      CHECK(std::memcmp(&c, &d, sizeof c) == 0);  // bit for bit: -0.0 stays -0.0
    }
  }
}
