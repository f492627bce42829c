// An ingest cut off (a page reload, a crash, Cancel) is found again from its
// progress marker and resumed: every good row in the log exactly once.
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "features/ingest.h"
#include "test_util.h"

using namespace fk::features;
using namespace fk::features::test;

namespace {
// 600 rows over 150 ids (each id four times, newer event times later), a bad
// row every 97th line: what a resumed ingest must log is easy to count.
std::string Csv(int* good) {
  std::string csv = "user_id,ts,age,city\n";
  *good = 0;
  for (int i = 0; i < 600; i++) {
    if (i % 97 == 50) {
      csv += "bad" + std::to_string(i) + ",not-a-time,1,x\n";
      continue;
    }
    csv += "u" + std::to_string(i % 150) + "," + std::to_string(1000 + i) + "," + std::to_string(i) + ",c" +
           std::to_string(i % 7) + "\n";
    ++*good;
  }
  return csv;
}

IngestOptions Sliced() {
  IngestOptions o;
  o.threads = 0;  // sliced on this thread, as in the page
  o.batch_rows = 16;
  o.track_progress = true;
  return o;
}

// What the page's storage holds after a reload: the store's files as they
// were at the last flush (here: between two slices, when nothing is half-written).
void Snapshot(const std::string& from, const std::string& to) {
  std::filesystem::remove_all(to);
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
  std::filesystem::remove(to + "/LOCK");
}

void CheckComplete(FeatureStore& s, int good) {
  // Every id holds its newest row, and the log holds each good row once.
  for (int id = 0; id < 150; id++) {
    int newest = -1;
    for (int i = id; i < 600; i += 150)
      if (i % 97 != 50) newest = i;
    auto r = s.Get("users", "u" + std::to_string(id));
    REQUIRE(r.ok());
    CHECK(r->Find("age")->text == std::to_string(newest));
  }
  auto v = s.Verify();
  CHECK(v.ok);
  CHECK(v.log_records == uint64_t(good));
}
}  // namespace

// A fresh store on a fixed clock with the users group created, and the users CSV (good = its valid rows).
struct UsersStore {
  std::string dir;
  double now = 2e9;
  int good = 0;
  std::string csv;
  std::unique_ptr<FeatureStore> s;
  explicit UsersStore(const std::string& name) : dir(ScratchDir(name)), csv(Csv(&good)), s(OpenAt(dir, &now)) {
    REQUIRE(s->CreateGroup(UsersGroup()).ok());
  }
};

TEST_CASE("features/ingest resume: a reload mid-ingest is found on open and resumed with no row lost or twice") {
  const auto dir = ScratchDir("resume_reload");
  const auto copy = ScratchDir("resume_reload_copy");
  double now = 2e9;
  int good = 0;
  const std::string csv = Csv(&good);
  uint64_t rows_at_reload = 0;
  {
    auto s = OpenAt(dir, &now);
    REQUIRE(s->CreateGroup(UsersGroup()).ok());
    IngestJob job(*s, "users", csv, "users.csv", Sliced());
    REQUIRE(job.Start().ok());
    // The marker exists before the first row: a reload at once still leaves word.
    CHECK(std::filesystem::exists(IngestProgressPath(*s, "users")));
    for (int i = 0; i < 9; i++) REQUIRE_FALSE(job.Step(0.0));
    rows_at_reload = job.Progress().RowsDone();
    CHECK(rows_at_reload > 0);
    CHECK(rows_at_reload < 600);
    Snapshot(dir, copy);  // the page goes away here: no destructor, no last word
  }
  auto s = OpenAt(copy, &now);
  REQUIRE(s);
  std::vector<std::string> notes;
  auto found = FindInterruptedIngests(*s, &notes);
  CHECK(notes.empty());
  REQUIRE(found.size() == 1);
  const IngestProgress& p = found[0];
  CHECK(p.state == "running");
  CHECK(p.group == "users");
  CHECK(p.RowsDone() == rows_at_reload);
  CHECK(p.total_rows == 600);
  CHECK(p.Describe() == "ingest of users.csv into 'users' stopped at " + std::to_string(rows_at_reload) + " of 600 rows");
  // What the marker counts as ingested is what the log holds.
  CHECK(s->Verify().log_records == p.Ingested());

  IngestJob again(*s, "users", csv, "users.csv", Sliced());
  REQUIRE(again.Resume(p).ok());
  while (!again.Step(0.0)) {
  }
  REQUIRE(again.Result().ok());
  CHECK(again.Summary() == "ingested " + std::to_string(good) + " of 600 rows (" + std::to_string(600 - good) +
                               " rejected)");
  const auto rejects = again.Rejects();  // those before the reload too, by line
  REQUIRE(rejects.size() == size_t(600 - good));
  CHECK(rejects[0].line == 52);
  CHECK(rejects[0].reason.find("ts") != std::string::npos);
  CheckComplete(*s, good);
  CHECK_FALSE(std::filesystem::exists(IngestProgressPath(*s, "users")));  // ended complete: no marker
  CHECK(FindInterruptedIngests(*s).empty());
}

