// Index
// [SECTION] frequency and buckets
// [SECTION] aggregation
// [SECTION] fills, end-of-life, quality
// [SECTION] related series and metadata
#include "forecast/prepare.h"

#include <algorithm>
#include <cmath>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <map>
#include <unordered_map>

#include "core/civil.h"

namespace fk::forecast {

// [SECTION] frequency and buckets

namespace {
int64_t MonthIndex(int64_t seconds) {
  int64_t y;
  int m, d;
  CivilFromDays(FloorDiv(seconds, 86400), &y, &m, &d);
  return y * 12 + (m - 1);
}
int64_t MonthsPerBucket(const Frequency& f) { return f.unit == 'M' ? f.n : (f.unit == 'Q' ? 3 : 12); }
}  // namespace

std::string Frequency::Name() const {
  if (unit == 'm') return std::to_string(n) + "min";
  return (n == 1 ? std::string() : std::to_string(n)) + unit;
}

int Frequency::SeasonalPeriod() const {
  if (n != 1) return 1;
  switch (unit) {
    case 'H': return 24;
    case 'D': return 7;
    case 'W': return 52;
    case 'M': return 12;
    case 'Q': return 4;
    default: return 1;
  }
}

bool ParseFrequency(const std::string& s, Frequency* out, std::string* error) {
  size_t i = 0;
  int n = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) n = n * 10 + (s[i++] - '0');
  if (i == 0) n = 1;
  const std::string u = s.substr(i);
  char unit = 0;
  int max_n = 1;
  if (u == "min" || u == "T") unit = 'm', max_n = 59;
  else if (u == "H" || u == "h") unit = 'H', max_n = 23;
  else if (u == "D" || u == "d") unit = 'D', max_n = 6;
  else if (u == "W" || u == "w") unit = 'W', max_n = 4;
  else if (u == "M") unit = 'M', max_n = 11;
  else if (u == "Q" || u == "q") unit = 'Q';
  else if (u == "Y" || u == "y") unit = 'Y';
  if (!unit || n < 1 || n > max_n) {
    if (error)
      *error = "frequency '" + s + "' is not one of 1min..59min, 1H..23H, 1D..6D, 1W..4W, 1M..11M, Q, Y";
    return false;
  }
  out->unit = unit;
  out->n = n;
  return true;
}

int64_t BucketOf(int64_t t, const Frequency& f) {
  switch (f.unit) {
    case 'm': return FloorDiv(t, 60 * int64_t(f.n));
    case 'H': return FloorDiv(t, 3600 * int64_t(f.n));
    case 'D': return FloorDiv(t, 86400 * int64_t(f.n));
    case 'W': return FloorDiv(FloorDiv(t, 86400) - 4, 7 * int64_t(f.n));  // weeks start on Monday (1970-01-05)
    default: return FloorDiv(MonthIndex(t), MonthsPerBucket(f));
  }
}

int64_t BucketStart(int64_t b, const Frequency& f) {
  switch (f.unit) {
    case 'm': return b * 60 * f.n;
    case 'H': return b * 3600 * f.n;
    case 'D': return b * 86400 * f.n;
    case 'W': return (b * 7 * f.n + 4) * 86400;
    default: {
      const int64_t mi = b * MonthsPerBucket(f);
      return DaysFromCivil(FloorDiv(mi, 12), int(mi - FloorDiv(mi, 12) * 12) + 1, 1) * 86400;
    }
  }
}

bool ParseAgg(const std::string& s, AggMethod* out) {
  for (AggMethod a : {AggMethod::Sum, AggMethod::Avg, AggMethod::First, AggMethod::Min, AggMethod::Max})
    if (s == AggName(a)) {
      *out = a;
      return true;
    }
  if (s == "mean") {
    *out = AggMethod::Avg;
    return true;
  }
  return false;
}

const char* AggName(AggMethod a) {
  switch (a) {
    case AggMethod::Sum: return "sum";
    case AggMethod::Avg: return "avg";
    case AggMethod::First: return "first";
    case AggMethod::Min: return "min";
    case AggMethod::Max: return "max";
  }
  return "?";
}

