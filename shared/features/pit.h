// Point-in-time join (Feast semantics): for each entity row (id, timestamp),
// the feature values of the latest record with event time <= timestamp, so a
// training row never sees a value from its own future. A delete marker or an
// expired TTL at that moment gives nulls.
//
//   std::vector<EntityRow> rows = {{"7", 1700000000.0}};
//   auto t = PointInTimeJoin(store, rows, {"users", "items"});   // columns "users__age", ...
//   auto csv = PointInTimeJoinCsv(store, entities_csv, "user_id", "ts", {"users"});
#pragma once
#include <string>
#include <vector>

#include "core/status.h"
#include "features/store.h"

namespace fk::features {

struct EntityRow {
  std::string id;
  double timestamp = 0;  // Unix s
};

struct PitOptions {
  std::vector<std::string> features;  // "group__feature" or "feature"; empty = every feature but id/event time
};

struct PitTable {
  std::vector<std::string> columns;             // "<group>__<feature>" per selected feature
  std::vector<std::vector<std::string>> rows;   // one per entity row; "" = null
  uint64_t matched = 0;                         // (row, group) pairs that found a record
};

Result<PitTable> PointInTimeJoin(FeatureStore& store, const std::vector<EntityRow>& entities,
                                 const std::vector<std::string>& groups, const PitOptions& opt = {});

// CSV in (any columns, id and timestamp among them; timestamps as Unix s or
// ISO-8601), CSV out: the entity columns followed by the joined features.
Result<std::string> PointInTimeJoinCsv(FeatureStore& store, const std::string& entity_csv, const std::string& origin,
                                       const std::string& id_col, const std::string& time_col,
                                       const std::vector<std::string>& groups, const PitOptions& opt = {},
                                       uint64_t* rows_out = nullptr);

}  // namespace fk::features
