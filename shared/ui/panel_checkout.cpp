// The Edge Checkout panel: a view over checkout::Checkout (shared/checkout/pipeline.h),
// the same object `fieldkit-cli checkout run` runs. A job steps it in slices
// (progress and Cancel in the job bar): train the detector, then frame by frame
// the hand cue, the reaches' key frames through the detector, take / put back,
// shoppers. The panel shows the newest frame with the tracked products boxed,
// the live cart, the receipts at the end, the review queue (a person accepts or
// rejects the low-confidence events, and the carts follow), and the figures the
// CLI prints, from the same StatusJson().
// [SECTION] Options and the job
// [SECTION] Camera frames (the pump)
// [SECTION] Drawing
// [SECTION] ?run=checkout-demo and status().checkout
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

#include <nlohmann/json.hpp>

#include "checkout/pipeline.h"
#include "core/clock.h"
#include "core/json_write.h"
#include "imgui.h"
#include "labels/generate.h"
#include "nn/mediapipe.h"
#include "nn/model_zoo.h"
#include "ui/app_state.h"
#include "ui/panels.h"
#include "ui/widgets.h"

namespace fk::ui {

namespace {

constexpr const char* kCheckoutJob = "Edge checkout";

// [SECTION] Options and the job

// The detector's training set, as `checkout run --train` picks it: the simulated store's product photos
// (default), the bundled logo set, or the user's own products' manifest from Label Review.
std::string DetectorKey(const AppState& app) {
  const CheckoutPanelState& st = app.checkout;
  if (st.detector == CheckoutPanelState::kLogos) return "logos";
  if (st.detector == CheckoutPanelState::kLabelReview) return "manifest:" + app.labels.v1_manifest;
  return "products:" + std::to_string(st.photo_seeds);
}

// The hand model the choice names: "" (the cue only), a bundled model's name, or the user's .tflite.
std::string HandName(const AppState& app) {
  switch (app.checkout.hand) {
    case CheckoutPanelState::kHandLite: return "mediapipe:hand_lite";
    case CheckoutPanelState::kHandFull: return "mediapipe:hand_full";
    case CheckoutPanelState::kHandOwn: return app.sparse.own_model;
    default: return "";
  }
}

checkout::CheckoutOptions MakeOptions(AppState& app) {
  CheckoutPanelState& st = app.checkout;
  checkout::CheckoutOptions o;
  o.keep_live = true;
  if (st.source == CheckoutPanelState::kCamera) {
    st.camera = std::make_shared<checkout::LiveFrames>();
    o.source = st.camera;
    st.source_name = "camera";
  } else if (st.source == CheckoutPanelState::kFolder) {
    o.frames_dir = st.frames_dir;
    st.source_name = st.frames_dir;
  } else {
    o.seeds = {uint64_t(st.seed)};
    o.sim.sessions = st.sessions;
    st.source_name = "simulated shelf, seed " + std::to_string(st.seed) + ", " + std::to_string(st.sessions) +
                     (st.sessions == 1 ? " shopper" : " shoppers");
  }
  o.review_below = st.review_below;
  o.photo_seeds.clear();
  for (int i = 1; i <= st.photo_seeds; i++) o.photo_seeds.push_back(uint64_t(i));
  if (st.detector == CheckoutPanelState::kLogos) o.train_on_logos = true;
  else if (st.detector == CheckoutPanelState::kLabelReview) o.train_manifest = app.labels.v1_manifest;
  if (st.trained && st.trained_key == DetectorKey(app)) o.trained = st.trained;
  // The hand model: kept loaded between runs (the run builds it in its first slices when new).
  const std::string hand = HandName(app);
  if (hand.empty()) {
    st.hand_model.reset();
    st.hand_key.clear();
  } else {
    if (!st.hand_model || st.hand_key != hand || !st.hand_model->status()) {
      st.hand_model = std::make_shared<checkout::HandModel>(hand, o.hand_presence);
      st.hand_key = hand;
    }
    o.hand = st.hand_model;
  }
  return o;
}

void Rereview(CheckoutPanelState& st) {
  if (!st.run || !st.run->done()) return;
  st.reviewed = checkout::ApplyReview(st.run->data(), st.verdicts, st.run->options().review_below);
}

void StopCamera(AppState& app) {
  CheckoutPanelState& st = app.checkout;
  if (st.camera) app.UseCamera("checkout", false);
  st.camera.reset();
}

bool StartCheckout(AppState& app) {
  CheckoutPanelState& st = app.checkout;
  if (app.jobs.Has(kCheckoutJob)) return false;  // the job owns st.run
  if (st.source == CheckoutPanelState::kFolder && st.frames_dir[0] == '\0') {
    app.Error("edge checkout: give the folder of frames (as `fieldkit-cli checkout simulate --out DIR` writes)");
    return false;
  }
  if (st.source == CheckoutPanelState::kCamera && !app.platform.camera_enable) {
    app.Error("edge checkout: the camera works in the page (browser); the desktop app reads a folder of frames");
    return false;
  }
  if (st.detector == CheckoutPanelState::kLabelReview && app.labels.v1_manifest.empty()) {
    app.Error("edge checkout: Label Review has no products of yours yet: drop your Ground Truth manifest there "
              "and choose \"Use as the v1 training set\"");
    return false;
  }
  if (st.hand == CheckoutPanelState::kHandOwn && app.sparse.own_model.empty()) {
    app.Error("edge checkout: no hand model of yours yet: drop a hand_landmark .tflite on the page (Sparse "
              "Inference imports it) or open it there");
    return false;
  }
  const std::string key = DetectorKey(app);
  // In the page the bundled models come from its server on first use (never from elsewhere).
  const bool bundled = st.hand == CheckoutPanelState::kHandLite || st.hand == CheckoutPanelState::kHandFull;
  if (bundled && app.platform.fetch_bundle) app.platform.fetch_bundle(nn::BundleFiles());
  const auto pending = app.platform.bundle_pending;
  st.run = std::make_unique<checkout::Checkout>(MakeOptions(app));
  if (st.camera) app.UseCamera("checkout", true);
  st.state = "running";
  st.error.clear();
  st.stream_start_ms = st.stream_last_ms = 0;
  st.stream_frames = 0;
  st.width = st.height = 0;
  st.texture_frame = -1;
  st.live_carts.clear();
  st.live_events = size_t(-1);
  st.verdicts.clear();
  st.reviewed = checkout::ReviewedRun{};
  app.jobs.Enqueue(MakeJob(
      kCheckoutJob,
      [&app, bundled, pending](JobContext& ctx) {
        CheckoutPanelState& s = app.checkout;
        checkout::Checkout& c = *s.run;
        if (bundled && pending && pending() > 0) {  // wait for the fetches, without blocking a frame
          ctx.SetDetail("fetching the hand model from this page's server: " + std::to_string(pending()) + " file(s) left");
          return false;
        }
        const int before = c.data().frames;
        const bool done = c.Step(8.0);
        const int after = c.data().frames;
        if (after > before) {
          // Throughput from the first frame's end on: what a shelf camera's stream would see.
          if (s.stream_start_ms == 0) {
            s.stream_start_ms = NowMs();
            s.stream_frames = after;
          } else {
            s.stream_last_ms = NowMs();
          }
          s.width = c.live().image.width;
          s.height = c.live().image.height;
        }
        ctx.SetProgress(c.Progress());
        ctx.SetDetail(c.Detail());
        if (done && c.failed()) ctx.Fail(c.error());
        return done;
      },
      [&app, key](JobState js) {
        CheckoutPanelState& s = app.checkout;
        StopCamera(app);
        if (js == JobState::Done) {
          s.state = "done";
          const checkout::CheckoutData& d = s.run->data();
          if (d.detector) {
            s.trained = d.detector;
            s.trained_key = key;
          }
          s.verdicts.assign(d.review.size(), checkout::Verdict::kPending);
          Rereview(s);
          app.Log("edge checkout: " + std::to_string(d.frames) + " frames, " + std::to_string(d.carts.size()) +
                  " carts, " + std::to_string(d.review.size()) + " events to review");
        } else if (js == JobState::Failed) {
          s.state = "error";
          s.error = s.run->failed() ? s.run->error() : app.jobs.Error();
          app.Error("edge checkout: " + s.error);
        } else if (js == JobState::Cancelled) {
          if (s.run) s.run->Cancel();
          s.state = "cancelled";
          app.Log("edge checkout cancelled");
        }
      }));
  return true;
}

double Fps(const CheckoutPanelState& st) {
  if (!st.run || st.stream_last_ms <= st.stream_start_ms) return 0;
  return double(st.run->data().frames - st.stream_frames) * 1000.0 / (st.stream_last_ms - st.stream_start_ms);
}

// The live carts: one per shopper seen so far, from the events so far (the core's FillCarts, as at the end).
void UpdateLiveCarts(CheckoutPanelState& st) {
  if (!st.run) return;
  const std::vector<checkout::Event> events = st.run->EventsSoFar();
  if (events.size() == st.live_events) return;
  st.live_events = events.size();
  std::set<int> sessions;
  for (const checkout::Event& e : events) sessions.insert(e.session);
  st.live_carts.clear();
  for (int s : sessions) {
    checkout::Cart c;
    c.session = s;
    st.live_carts.push_back(c);
  }
  checkout::FillCarts(events, st.run->options().review_below, &st.live_carts);
}

// [SECTION] Camera frames (the pump)

}  // namespace

// Per frame while a camera run goes: the newest video frame into the pipeline's queue when it took the last one
// (a slow pipeline skips camera frames rather than fall behind).
void PumpCheckout(AppState& app, double /*budget_ms*/) {
  CheckoutPanelState& st = app.checkout;
  if (!st.camera || !app.platform.camera_frame || st.state != "running") return;
  const std::string cam = app.platform.camera_state ? app.platform.camera_state() : "on";
  if (cam.rfind("unavailable", 0) == 0) {
    app.Error("edge checkout: camera " + cam);
    st.camera->Close();
    StopCamera(app);
    return;
  }
  if (cam != "on" || st.camera->pending() > 0) return;
  Image frame;
  if (!app.platform.camera_frame(frame.rgb, frame.width, frame.height)) return;
  st.camera->Push(frame);
}

namespace {

// [SECTION] Drawing

void UpdateTexture(AppState& app) {
  CheckoutPanelState& st = app.checkout;
  const checkout::LiveView& live = st.run->live();
  if (live.frame < 0 || live.image.empty() || !app.platform.create_texture) return;
  if (live.frame == st.texture_frame && live.stream == st.texture_stream && st.texture) return;
  // Replaced in the draw, before this frame names it: the old one was only in the last frame's (drawn) list.
  if (st.texture && app.platform.destroy_texture) app.platform.destroy_texture(st.texture);
  const Image& img = live.image;
  std::vector<uint8_t> rgba(size_t(img.width) * size_t(img.height) * 4);
  for (size_t i = 0, n = size_t(img.width) * size_t(img.height); i < n; ++i) {
    rgba[4 * i] = img.rgb[3 * i], rgba[4 * i + 1] = img.rgb[3 * i + 1], rgba[4 * i + 2] = img.rgb[3 * i + 2];
    rgba[4 * i + 3] = 255;
  }
  st.texture = app.platform.create_texture(rgba.data(), img.width, img.height);
  st.texture_frame = live.frame;
  st.texture_stream = live.stream;
}

void DrawFrame(AppState& app) {
  CheckoutPanelState& st = app.checkout;
  const checkout::LiveView& live = st.run->live();
  const int w = live.image.empty() ? 320 : live.image.width, h = live.image.empty() ? 240 : live.image.height;
  const float scale = std::clamp(std::min(ImGui::GetContentRegionAvail().x, 640.f) / float(w), 0.5f, 2.f);
  const ImVec2 size(float(w) * scale, float(h) * scale);
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("checkout.frame", size);
  RecordItem(app, "checkout.frame");
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p1(p0.x + size.x, p0.y + size.y);
  dl->AddRectFilled(p0, p1, IM_COL32(20, 22, 26, 255));
  UpdateTexture(app);
  if (st.texture && live.frame >= 0) dl->AddImage(reinterpret_cast<ImTextureID>(uintptr_t(st.texture)), p0, p1);
  else dl->AddRect(p0, p1, colors::kMuted);
  if (live.frame < 0) {
    dl->AddText(ImVec2(p0.x + 8, p0.y + 8), colors::kMuted,
                st.state == "running" ? "training the detector..." : "no frame yet");
    return;
  }
  const std::vector<std::string>& names = st.run->ClassNames();
  // The latest key frame: the area its detector scanned (faint) and what it found there (thin boxes).
  if (live.detection_frame >= 0) {
    const ImVec2 a(p0.x + float(live.scan_x) * scale, p0.y + float(live.scan_y) * scale);
    dl->AddRect(a, ImVec2(a.x + float(live.scan_w) * scale, a.y + float(live.scan_h) * scale), IM_COL32(255, 255, 255, 70));
    for (const labels::Box& b : live.detections) {
      const ImVec2 q(p0.x + b.left * scale, p0.y + b.top * scale);
      dl->AddRect(q, ImVec2(q.x + b.width * scale, q.y + b.height * scale), colors::Series(b.class_id) & IM_COL32(255, 255, 255, 150), 0, 0, 1.f);
    }
  }
  // The tracked products (class by the votes of every key frame they were seen in), labelled.
  for (const labels::Box& b : live.items) {
    const ImVec2 a(p0.x + b.left * scale, p0.y + b.top * scale), c(a.x + b.width * scale, a.y + b.height * scale);
    const ImU32 col = colors::Series(b.class_id);
    dl->AddRect(a, c, col, 0, 0, 2.f);
    char text[64];
    const char* name = b.class_id >= 0 && size_t(b.class_id) < names.size() ? names[size_t(b.class_id)].c_str() : "?";
    std::snprintf(text, sizeof text, "%s %.2f", name, double(b.confidence));
    const ImVec2 ts = ImGui::CalcTextSize(text);
    dl->AddRectFilled(ImVec2(a.x, a.y - ts.y - 2), ImVec2(a.x + ts.x + 4, a.y), col);
    dl->AddText(ImVec2(a.x + 2, a.y - ts.y - 1), IM_COL32(10, 10, 10, 255), text);
  }
  if (live.hand_ran) {
    // The hand model's square (faint) and, when it found a hand, its 21 landmarks and skeleton.
    const ImVec2 a(p0.x + float(live.hand_crop_x) * scale, p0.y + float(live.hand_crop_y) * scale);
    const float side = float(live.hand_crop_side) * scale;
    dl->AddRect(a, ImVec2(a.x + side, a.y + side), IM_COL32(255, 220, 120, 90));
    if (live.landmarks) {
      auto at = [&](int i) {
        return ImVec2(p0.x + live.points[size_t(i)][0] * scale, p0.y + live.points[size_t(i)][1] * scale);
      };
      for (const auto& c : nn::mediapipe::HandConnections()) dl->AddLine(at(c[0]), at(c[1]), IM_COL32(255, 220, 120, 220), 1.5f);
      for (int i = 0; i < 21; i++) dl->AddCircleFilled(at(i), 2.f * scale, IM_COL32(255, 120, 60, 255));
    }
  }
  if (live.hand) {
    const ImVec2 hp(p0.x + live.hand_x * scale, p0.y + live.hand_y * scale);
    dl->AddCircle(hp, 7.f * scale, colors::kAccent2, 0, 2.5f);
  }
  char info[128];
  std::snprintf(info, sizeof info, "frame %d%s  |  %d events", live.frame,
                !live.hand ? "" : live.landmarks ? "  |  hand (landmarks)" : live.hand_ran ? "  |  hand (cue: model found none)" : "  |  hand",
                live.events);
  dl->AddText(ImVec2(p0.x + 6, p1.y - ImGui::GetTextLineHeight() - 4), IM_COL32(255, 255, 255, 230), info);
}

void DrawCartTable(const char* id, const checkout::Cart& cart, float review_below) {
  if (ImGui::BeginTable(id, 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) {
    ImGui::TableSetupColumn("item", ImGuiTableColumnFlags_WidthFixed, 110);
    ImGui::TableSetupColumn("qty", ImGuiTableColumnFlags_WidthFixed, 40);
    ImGui::TableSetupColumn("confidence", ImGuiTableColumnFlags_WidthFixed, 90);
    ImGui::TableHeadersRow();
    for (const checkout::CartLine& l : cart.lines) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::TextUnformatted(l.item.c_str());
      ImGui::TableSetColumnIndex(1);
      ImGui::Text("%d", l.quantity);
      ImGui::TableSetColumnIndex(2);
      if (l.confidence < review_below) ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(colors::kAccent2), "%.2f", double(l.confidence));
      else ImGui::Text("%.2f", double(l.confidence));
    }
    ImGui::EndTable();
  }
  if (cart.lines.empty()) ImGui::TextDisabled("(empty)");
}

std::string Figure(const nlohmann::json& v, const char* fmt, double mul = 1) {
  if (!v.is_number()) return "-";  // not measured (yet), or no ground truth (the UI font has no em dash)
  char buf[32];
  std::snprintf(buf, sizeof buf, fmt, v.get<double>() * mul);
  return buf;
}

void DrawFigures(AppState& app) {
  CheckoutPanelState& st = app.checkout;
  const nlohmann::json j = CheckoutStatusJson(app);
  if (!j.is_object()) return;
  if (ImGui::BeginTable("checkout.figures", 2, ImGuiTableFlags_SizingFixedFit)) {
    KeyValueRow("cart accuracy", Figure(j["cart_accuracy"], "%.0f%%", 100));
    KeyValueRow("event precision", Figure(j["event_precision"], "%.3f"));
    KeyValueRow("event recall", Figure(j["event_recall"], "%.3f"));
    KeyValueRow("ms per frame (pipeline)", Figure(j["ms_per_frame"], "%.2f"));
    KeyValueRow("frames/s (with drawing)", Figure(j["fps"], "%.1f"));
    if (j.value("hand_source", "cue") != "cue")
      KeyValueRow("hand model", j.value("hand_source", "") + ": a hand in " + std::to_string(j.value("hand_found", 0)) +
                                    " of " + std::to_string(j.value("hand_frames", 0)) + " frames with an arm");
    const int width = j.value("width", 0), height = j.value("height", 0);
    KeyValueRow("frames", std::to_string(j.value("frames", 0)) +
                              (width > 0 ? "  (" + std::to_string(width) + "x" + std::to_string(height) + ")" : ""));
    const bool reviewed = std::any_of(st.verdicts.begin(), st.verdicts.end(),
                                      [](checkout::Verdict v) { return v != checkout::Verdict::kPending; });
    if (st.run && st.run->done() && st.run->data().has_truth && reviewed) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.0f%% (%d of %d shoppers)", st.reviewed.cart_accuracy * 100, st.reviewed.carts_right,
                    st.reviewed.sessions);
      KeyValueRow("cart accuracy after your review", buf);
    }
    ImGui::EndTable();
  }
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled(
      "The seed post quotes 99 percent cart accuracy for a real store. These figures are a simulated shelf (two logo "
      "products, one shopper at a time, scripted lighting and occlusion) and our own small detector trained in this "
      "page: not the post's store, cameras or models.");
  if (j["cart_accuracy"].is_null() && st.state == "done")
    ImGui::TextDisabled("No ground truth for these frames (events.jsonl): the figures that need it show -.");
  ImGui::PopTextWrapPos();
}

