// Batch ingest: range split, row validation, batched logging, progress and
// its durable marker (resume).
// [SECTION] progress marker
// [SECTION] job
#include "features/ingest.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#if !defined(__EMSCRIPTEN__)
#include <fcntl.h>
#include <unistd.h>

#include <thread>
#endif

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/file.h"
#include "core/json_write.h"

namespace fk::features {

namespace fs = std::filesystem;

// [SECTION] progress marker

uint64_t IngestProgress::RowsDone() const {
  uint64_t n = 0;
  for (auto& r : ranges) n += r.rows_done;
  return n;
}
uint64_t IngestProgress::Ingested() const {
  uint64_t n = 0;
  for (auto& r : ranges) n += r.ingested;
  return n;
}
uint64_t IngestProgress::Rejected() const {
  uint64_t n = 0;
  for (auto& r : ranges) n += r.rejected;
  return n;
}

std::string IngestProgress::Describe() const {
  const size_t slash = file.find_last_of('/');
  const std::string name = slash == std::string::npos ? file : file.substr(slash + 1);
  const std::string at = std::to_string(RowsDone()) + " of " + std::to_string(total_rows) + " rows";
  std::string head = "ingest of " + name + " into '" + group + "' ";
  if (state == "cancelled") return head + "was cancelled at " + at;
  if (state == "failed") return head + "failed at " + at + (error.empty() ? "" : ": " + error);
  return head + "stopped at " + at;
}

std::string IngestProgress::ToJson() const {
  nlohmann::json j;
  j["group"] = group;
  j["group_uid"] = group_uid;
  j["file"] = file;
  j["file_bytes"] = file_bytes;
  j["file_print"] = file_print;
  j["total_rows"] = total_rows;
  j["state"] = state;
  j["error"] = error;
  auto& rs = j["ranges"] = nlohmann::json::array();
  for (auto& r : ranges)
    rs.push_back({{"begin", r.begin}, {"end", r.end}, {"pos", r.pos}, {"line_no", r.line_no},
                  {"rows_total", r.rows_total}, {"rows_done", r.rows_done}, {"ingested", r.ingested},
                  {"rejected", r.rejected}});
  auto& rj = j["rejects"] = nlohmann::json::array();
  for (auto& r : rejects) rj.push_back({{"line", r.line}, {"reason", r.reason}});
  return DumpJson(j, 1);  // file, group and reject reasons come from the user's data
}

Result<IngestProgress> IngestProgressFromJson(const std::string& text, const std::string& origin) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::Error(origin + ": not a JSON object");
  auto u64 = [&](const nlohmann::json& o, const char* k, uint64_t* out, const std::string& where) -> Status {
    auto it = o.find(k);
    if (it == o.end() || !it->is_number_unsigned())
      return Status::Error(origin + ": " + where + k + " is missing or not a non-negative integer");
    *out = it->get<uint64_t>();
    return Status::Ok();
  };
  auto str = [&](const nlohmann::json& o, const char* k, std::string* out, const std::string& where) -> Status {
    auto it = o.find(k);
    if (it == o.end() || !it->is_string()) return Status::Error(origin + ": " + where + k + " is missing or not a string");
    *out = it->get<std::string>();
    return Status::Ok();
  };
  IngestProgress p;
  Status st;
  if (!(st = str(j, "group", &p.group, "")) || !(st = u64(j, "group_uid", &p.group_uid, "")) ||
      !(st = str(j, "file", &p.file, "")) || !(st = u64(j, "file_bytes", &p.file_bytes, "")) ||
      !(st = u64(j, "file_print", &p.file_print, "")) || !(st = u64(j, "total_rows", &p.total_rows, "")) ||
      !(st = str(j, "state", &p.state, "")) || !(st = str(j, "error", &p.error, "")))
    return st;
  if (p.state != "running" && p.state != "cancelled" && p.state != "failed")
    return Status::Error(origin + ": state '" + p.state + "' is not running, cancelled or failed");
  auto rs = j.find("ranges");
  if (rs == j.end() || !rs->is_array() || rs->empty())
    return Status::Error(origin + ": ranges is missing or not a non-empty array");
  for (size_t i = 0; i < rs->size(); i++) {
    const auto& o = (*rs)[i];
    const std::string where = "ranges[" + std::to_string(i) + "].";
    if (!o.is_object()) return Status::Error(origin + ": ranges[" + std::to_string(i) + "] is not an object");
    IngestProgress::Range r;
    if (!(st = u64(o, "begin", &r.begin, where)) || !(st = u64(o, "end", &r.end, where)) ||
        !(st = u64(o, "pos", &r.pos, where)) || !(st = u64(o, "line_no", &r.line_no, where)) ||
        !(st = u64(o, "rows_total", &r.rows_total, where)) || !(st = u64(o, "rows_done", &r.rows_done, where)) ||
        !(st = u64(o, "ingested", &r.ingested, where)) || !(st = u64(o, "rejected", &r.rejected, where)))
      return st;
    if (!(r.begin <= r.pos && r.pos <= r.end && r.end <= p.file_bytes))
      return Status::Error(origin + ": " + where + "pos: " + std::to_string(r.pos) + " is not within " +
                           std::to_string(r.begin) + ".." + std::to_string(r.end) + " of a " +
                           std::to_string(p.file_bytes) + "-byte file");
    if (r.rows_done > r.rows_total || r.ingested + r.rejected != r.rows_done)
      return Status::Error(origin + ": " + where + "rows_done: counts do not add up");
    p.ranges.push_back(r);
  }
  auto rj = j.find("rejects");
  if (rj != j.end()) {
    if (!rj->is_array()) return Status::Error(origin + ": rejects is not an array");
    for (size_t i = 0; i < rj->size(); i++) {
      RowReject r;
      const std::string where = "rejects[" + std::to_string(i) + "].";
      if (!(*rj)[i].is_object()) return Status::Error(origin + ": rejects[" + std::to_string(i) + "] is not an object");
      if (!(st = u64((*rj)[i], "line", &r.line, where)) || !(st = str((*rj)[i], "reason", &r.reason, where))) return st;
      p.rejects.push_back(std::move(r));
    }
  }
  return p;
}

