#include "core/job.h"

#include <algorithm>

#include "core/clock.h"

namespace fk {

const char* JobStateName(JobState s) {
  switch (s) {
    case JobState::Idle: return "idle";
    case JobState::Running: return "running";
    case JobState::Done: return "done";
    case JobState::Cancelled: return "cancelled";
    case JobState::Failed: return "failed";
  }
  return "?";
}

void JobContext::Fail(std::string message) {
  std::lock_guard<std::mutex> lock(mu_);
  failed_ = true;
  failure_ = std::move(message);
}

void JobContext::SetDetail(std::string detail) {
  std::lock_guard<std::mutex> lock(mu_);
  detail_ = std::move(detail);
}

std::string JobContext::Detail() const {
  std::lock_guard<std::mutex> lock(mu_);
  return detail_;
}

Job MakeJob(std::string label, JobStep step, std::function<void(JobState)> on_finish) {
  Job j;
  j.label = std::move(label);
  j.step = std::move(step);
  j.on_finish = std::move(on_finish);
  return j;
}

JobRunner::~JobRunner() {
  Cancel();
  if (worker_.joinable()) worker_.join();
}

bool JobRunner::Start(Job job, bool threaded) {
  if (Busy()) return false;
  if (worker_.joinable()) worker_.join();
  job_ = std::move(job);
  ctx_ = std::make_unique<JobContext>();
  error_.clear();
  started_ms_ = NowMs();
  ended_ms_ = 0;
  max_step_ms_ = 0;
  max_step_detail_.clear();
  state_.store(JobState::Running);
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
  threaded = false;  // a single-threaded page: slices on the UI loop only
#endif
  if (threaded) {
    worker_ = std::thread([this] {
      while (state_.load() == JobState::Running) {
        if (ctx_->Cancelled()) { Finish(JobState::Cancelled); break; }
        bool done = job_.step(*ctx_);
        {
          std::lock_guard<std::mutex> lock(ctx_->mu_);
          if (ctx_->failed_) { error_ = ctx_->failure_; }
        }
        if (!error_.empty()) { Finish(JobState::Failed); break; }
        if (done) { ctx_->SetProgress(1.f); Finish(JobState::Done); break; }
      }
    });
  }
  return true;
}

void JobRunner::Finish(JobState s) {
  ended_ms_ = NowMs();
  state_.store(s);
  finish_pending_.store(true);
}

void JobRunner::Deliver() {
  if (!finish_pending_.exchange(false)) return;
  if (worker_.joinable()) worker_.join();
  if (job_.on_finish) job_.on_finish(state_.load());
  if (!Busy()) StartNext();  // on_finish may itself have started a job
}

// Queued foreground jobs first, then the paused background job, then the rest in order.
void JobRunner::StartNext() {
  auto fg = std::find_if(queue_.begin(), queue_.end(), [](const auto& q) { return !q.first.background; });
  if (fg == queue_.end() && paused_) {
    std::unique_ptr<Paused> p = std::move(paused_);
    job_ = std::move(p->job);
    ctx_ = std::move(p->ctx);
    error_.clear();
    started_ms_ = p->started_ms;
    ended_ms_ = 0;
    max_step_ms_ = p->max_step_ms;
    max_step_detail_ = std::move(p->max_step_detail);
    state_.store(JobState::Running);
    return;
  }
  if (fg == queue_.end()) fg = queue_.begin();
  if (fg == queue_.end()) return;
  auto next = std::move(*fg);
  queue_.erase(fg);
  Start(std::move(next.first), next.second);
}

void JobRunner::Enqueue(Job job, bool threaded) {
  if (!Busy() && queue_.empty() && !paused_) {
    Start(std::move(job), threaded);
    return;
  }
  // A person's job pauses a sliced background job between two of its steps (Pump is not
  // inside a step here), instead of waiting the whole table out.
  if (!job.background && job_.background && !paused_ && state_.load() == JobState::Running &&
      !worker_.joinable() && !in_step_ && !finish_pending_.load() && !ctx_->Cancelled()) {
    paused_ = std::make_unique<Paused>();
    paused_->job = std::move(job_);
    paused_->ctx = std::move(ctx_);
    paused_->started_ms = started_ms_;
    paused_->max_step_ms = max_step_ms_;
    paused_->max_step_detail = std::move(max_step_detail_);
    state_.store(JobState::Idle);
    Start(std::move(job), threaded);
    return;
  }
  queue_.emplace_back(std::move(job), threaded);
}

bool JobRunner::Has(const std::string& label) const {
  if (Busy() && job_.label == label) return true;
  if (paused_ && paused_->job.label == label) return true;
  for (const auto& q : queue_)
    if (q.first.label == label) return true;
  return false;
}

std::vector<std::string> JobRunner::QueuedLabels() const {
  std::vector<std::string> out;
  if (paused_) out.push_back(paused_->job.label);
  for (const auto& q : queue_) out.push_back(q.first.label);
  return out;
}

void JobRunner::CancelAll() {
  auto dropped = std::move(queue_);
  queue_.clear();
  std::unique_ptr<Paused> paused = std::move(paused_);
  if (paused && paused->job.on_finish) paused->job.on_finish(JobState::Cancelled);
  for (auto& q : dropped)
    if (q.first.on_finish) q.first.on_finish(JobState::Cancelled);
  Cancel();
}

void JobRunner::Pump(double budget_ms) {
  if (state_.load() == JobState::Running && !worker_.joinable()) {
    const double deadline = NowMs() + budget_ms;
    do {
      if (ctx_->Cancelled()) { Finish(JobState::Cancelled); break; }
      const std::string detail = ctx_->Detail();
      const double t0 = NowMs();
      in_step_ = true;
      bool done = job_.step(*ctx_);
      in_step_ = false;
      const double step_ms = NowMs() - t0;
      if (step_ms > max_step_ms_) {
        max_step_ms_ = step_ms;
        // What the step was doing when it started. A job's first step starts
        // before it said anything (and what it says after may already be the
        // next step's), so it is named as the first step.
        max_step_detail_ = detail.empty() ? "first step of " + job_.label : detail;
        if (step_ms > max_step_ever_ms_) {
          max_step_ever_ms_ = step_ms;
          max_step_ever_what_ = job_.label + ": " + max_step_detail_;
        }
      }
      {
        std::lock_guard<std::mutex> lock(ctx_->mu_);
        if (ctx_->failed_) error_ = ctx_->failure_;
      }
      if (!error_.empty()) { Finish(JobState::Failed); break; }
      if (done) { ctx_->SetProgress(1.f); Finish(JobState::Done); break; }
    } while (NowMs() < deadline);
  }
  Deliver();
}

JobState JobRunner::RunToEnd() {
  for (;;) {
    if (State() == JobState::Running && worker_.joinable() && !finish_pending_.load()) {
      std::this_thread::yield();
      continue;
    }
    Pump(1e9);  // runs a sliced job to its end, delivers, starts the next queued one
    if (!Busy() && queue_.empty() && !paused_) break;
  }
  return State();
}

void JobRunner::Cancel() {
  if (ctx_) ctx_->cancel_.store(true);
}

std::string JobRunner::Error() const { return error_; }

double JobRunner::ElapsedMs() const {
  if (state_.load() == JobState::Idle) return 0;
  return (ended_ms_ > 0 ? ended_ms_ : NowMs()) - started_ms_;
}

}  // namespace fk
