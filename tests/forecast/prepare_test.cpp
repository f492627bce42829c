#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "forecast/dataset.h"
#include "forecast/prepare.h"
#include "replay/replay.h"

using namespace fk::forecast;

namespace {

// The post's seven sales rows, as the Forecasts seed replay uses them (one copy, in the core).
const char* const kSeedSales = fk::replay::SeedSalesCsv();

TargetDataset LoadPrepared(const std::string& text, const std::string& name = "sales.csv") {
  auto table = ParseCsvText(text, name);
  REQUIRE(table.ok());
  auto target = ParseTarget(*table, {});
  REQUIRE(target.ok());
  return *target;
}

Panel Agg(const TargetDataset& d, std::vector<std::string> dims, const std::string& freq, AggMethod agg,
          bool all = false) {
  AggregateOptions o;
  o.keep_all_dims = all;
  o.dims = std::move(dims);
  std::string err;
  REQUIRE(ParseFrequency(freq, &o.freq, &err));
  o.agg = agg;
  return Aggregate(d, o);
}

}  // namespace

TEST_CASE("forecast/dates: the seed's formats parse and print back the same") {
  int64_t s;
  DateFormat f;
  for (const char* d : {"01-Jan", "29-Feb", "1991-01", "1991-01-31", "1991-01-31 12:30:05", "2023-06-01T08:15"}) {
    CAPTURE(d);
    REQUIRE(ParseDate(d, &s, &f));
  }
  REQUIRE(ParseDate("1991-02", &s, &f));
  CHECK(f == DateFormat::YearMonth);
  CHECK(FormatDate(s, f) == "1991-02");
  REQUIRE(ParseDate("03-Jan", &s, &f));
  CHECK(FormatDate(s, f) == "03-Jan");
  for (const char* bad : {"", "32-Jan", "01-Foo", "1991-13", "1991-02-30", "yesterday", "1991-01-01 25:00"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseDate(bad, &s, &f));
  }
}

TEST_CASE("forecast/aggregate: the seed's worked examples come out exactly") {
  const TargetDataset d = LoadPrepared(kSeedSales);
  CHECK(d.value_col == "Sales");
  CHECK(d.dim_cols == std::vector<std::string>{"Product ID", "Store ID", "Country"});
  SUBCASE("by product per day") {
    CHECK(PanelToCsv(Agg(d, {"Product ID"}, "D", AggMethod::Sum)) ==
          "timestamp,item_id,demand\n01-Jan,Product A,7\n01-Jan,Product B,5\n02-Jan,Product A,6\n"
          "02-Jan,Product B,3\n03-Jan,Product B,1\n");
  }
  SUBCASE("by country per day") {
    CHECK(PanelToCsv(Agg(d, {"Country"}, "D", AggMethod::Sum)) ==
          "timestamp,item_id,demand\n01-Jan,Canada,8\n01-Jan,US,4\n02-Jan,Canada,2\n02-Jan,US,7\n03-Jan,Canada,1\n");
  }
  SUBCASE("everything per month") {
    CHECK(PanelToCsv(Agg(d, {}, "M", AggMethod::Sum)) == "timestamp,item_id,demand\n01-Jan,all,22\n");
  }
  SUBCASE("the other aggregations") {
    CHECK(PanelToCsv(Agg(d, {"Product ID"}, "M", AggMethod::Avg)) ==
          "timestamp,item_id,demand\n01-Jan,Product A,3.25\n01-Jan,Product B,3\n");
    CHECK(PanelToCsv(Agg(d, {"Product ID"}, "M", AggMethod::Min)) ==
          "timestamp,item_id,demand\n01-Jan,Product A,2\n01-Jan,Product B,1\n");
    CHECK(PanelToCsv(Agg(d, {"Product ID"}, "M", AggMethod::Max)) ==
          "timestamp,item_id,demand\n01-Jan,Product A,4\n01-Jan,Product B,5\n");
    // FIRST = the earliest record in the bucket (file order breaks ties).
    CHECK(PanelToCsv(Agg(d, {"Product ID"}, "M", AggMethod::First)) ==
          "timestamp,item_id,demand\n01-Jan,Product A,3\n01-Jan,Product B,5\n");
  }
  SUBCASE("keeping every dimension is the raw table") {
    const Panel p = Agg(d, {}, "D", AggMethod::Sum, true);
    CHECK(p.series.size() == 4);
    REQUIRE(p.messages.size() == 1);  // no duplicates; Product B in the US sold on one day only
    CHECK(p.messages[0] == "item Product B_Store-2_US: a single point; too short for a model (naive forecast)");
  }
}

