#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <vector>

#include "core/rng.h"
#include "forecast/accuracy.h"
#include "forecast/m3.h"
#include "forecast/models.h"

using namespace fk::forecast;

namespace {
// Monthly series: level 100, trend, multiplicative seasonality, noise.
std::vector<double> Seasonal(size_t n, double noise, uint64_t seed) {
  fk::Rng rng(seed);
  std::vector<double> y(n);
  for (size_t t = 0; t < n; t++)
    y[t] = (100 + 0.8 * double(t)) * (1 + 0.3 * std::sin(2 * M_PI * double(t) / 12)) * (1 + noise * rng.Normal());
  return y;
}
}  // namespace

TEST_CASE("forecast/models: normal quantiles and the seasonality test") {
  CHECK(NormalQuantile(0.5) == doctest::Approx(0.0));
  CHECK(NormalQuantile(0.9) == doctest::Approx(1.2815516).epsilon(1e-6));
  CHECK(NormalQuantile(0.01) == doctest::Approx(-2.3263479).epsilon(1e-6));
  CHECK(SeasonalityTest(Seasonal(96, 0.02, 1), 12));
  std::vector<double> flat(96);
  fk::Rng rng(3);
  for (auto& v : flat) v = 50 + rng.Normal();
  CHECK_FALSE(SeasonalityTest(flat, 12));
  const auto idx = MultiplicativeSeasonalIndex(Seasonal(96, 0.0, 1), 12);
  double mean = 0;
  for (double v : idx) mean += v / 12;
  CHECK(mean == doctest::Approx(1.0));
  CHECK(idx[3] > 1.2);  // sin peaks at t = 3 (mod 12)
}

TEST_CASE("forecast/models: seasonal naive repeats the last season; short series fall back") {
  std::vector<double> y;
  for (int t = 0; t < 30; t++) y.push_back(t % 12);
  const Forecast f = FitPredict(y, ModelSpec{ModelKind::SeasonalNaive, 12}, 14, {0.1, 0.5, 0.9});
  CHECK(f.mean[0] == 6);   // y[30 - 12]
  CHECK(f.mean[13] == 7);
  CHECK(f.quantiles[1][0] == doctest::Approx(f.mean[0]));
  const Forecast one = FitPredict({5.0}, ModelSpec{ModelKind::Ets, 12}, 3, {0.5});
  CHECK(one.mean == std::vector<double>{5, 5, 5});
  CHECK(one.message.find("only 1 point") == 0);
  const Forecast none = FitPredict({}, ModelSpec{ModelKind::Theta, 12}, 2, {0.5});
  CHECK_FALSE(none.ok);
}

TEST_CASE("forecast/models: ETS, Theta and Comb track a trending seasonal series; quantiles are ordered") {
  const std::vector<double> all = Seasonal(120, 0.02, 11);
  const std::vector<double> train(all.begin(), all.begin() + 102), test(all.begin() + 102, all.end());
  for (ModelKind k : {ModelKind::Ets, ModelKind::Theta, ModelKind::Comb}) {
    CAPTURE(ModelName(k));
    const Forecast f = FitPredict(train, ModelSpec{k, 12}, 18, {0.1, 0.5, 0.9});
    CHECK(Smape(test, f.mean) < 6.0);
    for (size_t j = 0; j < 18; j++) {
      CHECK(f.quantiles[0][j] < f.quantiles[2][j]);
      CHECK(f.quantiles[0][j] <= f.quantiles[1][j] + 1e-9);
    }
    const Forecast snaive = FitPredict(train, ModelSpec{ModelKind::SeasonalNaive, 12}, 18, {});
    CHECK(Smape(test, f.mean) < Smape(test, snaive.mean));  // the trend is worth modelling
  }
  const EtsFit fit = FitEtsAuto(train, 12);
  REQUIRE(fit.ok);
  CHECK(fit.config.season != 0);
  CHECK(fit.config.Name().size() == 10);  // "ETS(x,y,z)" or with Ad
}

