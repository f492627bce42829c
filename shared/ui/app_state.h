// AppState: everything the app owns. Panels get a reference; they keep no
// static state of their own. Each workflow adds its model + panel state here.
#pragma once
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/job.h"
#include "core/persist.h"
#include "core/platform.h"
#include "core/settings.h"
#include "kernels/microbench.h"
#include "ui/panel_anomaly_state.h"
#include "ui/panel_checkout_state.h"
#include "ui/panel_features_state.h"
#include "ui/panel_forecast_state.h"
#include "ui/panel_labels_state.h"
#include "ui/panel_recommend_state.h"
#include "ui/panel_replay_state.h"
#include "ui/panel_sparse_state.h"

namespace fk::ui {

// Screen rectangles of named widgets, for tests that click like a user.
// Only rectangles drawn in the last frame are reported; `visible` says whether the centre is inside
// the window's clip rect (a scrolled-out button is drawn but cannot be clicked where it says).
struct ItemRect {
  float x = 0, y = 0, w = 0, h = 0;
  uint64_t frame = 0;
  bool visible = true;
};

struct SystemPanelState {
  std::unique_ptr<kernels::MicroBench> bench;             // running benchmark, if any
  std::optional<kernels::MicroBenchResult> last_result;    // shown and reported in status()
  std::vector<kernels::MicroBenchResult> history;          // this session's runs
  float frame_ms[240] = {};                                // ring buffer of frame times
  bool frame_busy[240] = {};  // parallel: a job ran in that frame (issue #19's bar: none over 200 ms then)
  // parallel: how long our own code held the thread in that frame (App::Frame: draw + job slices). The
  // frame time above also holds what the browser does between frames (a headless screenshot: ~0.5 s).
  float work_ms[240] = {};
  int frame_ms_head = 0;
  int frame_ms_count = 0;                                  // filled entries (<= 240)
};

// A file brought in by the user (dropped/picked in the page, a path natively).
struct ImportedFile {
  std::string path;  // in the page: /imports/<name>
  uint64_t bytes = 0;
};

struct AppState {
  Platform platform;
  Settings settings;
  std::string settings_path;
  // Flushes of the user dir to durable storage (IndexedDB in the page): a
  // save is "done" only once a flush after it succeeded (Persist's on_saved).
  PersistQueue persist;
  std::string persist_error;   // the persistence error now in `errors`, if any
  JobRunner jobs;              // one long-running job at a time, shown in the job bar
  int current_panel = 0;
  uint64_t frame = 0;
  double last_frame_ms = 0;
  // The job pump's share of a frame (App::Frame): from how long the browser itself
  // takes between two of our frames. Reported in status().job.budget_ms.
  double prev_frame_start_ms = 0, prev_frame_work_ms = 0, pump_budget_ms = 12;
  bool prev_frame_busy = false;  // a job ran in the previous frame (its time is io.DeltaTime now)
  // The longest ?run= / import call (App::Run: a dropped file is parsed or queued there): with the
  // frames' work_ms, every way our code holds the page's thread.
  double run_ms_max = 0;
  std::string run_ms_max_what;
  bool show_gallery = false;
  bool show_imgui_demo = false;
  std::vector<std::string> errors;  // user-visible errors (also in status())
  std::deque<std::string> log;      // recent messages for the log window
  std::map<std::string, ItemRect> items;
  float panel_scroll_y = 0, panel_scroll_max_y = 0;  // the panel body's scroll (status().scroll, wheel tests)
  std::vector<ImportedFile> imports;
  char import_path[512] = "";       // native: path typed into the Files section

  SystemPanelState system;
  SparsePanelState sparse;
  AnomalyPanelState anomaly;
  FeaturesPanelState features;
  RecommendPanelState recommend;
  LabelsPanelState labels;
  ForecastPanelState forecast;
  ReplayPanelState replay;
  CheckoutPanelState checkout;

  void Log(const std::string& msg);
  void Error(const std::string& msg);
  // The one camera is shared by the panels that read it (Sparse Inference's real models, Edge Checkout):
  // each says when it starts and stops using it; the camera goes off only when no panel uses it any more.
  std::set<std::string> camera_users;
  void UseCamera(const std::string& who, bool on);
  // Call after writing user data: flushes it; on_saved runs once it is stored.
  uint64_t Persist(std::function<void()> on_saved = {}) { return persist.Request(std::move(on_saved)); }
};

}  // namespace fk::ui