std::string IngestProgressPath(const FeatureStore& store, const std::string& group) {
  return store.Dir() + "/ingest/" + group + ".json";
}

uint64_t SampleFingerprint(std::string_view bytes) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](const char* p, size_t n) {
    for (size_t i = 0; i < n; i++) {
      h ^= uint8_t(p[i]);
      h *= 1099511628211ull;
    }
  };
  const uint64_t n = bytes.size();
  mix(reinterpret_cast<const char*>(&n), sizeof n);
  constexpr size_t kSample = 64 << 10;
  if (n <= 16 * kSample) {
    mix(bytes.data(), bytes.size());
    return h;
  }
  for (int k = 0; k < 16; k++) {
    const size_t off = size_t((n - kSample) * uint64_t(k) / 15);
    mix(bytes.data() + off, kSample);
  }
  return h;
}

// Temporary file then rename: a crash leaves the old marker or the new one.
// Natively fsynced: the marker must not claim rows the disk lost.
static Status WriteMarker(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
#if !defined(__EMSCRIPTEN__)
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return Status::Error(tmp + ": cannot write the ingest progress marker");
  size_t off = 0;
  while (off < text.size()) {
    const ssize_t w = ::write(fd, text.data() + off, text.size() - off);
    if (w <= 0) {
      ::close(fd);
      return Status::Error(tmp + ": cannot write the ingest progress marker");
    }
    off += size_t(w);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return Status::Error(tmp + ": fsync failed");
#else
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return Status::Error(tmp + ": cannot write the ingest progress marker");
  }
  // Emscripten's (3.1.6) rename over a file keeps the replaced one in its name
  // table: once the marker is removed, open and stat find an old marker again
  // (readdir does not). Removing first avoids it; nothing runs in between.
  std::remove(path.c_str());
#endif
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Status::Error(path + ": cannot replace");
  return Status::Ok();
}

std::vector<IngestProgress> FindInterruptedIngests(const FeatureStore& store, std::vector<std::string>* notes) {
  std::vector<IngestProgress> out;
  std::error_code ec;
  const std::string dir = store.Dir() + "/ingest";
  std::vector<std::string> paths;
  for (auto& e : fs::directory_iterator(dir, ec)) {
    const std::string p = e.path().string();
    if (e.path().extension() == ".tmp") fs::remove(e.path(), ec);  // a crash mid-write: the old marker stands
    else if (e.path().extension() == ".json") paths.push_back(p);
  }
  std::sort(paths.begin(), paths.end());
  for (auto& p : paths) {
    Result<std::string> text = ReadFile(p);
    if (!text) {
      if (notes) notes->push_back(p + ": cannot read");
      continue;
    }
    auto r = IngestProgressFromJson(*text, p);
    if (!r) {
      if (notes) notes->push_back(r.status().message() + " (kept; the ingest cannot be resumed from it)");
      continue;
    }
    auto g = store.DescribeGroup(r->group);
    if (!g || g->uid != r->group_uid) {
      fs::remove(p, ec);
      if (notes) notes->push_back("removed the progress of an " + r->Describe() + ": the group was deleted since");
      continue;
    }
    out.push_back(std::move(*r));
  }
  return out;
}

