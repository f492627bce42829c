// Anomaly groups and alerts: what the pipeline reports. A group collects the
// anomalous points of one interval across measures and dimension values, with
// a group score, its primary measure and each series' contribution %. Alert
// rules (severity threshold + optional measure/dimension filter) turn groups
// into alerts, which go to an in-app log, a JSON Lines file and an optional
// callback (the native CLI runs a command there; the core never spawns processes).
//
//   fk::anomaly::AlertRule rule{"cars", 70, "car", "camera_id=cam1"};
//   std::optional<fk::anomaly::Alert> a = fk::anomaly::EvaluateRule(rule, group);
//   if (a) std::puts(fk::anomaly::AlertToJson(*a).c_str());
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stream/event.h"

namespace fk::anomaly {

enum class Verdict { None, Yes, No };  // human feedback on a group

struct Contribution {
  std::string measure;
  std::string dims_label;           // "camera_id=cam1" ("" = no dimensions)
  stream::DimValues dims;
  double value = 0, expected = 0;   // the series' point at this interval
  float severity = 0;
  float percent = 0;                // share of the group, sums to 100 over a group
};

struct AnomalyGroup {
  uint64_t id = 0;
  stream::TimeS time = 0;           // interval end
  float score = 0;                  // max severity in the group (0-100)
  std::string primary_measure;      // measure with the largest summed severity
  std::vector<Contribution> contributions;  // sorted by percent, descending
  Verdict verdict = Verdict::None;
};

// Fills percent (each series' share of the group's summed severity: how much
// of the evidence it carries), sorts by it, sets score and primary_measure.
void FinishGroup(AnomalyGroup* g);

struct AlertRule {
  std::string name = "default";
  float threshold = 70;       // minimum severity (0-100)
  std::string measure;        // "" = any measure
  std::string dimension;      // "" = any; "cam1" (any field) or "camera_id=cam1"
};

struct Alert {
  std::string rule;
  uint64_t group_id = 0;
  stream::TimeS time = 0;
  float score = 0;                         // max severity among matching series
  std::string impacted_measure;
  std::vector<Contribution> contributions; // the matching series, percents re-normalised
};

// The alert a rule makes of a group, if any series passes its filters with
// severity >= threshold.
std::optional<Alert> EvaluateRule(const AlertRule& rule, const AnomalyGroup& group);

// {"alert":"cars","group_id":3,"timestamp":"2021-06-04T03:15:00","score":91.2,
//  "impacted_measure":"car","dimension_contributions":[{"dimension":"camera_id",
//  "value":"cam1","measure":"car","contribution":100.0,"value_observed":87,"value_expected":1.2}]}
std::string AlertToJson(const Alert& a);

}  // namespace fk::anomaly
