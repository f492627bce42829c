// The M3 monthly competition files (../shared/data/m3-monthly): series split
// into train and the 18-point test, plus the whole-set run the CLI reports.
//
//   std::vector<fk::forecast::M3Series> s;
//   fk::Status st = fk::forecast::LoadM3(dir, &s);
//   fk::forecast::M3Result r = fk::forecast::RunM3(s, fk::forecast::ModelKind::Theta);
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "forecast/accuracy.h"
#include "forecast/models.h"

namespace fk::forecast {

struct M3Series {
  std::string id;
  std::vector<double> train, test;
  int period = 12;
};
// Reads DIR/m3_monthly_long.csv (series_id,t,value,split), in file order.
Status LoadM3(const std::string& dir, std::vector<M3Series>* out);

struct M3Result {
  double smape = 0, mase = 0, seconds = 0;
  std::vector<std::vector<double>> forecasts;  // per series, h points
};
// Fits every series on train only and scores on test; progress(i, n) per series.
M3Result RunM3(const std::vector<M3Series>& series, ModelKind kind,
               const std::function<void(size_t, size_t)>& progress = {});

// `--model best`: one model for every series, chosen by SelectModelOnHoldout on
// the train parts alone (holdout = the test length, 18); the test parts are
// never read, so changing them cannot change the choice.
ModelSelection SelectM3Model(const std::vector<M3Series>& series, const SelectionOptions& options = {},
                             const std::function<void(size_t, size_t)>& progress = {});

}  // namespace fk::forecast
