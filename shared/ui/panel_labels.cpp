// The Label Review panel: a view over labels::Loop (shared/labels/loop.h), the
// same object `fieldkit-cli labels loop` runs. Jobs step it in slices (with
// progress and Cancel): load, train v1, pre-label v2 into the panel's queue and
// score v1; the person reviews here, hands the reviewed images in, and the loop
// trains and scores v2. The editor shows one image with its boxes.
// [SECTION] Jobs: the loop in slices (train v1 + pre-label, train v2), options
// [SECTION] Queue, textures, export
// [SECTION] Editor: image, boxes, mouse and keys
// [SECTION] Panel
// [SECTION] ?run=labels-demo and status().labels
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "core/file.h"
#include "core/image.h"
#include "imgui.h"
#include "labels/generate.h"
#include "labels/manifest.h"
#include "ui/app_state.h"
#include "ui/panels.h"
#include "ui/plot.h"
#include "ui/widgets.h"

namespace fk::ui {

namespace {

constexpr const char* kV1Job = "Label review: train v1, pre-label v2";
constexpr const char* kV2Job = "Label review: train v2 on the reviewed images";
constexpr const char* kBatchJob = "Label review: pre-label a batch";

bool Busy(AppState& app) { return app.jobs.Has(kV1Job) || app.jobs.Has(kV2Job) || app.jobs.Has(kBatchJob); }

std::string FileName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// A name shortened from the front to fit `width` px ("...0123.png"): file
// names differ at the end, and the full path goes in a tooltip.
std::string FitName(const std::string& name, float width) {
  if (ImGui::CalcTextSize(name.c_str()).x <= width) return name;
  for (size_t cut = 1; cut < name.size(); cut++) {
    const std::string s = "..." + name.substr(cut);
    if (ImGui::CalcTextSize(s.c_str()).x <= width) return s;
  }
  return "...";
}

// [SECTION] Jobs: the loop in slices (train v1 + pre-label, train v2), options

std::string DataDir(AppState& app) {
  LabelsPanelState& st = app.labels;
  return st.data_dir.empty() ? app.platform.data_dir + "/logos" : st.data_dir;
}

const labels::LoopData* Data(const LabelsPanelState& st) { return st.loop ? &st.loop->data() : nullptr; }

void SortQueue(LabelsPanelState& st) {
  const int cur = st.order.empty() ? -1 : st.order[size_t(std::clamp(st.pos, 0, int(st.order.size()) - 1))];
  st.order.resize(st.items.size());
  for (size_t i = 0; i < st.order.size(); i++) st.order[i] = int(i);
  if (st.lowest_first) {
    // What the verification sent back as "needs fix" first, then the least confident.
    std::stable_sort(st.order.begin(), st.order.end(), [&](int a, int b) {
      const labels::ReviewItem &x = st.items[size_t(a)], &y = st.items[size_t(b)];
      if (x.needs_fix != y.needs_fix) return x.needs_fix;
      return x.min_confidence < y.min_confidence;
    });
  }
  st.pos = 0;
  for (size_t i = 0; i < st.order.size(); i++)
    if (st.order[i] == cur) st.pos = int(i);
}

int CurrentItem(const LabelsPanelState& st) {
  if (st.order.empty()) return -1;
  return st.order[size_t(std::clamp(st.pos, 0, int(st.order.size()) - 1))];
}

// The panel's choices as loop options: a person reviews here, so the loop
// waits for the review after scoring v1.
labels::LoopOptions Options(AppState& app) {
  const LabelsPanelState& st = app.labels;
  labels::LoopOptions o;
  if (st.v1_manifest.empty()) {
    o.data_dir = DataDir(app);
    // The bundled set (not a folder given with &data=): the page draws it on first use.
    if (st.data_dir.empty()) o.generate_seed = labels::kBundledLogoSeed;
  } else {
    o.v1_manifest = st.v1_manifest;  // the user's own: no bundled v2, test held out of it
  }
  o.threshold = st.threshold_override;
  o.test_limit = size_t(std::max(0, st.test_limit));
  o.simulate_reviewer = false;
  return o;
}

// What the panel shows of the loop, read after each of its slices.
void SyncFromLoop(LabelsPanelState& st) {
  const labels::Loop& l = *st.loop;
  st.det_v1 = l.data().det_v1.get();
  st.det_v2 = l.data().det_v2.get();
  st.plan = l.plan();
  st.job_i = l.plan_done();
}

// The view's part when the loop finishes a stage.
void StageDone(AppState& app, labels::LoopStage stage) {
  LabelsPanelState& st = app.labels;
  const labels::LoopData& d = st.loop->data();
  char buf[160];
  switch (stage) {
    case labels::LoopStage::Load:
      for (auto& p : d.problems) app.Log("labels: " + p);
      break;
    case labels::LoopStage::TrainV1:  // the queue is being rebuilt: the view's indices were into the old one
      st.threshold = d.threshold_v1;  // the review slider starts at the model's own
      st.order.clear();
      st.pos = 0;
      st.texture_item = -1;
      st.selected = -1;
      break;
    case labels::LoopStage::Prelabel:
      st.texture_item = -1;
      st.selected = -1;
      SortQueue(st);
      st.pos = 0;  // start at the head of the queue (the least confident image)
      break;
    case labels::LoopStage::EvalV1:
      std::snprintf(buf, sizeof buf, "v1 trained in %.2f s, %d images pre-labelled in %.2f s; test F1 %.3f",
                    d.train_ms_v1 / 1000, d.prelabeled, d.prelabel_ms / 1000, d.eval_v1->overall.f1);
      st.message = buf;
      app.Log(buf);
      break;
    case labels::LoopStage::EvalV2:
      std::snprintf(buf, sizeof buf, "v%d trained on v1 + %d reviewed images in %.2f s; test F1 %.3f", d.version,
                    d.trained_v2_on, d.train_ms_v2 / 1000, d.eval_v2->overall.f1);
      st.message = buf;
      app.Log(buf);
      break;
    case labels::LoopStage::Batch:
      st.texture_item = -1;
      SortQueue(st);
      st.message = "the batch is pre-labelled by v" + std::to_string(d.version) + "; review it, then train v" +
                   std::to_string(d.version + 1);
      app.Log(st.message);
      break;
    default: break;
  }
}

// One job slice: one unit of the loop (a manifest, an image decoded, a
// training slice, one pyramid level of a scan), so a frame never waits long.
bool StepLoop(AppState& app, JobContext& ctx) {
  LabelsPanelState& st = app.labels;
  if (ctx.Cancelled()) return true;
  labels::Loop& loop = *st.loop;
  const labels::LoopStage before = loop.stage();
  const bool stop = loop.Step(0);
  SyncFromLoop(st);
  ctx.SetProgress(loop.Progress());
  ctx.SetDetail(loop.Detail());
  if (loop.failed()) ctx.Fail(loop.error());
  else if (loop.stage() != before) StageDone(app, before);
  return stop;
}

// Cancelled (or failed) mid-way: the loop gives a retrain's queue back as it was.
void LoopStopped(AppState& app, JobState s) {
  LabelsPanelState& st = app.labels;
  if (s != JobState::Cancelled && s != JobState::Failed) return;
  const bool rebuilding = !st.plan.empty();
  st.loop->Cancel();
  SyncFromLoop(st);
  if (!rebuilding) return;
  st.texture_item = -1;
  SortQueue(st);
}

void StartV1Job(AppState& app) {
  if (Busy(app)) return;
  LabelsPanelState& st = app.labels;
  // A retrain keeps the models (proposals on dropped images) until new ones train.
  st.loop = st.loop ? std::make_unique<labels::Loop>(Options(app), &st, st.loop->TakeData())
                    : std::make_unique<labels::Loop>(Options(app), &st);
  SyncFromLoop(st);
  app.jobs.Enqueue(MakeJob(
      kV1Job, [&app](JobContext& ctx) { return StepLoop(app, ctx); }, [&app](JobState s) { LoopStopped(app, s); }));
  st.message = "training v1 on " + (st.v1_manifest.empty() ? DataDir(app) + "/v1" : st.v1_manifest) + " ...";
}

// v2 on v1's images plus every reviewed queue image with its reviewed boxes.
void StartV2Job(AppState& app) {
  LabelsPanelState& st = app.labels;
  const labels::LoopData* d = Data(st);
  if (Busy(app) || !d || !d->v1 || !d->test) return;
  if (Status s = st.loop->SubmitReview(); !s) {
    app.Error("Label review: " + s.message());
    return;
  }
  SyncFromLoop(st);
  app.jobs.Enqueue(MakeJob(
      kV2Job, [&app](JobContext& ctx) { return StepLoop(app, ctx); }, [&app](JobState s) { LoopStopped(app, s); }));
}

// The next waiting batch, pre-labelled by the latest model, once the loop is idle.
void StartBatchJob(AppState& app) {
  LabelsPanelState& st = app.labels;
  if (st.batches.empty() || Busy(app) || !st.loop || !st.loop->latest_model() ||
      !(st.loop->waiting() || st.loop->done()))
    return;
  labels::LabelSet batch = std::move(st.batches.front());
  st.batches.erase(st.batches.begin());
  const std::string path = batch.path;
  if (Status s = st.loop->AddBatch(std::move(batch)); !s) {
    app.Error("Label review: " + path + ": " + s.message());
    return;
  }
  app.jobs.Enqueue(MakeJob(
      kBatchJob, [&app](JobContext& ctx) { return StepLoop(app, ctx); }, [&app](JobState s) { LoopStopped(app, s); }));
  st.last_batch_by = st.loop->data().version;
  st.message = "pre-labelling " + path + " with v" + std::to_string(st.loop->data().version) + " ...";
}

// [SECTION] Queue, textures, export

void EnsureTexture(AppState& app, int item) {
  LabelsPanelState& st = app.labels;
  if (st.texture_item == item) return;
  if (st.texture && app.platform.destroy_texture) app.platform.destroy_texture(st.texture);
  st.texture = 0;
  st.texture_item = item;
  if (item < 0 || !app.platform.create_texture) return;
  const Image& img = st.images[size_t(item)];
  std::vector<uint8_t> rgba(size_t(img.width) * size_t(img.height) * 4);
  for (size_t p = 0; p < size_t(img.width) * size_t(img.height); p++) {
    rgba[p * 4 + 0] = img.rgb[p * 3 + 0];
    rgba[p * 4 + 1] = img.rgb[p * 3 + 1];
    rgba[p * 4 + 2] = img.rgb[p * 3 + 2];
    rgba[p * 4 + 3] = 255;
  }
  st.texture = app.platform.create_texture(rgba.data(), img.width, img.height);
}

void Go(LabelsPanelState& st, int pos) {
  if (st.order.empty()) return;
  st.pos = std::clamp(pos, 0, int(st.order.size()) - 1);
  st.selected = -1;
  st.drag = 0;
}

labels::ReviewStats StatsOf(const LabelsPanelState& st, int from, int to) {  // positions [from, to) in the queue
  labels::ReviewStats s;
  for (int k = std::max(0, from); k < std::min(to, int(st.order.size())); k++) {
    const labels::ReviewItem& it = st.items[size_t(st.order[size_t(k)])];
    if (it.reviewed) s.Add(it.Stats());
  }
  return s;
}

void Export(AppState& app, const char* what) {
  LabelsPanelState& st = app.labels;
  const labels::LoopData* d = Data(st);
  const std::string job = "fieldkit-label-review";
  // The same files as labels loop --out writes, with the user's imported images too.
  const labels::ReviewedFiles rf = labels::Reviewed(st, d && d->v2 ? &*d->v2 : nullptr, job,
                                                    d && d->v1 ? &d->v1->manifest.class_map : nullptr);
  std::string text, name = what;
  if (name == "manifest") {
    text = labels::ManifestToString(rf.manifest);
    name = "v2_reviewed.manifest";
  } else if (name == "verification") {
    text = labels::VerificationToString(rf.verification, "verify-bounding-box", job + "/verify", labels::NowIso8601());
    name = "v2_verification.manifest";
  } else {
    text = labels::CocoToString(rf.manifest);
    name = "v2_reviewed.coco.json";
  }
  const std::string path = app.platform.user_dir + "/" + name;
  std::ofstream f(path);
  f << text;
  if (!f) {
    app.Error(path + ": cannot write");
    return;
  }
  f.close();
  app.Persist();  // in the user dir: IndexedDB in the page
  st.message = "exported " + std::to_string(rf.manifest.images.size()) + " reviewed images to " + path;
  app.Log(st.message);
  if (app.platform.offer_download) app.platform.offer_download(path);
}

// [SECTION] Editor: image, boxes, mouse and keys

ImU32 ClassColor(int c) { return c == 0 ? IM_COL32(80, 220, 120, 255) : c == 1 ? IM_COL32(240, 90, 230, 255) : IM_COL32(250, 220, 60, 255); }

std::string ClassName(const LabelsPanelState& st, int c) {
  if (const labels::LoopData* d = Data(st); d && d->v1) {
    auto it = d->v1->manifest.class_map.find(c);
    if (it != d->v1->manifest.class_map.end()) return it->second;
  }
  return std::to_string(c);
}

void Accept(LabelsPanelState& st, labels::ReviewItem& it) {
  it.reviewed = true;
  st.message = "accepted " + it.source_ref;
  Go(st, st.pos + 1);
}

void HandleKeys(AppState& app, labels::ReviewItem& it) {
  LabelsPanelState& st = app.labels;
  ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter)) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_KeyPadEnter))) {
    Accept(st, it);
    return;
  }
  if ((ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Delete)) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Backspace))) &&
      st.selected >= 0 && st.selected < int(it.boxes.size())) {
    it.Edit();
    it.boxes.erase(it.boxes.begin() + st.selected);
    st.selected = -1;
  }
  if (io.KeyCtrl && ImGui::IsKeyPressed('Z')) {
    if (io.KeyShift) it.Redo();
    else it.Undo();
    st.selected = -1;
  } else if (io.KeyCtrl && ImGui::IsKeyPressed('Y')) {
    it.Redo();
    st.selected = -1;
  }
  if (!io.KeyCtrl) {
    const labels::LoopData* d = Data(st);
    const int classes = d && d->v1 ? int(d->v1->manifest.class_map.size()) : 2;
    for (int c = 0; c < std::min(classes, 9); c++) {
      if (!ImGui::IsKeyPressed('1' + c)) continue;
      st.draw_class = c;
      if (st.selected >= 0 && st.selected < int(it.boxes.size()) && it.boxes[size_t(st.selected)].box.class_id != c) {
        it.Edit();
        it.boxes[size_t(st.selected)].box.class_id = c;
      }
    }
    if (ImGui::IsKeyPressed('N') || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow))) Go(st, st.pos + 1);
    if (ImGui::IsKeyPressed('P') || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow))) Go(st, st.pos - 1);
  }
}

