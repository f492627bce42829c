// PersistQueue: decides when user data written to the (virtual) file system is
// flushed to durable storage (IndexedDB in the page, the disk natively) and
// knows whether it got there. The platform only runs one flush and reports its
// outcome; the rules live here so they can be tested without a browser:
//   - one flush in flight at a time; a save during a flush schedules exactly
//     one more (the flush in flight may have read the files before the save);
//   - a failed flush is retried with exponential backoff, and a save is never
//     reported saved until a flush that started after it succeeded;
//   - Flush() (page hidden or closing) retries at once instead of waiting.
//
//   PersistQueue q([](PersistQueue::Done done) { StartFlush(done); });  // done(ok, error) exactly once
//   q.Request([] { state = "done"; });   // after writing the files: "done" only once they are stored
//   q.Tick();                             // every frame: starts a retry that is due
//   q.Report();                           // in_flight, pending, last_ok_at, last_error, failures
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace fk {

struct PersistReport {
  bool in_flight = false;   // a flush has started and not finished
  bool pending = false;     // saves the flush in flight does not cover (another flush or a retry follows)
  double last_ok_at = 0;    // wall clock, ms since the Unix epoch, of the last successful flush; 0 = none
  std::string last_error;   // why the latest flush failed; empty once a flush succeeds
  int failures = 0;         // failed flushes in a row (0 after a success)
  double retry_at = 0;      // wall clock ms of the next retry; 0 = none scheduled
  uint64_t requested = 0;   // saves requested so far (tickets)
  uint64_t saved = 0;       // every ticket <= saved is in durable storage
};

struct PersistOptions {
  double retry_first_ms = 500;    // the first retry; each further failure doubles it
  double retry_max_ms = 16000;
  double timeout_ms = 30000;      // a flush that never reports back counts as failed after this
  std::function<double()> now_ms;  // wall clock in ms; empty = the system clock (tests pass a fake)
};

class PersistQueue {
 public:
  using Done = std::function<void(bool ok, const std::string& error)>;
  // Starts one flush and calls done exactly once, possibly before returning
  // (natively the flush is a synchronous call). Empty: nothing to flush, every
  // save counts as stored when requested (headless tests write real files).
  using Sync = std::function<void(Done done)>;
  using Options = PersistOptions;

  explicit PersistQueue(Sync sync = {}, Options opt = {});
  PersistQueue(const PersistQueue&) = delete;
  PersistQueue& operator=(const PersistQueue&) = delete;
  void SetSync(Sync sync) { sync_ = std::move(sync); }

  // Call after writing data that must survive: returns its ticket. on_saved
  // runs once, when a flush that started after this call has succeeded.
  uint64_t Request(std::function<void()> on_saved = {});
  bool Saved(uint64_t ticket) const { return ticket <= saved_; }
  // Starts a retry whose backoff has elapsed, and fails a flush that has not
  // answered within timeout_ms (its late answer is then ignored). Cheap; call every frame.
  void Tick();
  // The page is being hidden or closed: retry a failed flush now, and start
  // one for saves not yet flushed (a flush in flight is left to finish).
  void Flush();
  PersistReport Report() const;

 private:
  struct Waiter {
    uint64_t ticket;
    std::function<void()> fn;
  };
  void Start();
  void Finish(uint64_t flush_id, bool ok, const std::string& error);
  double Now() const;

  Sync sync_;
  Options opt_;
  bool in_flight_ = false;
  bool starting_ = false;      // inside sync_(): a synchronous done() must not start another flush re-entrantly
  uint64_t flush_id_ = 0;      // identifies the flush in flight (a late or repeated done() is ignored)
  uint64_t requested_ = 0;     // last ticket handed out
  uint64_t covering_ = 0;      // the last ticket the flush in flight covers
  uint64_t saved_ = 0;
  double last_ok_at_ = 0;
  std::string last_error_;
  int failures_ = 0;
  double retry_at_ = 0;
  double started_at_ = 0;      // wall clock ms when the flush in flight started
  std::vector<Waiter> waiters_;
};

}  // namespace fk
