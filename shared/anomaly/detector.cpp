#include "anomaly/detector.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace fk::anomaly {

double NormalSurprise(double z) {
  z = std::fabs(z);
  // log10 of erfc(z / sqrt 2); erfc underflows near z = 38, so use the
  // asymptotic tail there (exact enough for a score).
  if (z < 30) return -std::log10(std::max(std::erfc(z / std::sqrt(2.0)), 1e-300));
  return (z * z / 2 + std::log(z * std::sqrt(M_PI / 2))) / std::log(10.0);
}

double SurpriseToScore(double surprise, double half_decades) {
  if (surprise <= 0) return 0;
  return 1.0 - std::exp2(-surprise / half_decades);
}

const std::vector<ParamInfo<DetectorParams>>& DetectorParamTable() {
  using P = DetectorParams;
  static const std::vector<ParamInfo<P>> kTable = {
      {"robust", "median/MAD point model with a time-of-day seasonal median (0: mean/std)", &P::robust, 0, 1},
      {"relative_entropy", "flag windows whose value histogram matches none seen before", &P::relative_entropy, 0, 1},
      {"re_window", "points per histogram", &P::re_window, 2, 1e6},
      {"re_bins", "histogram bins over the range seen so far", &P::re_bins, 2, 1000},
      {"re_chi2", "2 W KL above this = a different distribution", &P::re_chi2, 0, 1e6},
      {"re_score", "score of a flagged window (without re_rate)", &P::re_score, 0, 1},
      {"re_rate", "score a flag by how rare flags have been in the series", &P::re_rate, 0, 1},
      {"re_half_decades", "rarity (decades) that maps to score 0.5", &P::re_half_decades, 0.01, 100},
      {"novelty", "score values far from every value seen so far", &P::novelty, 0, 1},
      {"novelty_levels", "range seen so far / (levels - 1) = one unit of distance", &P::novelty_levels, 2, 1e6},
      {"novelty_cells", "cells per level that remember values", &P::novelty_cells, 1, 1e4},
      {"novelty_learn", "points that set the cell size", &P::novelty_learn, 1, 1e9},
      {"daily", "score the value against its time of day (weekday/weekend profiles)", &P::daily, 0, 1},
      {"daily_days", "days kept per time-of-day slot", &P::daily_days, 1, 3650},
      {"daily_gate", "use the profile while its typical residual < gate x the series' spread", &P::daily_gate, 0, 10},
      {"daily_allow_decades", "surprise (decades) each point may add before the daily sum grows", &P::daily_allow_decades, 0, 100},
      {"daily_keep", "weight of the daily sum so far at each point (0: points alone)", &P::daily_keep, 0, 0.99},
      {"daily_half_decades", "daily-model tail probability 10^-x that maps to 0.5", &P::daily_half_decades, 0.01, 100},
      {"daily_weeks", "weeks kept for same-weekday profiles (0: weekday/weekend only)", &P::daily_weeks, 0, 520},
      {"daily_min_days", "days of a slot before weekday/weekend profiles split (and before any score)", &P::daily_min_days, 1, 3650},
      {"stuck", "score runs of one repeated value by how rarely that value repeated before", &P::stuck, 0, 1},
      {"stuck_min_run", "shortest run scored, points", &P::stuck_min_run, 2, 1e9},
      {"stuck_decades", "improbability (decades) a run needs before it is reported", &P::stuck_decades, 0, 1000},
      {"stuck_half_decades", "run improbability 10^-x that maps to 0.5", &P::stuck_half_decades, 0.01, 1000},
      {"history_days", "span of the recent past, days", &P::history_days, 0.001, 3650},
      {"min_history", "... but at least this many points", &P::min_history, 2, 1e9},
      {"warmup", "points before any score", &P::warmup, 0, 1e9},
      {"shift_fraction", "level-shift probe length, fraction of the history", &P::shift_fraction, 0, 1},
      {"season_days", "same-time-of-day values kept per slot", &P::season_days, 0, 3650},
      {"onsets_only", "suppress repeats of an excursion already reported", &P::onsets_only, 0, 1},
      {"suppress_fraction", "... for this many histories (sliding max)", &P::suppress_fraction, 0, 1000},
      {"suppress_half", "> 0: against a max that halves every this many points", &P::suppress_half, 0, 1e9},
      {"score_half_decades", "tail probability 10^-x that maps to score 0.5", &P::score_half_decades, 0.01, 100},
      {"calibrate", "score surprise against the series' own surprise history", &P::calibrate, 0, 1},
      {"short_k", "points averaged before calibration", &P::short_k, 1, 1e6},
      {"calib_histories", "surprise history length, in histories", &P::calib_histories, 0.01, 1e4},
      {"max_surprise", "cap on one point's surprise, decades", &P::max_surprise, 0.1, 1e6},
  };
  return kTable;
}