TEST_CASE("forecast/models: ETS P10-P90 covers about 80% of new noise") {
  fk::Rng rng(5);
  size_t inside = 0, total = 0;
  for (int rep = 0; rep < 20; rep++) {
    std::vector<double> y(80);
    for (auto& v : y) v = 200 + 10 * rng.Normal();
    const Forecast f = FitPredict(y, ModelSpec{ModelKind::Ets, 1, uint64_t(rep)}, 6, {0.1, 0.9});
    for (size_t j = 0; j < 6; j++) {
      const double a = 200 + 10 * rng.Normal();
      inside += a >= f.quantiles[0][j] && a <= f.quantiles[1][j];
      total++;
    }
  }
  const double cover = double(inside) / double(total);
  CHECK(cover > 0.65);
  CHECK(cover < 0.95);
}

TEST_CASE("forecast/models: regression with ETS errors finds a promotion effect") {
  fk::Rng rng(9);
  const size_t n = 120, h = 10;
  std::vector<std::vector<double>> x(n + h, std::vector<double>(1));
  std::vector<double> y(n);
  for (size_t t = 0; t < n + h; t++) x[t][0] = (t % 9 < 2) ? 1.0 : 0.0;
  for (size_t t = 0; t < n; t++) y[t] = 50 + 30 * x[t][0] + 2 * rng.Normal();
  const RegressionResult r = FitPredictWithRelated(y, x, ModelSpec{ModelKind::EtsX, 1}, int(h), {0.1, 0.5, 0.9});
  REQUIRE(r.coef.size() == 1);
  CHECK(r.coef[0] == doctest::Approx(30).epsilon(0.1));
  CHECK(r.helpful);
  CHECK(r.forecast.mean[n % 9 == 0 ? 0 : (9 - n % 9)] > 70);  // the next promoted step
  std::vector<std::vector<double>> noise(n + h, std::vector<double>(1));
  for (auto& row : noise) row[0] = rng.Normal();
  CHECK_FALSE(FitPredictWithRelated(y, noise, ModelSpec{ModelKind::EtsX, 1}, int(h), {0.5}).helpful);
}

TEST_CASE("forecast/accuracy: wQL, WAPE, RMSE, MAPE, MASE by hand; NaN actuals are skipped") {
  MetricSums s;
  s.levels = {0.1, 0.9};
  s.Add(10, 12, {8, 14}, 2);   // pinball: 0.1*2=0.2 ; 0.1*4=0.4
  s.Add(20, 18, {15, 25}, 2);  // 0.1*5=0.5 ; 0.1*5=0.5
  s.Add(NAN, 100, {0, 1000}, 2);
  const Metrics m = Finish(s);
  CHECK(m.points == 2);
  CHECK(m.wql[0] == doctest::Approx(2 * 0.7 / 30));
  CHECK(m.wql[1] == doctest::Approx(2 * 0.9 / 30));
  CHECK(m.avg_wql == doctest::Approx((m.wql[0] + m.wql[1]) / 2));
  CHECK(m.wape == doctest::Approx(4.0 / 30));
  CHECK(m.rmse == doctest::Approx(2.0));
  CHECK(m.mape == doctest::Approx((0.2 + 0.1) / 2));
  CHECK(m.mase == doctest::Approx(1.0));
  CHECK(Smape({100, NAN}, {50, 7}) == doctest::Approx(200.0 * 50 / 150));
  CHECK(MaseScale({1, 2, 4, 8}, 1) == doctest::Approx(7.0 / 3));
}

