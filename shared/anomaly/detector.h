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
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <set>
#include <utility>
#include <vector>

#include "core/params.h"

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
  // Time-of-day context (a value ordinary at 3 am can be an anomaly at noon):
  // the value against the same quarter-hour (and its neighbours) of the last
  // daily_days days, scaled by that time's spread and never below the
  // series' typical distance to its daily profile. Used only while the daily
  // profile explains the series: the typical distance to it is below
  // daily_gate x the spread of the series itself (a rhythm-free series gets
  // no seasonal score). Learns from the past only; slots of a time already
  // passed today are not used until tomorrow.
  bool daily = false;
  size_t daily_days = 14;
  double daily_gate = 0.5;
  // Surprises (decades) of consecutive points on the same side of the
  // profile add up, less daily_allow_decades each, the sum so far weighted by
  // daily_keep (a leaky one-sided CUSUM): a drop lasting a few points is
  // certain even when one point alone is not, ordinary noise (mostly under the
  // allowance) does not accumulate, and a lasting change saturates at
  // 1 / (1 - keep) points' worth, so the onset rule reports it once. The sum
  // maps with daily_half_decades.
  double daily_allow_decades = 1.5;
  double daily_keep = 0.5;
  double daily_half_decades = 5;
  // The profile of a time is the same weekday's over the last daily_weeks
  // weeks once it holds daily_min_days of them (a Sunday evening is not a
  // Saturday evening); before that the same day type's (weekdays, weekends)
  // over the last daily_days days, once that holds daily_min_days days.
  size_t daily_weeks = 8;
  size_t daily_min_days = 3;
  // Run-length awareness (a stuck sensor repeats one value): a run of r equal
  // values is -(r - 1) log10 p decades improbable, p = how often this value
  // was followed by itself before the run started (shrunk to the series'
  // overall repeat rate). A run is reported (from stuck_min_run values on)
  // when it is at least stuck_decades improbable and more improbable than
  // every earlier run of the series (a series that is often flat, a key held
  // down, is not reported on each flat stretch), and again each time it has
  // become four times as improbable (in decades) as when last reported (so
  // the score grows with the run: a few reports per run, not one per point).
  bool stuck = false;
  size_t stuck_min_run = 6;
  double stuck_decades = 3;
  double stuck_half_decades = 6;
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

// Every DetectorParams field as a row (name = the field's name): the CLI's
// --param key=value and its help read it (core/params.h).
const std::vector<ParamInfo<DetectorParams>>& DetectorParamTable();

struct PointScore {
  double score = 0;       // [0, 1]; 0 while initializing
  double surprise = 0;    // -log10 of the tail probability (unsuppressed)
  double expected = 0;    // expected value
  double lower = 0, upper = 0;  // expected range (about +-3 robust sigmas)
  float severity = 0;     // 0-100 (score * 100)
  bool initializing = true;
};

