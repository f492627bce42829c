// Numenta Anomaly Benchmark scoring, with NAB v1.1's semantics (nab/labeler.py,
// nab/sweeper.py, nab/runner.py): windows of int(0.1 * rows / labels) rows
// centred on each label, merged when they overlap; a probationary period of
// min(floor(0.15 * rows), 750) rows that is never scored; the first detection
// in a window scores the scaled sigmoid of its position (earlier is better),
// FPs are weighted by their distance after the preceding window; one threshold
// per profile is chosen over all files together (the sweep), and scores are
// normalised as 100 * (S - S_null) / (S_perfect - S_null).
//
//   std::vector<fk::anomaly::NabFile> files = ...;  // rows, windows, scores
//   fk::anomaly::NabSweepResult best = fk::anomaly::NabOptimizeThreshold(files, fk::anomaly::NabStandard());
//   double s = fk::anomaly::NabNormalized(files, fk::anomaly::NabStandard(), best.threshold);
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace fk::anomaly {

struct NabCostMatrix {
  std::string name = "standard";
  double tp_weight = 1.0;
  double fp_weight = 0.11;
  double fn_weight = 1.0;
};
NabCostMatrix NabStandard();          // fp 0.11
NabCostMatrix NabRewardLowFp();       // fp 0.22
NabCostMatrix NabRewardLowFn();       // fn 2.0
std::vector<NabCostMatrix> NabProfiles();  // the three, in that order

using NabWindow = std::pair<size_t, size_t>;  // first and last row, inclusive

struct NabFile {
  std::string category;   // "realTraffic"
  std::string name;       // "speed_7578.csv"
  std::vector<int64_t> times;   // UNIX seconds per row
  std::vector<double> values;
  std::vector<NabWindow> windows;
  std::vector<double> scores;   // detector output per row, in [0, 1]
};

// NAB's 2*sigmoid(-5x) - 1, and -1 beyond x > 3.
double NabScaledSigmoid(double relative_position);
// min(floor(0.15 * rows), 0.15 * 5000)
size_t NabProbationLength(size_t rows, double probation_fraction = 0.15);

// Windows from label rows as labeler.py builds them: length int(0.1 * rows /
// labels), [label - length/2, label + length/2] clipped to the file, the first
// dropped if it starts inside the probationary period, overlapping ones merged.
std::vector<NabWindow> NabWindowsFromLabels(size_t rows, const std::vector<size_t>& label_rows,
                                            double window_fraction = 0.10, double probation_fraction = 0.15);

// Per-row weighted score of a detection there (sweeper.calcSweepScore): TP
// weight in a window, negative FP weight outside; window index or -1; rows in
// the probationary period are flagged and not scored.
struct NabRowScore {
  double sweep_score = 0;
  int window = -1;         // -1 outside windows
  bool probationary = false;
};
std::vector<NabRowScore> NabSweepScores(const NabFile& f, const NabCostMatrix& cost);

struct NabCounts {
  size_t tp = 0, fp = 0, tn = 0, fn = 0;
};
struct NabSweepResult {
  double threshold = 1.1;  // detections are scores >= threshold
  double score = 0;        // raw (un-normalised) total
  NabCounts counts;
};

// Every threshold at once over all files (sweeper.calcScoreByThreshold on the
// concatenated rows); returns the best (first maximum from the top, like max()).
NabSweepResult NabOptimizeThreshold(const std::vector<NabFile>& files, const NabCostMatrix& cost);
// Raw score of one file at a threshold.
NabSweepResult NabScoreFile(const NabFile& f, const NabCostMatrix& cost, double threshold);
// Normalised 0-100 score of a set of files at a threshold: S_null = -fn_weight
// * windows (the null detector detects nothing), S_perfect = tp_weight * windows.
double NabNormalized(const std::vector<const NabFile*>& files, const NabCostMatrix& cost, double threshold);
double NabNormalize(double raw_total, size_t n_windows, const NabCostMatrix& cost);

// Loads <dir>/data/<category>/*.csv and <dir>/labels/combined_windows.json for
// the given categories (file names sorted). Scores are left empty.
Status LoadNabCorpus(const std::string& dir, const std::vector<std::string>& categories, std::vector<NabFile>* out);

}  // namespace fk::anomaly
