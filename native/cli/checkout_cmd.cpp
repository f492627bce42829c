// fieldkit-cli checkout simulate|run — the Edge Checkout workflow headless: the
// simulated shelf stream written as frames + ground truth, and the per-frame
// pipeline (detector, hand cue, tracker, carts) over a folder of frames or
// simulated seeds in memory, scored against the truth when there is one.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "checkout/pipeline.h"
#include "checkout/sim.h"
#include "cli.h"
#include "core/params.h"
#include "core/strings.h"
#include "labels/detector.h"
#include "nn/model_zoo.h"

namespace fk::cli {

namespace {

int Sessions(const Args& a) {
  const long n = a.GetInt("sessions", checkout::SimOptions{}.sessions);
  if (n < 1 || n > 1000) throw UsageError{"--sessions must be 1..1000"};
  return int(n);
}

int Simulate(const Args& a) {
  const std::string out = a.Get("out");
  if (out.empty()) throw UsageError{"checkout simulate needs --out DIR"};
  const long seed = a.GetInt("seed", 1);
  if (seed < 0) throw UsageError{"--seed must be 0 or more"};
  checkout::SimOptions so;
  so.seed = uint64_t(seed);
  so.sessions = Sessions(a);
  checkout::SimulationWriter w(so, out);
  ProgressBar bar("checkout simulate", ProgressWanted(a));
  while (!w.Step()) bar.Update(w.Progress());
  bar.Done();
  if (!w.status()) throw InputError{w.status().message()};
  if (a.Has("json"))
    EmitJson({{"out", out},
              {"seed", seed},
              {"frames", w.frames()},
              {"events", w.events()},
              {"width", checkout::ShelfSim::kWidth},
              {"height", checkout::ShelfSim::kHeight},
              {"format", "png"}});
  else
    std::printf("%d frames (%dx%d PNG) and %d events written to %s\n", w.frames(), checkout::ShelfSim::kWidth,
                checkout::ShelfSim::kHeight, w.events(), out.c_str());
  return 0;
}

// "101-110", "1,2,5" or "3".
std::vector<uint64_t> ParseSeeds(const std::string& text) {
  std::vector<uint64_t> seeds;
  for (const std::string& part : SplitList(text, ',')) {
    const size_t dash = part.find('-', 1);
    double lo = 0, hi = 0;
    const bool ok = dash == std::string::npos ? ParseNumber(part, &lo) && (hi = lo, true)
                                              : ParseNumber(part.substr(0, dash), &lo) && ParseNumber(part.substr(dash + 1), &hi);
    if (!ok || lo < 0 || hi < lo || lo != std::floor(lo) || hi != std::floor(hi) || hi - lo > 10000)
      throw UsageError{"--seeds: \"" + part + "\" is not a seed or a range like 101-110"};
    for (double s = lo; s <= hi; s++) seeds.push_back(uint64_t(s));
  }
  if (seeds.empty()) throw UsageError{"--seeds: no seed given"};
  return seeds;
}

int Run(const Args& a) {
  checkout::CheckoutOptions o;
  o.frames_dir = a.Get("frames");
  if (a.Has("seeds")) o.seeds = ParseSeeds(a.Get("seeds"));
  o.sim.sessions = Sessions(a);
  if (o.frames_dir.empty() == o.seeds.empty()) throw UsageError{"checkout run needs --frames DIR or --seeds LIST (one of them)"};
  const std::string train = a.Get("train");
  if (train == "logos") o.train_on_logos = true;
  else o.train_manifest = train;
  if (a.Has("photos")) o.photo_seeds = ParseSeeds(a.Get("photos"));
  for (const std::string& kv : a.GetList("param", {})) {
    Status st = SetParam(labels::DetectorOptionTable(), &o.detector, kv);
    if (!st) throw UsageError{"--param " + st.message()};
  }
  o.review_below = float(a.GetDouble("review-below", o.review_below));
  o.frame_tolerance = int(a.GetInt("tolerance", o.frame_tolerance));
  if (o.frame_tolerance < 0) throw UsageError{"--tolerance must be 0 or more"};
  o.hand_model = a.Get("hand-model");
  if (a.Has("hand-model") && o.hand_model.empty()) throw UsageError{"--hand-model needs a file or mediapipe:hand_lite"};
  if (!o.hand_model.empty()) {
    // The bundled models sit in models/ beside this binary (the build copies them).
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) nn::AddBundleRoot(exe.parent_path().string());
  }
  checkout::Checkout c(o);
  ProgressBar bar("checkout run", ProgressWanted(a));
  while (!c.Step(50.0)) bar.Update(c.Progress(), c.Detail());
  bar.Done();
  if (c.failed()) throw InputError{c.error()};
  const checkout::CheckoutData& d = c.data();
  const std::string events_out = a.Get("events-out");
  if (!events_out.empty()) {
    std::ofstream f(events_out, std::ios::binary);
    f << checkout::EventsToJsonl(d.events, true);
    if (!f) throw InputError{events_out + ": cannot write"};
  }
  const std::string truth_out = a.Get("truth-out");
  if (!truth_out.empty()) {
    std::ofstream f(truth_out, std::ios::binary);
    f << checkout::EventsToJsonl(d.truth);
    if (!f) throw InputError{truth_out + ": cannot write"};
  }
  const nlohmann::json j = c.StatusJson();
  if (a.Has("json")) {
    EmitJson(j);
    return 0;
  }
  for (const checkout::Cart& cart : d.carts) std::printf("%s", cart.receipt.c_str());
  std::printf("%d frames, %.2f ms per frame, %zu events (%zu for review)\n", d.frames, d.frame_ms, d.events.size(),
              d.review.size());
  if (d.has_truth)
    std::printf("event precision %.3f, recall %.3f (%d of %d true events); cart accuracy %.3f (%d of %d shoppers)\n",
                d.scores.precision, d.scores.recall, d.scores.matched_events, d.scores.true_events, d.scores.cart_accuracy,
                d.scores.carts_right, d.scores.sessions);
  if (!o.hand_model.empty())
    std::printf("hand model %s: a hand in %d of %d frames with an arm (the others: the hand cue), %.2f ms a run\n",
                d.hand_model.c_str(), d.hand_found, d.hand_frames, d.hand_frames ? d.hand_ms / d.hand_frames : 0.0);
  return 0;
}

int Products(const Args& a) {
  const std::string out = a.Get("out");
  if (out.empty()) throw UsageError{"checkout products needs --out DIR"};
  const std::vector<uint64_t> seeds = ParseSeeds(a.Get("seeds", "1-5"));
  const long per = a.GetInt("per-seed", 6);
  if (per < 1 || per > 1000) throw UsageError{"--per-seed must be 1..1000"};
  std::string summary;
  Status st = checkout::WriteProductPhotos(seeds, int(per), out, &summary);
  if (!st) throw InputError{st.message()};
  if (a.Has("json")) EmitJson({{"out", out}, {"manifest", out + "/products.manifest"}, {"summary", summary}});
  else std::printf("%s", summary.c_str());
  return 0;
}

const VerbTable kCheckout = {
    "checkout",
    {{"simulate", "write a simulated shelf stream: frames and the ground-truth events",
      {{"seed", "N", "stream seed (default 1); the benchmark tunes on 1-5 and reports 101-110"},
       {"sessions", "N", "shoppers in the stream (default 5)"},
       {"out", "DIR", "writes DIR/000000.png ... (320x240 RGB PNG, one per frame) and DIR/events.jsonl (required)"}},
      Simulate, "",
      "A shelf of two rows of five products (the bundled logos, smile and cloud), shoppers one after\n"
      "another reaching in from below to take, put back or touch; occlusion by the arm and its shadow,\n"
      "lighting drift and steps, a passing shadow, sensor noise. events.jsonl: one line per event,\n"
      "{\"frame\",\"type\":\"take\"|\"put_back\",\"item\",\"session\",\"slot\"}, written after the frames.\n"
      "JSON keys: out, seed, frames, events, width, height, format."},
     {"products", "labelled shelf photos of the simulated products, to train the detector on (--train)",
      {{"seeds", "LIST", "streams to photograph (default 1-5, the tuning seeds: never the ones you score)"},
       {"per-seed", "N", "hand-free frames per stream, spread over it (default 6)"},
       {"out", "DIR", "writes DIR/<seed>_<frame>.png (320x152, the shelf) and DIR/products.manifest (required)"}},
      Products, "",
      "A store's own product photos with their logos boxed (a Ground Truth object-detection manifest):\n"
      "`checkout run --train DIR/products.manifest` trains the detector on them instead of the bundled logos.\n"
      "JSON keys: out, manifest, summary."},
     {"run", "the checkout pipeline over frames: carts per shopper, scored against the truth",
      {{"frames", "DIR", "a folder of NNNNNN.png frames (and events.jsonl, when known)"},
       {"seeds", "LIST", "simulated streams in memory instead: 101-110 or 1,2,3"},
       {"sessions", "N", "with --seeds: shoppers per stream (default 5)"},
       {"train", "MANIFEST", "train the detector on your products' photos (a Ground Truth manifest), or \"logos\":\n"
                             "the bundled Label Review set; default: the simulated store's product photos (--photos)"},
       {"photos", "LIST", "seeds whose shelf photos the default detector trains on (default 1-5, as checkout products)"},
       {"param", "K=V,..", "detector options (as labels loop's), below"},
       {"review-below", "C", "events under this confidence go to the review queue (default 0.5)"},
       {"tolerance", "FRAMES", "a predicted event matches a true one this many frames away (default 10)"},
       {"hand-model", "FILE", "MediaPipe's hand landmarks decide where the hand acted: mediapipe:hand_lite,\n"
                              "mediapipe:hand_full or a hand_landmark .tflite (default: the hand cue only)"},
       {"events-out", "FILE", "write the predicted events (events.jsonl format, with confidence)"},
       {"truth-out", "FILE", "write the true events beside them (session ids made global over the streams, as the carts')"}},
      Run, "",
      "Trains the Label Review detector, then per frame: the hand cue (changes against the last\n"
      "hand-free frame, lights compensated, connected to the bottom edge), a reach's before and\n"
      "after key frames through the detector and the item tracker, take / put back where the hand\n"
      "was, sessions by sleeve colour, a cart and receipt per shopper.\n"
      "JSON: {\"carts\":[{session,stream,first_frame,last_frame,items:[{item,quantity,confidence,\n"
      "unit_price}],total,receipt}],\"event_precision\",\"event_recall\",\"cart_accuracy\" (null without\n"
      "events.jsonl),\"ms_per_frame\",\"frames\",\"key_frames\",\"events\",\"review\",\"true_events\",\n"
      "\"matched_events\",\"sessions\",\"carts_right\",\"review_queue\":[{frame,type,item,session,confidence}],\n"
      "\"train_ms\",\"model\",\"stage\",\"hand_source\" (\"cue\" or the hand model),\"hand_model\",\"hand_frames\"\n"
      "(frames with an arm the model ran on),\"hand_found\" (those it found a hand in),\"hand_ms_per_run\"}\n"
      "detector options (--param key=value):\n" + ParamHelp(labels::DetectorOptionTable())}}};

}  // namespace

int CheckoutCommand(const std::vector<std::string>& argv) { return RunVerbTable(kCheckout, argv); }

}  // namespace fk::cli
