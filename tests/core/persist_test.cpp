#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/persist.h"

using fk::PersistQueue;

namespace {
// A fake asynchronous store: flushes wait in `started` until the test finishes
// them, as FS.syncfs's callback does in the page; `fail` makes the next ones fail.
struct FakeSync {
  std::vector<PersistQueue::Done> started;
  double now = 1000;
  PersistQueue::Options Options() {
    PersistQueue::Options o;
    o.retry_first_ms = 100;
    o.retry_max_ms = 800;
    o.now_ms = [this] { return now; };
    return o;
  }
  PersistQueue::Sync Sync() {
    return [this](PersistQueue::Done done) { started.push_back(std::move(done)); };
  }
  void Finish(bool ok, const std::string& err = "") {
    REQUIRE_FALSE(started.empty());
    auto done = std::move(started.back());
    started.pop_back();
    done(ok, err);
  }
};
}  // namespace

TEST_CASE("core/persist: one flush at a time; saves during it schedule exactly one more") {
  FakeSync f;
  PersistQueue q(f.Sync(), f.Options());
  int saved_a = 0, saved_b = 0, saved_c = 0;
  const uint64_t a = q.Request([&] { saved_a++; });
  CHECK(f.started.size() == 1);
  CHECK(q.Report().in_flight);
  CHECK_FALSE(q.Report().pending);
  // Two saves while the flush is in flight: it may have read the files before
  // them, so they are pending, and they share one more flush.
  const uint64_t b = q.Request([&] { saved_b++; });
  const uint64_t c = q.Request([&] { saved_c++; });
  CHECK(f.started.size() == 1);
  CHECK(q.Report().pending);
  f.now = 1200;
  f.Finish(true);
  CHECK(saved_a == 1);
  CHECK((saved_b == 0 && saved_c == 0));  // not covered by the first flush
  CHECK(q.Saved(a));
  CHECK_FALSE(q.Saved(b));
  CHECK(q.Report().last_ok_at == 1200);
  REQUIRE(f.started.size() == 1);  // exactly one more, started at once
  CHECK(q.Report().in_flight);
  CHECK_FALSE(q.Report().pending);
  f.Finish(true);
  CHECK((saved_b == 1 && saved_c == 1));
  CHECK(q.Saved(c));
  CHECK(f.started.empty());
  CHECK_FALSE(q.Report().in_flight);
  CHECK(saved_a == 1);  // each waiter runs once
}

TEST_CASE("core/persist: a failed flush is retried with backoff and reported until one succeeds") {
  FakeSync f;
  PersistQueue q(f.Sync(), f.Options());
  bool saved = false;
  const uint64_t t = q.Request([&] { saved = true; });
  f.Finish(false, "QuotaExceededError");
  auto r = q.Report();
  CHECK_FALSE(saved);
  CHECK_FALSE(q.Saved(t));
  CHECK(r.failures == 1);
  CHECK(r.last_error == "QuotaExceededError");
  CHECK(r.pending);  // the save still has to reach storage
  CHECK_FALSE(r.in_flight);
  CHECK(r.retry_at == doctest::Approx(1100));
  // No retry before the backoff elapses, not even for a new save.
  f.now = 1099;
  q.Tick();
  q.Request();
  CHECK(f.started.empty());
  f.now = 1100;
  q.Tick();
  REQUIRE(f.started.size() == 1);
  f.Finish(false, "QuotaExceededError");
  CHECK(q.Report().failures == 2);
  CHECK(q.Report().retry_at == doctest::Approx(1300));  // doubled
  // Backoff doubles up to the cap.
  for (int i = 0; i < 6; i++) {
    f.now = q.Report().retry_at;
    q.Tick();
    REQUIRE(f.started.size() == 1);
    f.Finish(false, "still failing");
  }
  CHECK(q.Report().failures == 8);
  CHECK(q.Report().retry_at - f.now == doctest::Approx(800));
  CHECK(q.Report().last_error == "still failing");
  CHECK_FALSE(saved);
  // Storage works again: the retry stores everything, the error clears.
  f.now = q.Report().retry_at;
  q.Tick();
  f.Finish(true);
  r = q.Report();
  CHECK(saved);
  CHECK(r.failures == 0);
  CHECK(r.last_error.empty());
  CHECK(r.last_ok_at == f.now);
  CHECK_FALSE(r.pending);
  CHECK(r.retry_at == 0);
  CHECK(r.saved == r.requested);
}