// Moves, resizes or draws the selected box while the mouse is held (image
// coordinates `mi`), pans with the right/middle button; on release a click
// that drew nothing is dropped with its undo snapshot.
void ApplyDrag(LabelsPanelState& st, labels::ReviewItem& it, ImVec2 mi, bool active) {
  ImGuiIO& io = ImGui::GetIO();
  if (active && st.drag == 4) {
    st.pan_x += io.MouseDelta.x;
    st.pan_y += io.MouseDelta.y;
  } else if (active && st.drag >= 1 && st.drag <= 3 && st.selected >= 0 && st.selected < int(it.boxes.size())) {
    labels::Box& b = it.boxes[size_t(st.selected)].box;
    const float dx = mi.x - st.drag_x, dy = mi.y - st.drag_y;
    if (std::fabs(dx) + std::fabs(dy) > 0.5f) st.drag_changed = true;
    if (st.drag_changed) {
      const labels::Box o = st.drag_orig;
      if (st.drag == 1) {
        b.left = std::clamp(o.left + dx, 0.f, float(it.width) - o.width);
        b.top = std::clamp(o.top + dy, 0.f, float(it.height) - o.height);
      } else if (st.drag == 2) {
        b.width = std::clamp(o.width + dx, 2.f, float(it.width) - o.left);
        b.height = std::clamp(o.height + dy, 2.f, float(it.height) - o.top);
      } else {
        const float x0 = std::clamp(std::min(st.drag_x, mi.x), 0.f, float(it.width));
        const float y0 = std::clamp(std::min(st.drag_y, mi.y), 0.f, float(it.height));
        const float x1 = std::clamp(std::max(st.drag_x, mi.x), 0.f, float(it.width));
        const float y1 = std::clamp(std::max(st.drag_y, mi.y), 0.f, float(it.height));
        b.left = x0;
        b.top = y0;
        b.width = x1 - x0;
        b.height = y1 - y0;
      }
    }
  }
  if (st.drag != 0 && !active) {  // released
    if (st.drag == 3 && st.selected >= 0 && st.selected < int(it.boxes.size()) &&
        (!st.drag_changed || it.boxes[size_t(st.selected)].box.width < 3 || it.boxes[size_t(st.selected)].box.height < 3)) {
      it.boxes.erase(it.boxes.begin() + st.selected);  // a click, not a box
      st.selected = -1;
      st.drag_changed = false;
    }
    if (st.drag != 4 && !st.drag_changed && !it.undo.empty()) it.undo.pop_back();
    st.drag = 0;
  }
}

