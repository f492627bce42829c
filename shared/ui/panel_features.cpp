// Feature Store panel: a thin view over features::FeatureStore. Create a group
// from a CSV (schema inferred over every row, editable before Create), ingest
// it as a job with one progress bar per worker and the rejected rows with
// reasons, list/describe groups, browse/get/delete records, and build a
// point-in-time training set from an entity CSV and download it. Long work
// (ingest, offline checkpoint, the join) runs as app.jobs slices. Every write
// is flushed to storage (IDBFS under /user in the page: app.Persist), and an
// ingest says "done" only once that flush succeeded; an ingest cut off by a
// reload or a crash is listed on open with Resume (features/ingest.h).
// [SECTION] Store and actions (also used by ?run=features-demo)
// [SECTION] Create
// [SECTION] Ingest
// [SECTION] Groups and records
// [SECTION] Training set
// [SECTION] Panel and status
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "features/pit.h"
#include "features/schema.h"
#include "imgui.h"
#include "ui/app_state.h"
#include "ui/panels.h"
#include "ui/widgets.h"

namespace fk::ui {

namespace ff = fk::features;

// [SECTION] Store and actions (also used by ?run=features-demo)

static const char* kIngestJob = "Feature Store: ingest";
static const char* kPitJob = "Feature Store: training set";
static const char* kTypeNames[] = {"Integral", "Fractional", "String"};

static std::string DemoCustomers(const AppState& app) { return app.platform.data_dir + "/features/customers.csv"; }
static std::string DemoOrders(const AppState& app) { return app.platform.data_dir + "/features/orders.csv"; }

static void Persist(AppState& app) { app.Persist(); }

// The store's interrupted ingests, again (after an ingest ends or a group goes).
static void RefreshInterrupted(AppState& app) {
  FeaturesPanelState& st = app.features;
  if (!st.store) return;
  std::vector<std::string> notes;
  st.interrupted = ff::FindInterruptedIngests(*st.store, &notes);
  for (auto& n : notes) app.Log("feature store: " + n);
}

static ff::FeatureStore* EnsureStore(AppState& app) {
  FeaturesPanelState& st = app.features;
  if (st.store || st.open_tried) return st.store.get();
  st.open_tried = true;
  st.store_dir = app.platform.user_dir + "/features";
  auto s = ff::OpenStoreDir(st.store_dir);
  if (!s) {
    st.open_error = s.status().message();
    app.Error("feature store: " + st.open_error);
    return nullptr;
  }
  st.store = std::move(s->store);
  st.interrupted = std::move(s->interrupted);
  for (auto& n : s->notes) app.Log("feature store: " + n);
  for (auto& p : st.interrupted) app.Log("feature store: " + p.Describe());
  const auto groups = st.store->ListGroups();
  if (!groups.empty() && st.selected.empty()) st.selected = groups.front().name;
  return st.store.get();
}

static std::string Basename(const std::string& p) {
  const size_t s = p.find_last_of('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

static bool Infer(AppState& app, const std::string& record_id, const std::string& event_time) {
  FeaturesPanelState& st = app.features;
  ff::InferOptions o;
  o.name = st.group_name;
  o.record_id = record_id;
  o.event_time = event_time;
  auto r = ff::InferSchemaFromCsv(st.csv_path, o);
  st.schema_ready = false;
  if (!r) {
    app.Error("schema: " + r.status().message());
    return false;
  }
  st.defs.clear();
  for (auto& f : r->group.features) st.defs.push_back({f.name, int(f.type)});
  st.record_id = r->group.RecordIdIndex();
  st.event_time = r->group.EventTimeIndex();
  st.notes = r->notes;
  st.rows_scanned = r->rows_scanned;
  st.schema_ready = true;
  return true;
}

// The header, and inference at once with guessed roles (features::GuessRoles);
// the user changes either in the table and inference runs again.
bool LoadFeaturesCsv(AppState& app, const std::string& path) {
  FeaturesPanelState& st = app.features;
  auto cols = ff::ReadCsvHeader(path);
  if (!cols) {
    app.Error(cols.status().message());
    return false;
  }
  st.csv_path = path;
  st.header = *cols;
  const ff::RoleGuess g = ff::GuessRoles(*cols);
  return Infer(app, g.record_id, g.event_time);
}

static bool CreateGroupFromEdit(AppState& app) {
  FeaturesPanelState& st = app.features;
  ff::FeatureStore* store = EnsureStore(app);
  if (!store || !st.schema_ready) return false;
  ff::FeatureGroup g;
  g.name = st.group_name;
  g.description = st.description;
  g.ttl_seconds = double(st.ttl_days) * 86400.0;
  for (auto& d : st.defs) g.features.push_back({d.name, ff::FeatureType(d.type)});
  if (st.record_id >= 0 && size_t(st.record_id) < st.defs.size()) g.record_id = st.defs[size_t(st.record_id)].name;
  if (st.event_time >= 0 && size_t(st.event_time) < st.defs.size())
    g.event_time = st.defs[size_t(st.event_time)].name;
  Status s = store->CreateGroup(g);
  if (!s) {
    app.Error("create group: " + s.message());
    return false;
  }
  Persist(app);
  st.selected = g.name;
  st.ids_stale = true;
  app.Log("feature group '" + g.name + "' created with " + std::to_string(g.features.size()) + " features");
  return true;
}

// The panel's training-set choices: the set goes to /exports in the page (a
// download), to the user dir on the desktop.
static ff::TrainingSetOptions TrainingSetFromPanel(AppState& app, const std::string& group,
                                                   const std::string& entities) {
  FeaturesPanelState& st = app.features;
  ff::TrainingSetOptions o;
  o.groups = {group};
  o.entities = entities;
  o.id_col = st.id_col;
  o.time_col = st.time_col;
  const std::string dir = app.platform.target == "wasm" ? std::string("/exports") : app.platform.user_dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  o.out = dir + "/training_set_" + group + ".csv";
  return o;
}

static void ShowTrainingSet(FeaturesPanelState& st, const ff::TrainingSet& t) {
  st.pit_path = t.path;
  st.pit_rows = t.rows;
  st.pit_preview = t.preview;
}

// The marker is flushed to storage before the first row and about every
// second after (less often when a flush takes long: IDBFS stores a whole
// changed file each time), so a reload at any point leaves word of it.
struct IngestFlush {
  uint64_t marker_ticket = 0;  // the first marker's flush
  double last = 0, interval_ms = 1000;
};

// One slice of the ingest job: the session's next unit, with the page's
// flushes around it. True when the job is over.
static bool IngestSlice(AppState& app, const std::shared_ptr<IngestFlush>& fl, JobContext& ctx) {
  IngestFlush& flush = *fl;
  FeaturesPanelState& s = app.features;
  ff::IngestSession& ses = *s.session;
  if (ses.stage() == ff::IngestStage::Ingest) {
    if (!app.persist.Saved(flush.marker_ticket) && app.persist.Report().failures == 0) {
      ctx.SetDetail("saving the ingest's progress marker");
      return false;  // until the marker is stored (a failing store is said in the page; go on then)
    }
    if (NowMs() - flush.last >= flush.interval_ms && !app.persist.Report().in_flight) {
      const double asked = NowMs();
      flush.last = asked;
      app.Persist([fl, asked] { fl->interval_ms = std::max(1000.0, 4 * (NowMs() - asked)); });
    }
  }
  const ff::IngestStage before = ses.stage();
  const bool over = ses.Step(8.0);  // threads natively: just looks; page: one worker's slice
  if (before == ff::IngestStage::Open && ses.stage() == ff::IngestStage::Ingest) {
    flush.marker_ticket = app.Persist();
    flush.last = NowMs();
  }
  if (ses.stage() == ff::IngestStage::Ingest || ses.stage() == ff::IngestStage::Checkpoint ||
      ses.stage() == ff::IngestStage::TrainingSet)
    ctx.SetProgress(ses.Progress());
  ctx.SetDetail(ses.Detail());
  if (ses.stage() == ff::IngestStage::Checkpoint) s.state = "checkpoint";
  if (ses.stage() == ff::IngestStage::TrainingSet) {
    s.state = "training-set";
    s.pit_state = "running";
  }
  if (ses.failed()) {
    if (ses.stage() == ff::IngestStage::TrainingSet) s.pit_state = "failed";
    ctx.Fail(ses.error());
    return true;
  }
  if (ses.done() && ses.training_set()) {
    s.pit_state = "done";
    ShowTrainingSet(s, *ses.training_set());
  }
  return over;
}

// Ingest, then write the offline partitions (checkpoint), then, for the demo,
// the training set: one job stepping a features::IngestSession. With
// `resume`, the ingest continues an interrupted one from its progress marker.
bool StartFeaturesIngest(AppState& app, const std::string& group, const std::string& file,
                         const std::string& pit_entities, const ff::IngestProgress* resume) {
  FeaturesPanelState& st = app.features;
  if (!EnsureStore(app)) return false;
  if (app.jobs.Has(kIngestJob)) {
    app.Error("an ingest is already running");
    return false;
  }
  ff::IngestSessionOptions o;
  o.group = group;
  o.file = file;
  o.ingest.threads = app.platform.threads_enabled ? std::max(1, st.threads) : 1;
  o.ingest.track_progress = true;
  if (resume) o.resume = *resume;
  o.checkpoint = app.platform.threads_enabled ? ff::CheckpointMode::Thread : ff::CheckpointMode::Slices;
  if (!pit_entities.empty()) o.training_set = TrainingSetFromPanel(app, group, pit_entities);
  st.ingest_group = group;
  st.ingest_file = file;
  st.state = "ingesting";
  const uint64_t run = ++st.run;
  st.session = std::make_unique<ff::IngestSession>(*st.store, std::move(o));
  st.interrupted.erase(std::remove_if(st.interrupted.begin(), st.interrupted.end(),
                                      [&](const ff::IngestProgress& p) { return p.group == group; }),
                       st.interrupted.end());
  // Shared: a periodic flush's callback may answer after the job ended.
  auto flush = std::make_shared<IngestFlush>();
  app.jobs.Enqueue(MakeJob(
      kIngestJob, [&app, flush](JobContext& ctx) { return IngestSlice(app, flush, ctx); },
      [&app, run](JobState js) {
        FeaturesPanelState& s = app.features;
        s.session->Cancel();  // cancelled mid-ingest: what was acknowledged stays, and the marker says where
        if (js == JobState::Failed) app.Error("feature store: " + app.jobs.Error());
        s.ids_stale = true;
        RefreshInterrupted(app);
        // The page's store lives in IDBFS: the outcome is shown once it is stored.
        const std::string outcome = js == JobState::Done ? "done" : js == JobState::Cancelled ? "cancelled" : "failed";
        s.state = "saving";
        app.Persist([&app, run, outcome] {
          FeaturesPanelState& f = app.features;
          if (f.run != run) return;  // a newer ingest owns the state
          f.state = outcome;
          app.Log("feature store: " + f.session->result().summary +
                  (outcome == "done" ? ", saved" : " (" + outcome + ")"));
        });
      }));
  return true;
}

static bool StartTrainingSet(AppState& app, const std::string& group, const std::string& entities) {
  FeaturesPanelState& st = app.features;
  if (!EnsureStore(app) || app.jobs.Has(kPitJob)) return false;
  st.pit_state = "running";
  auto pit = std::make_shared<ff::TrainingSetSession>(*st.store, TrainingSetFromPanel(app, group, entities));
  app.jobs.Enqueue(MakeJob(
      kPitJob,
      [pit](JobContext& ctx) {
        ctx.SetDetail(pit->Detail());
        pit->RunToEnd();
        if (pit->failed()) ctx.Fail(pit->error());
        return true;
      },
      [&app, pit](JobState js) {
        FeaturesPanelState& s = app.features;
        s.pit_state = js == JobState::Done ? "done" : "failed";
        if (js == JobState::Failed) app.Error("training set: " + app.jobs.Error());
        if (js != JobState::Done) return;
        ShowTrainingSet(s, *pit->result());
        Persist(app);  // the join checkpoints the log (the set itself is a download)
        app.Log("training set: " + std::to_string(s.pit_rows) + " rows in " + s.pit_path);
        if (app.platform.offer_download) app.platform.offer_download(s.pit_path);
      }));
  return true;
}

bool RunFeaturesDemoFromParams(AppState& app, const std::map<std::string, std::string>& params) {
  FeaturesPanelState& st = app.features;
  ff::FeatureStore* store = EnsureStore(app);
  if (!store) return false;
  if (!LoadFeaturesCsv(app, DemoCustomers(app))) return false;
  std::snprintf(st.group_name, sizeof st.group_name, "customers");
  // A second run starts from a fresh group (online data gone, offline files kept).
  if (store->DescribeGroup(st.group_name)) {
    Status s = store->DeleteGroup(st.group_name);
    if (!s) {
      app.Error("demo: " + s.message());
      return false;
    }
    RefreshInterrupted(app);  // an interrupted ingest into the old group goes with it
  }
  if (!Infer(app, "customer_id", "event_time") || !CreateGroupFromEdit(app)) return false;
  auto it = params.find("threads");
  if (it != params.end()) st.threads = std::max(1, std::atoi(it->second.c_str()));
  std::snprintf(st.id_col, sizeof st.id_col, "customer_id");
  std::snprintf(st.time_col, sizeof st.time_col, "order_time");
  return StartFeaturesIngest(app, st.group_name, DemoCustomers(app), DemoOrders(app));
}

// [SECTION] Create

static bool FilePicker(AppState& app, const char* id, int* source, int* file_idx, const char* demo_label) {
  ImGui::PushID(id);
  ImGui::RadioButton(demo_label, source, 0);
  ImGui::SameLine();
  ImGui::RadioButton("Imported file", source, 1);
  bool ok = true;
  if (*source == 1) {
    ImGui::SameLine();
    if (app.imports.empty()) {
      ImGui::TextDisabled("(import a CSV in the Files section below)");
      ok = false;
    } else {
      *file_idx = std::clamp(*file_idx, 0, int(app.imports.size()) - 1);
      ImGui::SetNextItemWidth(280);
      if (ImGui::BeginCombo("##file", Basename(app.imports[size_t(*file_idx)].path).c_str())) {
        for (size_t i = 0; i < app.imports.size(); i++)
          if (ImGui::Selectable(Basename(app.imports[i].path).c_str(), int(i) == *file_idx)) *file_idx = int(i);
        ImGui::EndCombo();
      }
    }
  }
  ImGui::PopID();
  return ok;
}

static void DrawCreate(AppState& app) {
  FeaturesPanelState& st = app.features;
  // Open while the store has no group; afterwards the groups and records matter more.
  ImGui::SetNextItemOpen(st.store->ListGroups().empty(), ImGuiCond_Once);
  if (!ImGui::CollapsingHeader("Create a feature group from a CSV")) return;
  const bool have = FilePicker(app, "create", &st.source, &st.file_idx, "Demo customers.csv");
  ImGui::SameLine();
  ImGui::BeginDisabled(!have);
  if (ImGui::Button("Infer schema")) {
    const std::string path = st.source == 0 ? DemoCustomers(app) : app.imports[size_t(st.file_idx)].path;
    if (st.source == 1) {
      std::string n = Basename(path);
      n = n.substr(0, n.find('.'));
      std::snprintf(st.group_name, sizeof st.group_name, "%s", n.c_str());
    }
    LoadFeaturesCsv(app, path);
  }
  RecordItem(app, "features.infer");
  ImGui::EndDisabled();
  HelpMarker("Every row is scanned: a column is Integral only if every value is, Fractional if every value is a "
             "number, else String. Malformed rows are skipped here and rejected by ingest.");
  if (!st.schema_ready) return;
  ImGui::TextDisabled("%s: %llu rows scanned", Basename(st.csv_path).c_str(),
                      static_cast<unsigned long long>(st.rows_scanned));
  ImGui::SetNextItemWidth(200);
  ImGui::InputText("Group name", st.group_name, sizeof st.group_name);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(120);
  ImGui::InputFloat("TTL (days, 0 = none)", &st.ttl_days, 0, 0, "%.1f");
  ImGui::SetNextItemWidth(520);
  ImGui::InputText("Description", st.description, sizeof st.description);
  int new_id = st.record_id, new_et = st.event_time;
  if (ImGui::BeginTable("schema", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit)) {
    ImGui::TableSetupColumn("Feature", ImGuiTableColumnFlags_WidthFixed, 220);
    ImGui::TableSetupColumn("Type", ImGuiTableColumnFlags_WidthFixed, 140);
    ImGui::TableSetupColumn("Record id", ImGuiTableColumnFlags_WidthFixed, 80);
    ImGui::TableSetupColumn("Event time", ImGuiTableColumnFlags_WidthFixed, 80);
    ImGui::TableHeadersRow();
    for (size_t i = 0; i < st.defs.size(); i++) {
      ImGui::PushID(int(i));
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(st.defs[i].name.c_str());
      ImGui::TableNextColumn();
      ImGui::SetNextItemWidth(-1);
      ImGui::Combo("##type", &st.defs[i].type, kTypeNames, 3);
      ImGui::TableNextColumn();
      ImGui::RadioButton("##id", &new_id, int(i));
      ImGui::TableNextColumn();
      ImGui::RadioButton("##et", &new_et, int(i));
      ImGui::PopID();
    }
    ImGui::EndTable();
  }
  if (new_id != st.record_id || new_et != st.event_time) {
    // A new role changes what inference checks (event time format, id type): run it again.
    Infer(app, st.defs[size_t(new_id)].name, st.defs[size_t(new_et)].name);
  }
  for (auto& n : st.notes) ImGui::TextDisabled("note: %s", n.c_str());
  if (ImGui::Button("Create group")) CreateGroupFromEdit(app);
  RecordItem(app, "features.create");
  ImGui::SameLine();
  ImGui::BeginDisabled(app.jobs.Has(kIngestJob) || !st.store || !st.store->DescribeGroup(st.group_name));
  if (ImGui::Button("Ingest this CSV")) StartFeaturesIngest(app, st.group_name, st.csv_path, "");
  RecordItem(app, "features.ingest");
  ImGui::EndDisabled();
  if (app.platform.threads_enabled) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(100);
    ImGui::SliderInt("workers", &st.threads, 1, std::max(1, app.platform.hardware_threads));
  }
}

// [SECTION] Ingest

// Ingests that stopped before the end: where, and Resume (or Discard).
static void DrawInterrupted(AppState& app) {
  FeaturesPanelState& st = app.features;
  if (st.interrupted.empty()) return;
  SectionHeader("Interrupted ingests");
  const bool busy = app.jobs.Has(kIngestJob);
  for (size_t i = 0; i < st.interrupted.size(); i++) {
    const ff::IngestProgress p = st.interrupted[i];  // a copy: the buttons below change the list
    ImGui::PushID(int(i));
    ImGui::PushStyleColor(ImGuiCol_Text, colors::kAccent2);
    ImGui::TextWrapped("The %s (%llu ingested, %llu rejected so far).", p.Describe().c_str(),
                       static_cast<unsigned long long>(p.Ingested()), static_cast<unsigned long long>(p.Rejected()));
    ImGui::PopStyleColor();
    std::error_code ec;
    const bool have_file = std::filesystem::exists(p.file, ec);
    ImGui::BeginDisabled(busy || !have_file);
    if (ImGui::Button("Resume")) StartFeaturesIngest(app, p.group, p.file, "", &p);
    ImGui::EndDisabled();
    if (i == 0) RecordItem(app, "features.resume");
    ImGui::SameLine();
    ImGui::BeginDisabled(busy);
    if (ImGui::Button("Discard")) {
      Status s = ff::DiscardIngestProgress(*st.store, p.group);
      if (!s) app.Error(s.message());
      else app.Log("feature store: gave up resuming the " + p.Describe());
      RefreshInterrupted(app);
      Persist(app);
    }
    ImGui::EndDisabled();
    if (i == 0) RecordItem(app, "features.discard");
    ImGui::SameLine();
    if (!have_file)
      ImGui::TextDisabled("%s is not here any more: import the same file again to resume", p.file.c_str());
    else
      ImGui::TextDisabled("continues after the last stored row: none twice, none lost");
    ImGui::PopID();
  }
}

static void DrawIngest(AppState& app) {
  FeaturesPanelState& st = app.features;
  if (st.state == "idle" || !st.session) return;
  const ff::IngestResult& r = st.session->result();
  SectionHeader("Ingest");
  const char* state = st.state == "saving"
                          ? (app.platform.target == "wasm" ? "saving to the browser's storage (IndexedDB)..." : "saving...")
                          : st.state.c_str();
  ImGui::Text("%s -> group '%s': %s", Basename(st.ingest_file).c_str(), st.ingest_group.c_str(), state);
  for (size_t i = 0; i < r.workers.size(); i++) {
    const auto& w = r.workers[i];
    const float p = w.rows_total ? float(double(w.rows_done) / double(w.rows_total)) : 1.f;
    char label[96];
    std::snprintf(label, sizeof label, "worker %zu: %llu / %llu rows", i + 1,
                  static_cast<unsigned long long>(w.rows_done), static_cast<unsigned long long>(w.rows_total));
    ImGui::ProgressBar(p, ImVec2(420, 0), label);
  }
  if (!r.summary.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, r.rejected ? colors::kAccent2 : colors::kGood);
    ImGui::Text("%s in %.2f s", r.summary.c_str(), r.ingest_seconds);
    ImGui::PopStyleColor();
  }
  if (!r.rejects.empty() && ImGui::BeginTable("rejects", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                                                               ImGuiTableFlags_SizingStretchProp,
                                               ImVec2(0, std::min(6.f, float(r.rejects.size()) + 1.5f) *
                                                             ImGui::GetTextLineHeightWithSpacing()))) {
    ImGui::TableSetupColumn("Line", ImGuiTableColumnFlags_WidthFixed, 60);
    ImGui::TableSetupColumn("Why the row was rejected");
    ImGui::TableHeadersRow();
    for (auto& x : r.rejects) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("%llu", static_cast<unsigned long long>(x.line));
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(x.reason.c_str());
    }
    ImGui::EndTable();
  }
}

