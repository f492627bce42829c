// fieldkit-cli features <verb>: the feature store from the command line
// (create|ingest|put|get|batch-get|delete|delete-group|describe|list|pit|verify|bench|demo-data).
//
// [SECTION] help and helpers
// [SECTION] verbs
// [SECTION] bench
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "core/json_write.h"
#include "core/clock.h"
#include "core/rng.h"
#include "features/demo_data.h"
#include "features/ingest.h"
#include "features/pit.h"
#include "features/session.h"
#include "features/store.h"

namespace fk::cli {

using namespace fk::features;
using nlohmann::json;

// [SECTION] help and helpers

static std::unique_ptr<FeatureStore> OpenStore(const Args& a) {
  const std::string dir = a.Get("store");
  if (dir.empty()) throw UsageError{"missing --store DIR"};
  auto s = FeatureStore::Open(dir);
  if (!s) throw InputError{s.status().message()};
  for (auto& n : (*s)->RecoveryNotes()) std::fprintf(stderr, "features: %s\n", n.c_str());
  return std::move(*s);
}

static std::string Need(const Args& a, const char* key) {
  const std::string v = a.Get(key);
  if (v.empty()) throw UsageError{std::string("missing --") + key};
  return v;
}

static json ValueJson(const FeatureValue& v) {
  if (v.is_null) return nullptr;
  if (v.type == FeatureType::Integral) return std::stoll(v.text);
  if (v.type == FeatureType::Fractional) return std::stod(v.text);
  return v.text;
}

static json RecordJson(const Record& r) {
  json rec = json::object();
  for (auto& v : r.values) rec[v.name] = ValueJson(v);
  json j = {{"group", r.group}, {"id", r.id}, {"event_time", r.event_time}, {"record", rec}};
  if (r.expires_at > 0) j["expires_at"] = FormatIso8601(r.expires_at);
  return j;
}

static json GroupJson(const FeatureGroup& g) {
  json defs = json::array();
  for (auto& f : g.features) defs.push_back({{"name", f.name}, {"type", FeatureTypeName(f.type)}});
  return {{"name", g.name},
          {"description", g.description},
          {"record_identifier_feature_name", g.record_id},
          {"event_time_feature_name", g.event_time},
          {"creation_time", FormatIso8601(g.created)},
          {"ttl_seconds", g.ttl_seconds},
          {"offline_format", OfflineFormatName(g.offline_format)},
          {"feature_definitions", defs}};
}

static void Emit(const Args& a, const json& j, const std::string& human) {
  if (a.Has("json")) EmitJson(j);
  else std::printf("%s\n", human.c_str());
}

static OfflineFormat FormatArg(const Args& a) {
  OfflineFormat f = OfflineFormat::Parquet;
  if (a.Has("offline-format") && !ParseOfflineFormat(a.Get("offline-format"), &f))
    throw UsageError{"--offline-format: '" + a.Get("offline-format") + "' is neither parquet nor csv"};
  return f;
}

// Bytes of every file under dir (0 when it is missing).
static uint64_t TreeBytes(const std::string& dir) {
  std::error_code ec;
  uint64_t n = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec); !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file()) n += it->file_size();
  return n;
}

static double ParseTimeArg(const std::string& s, const char* flag) {
  double t;
  if (ParseFractional(s, &t) || ParseIso8601(s, &t)) return t;
  throw UsageError{std::string("--") + flag + ": '" + s + "' is neither Unix seconds nor ISO-8601"};
}

// [SECTION] verbs

static int Create(const Args& a) {
  InferOptions o;
  o.name = Need(a, "group");
  o.record_id = Need(a, "record-id");
  o.event_time = Need(a, "event-time");
  o.description = a.Get("description");
  o.ttl_seconds = a.GetDouble("ttl", 0);
  const std::string csv = Need(a, "from-csv");
  auto inf = InferSchemaFromCsv(csv, o);
  if (!inf) throw InputError{inf.status().message()};
  inf->group.offline_format = FormatArg(a);
  json j = GroupJson(inf->group);
  j["rows_scanned"] = inf->rows_scanned;
  j["dropped_index_column"] = inf->dropped_index_column;
  j["notes"] = inf->notes;
  j["created"] = false;
  if (!a.Has("dry-run")) {
    auto s = OpenStore(a);
    Status st = s->CreateGroup(inf->group);
    if (!st) throw InputError{st.message()};
    j = GroupJson(*s->DescribeGroup(o.name));
    j["rows_scanned"] = inf->rows_scanned;
    j["dropped_index_column"] = inf->dropped_index_column;
    j["notes"] = inf->notes;
    j["created"] = true;
  }
  std::string human = std::string(a.Has("dry-run") ? "inferred" : "created") + " group '" + o.name + "' from " +
                      std::to_string(inf->rows_scanned) + " rows:\n";
  for (auto& f : inf->group.features) human += "  " + f.name + "  " + FeatureTypeName(f.type) + "\n";
  for (auto& n : inf->notes) human += "  note: " + n + "\n";
  Emit(a, j, human);
  return 0;
}

