// Batch ingest of a CSV into a feature group: the file is cut at line
// boundaries into one range per worker; each worker validates whole rows,
// logs good ones in batches (group commit) and keeps rejects with reasons.
// Natively workers are std::threads; in the browser one worker runs in slices.
// With track_progress, a small marker (IngestProgress) in the store's folder
// says after every logged batch how far each worker got; an ingest cut off by a
// crash, a page reload or Cancel is found again on open and resumed from it.
//
//   IngestJob job(store, "users", "users.csv", {/*threads=*/2});
//   if (!job.Start()) ...;  while (!job.Step(8.0)) draw(job.Workers());   // or job.Run()
//   job.Summary();  // "ingested 999 of 1000 rows (1 rejected)"
//   for (auto& p : FindInterruptedIngests(store)) { IngestJob again(store, p.group, p.file); again.Resume(p); ... }
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "features/store.h"

namespace fk::features {

struct IngestOptions {
  int threads = 1;              // native worker threads; the browser build always uses 1, sliced
  size_t batch_rows = 8192;     // rows per log append (and per group-committed fsync at most)
  size_t max_rejects = 1000;    // reasons kept; the count is always exact
  bool track_progress = false;  // keep the progress marker (IngestProgressPath) up to date
  std::function<void()> on_batch;  // runs on the worker after each batch is counted (tests cut an ingest off here)
};

struct RowReject {
  uint64_t line = 0;  // 1-based line in the file
  std::string reason;
};

// The durable progress marker of one ingest: what a worker's range has put in
// the log (a batch is counted only once its rows are durable), so a resumed
// ingest neither skips nor repeats a row. Written after every batch (to a
// temporary file, then renamed), removed when the ingest ends complete.
struct IngestProgress {
  struct Range {
    uint64_t begin = 0, end = 0;  // byte range of the file
    uint64_t pos = 0;             // the next unlogged line starts here
    uint64_t line_no = 0;         // 1-based line number of the line before pos
    uint64_t rows_total = 0, rows_done = 0, ingested = 0, rejected = 0;
  };
  std::string group;
  uint64_t group_uid = 0;   // a group deleted and created again is another group
  std::string file;         // the CSV as given to the ingest
  uint64_t file_bytes = 0;
  uint64_t file_print = 0;  // SampleFingerprint of the file: resume only from the same bytes
  uint64_t total_rows = 0;
  std::string state = "running";  // running (cut off: crash or reload) | cancelled | failed
  std::string error;              // why, when failed
  std::vector<Range> ranges;      // one per worker
  std::vector<RowReject> rejects; // the first max_rejects reasons

  uint64_t RowsDone() const;
  uint64_t Ingested() const;
  uint64_t Rejected() const;
  // "ingest of customers.csv into 'customers' stopped at 1024 of 4003 rows"
  // ("was cancelled at", "failed at ...: why").
  std::string Describe() const;
  std::string ToJson() const;
};
Result<IngestProgress> IngestProgressFromJson(const std::string& text, const std::string& origin);
// DIR/ingest/<group>.json in the store's folder.
std::string IngestProgressPath(const FeatureStore& store, const std::string& group);
// Size plus FNV-1a over 64 KB at the start, the end and 14 points between:
// tells a different file from the one an ingest started on without hashing
// a 200 MB file in one UI slice.
uint64_t SampleFingerprint(std::string_view bytes);
// Ingests that did not end complete, one per group, oldest group first. A
// marker whose group is gone (deleted, or created again) is removed and said
// in *notes; an unreadable one is kept and said too.
std::vector<IngestProgress> FindInterruptedIngests(const FeatureStore& store, std::vector<std::string>* notes = nullptr);
// The user gives up on resuming: removes the group's marker.
Status DiscardIngestProgress(const FeatureStore& store, const std::string& group);

struct WorkerProgress {
  uint64_t rows_total = 0;  // data rows in this worker's range
  uint64_t rows_done = 0;   // validated (ingested + rejected)
  uint64_t ingested = 0;    // durable and in the online store
  uint64_t rejected = 0;
  bool finished = false;
};

class IngestJob {
 public:
  IngestJob(FeatureStore& store, std::string group, std::string csv_path, IngestOptions opt = {});
  IngestJob(FeatureStore& store, std::string group, std::string csv_text, std::string origin, IngestOptions opt);
  ~IngestJob();  // cancels and joins workers

  // Reads the file and header (every schema feature must be a column; unnamed
  // columns are skipped), counts rows, starts threads natively.
  Status Start();
  // Instead of Start: continues an interrupted ingest from its marker. Fails
  // (nothing logged) if the group was re-created or the file's bytes differ.
  Status Resume(const IngestProgress& from);
  // Sliced mode: works for about budget_ms; threaded: just checks. True when done.
  bool Step(double budget_ms);
  Status Run();  // Start + Step until done (CLI, tests)
  void Cancel() { cancel_ = true; }

  std::vector<WorkerProgress> Workers() const;
  uint64_t TotalRows() const { return total_rows_; }
  uint64_t Ingested() const;
  uint64_t Rejected() const;
  std::vector<RowReject> Rejects() const;  // sorted by line, at most max_rejects
  Status Result() const;                   // first log error, if any
  std::string Summary() const;             // "ingested X of Y rows (Z rejected)"
  bool Done() const { return done_; }
  // The marker's current content (also when track_progress is off).
  IngestProgress Progress() const;

 private:
  struct Worker;
  Status ReadHeader();  // def_, text_, header_end_, col_of_feature_, ncols_
  void StartThreads();
  void RunWorker(Worker& w, double budget_ms);  // budget < 0: to the end
  void ProcessBatch(Worker& w, size_t max_rows);
  void Commit(Worker& w, uint64_t rows, uint64_t ingested, std::vector<RowReject>& rejects);
  void WriteProgress(const std::string& state, const std::string& error);  // progress_mu_ held
  IngestProgress SnapshotLocked() const;  // progress_mu_ held
  void Finish();  // once, when every worker stopped: removes or finalises the marker

  FeatureStore& store_;
  std::string group_, path_, text_;
  IngestOptions opt_;
  FeatureGroup def_;
  std::vector<int> col_of_feature_;  // CSV column of each schema feature
  size_t ncols_ = 0;
  uint64_t total_rows_ = 0;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<bool> cancel_{false};
  bool started_ = false, done_ = false, finished_ = false;
  size_t header_end_ = 0;
  uint64_t file_print_ = 0;
  std::vector<RowReject> prior_rejects_;  // from the marker, when resumed
  mutable std::mutex progress_mu_;        // the marker file and every worker's committed counters
  mutable std::mutex err_mu_;
  Status error_;
};

}  // namespace fk::features
