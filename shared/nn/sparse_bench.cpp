#include "nn/sparse_bench.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/json_write.h"
#include "core/rng.h"
#include "kernels/microbench.h"
#include "nn/executor.h"
#include "nn/fp16.h"
#include "nn/model_file.h"
#include "nn/xnnpack_backend.h"

namespace fk::nn {

// [SECTION] Options, JSON helpers

const std::vector<BackendInfo>& Backends() {
  static const std::vector<BackendInfo> kBackends = {
      {"own-dense", "our kernels, every weight stored and multiplied (the baseline)", false, true},
      {"own-sparse", "our kernels over the CSR weights: zeros are skipped", false, true},
      {"xnnpack-dense", "XNNPACK's dense operators on the same weights", true, true},
      {"xnnpack-sparse", "XNNPACK with its sparse inference on (engaged only where its rules allow)", true, false},
  };
  return kBackends;
}

std::vector<std::string> KnownBackends() {
  std::vector<std::string> b;
  for (const BackendInfo& r : Backends())
    if (!r.xnnpack || XnnpackAvailable()) b.push_back(r.name);
  return b;
}

Status ValidateBenchOptions(const SparseBenchOptions& o) {
  if (o.model != "mobilenet_v2") return Status::Error("--model: only mobilenet_v2 is supported, got '" + o.model + "'");
  if (!(o.width >= 0.35f - 1e-6f && o.width <= 1.4f + 1e-6f)) return Status::Error("--width must be in 0.35..1.4");
  if (o.size < 96 || o.size > 224) return Status::Error("--size must be in 96..224");
  if (o.sparsities.empty()) return Status::Error("--sparsity: give at least one value");
  for (double s : o.sparsities)
    if (!(s >= 0 && s < 1)) return Status::Error("--sparsity: " + std::to_string(s) + " is not in [0, 1)");
  if (o.backends.empty()) return Status::Error("--backend: give at least one backend");
  std::vector<std::string> all;
  for (const BackendInfo& r : Backends()) all.push_back(r.name);
  const auto known = KnownBackends();
  for (auto& b : o.backends) {
    if (std::find(all.begin(), all.end(), b) == all.end()) {
      std::string names;
      for (const std::string& n : all) names += (names.empty() ? "" : ", ") + n;
      return Status::Error("--backend: unknown backend '" + b + "' (" + names + ")");
    }
    if (std::find(known.begin(), known.end(), b) == known.end())
      return Status::Error("--backend: '" + b + "' is not available in this build (no XNNPACK)");
  }
  if (o.runs < 1 || o.runs > 10000) return Status::Error("--runs must be in 1..10000");
  if (o.warmup < 0 || o.warmup > 1000) return Status::Error("--warmup must be in 0..1000");
  if (o.block != 1 && o.block != 2 && o.block != 4) return Status::Error("--block must be 1, 2 or 4");
  if (o.threads != 1) return Status::Error("--threads: only 1 is supported (the own kernels are single-threaded)");
  return Status::Ok();
}

static std::string Num(double v) {
  char b[48];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

// Numbers as the bench has always printed them (sparsity "%.6g", times "%.4f",
// errors "%.3e"): nlohmann writes the rounded value, null if not finite.
nlohmann::json BenchResultJson(const BenchResult& r) {
  return {{"backend", r.backend},
          {"sparsity", JsonNumberAs(r.sparsity, "%.6g")},
          {"median_ms", JsonNumberAs(r.median_ms, "%.4f")},
          {"p10_ms", JsonNumberAs(r.p10_ms, "%.4f")},
          {"p90_ms", JsonNumberAs(r.p90_ms, "%.4f")},
          {"model_bytes", r.model_bytes},
          {"kernel", r.kernel},
          {"max_rel_err", JsonNumberAs(r.max_rel_err, "%.3e")},
          {"runs", r.runs}};
}

nlohmann::json BenchResultsJson(const std::vector<BenchResult>& results) {
  nlohmann::json out = nlohmann::json::array();
  for (auto& r : results) out.push_back(BenchResultJson(r));
  return {{"results", out}};
}

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double pos = q * double(v.size() - 1);
  const size_t i = size_t(pos);
  const double f = pos - double(i);
  return i + 1 < v.size() ? v[i] * (1 - f) + v[i + 1] * f : v[i];
}

// Norm-wise relative error with a tiny floor: the logits of a pruned random
// network can be small, and an absolute floor would hide real differences.
static double RelErr(const float* y, const float* ref, size_t n) { return kernels::MaxRelErr(y, ref, n, 1e-30); }

// [SECTION] The bench job

namespace {
// Copies `from` into `to` up to 2^18 weights a call (at least one layer), reusing `to`'s layer
// buffers; true when the copy is complete. `copied` counts the layers done (0 starts a copy;
// `from`'s layers are moved aside and back so only its own fields are copied whole). A 14 MB
// model copied in one step, into fresh pages, was a 100-300 ms step in the page.
bool CopyModelStep(Model& from, Model& to, size_t& copied) {
  if (copied == 0) {
    std::vector<Layer> layers = std::move(from.layers);
    std::vector<Layer> reuse = std::move(to.layers);
    to = from;  // the model's own fields; no layers
    from.layers = std::move(layers);
    reuse.resize(from.layers.size());
    to.layers = std::move(reuse);
  }
  size_t values = 0;
  while (copied < from.layers.size() && values < (size_t(1) << 18)) {
    to.layers[copied] = from.layers[copied];
    values += from.layers[copied++].weights.size();
  }
  return copied == from.layers.size();
}
}  // namespace

struct SparseBench::Impl {
  SparseBenchOptions opt;
  Status status;
  const kernels::NnKernels* k = nullptr;
  Model base;
  std::vector<float> input;
  std::vector<BenchResult> results;
  std::vector<LayerProfileRow> profile;