static int Ingest(const Args& a) {
  auto s = OpenStore(a);
  IngestOptions o;
  o.threads = int(a.GetInt("threads", 1));
  o.batch_rows = size_t(a.GetInt("batch-rows", long(o.batch_rows)));
  if (o.threads < 1 || o.threads > 64) throw UsageError{"--threads must be in 1..64"};
  if (o.batch_rows < 1) throw UsageError{"--batch-rows must be >= 1"};
  const bool jsonl = a.Has("progress-jsonl");
  if (jsonl)
    s->SetOnDurable([](uint64_t n) {
      std::printf("{\"durable\": %llu}\n", static_cast<unsigned long long>(n));
      std::fflush(stdout);
    });
  IngestSessionOptions so;
  so.group = Need(a, "group");
  so.file = Need(a, "file");
  so.ingest = o;
  so.checkpoint = CheckpointMode::Sync;  // offline partitions for this run
  IngestSession ses(*s, so);
  ProgressBar bar("ingest", ProgressWanted(a));
  while (!ses.Step(50)) {
    if (ses.stage() != IngestStage::Ingest) continue;
    bar.Update(ses.Progress() / 0.9f, std::to_string(ses.result().RowsDone()) + "/" + std::to_string(ses.result().total));
    usleep(20000);
  }
  bar.Done();
  const IngestResult& r = ses.result();
  if (ses.failed())  // an ingest error says how far it got; opening and checkpoint errors speak for themselves
    throw InputError{ses.stage() == IngestStage::Ingest ? ses.error() + " (" + r.summary + ")" : ses.error()};
  const double ingest_s = r.seconds;
  json rejects = json::array();
  for (auto& x : r.rejects) rejects.push_back({{"line", x.line}, {"reason", x.reason}});
  json workers = json::array();
  for (auto& w : r.workers) workers.push_back({{"rows", w.rows_total}, {"ingested", w.ingested}, {"rejected", w.rejected}});
  json j = {{"ingested", r.ingested}, {"total", r.total},   {"rejected", r.rejected},
            {"rejects", rejects},     {"workers", workers}, {"seconds", ingest_s},
            {"records_per_s", ingest_s > 0 ? double(r.ingested) / ingest_s : 0.0},
            {"summary", r.summary}};
  if (a.Has("json") || jsonl) EmitJson(j);
  else {
    std::printf("%s in %.2f s\n", r.summary.c_str(), ingest_s);
    for (auto& x : r.rejects) std::printf("  line %llu: %s\n", static_cast<unsigned long long>(x.line), x.reason.c_str());
  }
  return 0;
}

static int PutVerb(const Args& a) {
  auto s = OpenStore(a);
  std::vector<std::pair<std::string, std::string>> vals;
  for (auto& kv : a.GetList("values", {})) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos) throw UsageError{"--values: '" + kv + "' is not name=value"};
    vals.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  PutOptions o;
  o.ttl_seconds = a.GetDouble("ttl", 0);
  Status st = s->Put(Need(a, "group"), vals, o);
  if (!st) throw InputError{st.message()};
  Emit(a, {{"ok", true}}, "ok");
  return 0;
}

