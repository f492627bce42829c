// Segments sealed during an ingest (StoreOptions::seal_bytes) and written to
// the offline store by the background thread: the same stored result as one
// checkpoint at the end, and a failed partition write loses nothing.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "features/ingest.h"
#include "test_util.h"

using namespace fk::features;
using namespace fk::features::test;
namespace fs = std::filesystem;

namespace {

// 3000 rows over ~50 hours; ids repeat with later event times, so which
// write wins online is decided by event time, not by worker timing.
std::string SealCsv() {
  std::string s = "user_id,ts,age,city\n";
  for (int i = 0; i < 3000; i++)
    s += "u" + std::to_string(i % 1200) + "," + std::to_string(1700000000 + i * 60) + "," + std::to_string(i % 97) +
         ",c" + std::to_string(i % 7) + "\n";
  return s;
}

struct Stored {
  std::map<std::string, std::string> online;  // id -> "age|city|ts"
  std::vector<std::string> offline;           // rows without write/api times, sorted
  size_t segments = 0;
};

Stored ReadBack(FeatureStore& s, const std::string& dir) {
  Stored out;
  for (int i = 0; i < 1200; i++) {
    auto r = s.Get("users", "u" + std::to_string(i));
    REQUIRE(r.ok());
    out.online["u" + std::to_string(i)] = r->Find("age")->text + "|" + r->Find("city")->text + "|" + r->Find("ts")->text;
  }
  for (const std::string& line : OfflineRows(dir + "/offline/users")) {
    // user_id,ts,age,city,write_time,api_invocation_time,is_deleted: drop the two times
    const size_t c4 = line.find(',', line.find(',', line.find(',', line.find(',') + 1) + 1) + 1);
    out.offline.push_back(line.substr(0, c4) + line.substr(line.rfind(',')));
  }
  std::sort(out.offline.begin(), out.offline.end());
  for (auto& e : fs::directory_iterator(dir + "/wal")) out.segments += e.path().extension() == ".log";
  return out;
}

}  // namespace

TEST_CASE("features/seal: same online and offline result for any thread count and seal size") {
  const std::string csv = SealCsv();
  std::vector<Stored> results;
  struct Config {
    int threads;
    uint64_t seal_bytes;
  };
  for (Config c : {Config{1, 0}, Config{2, 4096}, Config{3, 20000}}) {
    CAPTURE(c.threads);
    CAPTURE(c.seal_bytes);
    const auto dir = ScratchDir("seal_same_" + std::to_string(c.threads));
    double now = 2e9;
    StoreOptions so;
    so.now = [&now] { return now; };
    so.fsync = false;
    so.seal_bytes = c.seal_bytes;
    auto s = FeatureStore::Open(dir, so);
    REQUIRE(s.ok());
    REQUIRE((*s)->CreateGroup(UsersGroup()).ok());
    uint64_t durable = 0;
    (*s)->SetOnDurable([&](uint64_t n) { durable = std::max(durable, n); });
    IngestOptions o;
    o.threads = c.threads;
    o.batch_rows = 64;
    IngestJob job(**s, "users", csv, "seal.csv", o);
    REQUIRE(job.Run().ok());
    CHECK(job.Ingested() == 3000);
    CHECK(durable == 3000);  // counted since Open across every sealed segment
    REQUIRE((*s)->Checkpoint().ok());
    results.push_back(ReadBack(**s, dir));
    CHECK(results.back().offline.size() == 3000);
#if !defined(__EMSCRIPTEN__)
    // Sealed during the ingest (the page has no background thread: one segment there).
    if (c.seal_bytes) CHECK(results.back().segments > 3);
#endif
    VerifyReport v = (*s)->Verify();
    CHECK(v.ok);
    CHECK(v.offline_rows == 3000);
  }
  CHECK(results[0].segments == 1);
  for (size_t k = 1; k < results.size(); k++) {
    CHECK(results[k].online == results[0].online);
    CHECK(results[k].offline == results[0].offline);
  }
}

TEST_CASE("features/seal: a failed partition write loses nothing acknowledged, finished later or on open") {
  const std::string csv = SealCsv();
  for (bool reopen : {false, true}) {
    CAPTURE(reopen);
    const auto dir = ScratchDir(reopen ? "seal_fail_reopen" : "seal_fail");
    double now = 2e9;
    StoreOptions so;
    so.now = [&now] { return now; };
    so.fsync = false;
    so.seal_bytes = 8192;
    const std::string blocker = dir + "/offline/users/year=2023";  // every row's partition folder
    {
      auto s = FeatureStore::Open(dir, so);
      REQUIRE(s.ok());
      REQUIRE((*s)->CreateGroup(UsersGroup()).ok());
      WriteText(blocker, "a file where a folder must go");
      IngestOptions o;
      o.threads = 2;
      o.batch_rows = 64;
      IngestJob job(**s, "users", csv, "seal.csv", o);
      REQUIRE(job.Run().ok());  // acknowledged: durable and online, whatever the offline writer does
      CHECK(job.Ingested() == 3000);
      fk::Status st = (*s)->Checkpoint();
      CHECK_FALSE(st.ok());
      CHECK(st.message().find("offline") != std::string::npos);
      CHECK((*s)->Get("users", "u1199").ok());
      if (!reopen) {
        fs::remove(blocker);
        REQUIRE((*s)->Checkpoint().ok());  // the failed segments are written now
        CHECK(ReadBack(**s, dir).offline.size() == 3000);
      }
    }  // with the blocker still there, closing fails the same way: the log keeps it all
    if (reopen) fs::remove(blocker);
    auto s = FeatureStore::Open(dir, so);  // segments without their .offline marker are written on open
    REQUIRE(s.ok());
    const Stored back = ReadBack(**s, dir);
    CHECK(back.offline.size() == 3000);
    CHECK(back.online.size() == 1200);
    VerifyReport v = (*s)->Verify();
    CHECK(v.ok);
    CHECK(v.offline_rows == 3000);
  }
}