TEST_CASE("forecast/frequency: valid multiples and week/quarter buckets") {
  Frequency f;
  std::string err;
  for (const char* ok : {"1min", "15min", "59min", "H", "23H", "D", "6D", "W", "4W", "M", "11M", "Q", "Y"}) {
    CAPTURE(ok);
    CHECK(ParseFrequency(ok, &f, &err));
  }
  for (const char* bad : {"60min", "24H", "7D", "5W", "12M", "2Q", "fortnight", ""}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseFrequency(bad, &f, &err));
  }
  int64_t t;
  DateFormat fmt;
  REQUIRE(ParseDate("2023-05-18", &t, &fmt));  // a Thursday
  REQUIRE(ParseFrequency("W", &f, &err));
  CHECK(FormatDate(BucketStart(BucketOf(t, f), f), fmt) == "2023-05-15");  // Monday
  REQUIRE(ParseFrequency("Q", &f, &err));
  CHECK(FormatDate(BucketStart(BucketOf(t, f), f), fmt) == "2023-04-01");
}

TEST_CASE("forecast/bad input: each problem gets a message and the rest proceeds") {
  SUBCASE("unparsable dates and numbers name file, line and field") {
    auto table = ParseCsvText("timestamp,item,sales\n2023-01-01,a,1\n2023-13-01,a,2\n2023-01-03,a,lots\n2023-01-04,a\n",
                              "s.csv");
    REQUIRE(table.ok());
    auto d = ParseTarget(*table, {});
    REQUIRE(d.ok());
    CHECK(d->time.size() == 1);
    CHECK(d->bad_rows == 3);
    REQUIRE(d->errors.size() == 3);
    CHECK(d->errors[0].find("s.csv:3: field timestamp: '2023-13-01' is not a date") == 0);
    CHECK(d->errors[1].find("s.csv:4: field sales: 'lots' is not a number") == 0);
    CHECK(d->errors[2].find("s.csv:5: 2 fields") == 0);
  }
  SUBCASE("duplicate rows are combined and reported, not doubled silently") {
    const Panel p = Agg(LoadPrepared("timestamp,item,sales\n2023-01-01,a,2\n2023-01-01,a,2\n2023-01-02,a,5\n"), {"item"}, "D",
                        AggMethod::Sum);
    REQUIRE(p.messages.size() == 1);
    CHECK(p.messages[0].find("1 duplicate (timestamp, item) rows (line 3 repeats line 2)") == 0);
    const Panel f = Agg(LoadPrepared("timestamp,item,sales\n2023-01-01,a,2\n2023-01-01,a,2\n"), {"item"}, "D", AggMethod::First);
    CHECK(f.series[0].values[0] == 2);
  }
  SUBCASE("negative demand is reported and treated as missing") {
    const Panel p = Agg(LoadPrepared("timestamp,item,sales\n2023-01-01,a,2\n2023-01-02,a,-3\n2023-01-03,a,4\n"), {"item"}, "D",
                        AggMethod::Sum);
    REQUIRE(p.messages.size() == 1);
    CHECK(p.messages[0] == "1 negative demand values (first sales.csv:3: field sales = -3): treated as missing");
    CHECK(std::isnan(p.series[0].values[1]));
  }
  SUBCASE("mixed frequencies and a too-fine --freq are reported") {
    const Panel p = Agg(LoadPrepared("timestamp,item,sales\n2023-01-01,a,1\n2023-01-02,a,1\n2023-01-01,b,1\n2023-02-01,b,1\n"
                             "2023-03-01,b,1\n"),
                        {"item"}, "D", AggMethod::Sum);
    REQUIRE(p.messages.size() == 1);
    CHECK(p.messages[0].find("mixed frequencies across items: 1 daily (e.g. a) 1 monthly (e.g. b)") == 0);
    const Panel m = Agg(LoadPrepared("timestamp,item,sales\n1991-01,a,1\n1991-02,a,1\n1991-03,a,2\n"), {"item"}, "D",
                        AggMethod::Sum);
    REQUIRE(m.messages.size() == 1);
    CHECK(m.messages[0].find("the data is monthly but --freq D is finer") == 0);
  }
  SUBCASE("a single-point and an all-missing series") {
    const Panel p = Agg(LoadPrepared("timestamp,item,sales\n2023-01-01,a,1\n2023-01-01,b,\n2023-01-02,b,\n2023-01-02,c,4\n"
                             "2023-01-03,c,5\n"),
                        {"item"}, "D", AggMethod::Sum);
    REQUIRE(p.messages.size() == 2);
    CHECK(p.messages[0] == "item a: a single point; too short for a model (naive forecast)");
    CHECK(p.messages[1] == "item b: all values missing; it can not be forecast from its own history");
    CHECK(p.series.size() == 3);
  }
  SUBCASE("an unknown dimension and a file without a timestamp") {
    const Panel p = Agg(LoadPrepared(kSeedSales), {"Colour"}, "D", AggMethod::Sum);
    CHECK(p.messages[0].find("unknown dimension 'Colour'") == 0);
    auto table = ParseCsvText("a,b\nx,1\n", "t.csv");
    CHECK_FALSE(ParseTarget(*table, {}).ok());
  }
}

