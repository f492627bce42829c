// Write-ahead log: frames, CRC, scanning with torn-tail detection, and the
// group-committing writer. POSIX file calls only (Emscripten's FS has them).
#include "features/wal.h"

#include "core/file.h"
#include "features/schema.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace fk::features {

void AppendWalFrame(std::string* out, const WalRecord& r) {
  // Sized once and filled in place: appending field by field was a tenth of
  // a big ingest's CPU time (a capacity check and a copy call per field).
  size_t len = kWalFixedPayload;
  for (auto v : r.values) len += 4 + v.size();
  const size_t start = out->size();
  out->resize(start + kWalFrameHeader + len);
  char* h = &(*out)[start];
  char* q = h + kWalFrameHeader;
  auto put = [&q](const auto& v) {
    std::memcpy(q, &v, sizeof v);  // little-endian on every target we build
    q += sizeof v;
  };
  put(uint8_t(r.op));
  put(r.group_uid);
  put(r.event_time);
  put(r.api_time_us);
  put(r.ttl_seconds);
  put(uint16_t(r.values.size()));
  for (auto v : r.values) {
    put(uint32_t(v.size()));
    if (!v.empty()) std::memcpy(q, v.data(), v.size());
    q += v.size();
  }
  const uint32_t len32 = uint32_t(len);
  std::memcpy(h, &kWalMagic, 4);
  std::memcpy(h + 4, &len32, 4);
  const uint32_t crc = Crc32(h + kWalFrameHeader, len32, Crc32(h + 4, 4));
  std::memcpy(h + 8, &crc, 4);
}

bool DecodeWalPayload(std::string_view p, WalRecord* r) {
  constexpr size_t kFixed = kWalFixedPayload;
  static_assert(kFixed == 1 + 8 + 8 + 8 + 8 + 2, "payload layout");
  if (p.size() < kFixed) return false;
  const char* q = p.data();
  size_t n;
  DecodeWalHeader(p, r, &n);
  if (int(r->op) < 1 || int(r->op) > 3) return false;
  // Sized once and filled in place: this runs for every record of every scan and checkpoint.
  if (size_t(n) * 4 > p.size() - kFixed) return false;
  r->values.resize(n);
  size_t off = kFixed;
  for (uint16_t i = 0; i < n; i++) {
    uint32_t len;
    if (off + 4 > p.size()) return false;
    std::memcpy(&len, q + off, 4);
    off += 4;
    if (len > p.size() - off) return false;
    r->values[i] = std::string_view(q + off, len);
    off += len;
  }
  return off == p.size();
}

void DecodeWalHeader(std::string_view p, WalRecord* r, size_t* value_count) {
  const char* q = p.data();
  uint8_t op;
  uint16_t n;
  std::memcpy(&op, q, 1);
  std::memcpy(&r->group_uid, q + 1, 8);
  std::memcpy(&r->event_time, q + 9, 8);
  std::memcpy(&r->api_time_us, q + 17, 8);
  std::memcpy(&r->ttl_seconds, q + 25, 8);
  std::memcpy(&n, q + 33, 2);
  r->op = WalOp(op);
  *value_count = n;
}

std::string_view WalValue(std::string_view p, size_t k) {
  size_t off = kWalFixedPayload;
  uint32_t len;
  for (size_t i = 0;; i++) {
    std::memcpy(&len, p.data() + off, 4);
    off += 4;
    if (i == k) return p.substr(off, len);
    off += len;
  }
}

// Checks the frame at `off`; returns its total size, 0 if it is not a good frame.
static size_t GoodFrameAt(const std::string& d, size_t off) {
  if (d.size() - off < kWalFrameHeader) return 0;
  uint32_t magic, len, crc;
  std::memcpy(&magic, &d[off], 4);
  std::memcpy(&len, &d[off + 4], 4);
  std::memcpy(&crc, &d[off + 8], 4);
  if (magic != kWalMagic || len > kWalMaxPayload || len > d.size() - off - kWalFrameHeader) return 0;
  if (Crc32(&d[off + kWalFrameHeader], len, Crc32(&d[off + 4], 4)) != crc) return 0;
  return kWalFrameHeader + len;
}

WalScan ScanSegment(const std::string& path, const std::function<void(std::string_view, uint64_t)>& fn) {
  Result<std::string> d = ReadFile(path);
  if (!d) {
    WalScan s;
    s.error = d.status();  // "<path>: cannot open", or why it could not be read
    return s;
  }
  return ScanSegmentBuffer(path, *d, fn);
}

