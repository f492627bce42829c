#include "nn/real_models.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/file.h"
#include "core/json_write.h"
#include "nn/net_executor.h"
#include "nn/real_bench.h"
#include "nn/reference.h"
#include "nn/xnnpack_backend.h"

namespace fk::nn {

namespace mp = mediapipe;

std::optional<ModelTask> TaskFor(const std::string& name_or_path, const Net& net) {
  if (const BundledModel* b = FindBundledModel(name_or_path)) return b->task;
  if (const BundledModel* b = BundledModelForFile(name_or_path)) return b->task;
  if (net.outputs.size() == 2) {
    const auto& a = net.tensors[size_t(net.outputs[0])].shape;
    const auto& c = net.tensors[size_t(net.outputs[1])].shape;
    if (a.size() == 3 && c.size() == 3 && a[1] == c[1] && a[2] == 16 && c[2] == 1 && (a[1] == 896 || a[1] == 2304))
      return ModelTask::FaceDetection;
  }
  return std::nullopt;
}

struct RealModelsSession::Impl {
  RealModelsOptions opt;
  Status status;
  enum class Phase { Picture, Import, Lower, LowerDense, Reference, Run, Xnnpack, Bench, Done } phase = Phase::Picture;
  size_t mi = 0;
  size_t frame_next = 0;    // BeginFrame / StepFrame: the next model to run on the frame
  bool frame_open = false;
  int run = 0;
  size_t slot = 0;
  Image picture;
  std::string picture_name;
  struct Model {
    std::unique_ptr<Net> net;
    std::unique_ptr<NetExecutor> ex, dense;
    std::unique_ptr<XnnpackNetRunner> xnn;
    std::vector<float> input;  // the picture, letterboxed
    std::vector<double> ms, dense_ms, xnn_ms;
  };
  std::vector<Model> models;
  std::vector<RealModelResult> results;
  // Kernel choice times every 1x1 layer both ways: one operator per step.
  std::unique_ptr<NetExecutorBuilder> builder;

