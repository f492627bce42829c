#include <doctest/doctest.h>

#include "features/ingest.h"
#include "test_util.h"

using namespace fk::features;
using namespace fk::features::test;

namespace {
const char* kBadCsv =
    "user_id,ts,age,city\n"
    "u1,100,1,Oslo\n"
    "u2,100,1\n"                   // line 3: wrong column count
    "u3,100,one,Oslo\n"            // line 4: type mismatch
    ",100,1,Oslo\n"                // line 5: missing id
    "u5,,1,Oslo\n"                 // line 6: missing event time
    "u6,100,1,Os\xffo\n"           // line 7: not UTF-8
    "u7,2024-01-01T00:00:00Z,1,x\n"  // line 8: wrong time format for a Fractional event time
    "u8,\"100\",2,\"Rome, IT\"\n"
    "\n"
    "u9,101,3,Paris\r\n";
}  // namespace

TEST_CASE("features/ingest: bad rows are rejected with reasons and the rest ingested") {
  const auto dir = ScratchDir("ingest_bad");
  double now = 2e9;
  auto s = OpenAt(dir, &now);
  REQUIRE(s->CreateGroup(UsersGroup()).ok());
  IngestOptions o;
  o.threads = 0;  // sliced on this thread, as in the browser
  o.batch_rows = 2;
  IngestJob job(*s, "users", kBadCsv, "bad.csv", o);
  REQUIRE(job.Start().ok());
  int steps = 0;
  while (!job.Step(0.0)) steps++;
  CHECK(steps > 0);
  CHECK(job.Result().ok());
  CHECK(job.TotalRows() == 9);
  CHECK(job.Ingested() == 3);
  CHECK(job.Rejected() == 6);
  CHECK(job.Summary() == "ingested 3 of 9 rows (6 rejected)");
  auto r = job.Rejects();
  REQUIRE(r.size() == 6);
  CHECK(r[0].line == 3);
  CHECK(r[0].reason == "3 columns, header has 4");
  CHECK(r[1].line == 4);
  CHECK(r[1].reason.find("not Integral") != std::string::npos);
  CHECK(r[2].reason.find("missing record id") != std::string::npos);
  CHECK(r[3].reason.find("missing event time") != std::string::npos);
  CHECK(r[4].reason == "not UTF-8");
  CHECK(r[5].line == 8);
  CHECK(r[5].reason.find("Unix seconds") != std::string::npos);
  for (const char* id : {"u2", "u3", "u5", "u6", "u7"}) CHECK_FALSE(s->Get("users", id).ok());  // never half-written
  auto u8 = s->Get("users", "u8");
  REQUIRE(u8.ok());
  CHECK(u8->Find("city")->text == "Rome, IT");
  CHECK(s->Get("users", "u9").ok());
  auto w = job.Workers();
  REQUIRE(w.size() == 1);
  CHECK(w[0].rows_done == 9);
  CHECK(w[0].finished);
}

TEST_CASE("features/ingest: a header that does not match the group is refused before any row") {
  const auto dir = ScratchDir("ingest_header");
  double now = 2e9;
  auto s = OpenAt(dir, &now);
  REQUIRE(s->CreateGroup(UsersGroup()).ok());
  IngestOptions o;
  o.threads = 0;
  IngestJob missing(*s, "users", "user_id,ts,age\nu1,1,1\n", "m.csv", o);
  CHECK(missing.Start().message().find("'city' has no column") != std::string::npos);
  IngestJob extra(*s, "users", "user_id,ts,age,city,zip\nu1,1,1,x,1\n", "e.csv", o);
  CHECK(extra.Start().message().find("'zip' is not a feature") != std::string::npos);
  IngestJob indexed(*s, "users", ",user_id,ts,age,city\n0,u1,1,1,x\n", "i.csv", o);  // pandas index: skipped
  CHECK(indexed.Run().ok());
  CHECK(indexed.Ingested() == 1);
}

#if !defined(__EMSCRIPTEN__)
TEST_CASE("features/ingest: two worker threads split the file and ingest every row once") {
  const auto dir = ScratchDir("ingest_threads");
  double now = 2e9;
  auto s = OpenAt(dir, &now);
  REQUIRE(s->CreateGroup(UsersGroup()).ok());
  std::string csv = "user_id,ts,age,city\n";
  for (int i = 0; i < 5000; i++) csv += "u" + std::to_string(i) + "," + std::to_string(1000 + i) + "," + std::to_string(i) + ",c\n";
  IngestOptions o;
  o.threads = 2;
  o.batch_rows = 64;
  uint64_t last_durable = 0;
  s->SetOnDurable([&](uint64_t n) { last_durable = n; });
  IngestJob job(*s, "users", csv, "t.csv", o);
  REQUIRE(job.Run().ok());
  CHECK(job.Ingested() == 5000);
  CHECK(last_durable == 5000);
  auto w = job.Workers();
  REQUIRE(w.size() == 2);
  CHECK(w[0].ingested + w[1].ingested == 5000);
  CHECK(w[0].ingested > 0);
  CHECK(w[1].ingested > 0);
  for (int i = 0; i < 5000; i += 499) CHECK(s->Get("users", "u" + std::to_string(i))->Find("age")->text == std::to_string(i));
  CHECK(s->Verify().ok);
}
#endif
