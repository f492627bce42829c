// Sparse Inference panel: choose a MobileNetV2, prune its 1x1 convolutions,
// see the model-size chart (dense/sparse × fp32/fp16, the blog's Figure 1) and
// the latency ablation measured live on this CPU (Figure 2), with kernel names.
// All work runs as jobs (nn::SparseBench and size/export steps); this file only
// draws and starts them.
// [SECTION] Options and actions (also used by ?run=sparse-bench)
// [SECTION] Charts and tables
// [SECTION] Panel
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "core/strings.h"
#include "imgui.h"
#include "nn/export.h"
#include "nn/graph.h"
#include "nn/pruning.h"
#include "nn/xnnpack_backend.h"
#include "ui/app_state.h"
#include "ui/panels.h"
#include "ui/plot.h"
#include "ui/widgets.h"

namespace fk::ui {

// [SECTION] Options and actions (also used by ?run=sparse-bench)

static const float kWidths[] = {0.35f, 0.5f, 0.75f, 1.0f, 1.3f, 1.4f};
static const char* kWidthNames[] = {"0.35", "0.5", "0.75", "1.0", "1.3", "1.4"};
static const int kSizes[] = {96, 128, 160, 192, 224};
static const char* kSizeNames[] = {"96", "128", "160", "192", "224"};
static const double kSparsities[] = {0.0, 0.5, 0.7, 0.8, 0.9, 0.95};
static const char* kSparsityNames[] = {"0%", "50%", "70%", "80%", "90%", "95%"};
static const int kBlocks[] = {1, 2, 4};
static const char* kBlockNames[] = {"1", "2", "4"};

static void EnsureBackends(SparsePanelState& st) {
  if (!st.backends.empty()) return;
  for (const nn::BackendInfo& b : nn::Backends()) {
    if (b.xnnpack && !nn::XnnpackAvailable()) continue;
    st.backends.push_back(b.name);
    st.backend_on.push_back(b.panel_default);
  }
}

static nn::SparseBenchOptions OptionsFromPanel(const SparsePanelState& st) {
  nn::SparseBenchOptions o;
  o.width = kWidths[st.width_idx];
  o.size = kSizes[st.size_idx];
  o.sparsities.clear();
  for (int i = 0; i < 6; i++)
    if (st.sparsity_on[i]) o.sparsities.push_back(kSparsities[i]);
  o.backends.clear();
  for (size_t i = 0; i < st.backends.size(); i++)
    if (st.backend_on[i]) o.backends.push_back(st.backends[i]);
  o.runs = st.runs;
  o.warmup = 2;
  o.block = kBlocks[st.block_idx];
  o.fp16 = st.fp16;
  o.policy = st.policy == 0 ? nn::PrunePolicy::ForLatencyOnXNNPack : nn::PrunePolicy::All;
  return o;
}

static std::string Describe(const nn::SparseBenchOptions& o) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "MobileNetV2 %.2g @%d, policy %s, block %d%s, %d runs", o.width, o.size,
                nn::PrunePolicyName(o.policy), o.block, o.fp16 ? ", fp16" : "", o.runs);
  return buf;
}

static const char* const kBenchLabel = "Latency benchmark";
static const char* const kSizesLabel = "Model sizes";
static const char* const kExportLabel = "Export .fks";

// A sparse job is running or waiting: the panel's options are what it will use.
static bool SparseJobPending(const AppState& app) {
  return app.jobs.Has(kBenchLabel) || app.jobs.Has(kSizesLabel) || app.jobs.Has(kExportLabel);
}

bool StartSparseBench(AppState& app, const nn::SparseBenchOptions& opt) {
  if (app.jobs.Has(kBenchLabel)) return false;  // the job owns app.sparse.bench
  Status valid = nn::ValidateBenchOptions(opt);
  if (!valid.ok()) {
    app.Error("sparse bench: " + valid.message());
    return false;
  }
  SparsePanelState& st = app.sparse;
  st.bench = std::make_unique<nn::SparseBench>(opt);
  nn::SparseBench* bench = st.bench.get();
  const std::string label = Describe(opt);
  app.jobs.Enqueue(MakeJob(
      kBenchLabel,
      [bench](JobContext& ctx) {
        const bool done = bench->Step();
        ctx.SetProgress(bench->Progress());
        ctx.SetDetail(bench->Detail());
        if (done && !bench->status().ok()) ctx.Fail(bench->status().message());
        return done;
      },
      [&app, label](JobState s) {
        SparsePanelState& st = app.sparse;
        if (s == JobState::Done) {
          st.results = st.bench->Results();
          st.results_label = label;
          app.Log("sparse bench done: " + label);
        } else if (s == JobState::Failed) {
          app.Error("sparse bench: " + app.jobs.Error());
        } else if (s == JobState::Cancelled) {
          app.Log("sparse bench cancelled");
        }
        st.bench.reset();
      }),
      app.platform.threads_enabled);  // desktop: a worker thread, so frames never wait on an inference
  return true;
}

