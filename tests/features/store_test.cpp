#include <doctest/doctest.h>

#include <filesystem>

#include "features/store.h"
#include "test_util.h"

using namespace fk::features;
using namespace fk::features::test;
using KV = std::vector<std::pair<std::string, std::string>>;

namespace {
std::string AgeOf(FeatureStore& s, const std::string& id) {
  auto r = s.Get("users", id);
  if (!r) return "missing";
  return r->Find("age")->text;
}
// Every offline row of the users group, in file order.
// Both formats as CSV lines (Parquet values as text; test_util.h).
std::string OfflineText(const std::string& dir) {
  std::string all;
  for (const std::string& line : OfflineRows(dir + "/offline/users")) all += line + "\n";
  return all;
}
}  // namespace

TEST_CASE("features/store: the newer event time wins online; an older record goes to the offline store only") {
  const auto dir = ScratchDir("newer_wins");
  double now = 2e9;
  auto s = OpenAt(dir, &now);
  REQUIRE(s);
  REQUIRE(s->CreateGroup(UsersGroup()).ok());
  REQUIRE(s->Put("users", KV{{"user_id", "u1"}, {"ts", "100"}, {"age", "30"}}).ok());
  REQUIRE(s->Put("users", KV{{"user_id", "u1"}, {"ts", "50"}, {"age", "99"}}).ok());
  CHECK(AgeOf(*s, "u1") == "30");
  REQUIRE(s->Put("users", KV{{"user_id", "u1"}, {"ts", "100"}, {"age", "31"}}).ok());  // same time: later write
  CHECK(AgeOf(*s, "u1") == "31");
  REQUIRE(s->Checkpoint().ok());
  const std::string off = OfflineText(dir);
  CHECK(off.find("u1,50,99,,") != std::string::npos);
  CHECK(off.find("u1,100,30,,") != std::string::npos);
  // The same answer after a reopen (rebuilt from the log).
  s.reset();
  s = OpenAt(dir, &now);
  REQUIRE(s);
  CHECK(AgeOf(*s, "u1") == "31");
  auto sub = s->Get("users", "u1", {"age"});
  REQUIRE(sub.ok());
  CHECK(sub->values.size() == 1);
  CHECK_FALSE(s->Get("users", "u1", {"nope"}).ok());
}

TEST_CASE("features/store: puts with bad values are refused whole") {
  const auto dir = ScratchDir("put_refused");
  double now = 2e9;
  auto s = OpenAt(dir, &now);
  REQUIRE(s->CreateGroup(UsersGroup()).ok());
  CHECK_FALSE(s->Put("users", KV{{"user_id", "u1"}, {"ts", "100"}, {"age", "x"}}).ok());
  CHECK_FALSE(s->Put("users", KV{{"user_id", "u1"}, {"ts", "soon"}}).ok());
  CHECK_FALSE(s->Put("users", KV{{"ts", "100"}}).ok());
  CHECK_FALSE(s->Put("users", KV{{"user_id", "u1"}, {"ts", "100"}, {"zzz", "1"}}).ok());
  CHECK_FALSE(s->Put("nogroup", KV{{"user_id", "u1"}, {"ts", "100"}}).ok());
  CHECK(s->Get("users", "u1").status().message().rfind("not found", 0) == 0);
}