TEST_CASE("forecast/backtest: windows, offsets and zero-fill vs nan-fill") {
  BacktestOptions o;
  o.horizon = 6;
  o.period = 12;
  o.windows = 6;
  CHECK(ValidateBacktestOptions(o) == "backtest windows must be 1..5, got 6");
  o.windows = 2;
  o.offset = 4;
  CHECK(ValidateBacktestOptions(o) == "backtest offset 4 is shorter than the horizon 6");
  o.offset = 0;
  o.levels = {0.1, 0.5, 0.9, 0.95, 0.99, 0.2};
  CHECK(ValidateBacktestOptions(o) == "choose 1 to 5 quantiles");
  o.levels = {0.1, 0.5, 0.9};
  CHECK(ValidateBacktestOptions(o).empty());
  o.models = {ModelKind::SeasonalNaive, ModelKind::Theta};
  std::vector<double> y = Seasonal(60, 0.03, 2);
  std::vector<double> gappy = y;
  gappy[57] = NAN;  // a missing actual in the latest window
  std::vector<double> zeroed = y;
  zeroed[57] = 0;
  Backtest nan_bt({{"a", gappy, {}}, {"short", {1, 2, 3}, {}}}, o);
  Backtest zero_bt({{"a", zeroed, {}}}, o);
  while (!nan_bt.Step(5)) {}
  while (!zero_bt.Step(5)) {}
  REQUIRE(nan_bt.warnings.size() == 1);
  CHECK(nan_bt.warnings[0].find("short: 3 points") == 0);
  const auto& r = nan_bt.results();
  REQUIRE(r.size() == 2);
  CHECK(r[0].per_window.size() == 2);
  CHECK(r[0].overall.points == 11);  // 2 windows x 6 steps, one NaN actual left out
  CHECK(zero_bt.results()[0].overall.points == 12);
  // A zero-filled missing day counts as a real zero: every metric gets worse.
  CHECK(zero_bt.results()[1].overall.wape > r[1].overall.wape);
  CHECK(zero_bt.results()[1].overall.avg_wql > r[1].overall.avg_wql);
  REQUIRE(r[1].forecasts.size() == 2);
  CHECK(r[1].forecasts[0].start == 54);  // latest window: the last 6 points
  CHECK(r[1].forecasts[1].start == 48);
  CHECK(r[1].overall.mase < r[0].overall.mase);
}

TEST_CASE("forecast/m3: the long CSV loads per series; bad rows name file, line and field") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "fk_m3_test";
  fs::create_directories(dir);
  auto write = [&](const std::string& text) {
    std::ofstream(dir / "m3_monthly_long.csv") << text;
  };
  std::string csv = "series_id,t,value,split\n";
  for (int t = 1; t <= 66; t++)  // 48 train + 18 test, seasonal with a trend
    csv += "N1," + std::to_string(t) + "," + std::to_string(100 + (t % 12) * 5 + t) + "," + (t > 48 ? "test" : "train") + "\n";
  write(csv);
  std::vector<M3Series> s;
  REQUIRE(LoadM3(dir.string(), &s));
  REQUIRE(s.size() == 1);
  CHECK(s[0].train.size() == 48);
  CHECK(s[0].test.size() == 18);
  const M3Result r = RunM3(s, ModelKind::Theta);
  CHECK(r.forecasts[0].size() == 18);
  CHECK(r.smape < 5);
  CHECK(r.mase < 1);
  write("series_id,t,value,split\nN1,1,12,train\nN1,2,x,train\n");
  s.clear();
  CHECK(LoadM3(dir.string(), &s).message() == (dir / "m3_monthly_long.csv").string() + ":3: field value: 'x' is not a number");
  write("series_id,t,value,split\nN1,1,12,holdout\n");
  s.clear();
  CHECK(LoadM3(dir.string(), &s).message().find(":2: field split: 'holdout' is neither train nor test") != std::string::npos);
  s.clear();
  CHECK_FALSE(LoadM3((dir / "missing").string(), &s));
}

// [SECTION] resumable fits: one ETS candidate per step, bit-identical results

