// Index
// [SECTION] helpers: normal quantile, Nelder-Mead, decomposition
// [SECTION] ETS
// [SECTION] Theta
// [SECTION] seasonal naive, Comb, dispatch
// [SECTION] regression with ETS errors
#include "forecast/models.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/linalg.h"
#include "core/rng.h"

namespace fk::forecast {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

const std::vector<ModelInfo>& Models() {
  static const std::vector<ModelInfo> kModels = {
      {ModelKind::SeasonalNaive, "snaive", "seasonal naive", "the value one season back (the baseline)", false},
      {ModelKind::Ets, "ets", "ETS (AICc)", "exponential smoothing, AICc over R's 15-model family", false},
      {ModelKind::Theta, "theta", "Theta", "the M3 standard: drift plus simple exponential smoothing", false},
      {ModelKind::Comb, "comb", "Comb", "mean of ets, theta and damped ets", false},
      {ModelKind::EtsX, "etsx", "ETS + related", "regression on the related series with ETS errors", true},
  };
  return kModels;
}

const ModelInfo& ModelInfoOf(ModelKind k) {
  for (const ModelInfo& m : Models())
    if (m.kind == k) return m;
  return Models().front();  // unreachable: every kind has a row (tests/forecast)
}

const char* ModelName(ModelKind k) { return ModelInfoOf(k).name; }

bool ParseModelKind(const std::string& name, ModelKind* out) {
  for (const ModelInfo& m : Models())
    if (name == m.name) {
      *out = m.kind;
      return true;
    }
  return false;
}

std::vector<ModelKind> AllModels() {
  std::vector<ModelKind> out;
  for (const ModelInfo& m : Models())
    if (!m.related) out.push_back(m.kind);
  return out;
}

std::vector<std::string> ModelChoices(bool with_related) {
  std::vector<std::string> out;
  for (const ModelInfo& m : Models())
    if (with_related || !m.related) out.push_back(m.name);
  return out;
}

// [SECTION] helpers: normal quantile, Nelder-Mead, decomposition

double NormalQuantile(double p) {
  if (p <= 0) return -kInf;
  if (p >= 1) return kInf;
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                             1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  const double pl = 0.02425;
  if (p < pl) {
    const double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - pl) return -NormalQuantile(1 - p);
  const double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

namespace {

// Nelder-Mead on the unit box (points are clamped), enough for 1-4 smoothing
// parameters; stops when the simplex values agree or after max_evals.
template <typename F>
std::vector<double> NelderMead(F f, std::vector<double> x0, double step, int max_evals, double* fbest) {
  const size_t n = x0.size();
  auto clamp = [](std::vector<double>& x) {
    for (auto& v : x) v = std::min(1.0, std::max(0.0, v));
  };
  std::vector<std::vector<double>> s(n + 1, x0);
  std::vector<double> fv(n + 1);
  for (size_t i = 0; i < n; i++) {
    s[i + 1][i] += (x0[i] + step <= 1.0 ? step : -step);
    clamp(s[i + 1]);
  }
  int evals = 0;
  for (size_t i = 0; i <= n; i++) fv[i] = f(s[i]), evals++;
  std::vector<size_t> order(n + 1);
  std::vector<double> xc(n), xr(n), xe(n);
  while (evals < max_evals) {
    for (size_t i = 0; i <= n; i++) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return fv[a] < fv[b]; });
    const size_t best = order[0], worst = order[n], second = order[n - 1];
    if (std::fabs(fv[worst] - fv[best]) <= 1e-6 * (std::fabs(fv[best]) + 1e-7)) break;
    std::fill(xc.begin(), xc.end(), 0.0);
    for (size_t i = 0; i <= n; i++)
      if (i != worst)
        for (size_t k = 0; k < n; k++) xc[k] += s[i][k] / double(n);
    for (size_t k = 0; k < n; k++) xr[k] = xc[k] + (xc[k] - s[worst][k]);
    clamp(xr);
    const double fr = f(xr);
    evals++;
    if (fr < fv[best]) {
      for (size_t k = 0; k < n; k++) xe[k] = xc[k] + 2 * (xc[k] - s[worst][k]);
      clamp(xe);
      const double fe = f(xe);
      evals++;
      if (fe < fr) s[worst] = xe, fv[worst] = fe;
      else s[worst] = xr, fv[worst] = fr;
    } else if (fr < fv[second]) {
      s[worst] = xr, fv[worst] = fr;
    } else {
      const bool outside = fr < fv[worst];
      for (size_t k = 0; k < n; k++)
        xe[k] = outside ? xc[k] + 0.5 * (xr[k] - xc[k]) : xc[k] + 0.5 * (s[worst][k] - xc[k]);
      const double fc = f(xe);
      evals++;
      if (fc < std::min(fr, fv[worst])) {
        s[worst] = xe, fv[worst] = fc;
      } else {  // shrink toward the best
        for (size_t i = 0; i <= n; i++) {
          if (i == best) continue;
          for (size_t k = 0; k < n; k++) s[i][k] = s[best][k] + 0.5 * (s[i][k] - s[best][k]);
          fv[i] = f(s[i]);
          evals++;
        }
      }
    }
  }
  size_t bi = 0;
  for (size_t i = 1; i <= n; i++)
    if (fv[i] < fv[bi]) bi = i;
  *fbest = fv[bi];
  return s[bi];
}

// Classical decomposition seasonal figure (R's decompose): centred moving
// average trend, per-position mean of the ratios (or differences), normalised.
std::vector<double> SeasonalFigure(const std::vector<double>& y, int m, bool multiplicative) {
  const int n = int(y.size());
  std::vector<double> sum(static_cast<size_t>(m), 0.0);
  std::vector<int> cnt(static_cast<size_t>(m), 0);
  const int half = m / 2;
  for (int t = half; t + half < n + (m % 2 == 0 ? 0 : 0) && t + half <= n - 1; t++) {
    double ma;
    if (m % 2 == 0) {
      double s = 0.5 * y[size_t(t - half)] + 0.5 * y[size_t(t + half)];
      for (int k = t - half + 1; k < t + half; k++) s += y[size_t(k)];
      ma = s / m;
    } else {
      double s = 0;
      for (int k = t - half; k <= t + half; k++) s += y[size_t(k)];
      ma = s / m;
    }
    const double r = multiplicative ? (ma != 0 ? y[size_t(t)] / ma : 1.0) : y[size_t(t)] - ma;
    sum[size_t(t % m)] += r;
    cnt[size_t(t % m)]++;
  }
  std::vector<double> fig(static_cast<size_t>(m));
  double mean = 0;
  for (int j = 0; j < m; j++) {
    fig[size_t(j)] = cnt[size_t(j)] ? sum[size_t(j)] / cnt[size_t(j)] : (multiplicative ? 1.0 : 0.0);
    mean += fig[size_t(j)] / m;
  }
  for (auto& v : fig) v = multiplicative ? (mean != 0 ? v / mean : 1.0) : v - mean;
  return fig;
}

}  // namespace

