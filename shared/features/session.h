// Feature Store sessions: the orchestration the Feature Store panel and
// `fieldkit-cli features ingest|pit` share. An IngestSession opens (or resumes)
// an ingest, ingests in slices, writes the offline partitions (checkpoint) and,
// when asked, builds a point-in-time training set; a TrainingSetSession is the
// join alone. Both are steppable like forecast::Pipeline: one unit of work per
// Step (opening, an ingest slice, a checkpoint slice, the join), progress and
// detail for a bar, results as values, StatusJson().
//
//   features::IngestSessionOptions o;  o.group = "customers";  o.file = "customers.csv";
//   features::IngestSession s(store, o);                    // o.resume = marker: continues it
//   while (!s.Step(8.0)) show(s.Progress(), s.Detail());    // the CLI sleeps between polls
//   if (s.failed()) error(s.error());  else use(s.result().summary, s.result().rejects);
//
// The page's persistence (flush the marker before the first row, then about
// every second) stays with the caller: it looks at stage() between Steps.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/status.h"
#include "features/ingest.h"
#include "features/pit.h"
#include "features/store.h"

namespace fk::features {

// [SECTION] Opening a store and reading a CSV's header

struct OpenedStore {
  std::unique_ptr<FeatureStore> store;
  std::vector<std::string> notes;           // recovery notes, then markers removed or unreadable
  std::vector<IngestProgress> interrupted;  // ingests that stopped before the end (offer Resume)
};
// Creates `dir` when missing, opens (recovers) the store and lists the
// interrupted ingests.
Result<OpenedStore> OpenStoreDir(const std::string& dir);

// The CSV's header cells; "<path>: cannot read a header line" or
// "<path>:1: <why>" when there is none.
Result<std::vector<std::string>> ReadCsvHeader(const std::string& path);
// A first guess at the roles so inference can run at once: the record id is
// the first column named *id, the event time the first named *time*, ts or
// *date*; else the first named columns ("Unnamed: 0", pandas' index, skipped).
struct RoleGuess {
  std::string record_id, event_time;
};
RoleGuess GuessRoles(const std::vector<std::string>& columns);

// [SECTION] Point-in-time training set

struct TrainingSetOptions {
  std::vector<std::string> groups;
  std::string entities;  // the entity CSV (id and timestamp among its columns)
  std::string id_col = "customer_id", time_col = "order_time";
  PitOptions pit;        // which features ("" = every one)
  std::string out;       // the CSV written (its folder must exist)
};

struct TrainingSet {
  std::string path;  // = options.out
  uint64_t rows = 0;
  std::vector<std::string> preview;  // the first lines (header included), at most 6
};

class TrainingSetSession {
 public:
  TrainingSetSession(FeatureStore& store, TrainingSetOptions options);
  // Reads the entities, joins and writes the set (the join is one call);
  // true when done or failed.
  bool Step(double budget_ms);
  void RunToEnd();
  bool done() const { return done_; }
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }  // "<path>: cannot open" / ": cannot write" / the join's
  float Progress() const { return done_ ? 1.f : 0.f; }
  std::string Detail() const;  // "point-in-time join with orders.csv"
  const TrainingSetOptions& options() const { return opt_; }
  const std::optional<TrainingSet>& result() const { return result_; }
  // {"state":"running|done|failed","rows","path","error"}
  nlohmann::json StatusJson() const;

 private:
  FeatureStore& store_;
  TrainingSetOptions opt_;
  bool done_ = false;
  std::string error_;
  std::optional<TrainingSet> result_;
};

// [SECTION] Ingest

enum class IngestStage { Open, Ingest, Checkpoint, TrainingSet, Done };
const char* IngestStageName(IngestStage s);  // "open", "ingest", "checkpoint", "training-set", "done"

// How the offline partitions are written after the rows are in.
enum class CheckpointMode {
  Sync,    // one Checkpoint() call (the CLI)
  Thread,  // on a thread, polled each Step (the desktop app: each part file is fsynced); page: as Slices
  Slices,  // CheckpointStep a part file or so per Step (the page: no threads)
};

struct IngestSessionOptions {
  std::string group, file;
  IngestOptions ingest;                  // threads, batch_rows, track_progress
  std::optional<IngestProgress> resume;  // continue this interrupted ingest instead of starting
  CheckpointMode checkpoint = CheckpointMode::Sync;
  std::optional<TrainingSetOptions> training_set;  // after the checkpoint (groups = {group} when empty)
};

// What the ingest did so far; complete once stage() is past Ingest.
struct IngestResult {
  uint64_t total = 0, ingested = 0, rejected = 0;
  std::vector<WorkerProgress> workers;
  std::vector<RowReject> rejects;  // sorted by line, at most max_rejects
  std::string summary;             // "ingested X of Y rows (Z rejected)"; set when the ingest stops
  double seconds = 0;              // from before opening to the last row (the CLI's rate)
  double ingest_seconds = 0;       // from the opened file to the last row (the panel's)
  uint64_t RowsDone() const;       // over the workers
};
// {"ingested","rejected","total","summary","workers":[{rows,done,ingested,rejected}],"rejects":[{line,reason}]}
nlohmann::json IngestResultJson(const IngestResult& r);

class IngestSession {
 public:
  IngestSession(FeatureStore& store, IngestSessionOptions options);
  ~IngestSession();  // cancels a running ingest (its marker says where) and waits for a checkpoint thread
  IngestSession(const IngestSession&) = delete;
  IngestSession& operator=(const IngestSession&) = delete;

  // One unit of work of about budget_ms: opening (Start or Resume), an ingest
  // slice (threaded: a look at the workers), a checkpoint slice or poll, the
  // join. True when done or failed; a failure leaves stage() where it happened.
  bool Step(double budget_ms);
  // Stops a running ingest: what was acknowledged stays, and with
  // track_progress the marker says where it stopped. The session is then over.
  void Cancel();
  bool done() const { return stage_ == IngestStage::Done; }
  bool failed() const { return !error_.empty(); }
  bool over() const { return done() || failed() || cancelled_; }
  const std::string& error() const { return error_; }
  IngestStage stage() const { return stage_; }
  float Progress() const;      // ingest up to 0.9, checkpoint 0.9, training set 0.95
  std::string Detail() const;  // "1200 / 4003 rows", "writing offline partitions", ...
  const IngestSessionOptions& options() const { return opt_; }
  const IngestResult& result() const { return r_; }
  const std::optional<TrainingSet>& training_set() const;
  // IngestResultJson(result()) plus {"stage","error","cancelled","progress","detail","training_set":{..}}
  nlohmann::json StatusJson() const;

 private:
  struct Async;
  void StepOpen();
  bool StepIngest(double budget_ms);
  bool StepCheckpoint(double budget_ms);
  void StepTrainingSet();
  void Snapshot();    // counters from the running job
  void DropJob();     // final counters, then the job goes (joins its workers, settles the marker)
  void Fail(std::string message);

  FeatureStore& store_;
  IngestSessionOptions opt_;
  IngestStage stage_ = IngestStage::Open;
  std::unique_ptr<IngestJob> job_;
  std::unique_ptr<TrainingSetSession> pit_;
  std::unique_ptr<Async> async_;
  IngestResult r_;
  std::string error_;
  bool cancelled_ = false;
  double t_open_ = 0, t_ingest_ = 0;
};

}  // namespace fk::features