// Review time: only while no labels job runs (the image may still change
// under a running pre-label) and the person was active in the last 30 s
// (a page left open over lunch is not labelling effort).
void CountReviewTime(AppState& app, labels::ReviewItem& it) {
  LabelsPanelState& st = app.labels;
  ImGuiIO& io = ImGui::GetIO();
  bool input = io.MouseDelta.x != 0 || io.MouseDelta.y != 0 || ImGui::IsAnyMouseDown() || io.MouseWheel != 0 ||
               !io.InputQueueCharacters.empty();
  for (bool k : io.KeysDown) input = input || k;
  if (input) st.last_input_s = ImGui::GetTime();
  const bool job = Busy(app);
  if (!it.reviewed && !job && ImGui::GetTime() - st.last_input_s < 30.0)
    it.seconds += double(std::min(io.DeltaTime, 1.f));
}

void DrawEditor(AppState& app, int item, ImVec2 size) {
  LabelsPanelState& st = app.labels;
  labels::ReviewItem& it = st.items[size_t(item)];
  EnsureTexture(app, item);
  ImGuiIO& io = ImGui::GetIO();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("canvas", size, ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight |
                                             ImGuiButtonFlags_MouseButtonMiddle);
  RecordItem(app, "labels.canvas");
  const bool hovered = ImGui::IsItemHovered(), active = ImGui::IsItemActive();
  const float fit = std::min(size.x / float(it.width), size.y / float(it.height));
  const float scale = fit * st.zoom;
  const ImVec2 origin(p0.x + (size.x - float(it.width) * scale) * 0.5f + st.pan_x,
                      p0.y + (size.y - float(it.height) * scale) * 0.5f + st.pan_y);
  auto to_img = [&](ImVec2 s) { return ImVec2((s.x - origin.x) / scale, (s.y - origin.y) / scale); };
  auto to_scr = [&](float x, float y) { return ImVec2(origin.x + x * scale, origin.y + y * scale); };
  // Zoom about the cursor with the wheel.
  if (hovered && io.MouseWheel != 0) {
    const ImVec2 m = to_img(io.MousePos);
    // ImGui's sign (> 0: wheel up, away from the user) zooms in, 1.2x per notch;
    // the page scales the browser's deltaY to notches before it reaches ImGui.
    const float z = std::clamp(st.zoom * std::pow(1.2f, std::clamp(io.MouseWheel, -3.f, 3.f)), 0.5f, 12.f);
    const float ns = fit * z;
    // Keep the image point under the mouse fixed.
    st.pan_x += (origin.x + m.x * scale) - (origin.x + m.x * ns) + (float(it.width) * (scale - ns)) * 0.5f;
    st.pan_y += (origin.y + m.y * scale) - (origin.y + m.y * ns) + (float(it.height) * (scale - ns)) * 0.5f;
    st.zoom = z;
  }
  const ImVec2 mi = to_img(io.MousePos);
  // Press: pick a box (corner = resize, inside = move) or start drawing; right/middle drag pans.
  if (hovered && (ImGui::IsMouseClicked(ImGuiMouseButton_Right) || ImGui::IsMouseClicked(ImGuiMouseButton_Middle))) {
    st.drag = 4;
  } else if (hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
    const float grab = 6.f / scale;
    st.drag = 3;
    st.selected = -1;
    float best_area = 1e30f;
    for (size_t k = 0; k < it.boxes.size(); k++) {
      const labels::Box& b = it.boxes[k].box;
      const bool corner = std::fabs(mi.x - b.right()) <= grab && std::fabs(mi.y - b.bottom()) <= grab;
      const bool inside = mi.x >= b.left && mi.x <= b.right() && mi.y >= b.top && mi.y <= b.bottom();
      if ((corner || inside) && (corner || b.area() < best_area)) {
        st.selected = int(k);
        st.drag = corner ? 2 : 1;
        best_area = corner ? -1.f : b.area();
      }
    }
    st.drag_x = mi.x;
    st.drag_y = mi.y;
    st.drag_changed = false;
    it.Edit();  // snapshot now; dropped again below if nothing changed
    if (st.drag == 3) {
      it.boxes.push_back({labels::Box{mi.x, mi.y, 0, 0, st.draw_class, 1.f, false}, -1});
      st.selected = int(it.boxes.size()) - 1;
    }
    if (st.selected >= 0) st.drag_orig = it.boxes[size_t(st.selected)].box;
  }
  ApplyDrag(st, it, mi, active);
  // Keys act on the image whenever this panel is open (it is the whole page);
  // HandleKeys stands back while a text field has the keyboard.
  HandleKeys(app, it);
  CountReviewTime(app, it);

  // Draw: picture (or a placeholder without a renderer), boxes, handles.
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(p0, ImVec2(p0.x + size.x, p0.y + size.y), true);
  dl->AddRectFilled(p0, ImVec2(p0.x + size.x, p0.y + size.y), IM_COL32(20, 22, 26, 255));
  const ImVec2 a = to_scr(0, 0), b = to_scr(float(it.width), float(it.height));
  if (st.texture) dl->AddImage(reinterpret_cast<ImTextureID>(uintptr_t(st.texture)), a, b);
  else dl->AddRect(a, b, colors::kMuted);
  std::vector<ImVec4> placed;  // label rectangles drawn so far (x0, y0, x1, y1)
  for (size_t k = 0; k < it.boxes.size(); k++) {
    const labels::ReviewBox& rb = it.boxes[k];
    const ImU32 col = ClassColor(rb.box.class_id);
    const ImVec2 q0 = to_scr(rb.box.left, rb.box.top), q1 = to_scr(rb.box.right(), rb.box.bottom());
    const bool sel = int(k) == st.selected;
    dl->AddRect(q0, q1, col, 0, 0, sel ? 3.f : 2.f);
    if (sel) dl->AddRectFilled(ImVec2(q1.x - 4, q1.y - 4), ImVec2(q1.x + 4, q1.y + 4), col);
    char lab[64];
    if (rb.origin >= 0) std::snprintf(lab, sizeof lab, "%s %.2f", ClassName(st, rb.box.class_id).c_str(), rb.box.confidence);
    else std::snprintf(lab, sizeof lab, "%s (new)", ClassName(st, rb.box.class_id).c_str());
    // Above the box; where that hits an earlier label (boxes side by side or
    // stacked), inside its top edge, below it, then further down: never on top of another.
    const float lw = ImGui::CalcTextSize(lab).x + 6, lh = 16;
    const float tries[4] = {q0.y - lh, q0.y, q1.y, q1.y + lh};
    auto hits = [&](float y) {
      if (y < p0.y) return true;  // above the canvas: clipped away
      for (const ImVec4& r : placed)
        if (q0.x < r.z && q0.x + lw > r.x && y < r.w && y + lh > r.y) return true;
      return false;
    };
    float y = tries[0];
    bool found = false;
    for (float t : tries)
      if (!hits(t)) {
        y = t;
        found = true;
        break;
      }
    for (int n = 0; !found && n < 32; n++) {  // stacked labels: the first free row under the box
      y = q1.y + lh * float(n + 2);
      found = !hits(y);
    }
    placed.push_back(ImVec4(q0.x, y, q0.x + lw, y + lh));
    dl->AddRectFilled(ImVec2(q0.x, y), ImVec2(q0.x + lw, y + lh), col);
    dl->AddText(ImVec2(q0.x + 3, y + 1), IM_COL32(0, 0, 0, 255), lab);
  }
  dl->PopClipRect();
}