DetectorParams DetectorParams::Nab() {
  DetectorParams p;
  // Three tail-probability-like scores, combined by max, then reported at
  // their onset only (NAB rewards the first detection early in a window and
  // charges every further one outside it):
  // - point surprise against the mean/std of the last day (at least 288 points);
  // - value novelty: how far the value is from everything seen so far;
  // - distribution change (relative entropy), scored by how rare such flags
  //   have been in this series.
  p.robust = false;
  p.relative_entropy = true;
  p.re_rate = true;
  p.re_half_decades = 4;
  p.novelty = true;
  p.novelty_levels = 10;
  p.novelty_cells = 8;
  p.novelty_learn = 150;
  p.onsets_only = true;
  p.suppress_half = 48;  // a report mutes lesser ones for a few hours of 5-minute points
  p.min_history = 288;   // one day of 5-minute points; at least that many for coarser series
  p.score_half_decades = 14;
  // Context: the value against its time of day and weekday (a count normal at
  // night is an anomaly at noon), and runs of one repeated value (a stuck
  // sensor). Settings: see docs/BENCHMARKS.md (chosen on simulator training
  // seeds and NAB; never on the held-out generated set).
  p.daily = true;
  p.daily_days = 14;
  p.daily_weeks = 8;
  p.daily_half_decades = 5;
  p.stuck = true;
  return p;
}

namespace detail {

namespace {

double Median(std::vector<double>& v) {
  if (v.empty()) return 0;
  const size_t m = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + long(m), v.end());
  return v[m];
}

// Median() of the absolute deviations from Median() for sorted v, without
// selection: the deviations grow from n / 2 upwards (up(i)) and from n / 2 - 1
// downwards (down(j)), two sorted sequences, so their (n / 2)-th smallest is
// found by bisecting how many of the smallest come from each.
double SortedMedianDeviation(const double* v, size_t n) {
  if (n == 0) return 0;
  const size_t mid = n / 2, want = mid + 1;  // the smallest `want`, of n
  const double m = v[mid];
  auto up = [&](size_t i) { return std::fabs(v[mid + i] - m); };        // i < n - mid
  auto down = [&](size_t j) { return std::fabs(v[mid - 1 - j] - m); };  // j < mid
  // i from up and want - i from down: the least i with up(i) >= down(want - i - 1).
  size_t lo = want - std::min(want, mid), hi = std::min(n - mid, want);
  while (lo < hi) {
    const size_t i = (lo + hi) / 2;
    if (up(i) < down(want - i - 1)) lo = i + 1;
    else hi = i;
  }
  const size_t j = want - lo;
  return std::max(lo > 0 ? up(lo - 1) : -INFINITY, j > 0 ? down(j - 1) : -INFINITY);
}

// sorted = sorted + came - gone (multisets; gone is part of sorted + came),
// in one pass; gone and came are sorted here and emptied; scratch is a buffer.
void ApplyChanges(std::vector<double>& sorted, std::vector<double>& gone, std::vector<double>& came,
                  std::vector<double>& scratch) {
  std::sort(gone.begin(), gone.end());
  std::sort(came.begin(), came.end());
  scratch.resize(sorted.size() + came.size());
  std::merge(sorted.begin(), sorted.end(), came.begin(), came.end(), scratch.begin());
  sorted.resize(scratch.size());
  size_t kept = 0, j = 0;
  for (size_t i = 0; i < scratch.size(); i++) {
    if (j < gone.size() && scratch[i] == gone[j]) {
      j++;
      continue;
    }
    sorted[kept++] = scratch[i];
  }
  sorted.resize(kept);
  gone.clear();
  came.clear();
}

int64_t FloorDivDay(int64_t t) { return t >= 0 ? t / 86400 : -((-t + 86399) / 86400); }

int WeekdayOf(int64_t day) { return int(((day + 4) % 7 + 7) % 7); }  // 1970-01-01 was a Thursday; 0 = Sunday

int64_t CellOf(double v) { return int64_t(std::clamp(std::floor(v), -4e18, 4e18)); }

}  // namespace

// [SECTION] History and point models

void History::Resize(size_t len) {
  // In ring order: before the first resize the ring has not wrapped.
  std::vector<double> old(values.begin(), values.begin() + long(filled));
  values.assign(len, 0);
  resid.assign(len, -1);
  filled = std::min(old.size(), len);
  std::copy(old.end() - long(filled), old.end(), values.begin());
  head = filled % len;
}

void History::Push(double x, double residual) {
  values[head] = x;
  resid[head] = residual;
  head = (head + 1) % values.size();
  filled = std::min(filled + 1, values.size());
}

void PlainModel::Reset(const History& h) {
  sum = sumsq = 0;
  for (size_t i = 0; i < h.filled; i++) sum += h.values[i], sumsq += h.values[i] * h.values[i];
}

