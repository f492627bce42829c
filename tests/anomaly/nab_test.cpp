#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "anomaly/nab.h"

using namespace fk::anomaly;

namespace {
// 1000 rows (probation = 150), one window [400, 499].
NabFile OneWindow() {
  NabFile f;
  f.category = "test";
  f.name = "f.csv";
  for (int i = 0; i < 1000; i++) f.times.push_back(1000 + i * 300), f.values.push_back(0);
  f.windows = {{400, 499}};
  f.scores.assign(1000, 0.0);
  return f;
}
double Raw(const NabFile& f, const NabCostMatrix& c = NabStandard()) { return NabScoreFile(f, c, 0.5).score; }
}  // namespace

TEST_CASE("anomaly/nab: the scaled sigmoid matches NAB's reference points") {
  CHECK(NabScaledSigmoid(-1.0) == doctest::Approx(0.98661).epsilon(1e-4));
  CHECK(NabScaledSigmoid(-0.5) == doctest::Approx(0.84828).epsilon(1e-4));
  CHECK(NabScaledSigmoid(0.0) == doctest::Approx(0.0));
  CHECK(NabScaledSigmoid(1.0) == doctest::Approx(-0.98661).epsilon(1e-4));
  CHECK(NabScaledSigmoid(3.5) == -1.0);
}

TEST_CASE("anomaly/nab: the probationary period is 15% of the rows, at most 750") {
  CHECK(NabProbationLength(1000) == 150);
  CHECK(NabProbationLength(4032) == 604);
  CHECK(NabProbationLength(22695) == 750);
}

TEST_CASE("anomaly/nab: windows are int(10% of rows / labels) long, centred, clipped, merged, never in probation") {
  // 1000 rows, 2 labels: length 50, half 25.
  auto w = NabWindowsFromLabels(1000, {300, 700});
  REQUIRE(w.size() == 2);
  CHECK(w[0] == NabWindow{275, 325});
  CHECK(w[1] == NabWindow{675, 725});
  // A label near the end is clipped to the last row.
  w = NabWindowsFromLabels(1000, {990});
  REQUIRE(w.size() == 1);
  CHECK(w[0] == NabWindow{940, 999});
  // Overlapping windows merge; a window starting in the probationary period is dropped.
  w = NabWindowsFromLabels(1000, {100, 600, 620});
  REQUIRE(w.size() == 1);
  CHECK(w[0] == NabWindow{600 - 16, 620 + 16});
}

TEST_CASE("anomaly/nab: a detection at the window start scores the full TP weight, at the end almost nothing") {
  NabFile f = OneWindow();
  f.scores[400] = 1;
  CHECK(Raw(f) == doctest::Approx(1.0));
  f.scores[400] = 0;
  f.scores[499] = 1;
  // position -(499-499+1)/100 = -0.01 -> 2*sigmoid(0.05)-1 = 0.025, / 0.98661
  CHECK(Raw(f) == doctest::Approx((2.0 / (1 + std::exp(-0.05)) - 1) / NabScaledSigmoid(-1.0)));
  CHECK(Raw(f) < 0.03);
  // Only the earliest detection in a window counts.
  f.scores[450] = 1;
  CHECK(Raw(f) == doctest::Approx(NabScaledSigmoid(-0.5) / NabScaledSigmoid(-1.0)));
  CHECK(NabScoreFile(f, NabStandard(), 0.5).counts.tp == 2);
}

TEST_CASE("anomaly/nab: a missed window costs the FN weight") {
  NabFile f = OneWindow();
  CHECK(Raw(f) == doctest::Approx(-1.0));
  CHECK(Raw(f, NabRewardLowFn()) == doctest::Approx(-2.0));
}

TEST_CASE("anomaly/nab: an FP right after a window costs less than one far after it") {
  NabFile f = OneWindow();
  f.scores[500] = 1;  // 1 row after the window: |499-500| / 99
  const double near = Raw(f) + 1.0;
  CHECK(near == doctest::Approx(NabScaledSigmoid(1.0 / 99.0) * 0.11));
  f.scores[500] = 0;
  f.scores[900] = 1;  // > 3 windows after: -1 * fp
  CHECK(Raw(f) + 1.0 == doctest::Approx(-0.11));
  CHECK(near > -0.11);
  // Before any window: full FP weight.
  f.scores[900] = 0;
  f.scores[200] = 1;
  CHECK(Raw(f) + 1.0 == doctest::Approx(-0.11));
  CHECK(Raw(f, NabRewardLowFp()) + 1.0 == doctest::Approx(-0.22));
}

TEST_CASE("anomaly/nab: detections in the probationary period are ignored") {
  NabFile f = OneWindow();
  for (int i = 0; i < 150; i++) f.scores[size_t(i)] = 1;
  CHECK(Raw(f) == doctest::Approx(-1.0));
  CHECK(NabScoreFile(f, NabStandard(), 0.5).counts.fp == 0);
  f.scores[150] = 1;
  CHECK(NabScoreFile(f, NabStandard(), 0.5).counts.fp == 1);
}