std::vector<double> MultiplicativeSeasonalIndex(const std::vector<double>& y, int period) {
  if (period < 2 || int(y.size()) < 2 * period) return std::vector<double>(size_t(std::max(period, 1)), 1.0);
  return SeasonalFigure(y, period, true);
}

void LinearTrend(const std::vector<double>& y, double* intercept, double* slope) {
  const double n = double(y.size());
  if (y.size() < 2) {
    *intercept = y.empty() ? 0 : y[0];
    *slope = 0;
    return;
  }
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (size_t t = 0; t < y.size(); t++) {
    const double x = double(t);
    sx += x, sy += y[t], sxx += x * x, sxy += x * y[t];
  }
  const double den = n * sxx - sx * sx;
  *slope = den != 0 ? (n * sxy - sx * sy) / den : 0;
  *intercept = (sy - *slope * sx) / n;
}

bool SeasonalityTest(const std::vector<double>& y, int period) {
  const size_t n = y.size();
  if (period < 2 || n < size_t(3 * period)) return false;
  double mean = 0;
  for (double v : y) mean += v;
  mean /= double(n);
  double c0 = 0;
  for (double v : y) c0 += (v - mean) * (v - mean);
  if (c0 <= 0) return false;
  double sum_r2 = 0, rm = 0;
  for (int k = 1; k <= period; k++) {
    double c = 0;
    for (size_t t = size_t(k); t < n; t++) c += (y[t] - mean) * (y[t - size_t(k)] - mean);
    const double r = c / c0;
    if (k < period) sum_r2 += r * r;
    else rm = r;
  }
  return std::fabs(rm) > 1.645 * std::sqrt((1 + 2 * sum_r2) / double(n));
}

// [SECTION] ETS

std::string EtsConfig::Name() const {
  std::string s = "ETS(";
  s += mult_error ? "M," : "A,";
  s += trend == 0 ? "N" : (damped ? "Ad" : "A");
  s += season == 0 ? ",N)" : (season == 1 ? ",A)" : ",M)");
  return s;
}