namespace {
// The selection spelled out independently: R's family in its order, lowest AICc, first of ties.
EtsFit OracleSelection(const std::vector<double>& y, int period, EtsFit* best_damped) {
  bool positive = true;
  for (double v : y) positive &= v > 0;
  const bool can_season = int(y.size()) >= 2 * period + 2;
  EtsFit best;
  for (int me = 0; me <= (positive ? 1 : 0); me++)
    for (int tr = 0; tr <= 2; tr++)
      for (int se = 0; se <= (can_season ? 2 : 0); se++) {
        if (se == 2 && !me) continue;
        EtsConfig c;
        c.mult_error = me, c.trend = tr ? 1 : 0, c.damped = tr == 2, c.season = se;
        const EtsFit f = FitEts(y, c, period);
        if (f.ok && f.aicc < best.aicc) best = f;
        if (f.ok && c.damped && f.aicc < best_damped->aicc) *best_damped = f;
      }
  return best;
}
}  // namespace

TEST_CASE("forecast/resumable: ETS selection one candidate per step equals the whole selection, bit for bit") {
  const std::vector<double> y = Seasonal(96, 0.04, 5);
  EtsFit oracle_damped;
  const EtsFit oracle = OracleSelection(y, 12, &oracle_damped);
  REQUIRE(oracle.ok);
  EtsSelection sel(y, 12);
  CHECK(sel.Candidates() == 15);  // positive, long enough for a season: R's whole family
  size_t steps = 0;
  while (!sel.Step()) steps++;
  CHECK(steps + 1 == 15);
  CHECK(sel.Best().config.Name() == oracle.config.Name());
  CHECK(sel.Best().aicc == oracle.aicc);  // exact: the same arithmetic in the same order
  CHECK(sel.Best().alpha == oracle.alpha);
  CHECK(sel.Best().season == oracle.season);
  CHECK(sel.BestDamped().config.Name() == oracle_damped.config.Name());
  CHECK(sel.BestDamped().aicc == oracle_damped.aicc);
  std::vector<double> with_zero = y;
  with_zero[10] = 0;  // not positive: additive error only
  CHECK(EtsSelection(with_zero, 12).Candidates() == 6);
  CHECK(EtsSelection::Additive(y, 12).Candidates() == 6);
  CHECK(EtsSelection::Additive(std::vector<double>(20, 1.0), 12).Candidates() == 3);  // too short for a season
}

TEST_CASE("forecast/resumable: a ForecastTask stepped once per call gives the forecasts of the oracle") {
  const std::vector<double> y = Seasonal(84, 0.05, 11);
  const std::vector<double> levels = {0.1, 0.5, 0.9};
  const int h = 18;
  EtsFit damped;
  const EtsFit best = OracleSelection(y, 12, &damped);
  for (ModelKind k : {ModelKind::SeasonalNaive, ModelKind::Theta, ModelKind::Ets, ModelKind::Comb}) {
    INFO(ModelName(k));
    const ModelSpec spec{k, 12, 3, 200};
    ForecastTask t(y, spec, h, levels);
    size_t calls = 0;
    while (!t.Step()) calls++;
    const Forecast& f = t.result();
    const Forecast whole = FitPredict(y, spec, h, levels);
    CHECK(f.mean == whole.mean);
    CHECK(f.quantiles == whole.quantiles);
    CHECK(f.detail == whole.detail);
    if (k == ModelKind::Ets) {
      CHECK(calls == 16);  // decide, 15 candidates, build
      CHECK(f.mean == EtsPointForecast(best, h));
      CHECK(f.detail == best.config.Name());
    }
    if (k == ModelKind::Comb) {
      const std::vector<double> e = EtsPointForecast(best, h), d = EtsPointForecast(damped, h);
      const std::vector<double> th = FitPredict(y, ModelSpec{ModelKind::Theta, 12}, h, {}).mean;
      for (int j = 0; j < h; j++) CHECK(f.mean[size_t(j)] == (e[size_t(j)] + th[size_t(j)] + d[size_t(j)]) / 3);
      REQUIRE(t.parts().size() == 3);
      CHECK(t.parts()[0].mean == e);
      CHECK(t.parts()[1].mean == th);
    }
    if (k == ModelKind::SeasonalNaive || k == ModelKind::Theta) CHECK(calls == 0);  // one step does it
  }
  // Regression with ETS errors: two additive selections (6 + 6 candidates) in steps.
  fk::Rng rng(4);
  std::vector<std::vector<double>> x(84 + 6, std::vector<double>(1));
  std::vector<double> yy(84);
  for (size_t t = 0; t < x.size(); t++) x[t][0] = (t % 7 < 2) ? 1.0 : 0.0;
  for (size_t t = 0; t < yy.size(); t++) yy[t] = 40 + 15 * x[t][0] + rng.Normal();
  ForecastTask rt(yy, x, ModelSpec{ModelKind::EtsX, 12, 5, 100}, 6, levels);
  size_t calls = 0;
  while (!rt.Step()) calls++;
  CHECK(calls == 13);  // solve, 12 candidates, build
  const RegressionResult whole = FitPredictWithRelated(yy, x, ModelSpec{ModelKind::EtsX, 12, 5, 100}, 6, levels);
  CHECK(rt.result().mean == whole.forecast.mean);
  CHECK(rt.result().quantiles == whole.forecast.quantiles);
  CHECK(rt.regression().coef == whole.coef);
}

