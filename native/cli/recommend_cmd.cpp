// fieldkit-cli recommend generate|train|eval|top|movielens — headless runs of
// the contextual recommenders (shared/recommend).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "core/json_write.h"
#include "core/clock.h"
#include "core/strings.h"
#include "recommend/data.h"
#include "recommend/experiment.h"
#include "recommend/generate.h"
#include "recommend/metrics.h"
#include "recommend/model.h"
#include "recommend/movielens.h"

namespace fk::cli {

namespace {

// data/recommend relative to the working directory, else to the repository
// this binary was built in (build/native/fieldkit-cli -> ../../data/recommend).
std::string DefaultDataDir() {
  if (std::filesystem::exists("data/recommend/items.csv")) return "data/recommend";
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto dir = exe.parent_path().parent_path().parent_path() / "data" / "recommend";
    if (std::filesystem::exists(dir / "items.csv", ec)) return dir.string();
  }
  return "data/recommend";
}

recommend::RankerOptions ModelOptions(const Args& a) {
  recommend::RankerOptions o;
  o.factors = int(a.GetInt("factors", o.factors));
  o.epochs = int(a.GetInt("epochs", o.epochs));
  o.learning_rate = float(a.GetDouble("lr", o.learning_rate));
  o.reg = float(a.GetDouble("reg", o.reg));
  o.reg_user = float(a.GetDouble("reg-user", o.reg_user));
  o.negatives = int(a.GetInt("negatives", o.negatives));
  o.seed = uint64_t(a.GetInt("model-seed", long(o.seed)));
  o.ease_lambda = a.GetDouble("lambda", o.ease_lambda);
  if (o.factors < 1 || o.epochs < 0 || o.negatives < 1) throw UsageError{"--factors/--negatives must be >= 1"};
  if (o.factors > recommend::kMaxFactors)
    throw UsageError{"--factors must be <= " + std::to_string(recommend::kMaxFactors) + " (what a saved model may hold)"};
  return o;
}

recommend::RankerKind Kind(const std::string& name) {
  recommend::RankerKind k;
  if (!recommend::ParseRankerKind(name, &k))
    throw UsageError{"unknown model '" + name +
                     "' (popularity, popularity_in_context, item_knn, ease, fm_context, fm_no_context)"};
  return k;
}

// Runs the experiment to the end, progress on stderr; the load report's
// skipped rows on stderr once the data set is read. Errors in the data are
// InputErrors naming the file.
void Run(const Args& a, recommend::Experiment* e, const std::string& label) {
  ProgressBar bar(label, ProgressWanted(a));
  bool reported = e->loaded();  // started from data read (and reported) before
  for (bool done = false; !done;) {
    done = e->Step(100.0);
    if (!reported && e->loaded()) {
      reported = true;
      const recommend::LoadReport& r = e->data().report;
      if (r.Skipped() || r.bad_temperature || r.unknown_context) {
        std::fprintf(stderr, "fieldkit-cli recommend: %s: %s\n", e->options().data_dir.c_str(), r.Summary().c_str());
        for (auto& m : r.messages) std::fprintf(stderr, "  %s\n", m.c_str());
      }
    }
    bar.Update(e->Progress(), e->Detail());
  }
  bar.Done();
  if (e->failed()) throw InputError{e->error()};
}

// Fits and trains to the end, progress on stderr. Returns seconds.
double Train(recommend::Ranker& r, const recommend::Dataset& ds, const std::vector<recommend::Interaction>& train,
             ProgressBar* bar) {
  const Stopwatch sw;
  r.Fit(ds, train);
  while (!r.TrainStep(20000)) bar->Update(r.Progress(), r.Detail());
  return sw.ElapsedMs() / 1000.0;
}

int GenerateVerb(const Args& a) {
  recommend::GenerateOptions o;
  o.seed = uint64_t(a.GetInt("seed", long(o.seed)));
  o.users = int(a.GetInt("users", o.users));
  o.days = int(a.GetInt("days", o.days));
  o.temp_effect = a.GetDouble("temp-effect", o.temp_effect);
  o.size_effect = a.GetDouble("size-effect", o.size_effect);
  if (o.users < 1 || o.days < 1) throw UsageError{"--users and --days must be >= 1"};
  const std::string out = a.Get("out", "data/recommend");
  const recommend::Dataset ds = recommend::Generate(o);
  if (Status st = recommend::WriteDataset(out, ds); !st) throw InputError{st.message()};
  const auto bands = recommend::CountByBand(ds);
  nlohmann::json by_band = nlohmann::json::object();
  for (int b = 0; b <= recommend::kNumBands; b++) by_band[recommend::BandName(recommend::Band(b))] = bands[size_t(b)];
  nlohmann::json j = {{"out", out},
                      {"items", ds.items.size()},
                      {"users", ds.users.size()},
                      {"weather_days", ds.weather.size()},
                      {"interactions", ds.interactions.size()},
                      {"interactions_by_band", by_band}};
  if (a.Has("json")) EmitJson(j);
  else std::printf("%s\n", DumpJson(j, 1).c_str());
  return 0;
}

recommend::SplitOptions SplitOpts(const Args& a) {
  recommend::SplitOptions s;
  s.test_users = a.GetDouble("test-share", s.test_users);
  s.holdout = a.GetDouble("holdout", s.holdout);
  s.seed = uint64_t(a.GetInt("split-seed", long(s.seed)));
  if (!(s.test_users > 0 && s.test_users < 1) || !(s.holdout > 0 && s.holdout < 1))
    throw UsageError{"--test-share and --holdout must be in (0, 1)"};
  return s;
}

int EvalVerb(const Args& a, bool single) {
  recommend::ExperimentOptions o;
  o.data_dir = a.Get("data", DefaultDataDir());
  o.ranker = ModelOptions(a);
  o.split = SplitOpts(a);
  for (double seed : a.GetDoubleList("split-seeds", {double(o.split.seed)})) o.split_seeds.push_back(uint64_t(seed));
  const std::vector<std::string> names =
      single ? std::vector<std::string>{a.Get("model", "fm_context")}
             : a.GetList("models", {"popularity", "popularity_in_context", "item_knn", "ease", "fm_no_context",
                                    "fm_context"});
  for (auto& n : names) o.models.push_back(Kind(n));
  // The deployable model: every interaction, not the holdout's training part.
  if (single && a.Has("out")) o.full_model = o.models[0];
  o.train_samples = 20000;  // no frame to keep short here; the results do not depend on it
  recommend::Experiment e(o);
  Run(a, &e, "train");
  const nlohmann::json status = e.StatusJson();
  nlohmann::json models = status["models"];
  std::string saved;
  if (o.full_model) {
    if (Status st = recommend::SaveRanker(*e.data().full, a.Get("out")); !st) throw InputError{st.message()};
    saved = a.Get("out");
    models[names[0]]["saved_train_seconds"] = e.data().full_train_seconds;
  }
  nlohmann::json j = {{"data", status["report"]}, {"split", status["split"]}, {"models", models}};
  if (!saved.empty()) j["out"] = saved;
  if (a.Has("json")) {
    EmitJson(j);
    return 0;
  }
  std::printf("%-22s %8s %8s %8s %8s %8s %8s %8s %8s | %8s %8s\n", "model", "coverage", "mrr@25", "ndcg@5",
              "ndcg@10", "ndcg@25", "p@5", "p@10", "p@25", "hot n@10", "cold n@10");
  for (auto& [name, m] : models.items())
    std::printf("%-22s %8.4f %8.4f %8.4f %8.4f %8.4f %8.4f %8.4f %8.4f | %8.4f %8.4f\n", name.c_str(),
                m["coverage"].get<double>(), m["mean_reciprocal_rank_at_25"].get<double>(),
                m["normalized_discounted_cumulative_gain_at_5"].get<double>(),
                m["normalized_discounted_cumulative_gain_at_10"].get<double>(),
                m["normalized_discounted_cumulative_gain_at_25"].get<double>(), m["precision_at_5"].get<double>(),
                m["precision_at_10"].get<double>(), m["precision_at_25"].get<double>(),
                m["hot_days"]["normalized_discounted_cumulative_gain_at_10"].get<double>(),
                m["cold_days"]["normalized_discounted_cumulative_gain_at_10"].get<double>());
  std::printf("queries: %zu over %zu split(s) (%zu test users, %zu held-out interactions; hot-day %zu, cold-day %zu)\n",
              j["split"]["queries"].get<size_t>(), e.data().splits.size(), j["split"]["test_users"].get<size_t>(),
              j["split"]["held_out"].get<size_t>(), models.begin()->at("hot_days")["queries"].get<size_t>(),
              models.begin()->at("cold_days")["queries"].get<size_t>());
  return 0;
}

int TopVerb(const Args& a) {
  const std::string user = a.Get("user", "");
  if (user.empty()) throw UsageError{"--user ID (or --user new) is required"};
  recommend::ExperimentOptions o;
  o.data_dir = a.Get("data", DefaultDataDir());
  o.ranker = ModelOptions(a);
  recommend::Experiment loading(o);  // no models: loads only
  Run(a, &loading, "load");
  const recommend::Dataset& ds = *loading.data().ds;  // stays where it is when the data moves on
  recommend::TopRequest req;
  req.user = user;
  req.new_user = user == "new";
  if (!req.new_user && !ds.user_index.count(user))
    throw InputError{"user '" + user + "' is not in users.csv (use --user new)"};
  if (a.Has("persona")) {
    req.persona = ds.PersonaIndex(a.Get("persona"));
    if (req.persona < 0) throw UsageError{"unknown persona '" + a.Get("persona") + "'"};
  }
  const std::string ctx = a.Get("context", "none");
  if (ctx != "none" && !recommend::ParseBand(ctx, &req.band))
    throw UsageError{"--context: '" + ctx + "' is not a band (very_cold, cold, slightly_cold, lukewarm, hot, very_hot)"};
  const recommend::Band band = req.band;
  req.k = size_t(a.GetInt("k", 5));
  req.filter_purchased = a.Has("filter-purchased");
  std::unique_ptr<recommend::Ranker> from_file;
  std::unique_ptr<recommend::Experiment> trained;
  if (a.Has("model-file")) {
    auto loaded = recommend::LoadRanker(a.Get("model-file"), ds);
    if (!loaded) throw InputError{loaded.status().message()};
    from_file = std::move(*loaded);
  } else {
    o.full_model = Kind(a.Get("model", "fm_context"));
    o.train_samples = 20000;
    trained = std::make_unique<recommend::Experiment>(o, loading.TakeData());
    Run(a, trained.get(), "train");
  }
  const recommend::Ranker* r = from_file ? from_file.get() : trained->data().full.get();
  const recommend::TopLists top = recommend::TopForUser(ds, *r, req);
  const recommend::Query& q = top.query;
  recommend::Query qc = q;
  qc.band = band;
  const auto& without = top.without_context;
  const auto& with = top.with_context;
  auto list = [&](const std::vector<recommend::Scored>& v, const std::vector<recommend::Scored>& other,
                  const recommend::Query& qq) {
    nlohmann::json out = nlohmann::json::array();
    for (size_t i = 0; i < v.size(); i++) {
      const auto& it = ds.items[v[i].item];
      int other_rank = 0;
      for (size_t j = 0; j < other.size(); j++)
        if (other[j].item == v[i].item) other_rank = int(j + 1);
      nlohmann::json why = nlohmann::json::array();
      for (auto& f : r->Explain(qq, v[i].item, 3)) why.push_back({{"factor", f.label}, {"value", f.value}});
      out.push_back({{"rank", i + 1}, {"item_id", it.id}, {"name", it.name}, {"category", it.category},
                     {"size", it.size}, {"score", v[i].score}, {"rank_other", other_rank}, {"why", why}});
    }
    return out;
  };
  nlohmann::json j = {{"user", user},
                      {"persona", q.persona >= 0 ? ds.personas[size_t(q.persona)] : ""},
                      {"context", recommend::BandName(band)},
                      {"model", r ? recommend::RankerName(r->Kind()) : ""},
                      {"without_context", list(without, with, q)},
                      {"with_context", list(with, without, qc)}};
  if (a.Has("json")) {
    EmitJson(j);
    return 0;
  }
  std::printf("user %s (%s), model %s\n", user.c_str(), j["persona"].get<std::string>().c_str(),
              j["model"].get<std::string>().c_str());
  for (const char* side : {"without_context", "with_context"}) {
    std::printf("\n%s%s:\n", side, std::string(side) == "with_context" ? (" = " + ctx).c_str() : "");
    for (auto& e : j[side]) {
      const int other = e["rank_other"].get<int>(), rank = e["rank"].get<int>();
      // Rank changes are marked on the with-context list, relative to the list without.
      const bool mark = std::string(side) == "with_context";
      std::string change = !mark ? "" : other == 0 ? "new" : other == rank ? "=" : (other > rank ? "up " : "down ") + std::to_string(std::abs(other - rank));
      std::printf("  %d. item %-4s %-28s %-6s", rank, e["item_id"].get<std::string>().c_str(),
                  e["name"].get<std::string>().c_str(), change.c_str());
      for (auto& f : e["why"]) std::printf("  [%s %+.2f]", f["factor"].get<std::string>().c_str(), f["value"].get<double>());
      std::printf("\n");
    }
  }
  return 0;
}

std::vector<double> NumberList(const Args& a, const std::string& flag, std::vector<double> def, double lo) {
  if (!a.Has(flag)) return def;
  std::vector<double> out;
  for (auto& t : a.GetList(flag, {})) {
    double v;
    if (!ParseNumber(t, &v) || !(v >= lo) || v > 1e9)
      throw UsageError{"--" + flag + ": '" + t + "' is not a number >= " + DumpJson(nlohmann::json(lo))};
    out.push_back(v);
  }
  if (out.empty()) throw UsageError{"--" + flag + ": give at least one value"};
  return out;
}

int MovieLensVerb(const Args& a) {
  const std::string dir = a.Get("data", "../shared/data/movielens-100k");
  const std::string train_name = a.Get("train", "ua.base"), test_name = a.Get("test", "ua.test");
  auto path = [&](const std::string& f) { return f.find('/') != std::string::npos ? f : dir + "/" + f; };
  const size_t k = size_t(a.GetInt("k", 10));
  if (k < 1) throw UsageError{"--k must be >= 1"};
  recommend::MovieLensSplit s;
  if (Status st = recommend::LoadMovieLensSplit(path(train_name), path(test_name), &s); !st)
    throw InputError{st.message()};
  if (s.bad_lines) std::fprintf(stderr, "fieldkit-cli recommend: %zu bad lines skipped; first: %s\n", s.bad_lines,
                                s.first_error.c_str());
  const recommend::RankerKind kind = Kind(a.Get("model", "ease"));
  recommend::RankerOptions opt = ModelOptions(a);
  opt.ease_pop_beta = a.GetDouble("pop-beta", 0.0);
  if (!(opt.ease_pop_beta >= 0 && opt.ease_pop_beta <= 4)) throw UsageError{"--pop-beta must be 0..4"};
  // EASE's settings are chosen on a validation split of --train unless --lambda fixes them.
  const bool tune = kind == recommend::RankerKind::Ease && !a.Has("lambda");
  nlohmann::json validation;
  double val_s = 0;
  if (tune) {
    recommend::ValidationOptions vo;
    const long per_user = a.GetInt("val-per-user", long(vo.per_user));
    if (per_user < 1) throw UsageError{"--val-per-user must be >= 1"};
    vo.per_user = size_t(per_user);
    vo.seed = uint64_t(a.GetInt("val-seed", long(vo.seed)));
    vo.k = k;
    vo.lambdas = NumberList(a, "lambdas", vo.lambdas, 1e-6);
    vo.pop_betas = NumberList(a, "pop-betas", vo.pop_betas, 0);
    for (double b : vo.pop_betas)
      if (b > 4) throw UsageError{"--pop-betas: values must be 0..4"};
    const Stopwatch vsw;
    ProgressBar vbar("validation", ProgressWanted(a));
    const recommend::EaseChoice c = recommend::ChooseEaseOnValidation(s.ds, s.train, vo, [&](size_t i, size_t n) {
      vbar.Update(float(i) / float(n), "lambda " + DumpJson(nlohmann::json(vo.lambdas[i - 1])));
    });
    vbar.Done();
    val_s = vsw.ElapsedMs() / 1000.0;
    opt.ease_lambda = c.lambda;
    opt.ease_pop_beta = c.pop_beta;
    const std::string kk = std::to_string(k);
    nlohmann::json grid = nlohmann::json::array();
    for (auto& g : c.grid)
      grid.push_back({{"lambda", g.lambda}, {"pop_beta", g.pop_beta}, {"precision_at_" + kk, g.precision},
                      {"ndcg_at_" + kk, g.ndcg}});
    validation = {{"protocol", "per user, min(" + std::to_string(vo.per_user) +
                                   ", half) of their --train ratings drawn at random (seed " +
                                   std::to_string(vo.seed) + ") are held out; EASE is fitted on the rest for "
                                   "every lambda x pop_beta and the highest precision_at_" + kk +
                                   " wins; --test is never read while choosing"},
                  {"per_user", vo.per_user},
                  {"seed", vo.seed},
                  {"users", c.val_users},
                  {"ratings", c.val_ratings},
                  {"fit_ratings", c.fit_ratings},
                  {"chosen", {{"lambda", c.lambda}, {"pop_beta", c.pop_beta}, {"precision_at_" + kk, c.precision},
                              {"ndcg_at_" + kk, c.ndcg}}},
                  {"grid", grid},
                  {"seconds", val_s}};
  }
  auto r = recommend::MakeRanker(kind, opt);
  const Stopwatch sw;
  ProgressBar bar("train", ProgressWanted(a));
  const double train_s = Train(*r, s.ds, s.train, &bar);
  bar.Done();
  std::vector<std::vector<uint32_t>> lists;
  const recommend::TopKScore score = recommend::ScoreTopK(*r, s.test, k, &lists);
  const double seconds = sw.ElapsedMs() / 1000.0;
  if (a.Has("out")) {
    std::ofstream out(a.Get("out"));
    if (!out) throw InputError{a.Get("out") + ": cannot open for writing"};
    out << "user_id,rank,item_id\n";
    for (size_t q = 0; q < s.test.size(); q++)
      for (size_t i = 0; i < lists[q].size(); i++)
        out << s.ds.users[s.test[q].user].id << ',' << (i + 1) << ',' << s.ds.items[lists[q][i]].id << '\n';
    if (!out) throw InputError{a.Get("out") + ": write failed"};
  }
  const std::string kk = std::to_string(k);
  nlohmann::json j = {{"model", recommend::RankerName(kind)},
                      {"precision_at_" + kk, score.precision},
                      {"ndcg_at_" + kk, score.ndcg},
                      {"seconds", seconds},
                      {"train_seconds", train_s},
                      {"users", s.test.size()},
                      {"train_ratings", s.train.size()},
                      {"items", s.ds.items.size()}};
  if (kind == recommend::RankerKind::Ease) {
    j["lambda"] = opt.ease_lambda;
    j["pop_beta"] = opt.ease_pop_beta;
    j["settings_from"] = tune ? "validation" : "flags";
  }
  if (tune) j["validation"] = validation;
  if (a.Has("json")) EmitJson(j);
  else std::printf("%s\n", DumpJson(j, 1).c_str());
  return 0;
}

int TrainVerb(const Args& a) { return EvalVerb(a, true); }
int EvalModelsVerb(const Args& a) { return EvalVerb(a, false); }

// [SECTION] the verb table

const Flag kData = {"data", "DIR", "the data set (default data/recommend, the bundled copy)"};

const std::vector<Flag> kModelFlags = {
    {"factors", "N", "FM factors (default 24)"},
    {"epochs", "N", "FM epochs (default 25)"},
    {"lr", "X", "FM learning rate (default 0.05)"},
    {"reg", "X", "FM regularisation (default 0.002)"},
    {"reg-user", "X", "FM user regularisation (default 0.02)"},
    {"negatives", "N", "BPR: the hardest of N uniform negatives (default 3)"},
    {"model-seed", "N", "FM seed (default 1)"},
    {"lambda", "X", "EASE regularisation (default 300; movielens: fixes it, no validation)"},
};

// Personalize's holdout.
const std::vector<Flag> kSplitFlags = {
    {"test-share", "X", "share of users in the test set, (0, 1) (default 0.1)"},
    {"holdout", "X", "share of their newest interactions held out, (0, 1) (default 0.1)"},
    {"split-seed", "N", "seed of the split (default 1)"},
    {"split-seeds", "LIST", "several splits, their queries pooled (e.g. 1,2,3)"},
};

const VerbTable kRecommend = {
    "recommend",
    {{"generate", "write the demo data set: DIR/items.csv, users.csv, weather_data.csv, interactions.csv",
      {{"out", "DIR", "the folder (default data/recommend)"},
       {"seed", "N", "seed (default 7)"},
       {"users", "N", "users (default 1000)"},
       {"days", "N", "days of sessions (default 92)"},
       {"temp-effect", "X", "the planted temperature effect (default 1.1)"},
       {"size-effect", "X", "the planted pack-size effect (default 0.6)"}},
      GenerateVerb, "",
      "A bottler's catalog, users with personas, daily weather of one city from 2020-03-25 and\n"
      "view/add/purchase sessions with a planted temperature effect."},
     {"train", "one model's holdout metrics (as eval); --out also saves it trained on everything",
      Flags({{kData, {"model", "NAME", "the model (default fm_context)"}},
             kSplitFlags,
             kModelFlags,
             {{"out", "MODEL.json", "train on every interaction and save it (FM models), for top --model-file"}}}),
      TrainVerb},
     {"eval", "metrics per model over all test queries, hot-day and cold-day queries",
      Flags({{kData, {"models", "LIST", "the models (default all)"}}, kSplitFlags, kModelFlags}), EvalModelsVerb, "",
      "Hot days: hot, very hot; cold days: cold, very cold. JSON keys as the service names them:\n"
      "{\"models\":{\"fm_context\":{\"coverage\",\"mean_reciprocal_rank_at_25\",\n"
      "\"normalized_discounted_cumulative_gain_at_5|10|25\",\"precision_at_5|10|25\",\"queries\",\n"
      "\"hot_days\":{..},\"cold_days\":{..},\"train_seconds\"},..},\"data\":{..},\"split\":{..}}"},
     {"top", "the top k for a user with and without the context, rank changes and why",
      Flags({{kData,
              {"user", "ID|new", "the user (required)"},
              {"persona", "P", "the persona of a new user"},
              {"context", "BAND|none", "the temperature band (default none)"},
              {"k", "N", "list length (default 5)"},
              {"model", "NAME", "train this model (default fm_context)"},
              {"model-file", "MODEL.json", "load a model saved by train --out instead"},
              {"filter-purchased", "", "leave out items the user bought"}},
             kModelFlags}),
      TopVerb, "",
      "Each item shows its largest score contributions."},
     {"movielens", "top-k of every test user on MovieLens 100k: precision and NDCG at k",
      Flags({{{"data", "DIR", "the MovieLens folder (default ../shared/data/movielens-100k)"},
              {"train", "FILE", "the training ratings (default ua.base)"},
              {"test", "FILE", "the test ratings (default ua.test)"},
              {"k", "N", "list length (default 10)"},
              {"model", "NAME", "the model (default ease)"},
              {"out", "FILE.csv", "write user_id,rank,item_id"},
              {"val-per-user", "N", "ease: ratings per user held out of --train for validation (default 10)"},
              {"val-seed", "N", "ease: seed of the validation draw (default 1)"},
              {"lambdas", "LIST", "ease: lambdas tried on validation (default 100,200,300,500,800,1200,2000)"},
              {"pop-betas", "LIST", "ease: popularity discounts tried (default 0,0.05,0.1,0.2,0.3)"},
              {"pop-beta", "X", "ease with --lambda: scores / item users^X (default 0)"}},
             kModelFlags}),
      MovieLensVerb, "",
      "Trains on --train and recommends the top k unrated items for every user in --test; prints\n"
      "{\"model\",\"precision_at_10\",\"ndcg_at_10\",\"seconds\"} (seconds = training + scoring).\n"
      "Every test rating counts as relevant.\n"
      "ease: lambda and pop_beta are chosen on a validation split carved from --train (per user,\n"
      "--val-per-user of their ratings at random, at most half), never on --test; the model is\n"
      "then refitted on all of --train and scored once. \"validation\" in the output holds the\n"
      "protocol, every setting's validation scores and the chosen one. --lambda skips it."}},
    "DIR (--data) defaults to data/recommend (the bundled copy). Bad rows are skipped and counted.\n"
    "Bands (daily average, C): very cold <5 <= cold <10 <= slightly cold <15 <= lukewarm <21 <=\n"
    "  hot <= 28 < very hot.\n"
    "models: popularity, popularity_in_context, item_knn, ease, fm_context, fm_no_context\n"
    "  (fm = factorisation machine over user, persona, item, category, size [+ temperature band],\n"
    "  BPR loss with the hardest of --negatives uniform negatives)."};

}  // namespace

int RecommendCommand(const std::vector<std::string>& argv) { return RunVerbTable(kRecommend, argv); }

}  // namespace fk::cli
