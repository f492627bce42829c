// The Sparse panel's "Train and prune" section: a thin view over
// nn::PruneTrainSession (the same object `fieldkit-cli sparse train` and
// `sparse prune-train` drive). Two jobs, each on the UI thread in slices of
// one layer so the curves can be drawn live: train the dense model, then prune
// it to the chosen sparsities, one-shot and with the seed's 3-step strategy.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/strings.h"
#include "imgui.h"
#include "kernels/nn_kernels.h"
#include "ui/app_state.h"
#include "ui/panels.h"
#include "ui/plot.h"
#include "ui/widgets.h"

namespace fk::ui {

namespace {

constexpr const char* kTrainLabel = "Train dense";
constexpr const char* kPruneLabel = "Prune and fine-tune";
constexpr double kSparsities[4] = {0.5, 0.7, 0.8, 0.9};
const ImU32 kOneShotColor = IM_COL32(230, 120, 60, 255);
const ImU32 kThreeStepColor = IM_COL32(80, 180, 110, 255);
const ImU32 kDenseColor = IM_COL32(110, 150, 230, 255);

bool Busy(const AppState& app) { return app.jobs.Has(kTrainLabel) || app.jobs.Has(kPruneLabel); }

nn::Dataset& TrainData(AppState& app) {
  SparsePanelState& st = app.sparse;
  auto* gen = dynamic_cast<nn::GeneratedShapes*>(st.train_data.get());
  if (!gen || gen->Size(nn::Split::kTrain) != st.train_size || gen->options().difficulty != st.train_difficulty) {
    nn::GenOptions g;
    g.train = st.train_size;
    g.difficulty = st.train_difficulty;
    st.train_data = std::make_unique<nn::GeneratedShapes>(g);
  }
  return *st.train_data;
}

void Enqueue(AppState& app, const char* label, bool prune);

bool StartPrune(AppState& app) {
  SparsePanelState& st = app.sparse;
  if (Busy(app) || !st.train_dense || !st.train_dense->DenseModel()) return false;
  nn::PruneTrainOptions o = st.train_opts;
  o.sparsities.clear();
  for (int i = 0; i < 4; ++i)
    if (st.train_sparsity_on[i]) o.sparsities.push_back(kSparsities[i]);
  if (o.sparsities.empty()) {
    app.Error("prune: choose at least one sparsity");
    return false;
  }
  o.schedule = st.train_schedule == 1 ? nn::SparsitySchedule::Constant : nn::SparsitySchedule::Polynomial;
  st.train = std::make_unique<nn::PruneTrainSession>(*st.train_data, *st.train_dense->DenseModel(), o);
  Enqueue(app, kPruneLabel, true);
  return true;
}

void Enqueue(AppState& app, const char* label, bool prune) {
  nn::PruneTrainSession* s = app.sparse.train.get();
  app.sparse.train_error.clear();
  app.jobs.Enqueue(
      MakeJob(label,
              [s](JobContext& ctx) {
                const bool done = s->Step();
                ctx.SetProgress(s->Progress());
                ctx.SetDetail(s->Detail());
                if (done && !s->status().ok()) ctx.Fail(s->status().message());
                return done;
              },
              [&app, prune, label](JobState js) {
                SparsePanelState& st = app.sparse;
                if (js == JobState::Done) {
                  if (prune) {
                    st.train_pruned = std::move(st.train);
                    app.Log("pruning done");
                  } else {
                    st.train_dense = std::move(st.train);
                    st.train_pruned.reset();
                    app.Log("dense training done");
                    if (st.train_then_prune) {
                      st.train_then_prune = false;
                      StartPrune(app);
                    }
                  }
                } else {
                  st.train_error = js == JobState::Failed ? app.jobs.Error() : "cancelled";
                  if (js == JobState::Failed) app.Error(std::string(label) + ": " + app.jobs.Error());
                  st.train_then_prune = false;
                }
                if (js != JobState::Done) st.train.reset();
              }),
      /*threaded=*/false);  // the panel draws the curves from the session while it runs
}

bool StartTrain(AppState& app) {
  SparsePanelState& st = app.sparse;
  if (Busy(app)) return false;
  nn::PruneTrainOptions o = st.train_opts;
  o.epochs = st.train_epochs;
  o.sparsities.clear();
  st.train = std::make_unique<nn::PruneTrainSession>(TrainData(app), o);
  Enqueue(app, kTrainLabel, false);
  return true;
}

bool ParseNumber(AppState& app, const std::string& k, const std::string& v, double lo, double hi, double* out) {
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || !end || *end || !(x >= lo && x <= hi)) {
    char range[64];
    std::snprintf(range, sizeof range, "%g..%g", lo, hi);
    app.Error("?run=sparse-train: " + k + " must be a number in " + range + ", got '" + v + "'");
    return false;
  }
  *out = x;
  return true;
}

// The live loss curve of the session in flight (or the last one), and
// validation accuracy at epoch ends.
void DrawCurves(const nn::PruneTrainSession& s) {
  const auto& curve = s.Curve();
  if (curve.empty()) return;
  std::vector<double> x, loss, vx, vacc;
  double offset = 0, last_stage_end = 0;
  std::string stage;
  for (const nn::TrainCurvePoint& p : curve) {
    if (p.stage != stage) {  // stages follow each other on one epoch axis
      offset = last_stage_end;
      stage = p.stage;
    }
    x.push_back(offset + p.epoch);
    last_stage_end = offset + p.epoch;
    loss.push_back(p.loss);
    if (p.val_accuracy >= 0) {
      vx.push_back(offset + p.epoch);
      vacc.push_back(100.0 * p.val_accuracy);
    }
  }
  const float w = (ImGui::GetContentRegionAvail().x - 8) / 2;
  {
    Plot p("train_loss", ImVec2(w, 200), {"Training loss", "epoch", "cross-entropy", true, "%.3f"});
    p.Line("loss", x.data(), loss.data(), x.size(), kDenseColor, false);
    p.Draw();
  }
  ImGui::SameLine();
  {
    Plot p("train_val", ImVec2(w, 200), {"Validation accuracy", "epoch", "%", true, "%.1f %%"});
    p.Line("validation", vx.data(), vacc.data(), vx.size(), kThreeStepColor, true);
    p.Draw();
  }
}

void DrawResults(const nn::PruneTrainSession& dense, const nn::PruneTrainSession* pruned) {
  const auto& rows = pruned ? pruned->Results() : dense.Results();
  if (rows.empty()) return;
  if (ImGui::BeginTable("train_results", 9, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) {
    for (const char* h : {"sparsity", "strategy", "test accuracy", "drop (points)", "validation", "size", "dense ms",
                          "sparse ms", "speed-up"})
      ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (const nn::PruneTrainResult& r : rows) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("%.0f %%", 100 * r.sparsity);
      ImGui::TableNextColumn();
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(r.strategy == "3step"      ? kThreeStepColor
                                                        : r.strategy == "one-shot" ? kOneShotColor
                                                                                   : kDenseColor),
                         "%s", r.strategy.c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%.1f %%", 100 * r.accuracy);
      ImGui::TableNextColumn();
      if (r.strategy == "dense") ImGui::TextDisabled("-");
      else ImGui::Text("%+.1f", -100 * r.top1_drop);
      ImGui::TableNextColumn();
      ImGui::Text("%.1f %%", 100 * r.val_accuracy);
      ImGui::TableNextColumn();
      ImGui::Text("%.1f kB", r.model_bytes / 1000.0);
      ImGui::TableNextColumn();
      ImGui::Text("%.4f", r.median_ms_dense);
      ImGui::TableNextColumn();
      ImGui::Text("%.4f", r.median_ms_sparse);
      ImGui::TableNextColumn();
      if (r.median_ms_sparse > 0 && !rows.empty() && rows.front().median_ms_dense > 0)
        ImGui::Text("%.2fx", rows.front().median_ms_dense / r.median_ms_sparse);
    }
    ImGui::EndTable();
  }
  if (!pruned) return;
  // The seed's Figures 1-2 plus the quality axis: accuracy, size and latency against sparsity.
  std::vector<double> ox, oy, tx, ty, dx, dy, sx, ss, lx, ld, ls;
  const double dense_acc = rows.front().accuracy;
  for (const nn::PruneTrainResult& r : rows) {
    if (r.strategy == "one-shot") ox.push_back(100 * r.sparsity), oy.push_back(100 * r.accuracy);
    if (r.strategy == "3step") {
      tx.push_back(100 * r.sparsity), ty.push_back(100 * r.accuracy);
      sx.push_back(100 * r.sparsity), ss.push_back(r.model_bytes / 1000.0);
      lx.push_back(100 * r.sparsity), ld.push_back(rows.front().median_ms_dense), ls.push_back(r.median_ms_sparse);
    }
  }
  if (!tx.empty()) dx = {0, tx.back()}, dy = {100 * dense_acc, 100 * dense_acc};
  const float w = (ImGui::GetContentRegionAvail().x - 16) / 3;
  {
    Plot p("acc_vs_sparsity", ImVec2(w, 230), {"Test accuracy vs sparsity", "sparsity of the 1x1 convs, %", "%", true, "%.1f %%"});
    p.Line("dense", dx.data(), dy.data(), dx.size(), kDenseColor, false);
    p.Line("one-shot", ox.data(), oy.data(), ox.size(), kOneShotColor);
    p.Line("3-step", tx.data(), ty.data(), tx.size(), kThreeStepColor);
    p.Draw();
  }
  ImGui::SameLine();
  {
    Plot p("size_vs_sparsity", ImVec2(w, 230), {"Model size (.fks)", "sparsity, %", "kB", true, "%.1f kB"});
    p.Line("3-step", sx.data(), ss.data(), sx.size(), kThreeStepColor);
    p.Draw();
  }
  ImGui::SameLine();
  {
    Plot p("lat_vs_sparsity", ImVec2(w, 230), {"Median latency, this device", "sparsity, %", "ms", true, "%.4f ms"});
    p.Line("dense model", lx.data(), ld.data(), lx.size(), kDenseColor, false);
    p.Line("pruned, sparse kernels", lx.data(), ls.data(), lx.size(), kThreeStepColor);
    p.Draw();
  }
}

}  // namespace

