// An embedded feature store with SageMaker Feature Store semantics: groups,
// an in-memory online store (newest event time wins, TTL), an append-only
// offline store (Hive partitions year=/month=/day=/hour=, Parquet by default
// or CSV per group, + _schema.json, with write_time, api_invocation_time,
// is_deleted), all rebuilt from a write-ahead log on Open. Layout:
// DIR/groups/<g>.json, DIR/wal/NNNNNN.log, DIR/offline/<g>/_schema.json +
// year=…/month=…/day=…/hour=…/part-NNNNNN.parquet (or .csv). Stores written
// before Parquet have DIR/offline/<g>/schema.json and CSV parts, still read.
//
//   auto s = fk::features::FeatureStore::Open("store");           // recovers a torn log tail
//   (*s)->CreateGroup(group);  (*s)->Put("users", {{"user_id","7"},{"ts","1700000000"},{"age","31"}});
//   auto r = (*s)->Get("users", "7");   (*s)->Checkpoint();        // writes offline partitions
#pragma once
#include <array>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/status.h"
#include "features/schema.h"
#include "features/wal.h"

namespace fk::features {

struct StoreOptions {
  std::function<double()> now;  // Unix s; empty = the system clock (tests pass a fixed one)
  bool fsync = true;            // false only in benchmarks that measure the rest
  // Natively, once the current log segment holds this many bytes a batch
  // append seals it and a background thread writes its offline partitions
  // while writes go on (a big ingest's checkpoint overlaps it). 0 = segments
  // are sealed only by Checkpoint. The browser build has no threads and
  // always behaves as 0.
  uint64_t seal_bytes = 16u << 20;
};

struct FeatureValue {
  std::string name;
  FeatureType type = FeatureType::String;
  bool is_null = true;
  std::string text;  // canonical text as ingested
};

struct Record {
  std::string group;
  std::string id;
  double event_time = 0;  // Unix s
  double expires_at = 0;  // Unix s; 0 = never
  std::vector<FeatureValue> values;
  const FeatureValue* Find(const std::string& name) const;
};

struct PutOptions {
  double ttl_seconds = 0;  // overrides the group's TTL for this record when > 0
};

enum class DeleteMode { Soft, Hard };

struct RecordIdentifier {
  std::string group;
  std::string id;
};
struct BatchGetError {
  std::string group, id;
  std::string code;     // "ResourceNotFound" | "RecordNotFound" | "ValidationError"
  std::string message;
};
struct BatchGetResult {
  std::vector<Record> records;
  std::vector<BatchGetError> errors;
  std::vector<RecordIdentifier> unprocessed;  // past the 100-identifier limit
};
constexpr size_t kBatchGetLimit = 100;

struct GroupSummary {
  std::string name;
  double created = 0;
  uint64_t online_records = 0;  // live (not deleted) records in the online store
};

struct VerifyIssue {
  std::string file;
  uint64_t offset = 0;  // byte offset (log, Parquet) or line (CSV)
  std::string message;
};
struct VerifyReport {
  bool ok = true;
  uint64_t records = 0;      // live online records over all groups
  uint64_t log_records = 0;  // good frames in the log
  uint64_t offline_rows = 0;
  std::vector<VerifyIssue> errors;
  std::vector<std::string> notes;  // e.g. a torn tail discarded on open
};

// One id's history (every logged write, in event-time order) for PIT joins.
struct HistoryEntry {
  double event_time;
  uint64_t seq;
  bool deleted;
  std::string payload;  // the WAL payload
};

struct OfflinePart;  // store.cpp: one offline part file in the making

class FeatureStore {
 public:
  static Result<std::unique_ptr<FeatureStore>> Open(const std::string& dir, StoreOptions opt = {});
  ~FeatureStore();  // Checkpoint()
  FeatureStore(const FeatureStore&) = delete;
  FeatureStore& operator=(const FeatureStore&) = delete;

  // Groups
  Status CreateGroup(FeatureGroup g);  // sets created and uid
  Status DeleteGroup(const std::string& name);  // online records gone, offline files kept
  std::vector<GroupSummary> ListGroups() const;
  Result<FeatureGroup> DescribeGroup(const std::string& name) const;
  // Ids of the live (not deleted) online records, sorted: for browsing a group.
  std::vector<std::string> RecordIds(const std::string& group) const;

  // Records. Put takes every feature by name (missing = null); durable on return.
  Status Put(const std::string& group, const std::vector<std::pair<std::string, std::string>>& values,
             const PutOptions& opt = {});
  // Not found, deleted or expired: an error whose message starts "not found".
  Result<Record> Get(const std::string& group, const std::string& id,
                     const std::vector<std::string>& features = {}) const;
  BatchGetResult BatchGet(const std::vector<RecordIdentifier>& ids,
                          const std::vector<std::string>& features = {}) const;
  // SageMaker DeleteRecord: the marker always goes offline for Soft; an event
  // time not later than the online record's leaves the record in place (Soft)
  // or fails with nothing written (Hard).
  Status Delete(const std::string& group, const std::string& id, double event_time, DeleteMode mode);

