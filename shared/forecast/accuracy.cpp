#include "forecast/accuracy.h"

#include <chrono>
#include <cstdio>
#include <cmath>

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

void Backtest::RunOne(size_t mi, size_t si, int w) {
  const BacktestSeries& s = series_[si];
  const size_t n = s.values.size();
  const size_t cut_back = size_t(opt_.offset) * size_t(w + 1);
  if (n < size_t(opt_.offset) * size_t(opt_.windows) + 3) return;
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
  ModelSpec spec{opt_.models[mi], opt_.period, opt_.seed + si * 31 + size_t(w), 400};
  WindowForecast wf;
  wf.series = si;
  wf.window = w;
  wf.start = train_n;
  if (spec.kind == ModelKind::EtsX && !s.related.empty()) {
    std::vector<std::vector<double>> x(s.related.begin(), s.related.begin() + long(std::min(s.related.size(), train_n + size_t(h))));
    wf.forecast = FitPredictWithRelated(train, x, spec, h, opt_.levels).forecast;
  } else {
    wf.forecast = FitPredict(train, spec, h, opt_.levels);
  }
  const double scale = MaseScale(train, opt_.period);
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
    RunOne(mi, si, w);
    results_[mi].seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
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

}  // namespace fk::forecast