Status DiscardIngestProgress(const FeatureStore& store, const std::string& group) {
  std::error_code ec;
  const std::string p = IngestProgressPath(store, group);
  fs::remove(p, ec);
  if (ec) return Status::Error(p + ": cannot remove (" + ec.message() + ")");
  return Status::Ok();
}

// [SECTION] job

struct IngestJob::Worker {
  size_t begin = 0, end = 0, pos = 0;  // byte range of text_
  uint64_t line_no = 0;                // line number of the line at pos, minus 1
  std::atomic<uint64_t> rows_total{0}, rows_done{0}, ingested{0}, rejected{0};
  std::atomic<bool> finished{false};
  size_t committed_pos = 0;   // pos and line_no of the last batch in the log (progress_mu_)
  uint64_t committed_line = 0;
  mutable std::mutex mu;
  std::vector<RowReject> rejects;
  CsvSplitter splitter;
  std::string frames;  // one batch's log frames; kept so a batch reuses the last one's memory
  std::vector<FeatureStore::PendingIndex> idx;
#if !defined(__EMSCRIPTEN__)
  std::thread thread;
#endif
};

IngestJob::IngestJob(FeatureStore& store, std::string group, std::string csv_path, IngestOptions opt)
    : store_(store), group_(std::move(group)), path_(std::move(csv_path)), opt_(opt) {}

IngestJob::IngestJob(FeatureStore& store, std::string group, std::string csv_text, std::string origin,
                     IngestOptions opt)
    : store_(store), group_(std::move(group)), path_(std::move(origin)), text_(std::move(csv_text)), opt_(opt) {
  started_ = false;
}

IngestJob::~IngestJob() {
  cancel_ = true;
#if !defined(__EMSCRIPTEN__)
  for (auto& w : workers_)
    if (w->thread.joinable()) w->thread.join();
#endif
  if (started_ && !workers_.empty() && !finished_) Finish();  // stopped before the end: say where
}

static bool IsUnnamed(std::string_view n) { return n.empty() || n == "Unnamed: 0"; }

Status IngestJob::ReadHeader() {
  auto g = store_.DescribeGroup(group_);
  if (!g) return g.status();
  def_ = *g;
  if (text_.empty()) {
    fk::Result<std::string> file = ReadFile(path_);  // Result alone names the member function
    if (!file) return file.status();  // "<path>: cannot open", or why it could not be read
    text_ = std::move(*file);
  }
  size_t nl = text_.find('\n');
  if (text_.empty()) return Status::Error(path_ + ": empty file (no header)");
  if (nl == std::string::npos) nl = text_.size();
  header_end_ = nl;
  CsvSplitter sp;
  std::string why;
  if (!sp.Split(std::string_view(text_).substr(0, nl), &why)) return Status::Error(path_ + ":1: header: " + why);
  const auto& head = sp.Cells();
  ncols_ = head.size();
  col_of_feature_.assign(def_.features.size(), -1);
  for (size_t c = 0; c < head.size(); c++) {
    if (IsUnnamed(head[c])) continue;  // pandas' index column
    const int k = def_.Index(head[c]);
    if (k < 0) return Status::Error(path_ + ":1: column '" + std::string(head[c]) + "' is not a feature of group '" + group_ + "'");
    col_of_feature_[size_t(k)] = int(c);
  }
  for (size_t k = 0; k < def_.features.size(); k++)
    if (col_of_feature_[k] < 0)
      return Status::Error(path_ + ":1: feature '" + def_.features[k].name + "' has no column");
  file_print_ = SampleFingerprint(text_);
  if (opt_.track_progress) {
    std::error_code ec;
    fs::create_directories(store_.Dir() + "/ingest", ec);
  }
  return Status::Ok();
}