  bool Fail(const Status& s) {
    status = s;
    phase = Phase::Done;
    return true;
  }
  bool Next(Phase p) {
    phase = p;
    return false;
  }
  bool Step();
  // One step of lowering model mi with `sparse`; true when done: *out is the executor, or the
  // session failed (status says why).
  bool StepLowering(SparseChoice sparse, std::unique_ptr<NetExecutor>* out) {
    if (!builder) {
      NetExecutorOptions eo;
      eo.sparse = sparse;
      builder = std::make_unique<NetExecutorBuilder>(*models[mi].net, kernels::BestNnKernels(), eo);
    }
    if (!builder->Step()) return false;
    auto ex = builder->Take();
    builder.reset();
    if (!ex) return Fail(ex.status());
    *out = std::make_unique<NetExecutor>(std::move(*ex));
    return true;
  }
  bool StepPicture();
  bool StepRun();
  bool StepBench();
  void Finish();
};

bool RealModelsSession::Impl::StepPicture() {
  if (opt.frame) {
    picture = *opt.frame;
    picture_name = "camera frame";
  } else {
    std::string path = opt.image;
    if (path.empty()) {
      Result<std::string> p = ResolveBundledFile(kBundledImage);
      if (!p) return Fail(p.status());
      path = *p;
    }
    Result<Image> img = LoadImage(path);
    if (!img) return Fail(img.status());
    picture = std::move(*img);
    picture_name = path.substr(path.find_last_of("/\\") == std::string::npos ? 0 : path.find_last_of("/\\") + 1);
  }
  if (picture.empty()) return Fail(Status::Error(picture_name + ": an empty picture"));
  return Next(Phase::Import);
}

// The model on the picture: letterbox, run, decode by task.
bool RealModelsSession::Impl::StepRun() {
  Model& m = models[mi];
  RealModelResult& r = results[mi];
  const std::vector<int>& in = m.ex->InputShape();
  if (in.size() != 4 || in[0] != 1 || in[3] != 3) {
    r.task.reset();  // not an RGB image model: outputs only, on the reference pattern
    m.input = ReferenceInput(m.ex->InputSize());
  } else {
    float lo = -1.f, hi = 1.f;
    mp::Border border = mp::Border::kZero;
    if (r.task == ModelTask::HandLandmarks) {
      const mp::HandLandmarkConfig hc = mp::HandLandmark();
      lo = hc.input_lo, hi = hc.input_hi, border = hc.border;
    }
    Result<mp::Letterbox> lb = mp::PrepareInput(picture, in[2], in[1], lo, hi, &m.input, border);
    if (!lb) return Fail(lb.status());
    r.lb = *lb;
  }
  const double t0 = NowMs();
  m.ex->Run(m.input.data());
  r.image_ms = NowMs() - t0;
  auto out = [&](size_t o) { return mp::Floats(m.ex->Output(o), m.ex->OutputSize(o)); };
  if (r.task == ModelTask::FaceDetection && m.ex->NumOutputs() == 2) {
    const mp::FaceDetectorConfig cfg = in[1] == 128 ? mp::FaceShortRange() : mp::FaceFullRange();
    auto faces = mp::DecodeFaces(out(0), out(1), cfg);
    if (!faces) return Fail(Status::Error(r.file + ": " + faces.status().message()));
    r.faces = std::move(*faces);
  } else if (r.task == ModelTask::HandLandmarks && m.ex->NumOutputs() == 4) {
    auto hand = mp::DecodeHand(out(0), out(1), out(2), out(3), mp::HandLandmark());
    if (!hand) return Fail(Status::Error(r.file + ": " + hand.status().message()));
    r.hand = std::move(*hand);
  }
  return Next(Phase::Xnnpack);
}

// One inference per step: models (and their XNNPACK runtimes) in rotating order.
bool RealModelsSession::Impl::StepBench() {
  const size_t per_model = 3, slots = models.size() * per_model;
  const size_t s = (slot + size_t(run)) % slots;
  Model& m = models[s / per_model];
  const bool timed = run >= opt.warmup;
  if (s % per_model == 0) {
    const double t0 = NowMs();
    m.ex->Run(m.input.data());
    if (timed) m.ms.push_back(NowMs() - t0);
  } else if (s % per_model == 1 && m.dense) {
    const double t0 = NowMs();
    m.dense->Run(m.input.data());
    if (timed) m.dense_ms.push_back(NowMs() - t0);
  } else if (s % per_model == 2 && m.xnn) {
    const double t0 = NowMs();
    if (Status st = m.xnn->Invoke(); !st) return Fail(st);
    if (timed) m.xnn_ms.push_back(NowMs() - t0);
  }
  if (++slot == slots) {
    slot = 0;
    if (++run >= opt.warmup + opt.runs) {
      Finish();
      return true;
    }
  }
  return false;
}

void RealModelsSession::Impl::Finish() {
  for (size_t i = 0; i < models.size(); ++i) {
    RealModelResult& r = results[i];
    r.median_ms = Percentile(models[i].ms, 0.5);
    r.p10_ms = Percentile(models[i].ms, 0.1);
    r.p90_ms = Percentile(models[i].ms, 0.9);
    if (!models[i].dense_ms.empty()) {
      r.dense_median_ms = Percentile(models[i].dense_ms, 0.5);
      r.dense_p10_ms = Percentile(models[i].dense_ms, 0.1);
    }
    if (!models[i].xnn_ms.empty()) {
      r.xnnpack_median_ms = Percentile(models[i].xnn_ms, 0.5);
      r.xnnpack_p10_ms = Percentile(models[i].xnn_ms, 0.1);
    }
    models[i].ex->Run(models[i].input.data());  // the outputs on the picture stay readable
  }
  phase = Phase::Done;
}

bool RealModelsSession::Impl::Step() {
  switch (phase) {
    case Phase::Picture:
      return StepPicture();
    case Phase::Import: {
      const std::string& name = opt.models[mi];
      Result<Net> net = LoadNet(name);
      if (!net) return Fail(net.status());
      models.emplace_back();
      models.back().net = std::make_unique<Net>(std::move(*net));
      RealModelResult r;
      r.name = name;
      r.file = models.back().net->name;
      r.task = TaskFor(name, *models.back().net);
      r.bytes = models.back().net->file_bytes;
      for (auto& [op, n] : models.back().net->file_ops) r.ops += size_t(n);
      r.stored_sparse = models.back().net->SparseStoredTensors();
      results.push_back(std::move(r));
      return Next(Phase::Lower);
    }
    case Phase::Lower: {
      if (!StepLowering(SparseChoice::Measure, &models[mi].ex)) return false;
      if (!status) return true;
      results[mi].sparse_layers = models[mi].ex->SparseLayers();
      results[mi].pointwise_layers = int(models[mi].ex->Pointwise().size());
      results[mi].kernel = models[mi].ex->Description();
      return Next(opt.own_dense && opt.runs > 0 ? Phase::LowerDense : Phase::Reference);
    }
    case Phase::LowerDense:
      if (!StepLowering(SparseChoice::Never, &models[mi].dense)) return false;
      return status ? Next(Phase::Reference) : true;
    case Phase::Reference: {
      // TFLite's outputs on the fixed pattern, when this build bundles them.
      const BundledModel* b = FindBundledModel(opt.models[mi]);
      if (!b) b = BundledModelForFile(opt.models[mi]);
      if (b) {
        Result<std::string> p = ResolveBundledFile("models/reference/" + ShortName(*b) + ".json");
        Result<std::string> text = p ? ReadFile(*p) : Result<std::string>(p.status());
        if (text) {
          auto ref = ParseReference(*text, *p);
          if (!ref) return Fail(ref.status());
          std::vector<float> x = ReferenceInput(models[mi].ex->InputSize());
          models[mi].ex->Run(x.data());
          auto err = MaxRelErrVsReference(*models[mi].ex, *ref);
          if (!err) return Fail(err.status());
          results[mi].max_rel_err_vs_reference = *err;
        }
      }
      return Next(Phase::Run);
    }
    case Phase::Run:
      return StepRun();
    case Phase::Xnnpack: {
      if (opt.xnnpack && opt.runs > 0 && XnnpackAvailable()) {
        auto x = XnnpackNetRunner::Create(*models[mi].net, {});
        if (x) {
          models[mi].xnn = std::move(*x);
          models[mi].xnn->SetInput(models[mi].input.data());
        } else {
          results[mi].xnnpack_note = x.status().message();
        }
      } else if (opt.xnnpack && opt.runs > 0) {
        results[mi].xnnpack_note = "XNNPACK is not built into this target";
      }
      if (++mi < opt.models.size()) return Next(Phase::Import);
      if (opt.runs <= 0) {
        phase = Phase::Done;
        return true;
      }
      run = 0;
      slot = 0;
      return Next(Phase::Bench);
    }
    case Phase::Bench:
      return StepBench();
    case Phase::Done:
      return true;
  }
  return true;
}

RealModelsSession::RealModelsSession(RealModelsOptions o) : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(o);
  if (impl_->opt.models.empty()) impl_->Fail(Status::Error("no model to run"));
  if (impl_->opt.runs < 0 || impl_->opt.runs > 100000 || impl_->opt.warmup < 0 || impl_->opt.warmup > 1000)
    impl_->Fail(Status::Error("runs must be in 0..100000 and warmup in 0..1000"));
}
RealModelsSession::~RealModelsSession() = default;
bool RealModelsSession::Step() { return impl_->Step(); }
const Status& RealModelsSession::status() const { return impl_->status; }
const std::vector<RealModelResult>& RealModelsSession::Results() const { return impl_->results; }
const Image& RealModelsSession::Picture() const { return impl_->picture; }
const std::string& RealModelsSession::PictureName() const { return impl_->picture_name; }

