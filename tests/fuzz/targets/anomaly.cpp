// NAB corpora (`fieldkit-cli anomaly nab --data DIR`): the labels file
// (labels/combined_windows.json) and one data file (data/fuzz/f.csv) as the
// two parts of one input, through LoadNabCorpus; the windows it builds are
// then scored like a detector's output would be. Landing folders of windowed
// records (the Anomalies panel's "Landing records", `anomaly --landing DIR`):
// listed, inspected and scored as the panel does.
#include <cmath>

#include <nlohmann/json.hpp>

#include "../fuzz_target.h"
#include "anomaly/model.h"
#include "anomaly/nab.h"
#include "core/json_write.h"
#include "stream/input.h"
#include "stream/sink.h"

namespace fk::fuzz {

Outcome AnomalyNab(const uint8_t* data, size_t size) {
  Outcome o;
  const auto parts = SplitParts(std::string_view(reinterpret_cast<const char*>(data), size), 2);
  RemoveScratch("nab");
  WriteScratchFile("nab/labels/combined_windows.json", parts[0]);
  WriteScratchFile("nab/data/fuzz/f.csv", parts[1]);
  std::vector<anomaly::NabFile> files;
  Status st = anomaly::LoadNabCorpus(ScratchDir() + "/nab", {"fuzz"}, &files);
  if (!st) {
    o.Set(st);
    return o;
  }
  std::vector<const anomaly::NabFile*> all;
  for (anomaly::NabFile& f : files) {
    o.Check(f.times.size() == f.values.size(), "times and values of different lengths");
    for (size_t k = 0; k < f.windows.size(); k++) {
      const anomaly::NabWindow& w = f.windows[k];
      o.Check(w.first <= w.second && w.second < f.times.size() && (k == 0 || f.windows[k - 1].second < w.first),
              "a window outside the file's rows, reversed, or not after the one before");
    }
    // A detector's scores in [0, 1]: the value's distance from the first one, squashed.
    for (size_t i = 0; i < f.values.size(); i++) {
      const double d = std::fabs(f.values[i] - f.values[0]);
      f.scores.push_back(std::isfinite(d) ? d / (1.0 + d) : 1.0);
    }
    all.push_back(&f);
  }
  if (!o.broken.empty()) return o;
  for (const anomaly::NabCostMatrix& cost : anomaly::NabProfiles()) {
    const anomaly::NabSweepResult best = anomaly::NabOptimizeThreshold(files, cost);
    const double score = anomaly::NabNormalized(all, cost, best.threshold);
    o.Check(!std::isnan(score), "NAB score is NaN for profile " + cost.name);
  }
  o.ok = true;
  return o;
}

}  // namespace fk::fuzz

// [SECTION] a landing folder of windowed records (the Anomalies panel's "Landing records")

namespace fk::fuzz {

// Two part files in bucket folders of a Flink-style landing folder, beside an
// in-progress part and a _SUCCESS marker the listing must skip; then what the
// panel does: each file inspected as a drop would be, all of them scored
// with the panel's default measures (person, car) through StartRecordFiles,
// in slices, and its status() written.
Outcome AnomalyLanding(const uint8_t* data, size_t size) {
  Outcome o;
  const auto parts = SplitParts(std::string_view(reinterpret_cast<const char*>(data), size), 2);
  RemoveScratch("landing");
  WriteScratchFile("landing/2021-06-05--16/part-0-0", parts[0]);
  WriteScratchFile("landing/2021-06-05--17/x/part-1-0.jsonl", parts[1]);
  WriteScratchFile("landing/2021-06-05--17/.part-1-1.inprogress", "{\"car\":");
  WriteScratchFile("landing/_SUCCESS", "");
  const std::string root = ScratchDir() + "/landing";
  auto files = stream::ListLandingFiles(root);
  if (!files) {
    o.Set(files.status());
    o.Check(false, "the landing folder does not list: " + files.status().message());
    return o;
  }
  o.Check(files->size() == 2 && (*files)[0] == root + "/2021-06-05--16/part-0-0" &&
              (*files)[1] == root + "/2021-06-05--17/x/part-1-0.jsonl",
          "ListLandingFiles gives other files than the two part files");
  for (const std::string& f : *files) {
    auto cols = stream::InspectEventFile(f);
    o.Check(cols.ok(), "a part file does not inspect: " + cols.status().message());
  }

  anomaly::AnomalyModel m;  // the panel's defaults: person and car, by camera_id
  Status st = m.StartRecordFiles(*files, "2 landing file(s)");
  if (!st) {
    o.Set(st);
    o.Check(m.state() == anomaly::ModelState::Failed && m.error() == st.message(), "a failed start is not Failed");
    return o;
  }
  int steps = 0;
  while (!m.Step(1.0)) {
    // The panel's status() is written every frame while it runs.
    if (++steps % 64 == 0) o.Check(!DumpJson(m.StatusJson()).empty(), "status JSON is empty");
  }
  const std::string status = DumpJson(m.StatusJson());
  o.Check(nlohmann::json::accept(status), "status JSON does not read back");
  o.Check((m.state() == anomaly::ModelState::Failed) == !m.error().empty(), "Failed without an error, or an error without Failed");
  if (m.state() == anomaly::ModelState::Failed) {
    o.message = m.error();
    return o;
  }
  o.Check(m.state() == anomaly::ModelState::Done, std::string("ended ") + anomaly::ModelStateName(m.state()));
  o.Check(m.counts().events == m.ingest().events, "scored another number of values than were read");
  for (const anomaly::Series& s : m.series()) {
    o.Check(s.measure == "person" || s.measure == "car", "a series of measure '" + s.measure + "' that was not asked for");
    o.Check(s.points.size() <= m.counts().windows, "a series with more points than intervals");
    for (size_t i = 1; i < s.points.size(); i++)
      o.Check(s.points[i - 1].time < s.points[i].time, "a series' points out of time order, or two at one time");
    if (!o.broken.empty()) break;
  }
  for (const anomaly::AnomalyGroup& g : m.groups())
    o.Check(g.score >= 0 && g.score <= 100 && !g.contributions.empty(), "a group with a score outside 0..100 or no series");
  o.ok = m.ingest().bad_lines == 0;
  if (!o.ok) o.message = m.ingest().messages.empty() ? m.ingest().Summary() : m.ingest().messages.front();
  return o;
}

}  // namespace fk::fuzz
