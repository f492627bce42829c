#include "ui/panels.h"

namespace fk::ui {

const std::vector<PanelInfo>& Panels() {
  static const std::vector<PanelInfo> kPanels = {
      {"Sparse Inference", "Prune a MobileNetV2, store it sparse, and measure size and latency on this CPU.",
       DrawSparsePanel, false},
      {"Anomalies", "Events -> 5-minute windows -> detector with severity 0-100, anomaly groups, feedback, alerts.",
       DrawAnomalyPanel, false},
      {"Recommendations", "Interactions with weather context -> context-aware ranker vs baselines, cold users, metrics.",
       DrawRecommendPanel, false},
      {"Label Review", "Train a detector on 8 images, review its boxes on 30 more, export Ground Truth manifests, retrain.",
       DrawLabelsPanel, false},
      {"Forecasts", "Sales records -> aggregate to the question, fill gaps -> ETS/Theta/Comb with P10-P90, backtests.",
       DrawForecastPanel, false},
      {"Feature Store", "Feature groups from CSVs, ingest with per-worker progress, records, point-in-time training sets.",
       DrawFeaturesPanel, false},
      {"System", "This build and this machine: target, SIMD, threads, memory, frame time, micro-benchmark.",
       DrawSystemPanel, true},
      {"Widget Gallery", "Every Fieldkit widget with its help text (living documentation).", DrawGalleryPanel,
       true},
  };
  return kPanels;
}

}  // namespace fk::ui
