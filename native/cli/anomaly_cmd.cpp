// fieldkit-cli anomaly nab|simulate|backtest|detect|bench — headless runs of the
// streaming pipeline (shared/stream) and the detector (shared/anomaly).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "anomaly/detector.h"
#include "anomaly/nab.h"
#include "cli.h"
#include "core/clock.h"
#include "stream/input.h"
#include "stream/sink.h"

namespace fk::cli {

static const char* kAnomalyHelp =
    "usage: fieldkit-cli anomaly nab      [--data DIR] [--out DIR] [--json]\n"
    "\n"
    "nab: runs the streaming detector over NAB's realTraffic and realKnownCause\n"
    "  files (default --data ../shared/data/nab), writes DIR/<category>/<file>.csv\n"
    "  (timestamp,value,anomaly_score) when --out is given, and scores them as NAB\n"
    "  does: one threshold per profile over all files, normalised per category.\n"
    "  JSON: {\"scores\":{\"realTraffic\":{\"standard\":..,\"reward_low_FP_rate\":..,\n"
    "  \"reward_low_FN_rate\":..},\"realKnownCause\":{..}},\"thresholds\":{..},\"points_per_second\":..}\n"
    "  --scores DIR [--scores-prefix P]  score existing DIR/<category>/<P><file>.csv\n"
    "      (column 3 = anomaly_score) instead of running the detector\n"
    "  --param key=value[,key=value]     override DetectorParams (see detector.h)\n"
    "  --per-file                        add per-file raw scores/TP/FP to the JSON\n";

namespace {

void ApplyParam(anomaly::DetectorParams* p, const std::string& kv) {
  const size_t eq = kv.find('=');
  if (eq == std::string::npos) throw UsageError{"--param wants key=value, got '" + kv + "'"};
  const std::string k = kv.substr(0, eq);
  const double v = std::atof(kv.c_str() + eq + 1);
  if (k == "history_days") p->history_days = v;
  else if (k == "min_history") p->min_history = size_t(v);
  else if (k == "warmup") p->warmup = size_t(v);
  else if (k == "shift_fraction") p->shift_fraction = v;
  else if (k == "season_days") p->season_days = size_t(v);
  else if (k == "onsets_only") p->onsets_only = v != 0;
  else if (k == "suppress_fraction") p->suppress_fraction = v;
  else if (k == "score_half_decades") p->score_half_decades = v;
  else throw UsageError{"unknown detector parameter '" + k + "'"};
}

int NabVerb(const Args& args) {
  const std::string data = args.Get("data", "../shared/data/nab");
  const std::string out = args.Get("out", "");
  const std::string scores_dir = args.Get("scores", "");
  const auto cats = args.GetList("categories", {"realTraffic", "realKnownCause"});
  anomaly::DetectorParams params;
  for (auto& kv : args.GetList("param", {})) ApplyParam(&params, kv);
  std::vector<anomaly::NabFile> files;
  if (Status st = anomaly::LoadNabCorpus(data, cats, &files); !st) throw InputError{st.message()};
  if (files.empty()) throw InputError{data + ": no NAB data files found"};

  ProgressBar bar("anomaly nab", ProgressWanted(args));
  double detect_ms = 0;
  size_t points = 0;
  for (size_t i = 0; i < files.size(); i++) {
    auto& f = files[i];
    f.scores.resize(f.values.size());
    const Stopwatch sw;
    if (!scores_dir.empty()) {
      // Score another detector's output (NAB results layout or ours).
      const std::string path = scores_dir + "/" + f.category + "/" + args.Get("scores-prefix", "") + f.name;
      size_t row = 0, line = 0;
      Status st = stream::ForEachLine(path, [&](std::string_view l) {
        if (++line == 1 || l.empty()) return true;
        auto cells = stream::SplitCsvLine(l);
        double v = 0;
        if (cells.size() < 3 || !stream::ParseNumber(cells[2], &v) || row >= f.scores.size()) return false;
        f.scores[row++] = v;
        return true;
      });
      if (!st || row != f.scores.size()) throw InputError{path + ": expected one timestamp,value,anomaly_score row per data row"};
    } else {
      anomaly::SeriesDetector det(params);
      for (size_t r = 0; r < f.values.size(); r++) f.scores[r] = det.Update(f.times[r], f.values[r]).score;
    }
    detect_ms += sw.ElapsedMs();
    points += f.values.size();
    // Score exactly what is written: 6 decimals, as NAB would read the CSV back.
    for (auto& s : f.scores) s = std::round(std::clamp(s, 0.0, 1.0) * 1e6) / 1e6;
    if (!out.empty()) {
      const std::string dir = out + "/" + f.category;
      if (Status st = stream::MakeDirs(dir); !st) throw InputError{st.message()};
      std::ofstream csv(dir + "/" + f.name);
      if (!csv) throw InputError{dir + "/" + f.name + ": cannot write"};
      csv << "timestamp,value,anomaly_score\n";
      char buf[96];
      for (size_t r = 0; r < f.values.size(); r++) {
        std::snprintf(buf, sizeof buf, ",%.10g,%.6f\n", f.values[r], f.scores[r]);
        csv << stream::FormatTime(f.times[r], ' ') << buf;
      }
    }
    bar.Update(float(i + 1) / float(files.size()), f.name);
  }
  bar.Done();

  nlohmann::json j, per_file;
  for (const auto& profile : anomaly::NabProfiles()) {
    const anomaly::NabSweepResult best = anomaly::NabOptimizeThreshold(files, profile);
    j["thresholds"][profile.name] = best.threshold;
    for (const std::string& cat : cats) {
      std::vector<const anomaly::NabFile*> sel;
      for (auto& f : files)
        if (f.category == cat) sel.push_back(&f);
      j["scores"][cat][profile.name] = anomaly::NabNormalized(sel, profile, best.threshold);
      for (auto* f : sel) {
        const auto r = anomaly::NabScoreFile(*f, profile, best.threshold);
        per_file[cat + "/" + f->name][profile.name] = {
            {"raw", r.score}, {"tp", r.counts.tp}, {"fp", r.counts.fp}, {"windows", f->windows.size()}};
      }
    }
  }
  j["points_per_second"] = detect_ms > 0 ? double(points) / (detect_ms / 1000.0) : 0.0;
  j["points"] = points;
  j["files"] = files.size();
  if (args.Has("json")) {
    if (args.Has("per-file")) j["per_file"] = per_file;
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  for (auto& [name, v] : per_file.items())
    std::printf("%-58s raw %7.3f  tp %3d fp %3d  windows %d\n", name.c_str(), v["standard"]["raw"].get<double>(),
                v["standard"]["tp"].get<int>(), v["standard"]["fp"].get<int>(), v["standard"]["windows"].get<int>());
  for (const std::string& cat : cats)
    std::printf("%-16s standard %6.2f  low_FP %6.2f  low_FN %6.2f\n", cat.c_str(),
                j["scores"][cat]["standard"].get<double>(), j["scores"][cat]["reward_low_FP_rate"].get<double>(),
                j["scores"][cat]["reward_low_FN_rate"].get<double>());
  std::printf("thresholds %s, %.0f points/s\n", j["thresholds"].dump().c_str(), j["points_per_second"].get<double>());
  return 0;
}

}  // namespace

int AnomalyCommand(const std::vector<std::string>& argv) {
  Args args(argv, {"json", "help", "progress", "quiet", "per-file"});
  if (args.Has("help")) {
    std::printf("%s", kAnomalyHelp);
    return 0;
  }
  const std::string verb = args.Positional().empty() ? "" : args.Positional()[0];
  if (verb == "nab") {
    args.CheckKnown({"json", "help", "progress", "quiet", "per-file", "data", "out", "categories", "param", "scores", "scores-prefix"});
    return NabVerb(args);
  }
  throw UsageError{verb.empty() ? "missing verb: nab, simulate, backtest, detect or bench"
                                : "unknown verb '" + verb + "' (see --help)"};
}

}  // namespace fk::cli
