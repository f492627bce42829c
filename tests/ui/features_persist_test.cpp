// The Feature Store panel and persistence, headless: an ingest says "done"
// only once its data is flushed (a fake asynchronous flush, as IndexedDB's),
// a flush that keeps failing is an error the user sees until a retry works,
// and an ingest cut off earlier is listed with Resume and resumed.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "features/demo_data.h"
#include "features/ingest.h"
#include "features/store.h"
#include "fk_imconfig.h"
#include "demo_data.h"
#include "headless_app.h"
#include "ui/app_state.h"
#include "ui/panels.h"

namespace {


// Flushes wait here until the test answers them, as FS.syncfs's callback.
struct FakeFlush {
  std::vector<fk::PersistQueue::Done> waiting;
  int started = 0;
  void Install(fk::ui::AppState& app) {
    app.platform.persist = [this](fk::PersistQueue::Done done) {
      started++;
      waiting.push_back(std::move(done));
    };
  }
  void AnswerAll(bool ok, const std::string& err = "") {
    auto w = std::move(waiting);
    waiting.clear();
    for (auto& d : w) d(ok, err);
  }
};
}  // namespace

TEST_CASE("ui/features: the demo says done only after its data is flushed; a failing flush is shown until it works") {
  HeadlessApp h(__func__);
  h.app.State().platform.data_dir = WriteFeaturesDemo("features_persist_data");
  FakeFlush flush;
  flush.Install(h.app.State());
  REQUIRE(h.app.Run("features-demo", {}));
  // Flushes answered as they come (the ingest waits for its marker's), until
  // the work ends: then "saving" while the last flush has not answered, never "done".
  for (int i = 0; i < 100000 && h.Status()["features"]["state"] != "saving"; i++) {
    CHECK(h.Status()["features"]["state"] != "done");
    h.Frames(1);
    if (h.Status()["features"]["state"] != "saving") flush.AnswerAll(true);
  }
  auto s = h.Status();
  REQUIRE(s["features"]["state"] == "saving");
  CHECK(s["features"]["records"] == 400);
  CHECK(s["persist"]["in_flight"] == true);
  for (const char* k : {"in_flight", "pending", "last_ok_at", "last_error", "failures"}) CHECK(s["persist"].contains(k));
  // Answer flushes as they come; the marker's and the periodic ones go through.
  for (int i = 0; i < 20 && h.Status()["features"]["state"] == "saving"; i++) {
    h.Frames(2);
    CHECK(h.Status()["features"]["state"] == "saving");
    // The flush in flight may predate the last write: answering it alone is not enough.
    flush.AnswerAll(true);
    h.Frames(1);
  }
  s = h.Status();
  CHECK(s["features"]["state"] == "done");
  CHECK(s["persist"]["in_flight"] == false);
  CHECK(s["persist"]["pending"] == false);
  CHECK(s["persist"]["last_ok_at"].get<double>() > 0);
  CHECK(s["persist"]["failures"] == 0);
  CHECK(s["errors"].empty());

  // Storage starts failing: a save is retried; the second failure is an error the user sees.
  const int before = flush.started;
  h.app.SetSetting("probe", "1");
  REQUIRE(flush.waiting.size() == 1);
  flush.AnswerAll(false, "QuotaExceededError: simulated");
  h.Frames(1);
  s = h.Status();
  CHECK(s["persist"]["failures"] == 1);
  CHECK(s["persist"]["last_error"] == "QuotaExceededError: simulated");
  CHECK(s["persist"]["pending"] == true);
  CHECK(s["errors"].empty());  // one failure may be a race; the retry decides
  h.FramesUntil([&](const nlohmann::json&) { return !flush.waiting.empty(); }, 10);  // the retry, after its backoff
  REQUIRE(flush.waiting.size() == 1);
  CHECK(flush.started == before + 2);
  flush.AnswerAll(false, "QuotaExceededError: simulated");
  h.Frames(1);
  s = h.Status();
  CHECK(s["persist"]["failures"] == 2);
  REQUIRE(s["errors"].size() == 1);
  const std::string err = s["errors"][0];
  CHECK(err.find("NOT saved") != std::string::npos);
  CHECK(err.find("QuotaExceededError: simulated") != std::string::npos);
  // Dismiss hides it for a frame only: the save still is not stored.
  h.app.State().errors.clear();
  h.Frames(1);
  CHECK(h.Status()["errors"].size() == 1);
  // Storage works again: the next retry stores it and the error goes.
  h.FramesUntil([&](const nlohmann::json&) { return !flush.waiting.empty(); }, 10);
  REQUIRE(flush.waiting.size() == 1);
  flush.AnswerAll(true);
  h.Frames(1);
  s = h.Status();
  CHECK(s["persist"]["failures"] == 0);
  CHECK(s["persist"]["last_error"] == "");
  CHECK(s["persist"]["pending"] == false);
  CHECK(s["errors"].empty());
  CHECK(fk::ui::ImAssertFailures() == 0);
}

