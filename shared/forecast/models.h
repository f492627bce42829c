// Forecasting models for one regularly spaced series: seasonal naive, ETS
// (error/trend/season state space, damped, AICc selection), Theta (the M3
// winner: SES with drift on seasonally adjusted data) and Comb (the mean of
// ETS, Theta and damped ETS). Every model gives point forecasts plus quantiles.
//
//   fk::forecast::ModelSpec spec{fk::forecast::ModelKind::Theta, 12};
//   fk::forecast::Forecast f = fk::forecast::FitPredict(y, spec, 18, {0.1, 0.5, 0.9});
//   f.mean[h], f.quantiles[q][h]
//
// For a UI thread the same fit runs resumably, one ETS candidate per step:
//   fk::forecast::ForecastTask t(y, spec, 18, {0.1, 0.5, 0.9});
//   while (!t.Step()) {}            // or one Step() per slice
//   t.result()                      // bit-identical to FitPredict
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fk::forecast {

enum class ModelKind { SeasonalNaive, Ets, Theta, Comb, EtsX };

// The models a user picks from, one row each, in display order: ModelName,
// ParseModelKind, AllModels, the CLI's help and errors and the panel's
// checkboxes (label, help as tooltip) all read it, so a new model is one row.
struct ModelInfo {
  ModelKind kind;
  const char* name;   // CLI and ?run= spelling: "ets"
  const char* label;  // the panel's checkbox: "ETS (AICc)"
  const char* help;   // one line: what it is
  bool related;       // needs the related series (price, promo)
};
const std::vector<ModelInfo>& Models();
const ModelInfo& ModelInfoOf(ModelKind k);
const char* ModelName(ModelKind k);  // "snaive", "ets", "theta", "comb", "etsx"
bool ParseModelKind(const std::string& name, ModelKind* out);
std::vector<ModelKind> AllModels();  // the univariate ones, in display order
std::vector<std::string> ModelChoices(bool with_related = true);  // names, for help and errors

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

class EtsSelection;  // below

// FitPredict / FitPredictWithRelated in small steps for a UI thread: each
// Step() does one ETS candidate fit or the cheap rest (Theta, naive,
// simulation for quantiles). Both functions above are this task run to the
// end, so stepping gives bit-identical forecasts. Owns copies of y and x.
class ForecastTask {
 public:
  ForecastTask(std::vector<double> y, const ModelSpec& spec, int h, std::vector<double> levels);
  // Regression with ETS errors (etsx) on the related features x (history + h rows).
  ForecastTask(std::vector<double> y, std::vector<std::vector<double>> x, const ModelSpec& spec, int h,
               std::vector<double> levels);
  ~ForecastTask();
  ForecastTask(const ForecastTask&) = delete;  // the selections point into y_
  ForecastTask& operator=(const ForecastTask&) = delete;

  bool Step();  // true when the forecast is ready
  bool Done() const { return done_; }
  size_t Steps() const { return steps_; }        // Step() calls so far
  const Forecast& result() const { return reg_.forecast; }
  const RegressionResult& regression() const { return reg_; }
  // Comb only, when done: its parts {ets, theta, damped ets} (the same
  // forecasts the ets and theta models give), so one pass scores all three.
  const std::vector<Forecast>& parts() const { return parts_; }

 private:
  bool StepUnivariate();
  bool StepRelated();
  std::vector<double> y_, resid_, beta_;
  std::vector<std::vector<double>> x_;
  ModelSpec spec_;
  int h_ = 0;
  std::vector<double> levels_;
  bool related_ = false, done_ = false;
  int phase_ = 0;
  size_t steps_ = 0;
  std::unique_ptr<EtsSelection> sel_, sel_err_;
  std::unique_ptr<ForecastTask> sub_;  // etsx falling back to plain ETS
  RegressionResult reg_;
  std::vector<Forecast> parts_;
};

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

// The same selection, resumable: Step() fits one candidate model (on ~700
// daily points one ETS fit is ~1/15 of a whole selection, which is what keeps
// a UI slice short). y must outlive the selection. FitEtsAuto runs this to the
// end, so the two give identical fits.
class EtsSelection {
 public:
  // R's default family (as FitEtsAuto).
  EtsSelection(const std::vector<double>& y, int period, bool damped_only = false);
  // Additive error only, trend N/A/Ad, season N/A (the errors of etsx).
  static EtsSelection Additive(const std::vector<double>& y, int period);
  bool Step();  // fits the next candidate; true when every candidate is done
  bool Done() const { return next_ >= configs_.size(); }
  size_t Candidates() const { return configs_.size(); }
  const std::vector<EtsConfig>& Configs() const { return configs_; }
  const EtsFit& Best() const { return best_; }
  const EtsFit& BestDamped() const { return best_damped_; }  // ok == false when no damped fit

 private:
  EtsSelection() = default;
  const std::vector<double>* y_ = nullptr;
  int period_ = 1;
  std::vector<EtsConfig> configs_;
  size_t next_ = 0;
  EtsFit best_, best_damped_;
};
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
