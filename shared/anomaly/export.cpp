#include "anomaly/export.h"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/json_write.h"
#include "stream/time.h"

namespace fk::anomaly {

const char* VerdictName(Verdict v) { return v == Verdict::Yes ? "yes" : v == Verdict::No ? "no" : ""; }

nlohmann::ordered_json GroupToJson(const AnomalyGroup& g) {
  nlohmann::ordered_json cs = nlohmann::ordered_json::array();
  for (const Contribution& c : g.contributions)
    cs.push_back({{"series", c.dims_label},
                  {"measure", c.measure},
                  {"contribution", JsonNumberAs(c.percent, "%.1f")},
                  {"severity", JsonNumberAs(c.severity, "%.1f")},
                  {"value_observed", JsonNumberAs(c.value, "%.6g")},
                  {"value_expected", JsonNumberAs(c.expected, "%.6g")}});
  return {{"group_id", g.id},
          {"timestamp", stream::FormatTime(g.time)},
          {"score", JsonNumberAs(g.score, "%.1f")},
          {"primary_measure", g.primary_measure},
          {"feedback", VerdictName(g.verdict)},
          {"dimension_contributions", cs}};
}

namespace {

// RFC 4180: a cell with a comma, quote or line break is quoted, quotes doubled.
std::string CsvCell(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

const char* const kCsvHeader =
    "group_id,timestamp,score,primary_measure,feedback,series,measure,contribution,severity,value_observed,"
    "value_expected\n";

std::string Jsonl(const std::vector<const AnomalyGroup*>& groups) {
  std::string out;
  for (const AnomalyGroup* g : groups) out += DumpJson(GroupToJson(*g)) + "\n";
  return out;
}

std::string Csv(const std::vector<const AnomalyGroup*>& groups) {
  std::string out = kCsvHeader;
  char num[160];
  for (const AnomalyGroup* g : groups) {
    const std::string head = std::to_string(g->id) + "," + stream::FormatTime(g->time) + ",";
    std::snprintf(num, sizeof num, "%.1f", double(g->score));
    const std::string group_cells = head + num + "," + CsvCell(g->primary_measure) + "," + VerdictName(g->verdict);
    for (const Contribution& c : g->contributions) {
      std::snprintf(num, sizeof num, ",%.1f,%.1f,%.6g,%.6g\n", double(c.percent), double(c.severity), c.value,
                    c.expected);
      out += group_cells + "," + CsvCell(c.dims_label) + "," + CsvCell(c.measure) + num;
    }
  }
  return out;
}

std::vector<const AnomalyGroup*> Judged(const AnomalyModel& m) {
  std::vector<const AnomalyGroup*> out;
  for (const AnomalyGroup& g : m.groups())
    if (g.verdict != Verdict::None) out.push_back(&g);
  std::stable_sort(out.begin(), out.end(), [](const AnomalyGroup* a, const AnomalyGroup* b) { return a->time < b->time; });
  return out;
}

}  // namespace

std::string GroupsToJsonl(const AnomalyModel& m) { return Jsonl(m.GroupsBySeverity()); }
std::string GroupsToCsv(const AnomalyModel& m) { return Csv(m.GroupsBySeverity()); }
std::string FeedbackToJsonl(const AnomalyModel& m) { return Jsonl(Judged(m)); }
std::string FeedbackToCsv(const AnomalyModel& m) { return Csv(Judged(m)); }

}  // namespace fk::anomaly
