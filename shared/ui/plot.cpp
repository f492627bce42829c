#include "ui/plot.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

#include "plot/ticks.h"
#include "ui/widgets.h"

namespace fk::ui {

Plot::Plot(const char* id, ImVec2 size, PlotSpec spec) : id_(id), size_(size), spec_(spec) {}

void Plot::Line(const char* label, const double* xs, const double* ys, size_t n, ImU32 color, bool markers) {
  if (!color) color = colors::Series(int(series_.size()));
  series_.push_back({label, xs, ys, n, color, markers, false});
}

void Plot::SetCategories(const char* const* names, size_t n) { categories_.assign(names, names + n); }

void Plot::Bars(const char* label, const double* values, ImU32 color) {
  if (!color) color = colors::Series(int(series_.size()));
  series_.push_back({label, nullptr, values, categories_.size(), color, false, true});
}

void Plot::Draw() {
  ImGui::PushID(id_.c_str());
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  ImVec2 size(size_.x <= 0 ? avail.x : size_.x, size_.y <= 0 ? 240.0f : size_.y);
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("##plot", size);
  const bool hovered = ImGui::IsItemHovered();
  const ImVec2 p1(p0.x + size.x, p0.y + size.y);
  const ImGuiStyle& style = ImGui::GetStyle();
  dl->AddRectFilled(p0, p1, ImGui::GetColorU32(ImGuiCol_FrameBg), style.FrameRounding);

  const float line_h = ImGui::GetTextLineHeight();
  const bool has_bars = !categories_.empty() &&
                        std::any_of(series_.begin(), series_.end(), [](const Series& s) { return s.bars; });
  // Ranges.
  double xlo = DBL_MAX, xhi = -DBL_MAX, ylo = DBL_MAX, yhi = -DBL_MAX;
  for (auto& s : series_) {
    for (size_t i = 0; i < s.n; i++) {
      if (!std::isfinite(s.ys[i])) continue;
      ylo = std::min(ylo, s.ys[i]);
      yhi = std::max(yhi, s.ys[i]);
      if (!s.bars) {
        xlo = std::min(xlo, s.xs[i]);
        xhi = std::max(xhi, s.xs[i]);
      }
    }
  }
  const bool empty = ylo > yhi;
  if (empty) ylo = 0, yhi = 1;
  if (has_bars) xlo = -0.5, xhi = double(categories_.size()) - 0.5;
  if (xlo > xhi) xlo = 0, xhi = 1;
  if (xlo == xhi) xlo -= 0.5, xhi += 0.5;
  plot::NiceRange(&ylo, &yhi, spec_.y_from_zero);

  // Layout: title on top, y tick labels on the left, x ticks + label below.
  const plot::Ticks yt = plot::NiceTicks(ylo, yhi, std::max(2, int(size.y / (line_h * 2.5f))));
  float ytw = 0;
  for (double v : yt.values) ytw = std::max(ytw, ImGui::CalcTextSize(plot::FormatTick(v, yt.step).c_str()).x);
  float top = p0.y + line_h * 1.8f;
  const float left = p0.x + ytw + 10.0f;
  const float bottom = p1.y - line_h * (spec_.x_label[0] ? 2.6f : 1.6f);
  const float right = p1.x - 10.0f;
  if (right - left < 20 || bottom - top < 20) {
    ImGui::PopID();
    return;
  }
  auto X = [&](double x) { return float(left + (x - xlo) / (xhi - xlo) * (right - left)); };
  auto Y = [&](double y) { return float(bottom - (y - ylo) / (yhi - ylo) * (bottom - top)); };
  const ImU32 grid = ImGui::GetColorU32(ImGuiCol_Border, 0.5f);
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 text_dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);

