// Events and the schema that interns their names: an event is one measure
// observation (a camera saw car #17) at an event time, with an optional set of
// dimension values (camera_id=cam1). Names are interned to small integer ids so
// the window hot loop only touches integers.
//
//   fk::stream::Schema schema;
//   fk::stream::Event e{t, schema.Measure("car"), schema.Dims({{"camera_id", "cam1"}}), 17.0};
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "stream/time.h"

namespace fk::stream {

struct Event {
  TimeS time = 0;         // event time, UNIX seconds
  uint32_t measure = 0;   // Schema::Measure id
  uint32_t dims = 0;      // Schema::Dims id; 0 = no dimensions
  double value = 1.0;     // the field's numeric value (an id for {"car": 17})
};

using DimValues = std::vector<std::pair<std::string, std::string>>;  // (field, value), sorted by field

class Schema {
 public:
  Schema();
  uint32_t Measure(std::string_view name);  // interns
  int FindMeasure(std::string_view name) const;  // -1 if unknown
  uint32_t Dims(DimValues values);  // interns; sorts by field; empty -> 0
  const std::string& MeasureName(uint32_t id) const { return measures_[id]; }
  const std::string& DimsLabel(uint32_t id) const { return dims_labels_[id]; }  // "camera_id=cam1,locality=x"
  const DimValues& DimsValues(uint32_t id) const { return dims_[id]; }
  size_t MeasureCount() const { return measures_.size(); }
  size_t DimsCount() const { return dims_.size(); }

 private:
  std::vector<std::string> measures_;
  std::unordered_map<std::string, uint32_t> measure_ids_;
  std::vector<DimValues> dims_;
  std::vector<std::string> dims_labels_;
  std::unordered_map<std::string, uint32_t> dims_ids_;
};

// Per-source input bookkeeping shared by every reader: how many lines were
// read, how many were rejected and why (the first few messages, each
// "file:line: reason"), so bad input is reported, never silently skipped.
struct IngestReport {
  std::string source;            // file name used in messages
  size_t lines = 0;              // non-empty lines seen (header excluded)
  size_t records = 0;            // lines that produced at least one event/row
  size_t events = 0;             // events produced
  size_t bad_lines = 0;          // lines rejected (or partly rejected)
  size_t max_messages = 5;
  std::vector<std::string> messages;  // first max_messages errors

  void AddError(size_t line, const std::string& reason);
  std::string Summary() const;  // "file: 12 lines, 2 bad (file:3: ...; ...)"
};

}  // namespace fk::stream
