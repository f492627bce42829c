#include <doctest/doctest.h>

#include "features/pit.h"
#include "test_util.h"

using namespace fk::features;
using namespace fk::features::test;
using KV = std::vector<std::pair<std::string, std::string>>;

TEST_CASE("features/pit: values as of each timestamp, never from the future, boundaries exact") {
  const auto dir = ScratchDir("pit");
  double now = 2e9;
  auto s = OpenAt(dir, &now);
  REQUIRE(s->CreateGroup(UsersGroup()).ok());
  REQUIRE(s->Put("users", KV{{"user_id", "a"}, {"ts", "100"}, {"age", "1"}}).ok());
  REQUIRE(s->Put("users", KV{{"user_id", "a"}, {"ts", "200"}, {"age", "2"}}).ok());
  REQUIRE(s->Put("users", KV{{"user_id", "a"}, {"ts", "150"}, {"age", "15"}}).ok());  // late arrival, older time
  REQUIRE(s->Delete("users", "a", 300, DeleteMode::Soft).ok());
  REQUIRE(s->Put("users", KV{{"user_id", "b"}, {"ts", "100"}, {"age", "9"}}).ok());
  std::vector<EntityRow> rows = {{"a", 99.999}, {"a", 100}, {"a", 149.5}, {"a", 150}, {"a", 199.999},
                                 {"a", 200},    {"a", 299}, {"a", 300},   {"b", 1e9}, {"zz", 500}};
  PitOptions o;
  o.features = {"age"};
  auto t = PointInTimeJoin(*s, rows, {"users"}, o);
  REQUIRE(t.ok());
  REQUIRE(t->columns == std::vector<std::string>{"users__age"});
  std::vector<std::string> got;
  for (auto& r : t->rows) got.push_back(r[0]);
  CHECK(got == std::vector<std::string>{"", "1", "1", "15", "15", "2", "2", "", "9", ""});
  CHECK(t->matched == 7);
}

TEST_CASE("features/pit: a group's TTL bounds how old a joined value may be") {
  const auto dir = ScratchDir("pit_ttl");
  double now = 2e9;
  auto s = OpenAt(dir, &now);
  REQUIRE(s->CreateGroup(UsersGroup(/*ttl=*/50)).ok());
  REQUIRE(s->Put("users", KV{{"user_id", "a"}, {"ts", "100"}, {"age", "1"}}).ok());
  auto t = PointInTimeJoin(*s, {{"a", 149}, {"a", 150}}, {"users"});
  REQUIRE(t.ok());
  CHECK(t->rows[0][0] == "1");  // first selected column: age
  CHECK(t->rows[1][0] == "");
}

TEST_CASE("features/pit: the CSV form keeps entity columns and appends joined features") {
  const auto dir = ScratchDir("pit_csv");
  double now = 2e9;
  auto s = OpenAt(dir, &now);
  REQUIRE(s->CreateGroup(UsersGroup()).ok());
  REQUIRE(s->Put("users", KV{{"user_id", "a"}, {"ts", "100"}, {"age", "1"}, {"city", "Rome, IT"}}).ok());
  uint64_t n = 0;
  auto csv = PointInTimeJoinCsv(*s, "uid,when,label\na,1970-01-01T00:01:40Z,1\na,99,0\n", "e.csv", "uid", "when",
                                {"users"}, {}, &n);
  REQUIRE(csv.ok());
  CHECK(n == 2);
  CHECK(*csv == "uid,when,label,users__age,users__city\na,1970-01-01T00:01:40Z,1,1,\"Rome, IT\"\na,99,0,,\n");
  CHECK_FALSE(PointInTimeJoinCsv(*s, "uid,when\na,later\n", "e.csv", "uid", "when", {"users"}).ok());
}