float RealModelsSession::Progress() const {
  const Impl& m = *impl_;
  if (m.phase == Impl::Phase::Done) return 1.f;
  const double within = m.builder ? (m.phase == Impl::Phase::Lower ? 0.6 : 0.9) * m.builder->Progress() : 0.0;
  const double setup = (double(m.mi) + within) / double(std::max<size_t>(m.opt.models.size(), 1));
  if (m.phase != Impl::Phase::Bench) return float(0.3 * setup);
  return float(0.3 + 0.7 * double(m.run) / double(std::max(m.opt.warmup + m.opt.runs, 1)));
}

std::string RealModelsSession::Detail() const {
  const Impl& m = *impl_;
  const std::string model = m.opt.models.empty() ? "" : m.opt.models[std::min(m.mi, m.opt.models.size() - 1)];
  switch (m.phase) {
    case Impl::Phase::Picture: return "loading the picture";
    case Impl::Phase::Import: return model + ": importing";
    case Impl::Phase::Lower:
      return model + ": choosing kernels (timing 1x1 layers dense and sparse)" +
             (m.builder && m.builder->OpsTotal()
                  ? " " + std::to_string(m.builder->OpsDone()) + "/" + std::to_string(m.builder->OpsTotal())
                  : std::string());
    case Impl::Phase::LowerDense: return model + ": packing the dense comparison";
    case Impl::Phase::Reference: return model + ": checking against TFLite's outputs";
    case Impl::Phase::Run: return model + ": running on the picture";
    case Impl::Phase::Xnnpack: return model + ": setting up XNNPACK";
    case Impl::Phase::Bench:
      return "latency: run " + std::to_string(m.run + 1) + "/" + std::to_string(m.opt.warmup + m.opt.runs);
    case Impl::Phase::Done: return "done";
  }
  return "";
}

Status RealModelsSession::RunFrame(const Image& frame) {
  if (Status s = BeginFrame(frame); !s) return s;
  for (;;) {
    Result<bool> done = StepFrame();
    if (!done) return done.status();
    if (*done) return Status::Ok();
  }
}

