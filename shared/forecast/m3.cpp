#include "forecast/m3.h"

#include <chrono>
#include <cmath>
#include <unordered_map>

#include "core/csv.h"
#include "core/file.h"
#include "core/strings.h"
#include "forecast/accuracy.h"

namespace fk::forecast {

Status LoadM3(const std::string& dir, std::vector<M3Series>* out) {
  const std::string path = dir + "/m3_monthly_long.csv";
  std::unordered_map<std::string, size_t> index;
  size_t line = 0;
  std::string error;
  Status st = ForEachLine(path, [&](std::string_view l) {
    ++line;
    if (line == 1 || l.empty()) return true;
    auto cells = SplitCsvLine(l);
    double v = 0;
    if (cells.size() < 4) {
      error = path + ":" + std::to_string(line) + ": expected series_id,t,value,split";
      return false;
    }
    if (!ParseNumber(cells[2], &v)) {
      error = path + ":" + std::to_string(line) + ": field value: '" + cells[2] + "' is not a number";
      return false;
    }
    auto it = index.find(cells[0]);
    if (it == index.end()) {
      it = index.emplace(cells[0], out->size()).first;
      out->push_back(M3Series{cells[0], {}, {}, 12});
    }
    M3Series& s = (*out)[it->second];
    if (cells[3] == "train") s.train.push_back(v);
    else if (cells[3] == "test") s.test.push_back(v);
    else {
      error = path + ":" + std::to_string(line) + ": field split: '" + cells[3] + "' is neither train nor test";
      return false;
    }
    return true;
  });
  if (!st) return st;
  if (!error.empty()) return Status::Error(error);
  if (out->empty()) return Status::Error(path + ": no series");
  return Status::Ok();
}

ModelSelection SelectM3Model(const std::vector<M3Series>& series, const SelectionOptions& options,
                             const std::function<void(size_t, size_t)>& progress) {
  std::vector<std::vector<double>> histories;
  for (auto& s : series) histories.push_back(s.train);
  const int h = series.empty() ? 18 : int(series[0].test.size());
  return SelectModelOnHoldout(histories, series.empty() ? 12 : series[0].period, h, progress, options);
}

M3Result RunM3(const std::vector<M3Series>& series, ModelKind kind, const std::function<void(size_t, size_t)>& progress) {
  M3Result r;
  const auto t0 = std::chrono::steady_clock::now();
  r.forecasts.resize(series.size());
  for (size_t i = 0; i < series.size(); i++) {
    const auto& s = series[i];
    ModelSpec spec{kind, s.period, 7, 0};
    r.forecasts[i] = FitPredict(s.train, spec, int(s.test.size()), {}).mean;
    if (progress) progress(i + 1, series.size());
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double smape = 0, mase = 0;
  for (size_t i = 0; i < series.size(); i++) {
    const auto& s = series[i];
    smape += Smape(s.test, r.forecasts[i]);
    const double scale = MaseScale(s.train, s.period);
    double e = 0;
    for (size_t j = 0; j < s.test.size(); j++) e += std::fabs(s.test[j] - r.forecasts[i][j]);
    mase += scale > 0 ? e / double(s.test.size()) / scale : 0;
  }
  r.smape = smape / double(series.size());
  r.mase = mase / double(series.size());
  return r;
}

}  // namespace fk::forecast