int Panel::FindSeries(const std::string& item_id) const {
  for (size_t i = 0; i < series.size(); i++)
    if (series[i].item_id == item_id) return int(i);
  return -1;
}

// [SECTION] aggregation

namespace {

const char* GapName(int64_t gap_s) {
  if (gap_s < 3600) return "minutely";
  if (gap_s < 86400) return "hourly";
  if (gap_s < 7 * 86400) return "daily";
  if (gap_s < 28 * 86400) return "weekly";
  if (gap_s < 89 * 86400) return "monthly";
  if (gap_s < 365 * 86400) return "quarterly";
  return "yearly";
}

std::string JoinKey(const std::vector<std::string>& parts, char sep) {
  std::string k;
  for (size_t i = 0; i < parts.size(); i++) {
    if (i) k += sep;
    k += parts[i];
  }
  return k;
}

struct Cell {
  double sum = 0, min = 0, max = 0, first = NAN;
  int64_t first_t = 0;
  int n = 0, rows = 0;
};

}  // namespace

struct Aggregation::State {
  const TargetDataset* d = nullptr;
  AggregateOptions o;
  Panel p;
  std::vector<size_t> keep;
  size_t next = 0;  // next raw row
  // Duplicates and spacing per raw series (timestamp + every dimension).
  std::unordered_map<std::string, size_t> seen;
  std::map<std::string, std::vector<int64_t>> raw_times;
  size_t dups = 0, negatives = 0;
  std::string first_dup, first_neg;
  // Rows grouped by the kept dimensions.
  std::map<std::string, size_t> index;
  std::vector<std::map<int64_t, Cell>> cells;
  int64_t bmin = INT64_MAX, bmax = INT64_MIN;
};

Aggregation::Aggregation(const TargetDataset& d, const AggregateOptions& o) : s_(std::make_unique<State>()) {
  State& st = *s_;
  st.d = &d;
  st.o = o;
  Panel& p = st.p;
  p.freq = o.freq;
  p.format = d.format;
  std::vector<size_t>& keep = st.keep;
  if (o.keep_all_dims) {
    for (size_t i = 0; i < d.dim_cols.size(); i++) keep.push_back(i);
  } else {
    for (auto& name : o.dims) {
      size_t found = d.dim_cols.size();
      for (size_t i = 0; i < d.dim_cols.size(); i++)
        if (d.dim_cols[i] == name) found = i;
      if (found == d.dim_cols.size()) {
        p.messages.push_back("unknown dimension '" + name + "' (the data has: " + JoinKey(d.dim_cols, ',') +
                             "); ignored");
        continue;
      }
      keep.push_back(found);
    }
  }
  for (size_t k : keep) p.dim_names.push_back(d.dim_cols[k]);
}

Aggregation::~Aggregation() = default;

float Aggregation::Progress() const {
  return s_->d->time.empty() ? 1.f : float(s_->next) / float(s_->d->time.size());
}

bool Aggregation::Step(size_t rows) {
  State& st = *s_;
  const TargetDataset& d = *st.d;
  const AggregateOptions& o = st.o;
  const size_t end = std::min(d.time.size(), st.next + std::max<size_t>(rows, 1));
  for (size_t r = st.next; r < end; r++) {
    const std::string raw_key = JoinKey(d.dims[r], '\x1f');
    auto [it, fresh] = st.seen.emplace(std::to_string(d.time[r]) + '\x1e' + raw_key, d.line[r]);
    if (!fresh) {
      if (!st.dups++) st.first_dup = "line " + std::to_string(d.line[r]) + " repeats line " + std::to_string(it->second);
    } else {
      st.raw_times[raw_key].push_back(d.time[r]);
    }
    if (d.value[r] < 0 && !st.negatives++) {
      char v[32];
      std::snprintf(v, sizeof v, "%g", d.value[r]);
      st.first_neg = d.name + ":" + std::to_string(d.line[r]) + ": field " + d.value_col + " = " + v;
    }
    std::vector<std::string> kd;
    for (size_t k : st.keep) kd.push_back(d.dims[r][k]);
    const std::string key = JoinKey(kd, '\x1f');
    auto jt = st.index.find(key);
    if (jt == st.index.end()) {
      jt = st.index.emplace(key, st.p.series.size()).first;
      PanelSeries s;
      s.dims = kd;
      s.item_id = kd.empty() ? "all" : JoinKey(kd, '_');
      st.p.series.push_back(std::move(s));
      st.cells.emplace_back();
    }
    const int64_t b = BucketOf(d.time[r], o.freq);
    st.bmin = std::min(st.bmin, b), st.bmax = std::max(st.bmax, b);
    Cell& c = st.cells[jt->second][b];
    c.rows++;
    double v = d.value[r];
    if (v < 0 && o.negative_to_null) v = NAN;
    if (std::isnan(v)) continue;
    if (c.n == 0 || d.time[r] < c.first_t) c.first = v, c.first_t = d.time[r];
    c.min = c.n ? std::min(c.min, v) : v;
    c.max = c.n ? std::max(c.max, v) : v;
    c.sum += v;
    c.n++;
  }
  st.next = end;
  return st.next >= d.time.size();
}