namespace {

struct EtsState {
  double l, b;
  const EtsConfig* c;
  int m;
  double alpha, beta, gamma, phi;
  // One-step forecast for seasonal state s.
  double Yhat(double s, double* T) const {
    *T = c->trend ? l + phi * b : l;
    return c->season == 2 ? *T * s : (c->season == 1 ? *T + s : *T);
  }
  // Updates level/trend and returns the new seasonal state, given the error e
  // (absolute for A error, relative for M error).
  double Update(double e, double T, double s, double yhat) {
    double ln, bn = b, sn = s;
    if (!c->mult_error) {
      if (c->season == 2) {
        ln = T + alpha * e / s;
        bn = phi * b + beta * e / s;
        sn = s + gamma * e / T;
      } else {
        ln = T + alpha * e;
        bn = phi * b + beta * e;
        sn = s + gamma * e;
      }
    } else if (c->season == 2) {
      ln = T * (1 + alpha * e);
      bn = phi * b + beta * T * e;
      sn = s * (1 + gamma * e);
    } else if (c->season == 1) {
      ln = T + alpha * yhat * e;
      bn = phi * b + beta * yhat * e;
      sn = s + gamma * yhat * e;
    } else {
      ln = T * (1 + alpha * e);
      bn = phi * b + beta * T * e;
    }
    l = ln;
    b = c->trend ? bn : 0;
    return sn;
  }
};

struct EtsInit {
  double l0 = 0, b0 = 0;
  std::vector<double> s0;  // s0[j] belongs to y[j], j < m
};

EtsInit InitialStates(const std::vector<double>& y, const EtsConfig& c, int m) {
  EtsInit init;
  const int n = int(y.size());
  std::vector<double> ysa(y);
  if (c.season) {
    const int use = std::min(n, 3 * m);
    std::vector<double> head(y.begin(), y.begin() + use);
    init.s0 = SeasonalFigure(head, m, c.season == 2);
    for (int t = 0; t < n; t++)
      ysa[size_t(t)] = c.season == 2 ? y[size_t(t)] / init.s0[size_t(t % m)] : y[size_t(t)] - init.s0[size_t(t % m)];
  }
  const int maxn = std::min(std::max(10, 2 * m), n);
  if (!c.trend) {
    double s = 0;
    for (int t = 0; t < maxn; t++) s += ysa[size_t(t)];
    init.l0 = s / maxn;
  } else {
    // lsfit(1:maxn, ysa): the intercept is the level at time 0.
    std::vector<double> head(ysa.begin(), ysa.begin() + maxn);
    double a, b;
    LinearTrend(head, &a, &b);
    init.l0 = a - b;
    init.b0 = b;
  }
  return init;
}

// -2 log likelihood up to a constant (R's "lik"), or +inf when the run breaks.
double EtsLik(const std::vector<double>& y, const EtsConfig& c, int m, const EtsInit& init, double alpha,
              double beta, double gamma, double phi, double l0, double b0, EtsState* out_state,
              std::vector<double>* out_season, double* out_sse) {
  EtsState st{l0, b0, &c, m, alpha, beta, gamma, phi};
  double ss[64];
  std::vector<double> big;
  double* s = ss;
  if (c.season) {
    if (m > 64) big.resize(size_t(m)), s = big.data();
    for (int j = 0; j < m; j++) s[j] = init.s0[size_t(j)];
  }
  double sse = 0, slog = 0;
  const size_t n = y.size();
  int j = 0;
  for (size_t t = 0; t < n; t++) {
    const double sv = c.season ? s[j] : (c.season == 2 ? 1.0 : 0.0);
    double T;
    const double yhat = st.Yhat(sv, &T);
    double e;
    if (c.mult_error) {
      if (!(yhat > 1e-10)) return kInf;
      e = (y[t] - yhat) / yhat;
      slog += std::log(yhat);
    } else {
      e = y[t] - yhat;
    }
    sse += e * e;
    const double sn = st.Update(e, T, sv, yhat);
    if (c.season) {
      if (c.season == 2 && !(sn > 0)) return kInf;
      s[j] = sn;
    }
    if (++j == m) j = 0;
  }
  if (!std::isfinite(sse)) return kInf;
  if (out_state) *out_state = st;
  if (out_season && c.season) {
    out_season->resize(size_t(m));
    for (int k = 0; k < m; k++) (*out_season)[size_t(k)] = s[(int(n) + k) % m];
  }
  if (out_sse) *out_sse = sse;
  return double(n) * std::log(std::max(sse, 1e-300)) + 2 * slog;
}

// The same recursion with the configuration fixed at compile time: the
// optimiser calls this a few hundred times per model, and the branch-free
// loop is what keeps ETS selection over 1428 M3 series within seconds.
template <bool ME, bool TR, int SE>
double EtsLikFast(const std::vector<double>& y, int m, const double* s0, double alpha, double beta, double gamma,
                  double phi, double l, double b) {
  double ss[64];
  std::vector<double> big;
  double* s = ss;
  if (SE) {
    if (m > 64) big.resize(size_t(m)), s = big.data();
    for (int j = 0; j < m; j++) s[j] = s0[j];
  }
  double sse = 0, slog = 0, prod = 1;
  const size_t n = y.size();
  int j = 0;
  for (size_t t = 0; t < n; t++) {
    const double sv = SE ? s[j] : 0.0;
    const double T = TR ? l + phi * b : l;
    const double yhat = SE == 2 ? T * sv : (SE == 1 ? T + sv : T);
    double e, ln, bn = 0, sn = sv;
    if (ME) {
      if (!(yhat > 1e-10)) return kInf;
      e = (y[t] - yhat) / yhat;
      prod *= yhat;  // sum of logs as a product, renormalised: one log per ~100 steps
      if (prod > 1e150 || prod < 1e-150) slog += std::log(prod), prod = 1;
      if (SE == 2) {
        ln = T * (1 + alpha * e);
        if (TR) bn = phi * b + beta * T * e;
        sn = sv * (1 + gamma * e);
        if (!(sn > 0)) return kInf;
      } else if (SE == 1) {
        ln = T + alpha * yhat * e;
        if (TR) bn = phi * b + beta * yhat * e;
        sn = sv + gamma * yhat * e;
      } else {
        ln = T * (1 + alpha * e);
        if (TR) bn = phi * b + beta * T * e;
      }
    } else {
      e = y[t] - yhat;
      ln = T + alpha * e;
      if (TR) bn = phi * b + beta * e;
      if (SE) sn = sv + gamma * e;
    }
    sse += e * e;
    l = ln;
    b = bn;
    if (SE) s[j] = sn;
    if (++j == m) j = 0;
  }
  if (!std::isfinite(sse)) return kInf;
  slog += std::log(prod);
  return double(n) * std::log(std::max(sse, 1e-300)) + 2 * slog;
}

using EtsLikFn = double (*)(const std::vector<double>&, int, const double*, double, double, double, double, double,
                            double);
EtsLikFn PickEtsLik(const EtsConfig& c) {
  if (!c.mult_error && c.season == 2) return nullptr;  // A error with M season: generic path
#define FK_ETS(ME, TR) \
  c.season == 0 ? &EtsLikFast<ME, TR, 0> : (c.season == 1 ? &EtsLikFast<ME, TR, 1> : &EtsLikFast<ME, TR, 2>)
  if (c.mult_error) return c.trend ? FK_ETS(true, true) : FK_ETS(true, false);
  return c.trend ? FK_ETS(false, true) : FK_ETS(false, false);
#undef FK_ETS
}

}  // namespace

