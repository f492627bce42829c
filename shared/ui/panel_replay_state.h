// State of the Seed replay window: the replay::Replay the job steps (the
// current or last run, whose rows the window shows and status().replay holds).
#pragma once
#include <memory>
#include <string>

#include "replay/replay.h"

namespace fk::ui {

struct ReplayPanelState {
  std::unique_ptr<replay::Replay> run;  // made when the job starts; kept after it ends
  replay::Panel panel = replay::Panel::Labels;
  bool started = false;  // a replay was asked for (status().replay is null before)
  bool open = false;     // the window is shown
  std::string state;     // "queued", "running", "done", "failed", "cancelled"
  double seconds = 0;    // wall time of the last run
  int labels_test_limit = 50;  // test images the Label Review replay scores v1 and v2 on (?run=...&test_limit=)
};

}  // namespace fk::ui
