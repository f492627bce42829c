// Recommendations panel: the bottler demo data (interactions per temperature
// band), a sliced train job (five rankers on Personalize's holdout, then their
// offline metrics), a user or a new user with a persona, a context, and the
// context-aware model's top 5 with and without that context side by side with
// rank changes and each item's largest score contributions. A view over
// recommend::Experiment (shared/recommend/experiment.h), the object
// `fieldkit-cli recommend eval` runs too: the job steps it one unit at a time.
// [SECTION] The load/train job (also used by ?run=recommend-demo)
// [SECTION] Status for window.fieldkit.status().recommend
// [SECTION] Drawing
#include <algorithm>
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/panels.h"
#include "ui/plot.h"
#include "ui/widgets.h"

namespace fk::ui {

using recommend::Band;
using recommend::RankerKind;

// [SECTION] The load/train job

static const RankerKind kRecommendModels[] = {RankerKind::Popularity, RankerKind::PopularityInContext,
                                              RankerKind::ItemKnn, RankerKind::FmNoContext, RankerKind::FmContext};
static constexpr size_t kNumModels = sizeof(kRecommendModels) / sizeof(kRecommendModels[0]);
static const char* kTrainLabel = "Train recommenders";
static const char* kLoadLabel = "Load recommendation data";

static std::string DataDir(const AppState& app) {
  return app.recommend.data_dir.empty() ? app.platform.data_dir + "/recommend" : app.recommend.data_dir;
}

// The user's files, in RecommendPanelState::own order.
static const recommend::PersonalizeFile kOwnKinds[] = {
    recommend::PersonalizeFile::Interactions, recommend::PersonalizeFile::Users, recommend::PersonalizeFile::Items,
    recommend::PersonalizeFile::Weather};
static recommend::DataFiles OwnFiles(const RecommendPanelState& st) {
  return {st.own[2], st.own[1], st.own[0], st.own[3]};
}
static bool OwnComplete(const RecommendPanelState& st) { return st.own[0][0] && st.own[1][0] && st.own[2][0]; }
static std::string BaseName(const std::string& p) {
  const size_t slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}
// "your files (interactions.csv, users.csv, items.csv)" or the demo folder.
static std::string DataLabel(const AppState& app) {
  const RecommendPanelState& st = app.recommend;
  if (!st.use_own) return DataDir(app);
  std::string l;
  for (int k = 0; k < 4; k++)
    if (st.own[k][0]) l += (l.empty() ? "" : ", ") + BaseName(st.own[k]);
  return "your files: " + l;
}

// The data set once it is read, else null.
static const recommend::Dataset* Data(const RecommendPanelState& st) {
  return st.exp && st.exp->loaded() ? st.exp->data().ds.get() : nullptr;
}
// Every model trained and evaluated.
static bool Trained(const RecommendPanelState& st) {
  return st.exp && st.exp->finished() && !st.exp->data().results.empty();
}

// The panel's choices as the experiment's options. The units of work keep
// their defaults (1000 interaction lines, 2500 training samples): a few ms
// each in the page.
static recommend::ExperimentOptions Options(const AppState& app, bool train) {
  recommend::ExperimentOptions o;
  o.data_dir = DataDir(app);
  if (app.recommend.use_own) o.files = OwnFiles(app.recommend);
  if (train) o.models.assign(kRecommendModels, kRecommendModels + kNumModels);
  return o;
}

namespace {
// Runs recommend::Experiment one unit per job step (the job runner fills a
// frame's budget with steps).
struct RecommendJob {
  AppState* app = nullptr;
  bool train = false;
  bool started = false;
  double t0 = 0;

