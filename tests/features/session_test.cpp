// IngestSession and TrainingSetSession (features/session.h): the stages in
// order, any budget and checkpoint mode giving the same store, a resumed
// session finishing an interrupted ingest, Cancel leaving a marker, errors
// naming the file and the stage; the header reader and the role guess.
#include <doctest/doctest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "features/session.h"
#include "test_util.h"

using namespace fk::features;
using namespace fk::features::test;

namespace {
// 300 rows over 100 ids, two bad rows; entities ask for three ids at two times.
const char* kEntities = "user_id,when\nu1,1000\nu1,1250\nu99,5000\n";

std::string Csv() {
  std::string csv = "user_id,ts,age,city\n";
  for (int i = 0; i < 300; i++) {
    if (i == 40 || i == 200) {
      csv += "u" + std::to_string(i) + ",late,1,x\n";
      continue;
    }
    csv += "u" + std::to_string(i % 100) + "," + std::to_string(1000 + i) + "," + std::to_string(i) + ",c" +
           std::to_string(i % 7) + "\n";
  }
  return csv;
}

struct Fixture {
  double now = 1700000000;
  std::string dir, csv, entities;
  std::unique_ptr<FeatureStore> store;
  explicit Fixture(const std::string& name) {
    dir = ScratchDir(name);
    std::filesystem::create_directories(dir);
    csv = dir + "/users.csv";
    entities = dir + "/entities.csv";
    WriteText(csv, Csv());
    WriteText(entities, kEntities);
    store = OpenAt(dir + "/store", &now);
    REQUIRE(store);
    REQUIRE(store->CreateGroup(UsersGroup()).ok());
  }
  IngestSessionOptions Options(CheckpointMode mode) const {
    IngestSessionOptions o;
    o.group = "users";
    o.file = csv;
    o.ingest.threads = 0;  // sliced on this thread
    o.ingest.batch_rows = 16;
    o.ingest.track_progress = true;
    o.checkpoint = mode;
    TrainingSetOptions t;
    t.entities = entities;
    t.id_col = "user_id";
    t.time_col = "when";
    t.out = dir + "/set.csv";
    o.training_set = t;
    return o;
  }
};

// Runs a session to the end: the stages it went through, then "failed" if it did.
std::string RunAll(IngestSession& s, double budget) {
  std::string stages = IngestStageName(s.stage()), last = stages;
  for (bool over = false; !over;) {
    over = s.Step(budget);
    if (IngestStageName(s.stage()) != last) stages += " " + (last = IngestStageName(s.stage()));
  }
  return stages + (s.failed() ? " failed" : "");
}
}  // namespace

TEST_CASE("features/session: ingest, checkpoint, training set; any budget and checkpoint mode, the same result") {
  std::string set_bytes;
  nlohmann::json first;
  for (auto [mode, budget] : {std::pair{CheckpointMode::Sync, 1000.0}, std::pair{CheckpointMode::Slices, 0.0},
                              std::pair{CheckpointMode::Thread, 2.0}}) {
    Fixture f("session_modes");
    IngestSession s(*f.store, f.Options(mode));
    CHECK(s.Progress() == 0.f);
    CHECK(RunAll(s, budget) == "open ingest checkpoint training-set done");
    REQUIRE(s.done());
    CHECK(s.Progress() == 1.f);
    const IngestResult& r = s.result();
    CHECK(r.total == 300);
    CHECK(r.ingested == 298);
    CHECK(r.rejected == 2);
    CHECK(r.RowsDone() == 300);
    CHECK(r.summary == "ingested 298 of 300 rows (2 rejected)");
    REQUIRE(r.rejects.size() == 2);
    CHECK(r.rejects[0].line == 42);  // header is line 1
    CHECK(f.store->Verify().offline_rows == 298);  // the checkpoint wrote every logged row offline
    REQUIRE(s.training_set());
    CHECK(s.training_set()->rows == 3);
    CHECK(s.training_set()->preview.size() == 4);  // header + 3 rows
    CHECK_FALSE(std::filesystem::exists(IngestProgressPath(*f.store, "users")));  // complete: no marker
    nlohmann::json j = s.StatusJson();
    j.erase("progress");
    j.erase("detail");
    if (first.is_null()) {
      first = j;
      set_bytes = ReadText(f.dir + "/set.csv");
    } else {
      CHECK(j == first);
      CHECK(ReadText(f.dir + "/set.csv") == set_bytes);
    }
  }
  // u1 at 1250 sees its row at ts 1201 (age 201), u99 its last one (age 299).
  CHECK(set_bytes.find("u1,1250,201,c5") != std::string::npos);
  CHECK(set_bytes.find("u99,5000,299,c5") != std::string::npos);
}

