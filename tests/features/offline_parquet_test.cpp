// The offline store in Parquet (the default): typed columns, nulls as nulls,
// Hive partitions, _schema.json; and stores written before it (CSV,
// schema.json) still read and verified.
#include <doctest/doctest.h>

#include <filesystem>

#include "core/parquet.h"
#include "features/store.h"
#include "test_util.h"

using namespace fk::features;
using namespace fk::features::test;
using KV = std::vector<std::pair<std::string, std::string>>;
namespace pq = fk::parquet;

TEST_CASE("features/offline: Parquet parts have the group's types, real nulls and the three extra columns") {
  const auto dir = ScratchDir("pq_parts");
  double now = 1709300000;
  auto s = OpenAt(dir, &now);
  FeatureGroup g = UsersGroup();
  g.features[1].type = FeatureType::String;  // ISO-8601 event time -> a UTC timestamp column
  g.features.push_back({"score", FeatureType::Fractional});
  REQUIRE(s->CreateGroup(g).ok());
  REQUIRE(s->Put("users", KV{{"user_id", "u1"}, {"ts", "2024-03-01T12:34:56.250Z"}, {"age", "41"},
                             {"city", "Oslo, NO"}, {"score", "0.5"}}).ok());
  REQUIRE(s->Put("users", KV{{"user_id", "u2"}, {"ts", "2024-03-01T12:00:00+01:00"}}).ok());  // 11:00Z
  REQUIRE(s->Delete("users", "u1", 1709297000, DeleteMode::Soft).ok());                    // 12:43:20Z
  REQUIRE(s->Checkpoint().ok());
  CHECK(std::filesystem::exists(dir + "/offline/users/_schema.json"));
  CHECK_FALSE(std::filesystem::exists(dir + "/offline/users/schema.json"));
  const std::string p12 = dir + "/offline/users/year=2024/month=03/day=01/hour=12/part-000001.parquet";
  const std::string p11 = dir + "/offline/users/year=2024/month=03/day=01/hour=11/part-000001.parquet";
  REQUIRE(std::filesystem::exists(p12));
  REQUIRE(std::filesystem::exists(p11));
  auto t = pq::ReadParquet(ReadText(p12), p12);
  REQUIRE_MESSAGE(t.ok(), t.status().message());
  REQUIRE(t->rows == 2);
  const std::vector<std::pair<std::string, pq::ColumnType>> want = {
      {"user_id", pq::ColumnType::String},   {"ts", pq::ColumnType::Timestamp},
      {"age", pq::ColumnType::Int64},        {"city", pq::ColumnType::String},
      {"score", pq::ColumnType::Double},     {"write_time", pq::ColumnType::Timestamp},
      {"api_invocation_time", pq::ColumnType::Timestamp}, {"is_deleted", pq::ColumnType::Boolean}};
  REQUIRE(t->columns.size() == want.size());
  for (size_t k = 0; k < want.size(); k++) {
    CHECK(t->columns[k].spec.name == want[k].first);
    CHECK(t->columns[k].spec.type == want[k].second);
  }
  CHECK_FALSE(t->columns[0].spec.nullable);  // record id
  CHECK_FALSE(t->columns[1].spec.nullable);  // event time
  CHECK(t->columns[2].spec.nullable);
  // Row 0: the put; row 1: the soft delete's marker (only id and event time set).
  CHECK(t->columns[0].strings[0] == "u1");
  CHECK(t->columns[1].ints[0] == 1709296496250000);
  CHECK(t->columns[2].ints[0] == 41);
  CHECK(t->columns[3].strings[0] == "Oslo, NO");
  CHECK(t->columns[4].doubles[0] == 0.5);
  CHECK(t->columns[5].ints[0] == 1709300000000000);
  CHECK(t->columns[6].ints[0] == 1709300000000000);
  CHECK(t->columns[7].ints[0] == 0);
  CHECK(t->columns[1].ints[1] == 1709297000000000);
  CHECK(t->columns[2].nulls[1]);
  CHECK(t->columns[3].nulls[1]);
  CHECK(t->columns[4].nulls[1]);
  CHECK(t->columns[7].ints[1] == 1);
  auto u2 = pq::ReadParquet(ReadText(p11), p11);
  REQUIRE(u2.ok());
  REQUIRE(u2->rows == 1);
  CHECK(u2->columns[1].ints[0] == 1709290800000000);  // 2024-03-01T11:00:00Z
  CHECK(u2->columns[3].nulls[0]);                      // a missing city is null, not ""
  auto v = s->Verify();
  CHECK(v.ok);
  CHECK(v.offline_rows == 3);
  // The schema file says how to read the parts.
  const std::string schema = ReadText(dir + "/offline/users/_schema.json");
  CHECK(schema.find("\"format\": \"parquet\"") != std::string::npos);
  CHECK(schema.find("timestamp[us, UTC]") != std::string::npos);
}