// Measures the size table in slices (nn::SizeTableBuilder: build once, then
// per sparsity a prune and four serialisations). `background`: the table the panel
// fills on its own; a job the person starts pauses it (so it runs sliced, never
// on a worker thread that cannot be paused).
static bool StartSizeTable(AppState& app, const nn::SparseBenchOptions& o, bool background) {
  if (app.jobs.Has(kSizesLabel)) return false;
  nn::SizeTableOptions so;
  so.width = o.width;
  so.size = o.size;
  so.policy = o.policy;
  so.block = o.block;
  so.seed = o.seed;
  so.sparsities = o.sparsities;
  std::sort(so.sparsities.begin(), so.sparsities.end());
  auto builder = std::make_shared<nn::SizeTableBuilder>(so);
  char label[96];
  std::snprintf(label, sizeof label, "MobileNetV2 %.2g @%d, policy %s, block %d", o.width, o.size,
                nn::PrunePolicyName(o.policy), o.block);
  const std::string sizes_label = label;
  Job job = MakeJob(
                            kSizesLabel,
                            [builder](JobContext& ctx) {
                              const bool done = builder->Step();
                              ctx.SetProgress(builder->Progress());
                              ctx.SetDetail(builder->Detail());
                              if (done && !builder->status().ok()) ctx.Fail(builder->status().message());
                              return done;
                            },
                            [&app, builder, sizes_label](JobState s) {
                              if (s == JobState::Done) {
                                app.sparse.sizes = builder->Rows();
                                app.sparse.sizes_label = sizes_label;
                              } else if (s == JobState::Failed) {
                                app.Error("model sizes: " + app.jobs.Error());
                              }
                            });
  job.background = background;
  app.jobs.Enqueue(std::move(job), app.platform.threads_enabled && !background);
  return true;
}

// Builds, prunes and saves the model at the highest chosen sparsity, then
// offers it as a download (page) or reports the path (desktop).
static bool StartExport(AppState& app, const nn::SparseBenchOptions& o) {
  if (app.jobs.Has(kExportLabel) || o.sparsities.empty()) return false;
  nn::PruneExportOptions eo;
  eo.model.width = o.width;
  eo.model.input_size = o.size;
  eo.model.seed = o.seed;
  eo.sparsity = *std::max_element(o.sparsities.begin(), o.sparsities.end());
  eo.prune.policy = o.policy;
  eo.prune.block = o.block;
  eo.save.fp16 = o.fp16;
  const std::string dir = app.platform.target == "wasm" ? std::string("/exports") : app.platform.user_dir;
  const std::string path = dir + "/" + nn::PruneExportName(eo);
  // Building, pruning and saving run in slices (weights, then a layer per step).
  auto exporter = std::make_shared<nn::PruneExport>(eo, path);
  app.jobs.Enqueue(MakeJob(
      kExportLabel,
      [exporter](JobContext& ctx) {
        ctx.SetDetail(exporter->Detail());
        const bool done = exporter->Step();
        ctx.SetProgress(exporter->Progress());
        if (done && !exporter->status().ok()) ctx.Fail(exporter->status().message());
        return done;
      },
      [&app, path](JobState js) {
        if (js != JobState::Done) {
          if (js == JobState::Failed) app.Error("export: " + app.jobs.Error());
          return;
        }
        app.sparse.last_export = path;
        app.Log("exported " + path);
        if (app.platform.offer_download) app.platform.offer_download(path);
      }),
      app.platform.threads_enabled);
  return true;
}

