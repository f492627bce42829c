// The Edge Checkout workflow's core model: a shelf camera's frames in, a
// virtual cart per shopper out. Steppable like the other workflows (options
// in, Step(budget_ms), Progress/Detail, Cancel, data(), StatusJson()).
//
// Stages: train the Label Review detector (labels::DetectorTrainer, one slice
// per unit; on the simulated store's product photos drawn in memory, the
// bundled logo set, or the user's own Ground Truth manifest) -> per frame:
//  1. hand cue: the frame against the last hand-free frame (the reference),
//     after a global per-channel gain (lights): a pixel is "changed" when
//     no single brightness factor explains it (a shadow, moving or the arm's,
//     only darkens: not a hand); the changed cells connected to the bottom
//     edge are the arm, their top is the hand (shoppers reach in from below);
//     With a hand model (`hand_model`), MediaPipe's hand landmarks on a square
//     around that point give the hand's point instead (its fingertips) where
//     it finds a hand, the cue's where not (checkout/hand.h);
//  2. a reach (visit) starts when the arm appears and ends when it has been
//     gone for `quiet_frames`; where it acted is where the hand first arrived
//     near its highest point (a product lifted with it raises the arm's top
//     later), when is the middle of its stay there;
//  3. then the detector runs on the reference before the reach and on the
//     first hand-free frame after it, each cropped around that point (one
//     pyramid level per unit; the first frame is scanned whole), the item
//     tracker (boxes matched across key frames by IoU, class by summed
//     confidence votes; a taken product's track is forgotten) is updated, and
//     at the reach point: an item there before and gone after = "take",
//     absent before and there after = "put back" (another item in its place =
//     both), but only when the pixels there changed (a detector flicker with
//     nothing moved is no event). Confidence: the detector's calibrated
//     probability of the item present on one side times its probability of
//     absence on the other; below `review_below` the event also goes to the
//     review queue;
//  4. sessions: the sleeve colour at the bottom edge (white-balanced against
//     the wall at the top of the frame); a new colour = a new shopper.
//
//   CheckoutOptions o;  o.seeds = {101};            // or o.frames_dir = "out/seed101"
//   Checkout c(o);
//   while (!c.Step(8.0)) show(c.Progress(), c.Detail());
//   c.data().carts, c.data().scores, c.StatusJson()
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "checkout/events.h"
#include "checkout/hand.h"
#include "checkout/metrics.h"
#include "checkout/sim.h"
#include "core/image.h"
#include "core/status.h"
#include "labels/detector.h"

namespace fk::checkout {

// Where frames come from: a folder of NNNNNN.png (with its events.jsonl, if
// any) or the simulator in memory (a panel, the benchmark).
class FrameSource {
 public:
  virtual ~FrameSource() = default;
  virtual int count() const = 0;
  virtual Result<Image> Get(int i) = 0;
  // The ground truth when known (a folder's events.jsonl, the simulator's events).
  virtual const std::optional<std::vector<Event>>& truth() const = 0;
  virtual std::string name() const = 0;  // "DIR" or "seed 101"
  // A live source (a camera) has frames still to come past count(): the pipeline waits for them.
  virtual bool more_coming() const { return false; }
};
// Lists DIR/*.png (sorted by name) and reads DIR/events.jsonl when present.
// Fails naming the folder (missing, empty of frames) or events.jsonl's line and field.
Result<std::unique_ptr<FrameSource>> OpenFrameDir(const std::string& dir);
std::unique_ptr<FrameSource> SimulatedFrames(const SimOptions& o);

// Frames handed in as they arrive (a camera, in the page: getUserMedia): no truth. Each is scaled
// to kWidth px wide (the simulated shelf's 320; the pipeline's distances are in those pixels).
// Frames already stepped past are dropped; Close() ends the stream after the last one pushed.
class LiveFrames : public FrameSource {
 public:
  static constexpr int kWidth = 320;
  void Push(const Image& frame);  // a 0-px frame is ignored
  void Close() { closed_ = true; }
  int pending() const { return int(frames_.size()); }  // pushed, not yet taken by the pipeline
  int count() const override { return first_ + int(frames_.size()); }
  Result<Image> Get(int i) override;
  const std::optional<std::vector<Event>>& truth() const override { return truth_; }
  std::string name() const override { return "camera"; }
  bool more_coming() const override { return !closed_; }

