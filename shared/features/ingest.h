// Batch ingest of a CSV into a feature group: the file is cut at line
// boundaries into one range per worker; each worker validates whole rows,
// logs good ones in batches (group commit) and keeps rejects with reasons.
// Natively workers are std::threads; in the browser one worker runs in slices.
//
//   IngestJob job(store, "users", "users.csv", {/*threads=*/2});
//   if (!job.Start()) ...;  while (!job.Step(8.0)) draw(job.Workers());   // or job.Run()
//   job.Summary();  // "ingested 999 of 1000 rows (1 rejected)"
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "features/store.h"

namespace fk::features {

struct IngestOptions {
  int threads = 1;              // native worker threads; the browser build always uses 1, sliced
  size_t batch_rows = 8192;     // rows per log append (and per group-committed fsync at most)
  size_t max_rejects = 1000;    // reasons kept; the count is always exact
};

struct RowReject {
  uint64_t line = 0;  // 1-based line in the file
  std::string reason;
};

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

 private:
  struct Worker;
  void RunWorker(Worker& w, double budget_ms);  // budget < 0: to the end
  void ProcessBatch(Worker& w, size_t max_rows);

  FeatureStore& store_;
  std::string group_, path_, text_;
  IngestOptions opt_;
  FeatureGroup def_;
  std::vector<int> col_of_feature_;  // CSV column of each schema feature
  size_t ncols_ = 0;
  uint64_t total_rows_ = 0;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<bool> cancel_{false};
  bool started_ = false, done_ = false;
  mutable std::mutex err_mu_;
  Status error_;
};

}  // namespace fk::features