// [SECTION] Panel

// One row per (name, stats); a first column names the rows when they have names.
void DrawStatsTable(const char* id, const std::vector<std::pair<std::string, labels::ReviewStats>>& rows) {
  const bool named = !rows.empty() && !rows.front().first.empty();
  if (!ImGui::BeginTable(id, named ? 8 : 7, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit)) return;
  if (named) ImGui::TableSetupColumn("images");
  for (const char* h : {"proposed", "accepted", "adjusted", "deleted", "added", "time", "effort saved"})
    ImGui::TableSetupColumn(h);
  ImGui::TableHeadersRow();
  for (const auto& [name, s] : rows) {
    ImGui::TableNextRow();
    int col = 0;
    if (named) {
      ImGui::TableSetColumnIndex(col++);
      ImGui::TextUnformatted(name.c_str());
    }
    const int v[5] = {s.proposed, s.accepted_unchanged, s.adjusted, s.deleted, s.added};
    for (int k = 0; k < 5; k++) {
      ImGui::TableSetColumnIndex(col++);
      ImGui::Text("%d", v[k]);
    }
    ImGui::TableSetColumnIndex(col++);
    ImGui::Text("%.0f s", s.seconds);
    ImGui::TableSetColumnIndex(col);
    ImGui::Text("%.0f%%", 100 * s.EffortSaved());
  }
  ImGui::EndTable();
}

