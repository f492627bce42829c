#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/json_number.h"

TEST_CASE("core/json_number: integers and numbers are range-checked before any conversion") {
  const auto j = nlohmann::json::parse(
      R"({"i":42,"neg":-7,"big":18446744073709551615,"f":3.0,"half":2.5,"huge":1e300,"s":"5","max":9.3e18})");
  int64_t i = 0;
  double d = 0;
  std::string why;
  CHECK(fk::JsonIntAt(j, "i", 0, 100, &i, &why));
  CHECK(i == 42);
  CHECK(fk::JsonIntAt(j, "f", 0, 100, &i, &why));  // a whole float is an integer
  CHECK(i == 3);
  CHECK_FALSE(fk::JsonIntAt(j, "neg", 0, 100, &i, &why));
  CHECK(why == "field 'neg' = -7 is outside 0..100");
  CHECK_FALSE(fk::JsonIntAt(j, "big", 0, INT64_MAX, &i, &why));
  CHECK(why == "field 'big' = 18446744073709551615 is outside 0..9223372036854775807");
  CHECK_FALSE(fk::JsonIntAt(j, "half", 0, 100, &i, &why));
  CHECK(why == "field 'half' = 2.5 is not a whole number");
  CHECK_FALSE(fk::JsonIntAt(j, "huge", INT64_MIN, INT64_MAX, &i, &why));
  CHECK(why == "field 'huge' = 1e+300 is outside -9223372036854775808..9223372036854775807");
  CHECK_FALSE(fk::JsonIntAt(j, "max", 0, INT64_MAX, &i, &why));  // rounds to 2^63 as a double: still refused
  CHECK_FALSE(fk::JsonIntAt(j, "s", 0, 100, &i, &why));
  CHECK(why == "field 's' is not a number");
  CHECK_FALSE(fk::JsonIntAt(j, "nope", 0, 100, &i, &why));
  CHECK(why == "missing field 'nope'");
  CHECK(fk::JsonNumberAt(j, "half", 0, 10, &d, &why));
  CHECK(d == 2.5);
  CHECK_FALSE(fk::JsonNumberAt(j, "huge", -1e6, 1e6, &d, &why));
  CHECK(why == "field 'huge' = 1e+300 is outside -1e+06..1e+06");
  CHECK(fk::JsonNumber(j["neg"], "neg", -10, 0, &d, &why));
  CHECK(d == -7);
}
