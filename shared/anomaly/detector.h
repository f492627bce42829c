// A streaming univariate anomaly detector: each new (time, value) gets a score
// in [0, 1] (monotone in how improbable the point is under the recent past),
// an expected value and range, and a severity 0-100. It never looks ahead and
// learns as it goes; until it has seen enough points it is Initializing.
// The model is an ensemble of robust tail probabilities (see detector.cpp for
// the why of each part); NAB-style "report the onset once" suppression is an option.
//
//   fk::anomaly::SeriesDetector det;            // DetectorParams{} defaults
//   for (auto& [t, x] : points) { fk::anomaly::PointScore s = det.Update(t, x); ... s.severity ... }
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <set>
#include <utility>
#include <vector>

namespace fk::anomaly {

struct DetectorParams {
  // Point model: robust (median/MAD of the history, plus a time-of-day
  // seasonal median when it explains the data better) or plain (mean/std of
  // the history, O(1) per point).
  bool robust = true;
  // Distribution-change component (relative entropy against multiple
  // hypotheses, Wang et al. 2011): a window whose value histogram matches no
  // histogram seen before is flagged with score re_score.
  bool relative_entropy = false;
  size_t re_window = 52;         // points per histogram
  size_t re_bins = 5;            // bins over the range seen so far
  double re_chi2 = 13.2767;      // chi-square(0.99, bins - 1): 2 W KL above this = a different distribution
  double re_score = 0.5;         // score of a flagged window (without re_rate)
  // Score a flagged window by how rare flags have been in this series so far:
  // -log10((flags + 1) / (windows + 2)) decades, mapped with re_half_decades.
  // A series whose distribution changes all the time gets low flag scores.
  bool re_rate = false;
  double re_half_decades = 4;
  // Value novelty (in the spirit of contextOSE's "never seen this before"):
  // the distance of the value to the nearest value seen so far, in units of
  // (range seen so far) / (novelty_levels - 1), capped at 1. Values are kept as
  // cells of 1/novelty_cells of a level of the first novelty_learn points.
  bool novelty = false;
  size_t novelty_levels = 10;
  size_t novelty_cells = 8;
  size_t novelty_learn = 150;
  double history_days = 1.0;     // span of the "recent past" distribution
  size_t min_history = 96;       // ... but at least this many points (and at most 4x)
  size_t warmup = 64;            // points before any score (Initializing)
  double shift_fraction = 1.0 / 12;  // level-shift probe length, as a fraction of the history
  size_t season_days = 7;        // same-time-of-day values kept per slot
  bool onsets_only = false;      // suppress repeats of an excursion already reported
  double suppress_fraction = 1.0; // ... for this many histories after a report (sliding max)
  double suppress_half = 0;      // > 0: instead, against a max that halves every suppress_half points
  double score_half_decades = 3.0; // tail probability 10^-x maps to score 0.5
  bool calibrate = false;        // score the surprise relative to this series' own surprise history
  size_t short_k = 1;            // points averaged before calibration
  double calib_histories = 8;    // length of the surprise history, in histories
  double max_surprise = 50;      // cap on one point's surprise (decades)

  // The settings `fieldkit-cli anomaly nab` uses for every NAB file (see
  // docs/BENCHMARKS.md for why each is what it is).
  static DetectorParams Nab();
};

struct PointScore {
  double score = 0;       // [0, 1]; 0 while initializing
  double surprise = 0;    // -log10 of the tail probability (unsuppressed)
  double expected = 0;    // expected value
  double lower = 0, upper = 0;  // expected range (about +-3 robust sigmas)
  float severity = 0;     // 0-100 (score * 100)
  bool initializing = true;
};

class SeriesDetector {
 public:
  explicit SeriesDetector(DetectorParams p = {});
  PointScore Update(int64_t t, double x);
  size_t seen() const { return n_; }
  size_t needed() const { return p_.warmup; }  // points before scores start
  bool initializing() const { return n_ < p_.warmup; }

 private:
  void Refresh();
  double Calibrate(double raw_surprise);
  size_t HistoryLen() const;
  DetectorParams p_;
  size_t n_ = 0;
  int64_t last_t_ = 0;
  std::vector<double> gaps_;      // first intervals, to infer the sampling step
  double step_s_ = 0;             // inferred sampling interval
  // Ring of recent values and residual magnitudes.
  std::vector<double> ring_, resid_ring_;
  size_t head_ = 0, filled_ = 0;
  // Robust statistics of the history, refreshed every few points.
  double med_ = 0, mad_ = 0, resid_mad_ = 0;
  size_t since_refresh_ = 1 << 30;
  // Seasonal slots: time-of-day -> last season_days values.
  size_t n_slots_ = 0;
  std::vector<std::vector<double>> slots_;
  std::vector<size_t> slot_head_;
  // Plain model: running sums over the ring.
  double sum_ = 0, sumsq_ = 0;
  // Relative entropy: hypotheses (histograms) and how often each was matched.
  std::vector<double> re_ring_;
  size_t re_head_ = 0, re_filled_ = 0;
  double re_min_ = 0, re_max_ = 0;
  std::vector<std::vector<double>> re_hyp_;
  std::vector<int> re_count_;
  std::vector<int> re_cnt_;         // histogram counts of the window under [re_cnt_min_, re_cnt_max_]
  double re_cnt_min_ = 0, re_cnt_max_ = 0;
  bool re_cnt_valid_ = false;
  std::vector<double> re_logp_;     // log of the current window's probabilities
  size_t re_flags_ = 0, re_windows_ = 0;
  bool RelativeEntropyFlag(double x);
  // Novelty: visited cells (sorted), the learning points, the range so far.
  double Novelty(double x);
  std::vector<double> nov_learn_;
  std::set<int64_t> nov_cells_;
  double nov_lo_ = 0, nov_cell_ = 0, nov_min_ = 0, nov_max_ = 0;
  bool nov_ready_ = false;
  double decay_max_ = 0;            // onset rule with suppress_half
  // Calibration: rings of raw surprises (long, with running sums) and the last short_k.
  std::vector<double> cal_ring_, short_ring_;
  size_t cal_head_ = 0, cal_filled_ = 0, short_head_ = 0, short_filled_ = 0;
  double cal_sum_ = 0, cal_sumsq_ = 0, short_sum_ = 0;
  // Onset suppression.
  std::deque<std::pair<size_t, double>> max_q_;  // (point index, raw score), decreasing
  std::vector<double> scratch_;
};

// Tail probability helpers, exposed for tests: -log10 of the two-sided normal
// tail of z, and the score mapping 1 - 2^(-surprise / half).
double NormalSurprise(double z);
double SurpriseToScore(double surprise, double half_decades);

}  // namespace fk::anomaly