EtsFit FitEts(const std::vector<double>& y, const EtsConfig& c, int period) {
  EtsFit fit;
  fit.config = c;
  const int m = c.season ? period : 1;
  fit.period = m;
  const int n = int(y.size());
  const int n_states = 1 + (c.trend ? 1 : 0) + (c.season ? m - 1 : 0);
  const int n_smooth = 1 + (c.trend ? 1 : 0) + (c.season ? 1 : 0) + (c.damped ? 1 : 0);
  const int np = n_states + n_smooth + 1;
  if (n < 3 || (c.season && (m < 2 || n < 2 * m)) || n <= np + 1) return fit;
  if (c.mult_error || c.season == 2)
    for (double v : y)
      if (!(v > 0)) return fit;
  const EtsInit init = InitialStates(y, c, m);
  // Parameters on the unit box: alpha, beta/alpha, gamma/(1-alpha), phi in [0.8, 0.98],
  // then the initial level (and trend) as multiplicative/additive nudges.
  auto unpack = [&](const std::vector<double>& p, double* a, double* b, double* g, double* ph, double* l0,
                    double* b0) {
    size_t i = 0;
    *a = 1e-4 + p[i++] * (0.9999 - 1e-4);
    *b = c.trend ? *a * (1e-4 + p[i++] * 0.9998) : 0;
    *g = c.season ? (1 - *a) * (1e-4 + p[i++] * 0.9998) : 0;
    *ph = c.damped ? 0.8 + p[i++] * 0.18 : 1.0;
    const double scale = std::fabs(init.l0) + 1e-9;
    *l0 = init.l0 + (p[i++] - 0.5) * scale;
    *b0 = c.trend ? init.b0 + (p[i++] - 0.5) * (std::fabs(init.b0) + 0.01 * scale) : 0;
  };
  std::vector<double> x0;
  x0.push_back(0.3);
  if (c.trend) x0.push_back(0.2);
  if (c.season) x0.push_back(0.2);
  if (c.damped) x0.push_back(0.8);
  x0.push_back(0.5);
  if (c.trend) x0.push_back(0.5);
  const EtsLikFn fast = PickEtsLik(c);
  auto obj = [&](const std::vector<double>& p) {
    double a, b, g, ph, l0, b0;
    unpack(p, &a, &b, &g, &ph, &l0, &b0);
    if (fast) return fast(y, m, init.s0.data(), a, b, g, ph, l0, b0);
    return EtsLik(y, c, m, init, a, b, g, ph, l0, b0, nullptr, nullptr, nullptr);
  };
  double best;
  // 30 evaluations per parameter: on M3 monthly a tighter search (90 per
  // parameter plus a restart) took 2x longer for the same accuracy (sMAPE
  // 14.39 vs 14.30, MASE 0.864 both), since the AICc choice moves little.
  std::vector<double> p = NelderMead(obj, x0, 0.1, 30 * int(x0.size()), &best);
  if (!std::isfinite(best)) return fit;
  // The initial seasonal states start from a classical decomposition; R's ets
  // optimises them with the rest, and so does this second, short search over
  // all parameters (the m - 1 free seasonal states nudged by up to half the
  // figure's range; the last one keeps the sum). On the M3 monthly training
  // parts' last 18 points (`forecast m3 --model best`, "holdout_smape"), ETS
  // went 15.80 -> 15.66 / 15.55 / 15.55 / 15.62 / 15.65 sMAPE with 3 / 5 / 8 /
  // 10 / 20 evaluations per parameter: 5 is used (about 1.6x the time).
  EtsInit fin = init;
  constexpr int kSeasonEvalsPerParam = 5;
  if (c.season && fast) {
    double lo = init.s0[0], hi = init.s0[0];
    for (double v : init.s0) lo = std::min(lo, v), hi = std::max(hi, v);
    const double range = hi - lo + 1e-9;
    const size_t k0 = p.size();
    std::vector<double> x1 = p;
    x1.resize(k0 + size_t(m - 1), 0.5);
    std::vector<double> s0(static_cast<size_t>(m));
    auto seasonal = [&](const std::vector<double>& q) {
      double sum = 0;
      for (size_t j = 0; j + 1 < size_t(m); j++) s0[j] = init.s0[j] + (q[k0 + j] - 0.5) * range, sum += s0[j];
      s0[size_t(m - 1)] = (c.season == 2 ? double(m) : 0.0) - sum;
      if (c.season == 2)
        for (double v : s0)
          if (!(v > 0)) return false;
      return true;
    };
    auto obj2 = [&](const std::vector<double>& q) {
      double a, b, g, ph, l0, b0;
      unpack(q, &a, &b, &g, &ph, &l0, &b0);
      return seasonal(q) ? fast(y, m, s0.data(), a, b, g, ph, l0, b0) : kInf;
    };
    double best2;
    std::vector<double> q = NelderMead(obj2, x1, 0.05, kSeasonEvalsPerParam * int(x1.size()), &best2);
    if (std::isfinite(best2) && best2 < best && seasonal(q)) {
      fin.s0 = s0;
      q.resize(k0);
      p = std::move(q);
      best = best2;
    }
  }
  double a, b, g, ph, l0, b0;
  unpack(p, &a, &b, &g, &ph, &l0, &b0);
  EtsState st{};
  double sse = 0;
  const double lik = EtsLik(y, c, m, fin, a, b, g, ph, l0, b0, &st, &fit.season, &sse);
  if (!std::isfinite(lik)) return fit;
  fit.alpha = a, fit.beta = b, fit.gamma = g, fit.phi = ph;
  fit.level = st.l, fit.trend = st.b;
  fit.sigma2 = sse / std::max(1, n - np);
  const double aic = lik + 2.0 * np;
  fit.aicc = aic + 2.0 * np * (np + 1) / std::max(1.0, double(n - np - 1));
  fit.ok = true;
  return fit;
}