TEST_CASE("forecast/fill: zero->null, middlefill/backfill methods, end-of-life and new items") {
  // The seed's plumbing department: sales, then blanks and zeros to the end.
  std::string csv = "timestamp,item_id,demand\n";
  const char* plumbing[] = {"5993", "4661", "5826", "", "5821", "6107", "", "", "", "0", "0", "0"};
  const char* bedding[] = {"37150", "31470", "34903", "36218", "0", "40453", "42204", "48364", "47920", "44887",
                           "45551", "41000"};
  for (int m = 0; m < 12; m++) {
    char ts[16];
    std::snprintf(ts, sizeof ts, "1991-%02d", m + 1);
    csv += std::string(ts) + ",plumbing," + plumbing[m] + "\n";
    csv += std::string(ts) + ",bedding," + bedding[m] + "\n";
    if (m >= 4) csv += std::string(ts) + ",towels,7\n";  // a new item
  }
  const TargetDataset d = LoadPrepared(csv);
  const Panel base = Agg(d, {"item_id"}, "M", AggMethod::Sum);
  const auto q = QualityReport(base);
  REQUIRE(q.size() == 3);
  CHECK(q[0].item_id == "bedding");
  CHECK_FALSE(q[0].end_of_life);
  CHECK(q[1].item_id == "plumbing");
  CHECK(q[1].end_of_life);
  CHECK(q[1].trailing == 6);
  CHECK(q[1].gaps == 2);  // April, and July-September before the zeros
  CHECK(q[1].longest_gap == 3);
  CHECK(q[1].zero_runs == 1);
  CHECK(q[1].longest_zero_run == 3);
  CHECK(q[2].is_new);
  CHECK(q[2].density == doctest::Approx(1.0));

  SUBCASE("defaults: zero middle and back fill, frontfill none") {
    Panel p = base;
    ApplyFill(&p, {});
    CHECK(p.series[1].values[3] == 0);
    CHECK(p.series[1].values[6] == 0);
    CHECK(std::isnan(p.series[2].values[0]));  // towels did not exist yet
    CHECK(ModelInput(p.series[2]).size() == 8);
  }
  SUBCASE("zero to null with median/nan fills; rolling statistics look back from the gap") {
    Panel p = base;
    FillOptions o;
    o.zero_to_null = true;
    ParseFill("median", &o.middle);
    ParseFill("nan", &o.back);
    ApplyFill(&p, o);
    CHECK(p.series[0].values[4] == doctest::Approx(35560.5));  // median of the 4 values before the zero
    CHECK(p.series[1].values[3] == 5826);  // median of 5993, 4661, 5826
    CHECK(std::isnan(p.series[1].values[8]));
  }
  SUBCASE("linear middlefill: a straight line across each gap; not a backfill or a related fill") {
    Panel p = base;
    FillOptions o;
    std::string err;
    REQUIRE(ParseFillFor("linear", kFillMiddle, &o.middle, &err));
    CHECK_FALSE(ParseFillFor("linear", kFillBack, &o.back, &err));
    CHECK_FALSE(ParseFillFor("linear", kFillRelated, &o.back, &err));
    ApplyFill(&p, o);
    CHECK(p.series[1].values[3] == doctest::Approx(5823.5));  // between 5826 and 5821
    CHECK(p.series[1].values[6] == doctest::Approx(4580.25));  // 6107 down to the zero in October
    CHECK(p.series[1].values[7] == doctest::Approx(3053.5));
    CHECK(p.series[1].values[8] == doctest::Approx(1526.75));
    CHECK(p.series[0].values[4] == 0);  // a real zero is not a gap
    CHECK(std::isnan(p.series[2].values[0]));  // frontfill none: no line before the first value
  }
  SUBCASE("value, mean, min, max") {
    Fill f;
    CHECK(ParseFill("value:3.5", &f));
    CHECK(f.kind == FillKind::Value);
    CHECK(f.value == 3.5);
    CHECK_FALSE(ParseFill("value:abc", &f));
    CHECK_FALSE(ParseFill("spline", &f));
    Panel p = base;
    FillOptions o;
    ParseFill("max", &o.middle);
    ApplyFill(&p, o);
    CHECK(p.series[1].values[3] == 5993);
  }
  SUBCASE("end of life: drop or null-fill") {
    Panel p = base;
    FillOptions o;
    o.eol = EolAction::Drop;
    const auto msgs = ApplyFill(&p, o);
    CHECK(p.series.size() == 2);
    CHECK(p.FindSeries("plumbing") < 0);
    CHECK(msgs[0].find("end-of-life item plumbing dropped") == 0);
    Panel n = base;
    o.eol = EolAction::Null;
    ApplyFill(&n, o);
    CHECK(std::isnan(n.series[1].values[11]));
    CHECK(n.series[1].values[5] == 6107);
  }
}