TEST_CASE("anomaly/nab: the null detector normalises to 0 and a perfect one to 100") {
  NabFile f = OneWindow(), g = OneWindow();
  g.windows = {{300, 349}, {700, 749}};
  g.scores.assign(1000, 0.0);
  for (auto* p : {&f, &g}) {
    for (auto& s : p->scores) s = 0.5;  // constant: only "all" or "nothing" are possible
  }
  for (const auto& profile : NabProfiles()) {
    const auto best = NabOptimizeThreshold({f, g}, profile);
    CHECK(best.threshold == 1.1);  // detecting everything is worse than nothing
    CHECK(NabNormalized({&f, &g}, profile, best.threshold) == doctest::Approx(0.0));
  }
  for (auto* p : {&f, &g}) {
    p->scores.assign(1000, 0.0);
    for (auto& w : p->windows) p->scores[w.first] = 0.9;
  }
  for (const auto& profile : NabProfiles()) {
    const auto best = NabOptimizeThreshold({f, g}, profile);
    CHECK(best.threshold == doctest::Approx(0.9));
    CHECK(NabNormalized({&f, &g}, profile, best.threshold) == doctest::Approx(100.0));
  }
}

TEST_CASE("anomaly/nab: the corpus sweep picks the threshold that maximises the summed score") {
  NabFile f = OneWindow();
  f.scores[450] = 0.8;  // TP (mid-window)
  f.scores[800] = 0.9;  // FP
  f.scores[850] = 0.7;  // FP
  const auto best = NabOptimizeThreshold({f}, NabStandard());
  // At 0.8: TP 0.8598 - FP 0.11 = 0.7498; at 0.9: -1 - 0.11; at 0.7: 0.6398.
  CHECK(best.threshold == doctest::Approx(0.8));
  CHECK(best.score == doctest::Approx(NabScaledSigmoid(-0.5) / NabScaledSigmoid(-1.0) - 0.11));
  CHECK(best.score == doctest::Approx(NabScoreFile(f, NabStandard(), best.threshold).score));
  CHECK(best.counts.tp == 1);
  CHECK(best.counts.fp == 1);
}

namespace {
// A one-file corpus in the current folder: nab_corpus/labels + nab_corpus/data/t/f.csv (12 rows, 5 min apart).
fk::Status LoadWithLabels(const std::string& labels, std::vector<NabFile>* out) {
  std::filesystem::create_directories("nab_corpus/labels");
  std::filesystem::create_directories("nab_corpus/data/t");
  std::ofstream("nab_corpus/labels/combined_windows.json") << labels;
  std::ofstream csv("nab_corpus/data/t/f.csv");
  csv << "timestamp,value\n";
  for (int i = 0; i < 12; i++) csv << "2014-04-01 00:" << (i < 2 ? "0" : "") << i * 5 << ":00," << i << "\n";
  csv.close();
  out->clear();
  return LoadNabCorpus("nab_corpus", {"t"}, out);
}
}  // namespace

TEST_CASE("anomaly/nab: label windows are [start, end] pairs in order; anything else is a message, not a crash") {
  std::vector<NabFile> files;
  fk::Status st = LoadWithLabels(
      R"({"t/f.csv": [["2014-04-01 00:10:00.000000", "2014-04-01 00:20:00.000000"], ["2014-04-01 00:40:00", "2014-04-01 00:45:00"]]})",
      &files);
  REQUIRE(st.ok());
  REQUIRE(files.size() == 1);
  CHECK(files[0].windows == std::vector<NabWindow>{{2, 4}, {8, 9}});
  const char* bad[][2] = {
      {R"({"t/f.csv": [["2014-04-01 00:10:00"]]})", "window 1 is not a [\"start\", \"end\"] pair"},
      {R"({"t/f.csv": [[1, 2]]})", "window 1 is not a [\"start\", \"end\"] pair"},
      {R"({"t/f.csv": "2014-04-01 00:10:00"})", "expected a list of [start, end] windows"},
      {R"({"t/f.csv": [["2014-04-01 00:20:00", "2014-04-01 00:10:00"]]})", "window 1 ends before it starts"},
      {R"({"t/f.csv": [["2014-04-01 00:10:00", "2014-04-01 00:30:00"], ["2014-04-01 00:20:00", "2014-04-01 00:40:00"]]})",
       "window 2 overlaps or precedes the window before it"},
      {R"({"t/f.csv": [["2014-04-01 00:10:00", "2014-04-01 03:00:00"]]})", "window 1 has a timestamp not in the data file"},
  };
  for (auto& b : bad) {
    st = LoadWithLabels(b[0], &files);
    INFO(b[0] << " -> " << st.message());
    CHECK(!st.ok());
    CHECK(st.message().find("nab_corpus/labels/combined_windows.json: t/f.csv: ") == 0);
    CHECK(st.message().find(b[1]) != std::string::npos);
  }
  // Labels that are not an object name no windows (every file is scored without any).
  REQUIRE(LoadWithLabels("[1, 2]", &files).ok());
  CHECK(files[0].windows.empty());
  std::filesystem::remove_all("nab_corpus");
}
