// A small chart widget in ImPlot's spirit (ImPlot is not packaged here):
// collect series, then Draw() lays out axes with nice ticks, a legend and a
// hover tooltip. Data is borrowed (pointer + count) until Draw(); long lines
// are decimated per pixel column (plot/ticks.h) so spikes never vanish.
//
//   fk::ui::Plot p("latency", ImVec2(-1, 260), {"Latency vs sparsity", "sparsity", "ms"});
//   p.Line("own sparse", xs, ys, n);
//   p.Draw();
//   // grouped bars over categories: p.SetCategories(names, k); p.Bars("fp32", values);
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
};

class Plot {
 public:
  Plot(const char* id, ImVec2 size, PlotSpec spec = {});
  void Line(const char* label, const double* xs, const double* ys, size_t n, ImU32 color = 0,
            bool markers = true);
  void SetCategories(const char* const* names, size_t n);
  void Bars(const char* label, const double* values, ImU32 color = 0);  // one value per category
  void Draw();

 private:
  struct Series {
    std::string label;
    const double* xs;
    const double* ys;
    size_t n;
    ImU32 color;
    bool markers;
    bool bars;
  };
  std::string id_;
  ImVec2 size_;
  PlotSpec spec_;
  std::vector<Series> series_;
  std::vector<std::string> categories_;
};

}  // namespace fk::ui