TEST_CASE("forecast/related and metadata: alignment, fills, limits, similar items") {
  const TargetDataset d = LoadPrepared("timestamp,product,sales,store\n2023-01-01,a,1,s1\n2023-01-02,a,2,s1\n2023-01-03,a,3,s1\n"
                               "2023-01-01,b,1,s1\n2023-01-03,b,1,s1\n");
  const Panel p = Agg(d, {"product"}, "D", AggMethod::Sum);
  auto rt = ParseCsvText("timestamp,product,store,price\n2023-01-01,a,s1,10\n2023-01-01,a,s2,20\n2023-01-03,a,s1,12\n"
                         "2023-01-02,b,s1,5\n",
                         "r.csv");
  auto rel = ParseRelated(*rt, {"product"});
  REQUIRE(rel.ok());
  CHECK(rel->feature_cols == std::vector<std::string>{"price"});
  std::vector<std::string> msgs;
  RelatedFill fill;
  ParseFill("value:1", &fill.future);
  const auto x = AlignRelated(*rel, p, 2, fill, &msgs);
  REQUIRE(x.size() == 2);
  REQUIRE(x[0].size() == 5);
  CHECK(x[0][0][0] == 15);   // the two stores averaged
  CHECK(x[0][1][0] == 15);   // middlefill median of the values before
  CHECK(x[0][2][0] == 12);
  CHECK(x[0][3][0] == 1);    // futurefill value:1
  CHECK(x[1][0][0] == 5);    // leading gap takes the first value

  std::string many = "timestamp,item";
  for (int i = 0; i < 14; i++) many += ",f" + std::to_string(i);
  auto mt = ParseCsvText(many + "\n", "m.csv");
  CHECK(ParseRelated(*mt, {"item"}).status().message() == "m.csv: no numeric feature columns");

  auto meta_t = ParseCsvText("product,category,color\na,bedding,white\nb,bath,white\nnew,bedding,white\nnew,x,y\n", "i.csv");
  auto meta = ParseMetadata(*meta_t);
  REQUIRE(meta.ok());
  CHECK(meta->errors.size() == 1);
  CHECK(meta->errors[0].find("i.csv:5: field product: 'new' repeats") == 0);
  CHECK(SimilarItems(*meta, "new", p) == std::vector<std::string>{"a", "b"});
}

