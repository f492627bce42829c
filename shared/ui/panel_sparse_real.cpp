// The Sparse Inference panel's "Real models" section: MediaPipe's released
// dense and sparse models side by side on a picture (nn::RealModelsSession),
// your own .tflite inspected and run, and ?run=sparse-real.
#include <algorithm>
#include <cstdio>

#include <imgui.h>
#include <nlohmann/json.hpp>

#include "core/json_write.h"
#include "core/strings.h"
#include "kernels/nn_kernels.h"
#include "nn/real_bench.h"
#include "nn/tflite.h"
#include "ui/app_state.h"
#include "ui/panels.h"
#include "ui/widgets.h"

namespace fk::ui {

namespace {

const char* const kRealLabel = "Real models";

struct Pair {
  const char* title;
  std::vector<std::string> models;
};
const std::vector<Pair>& Pairs() {
  static const std::vector<Pair> p = {
      {"Face detection, full range: sparse vs dense", {"mediapipe:face_full_sparse", "mediapipe:face_full"}},
      {"Hand landmarks: lite vs full", {"mediapipe:hand_lite", "mediapipe:hand_full"}},
      {"Face detection, short range", {"mediapipe:face_short"}},
  };
  return p;
}

// Model A green, model B orange (boxes, keypoints, skeletons and table rows).
const ImU32 kModelColors[] = {IM_COL32(80, 220, 120, 255), IM_COL32(255, 160, 60, 255)};

bool IsPicture(const std::string& path) {
  std::string e = Lower(path.substr(path.find_last_of('.') == std::string::npos ? path.size() : path.find_last_of('.')));
  return e == ".png" || e == ".jpg" || e == ".jpeg";
}

void Destroy(AppState& app, uint64_t& tex) {
  if (tex && app.platform.destroy_texture) app.platform.destroy_texture(tex);
  tex = 0;
}

void ReleaseTexture(AppState& app) {
  Destroy(app, app.sparse.real_texture_retired);
  Destroy(app, app.sparse.real_texture);
}

// A new picture mid-frame (the camera pump runs after the panel drew): the
// draw list already names the current texture, so it is retired, not deleted,
// and goes one frame later. Deleting it at once drew every camera frame black.
void MakeTexture(AppState& app) {
  SparsePanelState& st = app.sparse;
  Destroy(app, st.real_texture_retired);
  st.real_texture_retired = st.real_texture;
  st.real_texture = 0;
  if (!st.real_done || !app.platform.create_texture) return;
  const Image& img = st.real_done->Picture();
  if (img.empty()) return;
  std::vector<uint8_t> rgba(size_t(img.width) * size_t(img.height) * 4);
  for (size_t i = 0, n = size_t(img.width) * size_t(img.height); i < n; ++i) {
    rgba[4 * i] = img.rgb[3 * i], rgba[4 * i + 1] = img.rgb[3 * i + 1], rgba[4 * i + 2] = img.rgb[3 * i + 2];
    rgba[4 * i + 3] = 255;
  }
  st.real_texture = app.platform.create_texture(rgba.data(), img.width, img.height);
}

}  // namespace

bool StartRealModels(AppState& app, const nn::RealModelsOptions& opt) {
  if (app.jobs.Has(kRealLabel)) return false;  // the job owns app.sparse.real
  SparsePanelState& st = app.sparse;
  // In the page the models come from its server on first use (never from elsewhere).
  if (app.platform.fetch_bundle) app.platform.fetch_bundle(nn::BundleFiles());
  st.real = std::make_unique<nn::RealModelsSession>(opt);
  nn::RealModelsSession* s = st.real.get();
  std::string what;
  for (const std::string& m : opt.models) what += (what.empty() ? "" : " vs ") + m;
  const auto pending = app.platform.bundle_pending;
  const auto bundle_error = app.platform.bundle_error;
  app.jobs.Enqueue(MakeJob(
      kRealLabel,
      [s, pending, bundle_error](JobContext& ctx) {
        if (pending && pending() > 0) {  // wait for the fetches, without blocking a frame
          ctx.SetDetail("fetching the bundled models from this page's server: " + std::to_string(pending()) +
                        " file(s) left");
          return false;
        }
        const bool done = s->Step();
        ctx.SetProgress(s->Progress());
        ctx.SetDetail(s->Detail());
        if (done && !s->status().ok()) {
          std::string why = s->status().message();
          if (bundle_error && !bundle_error().empty()) why += " (" + bundle_error() + ")";
          ctx.Fail(why);
        }
        return done;
      },
      [&app, what](JobState js) {
        SparsePanelState& st = app.sparse;
        if (js == JobState::Done) {
          st.real_done = std::move(st.real);
          MakeTexture(app);
          app.Log("real models done: " + what);
        } else if (js == JobState::Failed) {
          app.Error("real models: " + app.jobs.Error());
        } else if (js == JobState::Cancelled) {
          app.Log("real models cancelled");
        }
        st.real.reset();
      }),
      app.platform.threads_enabled);
  return true;
}

// ?run=sparse-real&model=A[,B][&runs=N][&image=PATH]
bool RunSparseRealFromParams(AppState& app, const std::map<std::string, std::string>& params) {
  nn::RealModelsOptions o;
  o.models = Pairs()[0].models;
  o.runs = app.sparse.real_runs;
  for (auto& [k, v] : params) {
    if (k == "model") {
      o.models = SplitList(v, ',', /*drop_empty=*/true);
    } else if (k == "runs") {
      char* end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (!end || *end || n < 0 || n > 10000) {
        app.Error("?run=sparse-real: runs must be a number in 0..10000, got '" + v + "'");
        return false;
      }
      o.runs = int(n);
    } else if (k == "image") {
      o.image = v;
    } else if (k == "camera") {
      app.sparse.camera = v == "1" || v == "true";
      if (app.sparse.camera && !app.platform.camera_enable) {
        app.Error("?run=sparse-real: camera=1 needs the page (this build has no camera)");
        return false;
      }
      if (app.sparse.camera) app.UseCamera("sparse", true);
    } else {
      app.Error("?run=sparse-real: unknown parameter '" + k + "' (known: model, runs, image, camera)");
      return false;
    }
  }
  if (o.models.empty() || o.models.size() > 2) {
    app.Error("?run=sparse-real: give one or two models (model=mediapipe:face_full_sparse,mediapipe:face_full)");
    return false;
  }
  return StartRealModels(app, o);
}

nlohmann::json SparseRealStatusJson(const AppState& app) {
  const SparsePanelState& st = app.sparse;
  if (!st.real_done) return nlohmann::json();
  nlohmann::json j = st.real_done->Json();
  if (st.camera || st.camera_frames > 0) {
    nlohmann::json fps = nlohmann::json::array();
    for (size_t i = 0; i < st.real_done->Results().size() && i < 2; ++i)
      fps.push_back(st.camera_ms[i] > 0 ? JsonNumberAs(1000.0 / st.camera_ms[i], "%.1f") : nlohmann::json(nullptr));
    j["camera"] = {{"state", st.camera_state}, {"frames", st.camera_frames}, {"fps", fps}};
  }
  return j;
}

// Per UI frame while the camera is on: the next loaded model on the current camera frame (one
// inference, so a UI frame never waits on more); a new camera frame once every model has run.
namespace {
void CameraFailed(AppState& app, const Status& s) {
  app.Error("camera: " + s.message());
  app.sparse.camera = false;
  app.UseCamera("sparse", false);
}
}  // namespace

void SparseCameraPump(AppState& app, double /*budget_ms*/) {
  SparsePanelState& st = app.sparse;
  if (!st.camera || !app.platform.camera_frame) return;
  st.camera_state = app.platform.camera_state ? app.platform.camera_state() : "";
  if (st.camera_state != "on" || app.jobs.Has(kRealLabel)) return;
  if (!st.real_done) {  // load the chosen pair first (no latency runs)
    nn::RealModelsOptions o;
    o.models = st.real_pair < int(Pairs().size()) ? Pairs()[size_t(st.real_pair)].models
                                                   : std::vector<std::string>{st.own_model};
    o.runs = 0;
    StartRealModels(app, o);
    return;
  }
  // One model per UI frame (see RealModelsSession::StepFrame): a new camera frame when the last
  // one has been through every model.
  nn::RealModelsSession& session = *st.real_done;
  if (!session.FrameInProgress()) {
    Image frame;
    if (!app.platform.camera_frame(frame.rgb, frame.width, frame.height)) return;
    if (Status s = session.BeginFrame(frame); !s) return CameraFailed(app, s);
    MakeTexture(app);  // the new frame; the boxes of models not yet run on it lag by one UI frame
  }
  Result<bool> done = session.StepFrame();
  if (!done) return CameraFailed(app, done.status());
  if (!*done) return;
  ++st.camera_frames;
  for (size_t i = 0; i < session.Results().size() && i < 2; ++i) {
    const double ms = session.Results()[i].image_ms;
    st.camera_ms[i] = st.camera_ms[i] > 0 ? 0.9 * st.camera_ms[i] + 0.1 * ms : ms;
  }
}

// A dropped .tflite (or .fks v2 network): inspected now, runnable as "your model".
void ImportOwnModel(AppState& app, const std::string& path) {
  SparsePanelState& st = app.sparse;
  auto net = nn::LoadNet(path);  // a .tflite, or a .fks v2 written by `sparse import`
  if (!net) {
    st.own_info = net.status().message();
    app.Error(st.own_info);
    return;
  }
  const nn::NetSummary s = nn::Summarize(*net);
  std::string ops;
  for (auto& [name, n] : s.file_ops) ops += (ops.empty() ? "" : ", ") + name + " x" + std::to_string(n);
  std::string types;
  for (auto& t : s.stored_types) types += (types.empty() ? "" : ", ") + t;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "%s: %s, %zu parameters; constants stored as %s (%d sparse); %zu 1x1 convolutions, %.1f%% of their "
                "weights zero",
                s.name.c_str(), FormatBytes(double(s.bytes)).c_str(), s.parameters, types.c_str(), s.stored_sparse,
                s.pointwise.size(), 100.0 * s.pointwise_zero_fraction);
  st.own_info = std::string(buf) + "\noperators: " + ops;
  st.own_model = path;
  st.real_pair = int(Pairs().size());  // select it
  app.Log("inspected " + path);
}

