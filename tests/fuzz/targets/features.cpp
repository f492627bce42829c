// Feature Store inputs: a CSV's schema inference (the panel's column guess,
// then InferSchemaFromCsvText), its ingest as records into a fresh store
// (IngestJob on the text, sliced as in the page), and recovery of a store
// whose write-ahead log is damaged (FeatureStore::Open over fuzzed log bytes).
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <cstdlib>

#include "../fuzz_target.h"
#include "features/ingest.h"
#include "features/schema.h"
#include "features/store.h"
#include "fuzz_fixtures.h"

namespace fk::fuzz {
namespace {

namespace ff = features;

std::string Lower(std::string s) {
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The Feature Store panel's guess (panel_features.cpp, LoadFeaturesCsv): the
// record id is a column named *id, the event time one named *time*, ts or
// *date*; else the first named columns.
bool GuessColumns(std::string_view text, ff::InferOptions* o, std::string* why) {
  std::string_view head = text.substr(0, text.find('\n'));
  if (!head.empty() && head.back() == '\r') head.remove_suffix(1);
  ff::CsvSplitter sp;
  if (!sp.Split(head, why)) return false;
  std::string id, et;
  for (auto c : sp.Cells()) {
    const std::string l = Lower(std::string(c));
    if (id.empty() && l.size() >= 2 && l.compare(l.size() - 2, 2, "id") == 0) id = c;
    if (et.empty() && (l.find("time") != std::string::npos || l == "ts" || l.find("date") != std::string::npos))
      et = c;
  }
  for (auto c : sp.Cells())
    if (!c.empty() && c != "Unnamed: 0") {
      if (id.empty()) id = c;
      else if (et.empty() && c != id) et = c;
    }
  o->name = "fuzzed";
  o->record_id = id;
  o->event_time = et;
  return true;
}

ff::StoreOptions FixedClock() {
  ff::StoreOptions so;
  so.now = [] { return kFuzzStoreNow; };
  so.fsync = false;  // a scratch store on tmpfs: durability is not what is tested
  return so;
}

// ParseIntegral / ParseFractional take a fast path for plain digits: every
// cell must parse (or not) exactly as std::from_chars does, bit for bit.
bool NumbersAgree(std::string_view cell) {
  int64_t a = 0, b = 0;
  const char* p = cell.data() + (!cell.empty() && cell[0] == '+');
  const char* end = cell.data() + cell.size();
  auto ri = std::from_chars(p, end, b);
  const bool ib = !cell.empty() && ri.ec == std::errc() && ri.ptr == end;
  if (ff::ParseIntegral(cell, &a) != ib || (ib && a != b)) return false;
  bool plain = !cell.empty() && cell.size() <= 64;
  for (char c : cell) plain = plain && (std::isdigit(static_cast<unsigned char>(c)) || (c != 0 && std::strchr(".-+eE", c)));
  double x = 0, y = 0;
#if !defined(__EMSCRIPTEN__)
  auto rd = std::from_chars(p, end, y);
  const bool fb = plain && rd.ec == std::errc() && rd.ptr == end && std::isfinite(y);
#else  // the seeds also run in the wasm suite, where libc++ has no floating-point from_chars: strtod, as there
  const std::string z(cell);
  char* zend = nullptr;
  y = plain ? std::strtod(z.c_str(), &zend) : 0;
  const bool fb = plain && zend == z.c_str() + z.size() && std::isfinite(y);
#endif
  if (ff::ParseFractional(cell, &x) != fb) return false;
  return !fb || std::memcmp(&x, &y, sizeof x) == 0;
}

}  // namespace

Outcome FeaturesSchema(const uint8_t* data, size_t size) {
  Outcome o;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t cells = 0;
  for (size_t a = 0; a <= text.size() && cells < 4096; cells++) {
    size_t b = a;
    while (b < text.size() && text[b] != ',' && text[b] != '\n') b++;
    const std::string_view cell = text.substr(a, b - a);
    o.Check(NumbersAgree(cell), "ParseIntegral/ParseFractional differ from from_chars on '" + std::string(cell) + "'");
    a = b + 1;
  }
  ff::InferOptions io;
  std::string why;
  if (!GuessColumns(text, &io, &why)) {
    o.message = "fuzz.csv:1: header: " + why;
    return o;
  }
  auto r = ff::InferSchemaFromCsvText(text, "fuzz.csv", io);
  if (!r) {
    o.Set(r.status());
    return o;
  }
  const ff::FeatureGroup& g = r->group;
  o.Check(g.RecordIdIndex() >= 0 && g.EventTimeIndex() >= 0, "inferred group lacks its record id or event time");
  Status valid = ff::ValidateGroup(g);
  if (!valid) {
    o.Set(valid);
    return o;
  }
  // A valid group is what CreateGroup writes to groups/<name>.json.
  auto back = ff::GroupFromJson(ff::GroupToJson(g), "fuzzed.json");
  bool same = back.ok() && back->name == g.name && back->record_id == g.record_id &&
              back->event_time == g.event_time && back->features.size() == g.features.size();
  for (size_t i = 0; same && i < g.features.size(); i++)
    same = back->features[i].name == g.features[i].name && back->features[i].type == g.features[i].type;
  o.Check(same, "a valid group does not read back from its JSON");
  o.ok = true;
  return o;
}

Outcome FeaturesIngest(const uint8_t* data, size_t size) {
  Outcome o;
  const std::string text(reinterpret_cast<const char*>(data), size);
  // The group: inferred from the file like the panel does; when inference
  // refuses the file, the fixed customers group, so the rows are still checked.
  ff::FeatureGroup g = FuzzGroup();
  ff::InferOptions io;
  std::string why;
  if (GuessColumns(text, &io, &why))
    if (auto r = ff::InferSchemaFromCsvText(text, "fuzz.csv", io); r && ff::ValidateGroup(r->group)) g = r->group;
  RemoveScratch("ingest");
  const std::string dir = ScratchDir() + "/ingest";
  auto store = ff::FeatureStore::Open(dir, FixedClock());
  o.Check(store.ok(), "an empty store does not open: " + store.status().message());
  if (!store) return o;
  ff::FeatureStore& s = **store;
  if (Status st = s.CreateGroup(g); !st) {
    o.Set(st);
    return o;
  }
  ff::IngestOptions opt;
  opt.threads = 0;  // the page's sliced worker: deterministic, no thread per exec
  ff::IngestJob job(s, g.name, text, "fuzz.csv", opt);
  Status st = job.Run();
  if (!st) {
    o.Set(st);
    return o;
  }
  o.Check(job.Ingested() + job.Rejected() == job.TotalRows(), "ingest lost rows: " + job.Summary());
  const std::vector<std::string> ids = s.RecordIds(g.name);
  o.Check(ids.size() <= job.Ingested(), "more records than ingested rows");
  for (size_t i = 0; i < ids.size() && i < 8; i++) {
    auto rec = s.Get(g.name, ids[i]);
    o.Check(rec.ok(), "a listed record does not read: " + rec.status().message());
  }
  const ff::VerifyReport v = s.Verify();  // checkpoints: the offline partitions are written and re-read
  o.Check(v.ok, "a freshly ingested store does not verify: " +
                    (v.errors.empty() ? std::string("?") : v.errors.front().file + ": " + v.errors.front().message));
  o.ok = job.Rejected() == 0;
  if (!o.ok) {
    const auto rejects = job.Rejects();
    o.message = job.Summary() + (rejects.empty() ? "" : ": line " + std::to_string(rejects[0].line) + ": " + rejects[0].reason);
  }
  return o;
}

Outcome FeaturesWal(const uint8_t* data, size_t size) {
  Outcome o;
  // Byte 0, bit 0: give every frame that fits a correct CRC, so the fuzzer
  // reaches the payload decoding and the replay behind the checksum.
  std::string log(reinterpret_cast<const char*>(data), size);
  const bool fix = !log.empty() && (log[0] & 1);
  if (!log.empty()) log.erase(0, 1);
  if (fix) FixWalCrcs(&log);
  RemoveScratch("wal");
  const std::string dir = ScratchDir() + "/wal";
  const ff::FeatureGroup g = FuzzGroup();
  WriteScratchFile("wal/groups/" + g.name + ".json", ff::GroupToJson(g));
  WriteScratchFile("wal/wal/000001.log", log);
  auto store = ff::FeatureStore::Open(dir, FixedClock());
  if (!store) {
    o.Set(store.status());
    return o;
  }
  ff::FeatureStore& s = **store;
  const std::vector<std::string> ids = s.RecordIds(g.name);
  std::vector<ff::RecordIdentifier> batch;
  for (size_t i = 0; i < ids.size() && i < 8; i++) {
    s.Get(g.name, ids[i]);
    batch.push_back({g.name, ids[i]});
  }
  s.BatchGet(batch);
  auto history = s.History(g.name);
  o.Check(history.ok(), "History of a recovered store failed: " + history.status().message());
  s.Verify();
  // The recovered store takes new writes.
  Status put = s.Put(g.name, {{"customer_id", "C9999"}, {"event_time", "2024-03-02T00:00:00Z"}, {"age", "30"},
                              {"city", "Lima"}, {"spend_30d", "1.5"}});
  o.Check(put.ok(), "a recovered store refuses a good record: " + put.message());
  o.ok = s.RecoveryNotes().empty();
  if (!o.ok) o.message = s.RecoveryNotes().front();
  return o;
}

}  // namespace fk::fuzz
