// Event files (Anomalies panel, `fieldkit-cli anomaly`): JSON Lines and CSV
// through EventFileReader, the reader the panel uses, read whole and in
// slices of 3 lines, with the default options and the panel's (measures
// person/car, dimension camera_id). A user's own file as the panel first
// sees it: InspectEventFile, then the read its column offer starts.
#include <algorithm>

#include "../fuzz_target.h"
#include "stream/input.h"

namespace fk::fuzz {
namespace {

bool SameEvents(const std::vector<stream::Event>& a, const std::vector<stream::Event>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++)
    if (a[i].time != b[i].time || a[i].measure != b[i].measure || a[i].dims != b[i].dims ||
        !(a[i].value == b[i].value || (a[i].value != a[i].value && b[i].value != b[i].value)))
      return false;
  return true;
}

Outcome ReadEvents(const uint8_t* data, size_t size, const char* file) {
  Outcome o;
  const std::string path = WriteScratchFile(file, std::string_view(reinterpret_cast<const char*>(data), size));
  stream::IngestOptions defaults;
  stream::Schema schema;
  std::vector<stream::Event> events;
  stream::IngestReport report;
  Status st = stream::ReadEventsFile(path, &schema, defaults, &events, &report);
  if (!st) {
    o.Set(st);
    return o;
  }
  for (const stream::Event& e : events) {
    o.Check(e.measure < schema.MeasureCount() && e.dims < schema.DimsCount(), "event names an unknown measure or dims id");
    if (!o.broken.empty()) break;
  }
  o.Check(report.records <= report.lines && report.events == events.size(), "report counts other records or events");
  o.Check(report.messages.size() <= report.max_messages, "report keeps more messages than asked");

  // The panel reads in slices over many frames: the same events and report.
  stream::Schema schema2;
  std::vector<stream::Event> sliced;
  stream::EventFileReader reader;
  st = reader.Open(path, &schema2, defaults);
  o.Check(st.ok(), "sliced open failed: " + st.message());
  while (st && reader.Read(3, &sliced)) {
  }
  o.Check(SameEvents(events, sliced), "sliced read gives other events than the whole read");
  o.Check(reader.report().Summary() == report.Summary(), "sliced read gives another report: " + reader.report().Summary());

  stream::IngestOptions panel;
  panel.measure_fields = {"person", "car"};
  stream::Schema schema3;
  std::vector<stream::Event> panel_events;
  stream::IngestReport panel_report;
  st = stream::ReadEventsFile(path, &schema3, panel, &panel_events, &panel_report);
  o.Check(st.ok(), "second read failed: " + st.message());
  for (const stream::Event& e : panel_events) {
    const std::string& m = schema3.MeasureName(e.measure);
    o.Check(m == "person" || m == "car", "an event of measure '" + m + "' that was not asked for");
    if (!o.broken.empty()) break;
  }

  o.ok = report.bad_lines == 0 && !events.empty();
  if (!o.ok) o.message = report.Summary();
  return o;
}

}  // namespace

Outcome StreamJsonl(const uint8_t* data, size_t size) { return ReadEvents(data, size, "events.jsonl"); }
Outcome StreamCsv(const uint8_t* data, size_t size) { return ReadEvents(data, size, "events.csv"); }

}  // namespace fk::fuzz

// [SECTION] a user's event file: its columns (InspectEventFile), then the panel's offer

namespace fk::fuzz {
namespace {

bool Has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

Outcome InspectOne(std::string_view bytes, const char* file, Outcome* o) {
  Outcome r;
  const std::string path = WriteScratchFile(file, bytes);
  auto cols = stream::InspectEventFile(path);
  if (!cols) {
    r.Set(cols.status());
    o->Check(cols.status().message().find(path) != std::string::npos, "an error that does not name the file");
    return r;
  }
  o->Check(cols->lines <= 200, "looked at more lines than asked");
  // Each column or key is in one list, once.
  std::vector<std::string> all;
  for (auto* v : {&cols->time, &cols->numeric, &cols->text})
    for (const std::string& n : *v) {
      o->Check(!Has(all, n), "column '" + n + "' offered twice");
      all.push_back(n);
    }
  o->Check(cols->records == Has(all, "hop_time"), "records set without a hop_time column (or not with one)");
  if (cols->records) {  // a landing file: the anomaly_landing harness reads those
    r.ok = true;
    return r;
  }
  if (cols->time.empty() || cols->numeric.empty()) {
    r.message = std::string(file) + ": no time column or no numeric column";
    return r;
  }
  // What the panel's offer reads (panel_anomaly.cpp: OfferColumns, RunOffer): the
  // first time column, up to 5 numeric columns as measures, up to 5 text columns as dimensions.
  stream::IngestOptions io;
  io.time_field = cols->time[0];
  for (size_t i = 0; i < cols->numeric.size() && i < 5; i++) io.measure_fields.push_back(cols->numeric[i]);
  io.dimension_fields.clear();
  for (size_t i = 0; i < cols->text.size() && i < 5; i++) io.dimension_fields.push_back(cols->text[i]);
  io.max_messages = 50;
  stream::Schema schema;
  std::vector<stream::Event> events;
  stream::IngestReport report;
  Status st = stream::ReadEventsFile(path, &schema, io, &events, &report);
  o->Check(st.ok(), "the offered file does not open again: " + st.message());
  for (const stream::Event& e : events) {
    o->Check(Has(io.measure_fields, schema.MeasureName(e.measure)), "an event of a measure that was not offered");
    if (!o->broken.empty()) break;
  }
  // Within the lines it looked at, what Inspect called a time or a number reads as one.
  if (report.lines <= cols->lines) {
    for (const std::string& m : report.messages) {
      // (A line without the key, or with it empty, says nothing about the column.)
      o->Check(m.find("header has no timestamp column") == std::string::npos &&
                   (m.find("unparsable timestamp") == std::string::npos ||
                    m.find("unparsable timestamp \"\"") != std::string::npos),
               "the time column '" + io.time_field + "' Inspect found does not read as one: " + m);
      for (const std::string& n : io.measure_fields)
        o->Check((m.find("non-numeric value") == std::string::npos || m.find("column \"" + n + "\"") == std::string::npos) &&
                     m.find("non-numeric measure \"" + n + "\"") == std::string::npos,
                 "the numeric column '" + n + "' Inspect found does not read as numbers: " + m);
    }
  }
  r.ok = !events.empty();
  if (!r.ok) r.message = report.Summary();
  return r;
}

}  // namespace

// The same bytes as CSV and as JSON Lines (the panel picks by extension).
Outcome StreamInspect(const uint8_t* data, size_t size) {
  Outcome o;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const Outcome csv = InspectOne(bytes, "inspect.csv", &o);
  const Outcome jsonl = InspectOne(bytes, "inspect.jsonl", &o);
  o.ok = csv.ok || jsonl.ok;
  if (!o.ok) o.message = csv.message + "; " + jsonl.message;
  return o;
}

}  // namespace fk::fuzz