// [SECTION] Groups and records

static void DrawGroups(AppState& app) {
  FeaturesPanelState& st = app.features;
  SectionHeader("Feature groups");
  const auto groups = st.store->ListGroups();
  if (groups.empty()) {
    ImGui::TextDisabled("No groups yet: create one above.");
    return;
  }
  if (ImGui::BeginTable("groups", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("Group");
    ImGui::TableSetupColumn("Created");
    ImGui::TableSetupColumn("Online records");
    ImGui::TableHeadersRow();
    for (auto& g : groups) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      if (ImGui::Selectable(g.name.c_str(), g.name == st.selected, ImGuiSelectableFlags_SpanAllColumns)) {
        st.selected = g.name;
        st.ids_stale = true;
      }
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(ff::FormatIso8601(g.created).c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%llu", static_cast<unsigned long long>(g.online_records));
    }
    ImGui::EndTable();
  }
  auto def = st.store->DescribeGroup(st.selected);
  if (!def) return;
  if (ImGui::TreeNode("describe", "Describe '%s'", def->name.c_str())) {
    ImGui::TextWrapped("%s", def->description.empty() ? "(no description)" : def->description.c_str());
    ImGui::Text("record id: %s   event time: %s   TTL: %s", def->record_id.c_str(), def->event_time.c_str(),
                def->ttl_seconds > 0 ? (std::to_string(int(def->ttl_seconds / 3600)) + " h").c_str() : "none");
    ImGui::Text("offline store: %s/offline/%s (%s, year=/month=/day=/hour=)", st.store_dir.c_str(), def->name.c_str(),
                def->offline_format == ff::OfflineFormat::Csv ? "CSV" : "Parquet");
    for (auto& f : def->features) ImGui::BulletText("%s  %s", f.name.c_str(), ff::FeatureTypeName(f.type));
    ImGui::TreePop();
  }
  if (ImGui::Button("Delete group")) {
    Status s = st.store->DeleteGroup(def->name);
    if (!s) app.Error(s.message());
    else {
      app.Log("group '" + def->name + "' deleted (offline files kept)");
      st.selected.clear();
      st.ids_stale = true;
      RefreshInterrupted(app);
      Persist(app);
    }
  }
  HelpMarker("Online records go; the offline files stay, as in SageMaker.");
}

static void DrawRecords(AppState& app) {
  FeaturesPanelState& st = app.features;
  auto def = st.store->DescribeGroup(st.selected);
  if (!def) return;
  SectionHeader("Records");
  if (st.ids_stale && !app.jobs.Has(kIngestJob)) {
    st.ids = st.store->RecordIds(st.selected);
    st.ids_stale = false;
  }
  // A few columns so the list reads as records; Get on the full record below.
  std::vector<std::string> cols;
  for (auto& f : def->features)
    if (cols.size() < 5) cols.push_back(f.name);
  ImGui::Text("%zu live records in '%s'", st.ids.size(), st.selected.c_str());
  if (ImGui::BeginTable("records", int(cols.size()), ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                                                          ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchProp,
                        ImVec2(0, 10 * ImGui::GetTextLineHeightWithSpacing()))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    for (auto& c : cols) ImGui::TableSetupColumn(c.c_str());
    ImGui::TableHeadersRow();
    ImGuiListClipper clip;
    clip.Begin(int(st.ids.size()));
    while (clip.Step()) {
      for (int i = clip.DisplayStart; i < clip.DisplayEnd; i++) {
        auto r = st.store->Get(st.selected, st.ids[size_t(i)], cols);
        ImGui::TableNextRow();
        for (size_t k = 0; k < cols.size(); k++) {
          ImGui::TableNextColumn();
          if (!r) {
            if (k == 0) ImGui::TextDisabled("%s (gone)", st.ids[size_t(i)].c_str());
            continue;
          }
          const ff::FeatureValue* v = r->Find(cols[k]);
          if (k == 0) {
            if (ImGui::Selectable(v ? v->text.c_str() : "?", false, ImGuiSelectableFlags_SpanAllColumns))
              std::snprintf(st.get_id, sizeof st.get_id, "%s", st.ids[size_t(i)].c_str());
          } else {
            ImGui::TextUnformatted(!v || v->is_null ? "null" : v->text.c_str());
          }
        }
      }
    }
    ImGui::EndTable();
  }
  ImGui::SetNextItemWidth(200);
  const bool enter = ImGui::InputTextWithHint("##get", "record id", st.get_id, sizeof st.get_id,
                                              ImGuiInputTextFlags_EnterReturnsTrue);
  RecordItem(app, "features.get_id");
  ImGui::SameLine();
  if (ImGui::Button("Get") || enter) {
    auto r = st.store->Get(st.selected, st.get_id);
    st.get_result.clear();
    if (!r) st.get_result = r.status().message();
    else {
      st.get_result = "event time " + ff::FormatIso8601(r->event_time) + "\n";
      for (auto& v : r->values) st.get_result += v.name + " = " + (v.is_null ? "null" : v.text) + "\n";
    }
  }
  RecordItem(app, "features.get");
  ImGui::SameLine();
  ImGui::Checkbox("hard", &st.hard_delete);
  HelpMarker("Soft: the record stays as a tombstone with null features. Hard: it is removed. Both append an "
             "is_deleted marker to the offline store. The delete's event time is now.");
  ImGui::SameLine();
  if (ImGui::Button("Delete record") && st.get_id[0]) {
    Status s = st.store->Delete(st.selected, st.get_id, st.store->Now(),
                                st.hard_delete ? ff::DeleteMode::Hard : ff::DeleteMode::Soft);
    st.delete_result = s ? std::string(st.hard_delete ? "hard" : "soft") + "-deleted '" + st.get_id + "'" : s.message();
    st.ids_stale = true;
    if (s) Persist(app);
  }
  RecordItem(app, "features.delete");
  if (!st.delete_result.empty()) ImGui::TextDisabled("%s", st.delete_result.c_str());
  if (!st.get_result.empty()) ImGui::TextUnformatted(st.get_result.c_str());
}

// [SECTION] Training set

static void DrawTrainingSet(AppState& app) {
  FeaturesPanelState& st = app.features;
  if (!st.store->DescribeGroup(st.selected)) return;
  SectionHeader("Point-in-time training set");
  ImGui::TextDisabled("For each entity row (id, timestamp): the features of '%s' as of that moment, never later.",
                      st.selected.c_str());
  const bool have = FilePicker(app, "pit", &st.entity_source, &st.entity_file_idx, "Demo orders.csv");
  ImGui::SetNextItemWidth(160);
  ImGui::InputText("id column", st.id_col, sizeof st.id_col);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(160);
  ImGui::InputText("time column", st.time_col, sizeof st.time_col);
  ImGui::SameLine();
  ImGui::BeginDisabled(!have || app.jobs.Has(kPitJob));
  if (ImGui::Button("Build and download")) {
    StartTrainingSet(app, st.selected,
                     st.entity_source == 0 ? DemoOrders(app) : app.imports[size_t(st.entity_file_idx)].path);
  }
  RecordItem(app, "features.pit");
  ImGui::EndDisabled();
  if (st.pit_state == "done") {
    ImGui::Text("%llu rows -> %s", static_cast<unsigned long long>(st.pit_rows), st.pit_path.c_str());
    ImGui::SameLine();
    if (app.platform.offer_download && ImGui::SmallButton("Download again")) app.platform.offer_download(st.pit_path);
    for (auto& l : st.pit_preview) ImGui::TextDisabled("%s", l.c_str());
  }
}

// [SECTION] Panel and status

void DrawFeaturesPanel(AppState& app) {
  FeaturesPanelState& st = app.features;
  if (!EnsureStore(app)) {
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(colors::kBad), "The store at %s could not be opened: %s",
                       st.store_dir.c_str(), st.open_error.c_str());
    return;
  }
  ImGui::TextDisabled("Store: %s (%s)", st.store_dir.c_str(),
                      app.platform.target == "wasm" ? "IndexedDB, kept across reloads" : "a folder on disk");
  DrawCreate(app);
  DrawInterrupted(app);
  DrawIngest(app);
  DrawGroups(app);
  DrawRecords(app);
  DrawTrainingSet(app);
  ImGui::Spacing();
  DrawFilesSection(app);
}