// "Use as the v1 training set": v1 trains on it, with every 5th image as the test split.
void UseManifestAsV1(AppState& app) {
  LabelsPanelState& st = app.labels;
  if (Busy(app)) {
    app.Error("Label review: a labels job is running; choose again when it is done");
    return;
  }
  st.v1_manifest = st.pending_manifest;
  st.pending_manifest.clear();
  StartV1Job(app);
}

// "Use as the next batch": pre-labelled by the latest model once one is trained and idle.
void UseManifestAsBatch(AppState& app) {
  LabelsPanelState& st = app.labels;
  const std::string path = st.pending_manifest;
  st.pending_manifest.clear();
  Result<labels::LabelSet> set = labels::OpenLabelSet(path, /*allow_unlabeled=*/true);
  if (!set) {
    app.Error("Label review: " + set.status().message());
    return;
  }
  for (const std::string& p : set->problems) app.Log("labels: " + p);
  if (set->pending.empty()) {
    app.Error("Label review: " + path + ": no usable image line" +
              (set->problems.empty() ? std::string() : "; " + set->problems[0]));
    return;
  }
  st.batches.push_back(std::move(*set));
  if (!st.loop || !st.loop->latest_model())
    st.message = FileName(path) + " waits for a model: train v1 (bundled or your own manifest), then it is pre-labelled";
  StartBatchJob(app);
}

void DrawLabelResults(AppState& app) {
  LabelsPanelState& st = app.labels;
  SectionHeader("Each round on the held-out test split");
  const labels::LoopData* d = Data(st);
  if (!d || !d->eval_v1 || d->rounds.empty()) {
    ImGui::TextDisabled("Train v1 first.");
    return;
  }
  if (d->test_split)
    ImGui::TextDisabled("Test split: every 5th image of your v1 manifest (%zu images), held out of training.",
                        d->test ? d->test->images.size() : size_t(0));
  if (ImGui::BeginTable("labels.results", 8, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit)) {
    for (const char* h : {"model", "trained on", "threshold", "precision", "recall", "F1", "test's assumed threshold",
                          "F1 there"})
      ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (const labels::RoundResult& r : d->rounds) {
      const labels::Evaluation& e = r.eval;
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::Text("v%d", r.version);
      const labels::Detector* det = r.version == 1 ? st.det_v1 : r.version == d->version ? st.det_v2 : nullptr;
      if (det && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", det->calibration().c_str());
      ImGui::TableSetColumnIndex(1);
      ImGui::Text("%d images (%d reviewed)", r.trained_on, r.reviewed);
      const double v[6] = {e.threshold, e.overall.precision, e.overall.recall, e.overall.f1, e.assumed_threshold,
                           e.assumed.f1};
      for (int k = 0; k < 6; k++) {
        ImGui::TableSetColumnIndex(k + 2);
        ImGui::Text(k == 0 || k == 4 ? "%.2f" : "%.3f", v[k]);
      }
    }
    ImGui::EndTable();
  }
  RecordItem(app, "labels.results");
  ImGui::PushTextWrapPos(0.f);
  ImGui::TextDisabled("Each model's threshold comes from cross-validation on its own training images; the test's "
                      "assumed threshold is the one that would maximise F1 there (as the service reports). Every "
                      "retrain trains on v1 and every image reviewed so far.");
  ImGui::PopTextWrapPos();
  // Per label, as the service's evaluation page lists them: every round.
  const int labels_n = int(d->rounds.back().eval.per_class.size());
  if (ImGui::BeginTable("labels.per_label", 6, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit)) {
    for (const char* h : {"model", "label", "precision", "recall", "F1", "true / false positives, missed"})
      ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (const labels::RoundResult& r : d->rounds)
      for (size_t c = 0; c < r.eval.per_class.size(); c++) {
        const labels::Prf& p = r.eval.per_class[c];
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        ImGui::Text("v%d", r.version);
        ImGui::TableSetColumnIndex(1);
        ImGui::TextUnformatted(ClassName(st, int(c)).c_str());
        const double v[3] = {p.precision, p.recall, p.f1};
        for (int k = 0; k < 3; k++) {
          ImGui::TableSetColumnIndex(k + 2);
          ImGui::Text("%.3f", v[k]);
        }
        ImGui::TableSetColumnIndex(5);
        ImGui::Text("%d / %d, %d", p.tp, p.fp, p.fn);
      }
    ImGui::EndTable();
  }
  RecordItem(app, "labels.per_label");
  // F1 of every round in one chart: all labels, then each label.
  std::vector<std::string> names;
  std::vector<const char*> cats;
  for (const labels::RoundResult& r : d->rounds) names.push_back("v" + std::to_string(r.version));
  for (const std::string& n : names) cats.push_back(n.c_str());
  PlotSpec spec;
  spec.title = "F1 per round on the test split (IoU >= 0.5)";
  spec.y_format = "%.3f";
  Plot p("labels.chart", ImVec2(-1, 180), spec);
  p.SetCategories(cats.data(), int(cats.size()));
  std::vector<double> f1;
  for (const labels::RoundResult& r : d->rounds) f1.push_back(r.eval.overall.f1);
  p.Bars("all labels", f1.data(), colors::Series(0));
  // The plot keeps pointers to names and values until Draw: both live to the end of the function.
  std::vector<std::string> series(size_t(std::max(0, labels_n)));
  std::vector<std::vector<double>> values(series.size());
  for (int c = 0; c < labels_n; c++) {
    std::vector<double>& v = values[size_t(c)];
    for (const labels::RoundResult& r : d->rounds)
      v.push_back(size_t(c) < r.eval.per_class.size() ? r.eval.per_class[size_t(c)].f1 : 0.0);
    series[size_t(c)] = ClassName(st, c);
    p.Bars(series[size_t(c)].c_str(), v.data(), colors::Series(c + 1));
  }
  p.Draw();
  RecordItem(app, "labels.chart");
}

// A dropped object-detection manifest waits here for the user's choice.
void DrawPendingManifest(AppState& app) {
  LabelsPanelState& st = app.labels;
  if (st.pending_manifest.empty()) return;
  ImGui::PushTextWrapPos(0.f);
  ImGui::Text("%s: %d images, %d with boxes. Use it as", FileName(st.pending_manifest).c_str(), st.pending_images,
              st.pending_labeled);
  ImGui::PopTextWrapPos();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", st.pending_manifest.c_str());
  ImGui::BeginDisabled(st.pending_labeled == 0 || Busy(app));
  if (ImGui::Button("the v1 training set")) UseManifestAsV1(app);
  RecordItem(app, "labels.use_v1");
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("the next batch to review")) UseManifestAsBatch(app);
  RecordItem(app, "labels.use_batch");
  ImGui::SameLine();
  if (ImGui::Button("Dismiss")) st.pending_manifest.clear();
  ImGui::SameLine();
  HelpMarker("v1 training set: v1 trains on its labelled images (every 5th held out as the test split, as "
             "Rekognition Custom Labels splits 80/20). Next batch: the latest model (v1, v2, ...) pre-labels its "
             "images for review; boxes it already has are the truth the simulated reviewer checks against.");
}