  // A timed slot: one requested backend, or the hidden dense XNNPACK runtime
  // that xnnpack-sparse is compared with when xnnpack-dense is not requested.
  struct Slot {
    std::string backend;
    bool reported = true;
    std::unique_ptr<Executor> own;
    std::unique_ptr<XnnpackRunner> xnn;
    std::vector<double> ms;
    double err = 0;
    uint64_t bytes = 0;
    std::string kernel;
  };
  std::vector<Slot> slots;

  // Each phase is one short step (the page runs steps between frames); the
  // scalar reference runs one op per step, backends are created one per step.
  enum class Phase { Build, Prune, SaveSparse, Load, SaveDense, RefCreate, RefRun, Setup, Run, Finish, Done } phase =
      Phase::Build;
  size_t si = 0;  // sparsity index
  int run = 0;    // warmup + timed runs
  size_t slot = 0;
  std::unique_ptr<MobileNetV2Build> build;  // Phase::Build, a slice of weights per step
  Model model;    // pruned and reloaded for the current sparsity
  Model pruned;   // before the .fks round trip
  std::unique_ptr<PruneTask> prune;  // Phase::Prune, a layer per step
  size_t copied = 0;                 // Phase::Prune: layers of `base` copied into `pruned` so far
  bool copied_all = false;
  std::unique_ptr<ModelSaver> saver;    // SaveSparse / SaveDense, in slices
  std::unique_ptr<ModelLoader> loader;  // Load, checksum chunks then a layer per step
  std::vector<uint8_t> sparse_file;
  std::unique_ptr<Executor> ref_ex;
  size_t ref_op = 0;
  std::vector<std::pair<std::string, bool>> want;  // backends to set up (name, reported)
  uint64_t dense_bytes = 0, sparse_bytes = 0;
  std::vector<float> ref;
  uint64_t steps_done = 0;