TEST_CASE("features/offline: the format is per group, CSV stays selectable, old stores keep theirs") {
  const auto dir = ScratchDir("pq_formats");
  double now = 1709300000;
  {
    auto s = OpenAt(dir, &now);
    FeatureGroup csv = UsersGroup();
    csv.offline_format = OfflineFormat::Csv;
    REQUIRE(s->CreateGroup(csv).ok());
    FeatureGroup pqg = UsersGroup();
    pqg.name = "users_pq";
    REQUIRE(s->CreateGroup(pqg).ok());
    for (const char* gname : {"users", "users_pq"})
      REQUIRE(s->Put(gname, KV{{"user_id", "u1"}, {"ts", "100"}, {"age", "7"}}).ok());
    REQUIRE(s->Checkpoint().ok());
  }
  CHECK(std::filesystem::exists(dir + "/offline/users/year=1970/month=01/day=01/hour=00/part-000001.csv"));
  CHECK(std::filesystem::exists(dir + "/offline/users_pq/year=1970/month=01/day=01/hour=00/part-000001.parquet"));
  // Both read the same as text rows (write/api times aside).
  CHECK(OfflineRows(dir + "/offline/users")[0].substr(0, 10) == "u1,100,7,,");
  CHECK(OfflineRows(dir + "/offline/users_pq")[0].substr(0, 10) == "u1,100,7,,");
  // A store written before Parquet: its group file has no offline_format and its
  // offline folder a schema.json. It reads as CSV and goes on writing CSV.
  {
    std::string gj = ReadText(dir + "/groups/users.json");
    const size_t at = gj.find("  \"offline_format\": \"csv\",\n");
    REQUIRE(at != std::string::npos);
    gj.erase(at, std::string("  \"offline_format\": \"csv\",\n").size());
    WriteText(dir + "/groups/users.json", gj);
    std::filesystem::rename(dir + "/offline/users/_schema.json", dir + "/offline/users/schema.json");
  }
  auto s = OpenAt(dir, &now);
  REQUIRE(s);
  CHECK(s->DescribeGroup("users")->offline_format == OfflineFormat::Csv);
  CHECK(s->DescribeGroup("users_pq")->offline_format == OfflineFormat::Parquet);
  REQUIRE(s->Put("users", KV{{"user_id", "u2"}, {"ts", "200"}}).ok());
  REQUIRE(s->Checkpoint().ok());
  CHECK(std::filesystem::exists(dir + "/offline/users/year=1970/month=01/day=01/hour=00/part-000002.csv"));
  CHECK(s->Verify().ok);
  // Deleted groups are verified against their own schema file, old name or new.
  REQUIRE(s->DeleteGroup("users").ok());
  REQUIRE(s->DeleteGroup("users_pq").ok());
  auto v = s->Verify();
  CHECK(v.ok);
  CHECK(v.offline_rows == 3);
  // Re-creating a name whose offline folder holds another format's files is refused.
  FeatureGroup again = UsersGroup();
  CHECK_FALSE(s->CreateGroup(again).ok());
  again.offline_format = OfflineFormat::Csv;
  CHECK(s->CreateGroup(again).ok());
}

TEST_CASE("features/offline: a group file's offline_format is checked") {
  FeatureGroup g = UsersGroup();
  g.uid = 5;
  std::string j = GroupToJson(g);
  CHECK(j.find("\"offline_format\": \"parquet\"") != std::string::npos);
  CHECK(GroupFromJson(j, "g.json")->offline_format == OfflineFormat::Parquet);
  const size_t at = j.find("\"parquet\"");
  j.replace(at, 9, "\"orc\"");
  auto bad = GroupFromJson(j, "g.json");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("offline_format 'orc'") != std::string::npos);
}