static int Get(const Args& a) {
  auto s = OpenStore(a);
  const std::string g = Need(a, "group"), id = Need(a, "id");
  if (!s->DescribeGroup(g)) throw InputError{"group '" + g + "' not found"};
  auto r = s->Get(g, id, a.GetList("features", {}));
  if (!r) {
    if (r.status().message().rfind("not found", 0) != 0) throw InputError{r.status().message()};
    Emit(a, {{"found", false}, {"group", g}, {"id", id}, {"message", r.status().message()}}, r.status().message());
    return 0;
  }
  json j = RecordJson(*r);
  j["found"] = true;
  std::string human;
  for (auto& v : r->values) human += v.name + " = " + (v.is_null ? "null" : v.text) + "\n";
  Emit(a, j, human);
  return 0;
}

static int BatchGet(const Args& a) {
  auto s = OpenStore(a);
  std::vector<RecordIdentifier> ids;
  const std::string group = a.Get("group");
  for (auto& t : a.GetList("ids", {})) {
    const size_t c = t.find(':');
    if (!group.empty() && c == std::string::npos) ids.push_back({group, t});
    else if (c != std::string::npos) ids.push_back({t.substr(0, c), t.substr(c + 1)});
    else throw UsageError{"--ids: '" + t + "' needs GROUP:ID (or give --group)"};
  }
  if (ids.empty()) throw UsageError{"missing --ids"};
  auto r = s->BatchGet(ids, a.GetList("features", {}));
  json recs = json::array(), errs = json::array(), un = json::array();
  for (auto& x : r.records) recs.push_back(RecordJson(x));
  for (auto& e : r.errors) errs.push_back({{"group", e.group}, {"id", e.id}, {"code", e.code}, {"message", e.message}});
  for (auto& u : r.unprocessed) un.push_back({{"group", u.group}, {"id", u.id}});
  json j = {{"records", recs}, {"errors", errs}, {"unprocessed", un}};
  Emit(a, j, DumpJson(j, 2));
  return 0;
}

static int DeleteVerb(const Args& a) {
  auto s = OpenStore(a);
  const double t = a.Has("event-time") ? ParseTimeArg(a.Get("event-time"), "event-time") : s->Now();
  Status st = s->Delete(Need(a, "group"), Need(a, "id"), t, a.Has("hard") ? DeleteMode::Hard : DeleteMode::Soft);
  if (!st) throw InputError{st.message()};
  Emit(a, {{"ok", true}, {"mode", a.Has("hard") ? "HardDelete" : "SoftDelete"}, {"event_time", t}}, "deleted");
  return 0;
}

static int DeleteGroupVerb(const Args& a) {
  auto s = OpenStore(a);
  Status st = s->DeleteGroup(Need(a, "group"));
  if (!st) throw InputError{st.message()};
  Emit(a, {{"ok", true}}, "group deleted (offline files kept)");
  return 0;
}

static int Describe(const Args& a) {
  auto s = OpenStore(a);
  auto g = s->DescribeGroup(Need(a, "group"));
  if (!g) throw InputError{g.status().message()};
  json j = GroupJson(*g);
  for (auto& x : s->ListGroups())
    if (x.name == g->name) j["online_records"] = x.online_records;
  j["offline_store"] = s->Dir() + "/offline/" + g->name;
  Emit(a, j, DumpJson(j, 2));
  return 0;
}

static int List(const Args& a) {
  auto s = OpenStore(a);
  json groups = json::array();
  std::string human;
  for (auto& g : s->ListGroups()) {
    groups.push_back({{"name", g.name}, {"creation_time", FormatIso8601(g.created)}, {"online_records", g.online_records}});
    human += g.name + "  " + FormatIso8601(g.created) + "  " + std::to_string(g.online_records) + " records\n";
  }
  Emit(a, {{"groups", groups}}, human.empty() ? "no groups" : human);
  return 0;
}

static int Pit(const Args& a) {
  auto s = OpenStore(a);
  TrainingSetOptions o;
  o.entities = Need(a, "entities");
  o.out = Need(a, "out");
  o.time_col = Need(a, "time-col");
  o.id_col = Need(a, "id-col");
  o.groups = a.GetList("groups", {});
  o.pit.features = a.GetList("features", {});
  TrainingSetSession ses(*s, o);
  ses.RunToEnd();
  if (ses.failed()) throw InputError{ses.error()};
  const uint64_t rows = ses.result()->rows;
  Emit(a, {{"rows", rows}, {"out", o.out}}, "wrote " + std::to_string(rows) + " rows to " + o.out);
  return 0;
}