TEST_CASE("core/persist: Flush (page hidden or closing) retries at once and leaves a flush in flight alone") {
  FakeSync f;
  PersistQueue q(f.Sync(), f.Options());
  q.Request();
  q.Flush();  // in flight: nothing more
  CHECK(f.started.size() == 1);
  f.Finish(false, "closed database");
  CHECK(f.started.empty());
  q.Flush();  // skips the backoff
  REQUIRE(f.started.size() == 1);
  f.Finish(true);
  q.Flush();  // nothing unsaved: no flush
  CHECK(f.started.empty());
}

TEST_CASE("core/persist: a late or repeated done() is ignored") {
  FakeSync f;
  PersistQueue q(f.Sync(), f.Options());
  q.Request();
  REQUIRE(f.started.size() == 1);
  PersistQueue::Done first = f.started.back();
  first(true, "");
  CHECK(q.Report().saved == 1);
  q.Request();
  first(false, "stale");  // the old flush's callback again: not the one in flight
  CHECK(q.Report().in_flight);
  CHECK(q.Report().failures == 0);
  CHECK(q.Report().saved == 1);
}

TEST_CASE("core/persist: a synchronous flush (native) and no flush at all (headless) report the same way") {
  double now = 5000;
  PersistQueue::Options o;
  o.now_ms = [&] { return now; };
  int flushes = 0;
  bool fail = false;
  PersistQueue q([&](PersistQueue::Done done) {
                   flushes++;
                   done(!fail, fail ? "EIO" : "");
                 },
                 o);
  int saved = 0;
  // A waiter that saves again (e.g. a job that writes once more when told it
  // is stored) must not recurse into the flush in progress.
  q.Request([&] {
    saved++;
    q.Request([&] { saved++; });
  });
  CHECK(flushes == 2);
  CHECK(saved == 2);
  auto r = q.Report();
  CHECK_FALSE(r.in_flight);
  CHECK_FALSE(r.pending);
  CHECK(r.last_ok_at == 5000);
  fail = true;
  q.Request();
  CHECK(q.Report().failures == 1);
  CHECK(q.Report().last_error == "EIO");
  fail = false;
  now += 600;
  q.Tick();
  CHECK(q.Report().failures == 0);
  CHECK(flushes == 4);

  PersistQueue none({}, o);
  bool done = false;
  const uint64_t t = none.Request([&] { done = true; });
  CHECK(done);
  CHECK(none.Saved(t));
  CHECK(none.Report().last_ok_at == now);
}

TEST_CASE("core/persist: a flush that never answers fails after the timeout and is retried") {
  FakeSync f;
  auto o = f.Options();
  o.timeout_ms = 5000;
  PersistQueue q(f.Sync(), o);
  q.Request();
  REQUIRE(f.started.size() == 1);
  PersistQueue::Done lost = f.started.back();
  f.started.clear();
  f.now += 4999;
  q.Tick();
  CHECK(q.Report().in_flight);
  f.now += 1;
  q.Tick();
  CHECK_FALSE(q.Report().in_flight);
  CHECK(q.Report().failures == 1);
  CHECK(q.Report().last_error.find("no answer") != std::string::npos);
  lost(true, "");  // the lost flush answers after all: too late, ignored
  CHECK(q.Report().failures == 1);
  CHECK(q.Report().saved == 0);
  f.now += 100;
  q.Tick();
  REQUIRE(f.started.size() == 1);
  f.Finish(true);
  CHECK(q.Report().saved == 1);
}