void ReleaseRealTextures(AppState& app) { ReleaseTexture(app); }

namespace {

void DrawOverlay(const nn::RealModelsSession& s, ImVec2 origin, float scale) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (size_t i = 0; i < s.Results().size() && i < 2; ++i) {
    const nn::RealModelResult& r = s.Results()[i];
    const ImU32 c = kModelColors[i];
    auto at = [&](float mx, float my) {  // model-normalized -> screen
      const auto p = nn::mediapipe::ModelToImage(r.lb, mx, my);
      return ImVec2(origin.x + p[0] * scale, origin.y + p[1] * scale);
    };
    for (const auto& d : r.faces) {
      dl->AddRect(at(d.x, d.y), at(d.x + d.w, d.y + d.h), c, 0.f, 0, 2.f + float(i));
      for (const auto& k : d.keypoints) dl->AddCircleFilled(at(k[0], k[1]), 3.f, c);
      char t[32];
      std::snprintf(t, sizeof t, "%.2f", d.score);
      const ImVec2 tl = at(d.x, d.y);
      dl->AddText(ImVec2(tl.x, tl.y - 16.f - 14.f * float(i)), c, t);
    }
    if (r.hand && r.hand->present) {
      for (const auto& e : nn::mediapipe::HandConnections()) {
        const auto& a = r.hand->landmarks[size_t(e[0])];
        const auto& b = r.hand->landmarks[size_t(e[1])];
        dl->AddLine(at(a[0], a[1]), at(b[0], b[1]), c, 2.f);
      }
      for (const auto& l : r.hand->landmarks) dl->AddCircleFilled(at(l[0], l[1]), 3.f, c);
    }
  }
}