void ImportSparseModel(AppState& app, const std::string& path) {
  auto bytes = nn::ReadFileBytes(path);
  if (!bytes.ok()) {
    app.sparse.imported_info = bytes.status().message();
    app.Error(bytes.status().message());
    return;
  }
  auto info = nn::InspectModelBytes(bytes->data(), bytes->size(), path);
  if (!info.ok()) {
    app.sparse.imported_info = info.status().message();
    app.Error(info.status().message());
    return;
  }
  uint64_t weights = 0, nonzeros = 0;
  int csr = 0;
  for (auto& l : info->layers) {
    weights += l.weights;
    nonzeros += l.nonzeros;
    csr += l.storage == "csr" ? 1 : 0;
  }
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s: .fks v%u, %s, %s, %d layers (%d sparse CSR), %.1f%% of weights zero",
                path.c_str(), info->version, FormatBytes(double(info->file_bytes)).c_str(),
                info->fp16 ? "fp16" : "fp32", int(info->layers.size()), csr,
                weights ? 100.0 * double(weights - nonzeros) / double(weights) : 0.0);
  app.sparse.imported_info = buf;
  app.Log(std::string("loaded ") + buf);
}

bool RunSparseBenchFromParams(AppState& app, const std::map<std::string, std::string>& params) {
  EnsureBackends(app.sparse);
  nn::SparseBenchOptions o = OptionsFromPanel(app.sparse);
  o.backends = {"own-dense", "own-sparse"};
  try {
    auto list = [](const std::string& s) { return SplitList(s, ',', /*drop_empty=*/true); };
    for (auto& [k, v] : params) {
      if (k == "sparsity") {
        o.sparsities.clear();
        for (auto& x : list(v)) o.sparsities.push_back(std::stod(x));
      } else if (k == "width") {
        o.width = std::stof(v);
      } else if (k == "size") {
        o.size = std::stoi(v);
      } else if (k == "runs") {
        o.runs = std::stoi(v);
      } else if (k == "block") {
        o.block = std::stoi(v);
      } else if (k == "fp16") {
        o.fp16 = v == "1" || v == "true";
      } else if (k == "backend") {
        o.backends = list(v);
      } else if (k == "policy") {
        o.policy = v == "all" ? nn::PrunePolicy::All : nn::PrunePolicy::ForLatencyOnXNNPack;
      } else {
        app.Error("?run=sparse-bench: unknown parameter '" + k + "'");
        return false;
      }
    }
  } catch (const std::exception&) {
    app.Error("?run=sparse-bench: a parameter is not a number");
    return false;
  }
  return StartSparseBench(app, o);
}

// [SECTION] Charts and tables

static void DrawSizeChart(SparsePanelState& st) {
  const size_t n = st.sizes.size();
  std::vector<std::string> names(n);
  std::vector<const char*> cats(n);
  std::vector<double> d32(n), d16(n), s32(n), s16(n);
  for (size_t i = 0; i < n; i++) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.0f%%", st.sizes[i].sparsity * 100);
    names[i] = buf;
    d32[i] = double(st.sizes[i].dense_fp32) / 1e6;
    d16[i] = double(st.sizes[i].dense_fp16) / 1e6;
    s32[i] = double(st.sizes[i].sparse_fp32) / 1e6;
    s16[i] = double(st.sizes[i].sparse_fp16) / 1e6;
  }
  for (size_t i = 0; i < n; i++) cats[i] = names[i].c_str();
  ImGui::TextDisabled("%s", st.sizes_label.c_str());
  Plot p("sizes", ImVec2(-1, 250), {"File size (.fks)", "sparsity of the 1x1 convolutions", "MB", true, "%.2f MB"});
  p.SetCategories(cats.data(), n);
  p.Bars("dense fp32", d32.data(), colors::kMuted);
  p.Bars("dense fp16", d16.data(), IM_COL32(110, 110, 120, 255));
  p.Bars("sparse fp32", s32.data(), colors::kAccent);
  p.Bars("sparse fp16", s16.data(), colors::kGood);
  p.Draw();
  if (n > 0) {
    const auto& last = st.sizes.back();
    ImGui::TextWrapped("At %.0f%%: sparse fp16 is %.2fx smaller than dense fp32 (%s vs %s).",
                        last.sparsity * 100, double(last.dense_fp32) / double(std::max<uint64_t>(1, last.sparse_fp16)),
                        FormatBytes(double(last.sparse_fp16)).c_str(), FormatBytes(double(last.dense_fp32)).c_str());
  }
}

