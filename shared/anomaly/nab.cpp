#include "anomaly/nab.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <sstream>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/file.h"
#include "stream/input.h"
#include "stream/time.h"

namespace fk::anomaly {

// [SECTION] profiles and the scaled sigmoid

NabCostMatrix NabStandard() { return {"standard", 1.0, 0.11, 1.0}; }
NabCostMatrix NabRewardLowFp() { return {"reward_low_FP_rate", 1.0, 0.22, 1.0}; }
NabCostMatrix NabRewardLowFn() { return {"reward_low_FN_rate", 1.0, 0.11, 2.0}; }
std::vector<NabCostMatrix> NabProfiles() { return {NabStandard(), NabRewardLowFp(), NabRewardLowFn()}; }

double NabScaledSigmoid(double x) {
  if (x > 3.0) return -1.0;
  return 2.0 / (1.0 + std::exp(5.0 * x)) - 1.0;
}

size_t NabProbationLength(size_t rows, double probation_fraction) {
  const double a = std::floor(probation_fraction * double(rows)), b = probation_fraction * 5000.0;
  // Rows i >= min(a, b) are scored; b may be fractional for other fractions.
  return size_t(std::ceil(std::min(a, b)));
}

// [SECTION] windows (labeler.py applyWindows + checkWindows)

std::vector<NabWindow> NabWindowsFromLabels(size_t rows, const std::vector<size_t>& label_rows, double window_fraction,
                                            double probation_fraction) {
  std::vector<NabWindow> w;
  if (rows == 0) return w;
  const size_t n = label_rows.size();
  const int64_t length = int64_t(window_fraction * double(rows) / double(n ? n : 1));
  const int64_t half = length / 2;  // Python 2 integer division on a non-negative int
  for (size_t a : label_rows) {
    const int64_t front = std::max<int64_t>(int64_t(a) - half, 0);
    const int64_t back = std::min<int64_t>(int64_t(a) + half, int64_t(rows) - 1);
    w.emplace_back(size_t(front), size_t(back));
  }
  if (!w.empty() && w[0].first < NabProbationLength(rows, probation_fraction)) w.erase(w.begin());
  // Merge a window into its predecessor when it starts at or before the
  // predecessor's end (labeler compares timestamps: start - end <= 0).
  for (size_t i = 0; i + 1 < w.size();) {
    if (w[i + 1].first <= w[i].second) {
      w[i].second = w[i + 1].second;
      w.erase(w.begin() + long(i) + 1);
    }
    i++;  // as in labeler.py: the merged window is not re-checked against the next
  }
  return w;
}

// [SECTION] sweep (sweeper.py)

std::vector<NabRowScore> NabSweepScores(const NabFile& f, const NabCostMatrix& cost) {
  const size_t n = f.times.size();
  std::vector<NabRowScore> out(n);
  const size_t probation = NabProbationLength(n);
  const double max_tp = NabScaledSigmoid(-1.0);
  size_t next = 0;
  bool in_window = false;
  double width = 0, prev_width = 0;
  size_t right = 0, prev_right = 0;
  bool have_prev = false;
  int cur = -1;
  for (size_t i = 0; i < n; i++) {
    if (!in_window && next < f.windows.size() && i == f.windows[next].first) {
      in_window = true;
      cur = int(next);
      right = f.windows[next].second;
      width = double(right - f.windows[next].first + 1);
      next++;
    }
    NabRowScore& r = out[i];
    if (in_window) {
      const double pos = -double(right - i + 1) / width;
      r.sweep_score = NabScaledSigmoid(pos) * cost.tp_weight / max_tp;
      r.window = cur;
    } else {
      double unweighted = -1.0;
      if (have_prev && prev_width > 1) unweighted = NabScaledSigmoid(std::fabs(double(prev_right) - double(i)) / (prev_width - 1));
      r.sweep_score = unweighted * cost.fp_weight;
      r.window = -1;
    }
    r.probationary = i < probation;
    if (in_window && i == right) {
      in_window = false;
      have_prev = true;
      prev_right = i;
      prev_width = width;
      cur = -1;
    }
  }
  return out;
}

namespace {

struct ScorableRow {
  double score;
  double sweep;
  int window;  // global window id, -1 = outside
};

// calcScoreByThreshold over scorable rows (any number of files). Calls
// visit(threshold, raw_score, counts) for each distinct threshold, from the top.
template <typename Visit>
void SweepThresholds(std::vector<ScorableRow>& rows, size_t n_windows, const NabCostMatrix& cost, Visit visit) {
  std::stable_sort(rows.begin(), rows.end(), [](const ScorableRow& a, const ScorableRow& b) { return a.score > b.score; });
  std::vector<double> part(n_windows, 0.0);
  std::vector<bool> present(n_windows, false);
  NabCounts c;
  for (auto& r : rows) {
    if (r.window >= 0) {
      present[size_t(r.window)] = true;
      c.fn++;
    } else {
      c.tn++;
    }
  }
  double windows_total = 0;
  for (size_t w = 0; w < n_windows; w++)
    if (present[w]) {
      part[w] = -cost.fn_weight;
      windows_total += part[w];
    }
  double fp_total = 0;
  double threshold = 1.1;
  for (auto& r : rows) {
    if (r.score != threshold) {
      visit(threshold, fp_total + windows_total, c);
      threshold = r.score;
    }
    if (r.window >= 0) {
      c.tp++;
      c.fn--;
      double& p = part[size_t(r.window)];
      if (r.sweep > p) {
        windows_total += r.sweep - p;
        p = r.sweep;
      }
    } else {
      c.fp++;
      c.tn--;
      fp_total += r.sweep;
    }
  }
  visit(threshold, fp_total + windows_total, c);
}

size_t AppendRows(const NabFile& f, const NabCostMatrix& cost, size_t window_base, std::vector<ScorableRow>* rows) {
  const std::vector<NabRowScore> s = NabSweepScores(f, cost);
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i].probationary) continue;
    const double score = i < f.scores.size() ? f.scores[i] : 0.0;
    rows->push_back({score, s[i].sweep_score, s[i].window < 0 ? -1 : int(window_base) + s[i].window});
  }
  return f.windows.size();
}

}  // namespace

