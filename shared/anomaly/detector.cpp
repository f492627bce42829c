#include "anomaly/detector.h"

#include <algorithm>
#include <cmath>

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
  return p;
}

SeriesDetector::SeriesDetector(DetectorParams p) : p_(p) {}

bool SeriesDetector::RelativeEntropyFlag(double x) {
  const size_t w = std::max<size_t>(4, p_.re_window), nb = std::max<size_t>(2, p_.re_bins);
  if (re_ring_.empty()) re_ring_.assign(w, 0), re_min_ = re_max_ = x;
  const double leaving = re_ring_[re_head_];
  const bool was_full = re_filled_ == w;
  re_ring_[re_head_] = x;
  re_head_ = (re_head_ + 1) % w;
  re_filled_ = std::min(re_filled_ + 1, w);
  // The range grows with what has been seen (a streaming detector cannot know
  // the file's range in advance).
  re_min_ = std::min(re_min_, x);
  re_max_ = std::max(re_max_, x);
  if (re_filled_ < w || re_max_ <= re_min_) return false;
  const double step = (re_max_ - re_min_) / double(nb);
  auto bin = [&](double v) { return size_t(std::clamp<long>(long(std::ceil((v - re_min_) / step)), 0, long(nb) - 1)); };
  if (!re_cnt_valid_ || !was_full || re_cnt_min_ != re_min_ || re_cnt_max_ != re_max_) {
    re_cnt_.assign(nb, 0);
    for (double v : re_ring_) re_cnt_[bin(v)]++;
    re_cnt_min_ = re_min_, re_cnt_max_ = re_max_, re_cnt_valid_ = true;
  } else {
    re_cnt_[bin(leaving)]--;
    re_cnt_[bin(x)]++;
  }
  // Hypotheses are kept as log probabilities (-inf for an empty bin).
  re_logp_.resize(nb);
  for (size_t b = 0; b < nb; b++)
    re_logp_[b] = re_cnt_[b] > 0 ? std::log(double(re_cnt_[b]) / double(w)) : -INFINITY;
  if (re_hyp_.empty()) {
    re_hyp_.push_back(re_logp_);
    re_count_.push_back(1);
    return false;
  }
  int best = -1;
  double best_stat = p_.re_chi2;
  for (size_t j = 0; j < re_hyp_.size(); j++) {
    const double* q = re_hyp_[j].data();
    double kl = 0;
    bool disjoint = false;
    for (size_t b = 0; b < nb; b++) {
      if (re_cnt_[b] == 0) continue;
      if (std::isinf(q[b])) { disjoint = true; break; }
      kl += double(re_cnt_[b]) / double(w) * (re_logp_[b] - q[b]);
    }
    const double stat = 2.0 * double(w) * kl;
    if (!disjoint && stat < best_stat) best_stat = stat, best = int(j);
  }
  re_windows_++;
  if (best >= 0) {
    const bool rare = ++re_count_[size_t(best)] <= 1;  // a hypothesis seen only once is still rare
    re_flags_ += rare;
    return rare;
  }
  re_flags_++;
  re_hyp_.push_back(re_logp_);
  re_count_.push_back(1);
  return true;
}

static int64_t CellOf(double v) { return int64_t(std::clamp(std::floor(v), -4e18, 4e18)); }

double SeriesDetector::Novelty(double x) {
  if (!std::isfinite(x)) return 0;
  const double levels = double(std::max<size_t>(2, p_.novelty_levels) - 1);
  const double per_level = double(std::max<size_t>(1, p_.novelty_cells));
  if (!nov_ready_) {
    // The cell size comes from the first points (the past only); they are
    // then replayed as visited.
    nov_learn_.push_back(x);
    if (nov_learn_.size() < std::max<size_t>(2, p_.novelty_learn)) return 0;
    const auto [mn, mx] = std::minmax_element(nov_learn_.begin(), nov_learn_.end());
    nov_lo_ = *mn;
    double level = (*mx - *mn) / levels;
    if (!(level > 0)) level = std::max(1e-9, 1e-3 * std::fabs(*mn));
    nov_cell_ = level / per_level;
    nov_min_ = *mn, nov_max_ = *mx;
    for (double v : nov_learn_) nov_cells_.insert(CellOf((v - nov_lo_) / nov_cell_));
    nov_learn_ = {};
    nov_ready_ = true;
    return 0;
  }
  const int64_t c = CellOf((x - nov_lo_) / nov_cell_);
  double d = 0;
  auto it = nov_cells_.lower_bound(c);
  if (it == nov_cells_.end() || *it != c) {
    int64_t cells = INT64_MAX;
    if (it != nov_cells_.end()) cells = *it - c;
    if (it != nov_cells_.begin()) cells = std::min(cells, c - *std::prev(it));
    d = double(cells) * nov_cell_;
    nov_cells_.insert(it, c);
    if (nov_cells_.size() > (1u << 16)) {
      // Bounded memory: coarsen the cells (halve the resolution).
      std::set<int64_t> coarse;
      for (int64_t v : nov_cells_) coarse.insert(v >= 0 ? v / 2 : -((-v + 1) / 2));
      nov_cells_.swap(coarse);
      nov_cell_ *= 2;
    }
  }
  nov_min_ = std::min(nov_min_, x), nov_max_ = std::max(nov_max_, x);
  const double unit = (nov_max_ - nov_min_) / levels;
  return unit > 0 ? std::min(1.0, d / unit) : 0.0;
}

