// Widget Gallery: living documentation of Fieldkit's own widgets (plot, job
// bar, help markers), always built and drawn by the headless UI smoke test.
#include <cmath>

#include "core/clock.h"
#include "core/rng.h"
#include "ui/app_state.h"
#include "ui/panels.h"
#include "ui/plot.h"
#include "ui/widgets.h"

namespace fk::ui {

void DrawGalleryPanel(AppState& app) {
  SectionHeader("Plot: lines");
  HelpMarker("fk::ui::Plot — borrowed data, nice ticks, legend, hover tooltip. Long series are decimated "
             "per pixel column keeping min/max, so the spike in the 20k-point series stays visible.");
  constexpr size_t kN = 20000;
  // Deterministic demo data, rebuilt each frame from a seed (no static state).
  std::vector<double> xs(kN), ys(kN), ys2(kN);
  Rng rng(3);
  for (size_t i = 0; i < kN; i++) {
    xs[i] = double(i) / 100.0;
    ys[i] = std::sin(xs[i]) * 10 + rng.Normal();
    ys2[i] = std::cos(xs[i] * 0.5) * 6 + 4;
  }
  ys[12345] = 40;  // the spike
  Plot lines("gallery_lines", ImVec2(-1, 220), {"20,000 points with one spike", "t (s)", "value", false});
  lines.Line("noisy sine", xs.data(), ys.data(), kN);
  lines.Line("cosine", xs.data(), ys2.data(), kN);
  lines.Draw();

  SectionHeader("Plot: time axis, band and coloured markers");
  HelpMarker("PlotSpec::time_x puts UNIX seconds on x with calendar ticks (plot::TimeTicks: minutes, hours, "
             "dates at midnight). Plot::Band shades lo..hi, Plot::Scatter takes one colour per point, "
             "Plot::SetXLimits shows a slice (here the last 12 h of two days of 5-minute points).");
  constexpr size_t kT = 576;  // two days at 5 minutes
  std::vector<double> ts(kT), vs(kT), lo(kT), hi(kT), mx, my;
  std::vector<ImU32> mc;
  for (size_t i = 0; i < kT; i++) {
    ts[i] = 1622505600.0 + 300.0 * double(i);  // 2021-06-01T00:00Z
    const double daily = 20 + 15 * std::sin(double(i) / 288.0 * 6.2832);
    vs[i] = daily + rng.Normal() * 2;
    lo[i] = daily - 6;
    hi[i] = daily + 6;
    if (std::fabs(vs[i] - daily) > 4.5) {  // "anomalies": amber to red by distance
      mx.push_back(ts[i]);
      my.push_back(vs[i]);
      mc.push_back(std::fabs(vs[i] - daily) > 5.5 ? colors::kBad : IM_COL32(250, 200, 60, 255));
    }
  }
  PlotSpec tspec{"Time series with an expected band", "", "count"};
  tspec.time_x = true;
  Plot ts_plot("gallery_time", ImVec2(-1, 220), tspec);
  ts_plot.SetXLimits(ts[kT - 1] - 12 * 3600, ts[kT - 1]);
  ts_plot.Band("expected", ts.data(), lo.data(), hi.data(), kT);
  ts_plot.Line("observed", ts.data(), vs.data(), kT, colors::kAccent, false);
  ts_plot.Scatter("outliers", mx.data(), my.data(), mx.size(), mc.data(), colors::kBad);
  ts_plot.Draw();

  SectionHeader("Plot: grouped bars");
  HelpMarker("Plot::SetCategories + Plot::Bars: one value per category per series.");
  const char* cats[] = {"0%", "50%", "70%", "80%", "90%"};
  const double a[] = {14.0, 14.1, 13.9, 14.2, 14.0}, b[] = {15.0, 9.1, 6.0, 4.6, 3.1};
  Plot bars("gallery_bars", ImVec2(-1, 200), {"Grouped bars", "", "ms"});
  bars.SetCategories(cats, 5);
  bars.Bars("dense", a);
  bars.Bars("sparse", b);
  bars.Draw();

  SectionHeader("Job bar");
  HelpMarker("Every long operation runs as a job: sliced between frames (or on a worker thread natively), "
             "with progress, detail text and Cancel. Start a demo job to see it at the top of the panel.");
  const bool busy = app.jobs.Has("Demo job");
  if (busy) ImGui::BeginDisabled();
  if (ImGui::Button("Start a 3-second demo job")) {
    auto t0 = std::make_shared<double>(-1.0);
    app.jobs.Enqueue(MakeJob("Demo job", [t0](JobContext& ctx) {
      // Busy-waits in 1 ms slices so the bar moves like real work.
      Stopwatch sw;
      while (sw.ElapsedMs() < 1.0) {
      }
      if (*t0 < 0) *t0 = NowMs();
      const double p = (NowMs() - *t0) / 3000.0;
      ctx.SetProgress(float(p));
      ctx.SetDetail("working...");
      return p >= 1.0;
    }));
  }
  if (busy) ImGui::EndDisabled();
}

}  // namespace fk::ui
