#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/job.h"

using fk::JobRunner;
using fk::JobState;

namespace {
// A job that counts to n, one count per slice.
fk::Job Counter(int* count, int n, JobState* finished = nullptr) {
  return fk::MakeJob(
      "count",
      [count, n](fk::JobContext& ctx) {
        ++*count;
        ctx.SetProgress(float(*count) / float(n));
        return *count >= n;
      },
      [finished](JobState s) {
        if (finished) *finished = s;
      });
}
}  // namespace

TEST_CASE("core/job: a sliced job runs to the end across pumps and reports progress") {
  JobRunner r;
  int count = 0;
  JobState finished = JobState::Idle;
  REQUIRE(r.Start(Counter(&count, 1000, &finished)));
  CHECK(r.State() == JobState::Running);
  r.Pump(0.0);  // a zero budget still makes progress: at least one slice
  CHECK(count >= 1);
  CHECK(r.Progress() > 0.f);
  CHECK(r.RunToEnd() == JobState::Done);
  CHECK(count == 1000);
  CHECK(r.Progress() == doctest::Approx(1.0));
  CHECK(finished == JobState::Done);
  CHECK_FALSE(r.Busy());
}

TEST_CASE("core/job: cancel stops a running job before it finishes") {
  JobRunner r;
  int count = 0;
  JobState finished = JobState::Idle;
  REQUIRE(r.Start(Counter(&count, 1 << 30, &finished)));
  r.Pump(0.0);
  r.Cancel();
  r.Pump(1.0);
  CHECK(r.State() == JobState::Cancelled);
  CHECK(finished == JobState::Cancelled);
  CHECK(count < (1 << 30));
}

TEST_CASE("core/job: a second job is refused while one runs, accepted after") {
  JobRunner r;
  int a = 0, b = 0;
  REQUIRE(r.Start(Counter(&a, 10)));
  CHECK_FALSE(r.Start(Counter(&b, 10)));
  r.RunToEnd();
  CHECK(r.Start(Counter(&b, 10)));
  r.RunToEnd();
  CHECK(b == 10);
}

TEST_CASE("core/job: a failing step ends the job as Failed with its message") {
  JobRunner r;
  REQUIRE(r.Start(fk::MakeJob("fail", [](fk::JobContext& ctx) {
    ctx.Fail("model.fks: truncated at byte 12");
    return false;
  })));
  CHECK(r.RunToEnd() == JobState::Failed);
  CHECK(r.Error() == "model.fks: truncated at byte 12");
}

#if !defined(__EMSCRIPTEN__)
TEST_CASE("core/job: a threaded job finishes on the worker and delivers on_finish on Pump") {
  JobRunner r;
  int count = 0;
  JobState finished = JobState::Idle;
  REQUIRE(r.Start(Counter(&count, 100000, &finished), /*threaded=*/true));
  CHECK(r.RunToEnd() == JobState::Done);
  CHECK(count == 100000);
  CHECK(finished == JobState::Done);
}

TEST_CASE("core/job: a threaded job can be cancelled") {
  JobRunner r;
  int count = 0;
  REQUIRE(r.Start(Counter(&count, 1 << 30), true));
  r.Cancel();
  CHECK(r.RunToEnd() == JobState::Cancelled);
}
#endif

TEST_CASE("core/job: an enqueued job waits for the running one, then starts by itself") {
  JobRunner r;
  int a = 0, b = 0;
  JobState fa = JobState::Idle, fb = JobState::Idle;
  r.Enqueue(Counter(&a, 5, &fa));  // idle runner: starts now
  CHECK(r.State() == JobState::Running);
  fk::Job second = Counter(&b, 7, &fb);
  second.label = "second";
  r.Enqueue(std::move(second));
  CHECK(r.Has("count"));
  CHECK(r.Has("second"));
  CHECK_FALSE(r.Has("third"));
  REQUIRE(r.QueuedLabels().size() == 1);
  r.Pump(0.0);
  CHECK(b == 0);  // nothing of the second job runs before the first ends
  CHECK(r.RunToEnd() == JobState::Done);
  CHECK(a == 5);
  CHECK(b == 7);
  CHECK(fa == JobState::Done);
  CHECK(fb == JobState::Done);
  CHECK(r.QueuedLabels().empty());
  CHECK_FALSE(r.Has("second"));
}

TEST_CASE("core/job: CancelAll cancels the running job and tells the queued ones") {
  JobRunner r;
  int a = 0, b = 0;
  JobState fa = JobState::Idle, fb = JobState::Idle;
  r.Enqueue(Counter(&a, 1 << 30, &fa));
  r.Enqueue(Counter(&b, 10, &fb));
  r.Pump(0.0);
  r.CancelAll();
  CHECK(fb == JobState::Cancelled);
  r.RunToEnd();
  CHECK(fa == JobState::Cancelled);
  CHECK(b == 0);
  CHECK_FALSE(r.Busy());
}

