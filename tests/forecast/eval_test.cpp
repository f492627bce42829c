// Scoring a forecast file against held-out actuals (what `fieldkit-cli
// forecast eval` runs), the holdout split behind `prepare --holdout`, related
// fills as the CLI and the panel parse them, and "best" chosen on an
// in-sample holdout.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "core/rng.h"
#include "forecast/accuracy.h"
#include "forecast/dataset.h"
#include "forecast/m3.h"
#include "forecast/prepare.h"

using namespace fk::forecast;

namespace {

CsvTable Table(const std::string& text, const std::string& name) {
  auto t = ParseCsvText(text, name);
  REQUIRE(t.ok());
  return *t;
}

const char* kActual =
    "timestamp,item_id,demand\n"
    "2023-01-04,a,10\n"
    "2023-01-05,a,20\n"
    "2023-01-04,b,0\n"
    "2023-01-05,b,4\n";

const char* kForecast =
    "item_id,timestamp,mean,p10,p50,p90\n"
    "a,2023-01-04,12,8,12,16\n"
    "a,2023-01-05,18,14,18,22\n"
    "b,2023-01-04,1,0,1,2\n"
    "b,2023-01-05,2,1,2,3\n"
    "b,2023-01-06,5,4,5,6\n";  // after the actuals: not scored

const char* kHistory =
    "timestamp,item_id,demand\n"
    "2023-01-01,a,10\n"
    "2023-01-02,a,14\n"
    "2023-01-03,a,12\n"
    "2023-01-01,b,1\n"
    "2023-01-02,b,1\n"
    "2023-01-03,b,1\n";

const Frequency kDaily{'D', 1};

}  // namespace

TEST_CASE("forecast/eval: a forecast file scored against actuals matches the hand computation") {
  const CsvTable actual = Table(kActual, "actual.csv"), forecast = Table(kForecast, "f.csv");
  const CsvTable history = Table(kHistory, "train.csv");
  auto r = EvaluateForecastTable(actual, forecast, &history, kDaily, 1);
  REQUIRE(r.ok());
  const Metrics& m = r->metrics;
  CHECK(r->matched == 4);
  CHECK(r->unmatched_forecasts == 1);
  CHECK(r->items == 2);
  CHECK(m.points == 4);
  // |y| = 34; |e| = 2 + 2 + 1 + 2 = 7; e^2 = 4 + 4 + 1 + 4 = 13.
  CHECK(m.wape == doctest::Approx(7.0 / 34));
  CHECK(m.rmse == doctest::Approx(std::sqrt(13.0 / 4)));
  CHECK(m.mape == doctest::Approx((0.2 + 0.1 + 0.5) / 3));  // y = 0 is left out of MAPE
  REQUIRE(m.levels.size() == 3);
  CHECK(m.levels[0] == doctest::Approx(0.1));
  // Pinball at 0.1: 0.1*2 + 0.1*6 + 0 + 0.1*3 = 1.1; at 0.9: 0.1*6 + 0.1*2 + 0.1*2 + 0.9*1 = 1.9.
  CHECK(m.wql[0] == doctest::Approx(2 * 1.1 / 34));
  CHECK(m.wql[1] == doctest::Approx(7.0 / 34));
  CHECK(m.wql[2] == doctest::Approx(2 * 1.9 / 34));
  // MASE: item a's naive in-sample error is (4 + 2) / 2 = 3; b's history is constant (scale 0), left out.
  CHECK(r->has_mase);
  CHECK(m.mase == doctest::Approx((2.0 / 3 + 2.0 / 3) / 2));
  bool b_named = false;
  for (auto& msg : r->messages) b_named |= msg.find("item b: no history") == 0;
  CHECK(b_named);

  auto no_hist = EvaluateForecastTable(actual, forecast, nullptr, kDaily, 1);
  REQUIRE(no_hist.ok());
  CHECK_FALSE(no_hist->has_mase);
  CHECK(no_hist->metrics.wape == doctest::Approx(7.0 / 34));
}