// SeriesDetector's parts (DetectorParams above says what each is for). Every
// part keeps its own parameters and state; Score rates a point (or the part's
// current window) without changing what the part has learned, Learn takes the
// point in. SeriesDetector::Update composes them.
namespace detail {

// The recent past every point model reads: a ring of the last values and,
// for the robust model, each value's distance to its seasonal median (-1: none).
struct History {
  std::vector<double> values, resid;
  size_t head = 0, filled = 0;
  void Resize(size_t len);  // keeps the values seen (the newest that fit), drops residuals
  void Push(double x, double residual);
};

// Point model "plain": mean and standard deviation of the history, O(1) per point.
struct PlainModel {
  double sum = 0, sumsq = 0;
  void Reset(const History& h);  // after History::Resize
  void Score(const History& h, double* expected, double* scale) const;
  void Learn(const History& h, double x);  // before h takes x
};

// Point model "robust": median and MAD of the history (and of the residuals
// against the seasonal median), refreshed every 1/8 of the history.
struct RobustModel {
  double med = 0, mad = 0, resid_mad = 0;
  size_t since_refresh = size_t(1) << 30;
  std::vector<double> scratch;
  void Learn(const History& h);  // after h took the point
  void Refresh(const History& h);
};

// Time-of-day slots (15 minutes or the sampling step) with their last
// season_days values each; only for series sampled more often than every 6 h.
struct SeasonalModel {
  size_t season_days = 7;
  size_t per_slot = 0;
  std::vector<std::vector<double>> slots;
  std::vector<size_t> head;
  std::vector<double> scratch;
  struct Guess {
    size_t slot = 0;
    double median = NAN, mad = 0;  // NAN: no slot or fewer than 3 values in it
  };
  explicit SeasonalModel(const DetectorParams& p) : season_days(p.season_days) {}
  void Setup(double step_s);  // once the sampling step is known
  Guess Score(int64_t t);
  void Learn(size_t slot, double x);
};

// Distribution change: the histogram of the last `window` values against the
// histograms (hypotheses) seen before; a window that matches none, or only
// one seen once, is flagged.
struct RelativeEntropy {
  size_t window, bins;
  double chi2, flag_score, half_decades;
  bool rate;
  explicit RelativeEntropy(const DetectorParams& p);
  void Learn(double x);  // the window moves on by x and is compared with the hypotheses
  double Score() const;  // of the current window: 0 unless it was flagged
  bool flagged = false;
  std::vector<double> ring;
  size_t ring_head = 0, ring_filled = 0;
  double lo = 0, hi = 0;                      // range seen so far
  std::vector<std::vector<double>> hyp;       // log probabilities (-inf: empty bin)
  std::vector<int> hyp_count;                 // times each hypothesis was matched
  std::vector<int> cnt;                       // window histogram under [cnt_lo, cnt_hi]
  double cnt_lo = 0, cnt_hi = 0;
  bool cnt_valid = false;
  std::vector<double> logp;                   // log of the window's probabilities
  size_t flags = 0, windows = 0;
};

// Value novelty: distance to the nearest value seen so far, in levels of the
// range so far. Visited values are kept as cells sized on the first `learn` points.
struct Novelty {
  double levels, per_level;
  size_t learn;
  explicit Novelty(const DetectorParams& p);
  double Score(double x) const;
  void Learn(double x);
  std::vector<double> learning;
  std::set<int64_t> cells;
  double lo = 0, cell = 0, seen_min = 0, seen_max = 0;
  bool ready = false;
};

// Time-of-day profile: slots of 15 minutes (or the sampling step) per weekday,
// with the values of the last max(days, 7 weeks) days.
// The expected value for a time is the median of its slot and the two
// neighbouring slots over the previous days; statistics are computed once per
// slot visit (from days before today) and reused for the points in it.
struct DailyProfile {
  size_t days, weeks, min_days;
  double gate, allow, keep, half;
  explicit DailyProfile(const DetectorParams& p);
  void Setup(double step_s, size_t history_len);  // once the sampling step is known
  struct Guess {
    bool valid = false;     // a profile exists for this time and explains the series
    double expected = 0, scale = 0;  // on the model's scale (see counts)
    double shown = 0, lower = 0, upper = 0;  // expected value and band on the data's scale
  };
  Guess Score(int64_t t);   // computes (and caches) the slot's statistics
  // Counts (every value so far a non-negative integer) are modelled on the
  // square-root scale 2 sqrt(x + 3/8), where Poisson noise has about the same
  // spread at night and at rush hour.
  bool counts = true;
  double Scale(double x) const { return counts ? 2 * std::sqrt(std::max(0.0, x) + 0.375) : x; }
  double Unscale(double y) const { return counts ? std::max(0.0, y * y / 4 - 0.375) : y; }
  double ScoreValue(const Guess& g, double x) const;  // [0, 1]
  double Accumulated(const Guess& g, double x) const;  // the CUSUM after x, decades
  // had_profile: the last Score found a profile for t (its expected value is
  // a residual sample, gate or not).
  void Learn(int64_t t, double x, const Guess& g, bool had_profile);
  // Per weekday (0 = Sunday) and slot: (day number, value) pairs, newest last.
  std::vector<std::vector<std::deque<std::pair<int64_t, double>>>> slots;
  // The same entries as (value, day), sorted: a same-weekday profile reads a
  // slot's values in order without sorting them.
  std::vector<std::vector<std::vector<std::pair<double, int64_t>>>> by_value;
  double slot_s = 0;
  size_t per_slot_day = 1;  // points per slot per day
  // Recent residuals |x - expected| and values: the gate and the scale floor.
  std::vector<double> resid, vals, scratch;
  // resid[0, ring_filled) and vals[0, ring_filled) sorted as of the last
  // refresh, and what left / joined them since: a refresh applies the changes
  // in one pass and reads its medians instead of selecting them.
  std::vector<double> sorted_resid, sorted_vals, gone_resid, gone_vals, came_resid, came_vals;
  size_t ring_head = 0, ring_filled = 0, since_refresh = 1u << 30;
  double resid_scale = 0, value_scale = 0;
  double above = 0, below = 0;  // CUSUMs of surprises above / below the profile
  int64_t cached_key = INT64_MIN;
  Guess cached;
  bool cached_has_profile = false;
  // Per slot: its scaled values over the days a profile for cache_day reads,
  // sorted (built once per slot and day; a profile merges three of them, so the
  // median and MAD need no selection). Entries of another epoch are stale: a
  // Learn that may change what they hold (another day, the scale switching,
  // a value dropped by the size cap) starts a new epoch.
  struct SlotCache {
    uint64_t epoch = 0;
    bool by_weekday = false;
    std::vector<double> sorted;
  };
  std::vector<SlotCache> slot_cache;
  uint64_t cache_epoch = 1;
  int64_t cache_day = INT64_MIN;
  std::vector<double> merged;
};

// Run-length: how surprising a run of one repeated value is, from how often
// each value (and the series overall) repeated before.
struct RunLength {
  size_t min_run;
  double decades, half;
  explicit RunLength(const DetectorParams& p)
      : min_run(p.stuck_min_run), decades(p.stuck_decades), half(p.stuck_half_decades) {}
  double Improbability() const { return -double(run) * std::log10(run_p); }  // of the run after one more repeat
  double Score(double x) const;  // [0, 1]
  void Learn(double x);
  // Starts fetching x's table slot (Learn looks it up later in the point).
  void Prefetch(double x) const;
  struct Counts {
    uint32_t seen = 0, repeated = 0;
  };
  // Counts per value: a flat open-addressing table on the value's bits (0 and
  // -0 one key; empty slots hold kEmpty, a NaN pattern no finite value has),
  // at most kMaxValues values. A repeat reuses the slot of the value before.
  static constexpr uint64_t kEmpty = 0x7ff8dead0000beefULL;
  static constexpr size_t kMaxValues = size_t(1) << 16;
  struct Slot {
    uint64_t key = kEmpty;
    Counts counts;
  };
  std::vector<Slot> table;
  size_t stored = 0;
  static constexpr size_t kNone = ~size_t(0);
  size_t prev_slot = kNone;       // the slot of prev (kNone: not stored)
  size_t FindOrAdd(double x);     // kNone when x is new and the table is full
  uint64_t steps = 0, repeats = 0;
  double prev = NAN;
  size_t run = 0;            // equal values in a row ending at prev
  // The repeat probability, frozen when the run started (its log10 is taken
  // only for runs that get scored or set a record: most values do not repeat).
  double run_p = 1;
  // Improbability of a run that just ended (0 for a single value).
  double Ended() const { return run > 1 ? -double(run - 1) * std::log10(run_p) : 0.0; }
  double record = 0;         // the largest improbability an earlier run reached (>= 0)
  double next_level = 0;     // improbability the run must reach to be reported (again)
};

// Surprise relative to this series' own surprise history: the mean of the
// last short_k surprises as a z-score against the long history's.
struct SurpriseCalibration {
  size_t short_k;
  double histories;
  explicit SurpriseCalibration(const DetectorParams& p) : short_k(p.short_k), histories(p.calib_histories) {}
  double Score(double raw) const;
  void Learn(double raw, size_t history_len);
  std::vector<double> long_ring, short_ring;
  size_t long_head = 0, long_filled = 0, short_head = 0, short_filled = 0;
  double long_sum = 0, long_sumsq = 0, short_sum = 0;
};

// Onset rule with a half-life: a score counts only if it beats every earlier
// raw score halved once per `half` points of age.
struct DecayingOnset {
  double half;
  double peak = 0;  // the largest raw score so far, decayed to now
  explicit DecayingOnset(const DetectorParams& p) : half(p.suppress_half) {}
  double Score(double s) const;  // s, or 0 when suppressed
  void Learn(double raw);
};

// Onset rule with a horizon: a score counts only if it beats every raw score
// of the last `horizon` points (a sliding max, decreasing deque).
struct SlidingOnset {
  double fraction;  // horizon in histories
  std::deque<std::pair<size_t, double>> q;  // (point index, raw score)
  explicit SlidingOnset(const DetectorParams& p) : fraction(p.suppress_fraction) {}
  double Score(size_t n, double s, size_t horizon) const;
  void Learn(size_t n, double raw, size_t horizon);
};

}  // namespace detail