TEST_CASE("features/ingest resume: Cancel leaves a 'cancelled' marker; resuming twice in a row still logs each row once") {
  UsersStore u("resume_cancel");
  auto& [dir, now, good, csv, s] = u;
  {
    IngestJob job(*s, "users", csv, "users.csv", Sliced());
    REQUIRE(job.Start().ok());
    for (int i = 0; i < 5; i++) REQUIRE_FALSE(job.Step(0.0));
    job.Cancel();
    while (!job.Step(0.0)) {
    }
  }
  auto found = FindInterruptedIngests(*s);
  REQUIRE(found.size() == 1);
  CHECK(found[0].state == "cancelled");
  CHECK(found[0].Describe().find("was cancelled at ") != std::string::npos);
  {  // resumed, cut off again (the job destroyed mid-way: the desktop app closing)
    IngestJob job(*s, "users", csv, "users.csv", Sliced());
    REQUIRE(job.Resume(found[0]).ok());
    for (int i = 0; i < 7; i++) REQUIRE_FALSE(job.Step(0.0));
  }
  found = FindInterruptedIngests(*s);
  REQUIRE(found.size() == 1);
  CHECK(found[0].state == "cancelled");
  CHECK(s->Verify().log_records == found[0].Ingested());
  IngestJob last(*s, "users", csv, "users.csv", Sliced());
  REQUIRE(last.Resume(found[0]).ok());
  REQUIRE(last.Run().ok());
  CHECK(last.Ingested() == uint64_t(good));
  CheckComplete(*s, good);
}