// The buttons (train v1, train v2, simulate, export), the last message and the data set's problems.
void DrawToolbar(AppState& app) {
  LabelsPanelState& st = app.labels;
  const bool busy = Busy(app);
  const labels::LoopData* d = Data(st);
  ImGui::BeginDisabled(busy);
  const char* v1_label = st.v1_manifest.empty() ? (st.det_v1 ? "Retrain v1 + pre-label v2###train_v1" : "Train v1 + pre-label v2###train_v1")
                                                : (st.det_v1 ? "Retrain v1 on your manifest###train_v1" : "Train v1 on your manifest###train_v1");
  if (ImGui::Button(v1_label)) StartV1Job(app);
  RecordItem(app, "labels.train_v1");
  ImGui::SameLine();
  ImGui::BeginDisabled(st.items.empty());
  char next[64];
  std::snprintf(next, sizeof next, "Train v%d on reviewed###train_next", d && d->version > 0 ? d->version + 1 : 2);
  if (ImGui::Button(next)) StartV2Job(app);
  RecordItem(app, "labels.train_v2");
  ImGui::SameLine();
  if (ImGui::Button("Simulate reviewer on the rest")) {
    const int n = labels::SimulateReview(&st, {});
    st.message = "simulated reviewer fixed " + std::to_string(n) + " images against the bundled truth";
  }
  RecordItem(app, "labels.simulate");
  ImGui::SameLine();
  HelpMarker("Fixes every unreviewed v2 image against the data set's ground truth as a careful person would "
             "(keep proposals with IoU >= 0.7 and the right class, move/reclassify near ones, delete the rest, "
             "draw what was missed) - the CLI's `labels loop --simulate-reviewer`.");
  ImGui::EndDisabled();
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(st.items.empty());
  if (ImGui::Button("Export...")) ImGui::OpenPopup("labels.export");
  RecordItem(app, "labels.export");
  ImGui::EndDisabled();
  if (ImGui::BeginPopup("labels.export")) {
    if (ImGui::Selectable("Ground Truth object-detection manifest")) Export(app, "manifest");
    RecordItem(app, "labels.export.manifest");
    if (ImGui::Selectable("Ground Truth label-verification manifest")) Export(app, "verification");
    RecordItem(app, "labels.export.verification");
    if (ImGui::Selectable("COCO instances JSON")) Export(app, "coco");
    RecordItem(app, "labels.export.coco");
    ImGui::EndPopup();
  }
  if (!st.message.empty()) {
    ImGui::PushTextWrapPos(0.f);
    ImGui::TextDisabled("%s", st.message.c_str());
    ImGui::PopTextWrapPos();
  }
  if (!st.batches.empty())
    ImGui::TextDisabled("%zu batch(es) waiting for %s", st.batches.size(),
                        st.loop && st.loop->latest_model() ? "the running job" : "a model: train v1 first");
  DrawPendingManifest(app);
  static const std::vector<std::string> kNone;
  const std::vector<std::string>& problems = Data(st) ? Data(st)->problems : kNone;
  if (!problems.empty()) {
    ImGui::TextColored(ImVec4(0.9f, 0.6f, 0.3f, 1), "%zu problems in the data set", problems.size());
    if (ImGui::IsItemHovered()) {
      ImGui::BeginTooltip();
      for (size_t k = 0; k < std::min<size_t>(problems.size(), 12); k++) ImGui::TextUnformatted(problems[k].c_str());
      ImGui::EndTooltip();
    }
  }
}

}  // namespace