Status RealModelsSession::BeginFrame(const Image& frame) {
  Impl& m = *impl_;
  if (m.phase != Impl::Phase::Done || !m.status.ok() || m.models.size() != m.results.size())
    return Status::Error("the models are not loaded (run them once first)");
  if (frame.empty()) return Status::Error("an empty frame");
  m.picture = frame;
  m.picture_name = "camera frame";
  m.frame_next = 0;
  m.frame_open = true;
  return Status::Ok();
}

Result<bool> RealModelsSession::StepFrame() {
  Impl& m = *impl_;
  if (!m.frame_open) return Status::Error("no camera frame begun");
  m.mi = m.frame_next;
  m.results[m.mi].faces.clear();
  m.results[m.mi].hand.reset();
  m.StepRun();  // sets phase to Xnnpack; put it back below
  m.phase = Impl::Phase::Done;
  if (!m.status.ok()) {
    m.frame_open = false;
    return m.status;
  }
  m.mi = m.models.size();
  if (++m.frame_next < m.models.size()) return false;
  m.frame_open = false;
  return true;
}

bool RealModelsSession::FrameInProgress() const { return impl_->frame_open; }

nlohmann::json RealModelsSession::DetectionsJson(size_t i) const {
  const RealModelResult& r = impl_->results[i];
  if (r.task == ModelTask::FaceDetection) return mp::DetectionsJson(r.faces, r.lb, mp::Coords::kImagePixels);
  nlohmann::json out = nlohmann::json::array();
  if (r.hand && r.hand->present) {  // the landmarks' bounding box, in picture pixels
    float x0 = 1e30f, y0 = 1e30f, x1 = -1e30f, y1 = -1e30f;
    nlohmann::json kp = nlohmann::json::array();
    for (const auto& l : r.hand->landmarks) {
      const auto p = mp::ModelToImage(r.lb, l[0], l[1]);
      x0 = std::min(x0, p[0]), y0 = std::min(y0, p[1]), x1 = std::max(x1, p[0]), y1 = std::max(y1, p[1]);
      kp.push_back({JsonNumberAs(p[0], "%.2f"), JsonNumberAs(p[1], "%.2f")});
    }
    out.push_back({{"score", JsonNumberAs(r.hand->presence, "%.4f")},
                   {"box", {JsonNumberAs(x0, "%.2f"), JsonNumberAs(y0, "%.2f"), JsonNumberAs(x1 - x0, "%.2f"),
                            JsonNumberAs(y1 - y0, "%.2f")}},
                   {"keypoints", kp}});
  }
  return out;
}

nlohmann::json RealModelsSession::Json() const {
  nlohmann::json models = nlohmann::json::array();
  for (size_t i = 0; i < impl_->results.size(); ++i) {
    const RealModelResult& r = impl_->results[i];
    nlohmann::json j = {{"name", r.name},
                        {"file", r.file},
                        {"bytes", r.bytes},
                        {"ops", r.ops},
                        {"sparse_layers", r.sparse_layers},
                        {"pointwise_layers", r.pointwise_layers},
                        {"stored_sparse_tensors", r.stored_sparse},
                        {"kernel", r.kernel},
                        {"median_ms", JsonNumberAs(r.median_ms, "%.4f")},
                        {"p10_ms", JsonNumberAs(r.p10_ms, "%.4f")},
                        {"p90_ms", JsonNumberAs(r.p90_ms, "%.4f")},
                        {"image_ms", JsonNumberAs(r.image_ms, "%.4f")},
                        {"max_rel_err_vs_reference", r.max_rel_err_vs_reference
                                                         ? JsonNumberAs(*r.max_rel_err_vs_reference, "%.3e")
                                                         : nlohmann::json(nullptr)},
                        {"task", !r.task ? "outputs"
                                 : *r.task == ModelTask::FaceDetection ? "face_detection"
                                                                       : "hand_landmarks"},
                        {"detections", DetectionsJson(i)}};
    if (r.dense_median_ms >= 0) {
      j["dense_median_ms"] = JsonNumberAs(r.dense_median_ms, "%.4f");
      j["dense_p10_ms"] = JsonNumberAs(r.dense_p10_ms, "%.4f");
    }
    if (r.xnnpack_median_ms >= 0) {
      j["xnnpack_dense_median_ms"] = JsonNumberAs(r.xnnpack_median_ms, "%.4f");
      j["xnnpack_dense_p10_ms"] = JsonNumberAs(r.xnnpack_p10_ms, "%.4f");
    }
    if (!r.xnnpack_note.empty()) j["xnnpack_note"] = r.xnnpack_note;
    if (r.hand) j["hand"] = mp::HandJson(*r.hand, r.lb, mp::Coords::kImagePixels);
    models.push_back(j);
  }
  return {{"models", models},
          {"image", {{"name", impl_->picture_name}, {"width", impl_->picture.width}, {"height", impl_->picture.height}}}};
}

}  // namespace fk::nn
