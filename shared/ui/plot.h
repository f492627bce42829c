// A small chart widget in ImPlot's spirit (ImPlot is not packaged here):
// collect series, then Draw() lays out axes with nice ticks, a legend and a
// hover tooltip. Data is borrowed (pointer + count) until Draw(); long lines
// are decimated per pixel column (plot/ticks.h) so spikes never vanish.
//
//   fk::ui::Plot p("latency", ImVec2(-1, 260), {"Latency vs sparsity", "sparsity", "ms"});
//   p.Line("own sparse", xs, ys, n);
//   p.Draw();
//   // grouped bars over categories: p.SetCategories(names, k); p.Bars("fp32", values);
//
// Time series (x = UNIX seconds, spec.time_x): a shaded band between two
// series, per-point coloured markers, x limits (only the visible slice is
// decimated and drawn, so 100k points cost O(width)), and Hovered()/ToScreen()
// after Draw() for a caller-drawn tooltip:
//   PlotSpec spec; spec.time_x = true; spec.tooltip = false;
//   fk::ui::Plot p("cars", ImVec2(-1, 220), spec);
//   p.SetXLimits(t_end - 3600, t_end);
//   p.Band("expected", ts, lower, upper, n);  p.Line("cars", ts, vs, n);
//   p.Scatter("anomalies", ax, ay, k, colours);  p.Draw();
//   double hx, hy; if (p.Hovered(&hx, &hy)) { ...nearest point, ImGui tooltip... }
#pragma once
#include <string>
#include <vector>

#include "imgui.h"

namespace fk::ui {

struct PlotSpec {
  const char* title = "";
  const char* x_label = "";
  const char* y_label = "";
  bool y_from_zero = true;     // include 0 in the y range
  const char* y_format = nullptr;  // tooltip value format, default "%.3g"
  bool time_x = false;         // x is UNIX seconds (UTC): time ticks and labels
  bool tooltip = true;         // built-in nearest-point tooltip (off when the caller draws its own)
};

class Plot {
 public:
  Plot(const char* id, ImVec2 size, PlotSpec spec = {});
  void Line(const char* label, const double* xs, const double* ys, size_t n, ImU32 color = 0,
            bool markers = true);
  void SetCategories(const char* const* names, size_t n);
  void Bars(const char* label, const double* values, ImU32 color = 0);  // one value per category
  // Shaded area between lo[i] and hi[i] (xs ascending); per pixel column the
  // lowest lo and highest hi are kept, so the band never narrows when decimated.
  void Band(const char* label, const double* xs, const double* lo, const double* hi, size_t n, ImU32 color = 0);
  // Markers with one colour per point (colors may be null: legend_color for all).
  void Scatter(const char* label, const double* xs, const double* ys, size_t n, const ImU32* colors,
               ImU32 legend_color = 0, float radius = 4.5f);
  // Shows only [lo, hi] of x (default: all data). Lines and bands need
  // ascending xs for this (they are sliced by binary search before decimation).
  void SetXLimits(double lo, double hi);
  void Draw();

  // After Draw(): the mouse in data coordinates when over the plot area, and
  // data -> screen for markers and highlights drawn by the caller.
  bool Hovered(double* x, double* y) const;
  ImVec2 ToScreen(double x, double y) const;

 private:
  enum class Kind { Line, Bars, Band, Scatter };
  struct Series {
    std::string label;
    const double* xs;
    const double* ys;  // Band: lower edge
    size_t n;
    ImU32 color;
    bool markers;
    Kind kind;
    const double* hi = nullptr;        // Band: upper edge
    const ImU32* colors = nullptr;     // Scatter: per-point colours
    float radius = 0;                  // Scatter: px
  };
  struct Frame;  // one Draw()'s geometry (plot.cpp)
  void FitRanges(Frame& f) const;
  bool Layout(Frame& f) const;
  void DrawTitleAndLegend(Frame& f) const;
  void DrawAxes(const Frame& f) const;
  std::string DrawBars(const Frame& f) const;
  void DrawBand(const Frame& f, const Series& s) const;
  void DrawLine(const Frame& f, const Series& s, double* best_d, std::string* tip) const;
  void DrawScatter(const Frame& f, const Series& s) const;

  std::string id_;
  ImVec2 size_;
  PlotSpec spec_;
  std::vector<Series> series_;
  std::vector<std::string> categories_;
  bool has_xlim_ = false;
  double xlim_lo_ = 0, xlim_hi_ = 0;
  // Mapping of the last Draw(), for Hovered()/ToScreen().
  bool hovered_ = false;
  double xlo_ = 0, xhi_ = 1, ylo_ = 0, yhi_ = 1;
  float left_ = 0, right_ = 1, top_ = 0, bottom_ = 1;
};

}  // namespace fk::ui
