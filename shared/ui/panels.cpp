#include "ui/panels.h"

#include <nlohmann/json.hpp>

#include "forecast/dataset.h"
#include "core/file.h"
#include "nn/net_file.h"
#include "nn/sparse_bench.h"
#include "ui/app_state.h"

namespace fk::ui {

namespace {
using Params = std::map<std::string, std::string>;
using forecast::CsvGuess;

bool IsCsv(const SniffedFile& f) { return f.ext == "csv"; }
bool IsImage(const SniffedFile& f) { return f.ext == "png" || f.ext == "jpg" || f.ext == "jpeg"; }

// [SECTION] Sparse Inference
void SparseStatus(AppState& app, nlohmann::json& j) {
  // A finished bench sets results and results_label together (an empty label: none yet).
  j["sparse_bench"] = app.sparse.results_label.empty() ? nlohmann::json() : nn::BenchResultsJson(app.sparse.results);
  if (!app.sparse.sizes.empty()) j["sparse_sizes"] = nn::SizeTableJson(app.sparse.sizes)["sizes"];
  j["sparse_real"] = SparseRealStatusJson(app);
  j["sparse_train"] = SparseTrainStatusJson(app);
}
FileClaim SparseClaim(const SniffedFile& f) {
  return {f.ext == "fks" || f.ext == "tflite" ? ImportClaim::kAlways : ImportClaim::kNone, ""};
}
void SparseImport(AppState& app, const SniffedFile& f) {
  if (f.ext == "tflite") return ImportOwnModel(app, f.path);
  // A .fks v2 holds an imported network (sparse import); v1 a pruned MobileNetV2.
  auto bytes = fk::ReadFileBytes(f.path);
  if (bytes && nn::FksFileVersion(bytes->data(), bytes->size()) == 2) return ImportOwnModel(app, f.path);
  ImportSparseModel(app, f.path);
}
void SparseShutdown(AppState& app) { ReleaseRealTextures(app); }

// [SECTION] Anomalies
void AnomalyStatus(AppState& app, nlohmann::json& j) {
  j["anomaly"] = AnomalyStatusJson(app);
}
// Event files (CSV or JSON lines); a CSV that is surely a forecast target went to Forecasts first.
// JSON Lines with a time key are only ever ours (events, or the sink's records): they come here whatever is open.
FileClaim AnomalyClaim(const SniffedFile& f) {
  if (f.ext == "jsonl" || f.ext == "json") {
    const bool timed = f.head.find("\"ts\"") != std::string::npos || f.head.find("\"time\"") != std::string::npos ||
                       f.head.find("\"timestamp\"") != std::string::npos ||
                       f.head.find("\"event_time\"") != std::string::npos ||
                       f.head.find("\"hop_time\"") != std::string::npos;
    return {timed ? ImportClaim::kAlways : ImportClaim::kWhenOpen, "anomaly events (JSON Lines)"};
  }
  // A sink's Parquet part (part-N.parquet): no other panel reads Parquet.
  if (f.ext == "parquet" && f.head.rfind("PAR1", 0) == 0) return {ImportClaim::kAlways, "sink records (Parquet)"};
  if (IsCsv(f) && f.personalize == 0) return {ImportClaim::kWhenOpen, ""};  // Forecasts says what a CSV may be
  return {};
}
void AnomalyImport(AppState& app, const SniffedFile& f) { ImportAnomalyFile(app, f.path); }

// [SECTION] Recommendations
void RecommendStatus(AppState& app, nlohmann::json& j) { j["recommend"] = RecommendStatusJson(app); }

// Personalize's CSVs (told by their headers) are only ever ours.
FileClaim RecommendClaim(const SniffedFile& f) {
  return {IsCsv(f) && f.personalize != 0 ? ImportClaim::kAlways : ImportClaim::kNone, ""};
}
void RecommendImport(AppState& app, const SniffedFile& f) { ImportRecommendFile(app, f.path, f.personalize); }

// [SECTION] Label Review
void LabelsStatus(AppState& app, nlohmann::json& j) { j["labels"] = LabelsStatusJson(app); }
// Pictures join the review queue (pre-labelled when v1 is trained).
// Ground Truth manifests (any .manifest: the panel says what is wrong with one it cannot take).
FileClaim LabelsClaim(const SniffedFile& f) {
  const bool mine = IsImage(f) || f.ext == "manifest" || !f.gt_kind.empty();
  return {mine ? ImportClaim::kAlways : ImportClaim::kNone, ""};
}
void LabelsImport(AppState& app, const SniffedFile& f) {
  if (IsImage(f)) ImportLabelImage(app, f.path);
  else ImportLabelManifest(app, f.path);
}

// [SECTION] Forecasts
void ForecastStatus(AppState& app, nlohmann::json& j) { j["forecast"] = ForecastStatusJson(app); }
// A forecast target (dates plus an item or target column) is always ours; a
// bare time series (dates and numbers) is a forecast series or anomaly events
// alike, so the open panel decides; an item series is a related file.
FileClaim ForecastClaim(const SniffedFile& f) {
  if (!IsCsv(f) || f.personalize != 0) return {};
  // A CSV that does not parse: the Forecasts panel, when open, loads it and says why it cannot.
  if (f.broken) return {ImportClaim::kWhenOpen, "a CSV that does not parse"};
  switch (CsvGuess(f.csv_guess)) {
    case CsvGuess::ForecastTarget: return {ImportClaim::kAlways, ""};
    case CsvGuess::TimeSeries: return {ImportClaim::kWhenOpen, "either one forecast series or anomaly events"};
    case CsvGuess::ItemSeries:
      return {ImportClaim::kHint, "a related series (price, promo) or a target under another name: in the "
                                  "Forecasts panel give its path as the related or the target file"};
    default:
      // Anything else (no dates, no target): when Forecasts is open it tries and says why it cannot.
      return {ImportClaim::kWhenOpen, "a CSV without a forecast target's columns"};
  }
}
void ForecastImport(AppState& app, const SniffedFile& f) { ImportForecastTarget(app, f.path, f.why); }

// [SECTION] Feature Store
void FeaturesStatus(AppState& app, nlohmann::json& j) { j["features"] = FeaturesStatusJson(app); }
// The panel's file pickers list every imported CSV.
FileClaim FeaturesClaim(const SniffedFile& f) { return {IsCsv(f) ? ImportClaim::kListOnly : ImportClaim::kNone, ""}; }

// [SECTION] Edge Checkout
void CheckoutStatus(AppState& app, nlohmann::json& j) { j["checkout"] = CheckoutStatusJson(app); }

// [SECTION] System
bool SystemRun(AppState& app, const Params&) { return StartSystemBench(app); }
void SystemStatus(AppState& app, nlohmann::json& j) {
  j["bench"] = app.system.last_result ? app.system.last_result->ToJson() : nlohmann::json();
}
}  // namespace

const std::vector<PanelInfo>& Panels() {
  // {id, title, summary, draw, developer, run_name, run, status_json, pump, claim, import, shutdown}
  static const std::vector<PanelInfo> kPanels = {
      {"sparse", "Sparse Inference",
       "MediaPipe's released dense and sparse models side by side; train a small network and see what pruning "
       "costs in accuracy; size and latency on this CPU.",
       DrawSparsePanel, false,
       "sparse-bench", RunSparseBenchFromParams, SparseStatus, SparseCameraPump, SparseClaim, SparseImport,
       SparseShutdown,
       {{"sparse-real", RunSparseRealFromParams}, {"sparse-train", RunSparseTrainFromParams}}},
      {"anomalies", "Anomalies",
       "Events -> 5-minute windows -> detector with severity 0-100, anomaly groups, feedback, alerts.",
       DrawAnomalyPanel, false, "anomaly-demo", RunAnomalyDemoFromParams, AnomalyStatus, PumpAnomalyStream,
       AnomalyClaim, AnomalyImport, nullptr},
      {"recommend", "Recommendations",
       "Interactions with weather context -> context-aware ranker vs baselines, cold users, metrics.",
       DrawRecommendPanel, false, "recommend-demo", RunRecommendDemoFromParams, RecommendStatus, nullptr,
       RecommendClaim, RecommendImport, nullptr},
      {"labels", "Label Review",
       "Train a detector on 8 images, review its boxes on 30 more, export Ground Truth manifests, retrain.",
       DrawLabelsPanel, false, "labels-demo", RunLabelsDemoFromParams, LabelsStatus, PumpLabels, LabelsClaim,
       LabelsImport, ReleaseLabelTextures},
      {"forecast", "Forecasts",
       "Sales records -> aggregate to the question, fill gaps -> ETS/Theta/Comb with P10-P90, backtests.",
       DrawForecastPanel, false, "forecast-demo", RunForecastDemoFromParams, ForecastStatus, nullptr,
       ForecastClaim, ForecastImport, nullptr},
      {"features", "Feature Store",
       "Feature groups from CSVs, ingest with per-worker progress, records, point-in-time training sets.",
       DrawFeaturesPanel, false, "features-demo", RunFeaturesDemoFromParams, FeaturesStatus, nullptr,
       FeaturesClaim, nullptr, nullptr},
      {"checkout", "Edge Checkout",
       "Shelf camera frames -> hand cue, take / put back by the Label Review detector -> a virtual cart per shopper, "
       "review queue, scored.",
       DrawCheckoutPanel, false, "checkout-demo", RunCheckoutDemoFromParams, CheckoutStatus, PumpCheckout, nullptr,
       nullptr, ReleaseCheckoutTextures},
      {"system", "System", "This build and this machine: target, SIMD, threads, memory, frame time, micro-benchmark.",
       DrawSystemPanel, true, "system-bench", SystemRun, SystemStatus, nullptr, nullptr, nullptr, nullptr},
      {"gallery", "Widget Gallery", "Every Fieldkit widget with its help text (living documentation).",
       DrawGalleryPanel, true, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr},
  };
  return kPanels;
}

int PanelIndex(const std::string& id_or_title) {
  const auto& panels = Panels();
  for (size_t i = 0; i < panels.size(); i++)
    if (id_or_title == panels[i].id || id_or_title == panels[i].title) return int(i);
  return -1;
}

}  // namespace fk::ui
