// Anomaly groups and the user's feedback on them, written out as JSON Lines
// (one object per line, the shape of the alert JSON: dimension contributions
// with their shares) or CSV (one row per contribution, so a spreadsheet can
// filter by series). The Anomalies panel downloads these; tests read them back.
//
//   std::string jsonl = fk::anomaly::GroupsToJsonl(model);   // every group, by severity
//   std::string csv = fk::anomaly::FeedbackToCsv(model);     // only groups judged Yes/No
#pragma once
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "anomaly/model.h"

namespace fk::anomaly {

const char* VerdictName(Verdict v);  // "", "yes", "no"

// {"group_id","timestamp","score","primary_measure","feedback","dimension_contributions":[{series,measure,
//  contribution,severity,value_observed,value_expected},..]}
nlohmann::ordered_json GroupToJson(const AnomalyGroup& g);

// Every group, highest severity first (GroupsBySeverity). Empty string when there are none.
std::string GroupsToJsonl(const AnomalyModel& m);
// group_id,timestamp,score,primary_measure,feedback,series,measure,contribution,severity,value_observed,value_expected
// (one row per contribution; header only when there are no groups).
std::string GroupsToCsv(const AnomalyModel& m);
// The same, only the groups the user judged (feedback yes or no), in time order.
std::string FeedbackToJsonl(const AnomalyModel& m);
std::string FeedbackToCsv(const AnomalyModel& m);

}  // namespace fk::anomaly