void PlainModel::Score(const History& h, double* expected, double* scale) const {
  *expected = *scale = 0;
  if (h.filled == 0) return;
  *expected = sum / double(h.filled);
  *scale = std::sqrt(std::max(0.0, sumsq / double(h.filled) - *expected * *expected));
  *scale = std::max(*scale, 1e-9 * (1.0 + std::fabs(*expected)));
}

void PlainModel::Learn(const History& h, double x) {
  if (h.filled == h.values.size()) sum -= h.values[h.head], sumsq -= h.values[h.head] * h.values[h.head];
  sum += x;
  sumsq += x * x;
}

void RobustModel::Learn(const History& h) {
  if (++since_refresh >= std::max<size_t>(1, h.values.size() / 8)) Refresh(h);
}

void RobustModel::Refresh(const History& h) {
  scratch.assign(h.values.begin(), h.values.begin() + long(h.filled));
  med = Median(scratch);
  double mean_ad = 0;
  for (auto& v : scratch) v = std::fabs(v - med), mean_ad += v;
  mean_ad /= double(std::max<size_t>(1, h.filled));
  mad = std::max(1.4826 * Median(scratch), 1.2533 * mean_ad);
  mad = std::max(mad, 1e-9 * (1.0 + std::fabs(med)));
  scratch.clear();
  for (size_t i = 0; i < h.filled; i++)
    if (h.resid[i] >= 0) scratch.push_back(h.resid[i]);
  resid_mad = scratch.size() > h.filled / 2 ? 1.4826 * Median(scratch) : 0;
  since_refresh = 0;
}

void SeasonalModel::Setup(double step_s) {
  if (step_s >= 86400 / 4) return;
  const double slot_s = std::max(step_s, 900.0);
  const size_t n_slots = size_t(std::max(1.0, 86400.0 / slot_s));
  per_slot = season_days * size_t(std::ceil(slot_s / step_s));
  slots.assign(n_slots, {});
  for (auto& s : slots) s.reserve(per_slot);
  head.assign(n_slots, 0);
}

SeasonalModel::Guess SeasonalModel::Score(int64_t t) {
  Guess g;
  if (slots.empty()) return g;
  const int64_t tod = ((t % 86400) + 86400) % 86400;
  g.slot = std::min(slots.size() - 1, size_t(double(tod) / (86400.0 / double(slots.size()))));
  if (slots[g.slot].size() >= 3) {
    scratch = slots[g.slot];
    g.median = Median(scratch);
    for (auto& v : scratch) v = std::fabs(v - g.median);
    g.mad = 1.4826 * Median(scratch);
  }
  return g;
}

void SeasonalModel::Learn(size_t slot, double x) {
  if (slots.empty() || per_slot == 0) return;
  auto& s = slots[slot];
  if (s.size() < per_slot) s.push_back(x);
  else s[head[slot]++ % per_slot] = x;
}

// [SECTION] Relative entropy, novelty

RelativeEntropy::RelativeEntropy(const DetectorParams& p)
    : window(std::max<size_t>(4, p.re_window)),
      bins(std::max<size_t>(2, p.re_bins)),
      chi2(p.re_chi2),
      flag_score(p.re_score),
      half_decades(p.re_half_decades),
      rate(p.re_rate) {}

void RelativeEntropy::Learn(double x) {
  flagged = false;
  const size_t w = window, nb = bins;
  if (ring.empty()) ring.assign(w, 0), lo = hi = x;
  const double leaving = ring[ring_head];
  const bool was_full = ring_filled == w;
  ring[ring_head] = x;
  ring_head = (ring_head + 1) % w;
  ring_filled = std::min(ring_filled + 1, w);
  // The range grows with what has been seen (a streaming detector cannot know
  // the file's range in advance).
  lo = std::min(lo, x);
  hi = std::max(hi, x);
  if (ring_filled < w || hi <= lo) return;
  const double step = (hi - lo) / double(nb);
  auto bin = [&](double v) { return size_t(std::clamp<long>(long(std::ceil((v - lo) / step)), 0, long(nb) - 1)); };
  if (!cnt_valid || !was_full || cnt_lo != lo || cnt_hi != hi) {
    cnt.assign(nb, 0);
    for (double v : ring) cnt[bin(v)]++;
    cnt_lo = lo, cnt_hi = hi, cnt_valid = true;
  } else {
    cnt[bin(leaving)]--;
    cnt[bin(x)]++;
  }
  logp.resize(nb);
  for (size_t b = 0; b < nb; b++) logp[b] = cnt[b] > 0 ? std::log(double(cnt[b]) / double(w)) : -INFINITY;
  if (hyp.empty()) {
    hyp.push_back(logp);
    hyp_count.push_back(1);
    return;
  }
  int best = -1;
  double best_stat = chi2;
  for (size_t j = 0; j < hyp.size(); j++) {
    const double* q = hyp[j].data();
    double kl = 0;
    bool disjoint = false;
    for (size_t b = 0; b < nb; b++) {
      if (cnt[b] == 0) continue;
      if (std::isinf(q[b])) { disjoint = true; break; }
      kl += double(cnt[b]) / double(w) * (logp[b] - q[b]);
    }
    const double stat = 2.0 * double(w) * kl;
    if (!disjoint && stat < best_stat) best_stat = stat, best = int(j);
  }
  windows++;
  if (best >= 0) {
    flagged = ++hyp_count[size_t(best)] <= 1;  // a hypothesis seen only once is still rare
    flags += flagged;
    return;
  }
  flags++;
  hyp.push_back(logp);
  hyp_count.push_back(1);
  flagged = true;
}