void DrawResultsTable(const nn::RealModelsSession& s) {
  const bool has_xnn = std::any_of(s.Results().begin(), s.Results().end(),
                                      [](const nn::RealModelResult& r) { return r.xnnpack_median_ms >= 0; });
  const int cols = has_xnn ? 10 : 9;
  if (!ImGui::BeginTable("real_models", cols, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit)) return;
  ImGui::TableSetupColumn("model");
  ImGui::TableSetupColumn("size");
  ImGui::TableSetupColumn("ops");
  ImGui::TableSetupColumn("1x1 on spmm");
  ImGui::TableSetupColumn("median ms");
  ImGui::TableSetupColumn("p10 / p90 ms");
  ImGui::TableSetupColumn("all-dense ms");
  if (has_xnn) ImGui::TableSetupColumn("XNNPACK dense ms");
  ImGui::TableSetupColumn("error vs TFLite");
  ImGui::TableSetupColumn("found");
  ImGui::TableHeadersRow();
  for (size_t i = 0; i < s.Results().size(); ++i) {
    const nn::RealModelResult& r = s.Results()[i];
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kModelColors[std::min<size_t>(i, 1)]), "%s", r.name.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(FormatBytes(double(r.bytes)).c_str());
    ImGui::TableNextColumn();
    ImGui::Text("%zu", r.ops);
    ImGui::TableNextColumn();
    ImGui::Text("%d of %d", r.sparse_layers, r.pointwise_layers);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s\n%d weight tensors stored sparse in the file", r.kernel.c_str(), r.stored_sparse);
    ImGui::TableNextColumn();
    if (r.median_ms > 0) ImGui::Text("%.2f", r.median_ms);
    else ImGui::TextDisabled("-");  // no timed runs (camera mode loads the models only)
    ImGui::TableNextColumn();
    if (r.median_ms > 0) ImGui::Text("%.2f / %.2f", r.p10_ms, r.p90_ms);
    else ImGui::TextDisabled("-");
    ImGui::TableNextColumn();
    if (r.dense_median_ms >= 0) ImGui::Text("%.2f", r.dense_median_ms);
    else ImGui::TextDisabled("-");
    if (has_xnn) {
      ImGui::TableNextColumn();
      if (r.xnnpack_median_ms >= 0) ImGui::Text("%.2f", r.xnnpack_median_ms);
      else ImGui::TextDisabled("-");
      if (!r.xnnpack_note.empty() && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", r.xnnpack_note.c_str());
    }
    ImGui::TableNextColumn();
    if (r.max_rel_err_vs_reference) ImGui::Text("%.1e", *r.max_rel_err_vs_reference);
    else ImGui::TextDisabled("no reference");
    ImGui::TableNextColumn();
    if (r.task == nn::ModelTask::FaceDetection) ImGui::Text("%zu face(s)", r.faces.size());
    else if (r.hand) ImGui::Text(r.hand->present ? "hand (%.2f)" : "no hand (%.2f)", r.hand->presence);
    else ImGui::TextDisabled("outputs only");
  }
  ImGui::EndTable();
}

}  // namespace