  bool Step(JobContext& ctx) {
    RecommendPanelState& st = app->recommend;
    if (!started) {  // made here, not when queued: a load job queued before may have read the data since
      started = true;
      t0 = NowMs();
      if (Data(st)) {
        if (!train) return true;
        st.exp = std::make_unique<recommend::Experiment>(Options(*app, true), st.exp->TakeData());
      } else {
        st.exp = std::make_unique<recommend::Experiment>(Options(*app, train));
      }
      st.cache_key.clear();
      ctx.SetDetail(st.exp->Detail());
      return false;
    }
    recommend::Experiment& e = *st.exp;
    const bool was_loaded = e.loaded();
    const bool done = e.Step(0.0);  // one unit
    ctx.SetProgress(e.Progress());
    ctx.SetDetail(e.Detail());
    if (!was_loaded && e.loaded()) {
      const auto& counts = e.data().band_counts;
      for (int b = 0; b <= recommend::kNumBands; b++) st.band_counts[b] = double(counts[size_t(b)]);
      st.load_error.clear();
      // The demo's user 170 is not the user's: pick their first user with interactions.
      const recommend::Dataset& ds = *e.data().ds;
      if (!ds.interactions.empty() && !ds.user_index.count(st.user_id))
        std::snprintf(st.user_id, sizeof st.user_id, "%s", ds.users[ds.interactions.front().user].id.c_str());
      if (st.use_own) st.own_message = "your files are loaded: Train trains every model on them";
      const recommend::LoadReport& report = e.data().report;
      if (report.Skipped() || report.bad_temperature) app->Log("recommend: " + report.Summary());
    }
    if (!done) return false;
    if (e.failed()) {
      st.load_error = e.error();
      ctx.Fail(e.error());
      return true;
    }
    if (train) st.train_s = (NowMs() - t0) / 1000.0;
    st.cache_key.clear();
    return true;
  }
};
}  // namespace

static void StartRecommendJob(AppState& app, bool train) {
  if (app.jobs.Has(kTrainLabel) || (!train && app.jobs.Has(kLoadLabel))) return;
  auto job = std::make_shared<RecommendJob>();
  job->app = &app;
  job->train = train;
  app.recommend.load_error.clear();
  app.jobs.Enqueue(MakeJob(
      train ? kTrainLabel : kLoadLabel, [job](JobContext& ctx) { return job->Step(ctx); },
      [&app, train](JobState s) {
        if (s == JobState::Failed) app.Error("recommendations: " + app.jobs.Error());
        else if (s == JobState::Cancelled) app.Log(train ? "recommend: training cancelled" : "recommend: load cancelled");
        else if (s == JobState::Done && train)
          app.Log("recommend: trained " + std::to_string(kNumModels) + " models in " +
                  std::to_string(app.recommend.train_s).substr(0, 4) + " s");
      }));
}

// ?run=recommend-demo[&user=170][&context=cold][&data=DIR]
bool RunRecommendDemoFromParams(AppState& app, const std::map<std::string, std::string>& params) {
  RecommendPanelState& st = app.recommend;
  // Other data replaces the data set the running job and its models point into.
  if (params.count("data") && (app.jobs.Has(kTrainLabel) || app.jobs.Has(kLoadLabel))) {
    app.Error("?run=recommend-demo: data cannot change while a recommendations job runs; run it again when it is done");
    return false;
  }
  for (auto& [k, v] : params) {
    if (k == "user") {
      st.new_user = v == "new";
      if (!st.new_user) std::snprintf(st.user_id, sizeof st.user_id, "%s", v.c_str());
    } else if (k == "context") {
      Band b;
      if (!recommend::ParseBand(v, &b) || b == Band::Unknown) {
        app.Error("?run=recommend-demo: context must be very_cold, cold, slightly_cold, lukewarm, hot or very_hot");
        return false;
      }
      st.band = int(b);
    } else if (k == "data") {
      st.data_dir = v;
      st.exp.reset();
    } else {
      app.Error("?run=recommend-demo: unknown parameter '" + k + "' (known: user, context, data)");
      return false;
    }
  }
  st.cache_key.clear();
  StartRecommendJob(app, true);
  return true;
}

// Switches the panel to the user's files (use_own) and reads them; Train then trains on them.
static bool UseOwnFiles(AppState& app) {
  RecommendPanelState& st = app.recommend;
  if (app.jobs.Has(kTrainLabel) || app.jobs.Has(kLoadLabel)) {
    // The job points into the data set it reads: switch once it is over.
    st.own_pending = true;
    st.own_message = "your files are read once the running recommendations job ends";
    return false;
  }
  st.own_pending = false;
  if (!OwnComplete(st)) return false;
  st.use_own = true;
  st.exp.reset();
  st.cache_key.clear();
  for (double& c : st.band_counts) c = 0;
  st.own_message = "reading " + DataLabel(app);
  StartRecommendJob(app, false);
  return true;
}

void ImportRecommendFile(AppState& app, const std::string& path, int personalize_file) {
  RecommendPanelState& st = app.recommend;
  app.current_panel = PanelIndex("recommend");
  int slot = -1;
  for (int k = 0; k < 4; k++)
    if (int(kOwnKinds[k]) == personalize_file) slot = k;
  if (slot < 0) return;
  std::snprintf(st.own[slot], sizeof st.own[slot], "%s", path.c_str());
  std::string missing;
  for (int k = 0; k < 3; k++)
    if (!st.own[k][0]) missing += (missing.empty() ? "" : ", ") + std::string(recommend::PersonalizeFileName(kOwnKinds[k]));
  st.own_message = BaseName(path) + " is your " + recommend::PersonalizeFileName(kOwnKinds[slot]) + " file";
  if (!missing.empty()) st.own_message += "; still missing: " + missing + " (import them too)";
  app.Log("recommend: " + st.own_message);
  if (missing.empty()) UseOwnFiles(app);
}

// Recomputes the two top-5 lists when a pick changed (cheap: ~100 items).
static void UpdateLists(RecommendPanelState& st) {
  if (!Trained(st)) return;
  char key[96];
  std::snprintf(key, sizeof key, "%s|%d|%d|%d|%d", st.user_id, st.new_user, st.new_persona, st.band,
                st.filter_purchased);
  if (st.cache_key == key) return;
  st.cache_key = key;
  recommend::TopRequest req;
  req.user = st.user_id;
  req.new_user = st.new_user;
  req.persona = st.new_user ? st.new_persona : -1;
  req.band = Band(st.band);
  req.k = 5;
  req.filter_purchased = st.filter_purchased;
  recommend::TopLists top = recommend::TopForUser(*Data(st), *st.exp->Model(RankerKind::FmContext), req);
  st.user_error = top.error;
  if (top.error.empty()) st.query = top.query;
  st.without_ctx = std::move(top.without_context);
  st.with_ctx = std::move(top.with_context);
}

// [SECTION] Status for window.fieldkit.status().recommend

nlohmann::json RecommendStatusJson(AppState& app) {
  RecommendPanelState& st = app.recommend;
  const recommend::Dataset* ds = Data(st);
  if (!ds && !app.jobs.Has(kTrainLabel) && !app.jobs.Has(kLoadLabel)) return nullptr;
  nlohmann::json j;
  const bool trained = Trained(st);
  j["state"] = trained ? "trained" : app.jobs.Has(kTrainLabel) ? "training" : ds ? "loaded" : "loading";
  if (!ds) return j;
  const nlohmann::json e = st.exp->StatusJson();
  j["data"] = e["dataset"];
  j["source"] = st.use_own ? "own" : "demo";
  if (st.use_own) j["files"] = {{"interactions", st.own[0]}, {"users", st.own[1]}, {"items", st.own[2]},
                                {"weather", st.own[3]}};
  if (!trained) return j;
  j["metrics"] = e["models"];
  j["train_seconds"] = st.train_s;
  UpdateLists(st);
  auto ids = [&](const std::vector<recommend::Scored>& v) {
    std::vector<std::string> out;
    for (auto& s : v) out.push_back(ds->items[s.item].id);
    return out;
  };
  j["top"] = {{"model", "fm_context"},
              {"user", st.new_user ? "new" : st.user_id},
              {"persona", st.query.persona >= 0 ? ds->personas[size_t(st.query.persona)] : ""},
              {"context", recommend::BandName(Band(st.band))},
              {"without_context", ids(st.without_ctx)},
              {"with_context", ids(st.with_ctx)},
              {"error", st.user_error}};
  return j;
}

// [SECTION] Drawing

// Import control: the user's Personalize CSVs (dropped or picked files are told apart by their headers).
static void DrawImportControl(AppState& app) {
  RecommendPanelState& st = app.recommend;
  if (!ImGui::TreeNodeEx("Your own data (Personalize CSVs)", st.use_own ? ImGuiTreeNodeFlags_DefaultOpen : 0)) return;
  RecordItem(app, "recommend.own");
  if (app.platform.request_import) {
    if (ImGui::Button("Import CSVs...")) app.platform.request_import();
    RecordItem(app, "recommend.import");
    ImGui::SameLine();
  }
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("interactions (USER_ID, ITEM_ID, TIMESTAMP[, EVENT_TYPE, DAILY_TEMPERATURE]), users (USER_ID"
                     "[, PERSONA]), items (ITEM_ID, CATEGORY[, SIZE, NAME]); weather optional");
  ImGui::PopStyleColor();
  static const char* const kLabels[] = {"interactions", "users", "items", "weather (optional)"};
  for (int k = 0; k < 4; k++) {
    ImGui::SetNextItemWidth(380);
    ImGui::InputText(kLabels[k], st.own[k], sizeof st.own[k]);
  }
  const bool busy = app.jobs.Has(kTrainLabel) || app.jobs.Has(kLoadLabel);
  if (busy || !OwnComplete(st)) ImGui::BeginDisabled();
  if (ImGui::Button("Load these files")) UseOwnFiles(app);
  RecordItem(app, "recommend.load_own");
  if (busy || !OwnComplete(st)) ImGui::EndDisabled();
  if (st.use_own) {
    ImGui::SameLine();
    if (busy) ImGui::BeginDisabled();
    if (ImGui::Button("Back to the demo data")) {
      st.use_own = false;
      st.exp.reset();
      st.cache_key.clear();
      std::snprintf(st.user_id, sizeof st.user_id, "170");
      StartRecommendJob(app, false);
    }
    if (busy) ImGui::EndDisabled();
  }
  ImGui::SameLine();
  HelpMarker("Drop the CSVs on the page (or Import): each is recognised by its header and lands in its field; "
             "once interactions, users and items are there they are read instead of the demo data, then Train "
             "trains every model on them. Without weather, each interaction's DAILY_TEMPERATURE (a band name or "
             "degrees C) is its context; interactions with neither have context 'unknown'. "
             "fieldkit-cli recommend eval --data DIR reads the same files from a folder.");
  if (!st.own_message.empty()) ImGui::TextDisabled("%s", st.own_message.c_str());
  ImGui::TreePop();
}

static void DrawDataSection(AppState& app) {
  RecommendPanelState& st = app.recommend;
  SectionHeader("Data");
  DrawImportControl(app);
  if (!Data(st)) {
    if (!st.load_error.empty()) {
      ImGui::TextColored(ImColor(colors::kBad), "%s", st.load_error.c_str());
      if (ImGui::Button("Retry")) StartRecommendJob(app, false);
    } else {
      ImGui::TextDisabled("reading %s ...", DataLabel(app).c_str());
    }
    return;
  }
  const auto& ds = *Data(st);
  const recommend::LoadReport& report = st.exp->data().report;
  ImGui::TextWrapped("%zu items, %zu users (%zu personas), %zu interactions, %zu days of weather  (%s)",
                     ds.items.size(), ds.users.size(), ds.personas.size(), ds.interactions.size(), ds.weather.size(),
                     DataLabel(app).c_str());
  if (report.Skipped() || report.bad_temperature || report.unknown_context) {
    ImGui::TextColored(ImColor(colors::kAccent2), "%s", report.Summary().c_str());
    if (ImGui::IsItemHovered() && !report.messages.empty()) {
      ImGui::BeginTooltip();
      for (auto& m : report.messages) ImGui::TextUnformatted(m.c_str());
      ImGui::EndTooltip();
    }
  }
  static const char* const kBands[] = {"very cold\n<5", "cold\n5-10",  "slightly cold\n10-15", "lukewarm\n15-21",
                                       "hot\n21-28",    "very hot\n>28", "unknown"};
  const int n = st.band_counts[recommend::kNumBands] > 0 ? recommend::kNumBands + 1 : recommend::kNumBands;
  PlotSpec spec;
  spec.title = "Interactions per temperature band (daily average, C)";
  spec.y_label = "interactions";
  spec.y_format = "%.0f";
  Plot p("rec_bands", ImVec2(-1, 170), spec);
  p.SetCategories(kBands, size_t(n));
  p.Bars("interactions", st.band_counts, colors::kAccent);
  p.Draw();
  ImGui::SameLine();
  HelpMarker("Bands of the day's average temperature: each boundary belongs to the warmer band, except 28 C, "
             "which is still hot. The generated data plants the effect: hot days favour cold drinks and big "
             "bottles, cold days hot drinks (fieldkit-cli recommend generate --help).");
}

static void DrawList(AppState& app, const char* id, const char* title, const std::vector<recommend::Scored>& list,
                     const std::vector<recommend::Scored>& other, const recommend::Query& q, bool mark) {
  RecommendPanelState& st = app.recommend;
  const recommend::Ranker& fm = *st.exp->Model(RankerKind::FmContext);
  const recommend::Dataset& ds = *Data(st);
  ImGui::TextUnformatted(title);
  if (!ImGui::BeginTable(id, mark ? 4 : 3,
                         ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit))
    return;
  ImGui::TableSetupColumn("#");
  ImGui::TableSetupColumn("item");
  if (mark) ImGui::TableSetupColumn("change");
  ImGui::TableSetupColumn("why (largest contributions)", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableHeadersRow();
  for (size_t i = 0; i < list.size(); i++) {
    const auto& it = ds.items[list[i].item];
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::Text("%zu", i + 1);
    ImGui::TableNextColumn();
    ImGui::Text("%s  %s", it.id.c_str(), it.name.c_str());
    if (mark) {
      ImGui::TableNextColumn();
      int before = 0;
      for (size_t j = 0; j < other.size(); j++)
        if (other[j].item == list[i].item) before = int(j + 1);
      if (before == 0) ImGui::TextColored(ImColor(colors::kAccent2), "new");
      else if (before > int(i + 1)) ImGui::TextColored(ImColor(colors::kGood), "up %d", before - int(i + 1));
      else if (before < int(i + 1)) ImGui::TextColored(ImColor(colors::kBad), "down %d", int(i + 1) - before);
      else ImGui::TextDisabled("=");
    }
    ImGui::TableNextColumn();
    // The context's whole share first (the sum of its pairs), then the largest single factor.
    std::string why;
    char buf[160];
    if (q.band != Band::Unknown) {
      const std::string prefix = std::string(recommend::BandName(q.band)) + " day x ";
      float ctx = 0;
      for (auto& f : fm.Explain(q, list[i].item, 64))
        if (f.label.compare(0, prefix.size(), prefix) == 0) ctx += f.value;
      std::snprintf(buf, sizeof buf, "%s day %+.2f;  ", recommend::BandName(q.band), ctx);
      why = buf;
    }
    for (auto& f : fm.Explain(q, list[i].item, 1)) {
      std::snprintf(buf, sizeof buf, "%s %+.2f", f.label.c_str(), f.value);
      why += buf;
    }
    ImGui::TextWrapped("%s", why.c_str());  // wraps in its column instead of running past the panel's edge
    if (ImGui::IsItemHovered()) {
      ImGui::BeginTooltip();
      ImGui::Text("%s (%s, %s): score %.3f", it.name.c_str(), it.category.c_str(), it.size.c_str(), list[i].score);
      for (auto& f : fm.Explain(q, list[i].item, 6)) ImGui::Text("%+.3f  %s", f.value, f.label.c_str());
      ImGui::EndTooltip();
    }
  }
  ImGui::EndTable();
}

static void DrawRecommendations(AppState& app) {
  RecommendPanelState& st = app.recommend;
  const recommend::Dataset& ds = *Data(st);
  SectionHeader("Top 5 with and without context (context-aware FM)");
  ImGui::Checkbox("new user", &st.new_user);
  RecordItem(app, "recommend.new_user");
  ImGui::SameLine();
  if (!st.new_user) {
    ImGui::SetNextItemWidth(90);
    ImGui::InputText("user id", st.user_id, sizeof st.user_id);
    RecordItem(app, "recommend.user");
  } else {
    ImGui::SetNextItemWidth(220);
    const char* preview = st.new_persona >= 0 ? ds.personas[size_t(st.new_persona)].c_str() : "(no persona)";
    if (ImGui::BeginCombo("persona", preview)) {
      if (ImGui::Selectable("(no persona)", st.new_persona < 0)) st.new_persona = -1;
      for (size_t p = 0; p < ds.personas.size(); p++)
        if (ImGui::Selectable(ds.personas[p].c_str(), st.new_persona == int(p))) st.new_persona = int(p);
      ImGui::EndCombo();
    }
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(150);
  if (ImGui::BeginCombo("context", recommend::BandName(Band(st.band)))) {
    for (int b = 0; b < recommend::kNumBands; b++)
      if (ImGui::Selectable(recommend::BandName(Band(b)), st.band == b)) st.band = b;
    ImGui::EndCombo();
  }
  RecordItem(app, "recommend.context");
  ImGui::SameLine();
  ImGui::Checkbox("filter purchased", &st.filter_purchased);
  UpdateLists(st);
  if (!st.user_error.empty()) {
    ImGui::TextColored(ImColor(colors::kBad), "%s (tick \"new user\" for a cold start)", st.user_error.c_str());
    return;
  }
  const std::string who = st.new_user ? std::string("new user") : std::string("user ") + st.user_id;
  ImGui::TextDisabled("%s, persona %s", who.c_str(),
                      st.query.persona >= 0 ? ds.personas[size_t(st.query.persona)].c_str() : "unknown");
  // Side by side in an outer table: each list grows to its rows (no fixed-height child to clip them).
  if (!ImGui::BeginTable("rec_lists", 2, ImGuiTableFlags_SizingStretchSame)) return;
  ImGui::TableNextColumn();
  DrawList(app, "rec_without_t", "Without context", st.without_ctx, st.with_ctx, st.query, false);
  ImGui::TableNextColumn();
  recommend::Query qc = st.query;
  qc.band = Band(st.band);
  const std::string title = std::string("With context: ") + recommend::BandName(Band(st.band)) + " day";
  DrawList(app, "rec_with_t", title.c_str(), st.with_ctx, st.without_ctx, qc, true);
  ImGui::EndTable();
}

static void DrawMetrics(AppState& app) {
  RecommendPanelState& st = app.recommend;
  SectionHeader("Offline metrics (Personalize's holdout: newest 10% of 10% of users)");
  const auto& splits = st.exp->data().splits;
  ImGui::TextDisabled("%zu queries (%zu test users); hot-day = hot or very hot, cold-day = cold or very cold",
                      splits.empty() ? 0 : splits[0].queries.size(), splits.empty() ? 0 : splits[0].test_users);
  if (!ImGui::BeginTable("rec_metrics", 11,
                         ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit))
    return;
  for (const char* h : {"model", "coverage", "MRR@25", "NDCG@5", "NDCG@10", "NDCG@25", "P@5", "P@10", "P@25",
                        "NDCG@10 hot", "NDCG@10 cold"})
    ImGui::TableSetupColumn(h);
  ImGui::TableHeadersRow();
  for (auto& r : st.exp->data().results) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(r.name.c_str());
    for (double v : {r.all.coverage, r.all.mrr_at_25, r.all.ndcg_at_5, r.all.ndcg_at_10, r.all.ndcg_at_25,
                     r.all.precision_at_5, r.all.precision_at_10, r.all.precision_at_25}) {
      ImGui::TableNextColumn();
      ImGui::Text("%.4f", v);
    }
    // Hot and cold days are a few queries each: the cell says how many, and a
    // zero says whether it is a real one (no hit among them) or no queries at all.
    for (const recommend::Metrics* m : {&r.hot, &r.cold}) {
      ImGui::TableNextColumn();
      if (m->queries == 0) ImGui::TextDisabled("no queries");
      else if (m->hits_at_10 == 0) ImGui::TextColored(ImColor(colors::kAccent2), "0 (no hit in %zu)", m->queries);
      else ImGui::Text("%.4f (%zu q)", m->ndcg_at_10, m->queries);
    }
  }
  ImGui::EndTable();
  if (!st.exp->data().results.empty()) {
    const recommend::ModelResult& r = st.exp->data().results.back();
    ImGui::TextDisabled("hot days: %zu queries, %zu with a held-out item in %s's top 10; cold days: %zu queries, %zu "
                        "with a hit. A 0 over few queries is a real zero (none of them hit), not missing data.",
                        r.hot.queries, r.hot.hits_at_10, r.name.c_str(), r.cold.queries, r.cold.hits_at_10);
  }
  ImGui::TextDisabled("trained and evaluated in %.2f s on this CPU", st.train_s);
}

void DrawRecommendPanel(AppState& app) {
  RecommendPanelState& st = app.recommend;
  if (st.own_pending && !app.jobs.Has(kLoadLabel) && !app.jobs.Has(kTrainLabel)) UseOwnFiles(app);
  if (!Data(st) && st.load_error.empty() && !app.jobs.Has(kLoadLabel) && !app.jobs.Has(kTrainLabel))
    StartRecommendJob(app, false);
  const bool busy = app.jobs.Has(kTrainLabel);
  if (busy) ImGui::BeginDisabled();
  const bool trained = Trained(st);
  if (ImGui::Button(trained ? "Retrain" : "Train")) StartRecommendJob(app, true);
  RecordItem(app, "recommend.train");
  if (busy) ImGui::EndDisabled();
  ImGui::SameLine();
  HelpMarker("Trains popularity, popularity in context, item-kNN and a factorisation machine (user, persona, item, "
             "category, size) without and with the temperature band, on all but the newest interactions of 10% "
             "of users, then scores those held-out interactions. Runs in slices with a progress bar and Cancel.");
  if (app.platform.request_import) {
    // Your own data at the top, where it is seen: the CSVs land in "Your own data" by their headers.
    ImGui::SameLine();
    if (ImGui::Button("Import your CSVs...")) app.platform.request_import();
    RecordItem(app, "recommend.import_top");
  }
  ImGui::SameLine();
  ImGui::TextDisabled("fieldkit-cli recommend eval runs the same headless");
  DrawDataSection(app);
  if (!trained) {
    ImGui::TextDisabled(busy ? "training..." : "Train to see recommendations and metrics.");
    return;
  }
  DrawRecommendations(app);
  DrawMetrics(app);
}

}  // namespace fk::ui