EtsSelection::EtsSelection(const std::vector<double>& y, int period, bool damped_only) : y_(&y), period_(period) {
  bool positive = !y.empty();
  for (double v : y)
    if (!(v > 0)) positive = false;
  const bool can_season = period >= 2 && int(y.size()) >= 2 * period + 2;
  for (int me = 0; me <= 1; me++) {
    if (me && !positive) continue;
    for (int tr = 0; tr <= 2; tr++) {  // N, A, Ad
      if (damped_only && tr != 2) continue;
      for (int se = 0; se <= 2; se++) {
        if (se && !can_season) continue;
        if (se == 2 && (!me || !positive)) continue;  // R's restriction: no A error with M season
        EtsConfig c;
        c.mult_error = me == 1;
        c.trend = tr ? 1 : 0;
        c.damped = tr == 2;
        c.season = se;
        configs_.push_back(c);
      }
    }
  }
}

EtsSelection EtsSelection::Additive(const std::vector<double>& y, int period) {
  EtsSelection s;
  s.y_ = &y;
  s.period_ = period;
  const bool can_season = period >= 2 && int(y.size()) >= 2 * period + 2;
  for (int tr = 0; tr <= 2; tr++)
    for (int se = 0; se <= (can_season ? 1 : 0); se++) {
      EtsConfig c;
      c.trend = tr ? 1 : 0;
      c.damped = tr == 2;
      c.season = se;
      s.configs_.push_back(c);
    }
  return s;
}

bool EtsSelection::Step() {
  if (Done()) return true;
  const EtsConfig& c = configs_[next_++];
  EtsFit f = FitEts(*y_, c, period_);
  // Strict < keeps the first of equal AICc values, in the family's order.
  if (c.damped && f.ok && f.aicc < best_damped_.aicc) best_damped_ = f;
  if (f.ok && f.aicc < best_.aicc) best_ = std::move(f);
  return Done();
}

EtsFit FitEtsAuto(const std::vector<double>& y, int period, bool damped_only, EtsFit* best_damped) {
  EtsSelection sel(y, period, damped_only);
  while (!sel.Step()) {
  }
  if (best_damped && sel.BestDamped().ok && sel.BestDamped().aicc < best_damped->aicc) *best_damped = sel.BestDamped();
  return sel.Best();
}

std::vector<double> EtsPointForecast(const EtsFit& fit, int h) {
  std::vector<double> out(static_cast<size_t>(std::max(h, 0)));
  const auto& c = fit.config;
  double phisum = 0, phik = 1;
  for (int j = 1; j <= h; j++) {
    phik *= fit.phi;
    phisum += c.damped ? phik : 1.0;
    const double T = fit.level + (c.trend ? phisum * fit.trend : 0);
    double f = T;
    if (c.season) {
      const double s = fit.season[size_t((j - 1) % fit.period)];
      f = c.season == 2 ? T * s : T + s;
    }
    out[size_t(j - 1)] = f;
  }
  return out;
}

std::vector<std::vector<double>> EtsSimulate(const EtsFit& fit, int h, int paths, uint64_t seed) {
  std::vector<std::vector<double>> out(static_cast<size_t>(paths), std::vector<double>(size_t(h)));
  Rng rng(seed);
  const double sd = std::sqrt(std::max(fit.sigma2, 0.0));
  const int m = fit.period;
  std::vector<double> s;
  for (int p = 0; p < paths; p++) {
    EtsState st{fit.level, fit.trend, &fit.config, m, fit.alpha, fit.beta, fit.gamma, fit.phi};
    s = fit.season;
    for (int j = 0; j < h; j++) {
      const int k = j % m;
      const double sv = fit.config.season ? s[size_t(k)] : 0.0;
      double T;
      const double yhat = st.Yhat(sv, &T);
      const double e = sd * double(rng.Normal());
      out[size_t(p)][size_t(j)] = fit.config.mult_error ? yhat * (1 + e) : yhat + e;
      const double sn = st.Update(e, T, sv, yhat);
      if (fit.config.season) s[size_t(k)] = sn;
    }
  }
  return out;
}

// [SECTION] Theta