void DrawLabelsPanel(AppState& app) {
  LabelsPanelState& st = app.labels;
  DrawToolbar(app);
  if (st.items.empty()) {
    ImGui::Spacing();
    if (st.v1_manifest.empty())
      ImGui::TextWrapped("Train v1 on the 8 bundled v1 images; it then proposes boxes on the 30 v2 images. Review them "
                         "here (Enter accepts an image, drag to move, drag the corner to resize, drag on empty space to "
                         "draw, 1/2 sets the class, Delete removes, Ctrl+Z/Y undo/redo, wheel zooms, right-drag pans), "
                         "export the Ground Truth manifest and train v2. PNG/JPEG files you drop join the queue.");
    else
      ImGui::TextWrapped("v1 trains on your manifest. Drop the next batch to review (a Ground Truth manifest with its "
                         "pictures, or loose PNG/JPEG pictures): the latest model pre-labels it here.");
    ImGui::TextWrapped("Your own data: drop a Ground Truth object-detection manifest with its pictures, then choose "
                       "whether it is the v1 training set or the next batch to review.");
    DrawLabelResults(app);
    return;
  }
  if (st.order.size() != st.items.size()) SortQueue(st);  // items arrive while pre-labelling runs
  // Left: the queue in batches.
  ImGui::BeginChild("labels.queue", ImVec2(230, 0), true);
  if (ImGui::Checkbox("lowest confidence first", &st.lowest_first)) SortQueue(st);
  ImGui::SetNextItemWidth(-1);
  if (ImGui::SliderFloat("##thr", &st.threshold, 0.05f, 0.95f, "show >= %.2f")) {
    for (auto& it : st.items) it.SetThreshold(st.threshold);
    if (st.loop) st.loop->SetProposalThreshold(st.threshold);  // images still being pre-labelled too
    SortQueue(st);
  }
  RecordItem(app, "labels.threshold");
  const int jobs = (int(st.order.size()) + st.batch_size - 1) / st.batch_size;
  for (int j = 0; j < jobs; j++) {
    const labels::ReviewStats js = StatsOf(st, j * st.batch_size, (j + 1) * st.batch_size);
    char head[64];
    // Short enough for the queue's width; the tooltip spells it out.
    std::snprintf(head, sizeof head, "Job %d: %d ok, %d fixed##job%d", j + 1, js.accepted_unchanged,
                  js.adjusted + js.deleted + js.added, j);
    const bool open = ImGui::CollapsingHeader(head, j == st.pos / st.batch_size ? ImGuiTreeNodeFlags_DefaultOpen : 0);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("job %d: %d boxes accepted unchanged, %d adjusted, %d deleted, %d added", j + 1,
                        js.accepted_unchanged, js.adjusted, js.deleted, js.added);
    if (!open) continue;
    for (int k = j * st.batch_size; k < std::min((j + 1) * st.batch_size, int(st.order.size())); k++) {
      const labels::ReviewItem& it = st.items[size_t(st.order[size_t(k)])];
      char tail[48];
      std::snprintf(tail, sizeof tail, "  %zu  %.2f", it.boxes.size(),
                    it.proposed.empty() ? 1.0 : double(it.min_confidence));
      const char* mark = it.reviewed ? "[x] " : it.needs_fix ? "[!] " : "[ ] ";
      // The name takes what the mark and the numbers leave of the row.
      const float room = ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize(mark).x - ImGui::CalcTextSize(tail).x;
      const std::string row = mark + FitName(FileName(it.source_ref), room) + tail + "##q" + std::to_string(k);
      if (ImGui::Selectable(row.c_str(), k == st.pos)) Go(st, k);
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s\n%zu boxes, lowest proposal confidence %.2f%s", it.source_ref.c_str(), it.boxes.size(),
                          it.proposed.empty() ? 1.0 : double(it.min_confidence),
                          it.needs_fix ? "\nthe verification said: needs fix" : "");
    }
  }
  ImGui::EndChild();
  ImGui::SameLine();
  // Right: the editor and the stats.
  ImGui::BeginChild("labels.work", ImVec2(0, 0), false);
  const int item = CurrentItem(st);
  labels::ReviewItem& it = st.items[size_t(item)];
  if (ImGui::Button("< Prev")) Go(st, st.pos - 1);
  ImGui::SameLine();
  if (ImGui::Button("Accept all (Enter)")) Accept(st, it);
  RecordItem(app, "labels.accept");
  ImGui::SameLine();
  if (ImGui::Button("Next >")) Go(st, st.pos + 1);
  ImGui::SameLine();
  if (ImGui::Button("Undo")) it.Undo();
  ImGui::SameLine();
  if (ImGui::Button("Redo")) it.Redo();
  ImGui::SameLine();
  ImGui::SetNextItemWidth(110);
  ImGui::SliderFloat("zoom", &st.zoom, 0.5f, 12.f, "%.1fx");
  ImGui::SameLine();
  if (ImGui::SmallButton("fit")) {
    st.zoom = 1;
    st.pan_x = st.pan_y = 0;
  }
  {
    char tail[128];
    std::snprintf(tail, sizeof tail, "  %s  new boxes: %s (keys 1-%d)",
                  it.reviewed ? "reviewed" : it.needs_fix ? "needs fix" : "to review", ClassName(st, st.draw_class).c_str(),
                  std::max(1, std::min(9, Data(st) && Data(st)->v1 ? int(Data(st)->v1->manifest.class_map.size()) : 2)));
    char head[32];
    std::snprintf(head, sizeof head, "%d/%zu  ", st.pos + 1, st.order.size());
    const float room = ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize(head).x - ImGui::CalcTextSize(tail).x;
    ImGui::Text("%s%s%s", head, FitName(FileName(it.source_ref), std::max(60.f, room)).c_str(), tail);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", it.source_ref.c_str());
  }
  const float canvas_h = std::max(200.f, ImGui::GetContentRegionAvail().y - 330.f);
  DrawEditor(app, item, ImVec2(ImGui::GetContentRegionAvail().x, canvas_h));
  SectionHeader("This image");
  DrawStatsTable("labels.image_stats", {{"", it.Stats()}});
  // One table, a row per scope: when the whole queue is one job (a small batch, or a
  // verification round's few images) the job is every image, and a second row would
  // only repeat it.
  const int j = st.pos / st.batch_size;
  const bool one_job = int(st.order.size()) <= st.batch_size;
  std::vector<std::pair<std::string, labels::ReviewStats>> scopes = {
      {one_job ? "all (one job)" : "job " + std::to_string(j + 1),
       StatsOf(st, j * st.batch_size, (j + 1) * st.batch_size)}};
  if (!one_job) scopes.push_back({"all reviewed", StatsOf(st, 0, int(st.order.size()))});
  SectionHeader(one_job ? "This job: every image in the queue" : "This job and all reviewed images");
  DrawStatsTable("labels.review_stats", scopes);
  RecordItem(app, "labels.review_stats");
  DrawLabelResults(app);
  ImGui::EndChild();
}

void ReleaseLabelTextures(AppState& app) {
  LabelsPanelState& st = app.labels;
  if (st.texture && app.platform.destroy_texture) app.platform.destroy_texture(st.texture);
  st.texture = 0;
  st.texture_item = -1;
}

void ImportLabelImage(AppState& app, const std::string& path) {
  LabelsPanelState& st = app.labels;
  if (st.manifest_names.count(FileName(path))) {  // dropped with its manifest: the manifest brings it in
    app.Log(path + ": listed by a dropped manifest; it joins the queue through that manifest");
    return;
  }
  Result<Image> img = LoadImage(path);
  if (!img) {
    app.Error(img.status().message());
    return;
  }
  // The newest trained model proposes (v2 once trained, ...), never one training in place.
  const labels::Detector* model = st.loop ? st.loop->latest_model() : nullptr;
  const int version = st.loop ? std::max(1, st.loop->data().version) : 0;
  std::vector<labels::Box> p = model ? model->Detect(*img) : std::vector<labels::Box>{};
  const int w = img->width, h = img->height;
  st.Add(labels::MakeReviewItem(path, w, h, std::move(p), st.threshold), std::move(*img), {}, false, true);
  SortQueue(st);
  st.message = "added " + FileName(path) + " to the review queue" +
               (model ? " with v" + std::to_string(version) + "'s proposals" : std::string(" (no model yet: draw boxes)"));
}