double RelativeEntropy::Score() const {
  if (!flagged) return 0;
  if (!rate) return flag_score;
  // How rare flags have been in this series so far.
  const double r = (double(flags) + 1) / (double(windows) + 2);
  return SurpriseToScore(-std::log10(r), half_decades);
}

Novelty::Novelty(const DetectorParams& p)
    : levels(double(std::max<size_t>(2, p.novelty_levels) - 1)),
      per_level(double(std::max<size_t>(1, p.novelty_cells))),
      learn(std::max<size_t>(2, p.novelty_learn)) {}

double Novelty::Score(double x) const {
  if (!std::isfinite(x) || !ready) return 0;
  const int64_t c = CellOf((x - lo) / cell);
  double d = 0;
  auto it = cells.lower_bound(c);
  if (it == cells.end() || *it != c) {
    int64_t n = INT64_MAX;
    if (it != cells.end()) n = *it - c;
    if (it != cells.begin()) n = std::min(n, c - *std::prev(it));
    d = double(n) * cell;
  }
  const double unit = (std::max(seen_max, x) - std::min(seen_min, x)) / levels;
  return unit > 0 ? std::min(1.0, d / unit) : 0.0;
}

void Novelty::Learn(double x) {
  if (!std::isfinite(x)) return;
  if (!ready) {
    // The cell size comes from the first points (the past only); they are
    // then replayed as visited.
    learning.push_back(x);
    if (learning.size() < learn) return;
    const auto [mn, mx] = std::minmax_element(learning.begin(), learning.end());
    lo = *mn;
    double level = (*mx - *mn) / levels;
    if (!(level > 0)) level = std::max(1e-9, 1e-3 * std::fabs(*mn));
    cell = level / per_level;
    seen_min = *mn, seen_max = *mx;
    for (double v : learning) cells.insert(CellOf((v - lo) / cell));
    learning = {};
    ready = true;
    return;
  }
  if (cells.insert(CellOf((x - lo) / cell)).second && cells.size() > (1u << 16)) {
    // Bounded memory: coarsen the cells (halve the resolution).
    std::set<int64_t> coarse;
    for (int64_t v : cells) coarse.insert(v >= 0 ? v / 2 : -((-v + 1) / 2));
    cells.swap(coarse);
    cell *= 2;
  }
  seen_min = std::min(seen_min, x), seen_max = std::max(seen_max, x);
}

// [SECTION] Time of day, run length

DailyProfile::DailyProfile(const DetectorParams& p)
    : days(std::max<size_t>(1, p.daily_days)),
      weeks(p.daily_weeks),
      min_days(std::max<size_t>(1, p.daily_min_days)),
      gate(p.daily_gate),
      allow(p.daily_allow_decades),
      keep(p.daily_keep),
      half(p.daily_half_decades) {}

void DailyProfile::Setup(double step_s, size_t history_len) {
  if (step_s >= 86400 / 4) return;  // no time of day to speak of
  slot_s = std::max(step_s, 900.0);
  const size_t n_slots = size_t(std::max(3.0, std::round(86400.0 / slot_s)));
  slot_s = 86400.0 / double(n_slots);
  per_slot_day = size_t(std::ceil(slot_s / step_s));
  slots.assign(7, std::vector<std::deque<std::pair<int64_t, double>>>(n_slots));
  by_value.assign(7, std::vector<std::vector<std::pair<double, int64_t>>>(n_slots));
  // Two histories of residuals: long enough to span a day's rhythm.
  resid.assign(2 * history_len, 0);
  vals.assign(2 * history_len, 0);
  slot_cache.assign(n_slots, {});
}