// Every item gets the whole grid from the first to the last bucket, so its
// size is decided by the extreme dates, not by the rows: one row dated
// 1010-01-01 among rows of 2022 made ~370,000 daily buckets per item from a
// 1 KB file. Checked before the grid is allocated; true (and p.refused set,
// series cleared) when the grid is refused.
bool Aggregation::RefuseGrid(State& st) {
  const TargetDataset& d = *st.d;
  const Frequency& f = st.o.freq;
  Panel& p = st.p;
  const uint64_t span = uint64_t(st.bmax - st.bmin) + 1, rows = d.time.size();
  auto refuse = [&](const std::string& why) {
    p.refused = why;
    p.messages.push_back(why);
    p.series.clear();
    return true;
  };
  // An outlying date: the grid is mostly empty (over 100 buckets per distinct
  // bucket with data) because one gap between dates with data is more than
  // half of it. Regular sparse data (monthly rows at --freq D) has no such gap.
  std::vector<int64_t> used;
  for (auto& cells : st.cells)
    for (auto& [b, c] : cells) used.push_back(b);
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  if (span >= 1000 && span > 100 * uint64_t(used.size()) && used.size() >= 2) {
    size_t at = 1;  // the widest gap is between used[at - 1] and used[at]
    for (size_t i = 2; i < used.size(); i++)
      if (used[i] - used[i - 1] > used[at] - used[at - 1]) at = i;
    const uint64_t gap = uint64_t(used[at] - used[at - 1]);
    if (gap * 2 > span) {
      // The side with fewer buckets holds the outliers; name its first row in the file.
      const bool early = at < used.size() - at;
      const int64_t lo = early ? INT64_MIN : used[at], hi = early ? used[at - 1] : INT64_MAX;
      size_t first = SIZE_MAX, count = 0;
      for (size_t r = 0; r < rows; r++) {
        const int64_t b = BucketOf(d.time[r], f);
        if (b < lo || b > hi) continue;
        if (first == SIZE_MAX) first = r;
        count++;
      }
      const int64_t rest_lo = early ? used[at] : used.front(), rest_hi = early ? used.back() : used[at - 1];
      return refuse(d.name + ":" + std::to_string(d.line[first]) + ": date " + FormatDate(d.time[first], d.format) +
                    (count > 1 ? " (and " + std::to_string(count - 1) + " more rows)" : "") + " lies " +
                    std::to_string(gap) + " buckets of " + f.Name() + (early ? " before" : " after") +
                    " the rest of the data (" + FormatDate(BucketStart(rest_lo, f), d.format) + " .. " +
                    FormatDate(BucketStart(rest_hi, f), d.format) + "): every item would get " +
                    std::to_string(span) + " buckets for " + std::to_string(rows) + " rows. Fix or remove " +
                    (count > 1 ? "those rows" : "that row") + ", or choose a coarser frequency");
    }
  }
  // Any other grid far larger than its rows (dates spread over centuries at
  // --freq H, say): at most 4096 cells per row, 2 M cells whatever the rows.
  const uint64_t cells = span * uint64_t(p.series.size());
  if (span > 5000000 || cells > std::max<uint64_t>(uint64_t(1) << 21, 4096 * rows))
    return refuse(d.name + ": the data spans " + std::to_string(span) + " buckets of " + f.Name() + " for " +
                  std::to_string(p.series.size()) + " items (" + std::to_string(cells) + " cells from " +
                  std::to_string(rows) + " rows); choose a coarser frequency or check the dates");
  return false;
}

