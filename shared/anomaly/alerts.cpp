#include "anomaly/alerts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "stream/time.h"

namespace fk::anomaly {

std::string JsonEscape(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\', o += c;
    else if (c == '\n') o += "\\n";
    else if (static_cast<unsigned char>(c) < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", unsigned(c));
      o += b;
    } else {
      o += c;
    }
  }
  return o + "\"";
}

static void Normalise(std::vector<Contribution>* cs) {
  double total = 0;
  for (auto& c : *cs) total += c.severity;
  for (auto& c : *cs) c.percent = total > 0 ? float(100.0 * c.severity / total) : float(100.0 / double(cs->size()));
  std::stable_sort(cs->begin(), cs->end(), [](const Contribution& a, const Contribution& b) { return a.percent > b.percent; });
}

void FinishGroup(AnomalyGroup* g) {
  Normalise(&g->contributions);
  g->score = 0;
  std::map<std::string, double> by_measure;
  for (auto& c : g->contributions) {
    g->score = std::max(g->score, c.severity);
    by_measure[c.measure] += c.severity;
  }
  double best = -1;
  for (auto& [m, s] : by_measure)
    if (s > best) best = s, g->primary_measure = m;
}

static bool DimensionMatches(const std::string& filter, const Contribution& c) {
  if (filter.empty()) return true;
  if (filter.find('=') != std::string::npos) {
    const std::string k = filter.substr(0, filter.find('=')), v = filter.substr(filter.find('=') + 1);
    for (auto& [dk, dv] : c.dims)
      if (dk == k && dv == v) return true;
    return false;
  }
  for (auto& [dk, dv] : c.dims)
    if (dv == filter) return true;
  return false;
}

std::optional<Alert> EvaluateRule(const AlertRule& rule, const AnomalyGroup& group) {
  Alert a;
  a.rule = rule.name;
  a.group_id = group.id;
  a.time = group.time;
  for (auto& c : group.contributions) {
    if (!rule.measure.empty() && c.measure != rule.measure) continue;
    if (!DimensionMatches(rule.dimension, c)) continue;
    if (c.severity < rule.threshold) continue;
    a.contributions.push_back(c);
    if (c.severity > a.score) a.score = c.severity, a.impacted_measure = c.measure;
  }
  if (a.contributions.empty()) return std::nullopt;
  Normalise(&a.contributions);
  return a;
}

std::string AlertToJson(const Alert& a) {
  char buf[256];
  std::string s = "{\"alert\":" + JsonEscape(a.rule);
  std::snprintf(buf, sizeof buf, ",\"group_id\":%llu,\"timestamp\":\"%s\",\"score\":%.1f,\"impacted_measure\":",
                static_cast<unsigned long long>(a.group_id), stream::FormatTime(a.time).c_str(), double(a.score));
  s += buf + JsonEscape(a.impacted_measure) + ",\"dimension_contributions\":[";
  for (size_t i = 0; i < a.contributions.size(); i++) {
    const Contribution& c = a.contributions[i];
    if (i) s += ',';
    std::string dim = "", val = "";
    if (!c.dims.empty()) dim = c.dims[0].first, val = c.dims[0].second;
    s += "{\"dimension\":" + JsonEscape(dim) + ",\"value\":" + JsonEscape(val) + ",\"series\":" +
         JsonEscape(c.dims_label) + ",\"measure\":" + JsonEscape(c.measure);
    std::snprintf(buf, sizeof buf, ",\"contribution\":%.1f,\"severity\":%.1f,\"value_observed\":%.6g,\"value_expected\":%.6g}",
                  double(c.percent), double(c.severity), c.value, c.expected);
    s += buf;
  }
  return s + "]}";
}

}  // namespace fk::anomaly