Status IngestJob::Start() {
  if (started_) return Status::Error("ingest already started");
  started_ = true;
  Status st = ReadHeader();
  if (!st) return st;
  const size_t nl = header_end_;
  // One contiguous range per worker, cut just after a newline.
#if defined(__EMSCRIPTEN__)
  const int n = 1;
#else
  const int n = std::max(1, opt_.threads);
#endif
  const size_t data = std::min(text_.size(), nl + 1);
  std::vector<size_t> cuts = {data};
  for (int i = 1; i < n; i++) {
    size_t c = data + (text_.size() - data) * size_t(i) / size_t(n);
    c = std::max(c, cuts.back());
    const size_t e = text_.find('\n', c == 0 ? 0 : c - 1);
    cuts.push_back(e == std::string::npos ? text_.size() : e + 1);
  }
  cuts.push_back(text_.size());
  uint64_t line = 1;
  for (int i = 0; i < n; i++) {
    auto w = std::make_unique<Worker>();
    w->begin = w->pos = cuts[size_t(i)];
    w->end = cuts[size_t(i) + 1];
    w->line_no = line;
    uint64_t rows = 0;
    for (size_t p = w->begin; p < w->end;) {
      size_t e = text_.find('\n', p);
      if (e == std::string::npos || e > w->end) e = w->end;
      const size_t len = e - p;
      if (len > 1 || (len == 1 && text_[p] != '\r')) rows++;
      line++;
      p = e + 1;
    }
    w->rows_total = rows;
    w->committed_pos = w->pos;
    w->committed_line = w->line_no;
    total_rows_ += rows;
    workers_.push_back(std::move(w));
  }
  store_.ReserveOnline(group_, size_t(total_rows_));
  if (opt_.track_progress) {  // before the first row: a cut-off ingest is always found again
    std::lock_guard<std::mutex> lock(progress_mu_);
    WriteProgress("running", "");
    if (!error_) return error_;
  }
  StartThreads();
  return Status::Ok();
}

Status IngestJob::Resume(const IngestProgress& from) {
  if (started_) return Status::Error("ingest already started");
  started_ = true;
  Status st = ReadHeader();
  if (!st) return st;
  if (def_.uid != from.group_uid)
    return Status::Error("group '" + group_ + "' was deleted and created again since the ingest stopped: start a new ingest");
  if (text_.size() != from.file_bytes || file_print_ != from.file_print)
    return Status::Error(path_ + ": not the file the ingest started on (" + std::to_string(text_.size()) +
                         " bytes, it had " + std::to_string(from.file_bytes) + "): bring that file back to resume");
  size_t prev_end = header_end_;
  for (size_t i = 0; i < from.ranges.size(); i++) {
    const auto& r = from.ranges[i];
    // Ranges follow each other and every position starts a line.
    const bool line_start = r.pos == 0 || r.pos == text_.size() || text_[size_t(r.pos) - 1] == '\n';
    if (r.begin < prev_end || !line_start)
      return Status::Error(path_ + ": the progress marker's range " + std::to_string(i + 1) +
                           " does not match the file's lines: start a new ingest");
    prev_end = size_t(r.end);
    auto w = std::make_unique<Worker>();
    w->begin = size_t(r.begin);
    w->end = size_t(r.end);
    w->pos = w->committed_pos = size_t(r.pos);
    w->line_no = w->committed_line = r.line_no;
    w->rows_total = r.rows_total;
    w->rows_done = r.rows_done;
    w->ingested = r.ingested;
    w->rejected = r.rejected;
    w->finished = w->pos >= w->end;
    workers_.push_back(std::move(w));
  }
  total_rows_ = from.total_rows;
  prior_rejects_ = from.rejects;
  store_.ReserveOnline(group_, size_t(total_rows_ - from.RowsDone()));
  if (opt_.track_progress) {
    std::lock_guard<std::mutex> lock(progress_mu_);
    WriteProgress("running", "");
    if (!error_) return error_;
  }
  StartThreads();
  return Status::Ok();
}

void IngestJob::StartThreads() {
#if !defined(__EMSCRIPTEN__)
  if (opt_.threads >= 1)
    for (auto& w : workers_) {
      if (w->finished) continue;
      Worker* wp = w.get();
      wp->thread = std::thread([this, wp] { RunWorker(*wp, -1); });
    }
#endif
}

IngestProgress IngestJob::Progress() const {
  std::lock_guard<std::mutex> lock(progress_mu_);
  return SnapshotLocked();
}

