#include "stream/event.h"

#include <algorithm>

namespace fk::stream {

Schema::Schema() {
  dims_.emplace_back();
  dims_labels_.emplace_back();
  dims_ids_[""] = 0;
}

uint32_t Schema::Measure(std::string_view name) {
  auto it = measure_ids_.find(std::string(name));
  if (it != measure_ids_.end()) return it->second;
  const uint32_t id = uint32_t(measures_.size());
  measures_.emplace_back(name);
  measure_ids_.emplace(std::string(name), id);
  return id;
}

int Schema::FindMeasure(std::string_view name) const {
  auto it = measure_ids_.find(std::string(name));
  return it == measure_ids_.end() ? -1 : int(it->second);
}

uint32_t Schema::Dims(DimValues values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  std::string label;
  for (auto& [k, v] : values) {
    if (!label.empty()) label += ',';
    label += k + "=" + v;
  }
  auto it = dims_ids_.find(label);
  if (it != dims_ids_.end()) return it->second;
  const uint32_t id = uint32_t(dims_.size());
  dims_.push_back(std::move(values));
  dims_labels_.push_back(label);
  dims_ids_.emplace(std::move(label), id);
  return id;
}

void IngestReport::AddError(size_t line, const std::string& reason) {
  bad_lines++;
  if (messages.size() < max_messages) messages.push_back(source + ":" + std::to_string(line) + ": " + reason);
}

std::string IngestReport::Summary() const {
  std::string s = source + ": " + std::to_string(lines) + " lines, " + std::to_string(events) + " events, " +
                  std::to_string(bad_lines) + " bad";
  if (!messages.empty()) {
    s += " (";
    for (size_t i = 0; i < messages.size(); i++) s += (i ? "; " : "") + messages[i];
    if (bad_lines > messages.size()) s += "; ...";
    s += ")";
  }
  return s;
}

}  // namespace fk::stream