static int Verify(const Args& a) {
  const std::string dir = Need(a, "store");
  json errs = json::array();
  json j;
  auto s = FeatureStore::Open(dir);
  if (!s) {
    // The store refused to open (corruption in the middle of a log): that is the finding.
    // Messages read "<file>: byte <offset>: ..." when a log is damaged.
    const std::string m = s.status().message();
    std::string file = dir;
    unsigned long long off = 0;
    const size_t at = m.find(": byte ");
    if (at != std::string::npos) {
      file = m.substr(0, at);
      off = std::strtoull(m.c_str() + at + 7, nullptr, 10);
    }
    errs.push_back({{"file", file}, {"offset", off}, {"message", m}});
    j = {{"ok", false}, {"records", 0}, {"errors", errs}};
  } else {
    VerifyReport r = (*s)->Verify();
    for (auto& e : r.errors) errs.push_back({{"file", e.file}, {"offset", e.offset}, {"message", e.message}});
    j = {{"ok", r.ok},         {"records", r.records}, {"log_records", r.log_records},
         {"offline_rows", r.offline_rows}, {"errors", errs}, {"notes", r.notes}};
  }
  Emit(a, j, DumpJson(j, 2));
  return j["ok"].get<bool>() ? 0 : 1;
}

static int DemoDataVerb(const Args& a) {
  const std::string dir = Need(a, "out");
  DemoDataOptions o;
  o.seed = uint64_t(a.GetInt("seed", long(o.seed)));
  o.customers = int(a.GetInt("customers", o.customers));
  if (o.customers < 3 || o.customers > 100000) throw UsageError{"--customers must be in 3..100000"};
  const DemoData d = MakeDemoData(o);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  for (auto [name, text] : {std::pair<const char*, const std::string*>{"customers.csv", &d.customers_csv},
                            {"orders.csv", &d.orders_csv}}) {
    const std::string path = dir + "/" + name;
    std::ofstream f(path, std::ios::binary);
    f << *text;
    if (!f) throw InputError{path + ": cannot write"};
  }
  Emit(a, {{"customers_csv", dir + "/customers.csv"}, {"customer_rows", d.customer_rows}, {"bad_rows", d.bad_rows},
           {"orders_csv", dir + "/orders.csv"}, {"order_rows", d.order_rows}},
       "wrote " + dir + "/customers.csv (" + std::to_string(d.customer_rows) + " rows, " +
           std::to_string(d.bad_rows) + " bad) and " + dir + "/orders.csv (" + std::to_string(d.order_rows) + " rows)");
  return 0;
}

// [SECTION] bench

static std::string BenchCsv(uint64_t rows, uint64_t seed) {
  Rng rng(seed);
  std::string s = "id,ts";
  for (int k = 0; k < 18; k++) s += ",f" + std::to_string(k);
  s += '\n';
  char buf[64];
  for (uint64_t i = 0; i < rows; i++) {
    s += "u" + std::to_string(i) + "," + std::to_string(1700000000 + i % 86400);
    for (int k = 0; k < 18; k++) {
      if (k % 3 == 0) std::snprintf(buf, sizeof buf, ",%u", rng.Below(100000));
      else if (k % 3 == 1) std::snprintf(buf, sizeof buf, ",%.4f", double(rng.Normal()));
      else std::snprintf(buf, sizeof buf, ",c%u", rng.Below(50));
      s += buf;
    }
    s += '\n';
  }
  return s;
}

