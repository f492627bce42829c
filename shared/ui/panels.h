// The panel registry: every workflow panel is one row here (panels as data).
// A panel is a thin view: it draws from AppState and starts jobs; no statics.
#pragma once
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace fk::features {
struct IngestProgress;
}
namespace fk::nn {
struct RealModelsOptions;
}

namespace fk::replay {
enum class Panel;
}

namespace fk::ui {

struct AppState;

// How a panel answers a file the user imported (see ImportFile).
enum class ImportClaim {
  kNone,      // not this panel's kind of file
  kAlways,    // this panel's file whichever panel is open (a .fks model, a picture, a forecast target)
  kWhenOpen,  // this panel's if it is the open one; else the user is told which panels could take it
  kListOnly,  // the panel picks it from the file list itself: when it is open, nothing else happens
  kHint,      // nobody takes it: `hint` says what to do with it
};
// An imported file as the router sees it: the extension and, for a CSV, what
// its first rows look like (forecast::GuessForecastCsv).
struct SniffedFile {
  std::string path;
  std::string ext;  // lower case, without the dot
  int csv_guess = -1;  // forecast::CsvGuess for a CSV, else -1
  std::string why;  // the columns that decided the guess, or why the CSV did not parse
  bool broken = false;  // a CSV whose first rows do not parse (why says where)
  std::string head;     // the first line (at most 4 KB): a CSV's header, a JSON line's keys
  int personalize = 0;  // recommend::PersonalizeFile of a CSV's header (0 = none)
  std::string gt_kind;  // .manifest/.jsonl/.json: labels::ManifestKind of its first line ("" = not Ground Truth)
};
struct FileClaim {
  ImportClaim claim = ImportClaim::kNone;
  std::string what;  // kWhenOpen: what the file may be, for the message when no claimant is open; kHint: the hint
};

// One workflow = one row. Everything App does per panel (sidebar, ?run=,
// status(), the per-frame pump, file routing, shutdown) loops over these rows
// and keys on `id`; a null function means the panel has none.
// A further ?run= value of a row (a panel with more than one runnable action).
struct PanelRun {
  const char* name;
  bool (*run)(AppState&, const std::map<std::string, std::string>& params);
};

struct PanelInfo {
  const char* id;       // stable key: settings "panel", --panel/openPanel (titles work too), code
  const char* title;    // sidebar label and status().panel value, e.g. "System"
  const char* summary;  // one line under the panel title
  void (*draw)(AppState&);
  bool developer;       // listed under "Developer" in the sidebar
  const char* run_name;  // its ?run= value, e.g. "forecast-demo"
  bool (*run)(AppState&, const std::map<std::string, std::string>& params);
  void (*status_json)(AppState&, nlohmann::json& status);  // writes the panel's status() keys
  void (*pump)(AppState&, double budget_ms);  // per-frame work after drawing (live streams)
  FileClaim (*claim)(const SniffedFile&);
  void (*import)(AppState&, const SniffedFile&);
  void (*shutdown)(AppState&);  // before the renderer goes away
  std::vector<PanelRun> more_runs = {};  // further ?run= values (e.g. sparse-real)
};

const std::vector<PanelInfo>& Panels();
// The row's index for an id or a title; -1 if none.
int PanelIndex(const std::string& id_or_title);

void DrawSystemPanel(AppState& app);
void DrawSparsePanel(AppState& app);
void DrawGalleryPanel(AppState& app);
void DrawAnomalyPanel(AppState& app);
void DrawFeaturesPanel(AppState& app);
void DrawRecommendPanel(AppState& app);
void DrawLabelsPanel(AppState& app);
void DrawForecastPanel(AppState& app);
void DrawCheckoutPanel(AppState& app);

// Actions shared by buttons and ?run= parameters.
bool StartSystemBench(AppState& app);
// ?run=sparse-bench&sparsity=0,0.9[&width=&size=&runs=&block=&fp16=&backend=&policy=]
bool RunSparseBenchFromParams(AppState& app, const std::map<std::string, std::string>& params);
void ImportSparseModel(AppState& app, const std::string& path);  // summary or error in the panel
// Real models (panel_sparse_real.cpp): ?run=sparse-real&model=A[,B][&runs=N][&image=PATH].
bool RunSparseRealFromParams(AppState& app, const std::map<std::string, std::string>& params);
bool StartRealModels(AppState& app, const nn::RealModelsOptions& opt);
nlohmann::json SparseRealStatusJson(const AppState& app);
void ImportOwnModel(AppState& app, const std::string& path);  // a dropped .tflite
void DrawRealModelsSection(AppState& app);
void SparseCameraPump(AppState& app, double budget_ms);  // camera frames through the loaded models
void ReleaseRealTextures(AppState& app);
// Train and prune (panel_sparse_train.cpp): ?run=sparse-train[&epochs=&sparsity=&schedule=&prune_epochs=
// &finetune_epochs=&train_size=&eval_limit=&runs=] trains the dense model, then prunes it.
bool RunSparseTrainFromParams(AppState& app, const std::map<std::string, std::string>& params);
nlohmann::json SparseTrainStatusJson(const AppState& app);
void DrawTrainSection(AppState& app);
// ?run=anomaly-demo[&speed=&cameras=&days=&seed=]: opens nothing itself (App::Run
// opens the panel) and starts the live simulator stream.
bool RunAnomalyDemoFromParams(AppState& app, const std::map<std::string, std::string>& params);
bool StartAnomalySimulator(AppState& app);
void StopAnomalyStream(AppState& app);
// A user's CSV/JSONL: scored when its columns hold a configured measure, else
// its columns are offered as measures/dimensions; windowed records (hop_time)
// join the landing files and are scored together.
void ImportAnomalyFile(AppState& app, const std::string& path);
nlohmann::json AnomalyStatusJson(const AppState& app);  // status().anomaly (null before a source started)
// Steps the anomaly pipeline for up to budget_ms (live: paced in event time);
// called once per frame by App::Frame after drawing, like the job runner.
void PumpAnomalyStream(AppState& app, double budget_ms);
// ?run=recommend-demo[&user=170|new][&context=cold][&data=DIR]: trains on the
// bundled data (<data_dir>/recommend) in slices; status().recommend fills in.
bool RunRecommendDemoFromParams(AppState& app, const std::map<std::string, std::string>& params);
nlohmann::json RecommendStatusJson(AppState& app);  // status().recommend (null before any data)
// A user's Personalize CSV (interactions, users, items or weather, told by its
// header): remembered in the panel; once interactions, users and items are all
// there the panel loads them instead of the demo data (Train trains on them).
void ImportRecommendFile(AppState& app, const std::string& path, int personalize_file);
// ?run=labels-demo[&data=DIR][&threshold=T][&test=N]: trains v1 on <data_dir>/logos/v1 and
// pre-labels v2 in one sliced job (then scores v1 on the test split); status().labels.
// Without threshold each model uses its own, from cross-validation on its training images.
bool RunLabelsDemoFromParams(AppState& app, const std::map<std::string, std::string>& params);
nlohmann::json LabelsStatusJson(AppState& app);  // null before anything was loaded
void ImportLabelImage(AppState& app, const std::string& path);  // a user's PNG/JPEG into the review queue
void ReleaseLabelTextures(AppState& app);  // before the renderer goes away
// A dropped Ground Truth manifest: verification applied, object-detection kept for the v1/batch choice.
void ImportLabelManifest(AppState& app, const std::string& path);
void PumpLabels(AppState& app, double budget_ms);  // starts a waiting batch once a model is idle
// ?run=forecast-demo[&data=DIR][&freq=D][&horizon=14][&windows=2][&models=snaive,ets,theta,comb,etsx]:
// loads <data_dir>/forecast (sales, related, items), prepares per product and day and runs the
// backtest as a sliced job; status().forecast then holds the accuracy table.
bool RunForecastDemoFromParams(AppState& app, const std::map<std::string, std::string>& params);
nlohmann::json ForecastStatusJson(AppState& app);
// The Export button: forecasts.csv, or (export_format 1/2) the Hive-partitioned Parquet /
// JSON Lines files of `forecast fit --partitions` under <user dir>/forecast_partitions.
void ExportForecasts(AppState& app);  // status().forecast (null before anything was loaded)
// A user's target CSV (sniffed by ImportFile): opens the panel, loads and prepares it; why = the columns that decided.
void ImportForecastTarget(AppState& app, const std::string& path, const std::string& why);
// ?run=features-demo[&threads=N]: creates the group 'customers' from the bundled
// <data_dir>/features/customers.csv (replacing an earlier one), ingests it, writes
// the offline partitions and builds the point-in-time set for orders.csv, as one job.
bool RunFeaturesDemoFromParams(AppState& app, const std::map<std::string, std::string>& params);
bool LoadFeaturesCsv(AppState& app, const std::string& path);  // header + inferred schema into the editor
// Ingest as a job; pit_entities non-empty: then the training set for that entity CSV.
// resume: continue that interrupted ingest (features::FindInterruptedIngests) instead.
bool StartFeaturesIngest(AppState& app, const std::string& group, const std::string& file,
                         const std::string& pit_entities, const features::IngestProgress* resume = nullptr);
nlohmann::json FeaturesStatusJson(const AppState& app);  // status().features
// Edge Checkout (panel_checkout.cpp): ?run=checkout-demo[&seed=101][&sessions=2][&photos=1]
// [&train=products|logos|labels][&review_below=0.5][&frames=DIR][&camera=1] trains the detector and streams the frames through checkout::Checkout in one sliced
// job; status().checkout = {state, frames, fps, width, height, carts, event_precision, event_recall,
// cart_accuracy, ms_per_frame} (the figures as `fieldkit-cli checkout run --json` prints them; null before a run).
bool RunCheckoutDemoFromParams(AppState& app, const std::map<std::string, std::string>& params);
nlohmann::json CheckoutStatusJson(const AppState& app);
void PumpCheckout(AppState& app, double budget_ms);  // camera frames into a camera run
void ReleaseCheckoutTextures(AppState& app);         // before the renderer goes away
// Seed replay (panel_replay.cpp): the blog post's figures beside ours, per workflow.
// ?run=replay&panel=NAME (labels, anomaly, forecast, recommend, sparse, features): *panel_id
// is the row to open; status().replay = {panel, state, rows:[{figure, seed, ours, note}], ...}.
bool RunReplayFromParams(AppState& app, const std::map<std::string, std::string>& params, std::string* panel_id);
bool StartReplay(AppState& app, replay::Panel panel);  // opens the window and queues the job
nlohmann::json ReplayStatusJson(const AppState& app);  // null before any replay
void DrawReplayButton(AppState& app, const char* panel_id);  // "Seed replay" beside a panel's title (if it has one)
void DrawReplayWindow(AppState& app);
// Registers a user file (page: dropped/picked into /imports; desktop: a path)
// and hands it to the panel that understands its type. False (and an error
// the user sees) if it cannot be read.
bool ImportFile(AppState& app, const std::string& path);
// Writes text to <user dir>/name and offers it as a download (the page: a
// browser download; natively the file stays there). False, with an error
// the user sees, if it cannot be written. *path_out = the file written.
bool SaveUserFile(AppState& app, const std::string& name, const std::string& text, std::string* path_out = nullptr);
// Files section: imported files, Import button, export of the settings file.
void DrawFilesSection(AppState& app);

}  // namespace fk::ui