Panel Aggregation::Finish() {
  while (!Step(size_t(-1) / 2)) {
  }
  State& st = *s_;
  const AggregateOptions& o = st.o;
  Panel& p = st.p;
  if (st.dups)
    p.messages.push_back(std::to_string(st.dups) + " duplicate (timestamp, item) rows (" + st.first_dup +
                         "): combined with " + AggName(o.agg) + ", not double-counted silently");
  if (st.negatives)
    p.messages.push_back(std::to_string(st.negatives) + " negative demand values (first " + st.first_neg + ")" +
                         (o.negative_to_null ? ": treated as missing" : ": kept"));
  std::map<std::string, size_t> freq_count;
  std::map<std::string, std::string> freq_example;
  int64_t finest = INT64_MAX;
  for (auto& [key, ts] : st.raw_times) {
    std::sort(ts.begin(), ts.end());
    int64_t gap = INT64_MAX;
    for (size_t i = 1; i < ts.size(); i++) gap = std::min(gap, ts[i] - ts[i - 1]);
    if (gap == INT64_MAX) continue;
    finest = std::min(finest, gap);
    freq_count[GapName(gap)]++;
    freq_example.emplace(GapName(gap), key.empty() ? "all" : JoinKey({key}, ' '));
  }
  if (freq_count.size() > 1) {
    std::string m = "mixed frequencies across items:";
    for (auto& [name, n] : freq_count) m += " " + std::to_string(n) + " " + name + " (e.g. " + freq_example[name] + ")";
    for (auto& c : m)
      if (c == '\x1f') c = '/';
    p.messages.push_back(m + "; everything is bucketed to " + o.freq.Name());
  }
  if (finest != INT64_MAX) {
    const int64_t bucket_s = BucketStart(1, o.freq) - BucketStart(0, o.freq);
    if (finest > bucket_s * 3 / 2)
      p.messages.push_back(std::string("the data is ") + GapName(finest) + " but --freq " + o.freq.Name() +
                           " is finer: most buckets will be empty (the data's granularity must be <= the forecast's)");
  }
  if (p.series.empty()) return std::move(p);
  if (RefuseGrid(st)) return std::move(p);
  const int64_t bmin = st.bmin, bmax = st.bmax;
  p.first_bucket = bmin;
  p.length = size_t(bmax - bmin + 1);
  // Sorted by item (the order std::map gives the keys) so output is stable.
  std::vector<PanelSeries> sorted;
  for (auto& [key, i] : st.index) {
    PanelSeries s = std::move(p.series[i]);
    s.values.assign(p.length, NAN);
    s.rows.assign(p.length, 0);
    for (auto& [b, c] : st.cells[i]) {
      const size_t at = size_t(b - bmin);
      s.rows[at] = c.rows;
      if (!c.n) continue;
      switch (o.agg) {
        case AggMethod::Sum: s.values[at] = c.sum; break;
        case AggMethod::Avg: s.values[at] = c.sum / c.n; break;
        case AggMethod::First: s.values[at] = c.first; break;
        case AggMethod::Min: s.values[at] = c.min; break;
        case AggMethod::Max: s.values[at] = c.max; break;
      }
    }
    size_t observed = 0;
    for (double v : s.values) observed += !std::isnan(v);
    if (observed == 0)
      p.messages.push_back("item " + s.item_id + ": all values missing; it can not be forecast from its own history");
    else if (observed == 1)
      p.messages.push_back("item " + s.item_id + ": a single point; too short for a model (naive forecast)");
    sorted.push_back(std::move(s));
  }
  p.series = std::move(sorted);
  return std::move(p);
}

