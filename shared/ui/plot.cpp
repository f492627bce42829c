// [SECTION] Series
// [SECTION] Ranges and layout
// [SECTION] Axes and legend
// [SECTION] Items: bars, bands, lines, markers
// [SECTION] Hover
#include "ui/plot.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

#include "plot/ticks.h"
#include "ui/widgets.h"

namespace fk::ui {

// [SECTION] Series

Plot::Plot(const char* id, ImVec2 size, PlotSpec spec) : id_(id), size_(size), spec_(spec) {}

void Plot::Line(const char* label, const double* xs, const double* ys, size_t n, ImU32 color, bool markers) {
  if (!color) color = colors::Series(int(series_.size()));
  series_.push_back({label, xs, ys, n, color, markers, Kind::Line});
}

void Plot::SetCategories(const char* const* names, size_t n) { categories_.assign(names, names + n); }

void Plot::Bars(const char* label, const double* values, ImU32 color) {
  if (!color) color = colors::Series(int(series_.size()));
  series_.push_back({label, nullptr, values, categories_.size(), color, false, Kind::Bars});
}

void Plot::Band(const char* label, const double* xs, const double* lo, const double* hi, size_t n, ImU32 color) {
  if (!color) color = (colors::Series(int(series_.size())) & ~IM_COL32_A_MASK) | IM_COL32(0, 0, 0, 60);
  Series s{label, xs, lo, n, color, false, Kind::Band};
  s.hi = hi;
  series_.push_back(s);
}

void Plot::Scatter(const char* label, const double* xs, const double* ys, size_t n, const ImU32* colors,
                   ImU32 legend_color, float radius) {
  if (!legend_color) legend_color = colors::Series(int(series_.size()));
  Series s{label, xs, ys, n, legend_color, true, Kind::Scatter};
  s.colors = colors;
  s.radius = radius;
  series_.push_back(s);
}

void Plot::SetXLimits(double lo, double hi) {
  has_xlim_ = hi > lo;
  xlim_lo_ = lo;
  xlim_hi_ = hi;
}

bool Plot::Hovered(double* x, double* y) const {
  if (!hovered_) return false;
  const ImVec2 m = ImGui::GetIO().MousePos;
  if (m.x < left_ || m.x > right_ || m.y < top_ || m.y > bottom_) return false;
  if (x) *x = xlo_ + (m.x - left_) / (right_ - left_) * (xhi_ - xlo_);
  if (y) *y = ylo_ + (bottom_ - m.y) / (bottom_ - top_) * (yhi_ - ylo_);
  return true;
}

ImVec2 Plot::ToScreen(double x, double y) const {
  return ImVec2(float(left_ + (x - xlo_) / (xhi_ - xlo_) * (right_ - left_)),
                float(bottom_ - (y - ylo_) / (yhi_ - ylo_) * (bottom_ - top_)));
}

// Indices [first, last) of an ascending xs inside [lo, hi], widened by one
// point on each side so lines and bands run to the plot edges.
static void VisibleSlice(const double* xs, size_t n, double lo, double hi, size_t* first, size_t* last) {
  *first = size_t(std::lower_bound(xs, xs + n, lo) - xs);
  *last = size_t(std::upper_bound(xs, xs + n, hi) - xs);
  if (*first > 0) (*first)--;
  if (*last < n) (*last)++;
}

// One Draw()'s geometry: the widget rectangle, the data ranges (FitRanges)
// and the plot area inside the axes (Layout). Data -> screen is X()/Y().
struct Plot::Frame {
  ImDrawList* dl = nullptr;
  ImVec2 size, p0, p1, mouse;
  bool hovered = false;
  float line_h = 0;
  bool has_bars = false, empty = false;
  double xlo = 0, xhi = 1, ylo = 0, yhi = 1;
  plot::Ticks yt;
  float left = 0, right = 1, top = 0, bottom = 1;
  ImU32 grid = 0, text = 0, text_dim = 0;
  float X(double x) const { return float(left + (x - xlo) / (xhi - xlo) * (right - left)); }
  float Y(double y) const { return float(bottom - (y - ylo) / (yhi - ylo) * (bottom - top)); }
};

void Plot::Draw() {
  ImGui::PushID(id_.c_str());
  Frame f;
  f.dl = ImGui::GetWindowDrawList();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  f.size = ImVec2(size_.x <= 0 ? avail.x : size_.x, size_.y <= 0 ? 240.0f : size_.y);
  f.p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("##plot", f.size);
  f.hovered = ImGui::IsItemHovered();
  hovered_ = f.hovered;
  f.p1 = ImVec2(f.p0.x + f.size.x, f.p0.y + f.size.y);
  f.mouse = ImGui::GetIO().MousePos;
  f.dl->AddRectFilled(f.p0, f.p1, ImGui::GetColorU32(ImGuiCol_FrameBg), ImGui::GetStyle().FrameRounding);
  FitRanges(f);
  if (!Layout(f)) {
    hovered_ = false;
    ImGui::PopID();
    return;
  }
  DrawTitleAndLegend(f);
  DrawAxes(f);

  f.dl->PushClipRect(ImVec2(f.left, f.top - 4), ImVec2(f.right + 4, f.bottom + 1), true);
  const std::string bar_tip = DrawBars(f);
  // Bands first, under the lines; markers last, on top.
  for (auto& s : series_)
    if (s.kind == Kind::Band && s.n > 0) DrawBand(f, s);
  double best_d = 1e30;
  std::string line_tip;
  for (auto& s : series_)
    if (s.kind == Kind::Line && s.n > 0) DrawLine(f, s, &best_d, &line_tip);
  for (auto& s : series_)
    if (s.kind == Kind::Scatter) DrawScatter(f, s);
  f.dl->PopClipRect();

  // [SECTION] Hover
  xlo_ = f.xlo, xhi_ = f.xhi, ylo_ = f.ylo, yhi_ = f.yhi;
  left_ = f.left, right_ = f.right, top_ = f.top, bottom_ = f.bottom;
  if (f.hovered && (!bar_tip.empty() || !line_tip.empty())) {
    ImGui::BeginTooltip();
    ImGui::TextUnformatted(line_tip.empty() ? bar_tip.c_str() : line_tip.c_str());
    ImGui::EndTooltip();
  }
  ImGui::PopID();
}

// [SECTION] Ranges and layout

// The data ranges: every finite point inside the x limits (bars span their categories).
void Plot::FitRanges(Frame& f) const {
  f.has_bars = !categories_.empty() &&
               std::any_of(series_.begin(), series_.end(), [](const Series& s) { return s.kind == Kind::Bars; });
  double xlo = DBL_MAX, xhi = -DBL_MAX, ylo = DBL_MAX, yhi = -DBL_MAX;
  auto grow_y = [&](double v) {
    if (!std::isfinite(v)) return;
    ylo = std::min(ylo, v);
    yhi = std::max(yhi, v);
  };
  for (auto& s : series_) {
    size_t first = 0, last = s.n;
    // Lines and bands are sliced by binary search; scatter points (any order) are filtered one by one.
    if (has_xlim_ && s.kind != Kind::Bars && s.kind != Kind::Scatter) {
      first = size_t(std::lower_bound(s.xs, s.xs + s.n, xlim_lo_) - s.xs);
      last = size_t(std::upper_bound(s.xs, s.xs + s.n, xlim_hi_) - s.xs);
    }
    for (size_t i = first; i < last; i++) {
      if (s.kind == Kind::Bars) {
        grow_y(s.ys[i]);
        continue;
      }
      if (has_xlim_ && (s.xs[i] < xlim_lo_ || s.xs[i] > xlim_hi_)) continue;
      if (!std::isfinite(s.ys[i]) && !(s.hi && std::isfinite(s.hi[i]))) continue;
      grow_y(s.ys[i]);
      if (s.hi) grow_y(s.hi[i]);
      xlo = std::min(xlo, s.xs[i]);
      xhi = std::max(xhi, s.xs[i]);
    }
  }
  f.empty = ylo > yhi;
  if (f.empty) ylo = 0, yhi = 1;
  if (f.has_bars) xlo = -0.5, xhi = double(categories_.size()) - 0.5;
  if (has_xlim_) xlo = xlim_lo_, xhi = xlim_hi_;
  if (xlo > xhi) xlo = 0, xhi = 1;
  if (xlo == xhi) xlo -= spec_.time_x ? 300 : 0.5, xhi += spec_.time_x ? 300 : 0.5;
  plot::NiceRange(&ylo, &yhi, spec_.y_from_zero);
  f.xlo = xlo, f.xhi = xhi, f.ylo = ylo, f.yhi = yhi;
}

// Title on top, y tick labels on the left, x ticks + label below. False when
// the widget is too small for a plot area.
bool Plot::Layout(Frame& f) const {
  f.line_h = ImGui::GetTextLineHeight();
  f.yt = plot::NiceTicks(f.ylo, f.yhi, std::max(2, int(f.size.y / (f.line_h * 2.5f))));
  float ytw = 0;
  for (double v : f.yt.values) ytw = std::max(ytw, ImGui::CalcTextSize(plot::FormatTick(v, f.yt.step).c_str()).x);
  f.top = f.p0.y + f.line_h * 1.8f;
  f.left = f.p0.x + ytw + 10.0f;
  // Room under the axis for the tick labels: a category name may span lines ("very cold\n<5").
  float label_lines = 1;
  if (f.has_bars)
    for (const std::string& c : categories_)
      label_lines = std::max(label_lines, float(1 + std::count(c.begin(), c.end(), '\n')));
  f.bottom = f.p1.y - f.line_h * (label_lines + (spec_.x_label[0] ? 1.6f : 0.6f));
  f.right = f.p1.x - 10.0f;
  f.grid = ImGui::GetColorU32(ImGuiCol_Border, 0.5f);
  f.text = ImGui::GetColorU32(ImGuiCol_Text);
  f.text_dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  return f.right - f.left >= 20 && f.bottom - f.top >= 20;
}

// [SECTION] Axes and legend

// Title (with the y unit) on the left of the top row, legend on the right of
// it: outside the data area, so it never hides a bar or a spike.
void Plot::DrawTitleAndLegend(Frame& f) const {
  ImDrawList* dl = f.dl;
  std::string title = spec_.title;
  if (spec_.y_label[0]) title += title.empty() ? spec_.y_label : std::string("  [") + spec_.y_label + "]";
  dl->AddText(ImVec2(f.p0.x + 8, f.p0.y + 4), f.text, title.c_str());
  float legend_w = 0;
  // A series with an empty label stays out of the legend (e.g. repeated backtest windows).
  for (auto& sr : series_)
    if (!sr.label.empty()) legend_w += ImGui::CalcTextSize(sr.label.c_str()).x + 28;
  // Same row as the title when both fit, else a row of its own under it.
  const bool own_row = ImGui::CalcTextSize(title.c_str()).x + legend_w + 24 > f.size.x;
  const float ly = own_row ? f.p0.y + 4 + f.line_h * 1.3f : f.p0.y + 4;
  float lx = f.p1.x - 8;
  for (auto it = series_.rbegin(); it != series_.rend(); ++it) {
    if (it->label.empty()) continue;
    const ImVec2 ts = ImGui::CalcTextSize(it->label.c_str());
    lx -= ts.x;
    dl->AddText(ImVec2(lx, ly), f.text_dim, it->label.c_str());
    lx -= 14;
    const float cy = ly + ts.y * 0.5f;
    if (it->kind == Kind::Scatter) {
      dl->AddCircleFilled(ImVec2(lx + 4, cy), 4.5f, it->color);
    } else if (it->kind == Kind::Band) {
      dl->AddRectFilled(ImVec2(lx - 2, cy - 5), ImVec2(lx + 10, cy + 5), it->color, 2);
    } else {
      dl->AddRectFilled(ImVec2(lx, cy - 4), ImVec2(lx + 8, cy + 4), it->color, 2);
    }
    lx -= 14;
  }
  if (own_row) f.top += f.line_h * 1.3f;
}

// Grid lines with y ticks, category or x ticks (time or numbers), the x label,
// the base line, and "no data yet" when there is nothing to show.
void Plot::DrawAxes(const Frame& f) const {
  ImDrawList* dl = f.dl;
  for (double v : f.yt.values) {
    const float y = f.Y(v);
    dl->AddLine(ImVec2(f.left, y), ImVec2(f.right, y), f.grid);
    const std::string s = plot::FormatTick(v, f.yt.step);
    const ImVec2 ts = ImGui::CalcTextSize(s.c_str());
    dl->AddText(ImVec2(f.left - ts.x - 6, y - ts.y * 0.5f), f.text_dim, s.c_str());
  }
  if (f.has_bars) {
    for (size_t c = 0; c < categories_.size(); c++) {
      const ImVec2 ts = ImGui::CalcTextSize(categories_[c].c_str());
      dl->AddText(ImVec2(f.X(double(c)) - ts.x * 0.5f, f.bottom + 4), f.text_dim, categories_[c].c_str());
    }
  } else {
    // Time labels ("Jun 05", "14:30") are wider than numbers: fewer ticks.
    const float spacing = spec_.time_x ? 90.0f : 70.0f;
    const int max_ticks = std::max(2, int((f.right - f.left) / spacing));
    const plot::Ticks xt =
        spec_.time_x ? plot::TimeTicks(f.xlo, f.xhi, max_ticks) : plot::NiceTicks(f.xlo, f.xhi, max_ticks);
    for (double v : xt.values) {
      const float x = f.X(v);
      dl->AddLine(ImVec2(x, f.top), ImVec2(x, f.bottom), f.grid);
      const std::string s = spec_.time_x ? plot::FormatTimeTick(v, xt.step) : plot::FormatTick(v, xt.step);
      const ImVec2 ts = ImGui::CalcTextSize(s.c_str());
      const float tx = std::clamp(x - ts.x * 0.5f, f.p0.x + 2, f.p1.x - ts.x - 2);
      dl->AddText(ImVec2(tx, f.bottom + 4), f.text_dim, s.c_str());
    }
  }
  if (spec_.x_label[0]) {
    const ImVec2 ts = ImGui::CalcTextSize(spec_.x_label);
    dl->AddText(ImVec2((f.left + f.right - ts.x) * 0.5f, f.p1.y - f.line_h - 4), f.text_dim, spec_.x_label);
  }
  dl->AddLine(ImVec2(f.left, f.bottom), ImVec2(f.right, f.bottom), ImGui::GetColorU32(ImGuiCol_Border));
  if (f.empty) {
    const char* msg = "no data yet";
    const ImVec2 ts = ImGui::CalcTextSize(msg);
    dl->AddText(ImVec2((f.left + f.right - ts.x) * 0.5f, (f.top + f.bottom - ts.y) * 0.5f), f.text_dim, msg);
  }
}

// [SECTION] Items: bars, bands, lines, markers

// Grouped bars, one slot per category; returns the tooltip for the hovered slot.
std::string Plot::DrawBars(const Frame& f) const {
  int nbars = 0;
  for (auto& s : series_) nbars += s.kind == Kind::Bars ? 1 : 0;
  const float slot = (f.right - f.left) / float(std::max<size_t>(1, categories_.size()));
  const float bw = slot * 0.8f / float(std::max(1, nbars));
  std::string tip;
  int bi = 0;
  for (auto& s : series_) {
    if (s.kind != Kind::Bars) continue;
    for (size_t c = 0; c < s.n; c++) {
      if (!std::isfinite(s.ys[c])) continue;
      const float x0 = f.X(double(c)) - slot * 0.4f + bw * float(bi);
      const ImVec2 a(x0 + 1, f.Y(s.ys[c])), b(x0 + bw - 1, f.Y(std::max(0.0, f.ylo)));
      f.dl->AddRectFilled(ImVec2(a.x, std::min(a.y, b.y)), ImVec2(b.x, std::max(a.y, b.y)), s.color, 2.0f);
      if (spec_.tooltip && f.hovered && f.mouse.x >= a.x && f.mouse.x <= b.x) {
        char buf[128];
        std::snprintf(buf, sizeof buf, spec_.y_format ? spec_.y_format : "%.3g", s.ys[c]);
        tip += categories_[c] + "  " + s.label + ": " + buf + "\n";
      }
    }
    bi++;
  }
  return tip;
}

// Per pixel column the widest extent, then trapezoids between neighbouring
// columns (convex, so a quad strip is exact).
void Plot::DrawBand(const Frame& f, const Series& s) const {
  ImDrawList* dl = f.dl;
  const int columns = int(f.right - f.left);
  size_t first = 0, last = s.n;
  VisibleSlice(s.xs, s.n, f.xlo, f.xhi, &first, &last);
  struct Col {
    float x, lo, hi;
  };
  std::vector<Col> cols;
  const bool decimate = last - first > size_t(columns) * 2;
  for (size_t i = first; i < last; i++) {
    if (!std::isfinite(s.ys[i]) || !std::isfinite(s.hi[i])) continue;
    const float x = f.X(s.xs[i]);
    const float ya = f.Y(s.ys[i]), yb = f.Y(s.hi[i]);
    if (decimate && !cols.empty() && std::floor(cols.back().x) == std::floor(x)) {
      cols.back().lo = std::max(cols.back().lo, std::max(ya, yb));  // screen y grows downwards
      cols.back().hi = std::min(cols.back().hi, std::min(ya, yb));
      continue;
    }
    cols.push_back({decimate ? std::floor(x) : x, std::max(ya, yb), std::min(ya, yb)});
  }
  // One triangle strip, 2 vertices per column, no anti-aliasing fringe: a
  // window's draw list has 16-bit indices (64k vertices) on WebGL.
  size_t k = 0;
  while (k + 1 < cols.size()) {
    // Runs split at NaN gaps already (skipped points); draw per run of <= 8k columns.
    const size_t run = std::min(cols.size() - k, size_t(8192));
    const int nv = int(run) * 2, ni = int(run - 1) * 6;
    dl->PrimReserve(ni, nv);
    const ImVec2 uv = ImGui::GetFontTexUvWhitePixel();
    const ImDrawIdx base = ImDrawIdx(dl->_VtxCurrentIdx);
    for (size_t i = 0; i < run; i++) {
      dl->PrimWriteVtx(ImVec2(cols[k + i].x, cols[k + i].hi), uv, s.color);
      dl->PrimWriteVtx(ImVec2(cols[k + i].x, cols[k + i].lo), uv, s.color);
    }
    for (size_t i = 0; i + 1 < run; i++) {
      const ImDrawIdx a = ImDrawIdx(base + i * 2);
      dl->PrimWriteIdx(a);
      dl->PrimWriteIdx(ImDrawIdx(a + 1));
      dl->PrimWriteIdx(ImDrawIdx(a + 3));
      dl->PrimWriteIdx(a);
      dl->PrimWriteIdx(ImDrawIdx(a + 3));
      dl->PrimWriteIdx(ImDrawIdx(a + 2));
    }
    k += run - 1;
  }
  if (cols.size() == 1) dl->AddLine(ImVec2(cols[0].x, cols[0].hi), ImVec2(cols[0].x, cols[0].lo), s.color, 3.0f);
}

// A min/max-decimated polyline (markers when few points); the nearest point
// within 20 px of the mouse over all lines becomes *tip.
void Plot::DrawLine(const Frame& f, const Series& s, double* best_d, std::string* tip) const {
  size_t first = 0, last = s.n;
  if (has_xlim_) VisibleSlice(s.xs, s.n, f.xlo, f.xhi, &first, &last);
  auto pts = plot::DecimateMinMax(s.xs + first, s.ys + first, last - first, f.xlo, f.xhi, int(f.right - f.left));
  std::vector<ImVec2> poly;
  poly.reserve(pts.size());
  for (auto& p : pts)
    if (std::isfinite(p.y)) poly.push_back(ImVec2(f.X(p.x), f.Y(p.y)));
  if (poly.size() >= 2) f.dl->AddPolyline(poly.data(), int(poly.size()), s.color, 0, 2.0f);
  if (s.markers && last - first <= 200)
    for (auto& p : poly) f.dl->AddCircleFilled(p, 3.5f, s.color);
  if (!spec_.tooltip || !f.hovered) return;
  for (size_t i = first; i < last; i++) {
    const float dx = f.X(s.xs[i]) - f.mouse.x, dy = f.Y(s.ys[i]) - f.mouse.y;
    const double d = dx * dx + dy * dy;
    if (!(d < *best_d && d < 400)) continue;  // NaN points never win
    *best_d = d;
    char buf[200];
    char val[64];
    std::snprintf(val, sizeof val, spec_.y_format ? spec_.y_format : "%.3g", s.ys[i]);
    if (spec_.time_x)
      std::snprintf(buf, sizeof buf, "%s\n%s\n%s = %s", s.label.c_str(), plot::FormatTimeFull(s.xs[i]).c_str(),
                    spec_.y_label[0] ? spec_.y_label : "y", val);
    else
      std::snprintf(buf, sizeof buf, "%s\n%s = %.3g\n%s = %s", s.label.c_str(), spec_.x_label[0] ? spec_.x_label : "x",
                    s.xs[i], spec_.y_label[0] ? spec_.y_label : "y", val);
    *tip = buf;
  }
}

// A dark rim keeps light colours visible on the line. Markers that would
// cover one another (same pixel column, close in y) are drawn once; past a
// few hundred they become squares (4 vertices, not ~40).
void Plot::DrawScatter(const Frame& f, const Series& s) const {
  const ImU32 rim = IM_COL32(20, 20, 24, 220);
  std::vector<size_t> keep;
  float last_x = -1e9f, last_y = -1e9f;
  for (size_t i = 0; i < s.n; i++) {
    if (s.xs[i] < f.xlo || s.xs[i] > f.xhi || !std::isfinite(s.ys[i])) continue;
    const float x = f.X(s.xs[i]), y = f.Y(s.ys[i]);
    if (std::floor(x) == std::floor(last_x) && std::fabs(y - last_y) < s.radius) continue;
    keep.push_back(i);
    last_x = x, last_y = y;
  }
  const bool squares = keep.size() > 300;
  for (size_t i : keep) {
    const ImVec2 c(f.X(s.xs[i]), f.Y(s.ys[i]));
    const ImU32 col = s.colors ? s.colors[i] : s.color;
    if (squares) {
      const float r = s.radius * 0.8f;
      f.dl->AddRectFilled(ImVec2(c.x - r - 1, c.y - r - 1), ImVec2(c.x + r + 1, c.y + r + 1), rim);
      f.dl->AddRectFilled(ImVec2(c.x - r, c.y - r), ImVec2(c.x + r, c.y + r), col);
    } else {
      f.dl->AddCircleFilled(c, s.radius + 1.5f, rim, 12);
      f.dl->AddCircleFilled(c, s.radius, col, 12);
    }
  }
}

}  // namespace fk::ui