namespace {

// SES with the initial level solved in closed form (the one-step errors are
// linear in l0) and alpha by a grid plus golden-section search.
struct SesFit {
  double alpha = 0.5, level = 0, sse = 0;
};

double SesSse(const std::vector<double>& y, double a, double* l0_out, double* level_out) {
  // e_t = e0_t - (1-a)^t l0 where e0 are the errors of the run from l0 = 0.
  double l = 0, d = 1, sed = 0, sdd = 0, see = 0;
  for (double v : y) {
    const double e0 = v - l;
    see += e0 * e0, sed += e0 * d, sdd += d * d;
    l += a * e0;
    d *= (1 - a);
  }
  const double l0 = sdd > 0 ? sed / sdd : 0;
  if (l0_out) *l0_out = l0;
  if (level_out) *level_out = l + d * l0;  // the final level is linear in l0 too
  return see - (sdd > 0 ? sed * sed / sdd : 0);
}

SesFit FitSes(const std::vector<double>& y) {
  SesFit f;
  double best_a = 0.5, best = kInf;
  for (int i = 0; i <= 20; i++) {
    const double a = 1e-4 + (0.9999 - 1e-4) * i / 20.0;
    const double s = SesSse(y, a, nullptr, nullptr);
    if (s < best) best = s, best_a = a;
  }
  double lo = std::max(1e-4, best_a - 0.05), hi = std::min(0.9999, best_a + 0.05);
  const double g = 0.6180339887498949;
  double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
  double f1 = SesSse(y, x1, nullptr, nullptr), f2 = SesSse(y, x2, nullptr, nullptr);
  for (int it = 0; it < 40; it++) {
    if (f1 < f2) hi = x2, x2 = x1, f2 = f1, x1 = hi - g * (hi - lo), f1 = SesSse(y, x1, nullptr, nullptr);
    else lo = x1, x1 = x2, f1 = f2, x2 = lo + g * (hi - lo), f2 = SesSse(y, x2, nullptr, nullptr);
  }
  f.alpha = 0.5 * (lo + hi);
  if (best < std::min(f1, f2)) f.alpha = best_a;
  f.sse = SesSse(y, f.alpha, nullptr, &f.level);
  return f;
}

void NormalQuantiles(const std::vector<double>& mean, const std::vector<double>& sd, const std::vector<double>& levels,
                     Forecast* f) {
  f->levels = levels;
  f->quantiles.assign(levels.size(), std::vector<double>(mean.size()));
  for (size_t q = 0; q < levels.size(); q++) {
    const double z = NormalQuantile(levels[q]);
    for (size_t j = 0; j < mean.size(); j++) f->quantiles[q][j] = mean[j] + z * sd[j];
  }
}

Forecast ThetaForecast(const std::vector<double>& y, int m, int h, const std::vector<double>& levels) {
  Forecast f;
  const size_t n = y.size();
  bool positive = true;
  for (double v : y)
    if (!(v > 0)) positive = false;
  const bool seasonal = m >= 2 && positive && SeasonalityTest(y, m);
  std::vector<double> idx(static_cast<size_t>(std::max(m, 1)), 1.0), ya(y);
  if (seasonal) {
    idx = MultiplicativeSeasonalIndex(y, m);
    for (size_t t = 0; t < n; t++) ya[t] = y[t] / idx[t % size_t(m)];
  }
  const SesFit ses = FitSes(ya);
  double a0, slope;
  LinearTrend(ya, &a0, &slope);
  const double alpha = std::max(ses.alpha, 1e-10);
  const double drift = slope / 2;
  const double c = (1 - std::pow(1 - alpha, double(n))) / alpha;
  const double sigma2 = ses.sse / std::max<double>(1.0, double(n) - 2);
  f.mean.resize(size_t(h));
  std::vector<double> sd(static_cast<size_t>(h));
  for (int j = 1; j <= h; j++) {
    const double s = seasonal ? idx[(n + size_t(j) - 1) % size_t(m)] : 1.0;
    f.mean[size_t(j - 1)] = (ses.level + drift * ((j - 1) + c)) * s;
    sd[size_t(j - 1)] = std::sqrt(sigma2 * (1 + (j - 1) * alpha * alpha)) * s;
  }
  NormalQuantiles(f.mean, sd, levels, &f);
  f.detail = seasonal ? "theta (seasonally adjusted)" : "theta";
  return f;
}

}  // namespace

// [SECTION] seasonal naive, Comb, dispatch