TEST_CASE("features/session: Cancel leaves a marker; a resumed session logs each row once") {
  Fixture f("session_resume");
  IngestSessionOptions o = f.Options(CheckpointMode::Sync);
  o.training_set.reset();
  {
    IngestSession s(*f.store, o);
    for (int i = 0; i < 4; i++) REQUIRE_FALSE(s.Step(0.0));
    REQUIRE(s.stage() == IngestStage::Ingest);
    s.Cancel();
    CHECK(s.over());
    CHECK(s.Step(1.0));  // nothing more to do
    CHECK(s.result().RowsDone() < 300);
  }
  auto found = FindInterruptedIngests(*f.store);
  REQUIRE(found.size() == 1);
  CHECK(found[0].state == "cancelled");
  o.resume = found[0];
  IngestSession again(*f.store, o);
  CHECK(RunAll(again, 5.0) == "open ingest checkpoint done");
  CHECK(again.result().summary == "ingested 298 of 300 rows (2 rejected)");
  CHECK(f.store->Verify().log_records == 298);
  CHECK(FindInterruptedIngests(*f.store).empty());
}

TEST_CASE("features/session: errors name the file and stay at the stage where they happened") {
  Fixture f("session_errors");
  IngestSessionOptions o = f.Options(CheckpointMode::Sync);
  o.file = f.dir + "/missing.csv";
  IngestSession missing(*f.store, o);
  CHECK(missing.Step(1.0));
  CHECK(missing.stage() == IngestStage::Open);
  CHECK(missing.error().find("missing.csv") != std::string::npos);

  o = f.Options(CheckpointMode::Sync);
  o.training_set->entities = f.dir + "/no_entities.csv";
  IngestSession no_set(*f.store, o);
  CHECK(RunAll(no_set, 100.0) == "open ingest checkpoint training-set failed");
  CHECK(no_set.error() == "training set: " + f.dir + "/no_entities.csv: cannot open");
  CHECK(no_set.result().ingested == 298);  // the ingest itself went through

  TrainingSetOptions t = *f.Options(CheckpointMode::Sync).training_set;
  t.groups = {"users"};
  t.out = f.dir + "/no_such_dir/set.csv";
  TrainingSetSession unwritable(*f.store, t);
  unwritable.RunToEnd();
  CHECK(unwritable.error() == t.out + ": cannot write");
  CHECK(unwritable.StatusJson()["state"] == "failed");
}

TEST_CASE("features/session: the header reader and the role guess") {
  const std::string dir = ScratchDir("session_header");
  std::filesystem::create_directories(dir);
  WriteText(dir + "/a.csv", "Unnamed: 0,Customer_ID,signup_date,age\r\n0,C1,2024-01-01,3\n");
  auto h = ReadCsvHeader(dir + "/a.csv");
  REQUIRE(h.ok());
  CHECK(*h == std::vector<std::string>{"Unnamed: 0", "Customer_ID", "signup_date", "age"});
  RoleGuess g = GuessRoles(*h);
  CHECK(g.record_id == "Customer_ID");
  CHECK(g.event_time == "signup_date");
  g = GuessRoles({"Unnamed: 0", "name", "amount"});  // no *id, no time: the first named columns
  CHECK(g.record_id == "name");
  CHECK(g.event_time == "amount");
  WriteText(dir + "/q.csv", "a,\"b\n");
  CHECK(ReadCsvHeader(dir + "/q.csv").status().message().rfind(dir + "/q.csv:1: ", 0) == 0);
  WriteText(dir + "/empty.csv", "");
  CHECK(ReadCsvHeader(dir + "/empty.csv").status().message() == dir + "/empty.csv: cannot read a header line");
}
