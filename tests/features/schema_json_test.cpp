// A feature group file's numbers are range-checked through core/json_number.h
// before they become a creation time or a TTL.
#include <doctest/doctest.h>

#include <string>

#include "features/schema.h"
#include "test_util.h"

using namespace fk::features;
using namespace fk::features::test;

TEST_CASE("features/schema: a group file's numbers are range-checked, naming the file and field") {
  FeatureGroup g = UsersGroup(60);
  g.uid = 7;
  g.created = 1.7e9;
  const std::string good = GroupToJson(g);
  REQUIRE(GroupFromJson(good, "g.json").ok());
  auto with = [&](const std::string& key, const std::string& value) {
    std::string t = good;
    const size_t at = t.find("\"" + key + "\"");
    REQUIRE(at != std::string::npos);
    const size_t colon = t.find(':', at), end = t.find_first_of(",\n}", colon);
    return t.replace(colon + 1, end - colon - 1, " " + value);
  };
  auto r = GroupFromJson(with("creation_time", "1e300"), "g.json");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == "g.json: field 'creation_time' = 1e+300 is outside -62167219200..253402300800");
  r = GroupFromJson(with("ttl_seconds", "-5"), "g.json");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == "g.json: field 'ttl_seconds' = -5 is outside 0..1e+15");
}

TEST_CASE("features/schema: a description with a quote, a backslash and a stray byte gives a group file that reads back") {
  FeatureGroup g = UsersGroup();
  g.description = "q\"b\\s \xC3\xA9 \xFF";
  std::string text;
  REQUIRE_NOTHROW(text = GroupToJson(g));
  auto r = GroupFromJson(text, "g.json");
  REQUIRE(r.ok());
  CHECK(r->description == "q\"b\\s \xC3\xA9 \xEF\xBF\xBD");  // 0xFF became U+FFFD
  CHECK(r->name == g.name);
}