// The committed counters of every worker; progress_mu_ is held, so they and the marker file agree.
IngestProgress IngestJob::SnapshotLocked() const {
  IngestProgress p;
  p.group = group_;
  p.group_uid = def_.uid;
  p.file = path_;
  p.file_bytes = text_.size();
  p.file_print = file_print_;
  p.total_rows = total_rows_;
  for (auto& w : workers_) {
    IngestProgress::Range r;
    r.begin = w->begin;
    r.end = w->end;
    r.pos = w->committed_pos;
    r.line_no = w->committed_line;
    r.rows_total = w->rows_total;
    r.rows_done = w->rows_done;
    r.ingested = w->ingested;
    r.rejected = w->rejected;
    p.ranges.push_back(r);
  }
  p.rejects = Rejects();
  return p;
}

// progress_mu_ is held, so the committed counters and the file agree.
void IngestJob::WriteProgress(const std::string& state, const std::string& error) {
  IngestProgress p = SnapshotLocked();
  p.state = state;
  p.error = error;
  Status st = WriteMarker(IngestProgressPath(store_, group_), p.ToJson());
  if (!st) {
    std::lock_guard<std::mutex> lock(err_mu_);
    if (error_) error_ = st;
    cancel_ = true;  // without its marker a cut-off ingest would go unnoticed
  }
}

// The batch's rows are in the log (or all rejected): count them, then say so
// in the marker; a crash in between repeats no row, at worst this batch is
// counted again as not done (natively: the few microseconds between the two).
void IngestJob::Commit(Worker& w, uint64_t rows, uint64_t ingested, std::vector<RowReject>& rejects) {
  std::lock_guard<std::mutex> lock(progress_mu_);
  w.ingested += ingested;
  w.rejected += rejects.size();
  w.rows_done += rows;
  if (!rejects.empty()) {
    std::lock_guard<std::mutex> wl(w.mu);
    for (auto& rj : rejects)
      if (w.rejects.size() < opt_.max_rejects) w.rejects.push_back(std::move(rj));
  }
  w.committed_pos = std::min(w.pos, w.end);  // a last line without '\n' ends one past the range
  w.committed_line = w.line_no;
  if (opt_.track_progress) WriteProgress("running", "");
}

void IngestJob::Finish() {
  finished_ = true;
  if (!opt_.track_progress) return;
  std::lock_guard<std::mutex> lock(progress_mu_);
  bool complete = true;
  for (auto& w : workers_) complete = complete && w->committed_pos >= w->end;
  Status err;
  {
    std::lock_guard<std::mutex> el(err_mu_);
    err = error_;
  }
  if (complete && err) {
    std::error_code ec;
    fs::remove(IngestProgressPath(store_, group_), ec);
    return;
  }
  WriteProgress(err ? "cancelled" : "failed", err ? "" : err.message());
}

void IngestJob::ProcessBatch(Worker& w, size_t max_rows) {
  std::string& frames = w.frames;
  std::vector<FeatureStore::PendingIndex>& idx = w.idx;
  frames.clear();
  idx.clear();
  WalRecord r;
  r.op = WalOp::Put;
  r.group_uid = def_.uid;
  r.api_time_us = int64_t(store_.Now() * 1e6);
  r.values.resize(def_.features.size());
  const size_t id_k = size_t(def_.RecordIdIndex()), et_k = size_t(def_.EventTimeIndex());
  const FeatureType et_type = def_.features[et_k].type;
  std::string why;
  std::vector<RowReject> rejects;
  size_t rows = 0;
  while (rows < max_rows && w.pos < w.end) {
    size_t e = text_.find('\n', w.pos);
    if (e == std::string::npos || e > w.end) e = w.end;
    std::string_view line(text_.data() + w.pos, e - w.pos);
    w.pos = e + 1;
    w.line_no++;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    rows++;
    const uint64_t ln = w.line_no;
    auto reject = [&](std::string reason) { rejects.push_back({ln, std::move(reason)}); };
    if (!IsValidUtf8(line)) { reject("not UTF-8"); continue; }
    if (!w.splitter.Split(line, &why)) { reject(why); continue; }
    const auto& c = w.splitter.Cells();
    if (c.size() != ncols_) {
      reject(std::to_string(c.size()) + " columns, header has " + std::to_string(ncols_));
      continue;
    }
    bool ok = true;
    for (size_t k = 0; k < def_.features.size() && ok; k++) {
      r.values[k] = c[size_t(col_of_feature_[k])];
      // The event time gets its own, more specific check below.
      if (k != et_k && !CheckValue(r.values[k], def_.features[k].type, &why)) {
        reject(def_.features[k].name + ": " + why);
        ok = false;
      }
    }
    if (!ok) continue;
    if (r.values[id_k].empty()) { reject("missing record id '" + def_.record_id + "'"); continue; }
    if (!ParseEventTime(r.values[et_k], et_type, &r.event_time, &why)) { reject(def_.event_time + ": " + why); continue; }
    // Where AppendWalFrame will put the id: header, fixed fields, then (length, bytes) per value.
    size_t id_off = frames.size() + kWalFrameHeader + kWalFixedPayload + 4;
    for (size_t k = 0; k < id_k; k++) id_off += 4 + r.values[k].size();
    idx.push_back({frames.size(), r.event_time, 0, id_off, r.values[id_k].size()});
    AppendWalFrame(&frames, r);
  }
  if (!idx.empty()) {
    Status st = store_.AppendPuts(def_, frames, idx);
    if (!st) {
      std::lock_guard<std::mutex> lock(err_mu_);
      if (error_) error_ = st;
      cancel_ = true;
      return;  // these rows are not counted: they may not be durable
    }
  }
  Commit(w, rows, idx.size(), rejects);
  if (opt_.on_batch) opt_.on_batch();
}