TEST_CASE("forecast/guess: a dropped CSV is told apart by its columns: target, item series, time series, other") {
  auto guess = [](const std::string& text, std::string* why) {
    auto t = ParseCsvText(text, "x.csv");
    REQUIRE(t.ok());
    return GuessForecastCsv(*t, why);
  };
  std::string why;
  CHECK(guess(kSeedSales, &why) == CsvGuess::ForecastTarget);  // 01-Jan dates, Sales
  CHECK(why == "a date column 'Date', a target column 'Sales'");
  CHECK(guess("timestamp,item_id,target_value\n2023-01-01,a,3\n", &why) == CsvGuess::ForecastTarget);
  CHECK(why == "a date column 'timestamp', a target column 'target_value', an item column 'item_id'");
  // The demo's related series: dates, an item column and prices, no target.
  CHECK(guess("timestamp,product,store,price,promo\n2022-01-01,bath-towel,Store-1,12.00,0\n", &why) ==
        CsvGuess::ItemSeries);
  CHECK(why.find("an item column 'product' and 2 numeric column(s) but none named like a target") != std::string::npos);
  CHECK(guess("month,value\n1991-01,3\n1991-02,4\n", &why) == CsvGuess::TimeSeries);
  // Anomaly events with UNIX seconds and the feature store's customers: not forecast data.
  CHECK(guess("timestamp,value\n1622505600,20\n", &why) == CsvGuess::Other);
  CHECK(why.find("no column of dates") == 0);
  CHECK(guess("customer_id,event_time,age,city\nC0000,2024-03-01T10:24:59Z,41,Seattle\n", &why) != CsvGuess::ForecastTarget);
  CHECK(guess("product,category\nbath-towel,bath\n", &why) == CsvGuess::Other);  // item metadata
  CHECK(guess("date,sales\n2023-01-01,\n", &why) == CsvGuess::Other);             // no number to go on
}

TEST_CASE("forecast/aggregate: in slices of one row the panel and its messages equal one Aggregate call") {
  const TargetDataset d = LoadPrepared(std::string(kSeedSales) + "01-Jan,Product A,3,Store-1,Canada\n"  // a duplicate
                                                         "04-Jan,Product C,-2,Store-1,US\n");   // negative demand
  for (const char* freq : {"D", "W"}) {
    INFO(freq);
    AggregateOptions o;
    o.keep_all_dims = false;
    o.dims = {"Product ID", "nope"};
    std::string err;
    REQUIRE(ParseFrequency(freq, &o.freq, &err));
    const Panel whole = Aggregate(d, o);
    Aggregation a(d, o);
    int steps = 0;
    while (!a.Step(1)) steps++;
    CHECK(steps + 1 == int(d.time.size()));
    CHECK(a.Progress() == 1.f);
    const Panel sliced = a.Finish();
    CHECK(PanelToCsv(sliced) == PanelToCsv(whole));
    CHECK(sliced.messages == whole.messages);
    CHECK(sliced.length == whole.length);
    CHECK(sliced.first_bucket == whole.first_bucket);
    CHECK(whole.messages.size() >= 3);  // unknown dimension, duplicate, negative
    REQUIRE(sliced.series.size() == whole.series.size());
    for (size_t i = 0; i < whole.series.size(); i++) CHECK(sliced.series[i].rows == whole.series[i].rows);
  }
}