namespace {

Forecast SeasonalNaiveForecast(const std::vector<double>& y, int m, int h, const std::vector<double>& levels) {
  Forecast f;
  const size_t n = y.size();
  if (m < 1 || n < size_t(m) + 1) m = 1;
  f.mean.resize(size_t(h));
  double s2 = 0;
  size_t cnt = 0;
  for (size_t t = size_t(m); t < n; t++) {
    const double e = y[t] - y[t - size_t(m)];
    s2 += e * e, cnt++;
  }
  const double sigma = cnt ? std::sqrt(s2 / double(cnt)) : 0;
  std::vector<double> sd(static_cast<size_t>(h));
  for (int j = 1; j <= h; j++) {
    f.mean[size_t(j - 1)] = y[n - size_t(m) + size_t((j - 1) % m)];
    sd[size_t(j - 1)] = sigma * std::sqrt(double((j - 1) / m + 1));
  }
  NormalQuantiles(f.mean, sd, levels, &f);
  f.detail = m > 1 ? "seasonal naive" : "naive";
  return f;
}

void QuantilesFromPaths(std::vector<std::vector<double>>& paths, const std::vector<double>& levels, Forecast* f) {
  const size_t h = f->mean.size();
  f->levels = levels;
  f->quantiles.assign(levels.size(), std::vector<double>(h));
  std::vector<double> col(paths.size());
  for (size_t j = 0; j < h; j++) {
    for (size_t p = 0; p < paths.size(); p++) col[p] = paths[p][j];
    std::sort(col.begin(), col.end());
    for (size_t q = 0; q < levels.size(); q++) {
      const double pos = levels[q] * double(col.size() - 1);
      const size_t lo = size_t(pos);
      const double w = pos - double(lo);
      f->quantiles[q][j] = col[lo] * (1 - w) + col[std::min(lo + 1, col.size() - 1)] * w;
    }
  }
}

Forecast FromEtsFit(const EtsFit& fit, const ModelSpec& spec, int h, const std::vector<double>& levels) {
  Forecast f;
  f.mean = EtsPointForecast(fit, h);
  f.detail = fit.config.Name();
  f.levels = levels;
  if (!levels.empty()) {
    auto paths = EtsSimulate(fit, h, spec.sample_paths, spec.seed);
    QuantilesFromPaths(paths, levels, &f);
  }
  return f;
}

// ETS from a finished selection; Theta when no candidate could be fitted.
Forecast EtsFromSelection(const EtsSelection& sel, const std::vector<double>& y, const ModelSpec& spec, int h,
                          const std::vector<double>& levels) {
  if (!sel.Best().ok) {
    Forecast f = ThetaForecast(y, spec.period, h, levels);
    f.message = "ETS could not be fitted (" + std::to_string(y.size()) + " points); used Theta";
    return f;
  }
  return FromEtsFit(sel.Best(), spec, h, levels);
}

// Equal-weight mean of ETS, Theta and damped ETS: forecast errors of the
// three are far from perfectly correlated, so the mean beats each of them.
Forecast CombOf(const std::vector<Forecast>& parts, int h, const std::vector<double>& levels) {
  Forecast f = parts[1];
  for (int j = 0; j < h; j++) {
    f.mean[size_t(j)] = (parts[0].mean[size_t(j)] + parts[1].mean[size_t(j)] + parts[2].mean[size_t(j)]) / 3;
    for (size_t q = 0; q < levels.size(); q++)  // quantile averaging (Vincentization)
      f.quantiles[q][size_t(j)] =
          (parts[0].quantiles[q][size_t(j)] + parts[1].quantiles[q][size_t(j)] + parts[2].quantiles[q][size_t(j)]) / 3;
  }
  f.detail = "mean of " + parts[0].detail + ", " + parts[1].detail + ", " + parts[2].detail;
  return f;
}

}  // namespace

Forecast FitPredict(const std::vector<double>& y, const ModelSpec& spec, int h, const std::vector<double>& levels) {
  ForecastTask t(y, spec, h, levels);
  while (!t.Step()) {
  }
  return t.result();
}

ForecastTask::ForecastTask(std::vector<double> y, const ModelSpec& spec, int h, std::vector<double> levels)
    : y_(std::move(y)), spec_(spec), h_(h), levels_(std::move(levels)) {}

ForecastTask::ForecastTask(std::vector<double> y, std::vector<std::vector<double>> x, const ModelSpec& spec, int h,
                           std::vector<double> levels)
    : y_(std::move(y)), x_(std::move(x)), spec_(spec), h_(h), levels_(std::move(levels)), related_(true) {}

ForecastTask::~ForecastTask() = default;

bool ForecastTask::Step() {
  if (done_) return true;
  steps_++;
  done_ = related_ ? StepRelated() : StepUnivariate();
  return done_;
}

// Phase 0 decides; models that need an ETS selection create it (1) and step
// it, one candidate per call; the call after the last candidate builds the forecast.
bool ForecastTask::StepUnivariate() {
  Forecast& out = reg_.forecast;
  const int h = h_;
  if (phase_ == 0) {
    if (y_.empty()) {
      out.ok = false;
      out.message = "no history";
      out.mean.assign(size_t(h), 0.0);
      out.levels = levels_;
      out.quantiles.assign(levels_.size(), out.mean);
      return true;
    }
    if (y_.size() < 3) {  // a constant forecast is all two points support
      out = SeasonalNaiveForecast(y_, 1, h, levels_);
      out.message = "only " + std::to_string(y_.size()) + " point(s): naive forecast";
      return true;
    }
    switch (spec_.kind) {
      case ModelKind::SeasonalNaive: out = SeasonalNaiveForecast(y_, spec_.period, h, levels_); return true;
      case ModelKind::Theta: out = ThetaForecast(y_, spec_.period, h, levels_); return true;
      case ModelKind::Ets:
      case ModelKind::EtsX:
      case ModelKind::Comb:
        sel_ = std::make_unique<EtsSelection>(y_, spec_.period);
        phase_ = 1;
        return false;
    }
    out = SeasonalNaiveForecast(y_, spec_.period, h, levels_);
    return true;
  }
  if (phase_ == 1) {
    if (sel_->Step()) phase_ = 2;
    return false;
  }
  if (spec_.kind == ModelKind::Comb) {
    // The best damped model comes out of the same selection pass.
    parts_ = {EtsFromSelection(*sel_, y_, spec_, h, levels_), ThetaForecast(y_, spec_.period, h, levels_), {}};
    parts_[2] = sel_->BestDamped().ok ? FromEtsFit(sel_->BestDamped(), spec_, h, levels_) : parts_[0];
    out = CombOf(parts_, h, levels_);
  } else {
    out = EtsFromSelection(*sel_, y_, spec_, h, levels_);
  }
  sel_.reset();
  return true;
}