void DrawRealModelsSection(AppState& app) {
  SparsePanelState& st = app.sparse;
  SectionHeader("Real models: MediaPipe's released dense and sparse models");
  ImGui::TextWrapped(
      "MediaPipe released pruned models next to dense ones (face detection full range: 46 of its weight tensors "
      "stored sparse). Both run here on our kernels, on the same picture; XNNPACK runs them too where it is built in. "
      "Drop a .tflite to inspect and run your own model; drop a PNG/JPEG to use it as the picture.");
  const bool busy = app.jobs.Has(kRealLabel);
  if (busy) ImGui::BeginDisabled();
  std::vector<std::string> titles;
  for (const Pair& p : Pairs()) titles.push_back(p.title);
  if (!st.own_model.empty()) titles.push_back("Your model: " + st.own_model.substr(st.own_model.find_last_of('/') + 1));
  if (st.real_pair >= int(titles.size())) st.real_pair = 0;
  ImGui::SetNextItemWidth(360);
  if (ImGui::BeginCombo("models", titles[size_t(st.real_pair)].c_str())) {
    for (size_t i = 0; i < titles.size(); ++i)
      if (ImGui::Selectable(titles[i].c_str(), int(i) == st.real_pair)) st.real_pair = int(i);
    ImGui::EndCombo();
  }
  RecordItem(app, "sparse.real_models");
  ImGui::SameLine(0, 24);
  std::vector<std::string> pictures = {""};
  for (const ImportedFile& f : app.imports)
    if (IsPicture(f.path)) pictures.push_back(f.path);
  auto picture_title = [](const std::string& p) {
    return p.empty() ? std::string("astronaut.png (bundled)") : p.substr(p.find_last_of('/') + 1);
  };
  ImGui::SetNextItemWidth(220);
  if (ImGui::BeginCombo("picture", picture_title(st.real_picture).c_str())) {
    for (const std::string& p : pictures)
      if (ImGui::Selectable(picture_title(p).c_str(), p == st.real_picture)) st.real_picture = p;
    ImGui::EndCombo();
  }
  ImGui::SameLine(0, 24);
  ImGui::SetNextItemWidth(140);
  ImGui::SliderInt("timed runs", &st.real_runs, 5, 100);
  ImGui::SameLine(0, 24);
  {
    const bool can = bool(app.platform.camera_enable);
    if (!can) ImGui::BeginDisabled();
    if (ImGui::Checkbox("camera", &st.camera)) {
      app.UseCamera("sparse", st.camera);
      if (st.camera) st.camera_frames = 0, st.camera_ms[0] = st.camera_ms[1] = 0;
    }
    if (!can) ImGui::EndDisabled();
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
      ImGui::SetTooltip(can ? "Your camera, one frame per inference, both models on the same frame (nothing leaves "
                              "this page)"
                            : "The camera works in the page (browser); the desktop app uses pictures");
  }
  if (ImGui::Button("Run side by side")) {
    nn::RealModelsOptions o;
    o.models = st.real_pair < int(Pairs().size()) ? Pairs()[size_t(st.real_pair)].models
                                                   : std::vector<std::string>{st.own_model};
    o.image = st.real_picture;
    o.runs = st.real_runs;
    StartRealModels(app, o);
  }
  RecordItem(app, "sparse.real_run");
  if (busy) ImGui::EndDisabled();
  HelpMarker("Per model: import the .tflite, pick the faster kernel per 1x1 layer by timing both, compare with "
             "TFLite's own outputs on a fixed input, run on the picture (letterboxed as MediaPipe does), then time "
             "the models in turn, run after run.");
  if (!st.own_info.empty()) ImGui::TextWrapped("your model: %s", st.own_info.c_str());

  if (!st.real_done) {
    ImGui::TextDisabled("Press \"Run side by side\" (%s kernels on this device).", kernels::BestNnKernels().isa.c_str());
    return;
  }
  const nn::RealModelsSession& s = *st.real_done;
  DrawResultsTable(s);
  if (st.camera) {
    ImGui::Text("camera: %s", st.camera_state.c_str());
    for (size_t i = 0; i < s.Results().size() && i < 2; ++i) {
      ImGui::SameLine(0, 24);
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kModelColors[i]), "%s %.1f fps (%.1f ms)",
                         s.Results()[i].name.c_str(), st.camera_ms[i] > 0 ? 1000.0 / st.camera_ms[i] : 0.0,
                         st.camera_ms[i]);
    }
  }
  const Image& img = s.Picture();
  if (img.empty()) return;
  const float w = std::min(ImGui::GetContentRegionAvail().x, 480.f);
  const float scale = w / float(img.width);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 size(w, float(img.height) * scale);
  if (st.real_texture) {
    ImGui::Image(reinterpret_cast<ImTextureID>(uintptr_t(st.real_texture)), size);
  } else {
    ImGui::Dummy(size);  // headless: the overlay still draws
    ImGui::GetWindowDrawList()->AddRect(origin, ImVec2(origin.x + size.x, origin.y + size.y), IM_COL32(90, 90, 90, 255));
  }
  DrawOverlay(s, origin, scale);
  ImGui::TextDisabled("%s, %dx%d", s.PictureName().c_str(), img.width, img.height);
}

}  // namespace fk::ui
