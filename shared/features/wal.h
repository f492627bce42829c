// Write-ahead log of the feature store: numbered segment files of framed
// records (magic, length, CRC-32 of length+payload, payload). Appends from
// several workers are group-committed: one fsync covers every frame written
// before it, and a listener hears the running count of durable records.
//
//   WalWriter w;  w.Open("store/wal/000001.log", 0);
//   w.Append(frames, n, &first_seq, &end);  w.SyncTo(end);   // durable now
//   WalScan s = ScanSegment(path, [](std::string_view payload, uint64_t off) { ... });
#pragma once
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/crc32.h"
#include "core/status.h"

namespace fk::features {

using fk::Crc32;  // core/crc32.h

enum class WalOp : uint8_t { Put = 1, SoftDelete = 2, HardDelete = 3 };

// One logged write. Values follow the group's feature order; empty = null.
struct WalRecord {
  WalOp op = WalOp::Put;
  uint64_t group_uid = 0;
  double event_time = 0;   // Unix s
  int64_t api_time_us = 0; // when the write was made (api_invocation_time)
  double ttl_seconds = 0;  // per-record TTL; 0 = the group's
  std::vector<std::string_view> values;
};

constexpr uint32_t kWalMagic = 0x4B465731;      // "1WFK" little-endian
constexpr size_t kWalFrameHeader = 12;          // magic, payload bytes, crc
constexpr size_t kWalFixedPayload = 35;         // op, uid, event time, api time, ttl, value count
constexpr uint32_t kWalMaxPayload = 64u << 20;  // a larger length is corruption

// Appends one framed record to `out`.
void AppendWalFrame(std::string* out, const WalRecord& r);
// Parses a payload; false if it is malformed (the CRC passed but the content
// does not decode: a bug or a crafted file, reported like corruption).
bool DecodeWalPayload(std::string_view payload, WalRecord* out);
// Only the fixed fields (out->values untouched) and the value count, for a
// payload DecodeWalPayload accepts; and value k (< the count) of such a
// payload. What a checkpoint needs to place a record without decoding it.
void DecodeWalHeader(std::string_view payload, WalRecord* out, size_t* value_count);
std::string_view WalValue(std::string_view payload, size_t k);

struct WalScan {
  uint64_t records = 0;
  uint64_t valid_bytes = 0;  // end of the last good frame
  uint64_t file_bytes = 0;
  bool torn_tail = false;    // bytes after valid_bytes that no good frame follows
  Status error;              // corruption (a bad frame with good frames after it) or I/O
};
// Reads a segment and calls fn for each good frame in order. A bad frame with
// nothing good after it is a torn tail (a crash mid-append): reported, not an
// error. A bad frame followed by a good one is corruption: error names the file
// and byte offset, and fn has seen only the frames before it.
WalScan ScanSegment(const std::string& path, const std::function<void(std::string_view, uint64_t)>& fn);
// The same over bytes already in memory (views passed to fn point into data).
WalScan ScanSegmentBuffer(const std::string& path, const std::string& data,
                          const std::function<void(std::string_view, uint64_t)>& fn);

class WalWriter {
 public:
  WalWriter() = default;
  ~WalWriter();
  WalWriter(const WalWriter&) = delete;
  WalWriter& operator=(const WalWriter&) = delete;

  // Creates a new segment (fails if it exists). first_seq numbers its first record.
  Status Open(const std::string& path, uint64_t first_seq, bool fsync = true);
  bool IsOpen() const { return fd_ >= 0; }
  // Writes `count` frames in one write; returns the first record's sequence
  // number and the byte offset where these frames end. Thread-safe.
  Status Append(std::string_view frames, uint64_t count, uint64_t* first_seq, uint64_t* end);
  // Returns once every byte up to `end` is on disk; one fsync serves all
  // callers waiting at that moment (group commit). Thread-safe.
  Status SyncTo(uint64_t end);
  Status Close();  // syncs
  // Called (under the sync lock, in increasing order) with the number of
  // records made durable since Open, after each fsync.
  void SetOnDurable(std::function<void(uint64_t)> fn) { on_durable_ = std::move(fn); }
  uint64_t Records() const { return next_seq_ - first_seq_; }
  uint64_t Bytes() const { return bytes_; }
  uint64_t NextSeq() const { return next_seq_; }
  const std::string& Path() const { return path_; }

 private:
  int fd_ = -1;
  bool fsync_ = true;
  std::string path_;
  std::mutex mu_;       // append order, bytes_, marks_
  std::mutex sync_mu_;  // one fsync at a time
  uint64_t first_seq_ = 0, next_seq_ = 0, bytes_ = 0;
  std::atomic<uint64_t> synced_{0};
  std::deque<std::pair<uint64_t, uint64_t>> marks_;  // (end byte, records through it)
  std::function<void(uint64_t)> on_durable_;
};

}  // namespace fk::features
