#include "anomaly/alerts.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "core/json_write.h"
#include "stream/time.h"

namespace fk::anomaly {

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

// ordered_json keeps the keys in the documented order, so a line reads as it
// always did; numbers as the old printf formats showed them.
std::string AlertToJson(const Alert& a) {
  nlohmann::ordered_json contributions = nlohmann::ordered_json::array();
  for (const Contribution& c : a.contributions) {
    std::string dim, val;
    if (!c.dims.empty()) dim = c.dims[0].first, val = c.dims[0].second;
    contributions.push_back({{"dimension", dim},
                             {"value", val},
                             {"series", c.dims_label},
                             {"measure", c.measure},
                             {"contribution", JsonNumberAs(c.percent, "%.1f")},
                             {"severity", JsonNumberAs(c.severity, "%.1f")},
                             {"value_observed", JsonNumberAs(c.value, "%.6g")},
                             {"value_expected", JsonNumberAs(c.expected, "%.6g")}});
  }
  const nlohmann::ordered_json j = {{"alert", a.rule},
                                    {"group_id", a.group_id},
                                    {"timestamp", stream::FormatTime(a.time)},
                                    {"score", JsonNumberAs(a.score, "%.1f")},
                                    {"impacted_measure", a.impacted_measure},
                                    {"dimension_contributions", contributions}};
  return DumpJson(j);
}

}  // namespace fk::anomaly