void DrawReview(AppState& app) {
  CheckoutPanelState& st = app.checkout;
  const checkout::CheckoutData& d = st.run->data();
  SectionHeader("Review queue");
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled("Events the pipeline was unsure of (confidence under %.3g), lowest first. Accept keeps the event "
                      "(confidence 1), Reject removes it; the carts and receipts follow at once.",
                      double(st.run->options().review_below));
  ImGui::PopTextWrapPos();
  if (d.review.empty()) {
    ImGui::TextDisabled("nothing to review");
    return;
  }
  std::vector<size_t> order(d.review.size());
  for (size_t i = 0; i < order.size(); i++) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&d](size_t a, size_t b) { return d.review[a].confidence < d.review[b].confidence; });
  if (ImGui::BeginTable("checkout.review", 6, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) {
    for (const char* h : {"frame", "event", "item", "shopper", "confidence", ""}) ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (size_t row = 0; row < order.size(); row++) {
      const size_t i = order[row];
      const checkout::Event& e = d.review[i];
      ImGui::PushID(int(i));
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::Text("%d", e.frame);
      ImGui::TableSetColumnIndex(1);
      ImGui::TextUnformatted(e.type == checkout::EventType::kTake ? "take" : "put back");
      ImGui::TableSetColumnIndex(2);
      ImGui::TextUnformatted(e.item.c_str());
      ImGui::TableSetColumnIndex(3);
      ImGui::Text("%d", e.session);
      ImGui::TableSetColumnIndex(4);
      ImGui::Text("%.3f", double(e.confidence));
      ImGui::TableSetColumnIndex(5);
      const checkout::Verdict v = i < st.verdicts.size() ? st.verdicts[i] : checkout::Verdict::kPending;
      const std::string id = "checkout.review" + std::to_string(row);
      if (v == checkout::Verdict::kPending) {
        if (ImGui::SmallButton("Accept")) st.verdicts[i] = checkout::Verdict::kAccept, Rereview(st);
        RecordItem(app, (id + ".accept").c_str());
        ImGui::SameLine();
        if (ImGui::SmallButton("Reject")) st.verdicts[i] = checkout::Verdict::kReject, Rereview(st);
        RecordItem(app, (id + ".reject").c_str());
      } else {
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(v == checkout::Verdict::kAccept ? colors::kGood : colors::kBad),
                           v == checkout::Verdict::kAccept ? "accepted" : "rejected");
        ImGui::SameLine();
        if (ImGui::SmallButton("Undo")) st.verdicts[i] = checkout::Verdict::kPending, Rereview(st);
      }
      ImGui::PopID();
    }
    ImGui::EndTable();
  }
}