TEST_CASE("forecast/eval: MASE's scale follows the calendar: a missing date is a gap, not a shift") {
  // Item a has no row on 2023-01-01. On the daily grid the naive in-sample
  // errors are |12 - 10| and |33 - 30| (scale 2.5); pairing rows would also
  // count |30 - 12| as one step.
  const CsvTable history = Table(
      "timestamp,item_id,demand\n"
      "2022-12-30,a,10\n"
      "2022-12-31,a,12\n"
      "2023-01-02,a,30\n"
      "2023-01-03,a,33\n",
      "gappy.csv");
  auto r = EvaluateForecastTable(Table(kActual, "actual.csv"), Table(kForecast, "f.csv"), &history, kDaily, 1);
  REQUIRE(r.ok());
  CHECK(r->has_mase);
  CHECK(r->metrics.mase == doctest::Approx((2.0 / 2.5 + 2.0 / 2.5) / 2));
  // Weekly buckets: 12-30/12-31 fall in one week and 01-02/01-03 in the next
  // (the later row of a bucket is used), so the scale is |33 - 12| = 21.
  auto weekly = EvaluateForecastTable(Table(kActual, "actual.csv"), Table(kForecast, "f.csv"), &history,
                                      Frequency{'W', 1}, 1);
  REQUIRE(weekly.ok());
  CHECK(weekly->metrics.mase == doctest::Approx(2.0 / 21));
  bool named = false;  // two rows in one bucket is reported, not summed in silence
  for (auto& msg : weekly->messages) named |= msg.find("item a: 2 history rows share a W bucket") == 0;
  CHECK(named);
}

TEST_CASE("forecast/eval: no overlapping points, bad headers and bad rows are errors or messages, never zeros") {
  const CsvTable actual = Table(kActual, "actual.csv");
  SUBCASE("forecast dates after the actuals") {
    const CsvTable later = Table("item_id,timestamp,mean\na,2023-02-01,3\nb,2023-02-01,3\n", "later.csv");
    auto r = EvaluateForecastTable(actual, later, nullptr, kDaily, 1);
    REQUIRE_FALSE(r.ok());
    const std::string& e = r.status().message();
    CHECK(e.find("no forecast row of later.csv has an actual value in actual.csv") == 0);
    CHECK(e.find("--holdout") != std::string::npos);
  }
  SUBCASE("other items") {
    const CsvTable other = Table("item_id,timestamp,mean\nz,2023-01-04,3\n", "other.csv");
    CHECK_FALSE(EvaluateForecastTable(actual, other, nullptr, kDaily, 1).ok());
  }
  SUBCASE("a header that is not fit's output") {
    const CsvTable bad = Table("item_id,timestamp,mean,q10\na,2023-01-04,3,1\n", "q.csv");
    auto r = EvaluateForecastTable(actual, bad, nullptr, kDaily, 1);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == "q.csv:1: column 4 'q10' is not a quantile column pNN (0 < NN < 100)");
    const CsvTable swapped = Table("timestamp,item_id,mean\n2023-01-04,a,3\n", "s.csv");
    CHECK(EvaluateForecastTable(actual, swapped, nullptr, kDaily, 1).status().message().find("s.csv:1: expected the header") == 0);
  }
  SUBCASE("actuals with extra dimensions") {
    const CsvTable raw = Table("date,product,sales,store\n2023-01-04,a,1,s1\n", "raw.csv");
    const CsvTable f = Table("item_id,timestamp,mean\na,2023-01-04,3\n", "f.csv");
    auto r = EvaluateForecastTable(raw, f, nullptr, kDaily, 1);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("raw.csv: the actual file needs exactly the columns timestamp,item_id,value") == 0);
  }
  SUBCASE("malformed forecast rows are named and skipped; the rest is scored") {
    const CsvTable f = Table("item_id,timestamp,mean,p50\na,2023-01-04,12,12\na,Jan 5th,18,18\na,2023-01-05,x,18\n"
                             "b,2023-01-05,2\n",
                             "f.csv");
    auto r = EvaluateForecastTable(actual, f, nullptr, kDaily, 1);
    REQUIRE(r.ok());
    CHECK(r->matched == 1);
    REQUIRE(r->messages.size() == 3);
    CHECK(r->messages[0] == "f.csv:3: field timestamp: 'Jan 5th' is not a date; skipped");
    CHECK(r->messages[1] == "f.csv:4: field mean: 'x' is not a number; skipped");
    CHECK(r->messages[2] == "f.csv:5: 3 fields, expected 4; skipped");
  }
}