static void DrawLatencyChart(SparsePanelState& st) {
  std::vector<double> sps;
  std::vector<std::string> backends;
  for (auto& r : st.results) {
    if (std::find(sps.begin(), sps.end(), r.sparsity) == sps.end()) sps.push_back(r.sparsity);
    if (std::find(backends.begin(), backends.end(), r.backend) == backends.end()) backends.push_back(r.backend);
  }
  std::sort(sps.begin(), sps.end());
  std::vector<std::string> names(sps.size());
  std::vector<const char*> cats(sps.size());
  for (size_t i = 0; i < sps.size(); i++) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.0f%%", sps[i] * 100);
    names[i] = buf;
    cats[i] = names[i].c_str();
  }
  std::vector<std::vector<double>> ms(backends.size(), std::vector<double>(sps.size(), NAN));
  for (auto& r : st.results) {
    const size_t b = size_t(std::find(backends.begin(), backends.end(), r.backend) - backends.begin());
    const size_t s = size_t(std::find(sps.begin(), sps.end(), r.sparsity) - sps.begin());
    ms[b][s] = r.median_ms;
  }
  ImGui::TextDisabled("%s", st.results_label.c_str());
  Plot p("latency", ImVec2(-1, 250), {"Median latency, this device", "sparsity of the 1x1 convolutions", "ms", true, "%.2f ms"});
  p.SetCategories(cats.data(), cats.size());
  for (size_t b = 0; b < backends.size(); b++) {
    const ImU32 c = backends[b] == "own-sparse" ? colors::kAccent
                    : backends[b] == "own-dense" ? colors::kMuted
                    : backends[b] == "xnnpack-dense" ? colors::kAccent2
                                                     : IM_COL32(197, 134, 192, 255);
    p.Bars(backends[b].c_str(), ms[b].data(), c);
  }
  p.Draw();
}

static void DrawLatencyTable(SparsePanelState& st) {
  if (ImGui::BeginTable("lat", 8, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit |
                                      ImGuiTableFlags_ScrollX)) {
    ImGui::TableSetupColumn("backend");
    ImGui::TableSetupColumn("sparsity");
    ImGui::TableSetupColumn("median ms");
    ImGui::TableSetupColumn("p10-p90 ms");
    ImGui::TableSetupColumn("vs own-dense");
    ImGui::TableSetupColumn("model");
    ImGui::TableSetupColumn("max rel err");
    ImGui::TableSetupColumn("kernel");
    ImGui::TableHeadersRow();
    for (auto& r : st.results) {
      double dense = 0;
      for (auto& q : st.results)
        if (q.backend == "own-dense" && q.sparsity == r.sparsity) dense = q.median_ms;
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(r.backend.c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%.0f%%", r.sparsity * 100);
      ImGui::TableNextColumn();
      ImGui::Text("%.2f", r.median_ms);
      ImGui::TableNextColumn();
      ImGui::Text("%.2f-%.2f", r.p10_ms, r.p90_ms);
      ImGui::TableNextColumn();
      if (dense > 0 && r.median_ms > 0) {
        const double x = dense / r.median_ms;
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(x >= 1.05 ? colors::kGood : colors::kMuted), "%.2fx", x);
      } else {
        ImGui::TextDisabled("-");
      }
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(FormatBytes(double(r.model_bytes)).c_str());
      ImGui::TableNextColumn();
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(r.max_rel_err <= 1e-4 ? colors::kGood : colors::kBad), "%.1e",
                         r.max_rel_err);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(r.kernel.c_str());
    }
    ImGui::EndTable();
  }
}

// [SECTION] Panel