TEST_CASE("ui/features: an ingest cut off earlier is listed on open and Resume finishes it, each row once") {
  HeadlessApp h(__func__);
  h.app.State().platform.data_dir = WriteFeaturesDemo("features_resume_data");
  const std::string store_dir = h.platform.user_dir + "/features";
  const std::string csv = h.app.State().platform.data_dir + "/features/customers.csv";
  uint64_t cut_at = 0;
  {  // An earlier session: the group created, its ingest cut off after a few batches.
    auto s = fk::features::FeatureStore::Open(store_dir);
    REQUIRE(s.ok());
    fk::features::InferOptions io;
    io.name = "customers";
    io.record_id = "customer_id";
    io.event_time = "event_time";
    auto schema = fk::features::InferSchemaFromCsv(csv, io);
    REQUIRE(schema.ok());
    REQUIRE((*s)->CreateGroup(schema->group).ok());
    fk::features::IngestOptions o;
    o.threads = 0;
    o.batch_rows = 100;
    o.track_progress = true;
    fk::features::IngestJob job(**s, "customers", csv, o);
    REQUIRE(job.Start().ok());
    for (int i = 0; i < 3; i++) REQUIRE_FALSE(job.Step(0.0));
    cut_at = job.Progress().RowsDone();
    REQUIRE(cut_at > 0);
    REQUIRE(cut_at < 4003);
  }  // destroyed mid-way, as when the desktop app closes: 'cancelled' at cut_at
  h.app.OpenPanel("Feature Store");
  h.Frames(2);
  auto f = h.Status()["features"];
  REQUIRE(f["interrupted"].size() == 1);
  CHECK(f["interrupted"][0]["message"] ==
        "ingest of customers.csv into 'customers' was cancelled at " + std::to_string(cut_at) + " of 4003 rows");
  CHECK(f["interrupted"][0]["rows_done"] == cut_at);
  CHECK(h.Status()["items"].contains("features.resume"));
  auto& st = h.app.State().features;
  const fk::features::IngestProgress p = st.interrupted[0];
  REQUIRE(fk::ui::StartFeaturesIngest(h.app.State(), p.group, p.file, "", &p));
  h.FramesUntil([](const nlohmann::json& s) { return s["features"]["state"] == "done" || s["features"]["state"] == "failed"; });
  f = h.Status()["features"];
  REQUIRE(f["state"] == "done");
  CHECK(f["summary"] == "ingested 4000 of 4003 rows (3 rejected)");
  CHECK(f["rejects"].size() == 3);
  CHECK(f["records"] == 400);
  CHECK(f["interrupted"].empty());
  CHECK(st.store->Verify().log_records == 4000);  // no row logged twice
  CHECK_FALSE(std::filesystem::exists(fk::features::IngestProgressPath(*st.store, "customers")));
  CHECK(fk::ui::ImAssertFailures() == 0);
}
