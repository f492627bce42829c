// forecast::Pipeline, the one forecasting run behind the Forecasts panel and
// `fieldkit-cli forecast`: results do not depend on the slice budget, a run
// can start from what an earlier one loaded or prepared, and bad or missing
// files are errors that name them.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "forecast/demo.h"
#include "forecast/pipeline.h"

namespace fs = std::filesystem;
using namespace fk::forecast;

namespace {

std::string DemoDir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("fk_pipeline_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  REQUIRE(WriteDemo(dir.string(), 7));
  return dir.string();
}

PipelineOptions DemoOptions(const std::string& dir) {
  PipelineOptions o;
  o.target_path = dir + "/sales.csv";
  o.related_path = dir + "/related.csv";
  o.metadata_path = dir + "/items.csv";
  o.aggregate.keep_all_dims = false;
  o.aggregate.dims = {"product"};
  o.fills.eol = EolAction::Drop;
  o.horizon = 14;
  o.backtest_options.windows = 2;
  o.backtest_options.models = {ModelKind::SeasonalNaive, ModelKind::Theta, ModelKind::EtsX};
  return o;
}

void SameForecast(const Forecast& a, const Forecast& b) {
  REQUIRE(a.mean.size() == b.mean.size());
  for (size_t j = 0; j < a.mean.size(); j++) CHECK(a.mean[j] == b.mean[j]);
  REQUIRE(a.quantiles.size() == b.quantiles.size());
  for (size_t q = 0; q < a.quantiles.size(); q++)
    for (size_t j = 0; j < a.quantiles[q].size(); j++) CHECK(a.quantiles[q][j] == b.quantiles[q][j]);
}

void SameResults(const PipelineData& a, const PipelineData& b) {
  REQUIRE(a.backtest);
  REQUIRE(b.backtest);
  const auto& ra = a.backtest->results();
  const auto& rb = b.backtest->results();
  REQUIRE(ra.size() == rb.size());
  for (size_t i = 0; i < ra.size(); i++) {
    CHECK(ra[i].model == rb[i].model);
    CHECK(ra[i].overall.avg_wql == rb[i].overall.avg_wql);
    CHECK(ra[i].overall.wape == rb[i].overall.wape);
    CHECK(ra[i].overall.mase == rb[i].overall.mase);
  }
  CHECK(a.future_kind == b.future_kind);
  REQUIRE(a.future.size() == b.future.size());
  for (size_t i = 0; i < a.future.size(); i++) SameForecast(a.future[i], b.future[i]);
  REQUIRE(a.cold_start.size() == b.cold_start.size());
  for (size_t i = 0; i < a.cold_start.size(); i++) {
    CHECK(a.cold_start[i].item == b.cold_start[i].item);
    SameForecast(a.cold_start[i].forecast, b.cold_start[i].forecast);
  }
}

}  // namespace

TEST_CASE("forecast/pipeline: the whole run in the smallest slices gives the numbers of one big step") {
  const std::string dir = DemoDir("slices");
  Pipeline whole(DemoOptions(dir));
  whole.RunToEnd();
  REQUIRE_MESSAGE(!whole.failed(), whole.error());
  Pipeline sliced(DemoOptions(dir));
  int steps = 0;
  float last = 0;
  bool monotonic = true;
  while (!sliced.Step(0.0)) {
    steps++;
    monotonic &= sliced.Progress() >= last;
    last = sliced.Progress();
  }
  REQUIRE_MESSAGE(!sliced.failed(), sliced.error());
  CHECK(steps > 50);  // loading, aggregating, every ETS candidate: each a slice of its own
  CHECK(monotonic);
  CHECK(sliced.Progress() == 1.f);
  SameResults(whole.data(), sliced.data());

  const PipelineData& d = whole.data();
  CHECK(d.panel.series.size() == 4);  // per product; the end-of-life lamp dropped
  CHECK(d.related_x.size() == 4);
  CHECK(d.levels.empty());            // none asked for
  CHECK(d.future.size() == 4);
  for (auto& f : d.future) CHECK(f.mean.size() == 14);
  // The demo's product without history, forecast from its look-alikes: mean and quantiles.
  REQUIRE(d.cold_start.size() == 1);
  CHECK(d.cold_start[0].item == "throw-blanket");
  CHECK(!d.cold_start[0].similar.empty());
  CHECK(d.cold_start[0].forecast.quantiles.size() == 3);
  const auto j = whole.StatusJson();
  CHECK(j["stage"] == "done");
  CHECK(j["accuracy"].size() == 3);
  CHECK(j["cold_start"][0]["item"] == "throw-blanket");
}