DailyProfile::Guess DailyProfile::Score(int64_t t) {
  if (slots.empty()) return {};
  const int64_t day = FloorDivDay(t);
  const size_t n_slots = slots[0].size();
  const size_t slot = std::min(n_slots - 1, size_t(double(t - day * 86400) / slot_s));
  const int64_t key = day * int64_t(n_slots) + int64_t(slot);
  if (key == cached_key) return cached;
  cached_key = key;
  cached = {};
  cached_has_profile = false;
  const int weekday = WeekdayOf(day);
  const bool weekend = weekday == 0 || weekday == 6;
  // Days before today with a value in this slot, over the given weekdays and span.
  // (Each weekday's values are in day order, and different weekdays are
  // different days, so counting day changes per weekday is enough.)
  auto days_in = [&](auto use_weekday, int64_t span) {
    size_t n = 0;
    for (int w = 0; w < 7; w++) {
      if (!use_weekday(w)) continue;
      int64_t last = INT64_MIN;
      for (const auto& [d, v] : slots[size_t(w)][slot])
        if (d < day && d + span >= day && d != last) n++, last = d;
    }
    return n;
  };
  // The same weekday over the last `weeks` weeks when there are enough of
  // them (a Sunday evening is not a Saturday evening); else the same day
  // type (weekday / weekend) over the last `days` days.
  auto same_day = [&](int w) { return w == weekday; };
  auto same_type = [&](int w) { return (w == 0 || w == 6) == weekend; };
  const int64_t week_span = int64_t(7 * weeks);
  const bool by_weekday = days_in(same_day, week_span) >= min_days;
  if (!by_weekday && days_in(same_type, int64_t(days)) < min_days) return cached;
  // The slot and its two neighbours: each one's values, sorted once per day,
  // merged. The median and MAD are order statistics of the same multiset as
  // selecting from the unsorted values would give (identical results).
  if (day != cache_day) cache_day = day, cache_epoch++;
  auto sorted_slot = [&](size_t s) -> const std::vector<double>& {
    SlotCache& c = slot_cache[s];
    if (c.epoch == cache_epoch && c.by_weekday == by_weekday) return c.sorted;
    c.sorted.clear();
    if (by_weekday) {
      // One weekday: its entries are already in value order (Scale keeps it).
      for (const auto& [v, d] : by_value[size_t(weekday)][s])
        if (d < day && d + week_span >= day) c.sorted.push_back(Scale(v));
    } else {
      for (int w = 0; w < 7; w++) {
        if (!same_type(w)) continue;
        for (const auto& [d, v] : slots[size_t(w)][s])
          if (d < day && d + int64_t(days) >= day) c.sorted.push_back(Scale(v));
      }
      std::sort(c.sorted.begin(), c.sorted.end());
    }
    c.sorted.push_back(INFINITY);  // sentinel (stored values are finite)
    c.epoch = cache_epoch, c.by_weekday = by_weekday;
    return c.sorted;
  };
  const double* pa = sorted_slot((slot + n_slots - 1) % n_slots).data();
  const double* pb = sorted_slot(slot).data();
  const double* pc = sorted_slot((slot + 1) % n_slots).data();
  const size_t n = slot_cache[(slot + n_slots - 1) % n_slots].sorted.size() + slot_cache[slot].sorted.size() +
                   slot_cache[(slot + 1) % n_slots].sorted.size() - 3;
  // Branch-free three-way merge (the comparisons are unpredictable).
  merged.resize(n);
  for (size_t k = 0; k < n; k++) {
    const double x = *pa, y = *pb, z = *pc;
    const bool take_b = y < x;
    const double xy = take_b ? y : x;
    const bool take_c = z < xy;
    merged[k] = take_c ? z : xy;
    pa += !take_b & !take_c;
    pb += take_b & !take_c;
    pc += take_c;
  }
  const double m = n > 0 ? merged[n / 2] : 0.0;  // the upper median, as Median()
  const double mad = 1.4826 * SortedMedianDeviation(merged.data(), n);
  cached.expected = m;
  cached.scale = std::max({mad, resid_scale, 1e-9 * (1.0 + std::fabs(m))});
  cached.shown = Unscale(m);
  cached.lower = Unscale(std::max(counts ? 0.0 : -INFINITY, m - 3 * cached.scale));
  cached.upper = Unscale(m + 3 * cached.scale);
  // The profile is used only while it explains the series much better than
  // its overall spread does.
  cached.valid = ring_filled >= resid.size() / 2 && resid_scale < gate * value_scale;
  cached_has_profile = true;
  return cached;
}

double DailyProfile::Accumulated(const Guess& g, double x) const {
  if (!g.valid || !std::isfinite(x)) return 0;
  const double z = (Scale(x) - g.expected) / g.scale;
  return std::max(0.0, keep * (z >= 0 ? above : below) + NormalSurprise(z) - allow);
}

double DailyProfile::ScoreValue(const Guess& g, double x) const { return SurpriseToScore(Accumulated(g, x), half); }