// ?run=sparse-train[&epochs=N][&sparsity=0.5,0.9][&schedule=polynomial|constant][&prune_epochs=E]
// [&finetune_epochs=E][&train_size=N][&difficulty=D][&eval_limit=N][&runs=N]: trains the dense model, then
// prunes it (difficulty < 1: the generated shapes with weaker nuisances, a quick learnable run for tests).
bool RunSparseTrainFromParams(AppState& app, const std::map<std::string, std::string>& params) {
  SparsePanelState& st = app.sparse;
  for (auto& [k, v] : params) {
    double x = 0;
    if (k == "epochs") {
      if (!ParseNumber(app, k, v, 1, 200, &x)) return false;
      st.train_epochs = int(x);
    } else if (k == "sparsity") {
      for (bool& on : st.train_sparsity_on) on = false;
      for (const std::string& item : SplitList(v, ',', /*drop_empty=*/true)) {
        if (!ParseNumber(app, k, item, 0, 1, &x)) return false;
        bool known = false;
        for (int i = 0; i < 4; ++i)
          if (std::abs(kSparsities[i] - x) < 1e-9) st.train_sparsity_on[i] = known = true;
        if (!known) {
          app.Error("?run=sparse-train: sparsity " + item + " is not one of 0.5, 0.7, 0.8, 0.9");
          return false;
        }
      }
    } else if (k == "schedule") {
      if (v != "polynomial" && v != "constant") {
        app.Error("?run=sparse-train: schedule must be polynomial or constant, got '" + v + "'");
        return false;
      }
      st.train_schedule = v == "constant" ? 1 : 0;
    } else if (k == "prune_epochs") {
      if (!ParseNumber(app, k, v, 0.01, 100, &x)) return false;
      st.train_opts.prune_epochs = float(x);
    } else if (k == "finetune_epochs") {
      if (!ParseNumber(app, k, v, 0, 100, &x)) return false;
      st.train_opts.finetune_epochs = float(x);
    } else if (k == "train_size") {
      if (!ParseNumber(app, k, v, 64, 1000000, &x)) return false;
      st.train_size = int(x);
    } else if (k == "difficulty") {
      if (!ParseNumber(app, k, v, 0, 1, &x)) return false;
      st.train_difficulty = float(x);
    } else if (k == "eval_limit") {
      if (!ParseNumber(app, k, v, 0, 1000000, &x)) return false;
      st.train_opts.eval_limit = int(x);
    } else if (k == "runs") {
      if (!ParseNumber(app, k, v, 0, 10000, &x)) return false;
      st.train_opts.latency_runs = int(x);
    } else {
      app.Error("?run=sparse-train: unknown parameter '" + k +
                "' (known: epochs, sparsity, schedule, prune_epochs, finetune_epochs, train_size, difficulty, "
                "eval_limit, runs)");
      return false;
    }
  }
  st.train_then_prune = true;
  st.train_scroll = true;
  if (!StartTrain(app)) {
    st.train_then_prune = false;
    return false;
  }
  return true;
}