TEST_CASE("forecast/pipeline: a run from kept data skips loading (and preparing) with the same results") {
  const std::string dir = DemoDir("kept");
  Pipeline full(DemoOptions(dir));
  full.RunToEnd();
  REQUIRE(!full.failed());

  PipelineOptions load = DemoOptions(dir);
  load.last = PipelineStage::Load;
  Pipeline loader(load);
  loader.RunToEnd();
  REQUIRE(!loader.failed());
  CHECK(loader.data().in.target.has_value());
  CHECK_FALSE(loader.data().prepared);
  Pipeline rest(DemoOptions(dir), loader.TakeData(false));
  CHECK(rest.stage() == PipelineStage::Prepare);
  rest.RunToEnd();
  REQUIRE_MESSAGE(!rest.failed(), rest.error());
  SameResults(full.data(), rest.data());

  Pipeline again(DemoOptions(dir), rest.TakeData(true));
  CHECK(again.stage() == PipelineStage::Backtest);
  again.RunToEnd();
  REQUIRE(!again.failed());
  SameResults(full.data(), again.data());
}

TEST_CASE("forecast/pipeline: missing and bad files are named; optional ones are left out unless strict") {
  const std::string dir = DemoDir("bad");
  PipelineOptions o = DemoOptions(dir);
  o.target_path = dir + "/nope.csv";
  Pipeline missing(o);
  missing.RunToEnd();
  REQUIRE(missing.failed());
  CHECK(missing.error().find(dir + "/nope.csv") != std::string::npos);

  o = DemoOptions(dir);
  o.related_path = dir + "/no_related.csv";
  o.backtest_options.models = {ModelKind::Theta};
  o.last = PipelineStage::Prepare;
  Pipeline lenient(o);
  lenient.RunToEnd();
  REQUIRE_MESSAGE(!lenient.failed(), lenient.error());
  CHECK(lenient.data().in.related_error.find("no_related.csv") != std::string::npos);
  CHECK(lenient.data().related_x.empty());
  o.strict_inputs = true;
  Pipeline strict(o);
  strict.RunToEnd();
  REQUIRE(strict.failed());
  CHECK(strict.error().find("no_related.csv") != std::string::npos);

  // etsx without related series cannot be backtested.
  o = DemoOptions(dir);
  o.related_path.clear();
  Pipeline etsx(o);
  etsx.RunToEnd();
  REQUIRE(etsx.failed());
  CHECK(etsx.error().find("etsx needs related series") != std::string::npos);

  // A listed cold-start item that shares no field with any item.
  {
    std::ofstream f(dir + "/items.csv", std::ios::app);
    f << "odd-one,furniture,transparent,XXL\n";
  }
  o = DemoOptions(dir);
  o.backtest = false;
  o.future = FutureModel::Fixed;
  o.future_model = ModelKind::Theta;
  o.cold_start_items = {"odd-one"};
  Pipeline cold(o);
  cold.RunToEnd();
  REQUIRE(cold.failed());
  CHECK(cold.error().find("cold start odd-one") != std::string::npos);

  // Option checks come first, before any file is read.
  o = DemoOptions(dir);
  o.horizon = 0;
  Pipeline zero(o);
  CHECK(zero.failed());
  CHECK(zero.error().find("horizon 0") != std::string::npos);
  o = DemoOptions(dir);
  o.backtest = false;  // the default future model is the backtest's best
  Pipeline nobest(o);
  CHECK(nobest.failed());
}

TEST_CASE("forecast/pipeline: a nan fill is carried forward into the fit") {
  PanelSeries s;
  s.values = {NAN, NAN, 3, NAN, 5, NAN, NAN};
  const auto y = FitInput(s);
  REQUIRE(y.size() == 5);
  CHECK(y[0] == 3);
  CHECK(y[1] == 3);
  CHECK(y[2] == 5);
  CHECK(y[4] == 5);
}
