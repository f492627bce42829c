// System panel: what this build is and what this machine can do, measured live.
#include <cstdio>
#include <memory>

#include "core/build_info.h"
#include "kernels/cpu.h"
#include "ui/app_state.h"
#include "ui/panels.h"
#include "ui/plot.h"
#include "ui/widgets.h"

namespace fk::ui {

static const char* const kBenchLabel = "Micro-benchmark";

bool StartSystemBench(AppState& app) {
  if (app.jobs.Has(kBenchLabel)) return false;  // one at a time: the job owns app.system.bench
  app.system.bench = std::make_unique<kernels::MicroBench>();
  kernels::MicroBench* bench = app.system.bench.get();
  app.jobs.Enqueue(MakeJob(
      kBenchLabel,
      [bench](JobContext& ctx) {
        const bool done = bench->Step();
        ctx.SetProgress(bench->Progress());
        ctx.SetDetail("dot 4096 and GEMM 64x64x64, scalar vs " + bench->Result().simd_isa);
        return done;
      },
      [&app](JobState s) {
        if (s == JobState::Done) {
          app.system.last_result = app.system.bench->Result();
          app.system.history.push_back(*app.system.last_result);
          char msg[160];
          std::snprintf(msg, sizeof msg, "micro-benchmark: GEMM scalar %.2f, %s %.2f GFLOP/s",
                        app.system.last_result->scalar_gflops, app.system.last_result->simd_isa.c_str(),
                        app.system.last_result->simd_gflops);
          app.Log(msg);
        } else if (s == JobState::Cancelled) {
          app.Log("micro-benchmark cancelled");
        }
        app.system.bench.reset();
      }));
  return true;
}

static void DrawBenchResult(const kernels::MicroBenchResult& r) {
  const char* cats[] = {"GEMM 64x64x64", "dot 4096"};
  const double scalar[] = {r.scalar_gflops, r.dot_scalar_gflops};
  const double simd[] = {r.simd_gflops, r.dot_simd_gflops};
  Plot p("bench", ImVec2(-1, 220), {"Micro-benchmark", "", "GFLOP/s", true, "%.2f GFLOP/s"});
  p.SetCategories(cats, 2);
  p.Bars("scalar", scalar, colors::kMuted);
  const std::string simd_label = "SIMD (" + r.simd_isa + ")";
  p.Bars(simd_label.c_str(), simd, colors::kAccent);
  p.Draw();
  ImGui::Text("SIMD speed-up %.1fx on GEMM, %.1fx on dot   |   max rel. error %.1e   |   %.2f s", r.speedup,
              r.dot_scalar_gflops > 0 ? r.dot_simd_gflops / r.dot_scalar_gflops : 0.0, r.max_rel_err, r.seconds);
}

void DrawSystemPanel(AppState& app) {
  const BuildInfo& b = GetBuildInfo();
  SystemPanelState& st = app.system;

  if (ImGui::BeginTable("sysinfo", 2, ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg)) {
    ImGui::TableSetupColumn("key", ImGuiTableColumnFlags_WidthFixed, 150.0f);
    ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
    KeyValueRow("Target", b.target + (b.target == "wasm" ? "  (WebAssembly, runs in this browser tab)" : "  (desktop)"));
    KeyValueRow("Version", b.version + "  (git " + b.git_hash + ")");
    KeyValueRow("Compiler", b.compiler);
    KeyValueRow("SIMD", std::string(b.simd ? "yes" : "no") + ", kernels: " + kernels::BestF32Blas().isa +
                            "  (CPU: " + kernels::CpuFeaturesString() + ")");
    char buf[96];
    std::snprintf(buf, sizeof buf, "%d hardware, worker threads %s", app.platform.hardware_threads,
                  app.platform.threads_enabled ? "on" : "off (jobs run in slices between frames)");
    KeyValueRow("Threads", buf);
    KeyValueRow("Memory in use",
                app.platform.memory_in_use ? FormatBytes(double(app.platform.memory_in_use())) : "unknown");
    std::snprintf(buf, sizeof buf, "%.2f ms  (%.0f FPS), frame %llu", app.last_frame_ms,
                  app.last_frame_ms > 0 ? 1000.0 / app.last_frame_ms : 0.0, (unsigned long long)app.frame);
    KeyValueRow("Frame time", buf);
    ImGui::EndTable();
  }

  // Frame-time history from the ring buffer (oldest first).
  const int cap = int(sizeof(st.frame_ms) / sizeof(st.frame_ms[0]));
  const int n = st.frame_ms_count;
  double xs[240], ys[240];
  for (int i = 0; i < n; i++) {
    xs[i] = i - n + 1;
    ys[i] = st.frame_ms[(st.frame_ms_head - n + i + cap) % cap];
  }
  Plot ft("frametime", ImVec2(-1, 150), {"Frame time (last 240 frames)", "frame", "ms"});
  ft.Line("frame time", xs, ys, size_t(n), colors::kAccent2, false);
  ft.Draw();

  ImGui::Spacing();
  SectionHeader("Micro-benchmark");
  ImGui::TextWrapped(
      "Times an f32 dot product and a small GEMM with the scalar kernel and the widest SIMD kernel this "
      "CPU runs (%s), in the same core code natively and in the browser. Runs in slices: the UI stays live.",
      kernels::BestF32Blas().isa);
  const bool busy = app.jobs.Has(kBenchLabel);
  if (busy) ImGui::BeginDisabled();
  if (ImGui::Button("Run micro-benchmark")) StartSystemBench(app);
  RecordItem(app, "system.run_bench");
  if (busy) ImGui::EndDisabled();
  HelpMarker("GEMM numbers are the headline (scalar_gflops / simd_gflops in status() and the CLI). "
             "Same benchmark: fieldkit-cli system bench --json");
  if (st.last_result) {
    DrawBenchResult(*st.last_result);
  }
  if (st.history.size() > 1 && ImGui::TreeNode("History", "History (%d runs)", int(st.history.size()))) {
    if (ImGui::BeginTable("hist", 4, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchSame)) {
      ImGui::TableSetupColumn("run");
      ImGui::TableSetupColumn("scalar GFLOP/s");
      ImGui::TableSetupColumn("SIMD GFLOP/s");
      ImGui::TableSetupColumn("speed-up");
      ImGui::TableHeadersRow();
      for (size_t i = 0; i < st.history.size(); i++) {
        const auto& r = st.history[i];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::Text("%d", int(i + 1));
        ImGui::TableNextColumn();
        ImGui::Text("%.2f", r.scalar_gflops);
        ImGui::TableNextColumn();
        ImGui::Text("%.2f", r.simd_gflops);
        ImGui::TableNextColumn();
        ImGui::Text("%.1fx", r.speedup);
      }
      ImGui::EndTable();
    }
    ImGui::TreePop();
  }
  DrawFilesSection(app);
}

}  // namespace fk::ui