void DrawSparsePanel(AppState& app) {
  SparsePanelState& st = app.sparse;
  EnsureBackends(st);
  const bool busy = SparseJobPending(app);

  ImGui::TextWrapped(
      "Magnitude pruning zeroes the smallest weights of the 1x1 convolutions (TF Model Optimization semantics). "
      "Stored as CSR in a .fks file the model gets smaller; run with sparse kernels (%s here) it gets faster. "
      "Everything below is measured on this device.",
      kernels::BestNnKernels().isa.c_str());

  DrawRealModelsSection(app);
  DrawTrainSection(app);

  SectionHeader("Model and pruning (MobileNetV2)");
  if (busy) ImGui::BeginDisabled();
  ImGui::SetNextItemWidth(90);
  ImGui::Combo("width", &st.width_idx, kWidthNames, 6);
  HelpMarker("MobileNetV2 width multiplier: channels are scaled and rounded to multiples of 8.");
  ImGui::SameLine(0, 24);
  ImGui::SetNextItemWidth(90);
  ImGui::Combo("input size", &st.size_idx, kSizeNames, 5);
  ImGui::SameLine(0, 24);
  ImGui::SetNextItemWidth(250);
  const char* policies[] = {"PruneForLatencyOnXNNPack", "PruneAll"};
  ImGui::Combo("policy", &st.policy, policies, 2);
  HelpMarker("PruneForLatencyOnXNNPack prunes only 1x1, stride-1 convolutions, after checking the graph starts "
             "with a 3x3 stride-2 conv on 3 channels and ends in global average pooling (as TF MOT does).");
  ImGui::TextUnformatted("sparsities");
  for (int i = 0; i < 6; i++) {
    ImGui::SameLine();
    ImGui::Checkbox(kSparsityNames[i], &st.sparsity_on[i]);
  }
  ImGui::SetNextItemWidth(70);
  ImGui::Combo("block", &st.block_idx, kBlockNames, 3);
  HelpMarker("Output channels pruned together so they share one sparsity pattern (XNNPACK's 2/4-channel blocks).");
  ImGui::SameLine(0, 24);
  ImGui::Checkbox("fp16 weights", &st.fp16);
  ImGui::SameLine(0, 24);
  ImGui::SetNextItemWidth(160);
  ImGui::SliderInt("runs", &st.runs, 3, 50);
  ImGui::TextUnformatted("backends");
  for (size_t i = 0; i < st.backends.size(); i++) {
    ImGui::SameLine();
    bool on = st.backend_on[i] != 0;
    if (ImGui::Checkbox(st.backends[i].c_str(), &on)) st.backend_on[i] = on;
    for (const nn::BackendInfo& b : nn::Backends())
      if (st.backends[i] == b.name && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
        ImGui::SetTooltip("%s", b.help);
  }
  if (busy) ImGui::EndDisabled();

  const nn::SparseBenchOptions opt = OptionsFromPanel(st);
  const Status valid = nn::ValidateBenchOptions(opt);
  if (!valid.ok()) ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(colors::kBad), "%s", valid.message().c_str());
  const bool can_start = !busy && valid.ok();
  if (!can_start) ImGui::BeginDisabled();
  if (ImGui::Button("Run latency benchmark")) StartSparseBench(app, opt);
  RecordItem(app, "sparse.run_bench");
  ImGui::SameLine();
  if (ImGui::Button("Measure model sizes")) StartSizeTable(app, opt, false);
  RecordItem(app, "sparse.sizes");
  ImGui::SameLine();
  if (ImGui::Button("Export pruned model (.fks)")) StartExport(app, opt);
  RecordItem(app, "sparse.export");
  if (!can_start) ImGui::EndDisabled();
  HelpMarker("The export uses the highest selected sparsity. In the browser the file downloads; on the desktop it "
             "is written to your Fieldkit folder. Import a .fks (System > Files, or drop it on the page) to inspect it.");
  if (!st.last_export.empty()) ImGui::TextDisabled("last export: %s", st.last_export.c_str());
  if (!st.imported_info.empty()) ImGui::TextWrapped("imported: %s", st.imported_info.c_str());

  // Figure 1 appears without a click: sizes are computed, not timed.
  if (!st.sizes_requested && valid.ok()) {
    st.sizes_requested = true;
    StartSizeTable(app, opt, /*background=*/true);
  }
  // Figures 1 and 2 side by side when there is room, the table under them.
  const bool wide = ImGui::GetContentRegionAvail().x > 1000 &&
                    ImGui::BeginTable("figures", 2, ImGuiTableFlags_SizingStretchSame);
  if (wide) ImGui::TableNextColumn();
  SectionHeader("Model size (Figure 1)");
  if (st.sizes.empty()) ImGui::TextDisabled("Measuring model sizes...");
  else DrawSizeChart(st);
  if (wide) ImGui::TableNextColumn();
  SectionHeader("Latency (Figure 2)");
  if (st.results.empty()) {
    ImGui::TextWrapped("Press \"Run latency benchmark\": each backend runs the same weights and input, "
                       "interleaved run by run so they share this machine's noise.");
  } else {
    DrawLatencyChart(st);
  }
  if (wide) ImGui::EndTable();
  if (!st.results.empty()) DrawLatencyTable(st);
}

}  // namespace fk::ui