static double CpuSeconds() {  // user + system time of this process, all threads
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// The bench's CSV on its own, for timing `features ingest` as a user runs it.
static int BenchCsvVerb(const Args& a) {
  const long rows = a.GetInt("rows", 200000), seed = a.GetInt("seed", 42);
  if (rows < 1) throw UsageError{"--rows must be >= 1"};
  const std::string out = Need(a, "out");
  {
    std::ofstream f(out, std::ios::binary | std::ios::trunc);
    f << BenchCsv(uint64_t(rows), uint64_t(seed));
    if (!f) throw InputError{out + ": cannot write"};
  }
  Emit(a, {{"rows", rows}, {"columns", 20}, {"file", out}, {"bytes", std::filesystem::file_size(out)}},
       "wrote " + std::to_string(rows) + " rows, 20 columns to " + out);
  return 0;
}

static int Bench(const Args& a) {
  const long rows = a.GetInt("rows", 1000000), threads = a.GetInt("threads", 2), gets = a.GetInt("gets", 200000);
  if (rows < 1 || threads < 1 || gets < 1) throw UsageError{"--rows, --threads, --gets must be >= 1"};
  StoreOptions so;
  const long seal_mb = a.GetInt("seal-mb", long(so.seal_bytes >> 20));
  if (seal_mb < 0) throw UsageError{"--seal-mb must be >= 0"};
  so.seal_bytes = uint64_t(seal_mb) << 20;
  const std::string dir = a.Has("dir") ? a.Get("dir") : "/tmp/fk_features_bench_" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  const std::string csv_path = dir + ".csv";
  {
    std::ofstream f(csv_path, std::ios::binary);
    f << BenchCsv(uint64_t(rows), 42);
  }
  json j;
  {
    auto s = FeatureStore::Open(dir, so);
    if (!s) throw InputError{s.status().message()};
    InferOptions io;
    io.name = "bench";
    io.record_id = "id";
    io.event_time = "ts";
    auto inf = InferSchemaFromCsv(csv_path, io);
    if (!inf) throw InputError{inf.status().message()};
    inf->group.offline_format = FormatArg(a);
    Status st = (*s)->CreateGroup(inf->group);
    if (!st) throw InputError{st.message()};
    uint64_t syncs = 0;
    (*s)->SetOnDurable([&](uint64_t) { syncs++; });
    IngestOptions o;
    o.threads = int(threads);
    o.batch_rows = size_t(a.GetInt("batch-rows", long(o.batch_rows)));
    IngestJob job(**s, "bench", csv_path, o);
    Stopwatch sw;
    const double cpu0 = CpuSeconds();
    st = job.Run();
    const double ingest_s = sw.ElapsedMs() / 1000, ingest_cpu = CpuSeconds() - cpu0;
    if (!st) throw InputError{st.message()};
    sw.Reset();
    const double cpu1 = CpuSeconds();
    st = (*s)->Checkpoint();
    const double cp_s = sw.ElapsedMs() / 1000, cp_cpu = CpuSeconds() - cpu1;
    if (!st) throw InputError{st.message()};
    // GetRecord latency: random existing ids, each call timed alone.
    Rng rng(7);
    std::vector<double> us;
    us.reserve(size_t(gets));
    std::vector<std::string> ids;
    for (long i = 0; i < gets; i++) ids.push_back("u" + std::to_string(rng.Below(uint32_t(rows))));
    size_t found = 0;
    for (auto& id : ids) {
      const double t0 = NowMs();
      auto r = (*s)->Get("bench", id);
      us.push_back((NowMs() - t0) * 1000);
      found += r.ok();
    }
    std::sort(us.begin(), us.end());
    auto pct = [&](double p) { return us[std::min(us.size() - 1, size_t(p * double(us.size())))]; };
    j = {{"rows", rows},
         {"features", 20},
         {"threads", threads},
         {"batch_rows", o.batch_rows},
         {"seal_mb", seal_mb},
         {"ingested", job.Ingested()},
         {"ingest_seconds", ingest_s},
         {"ingest_records_per_s", double(job.Ingested()) / ingest_s},
         {"ingest_cpu_seconds", ingest_cpu},  // on a shared machine, wall time includes waiting for a core
         {"fsyncs", syncs},
         {"offline_checkpoint_seconds", cp_s},
         {"offline_checkpoint_cpu_seconds", cp_cpu},
         {"end_to_end_cpu_seconds", ingest_cpu + cp_cpu},  // what the records cost, whatever else shares the cores
         {"end_to_end_records_per_s", double(job.Ingested()) / (ingest_s + cp_s)},
         {"offline_format", OfflineFormatName(inf->group.offline_format)},
         {"offline_bytes", TreeBytes(dir + "/offline")},
         {"csv_bytes", std::filesystem::file_size(csv_path)},
         {"gets", gets},
         {"gets_found", found},
         {"get_p50_us", pct(0.5)},
         {"get_p99_us", pct(0.99)},
         {"get_max_us", us.back()}};
  }
  if (!a.Has("dir")) std::filesystem::remove_all(dir);
  std::filesystem::remove(csv_path);
  Emit(a, j, DumpJson(j, 2));
  return 0;
}

// [SECTION] the verb table

namespace {

const Flag kStore = {"store", "DIR", "the store's folder (required)"};
const Flag kGroup = {"group", "NAME", "the feature group"};
const Flag kFeatureList = {"features", "LIST", "only these features (default all)"};

const VerbTable kFeatures = {
    "features",
    {{"create", "infer a group's schema from a CSV (every row) and create it",
      {kStore, kGroup,
       {"from-csv", "FILE", "the CSV to infer from"},
       {"record-id", "COL", "the record identifier column"},
       {"event-time", "COL", "the event time column (Unix s or ISO-8601)"},
       {"description", "TEXT", "the group's description"},
       {"ttl", "SECONDS", "online records expire after this (default 0: never)"},
       {"offline-format", "parquet|csv", "the offline store's files (default parquet)"},
       {"dry-run", "", "infer and print the schema only"}},
      Create},
     {"ingest", "ingest a CSV into a group (online log and offline partitions)",
      {kStore, kGroup,
       {"file", "FILE", "the CSV"},
       {"threads", "N", "1..64 (default 1)"},
       {"batch-rows", "N", "rows per batch"},
       {"progress-jsonl", "", "print {\"durable\": N} on stdout after each fsync (N records in total)"}},
      Ingest},
     {"put", "put one record",
      {kStore, kGroup, {"values", "f1=v1,f2=v2", "the record's values"}, {"ttl", "SECONDS", "expire after this"}},
      PutVerb},
     {"get", "get a record", {kStore, kGroup, {"id", "ID", "the record identifier"}, kFeatureList}, Get},
     {"batch-get", "get records of one or more groups (at most 100 processed)",
      {kStore, {"ids", "LIST", "GROUP:ID,GROUP:ID,... or, with --group, ID,ID,..."}, kGroup, kFeatureList},
      BatchGet},
     {"delete", "delete a record",
      {kStore, kGroup,
       {"id", "ID", "the record identifier"},
       {"event-time", "T", "Unix s or ISO-8601 (default now)"},
       {"hard", "", "a hard delete (default soft)"}},
      DeleteVerb},
     {"delete-group", "delete a group: online records gone, offline files kept", {kStore, kGroup}, DeleteGroupVerb},
     {"describe", "a group's schema, record count and offline folder", {kStore, kGroup}, Describe},
     {"list", "the groups with their record counts", {kStore}, List},
     {"pit", "a point-in-time join of entities with feature groups into a training set",
      {kStore,
       {"entities", "FILE", "the entities CSV"},
       {"id-col", "COL", "its record identifier column"},
       {"time-col", "COL", "its time column"},
       {"groups", "G1,G2", "the groups to join"},
       {"features", "LIST", "g__f,... (default all)"},
       {"out", "FILE", "the training set CSV"}},
      Pit},
     {"verify", "check every log segment, group file and offline file: {\"ok\",\"records\",\"errors\"}", {kStore},
      Verify},
     {"demo-data", "write DIR/customers.csv (with 3 bad rows) and DIR/orders.csv (entities for pit)",
      {{"out", "DIR", "the folder (data/features/ is made by this)"},
       {"seed", "N", "seed"},
       {"customers", "N", "3..100000"}},
      DemoDataVerb},
     {"bench", "ingest rate and GetRecord latency",
      {{"rows", "N", "rows (default 1000000)"},
       {"threads", "N", "ingest threads (default 2)"},
       {"gets", "N", "timed gets (default 200000)"},
       {"dir", "DIR", "keep the store here (default: a temporary folder, removed)"},
       {"batch-rows", "N", "rows per batch"},
       {"offline-format", "parquet|csv", "the offline store's files (default parquet)"},
       {"seal-mb", "N", "seal a log segment of N MB during ingest, offline write in the background (default 16; 0: at the end)"}},
      Bench},
     {"bench-csv", "write the bench's CSV (id, ts, 18 features; seed 42) for timing `features ingest`",
      {{"rows", "N", "rows (default 200000)"}, {"out", "FILE", "the CSV"}, {"seed", "N", "seed (default 42)"}},
      BenchCsvVerb}},
    "exit 0 ok, 1 bad input or store error, 2 bad arguments."};

}  // namespace

int FeaturesCommand(const std::vector<std::string>& argv) { return RunVerbTable(kFeatures, argv); }

}  // namespace fk::cli