// [SECTION] regression with ETS errors

namespace {
// Solves the normal equations (k <= 14) with a small ridge, which keeps them
// positive definite, by Cholesky (core/linalg). Non-finite inputs give all-zero
// coefficients (the regression then explains nothing; ETS models y alone).
std::vector<double> LeastSquares(const std::vector<std::vector<double>>& X, const std::vector<double>& y) {
  const size_t k = X.empty() ? 0 : X[0].size();
  std::vector<double> a(k * k, 0.0), b(k, 0.0);
  for (size_t t = 0; t < y.size(); t++)
    for (size_t i = 0; i < k; i++) {
      for (size_t j = 0; j < k; j++) a[i * k + j] += X[t][i] * X[t][j];
      b[i] += X[t][i] * y[t];
    }
  for (size_t i = 0; i < k; i++) a[i * k + i] += 1e-9 * (a[i * k + i] + 1);
  if (!CholeskyFactor(a.data(), k)) return std::vector<double>(k, 0.0);
  CholeskySolve(a.data(), k, b.data());
  return b;
}

}  // namespace

RegressionResult FitPredictWithRelated(const std::vector<double>& y, const std::vector<std::vector<double>>& x,
                                       const ModelSpec& spec, int h, const std::vector<double>& levels) {
  ForecastTask t(y, x, spec, h, levels);
  while (!t.Step()) {
  }
  return t.regression();
}

// Phase 0 checks the inputs and solves the regression; 1 steps the additive
// ETS selection on y (for the AICc comparison), 2 the one on the residuals,
// 3 builds the forecast. Fallbacks to plain ETS run as a sub-task (phase 9).
bool ForecastTask::StepRelated() {
  RegressionResult& r = reg_;
  const size_t n = y_.size();
  const size_t k = x_.empty() ? 0 : x_[0].size();
  const ModelSpec plain{ModelKind::Ets, spec_.period, spec_.seed, spec_.sample_paths};
  if (phase_ == 9) {
    if (!sub_->Step()) return false;
    const std::string why = r.forecast.message;
    r.forecast = sub_->result();
    r.forecast.message = why;
    sub_.reset();
    return true;
  }
  if (phase_ == 0) {
    if (k == 0 || x_.size() < n + size_t(h_) || n < 8) {
      r.forecast.message = "no related features for the history and horizon: plain ETS";
      sub_ = std::make_unique<ForecastTask>(y_, plain, h_, levels_);
      phase_ = 9;
      return false;
    }
    std::vector<std::vector<double>> X(n, std::vector<double>(k + 1, 1.0));
    for (size_t t = 0; t < n; t++)
      for (size_t i = 0; i < k; i++) X[t][i + 1] = x_[t][i];
    beta_ = LeastSquares(X, y_);
    resid_.resize(n);
    for (size_t t = 0; t < n; t++) {
      double fit = 0;
      for (size_t i = 0; i <= k; i++) fit += beta_[i] * X[t][i];
      resid_[t] = y_[t] - fit;
    }
    sel_ = std::make_unique<EtsSelection>(EtsSelection::Additive(y_, spec_.period));
    sel_err_ = std::make_unique<EtsSelection>(EtsSelection::Additive(resid_, spec_.period));
    phase_ = 1;
    return false;
  }
  if (phase_ == 1) {
    if (sel_->Step()) phase_ = 2;
    return false;
  }
  if (phase_ == 2) {
    if (sel_err_->Step()) phase_ = 3;
    return false;
  }
  const EtsFit& err = sel_err_->Best();
  if (!err.ok) {
    r.forecast.message = "ETS on the regression residuals failed: plain ETS";
    sub_ = std::make_unique<ForecastTask>(y_, plain, h_, levels_);
    phase_ = 9;
    return false;
  }
  r.coef.assign(beta_.begin() + 1, beta_.end());
  r.aicc_with = err.aicc + 2.0 * double(k + 1);  // the coefficients are parameters too
  r.aicc_without = sel_->Best().aicc;
  r.helpful = r.aicc_with + 2 < r.aicc_without;
  Forecast& f = r.forecast;
  f.mean = EtsPointForecast(err, h_);
  std::vector<double> reg(static_cast<size_t>(h_));
  for (int j = 0; j < h_; j++) {
    double v = beta_[0];
    for (size_t i = 0; i < k; i++) v += beta_[i + 1] * x_[n + size_t(j)][i];
    reg[size_t(j)] = v;
    f.mean[size_t(j)] += v;
  }
  if (!levels_.empty()) {
    auto paths = EtsSimulate(err, h_, spec_.sample_paths, spec_.seed);
    for (auto& p : paths)
      for (int j = 0; j < h_; j++) p[size_t(j)] += reg[size_t(j)];
    QuantilesFromPaths(paths, levels_, &f);
  }
  f.detail = "regression + " + err.config.Name() + " errors";
  sel_.reset();
  sel_err_.reset();
  return true;
}

}  // namespace fk::forecast