 private:
  std::vector<Image> frames_;  // frames first_.. not yet taken
  int first_ = 0;
  bool closed_ = false;
  std::optional<std::vector<Event>> truth_;
};
// Area-averaged to `width` px wide, the aspect kept (never wider than the frame).
Image ScaleToWidth(const Image& img, int width);

// The part of a frame that is picture: flat bars along its edges (a camera's letterbox or pillarbox,
// rows or columns of one colour within `tolerance` levels per channel) cut off; at most a third of the
// frame per side. The whole frame when there are none (sensor noise alone breaks a row's flatness).
// The pipeline looks for products only inside it (a bar's edge is a straight line a detector may take
// for a product's).
struct Region {
  int x = 0, y = 0, w = 0, h = 0;
};
Region ContentRegion(const Image& frame, int tolerance = 6);

// Writes the simulated stream of `seed` as DIR/000000.png ... and DIR/events.jsonl, one frame per Step.
class SimulationWriter {
 public:
  SimulationWriter(const SimOptions& o, std::string dir);
  ~SimulationWriter();
  bool Step();  // true when done or failed (status())
  const Status& status() const { return status_; }
  float Progress() const;
  int frames() const;
  int events() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
  Status status_;
};

// The detector's options for shelf frames: logos searched at their absolute
// sizes only (the bundled set's logos are the size of the shelf's; the sizes
// relative to a 320 px frame would double the scan for nothing).
inline labels::DetectorOptions ShelfDetectorOptions() {
  labels::DetectorOptions d;
  d.scale_with_image = false;
  return d;
}

// A store's own product photos, simulated: `per_seed` hand-free frames of
// each seed's stream, spread over it (so restocked products are in), cropped
// to the shelf, as DIR/<seed>_<frame>.png and one Ground Truth manifest
// DIR/products.manifest with the logos' boxes (classes smile, cloud). Train
// the detector on it with CheckoutOptions::train_manifest (`checkout run --train`).
// Use seeds the evaluation does not (the benchmark: the tuning seeds 1-5).
Status WriteProductPhotos(const std::vector<uint64_t>& seeds, int per_seed, const std::string& dir, std::string* summary);
// The same photos in memory (what CheckoutOptions' default detector trains on).
struct ShelfPhoto {
  uint64_t seed = 0;
  int frame = 0;
  Image image;
  std::vector<labels::Box> boxes;
};
std::vector<ShelfPhoto> ShelfPhotos(uint64_t seed, int per_seed);

struct CheckoutOptions {
  // Frames: `source` when set (a camera: LiveFrames; one stream, the caller keeps pushing), else a
  // folder (frames_dir), else one simulated stream per seed, one after the other.
  std::shared_ptr<FrameSource> source;
  std::string frames_dir;
  std::vector<uint64_t> seeds;
  SimOptions sim;  // the simulated streams' options (their seed is each of `seeds`)
  // The detector: trained on the user's Ground Truth manifest when given; else,
  // with train_on_logos, on the bundled logo set (labels::kBundledLogoSeed) drawn
  // in memory: its v1 and v2 splits (38 images; the test split stays unseen, as
  // in Label Review); else (the default) on the simulated store's product
  // photos, ShelfPhotos of photo_seeds (the tuning seeds), drawn in memory: the
  // same images as `checkout products --seeds 1-5` writes.
  std::string train_manifest;
  bool train_on_logos = false;
  std::vector<uint64_t> photo_seeds = {1, 2, 3, 4, 5};
  int photos_per_seed = 6;
  labels::DetectorOptions detector = ShelfDetectorOptions();
  // A detector an earlier run trained (CheckoutData::detector): no training then (a panel's second run).
  std::shared_ptr<const labels::Detector> trained;
  // Every setting below was chosen on the tuning seeds 1-5 (docs/BENCHMARKS.md, "Edge checkout").
  float change_threshold = 0.10f;  // hand cue: residual per pixel (0..1 scale, summed over channels)
  int min_arm_cells = 12;          // cells (4x4 px) connected to the bottom edge that make an arm
  int quiet_frames = 2;            // hand-free frames that end a reach
  float reach_radius = 34;         // px from the reach point to an item box's centre
  float present_above = 0.3f;      // detector confidence at which an item counts as there
  float zone_change = 0.2f;        // share of the reach zone's pixels that must change for an event
  float session_distance = 0.25f;  // sleeve colour difference that starts a new session
  float review_below = 0.5f;       // events under this confidence go to the review queue
  int frame_tolerance = 10;        // scoring: frames between a true and a predicted event
  // The hand model (checkout/hand.h): where one is given, its landmarks on a square around the hand
  // cue's point say where the hand acted (the fingertips) instead of the cue's top of the arm; in a
  // frame where it finds no hand (presence under hand_presence) the cue's point stands, counted.
  std::string hand_model;                 // "mediapipe:hand_lite" | "mediapipe:hand_full" | a .tflite; "" = the cue only
  std::shared_ptr<HandModel> hand;        // or one already made (a panel keeps it loaded between runs)
  float hand_crop = 80;                   // the square's side, px (the simulated hand is ~40 px across)
  float hand_presence = 0.5f;             // MediaPipe's threshold
  bool keep_live = false;          // fill live() each frame (outside the timed per-frame work)
};

// One line of a cart: the item, how many, the lowest confidence of the events behind it.
struct CartLine {
  std::string item;
  int quantity = 0;
  float confidence = 1;
  double unit_price = 0;
};
struct Cart {
  int session = 0;
  uint64_t stream = 0;  // the seed (simulated) or 0 (a folder)
  int first_frame = 0, last_frame = 0;
  std::vector<CartLine> lines;
  double total = 0;
  std::string receipt;  // text, one line per item and a total
};

struct CheckoutData {
  std::vector<Event> events;  // predicted; session ids are global over all streams
  std::vector<Event> review;  // the low-confidence ones
  std::vector<Cart> carts;
  std::vector<Event> truth;   // over all streams, session ids made global the same way
  bool has_truth = false;
  Scores scores;
  int frames = 0, key_frames = 0;
  double frame_ms = 0;  // per-frame pipeline time (not decoding, not training)
  double train_ms = 0;
  std::string model;     // the detector's Describe()
  // The hand source: "cue", or the hand model's name; the frames with an arm it ran on, those it found a
  // hand in (the others fell back to the cue), and its time (inside frame_ms).
  std::string hand_source = "cue";
  std::string hand_model;  // its Describe()
  int hand_frames = 0, hand_found = 0;
  double hand_ms = 0;
  std::shared_ptr<const labels::Detector> detector;  // the trained detector, for the next run
};

// Illustrative shelf prices (a receipt needs some): smile 2.49, cloud 1.99, others 1.00.
double UnitPrice(const std::string& item);

// Each cart's lines, total and receipt from its session's events (the session, stream and frame
// span set): what the pipeline does at the end, and a view after a person reviewed events.
void FillCarts(const std::vector<Event>& events, float review_below, std::vector<Cart>* carts);

// A person's verdicts on the review queue (the human in the loop, as in Label Review): an accepted
// event stays with confidence 1, a rejected one goes. The carts are rebuilt from what stays and,
// with truth, scored again under the run's pairing of true and predicted shoppers (Scores::paired).
enum class Verdict { kPending, kAccept, kReject };
struct ReviewedRun {
  std::vector<Event> events;
  std::vector<Cart> carts;
  int carts_right = 0, sessions = 0;
  double cart_accuracy = 1;  // carts_right / sessions (meaningful with truth only)
};
// verdicts[i] is the person's word on d.review[i] (missing = pending).
ReviewedRun ApplyReview(const CheckoutData& d, const std::vector<Verdict>& verdicts, float review_below);
// What a view draws while a stream runs: the latest frame, the hand cue's
// point, the tracked items (class by votes) and the events so far.
struct LiveView {
  uint64_t stream = 0;
  int frame = -1;
  Image image;
  bool hand = false;
  float hand_x = 0, hand_y = 0;
  // The hand model's reading of this frame, when one ran: its square, presence, the 21 landmarks (frame px).
  bool hand_ran = false, landmarks = false;
  float hand_presence = 0;
  std::array<std::array<float, 2>, 21> points{};
  int hand_crop_x = 0, hand_crop_y = 0, hand_crop_side = 0;
  std::vector<labels::Box> items;
  // The latest key frame's detections over present_above (frame px) and the area that key frame scanned.
  std::vector<labels::Box> detections;
  int scan_x = 0, scan_y = 0, scan_w = 0, scan_h = 0, detection_frame = -1;
  int events = 0;
};

class Checkout {
 public:
  explicit Checkout(CheckoutOptions o);
  ~Checkout();
  Checkout(const Checkout&) = delete;
  Checkout& operator=(const Checkout&) = delete;