  uint64_t StepsPerSparsity() const {
    size_t n = opt.backends.size();
    const bool hidden = Has("xnnpack-sparse") && !Has("xnnpack-dense");
    const uint64_t slots_n = n + (hidden ? 1 : 0);
    const uint64_t ops = base.layers.empty() ? 64 : base.layers.size();  // ~ executor ops
    return 6 + 5 * ops + slots_n + uint64_t(opt.warmup + opt.runs) * slots_n;  // ops: reference, pruning, 3 file passes
  }
  bool Has(const std::string& b) const {
    return std::find(opt.backends.begin(), opt.backends.end(), b) != opt.backends.end();
  }
  bool Fail(Status s) {
    status = std::move(s);
    phase = Phase::Done;
    slots.clear();
    return true;
  }
  double Sparsity() const { return opt.sparsities[si]; }

  // One slice of the current phase; true when the bench is finished or failed.
  bool StepImpl();
  // One method per phase, in run order; each sets `phase` to the next when its work is done.
  bool StepBuild();
  bool StepPrune();
  bool StepSaveSparse();
  bool StepLoad();
  bool StepSaveDense();
  bool StepRefCreate();
  bool StepRefRun();
  bool StepSetup();
  bool StepRun();
  bool StepFinish();
  Status AddSlot(const std::string& backend, bool reported);
  Status RunSlotOnce(Slot& s);
  BenchResult ResultOf(const Slot& s, double xnn_dense_median) const;
};

SparseBench::SparseBench(SparseBenchOptions opt) : impl_(new Impl) {
  impl_->opt = std::move(opt);
  Status s = ValidateBenchOptions(impl_->opt);
  if (!s) impl_->Fail(s);
  impl_->k = impl_->opt.kernels ? impl_->opt.kernels : &kernels::BestNnKernels();
}
SparseBench::~SparseBench() = default;

bool SparseBench::Step() {
  if (impl_->phase == Impl::Phase::Done) return true;
  const bool done = impl_->StepImpl();
  impl_->steps_done++;
  return done;
}

bool SparseBench::Impl::StepImpl() {
  switch (phase) {
    case Phase::Build: return StepBuild();
    case Phase::Prune: return StepPrune();
    case Phase::SaveSparse: return StepSaveSparse();
    case Phase::Load: return StepLoad();
    case Phase::SaveDense: return StepSaveDense();
    case Phase::RefCreate: return StepRefCreate();
    case Phase::RefRun: return StepRefRun();
    case Phase::Setup: return StepSetup();
    case Phase::Run: return StepRun();
    case Phase::Finish: return StepFinish();
    case Phase::Done: return true;
  }
  return true;
}

// Builds MobileNetV2 a slice of weights per step, then draws the input image.
bool SparseBench::Impl::StepBuild() {
  if (!build) {
    MobileNetV2Options mo;
    mo.width = opt.width;
    mo.input_size = opt.size;
    mo.seed = opt.seed;
    build = std::make_unique<MobileNetV2Build>(mo);
  }
  if (!build->Step()) return false;
  base = build->Take();
  build.reset();
  Rng rng(opt.seed ^ 0xC0FFEEull);
  input.resize(size_t(base.in_h) * size_t(base.in_w) * size_t(base.in_c));
  for (auto& v : input) v = rng.Uniform01();
  phase = Phase::Prune;
  return false;
}

// Prunes a copy of the built model to the current sparsity, a layer per step.
bool SparseBench::Impl::StepPrune() {
  if (!prune) {
    if (!copied_all) {  // the unpruned model copied in slices first
      copied_all = CopyModelStep(base, pruned, copied);
      return false;
    }
    copied = 0;
    copied_all = false;
    PruneOptions po;
    po.policy = opt.policy;
    po.block = opt.block;
    prune = std::make_unique<PruneTask>(pruned, Sparsity(), po);
  }
  if (!prune->Step()) return false;
  Status s = prune->status();
  prune.reset();
  if (!s) return Fail(s);
  phase = Phase::SaveSparse;
  return false;
}

// Every backend runs what the file holds: save sparse (fp16 if asked) and load it back.
bool SparseBench::Impl::StepSaveSparse() {
  if (!saver) {
    SaveOptions so;
    so.fp16 = opt.fp16;
    saver = std::make_unique<ModelSaver>(pruned, so);
  }
  if (!saver->Step()) return false;
  if (!saver->status()) return Fail(saver->status());
  sparse_file = saver->Take();
  saver.reset();
  sparse_bytes = sparse_file.size();
  phase = Phase::Load;
  return false;
}

bool SparseBench::Impl::StepLoad() {
  if (!loader) loader = std::make_unique<ModelLoader>(sparse_file.data(), sparse_file.size(), "bench model");
  if (!loader->Step()) return false;
  if (!loader->status()) return Fail(loader->status());
  model = loader->Take();
  loader.reset();
  sparse_file = {};
  phase = Phase::SaveDense;
  return false;
}

// The dense file is written only for its size (the dense backends' model_bytes).
bool SparseBench::Impl::StepSaveDense() {
  if (!saver) {
    SaveOptions so;
    so.fp16 = opt.fp16;
    so.sparse = false;
    saver = std::make_unique<ModelSaver>(pruned, so);
  }
  if (!saver->Step()) return false;
  if (!saver->status()) return Fail(saver->status());
  dense_bytes = saver->Take().size();
  saver.reset();
  pruned = Model{};
  phase = Phase::RefCreate;
  return false;
}

bool SparseBench::Impl::StepRefCreate() {
  ExecutorOptions eo;
  eo.sparse = false;
  auto ex = Executor::Create(model, kernels::ScalarNnKernels(), eo);
  if (!ex) return Fail(ex.status());
  ref_ex = std::make_unique<Executor>(std::move(*ex));
  ref_op = 0;
  phase = Phase::RefRun;
  return false;
}

// The scalar reference, one op per step; then the list of backends to set up.
bool SparseBench::Impl::StepRefRun() {
  ref_ex->RunOps(input.data(), ref_op, ref_op + 1);
  if (++ref_op < ref_ex->NumOps()) return false;
  ref.assign(ref_ex->Logits(), ref_ex->Logits() + ref_ex->NumLogits());
  ref_ex.reset();
  slots.clear();
  want.clear();
  for (auto& b : opt.backends) want.push_back({b, true});
  if (Has("xnnpack-sparse") && !Has("xnnpack-dense")) want.push_back({"xnnpack-dense", false});
  phase = Phase::Setup;
  return false;
}

// Creates the backend of one slot (own executor or XNNPACK runtime) on `model`.
Status SparseBench::Impl::AddSlot(const std::string& b, bool reported) {
  Slot s;
  s.backend = b;
  s.reported = reported;
  if (b == "own-dense" || b == "own-sparse") {
    ExecutorOptions eo;
    eo.sparse = b == "own-sparse";
    eo.time_layers = opt.time_layers;
    auto ex = Executor::Create(model, *k, eo);
    if (!ex) return ex.status();
    s.own = std::make_unique<Executor>(std::move(*ex));
    s.kernel = s.own->Description();
  } else {
    XnnpackOptions xo;
    xo.sparse_hint = b == "xnnpack-sparse";
    auto rt = XnnpackRunner::Create(model, xo);
    if (!rt) return rt.status();
    s.xnn = std::move(*rt);
    s.xnn->SetInput(input.data());  // constant input: the timed part is Invoke alone
    s.kernel = xo.sparse_hint ? "xnnpack" : "xnnpack (dense, NHWC)";
  }
  s.bytes = b == "own-sparse" || b == "xnnpack-sparse" ? sparse_bytes : dense_bytes;
  slots.push_back(std::move(s));
  return Status::Ok();
}

// One backend per step.
bool SparseBench::Impl::StepSetup() {
  const auto [b, reported] = want[slots.size()];
  if (Status s = AddSlot(b, reported); !s) return Fail(s);
  if (slots.size() < want.size()) return false;
  run = 0;
  slot = 0;
  phase = Phase::Run;
  return false;
}

// One inference of one slot; the first run (warmup or not) measures the error
// against the reference, timed runs append their time.
Status SparseBench::Impl::RunSlotOnce(Slot& s) {
  const bool timed = run >= opt.warmup;
  double ms = 0;
  if (s.own) {
    if (!timed && opt.time_layers) s.own->ResetTimes();
    const double t0 = NowMs();
    s.own->Run(input.data());
    ms = NowMs() - t0;
    if (run == 0) s.err = RelErr(s.own->Logits(), ref.data(), ref.size());
  } else {
    const double t0 = NowMs();
    Status st = s.xnn->Invoke();
    ms = NowMs() - t0;
    if (!st) return st;
    if (run == 0) {
      if (s.xnn->OutputSize() != ref.size()) return Status::Error("xnnpack: output size differs from the reference");
      s.err = RelErr(s.xnn->Output(), ref.data(), ref.size());
    }
  }
  if (timed) s.ms.push_back(ms);
  return Status::Ok();
}

// One inference per step, slot after slot, run after run.
bool SparseBench::Impl::StepRun() {
  // Rotate the order each run so no backend always follows another.
  if (Status st = RunSlotOnce(slots[(slot + size_t(run)) % slots.size()]); !st) return Fail(st);
  if (++slot == slots.size()) {
    slot = 0;
    if (++run == opt.warmup + opt.runs) phase = Phase::Finish;
  }
  return false;
}

// A slot's row of the results; xnnpack-sparse says whether its sparse path engaged.
BenchResult SparseBench::Impl::ResultOf(const Slot& s, double xnn_dense_median) const {
  BenchResult r;
  r.backend = s.backend;
  r.sparsity = Sparsity();
  r.median_ms = Percentile(s.ms, 0.5);
  r.p10_ms = Percentile(s.ms, 0.1);
  r.p90_ms = Percentile(s.ms, 0.9);
  r.model_bytes = s.bytes;
  r.max_rel_err = s.err;
  r.runs = int(s.ms.size());
  r.kernel = s.kernel;
  if (s.backend == "xnnpack-sparse") {
    // XNNPACK does not say which path it took; a sparse path that
    // engaged would be clearly faster than the dense runtime.
    const double ratio = xnn_dense_median > 0 ? r.median_ms / xnn_dense_median : 1.0;
    char buf[128];
    if (ratio < 0.85)
      std::snprintf(buf, sizeof buf, "xnnpack (sparse path engaged: %.2fx the dense time)", ratio);
    else
      std::snprintf(buf, sizeof buf, "xnnpack (sparse hint ignored: fell back to dense, %.2fx the dense time)", ratio);
    r.kernel = buf;
  }
  return r;
}

// Results (and layer times) of this sparsity; then the next sparsity or done.
bool SparseBench::Impl::StepFinish() {
  double xnn_dense_median = 0;
  for (auto& s : slots)
    if (s.backend == "xnnpack-dense") xnn_dense_median = Percentile(s.ms, 0.5);
  for (auto& s : slots) {
    if (!s.reported) continue;
    results.push_back(ResultOf(s, xnn_dense_median));
    if (s.own && opt.time_layers && s.own->TimedRuns() > 0)
      for (auto& t : s.own->LayerTimes())
        profile.push_back({s.backend, t.name, t.op, Sparsity(), t.total_ms / s.own->TimedRuns(),
                           Percentile(t.run_ms, 0.5), Percentile(t.run_ms, 0.0), t.flops, t.pixels});
  }
  slots.clear();
  if (++si == opt.sparsities.size()) {
    phase = Phase::Done;
    return true;
  }
  phase = Phase::Prune;
  return false;
}

float SparseBench::Progress() const {
  if (impl_->phase == Impl::Phase::Done) return 1.f;
  const double total = 16.0 + double(impl_->StepsPerSparsity()) * double(impl_->opt.sparsities.size());  // ~16 build steps
  return float(std::min(1.0, double(impl_->steps_done) / total));
}

std::string SparseBench::Detail() const {
  const Impl& m = *impl_;
  if (m.phase == Impl::Phase::Done) return m.status ? "done" : "failed";
  if (m.phase == Impl::Phase::Build) return "building the model";
  char buf[128];
  const double s = m.opt.sparsities[m.si];
  switch (m.phase) {
    case Impl::Phase::Prune: std::snprintf(buf, sizeof buf, "sparsity %.2f: pruning", s); break;
    case Impl::Phase::SaveSparse:
    case Impl::Phase::Load:
    case Impl::Phase::SaveDense: std::snprintf(buf, sizeof buf, "sparsity %.2f: .fks round trip", s); break;
    case Impl::Phase::RefCreate:
    case Impl::Phase::RefRun: std::snprintf(buf, sizeof buf, "sparsity %.2f: scalar reference", s); break;
    case Impl::Phase::Setup: std::snprintf(buf, sizeof buf, "sparsity %.2f: preparing backends", s); break;
    case Impl::Phase::Run:
      std::snprintf(buf, sizeof buf, "sparsity %.2f: %s %d/%d", s, m.run < m.opt.warmup ? "warmup" : "run",
                    m.run < m.opt.warmup ? m.run + 1 : m.run - m.opt.warmup + 1,
                    m.run < m.opt.warmup ? m.opt.warmup : m.opt.runs);
      break;
    default: std::snprintf(buf, sizeof buf, "sparsity %.2f", s);
  }
  return buf;
}

bool SparseBench::Done() const { return impl_->phase == Impl::Phase::Done; }
const Status& SparseBench::status() const { return impl_->status; }
const std::vector<BenchResult>& SparseBench::Results() const { return impl_->results; }
const std::vector<LayerProfileRow>& SparseBench::LayerProfile() const { return impl_->profile; }
const SparseBenchOptions& SparseBench::Options() const { return impl_->opt; }

nlohmann::json SparseBench::ResultsJson() const { return BenchResultsJson(impl_->results); }

// [SECTION] Size table

struct SizeTableBuilder::Impl {
  SizeTableOptions opt;
  Model base, pruned;
  std::unique_ptr<MobileNetV2Build> build;  // stage -1, a slice of weights per step
  std::unique_ptr<PruneTask> prune;         // stage 0, a layer per step
  std::unique_ptr<ModelSaver> saver;        // stages 1..4, in slices
  size_t sparsity_index = 0;
  int stage = -1;  // -1 build; then per sparsity 0 copy + prune, 1..4 serialise
  size_t copied = 0;  // stage 0: base layers copied into `pruned` so far
  std::vector<uint8_t> file;  // the last file written, its buffer reused by the next
  SizeRow row;
  std::vector<SizeRow> rows;
  Status status;
  bool done = false;
};

SizeTableBuilder::SizeTableBuilder(SizeTableOptions o) : impl_(std::make_unique<Impl>()) { impl_->opt = std::move(o); }
SizeTableBuilder::~SizeTableBuilder() = default;
const Status& SizeTableBuilder::status() const { return impl_->status; }
const std::vector<SizeRow>& SizeTableBuilder::Rows() const { return impl_->rows; }

float SizeTableBuilder::Progress() const {
  const Impl& d = *impl_;
  // Steps: the build, then the first row's prune and four writes, every other row's prune and two.
  const size_t n = d.opt.sparsities.size(), i = d.sparsity_index;
  const size_t total = n == 0 ? 1 : 3 + 3 * n;
  const size_t before = i == 0 ? 1 : 3 + 3 * i;
  const size_t within = i == 0 ? size_t(d.stage) : (d.stage == 0 ? 0 : size_t(d.stage) - 2);
  const size_t done = d.done ? total : (d.stage < 0 ? 0 : before + within);
  return float(done) / float(total);
}

std::string SizeTableBuilder::Detail() const {
  const Impl& d = *impl_;
  static const char* kWhat[] = {"pruning", "writing dense fp32", "writing dense fp16", "writing sparse fp32",
                                "writing sparse fp16"};
  if (d.done) return "done";
  if (d.stage < 0) return "building MobileNetV2";
  return "sparsity " + Num(d.opt.sparsities[d.sparsity_index]) + ": " + kWhat[d.stage];
}

bool SizeTableBuilder::Step() {
  Impl& d = *impl_;
  if (d.done) return true;
  if (d.stage < 0) {
    if (!d.build) {
      MobileNetV2Options mo;
      mo.width = d.opt.width;
      mo.input_size = d.opt.size;
      mo.seed = d.opt.seed;
      d.build = std::make_unique<MobileNetV2Build>(mo);
    }
    if (!d.build->Step()) return false;
    d.base = d.build->Take();
    d.build.reset();
    d.stage = 0;
  } else if (d.stage == 0) {
    if (!d.prune && d.copied < d.base.layers.size()) {
      // The unpruned weights copied a few layers a step (a 14 MB copy in one step took 100-300 ms
      // in the page); each row after the first reuses the copy's buffers.
      CopyModelStep(d.base, d.pruned, d.copied);
      return false;
    }
    if (!d.prune) {
      d.copied = 0;  // the next row copies again
      PruneOptions po;
      po.policy = d.opt.policy;
      po.block = d.opt.block;
      d.prune = std::make_unique<PruneTask>(d.pruned, d.opt.sparsities[d.sparsity_index], po);
    }
    if (!d.prune->Step()) return false;
    d.status = d.prune->status();
    d.prune.reset();
    if (!d.status) return d.done = true;
    d.row.sparsity = d.opt.sparsities[d.sparsity_index];
    // A dense file stores every weight, zero or not, so its bytes do not depend on the
    // sparsity: written once, for the first row (the page starts this table on load).
    d.stage = d.sparsity_index == 0 ? 1 : 3;
  } else {
    // Stages 1..4 as ComputeModelSizes orders them: dense/sparse × fp32/fp16,
    // each a real serialisation, a layer per step.
    const int k = d.stage - 1;
    if (!d.saver) {
      SaveOptions so;
      so.sparse = k >= 2;
      so.fp16 = k % 2 == 1;
      d.saver = std::make_unique<ModelSaver>(d.pruned, so, std::move(d.file));
    }
    if (!d.saver->Step()) return false;
    d.status = d.saver->status();
    if (!d.status) return d.done = true;
    uint64_t* slots[4] = {&d.row.dense_fp32, &d.row.dense_fp16, &d.row.sparse_fp32, &d.row.sparse_fp16};
    d.file = d.saver->Take();
    *slots[k] = d.file.size();
    d.saver.reset();
    if (++d.stage == 5) {
      d.rows.push_back(d.row);
      d.stage = 0;
      if (++d.sparsity_index == d.opt.sparsities.size()) d.done = true;
    }
  }
  if (d.opt.sparsities.empty()) d.done = true;
  return d.done;
}

Result<std::vector<SizeRow>> ComputeSizeTable(const SizeTableOptions& o) {
  SizeTableBuilder b(o);
  while (!b.Step()) {
  }
  if (!b.status()) return b.status();
  return b.Rows();
}

nlohmann::json SizeTableJson(const std::vector<SizeRow>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (auto& r : rows)
    out.push_back({{"sparsity", JsonNumberAs(r.sparsity, "%.6g")},
                   {"dense_fp32", r.dense_fp32},
                   {"dense_fp16", r.dense_fp16},
                   {"sparse_fp32", r.sparse_fp32},
                   {"sparse_fp16", r.sparse_fp16}});
  return {{"sizes", out}};
}

}  // namespace fk::nn