TEST_CASE("forecast/resumable: a backtest in one-fit slices equals the same backtest in one call") {
  BacktestOptions o;
  o.horizon = 6;
  o.period = 12;
  o.windows = 2;
  o.models = {ModelKind::SeasonalNaive, ModelKind::Ets, ModelKind::Theta, ModelKind::Comb, ModelKind::EtsX};
  std::vector<BacktestSeries> series;
  for (uint64_t s = 0; s < 3; s++) {
    BacktestSeries b{"s" + std::to_string(s), Seasonal(72, 0.05, 20 + s), {}};
    for (size_t t = 0; t < b.values.size(); t++) b.related.push_back({double(t % 5 == 0)});
    series.push_back(b);
  }
  Backtest sliced(series, o), whole(series, o);
  size_t slices = 0;
  while (!sliced.Step(0)) slices++;  // a zero budget: exactly one unit of work per call
  CHECK(whole.Step(1e12));
  CHECK(slices > 3 * 2 * 15);  // far more slices than fits: ETS selections were split
  REQUIRE(sliced.results().size() == whole.results().size());
  for (size_t m = 0; m < whole.results().size(); m++) {
    const auto& a = sliced.results()[m];
    const auto& b = whole.results()[m];
    INFO(ModelName(b.model));
    CHECK(a.overall.avg_wql == b.overall.avg_wql);
    CHECK(a.overall.wape == b.overall.wape);
    CHECK(a.overall.mase == b.overall.mase);
    CHECK(a.overall.points == 3 * 2 * 6);
    REQUIRE(a.forecasts.size() == b.forecasts.size());
    for (size_t i = 0; i < a.forecasts.size(); i++) {
      CHECK(a.forecasts[i].forecast.mean == b.forecasts[i].forecast.mean);
      CHECK(a.forecasts[i].forecast.quantiles == b.forecasts[i].forecast.quantiles);
    }
  }
}

TEST_CASE("forecast/models: the model table names every kind once and parses back") {
  std::set<std::string> names;
  for (const fk::forecast::ModelInfo& m : fk::forecast::Models()) {
    CAPTURE(m.name);
    CHECK(names.insert(m.name).second);
    fk::forecast::ModelKind k;
    REQUIRE(fk::forecast::ParseModelKind(m.name, &k));
    CHECK(k == m.kind);
    CHECK(std::string(fk::forecast::ModelName(m.kind)) == m.name);
    CHECK(std::string(m.label).size() > 0);
    CHECK(std::string(m.help).size() > 0);
  }
  fk::forecast::ModelKind k;
  CHECK_FALSE(fk::forecast::ParseModelKind("arima", &k));
  CHECK(fk::forecast::ModelChoices(false) == std::vector<std::string>{"snaive", "ets", "theta", "comb"});
  CHECK(fk::forecast::AllModels().size() == fk::forecast::ModelChoices(false).size());
}
