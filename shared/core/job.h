// Long work without freezing a frame: a Job does its work in small slices, a
// JobRunner drives it either from the UI loop (Pump with a time budget, the
// only option in a single-threaded page) or on a worker thread natively.
// Progress and Cancel are the same in both cases.
//
//   runner.Start(fk::MakeJob("Pruning", [&](fk::JobContext& ctx) {
//     if (i == n) return true;           // finished
//     DoOneLayer(i++); ctx.SetProgress(float(i) / n);
//     return false;                      // more to do
//   }));
//   each frame: runner.Pump(8.0);  draw runner.Progress(), a Cancel button -> runner.Cancel()
#pragma once
#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"

namespace fk {

enum class JobState { Idle, Running, Done, Cancelled, Failed };
const char* JobStateName(JobState s);

class JobContext {
 public:
  void SetProgress(float p) { progress_.store(p < 0 ? 0 : (p > 1 ? 1 : p)); }
  float Progress() const { return progress_.load(); }
  bool Cancelled() const { return cancel_.load(); }
  void Fail(std::string message);  // ends the job as Failed after this step
  void SetDetail(std::string detail);  // e.g. "layer 12/52"
  std::string Detail() const;

 private:
  friend class JobRunner;
  std::atomic<float> progress_{0.f};
  std::atomic<bool> cancel_{false};
  mutable std::mutex mu_;
  std::string failure_;
  bool failed_ = false;
  std::string detail_;
};

// One slice of work; returns true when the job is finished. Keep a slice short
// (a few ms) so the page stays responsive when the job runs on the UI thread.
using JobStep = std::function<bool(JobContext&)>;

struct Job {
  std::string label;
  JobStep step;
  std::function<void(JobState)> on_finish;  // runs on the thread that calls Pump
  // Work nobody asked for yet (a table the page fills on load): a job a person
  // starts pauses it and runs first; it resumes where it was afterwards.
  bool background = false;
};

Job MakeJob(std::string label, JobStep step, std::function<void(JobState)> on_finish = {});

class JobRunner {
 public:
  JobRunner() = default;
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Starts a job; refuses (returns false) while another one runs.
  // threaded=true runs it on a worker thread when the platform has threads.
  bool Start(Job job, bool threaded = false);
  // Starts the job now when idle, else queues it to start when the jobs
  // before it finish (a click never gets lost because a background job runs).
  // A foreground job pauses a running sliced background job and starts at once;
  // queued foreground jobs go before background ones.
  void Enqueue(Job job, bool threaded = false);
  // True when a job with this label runs, is paused or waits in the queue.
  bool Has(const std::string& label) const;
  std::vector<std::string> QueuedLabels() const;  // the paused job first, then the queue
  // Cancels the running job and drops the paused one and the queue (their on_finish sees Cancelled).
  void CancelAll();
  // Runs slices until budget_ms is spent (sliced mode) and delivers on_finish
  // (both modes). Call once a frame.
  void Pump(double budget_ms);
  // Runs the job to completion on this thread (CLI, tests).
  JobState RunToEnd();
  void Cancel();

  JobState State() const { return state_.load(); }
  bool Busy() const { return State() == JobState::Running || finish_pending_.load(); }
  float Progress() const { return ctx_ ? ctx_->Progress() : 0.f; }
  const std::string& Label() const { return job_.label; }
  std::string Detail() const { return ctx_ ? ctx_->Detail() : std::string(); }
  std::string Error() const;
  double ElapsedMs() const;
  // The longest single step of the current/last job and what it was doing:
  // a step that long blocks a frame in the page, so it is worth seeing.
  double MaxStepMs() const { return max_step_ms_; }
  const std::string& MaxStepDetail() const { return max_step_detail_; }
  // The same over every sliced job this runner ran ("label: detail"): a job that ends between two
  // looks at MaxStepMs is still counted (issue #19's 50 ms slice bar is read from this).
  double MaxStepEverMs() const { return max_step_ever_ms_; }
  const std::string& MaxStepEverWhat() const { return max_step_ever_what_; }

 private:
  void Finish(JobState s);
  void Deliver();
  void StartNext();
  Job job_;
  std::deque<std::pair<Job, bool>> queue_;  // touched only on the Pump thread
  std::unique_ptr<JobContext> ctx_;
  struct Paused {  // a sliced background job set aside for a foreground one
    Job job;
    std::unique_ptr<JobContext> ctx;
    double started_ms = 0, max_step_ms = 0;
    std::string max_step_detail;
  };
  std::unique_ptr<Paused> paused_;
  bool in_step_ = false;  // a sliced step runs (a job that enqueues another must not be paused mid-step)
  std::atomic<JobState> state_{JobState::Idle};
  std::atomic<bool> finish_pending_{false};
  std::thread worker_;
  double started_ms_ = 0, ended_ms_ = 0;
  double max_step_ms_ = 0;
  std::string max_step_detail_;
  double max_step_ever_ms_ = 0;
  std::string max_step_ever_what_;
  std::string error_;
};

}  // namespace fk
