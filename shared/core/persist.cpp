#include "core/persist.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace fk {

PersistQueue::PersistQueue(Sync sync, Options opt) : sync_(std::move(sync)), opt_(std::move(opt)) {}

double PersistQueue::Now() const {
  if (opt_.now_ms) return opt_.now_ms();
  using namespace std::chrono;
  return duration<double, std::milli>(system_clock::now().time_since_epoch()).count();
}

uint64_t PersistQueue::Request(std::function<void()> on_saved) {
  const uint64_t ticket = ++requested_;
  if (on_saved) waiters_.push_back({ticket, std::move(on_saved)});
  // In flight: this save waits for the next flush (pending). After a failure:
  // it waits for the retry, so a stream of saves does not hammer a failing store.
  Start();
  return ticket;
}

void PersistQueue::Start() {
  if (starting_) return;  // called back from inside sync_ or a waiter: the loop below picks it up
  starting_ = true;
  while (!in_flight_ && retry_at_ == 0 && requested_ > saved_) {
    in_flight_ = true;
    started_at_ = Now();
    covering_ = requested_;
    const uint64_t id = ++flush_id_;
    if (!sync_) {
      Finish(id, true, "");
    } else {
      sync_([this, id](bool ok, const std::string& error) { Finish(id, ok, error); });
    }
  }
  starting_ = false;
}

void PersistQueue::Finish(uint64_t flush_id, bool ok, const std::string& error) {
  if (!in_flight_ || flush_id != flush_id_) return;  // a second done() for one flush
  in_flight_ = false;
  if (ok) {
    saved_ = covering_;
    last_ok_at_ = Now();
    last_error_.clear();
    failures_ = 0;
    retry_at_ = 0;
  } else {
    failures_++;
    last_error_ = error.empty() ? "the flush failed without saying why" : error;
    const double backoff = opt_.retry_first_ms * std::pow(2.0, double(std::min(failures_ - 1, 30)));
    retry_at_ = Now() + std::min(opt_.retry_max_ms, backoff);
  }
  // Tell the saves that are now stored; a waiter may request another save.
  std::vector<std::function<void()>> ready;
  auto it = std::stable_partition(waiters_.begin(), waiters_.end(),
                                  [this](const Waiter& w) { return w.ticket > saved_; });
  for (auto w = it; w != waiters_.end(); ++w) ready.push_back(std::move(w->fn));
  waiters_.erase(it, waiters_.end());
  for (auto& fn : ready) fn();
  Start();  // the pending flush, if saves arrived meanwhile (no-op inside Start's own loop)
}

void PersistQueue::Tick() {
  // IndexedDB can drop a transaction without an event the page hears of.
  if (in_flight_ && Now() - started_at_ >= opt_.timeout_ms) {
    Finish(flush_id_, false, "no answer from storage within " + std::to_string(int(opt_.timeout_ms / 1000)) + " s");
    return;
  }
  if (in_flight_ || retry_at_ == 0 || Now() < retry_at_) return;
  retry_at_ = 0;
  Start();
}

void PersistQueue::Flush() {
  if (in_flight_) return;  // a save made during it is already pending
  retry_at_ = 0;
  Start();
}

PersistReport PersistQueue::Report() const {
  PersistReport r;
  r.in_flight = in_flight_;
  r.pending = requested_ > (in_flight_ ? covering_ : saved_);
  r.last_ok_at = last_ok_at_;
  r.last_error = last_error_;
  r.failures = failures_;
  r.retry_at = retry_at_;
  r.requested = requested_;
  r.saved = saved_;
  return r;
}

}  // namespace fk