size_t SeriesDetector::HistoryLen() const {
  size_t per_day = step_s_ > 0 ? size_t(p_.history_days * 86400.0 / step_s_) : p_.min_history;
  return std::clamp(per_day, p_.min_history, 4 * p_.min_history);
}

static double Median(std::vector<double>& v) {
  if (v.empty()) return 0;
  const size_t m = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + long(m), v.end());
  return v[m];
}

void SeriesDetector::Refresh() {
  scratch_.assign(ring_.begin(), ring_.begin() + long(filled_));
  med_ = Median(scratch_);
  double mean_ad = 0;
  for (auto& v : scratch_) v = std::fabs(v - med_), mean_ad += v;
  mean_ad /= double(std::max<size_t>(1, filled_));
  mad_ = std::max(1.4826 * Median(scratch_), 1.2533 * mean_ad);
  mad_ = std::max(mad_, 1e-9 * (1.0 + std::fabs(med_)));
  scratch_.clear();
  for (size_t i = 0; i < filled_; i++)
    if (resid_ring_[i] >= 0) scratch_.push_back(resid_ring_[i]);
  resid_mad_ = scratch_.size() > filled_ / 2 ? 1.4826 * Median(scratch_) : 0;
  since_refresh_ = 0;
}

double SeriesDetector::Calibrate(double raw) {
  // Short mean of the last short_k surprises ...
  if (short_ring_.empty()) short_ring_.assign(std::max<size_t>(1, p_.short_k), 0);
  if (short_filled_ == short_ring_.size()) short_sum_ -= short_ring_[short_head_];
  short_ring_[short_head_] = raw;
  short_sum_ += raw;
  short_head_ = (short_head_ + 1) % short_ring_.size();
  short_filled_ = std::min(short_filled_ + 1, short_ring_.size());
  const double m = short_sum_ / double(short_filled_);
  // ... against the mean and spread of this series' long surprise history.
  if (cal_ring_.empty()) cal_ring_.assign(std::max<size_t>(16, size_t(p_.calib_histories * double(HistoryLen()))), 0);
  double out = 0;
  if (cal_filled_ >= 16) {
    const double mu = cal_sum_ / double(cal_filled_);
    const double var = std::max(0.0, cal_sumsq_ / double(cal_filled_) - mu * mu);
    const double z = (m - mu) / std::max(std::sqrt(var), 0.05);
    out = z > 0 ? NormalSurprise(z) : 0.0;
  }
  if (cal_filled_ == cal_ring_.size()) {
    const double old = cal_ring_[cal_head_];
    cal_sum_ -= old;
    cal_sumsq_ -= old * old;
  }
  cal_ring_[cal_head_] = raw;
  cal_sum_ += raw;
  cal_sumsq_ += raw * raw;
  cal_head_ = (cal_head_ + 1) % cal_ring_.size();
  cal_filled_ = std::min(cal_filled_ + 1, cal_ring_.size());
  return out;
}

