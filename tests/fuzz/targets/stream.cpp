// Event files (Anomalies panel, `fieldkit-cli anomaly`): JSON Lines and CSV
// through EventFileReader, the reader the panel uses, read whole and in
// slices of 3 lines, with the default options and the panel's (measures
// person/car, dimension camera_id).
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