NabSweepResult NabOptimizeThreshold(const std::vector<NabFile>& files, const NabCostMatrix& cost) {
  std::vector<ScorableRow> rows;
  size_t windows = 0;
  for (auto& f : files) windows += AppendRows(f, cost, windows, &rows);
  NabSweepResult best;
  bool have = false;
  SweepThresholds(rows, windows, cost, [&](double t, double s, const NabCounts& c) {
    if (!have || s > best.score) best = {t, s, c}, have = true;
  });
  return best;
}

NabSweepResult NabScoreFile(const NabFile& f, const NabCostMatrix& cost, double threshold) {
  // Direct evaluation at one threshold: detections are rows with score >= threshold.
  std::vector<ScorableRow> rows;
  AppendRows(f, cost, 0, &rows);
  NabSweepResult r;
  r.threshold = threshold;
  std::vector<double> part(f.windows.size(), 0.0);
  std::vector<bool> present(f.windows.size(), false);
  double fp_total = 0;
  for (auto& row : rows) {
    const bool detected = row.score >= threshold;
    if (row.window >= 0) {
      const size_t w = size_t(row.window);
      if (!present[w]) present[w] = true, part[w] = -cost.fn_weight;
      if (detected) {
        r.counts.tp++;
        part[w] = std::max(part[w], row.sweep);
      } else {
        r.counts.fn++;
      }
    } else if (detected) {
      r.counts.fp++;
      fp_total += row.sweep;
    } else {
      r.counts.tn++;
    }
  }
  r.score = fp_total;
  for (size_t w = 0; w < part.size(); w++)
    if (present[w]) r.score += part[w];
  return r;
}

