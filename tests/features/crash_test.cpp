// Durability under SIGKILL: a child process ingests with group commit and
// reports each durable count through a pipe; the parent kills it at a seeded
// random report, reopens the store and checks every acknowledged record.
// Native only: no fork in the browser build.
#include <doctest/doctest.h>

#if !defined(__EMSCRIPTEN__)
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "core/rng.h"
#include "features/ingest.h"
#include "test_util.h"

using namespace fk::features;
using namespace fk::features::test;

TEST_CASE("features/crash: SIGKILL at 20 random points during ingest loses no acknowledged record") {
  const int kRows = 6000;
  std::string csv = "user_id,ts,age,city\n";
  for (int i = 0; i < kRows; i++)
    csv += "u" + std::to_string(i) + "," + std::to_string(1000 + i % 7200) + "," + std::to_string(i) + ",c" +
           std::to_string(i % 13) + "\n";
  fk::Rng rng(20240601);
  int killed_mid_ingest = 0;
  for (int iter = 0; iter < 20; iter++) {
    CAPTURE(iter);
    const std::string dir = ScratchDir("crash_" + std::to_string(iter));
    {
      auto s = FeatureStore::Open(dir);
      REQUIRE(s.ok());
      REQUIRE((*s)->CreateGroup(UsersGroup()).ok());
    }
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {  // child: real fsyncs, two workers, small batches = many commits
      close(fds[0]);
      auto s = FeatureStore::Open(dir);
      if (!s) _exit(3);
      (*s)->SetOnDurable([&](uint64_t n) {
        if (write(fds[1], &n, sizeof n) != sizeof n) _exit(4);
      });
      IngestOptions o;
      o.threads = 2;
      o.batch_rows = 64;
      IngestJob job(**s, "users", csv, "crash.csv", o);
      _exit(job.Run().ok() ? 0 : 5);  // skips destructors on purpose: like a crash after the last ack
    }
    close(fds[1]);
    const uint32_t kill_at = 1 + rng.Below(110);  // ~94 commits in a full run: some kills come late
    uint64_t acked = 0, n = 0;
    uint32_t reports = 0;
    while (read(fds[0], &n, sizeof n) == sizeof n) {
      acked = std::max(acked, n);
      if (++reports == kill_at) {
        kill(pid, SIGKILL);
        killed_mid_ingest++;
        break;
      }
    }
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    auto s = FeatureStore::Open(dir);
    REQUIRE_MESSAGE(s.ok(), s.status().message());
    // How many records reach the disk before the kill varies from run to run, so
    // they are counted here and checked once: the suite's assertion count stays fixed.
    uint64_t present = 0, damaged = 0;
    std::string first_damaged;
    for (int i = 0; i < kRows; i++) {
      auto r = (*s)->Get("users", "u" + std::to_string(i));
      if (!r) continue;
      present++;
      const FeatureValue* age = r->Find("age");
      if (age && age->text == std::to_string(i)) continue;  // present means intact
      if (damaged++ == 0)
        first_damaged = "u" + std::to_string(i) + ": age " + (age ? "'" + age->text + "'" : std::string("missing"));
    }
    CHECK_MESSAGE(damaged == 0, damaged << " damaged record(s), first " << first_damaged);
    CHECK(present >= acked);
    auto v = (*s)->Verify();
    CHECK_MESSAGE(v.ok, (v.errors.empty() ? "" : v.errors[0].file + ": " + v.errors[0].message));
    CHECK(v.records == present);
    s->reset();
    std::filesystem::remove_all(dir);
  }
  CHECK(killed_mid_ingest >= 10);
}
#endif