class SeriesDetector {
 public:
  explicit SeriesDetector(DetectorParams p = {});
  PointScore Update(int64_t t, double x);
  size_t seen() const { return n_; }
  size_t needed() const { return p_.warmup; }  // points before scores start
  bool initializing() const { return n_ < p_.warmup; }

 private:
  struct Guess {  // the point model's guess for the next value
    double expected = 0, scale = 0;
    detail::SeasonalModel::Guess seasonal;
  };
  void ObserveTime(int64_t t);  // infers the sampling step, then sizes the history
  Guess GuessPoint(int64_t t, bool ready);
  double ReportOnset(double s);
  void LearnPoint(double x, const Guess& g);
  size_t HistoryLen() const;
  DetectorParams p_;
  size_t n_ = 0;
  int64_t last_t_ = 0;
  std::vector<double> gaps_;      // first intervals, to infer the sampling step
  double step_s_ = 0;             // inferred sampling interval
  detail::History history_;
  detail::PlainModel plain_;
  detail::RobustModel robust_;
  detail::SeasonalModel seasonal_;
  detail::RelativeEntropy re_;
  detail::Novelty novelty_;
  detail::DailyProfile daily_;
  detail::RunLength stuck_;
  detail::SurpriseCalibration calib_;
  detail::DecayingOnset decay_;
  detail::SlidingOnset sliding_;
};

// Tail probability helpers, exposed for tests: -log10 of the two-sided normal
// tail of z, and the score mapping 1 - 2^(-surprise / half).
double NormalSurprise(double z);
double SurpriseToScore(double surprise, double half_decades);

}  // namespace fk::anomaly
