// Feature Store sessions (see session.h).
// [SECTION] Opening a store and reading a CSV's header
// [SECTION] Point-in-time training set
// [SECTION] Ingest
#include "features/session.h"

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#if !defined(__EMSCRIPTEN__)
#include <future>
#endif

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/file.h"

namespace fk::features {

static std::string Basename(const std::string& p) {
  const size_t s = p.find_last_of('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

// [SECTION] Opening a store and reading a CSV's header

Result<OpenedStore> OpenStoreDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);  // Open says what is wrong when it is still missing
  auto s = FeatureStore::Open(dir);
  if (!s) return s.status();
  OpenedStore o;
  o.store = std::move(*s);
  o.notes = o.store->RecoveryNotes();
  std::vector<std::string> more;
  o.interrupted = FindInterruptedIngests(*o.store, &more);
  o.notes.insert(o.notes.end(), more.begin(), more.end());
  return o;
}

Result<std::vector<std::string>> ReadCsvHeader(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  if (!in || !std::getline(in, line)) return Status::Error(path + ": cannot read a header line");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  CsvSplitter sp;
  std::string why;
  if (!sp.Split(line, &why)) return Status::Error(path + ":1: " + why);
  return std::vector<std::string>(sp.Cells().begin(), sp.Cells().end());
}

RoleGuess GuessRoles(const std::vector<std::string>& columns) {
  RoleGuess g;
  for (auto& c : columns) {
    std::string l = c;
    for (auto& ch : l) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    if (g.record_id.empty() && l.size() >= 2 && l.compare(l.size() - 2, 2, "id") == 0) g.record_id = c;
    if (g.event_time.empty() && (l.find("time") != std::string::npos || l == "ts" || l.find("date") != std::string::npos))
      g.event_time = c;
  }
  for (auto& c : columns)  // fallbacks: the first named columns
    if (!c.empty() && c != "Unnamed: 0") {
      if (g.record_id.empty()) g.record_id = c;
      else if (g.event_time.empty() && c != g.record_id) g.event_time = c;
    }
  return g;
}

// [SECTION] Point-in-time training set

TrainingSetSession::TrainingSetSession(FeatureStore& store, TrainingSetOptions options)
    : store_(store), opt_(std::move(options)) {}

// The join reads each group's history from the log; the entity CSV is read
// whole (a training set's entity table, not the feature data).
bool TrainingSetSession::Step(double) {
  if (done_ || failed()) return true;
  Result<std::string> text = ReadFile(opt_.entities);
  if (!text) {
    error_ = text.status().message();  // "<path>: cannot open", or why it could not be read
    return true;
  }
  uint64_t rows = 0;
  auto csv = PointInTimeJoinCsv(store_, *text, opt_.entities, opt_.id_col, opt_.time_col, opt_.groups, opt_.pit, &rows);
  if (!csv) {
    error_ = csv.status().message();
    return true;
  }
  std::ofstream f(opt_.out, std::ios::binary);
  f << *csv;
  if (!f) {
    error_ = opt_.out + ": cannot write";
    return true;
  }
  TrainingSet t;
  t.path = opt_.out;
  t.rows = rows;
  size_t pos = 0;
  for (int i = 0; i < 6 && pos < csv->size(); i++) {
    size_t nl = csv->find('\n', pos);
    if (nl == std::string::npos) nl = csv->size();
    t.preview.push_back(csv->substr(pos, nl - pos));
    pos = nl + 1;
  }
  result_ = std::move(t);
  done_ = true;
  return true;
}

void TrainingSetSession::RunToEnd() {
  while (!Step(1e9)) {
  }
}

std::string TrainingSetSession::Detail() const { return "point-in-time join with " + Basename(opt_.entities); }

nlohmann::json TrainingSetSession::StatusJson() const {
  return {{"state", done_ ? "done" : failed() ? "failed" : "running"},
          {"rows", result_ ? result_->rows : 0},
          {"path", result_ ? result_->path : std::string()},
          {"error", error_}};
}

// [SECTION] Ingest

const char* IngestStageName(IngestStage s) {
  switch (s) {
    case IngestStage::Open: return "open";
    case IngestStage::Ingest: return "ingest";
    case IngestStage::Checkpoint: return "checkpoint";
    case IngestStage::TrainingSet: return "training-set";
    case IngestStage::Done: return "done";
  }
  return "?";
}

uint64_t IngestResult::RowsDone() const {
  uint64_t n = 0;
  for (auto& w : workers) n += w.rows_done;
  return n;
}

// The checkpoint thread (native); its future's destructor waits for it.
struct IngestSession::Async {
#if !defined(__EMSCRIPTEN__)
  std::future<Status> checkpoint;
#endif
};

IngestSession::IngestSession(FeatureStore& store, IngestSessionOptions options)
    : store_(store), opt_(std::move(options)), async_(std::make_unique<Async>()) {
  if (opt_.training_set && opt_.training_set->groups.empty()) opt_.training_set->groups = {opt_.group};
}

IngestSession::~IngestSession() {
  if (job_) job_->Cancel();
  job_.reset();    // joins the workers; the marker says where the ingest stopped
  async_.reset();  // waits for a running checkpoint
}

void IngestSession::Fail(std::string message) { error_ = std::move(message); }

void IngestSession::Snapshot() {
  r_.total = job_->TotalRows();
  r_.workers = job_->Workers();
  r_.ingested = job_->Ingested();
  r_.rejected = job_->Rejected();
}

void IngestSession::DropJob() {
  if (!job_) return;
  Snapshot();
  r_.rejects = job_->Rejects();
  r_.summary = job_->Summary();
  job_.reset();
}

void IngestSession::StepOpen() {
  t_open_ = NowMs();
  job_ = std::make_unique<IngestJob>(store_, opt_.group, opt_.file, opt_.ingest);
  Status s = opt_.resume ? job_->Resume(*opt_.resume) : job_->Start();
  if (!s) {
    DropJob();
    Fail(s.message());
    return;
  }
  Snapshot();
  t_ingest_ = NowMs();
  stage_ = IngestStage::Ingest;
}

// Natively the workers are threads (a Step only looks); in the page one
// worker's slice runs here.
bool IngestSession::StepIngest(double budget_ms) {
  if (!job_->Step(budget_ms)) {
    Snapshot();
    return false;
  }
  const double now = NowMs();
  r_.seconds = (now - t_open_) / 1000.0;
  r_.ingest_seconds = (now - t_ingest_) / 1000.0;
  const Status s = job_->Result();
  DropJob();
  if (!s) {
    Fail(s.message());
    return true;
  }
  stage_ = IngestStage::Checkpoint;
  return false;
}

// The offline store (year=/month=/day=/hour=) for this run. Natively each
// part file is fsynced (a second for the demo on a busy disk): the app writes
// it off the UI thread and polls; without threads a few part files a slice.
bool IngestSession::StepCheckpoint(double budget_ms) {
  Status s;
  CheckpointMode mode = opt_.checkpoint;
#if defined(__EMSCRIPTEN__)
  if (mode == CheckpointMode::Thread) mode = CheckpointMode::Slices;
#else
  if (mode == CheckpointMode::Thread) {
    if (!async_->checkpoint.valid())
      async_->checkpoint = std::async(std::launch::async, [this] { return store_.Checkpoint(); });
    if (async_->checkpoint.wait_for(std::chrono::milliseconds(2)) != std::future_status::ready) return false;
    s = async_->checkpoint.get();
  }
#endif
  if (mode == CheckpointMode::Sync) s = store_.Checkpoint();
  if (mode == CheckpointMode::Slices) {
    bool cp_done = false;
    s = store_.CheckpointStep(budget_ms, &cp_done);
    if (s && !cp_done) return false;
  }
  if (!s) {
    Fail(s.message());
    return true;
  }
  if (!opt_.training_set) {
    stage_ = IngestStage::Done;
    return true;
  }
  pit_ = std::make_unique<TrainingSetSession>(store_, *opt_.training_set);
  stage_ = IngestStage::TrainingSet;
  return false;
}

void IngestSession::StepTrainingSet() {
  pit_->RunToEnd();
  if (pit_->failed()) Fail("training set: " + pit_->error());
  else stage_ = IngestStage::Done;
}

bool IngestSession::Step(double budget_ms) {
  if (over()) return true;
  switch (stage_) {
    case IngestStage::Open: StepOpen(); return failed();
    case IngestStage::Ingest: return StepIngest(budget_ms);
    case IngestStage::Checkpoint: return StepCheckpoint(budget_ms);
    case IngestStage::TrainingSet: StepTrainingSet(); return true;
    case IngestStage::Done: return true;
  }
  return true;
}

void IngestSession::Cancel() {
  if (over()) return;
  if (job_) job_->Cancel();
  DropJob();
  cancelled_ = true;
}

float IngestSession::Progress() const {
  switch (stage_) {
    case IngestStage::Open: return 0.f;
    case IngestStage::Ingest: return r_.total ? 0.9f * float(double(r_.RowsDone()) / double(r_.total)) : 0.9f;
    case IngestStage::Checkpoint: return 0.9f;
    case IngestStage::TrainingSet: return 0.95f;
    case IngestStage::Done: return 1.f;
  }
  return 0.f;
}

std::string IngestSession::Detail() const {
  switch (stage_) {
    case IngestStage::Open: return "opening " + Basename(opt_.file);
    case IngestStage::Ingest: return std::to_string(r_.RowsDone()) + " / " + std::to_string(r_.total) + " rows";
    case IngestStage::Checkpoint: return "writing offline partitions";
    case IngestStage::TrainingSet:
      return "point-in-time join with " + Basename(opt_.training_set ? opt_.training_set->entities : "");
    case IngestStage::Done: return "done";
  }
  return "";
}

const std::optional<TrainingSet>& IngestSession::training_set() const {
  static const std::optional<TrainingSet> none;
  return pit_ ? pit_->result() : none;
}

nlohmann::json IngestResultJson(const IngestResult& r) {
  nlohmann::json workers = nlohmann::json::array();
  for (auto& w : r.workers)
    workers.push_back({{"rows", w.rows_total}, {"done", w.rows_done}, {"ingested", w.ingested}, {"rejected", w.rejected}});
  nlohmann::json rejects = nlohmann::json::array();
  for (auto& x : r.rejects) rejects.push_back({{"line", x.line}, {"reason", x.reason}});
  return {{"ingested", r.ingested}, {"rejected", r.rejected}, {"total", r.total},
          {"summary", r.summary},   {"workers", workers},     {"rejects", rejects}};
}

nlohmann::json IngestSession::StatusJson() const {
  nlohmann::json j = IngestResultJson(r_);
  j["stage"] = IngestStageName(stage_);
  j["error"] = error_;
  j["cancelled"] = cancelled_;
  j["progress"] = Progress();
  j["detail"] = Detail();
  if (pit_) j["training_set"] = pit_->StatusJson();
  return j;
}

}  // namespace fk::features
