#include "checkout/hand.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/clock.h"
#include "kernels/nn_kernels.h"
#include "nn/mediapipe.h"
#include "nn/net_executor.h"
#include "nn/real_bench.h"

namespace fk::checkout {

namespace mp = nn::mediapipe;

struct HandModel::Impl {
  float threshold = 0.5f;
  Status status;
  std::unique_ptr<nn::Net> net;
  std::unique_ptr<nn::NetExecutorBuilder> builder;
  std::unique_ptr<nn::NetExecutor> ex;
  int in_w = 0, in_h = 0;
  std::vector<float> input;
  Image crop;
  bool done = false;
};

HandModel::HandModel(std::string name_or_path, float presence_threshold)
    : impl_(std::make_unique<Impl>()), name_(std::move(name_or_path)) {
  impl_->threshold = presence_threshold;
}
HandModel::~HandModel() = default;

bool HandModel::ready() const { return impl_->ex != nullptr; }
const Status& HandModel::status() const { return impl_->status; }

float HandModel::Progress() const {
  if (impl_->done) return 1.f;
  if (!impl_->builder) return 0.f;
  return 0.05f + 0.95f * impl_->builder->Progress();
}

std::string HandModel::Describe() const {
  if (!impl_->ex) return name_;
  return name_ + " (" + std::to_string(impl_->in_w) + "x" + std::to_string(impl_->in_h) + " input, " +
         impl_->ex->Description() + ")";
}

bool HandModel::Step() {
  Impl& m = *impl_;
  if (m.done) return true;
  auto fail = [&](const Status& s) {
    m.status = s;
    m.done = true;
    m.builder.reset();
    return true;
  };
  if (!m.net) {
    // Import, then check the shape before any lowering: a face model or another network named as
    // the hand model is refused here, naming what it has instead.
    Result<nn::Net> net = nn::LoadNet(name_);
    if (!net) return fail(net.status());
    const nn::Net& n = *net;
    auto shape = [&](int t) { return t >= 0 && size_t(t) < n.tensors.size() ? n.tensors[size_t(t)].shape : std::vector<int>{}; };
    auto dims = [](const std::vector<int>& s) {
      std::string d;
      for (int v : s) d += (d.empty() ? "" : "x") + std::to_string(v);
      return "[" + d + "]";
    };
    auto count = [](const std::vector<int>& s) {
      size_t c = 1;
      for (int v : s) c *= size_t(std::max(0, v));
      return c;
    };
    std::string why;
    if (n.inputs.size() != 1) why = std::to_string(n.inputs.size()) + " inputs (one RGB picture expected)";
    else if (shape(n.inputs[0]).size() != 4 || shape(n.inputs[0])[0] != 1 || shape(n.inputs[0])[3] != 3 ||
             shape(n.inputs[0])[1] < 16 || shape(n.inputs[0])[2] < 16)
      why = "input " + dims(shape(n.inputs[0])) + " (1xHxWx3 expected)";
    else if (n.outputs.size() != 4)
      why = std::to_string(n.outputs.size()) + " outputs (4 expected: landmarks, presence, handedness, world landmarks)";
    else if (count(shape(n.outputs[0])) != 63 || count(shape(n.outputs[1])) != 1 || count(shape(n.outputs[2])) != 1 ||
             count(shape(n.outputs[3])) != 63)
      why = "outputs " + dims(shape(n.outputs[0])) + ", " + dims(shape(n.outputs[1])) + ", " + dims(shape(n.outputs[2])) +
            ", " + dims(shape(n.outputs[3])) + " (63, 1, 1, 63 values expected)";
    if (!why.empty()) return fail(Status::Error(name_ + ": not a hand-landmark model: " + why));
    m.in_h = shape(n.inputs[0])[1];
    m.in_w = shape(n.inputs[0])[2];
    m.net = std::make_unique<nn::Net>(std::move(*net));
    m.builder = std::make_unique<nn::NetExecutorBuilder>(*m.net, kernels::BestNnKernels());
    return false;
  }
  if (!m.builder->Step()) return false;
  Result<nn::NetExecutor> ex = m.builder->Take();
  m.builder.reset();
  if (!ex) return fail(Status::Error(name_ + ": " + ex.status().message()));
  m.ex = std::make_unique<nn::NetExecutor>(std::move(*ex));
  m.done = true;
  return true;
}

Result<HandReading> HandModel::Run(const Image& frame, float cx, float cy, float side) {
  Impl& m = *impl_;
  if (!m.ex) return Status::Error(name_ + ": the hand model is not loaded" + (m.status ? "" : ": " + m.status.message()));
  if (frame.empty()) return Status::Error("hand model: an empty frame");
  const double t0 = NowMs();
  HandReading r;
  r.crop_side = std::max(8, int(std::lround(side)));
  r.crop_x = int(std::lround(cx - float(r.crop_side) / 2));
  r.crop_y = int(std::lround(cy - float(r.crop_side) / 2));
  // The square, edges repeated past the frame (what MediaPipe's BORDER_REPLICATE does for a rotated rect).
  Image& c = m.crop;
  if (c.width != r.crop_side || c.height != r.crop_side) c = Image(r.crop_side, r.crop_side);
  for (int y = 0; y < r.crop_side; y++) {
    const int fy = std::clamp(r.crop_y + y, 0, frame.height - 1);
    for (int x = 0; x < r.crop_side; x++) {
      const int fx = std::clamp(r.crop_x + x, 0, frame.width - 1);
      const uint8_t* p = frame.At(fx, fy);
      uint8_t* q = c.At(x, y);
      q[0] = p[0], q[1] = p[1], q[2] = p[2];
    }
  }
  mp::HandLandmarkConfig cfg = mp::HandLandmark();
  cfg.input_width = m.in_w;
  cfg.input_height = m.in_h;
  cfg.presence_threshold = m.threshold;
  Result<mp::Letterbox> lb = mp::PrepareInput(c, m.in_w, m.in_h, cfg.input_lo, cfg.input_hi, &m.input, cfg.border);
  if (!lb) return lb.status();
  m.ex->Run(m.input.data());
  auto out = [&](size_t o) { return mp::Floats(m.ex->Output(o), m.ex->OutputSize(o)); };
  Result<mp::Hand> hand = mp::DecodeHand(out(0), out(1), out(2), out(3), cfg);
  if (!hand) return Status::Error(name_ + ": " + hand.status().message());
  r.presence = std::isfinite(hand->presence) ? hand->presence : 0.f;
  r.present = hand->present && std::isfinite(hand->presence);
  for (size_t i = 0; i < r.points.size(); i++) {
    const std::array<float, 2> p = mp::ModelToImage(*lb, hand->landmarks[i][0], hand->landmarks[i][1]);
    r.points[i] = {float(r.crop_x) + p[0], float(r.crop_y) + p[1]};
  }
  // Where the hand acts: the grasping fingers' tips (index 8, middle 12, ring 16) across, the
  // highest fingertip (thumb 4 and pinky 20 too) up: the same kind of point as the hand cue's
  // top of the arm, but a product carried above the hand does not move it.
  r.x = (r.points[8][0] + r.points[12][0] + r.points[16][0]) / 3.f;
  r.y = std::min({r.points[4][1], r.points[8][1], r.points[12][1], r.points[16][1], r.points[20][1]});
  if (!std::isfinite(r.x) || !std::isfinite(r.y)) r.present = false;
  r.ms = NowMs() - t0;
  return r;
}

}  // namespace fk::checkout