void DrawControls(AppState& app) {
  CheckoutPanelState& st = app.checkout;
  const bool busy = app.jobs.Has(kCheckoutJob);
  ImGui::BeginDisabled(busy);
  const bool page = app.platform.target == "wasm";
  ImGui::TextUnformatted("Frames:");
  ImGui::SameLine();
  ImGui::RadioButton("simulated shelf", &st.source, CheckoutPanelState::kSimulated);
  ImGui::SameLine();
  ImGui::BeginDisabled(!app.platform.camera_enable);
  ImGui::RadioButton("camera", &st.source, CheckoutPanelState::kCamera);
  ImGui::EndDisabled();
  if (!app.platform.camera_enable && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("The camera works in the page (browser); the desktop app reads a folder of frames");
  if (!page) {
    ImGui::SameLine();
    ImGui::RadioButton("folder of frames", &st.source, CheckoutPanelState::kFolder);
  }
  if (st.source == CheckoutPanelState::kSimulated) {
    ImGui::SetNextItemWidth(110);
    if (ImGui::InputInt("seed", &st.seed)) st.seed = std::clamp(st.seed, 0, 1000000);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(110);
    if (ImGui::InputInt("shoppers", &st.sessions)) st.sessions = std::clamp(st.sessions, 1, 50);
    ImGui::SameLine();
    HelpMarker("One simulated stream: this many shoppers one after the other (3 to 6 reaches each). The settings "
               "were tuned on seeds 1-5; the benchmark reports 101-110.");
  } else if (st.source == CheckoutPanelState::kFolder) {
    ImGui::SetNextItemWidth(360);
    ImGui::InputText("folder", st.frames_dir, sizeof st.frames_dir);
    ImGui::SameLine();
    HelpMarker("NNNNNN.png frames, and events.jsonl when the truth is known: what `fieldkit-cli checkout simulate "
               "--out DIR` writes, and what `checkout run --frames DIR` reads.");
  } else {
    ImGui::TextDisabled("Point the camera at a shelf from above the counter, hands reaching in from below. "
                        "No ground truth: the figures that need it show -.");
  }
  ImGui::TextUnformatted("Detector trained on:");
  ImGui::SameLine();
  ImGui::RadioButton("store's product photos", &st.detector, CheckoutPanelState::kStorePhotos);
  ImGui::SameLine();
  ImGui::RadioButton("bundled logos", &st.detector, CheckoutPanelState::kLogos);
  ImGui::SameLine();
  if (st.detector == CheckoutPanelState::kStorePhotos) {
    ImGui::SetNextItemWidth(110);
    if (ImGui::InputInt("photo seeds", &st.photo_seeds)) st.photo_seeds = std::clamp(st.photo_seeds, 1, 5);
    ImGui::SameLine();
    HelpMarker("Train on the shelf photos of simulated seeds 1..N (6 each, the tuning seeds; never the ones scored). "
               "Fewer trains faster; the CLI's default is 1-5. The trained detector is kept for the next run.");
    ImGui::SameLine();
  }
  ImGui::BeginDisabled(app.labels.v1_manifest.empty());
  ImGui::RadioButton("your products (Label Review)", &st.detector, CheckoutPanelState::kLabelReview);
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    if (app.labels.v1_manifest.empty())
      ImGui::SetTooltip("Drop a Ground Truth manifest of your products into Label Review and use it as the v1 set");
    else
      ImGui::SetTooltip("%s", app.labels.v1_manifest.c_str());
  }
  ImGui::TextUnformatted("Hand:");
  ImGui::SameLine();
  ImGui::RadioButton("cue only", &st.hand, CheckoutPanelState::kHandCue);
  RecordItem(app, "checkout.hand_cue");
  for (const auto& hm : {std::make_pair(int(CheckoutPanelState::kHandLite), "mediapipe:hand_lite"),
                         std::make_pair(int(CheckoutPanelState::kHandFull), "mediapipe:hand_full")}) {
    // Natively only where the deps cache put the file; the page fetches it from its server at Start.
    const bool there = page || nn::ResolveModelPath(hm.second).ok();
    ImGui::SameLine();
    ImGui::BeginDisabled(!there);
    ImGui::RadioButton(hm.second + 10, &st.hand, hm.first);
    ImGui::EndDisabled();
    RecordItem(app, hm.first == CheckoutPanelState::kHandLite ? "checkout.hand_lite" : "checkout.hand_full");
    if (!there && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
      ImGui::SetTooltip("%s is not beside this program (run `make deps`)", hm.second);
  }
  ImGui::SameLine();
  ImGui::BeginDisabled(app.sparse.own_model.empty());
  ImGui::RadioButton("your .tflite", &st.hand, CheckoutPanelState::kHandOwn);
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("%s", app.sparse.own_model.empty()
                                ? "Drop a hand_landmark .tflite on the page (or open it in Sparse Inference) first"
                                : app.sparse.own_model.c_str());
  ImGui::SameLine();
  HelpMarker("With a hand model, MediaPipe's hand landmarks on a square around the hand cue's point decide where the "
             "hand acted (its fingertips); where it finds no hand the cue's top of the arm stands. The model is loaded "
             "at Start (in slices) and kept for the next run.");
  if (st.hand_model && st.hand_model->ready() && st.hand_key == HandName(app)) {
    ImGui::SameLine();
    ImGui::TextDisabled("(loaded)");
  }
  ImGui::SetNextItemWidth(160);
  ImGui::SliderFloat("review events under", &st.review_below, 0.05f, 1.f, "%.3f");
  ImGui::SameLine();
  HelpMarker("Events with a confidence under this go to the review queue and are marked (review) on the receipt "
             "(the CLI's --review-below).");
  ImGui::EndDisabled();
  if (ImGui::Button(busy ? "Running..." : "Start", ImVec2(120, 0)) && !busy) StartCheckout(app);
  RecordItem(app, "checkout.start");
  if (busy) {
    ImGui::SameLine();
    if (ImGui::Button("Cancel", ImVec2(90, 0))) app.jobs.Cancel();
    RecordItem(app, "checkout.cancel");
    if (st.camera) {
      ImGui::SameLine();
      if (ImGui::Button("End session")) st.camera->Close();
      RecordItem(app, "checkout.end_camera");
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("Stop the camera: the carts are closed and the receipts printed");
    }
  }
  if (!st.source_name.empty() && st.run) {
    ImGui::SameLine();
    ImGui::TextDisabled("%s  |  %s", st.source_name.c_str(), st.state.c_str());
  }
}

}  // namespace