TEST_CASE("features/store: soft and hard deletes follow SageMaker's DeleteRecord rules") {
  const auto dir = ScratchDir("deletes");
  double now = 2e9;
  auto s = OpenAt(dir, &now);
  REQUIRE(s->CreateGroup(UsersGroup()).ok());
  REQUIRE(s->Put("users", KV{{"user_id", "a"}, {"ts", "100"}, {"age", "1"}}).ok());
  REQUIRE(s->Put("users", KV{{"user_id", "b"}, {"ts", "100"}, {"age", "2"}}).ok());

  SUBCASE("a soft delete older than the record leaves it online but still writes the marker") {
    REQUIRE(s->Delete("users", "a", 90, DeleteMode::Soft).ok());
    CHECK(AgeOf(*s, "a") == "1");
    REQUIRE(s->Checkpoint().ok());
    CHECK(OfflineText(dir).find("a,90,,,") != std::string::npos);
  }
  SUBCASE("a soft delete at the same event time does not delete (it must be later)") {
    REQUIRE(s->Delete("users", "a", 100, DeleteMode::Soft).ok());
    CHECK(AgeOf(*s, "a") == "1");
  }
  SUBCASE("a later soft delete hides the record, and an older put cannot bring it back") {
    REQUIRE(s->Delete("users", "a", 110, DeleteMode::Soft).ok());
    CHECK(AgeOf(*s, "a") == "missing");
    REQUIRE(s->Put("users", KV{{"user_id", "a"}, {"ts", "105"}, {"age", "7"}}).ok());
    CHECK(AgeOf(*s, "a") == "missing");
    REQUIRE(s->Put("users", KV{{"user_id", "a"}, {"ts", "120"}, {"age", "8"}}).ok());
    CHECK(AgeOf(*s, "a") == "8");
    REQUIRE(s->Checkpoint().ok());
    const std::string off = OfflineText(dir);
    CHECK(off.find("a,110,,,") != std::string::npos);
    CHECK(off.find(",true\n") != std::string::npos);
  }
  SUBCASE("an older hard delete fails and writes no marker") {
    auto st = s->Delete("users", "b", 90, DeleteMode::Hard);
    CHECK_FALSE(st.ok());
    CHECK(st.message().find("ValidationError") != std::string::npos);
    CHECK(AgeOf(*s, "b") == "2");
    REQUIRE(s->Checkpoint().ok());
    CHECK(OfflineText(dir).find("b,90") == std::string::npos);
  }
  SUBCASE("a later hard delete removes the record completely, so an older put is accepted again") {
    REQUIRE(s->Delete("users", "b", 110, DeleteMode::Hard).ok());
    CHECK(AgeOf(*s, "b") == "missing");
    REQUIRE(s->Put("users", KV{{"user_id", "b"}, {"ts", "50"}, {"age", "5"}}).ok());
    CHECK(AgeOf(*s, "b") == "5");
  }
  // Whatever happened, a reopen replays to the same state.
  const std::string a = AgeOf(*s, "a"), b = AgeOf(*s, "b");
  s.reset();
  s = OpenAt(dir, &now);
  CHECK(AgeOf(*s, "a") == a);
  CHECK(AgeOf(*s, "b") == b);
}

TEST_CASE("features/store: TTL per group and per record hides expired records") {
  const auto dir = ScratchDir("ttl");
  double now = 1000;
  auto s = OpenAt(dir, &now);
  REQUIRE(s->CreateGroup(UsersGroup(/*ttl=*/100)).ok());
  REQUIRE(s->Put("users", KV{{"user_id", "g"}, {"ts", "950"}, {"age", "1"}}).ok());
  PutOptions longer;
  longer.ttl_seconds = 500;
  REQUIRE(s->Put("users", KV{{"user_id", "r"}, {"ts", "950"}, {"age", "2"}}, longer).ok());
  CHECK(AgeOf(*s, "g") == "1");
  now = 1049.9;
  CHECK(AgeOf(*s, "g") == "1");
  now = 1050;  // event time + TTL: expired
  CHECK(AgeOf(*s, "g") == "missing");
  CHECK(s->Get("users", "g").status().message().find("expired") != std::string::npos);
  CHECK(AgeOf(*s, "r") == "2");
  now = 1450;
  CHECK(AgeOf(*s, "r") == "missing");
}

TEST_CASE("features/store: batch get reports per-id errors and leaves ids past 100 unprocessed") {
  const auto dir = ScratchDir("batch_get");
  double now = 2e9;
  auto s = OpenAt(dir, &now);
  REQUIRE(s->CreateGroup(UsersGroup()).ok());
  for (int i = 0; i < 5; i++)
    REQUIRE(s->Put("users", KV{{"user_id", "u" + std::to_string(i)}, {"ts", "1"}, {"age", std::to_string(i)}}).ok());
  std::vector<RecordIdentifier> ids = {{"users", "u1"}, {"users", "nobody"}, {"ghosts", "u1"}, {"users", "u4"}};
  for (int i = 0; i < 100; i++) ids.push_back({"users", "u0"});
  auto r = s->BatchGet(ids, {"age"});
  CHECK(r.records.size() == 2 + 96);
  CHECK(r.records[0].id == "u1");
  CHECK(r.records[1].Find("age")->text == "4");
  REQUIRE(r.errors.size() == 2);
  CHECK(r.errors[0].code == "RecordNotFound");
  CHECK(r.errors[1].code == "ResourceNotFound");
  CHECK(r.unprocessed.size() == 4);
}

