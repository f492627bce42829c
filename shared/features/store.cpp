// FeatureStore: recovery, groups, records, offline partitions, verification.
//
// [SECTION] files
// [SECTION] open and recovery
// [SECTION] groups
// [SECTION] online store
// [SECTION] offline store
// [SECTION] verify and history
#include "features/store.h"

#include <fcntl.h>
#if !defined(__EMSCRIPTEN__)
#include <sys/file.h>
#endif
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#if !defined(__EMSCRIPTEN__)
#include <thread>
#endif

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/file.h"
#include "core/json_write.h"
#include "core/parquet.h"

namespace fs = std::filesystem;

namespace fk::features {

// The log's segment files in write order (their names are zero-padded sequence numbers).
static std::vector<std::string> LogSegments(const std::string& dir) {
  std::vector<std::string> segs;
  for (auto& e : fs::directory_iterator(dir + "/wal"))
    if (e.path().extension() == ".log") segs.push_back(e.path().string());
  std::sort(segs.begin(), segs.end());
  return segs;
}

// [SECTION] files

static void FsyncPath(const std::string& path, bool dir) {
  const int fd = ::open(path.c_str(), dir ? O_RDONLY : O_WRONLY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// tmp + fsync + rename + fsync(dir): readers see the old or the new file, never half.
// The content is the pieces in order (a part file's header and rows are not
// concatenated first: that copy was a visible share of a big checkpoint).
static Status WriteFileAtomic(const std::string& path, std::initializer_list<std::string_view> pieces, bool sync) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return Status::Error(tmp + ": cannot write (" + std::strerror(errno) + ")");
  for (std::string_view piece : pieces)
    for (size_t done = 0; done < piece.size();) {
      const ssize_t w = ::write(fd, piece.data() + done, piece.size() - done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        const std::string why = std::strerror(errno);
        ::close(fd);
        return Status::Error(tmp + ": cannot write (" + why + ")");
      }
      done += size_t(w);
    }
  if (sync) ::fsync(fd);
  if (::close(fd) != 0) return Status::Error(tmp + ": cannot write (close failed)");
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Status::Error(path + ": cannot rename " + tmp);
  if (sync) FsyncPath(fs::path(path).parent_path().string(), true);
  return Status::Ok();
}

static Status WriteFileAtomic(const std::string& path, std::string_view data, bool sync) {
  return WriteFileAtomic(path, {data}, sync);
}

static std::string SegName(uint64_t n) {
  char b[32];
  std::snprintf(b, sizeof b, "%06llu", static_cast<unsigned long long>(n));
  return b;
}

static std::string FormatNumber(double v) {
  char b[40];
  std::snprintf(b, sizeof b, "%.6f", v);
  std::string s = b;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

static size_t ShardOf(std::string_view id) { return std::hash<std::string_view>()(id) % 16; }

// A logged record whose CRC passed can still be wrong for its group (a bug, a
// crafted or damaged file): checked field by field before anything indexes
// its values or converts its times. false with the field and why.
// count: the record's value count; id(): its record id value (called only when the count is the group's).
template <class Id>
static bool CheckLoggedParts(const WalRecord& r, size_t count, Id id, const FeatureGroup& g, std::string* why) {
  auto fail = [&](const std::string& w) {
    if (why) *why = w;
    return false;
  };
  if (count != g.features.size())
    return fail("value count " + std::to_string(count) + ", group '" + g.name + "' has " +
                std::to_string(g.features.size()) + " features");
  if (id().empty()) return fail("record id '" + g.record_id + "' is empty");
  char num[40];
  if (!EventTimeInRange(r.event_time)) {
    std::snprintf(num, sizeof num, "%g", r.event_time);
    return fail("event time " + std::string(num) + " is outside years 0000..9999");
  }
  if (!(r.ttl_seconds >= 0)) {
    std::snprintf(num, sizeof num, "%g", r.ttl_seconds);
    return fail("ttl " + std::string(num) + " is not >= 0");
  }
  if (!EventTimeInRange(double(r.api_time_us) / 1e6))
    return fail("api invocation time " + std::to_string(r.api_time_us) + " us is outside years 0000..9999");
  return true;
}

static bool CheckLogged(const WalRecord& r, const FeatureGroup& g, std::string* why) {
  return CheckLoggedParts(r, r.values.size(), [&] { return r.values[size_t(g.RecordIdIndex())]; }, g, why);
}

const FeatureValue* Record::Find(const std::string& name) const {
  for (auto& v : values)
    if (v.name == name) return &v;
  return nullptr;
}

FeatureStore::FeatureStore(std::string dir, StoreOptions opt) : dir_(std::move(dir)), opt_(std::move(opt)) {}

// Segments sealed during writes wait here for the background thread, which
// writes their offline partitions (native only; in the page bg_ only holds Checkpoint's retry list).
struct FeatureStore::Background {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<uint64_t> queue;    // sealed segments to write, oldest first
  std::vector<uint64_t> failed;  // written again (and the error reported) by DrainBackground
  bool busy = false, stop = false;
#if !defined(__EMSCRIPTEN__)
  std::thread thread;
#endif
};

FeatureStore::~FeatureStore() {
  Checkpoint();  // also finishes a stepwise one and drains the background writer
#if !defined(__EMSCRIPTEN__)
  if (bg_) {
    {
      std::lock_guard<std::mutex> lock(bg_->mu);
      bg_->stop = true;
    }
    bg_->cv.notify_all();
    if (bg_->thread.joinable()) bg_->thread.join();  // none when only a failed Checkpoint made bg_
  }
#endif
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

double FeatureStore::Now() const {
  if (opt_.now) return opt_.now();
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

std::string FeatureStore::SegmentPath(uint64_t n) const { return dir_ + "/wal/" + SegName(n) + ".log"; }

// [SECTION] open and recovery

Result<std::unique_ptr<FeatureStore>> FeatureStore::Open(const std::string& dir, StoreOptions opt) {
  std::unique_ptr<FeatureStore> s(new FeatureStore(dir, std::move(opt)));
  try {
    for (const char* sub : {"", "/groups", "/wal", "/offline"}) fs::create_directories(dir + sub);
  } catch (const std::exception& e) {
    return Status::Error(dir + ": cannot create store folders (" + e.what() + ")");
  }
#if !defined(__EMSCRIPTEN__)
  // One process per store: two writers would interleave segment numbers and
  // each rebuild a stale online index. The kernel drops the lock on SIGKILL.
  s->lock_fd_ = ::open((dir + "/LOCK").c_str(), O_RDWR | O_CREAT, 0644);
  if (s->lock_fd_ < 0 || ::flock(s->lock_fd_, LOCK_EX | LOCK_NB) != 0)
    return Status::Error(dir + "/LOCK: the store is open in another process");
#endif
  Status st = s->Recover();
  if (!st) return st;
  return s;
}

Status FeatureStore::Recover() {
  try {
    for (auto& e : fs::directory_iterator(dir_ + "/groups")) {
      const std::string p = e.path().string();
      if (e.path().extension() == ".tmp") { fs::remove(e.path()); continue; }  // a crash mid-write
      if (e.path().extension() != ".json") continue;
      Result<std::string> text = ReadFile(p);
      if (!text) return Status::Error(p + ": cannot read");
      auto g = GroupFromJson(*text, p);
      if (!g) return g.status();
      auto gs = std::make_unique<GroupState>();
      gs->def = *g;
      groups_[g->name] = std::move(gs);
    }
    // Half-written offline parts are rewritten from the log below.
    for (auto& e : fs::recursive_directory_iterator(dir_ + "/offline"))
      if (e.is_regular_file() && e.path().extension() == ".tmp") fs::remove(e.path());
    std::vector<uint64_t> segs;
    for (auto& e : fs::directory_iterator(dir_ + "/wal")) {
      if (e.path().extension() != ".log") continue;
      segs.push_back(std::stoull(e.path().stem().string()));
    }
    std::sort(segs.begin(), segs.end());
    for (size_t i = 0; i < segs.size(); i++) {
      const std::string path = SegmentPath(segs[i]);
      WalRecord r;
      uint64_t frame = 0;
      WalScan scan = ScanSegment(path, [&](std::string_view payload, uint64_t offset) {
        DecodeWalPayload(payload, &r);  // ScanSegment checked that it decodes
        std::string why;
        if (GroupState* gs = FindGroupUid(r.group_uid)) {
          // A bad record is skipped and named; the ones around it still count.
          if (CheckLogged(r, gs->def, &why)) Apply(*gs, r, payload, next_seq_);
          else notes_.push_back(path + ": byte " + std::to_string(offset) + ": record " + std::to_string(frame) +
                                " of group '" + gs->def.name + "' skipped: " + why);
        }
        next_seq_++;
        frame++;
      });
      if (!scan.error) return scan.error;  // corruption: open nothing, change nothing
      if (scan.torn_tail) {
        if (i + 1 != segs.size())
          return Status::Error(path + ": byte " + std::to_string(scan.valid_bytes) +
                               ": damaged record in a sealed segment (not the log's tail)");
        // A crash mid-append: those bytes were never acknowledged.
        if (::truncate(path.c_str(), off_t(scan.valid_bytes)) != 0)
          return Status::Error(path + ": cannot truncate the torn tail at byte " + std::to_string(scan.valid_bytes));
        FsyncPath(path, false);
        notes_.push_back(path + ": discarded a torn tail of " + std::to_string(scan.file_bytes - scan.valid_bytes) +
                         " bytes at byte " + std::to_string(scan.valid_bytes));
      }
    }
    for (uint64_t n : segs)
      if (!fs::exists(dir_ + "/wal/" + SegName(n) + ".offline")) {
        Status st = MaterializeSegment(n);
        if (!st) return st;
      }
    // New writes go to a fresh segment: recovered ones stay sealed.
    segment_ = segs.empty() ? 1 : segs.back() + 1;
    open_seq_ = next_seq_;
  } catch (const std::exception& e) {
    return Status::Error(dir_ + ": cannot open store (" + e.what() + ")");
  }
  return Status::Ok();
}

Status FeatureStore::EnsureWriter() {
  if (wal_.IsOpen()) return Status::Ok();
  Status st = wal_.Open(SegmentPath(segment_), next_seq_, opt_.fsync);
  if (!st) return st;
  if (opt_.fsync) FsyncPath(dir_ + "/wal", true);  // the new file's name must survive too
  // The writer counts from its segment's first record; listeners hear records since Open.
  const uint64_t base = next_seq_ - open_seq_;
  wal_.SetOnDurable([this, base](uint64_t n) {
    if (on_durable_) on_durable_(base + n);
  });
  return Status::Ok();
}

void FeatureStore::ReserveOnline(const std::string& group, size_t records) {
  GroupState* gs = FindGroup(group);
  if (!gs) return;
  for (auto& sh : gs->shards) {
    std::lock_guard<std::mutex> lock(sh.mu);
    sh.map.reserve(sh.map.size() + records / kShards + 1);
  }
}

void FeatureStore::SetOnDurable(std::function<void(uint64_t)> fn) { on_durable_ = std::move(fn); }

Status FeatureStore::WriteAndSync(const std::string& frames, uint64_t count, uint64_t* first_seq) {
  Status st = EnsureWriter();
  if (!st) return st;
  uint64_t end;
  st = wal_.Append(frames, count, first_seq, &end);
  if (!st) return st;
  return wal_.SyncTo(end);
}

Status FeatureStore::Checkpoint() {
  for (bool done = !stepping_; !done;) {  // a stepwise checkpoint in progress goes first
    Status st = CheckpointStep(1e12, &done);
    if (!st) return st;
  }
  uint64_t seg;
  {
    std::unique_lock<std::shared_mutex> wl(wal_rw_);
    std::lock_guard<std::mutex> lock(write_mu_);
    if (!wal_.IsOpen()) return DrainBackground();
    Status st = wal_.Close();
    next_seq_ = wal_.NextSeq();
    seg = segment_++;
    if (!st) return st;
  }
  // The open segment here while the background thread finishes the sealed ones.
  Status st = MaterializeSegment(seg);
  if (!st) {  // tried again by the next Checkpoint, like the background's failures
    std::unique_lock<std::shared_mutex> wl(wal_rw_);  // bg_ is made under this lock (SealIfFull)
    if (!bg_) bg_ = std::make_unique<Background>();  // the retry list; no thread until a seal needs one
    std::lock_guard<std::mutex> lock(bg_->mu);
    bg_->failed.push_back(seg);
  }
  Status bg = DrainBackground();
  return st ? bg : st;
}

void FeatureStore::SealIfFull(uint64_t segment) {
#if !defined(__EMSCRIPTEN__)
  {
    std::unique_lock<std::shared_mutex> wl(wal_rw_);  // waits for appends in flight
    std::lock_guard<std::mutex> lock(write_mu_);
    if (!wal_.IsOpen() || segment_ != segment) return;  // sealed already (another worker, a checkpoint)
    // Every append to it has been synced or has failed; either way the log
    // holds what the offline store must show, as Recover would find it.
    wal_.Close();
    next_seq_ = wal_.NextSeq();
    segment_++;
    if (!bg_) bg_ = std::make_unique<Background>();  // under the exclusive lock: two sealing workers
    if (!bg_->thread.joinable()) bg_->thread = std::thread([this] { BackgroundLoop(); });  // make one thread
    std::lock_guard<std::mutex> bl(bg_->mu);
    bg_->queue.push_back(segment);
  }
  bg_->cv.notify_all();
#else
  (void)segment;
#endif
}

void FeatureStore::BackgroundLoop() {
  Background& b = *bg_;
  std::unique_lock<std::mutex> lock(b.mu);
  for (;;) {
    b.cv.wait(lock, [&] { return b.stop || !b.queue.empty(); });
    if (b.queue.empty()) return;  // stopping, nothing left
    const uint64_t n = b.queue.front();
    b.queue.pop_front();
    b.busy = true;
    lock.unlock();
    // Until its .offline marker is written the segment counts as not
    // materialized: a crash or an error here is redone by Open or DrainBackground.
    const Status st = MaterializeSegment(n);
    lock.lock();
    b.busy = false;
    if (!st) b.failed.push_back(n);
    b.cv.notify_all();
  }
}

Status FeatureStore::DrainBackground() {
  if (!bg_) return Status::Ok();
  std::vector<uint64_t> failed;
  {
    std::unique_lock<std::mutex> lock(bg_->mu);
    bg_->cv.wait(lock, [&] { return bg_->queue.empty() && !bg_->busy; });
    failed.swap(bg_->failed);
  }
  // Once more here, so the caller hears why (disk full, a file where a folder must go).
  for (size_t i = 0; i < failed.size(); i++) {
    Status st = MaterializeSegment(failed[i]);
    if (!st) {
      std::lock_guard<std::mutex> lock(bg_->mu);
      bg_->failed.insert(bg_->failed.end(), failed.begin() + long(i), failed.end());
      return st;
    }
  }
  return Status::Ok();
}

// [SECTION] groups

FeatureStore::GroupState* FeatureStore::FindGroup(const std::string& name) const {
  std::lock_guard<std::mutex> lock(groups_mu_);
  auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : it->second.get();
}

FeatureStore::GroupState* FeatureStore::FindGroupUid(uint64_t uid) const {
  std::lock_guard<std::mutex> lock(groups_mu_);
  for (auto& [n, g] : groups_)
    if (g->def.uid == uid) return g.get();
  return nullptr;
}

// The offline metadata file. Its name starts with '_' so Spark, Hive and
// Trino skip it among the data files; stores written before kept it as
// schema.json, which is still read.
static constexpr const char* kOfflineSchema = "/_schema.json";
static constexpr const char* kOldOfflineSchema = "/schema.json";

static Result<std::string> ReadOfflineSchema(const std::string& group_dir, std::string* path) {
  *path = group_dir + kOfflineSchema;
  Result<std::string> text = ReadFile(*path);
  if (text) return text;
  Result<std::string> old = ReadFile(group_dir + kOldOfflineSchema);
  if (old) *path = group_dir + kOldOfflineSchema;
  return old;
}

static std::string OfflineSchemaJson(const FeatureGroup& g) {
  const bool pq = g.offline_format == OfflineFormat::Parquet;
  nlohmann::json j;
  j["format"] = OfflineFormatName(g.offline_format);
  if (!pq) j["header"] = true;
  j["table"] = g.name;
  j["partition_keys"] = {"year", "month", "day", "hour"};
  j["partitioned_by"] = g.event_time + " (UTC)";
  if (pq) j["record_identifier"] = g.record_id;
  auto& cols = j["columns"] = nlohmann::json::array();
  for (auto& f : g.features) {
    nlohmann::json c = {{"name", f.name}, {"type", FeatureTypeName(f.type)}};
    if (pq) c["parquet"] = f.name == g.event_time && f.type == FeatureType::String ? "timestamp[us, UTC]"
                           : f.type == FeatureType::Integral                       ? "int64"
                           : f.type == FeatureType::Fractional                     ? "double"
                                                                                   : "string";
    cols.push_back(c);
  }
  if (pq) {
    cols.push_back({{"name", "write_time"}, {"type", "Timestamp"}, {"parquet", "timestamp[us, UTC]"}});
    cols.push_back({{"name", "api_invocation_time"}, {"type", "Timestamp"}, {"parquet", "timestamp[us, UTC]"}});
    cols.push_back({{"name", "is_deleted"}, {"type", "Boolean"}, {"parquet", "boolean"}});
  } else {
    cols.push_back({{"name", "write_time"}, {"type", "String"}, {"format", "ISO-8601"}});
    cols.push_back({{"name", "api_invocation_time"}, {"type", "String"}, {"format", "ISO-8601"}});
    cols.push_back({{"name", "is_deleted"}, {"type", "Boolean"}});
  }
  return DumpJson(j, 2);
}

// The offline Parquet columns: the features by type (a String event time as a
// UTC timestamp; the record id and event time never null), then the three the
// store adds, as SageMaker's offline store has them.
static std::vector<parquet::ColumnSpec> OfflineParquetSchema(const FeatureGroup& g) {
  using parquet::ColumnType;
  std::vector<parquet::ColumnSpec> cols;
  for (auto& f : g.features) {
    const bool key = f.name == g.record_id || f.name == g.event_time;
    ColumnType t = f.type == FeatureType::Integral ? ColumnType::Int64
                   : f.type == FeatureType::Fractional ? ColumnType::Double
                                                       : ColumnType::String;
    if (f.name == g.event_time && f.type == FeatureType::String) t = ColumnType::Timestamp;
    cols.push_back({f.name, t, !key, parquet::TimeUnit::Micros});
  }
  cols.push_back({"write_time", ColumnType::Timestamp, false, parquet::TimeUnit::Micros});
  cols.push_back({"api_invocation_time", ColumnType::Timestamp, false, parquet::TimeUnit::Micros});
  cols.push_back({"is_deleted", ColumnType::Boolean, false, parquet::TimeUnit::Micros});
  return cols;
}

Status FeatureStore::CreateGroup(FeatureGroup g) {
  Status st = ValidateGroup(g);
  if (!st) return st;
  std::lock_guard<std::mutex> wlock(write_mu_);
  if (FindGroup(g.name)) return Status::Error("group '" + g.name + "' already exists");
  const std::string offline = dir_ + "/offline/" + g.name;
  const std::string schema = OfflineSchemaJson(g);
  std::string old_path;
  Result<std::string> old = ReadOfflineSchema(offline, &old_path);
  if (old && *old != schema)
    return Status::Error("group '" + g.name + "': the offline store keeps a deleted group's data with other columns at " +
                         offline + "; choose another name");
  g.created = Now();
  // A uid never reused: a re-created name must not inherit a deleted group's log records.
  uint64_t uid = uint64_t(std::max(0.0, g.created) * 1e6);
  {
    std::lock_guard<std::mutex> lock(groups_mu_);
    for (auto& [n, gs] : groups_) uid = std::max(uid, gs->def.uid + 1);
  }
  if (Result<std::string> text = ReadFile(dir_ + "/uid"))
    uid = std::max<uint64_t>(uid, std::strtoull(text->c_str(), nullptr, 10) + 1);
  g.uid = uid;
  try {
    fs::create_directories(offline);
  } catch (const std::exception& e) {
    return Status::Error(offline + ": " + e.what());
  }
  if (!(st = WriteFileAtomic(dir_ + "/uid", std::to_string(uid), opt_.fsync))) return st;
  if (!(st = WriteFileAtomic(offline + kOfflineSchema, schema, opt_.fsync))) return st;
  if (!(st = WriteFileAtomic(dir_ + "/groups/" + g.name + ".json", GroupToJson(g), opt_.fsync))) return st;
  auto gs = std::make_unique<GroupState>();
  gs->def = std::move(g);
  std::lock_guard<std::mutex> lock(groups_mu_);
  groups_[gs->def.name] = std::move(gs);
  return Status::Ok();
}

Status FeatureStore::DeleteGroup(const std::string& name) {
  if (!FindGroup(name)) return Status::Error("group '" + name + "' not found");
  Status st = Checkpoint();  // its logged records reach the offline store first
  if (!st) return st;
  std::lock_guard<std::mutex> wlock(write_mu_);
  const std::string p = dir_ + "/groups/" + name + ".json";
  if (std::remove(p.c_str()) != 0) return Status::Error(p + ": cannot remove");
  if (opt_.fsync) FsyncPath(dir_ + "/groups", true);
  std::lock_guard<std::mutex> lock(groups_mu_);
  groups_.erase(name);
  return Status::Ok();
}

std::vector<GroupSummary> FeatureStore::ListGroups() const {
  std::vector<GroupSummary> out;
  std::lock_guard<std::mutex> lock(groups_mu_);
  for (auto& [n, gs] : groups_) {
    GroupSummary s;
    s.name = n;
    s.created = gs->def.created;
    for (auto& sh : gs->shards) {
      std::lock_guard<std::mutex> l(sh.mu);
      for (auto& [id, e] : sh.map) s.online_records += !e.deleted;
    }
    out.push_back(s);
  }
  return out;
}

Result<FeatureGroup> FeatureStore::DescribeGroup(const std::string& name) const {
  GroupState* gs = FindGroup(name);
  if (!gs) return Status::Error("group '" + name + "' not found");
  return gs->def;
}

std::vector<std::string> FeatureStore::RecordIds(const std::string& group) const {
  std::vector<std::string> out;
  GroupState* gs = FindGroup(group);
  if (!gs) return out;
  for (auto& sh : gs->shards) {
    std::lock_guard<std::mutex> l(sh.mu);
    for (auto& [id, e] : sh.map)
      if (!e.deleted) out.push_back(id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// [SECTION] online store

void FeatureStore::Apply(GroupState& gs, WalOp op, std::string_view id, double event_time, double ttl_seconds,
                         std::string_view payload, uint64_t seq) {
  Shard& sh = gs.shards[ShardOf(id)];
  std::lock_guard<std::mutex> lock(sh.mu);
  auto [it, inserted] = sh.map.try_emplace(std::string(id));
  Entry& e = it->second;
  // Newest event time wins; equal times go to the later write.
  const bool newer = inserted || event_time > e.event_time ||
                     (op == WalOp::Put && event_time == e.event_time && seq > e.seq);
  if (!newer) return;  // offline only
  if (op == WalOp::HardDelete) {
    sh.map.erase(it);
    return;
  }
  e.event_time = event_time;
  e.seq = seq;
  e.deleted = op == WalOp::SoftDelete;
  const double ttl = ttl_seconds > 0 ? ttl_seconds : gs.def.ttl_seconds;
  e.expires_at = ttl > 0 ? event_time + ttl : 0;
  if (e.deleted) e.payload.clear();
  else e.payload.assign(payload.data(), payload.size());
}

Result<Record> FeatureStore::MakeRecord(const GroupState& gs, const Entry& e, const std::string& id,
                                        const std::vector<std::string>& features) const {
  WalRecord r;
  if (!DecodeWalPayload(e.payload, &r) || r.values.size() != gs.def.features.size())
    return Status::Error("group '" + gs.def.name + "' id '" + id + "': stored record does not decode");
  Record out;
  out.group = gs.def.name;
  out.id = id;
  out.event_time = e.event_time;
  out.expires_at = e.expires_at;
  auto add = [&](size_t k) {
    FeatureValue v;
    v.name = gs.def.features[k].name;
    v.type = gs.def.features[k].type;
    v.is_null = r.values[k].empty();
    v.text.assign(r.values[k]);
    out.values.push_back(std::move(v));
  };
  if (features.empty()) {
    for (size_t k = 0; k < r.values.size(); k++) add(k);
  } else {
    for (auto& f : features) {
      const int k = gs.def.Index(f);
      if (k < 0) return Status::Error("group '" + gs.def.name + "': unknown feature '" + f + "'");
      add(size_t(k));
    }
  }
  return out;
}

Result<Record> FeatureStore::Get(const std::string& group, const std::string& id,
                                 const std::vector<std::string>& features) const {
  GroupState* gs = FindGroup(group);
  if (!gs) return Status::Error("group '" + group + "' not found");
  const Shard& sh = gs->shards[ShardOf(id)];
  std::unique_lock<std::mutex> lock(sh.mu);
  auto it = sh.map.find(id);
  if (it == sh.map.end() || it->second.deleted) return Status::Error("not found: '" + id + "' in group '" + group + "'");
  if (it->second.expires_at > 0 && Now() >= it->second.expires_at)
    return Status::Error("not found: '" + id + "' in group '" + group + "' expired at " +
                         FormatIso8601(it->second.expires_at));
  const Entry e = it->second;
  lock.unlock();
  return MakeRecord(*gs, e, id, features);
}

BatchGetResult FeatureStore::BatchGet(const std::vector<RecordIdentifier>& ids,
                                      const std::vector<std::string>& features) const {
  BatchGetResult out;
  for (size_t i = 0; i < ids.size(); i++) {
    const auto& q = ids[i];
    if (i >= kBatchGetLimit) {
      out.unprocessed.push_back(q);
      continue;
    }
    if (!FindGroup(q.group)) {
      out.errors.push_back({q.group, q.id, "ResourceNotFound", "group '" + q.group + "' not found"});
      continue;
    }
    auto r = Get(q.group, q.id, features);
    if (r) out.records.push_back(std::move(*r));
    else {
      const bool nf = r.status().message().rfind("not found", 0) == 0;
      out.errors.push_back({q.group, q.id, nf ? "RecordNotFound" : "ValidationError", r.status().message()});
    }
  }
  return out;
}

Status FeatureStore::Put(const std::string& group, const std::vector<std::pair<std::string, std::string>>& values,
                         const PutOptions& opt) {
  GroupState* gs = FindGroup(group);
  if (!gs) return Status::Error("group '" + group + "' not found");
  const FeatureGroup& g = gs->def;
  WalRecord r;
  r.values.assign(g.features.size(), std::string_view());
  for (auto& [name, text] : values) {
    const int k = g.Index(name);
    if (k < 0) return Status::Error("group '" + group + "': unknown feature '" + name + "'");
    std::string why;
    if (!IsValidUtf8(text)) return Status::Error("feature '" + name + "': not UTF-8");
    if (k != g.EventTimeIndex() && !CheckValue(text, g.features[size_t(k)].type, &why)) return Status::Error("feature '" + name + "': " + why);
    r.values[size_t(k)] = text;
  }
  if (r.values[size_t(g.RecordIdIndex())].empty()) return Status::Error("missing record id '" + g.record_id + "'");
  std::string why;
  const int et = g.EventTimeIndex();
  if (!ParseEventTime(r.values[size_t(et)], g.features[size_t(et)].type, &r.event_time, &why))
    return Status::Error("feature '" + g.event_time + "': " + why);
  if (!(opt.ttl_seconds >= 0)) return Status::Error("ttl must be >= 0");
  r.op = WalOp::Put;
  r.group_uid = g.uid;
  r.api_time_us = int64_t(Now() * 1e6);
  r.ttl_seconds = opt.ttl_seconds;
  std::string frame;
  AppendWalFrame(&frame, r);
  std::shared_lock<std::shared_mutex> wl(wal_rw_);
  std::lock_guard<std::mutex> lock(write_mu_);
  uint64_t seq;
  Status st = WriteAndSync(frame, 1, &seq);
  if (!st) return st;
  Apply(*gs, r, std::string_view(frame).substr(kWalFrameHeader), seq);
  return Status::Ok();
}

Status FeatureStore::Delete(const std::string& group, const std::string& id, double event_time, DeleteMode mode) {
  GroupState* gs = FindGroup(group);
  if (!gs) return Status::Error("group '" + group + "' not found");
  if (id.empty()) return Status::Error("missing record id");
  const FeatureGroup& g = gs->def;
  if (!EventTimeInRange(event_time))
    return Status::Error("ValidationError: event time " + FormatIso8601(event_time) + " (years 0000..9999)");
  std::shared_lock<std::shared_mutex> wl(wal_rw_);
  std::lock_guard<std::mutex> lock(write_mu_);
  if (mode == DeleteMode::Hard) {
    const Shard& sh = gs->shards[ShardOf(id)];
    std::lock_guard<std::mutex> l(sh.mu);
    auto it = sh.map.find(id);
    if (it != sh.map.end() && event_time <= it->second.event_time)
      return Status::Error("ValidationError: event time " + FormatIso8601(event_time) +
                           " is not later than the stored record's " + FormatIso8601(it->second.event_time) +
                           "; nothing deleted, no marker written");
  }
  // The marker: same id, the delete's event time, every other feature null.
  const int et = g.EventTimeIndex();
  const std::string et_text = g.features[size_t(et)].type == FeatureType::String ? FormatIso8601(event_time)
                                                                                  : FormatNumber(event_time);
  WalRecord r;
  r.op = mode == DeleteMode::Hard ? WalOp::HardDelete : WalOp::SoftDelete;
  r.group_uid = g.uid;
  r.event_time = event_time;
  r.api_time_us = int64_t(Now() * 1e6);
  r.values.assign(g.features.size(), std::string_view());
  r.values[size_t(g.RecordIdIndex())] = id;
  r.values[size_t(et)] = et_text;
  std::string frame;
  AppendWalFrame(&frame, r);
  uint64_t seq;
  Status st = WriteAndSync(frame, 1, &seq);
  if (!st) return st;
  Apply(*gs, r, std::string_view(frame).substr(kWalFrameHeader), seq);
  return Status::Ok();
}

Status FeatureStore::AppendPuts(const FeatureGroup& g, const std::string& frames, const std::vector<PendingIndex>& idx) {
  GroupState* gs = FindGroup(g.name);
  if (!gs || gs->def.uid != g.uid) return Status::Error("group '" + g.name + "' was deleted during ingest");
  uint64_t first, end, segment;
  {
    std::shared_lock<std::shared_mutex> wl(wal_rw_);  // other workers append too; a seal waits
    {
      std::lock_guard<std::mutex> lock(write_mu_);
      Status st = EnsureWriter();
      if (!st) return st;
      segment = segment_;
    }
    Status st = wal_.Append(frames, idx.size(), &first, &end);
    if (!st) return st;
    if (!(st = wal_.SyncTo(end))) return st;
  }
  // Durable: now visible. Apply compares (event_time, seq), so the order in
  // which workers get here does not change the outcome.
  for (size_t i = 0; i < idx.size(); i++) {
    const PendingIndex& p = idx[i];
    uint32_t len;
    std::memcpy(&len, frames.data() + p.frame_offset + 4, 4);
    const std::string_view payload(frames.data() + p.frame_offset + kWalFrameHeader, len);
    Apply(*gs, WalOp::Put, std::string_view(frames.data() + p.id_offset, p.id_size), p.event_time, p.ttl_seconds,
          payload, first + i);
  }
  if (opt_.seal_bytes > 0 && end >= opt_.seal_bytes) SealIfFull(segment);
  return Status::Ok();
}

// [SECTION] offline store

// One part file in the making: CSV rows, or for Parquet the records (indices
// into the segment's payloads), converted when the file is written (natively
// by several writer threads at once).
struct OfflinePart {
  std::string csv;
  std::vector<uint32_t> records;
};
using Parts = std::map<std::pair<std::string, int64_t>, OfflinePart>;  // (group, hour) -> rows
struct FeatureStore::SegmentParts {
  uint64_t segment = 0;
  bool read = false;      // the log is read and checked (ReadSegment)
  bool prepared = false;
  double write_time = 0;  // Unix s: one write time for the whole segment
  std::string data;       // the segment's bytes (Parquet parts read their records here)
  std::string write_time_text;  // write_time as the CSV column holds it
  std::vector<std::string_view> payloads;
  std::vector<Parts> pieces;  // formatted records, in log order (natively two threads fill two)
  size_t formatted = 0;       // records formatted so far (CheckpointStep does it in slices)
  Parts parts;
  Parts::iterator next;
};

Status FeatureStore::MaterializeSegment(uint64_t n) {
  SegmentParts sp;
  Status st = PrepareSegment(n, &sp);
#if !defined(__EMSCRIPTEN__)
  // A part file's time is mostly its fsync, which on a busy disk waits for a
  // journal commit: several files in flight at once share commits.
  constexpr size_t kWriters = 4;
  if (st && sp.parts.size() > 1) {
    std::vector<Parts::iterator> todo;
    for (auto it = sp.parts.begin(); it != sp.parts.end(); ++it) todo.push_back(it);
    std::atomic<size_t> next{0};
    std::mutex err_mu;
    auto work = [&] {
      for (size_t i; (i = next++) < todo.size();) {
        Status s = WritePart(sp, todo[i]->first.first, todo[i]->first.second, &todo[i]->second);
        std::lock_guard<std::mutex> lock(err_mu);
        if (!s && st) st = s;
      }
    };
    std::vector<std::thread> writers;
    for (size_t k = 1; k < std::min(kWriters, todo.size()); k++) writers.emplace_back(work);
    work();
    for (auto& t : writers) t.join();
    sp.next = sp.parts.end();
  }
#endif
  while (st && sp.next != sp.parts.end()) st = WriteSegmentPart(sp);
  if (!st) return st;
  return WriteFileAtomic(dir_ + "/wal/" + SegName(n) + ".offline", "", opt_.fsync);
}

Status FeatureStore::CheckpointStep(double budget_ms, bool* done) {
  *done = false;
  const double t0 = NowMs();
  if (!stepping_) {
    if (Status bg = DrainBackground(); !bg) return bg;  // segments sealed during writes (native)
    std::unique_lock<std::shared_mutex> wl(wal_rw_);
    std::lock_guard<std::mutex> lock(write_mu_);
    if (!wal_.IsOpen()) {
      *done = true;
      return Status::Ok();
    }
    Status st = wal_.Close();
    next_seq_ = wal_.NextSeq();
    stepping_ = std::make_unique<SegmentParts>();
    stepping_->segment = segment_++;
    if (!st) {
      stepping_.reset();
      return st;
    }
    return Status::Ok();
  }
  SegmentParts& sp = *stepping_;
  Status st;
  if (!sp.prepared) {
    // Reading the log, formatting its records and joining them are each bounded by the
    // budget: a whole segment at once was a 66-150 ms slice in the page.
    if (!sp.read) {
      st = ReadSegment(sp.segment, &sp);
      if (!st) stepping_.reset();
      return st;
    }
    constexpr size_t kChunk = 2000;  // records per clock read
    while (sp.formatted < sp.payloads.size()) {
      const size_t end = std::min(sp.payloads.size(), sp.formatted + kChunk);
      FormatRecords(&sp, sp.formatted, end, 0);
      sp.formatted = end;
      if (NowMs() - t0 >= budget_ms) return Status::Ok();
    }
    FinishPrepare(&sp);
    if (NowMs() - t0 >= budget_ms * 0.5) return Status::Ok();
  }
  // At least one part file a slice, however small the budget.
  for (bool first = true; sp.next != sp.parts.end() && (first || NowMs() - t0 < budget_ms); first = false) {
    if (!(st = WriteSegmentPart(sp))) {
      stepping_.reset();
      return st;
    }
  }
  if (sp.next != sp.parts.end()) return Status::Ok();
  const uint64_t n = sp.segment;
  stepping_.reset();
  *done = true;
  return WriteFileAtomic(dir_ + "/wal/" + SegName(n) + ".offline", "", opt_.fsync);
}

Status FeatureStore::ReadSegment(uint64_t n, SegmentParts* out) {
  const std::string path = SegmentPath(n);
  out->segment = n;
  out->write_time = Now();
  out->write_time_text = FormatIso8601(out->write_time);
  Result<std::string> read = ReadFile(path);
  if (!read) return Status::Error(path + ": cannot read");
  out->data = std::move(*read);
  out->payloads.clear();
  out->pieces.assign(1, Parts());
  out->formatted = 0;
  WalScan scan = ScanSegmentBuffer(path, out->data, [&](std::string_view p, uint64_t) { out->payloads.push_back(p); });
  if (!scan.error) return scan.error;
  out->read = true;
  return Status::Ok();
}

// Records [begin, end) of the segment into pieces[piece]. Called for consecutive ranges
// of one piece in order, so each part keeps the log's order.
void FeatureStore::FormatRecords(SegmentParts* sp, size_t begin, size_t end, size_t piece) {
  const std::vector<std::string_view>& payloads = sp->payloads;
  const std::string& write_time = sp->write_time_text;
  Parts* parts = &sp->pieces[piece];
  WalRecord r;
  std::map<uint64_t, GroupState*> by_uid;
  OfflinePart* cur = nullptr;
  int64_t cur_hour = 0, last_api_us = -1;
  GroupState* cur_gs = nullptr;
  GroupState* id_gs = nullptr;  // the group whose record id index is id_index
  size_t id_index = 0;
  std::string last_api;
  for (size_t i = begin; i < end; i++) {
    // The fixed fields place a record; only a CSV part needs its values decoded here
    // (a Parquet part decodes them when it is written).
    size_t count;
    DecodeWalHeader(payloads[i], &r, &count);
    auto found = by_uid.find(r.group_uid);
    GroupState* gs = found != by_uid.end() ? found->second : (by_uid[r.group_uid] = FindGroupUid(r.group_uid));
    if (!gs) continue;  // a group deleted after this log was sealed
    const bool pq = gs->def.offline_format == OfflineFormat::Parquet;
    if (!pq) DecodeWalPayload(payloads[i], &r);
    // A bad record Recover named.
    if (pq && gs != id_gs) id_gs = gs, id_index = size_t(gs->def.RecordIdIndex());
    if (pq ? !CheckLoggedParts(r, count, [&] { return WalValue(payloads[i], id_index); }, gs->def, nullptr)
           : !CheckLogged(r, gs->def, nullptr))
      continue;
    const int64_t hour = int64_t(std::floor(r.event_time / 3600.0));
    // Runs of records share a partition: skip the map (and its key copy) for them.
    if (!cur || hour != cur_hour || gs != cur_gs) {
      cur = &(*parts)[{gs->def.name, hour}];
      cur_hour = hour;
      cur_gs = gs;
    }
    if (pq) {
      cur->records.push_back(uint32_t(i));
      continue;
    }
    std::string& out = cur->csv;
    for (auto v : r.values) {
      AppendCsvCell(&out, v);
      out += ',';
    }
    out += write_time;
    out += ',';
    if (r.api_time_us != last_api_us) {  // one batch shares its api time: format it once
      last_api_us = r.api_time_us;
      last_api = FormatIso8601(double(r.api_time_us) / 1e6);
    }
    out += last_api;
    out += r.op == WalOp::Put ? ",false\n" : ",true\n";
  }
}

void FeatureStore::FinishPrepare(SegmentParts* out) {
  Parts& parts = out->pieces[0];
  for (size_t k = 1; k < out->pieces.size(); k++)
    for (auto& [key, part] : out->pieces[k]) {
      OfflinePart& to = parts[key];
      to.csv += part.csv;
      to.records.insert(to.records.end(), part.records.begin(), part.records.end());
    }
  bool records = false;  // Parquet parts read the segment's bytes when written; CSV parts are text already
  for (auto& kv : parts) records = records || !kv.second.records.empty();
  if (!records) {
    out->payloads.clear();
    std::string().swap(out->data);
  }
  out->parts = std::move(parts);
  out->pieces.clear();
  out->formatted = out->payloads.size();
  out->next = out->parts.begin();
  out->prepared = true;
}

Status FeatureStore::PrepareSegment(uint64_t n, SegmentParts* out) {
  if (Status st = ReadSegment(n, out); !st) return st;
  const size_t count = out->payloads.size();
  // Formatting is most of a big checkpoint: natively, halves in two threads,
  // concatenated in log order afterwards so each file keeps the log's order.
#if !defined(__EMSCRIPTEN__)
  if (count >= 100000) {
    out->pieces.resize(2);
    const size_t mid = count / 2;
    std::thread t([&] { FormatRecords(out, mid, count, 1); });
    FormatRecords(out, 0, mid, 0);
    t.join();
  } else
#endif
    FormatRecords(out, 0, count, 0);
  FinishPrepare(out);
  return Status::Ok();
}

Status FeatureStore::WriteSegmentPart(SegmentParts& sp) {
  auto& [key, part] = *sp.next;
  ++sp.next;
  return WritePart(sp, key.first, key.second, &part);
}

// A Parquet part file from logged records. Values were checked against their
// types before they were logged; one that still does not parse (a damaged
// log whose CRC passed) is written as a null rather than stop the offline store.
static Result<std::string> ParquetPart(const FeatureGroup& g, const std::vector<std::string_view>& payloads,
                                       const std::vector<uint32_t>& records, double write_time) {
  parquet::ParquetWriter w(OfflineParquetSchema(g));
  w.Reserve(records.size());
  const int64_t write_us = std::llround(write_time * 1e6);
  const size_t nf = g.features.size(), et = size_t(g.EventTimeIndex());
  // What each column does with its text, decided once per part rather than per value.
  enum Kind : uint8_t { kText, kInt, kFrac, kTimeText, kTimeInt, kTimeFrac };
  std::vector<uint8_t> kinds(nf);
  for (size_t k = 0; k < nf; k++) {
    const FeatureType t = g.features[k].type;
    const uint8_t base = t == FeatureType::String ? kText : t == FeatureType::Integral ? kInt : kFrac;
    kinds[k] = k == et ? uint8_t(base + kTimeText) : base;
  }
  for (uint32_t i : records) {
    // The values in place: ScanSegmentBuffer decoded every payload of the segment
    // and FormatRecords checked its value count, so the lengths are within it.
    const char* p = payloads[i].data();
    double event_time;
    int64_t api_us;
    std::memcpy(&event_time, p + 9, 8);
    std::memcpy(&api_us, p + 17, 8);
    const bool deleted = WalOp(uint8_t(p[0])) != WalOp::Put;
    size_t off = kWalFixedPayload;
    for (size_t k = 0; k < nf; k++) {
      uint32_t len;
      std::memcpy(&len, p + off, 4);
      const std::string_view v(p + off + 4, len);
      off += 4 + size_t(len);
      int64_t iv;
      double dv;
      switch (kinds[k]) {
        case kText:
          if (v.empty()) w.AppendNull(k);
          else w.AppendString(k, v);
          break;
        case kInt:
          if (ParseIntegral(v, &iv)) w.AppendInt64(k, iv);
          else w.AppendNull(k);
          break;
        case kFrac:
          if (ParseFractional(v, &dv)) w.AppendDouble(k, dv);
          else w.AppendNull(k);
          break;
        // The event time as the ingest parsed it into the record's header: a
        // numeric one with ParseFractional from this same (Integral-checked) text,
        // so the header holds the value parsing it again would give.
        case kTimeText: w.AppendInt64(k, std::llround(event_time * 1e6)); break;
        case kTimeInt: w.AppendInt64(k, int64_t(event_time)); break;
        default: w.AppendDouble(k, event_time); break;
      }
    }
    w.AppendInt64(nf, write_us);
    w.AppendInt64(nf + 1, api_us);
    w.AppendBool(nf + 2, deleted);
  }
  return w.Finish();
}

Status FeatureStore::WritePart(const SegmentParts& sp, const std::string& group, int64_t hour, OfflinePart* part) {
  const uint64_t n = sp.segment;
  const std::pair<std::string, int64_t> key(group, hour);
  try {
    {
      GroupState* gs = FindGroup(key.first);
      if (!gs) return Status::Ok();  // deleted between slices of a stepwise checkpoint
      const std::string stamp = FormatIso8601(double(key.second) * 3600.0);  // 2024-03-01T12:...
      const std::string folder = dir_ + "/offline/" + key.first + "/year=" + stamp.substr(0, 4) + "/month=" +
                                 stamp.substr(5, 2) + "/day=" + stamp.substr(8, 2) + "/hour=" + stamp.substr(11, 2);
      fs::create_directories(folder);
      // The same name on a re-run after a crash: rewriting it is idempotent.
      // fsync per part file: syncfs would also wait for every other dirty page on the disk.
      Status st;
      if (gs->def.offline_format == OfflineFormat::Parquet) {
        Result<std::string> bytes = ParquetPart(gs->def, sp.payloads, part->records, sp.write_time);
        std::vector<uint32_t>().swap(part->records);
        if (!bytes) return Status::Error(folder + ": " + bytes.status().message());
        st = WriteFileAtomic(folder + "/part-" + SegName(n) + ".parquet", *bytes, opt_.fsync);
      } else {
        std::string header;
        for (auto& f : gs->def.features) header += f.name + ",";
        header += "write_time,api_invocation_time,is_deleted\n";
        st = WriteFileAtomic(folder + "/part-" + SegName(n) + ".csv", {header, part->csv}, opt_.fsync);
        std::string().swap(part->csv);  // written: a big checkpoint need not hold every part until the end
      }
      if (!st) return st;
    }
  } catch (const std::exception& e) {
    return Status::Error(dir_ + "/offline: " + e.what());
  }
  return Status::Ok();
}

// [SECTION] verify and history

static void VerifyOfflineFile(const std::string& path, const FeatureGroup& g, VerifyReport* rep) {
  Result<std::string> read = ReadFile(path);
  if (!read) {
    rep->errors.push_back({path, 0, "cannot read"});
    return;
  }
  const std::string& d = *read;
  CsvSplitter sp;
  std::string why;
  size_t pos = 0;
  uint64_t line_no = 0;
  const size_t ncol = g.features.size() + 3;
  const int et = g.EventTimeIndex();
  while (pos < d.size()) {
    size_t nl = d.find('\n', pos);
    if (nl == std::string::npos) {
      rep->errors.push_back({path, line_no + 1, "last line has no newline (truncated file)"});
      return;
    }
    const std::string_view line(d.data() + pos, nl - pos);
    pos = nl + 1;
    line_no++;
    auto bad = [&](const std::string& m) { rep->errors.push_back({path, line_no, m}); };
    if (!sp.Split(line, &why)) { bad(why); return; }
    const auto& c = sp.Cells();
    if (line_no == 1) {
      if (c.size() != ncol || c[0] != g.features[0].name || c[ncol - 1] != "is_deleted") {
        bad("header does not match the group's schema");
        return;
      }
      continue;
    }
    if (c.size() != ncol) { bad(std::to_string(c.size()) + " columns, expected " + std::to_string(ncol)); return; }
    for (size_t k = 0; k < g.features.size(); k++)
      if (!CheckValue(c[k], g.features[k].type, &why)) { bad(g.features[k].name + ": " + why); return; }
    double t;
    if (!ParseEventTime(c[size_t(et)], g.features[size_t(et)].type, &t, &why)) { bad(why); return; }
    const std::string stamp = FormatIso8601(std::floor(t / 3600.0) * 3600.0);
    if (path.find("/year=" + stamp.substr(0, 4) + "/month=" + stamp.substr(5, 2) + "/day=" + stamp.substr(8, 2) +
                  "/hour=" + stamp.substr(11, 2) + "/") == std::string::npos) {
      bad("event time " + stamp + " is outside this partition");
      return;
    }
    if (c[ncol - 1] != "true" && c[ncol - 1] != "false") { bad("is_deleted is not true/false"); return; }
    rep->offline_rows++;
  }
}

// A Parquet part read strictly: the group's columns and types, then per row a
// record id, an event time inside the file's partition, valid UTF-8 text and
// finite numbers.
static void VerifyParquetFile(const std::string& path, const FeatureGroup& g, VerifyReport* rep) {
  Result<std::string> read = ReadFile(path);
  if (!read) {
    rep->errors.push_back({path, 0, "cannot read"});
    return;
  }
  auto t = parquet::ReadParquet(*read, path);
  if (!t) {
    const std::string& m = t.status().message();
    const size_t at = m.find(": byte ", path.size());
    rep->errors.push_back({path, at == std::string::npos ? 0 : std::strtoull(m.c_str() + at + 7, nullptr, 10), m});
    return;
  }
  const std::vector<parquet::ColumnSpec> want = OfflineParquetSchema(g);
  if (t->columns.size() != want.size()) {
    rep->errors.push_back({path, 0, std::to_string(t->columns.size()) + " columns, the group's schema has " + std::to_string(want.size())});
    return;
  }
  for (size_t k = 0; k < want.size(); k++) {
    const parquet::ColumnSpec& c = t->columns[k].spec;
    if (c.name != want[k].name || c.type != want[k].type || (c.nullable && !want[k].nullable && !g.record_id.empty())) {
      rep->errors.push_back({path, 0, "column " + std::to_string(k) + " '" + c.name + "' (" + parquet::ColumnTypeName(c.type) +
                                          (c.nullable ? ", optional" : "") + ") does not match the group's '" + want[k].name + "' (" +
                                          parquet::ColumnTypeName(want[k].type) + ")"});
      return;
    }
  }
  const size_t nf = g.features.size(), et = size_t(g.EventTimeIndex());
  const int id = g.RecordIdIndex();
  auto seconds = [&](const parquet::ParquetColumn& c, size_t r) {
    if (c.spec.type == parquet::ColumnType::Double) return c.doubles[r];
    if (c.spec.type == parquet::ColumnType::Timestamp) return double(c.ints[r]) / (c.spec.unit == parquet::TimeUnit::Millis ? 1e3 : 1e6);
    return double(c.ints[r]);
  };
  std::string why;
  for (size_t r = 0; r < t->rows; r++) {
    auto bad = [&](const std::string& m) { rep->errors.push_back({path, 0, "row " + std::to_string(r + 1) + ": " + m}); };
    if (id >= 0 && (t->columns[size_t(id)].nulls[r] ||
                    (t->columns[size_t(id)].spec.type == parquet::ColumnType::String && t->columns[size_t(id)].strings[r].empty()))) {
      bad("record id '" + g.record_id + "' is null");
      return;
    }
    for (size_t k = 0; k < nf; k++) {
      const parquet::ParquetColumn& c = t->columns[k];
      if (c.nulls[r]) continue;
      if (c.spec.type == parquet::ColumnType::String && !CheckValue(c.strings[r], FeatureType::String, &why)) {
        bad(c.spec.name + ": " + why);
        return;
      }
      if (c.spec.type == parquet::ColumnType::Double && !std::isfinite(c.doubles[r])) {
        bad(c.spec.name + ": not a finite number");
        return;
      }
    }
    const double ev = seconds(t->columns[et], r);
    if (t->columns[et].nulls[r] || !EventTimeInRange(ev)) {
      bad("event time is null or outside years 0000..9999");
      return;
    }
    const std::string stamp = FormatIso8601(std::floor(ev / 3600.0) * 3600.0);
    if (path.find("/year=" + stamp.substr(0, 4) + "/month=" + stamp.substr(5, 2) + "/day=" + stamp.substr(8, 2) +
                  "/hour=" + stamp.substr(11, 2) + "/") == std::string::npos) {
      bad("event time " + stamp + " is outside this partition");
      return;
    }
    for (size_t k = nf; k < nf + 2; k++)
      if (!EventTimeInRange(seconds(t->columns[k], r))) {
        bad(t->columns[k].spec.name + " is outside years 0000..9999");
        return;
      }
  }
  rep->offline_rows += t->rows;
}

VerifyReport FeatureStore::Verify() {
  VerifyReport rep;
  rep.notes = notes_;
  Checkpoint();
  try {
    for (auto& e : fs::directory_iterator(dir_ + "/groups")) {
      if (e.path().extension() != ".json") continue;
      Result<std::string> text = ReadFile(e.path().string());
      auto g = text ? GroupFromJson(*text, e.path().string()) : Result<FeatureGroup>(Status::Error("unreadable"));
      if (!g) rep.errors.push_back({e.path().string(), 0, g.status().message()});
    }
    for (auto& p : LogSegments(dir_)) {
      WalRecord r;
      WalScan s = ScanSegment(p, [&](std::string_view payload, uint64_t off) {
        DecodeWalPayload(payload, &r);
        GroupState* gs = FindGroupUid(r.group_uid);
        std::string why;
        if (gs && !CheckLogged(r, gs->def, &why)) rep.errors.push_back({p, off, "record skipped: " + why});
      });
      rep.log_records += s.records;
      if (!s.error) rep.errors.push_back({p, s.valid_bytes, s.error.message()});
      else if (s.torn_tail) rep.errors.push_back({p, s.valid_bytes, "damaged bytes at the end of a sealed segment"});
    }
    std::map<std::string, FeatureGroup> defs;
    {
      std::lock_guard<std::mutex> lock(groups_mu_);
      for (auto& [n, gs] : groups_) defs[n] = gs->def;
    }
    for (auto& top : fs::directory_iterator(dir_ + "/offline")) {
      if (!top.is_directory()) continue;
      const std::string table = top.path().filename().string();
      FeatureGroup g;
      if (defs.count(table)) g = defs[table];
      else {
        // A deleted group's offline data: check it against its own _schema.json (schema.json before).
        std::string schema_path;
        Result<std::string> text = ReadOfflineSchema(top.path().string(), &schema_path);
        if (!text) {
          rep.errors.push_back({top.path().string() + kOfflineSchema, 0, "missing"});
          continue;
        }
        try {
          auto j = nlohmann::json::parse(*text);
          g.name = table;
          if (!ParseOfflineFormat(j.value("format", "csv"), &g.offline_format))
            throw std::runtime_error("format '" + j.value("format", "") + "' is neither parquet nor csv");
          g.record_id = j.value("record_identifier", "");
          for (auto& c : j.at("columns")) {
            FeatureDefinition f;
            f.name = c.at("name").get<std::string>();
            if (IsReservedName(f.name)) continue;
            ParseFeatureType(c.at("type").get<std::string>(), &f.type);
            g.features.push_back(f);
          }
          g.event_time = j.at("partitioned_by").get<std::string>();
          g.event_time = g.event_time.substr(0, g.event_time.find(' '));
          if (g.features.empty() || g.EventTimeIndex() < 0)
            throw std::runtime_error("no columns, or the event time '" + g.event_time + "' is not one of them");
        } catch (const std::exception& e) {
          rep.errors.push_back({schema_path, 0, e.what()});
          continue;
        }
      }
      for (auto& e : fs::recursive_directory_iterator(top.path())) {
        if (!e.is_regular_file()) continue;
        if (e.path().extension() == ".csv") VerifyOfflineFile(e.path().string(), g, &rep);
        else if (e.path().extension() == ".parquet") VerifyParquetFile(e.path().string(), g, &rep);
      }
    }
  } catch (const std::exception& e) {
    rep.errors.push_back({dir_, 0, e.what()});
  }
  for (auto& s : ListGroups()) rep.records += s.online_records;
  rep.ok = rep.errors.empty();
  return rep;
}

Result<std::unordered_map<std::string, std::vector<HistoryEntry>>> FeatureStore::History(const std::string& group) {
  GroupState* gs = FindGroup(group);
  if (!gs) return Status::Error("group '" + group + "' not found");
  Status st = Checkpoint();  // every write is in a sealed segment
  if (!st) return st;
  std::unordered_map<std::string, std::vector<HistoryEntry>> h;
  const size_t id_k = size_t(gs->def.RecordIdIndex());
  uint64_t seq = 0;
  for (auto& p : LogSegments(dir_)) {
    WalRecord r;
    WalScan s = ScanSegment(p, [&](std::string_view payload, uint64_t) {
      seq++;
      DecodeWalPayload(payload, &r);
      if (r.group_uid != gs->def.uid || !CheckLogged(r, gs->def, nullptr)) return;  // Recover named a bad one
      h[std::string(r.values[id_k])].push_back({r.event_time, seq, r.op != WalOp::Put, std::string(payload)});
    });
    if (!s.error) return s.error;
  }
  for (auto& [id, v] : h)
    std::stable_sort(v.begin(), v.end(), [](const HistoryEntry& a, const HistoryEntry& b) {
      return a.event_time < b.event_time || (a.event_time == b.event_time && a.seq < b.seq);
    });
  return h;
}

}  // namespace fk::features
