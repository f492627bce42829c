#include "stream/window.h"

#include <algorithm>

namespace fk::stream {

const char* AggName(Agg a) { return a == Agg::Count ? "COUNT" : a == Agg::Sum ? "SUM" : "AVG"; }

Windower::Windower(WindowOptions options) : opt_(options) {
  if (opt_.size_s <= 0) opt_.size_s = 300;
  hop_ = opt_.hop_s > 0 && opt_.hop_s < opt_.size_s ? opt_.hop_s : opt_.size_s;
  if (opt_.size_s % hop_ != 0) hop_ = opt_.size_s;  // documented requirement; fall back to tumbling
  per_event_ = opt_.size_s / hop_;
  if (opt_.allowed_lateness_s < 0) opt_.allowed_lateness_s = 0;
}

void Windower::Grow(uint32_t measure, uint32_t dims) {
  const uint32_t stride = std::max(stride_, measure + 1), n_dims = std::max(n_dims_, dims + 1);
  if (stride == stride_ && n_dims == n_dims_) return;
  for (auto& s : open_) {
    std::vector<WindowCell> cells(size_t(stride) * n_dims);
    for (uint32_t d = 0; d < n_dims_; d++)
      for (uint32_t m = 0; m < stride_; m++) cells[size_t(d) * stride + m] = s.cells[size_t(d) * stride_ + m];
    s.cells.swap(cells);
  }
  stride_ = stride;
  n_dims_ = n_dims;
  dims_seen_.resize(n_dims, false);
}

void Windower::Add(const Event& e) {
  if (e.measure >= stride_ || e.dims >= n_dims_) Grow(e.measure, e.dims);
  // The latest window containing t starts at the hop boundary at or before t.
  const TimeS last_start = FloorDiv(e.time - opt_.offset_s, hop_) * hop_ + opt_.offset_s;
  const TimeS first_start = last_start - (per_event_ - 1) * hop_;
  if (!started_) {
    started_ = true;
    front_start_ = first_start;
    max_time_ = e.time;
    watermark_ = e.time - opt_.allowed_lateness_s;
  }
  if (last_start < front_start_) {  // every window of this event already closed
    stats_.late_events++;
    return;
  }
  if (first_start < front_start_) stats_.late_events++;  // hopping: some of its windows closed
  // A jump far ahead (bad clock, long outage): emit what is open, skip the gap.
  const int64_t ahead = (last_start - front_start_) / hop_;
  if (ahead > opt_.max_gap_windows + int64_t(open_.size())) {
    CloseThrough(front_start_ + int64_t(open_.size()) * hop_ + opt_.size_s);
    open_.clear();
    front_start_ = first_start;
    stats_.skipped_gaps++;
  }
  dims_seen_[e.dims] = true;
  stats_.events++;
  const size_t cell = size_t(e.dims) * stride_ + e.measure;
  for (TimeS s = std::max(first_start, front_start_); s <= last_start; s += hop_) {
    const size_t k = size_t((s - front_start_) / hop_);
    while (open_.size() <= k) {
      open_.emplace_back();
      open_.back().cells.resize(size_t(stride_) * n_dims_);
    }
    Slot& slot = open_[k];
    slot.touched = true;
    slot.cells[cell].count++;
    slot.cells[cell].sum += e.value;
  }
  if (e.time > max_time_) {
    max_time_ = e.time;
    const TimeS wm = max_time_ - opt_.allowed_lateness_s;
    if (wm > watermark_) {
      watermark_ = wm;
      CloseThrough(watermark_);
    }
  }
}

void Windower::CloseFront() {
  const TimeS start = front_start_, end = start + opt_.size_s;
  if (!open_.empty()) {
    Slot& s = open_.front();
    for (uint32_t d = 0; d < n_dims_; d++) {
      if (!dims_seen_[d]) continue;
      const WindowCell* c = s.cells.data() + size_t(d) * stride_;
      bool any = false;
      for (uint32_t m = 0; m < stride_ && !any; m++) any = c[m].count != 0;
      if (!any && !opt_.emit_empty) continue;
      WindowRecord r{start, end, d, std::vector<WindowCell>(c, c + stride_)};
      closed_.push_back(std::move(r));
      stats_.records++;
    }
    open_.pop_front();
  } else if (opt_.emit_empty) {
    for (uint32_t d = 0; d < n_dims_; d++)
      if (dims_seen_[d]) {
        closed_.push_back(WindowRecord{start, end, d, std::vector<WindowCell>(stride_)});
        stats_.records++;
      }
  }
  stats_.windows++;
  front_start_ += hop_;
}

void Windower::CloseThrough(TimeS watermark) {
  // A window closes when the watermark reaches its end.
  while (started_ && front_start_ + opt_.size_s <= watermark) {
    if (open_.empty() && !opt_.emit_empty) {
      // Nothing to emit: jump straight to the watermark's window.
      front_start_ = FloorDiv(watermark - opt_.size_s - opt_.offset_s, hop_) * hop_ + opt_.offset_s + hop_;
      break;
    }
    CloseFront();
  }
}

void Windower::Flush() {
  while (!open_.empty()) CloseFront();
}

std::vector<WindowRecord> Windower::TakeClosed() {
  std::vector<WindowRecord> out;
  out.swap(closed_);
  return out;
}

}  // namespace fk::stream
