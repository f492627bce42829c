// fieldkit-cli anomaly nab|simulate|backtest|detect|bench — headless runs of the
// streaming pipeline (shared/stream) and the detector (shared/anomaly).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "anomaly/detector.h"
#include "anomaly/model.h"
#include "anomaly/nab.h"
#include "cli.h"
#include "core/json_write.h"
#include "core/clock.h"
#include "core/rng.h"
#include "stream/input.h"
#include "stream/sink.h"
#include "stream/simulator.h"
#include "stream/window.h"

namespace fk::cli {

namespace {

void ApplyParam(anomaly::DetectorParams* p, const std::string& kv) {
  if (Status st = SetParam(anomaly::DetectorParamTable(), p, kv); !st.ok()) throw UsageError{"--param " + st.message()};
}

int NabVerb(const Args& args) {
  const std::string data = args.Get("data", "../shared/data/nab");
  const std::string out = args.Get("out", "");
  const std::string scores_dir = args.Get("scores", "");
  const auto cats = args.GetList("categories", {"realTraffic", "realKnownCause"});
  anomaly::DetectorParams params = anomaly::DetectorParams::Nab();
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
    // --threshold: score at a threshold chosen elsewhere (e.g. on NAB) instead
    // of sweeping it on these files' labels.
    anomaly::NabSweepResult best;
    if (args.Has("threshold")) best.threshold = args.GetDouble("threshold", 0.5);
    else best = anomaly::NabOptimizeThreshold(files, profile);
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
    EmitJson(j);
    return 0;
  }
  for (auto& [name, v] : per_file.items())
    std::printf("%-58s raw %7.3f  tp %3d fp %3d  windows %d\n", name.c_str(), v["standard"]["raw"].get<double>(),
                v["standard"]["tp"].get<int>(), v["standard"]["fp"].get<int>(), v["standard"]["windows"].get<int>());
  for (const std::string& cat : cats)
    std::printf("%-16s standard %6.2f  low_FP %6.2f  low_FN %6.2f\n", cat.c_str(),
                j["scores"][cat]["standard"].get<double>(), j["scores"][cat]["reward_low_FP_rate"].get<double>(),
                j["scores"][cat]["reward_low_FN_rate"].get<double>());
  std::printf("thresholds %s, %.0f points/s\n", DumpJson(j["thresholds"]).c_str(), j["points_per_second"].get<double>());
  return 0;
}


// [SECTION] simulate / backtest / detect / bench

stream::SimulatorOptions SimOptions(const Args& args) {
  stream::SimulatorOptions o;
  o.duration_s = int64_t(args.GetDouble("days", 7) * 86400);
  o.cameras = int(args.GetInt("cameras", 1));
  o.seed = uint64_t(args.GetInt("seed", 7));
  if (args.Has("no-anomalies")) o.anomalies.clear();
  if (o.duration_s <= 0 || o.cameras < 1 || o.cameras > 1000) throw UsageError{"--days > 0 and --cameras in 1..1000"};
  return o;
}

int SimulateVerb(const Args& args) {
  stream::Schema schema;
  stream::CameraSimulator sim(SimOptions(args), &schema);
  stream::WindowOptions wo;
  wo.size_s = args.GetInt("interval", 300);
  wo.hop_s = args.GetInt("hop", 0);
  wo.allowed_lateness_s = args.GetInt("lateness", 60);
  if (wo.size_s <= 0 || (wo.hop_s > 0 && wo.size_s % wo.hop_s != 0)) throw UsageError{"--interval > 0, a multiple of --hop"};
  stream::Windower win(wo);
  std::ofstream events, records;
  if (args.Has("events") && !(events.open(args.Get("events")), events)) throw InputError{args.Get("events") + ": cannot write"};
  if (args.Has("records") && !(records.open(args.Get("records")), records)) throw InputError{args.Get("records") + ": cannot write"};
  std::unique_ptr<stream::PartitionSink> sink;
  const std::string pformat = args.Get("partition-format", "jsonl");
  if (pformat != "jsonl" && pformat != "parquet") throw UsageError{"--partition-format must be jsonl or parquet"};
  if (args.Has("partitions"))
    sink = std::make_unique<stream::PartitionSink>(args.Get("partitions"), stream::RecordFormat{}, "records.jsonl",
                                                   pformat == "parquet" ? stream::SinkFormat::Parquet : stream::SinkFormat::Jsonl);
  ProgressBar bar("anomaly simulate", ProgressWanted(args));
  std::vector<stream::Event> ev;
  auto drain = [&]() {
    for (auto& r : win.TakeClosed()) {
      if (records.is_open()) records << stream::RecordToJson(r, schema) << '\n';
      if (sink) {
        if (Status st = sink->Write(r, schema); !st) throw InputError{st.message()};
      }
    }
  };
  while (sim.Generate(8192, &ev)) {
    for (auto& e : ev) {
      if (events.is_open()) events << sim.ToJsonLine(e) << '\n';
      win.Add(e);
    }
    ev.clear();
    drain();
    bar.Update(sim.Progress());
  }
  win.Flush();
  drain();
  if (sink) {
    if (Status st = sink->Close(); !st) throw InputError{st.message()};
  }
  bar.Done();
  const auto& st = win.stats();
  nlohmann::json j = {{"events", st.events}, {"late_events", st.late_events}, {"windows", st.windows},
                      {"records", st.records}, {"partition_files", sink ? sink->files_opened() : 0}};
  if (args.Has("json")) EmitJson(j);
  else std::printf("%s\n", DumpJson(j, 1).c_str());
  return 0;
}

anomaly::ModelOptions ModelOpts(const Args& args) {
  anomaly::ModelOptions mo;
  auto& c = mo.config;
  c.interval_s = args.GetInt("interval", 300);
  if (args.Has("measures")) {
    c.measures.clear();
    for (auto& m : args.GetList("measures", {})) {
      const size_t colon = m.find(':');
      const std::string name = m.substr(0, colon), agg = colon == std::string::npos ? "count" : m.substr(colon + 1);
      stream::Agg a = agg == "count" ? stream::Agg::Count : agg == "sum" ? stream::Agg::Sum : agg == "avg" ? stream::Agg::Avg
                      : throw UsageError{"--measures: aggregation must be count, sum or avg (got '" + agg + "')"};
      c.measures.push_back({name, a});
    }
  }
  if (args.Has("dimensions")) c.dimensions = args.Get("dimensions").empty() ? std::vector<std::string>{} : args.GetList("dimensions", {});
  c.timestamp_field = args.Get("time-field", "");
  c.offset_s = args.GetInt("offset", 0);
  c.allowed_lateness_s = args.GetInt("lateness", 60);
  c.train_fraction = args.GetDouble("train", 0.3);
  c.anomaly_threshold = float(args.GetDouble("threshold", 50));
  for (auto& kv : args.GetList("param", {})) ApplyParam(&c.params, kv);
  if (Status st = c.Validate(); !st) throw UsageError{st.message()};
  if (args.Has("rule")) {
    mo.rules.clear();
    for (auto& r : args.GetList("rule", {})) {
      std::vector<std::string> p;
      size_t a = 0;
      for (size_t b; (b = r.find(':', a)) != std::string::npos; a = b + 1) p.push_back(r.substr(a, b - a));
      p.push_back(r.substr(a));
      anomaly::AlertRule rule;
      rule.name = p[0];
      if (p.size() > 1) rule.threshold = float(std::atof(p[1].c_str()));
      if (p.size() > 2) rule.measure = p[2];
      if (p.size() > 3) rule.dimension = p[3];
      mo.rules.push_back(rule);
    }
  }
  mo.alert_file = args.Get("alerts", "");
  if (args.Has("hook")) {
    // Native only: run the command once per alert, the alert JSON on its stdin.
    const std::string cmd = args.Get("hook");
    mo.on_alert = [cmd](const anomaly::Alert&, const std::string& json) {
      if (FILE* p = popen(cmd.c_str(), "w")) {
        std::fprintf(p, "%s\n", json.c_str());
        if (pclose(p) != 0) std::fprintf(stderr, "fieldkit-cli anomaly: hook '%s' failed\n", cmd.c_str());
      }
    };
  }
  return mo;
}

int RunModel(const Args& args, anomaly::Mode mode) {
  anomaly::ModelOptions mo = ModelOpts(args);
  mo.config.mode = mode;
  anomaly::AnomalyModel model(mo);
  Status st;
  if (args.Has("simulate")) {
    st = model.StartSimulator(SimOptions(args));
  } else if (args.Has("partitions")) {
    const auto t0 = stream::ParseTime(args.Get("from")), t1 = stream::ParseTime(args.Get("to"));
    if (!t0 || !t1) throw UsageError{"--partitions needs --from and --to timestamps"};
    st = model.StartPartitions(args.Get("partitions"), *t0, *t1);
  } else if (args.Has("landing")) {
    // A Flink-style landing folder: every part file of windowed records under it.
    auto files = stream::ListLandingFiles(args.Get("landing"));
    if (!files) throw InputError{files.status().message()};
    if (files->empty()) throw InputError{args.Get("landing") + ": no record files under it"};
    st = model.StartRecordFiles(*files, args.Get("landing"));
  } else if (args.Has("input")) {
    st = model.StartFile(args.Get("input"));
  } else {
    throw UsageError{"give --input FILE, --partitions DIR, --landing DIR or --simulate"};
  }
  if (!st) throw InputError{st.message()};
  ProgressBar bar(std::string("anomaly ") + anomaly::ModeName(mode), ProgressWanted(args));
  while (!model.Step(50)) bar.Update(model.Progress(), anomaly::ModelStateName(model.state()));
  bar.Done();
  if (!model.ingest().messages.empty() || model.ingest().bad_lines)
    std::fprintf(stderr, "%s\n", model.ingest().Summary().c_str());
  if (args.Has("scored")) {
    std::ofstream f(args.Get("scored"));
    if (!f) throw InputError{args.Get("scored") + ": cannot write"};
    f << "time,measure,series,value,expected,lower,upper,severity,anomaly\n";
    char buf[200];
    for (auto& s : model.series())
      for (auto& p : s.points) {
        std::snprintf(buf, sizeof buf, ",%.6g,%.6g,%.6g,%.6g,%.1f,%d\n", p.value, p.expected, p.lower, p.upper,
                      double(p.severity), p.anomaly ? 1 : 0);
        f << stream::FormatTime(p.time) << ',' << s.measure << ",\"" << s.dims_label << '"' << buf;
      }
  }
  nlohmann::json j = model.StatusJson();
  j["bad_line_messages"] = model.ingest().messages;
  nlohmann::json groups = nlohmann::json::array();
  for (auto* g : model.GroupsBySeverity()) {
    if (groups.size() >= size_t(args.GetInt("top", 10))) break;
    nlohmann::json cj = nlohmann::json::array();
    for (auto& c : g->contributions)
      cj.push_back({{"measure", c.measure}, {"series", c.dims_label}, {"percent", c.percent}, {"severity", c.severity},
                    {"value", c.value}, {"expected", c.expected}});
    groups.push_back({{"id", g->id}, {"time", stream::FormatTime(g->time)}, {"score", g->score},
                      {"primary_measure", g->primary_measure}, {"contributions", cj}});
  }
  j["top_groups"] = groups;
  if (args.Has("json")) EmitJson(j);
  else std::printf("%s\n", DumpJson(j, 1).c_str());
  return model.state() == anomaly::ModelState::Failed ? 1 : 0;
}

int BenchVerb(const Args& args) {
  const long points = args.GetInt("points", 2000000), events = args.GetInt("events", 5000000);
  if (points < 1000 || events < 1000) throw UsageError{"--points and --events >= 1000"};
  // Detector: a 5-minute series with a daily rhythm and noise (generated before timing).
  std::vector<double> xs(static_cast<size_t>(points), 0.0);
  Rng rng(11);
  for (long i = 0; i < points; i++)
    xs[size_t(i)] = 50 + 20 * std::sin(2 * M_PI * double(i % 288) / 288.0) + 3 * rng.Normal();
  // Both presets: the NAB one (plain model + relative entropy + onsets) and
  // the pipeline default (robust + time-of-day seasonal medians).
  double sink = 0, det_s = 0, robust_s = 0;
  for (int preset = 0; preset < 2; preset++) {
    anomaly::SeriesDetector det(preset == 0 ? anomaly::DetectorParams::Nab() : anomaly::DetectorParams{});
    const Stopwatch sw;
    for (long i = 0; i < points; i++) sink += det.Update(1600000000 + 300 * i, xs[size_t(i)]).score;
    (preset == 0 ? det_s : robust_s) = sw.ElapsedMs() / 1000.0;
  }
  // Windowing: simulator events (generated before timing) through 5-minute windows.
  stream::Schema schema;
  stream::SimulatorOptions so;
  so.cameras = 20;
  so.duration_s = 400LL * 86400;
  stream::CameraSimulator sim(so, &schema);
  std::vector<stream::Event> ev;
  ev.reserve(size_t(events));
  while (ev.size() < size_t(events) && sim.Generate(size_t(events) - ev.size(), &ev)) {
  }
  stream::Windower win({300, 0, 60});
  size_t records = 0;
  const Stopwatch sw2;
  for (size_t i = 0; i < ev.size(); i++) {
    win.Add(ev[i]);
    if ((i & 4095) == 0) records += win.TakeClosed().size();
  }
  win.Flush();
  records += win.TakeClosed().size();
  const double win_s = sw2.ElapsedMs() / 1000.0;
  nlohmann::json j = {{"detector_points_per_second", double(points) / det_s},
                      {"detector_robust_points_per_second", double(points) / robust_s},
                      {"window_events_per_second", double(ev.size()) / win_s},
                      {"points", points}, {"events", ev.size()}, {"records", records},
                      {"late_events", win.stats().late_events}, {"checksum", sink}};
  if (args.Has("json")) EmitJson(j);
  else std::printf("%s\n", DumpJson(j, 1).c_str());
  return 0;
}


// [SECTION] corpus: a NAB-layout corpus from the simulator

// One file per injected anomaly: a camera's 5-minute counts of one measure
// over --days, with one contextual anomaly of a rotating kind (a daytime drop
// to zero — an ordinary night value —, a stuck count, a level shift up or
// down) at a random time after day 5, labelled at its first interval; windows
// as NAB's labeler builds them. `anomaly nab --data DIR --categories NAME`
// scores it.
int CorpusVerb(const Args& args) {
  const std::string out = args.Get("out", "");
  if (out.empty()) throw UsageError{"--out DIR is required"};
  const std::string cat = args.Get("category", "simTraffic");
  const long n_files = args.GetInt("files", 12);
  const double days = args.GetDouble("days", 21);
  const uint64_t seed = uint64_t(args.GetInt("seed", 1));
  if (n_files < 1 || n_files > 1000 || days < 7 || days > 3650) throw UsageError{"--files in 1..1000 and --days in 7..3650"};
  if (Status st = stream::MakeDirs(out + "/data/" + cat); !st) throw InputError{st.message()};
  if (Status st = stream::MakeDirs(out + "/labels"); !st) throw InputError{st.message()};
  std::vector<stream::InjectedKind> kinds;
  for (const std::string& k : args.GetList("kinds", {"drop", "stuck", "level_shift"})) {
    if (k == "drop") kinds.push_back(stream::InjectedKind::Drop);
    else if (k == "stuck") kinds.push_back(stream::InjectedKind::Stuck);
    else if (k == "level_shift") kinds.push_back(stream::InjectedKind::LevelShift);
    else if (k == "jump") kinds.push_back(stream::InjectedKind::Jump);
    else throw UsageError{"--kinds: drop, stuck, level_shift or jump (got '" + k + "')"};
  }
  if (kinds.empty()) throw UsageError{"--kinds: at least one kind"};
  Rng rng(seed);
  nlohmann::json windows = nlohmann::json::object(), list = nlohmann::json::array();
  const int64_t step = 300;
  for (long i = 0; i < n_files; i++) {
    stream::SimulatorOptions so;
    so.seed = seed * 1000 + uint64_t(i);
    so.duration_s = int64_t(days * 86400);
    const stream::InjectedKind kind = kinds[size_t(i) % kinds.size()];
    const std::string measure = rng.Below(2) ? "car" : "person";
    const int64_t day = 5 + int64_t(rng.Below(uint32_t(std::max(1.0, days - 6))));
    stream::InjectedAnomaly a;
    a.measure = measure;
    if (kind == stream::InjectedKind::Drop) {  // daytime drop to zero
      a.kind = stream::InjectedKind::Drop;
      a.at_s = day * 86400 + 10 * 3600 + int64_t(rng.Below(6 * 12)) * step;
      a.duration_s = (6 + int64_t(rng.Below(13))) * step;
      a.value = 0;
    } else if (kind == stream::InjectedKind::Stuck) {  // stuck at the expected count of its first minute
      a.kind = stream::InjectedKind::Stuck;
      a.at_s = day * 86400 + 7 * 3600 + int64_t(rng.Below(13 * 12)) * step;
      a.duration_s = (12 + int64_t(rng.Below(25))) * step;
      stream::Schema probe_schema;
      stream::CameraSimulator probe(so, &probe_schema);
      a.value = std::max(1.0, std::round(probe.RatePerMinute(measure == "car" ? 1 : 0, so.start + a.at_s)));
    } else if (kind == stream::InjectedKind::Jump) {  // extra events in one night interval
      a.kind = stream::InjectedKind::Jump;
      a.at_s = day * 86400 + int64_t(rng.Below(5 * 12)) * step;
      a.duration_s = step;
      a.value = 40 + rng.Below(51);
    } else {  // level shift, up or down
      a.kind = stream::InjectedKind::LevelShift;
      a.at_s = day * 86400 + 6 * 3600 + int64_t(rng.Below(12 * 12)) * step;
      a.duration_s = (36 + int64_t(rng.Below(61))) * step;
      a.value = rng.Below(2) ? 2.0 + rng.Uniform01() : 0.3 + 0.2 * rng.Uniform01();
    }
    so.anomalies = {a};
    stream::Schema schema;
    stream::CameraSimulator sim(so, &schema);
    const uint32_t mid = schema.Measure(measure);
    std::vector<double> counts(size_t(so.duration_s / step), 0.0);
    std::vector<stream::Event> ev;
    while (sim.Generate(8192, &ev)) {
      for (auto& e : ev) {
        const int64_t row = (e.time - so.start) / step;
        if (e.measure == mid && row >= 0 && row < int64_t(counts.size())) counts[size_t(row)] += 1;
      }
      ev.clear();
    }
    char name[96];
    std::snprintf(name, sizeof name, "sim_%03ld_%s_%s.csv", i, stream::InjectedKindName(a.kind), measure.c_str());
    std::ofstream csv(out + "/data/" + cat + "/" + name);
    if (!csv) throw InputError{out + "/data/" + cat + "/" + name + ": cannot write"};
    csv << "timestamp,value\n";
    for (size_t r = 0; r < counts.size(); r++)
      csv << stream::FormatTime(so.start + int64_t(r) * step, ' ') << ',' << counts[r] << '\n';
    const auto wins = anomaly::NabWindowsFromLabels(counts.size(), {size_t(a.at_s / step)});
    nlohmann::json wj = nlohmann::json::array();
    for (auto& [w0, w1] : wins)
      wj.push_back({stream::FormatTime(so.start + int64_t(w0) * step, ' '), stream::FormatTime(so.start + int64_t(w1) * step, ' ')});
    windows[cat + "/" + name] = wj;
    list.push_back({{"file", name}, {"kind", stream::InjectedKindName(a.kind)}, {"measure", measure},
                    {"at", stream::FormatTime(so.start + a.at_s)}, {"minutes", a.duration_s / 60}, {"value", a.value}});
  }
  std::ofstream lf(out + "/labels/combined_windows.json");
  if (!lf) throw InputError{out + "/labels/combined_windows.json: cannot write"};
  lf << DumpJson(windows, 1) << '\n';
  nlohmann::json j = {{"files", n_files}, {"category", cat}, {"seed", seed}, {"anomalies", list}};
  if (args.Has("json")) EmitJson(j);
  else std::printf("%s\n", DumpJson(j, 1).c_str());
  return 0;
}

int BacktestVerb(const Args& args) { return RunModel(args, anomaly::Mode::Backtest); }
int DetectVerb(const Args& args) { return RunModel(args, anomaly::Mode::Continuous); }

// [SECTION] the verb table

const std::vector<Flag> kSimFlags = {
    {"days", "D", "simulated days (default 7)"},
    {"cameras", "N", "cameras, 1..1000 (default 1)"},
    {"seed", "N", "simulator seed (default 7)"},
    {"no-anomalies", "", "leave out the injected anomalies"},
};

const std::string kParamHelp = "override DetectorParams (see anomaly/detector.h), comma-separated";

const std::vector<Flag> kSourceFlags = {
    {"input", "FILE", "events or window records, .jsonl or .csv (Parquet: --partitions or --landing)"},
    {"partitions", "DIR", "the year=/month=/day=/hour=/ folders simulate --partitions writes: records.jsonl or part-N.parquet\n"
                        "(YYYY/MM/DD/HH/ too; with --from, --to)"},
    {"from", "T", "first time read from --partitions (ISO-8601)"},
    {"to", "T", "end of the time read from --partitions (ISO-8601)"},
    {"landing", "DIR", "a landing folder of windowed record files (JSON lines with hop_time, or .parquet), any depth; "
                       "names starting with . or _ skipped"},
    {"simulate", "", "the roadside camera simulator as the input (simulate's --days, --cameras, --seed)"},
};

const std::vector<Flag> kDetectorFlags = {
    {"interval", "S", "300|600|3600|86400 (default 300)"},
    {"measures", "LIST", "name:count|sum|avg, up to 5 (e.g. car:count,person:count)"},
    {"dimensions", "LIST", "dimension fields (e.g. camera_id,locality; '' for none)"},
    {"time-field", "NAME", "the event time field (default: ts, time, timestamp, event_time or hop_time)"},
    {"offset", "S", "interval offset (default 0)"},
    {"lateness", "S", "allowed lateness of events (default 60)"},
    {"train", "SHARE", "backtest: the share of intervals learnt before reporting (default 0.3)"},
    {"threshold", "SEV", "severity of an anomaly (default 50)"},
    {"param", "K=V,..", kParamHelp + "; the panel's warm-up is warmup=288"},
    {"rule", "LIST", "alert rules name:threshold[:measure[:dimension]] (default default:70)"},
    {"alerts", "FILE", "append fired alerts (JSON Lines)"},
    {"hook", "CMD", "run CMD once per alert, the alert JSON on its stdin (native)"},
    {"scored", "FILE", "write every scored point (CSV)"},
    {"top", "N", "anomaly groups in the output, by severity (default 10)"},
};

const VerbTable kAnomaly = {
    "anomaly",
    {{"nab", "the streaming detector on NAB's realTraffic and realKnownCause, scored as NAB does",
      {{"data", "DIR", "the NAB corpus (default ../shared/data/nab)"},
       {"out", "DIR", "write DIR/<category>/<file>.csv (timestamp,value,anomaly_score)"},
       {"categories", "LIST", "NAB categories (default realTraffic,realKnownCause)"},
       {"param", "K=V,..", kParamHelp},
       {"scores", "DIR", "score existing DIR/<category>/<P><file>.csv (column 3 = anomaly_score)\n"
                         "instead of running the detector"},
       {"scores-prefix", "P", "the file name prefix P of --scores"},
       {"per-file", "", "add per-file raw scores/TP/FP to the JSON"},
       {"threshold", "T", "score every profile at T instead of sweeping the threshold on these files"}},
      NabVerb, "",
      "Runs the streaming detector over the files and scores them as NAB does: one threshold\n"
      "per profile over all files, normalised per category.\n"
      "JSON: {\"scores\":{\"realTraffic\":{\"standard\":..,\"reward_low_FP_rate\":..,\n"
      "\"reward_low_FN_rate\":..},\"realKnownCause\":{..}},\"thresholds\":{..},\"points_per_second\":..}"},
     {"simulate", "the roadside camera: raw events, window records and/or partition folders",
      Flags({kSimFlags,
             {{"events", "FILE", "write the raw events (JSON Lines)"},
              {"records", "FILE", "write the window records (JSON Lines, hop_time = window end)"},
              {"partitions", "DIR", "write the records into Hive-style year=/month=/day=/hour=/ folders"},
              {"partition-format", "jsonl|parquet", "records.jsonl (default) or part-N.parquet per hour; detect --partitions reads both"},
              {"interval", "S", "window size (default 300)"},
              {"lateness", "S", "allowed lateness (default 60)"},
              {"hop", "S", "hopping windows every S seconds (default: tumbling)"}}}),
      SimulateVerb, "",
      "The camera counts persons and cars with a daily and weekly rhythm; injected: a jump of\n"
      "cars 1->87 on day 4 03:10, persons drop to zero day 5 12:00, cars x3 day 6 08:00."},
     {"corpus", "a NAB-layout corpus of simulated counts with contextual anomalies, for `anomaly nab`",
      {{"out", "DIR", "write DIR/data/<category>/*.csv and DIR/labels/combined_windows.json"},
       {"seed", "N", "seed of the anomaly draws and the simulator (default 1)"},
       {"files", "N", "files, one anomaly each, the kinds in turn (default 12)"},
       {"kinds", "LIST", "drop, stuck, level_shift, jump (default drop,stuck,level_shift)"},
       {"days", "D", "days per file, 7..3650 (default 21)"},
       {"category", "NAME", "category folder (default simTraffic)"}},
      CorpusVerb, "",
      "Each file: one camera's 5-minute counts of persons or cars; its anomaly starts after day 5\n"
      "(a drop to zero between 10:00 and 16:00, a count stuck for 1-3 h, a level shift x2-3 or\n"
      "x0.3-0.5 for 3-8 h; with --kinds jump, 40-90 extra events in one night interval), labelled at\n"
      "its first interval. JSON lists each file's anomaly."},
     {"backtest", "learn on the first --train share of the intervals, report on the rest",
      Flags({kSourceFlags, kSimFlags, kDetectorFlags}), BacktestVerb, "",
      "Bad input lines are counted and the first messages shown (file:line: reason)."},
     {"detect", "continuous mode: score each interval as it closes",
      Flags({kSourceFlags, kSimFlags, kDetectorFlags}), DetectVerb, "",
      "Initializing until 64 intervals per series. Bad input lines are counted and the first\n"
      "messages shown (file:line: reason)."},
     {"bench", "detector points/s on one core and windowing events/s",
      {{"points", "N", "detector points, >= 1000 (default 2000000)"},
       {"events", "N", "windowed events, >= 1000 (default 5000000)"}},
      BenchVerb, "",
      "Detector: a simulated 5-minute series, the NAB preset and the pipeline's robust seasonal\n"
      "preset. Windowing: simulator events of 20 cameras through 5-minute tumbling windows, 60 s\n"
      "lateness."}}};

}  // namespace

int AnomalyCommand(const std::vector<std::string>& argv) { return RunVerbTable(kAnomaly, argv); }

}  // namespace fk::cli
