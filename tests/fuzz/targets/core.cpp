// Settings (settings.json in the user folder; in the page a file a user may
// import or an IndexedDB copy): Settings::Load, then what it keeps is saved
// and loaded back unchanged. Parquet files (the feature store's offline
// store, read back by `features verify`): ReadParquet, then what it read is
// written again and must read back the same; and the table as windowed
// records (`anomaly detect --partitions` over part-N.parquet):
// stream::ParquetToEvents with the default and the detector's options.
#include "../fuzz_target.h"
#include "core/parquet.h"
#include "core/settings.h"
#include "stream/input.h"

#include <cmath>
#include <cstring>

namespace fk::fuzz {

Outcome CoreSettings(const uint8_t* data, size_t size) {
  Outcome o;
  RemoveScratch("settings");
  const std::string path =
      WriteScratchFile("settings/settings.json", std::string_view(reinterpret_cast<const char*>(data), size));
  Settings s;
  Status st = s.Load(path);
  if (!st) {
    o.Set(st);
    o.Check(s.Values().empty(), "a refused settings file left values behind");
    return o;
  }
  const std::string again = ScratchDir() + "/settings/again.json";
  st = s.Save(again);
  o.Check(st.ok(), "loaded settings do not save: " + st.message());
  Settings t;
  st = t.Load(again);
  o.Check(st.ok() && t.Values() == s.Values(), "saved settings do not load back the same");
  o.ok = true;
  return o;
}

Outcome CoreParquet(const uint8_t* data, size_t size) {
  Outcome o;
  using namespace fk::parquet;
  auto t = ReadParquet(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.parquet");
  if (!t) {
    o.Set(t.status());
    return o;
  }
  o.ok = true;
  std::vector<ColumnSpec> schema;
  for (auto& c : t->columns) {
    schema.push_back(c.spec);
    const size_t values = c.spec.type == ColumnType::Double   ? c.doubles.size()
                          : c.spec.type == ColumnType::String ? c.strings.size()
                                                              : c.ints.size();
    o.Check(c.nulls.size() == t->rows && values == t->rows, "column '" + c.spec.name + "' does not hold one value a row");
    o.Check(c.spec.nullable || c.NullCount() == 0, "a null in REQUIRED column '" + c.spec.name + "'");
  }
  if (!o.broken.empty()) return o;
  // As windowed records: every row is a record or counted bad; a refused table appends nothing.
  for (int detector = 0; detector < 2; detector++) {
    stream::IngestOptions io;
    if (detector) io.time_field = "hop_time", io.measure_fields = {"person", "car"};
    stream::Schema sc;
    std::vector<stream::Event> ev;
    stream::IngestReport rep;
    rep.source = "fuzz.parquet";
    const Status st = stream::ParquetToEvents(*t, &sc, io, &ev, &rep);
    if (!st) {
      o.Check(ev.empty() && rep.lines == 0, "a refused table appended events or counted rows");
      o.Check(st.message().rfind("fuzz.parquet: ", 0) == 0, "a refusal that does not name the file: " + st.message());
      continue;
    }
    o.Check(rep.lines == t->rows && rep.records + rep.bad_lines == rep.lines,
            "rows neither records nor counted bad");
    o.Check(ev.size() == rep.events, "events made differ from the events counted");
    for (const stream::Event& e : ev)
      o.Check(std::isfinite(e.value) && e.measure < sc.MeasureCount() && e.dims < sc.DimsCount(),
              "an event with a non-finite value or an unknown measure or dimensions");
  }
  if (!o.broken.empty()) return o;
  // Written again (small tables in small pages: several per column) and read back: the same table.
  WriterOptions wo;
  if (t->rows < 1000) wo.page_rows = 5;
  ParquetWriter w(schema, wo);
  for (size_t r = 0; r < t->rows; r++)
    for (size_t c = 0; c < schema.size(); c++) {
      const ParquetColumn& pc = t->columns[c];
      if (pc.nulls[r]) w.AppendNull(c);
      else if (pc.spec.type == ColumnType::Double) w.AppendDouble(c, pc.doubles[r]);
      else if (pc.spec.type == ColumnType::String) w.AppendString(c, pc.strings[r]);
      else if (pc.spec.type == ColumnType::Boolean) w.AppendBool(c, pc.ints[r] != 0);
      else w.AppendInt64(c, pc.ints[r]);
    }
  auto bytes = w.Finish();
  o.Check(bytes.ok(), "a table read does not write: " + bytes.status().message());
  if (!bytes) return o;
  auto back = ReadParquet(*bytes, "again.parquet");
  o.Check(back.ok(), "a written table does not read back: " + back.status().message());
  if (!back) return o;
  bool same = back->rows == t->rows && back->columns.size() == t->columns.size();
  for (size_t c = 0; same && c < schema.size(); c++) {
    const ParquetColumn &a = t->columns[c], &b = back->columns[c];
    same = a.nulls == b.nulls && a.ints == b.ints && a.strings == b.strings && a.spec.type == b.spec.type &&
           a.doubles.size() == b.doubles.size();
    for (size_t r = 0; same && r < a.doubles.size(); r++)  // bit for bit (NaN payloads too)
      same = std::memcmp(&a.doubles[r], &b.doubles[r], sizeof(double)) == 0;
  }
  o.Check(same, "a table written again reads back different");
  return o;
}

}  // namespace fk::fuzz