  // Title (with the y unit) on the left of the top row, legend on the right of
  // it: outside the data area, so it never hides a bar or a spike.
  std::string title = spec_.title;
  if (spec_.y_label[0]) title += title.empty() ? spec_.y_label : std::string("  [") + spec_.y_label + "]";
  dl->AddText(ImVec2(p0.x + 8, p0.y + 4), text, title.c_str());
  {
    float legend_w = 0;
    for (auto& sr : series_) legend_w += ImGui::CalcTextSize(sr.label.c_str()).x + 28;
    // Same row as the title when both fit, else a row of its own under it.
    const bool own_row = ImGui::CalcTextSize(title.c_str()).x + legend_w + 24 > size.x;
    const float ly = own_row ? p0.y + 4 + line_h * 1.3f : p0.y + 4;
    float lx = p1.x - 8;
    for (auto it = series_.rbegin(); it != series_.rend(); ++it) {
      const ImVec2 ts = ImGui::CalcTextSize(it->label.c_str());
      lx -= ts.x;
      dl->AddText(ImVec2(lx, ly), text_dim, it->label.c_str());
      lx -= 14;
      dl->AddRectFilled(ImVec2(lx, ly + ts.y * 0.5f - 4), ImVec2(lx + 8, ly + ts.y * 0.5f + 4), it->color, 2);
      lx -= 14;
    }
    if (own_row) top += line_h * 1.3f;
  }
  for (double v : yt.values) {
    const float y = Y(v);
    dl->AddLine(ImVec2(left, y), ImVec2(right, y), grid);
    const std::string s = plot::FormatTick(v, yt.step);
    const ImVec2 ts = ImGui::CalcTextSize(s.c_str());
    dl->AddText(ImVec2(left - ts.x - 6, y - ts.y * 0.5f), text_dim, s.c_str());
  }
  if (has_bars) {
    for (size_t c = 0; c < categories_.size(); c++) {
      const ImVec2 ts = ImGui::CalcTextSize(categories_[c].c_str());
      dl->AddText(ImVec2(X(double(c)) - ts.x * 0.5f, bottom + 4), text_dim, categories_[c].c_str());
    }
  } else {
    const plot::Ticks xt = plot::NiceTicks(xlo, xhi, std::max(2, int((right - left) / 70.0f)));
    for (double v : xt.values) {
      const float x = X(v);
      dl->AddLine(ImVec2(x, top), ImVec2(x, bottom), grid);
      const std::string s = plot::FormatTick(v, xt.step);
      const ImVec2 ts = ImGui::CalcTextSize(s.c_str());
      dl->AddText(ImVec2(x - ts.x * 0.5f, bottom + 4), text_dim, s.c_str());
    }
  }
  if (spec_.x_label[0]) {
    const ImVec2 ts = ImGui::CalcTextSize(spec_.x_label);
    dl->AddText(ImVec2((left + right - ts.x) * 0.5f, p1.y - line_h - 4), text_dim, spec_.x_label);
  }
  dl->AddLine(ImVec2(left, bottom), ImVec2(right, bottom), ImGui::GetColorU32(ImGuiCol_Border));
  if (empty) {
    const char* msg = "no data yet";
    const ImVec2 ts = ImGui::CalcTextSize(msg);
    dl->AddText(ImVec2((left + right - ts.x) * 0.5f, (top + bottom - ts.y) * 0.5f), text_dim, msg);
  }

  dl->PushClipRect(ImVec2(left, top - 4), ImVec2(right + 4, bottom + 1), true);
  // Bars, grouped per category.
  int nbars = 0;
  for (auto& s : series_) nbars += s.bars ? 1 : 0;
  const float slot = (right - left) / float(std::max<size_t>(1, categories_.size()));
  const float bw = slot * 0.8f / float(std::max(1, nbars));
  std::string tip;
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  int bi = 0;
  for (auto& s : series_) {
    if (!s.bars) continue;
    for (size_t c = 0; c < s.n; c++) {
      if (!std::isfinite(s.ys[c])) continue;
      const float x0 = X(double(c)) - slot * 0.4f + bw * float(bi);
      const ImVec2 a(x0 + 1, Y(s.ys[c])), b(x0 + bw - 1, Y(std::max(0.0, ylo)));
      dl->AddRectFilled(ImVec2(a.x, std::min(a.y, b.y)), ImVec2(b.x, std::max(a.y, b.y)), s.color, 2.0f);
      if (hovered && mouse.x >= a.x && mouse.x <= b.x) {
        char buf[128];
        std::snprintf(buf, sizeof buf, spec_.y_format ? spec_.y_format : "%.3g", s.ys[c]);
        tip += categories_[c] + "  " + s.label + ": " + buf + "\n";
      }
    }
    bi++;
  }
  // Lines.
  double best_d = 1e30;
  std::string line_tip;
  for (auto& s : series_) {
    if (s.bars || s.n == 0) continue;
    auto pts = plot::DecimateMinMax(s.xs, s.ys, s.n, xlo, xhi, int(right - left));
    std::vector<ImVec2> poly;
    poly.reserve(pts.size());
    for (auto& p : pts)
      if (std::isfinite(p.y)) poly.push_back(ImVec2(X(p.x), Y(p.y)));
    if (poly.size() >= 2) dl->AddPolyline(poly.data(), int(poly.size()), s.color, 0, 2.0f);
    if (s.markers && s.n <= 200)
      for (auto& p : poly) dl->AddCircleFilled(p, 3.5f, s.color);
    if (hovered) {
      for (size_t i = 0; i < s.n; i++) {
        const float dx = X(s.xs[i]) - mouse.x, dy = Y(s.ys[i]) - mouse.y;
        const double d = dx * dx + dy * dy;
        if (d < best_d && d < 400) {
          best_d = d;
          char buf[160];
          char val[64];
          std::snprintf(val, sizeof val, spec_.y_format ? spec_.y_format : "%.3g", s.ys[i]);
          std::snprintf(buf, sizeof buf, "%s\n%s = %.3g\n%s = %s", s.label.c_str(),
                        spec_.x_label[0] ? spec_.x_label : "x", s.xs[i], spec_.y_label[0] ? spec_.y_label : "y",
                        val);
          line_tip = buf;
        }
      }
    }
  }
  dl->PopClipRect();

  if (hovered && (!tip.empty() || !line_tip.empty())) {
    ImGui::BeginTooltip();
    ImGui::TextUnformatted(line_tip.empty() ? tip.c_str() : line_tip.c_str());
    ImGui::EndTooltip();
  }
  ImGui::PopID();
}

}  // namespace fk::ui