PointScore SeriesDetector::Update(int64_t t, double x) {
  PointScore out;
  if (n_ > 0 && t > last_t_ && gaps_.size() < 33) gaps_.push_back(double(t - last_t_));
  if (n_ == 0 || t > last_t_) last_t_ = t;
  n_++;
  if (step_s_ == 0 && (gaps_.size() >= 33 || n_ == p_.warmup)) {
    std::vector<double> g = gaps_;
    step_s_ = g.empty() ? 300 : std::max(1.0, Median(g));
    const size_t len = HistoryLen();
    // Re-lay the ring at its final length, keeping what was seen.
    std::vector<double> old(ring_.begin(), ring_.begin() + long(filled_));
    ring_.assign(len, 0);
    resid_ring_.assign(len, -1);
    filled_ = std::min(old.size(), len);
    std::copy(old.end() - long(filled_), old.end(), ring_.begin());
    head_ = filled_ % len;
    sum_ = sumsq_ = 0;
    for (size_t i = 0; i < filled_; i++) sum_ += ring_[i], sumsq_ += ring_[i] * ring_[i];
    if (step_s_ < 86400 / 4) {
      const double slot_s = std::max(step_s_, 900.0);
      n_slots_ = size_t(std::max(1.0, 86400.0 / slot_s));
      const size_t per_slot = p_.season_days * size_t(std::ceil(slot_s / step_s_));
      slots_.assign(n_slots_, {});
      for (auto& s : slots_) s.reserve(per_slot);
      slot_head_.assign(n_slots_, 0);
    }
  }
  if (ring_.empty()) ring_.assign(p_.warmup + 1, 0), resid_ring_.assign(p_.warmup + 1, -1);

  // Score x against the past (before it joins the history).
  double expected = med_, scale = mad_;
  size_t slot = 0;
  double seasonal = NAN, slot_mad = 0;
  if (p_.robust && n_slots_ > 0) {
    const int64_t tod = ((t % 86400) + 86400) % 86400;
    slot = std::min(n_slots_ - 1, size_t(double(tod) / (86400.0 / double(n_slots_))));
    if (slots_[slot].size() >= 3) {
      scratch_ = slots_[slot];
      seasonal = Median(scratch_);
      for (auto& v : scratch_) v = std::fabs(v - seasonal);
      slot_mad = 1.4826 * Median(scratch_);
    }
  }
  const bool ready = n_ > p_.warmup && step_s_ > 0;
  const bool re_flag = p_.relative_entropy && RelativeEntropyFlag(x);
  const double novelty = p_.novelty ? Novelty(x) : 0.0;
  if (!p_.robust && filled_ > 0) {
    expected = sum_ / double(filled_);
    scale = std::sqrt(std::max(0.0, sumsq_ / double(filled_) - expected * expected));
    scale = std::max(scale, 1e-9 * (1.0 + std::fabs(expected)));
  }
  if (ready) {
    if (p_.robust && !std::isnan(seasonal) && resid_mad_ > 0 && resid_mad_ < 0.7 * mad_) {
      expected = seasonal;
      // The spread of this time of day (rush hours vary more than nights),
      // never below the typical residual.
      scale = std::max({resid_mad_, slot_mad, 1e-9 * (1.0 + std::fabs(seasonal))});
    }
    const double z = (x - expected) / scale;
    out.surprise = NormalSurprise(z);
    out.initializing = false;
    double surprise = out.surprise;
    if (p_.calibrate) surprise = Calibrate(std::min(out.surprise, p_.max_surprise));
    double s = SurpriseToScore(surprise, p_.score_half_decades);
    // Combine by max before the onset rule, so one excursion seen by several
    // parts is still reported once.
    if (re_flag) {
      const double rate = (double(re_flags_) + 1) / (double(re_windows_) + 2);
      s = std::max(s, p_.re_rate ? SurpriseToScore(-std::log10(rate), p_.re_half_decades) : p_.re_score);
    }
    if (p_.novelty) s = std::max(s, novelty);
    if (p_.onsets_only && p_.suppress_half > 0) {
      // A point counts only if it beats every earlier raw score discounted by
      // its age (halved every suppress_half points): threshold-free, and a big
      // report does not hide a new, lesser one for long.
      decay_max_ *= std::exp2(-1.0 / p_.suppress_half);
      const double raw = s;
      if (s <= decay_max_) s = 0;
      decay_max_ = std::max(decay_max_, raw);
    } else if (p_.onsets_only) {
      // Report an excursion once: a point counts only if it is more extreme
      // than every raw score of the last suppression horizon (a sliding max,
      // so the rule holds at any threshold the user picks).
      const size_t horizon = std::max<size_t>(1, size_t(p_.suppress_fraction * double(HistoryLen())));
      while (!max_q_.empty() && max_q_.front().first + horizon < n_) max_q_.pop_front();
      const double prev = max_q_.empty() ? -1.0 : max_q_.front().second;
      while (!max_q_.empty() && max_q_.back().second <= s) max_q_.pop_back();
      max_q_.emplace_back(n_, s);
      if (s <= prev) s = 0;
    }
    out.score = s;
  }
  out.expected = expected;
  out.lower = expected - 3 * scale;
  out.upper = expected + 3 * scale;
  out.severity = float(std::round(out.score * 1000.0) / 10.0);

  // Learn.
  const size_t cap = ring_.size();
  if (filled_ == cap) sum_ -= ring_[head_], sumsq_ -= ring_[head_] * ring_[head_];
  sum_ += x;
  sumsq_ += x * x;
  ring_[head_] = x;
  resid_ring_[head_] = std::isnan(seasonal) ? -1.0 : std::fabs(x - seasonal);
  head_ = (head_ + 1) % cap;
  filled_ = std::min(filled_ + 1, cap);
  if (p_.robust && n_slots_ > 0) {
    auto& s = slots_[slot];
    const size_t per_slot = s.capacity();
    if (s.size() < per_slot) s.push_back(x);
    else s[slot_head_[slot]++ % per_slot] = x;
  }
  if (p_.robust && ++since_refresh_ >= std::max<size_t>(1, cap / 8)) Refresh();
  return out;
}

}  // namespace fk::anomaly
