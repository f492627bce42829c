#include "recommend/experiment.h"

#include <algorithm>
#include <chrono>

#include <nlohmann/json.hpp>

namespace fk::recommend {

namespace {
using Clock = std::chrono::steady_clock;
double MsSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// Share of the progress bar for loading when the run also trains: reading
// the interactions is a small part of a whole run.
constexpr float kLoadShare = 0.15f;
}  // namespace

const char* StageName(ExperimentStage s) {
  switch (s) {
    case ExperimentStage::Load: return "load";
    case ExperimentStage::Split: return "split";
    case ExperimentStage::Evaluate: return "evaluate";
    case ExperimentStage::Full: return "full";
    case ExperimentStage::Done: return "done";
  }
  return "?";
}

std::string ValidateExperimentOptions(const ExperimentOptions& o) {
  const RankerOptions& r = o.ranker;
  if (r.factors < 1 || r.factors > kMaxFactors)
    return "factors " + std::to_string(r.factors) + " is outside 1.." + std::to_string(kMaxFactors);
  if (r.epochs < 0) return "epochs must be >= 0";
  if (r.negatives < 1) return "negatives must be >= 1";
  if (!(o.split.test_users > 0 && o.split.test_users < 1) || !(o.split.holdout > 0 && o.split.holdout < 1))
    return "the test share and the holdout must be in (0, 1)";
  if (o.read_lines < 1 || o.train_samples < 1) return "read_lines and train_samples must be >= 1";
  return "";
}

nlohmann::json ReportJson(const LoadReport& r) {
  return {{"rows", r.rows},          {"skipped", r.Skipped()},           {"malformed", r.bad_rows},
          {"unknown_user", r.unknown_user}, {"unknown_item", r.unknown_item}, {"duplicates", r.duplicates},
          {"bad_temperature", r.bad_temperature}, {"unknown_context", r.unknown_context},
          {"messages", r.messages}};
}

Metrics Pool(const std::vector<Metrics>& ms) {
  Metrics p;
  double cov = 0;
  for (auto& m : ms) {
    const double w = double(m.queries);
    p.mrr_at_25 += w * m.mrr_at_25;
    p.ndcg_at_5 += w * m.ndcg_at_5;
    p.ndcg_at_10 += w * m.ndcg_at_10;
    p.ndcg_at_25 += w * m.ndcg_at_25;
    p.precision_at_5 += w * m.precision_at_5;
    p.precision_at_10 += w * m.precision_at_10;
    p.precision_at_25 += w * m.precision_at_25;
    p.queries += m.queries;
    p.hits_at_10 += m.hits_at_10;
    cov += m.coverage;
  }
  const double n = double(std::max<size_t>(1, p.queries));
  for (double* v : {&p.mrr_at_25, &p.ndcg_at_5, &p.ndcg_at_10, &p.ndcg_at_25, &p.precision_at_5,
                    &p.precision_at_10, &p.precision_at_25})
    *v /= n;
  p.coverage = ms.empty() ? 0 : cov / double(ms.size());
  return p;
}

TopLists TopForUser(const Dataset& ds, const Ranker& r, const TopRequest& req) {
  TopLists out;
  Query q;
  if (req.new_user) {
    q.persona = req.persona;
  } else {
    auto it = ds.user_index.find(req.user);
    if (it == ds.user_index.end()) {
      out.error = "user '" + req.user + "' is not in users.csv";
      return out;
    }
    q.user = int(it->second);
    q.persona = req.persona >= 0 ? req.persona : ds.user_persona[it->second];
  }
  out.query = q;
  out.without_context = Recommend(r, q, req.k, req.filter_purchased);
  Query qc = q;
  qc.band = req.band;
  out.with_context = Recommend(r, qc, req.k, req.filter_purchased);
  return out;
}

// The work in progress of the current stage.
struct Experiment::Work {
  // Load: 0 items, 1 users, 2 weather (and open the interactions), 3 interaction lines.
  int file = 0;
  std::unique_ptr<Dataset> ds;
  LoadReport report;
  std::unique_ptr<InteractionReader> reader;
  // Split: the next seed.
  size_t seed = 0;
  // Evaluate: model x split; per pair 0 fit, 1 train, 2 all queries, 3 hot and cold days.
  // Full: 0 fit, 1 train.
  size_t model = 0, split = 0;
  int phase = 0;
  std::unique_ptr<Ranker> ranker, kept;
  std::vector<Metrics> all, hot, cold;
  double train_ms = 0;
};

Experiment::Experiment(ExperimentOptions options) : opt_(std::move(options)), w_(std::make_unique<Work>()) {
  if (opt_.split_seeds.empty()) opt_.split_seeds = {opt_.split.seed};
  if (std::string e = ValidateExperimentOptions(opt_); !e.empty()) Fail(e);
  else if (opt_.data_dir.empty() && opt_.files.interactions.empty()) Fail("a data folder is required");
  else if (opt_.files.interactions.empty()) opt_.files = DataFilesIn(opt_.data_dir);
  else if (opt_.files.items.empty() || opt_.files.users.empty())
    Fail(std::string("a ") + (opt_.files.items.empty() ? "items" : "users") +
         " file is required with the interactions (Personalize's items: ITEM_ID, CATEGORY; users: USER_ID[, PERSONA])");
}

Experiment::Experiment(ExperimentOptions options, ExperimentData from)
    : opt_(std::move(options)), w_(std::make_unique<Work>()) {
  if (opt_.split_seeds.empty()) opt_.split_seeds = {opt_.split.seed};
  if (std::string e = ValidateExperimentOptions(opt_); !e.empty()) {
    Fail(e);
    return;
  }
  if (!from.ds) {
    Fail("no data set to start from");
    return;
  }
  d_.ds = std::move(from.ds);
  d_.report = std::move(from.report);
  d_.band_counts = from.band_counts.empty() ? CountByBand(*d_.ds) : std::move(from.band_counts);
  // from's splits and models are dropped: this run makes its own.
  Next();
}

Experiment::~Experiment() = default;

void Experiment::Fail(std::string message) {
  error_ = std::move(message);
  stage_ = ExperimentStage::Done;
  w_ = std::make_unique<Work>();
}

// To the next stage this run has.
void Experiment::Next() {
  w_ = std::make_unique<Work>();
  auto wanted = [&](ExperimentStage s) {
    switch (s) {
      case ExperimentStage::Split:
      case ExperimentStage::Evaluate: return !opt_.models.empty();
      case ExperimentStage::Full: return opt_.full_model.has_value();
      default: return true;
    }
  };
  do {
    stage_ = ExperimentStage(int(stage_) + 1);
  } while (stage_ != ExperimentStage::Done && !wanted(stage_));
}

bool Experiment::Step(double budget_ms) {
  const auto t0 = Clock::now();
  while (stage_ != ExperimentStage::Done) {
    StepOnce();
    if (MsSince(t0) >= budget_ms) break;
  }
  return done();
}

void Experiment::RunToEnd() {
  while (!Step(1000.0)) {
  }
}

bool Experiment::StepOnce() {
  switch (stage_) {
    case ExperimentStage::Load: return StepLoad();
    case ExperimentStage::Split: StepSplit(); return true;
    case ExperimentStage::Evaluate: StepEvaluate(); return true;
    case ExperimentStage::Full: StepFull(); return true;
    case ExperimentStage::Done: return true;
  }
  return true;
}

// [SECTION] load: one small file per unit (so the longest unit names its file), then the interactions in lines

bool Experiment::StepLoad() {
  Work& w = *w_;
  const DataFiles& f = opt_.files;
  if (!w.ds) w.ds = std::make_unique<Dataset>();
  Status s;
  if (w.file == 0) {
    s = ReadItems(f.items, w.ds.get(), &w.report);
    if (s && w.ds->items.empty()) s = Status::Error(f.items + ": no valid items");
  } else if (w.file == 1) {
    s = ReadUsers(f.users, w.ds.get(), &w.report);
    if (s && w.ds->users.empty()) s = Status::Error(f.users + ": no valid users");
  } else if (w.file == 2) {
    // Without weather each interaction's own DAILY_TEMPERATURE gives its context.
    if (!f.weather.empty()) s = ReadWeather(f.weather, w.ds.get(), &w.report);
    w.reader = std::make_unique<InteractionReader>(w.ds.get(), &w.report);
    if (s) s = w.reader->Open(f.interactions);
  } else {
    if (w.reader->Step(opt_.read_lines)) return false;
    s = w.reader->Finish();
    if (s && w.ds->interactions.empty()) s = Status::Error(f.interactions + ": no valid interactions");
    if (s) {
      w.reader.reset();
      d_.band_counts = CountByBand(*w.ds);
      d_.ds = std::move(w.ds);
      d_.report = std::move(w.report);
      Next();
      return true;
    }
  }
  if (!s) {
    Fail(s.message());
    return true;
  }
  w.file++;
  return false;
}

// [SECTION] split: one per seed

void Experiment::StepSplit() {
  Work& w = *w_;
  SplitOptions so = opt_.split;
  so.seed = opt_.split_seeds[w.seed++];
  d_.splits.push_back(HoldoutSplit(*d_.ds, so));
  if (w.seed == opt_.split_seeds.size()) Next();
}

// [SECTION] evaluate: per model and split, fit, train in slices, score the held-out queries

void Experiment::StepEvaluate() {
  Work& w = *w_;
  const RankerKind kind = opt_.models[w.model];
  const Split& split = d_.splits[w.split];
  switch (w.phase) {
    case 0: {
      const auto t0 = Clock::now();
      w.ranker = MakeRanker(kind, opt_.ranker);
      w.ranker->Fit(*d_.ds, split.train);
      w.train_ms += MsSince(t0);
      w.phase = 1;
      return;
    }
    case 1: {
      const auto t0 = Clock::now();
      if (w.ranker->TrainStep(opt_.train_samples)) w.phase = 2;
      w.train_ms += MsSince(t0);
      return;
    }
    case 2:  // all queries in one unit, hot and cold days in the next (each a few ms)
      w.all.push_back(Evaluate(*w.ranker, *d_.ds, split, true));
      w.phase = 3;
      return;
    default: break;
  }
  w.hot.push_back(Evaluate(*w.ranker, *d_.ds, split, true, IsHotBand));
  w.cold.push_back(Evaluate(*w.ranker, *d_.ds, split, true, IsColdBand));
  if (w.split == 0) w.kept = std::move(w.ranker);
  w.ranker.reset();
  w.phase = 0;
  if (++w.split < d_.splits.size()) return;
  ModelResult r;
  r.kind = kind;
  r.name = RankerName(kind);
  r.all = Pool(w.all);
  r.hot = Pool(w.hot);
  r.cold = Pool(w.cold);
  r.train_seconds = w.train_ms / 1000.0 / double(d_.splits.size());
  r.ranker = std::move(w.kept);
  d_.results.push_back(std::move(r));
  w.all.clear(), w.hot.clear(), w.cold.clear();
  w.train_ms = 0;
  w.split = 0;
  if (++w.model == opt_.models.size()) Next();
}

// [SECTION] full: the deployable model, on every interaction

void Experiment::StepFull() {
  Work& w = *w_;
  const auto t0 = Clock::now();
  if (w.phase == 0) {
    w.ranker = MakeRanker(*opt_.full_model, opt_.ranker);
    w.ranker->Fit(*d_.ds, d_.ds->interactions);
    w.phase = 1;
    d_.full_train_seconds += MsSince(t0) / 1000.0;
    return;
  }
  const bool trained = w.ranker->TrainStep(opt_.train_samples);
  d_.full_train_seconds += MsSince(t0) / 1000.0;
  if (!trained) return;
  d_.full = std::move(w.ranker);
  Next();
}

// [SECTION] progress, status

float Experiment::Progress() const {
  if (done()) return 1.f;
  const Work& w = *w_;
  const size_t per_model = opt_.split_seeds.size();
  const float units = float(opt_.models.size() * per_model + (opt_.full_model ? 1 : 0));
  const float load_share = first_ != ExperimentStage::Load ? 0.f : units > 0 ? kLoadShare : 1.f;
  if (stage_ == ExperimentStage::Load) return load_share * (w.reader ? w.reader->Progress() : 0.f);
  float unit = 0;  // units done, with the one in progress as its ranker's share
  auto ranker_part = [&] { return w.phase >= 2 ? 1.f : w.ranker && w.phase == 1 ? w.ranker->Progress() : 0.f; };
  if (stage_ == ExperimentStage::Evaluate) unit = float(w.model * per_model + w.split) + ranker_part();
  else if (stage_ == ExperimentStage::Full) unit = float(opt_.models.size() * per_model) + ranker_part();
  return load_share + (1.f - load_share) * std::min(1.f, units > 0 ? unit / units : 1.f);
}

std::string Experiment::Detail() const {
  const Work& w = *w_;
  const std::string* files[] = {&opt_.files.items, &opt_.files.users, &opt_.files.weather, &opt_.files.interactions};
  switch (stage_) {
    case ExperimentStage::Load: {
      const std::string& path = *files[std::min(w.file, 3)];
      return "reading " + path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
    }
    case ExperimentStage::Split: return "holdout split";
    case ExperimentStage::Evaluate: {
      std::string name = RankerName(opt_.models[w.model]);
      if (opt_.split_seeds.size() > 1)
        name += " (split " + std::to_string(w.split + 1) + "/" + std::to_string(opt_.split_seeds.size()) + ")";
      if (w.phase >= 2) return name + ": offline metrics";
      return w.ranker ? name + " " + w.ranker->Detail() : name;
    }
    case ExperimentStage::Full: {
      const std::string name = std::string(RankerName(*opt_.full_model)) + " on every interaction";
      return w.ranker ? name + " " + w.ranker->Detail() : name;
    }
    case ExperimentStage::Done: return failed() ? error_ : "done";
  }
  return "";
}

const Ranker* Experiment::Model(RankerKind kind) const {
  for (auto& r : d_.results)
    if (r.kind == kind) return r.ranker.get();
  return nullptr;
}

ExperimentData Experiment::TakeData() {
  ExperimentData out;
  out.ds = std::move(d_.ds);
  out.report = std::move(d_.report);
  out.band_counts = std::move(d_.band_counts);
  d_ = ExperimentData{};
  Fail("the experiment's data was handed on");
  return out;
}

nlohmann::json Experiment::StatusJson() const {
  nlohmann::json j;
  j["stage"] = StageName(stage_);
  if (failed()) j["error"] = error_;
  if (d_.ds) {
    nlohmann::json by_band = nlohmann::json::object();
    for (int b = 0; b <= kNumBands && size_t(b) < d_.band_counts.size(); b++)
      by_band[BandName(Band(b))] = d_.band_counts[size_t(b)];
    j["dataset"] = {{"items", d_.ds->items.size()},
                    {"users", d_.ds->users.size()},
                    {"interactions", d_.ds->interactions.size()},
                    {"weather_days", d_.ds->weather.size()},
                    {"skipped", d_.report.Skipped()},
                    {"interactions_by_band", by_band}};
    j["report"] = ReportJson(d_.report);
  }
  if (!d_.splits.empty()) {
    size_t train_n = 0, test_users = 0, held_out = 0, queries = 0;
    for (auto& s : d_.splits) {
      train_n += s.train.size();
      test_users += s.test_users;
      held_out += s.held_out;
      queries += s.queries.size();
    }
    j["split"] = {{"splits", d_.splits.size()},
                  {"train_interactions", train_n},
                  {"test_users", test_users},
                  {"held_out", held_out},
                  {"queries", queries}};
  }
  nlohmann::json models = nlohmann::json::object();
  for (auto& r : d_.results) {
    nlohmann::json m = r.all.ToJson();
    m["hot_days"] = r.hot.ToJson();
    m["cold_days"] = r.cold.ToJson();
    m["train_seconds"] = r.train_seconds;
    models[r.name] = m;
  }
  j["models"] = models;
  return j;
}

}  // namespace fk::recommend