TEST_CASE("forecast/holdout: the last H buckets split off; prepare -> fit -> eval scores every held-out point") {
  auto table = ParseCsvText("timestamp,product,sales\n2023-01-01,a,5\n2023-01-02,a,6\n2023-01-03,a,7\n2023-01-04,a,8\n"
                            "2023-01-05,a,9\n2023-01-01,b,3\n2023-01-02,b,3\n2023-01-04,b,4\n2023-01-05,b,2\n",
                            "sales.csv");
  REQUIRE(table.ok());
  auto target = ParseTarget(*table, {});
  REQUIRE(target.ok());
  AggregateOptions o;
  std::string err;
  REQUIRE(ParseFrequency("D", &o.freq, &err));
  Panel train = Aggregate(*target, o);
  REQUIRE(train.length == 5);
  const Panel hold = SplitHoldout(&train, 2);
  CHECK(train.length == 3);
  CHECK(hold.length == 2);
  CHECK(hold.TimeAt(0) == train.TimeAt(3));  // the held-out grid starts where the rest ends
  CHECK(hold.series.size() == 2);
  CHECK(train.series[0].values.size() == 3);
  CHECK(hold.series[0].values == std::vector<double>{8, 9});
  CHECK(PanelToCsv(hold) == "timestamp,item_id,demand\n2023-01-04,a,8\n2023-01-04,b,4\n2023-01-05,a,9\n2023-01-05,b,2\n");
  CHECK(PanelToCsv(train).find("2023-01-04") == std::string::npos);
  Panel copy = train;
  CHECK(SplitHoldout(&copy, 3).series.empty());  // nothing would be left to fit on
  CHECK(copy.length == 3);

  // Fit on the rest (b's blank day 3 backfilled with zero; naive: the last
  // value) and score against the held-out part.
  ApplyFill(&train, FillOptions{});
  std::string fcsv = "item_id,timestamp,mean,p50\n";
  for (auto& s : train.series) {
    const Forecast f = FitPredict(ModelInput(s), ModelSpec{ModelKind::SeasonalNaive, 1, 7, 0}, 2, {0.5});
    for (size_t j = 0; j < 2; j++)
      fcsv += s.item_id + "," + FormatDate(train.TimeAt(train.length + j), train.format) + "," +
              std::to_string(f.mean[j]) + "," + std::to_string(f.quantiles[0][j]) + "\n";
  }
  auto r = EvaluateForecastTable(Table(PanelToCsv(hold), "actual.csv"), Table(fcsv, "f.csv"),
                                 nullptr, kDaily, 1);
  REQUIRE(r.ok());
  CHECK(r->matched == 4);
  // a: 7 vs 8, 9; b: 0 vs 4, 2. |e| = 1 + 2 + 4 + 2 = 9 over |y| = 23.
  CHECK(r->metrics.wape == doctest::Approx(9.0 / 23));
  MetricSums sums;
  sums.levels = {0.5};
  auto rows = Table(fcsv, "f.csv");
  const double y[4] = {8, 9, 4, 2};
  for (size_t i = 0; i < 4; i++) {
    const double mean = std::stod(rows.rows[i][2]);
    sums.Add(y[i], mean, {mean}, 0);
  }
  CHECK(r->metrics.wape == doctest::Approx(Finish(sums).wape));
  CHECK(r->metrics.wape > 0);
}