void IngestJob::RunWorker(Worker& w, double budget_ms) {
  Stopwatch sw;
  // In slices, smaller batches keep a frame short; the log append is the same.
  const size_t batch = budget_ms < 0 ? opt_.batch_rows : std::min<size_t>(opt_.batch_rows, 1024);
  while (w.pos < w.end && !cancel_) {
    ProcessBatch(w, batch);
    if (budget_ms >= 0 && sw.ElapsedMs() >= budget_ms) break;
  }
  if (w.pos >= w.end || cancel_) w.finished = true;
}

bool IngestJob::Step(double budget_ms) {
  if (done_) return true;
  if (!started_) {
    Status st = Start();
    if (!st) {
      error_ = st;
      done_ = true;
      return true;
    }
  }
  bool threaded = false;
#if !defined(__EMSCRIPTEN__)
  threaded = opt_.threads >= 1;
#endif
  if (!threaded) {
    for (auto& w : workers_)
      if (!w->finished) {
        RunWorker(*w, std::max(0.0, budget_ms));
        break;
      }
  }
  for (auto& w : workers_)
    if (!w->finished) return false;
#if !defined(__EMSCRIPTEN__)
  for (auto& w : workers_)
    if (w->thread.joinable()) w->thread.join();
#endif
  done_ = true;
  if (!finished_) Finish();
  return true;
}

Status IngestJob::Run() {
  if (!started_) {
    Status st = Start();
    if (!st) {
      done_ = true;
      return st;
    }
  }
  while (!Step(50.0)) {
#if !defined(__EMSCRIPTEN__)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
#endif
  }
  return Result();
}

std::vector<WorkerProgress> IngestJob::Workers() const {
  std::vector<WorkerProgress> out;
  for (auto& w : workers_) {
    WorkerProgress p;
    p.rows_total = w->rows_total;
    p.rows_done = w->rows_done;
    p.ingested = w->ingested;
    p.rejected = w->rejected;
    p.finished = w->finished;
    out.push_back(p);
  }
  return out;
}

uint64_t IngestJob::Ingested() const {
  uint64_t n = 0;
  for (auto& w : workers_) n += w->ingested;
  return n;
}

uint64_t IngestJob::Rejected() const {
  uint64_t n = 0;
  for (auto& w : workers_) n += w->rejected;
  return n;
}

std::vector<RowReject> IngestJob::Rejects() const {
  std::vector<RowReject> out = prior_rejects_;
  for (auto& w : workers_) {
    std::lock_guard<std::mutex> lock(w->mu);
    out.insert(out.end(), w->rejects.begin(), w->rejects.end());
  }
  std::sort(out.begin(), out.end(), [](const RowReject& a, const RowReject& b) { return a.line < b.line; });
  if (out.size() > opt_.max_rejects) out.resize(opt_.max_rejects);
  return out;
}

Status IngestJob::Result() const {
  std::lock_guard<std::mutex> lock(err_mu_);
  return error_;
}

std::string IngestJob::Summary() const {
  return "ingested " + std::to_string(Ingested()) + " of " + std::to_string(TotalRows()) + " rows (" +
         std::to_string(Rejected()) + " rejected)";
}

}  // namespace fk::features