TEST_CASE("forecast/dates: the target parsed a row at a time equals ParseTarget, bad rows and all") {
  auto table = ParseCsvText(std::string(kSeedSales) + "32-Jan,Product A,1,Store-1,Canada\n01-Jan,Product A,x,Store-1,US\n"
                                                      "02-Jan,Product B\n2000-01-05,Product B,2,Store-1,US\n",
                            "sales.csv");
  REQUIRE(table.ok());
  auto whole = ParseTarget(*table, {});
  REQUIRE(whole.ok());
  TargetParser p(*table, {});
  int steps = 0;
  while (!p.Step(1)) steps++;
  CHECK(p.Progress() == 1.f);
  auto sliced = p.Finish();
  REQUIRE(sliced.ok());
  CHECK(steps + 1 == int(table->rows.size()));
  CHECK(sliced->time == whole->time);
  CHECK(sliced->dims == whole->dims);
  CHECK(sliced->line == whole->line);
  CHECK(sliced->errors == whole->errors);
  CHECK(sliced->bad_rows == 3);
  CHECK(sliced->format == whole->format);
  CHECK(sliced->errors.back().find("rows use another date format") != std::string::npos);
  auto none = ParseCsvText("a,b\nx,y\n", "none.csv");
  TargetParser q(*none, {});
  CHECK(q.Step(10));
  CHECK(q.Finish().status().message().rfind("none.csv: no timestamp column: none of its columns (", 0) == 0);
  CHECK(q.Finish().status().message().find("--") == std::string::npos);  // no CLI flag in a panel's message
}

TEST_CASE("forecast/related: the related series parsed a row at a time equals ParseRelated") {
  auto rt = ParseCsvText("timestamp,product,store,price,promo\n2023-01-01,a,s1,10,0\n2023-01-02,a,s1,12,0\n"
                         "2023-01-02,b,s2,5,1\nbad,b,s2,5,1\n2023-01-03,b\n2023-01-03,b,s1,,1\n",
                         "r.csv");
  REQUIRE(rt.ok());
  auto whole = ParseRelated(*rt, {"product"});
  REQUIRE(whole.ok());
  RelatedParser p(*rt, {"product"});
  int steps = 0;
  while (!p.Step(1)) steps++;
  CHECK(steps + 1 == int(rt->rows.size()));
  auto sliced = p.Finish();
  REQUIRE(sliced.ok());
  CHECK(sliced->key_cols == whole->key_cols);
  CHECK(sliced->keys == whole->keys);
  CHECK(sliced->time == whole->time);
  CHECK(sliced->errors == whole->errors);
  CHECK(sliced->bad_rows == 2);  // the date 'bad' and the short row
  CHECK(sliced->feature_cols == std::vector<std::string>{"price", "promo"});
  REQUIRE(sliced->features.size() == 4);
  CHECK(std::isnan(sliced->features[3][0]));  // a blank price stays missing
  CHECK(RelatedParser(*rt, {"country"}).Finish().status().message() ==
        "r.csv: no key column 'country' (the target's dimensions)");
}

TEST_CASE("forecast/fill methods: one table drives parsing, names and the choices per use") {
  for (auto& m : FillMethods()) {
    INFO(m.name);
    const std::string typed = m.kind == FillKind::Value ? std::string(m.name) + ":2.5" : m.name;
    Fill f;
    REQUIRE(ParseFill(typed, &f));
    CHECK(f.kind == m.kind);
    CHECK(FillName(f) == typed);
    CHECK(std::string(m.help).size() > 5);
    for (FillUse use : {kFillMiddle, kFillBack, kFillRelated}) {
      std::string err;
      CHECK(ParseFillFor(typed, use, &f, &err) == ((m.uses & use) != 0));
      if (!(m.uses & use)) CHECK(err.find("is not allowed") != std::string::npos);
    }
  }
  CHECK(JoinChoices(FillChoices(kFillRelated)) == "zero|value:X|median|mean|min|max");
  CHECK(JoinChoices(FillChoices(kFillBack)) == "zero|nan|value:X|median|mean|min|max");
  Fill f;
  std::string err;
  CHECK_FALSE(ParseFillFor("value:nan", kFillMiddle, &f, &err));  // a fill must be a number
  CHECK_FALSE(ParseFillFor("spline", kFillMiddle, &f, &err));
  CHECK(err.find("'spline' is not a fill method (zero, nan, value:X") == 0);
}