WalScan ScanSegmentBuffer(const std::string& path, const std::string& d,
                          const std::function<void(std::string_view, uint64_t)>& fn) {
  WalScan s;
  s.file_bytes = d.size();
  size_t off = 0;
  WalRecord probe;  // one for the scan: its values vector is reused, not reallocated per record
  while (off < d.size()) {
    const size_t n = GoodFrameAt(d, off);
    if (n == 0) break;
    if (!DecodeWalPayload(std::string_view(d).substr(off + kWalFrameHeader, n - kWalFrameHeader), &probe)) {
      s.error = Status::Error(path + ": byte " + std::to_string(off) + ": record " + std::to_string(s.records) +
                              " has a good checksum but does not decode");
      return s;
    }
    if (fn) fn(std::string_view(d).substr(off + kWalFrameHeader, n - kWalFrameHeader), off);
    off += n;
    s.records++;
  }
  s.valid_bytes = off;
  if (off == d.size()) return s;
  // A bad frame. If a good frame starts anywhere after it, the damage is in
  // the middle of the log (bit rot, an overwrite), not a crash mid-append.
  for (size_t p = off + 1; p + kWalFrameHeader <= d.size(); p++) {
    if (std::memcmp(&d[p], &kWalMagic, 4) != 0) continue;
    if (GoodFrameAt(d, p)) {
      s.error = Status::Error(path + ": byte " + std::to_string(off) + ": record " + std::to_string(s.records) +
                              " is corrupt (checksum or length) and good records follow at byte " +
                              std::to_string(p));
      return s;
    }
  }
  s.torn_tail = true;
  return s;
}

WalWriter::~WalWriter() { Close(); }

Status WalWriter::Open(const std::string& path, uint64_t first_seq, bool fsync) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND, 0644);
  if (fd_ < 0) return Status::Error(path + ": cannot create (" + std::strerror(errno) + ")");
  path_ = path;
  fsync_ = fsync;
  first_seq_ = next_seq_ = first_seq;
  bytes_ = 0;
  synced_ = 0;
  marks_.clear();
  return Status::Ok();
}

Status WalWriter::Append(std::string_view frames, uint64_t count, uint64_t* first_seq, uint64_t* end) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ < 0) return Status::Error("write-ahead log is not open");
  size_t done = 0;
  while (done < frames.size()) {
    const ssize_t w = ::write(fd_, frames.data() + done, frames.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      // A partial frame may be on disk now: stop using this segment, so the
      // frame stays the segment's tail and recovery discards it.
      ::close(fd_);
      fd_ = -1;
      return Status::Error(path_ + ": write failed at byte " + std::to_string(bytes_ + done) + " (" +
                           std::strerror(errno) + ")");
    }
    done += size_t(w);
  }
  *first_seq = next_seq_;
  next_seq_ += count;
  bytes_ += frames.size();
  *end = bytes_;
  marks_.emplace_back(bytes_, next_seq_ - first_seq_);
  return Status::Ok();
}

Status WalWriter::SyncTo(uint64_t end) {
  if (synced_.load() >= end) return Status::Ok();
  std::lock_guard<std::mutex> sync_lock(sync_mu_);
  if (synced_.load() >= end) return Status::Ok();  // another caller's fsync covered us
  uint64_t target, durable = 0;
  int fd;
  {
    std::lock_guard<std::mutex> lock(mu_);
    target = bytes_;
    fd = fd_;
  }
  if (fd < 0) return Status::Error(path_ + ": closed before sync");
#if defined(__EMSCRIPTEN__)
  const int rc = fsync_ ? ::fsync(fd) : 0;
#else
  const int rc = fsync_ ? ::fdatasync(fd) : 0;
#endif
  if (rc != 0) return Status::Error(path_ + ": fsync failed (" + std::strerror(errno) + ")");
  {
    std::lock_guard<std::mutex> lock(mu_);
    while (!marks_.empty() && marks_.front().first <= target) {
      durable = marks_.front().second;
      marks_.pop_front();
    }
  }
  synced_ = target;
  if (durable && on_durable_) on_durable_(durable);
  return Status::Ok();
}

Status WalWriter::Close() {
  if (fd_ < 0) return Status::Ok();
  Status st = SyncTo(bytes_);
  std::lock_guard<std::mutex> lock(mu_);
  ::close(fd_);
  fd_ = -1;
  return st;
}

}  // namespace fk::features