  // Seals the current log segment and writes its offline partitions.
  Status Checkpoint();
  // The same in slices for a UI thread (the page has no threads): the first
  // call seals the segment, later ones write partitions for about budget_ms.
  // *done when nothing is left; a crash in between is finished on Open.
  Status CheckpointStep(double budget_ms, bool* done);
  // Every log segment, group file and offline file, read strictly.
  VerifyReport Verify();

  // History of ids in a group, from the log (= the offline store), sorted by
  // (event_time, seq). Used by the point-in-time join.
  Result<std::unordered_map<std::string, std::vector<HistoryEntry>>> History(const std::string& group);

  const std::string& Dir() const { return dir_; }
  double Now() const;
  const std::vector<std::string>& RecoveryNotes() const { return notes_; }

  // [SECTION] for batch ingest (features/ingest.cpp)
  struct PendingIndex {  // where one logged Put sits in a frames buffer
    size_t frame_offset;
    double event_time;
    double ttl_seconds;
    size_t id_offset, id_size;  // the record id's bytes inside the frames buffer
  };
  // Appends frames of already-validated Puts for one group, waits for them to
  // be durable, then applies them to the online store.
  Status AppendPuts(const FeatureGroup& g, const std::string& frames, const std::vector<PendingIndex>& idx);
  void SetOnDurable(std::function<void(uint64_t)> fn);  // records durable since Open
  void ReserveOnline(const std::string& group, size_t records);  // avoids rehashing during a big ingest

 private:
  struct Entry {
    double event_time = 0;
    uint64_t seq = 0;
    double expires_at = 0;  // 0 = never
    bool deleted = false;   // soft delete: a tombstone that keeps its event time
    std::string payload;
  };
  static constexpr size_t kShards = 16;
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Entry> map;
  };
  struct GroupState {
    FeatureGroup def;
    std::array<Shard, kShards> shards;
  };

  FeatureStore(std::string dir, StoreOptions opt);
  Status Recover();
  Status EnsureWriter();
  Status MaterializeSegment(uint64_t segment);
  struct SegmentParts;  // a sealed segment formatted into offline part files, not yet written
  Status PrepareSegment(uint64_t segment, SegmentParts* out);  // = the three below, whole
  Status ReadSegment(uint64_t segment, SegmentParts* out);     // read and check the log
  void FormatRecords(SegmentParts* sp, size_t begin, size_t end, size_t piece);  // records into parts
  void FinishPrepare(SegmentParts* sp);                         // pieces joined, ready to write
  Status WriteSegmentPart(SegmentParts& sp);  // the next part file
  // One part file: DIR/offline/<group>/year=…/hour=…/part-<segment>.parquet
  // (or .csv: header + rows, by the group's offline format); the part's rows freed.
  Status WritePart(const SegmentParts& sp, const std::string& group, int64_t hour, OfflinePart* part);
  std::unique_ptr<SegmentParts> stepping_;  // CheckpointStep's segment in progress
  void Apply(GroupState& gs, const WalRecord& r, std::string_view payload, uint64_t seq) {
    Apply(gs, r.op, r.values[size_t(gs.def.RecordIdIndex())], r.event_time, r.ttl_seconds, payload, seq);
  }
  void Apply(GroupState& gs, WalOp op, std::string_view id, double event_time, double ttl_seconds,
             std::string_view payload, uint64_t seq);
  Result<Record> MakeRecord(const GroupState& gs, const Entry& e, const std::string& id,
                            const std::vector<std::string>& features) const;
  GroupState* FindGroup(const std::string& name) const;
  GroupState* FindGroupUid(uint64_t uid) const;
  Status WriteAndSync(const std::string& frames, uint64_t count, uint64_t* first_seq);
  // Background offline writer (native): sealed segments queued by SealIfFull.
  struct Background;
  std::unique_ptr<Background> bg_;
  void SealIfFull(uint64_t segment);  // after a batch append: seal that segment if still open, queue it
  Status DrainBackground();       // waits for queued segments; retries failed ones here
  void BackgroundLoop();
  std::string SegmentPath(uint64_t n) const;

  std::string dir_;
  StoreOptions opt_;
  mutable std::mutex groups_mu_;
  std::map<std::string, std::unique_ptr<GroupState>> groups_;
  // Shared by everything that appends to wal_, exclusive to close (seal) it;
  // taken before write_mu_.
  std::shared_mutex wal_rw_;
  std::mutex write_mu_;  // single-record operations: check-then-log atomically
  WalWriter wal_;
  uint64_t segment_ = 0;   // current (or next) segment number
  uint64_t next_seq_ = 0;  // sequence of the next logged record
  uint64_t open_seq_ = 0;  // next_seq_ right after recovery: on_durable_ counts from here
  std::function<void(uint64_t)> on_durable_;
  std::vector<std::string> notes_;
  int lock_fd_ = -1;  // flock on DIR/LOCK (native)
};

}  // namespace fk::features