void DailyProfile::Learn(int64_t t, double x, const Guess& g, bool had_profile) {
  if (slots.empty() || !std::isfinite(x)) return;
  if (counts && (x < 0 || x != std::floor(x))) {
    // Not counts after all: the residuals so far were on the other scale.
    counts = false;
    ring_filled = 0;
    for (auto* v : {&sorted_resid, &sorted_vals, &gone_resid, &gone_vals, &came_resid, &came_vals}) v->clear();
    since_refresh = 1u << 30;
    resid_scale = value_scale = 0;
    had_profile = false;
    cached_key = INT64_MIN;
    cache_epoch++;
  }
  const double expected = g.expected, y = Scale(x);
  if (g.valid && had_profile) {
    (y >= expected ? above : below) = Accumulated(g, x);
    (y >= expected ? below : above) = 0;
  } else {
    above = below = 0;
  }
  const int64_t day = FloorDivDay(t);
  const size_t n_slots = slots[0].size();
  const size_t slot = std::min(n_slots - 1, size_t(double(t - day * 86400) / slot_s));
  auto& q = slots[size_t(WeekdayOf(day))][slot];
  auto& sorted = by_value[size_t(WeekdayOf(day))][slot];
  q.emplace_back(day, x);
  sorted.insert(std::upper_bound(sorted.begin(), sorted.end(), std::make_pair(x, day)), {x, day});
  const int64_t keep_days = int64_t(std::max(days, 7 * weeks));
  // The sorted slots hold days before cache_day within keep_days of it: a
  // value of that day, or one too old for it, changes none of them.
  if (day != cache_day) cache_epoch++;
  while (!q.empty() && (q.front().first + keep_days < day || q.size() > size_t(keep_days + 1) * per_slot_day)) {
    if (q.front().first + keep_days >= day) cache_epoch++;  // dropped by the size cap
    sorted.erase(std::lower_bound(sorted.begin(), sorted.end(), std::make_pair(q.front().second, q.front().first)));
    q.pop_front();
  }
  if (!had_profile) return;
  // The scales are order statistics of resid[0, ring_filled) and
  // vals[0, ring_filled); keep those sorted (after a scale switch the ring
  // restarts its count but not its position, so an entry joining the counted
  // part need not be the one just written).
  const size_t h = ring_head;
  if (h < ring_filled) gone_resid.push_back(resid[h]), gone_vals.push_back(vals[h]);
  resid[h] = std::fabs(y - expected);
  vals[h] = y;
  if (h < ring_filled) came_resid.push_back(resid[h]), came_vals.push_back(vals[h]);
  if (ring_filled < resid.size()) {
    came_resid.push_back(resid[ring_filled]), came_vals.push_back(vals[ring_filled]);
    ring_filled++;
  }
  ring_head = (h + 1) % resid.size();
  if (++since_refresh < resid.size() / 8) return;
  since_refresh = 0;
  ApplyChanges(sorted_resid, gone_resid, came_resid, scratch);
  ApplyChanges(sorted_vals, gone_vals, came_vals, scratch);
  resid_scale = 1.4826 * (sorted_resid.empty() ? 0.0 : sorted_resid[sorted_resid.size() / 2]);
  value_scale = 1.4826 * SortedMedianDeviation(sorted_vals.data(), sorted_vals.size());
}

double RunLength::Score(double x) const {
  if (!std::isfinite(x) || x != prev || run + 1 < min_run) return 0;
  const double d = Improbability();
  return d >= next_level && d > record ? SurpriseToScore(d, half) : 0.0;
}

void RunLength::Learn(double x) {
  if (!std::isfinite(x)) {
    record = std::max(record, Ended());
    prev = NAN, run = 0;
    return;
  }
  // At most one lookup per point (none for a repeat). Bounded memory: a value
  // first seen after kMaxValues distinct ones is not remembered and uses the
  // overall rate.
  if (x == prev) {
    if (Score(x) > 0) next_level = 4 * Improbability();  // reported: again only when 4x as improbable
    repeats++;
    run++;
    if (prev_slot != kNone) table[prev_slot].counts.repeated++;
  } else {
    prev_slot = FindOrAdd(x);
    // The repeat probability of this value, from before the run (shrunk
    // towards the series' overall repeat rate when the value is rare).
    const double p_all = (double(repeats) + 1) / (double(steps) + 2);
    const Counts c = prev_slot != kNone ? table[prev_slot].counts : Counts{};
    const double p = (double(c.repeated) + 2 * p_all) / (double(c.seen) + 2);
    record = std::max(record, Ended());
    run_p = std::clamp(p, 1e-12, 0.999);
    run = 1;
    next_level = std::max(decades, record);
    prev = x;
  }
  steps++;
  if (prev_slot != kNone) table[prev_slot].counts.seen++;
}