Panel Aggregate(const TargetDataset& d, const AggregateOptions& o) {
  Aggregation a(d, o);
  return a.Finish();
}

std::string PanelToCsv(const Panel& p) {
  auto quote = [](const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  std::string out = "timestamp,item_id," + p.value_name + "\n";
  char buf[48];
  for (size_t t = 0; t < p.length; t++) {
    std::string ts;
    for (auto& s : p.series) {
      if (!s.rows[t]) continue;
      if (ts.empty()) ts = FormatDate(p.TimeAt(t), p.format);
      if (std::isnan(s.values[t])) buf[0] = 0;
      else std::snprintf(buf, sizeof buf, "%.10g", s.values[t]);
      out += ts + "," + quote(s.item_id) + "," + buf + "\n";
    }
  }
  return out;
}

// [SECTION] fills, end-of-life, quality

const std::vector<FillMethod>& FillMethods() {
  static const std::vector<FillMethod> methods = {
      {FillKind::Zero, "zero", kFillMiddle | kFillBack | kFillRelated, "0 (no sale was a sale of zero)"},
      {FillKind::NaN, "nan", kFillMiddle | kFillBack, "left missing: not scored, carried forward into fits"},
      {FillKind::Value, "value", kFillMiddle | kFillBack | kFillRelated, "value:X, a number of your choice"},
      {FillKind::Median, "median", kFillMiddle | kFillBack | kFillRelated, "median of the 64 values before the gap"},
      {FillKind::Mean, "mean", kFillMiddle | kFillBack | kFillRelated, "mean of the 64 values before the gap"},
      {FillKind::Min, "min", kFillMiddle | kFillBack | kFillRelated, "minimum of the 64 values before the gap"},
      {FillKind::Max, "max", kFillMiddle | kFillBack | kFillRelated, "maximum of the 64 values before the gap"},
      {FillKind::Linear, "linear", kFillMiddle, "a straight line from the value before the gap to the one after"},
      {FillKind::None, "none", 0, "no fill (as nan; frontfill is always none)"},
  };
  return methods;
}

std::vector<std::string> FillChoices(FillUse use) {
  std::vector<std::string> out;
  for (auto& m : FillMethods())
    if (m.uses & use) out.push_back(m.kind == FillKind::Value ? std::string(m.name) + ":X" : m.name);
  return out;
}

std::string JoinChoices(const std::vector<std::string>& choices, const char* sep) {
  std::string out;
  for (auto& c : choices) out += (out.empty() ? "" : sep) + c;
  return out;
}

bool ParseFill(const std::string& s, Fill* out) {
  for (auto& m : FillMethods()) {
    if (m.kind == FillKind::Value) continue;
    if (s == m.name) {
      *out = Fill{m.kind, 0};
      return true;
    }
  }
  if (s.rfind("value", 0) == 0 && s.size() > 6 && (s[5] == ':' || s[5] == '=')) {
    char* end = nullptr;
    const double v = std::strtod(s.c_str() + 6, &end);
    if (*end != 0 || !std::isfinite(v)) return false;
    *out = Fill{FillKind::Value, v};
    return true;
  }
  return false;
}

bool ParseFillFor(const std::string& s, FillUse use, Fill* out, std::string* error) {
  const std::string choices = JoinChoices(FillChoices(use), ", ");
  Fill f;
  if (!ParseFill(s, &f)) {
    *error = "'" + s + "' is not a fill method (" + choices + ")";
    return false;
  }
  for (auto& m : FillMethods())
    if (m.kind == f.kind && !(m.uses & use)) {
      *error = "'" + s + "' is not allowed " +
               (use == kFillRelated ? std::string("for a related time series: models need a value at every step")
                                    : std::string("here")) +
               " (" + choices + ")";
      return false;
    }
  *out = f;
  return true;
}

bool ParseRelatedFill(const std::string& s, Fill* out, std::string* error) {
  return ParseFillFor(s, kFillRelated, out, error);
}

std::string FillName(const Fill& f) {
  if (f.kind == FillKind::Value) {
    char b[32];
    std::snprintf(b, sizeof b, "value:%g", f.value);
    return b;
  }
  for (auto& m : FillMethods())
    if (m.kind == f.kind) return m.name;
  return "?";
}

std::vector<QualityItem> QualityReport(const Panel& p) {
  std::vector<QualityItem> out;
  for (auto& s : p.series) {
    QualityItem q;
    q.item_id = s.item_id;
    const size_t n = s.values.size();
    bool any = false;
    size_t last_nonzero = SIZE_MAX;
    for (size_t t = 0; t < n; t++) {
      const double v = s.values[t];
      if (std::isnan(v)) continue;
      if (!any) q.first = t, any = true;
      q.last = t;
      q.observed++;
      if (v != 0) last_nonzero = t;
    }
    if (!any) {
      q.trailing = n;
      out.push_back(q);
      continue;
    }
    q.is_new = q.first > 0;
    q.density = double(q.observed) / double(n - q.first);
    size_t gap = 0, zr = 0;
    for (size_t t = q.first; t <= q.last + 1 && t <= n; t++) {
      const bool miss = t <= q.last && std::isnan(s.values[t]);
      const bool zero = t <= q.last && s.values[t] == 0;
      if (miss) gap++;
      else if (gap) q.gaps++, q.longest_gap = std::max(q.longest_gap, gap), gap = 0;
      if (zero) zr++;
      else if (zr) {
        if (zr >= 2) q.zero_runs++;
        q.longest_zero_run = std::max(q.longest_zero_run, zr), zr = 0;
      }
    }
    q.trailing = last_nonzero == SIZE_MAX ? n - q.first : n - 1 - last_nonzero;
    // End of life: nothing but blanks/zeros for the last 3+ buckets and 10%+ of the span.
    q.end_of_life = last_nonzero != SIZE_MAX && q.trailing >= 3 && q.trailing * 10 >= n - q.first;
    out.push_back(q);
  }
  return out;
}

namespace {

double RollingStat(const std::vector<double>& v, size_t before, FillKind k) {
  std::vector<double> w;
  for (size_t t = before; t-- > 0 && w.size() < 64;)
    if (!std::isnan(v[t])) w.push_back(v[t]);
  if (w.empty()) return 0;
  switch (k) {
    case FillKind::Mean: {
      double s = 0;
      for (double x : w) s += x;
      return s / double(w.size());
    }
    case FillKind::Min: return *std::min_element(w.begin(), w.end());
    case FillKind::Max: return *std::max_element(w.begin(), w.end());
    default: {
      std::sort(w.begin(), w.end());
      const size_t h = w.size() / 2;
      return w.size() % 2 ? w[h] : 0.5 * (w[h - 1] + w[h]);
    }
  }
}

// Fills the NaN runs of v[from, to) with the method (statistics from the
// original values before each run).
void FillRange(std::vector<double>& v, const std::vector<double>& orig, size_t from, size_t to, const Fill& f) {
  if (f.kind == FillKind::None || f.kind == FillKind::NaN) return;
  size_t t = from;
  while (t < to) {
    if (!std::isnan(v[t])) {
      t++;
      continue;
    }
    if (f.kind == FillKind::Linear) {
      // Needs a value on both sides (a middle gap has them); else left as is.
      size_t end = t;
      while (end < to && std::isnan(v[end])) end++;
      if (t == 0 || end >= v.size() || std::isnan(v[end])) {
        t = end;
        continue;
      }
      const double a = v[t - 1], b = v[end], steps = double(end - t + 1);
      for (size_t k = t; k < end; k++) v[k] = a + (b - a) * double(k - t + 1) / steps;
      t = end;
      continue;
    }
    double x = 0;
    switch (f.kind) {
      case FillKind::Zero: x = 0; break;
      case FillKind::Value: x = f.value; break;
      default: x = RollingStat(orig, t, f.kind); break;
    }
    while (t < to && std::isnan(v[t])) v[t++] = x;
  }
}

}  // namespace

std::vector<std::string> ApplyFill(Panel* p, const FillOptions& o) {
  std::vector<std::string> msgs;
  const auto quality = QualityReport(*p);
  std::vector<PanelSeries> kept;
  size_t dropped = 0, nulled = 0, filled = 0;
  for (size_t i = 0; i < p->series.size(); i++) {
    PanelSeries s = std::move(p->series[i]);
    const QualityItem& q = quality[i];
    if (q.end_of_life && o.eol == EolAction::Drop) {
      msgs.push_back("end-of-life item " + s.item_id + " dropped (only blanks/zeros for its last " +
                     std::to_string(q.trailing) + " buckets; its forecast is zero)");
      dropped++;
      continue;
    }
    const size_t n = s.values.size();
    if (q.end_of_life && o.eol == EolAction::Null) {
      for (size_t t = n - q.trailing; t < n; t++) s.values[t] = NAN;
      nulled++;
    }
    if (o.zero_to_null)
      for (auto& v : s.values)
        if (v == 0) v = NAN;
    const std::vector<double> orig = s.values;
    size_t first = n, last = 0;
    for (size_t t = 0; t < n; t++)
      if (!std::isnan(orig[t])) first = std::min(first, t), last = t;
    if (first == n) {
      kept.push_back(std::move(s));
      continue;
    }
    size_t before = 0;
    for (double v : s.values) before += std::isnan(v);
    FillRange(s.values, orig, first, last + 1, o.middle);
    // After an end-of-life null fill the tail stays null: that is the point of it.
    if (!(q.end_of_life && o.eol == EolAction::Null)) FillRange(s.values, orig, last + 1, n, o.back);
    size_t after = 0;
    for (double v : s.values) after += std::isnan(v);
    filled += before - after;
    kept.push_back(std::move(s));
  }
  p->series = std::move(kept);
  if (nulled) msgs.push_back(std::to_string(nulled) + " end-of-life item(s): trailing zeros set to null");
  msgs.push_back(std::to_string(filled) + " missing values filled (middlefill " + FillName(o.middle) + ", backfill " +
                 FillName(o.back) + ", frontfill none" + (o.zero_to_null ? ", zeros as null" : "") + ")");
  if (dropped) msgs.push_back(std::to_string(dropped) + " end-of-life item(s) dropped");
  return msgs;
}

std::vector<double> ModelInput(const PanelSeries& s) {
  size_t first = 0;
  while (first < s.values.size() && std::isnan(s.values[first])) first++;
  return std::vector<double>(s.values.begin() + long(first), s.values.end());
}

// [SECTION] related series and metadata

std::vector<std::vector<std::vector<double>>> AlignRelated(const RelatedDataset& r, const Panel& p, int horizon,
                                                           const RelatedFill& fill, std::vector<std::string>* messages) {
  const size_t k = r.feature_cols.size();
  const size_t len = p.length + size_t(std::max(horizon, 0));
  std::vector<int> key_pos;
  for (auto& name : p.dim_names) {
    int found = -1;
    for (size_t i = 0; i < r.key_cols.size(); i++)
      if (r.key_cols[i] == name) found = int(i);
    if (found < 0 && messages)
      messages->push_back(r.name + ": no column '" + name + "'; its features are averaged over all " + name + " values");
    key_pos.push_back(found);
  }
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < p.series.size(); i++) {
    std::vector<std::string> kd;
    for (size_t j = 0; j < key_pos.size(); j++) kd.push_back(key_pos[j] < 0 ? "" : p.series[i].dims[j]);
    index[JoinKey(kd, '\x1f')] = i;
  }
  std::vector<std::vector<double>> sum(p.series.size(), std::vector<double>(len * k, 0.0));
  std::vector<std::vector<int>> cnt(p.series.size(), std::vector<int>(len * k, 0));
  for (size_t row = 0; row < r.time.size(); row++) {
    std::vector<std::string> kd;
    for (int kp : key_pos) kd.push_back(kp < 0 ? "" : r.keys[row][size_t(kp)]);
    auto it = index.find(JoinKey(kd, '\x1f'));
    if (it == index.end()) continue;
    const int64_t b = BucketOf(r.time[row], p.freq) - p.first_bucket;
    if (b < 0 || b >= int64_t(len)) continue;
    for (size_t f = 0; f < k; f++) {
      const double v = r.features[row][f];
      if (std::isnan(v)) continue;
      sum[it->second][size_t(b) * k + f] += v;
      cnt[it->second][size_t(b) * k + f]++;
    }
  }
  std::vector<std::vector<std::vector<double>>> out(p.series.size(), std::vector<std::vector<double>>(len, std::vector<double>(k)));
  for (size_t i = 0; i < p.series.size(); i++) {
    bool any = false;
    for (size_t f = 0; f < k; f++) {
      std::vector<double> v(len, NAN);
      for (size_t t = 0; t < len; t++)
        if (cnt[i][t * k + f]) v[t] = sum[i][t * k + f] / cnt[i][t * k + f];
      size_t first = len, last = 0;
      for (size_t t = 0; t < len; t++)
        if (!std::isnan(v[t])) first = std::min(first, t), last = t;
      if (first == len) {
        for (size_t t = 0; t < len; t++) out[i][t][f] = 0;
        continue;
      }
      any = true;
      const std::vector<double> orig = v;
      for (size_t t = 0; t < first; t++) v[t] = orig[first];
      FillRange(v, orig, first, last + 1, fill.middle);
      FillRange(v, orig, last + 1, std::max(last + 1, p.length), fill.back);
      FillRange(v, orig, std::max(last + 1, p.length), len, fill.future);
      for (size_t t = 0; t < len; t++) out[i][t][f] = std::isnan(v[t]) ? 0 : v[t];
    }
    if (!any && messages) messages->push_back("item " + p.series[i].item_id + ": no related rows; features set to 0");
  }
  return out;
}

