// Forecast CSVs (Forecasts panel, `fieldkit-cli forecast`): the target series
// through the panel's whole path (CSV in slices, file routing, rows in
// slices, aggregation at the chosen frequency and the coarser chart levels,
// quality, fills, holdout, CSV export); the related series and the item
// metadata against a fixed small target panel; the forecast-types field (the
// panel's, `forecast ... --quantiles`) through a backtest and the export's columns.
#include <cmath>
#include <cstdio>
#include <limits>

#include "../fuzz_target.h"
#include "forecast/accuracy.h"
#include "forecast/dataset.h"
#include "forecast/prepare.h"

namespace fk::fuzz {
namespace {

std::string_view Text(const uint8_t* data, size_t size) { return {reinterpret_cast<const char*>(data), size}; }

// The CSV parsed in one call and in slices of 7 lines must be the same table.
Result<forecast::CsvTable> ParseBothWays(std::string_view text, const std::string& name, Outcome* o) {
  auto whole = forecast::ParseCsvText(text, name);
  forecast::CsvTable sliced;
  sliced.name = name;
  size_t pos = 0, line = 0;
  while (!forecast::ParseCsvChunk(text, &pos, &line, 7, &sliced)) {
  }
  if (whole) {
    o->Check(whole->header == sliced.header && whole->rows == sliced.rows && whole->lines == sliced.lines,
             "ParseCsvChunk in slices differs from ParseCsvText");
  } else {
    o->Check(sliced.header.empty(), "ParseCsvText failed where ParseCsvChunk found a header");
  }
  return whole;
}

void CheckPanel(const forecast::Panel& p, Outcome* o) {
  for (const forecast::PanelSeries& s : p.series) {
    o->Check(s.values.size() == p.length && s.rows.size() == p.length && s.dims.size() == p.dim_names.size(),
             "panel series '" + s.item_id + "' does not match the grid");
    if (!o->broken.empty()) return;
  }
}

// The target panel the related series and metadata are aligned with: three
// items over five weeks, like the bundled sales.csv.
const forecast::Panel& FixedPanel() {
  static const forecast::Panel panel = [] {
    std::string csv = "timestamp,product,sales,store\n";
    const char* items[] = {"bath-towel", "bed-sheet", "mug"};
    for (int d = 1; d <= 35; d++)
      for (int i = 0; i < 3; i++) {
        char row[96];
        std::snprintf(row, sizeof row, "2022-%02d-%02d,%s,%d,Store-%d\n", d <= 31 ? 1 : 2, d <= 31 ? d : d - 31,
                      items[i], (d * 7 + i * 13) % 40, 1 + (d + i) % 2);
        csv += row;
      }
    auto table = forecast::ParseCsvText(csv, "sales.csv");
    auto target = forecast::ParseTarget(*table, {});
    forecast::AggregateOptions ao;
    ao.keep_all_dims = false;
    ao.dims = {"product"};
    return forecast::Aggregate(*target, ao);
  }();
  return panel;
}

}  // namespace

Outcome ForecastTarget(const uint8_t* data, size_t size) {
  Outcome o;
  auto table = ParseBothWays(Text(data, size), "sales.csv", &o);
  if (!table) {
    o.Set(table.status());
    return o;
  }
  // Routing a dropped file reads its first 20 lines.
  forecast::CsvTable head = *table;
  if (head.rows.size() > 19) head.rows.resize(19), head.lines.resize(19);
  std::string why;
  forecast::GuessForecastCsv(head, &why);

  auto target = forecast::ParseTarget(*table, {});
  forecast::TargetParser rows(*table, {});
  while (!rows.Step(5)) {
  }
  auto sliced = rows.Finish();
  o.Check(target.ok() == sliced.ok(), "TargetParser in slices and ParseTarget disagree");
  if (!target) {
    o.Set(target.status());
    return o;
  }
  if (sliced) {
    o.Check(sliced->time == target->time && sliced->dims == target->dims && sliced->errors == target->errors &&
                sliced->value.size() == target->value.size(),
            "TargetParser in slices converts other rows than ParseTarget");
  }
  const size_t n = target->time.size();
  o.Check(target->value.size() == n && target->dims.size() == n && target->line.size() == n,
          "target columns of different lengths");
  if (!o.broken.empty()) return o;

  // The panel's defaults: daily, keep the first dimension, sum.
  forecast::AggregateOptions ao;
  ao.keep_all_dims = false;
  if (!target->dim_cols.empty()) ao.dims.push_back(target->dim_cols[0]);
  forecast::Panel panel = forecast::Aggregate(*target, ao);
  CheckPanel(panel, &o);
  forecast::Aggregation agg(*target, ao);
  while (!agg.Step(7)) {
  }
  const forecast::Panel stepped = agg.Finish();
  o.Check(forecast::PanelToCsv(stepped) == forecast::PanelToCsv(panel) && stepped.messages == panel.messages,
          "Aggregation in slices differs from Aggregate");
  // The chart's coarser levels.
  for (const char* level : {"M", "Y"}) {
    forecast::AggregateOptions lo = ao;
    std::string err;
    forecast::ParseFrequency(level, &lo.freq, &err);
    CheckPanel(forecast::Aggregate(*target, lo), &o);
  }
  forecast::QualityReport(panel);
  forecast::FillOptions fo;
  fo.zero_to_null = true;
  fo.middle = {forecast::FillKind::Median, 0};
  fo.eol = forecast::EolAction::Null;
  forecast::ApplyFill(&panel, fo);
  CheckPanel(panel, &o);
  for (const forecast::PanelSeries& s : panel.series) forecast::ModelInput(s);
  if (panel.length > 1) {
    const size_t before = panel.length;
    forecast::Panel held = forecast::SplitHoldout(&panel, 1);
    o.Check(held.length == 1 && panel.length == before - 1, "SplitHoldout kept the wrong lengths");
    CheckPanel(held, &o);
    CheckPanel(panel, &o);
  }
  forecast::PanelToCsv(panel);
  o.ok = true;
  return o;
}

Outcome ForecastRelated(const uint8_t* data, size_t size) {
  Outcome o;
  auto table = ParseBothWays(Text(data, size), "related.csv", &o);
  if (!table) {
    o.Set(table.status());
    return o;
  }
  const forecast::Panel& panel = FixedPanel();
  std::vector<std::string> keys;  // the panel's RelatedKeys: target dims present in the file
  for (auto& d : std::vector<std::string>{"product", "store"})
    for (auto& h : table->header)
      if (h == d) keys.push_back(d);
  auto related = forecast::ParseRelated(*table, keys);
  forecast::RelatedParser rows(*table, keys);
  while (!rows.Step(5)) {
  }
  auto sliced = rows.Finish();
  o.Check(related.ok() == sliced.ok(), "RelatedParser in slices and ParseRelated disagree");
  if (!related) {
    o.Set(related.status());
    return o;
  }
  if (sliced)
    o.Check(sliced->time == related->time && sliced->keys == related->keys && sliced->errors == related->errors,
            "RelatedParser in slices converts other rows than ParseRelated");
  const size_t k = related->feature_cols.size();
  for (size_t i = 0; i < related->time.size(); i++)
    o.Check(related->keys[i].size() == related->key_cols.size() && related->features[i].size() == k,
            "related row " + std::to_string(i) + " has the wrong number of keys or features");
  if (!o.broken.empty()) return o;
  forecast::RelatedFill fill;
  fill.back = {forecast::FillKind::Max, 0};
  fill.future = {forecast::FillKind::Value, 0};
  std::vector<std::string> messages;
  const int horizon = 7;
  auto aligned = forecast::AlignRelated(*related, panel, horizon, fill, &messages);
  o.Check(aligned.size() == panel.series.size(), "AlignRelated: one block per series");
  for (auto& series : aligned) {
    o.Check(series.size() == panel.length + horizon, "AlignRelated: one row per bucket and horizon step");
    for (auto& bucket : series) {
      o.Check(bucket.size() == k, "AlignRelated: one value per feature");
      for (double v : bucket) o.Check(std::isfinite(v), "AlignRelated left a value that is not finite");
      if (!o.broken.empty()) return o;
    }
  }
  forecast::RelatedToCsv(panel, *related, aligned);
  o.ok = true;
  return o;
}

Outcome ForecastMetadata(const uint8_t* data, size_t size) {
  Outcome o;
  auto table = ParseBothWays(Text(data, size), "items.csv", &o);
  if (!table) {
    o.Set(table.status());
    return o;
  }
  auto meta = forecast::ParseMetadata(*table);
  if (!meta) {
    o.Set(meta.status());
    return o;
  }
  const forecast::Panel& panel = FixedPanel();
  for (auto& [item, fields] : meta->items) {
    o.Check(fields.size() == meta->fields.size(), "metadata item '" + item + "' has the wrong number of fields");
    for (const std::string& s : forecast::SimilarItems(*meta, item, panel))
      o.Check(s != item && panel.FindSeries(s) >= 0, "SimilarItems returned '" + s + "'");
  }
  o.ok = true;
  return o;
}

// The panel's forecast-types field: parsed, written back and parsed again,
// then as the panel uses it: the backtest's levels (a short fixed series,
// scored at every level) and the export's columns (p10, p50...), which must
// read back as the same levels.
Outcome ForecastTypes(const uint8_t* data, size_t size) {
  Outcome o;
  const std::string text(Text(data, size));
  std::vector<double> levels;
  bool mean = false;
  std::string error;
  if (!forecast::ParseForecastTypes(text, &levels, &mean, &error)) {
    o.message = error;
    o.Check(!error.empty(), "refused without a message");
    return o;
  }
  o.Check(!levels.empty() && levels.size() <= 5, "not 1 to 5 quantiles");
  for (size_t i = 0; i < levels.size(); i++)
    o.Check(levels[i] >= 0.01 && levels[i] <= 0.99 && (i == 0 || levels[i - 1] < levels[i]),
            "levels outside 0.01..0.99, unsorted or repeated");
  const std::string name = forecast::ForecastTypesName(levels, mean);
  std::vector<double> again;
  bool mean_again = false;
  o.Check(forecast::ParseForecastTypes(name, &again, &mean_again, &error) && again == levels && mean_again == mean,
          "'" + name + "' does not read back as the same types");
  std::string columns;
  char b[64];
  for (double q : levels) {
    std::snprintf(b, sizeof b, "%sp%g", columns.empty() ? "" : ",", q * 100);
    columns += b;
  }
  o.Check(forecast::ParseForecastTypes(columns, &again, &mean_again, &error) && again == levels,
          "the export's columns '" + columns + "' do not read back as the levels");
  forecast::BacktestOptions bo;
  bo.levels = levels;
  bo.horizon = 4;
  bo.period = 4;
  bo.models = {forecast::ModelKind::SeasonalNaive, forecast::ModelKind::Theta};  // quick fits: the levels are under test
  o.Check(forecast::ValidateBacktestOptions(bo).empty(), "the backtest refuses the levels: " + forecast::ValidateBacktestOptions(bo));
  if (!o.broken.empty()) return o;
  forecast::BacktestSeries s{"mug", {}, {}};
  for (int i = 0; i < 24; i++) s.values.push_back(10 + (i % 4) * 3 + (i % 7));
  forecast::Backtest bt({s}, bo);
  while (!bt.Step(1.0)) {
  }
  for (const forecast::ModelAccuracy& r : bt.results()) {
    o.Check(r.overall.wql.size() == levels.size(), "a wQL per level missing");
    for (double w : r.overall.wql) o.Check(std::isfinite(w) && w >= 0, "a wQL that is not a finite non-negative number");
    for (const forecast::WindowForecast& f : r.forecasts)
      o.Check(f.forecast.quantiles.size() == levels.size(), "a forecast without one series per level");
  }
  o.ok = true;
  return o;
}

}  // namespace fk::fuzz