namespace {

uint64_t KeyOf(double x) {
  uint64_t key = 0;
  const double v = x == 0 ? 0.0 : x;  // -0 == 0
  std::memcpy(&key, &v, sizeof key);
  return key;
}

size_t HomeOf(uint64_t k, size_t mask) {
  // splitmix64's finalizer: integral values have all-zero low mantissa bits.
  k = (k ^ (k >> 30)) * 0xbf58476d1ce4e5b9ULL;
  k = (k ^ (k >> 27)) * 0x94d049bb133111ebULL;
  return size_t(k ^ (k >> 31)) & mask;
}

}  // namespace

void RunLength::Prefetch(double x) const {
  // A series of distinct values misses the cache on every lookup; the rest of
  // the point's work hides the fetch.
  if (!table.empty() && !std::isnan(x) && x != prev) __builtin_prefetch(&table[HomeOf(KeyOf(x), table.size() - 1)]);
}

size_t RunLength::FindOrAdd(double x) {
  const uint64_t key = KeyOf(x);
  auto home = HomeOf;
  if (table.empty()) table.resize(64);
  size_t mask = table.size() - 1, i = home(key, mask);
  while (table[i].key != kEmpty) {
    if (table[i].key == key) return i;
    i = (i + 1) & mask;
  }
  if (stored >= kMaxValues) return kNone;
  if (2 * (stored + 1) > table.size()) {
    // Grow (load at most 1/2), then find the new value's slot again.
    std::vector<Slot> old(table.size() * 2);
    old.swap(table);
    mask = table.size() - 1;
    for (const Slot& s : old) {
      if (s.key == kEmpty) continue;
      size_t j = home(s.key, mask);
      while (table[j].key != kEmpty) j = (j + 1) & mask;
      table[j] = s;
    }
    for (i = home(key, mask); table[i].key != kEmpty; i = (i + 1) & mask) {
    }
  }
  stored++;
  table[i].key = key;
  return i;
}

// [SECTION] Calibration and onset rules

double SurpriseCalibration::Score(double raw) const {
  // Short mean of the last short_k surprises (this one included) ...
  const size_t k = std::max<size_t>(1, short_k);
  double sum = short_sum;
  if (!short_ring.empty() && short_filled == short_ring.size()) sum -= short_ring[short_head];
  sum += raw;
  const double m = sum / double(std::min(short_filled + 1, k));
  // ... against the mean and spread of this series' long surprise history.
  if (long_filled < 16) return 0;
  const double mu = long_sum / double(long_filled);
  const double var = std::max(0.0, long_sumsq / double(long_filled) - mu * mu);
  const double z = (m - mu) / std::max(std::sqrt(var), 0.05);
  return z > 0 ? NormalSurprise(z) : 0.0;
}

void SurpriseCalibration::Learn(double raw, size_t history_len) {
  if (short_ring.empty()) short_ring.assign(std::max<size_t>(1, short_k), 0);
  if (short_filled == short_ring.size()) short_sum -= short_ring[short_head];
  short_ring[short_head] = raw;
  short_sum += raw;
  short_head = (short_head + 1) % short_ring.size();
  short_filled = std::min(short_filled + 1, short_ring.size());
  if (long_ring.empty()) long_ring.assign(std::max<size_t>(16, size_t(histories * double(history_len))), 0);
  if (long_filled == long_ring.size()) {
    const double old = long_ring[long_head];
    long_sum -= old;
    long_sumsq -= old * old;
  }
  long_ring[long_head] = raw;
  long_sum += raw;
  long_sumsq += raw * raw;
  long_head = (long_head + 1) % long_ring.size();
  long_filled = std::min(long_filled + 1, long_ring.size());
}

double DecayingOnset::Score(double s) const { return s <= peak * std::exp2(-1.0 / half) ? 0.0 : s; }
void DecayingOnset::Learn(double raw) { peak = std::max(peak * std::exp2(-1.0 / half), raw); }

double SlidingOnset::Score(size_t n, double s, size_t horizon) const {
  // The deque decreases, so the first entry still inside the horizon is the max.
  for (const auto& [i, v] : q)
    if (i + horizon >= n) return s <= v ? 0.0 : s;
  return s <= -1.0 ? 0.0 : s;
}

void SlidingOnset::Learn(size_t n, double raw, size_t horizon) {
  while (!q.empty() && q.front().first + horizon < n) q.pop_front();
  while (!q.empty() && q.back().second <= raw) q.pop_back();
  q.emplace_back(n, raw);
}

}  // namespace detail

// [SECTION] SeriesDetector: the parts composed

SeriesDetector::SeriesDetector(DetectorParams p)
    : p_(p), seasonal_(p), re_(p), novelty_(p), daily_(p), stuck_(p), calib_(p), decay_(p), sliding_(p) {}

size_t SeriesDetector::HistoryLen() const {
  size_t per_day = step_s_ > 0 ? size_t(p_.history_days * 86400.0 / step_s_) : p_.min_history;
  return std::clamp(per_day, p_.min_history, 4 * p_.min_history);
}