TEST_CASE("core/job: the longest step is named by the detail it started with; the first one as the first") {
  int slow = 0;
  std::string expected;
  SUBCASE("the first step") { slow = 0, expected = "first step of named"; }
  SUBCASE("a later step") { slow = 2, expected = "step 2"; }
  JobRunner r;
  int step = 0;
  REQUIRE(r.Start(fk::MakeJob("named", [&step, slow](fk::JobContext& ctx) {
    // Each step names the next one as it ends (as the panels' jobs do); the
    // slow step is given by `slow`.
    auto spin = [] {
      const auto t0 = std::chrono::steady_clock::now();
      while (std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(250)) {
      }
    };
    if (step == slow) spin();
    ctx.SetDetail("step " + std::to_string(step + 1));
    return ++step >= 3;
  })));
  CHECK(r.RunToEnd() == JobState::Done);
  CHECK(r.MaxStepMs() >= 250.0);
  CHECK(r.MaxStepDetail() == expected);
  CHECK(r.MaxStepEverWhat() == "named: " + expected);
  // The next job starts its own longest step; the runner's longest over every job stays.
  REQUIRE(r.Start(fk::MakeJob("quick", [](fk::JobContext&) { return true; })));
  CHECK(r.RunToEnd() == JobState::Done);
  CHECK(r.MaxStepEverMs() >= 250.0);
  CHECK(r.MaxStepEverMs() >= r.MaxStepMs());
  if (r.MaxStepMs() < 250.0) CHECK(r.MaxStepEverWhat() == "named: " + expected);  // unless "quick" was descheduled that long
}

TEST_CASE("core/job: a person's job pauses a sliced background job, runs first, and the background job resumes where it was") {
  JobRunner r;
  int bg_steps = 0, fg_steps = 0;
  std::vector<std::string> order;
  fk::Job bg = fk::MakeJob("table", [&](fk::JobContext& ctx) {
    order.push_back("bg");
    ctx.SetProgress(float(++bg_steps) / 6);
    return bg_steps >= 6;
  }, [&](JobState s) { order.push_back(std::string("bg ") + fk::JobStateName(s)); });
  bg.background = true;
  r.Enqueue(std::move(bg));
  // Two slices of the table, then the person clicks.
  for (int i = 0; i < 2; i++) {
    order.push_back("frame");
    r.Pump(0);  // one step per frame (the deadline has passed after the first)
  }
  REQUIRE(bg_steps == 2);
  r.Enqueue(fk::MakeJob("forecast", [&](fk::JobContext&) {
    order.push_back("fg");
    return ++fg_steps >= 2;
  }, [&](JobState s) { order.push_back(std::string("fg ") + fk::JobStateName(s)); }));
  CHECK(r.Label() == "forecast");  // started at once, not after the table
  CHECK(r.Has("table"));
  CHECK(r.QueuedLabels() == std::vector<std::string>{"table"});
  CHECK(r.RunToEnd() == JobState::Done);
  CHECK(fg_steps == 2);
  CHECK(bg_steps == 6);  // resumed from step 3, not restarted
  const std::vector<std::string> want = {"frame", "bg", "frame", "bg", "fg", "fg", "fg done",
                                         "bg", "bg", "bg", "bg", "bg done"};
  CHECK(order == want);
  CHECK(r.Label() == "table");
  CHECK(r.Progress() == doctest::Approx(1.0));
}

TEST_CASE("core/job: background jobs never pause for each other; CancelAll cancels a paused job too") {
  JobRunner r;
  int a = 0, b = 0;
  JobState fa = JobState::Idle, fb = JobState::Idle;
  fk::Job ja = fk::MakeJob("a", [&](fk::JobContext&) { return ++a >= 100; }, [&](JobState s) { fa = s; });
  ja.background = true;
  r.Enqueue(std::move(ja));
  r.Pump(0);
  fk::Job jb = fk::MakeJob("b", [&](fk::JobContext&) { return ++b >= 100; }, [&](JobState s) { fb = s; });
  jb.background = true;
  r.Enqueue(std::move(jb));
  CHECK(r.Label() == "a");  // a second background job waits its turn
  r.Enqueue(fk::MakeJob("c", [&](fk::JobContext&) { return false; }));  // a person's job: a pauses
  CHECK(r.Label() == "c");
  CHECK(r.QueuedLabels() == std::vector<std::string>{"a", "b"});
  r.CancelAll();
  r.RunToEnd();
  CHECK(fa == JobState::Cancelled);
  CHECK(fb == JobState::Cancelled);
  CHECK(a == 1);
  CHECK(b == 0);
  CHECK_FALSE(r.Busy());
  CHECK(r.QueuedLabels().empty());
}
