// Batch ingest: range split, row validation, batched logging, progress.
#include "features/ingest.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#if !defined(__EMSCRIPTEN__)
#include <thread>
#endif

#include "core/clock.h"

namespace fk::features {

struct IngestJob::Worker {
  size_t begin = 0, end = 0, pos = 0;  // byte range of text_
  uint64_t line_no = 0;                // line number of the line at pos, minus 1
  std::atomic<uint64_t> rows_total{0}, rows_done{0}, ingested{0}, rejected{0};
  std::atomic<bool> finished{false};
  mutable std::mutex mu;
  std::vector<RowReject> rejects;
  CsvSplitter splitter;
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
}

static bool IsUnnamed(std::string_view n) { return n.empty() || n == "Unnamed: 0"; }

Status IngestJob::Start() {
  if (started_) return Status::Error("ingest already started");
  started_ = true;
  auto g = store_.DescribeGroup(group_);
  if (!g) return g.status();
  def_ = *g;
  if (text_.empty()) {
    if (!ReadFileBytes(path_, &text_)) return Status::Error(path_ + ": cannot open");
  }
  size_t nl = text_.find('\n');
  if (text_.empty()) return Status::Error(path_ + ": empty file (no header)");
  if (nl == std::string::npos) nl = text_.size();
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
    total_rows_ += rows;
    workers_.push_back(std::move(w));
  }
  store_.ReserveOnline(group_, size_t(total_rows_));
#if !defined(__EMSCRIPTEN__)
  if (opt_.threads >= 1)
    for (auto& w : workers_) {
      Worker* wp = w.get();
      wp->thread = std::thread([this, wp] { RunWorker(*wp, -1); });
    }
#endif
  return Status::Ok();
}

void IngestJob::ProcessBatch(Worker& w, size_t max_rows) {
  std::string frames;
  std::vector<FeatureStore::PendingIndex> idx;
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
  w.ingested += idx.size();
  w.rejected += rejects.size();
  w.rows_done += rows;
  if (!rejects.empty()) {
    std::lock_guard<std::mutex> lock(w.mu);
    for (auto& rj : rejects)
      if (w.rejects.size() < opt_.max_rejects) w.rejects.push_back(std::move(rj));
  }
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
  std::vector<RowReject> out;
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