void SeriesDetector::ObserveTime(int64_t t) {
  if (n_ > 0 && t > last_t_ && gaps_.size() < 33) gaps_.push_back(double(t - last_t_));
  if (n_ == 0 || t > last_t_) last_t_ = t;
  n_++;
  if (step_s_ == 0 && (gaps_.size() >= 33 || n_ == p_.warmup)) {
    std::vector<double> g = gaps_;
    step_s_ = g.empty() ? 300 : std::max(1.0, detail::Median(g));
    history_.Resize(HistoryLen());  // its final length, keeping what was seen
    plain_.Reset(history_);
    if (p_.robust) seasonal_.Setup(step_s_);
    if (p_.daily) daily_.Setup(step_s_, HistoryLen());
  }
  if (history_.values.empty()) history_.Resize(p_.warmup + 1);
}

SeriesDetector::Guess SeriesDetector::GuessPoint(int64_t t, bool ready) {
  Guess g;
  if (!p_.robust) {
    plain_.Score(history_, &g.expected, &g.scale);
    return g;
  }
  g.expected = robust_.med;
  g.scale = robust_.mad;
  g.seasonal = seasonal_.Score(t);
  const double seasonal = g.seasonal.median;
  if (ready && !std::isnan(seasonal) && robust_.resid_mad > 0 && robust_.resid_mad < 0.7 * robust_.mad) {
    g.expected = seasonal;
    // The spread of this time of day (rush hours vary more than nights),
    // never below the typical residual.
    g.scale = std::max({robust_.resid_mad, g.seasonal.mad, 1e-9 * (1.0 + std::fabs(seasonal))});
  }
  return g;
}

double SeriesDetector::ReportOnset(double s) {
  if (!p_.onsets_only) return s;
  double out = 0;
  if (p_.suppress_half > 0) {
    out = decay_.Score(s);
    decay_.Learn(s);
  } else {
    const size_t horizon = std::max<size_t>(1, size_t(sliding_.fraction * double(HistoryLen())));
    out = sliding_.Score(n_, s, horizon);
    sliding_.Learn(n_, s, horizon);
  }
  return out;
}

void SeriesDetector::LearnPoint(double x, const Guess& g) {
  if (!p_.robust) plain_.Learn(history_, x);
  const double seasonal = g.seasonal.median;
  history_.Push(x, std::isnan(seasonal) ? -1.0 : std::fabs(x - seasonal));
  if (!p_.robust) return;
  seasonal_.Learn(g.seasonal.slot, x);
  robust_.Learn(history_);
}

PointScore SeriesDetector::Update(int64_t t, double x) {
  ObserveTime(t);
  const bool ready = n_ > p_.warmup && step_s_ > 0;
  // Every part scores x against the past; the ones that watch the whole
  // series learn it at once, the point model after scoring.
  const Guess g = GuessPoint(t, ready);
  double re_score = 0, novelty = 0, daily = 0, stuck = 0;
  detail::DailyProfile::Guess dg;
  if (p_.stuck) stuck_.Prefetch(x);
  if (p_.daily) {
    dg = daily_.Score(t);
    daily = daily_.ScoreValue(dg, x);
  }
  if (p_.stuck) {
    stuck = stuck_.Score(x);
    stuck_.Learn(x);
  }
  if (p_.relative_entropy) {
    re_.Learn(x);
    re_score = re_.Score();
  }
  if (p_.novelty) {
    novelty = novelty_.Score(x);
    novelty_.Learn(x);
  }
  PointScore out;
  if (ready) {
    out.surprise = NormalSurprise((x - g.expected) / g.scale);
    out.initializing = false;
    double surprise = out.surprise;
    if (p_.calibrate) {
      const double raw = std::min(out.surprise, p_.max_surprise);
      surprise = calib_.Score(raw);
      calib_.Learn(raw, HistoryLen());
    }
    double s = SurpriseToScore(surprise, p_.score_half_decades);
    // Combine by max before the onset rule, so one excursion seen by several
    // parts is still reported once.
    if (p_.relative_entropy) s = std::max(s, re_score);
    if (p_.novelty) s = std::max(s, novelty);
    s = std::max({s, daily, stuck});
    out.score = ReportOnset(s);
  }
  // The band shown is the time-of-day one while that model is in use.
  out.expected = g.expected;
  out.lower = g.expected - 3 * g.scale;
  out.upper = g.expected + 3 * g.scale;
  if (dg.valid) out.expected = dg.shown, out.lower = dg.lower, out.upper = dg.upper;
  if (p_.daily) daily_.Learn(t, x, dg, daily_.cached_has_profile);
  out.severity = float(std::round(out.score * 1000.0) / 10.0);
  LearnPoint(x, g);
  return out;
}

}  // namespace fk::anomaly