nlohmann::json SparseTrainStatusJson(const AppState& app) {
  const SparsePanelState& st = app.sparse;
  if (!st.train && !st.train_dense && st.train_error.empty()) return nullptr;
  nlohmann::json j;
  j["state"] = st.train ? (app.jobs.Has(kPruneLabel) ? "pruning" : "training")
               : !st.train_error.empty() ? "failed"
               : st.train_pruned         ? "done"
                                         : "trained";
  if (!st.train_error.empty()) j["error"] = st.train_error;
  if (st.train) {
    j["detail"] = st.train->Detail();
    j["curve_points"] = st.train->Curve().size();
  }
  if (st.train_dense) j["dense"] = st.train_dense->Json();
  if (st.train_pruned) j["pruned"] = st.train_pruned->Json();
  return j;
}

void DrawTrainSection(AppState& app) {
  SparsePanelState& st = app.sparse;
  SectionHeader("Train and prune: the seed's 3-step strategy, and what pruning costs in accuracy");
  if (st.train_scroll) {
    ImGui::SetScrollHereY(0.0f);
    st.train_scroll = false;
  }
  ImGui::TextWrapped(
      "Pruning makes a model smaller and faster with little quality loss only if it is pruned during training. Train "
      "a small MobileNetV2 here on generated shapes (10 classes, 32x32; %d training images rendered on the fly), "
      "then prune its 1x1 convolutions two ways: one shot (no fine-tuning) and the 3-step strategy (dense model; "
      "prune with a PolynomialDecay schedule while fine-tuning; fine-tune with the masks fixed).",
      st.train_size);
  const bool busy = Busy(app);
  if (busy) ImGui::BeginDisabled();
  ImGui::SetNextItemWidth(140);
  ImGui::SliderInt("epochs", &st.train_epochs, 1, 30);
  ImGui::SameLine(0, 16);
  if (ImGui::Button("Train dense")) StartTrain(app);
  RecordItem(app, "sparse.train");
  ImGui::SameLine(0, 32);
  for (int i = 0; i < 4; ++i) {
    char label[32];
    std::snprintf(label, sizeof label, "%.0f%%##train_sp%d", 100 * kSparsities[i], i);
    ImGui::Checkbox(label, &st.train_sparsity_on[i]);
    ImGui::SameLine();
  }
  ImGui::SetNextItemWidth(170);
  const char* schedules[] = {"PolynomialDecay", "ConstantSparsity"};
  ImGui::Combo("##schedule", &st.train_schedule, schedules, 2);
  ImGui::SameLine(0, 16);
  const bool can_prune = st.train_dense && st.train_dense->DenseModel();
  if (!can_prune) ImGui::BeginDisabled();
  if (ImGui::Button("Prune (one-shot + 3-step)")) StartPrune(app);
  if (!can_prune) ImGui::EndDisabled();
  RecordItem(app, "sparse.prune_train");
  if (busy) ImGui::EndDisabled();
  HelpMarker(
      "Each model is scored as it ships: batch norm folded into the convolutions, masks baked in, run by the same "
      "inference kernels as the benchmark, on the 5,000 test images (and the 2,000 validation images every setting "
      "was chosen on); stored as .fks for its size and timed on this device with dense and sparse kernels. Stage 2 "
      "updates the masks every 100 steps (TF Model Optimization's prune_low_magnitude); stage 3 keeps them fixed.");

  const nn::PruneTrainSession* live = st.train.get();
  if (live) {
    ImGui::Text("%s  (%.0f images/s)", live->Detail().c_str(), live->ImagesPerSecond());
    DrawCurves(*live);
  } else if (st.train_pruned) {
    DrawCurves(*st.train_pruned);
  } else if (st.train_dense) {
    DrawCurves(*st.train_dense);
  }
  if (!st.train_error.empty()) ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", st.train_error.c_str());
  if (!st.train_dense) {
    if (!live)
      ImGui::TextDisabled("Press \"Train dense\" (%s kernels on this device; about a minute natively).",
                          kernels::BestNnKernels().isa.c_str());
    return;
  }
  DrawResults(*st.train_dense, st.train_pruned.get());
}

}  // namespace fk::ui
