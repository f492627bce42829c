// The Forecasts panel and `fieldkit-cli forecast` run one forecast::Pipeline:
// for the same files and choices they give the same backtest accuracy, the
// same future forecasts and the same cold-start forecast (mean and quantiles).
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../ui/headless_app.h"
#include "forecast/demo.h"
#include "run_verb.h"
#include "ui/app_state.h"

namespace {

// fit's CSV (item_id,timestamp,mean,p10,p50,p90) as rows of cells.
std::vector<std::vector<std::string>> CsvRows(const std::string& path) {
  std::ifstream f(path);
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(f, line);) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, ',');) cells.push_back(c);
    rows.push_back(cells);
  }
  return rows;
}

std::string G6(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

// The CSV rows of one item against a forecast, as fit prints them.
void SameRows(const std::vector<std::vector<std::string>>& rows, const std::string& item,
              const fk::forecast::Forecast& f) {
  size_t j = 0;
  for (auto& r : rows) {
    if (r.empty() || r[0] != item) continue;
    INFO(item, " step ", j);
    REQUIRE(j < f.mean.size());
    REQUIRE(r.size() == 3 + f.quantiles.size());
    CHECK(r[2] == G6(f.mean[j]));
    for (size_t q = 0; q < f.quantiles.size(); q++) CHECK(r[3 + q] == G6(f.quantiles[q][j]));
    j++;
  }
  CHECK(j == f.mean.size());
}

}  // namespace

TEST_CASE("cli/forecast: the panel's run and the CLI's give the same backtest, future and cold-start numbers") {
  HeadlessApp h(__func__);
  const std::string dir = HeadlessImGui::UserDir("forecast_equality");
  REQUIRE(fk::forecast::WriteDemo(dir, 7));
  REQUIRE(h.app.Run("forecast-demo", {{"data", dir}, {"horizon", "14"}, {"windows", "2"}}));
  h.FramesUntil([](const nlohmann::json& s) { return s["forecast"].value("state", "") == "done"; });
  const nlohmann::json panel = h.Status()["forecast"];
  REQUIRE(panel["state"] == "done");

  // The panel's defaults as flags: per product, daily sums, zero fills, end-of-life dropped, median related fills.
  const std::vector<std::string> common = {"--target", dir + "/sales.csv", "--related", dir + "/related.csv",
                                           "--dims", "product", "--freq", "D", "--eol", "drop", "--horizon", "14"};
  std::vector<std::string> bt = {"backtest"};
  bt.insert(bt.end(), common.begin(), common.end());
  for (const char* a : {"--windows", "2", "--models", "snaive,ets,theta,comb,etsx", "--json"}) bt.push_back(a);
  const auto out = fk::test::RunVerb(fk::cli::ForecastCommand, bt);
  INFO(out.error);
  REQUIRE(out.code == 0);
  const nlohmann::json cli = nlohmann::json::parse(out.out);
  REQUIRE(cli["models"].size() == panel["accuracy"].size());
  CHECK(cli["series"] == panel["series"]);
  CHECK(cli["related"] == panel["related"]);
  for (size_t i = 0; i < cli["models"].size(); i++) {
    const auto& c = cli["models"][i];
    const auto& p = panel["accuracy"][i];
    INFO(c["model"].get<std::string>());
    CHECK(c["model"] == p["model"]);
    for (const char* k : {"wql", "avg_wql", "wape", "rmse", "mape", "mase", "points"}) CHECK(c[k] == p[k]);
  }

  // The future with the panel's best model, and the cold-start item from its look-alikes.
  const auto& d = h.app.State().forecast.pipe->data();
  const std::string best = panel["best"];
  std::vector<std::string> fit = {"fit"};
  fit.insert(fit.end(), common.begin(), common.end());
  const std::vector<std::string> more = {"--model", best, "--metadata", dir + "/items.csv", "--cold-start",
                                         "throw-blanket", "--out", dir + "/f.csv", "--json"};
  fit.insert(fit.end(), more.begin(), more.end());
  const auto fo = fk::test::RunVerb(fk::cli::ForecastCommand, fit);
  INFO(fo.error);
  REQUIRE(fo.code == 0);
  CHECK(nlohmann::json::parse(fo.out)["model"] == best);
  const auto rows = CsvRows(dir + "/f.csv");
  REQUIRE(!d.future.empty());
  for (size_t i = 0; i < d.panel.series.size(); i++) SameRows(rows, d.panel.series[i].item_id, d.future[i]);
  REQUIRE(d.cold_start.size() == 1);
  CHECK(d.cold_start[0].item == "throw-blanket");
  SameRows(rows, "throw-blanket", d.cold_start[0].forecast);
}