void DrawCheckoutPanel(AppState& app) {
  CheckoutPanelState& st = app.checkout;
  DrawControls(app);
  if (!st.run) {
    ImGui::Spacing();
    ImGui::TextDisabled("Start runs the shelf camera's frames through the pipeline: the detector is trained first "
                        "(a few seconds), then frames stream.");
    return;
  }
  ImGui::Separator();
  UpdateLiveCarts(st);
  const float review_below = st.run->options().review_below;
  if (ImGui::BeginTable("checkout.layout", 2, ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("frame", ImGuiTableColumnFlags_WidthStretch, 0.58f);
    ImGui::TableSetupColumn("cart", ImGuiTableColumnFlags_WidthStretch, 0.42f);
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    DrawFrame(app);
    ImGui::TableSetColumnIndex(1);
    const bool done = st.run->done();
    const std::vector<checkout::Cart>& carts = done ? st.reviewed.carts : st.live_carts;
    if (!done) {
      SectionHeader("Virtual cart");
      if (carts.empty()) ImGui::TextDisabled("no shopper has taken anything yet");
      else {
        ImGui::Text("shopper %d", carts.back().session);
        DrawCartTable("checkout.cart", carts.back(), review_below);
        if (carts.size() > 1) ImGui::TextDisabled("%zu earlier shoppers", carts.size() - 1);
      }
    } else {
      SectionHeader("Receipts");
      ImGui::BeginChild("checkout.receipts", ImVec2(0, 240), true);
      for (const checkout::Cart& c : carts) ImGui::TextUnformatted(c.receipt.c_str());
      ImGui::EndChild();
    }
    ImGui::Spacing();
    SectionHeader("Figures");
    DrawFigures(app);
    ImGui::EndTable();
  }
  if (st.run->done()) DrawReview(app);
}

// [SECTION] ?run=checkout-demo and status().checkout

// ?run=checkout-demo[&seed=101][&sessions=2][&photos=1][&train=products|logos|labels][&review_below=0.5]
// [&frames=DIR][&camera=1][&hand=cue|lite|full]
// The demo's defaults keep it short (an e2e case): two shoppers, the detector trained on seed 1's photos only
// (`checkout run --seeds 101 --sessions 2 --photos 1`).
bool RunCheckoutDemoFromParams(AppState& app, const std::map<std::string, std::string>& params) {
  CheckoutPanelState& st = app.checkout;
  st.source = CheckoutPanelState::kSimulated;
  st.seed = 101;
  st.sessions = 2;
  st.photo_seeds = 1;
  st.review_below = 0.5f;
  st.detector = CheckoutPanelState::kStorePhotos;
  st.hand = CheckoutPanelState::kHandCue;
  auto number = [&app](const std::string& k, const std::string& v, long lo, long hi, int* out) {
    char* end = nullptr;
    const long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || !end || *end || n < lo || n > hi) {
      app.Error("?run=checkout-demo: " + k + " must be a whole number in " + std::to_string(lo) + ".." +
                std::to_string(hi) + ", got '" + v + "'");
      return false;
    }
    *out = int(n);
    return true;
  };
  for (const auto& kv : params) {
    const std::string& k = kv.first;
    const std::string& v = kv.second;
    if (k == "seed") {
      if (!number(k, v, 0, 1000000, &st.seed)) return false;
    } else if (k == "sessions") {
      if (!number(k, v, 1, 50, &st.sessions)) return false;
    } else if (k == "photos") {
      if (!number(k, v, 1, 5, &st.photo_seeds)) return false;
    } else if (k == "train") {
      if (v == "products") st.detector = CheckoutPanelState::kStorePhotos;
      else if (v == "logos") st.detector = CheckoutPanelState::kLogos;
      else if (v == "labels") st.detector = CheckoutPanelState::kLabelReview;
      else {
        app.Error("?run=checkout-demo: train must be products, logos or labels, got '" + v + "'");
        return false;
      }
    } else if (k == "review_below") {
      char* end = nullptr;
      const double r = std::strtod(v.c_str(), &end);
      if (v.empty() || !end || *end || !(r >= 0 && r <= 1)) {
        app.Error("?run=checkout-demo: review_below must be a number in 0..1, got '" + v + "'");
        return false;
      }
      st.review_below = float(r);
    } else if (k == "frames") {
      std::snprintf(st.frames_dir, sizeof st.frames_dir, "%s", v.c_str());
      st.source = CheckoutPanelState::kFolder;
    } else if (k == "camera") {
      if (v == "1" || v == "true") st.source = CheckoutPanelState::kCamera;
    } else if (k == "hand") {
      if (v == "cue") st.hand = CheckoutPanelState::kHandCue;
      else if (v == "lite") st.hand = CheckoutPanelState::kHandLite;
      else if (v == "full") st.hand = CheckoutPanelState::kHandFull;
      else {
        app.Error("?run=checkout-demo: hand must be cue, lite or full, got '" + v + "'");
        return false;
      }
    } else {
      app.Error("?run=checkout-demo: unknown parameter '" + k + "' (known: seed, sessions, photos, train, review_below, frames, camera, hand)");
      return false;
    }
  }
  return StartCheckout(app);
}