TEST_CASE("forecast/related fills: zero, value, median, mean, min, max; nan and none refused with a reason") {
  Fill f;
  std::string err;
  for (const char* ok : {"zero", "value:2.5", "median", "mean", "min", "max"}) {
    INFO(ok);
    CHECK(ParseRelatedFill(ok, &f, &err));
  }
  CHECK(ParseRelatedFill("value:2.5", &f, &err));
  CHECK(f.value == 2.5);
  CHECK_FALSE(ParseRelatedFill("nan", &f, &err));
  CHECK(err.find("'nan' is not allowed for a related time series") == 0);
  CHECK_FALSE(ParseRelatedFill("none", &f, &err));
  CHECK_FALSE(ParseRelatedFill("spline", &f, &err));
  CHECK(err == "'spline' is not a fill method (zero, value:X, median, mean, min, max)");

  // a: price on days 1 and 3 (middle gap on day 2); b: days 1-2 (back gap on day 3); horizon 2 (future).
  auto tt = ParseCsvText("timestamp,product,sales\n2023-01-01,a,1\n2023-01-02,a,2\n2023-01-03,a,3\n"
                         "2023-01-01,b,1\n2023-01-03,b,1\n",
                         "sales.csv");
  auto target = ParseTarget(*tt, {});
  REQUIRE(target.ok());
  AggregateOptions o;
  REQUIRE(ParseFrequency("D", &o.freq, &err));
  const Panel p = Aggregate(*target, o);
  auto rt = ParseCsvText("timestamp,product,price\n2023-01-01,a,10\n2023-01-03,a,20\n2023-01-01,b,4\n2023-01-02,b,6\n",
                         "related.csv");
  auto rel = ParseRelated(*rt, {"product"});
  REQUIRE(rel.ok());
  RelatedFill fill;
  REQUIRE(ParseRelatedFill("zero", &fill.middle, &err));
  SUBCASE("back max, future mean") {
    REQUIRE(ParseRelatedFill("max", &fill.back, &err));
    REQUIRE(ParseRelatedFill("mean", &fill.future, &err));
    const auto x = AlignRelated(*rel, p, 2, fill, nullptr);
    CHECK(x[0][1][0] == 0);    // a middlefill zero
    CHECK(x[0][3][0] == 15);   // a futurefill mean of 10, 20
    CHECK(x[1][2][0] == 6);    // b backfill max of 4, 6
    CHECK(x[1][3][0] == 5);    // b futurefill mean
    CHECK(RelatedToCsv(p, *rel, x) ==
          "timestamp,item_id,price\n2023-01-01,a,10\n2023-01-01,b,4\n2023-01-02,a,0\n2023-01-02,b,6\n"
          "2023-01-03,a,20\n2023-01-03,b,6\n2023-01-04,a,15\n2023-01-04,b,5\n2023-01-05,a,15\n2023-01-05,b,5\n");
  }
  SUBCASE("back min, future value") {
    REQUIRE(ParseRelatedFill("min", &fill.back, &err));
    REQUIRE(ParseRelatedFill("value:9", &fill.future, &err));
    const auto x = AlignRelated(*rel, p, 2, fill, nullptr);
    CHECK(x[1][2][0] == 4);
    CHECK(x[0][4][0] == 9);
    CHECK(x[1][4][0] == 9);
  }
}

TEST_CASE("forecast/best: chosen on the last points of each history only; a clean trend picks ETS") {
  // A noiseless trend: seasonal naive lags a season behind, Theta halves the
  // slope (drift b/2), Comb averages Theta in; ETS with a trend is exact.
  std::vector<std::vector<double>> hist;
  for (int s = 0; s < 3; s++) {
    std::vector<double> y;
    for (int t = 0; t < 60; t++) y.push_back(100 + 10 * s + (2 + s) * t);
    hist.push_back(y);
  }
  hist.push_back({1, 2, 3, 4});  // too short for a 6-point holdout: left out
  const ModelSelection sel = SelectModelOnHoldout(hist, 12, 6);
  CHECK(sel.series_used == 3);
  CHECK(sel.holdout == 6);
  REQUIRE(sel.smape.size() == 4);
  CHECK(sel.chosen == ModelKind::Ets);
  double ets = 0, worst = 0;
  for (auto& [k, v] : sel.smape) {
    if (k == ModelKind::Ets) ets = v;
    worst = std::max(worst, v);
  }
  CHECK(ets < 0.5);
  CHECK(worst > 1);
  const ModelSelection none = SelectModelOnHoldout({{1, 2}}, 12, 6);
  CHECK(none.series_used == 0);
  CHECK(none.chosen == ModelKind::Comb);
}

