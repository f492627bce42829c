// Recovery from log records whose CRC is good but whose content is not: each
// is skipped and named (file, byte, record, field) while every intact record
// before and after it is kept. The first two are a fuzzer's findings: a huge
// event time converted to int64 out of range, and a record with no values
// for an existing group, read past its end.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "features/store.h"
#include "features/wal.h"
#include "test_util.h"

using namespace fk::features;
using namespace fk::features::test;
using KV = std::vector<std::pair<std::string, std::string>>;

namespace {

std::string Joined(const std::vector<std::string>& v) {
  std::string s;
  for (auto& x : v) s += x + "\n";
  return s;
}

}  // namespace

TEST_CASE("features/recovery: CRC-valid records with bad content are skipped and named; every good one is kept") {
  const auto dir = ScratchDir("bad_content");
  double now = 2e9;
  uint64_t uid = 0;
  {
    auto s = OpenAt(dir, &now);
    REQUIRE(s->CreateGroup(UsersGroup()).ok());
    uid = s->DescribeGroup("users")->uid;
    REQUIRE(s->Put("users", KV{{"user_id", "u0"}, {"ts", "100"}, {"age", "30"}}).ok());
  }  // closed: segment 1 sealed and materialized
  // Segment 2, as a crash before its checkpoint would leave it: good, bad, good.
  auto good = [&](const char* id, double t) {
    WalRecord r;
    r.group_uid = uid;
    r.event_time = t;
    r.api_time_us = int64_t(now * 1e6);
    const std::string ts = std::to_string(int(t));
    r.values = {id, ts, "41", "Lima"};
    std::string f;
    AppendWalFrame(&f, r);
    return f;
  };
  WalRecord huge_time;
  huge_time.group_uid = uid;
  huge_time.event_time = 1e300;
  huge_time.api_time_us = int64_t(now * 1e6);
  huge_time.values = {"u8", "1e300", "", ""};
  WalRecord no_values = huge_time;
  no_values.event_time = 200;
  no_values.values.clear();
  WalRecord nan_ttl = huge_time;
  nan_ttl.event_time = 200;
  nan_ttl.ttl_seconds = std::numeric_limits<double>::quiet_NaN();
  nan_ttl.values = {"u9", "200", "", ""};
  std::string log = good("u1", 150);
  const size_t huge_at = log.size();
  AppendWalFrame(&log, huge_time);
  const size_t none_at = log.size();
  AppendWalFrame(&log, no_values);
  AppendWalFrame(&log, nan_ttl);
  log += good("u2", 160);
  const std::string seg = dir + "/wal/000002.log";
  WriteText(seg, log);

  auto s = OpenAt(dir, &now);
  REQUIRE(s);
  const std::string notes = Joined(s->RecoveryNotes());
  INFO(notes);
  CHECK(notes.find(seg + ": byte " + std::to_string(huge_at) +
                   ": record 1 of group 'users' skipped: event time 1e+300 is outside years 0000..9999") !=
        std::string::npos);
  CHECK(notes.find(seg + ": byte " + std::to_string(none_at) +
                   ": record 2 of group 'users' skipped: value count 0, group 'users' has 4 features") !=
        std::string::npos);
  CHECK(notes.find("record 3 of group 'users' skipped: ttl nan is not >= 0") != std::string::npos);
  // Nothing already stored is lost, nothing after the bad records either.
  CHECK(s->Get("users", "u0").ok());
  CHECK(s->Get("users", "u1").ok());
  CHECK(s->Get("users", "u2").ok());
  CHECK_FALSE(s->Get("users", "u8").ok());
  CHECK_FALSE(s->Get("users", "u9").ok());
  CHECK(s->ListGroups()[0].online_records == 3);
  // The offline store (written for segment 2 on this Open) and the history the
  // point-in-time join reads hold the good records only.
  auto h = s->History("users");
  REQUIRE(h.ok());
  CHECK(h->size() == 3);
  CHECK(h->count("u8") == 0);
  std::string offline;
  for (const std::string& line : OfflineRows(dir + "/offline")) offline += line + "\n";
  CHECK(offline.find("u1,150,") != std::string::npos);
  CHECK(offline.find("u2,160,") != std::string::npos);
  CHECK(offline.find("u8") == std::string::npos);
  // Verify keeps reporting them: they are still in the log.
  auto v = s->Verify();
  CHECK_FALSE(v.ok);
  REQUIRE(v.errors.size() == 3);
  CHECK(v.errors[0].file == seg);
  CHECK(v.errors[0].offset == huge_at);
  CHECK(v.errors[1].message == "record skipped: value count 0, group 'users' has 4 features");
}

TEST_CASE("features/recovery: event times outside years 0000..9999 are refused on Put and Delete, not converted") {
  const auto dir = ScratchDir("time_range");
  double now = 2e9;
  auto s = OpenAt(dir, &now);
  REQUIRE(s->CreateGroup(UsersGroup()).ok());
  auto r = s->Put("users", KV{{"user_id", "u1"}, {"ts", "1e300"}});
  REQUIRE_FALSE(r.ok());
  CHECK(r.message() == "feature 'ts': event time '1e300' is outside years 0000..9999");
  CHECK_FALSE(s->Put("users", KV{{"user_id", "u1"}, {"ts", "-1e20"}}).ok());
  CHECK(s->Put("users", KV{{"user_id", "u1"}, {"ts", "253402300799"}}).ok());  // 9999-12-31T23:59:59Z
  auto d = s->Delete("users", "u1", 1e300, DeleteMode::Soft);
  REQUIRE_FALSE(d.ok());
  CHECK(d.message() == "ValidationError: event time out-of-range time 1e+300 (years 0000..9999)");
  CHECK(FormatIso8601(std::nan("")) == "out-of-range time nan");
  CHECK(FormatIso8601(253402300799.0) == "9999-12-31T23:59:59.000Z");
}