nlohmann::json FeaturesStatusJson(const AppState& app) {
  const FeaturesPanelState& st = app.features;
  nlohmann::json j;
  j["state"] = st.state;
  j["store"] = st.store_dir;
  if (!st.open_error.empty()) j["open_error"] = st.open_error;
  nlohmann::json groups = nlohmann::json::array();
  uint64_t records = 0;
  if (st.store)
    for (auto& g : st.store->ListGroups()) {
      nlohmann::json jg = {{"name", g.name}, {"records", g.online_records}, {"created", ff::FormatIso8601(g.created)}};
      // What an outside reader of the offline files should find: the columns and their types.
      if (auto def = st.store->DescribeGroup(g.name)) {
        nlohmann::json feats = nlohmann::json::array();
        for (auto& f : def->features) feats.push_back({{"name", f.name}, {"type", ff::FeatureTypeName(f.type)}});
        jg["features"] = feats;
        jg["event_time"] = def->event_time;
        jg["record_id"] = def->record_id;
        jg["offline_format"] = ff::OfflineFormatName(def->offline_format);
      }
      groups.push_back(jg);
      records += g.online_records;
    }
  j["groups"] = groups;
  j["records"] = records;
  // The last ingest's counters and rejects (zeros before any), as the session has them.
  const nlohmann::json ses = ff::IngestResultJson(st.session ? st.session->result() : ff::IngestResult{});
  j["ingested"] = ses["ingested"];
  j["failed"] = ses["rejected"];
  j["total"] = ses["total"];
  j["summary"] = ses["summary"];
  j["workers"] = ses["workers"];
  j["rejects"] = ses["rejects"];
  j["pit"] = {{"state", st.pit_state}, {"rows", st.pit_rows}, {"path", st.pit_path}};
  nlohmann::json interrupted = nlohmann::json::array();
  for (auto& p : st.interrupted)
    interrupted.push_back({{"group", p.group}, {"file", p.file}, {"state", p.state}, {"rows_done", p.RowsDone()},
                           {"total", p.total_rows}, {"ingested", p.Ingested()}, {"rejected", p.Rejected()},
                           {"message", p.Describe()}});
  j["interrupted"] = interrupted;
  return j;
}

}  // namespace fk::ui
