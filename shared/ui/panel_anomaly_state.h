// State of the Anomalies panel: the user's source and detector choices, the
// running pipeline (owned here, pumped between frames by PumpAnomalyStream),
// alert rules being edited, and per-series chart arrays kept in step with the
// model incrementally (only new points are copied each frame).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "anomaly/model.h"
#include "stream/input.h"

namespace fk::ui {

// One series as the chart wants it: parallel double arrays (x = UNIX seconds).
struct AnomalyChartCache {
  size_t synced = 0;                       // model points copied so far
  std::vector<double> t, value, lower, upper;
  std::vector<double> anom_t, anom_v;      // anomalous points only
  std::vector<uint32_t> anom_color;        // ImU32 severity colour per anomalous point
  std::vector<float> anom_severity;
};

struct AnomalyRuleEdit {
  char name[32] = "default";
  float threshold = 70;   // severity 0-100
  int measure = 0;        // 0 = any, else 1 + index into the configured measures
  char dimension[64] = "";  // "" = any; "cam1" or "camera_id=cam1"
};

struct AnomalyMeasureEdit {
  char name[32] = "";
  int agg = 0;            // stream::Agg: 0 count, 1 sum, 2 avg
};

struct AnomalyPanelState {
  // Source.
  int source = 0;               // 0 = simulator, 1 = imported file, 2 = landing records (windowed JSON files)
  int file_idx = 0;             // into AppState::imports
  int speed_idx = 4;            // into kAnomalySpeeds (panel_anomaly.cpp)
  int cameras = 1;
  int days = 7;                 // simulated event time
  int seed = 7;
  bool inject = true;           // the injected anomalies (jump, drop, level shift)

  // Detector configuration (applied when a source starts).
  int interval_idx = 0;         // 5 min, 10 min, 1 h, 1 day
  std::vector<AnomalyMeasureEdit> measures;  // filled with person/car on first draw
  char dimensions[96] = "camera_id";
  char time_field[64] = "";     // "" = ts, time, timestamp, event_time or hop_time
  float threshold = 50;         // severity from which a point is an anomaly
  int mode = 1;                 // 0 backtest, 1 continuous
  float train_fraction = 0.3f;  // backtest
  // Intervals per series before scores start: one day at 5 minutes, so the
  // detector has seen a whole daily rhythm before it calls a rush hour odd.
  int warmup = 288;

  std::vector<AnomalyRuleEdit> rules = {AnomalyRuleEdit{}};

  // A user's file whose columns match none of the measures: its columns are
  // offered (numeric ones as measures, text ones as dimensions) and the run
  // waits for the user's choice.
  std::string offer_path;       // "" = nothing offered
  stream::EventColumns offer;
  std::vector<char> offer_measure, offer_dim;  // ticked, per offer.numeric / offer.text
  int offer_time = 0;           // index into offer.time
  // Landing records: the windowed JSON files imported so far (the page's
  // dropped part files, or a folder's files natively), scored together.
  std::vector<std::string> landing_files;
  char landing_dir[256] = "";   // native: a landing folder to read
  std::string message;          // the last export or import line, shown in the panel
  std::string import_error;     // a file that cannot be scored (no time column...): status "failed"

  // Running pipeline.
  std::unique_ptr<anomaly::AnomalyModel> model;
  std::string source_label;     // "simulator, 1 camera, 7 days" / file name
  bool paused = false;
  double sim_clock = 0;         // event time the live stream has reached (UNIX s)
  int64_t sim_start = 0;
  double last_pump_ms = 0;      // wall clock of the last pump (0 = none yet)
  size_t alerts_logged = 0;     // alerts already copied to the app log

  // View.
  int dims_idx = 0;             // selected dimension value (index into dim_labels)
  std::vector<std::string> dim_labels;
  int range_idx = 4;            // 30 min, 1 h, 2 h, 6 h, max
  double anchor = 0;            // right edge of the view (UNIX s); 0 = follow the latest point
  std::vector<AnomalyChartCache> charts;  // index = model series index
  uint64_t selected_group = 0;  // highlighted in the list and on the charts
};

}  // namespace fk::ui
