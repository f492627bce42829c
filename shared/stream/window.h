// Event-time windows: tumbling (hop = size) or hopping (hop < size), counting,
// summing and averaging each measure per dimension value. A window [start, end)
// is stamped with its END (TUMBLE_END: [16:50, 16:55) -> 16:55:00) and emitted
// once the watermark (max event time - allowed lateness) reaches its end.
// Events older than that are counted in late_events, never silently dropped.
//
//   fk::stream::Windower w({.size_s = 300, .allowed_lateness_s = 60});
//   for (auto& e : events) w.Add(e);
//   w.Flush();
//   for (auto& r : w.TakeClosed()) use(r.end, r.cells[measure].count);
#pragma once
#include <cstdint>
#include <deque>
#include <vector>

#include "stream/event.h"

namespace fk::stream {

enum class Agg { Count, Sum, Avg };
const char* AggName(Agg a);

struct WindowOptions {
  int64_t size_s = 300;             // window length
  int64_t hop_s = 0;                // 0 = tumbling (hop = size); else hopping, size % hop == 0
  int64_t allowed_lateness_s = 0;   // out-of-order tolerance of the watermark
  int64_t offset_s = 0;             // window alignment: starts at offset + k*hop
  bool emit_empty = true;           // emit zero records for dims seen before (counts drop to 0)
  int64_t max_gap_windows = 10000;  // a bigger jump forward skips empty windows instead of emitting them
};

struct WindowCell {
  uint64_t count = 0;
  double sum = 0;
  double Value(Agg a) const {
    return a == Agg::Count ? double(count) : a == Agg::Sum ? sum : (count ? sum / double(count) : 0.0);
  }
};

struct WindowRecord {
  TimeS start = 0, end = 0;        // [start, end); records carry the END as their time
  uint32_t dims = 0;               // Schema dims id
  std::vector<WindowCell> cells;   // indexed by measure id
};

struct WindowStats {
  uint64_t events = 0;        // accepted into at least one window
  uint64_t late_events = 0;   // arrived after (one of) their windows had closed
  uint64_t windows = 0;       // windows closed (per window, not per dims)
  uint64_t records = 0;       // records emitted (windows x dims)
  uint64_t skipped_gaps = 0;  // jumps larger than max_gap_windows
};

class Windower {
 public:
  explicit Windower(WindowOptions options = {});
  void Add(const Event& e);
  // Emits every window that is still open (end of input).
  void Flush();
  // Closed records in order of window end (then dims id); clears the buffer.
  std::vector<WindowRecord> TakeClosed();
  const WindowStats& stats() const { return stats_; }
  TimeS watermark() const { return watermark_; }
  const WindowOptions& options() const { return opt_; }

 private:
  struct Slot {
    std::vector<WindowCell> cells;  // [dims * stride + measure]
    bool touched = false;
  };
  void CloseThrough(TimeS watermark);
  void CloseFront();
  void Grow(uint32_t measure, uint32_t dims);

  WindowOptions opt_;
  int64_t hop_;
  int64_t per_event_;            // windows an event belongs to (size / hop)
  std::deque<Slot> open_;        // open_[k] starts at front_start_ + k*hop
  TimeS front_start_ = 0;
  bool started_ = false;
  TimeS max_time_ = 0;
  TimeS watermark_ = 0;
  uint32_t stride_ = 0, n_dims_ = 0;  // cell layout of every slot
  std::vector<bool> dims_seen_;
  std::vector<WindowRecord> closed_;
  WindowStats stats_;
};

}  // namespace fk::stream
