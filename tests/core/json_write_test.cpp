// core/json_write.h: numbers as their printf format shows them, and dumps that
// keep going on invalid UTF-8.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "core/json_write.h"

TEST_CASE("core/json_write: JsonNumberAs keeps the digits of the format, integers as integers, NaN as null") {
  using fk::JsonNumberAs;
  auto dump = [](const nlohmann::json& j) { return j.dump(); };
  CHECK(dump(JsonNumberAs(0.79720001, "%.4f")) == "0.7972");
  CHECK(dump(JsonNumberAs(0.798, "%.4f")) == "0.798");  // nlohmann drops printf's trailing zero; same value
  CHECK(dump(JsonNumberAs(2.0, "%.4f")) == "2.0");      // still a fraction, as "2.0000" was
  CHECK(dump(JsonNumberAs(72.8125, "%.1f")) == "72.8");
  CHECK(dump(JsonNumberAs(0.0, "%.6g")) == "0");        // "%.6g" wrote an integer: so does JSON
  CHECK(dump(JsonNumberAs(17.0, "%.6g")) == "17");
  CHECK(JsonNumberAs(17.0, "%.6g").is_number_integer());
  CHECK(dump(JsonNumberAs(1234567.0, "%.6g")) == "1234570.0");  // "1.23457e+06" read back
  CHECK(dump(JsonNumberAs(5.8804e-7, "%.3e")) == "5.88e-07");
  CHECK(dump(JsonNumberAs(12.0, "%.0f")) == "12");
  CHECK(dump(JsonNumberAs(1e20, "%.0f")) == "1e+20");  // past int64: a double, not a wrapped integer
  CHECK(JsonNumberAs(std::nan(""), "%.4f").is_null());
  CHECK(JsonNumberAs(std::numeric_limits<double>::infinity(), "%.6g").is_null());
  CHECK(JsonNumberAs(-std::numeric_limits<double>::infinity(), "%.0f").is_null());
}

TEST_CASE("core/json_write: DumpJson replaces invalid UTF-8 instead of throwing; both object kinds") {
  const std::string odd = "q\"b\\s \xC3\xA9 \xFF";
  nlohmann::json j = {{"path", odd}};
  CHECK_THROWS(j.dump());  // what DumpJson exists to avoid
  CHECK(fk::DumpJson(j) == "{\"path\":\"q\\\"b\\\\s \xC3\xA9 \xEF\xBF\xBD\"}");
  CHECK(nlohmann::json::parse(fk::DumpJson(j))["path"] == "q\"b\\s \xC3\xA9 \xEF\xBF\xBD");
  CHECK(fk::DumpJson(j, 1) == "{\n \"path\": \"q\\\"b\\\\s \xC3\xA9 \xEF\xBF\xBD\"\n}");
  nlohmann::ordered_json o;
  o["z"] = 1;
  o["a"] = odd;
  CHECK(fk::DumpJson(o) == "{\"z\":1,\"a\":\"q\\\"b\\\\s \xC3\xA9 \xEF\xBF\xBD\"}");
}