double NabNormalize(double raw_total, size_t n_windows, const NabCostMatrix& cost) {
  const double null_score = -cost.fn_weight * double(n_windows);
  const double perfect = cost.tp_weight * double(n_windows);
  if (perfect - null_score <= 0) return 0;
  return 100.0 * (raw_total - null_score) / (perfect - null_score);
}

double NabNormalized(const std::vector<const NabFile*>& files, const NabCostMatrix& cost, double threshold) {
  double total = 0;
  size_t windows = 0;
  for (auto* f : files) {
    total += NabScoreFile(*f, cost, threshold).score;
    windows += f->windows.size();
  }
  return NabNormalize(total, windows, cost);
}

// [SECTION] corpus files

Status LoadNabCorpus(const std::string& dir, const std::vector<std::string>& categories, std::vector<NabFile>* out) {
  const std::string labels_path = dir + "/labels/combined_windows.json";
  Result<std::string> text = ReadFile(labels_path);
  if (!text) return text.status();  // "<path>: cannot open", or why it could not be read
  nlohmann::json labels;
  try {
    std::istringstream in(*text);  // >> as before: one value; bytes after it are not read
    in >> labels;
  } catch (const std::exception& e) {
    return Status::Error(labels_path + ": " + e.what());
  }
  for (const std::string& cat : categories) {
    const std::string cdir = dir + "/data/" + cat;
    std::vector<std::string> names;
    std::error_code ec;
    for (auto& entry : std::filesystem::directory_iterator(cdir, ec))
      if (entry.path().extension() == ".csv") names.push_back(entry.path().filename().string());
    if (ec) return Status::Error(cdir + ": cannot list (" + ec.message() + ")");
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      NabFile f;
      f.category = cat;
      f.name = name;
      const std::string path = cdir + "/" + name;
      size_t line = 0;
      std::string bad;
      Status st = stream::ForEachLine(path, [&](std::string_view l) {
        if (++line == 1 || l.empty()) return true;  // header
        const size_t comma = l.find(',');
        double v;
        const auto t = comma == std::string_view::npos ? std::nullopt : stream::ParseTime(l.substr(0, comma));
        if (!t || !stream::ParseNumber(l.substr(comma + 1), &v)) {
          bad = path + ":" + std::to_string(line) + ": expected timestamp,value";
          return false;
        }
        f.times.push_back(*t);
        f.values.push_back(v);
        return true;
      });
      if (!st) return st;
      if (!bad.empty()) return Status::Error(bad);
      std::unordered_map<int64_t, size_t> row_of;
      for (size_t i = 0; i < f.times.size(); i++) row_of.emplace(f.times[i], i);
      const std::string key = cat + "/" + name;
      if (labels.is_object() && labels.contains(key)) {
        // The scorer walks the windows in order: each must be a [start, end]
        // pair of the file's timestamps, after the previous one.
        const nlohmann::json& wins = labels[key];
        if (!wins.is_array()) return Status::Error(labels_path + ": " + key + ": expected a list of [start, end] windows");
        for (size_t k = 0; k < wins.size(); k++) {
          const nlohmann::json& w = wins[k];
          const std::string where = labels_path + ": " + key + ": window " + std::to_string(k + 1);
          if (!w.is_array() || w.size() != 2 || !w[0].is_string() || !w[1].is_string())
            return Status::Error(where + " is not a [\"start\", \"end\"] pair of timestamps");
          const auto a = stream::ParseTime(w[0].get<std::string>());
          const auto b = stream::ParseTime(w[1].get<std::string>());
          if (!a || !b || !row_of.count(*a) || !row_of.count(*b))
            return Status::Error(where + " has a timestamp not in the data file");
          const NabWindow win(row_of[*a], row_of[*b]);
          if (win.first > win.second) return Status::Error(where + " ends before it starts");
          if (!f.windows.empty() && win.first <= f.windows.back().second)
            return Status::Error(where + " overlaps or precedes the window before it");
          f.windows.push_back(win);
        }
      }
      out->push_back(std::move(f));
    }
  }
  return Status::Ok();
}

}  // namespace fk::anomaly