// The CLI's `checkout run --json` figures (the same Checkout::StatusJson), and the run's state and throughput.
nlohmann::json CheckoutStatusJson(const AppState& app) {
  const CheckoutPanelState& st = app.checkout;
  if (!st.run) return nlohmann::json();
  const nlohmann::json core = st.run->StatusJson();
  const bool done = st.state == "done";
  nlohmann::json j;
  j["state"] = st.state;
  j["frames"] = st.run->data().frames;
  const double fps = Fps(st);
  j["fps"] = fps > 0 ? JsonNumberAs(fps, "%.1f") : nlohmann::json(nullptr);
  j["width"] = st.width;
  j["height"] = st.height;
  // The scores exist once the run ended (before, the core's are partial or defaults).
  j["carts"] = done ? core.value("carts", nlohmann::json::array()) : nlohmann::json::array();
  for (const char* k : {"event_precision", "event_recall", "cart_accuracy"})
    j[k] = done ? core.value(k, nlohmann::json()) : nlohmann::json(nullptr);
  j["ms_per_frame"] = done ? core.value("ms_per_frame", nlohmann::json()) : nlohmann::json(nullptr);
  // Which hand source the run uses ("cue", or the hand model's name) and how often the model found a hand.
  j["hand_source"] = core.value("hand_source", "cue");
  j["hand_frames"] = core.value("hand_frames", 0);
  j["hand_found"] = core.value("hand_found", 0);
  return j;
}

void ReleaseCheckoutTextures(AppState& app) {
  CheckoutPanelState& st = app.checkout;
  if (st.texture && app.platform.destroy_texture) app.platform.destroy_texture(st.texture);
  st.texture = 0;
  st.texture_frame = -1;
  StopCamera(app);
}

}  // namespace fk::ui
