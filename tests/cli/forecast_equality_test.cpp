// The Forecasts panel and `fieldkit-cli forecast` run one forecast::Pipeline:
// for the same files and choices they give the same backtest accuracy, the
// same future forecasts and the same cold-start forecast (mean and quantiles).
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../ui/headless_app.h"
#include "forecast/demo.h"
#include "run_verb.h"
#include "ui/app_state.h"
#include "ui/panels.h"

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

// Every file under dir: its path relative to dir -> its bytes.
std::map<std::string, std::string> Tree(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream f(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    files[std::filesystem::relative(e.path(), dir).string()] = ss.str();
  }
  return files;
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

TEST_CASE("cli/forecast: the panel's partitioned export writes the files `forecast fit --partitions` writes") {
  HeadlessApp h(__func__);
  const std::string dir = HeadlessImGui::UserDir("forecast_partitions_equality");
  REQUIRE(fk::forecast::WriteDemo(dir, 7));
  REQUIRE(h.app.Run("forecast-demo", {{"data", dir}, {"horizon", "14"}, {"windows", "2"}}));
  h.FramesUntil([](const nlohmann::json& s) { return s["forecast"].value("state", "") == "done"; });
  const nlohmann::json panel = h.Status()["forecast"];
  REQUIRE(panel["state"] == "done");
  const std::string best = panel["best"];
  auto& st = h.app.State().forecast;
  REQUIRE(st.pipe->data().cold_start.size() == 1);  // the demo's cold-start item is in both exports
  const std::string exported = h.platform.user_dir + "/forecast_partitions";
  struct Layout {
    int panel_format;
    const char* format;
    bool by_item;
  };
  for (const Layout& l : {Layout{1, "parquet", false}, Layout{2, "jsonl", true}, Layout{1, "parquet", true}}) {
    const std::string layout = std::string(l.format) + (l.by_item ? " by item" : " by time");
    INFO(layout);
    st.export_format = l.panel_format;
    st.export_by_item = l.by_item;
    fk::ui::ExportForecasts(h.app.State());
    const auto ours = Tree(exported);
    const std::string cli_dir = dir + "/cli_" + l.format + (l.by_item ? "_item" : "_time");
    const std::vector<std::string> fit = {"fit", "--target", dir + "/sales.csv", "--related", dir + "/related.csv",
                                          "--dims", "product", "--freq", "D", "--eol", "drop", "--horizon", "14",
                                          "--model", best, "--metadata", dir + "/items.csv", "--cold-start",
                                          "throw-blanket", "--partitions", cli_dir, "--partition-format", l.format,
                                          "--partition-by", l.by_item ? "item" : "time", "--json"};
    const auto fo = fk::test::RunVerb(fk::cli::ForecastCommand, fit);
    INFO(fo.error);
    REQUIRE(fo.code == 0);
    const auto theirs = Tree(cli_dir);
    CHECK(nlohmann::json::parse(fo.out)["partition_files"] == theirs.size());
    REQUIRE(ours.size() == theirs.size());
    REQUIRE(ours.size() >= 14);  // a folder per hour of the horizon at least
    for (auto& kv : theirs) {
      INFO(kv.first);
      auto it = ours.find(kv.first);
      REQUIRE(it != ours.end());
      CHECK(it->second == kv.second);
      CHECK(kv.first.find(l.by_item ? "item_id=" : "year=") == 0);
    }
    CHECK(st.message.find(std::to_string(ours.size()) + " ") != std::string::npos);
  }
  // Back to CSV: the one file, as before.
  st.export_format = 0;
  fk::ui::ExportForecasts(h.app.State());
  CHECK(std::filesystem::exists(h.platform.user_dir + "/forecasts.csv"));
}