  // Units of work (a training slice, a frame, one pyramid level of a key
  // frame's detection) until budget_ms is spent, at least one; true when done,
  // failed or cancelled. Any budget gives the same results.
  bool Step(double budget_ms);
  void Cancel();
  bool done() const;
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  float Progress() const;
  std::string Detail() const;  // "training: class 1 epoch 12/30", "seed 101: frame 120/640"
  const CheckoutData& data() const { return d_; }
  // Kept only when options' keep_live is set (a panel): copying the frame costs time a CLI does not need.
  const LiveView& live() const { return live_; }
  // The predicted events so far, the current stream's included (a live cart; data().events has
  // only the finished streams').
  std::vector<Event> EventsSoFar() const;
  const CheckoutOptions& options() const { return opt_; }
  // The detector's class names (LiveView::items' class_id; events carry the names already).
  const std::vector<std::string>& ClassNames() const;
  // {"stage","error"?,"frames","key_frames","events","review","review_queue":[{frame,type,item,session,
  //  confidence}] (lowest confidence first),"carts":[{session,stream,first_frame,last_frame,
  //  items:[{item,quantity,confidence,unit_price}],total,receipt}],"event_precision","event_recall",
  //  "cart_accuracy" (null without truth),"ms_per_frame","train_ms","true_events","matched_events","sessions",
  //  "carts_right","model"}
  nlohmann::json StatusJson() const;

 private:
  struct Work;
  void StepOnce();
  void Fail(std::string message);
  void Finish();
  CheckoutOptions opt_;
  CheckoutData d_;
  LiveView live_;
  std::unique_ptr<Work> w_;
  std::string error_;
  bool waiting_ = false;  // a live source has no new frame yet: Step returns rather than spin
};

// Runs `o` to the end (the CLI, tests).
Result<CheckoutData> RunCheckout(const CheckoutOptions& o);

}  // namespace fk::checkout