std::string RelatedToCsv(const Panel& p, const RelatedDataset& r,
                         const std::vector<std::vector<std::vector<double>>>& aligned) {
  std::string out = "timestamp,item_id";
  for (auto& f : r.feature_cols) out += "," + f;
  out += "\n";
  const size_t len = aligned.empty() ? 0 : aligned[0].size();
  char buf[48];
  for (size_t t = 0; t < len; t++) {
    const std::string ts = FormatDate(p.TimeAt(t), p.format);
    for (size_t i = 0; i < aligned.size() && i < p.series.size(); i++) {
      out += ts + "," + p.series[i].item_id;
      for (double v : aligned[i][t]) {
        std::snprintf(buf, sizeof buf, ",%.10g", v);
        out += buf;
      }
      out += "\n";
    }
  }
  return out;
}

Panel SplitHoldout(Panel* panel, size_t h) {
  Panel out;
  out.value_name = panel->value_name;
  out.dim_names = panel->dim_names;
  out.freq = panel->freq;
  out.format = panel->format;
  if (h == 0 || h >= panel->length) return out;
  const size_t keep = panel->length - h;
  out.first_bucket = panel->first_bucket + int64_t(keep);
  out.length = h;
  for (auto& s : panel->series) {
    PanelSeries t;
    t.item_id = s.item_id;
    t.dims = s.dims;
    t.values.assign(s.values.begin() + long(keep), s.values.end());
    t.rows.assign(s.rows.begin() + long(keep), s.rows.end());
    s.values.resize(keep);
    s.rows.resize(keep);
    out.series.push_back(std::move(t));
  }
  panel->length = keep;
  return out;
}

std::vector<std::string> SimilarItems(const ItemMetadata& meta, const std::string& item, const Panel& panel,
                                      size_t max_items) {
  std::vector<std::pair<int, std::string>> scored;
  auto it = meta.items.find(item);
  if (it == meta.items.end()) return {};
  for (auto& s : panel.series) {
    if (s.item_id == item) continue;
    auto jt = meta.items.find(s.item_id);
    if (jt == meta.items.end()) continue;
    int score = 0;
    for (size_t f = 0; f < it->second.size() && f < jt->second.size(); f++)
      score += !it->second[f].empty() && it->second[f] == jt->second[f];
    if (score > 0) scored.emplace_back(score, s.item_id);
  }
  std::stable_sort(scored.begin(), scored.end(), [](auto& a, auto& b) { return a.first > b.first; });
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && i < max_items; i++) out.push_back(scored[i].second);
  return out;
}

}  // namespace fk::forecast