TEST_CASE("features/ingest resume: another file, a re-created group or a damaged marker are refused with reasons") {
  UsersStore u("resume_refuse");
  auto& [dir, now, good, csv, s] = u;
  {
    IngestJob job(*s, "users", csv, "users.csv", Sliced());
    REQUIRE(job.Start().ok());
    REQUIRE_FALSE(job.Step(0.0));
    job.Cancel();
    job.Step(0.0);
  }
  auto found = FindInterruptedIngests(*s);
  REQUIRE(found.size() == 1);
  // The same length, one byte different.
  std::string changed = csv;
  changed[changed.size() - 3] = 'X';
  IngestJob other(*s, "users", changed, "users.csv", Sliced());
  const auto st = other.Resume(found[0]);
  CHECK(st.message().find("not the file the ingest started on") != std::string::npos);
  CHECK(s->Verify().log_records == found[0].Ingested());  // nothing logged

  // A damaged marker is kept and said, never half-trusted.
  const std::string path = IngestProgressPath(*s, "users");
  const std::string good_text = ReadText(path);
  {
    auto j = nlohmann::json::parse(good_text);
    j["ranges"] = 7;
    WriteText(path, j.dump());
  }
  std::vector<std::string> notes;
  CHECK(FindInterruptedIngests(*s, &notes).empty());
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].find(path + ": ranges is missing or not a non-empty array") != std::string::npos);
  CHECK(std::filesystem::exists(path));
  auto bad = IngestProgressFromJson(
      "{\"group\":\"users\",\"group_uid\":1,\"file\":\"f\",\"file_bytes\":10,\"file_print\":1,\"total_rows\":1,"
      "\"state\":\"running\",\"error\":\"\",\"ranges\":[{\"begin\":0,\"end\":10,\"pos\":11,\"line_no\":1,"
      "\"rows_total\":1,\"rows_done\":0,\"ingested\":0,\"rejected\":0}]}",
      "m.json");
  CHECK(bad.status().message() == "m.json: ranges[0].pos: 11 is not within 0..10 of a 10-byte file");
  WriteText(path, good_text);

  // The group deleted and created again: the marker is another group's; it goes.
  REQUIRE(s->DeleteGroup("users").ok());
  REQUIRE(s->CreateGroup(UsersGroup()).ok());
  notes.clear();
  CHECK(FindInterruptedIngests(*s, &notes).empty());
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].find("the group was deleted since") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(path));
  IngestJob stale(*s, "users", csv, "users.csv", Sliced());
  CHECK(stale.Resume(found[0]).message().find("deleted and created again") != std::string::npos);
}

#if !defined(__EMSCRIPTEN__)
TEST_CASE("features/ingest resume: two worker threads cancelled mid-way resume their own ranges") {
  UsersStore u("resume_threads");
  auto& [dir, now, good, csv, s] = u;
  IngestOptions o = Sliced();
  o.threads = 2;
  o.batch_rows = 8;
  IngestProgress p;
  {
    std::atomic<int> batches{0};
    IngestJob* cut = nullptr;
    IngestOptions first = o;
    // Cut off after a few batches: each worker stops before its next one.
    first.on_batch = [&] {
      if (++batches == 5) cut->Cancel();
    };
    IngestJob job(*s, "users", csv, "users.csv", first);
    cut = &job;
    REQUIRE(job.Start().ok());
    while (!job.Step(1.0)) {
    }
    p = job.Progress();
    CHECK(p.RowsDone() < 100);
  }
  auto found = FindInterruptedIngests(*s);
  REQUIRE(found.size() == 1);
  REQUIRE(found[0].ranges.size() == 2);
  CHECK(found[0].RowsDone() == p.RowsDone());
  CHECK(s->Verify().log_records == found[0].Ingested());
  IngestJob again(*s, "users", csv, "users.csv", o);
  REQUIRE(again.Resume(found[0]).ok());
  REQUIRE(again.Run().ok());
  CHECK(again.Ingested() == uint64_t(good));
  CHECK(again.Workers().size() == 2);
  CheckComplete(*s, good);
}
#endif

TEST_CASE("features/ingest resume: a marker for a file path and reject reason with odd bytes is valid JSON and reads back") {
  IngestProgress p;
  p.group = "users";
  p.file = "dir \"x\"\\y \xC3\xA9 \xFF.csv";
  p.file_bytes = 10;
  p.state = "failed";
  p.error = "line 3: bad byte \xFE";
  p.ranges.push_back({0, 10, 5, 2, 3, 2, 1, 1});
  p.rejects.push_back({2, "feature 'name': \xFF is not UTF-8"});
  std::string text;
  REQUIRE_NOTHROW(text = p.ToJson());
  CHECK(nlohmann::json::accept(text));
  auto back = IngestProgressFromJson(text, "marker");
  REQUIRE(back.ok());
  CHECK(back->file == "dir \"x\"\\y \xC3\xA9 \xEF\xBF\xBD.csv");
  CHECK(back->error == "line 3: bad byte \xEF\xBF\xBD");
  REQUIRE(back->rejects.size() == 1);
  CHECK(back->rejects[0].reason == "feature 'name': \xEF\xBF\xBD is not UTF-8");
  CHECK(back->ranges.size() == 1);
}