TEST_CASE("features/store: deleting a group drops its online records and keeps the offline files") {
  const auto dir = ScratchDir("delete_group");
  double now = 2e9;
  auto s = OpenAt(dir, &now);
  REQUIRE(s->CreateGroup(UsersGroup()).ok());
  REQUIRE(s->Put("users", KV{{"user_id", "u1"}, {"ts", "100"}, {"age", "3"}}).ok());
  auto d = s->DescribeGroup("users");
  REQUIRE(d.ok());
  CHECK(d->created == 2e9);
  REQUIRE(s->DeleteGroup("users").ok());
  CHECK(s->ListGroups().empty());
  CHECK_FALSE(s->Get("users", "u1").ok());
  CHECK(OfflineText(dir).find("u1,100,3") != std::string::npos);
  // Re-created under the same name: a new group, the old records do not return.
  REQUIRE(s->CreateGroup(UsersGroup()).ok());
  CHECK(AgeOf(*s, "u1") == "missing");
  s.reset();
  s = OpenAt(dir, &now);
  CHECK(AgeOf(*s, "u1") == "missing");
  CHECK(s->Verify().ok);
}

TEST_CASE("features/store: offline rows land in Hive partitions by event time with the three extra columns") {
  const auto dir = ScratchDir("partitions");
  double now = 1709300000;
  auto s = OpenAt(dir, &now);
  FeatureGroup g = UsersGroup();
  g.features[1].type = FeatureType::String;  // ISO-8601 event time
  g.offline_format = OfflineFormat::Csv;
  REQUIRE(s->CreateGroup(g).ok());
  REQUIRE(s->Put("users", KV{{"user_id", "u1"}, {"ts", "2024-03-01T12:34:56Z"}, {"city", "Oslo, NO"}}).ok());
  REQUIRE(s->Put("users", KV{{"user_id", "u2"}, {"ts", "2024-03-01T13:00:00Z"}}).ok());
  REQUIRE(s->Checkpoint().ok());
  const std::string p = dir + "/offline/users/year=2024/month=03/day=01/hour=12/part-000001.csv";
  REQUIRE(std::filesystem::exists(p));
  CHECK(std::filesystem::exists(dir + "/offline/users/year=2024/month=03/day=01/hour=13/part-000001.csv"));
  CHECK(std::filesystem::exists(dir + "/offline/users/_schema.json"));
  const std::string text = ReadText(p);
  CHECK(text.rfind("user_id,ts,age,city,write_time,api_invocation_time,is_deleted\n", 0) == 0);
  CHECK(text.find("u1,2024-03-01T12:34:56Z,,\"Oslo, NO\",2024-03-01T13:33:20.000Z,2024-03-01T13:33:20.000Z,false\n") !=
        std::string::npos);
  auto v = s->Verify();
  CHECK(v.ok);
  CHECK(v.offline_rows == 2);
  CHECK(v.records == 2);
}

#if !defined(__EMSCRIPTEN__)
TEST_CASE("features/store: a second open of the same store is refused while the first is open") {
  const auto dir = ScratchDir("lock");
  double now = 2e9;
  auto a = OpenAt(dir, &now);
  REQUIRE(a);
  auto b = FeatureStore::Open(dir);
  CHECK_FALSE(b.ok());
  CHECK(b.status().message().find("another process") != std::string::npos);
  a.reset();
  CHECK(FeatureStore::Open(dir).ok());
}
#endif

TEST_CASE("features/store: a stepwise checkpoint writes the same offline files as one call, in slices") {
  for (OfflineFormat format : {OfflineFormat::Csv, OfflineFormat::Parquet}) {
    CAPTURE(int(format));
    double now = 2e9;
    std::string one, stepped;
    for (int mode = 0; mode < 2; mode++) {
      const auto dir = ScratchDir(std::string(mode ? "cp_step" : "cp_one") + (format == OfflineFormat::Csv ? "_csv" : "_pq"));
      auto s = OpenAt(dir, &now);
      FeatureGroup g = UsersGroup();
      g.offline_format = format;
      REQUIRE(s->CreateGroup(g).ok());
      // 5,000 records over 50 hours: formatting takes more than one slice (2,000 records
      // a chunk), and a partition's records straddle the chunk boundaries.
      for (int i = 0; i < 5000; i++)
        REQUIRE(s->Put("users", {{"user_id", "u" + std::to_string(i % 700)},
                                 {"ts", std::to_string(1700000000 + 36 * i)},
                                 {"age", std::to_string(i)}}).ok());
      int steps = 0;
      if (mode == 0) {
        REQUIRE(s->Checkpoint().ok());
      } else {
        for (bool done = false; !done; steps++) REQUIRE(s->CheckpointStep(0.0, &done).ok());
        CHECK(steps > 50);  // a zero budget still writes one part per slice
      }
      auto rep = s->Verify();
      CHECK(rep.ok);
      CHECK(rep.offline_rows == 5000);
      (mode ? stepped : one) = OfflineText(dir);
    }
    CHECK(one.size() > 5000 * 10);
    CHECK(one == stepped);
  }
}
