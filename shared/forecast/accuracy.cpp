#include "forecast/accuracy.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "core/strings.h"
#include "forecast/prepare.h"

namespace fk::forecast {

double Smape(const std::vector<double>& actual, const std::vector<double>& forecast) {
  double s = 0;
  size_t n = 0;
  for (size_t i = 0; i < actual.size() && i < forecast.size(); i++) {
    if (std::isnan(actual[i])) continue;
    const double den = std::fabs(actual[i]) + std::fabs(forecast[i]);
    s += den > 0 ? 200.0 * std::fabs(actual[i] - forecast[i]) / den : 0.0;
    n++;
  }
  return n ? s / double(n) : 0.0;
}

double MaseScale(const std::vector<double>& history, int period) {
  const size_t m = size_t(period < 1 ? 1 : period);
  double s = 0;
  size_t n = 0;
  for (size_t t = m; t < history.size(); t++) {
    if (std::isnan(history[t]) || std::isnan(history[t - m])) continue;
    s += std::fabs(history[t] - history[t - m]);
    n++;
  }
  if (n == 0 && m > 1) return MaseScale(history, 1);  // too short for a season: naive scale
  return n ? s / double(n) : 0.0;
}

void MetricSums::Add(double y, double mean, const std::vector<double>& q, double mase_scale) {
  if (std::isnan(y)) return;  // nan-filled actuals are not scored (Amazon Forecast does the same)
  if (pinball.size() < levels.size()) pinball.assign(levels.size(), 0.0);
  for (size_t i = 0; i < levels.size() && i < q.size(); i++) {
    const double tau = levels[i], d = y - q[i];
    pinball[i] += d >= 0 ? tau * d : (tau - 1) * d;
  }
  const double e = y - mean;
  abs_y += std::fabs(y);
  abs_err += std::fabs(e);
  sq_err += e * e;
  points++;
  if (y != 0) ape += std::fabs(e / y), ape_points++;
  if (mase_scale > 0) scaled += std::fabs(e) / mase_scale, scaled_points++;
}

void MetricSums::Merge(const MetricSums& o) {
  if (levels.empty()) levels = o.levels;
  if (pinball.size() < o.pinball.size()) pinball.resize(o.pinball.size(), 0.0);
  for (size_t i = 0; i < o.pinball.size(); i++) pinball[i] += o.pinball[i];
  abs_y += o.abs_y, abs_err += o.abs_err, sq_err += o.sq_err, ape += o.ape, scaled += o.scaled;
  points += o.points, ape_points += o.ape_points, scaled_points += o.scaled_points;
}

Metrics Finish(const MetricSums& s) {
  Metrics m;
  m.levels = s.levels;
  m.points = s.points;
  m.wql.assign(s.levels.size(), 0.0);
  for (size_t i = 0; i < s.levels.size() && i < s.pinball.size(); i++)
    m.wql[i] = s.abs_y > 0 ? 2 * s.pinball[i] / s.abs_y : 0.0;
  for (double w : m.wql) m.avg_wql += w / double(m.wql.size());
  m.wape = s.abs_y > 0 ? s.abs_err / s.abs_y : 0.0;
  m.rmse = s.points ? std::sqrt(s.sq_err / double(s.points)) : 0.0;
  m.mape = s.ape_points ? s.ape / double(s.ape_points) : 0.0;
  m.mase = s.scaled_points ? s.scaled / double(s.scaled_points) : 0.0;
  return m;
}

std::string ValidateBacktestOptions(const BacktestOptions& o) {
  if (o.horizon < 1) return "horizon must be at least 1";
  if (o.windows < 1 || o.windows > 5) return "backtest windows must be 1..5, got " + std::to_string(o.windows);
  const int off = o.offset ? o.offset : o.horizon;
  if (off < o.horizon)
    return "backtest offset " + std::to_string(off) + " is shorter than the horizon " + std::to_string(o.horizon);
  if (o.levels.empty() || o.levels.size() > 5) return "choose 1 to 5 quantiles";
  for (double q : o.levels)
    if (!(q >= 0.01 && q <= 0.99)) return "quantile " + std::to_string(q) + " is outside 0.01..0.99";
  if (o.models.empty()) return "choose at least one model";
  return "";
}

bool ParseForecastTypes(const std::string& text, std::vector<double>* levels, bool* mean, std::string* error) {
  std::vector<double> out;
  bool with_mean = false;
  for (const std::string& raw : SplitList(text)) {
    const std::string t = Lower(Trim(raw));
    if (t.empty()) continue;
    if (t == "mean") {
      with_mean = true;
      continue;
    }
    std::string num = t;
    double scale = 1;
    if (num[0] == 'p') num.erase(0, 1), scale = 0.01;          // p10
    else if (num.back() == '%') num.pop_back(), scale = 0.01;  // 10%
    double q = 0;
    if (!ParseNumber(num, &q) || !(q * scale >= 0.01 && q * scale <= 0.99)) {
      *error = "'" + Trim(raw) + "' is not a quantile in 0.01..0.99 (or mean)";
      return false;
    }
    out.push_back(std::round(q * scale * 1e4) / 1e4);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (out.empty()) {
    *error = "choose at least one quantile (0.01..0.99); mean alone has no wQL to score";
    return false;
  }
  if (out.size() > 5) {
    *error = "at most 5 quantiles (got " + std::to_string(out.size()) + "), plus mean";
    return false;
  }
  *levels = std::move(out);
  *mean = with_mean;
  return true;
}

std::string ForecastTypesName(const std::vector<double>& levels, bool mean) {
  std::string out;
  char b[32];
  for (double q : levels) {
    std::snprintf(b, sizeof b, "%s%g", out.empty() ? "" : ",", q);
    out += b;
  }
  if (mean) out += out.empty() ? "mean" : ",mean";
  return out;
}

Backtest::Backtest(std::vector<BacktestSeries> series, BacktestOptions options)
    : series_(std::move(series)), opt_(std::move(options)) {
  if (!opt_.offset) opt_.offset = opt_.horizon;
  results_.resize(opt_.models.size());
  sums_.assign(opt_.models.size(), std::vector<MetricSums>(size_t(opt_.windows)));
  for (size_t i = 0; i < opt_.models.size(); i++) {
    results_[i].model = opt_.models[i];
    for (auto& s : sums_[i]) s.levels = opt_.levels;
  }
  for (auto& s : series_) {
    const size_t need = size_t(opt_.offset) * size_t(opt_.windows) + 3;
    if (s.values.size() < need)
      warnings.push_back(s.id + ": " + std::to_string(s.values.size()) + " points, fewer than the " +
                         std::to_string(need) + " the backtest windows need; skipped");
  }
  total_ = opt_.models.size() * series_.size() * size_t(opt_.windows);
}

Backtest::~Backtest() = default;

bool Backtest::StartOne(size_t mi, size_t si, int w) {
  const BacktestSeries& s = series_[si];
  const size_t n = s.values.size();
  const size_t cut_back = size_t(opt_.offset) * size_t(w + 1);
  if (n < size_t(opt_.offset) * size_t(opt_.windows) + 3) return false;
  const size_t train_n = n - cut_back;
  // Models need gap-free history: the caller fills; NaNs left (nan fill) are
  // carried forward here so a fit never sees them.
  std::vector<double> train(s.values.begin(), s.values.begin() + long(train_n));
  double last = NAN;
  for (auto& v : train) {
    if (std::isnan(v)) v = std::isnan(last) ? 0.0 : last;
    last = v;
  }
  const int h = std::min<int>(opt_.horizon, int(n - train_n));
  const ModelSpec spec{opt_.models[mi], opt_.period, opt_.seed + si * 31 + size_t(w), 400};
  if (spec.kind == ModelKind::EtsX && !s.related.empty()) {
    std::vector<std::vector<double>> x(s.related.begin(),
                                       s.related.begin() + long(std::min(s.related.size(), train_n + size_t(h))));
    task_ = std::make_unique<ForecastTask>(std::move(train), std::move(x), spec, h, opt_.levels);
  } else {
    task_ = std::make_unique<ForecastTask>(std::move(train), spec, h, opt_.levels);
  }
  task_train_n_ = train_n;
  return true;
}

void Backtest::FinishOne(size_t mi, size_t si, int w) {
  const BacktestSeries& s = series_[si];
  const size_t train_n = task_train_n_;
  WindowForecast wf;
  wf.series = si;
  wf.window = w;
  wf.start = train_n;
  wf.forecast = task_->result();
  task_.reset();
  std::vector<double> train(s.values.begin(), s.values.begin() + long(train_n));
  double last = NAN;
  for (auto& v : train) {  // the same carried-forward history the model saw
    if (std::isnan(v)) v = std::isnan(last) ? 0.0 : last;
    last = v;
  }
  const double scale = MaseScale(train, opt_.period);
  const int h = int(wf.forecast.mean.size());
  std::vector<double> q(opt_.levels.size());
  for (int j = 0; j < h; j++) {
    for (size_t k = 0; k < q.size(); k++) q[k] = wf.forecast.quantiles[k][size_t(j)];
    sums_[mi][size_t(w)].Add(s.values[train_n + size_t(j)], wf.forecast.mean[size_t(j)], q, scale);
  }
  results_[mi].forecasts.push_back(std::move(wf));
}

bool Backtest::Step(double budget_ms) {
  const auto t0 = std::chrono::steady_clock::now();
  const size_t per_model = series_.size() * size_t(opt_.windows);
  while (done_ < total_) {
    const size_t mi = done_ / per_model, rest = done_ % per_model;
    const size_t si = rest / size_t(opt_.windows);
    const int w = int(rest % size_t(opt_.windows));
    const auto s0 = std::chrono::steady_clock::now();
    bool finished = true;
    if (task_ || StartOne(mi, si, w)) {
      finished = task_->Step();
      if (finished) FinishOne(mi, si, w);
    }
    results_[mi].seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
    if (finished) {
      done_++;
      if (done_ % per_model == 0 || done_ == total_) {
        MetricSums all;
        all.levels = opt_.levels;
        results_[mi].per_window.clear();
        for (auto& ws : sums_[mi]) {
          results_[mi].per_window.push_back(Finish(ws));
          all.Merge(ws);
        }
        results_[mi].overall = Finish(all);
      }
    }
    if (std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() >= budget_ms) break;
  }
  return Done();
}

std::string Backtest::RelatedVerdict() const {
  const ModelAccuracy* ets = nullptr;
  const ModelAccuracy* etsx = nullptr;
  for (auto& r : results_) {
    if (r.model == ModelKind::Ets) ets = &r;
    if (r.model == ModelKind::EtsX) etsx = &r;
  }
  if (!ets || !etsx || !Done()) return "";
  const bool helpful = etsx->overall.avg_wql < ets->overall.avg_wql;
  char buf[160];
  std::snprintf(buf, sizeof buf, "related time series %s: avg wQL %.4f with vs %.4f without",
                helpful ? "helpful" : "not helpful", etsx->overall.avg_wql, ets->overall.avg_wql);
  return buf;
}

// [SECTION] scoring a forecast file against actuals

namespace {

// (item, time) -> value from a timestamp,item_id,value table (prepare's output).
Status ReadActuals(const CsvTable& table, const char* role, std::map<std::pair<std::string, int64_t>, double>* out,
                   std::vector<std::string>* messages) {
  auto parsed = ParseTarget(table, {});
  if (!parsed) return parsed.status();
  const TargetDataset& d = *parsed;
  for (auto& e : d.errors) messages->push_back(e);
  if (d.dim_cols.size() != 1)
    return Status::Error(table.name + ": the " + std::string(role) +
                         " file needs exactly the columns timestamp,item_id,value (the output of forecast prepare); "
                         "found " + std::to_string(d.dim_cols.size()) + " dimension columns");
  for (size_t r = 0; r < d.time.size(); r++) {
    const auto key = std::make_pair(d.dims[r][0], d.time[r]);
    if (out->count(key))
      messages->push_back(table.name + ":" + std::to_string(d.line[r]) + ": item " + key.first + " at " +
                          FormatDate(key.second, d.format) + " appears again; the later row is used");
    (*out)[key] = d.value[r];
  }
  return Status::Ok();
}

bool ParseNumberCell(const std::string& s, double* v) {
  if (s.empty()) return false;
  char* end = nullptr;
  *v = std::strtod(s.c_str(), &end);
  return end && *end == 0 && std::isfinite(*v);
}

}  // namespace

Result<EvalResult> EvaluateForecastTable(const CsvTable& actual_table, const CsvTable& ft, const CsvTable* history,
                                         const Frequency& freq, int period) {
  EvalResult r;
  std::map<std::pair<std::string, int64_t>, double> actual, hist;
  if (Status st = ReadActuals(actual_table, "actual", &actual, &r.messages); !st) return st;
  if (actual.empty()) return Status::Error(actual_table.name + ": no actual values to score against");
  const auto& hdr = ft.header;
  if (hdr.size() < 3 || hdr[0] != "item_id" || hdr[1] != "timestamp" || hdr[2] != "mean")
    return Status::Error(ft.name + ":1: expected the header item_id,timestamp,mean[,p10,...] (the output of forecast fit)");
  std::vector<double> levels;
  for (size_t c = 3; c < hdr.size(); c++) {
    double pct = 0;
    if (hdr[c].size() < 2 || hdr[c][0] != 'p' || !ParseNumberCell(hdr[c].substr(1), &pct) || !(pct > 0 && pct < 100))
      return Status::Error(ft.name + ":1: column " + std::to_string(c + 1) + " '" + hdr[c] +
                           "' is not a quantile column pNN (0 < NN < 100)");
    levels.push_back(pct / 100);
  }
  // Each item's MASE scale from its history, in time order.
  std::map<std::string, double> scale;
  if (history) {
    if (Status st = ReadActuals(*history, "history", &hist, &r.messages); !st) return st;
    // Map order is by item, then time: each item's rows are consecutive. Rows
    // land in their bucket of freq; dates absent from the file stay NaN.
    std::map<std::string, std::vector<std::pair<int64_t, double>>> series;
    for (auto& [key, v] : hist) series[key.first].push_back({BucketOf(key.second, freq), v});
    for (auto& [item, pts] : series) {
      const int64_t first = pts.front().first, span = pts.back().first - first + 1;
      if (span > int64_t(50'000'000)) {
        r.messages.push_back("item " + item + ": history spans " + std::to_string(span) + " buckets of " +
                             freq.Name() + "; left out of MASE");
        continue;
      }
      std::vector<double> grid(size_t(span), std::nan(""));
      size_t shared = 0;
      for (auto& [b, v] : pts) {
        double& cell = grid[size_t(b - first)];
        shared += !std::isnan(cell);
        cell = v;
      }
      if (shared)
        r.messages.push_back("item " + item + ": " + std::to_string(shared) + " history rows share a " + freq.Name() +
                             " bucket with an earlier row (is --freq the history's frequency?); the later is used");
      scale[item] = MaseScale(grid, period);
    }
  }
  MetricSums sums;
  sums.levels = levels;
  std::map<std::string, bool> items;
  std::vector<double> q(levels.size());
  for (size_t row = 0; row < ft.rows.size(); row++) {
    const auto& cells = ft.rows[row];
    const std::string where = ft.name + ":" + std::to_string(ft.lines[row]);
    if (cells.size() != hdr.size()) {
      r.messages.push_back(where + ": " + std::to_string(cells.size()) + " fields, expected " +
                           std::to_string(hdr.size()) + "; skipped");
      continue;
    }
    int64_t ts;
    DateFormat fmt;
    if (!ParseDate(cells[1], &ts, &fmt)) {
      r.messages.push_back(where + ": field timestamp: '" + cells[1] + "' is not a date; skipped");
      continue;
    }
    double mean = 0;
    bool bad = !ParseNumberCell(cells[2], &mean);
    size_t bad_col = 2;
    for (size_t c = 3; c < cells.size() && !bad; c++)
      if (!ParseNumberCell(cells[c], &q[c - 3])) bad = true, bad_col = c;
    if (bad) {
      r.messages.push_back(where + ": field " + hdr[bad_col] + ": '" + cells[bad_col] + "' is not a number; skipped");
      continue;
    }
    auto it = actual.find({cells[0], ts});
    if (it == actual.end()) {
      r.unmatched_forecasts++;
      continue;
    }
    double sc = 0;
    if (history) {
      auto jt = scale.find(cells[0]);
      if (jt == scale.end() || !(jt->second > 0)) {
        if (!items.count(cells[0]))
          r.messages.push_back("item " + cells[0] + ": no history (or a constant one) in " + history->name +
                               "; left out of MASE");
      } else {
        sc = jt->second;
      }
    }
    items[cells[0]] = true;
    if (!std::isnan(it->second)) r.matched++;
    sums.Add(it->second, mean, q, sc);
  }
  if (r.matched == 0)
    return Status::Error("no forecast row of " + ft.name + " has an actual value in " + actual_table.name + " (" +
                         std::to_string(ft.rows.size()) + " forecast rows, " + std::to_string(actual.size()) +
                         " actual rows): items and timestamps must overlap; hold out the last points of the data "
                         "(forecast prepare --holdout H) and fit on the rest");
  r.items = items.size();
  r.metrics = Finish(sums);
  r.has_mase = history && sums.scaled_points > 0;
  return r;
}

// [SECTION] "best" on an in-sample holdout

ModelSelection SelectModelOnHoldout(const std::vector<std::vector<double>>& histories, int period, int holdout,
                                    const std::function<void(size_t, size_t)>& progress,
                                    const SelectionOptions& options) {
  const ModelKind kinds[] = {ModelKind::SeasonalNaive, ModelKind::Theta, ModelKind::Ets, ModelKind::Comb};
  ModelSelection sel;
  sel.holdout = holdout;
  sel.windows = std::max(1, options.windows);
  sel.step = options.step > 0 ? options.step : std::max(1, holdout / 3);
  sel.window_count.assign(size_t(sel.windows), 0);
  sel.window_smape.assign(size_t(sel.windows), std::vector<double>(4, 0.0));
  double sum[4] = {0, 0, 0, 0};
  for (size_t i = 0; i < histories.size(); i++) {
    const auto& y = histories[i];
    bool used = false;
    for (int w = 0; w < sel.windows && holdout >= 1; w++) {
      const size_t end_back = size_t(w) * size_t(sel.step);  // points after the window
      if (y.size() < size_t(holdout) + end_back + 3) break;   // later windows need even more
      const auto end = y.end() - long(end_back);
      std::vector<double> fit(y.begin(), end - holdout), held(end - holdout, end);
      const ModelSpec spec{ModelKind::Comb, period, 7, 0};
      ForecastTask comb(fit, spec, holdout, {});  // one ETS selection gives ets, theta and comb
      while (!comb.Step()) {
      }
      const Forecast naive = FitPredict(fit, ModelSpec{ModelKind::SeasonalNaive, period, 7, 0}, holdout, {});
      const std::vector<double>* f[4] = {&naive.mean, &comb.parts()[1].mean, &comb.parts()[0].mean,
                                         &comb.result().mean};
      for (int k = 0; k < 4; k++) {
        const double e = Smape(held, *f[k]);
        sum[k] += e;
        sel.window_smape[size_t(w)][size_t(k)] += e;
      }
      sel.window_count[size_t(w)]++;
      sel.windows_used++;
      used = true;
    }
    if (used) sel.series_used++;
    if (progress) progress(i + 1, histories.size());
  }
  for (size_t w = 0; w < sel.window_smape.size(); w++)
    for (double& v : sel.window_smape[w]) v = sel.window_count[w] ? v / double(sel.window_count[w]) : 0.0;
  size_t best = 3;  // Comb when no history is long enough
  for (size_t k = 0; k < 4; k++) {
    const double mean = sel.windows_used ? sum[k] / double(sel.windows_used) : 0.0;
    sel.smape.emplace_back(kinds[k], mean);
  }
  if (sel.windows_used) {
    best = 0;
    for (size_t k = 1; k < 4; k++)
      if (sel.smape[k].second < sel.smape[best].second) best = k;
  }
  sel.chosen = kinds[best];
  return sel;
}

}  // namespace fk::forecast
