// Point-in-time join over each group's history from the log.
#include "features/pit.h"

#include <algorithm>

namespace fk::features {

Result<PitTable> PointInTimeJoin(FeatureStore& store, const std::vector<EntityRow>& entities,
                                 const std::vector<std::string>& groups, const PitOptions& opt) {
  PitTable t;
  t.rows.assign(entities.size(), {});
  for (auto& gname : groups) {
    auto def = store.DescribeGroup(gname);
    if (!def) return def.status();
    const FeatureGroup& g = *def;
    std::vector<size_t> pick;
    for (size_t k = 0; k < g.features.size(); k++) {
      const std::string& f = g.features[k].name;
      bool want;
      if (opt.features.empty()) want = f != g.record_id && f != g.event_time;
      else
        want = std::find(opt.features.begin(), opt.features.end(), gname + "__" + f) != opt.features.end() ||
               std::find(opt.features.begin(), opt.features.end(), f) != opt.features.end();
      if (want) {
        pick.push_back(k);
        t.columns.push_back(gname + "__" + f);
      }
    }
    auto hist = store.History(gname);
    if (!hist) return hist.status();
    WalRecord r;
    for (size_t i = 0; i < entities.size(); i++) {
      auto& row = t.rows[i];
      const size_t base = row.size();
      row.resize(base + pick.size());
      auto it = hist->find(entities[i].id);
      if (it == hist->end()) continue;
      const auto& v = it->second;
      // Last entry with event_time <= timestamp: equal times are known at that
      // moment (Feast includes them); anything later would leak the future.
      auto up = std::upper_bound(v.begin(), v.end(), entities[i].timestamp,
                                 [](double ts, const HistoryEntry& h) { return ts < h.event_time; });
      if (up == v.begin()) continue;
      const HistoryEntry& h = *(up - 1);
      if (h.deleted || !DecodeWalPayload(h.payload, &r)) continue;
      const double ttl = r.ttl_seconds > 0 ? r.ttl_seconds : g.ttl_seconds;
      if (ttl > 0 && entities[i].timestamp >= h.event_time + ttl) continue;  // expired by then
      for (size_t j = 0; j < pick.size(); j++) row[base + j].assign(r.values[pick[j]]);
      t.matched++;
    }
  }
  return t;
}

Result<std::string> PointInTimeJoinCsv(FeatureStore& store, const std::string& text, const std::string& origin,
                                       const std::string& id_col, const std::string& time_col,
                                       const std::vector<std::string>& groups, const PitOptions& opt,
                                       uint64_t* rows_out) {
  std::vector<std::string> lines;
  for (size_t p = 0; p < text.size();) {
    size_t e = text.find('\n', p);
    if (e == std::string::npos) e = text.size();
    std::string l = text.substr(p, e - p);
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (!l.empty()) lines.push_back(l);
    p = e + 1;
  }
  if (lines.empty()) return Status::Error(origin + ": empty file (no header)");
  CsvSplitter sp;
  std::string why;
  if (!sp.Split(lines[0], &why)) return Status::Error(origin + ":1: " + why);
  const std::vector<std::string> head(sp.Cells().begin(), sp.Cells().end());
  const auto id_it = std::find(head.begin(), head.end(), id_col);
  const auto ts_it = std::find(head.begin(), head.end(), time_col);
  if (id_it == head.end()) return Status::Error(origin + ":1: no column '" + id_col + "'");
  if (ts_it == head.end()) return Status::Error(origin + ":1: no column '" + time_col + "'");
  const size_t id_k = size_t(id_it - head.begin()), ts_k = size_t(ts_it - head.begin());
  std::vector<EntityRow> ents;
  for (size_t i = 1; i < lines.size(); i++) {
    const std::string at = origin + ":" + std::to_string(i + 1) + ": ";
    if (!sp.Split(lines[i], &why)) return Status::Error(at + why);
    if (sp.Cells().size() != head.size()) return Status::Error(at + "column count differs from the header");
    EntityRow e;
    e.id.assign(sp.Cells()[id_k]);
    const std::string_view ts = sp.Cells()[ts_k];
    if (!ParseFractional(ts, &e.timestamp) && !ParseIso8601(ts, &e.timestamp))
      return Status::Error(at + time_col + ": '" + std::string(ts) + "' is neither Unix seconds nor ISO-8601");
    ents.push_back(std::move(e));
  }
  auto t = PointInTimeJoin(store, ents, groups, opt);
  if (!t) return t.status();
  std::string out = lines[0];
  for (auto& c : t->columns) {
    out += ',';
    AppendCsvCell(&out, c);
  }
  out += '\n';
  for (size_t i = 1; i < lines.size(); i++) {
    out += lines[i];
    for (auto& v : t->rows[i - 1]) {
      out += ',';
      AppendCsvCell(&out, v);
    }
    out += '\n';
  }
  if (rows_out) *rows_out = ents.size();
  return out;
}

}  // namespace fk::features