namespace {

// Seasonal series with a trend and noise, 40 points (n) each, seeded.
std::vector<std::vector<double>> NoisySeasonal(size_t count, size_t n, uint64_t seed) {
  fk::Rng rng(seed);
  std::vector<std::vector<double>> out;
  for (size_t s = 0; s < count; s++) {
    std::vector<double> y;
    for (size_t t = 0; t < n; t++)
      y.push_back(100 + double(s) * 5 + 0.8 * double(t) + 12 * std::sin(6.2831853 * double(t % 12) / 12.0) +
                  4 * rng.Normal());
    out.push_back(y);
  }
  return out;
}

}  // namespace

TEST_CASE("forecast/best: several holdout windows per history, each window's scores reported") {
  auto hist = NoisySeasonal(3, 40, 5);
  hist.push_back(std::vector<double>(10, 3.0));  // 10 points: only the last window (6 + 3 <= 10) fits
  SelectionOptions o;
  o.windows = 3;
  o.step = 2;
  const ModelSelection sel = SelectModelOnHoldout(hist, 12, 6, {}, o);
  CHECK(sel.windows == 3);
  CHECK(sel.step == 2);
  CHECK(sel.series_used == 4);
  REQUIRE(sel.window_count.size() == 3);
  CHECK(sel.window_count[0] == 4);
  CHECK(sel.window_count[1] == 3);
  CHECK(sel.window_count[2] == 3);
  CHECK(sel.windows_used == 10);
  // The overall score per candidate is the mean over every (history, window) pair.
  REQUIRE(sel.smape.size() == 4);
  size_t best = 0;
  for (size_t k = 0; k < 4; k++) {
    double sum = 0;
    for (size_t w = 0; w < 3; w++) sum += sel.window_smape[w][k] * double(sel.window_count[w]);
    CHECK(sel.smape[k].second == doctest::Approx(sum / 10.0));
    if (sel.smape[k].second < sel.smape[best].second) best = k;
  }
  CHECK(sel.chosen == sel.smape[best].first);
  // One window is the old rule: the last `holdout` points only, the same numbers as window 0.
  o.windows = 1;
  const ModelSelection one = SelectModelOnHoldout(hist, 12, 6, {}, o);
  CHECK(one.windows_used == 4);
  for (size_t k = 0; k < 4; k++) CHECK(one.smape[k].second == doctest::Approx(sel.window_smape[0][k]));
  // Step 0 = holdout / 3.
  CHECK(SelectModelOnHoldout(hist, 12, 6, {}, SelectionOptions{}).step == 2);
}

TEST_CASE("forecast/m3 best: the choice reads the train parts only; altered test parts change nothing") {
  const auto trains = NoisySeasonal(3, 36, 11);
  std::vector<M3Series> a, b;
  for (size_t i = 0; i < trains.size(); i++) {
    M3Series s{"N" + std::to_string(i), trains[i], std::vector<double>(6, 100.0 + double(i)), 12};
    a.push_back(s);
    for (size_t j = 0; j < s.test.size(); j++) s.test[j] = j % 2 ? 1e6 : 1.0;  // wild test values
    b.push_back(s);
  }
  const ModelSelection sa = SelectM3Model(a), sb = SelectM3Model(b);
  CHECK(sa.holdout == 6);  // the test length, carved from the end of each train part
  CHECK(sa.windows == 3);
  CHECK(sa.windows_used == 9);
  CHECK(sa.chosen == sb.chosen);
  REQUIRE(sa.smape.size() == sb.smape.size());
  for (size_t k = 0; k < sa.smape.size(); k++) CHECK(sa.smape[k].second == sb.smape[k].second);
  CHECK(sa.window_smape == sb.window_smape);
  // Whereas the train parts do matter: the same test parts with other train parts score differently.
  std::vector<M3Series> c = a;
  for (auto& s : c)
    for (double& v : s.train) v = v * 0.5 + 20;
  const ModelSelection sc = SelectM3Model(c);
  bool differs = false;
  for (size_t k = 0; k < sa.smape.size(); k++) differs |= sa.smape[k].second != sc.smape[k].second;
  CHECK(differs);
}
