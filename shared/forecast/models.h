// Forecasting models for one regularly spaced series: seasonal naive, ETS
// (error/trend/season state space, damped, AICc selection), Theta (the M3
// winner: SES with drift on seasonally adjusted data) and Comb (the mean of
// ETS, Theta and damped ETS). Every model gives point forecasts plus quantiles.
//
//   fk::forecast::ModelSpec spec{fk::forecast::ModelKind::Theta, 12};
//   fk::forecast::Forecast f = fk::forecast::FitPredict(y, spec, 18, {0.1, 0.5, 0.9});
//   f.mean[h], f.quantiles[q][h]
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fk::forecast {

enum class ModelKind { SeasonalNaive, Ets, Theta, Comb, EtsX };
const char* ModelName(ModelKind k);  // "snaive", "ets", "theta", "comb", "etsx"
bool ParseModelKind(const std::string& name, ModelKind* out);
std::vector<ModelKind> AllModels();  // the univariate ones, in display order

struct ModelSpec {
  ModelKind kind = ModelKind::Ets;
  int period = 1;           // seasonal period m (12 monthly, 7 daily, 52 weekly, 1 none)
  uint64_t seed = 7;        // residual simulation for quantiles
  int sample_paths = 400;   // ETS quantiles by simulation
};

struct Forecast {
  std::vector<double> mean;                      // h point forecasts (the mean / P50 proxy)
  std::vector<double> levels;                    // quantile levels, e.g. 0.1 0.5 0.9
  std::vector<std::vector<double>> quantiles;    // [level][h]
  std::string detail;                            // e.g. "ETS(M,Ad,M)" or "theta seasonal"
  bool ok = true;
  std::string message;                           // why a fit fell back (too short, ...)
};

// Fits on y (no NaN; caller fills gaps first) and forecasts h steps ahead.
// Never fails: a series too short for the model falls back to a simpler one
// and says so in message.
Forecast FitPredict(const std::vector<double>& y, const ModelSpec& spec, int h,
                    const std::vector<double>& levels);

// Regression with ETS errors ("etsx"): y_t = b'x_t + e_t, e_t an ETS(A,N/Ad,*)
// process. x has one row per time step of y followed by h future rows.
struct RegressionResult {
  Forecast forecast;
  std::vector<double> coef;   // per related feature
  double aicc_with = 0, aicc_without = 0;
  bool helpful = false;       // AICc improved by > 2 with the related features
};
RegressionResult FitPredictWithRelated(const std::vector<double>& y, const std::vector<std::vector<double>>& x,
                                       const ModelSpec& spec, int h, const std::vector<double>& levels);

// [SECTION] building blocks (exposed for tests and the panel's charts)

// ETS configuration: error A/M, trend N/A/Ad, season N/A/M.
struct EtsConfig {
  bool mult_error = false;
  int trend = 0;        // 0 none, 1 additive
  bool damped = false;
  int season = 0;       // 0 none, 1 additive, 2 multiplicative
  std::string Name() const;  // "ETS(M,Ad,M)"
};
struct EtsFit {
  EtsConfig config;
  double alpha = 0, beta = 0, gamma = 0, phi = 1;
  double level = 0, trend = 0;
  std::vector<double> season;   // last m seasonal states, oldest first
  double sigma2 = 0;            // variance of the one-step errors (relative for M error)
  double aicc = 1e300;
  int period = 1;
  bool ok = false;
};
EtsFit FitEts(const std::vector<double>& y, const EtsConfig& config, int period);
// Selection over R's default family (no multiplicative trend; additive error
// with multiplicative season excluded; M error/season only for positive data).
// best_damped, when given, receives the best damped-trend fit of the same pass.
EtsFit FitEtsAuto(const std::vector<double>& y, int period, bool damped_only = false, EtsFit* best_damped = nullptr);
std::vector<double> EtsPointForecast(const EtsFit& fit, int h);
// Sample paths for quantiles: paths x h.
std::vector<std::vector<double>> EtsSimulate(const EtsFit& fit, int h, int paths, uint64_t seed);

// The classical test Theta uses: |r_m| > 1.645 sqrt((1 + 2 sum_{k<m} r_k^2) / n).
bool SeasonalityTest(const std::vector<double>& y, int period);
// Classical multiplicative decomposition: m seasonal indices (mean 1) aligned
// so that index[t % m] belongs to y[t].
std::vector<double> MultiplicativeSeasonalIndex(const std::vector<double>& y, int period);
// Ordinary least squares line through y (x = 0..n-1).
void LinearTrend(const std::vector<double>& y, double* intercept, double* slope);

// Standard normal quantile (Acklam's rational approximation, |err| < 1.2e-9).
double NormalQuantile(double p);

}  // namespace fk::forecast
