// NAB corpora (`fieldkit-cli anomaly nab --data DIR`): the labels file
// (labels/combined_windows.json) and one data file (data/fuzz/f.csv) as the
// two parts of one input, through LoadNabCorpus; the windows it builds are
// then scored like a detector's output would be.
#include <cmath>

#include "../fuzz_target.h"
#include "anomaly/nab.h"

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