// A Ground Truth manifest dropped on the page: a label-verification output is
// applied to the queue at once; an object-detection (or input) manifest waits
// for the user's choice (v1 set or next batch). Anything else: a clear message.
void ImportLabelManifest(AppState& app, const std::string& path) {
  LabelsPanelState& st = app.labels;
  Result<std::string> text = ReadFile(path);
  if (!text) {
    app.Error("Label review: " + text.status().message());
    return;
  }
  std::string why;
  const std::string kind = labels::ManifestKind(*text, &why);
  if (kind.empty()) {
    app.Error("Label review: " + path + ": " + why +
              "; Label Review takes a Ground Truth object-detection manifest (your v1 set or a batch to review) or "
              "the label-verification manifest of a reviewed batch");
    return;
  }
  std::vector<std::string> problems;
  if (kind == "label-verification") {
    const std::vector<labels::Verification> v = labels::ParseVerification(*text, path, &problems);
    for (const std::string& p : problems) app.Log("labels: " + p);
    if (st.items.empty()) {
      app.Error("Label review: " + path + ": a label-verification manifest, but the review queue is empty (it "
                "applies to the images its lines name)");
      return;
    }
    const labels::VerificationApplied r = labels::ApplyVerification(&st, v);
    SortQueue(st);
    st.pos = 0;
    st.message = FileName(path) + ": " + std::to_string(r.accepted) + " images verified correct (accepted), " +
                 std::to_string(r.needs_fix) + " need a fix (first in the queue)" +
                 (r.unmatched ? ", " + std::to_string(r.unmatched) + " lines name no queued image" : std::string());
    app.Log(st.message);
    if (r.accepted + r.needs_fix == 0) app.Error("Label review: " + path + ": no line names an image in the review queue");
    return;
  }
  Result<labels::Manifest> m = labels::ParseManifest(*text, path, &problems, "", /*allow_unlabeled=*/true);
  for (const std::string& p : problems) app.Log("labels: " + p);
  if (!m || m->images.empty()) {
    app.Error("Label review: " + path + ": no usable image line" + (problems.empty() ? std::string() : "; " + problems[0]));
    return;
  }
  // Pictures dropped together with it joined the queue on their own: they are
  // the manifest's images, so the loose untouched copies go.
  std::set<std::string>& listed = st.manifest_names;
  for (const labels::LabeledImage& li : m->images) listed.insert(FileName(li.source_ref));
  for (size_t i = st.items.size(); i-- > 0;) {
    if (!st.from_batch[i] || st.has_truth[i] || st.items[i].Touched() || !listed.count(FileName(st.items[i].source_ref)))
      continue;
    st.items.erase(st.items.begin() + long(i));
    st.images.erase(st.images.begin() + long(i));
    st.truth.erase(st.truth.begin() + long(i));
    st.has_truth.erase(st.has_truth.begin() + long(i));
    st.from_batch.erase(st.from_batch.begin() + long(i));
    st.texture_item = -1;
  }
  SortQueue(st);
  st.pending_manifest = path;
  st.pending_images = int(m->images.size());
  st.pending_labeled = 0;
  for (const labels::LabeledImage& li : m->images) st.pending_labeled += li.labeled;
  st.message = FileName(path) + ": choose below whether it is your v1 training set or the next batch to review";
}

void PumpLabels(AppState& app, double) { StartBatchJob(app); }

// [SECTION] ?run=labels-demo and status().labels

bool RunLabelsDemoFromParams(AppState& app, const std::map<std::string, std::string>& params) {
  LabelsPanelState& st = app.labels;
  // A running v2 trains on v1's images, which training v1 again replaces (the
  // buttons are disabled then; fieldkit.run() must refuse too).
  if (Busy(app)) {
    app.Error("?run=labels-demo: a labels job is running; run it again when it is done");
    return false;
  }
  st.v1_manifest.clear();  // the bundled splits unless v1= names the user's own
  std::string batch;
  for (auto& [k, v] : params) {
    if (k == "data") {
      st.data_dir = v;
    } else if (k == "v1") {
      st.v1_manifest = v;
    } else if (k == "batch") {
      batch = v;
    } else if (k == "threshold") {
      st.threshold_override = std::clamp(float(std::atof(v.c_str())), 0.01f, 0.99f);
      st.threshold = st.threshold_override;
    } else if (k == "test") {
      st.test_limit = std::max(0, std::atoi(v.c_str()));
    } else {
      app.Error("?run=labels-demo: unknown parameter '" + k + "' (known: data, v1, batch, threshold, test)");
      return false;
    }
  }
  StartV1Job(app);
  if (!batch.empty()) {  // pre-labelled by v1 once it is trained (the pump starts it)
    st.pending_manifest = batch;
    UseManifestAsBatch(app);
  }
  return true;
}

nlohmann::json LabelsStatusJson(AppState& app) {
  LabelsPanelState& st = app.labels;
  const labels::LoopData* d = Data(st);
  if (!st.loop || ((!d || !d->v1) && !app.jobs.Has(kV1Job))) {
    // Before any run: null, unless the user brought something (a manifest waiting for the choice, images).
    if (st.pending_manifest.empty() && st.batches.empty() && st.items.empty()) return nullptr;
    return nlohmann::json{{"state", "idle"}, {"pending_manifest", st.pending_manifest},
                          {"pending_images", st.pending_images}, {"pending_labeled", st.pending_labeled},
                          {"batches_waiting", st.batches.size()}, {"queue", st.items.size()}, {"own_v1", st.v1_manifest}};
  }
  nlohmann::json j = st.loop->StatusJson();
  j.erase("stage");  // the panel's own state names, from its jobs
  j.erase("error");  // in status().job
  j["state"] = app.jobs.Has(kV1Job)      ? "training_v1"
               : app.jobs.Has(kV2Job)    ? "training_v2"
               : app.jobs.Has(kBatchJob) ? "prelabel_batch"
               : d->eval_v1              ? "ready"
                                         : "loading";
  j["own_v1"] = st.v1_manifest;
  j["pending_manifest"] = st.pending_manifest;
  j["pending_images"] = st.pending_images;
  j["pending_labeled"] = st.pending_labeled;
  j["batches_waiting"] = st.batches.size();
  j["last_batch_by"] = st.last_batch_by;
  int needs_fix = 0;
  for (const labels::ReviewItem& it : st.items) needs_fix += it.needs_fix && !it.reviewed;
  j["needs_fix"] = needs_fix;
  const labels::ReviewStats s = StatsOf(st, 0, int(st.order.size()));  // the queue as shown
  j["review"] = {{"accepted_unchanged", s.accepted_unchanged}, {"adjusted", s.adjusted}, {"deleted", s.deleted},
                 {"added", s.added}, {"effort_saved", s.EffortSaved()}};
  j["threshold"] = st.threshold;
  j["texture"] = st.texture != 0;
  return j;
}

}  // namespace fk::ui
