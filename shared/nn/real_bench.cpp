#include "nn/real_bench.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/file.h"
#include "core/json_write.h"
#include "nn/model_file.h"
#include "nn/model_zoo.h"
#include "nn/net_file.h"
#include "nn/net_executor.h"
#include "nn/reference.h"
#include "nn/tflite.h"
#include "nn/xnnpack_backend.h"

namespace fk::nn {

NetSummary Summarize(const Net& net) {
  NetSummary s;
  s.name = net.name;
  s.bytes = net.file_bytes;
  s.parameters = net.ParameterCount();
  s.ops = net.ops.size();
  s.file_ops = net.file_ops;
  s.stored_sparse = net.SparseStoredTensors();
  std::set<std::string> types;
  for (const NetTensor& t : net.tensors)
    if (t.constant && !t.stored_type.empty()) types.insert(t.stored_type);
  s.stored_types.assign(types.begin(), types.end());
  size_t zeros = 0, total = 0;
  for (const NetOp& op : net.ops) {
    if (op.type != NetOpType::Conv2D) continue;
    const NetTensor& w = net.tensors[size_t(op.inputs[1])];
    if (w.shape[1] != 1 || w.shape[2] != 1) continue;
    NetSummary::Pointwise p;
    p.file_index = op.file_index;
    p.weights = w.name;
    p.out_c = w.shape[0];
    p.in_c = w.shape[3];
    const size_t z = size_t(std::count(w.data.begin(), w.data.end(), 0.f));
    p.zero_fraction = w.data.empty() ? 0 : double(z) / double(w.data.size());
    p.stored_sparse = w.stored_sparse;
    zeros += z;
    total += w.data.size();
    s.pointwise.push_back(p);
  }
  s.pointwise_zero_fraction = total ? double(zeros) / double(total) : 0;
  s.input_shape = net.tensors[size_t(net.inputs[0])].shape;
  for (int t : net.outputs) s.outputs.push_back({net.tensors[size_t(t)].name, net.tensors[size_t(t)].shape});
  return s;
}

nlohmann::json NetSummaryJson(const NetSummary& s, bool layers) {
  nlohmann::json ops = nlohmann::json::object();
  for (auto& [name, n] : s.file_ops) ops[name] = n;
  nlohmann::json outs = nlohmann::json::array();
  for (auto& [name, shape] : s.outputs) outs.push_back({{"name", name}, {"shape", shape}});
  nlohmann::json j = {{"file", s.name},
                      {"bytes", s.bytes},
                      {"parameters", s.parameters},
                      {"ops", ops},
                      {"compute_ops", s.ops},
                      {"stored_types", s.stored_types},
                      {"stored_sparse_tensors", s.stored_sparse},
                      {"pointwise_layers", s.pointwise.size()},
                      {"pointwise_zero_fraction", JsonNumberAs(s.pointwise_zero_fraction, "%.4f")},
                      {"input", s.input_shape},
                      {"outputs", outs}};
  if (layers) {
    nlohmann::json l = nlohmann::json::array();
    for (auto& p : s.pointwise)
      l.push_back({{"op", p.file_index},
                   {"weights", p.weights},
                   {"in_c", p.in_c},
                   {"out_c", p.out_c},
                   {"zero_fraction", JsonNumberAs(p.zero_fraction, "%.4f")},
                   {"stored_sparse", p.stored_sparse}});
    j["pointwise"] = l;
  }
  return j;
}

Result<Net> LoadNet(const std::string& name_or_path) {
  Result<std::string> path = ResolveModelPath(name_or_path);
  if (!path) return path.status();
  // A .fks v2 file (sparse import) by its header; anything else goes to the
  // TFLite importer, which names what it is not.
  Result<std::vector<uint8_t>> bytes = fk::ReadFileBytes(*path);
  if (!bytes) return bytes.status();
  const size_t slash = path->find_last_of("/\\");
  const std::string base = slash == std::string::npos ? *path : path->substr(slash + 1);
  if (FksFileVersion(bytes->data(), bytes->size()) != 0) return LoadNetBytes(bytes->data(), bytes->size(), base);
  return ImportTflite(bytes->data(), bytes->size(), base);
}

std::vector<std::string> RealBackends() {
  std::vector<std::string> b = {"own-dense", "own-sparse"};
  if (XnnpackAvailable()) b.insert(b.end(), {"xnnpack-dense", "xnnpack-sparse"});
  return b;
}

namespace {
// `out(o)` gives output o of the backend under test.
template <typename Out>
double NormErr(Out out, const NetExecutor& ref) {
  double worst = 0;
  for (size_t o = 0; o < ref.NumOutputs(); ++o) {
    double m = 0, d = 0;
    const float* a = out(o);
    for (size_t i = 0; i < ref.OutputSize(o); ++i) {
      m = std::max(m, double(std::fabs(ref.Output(o)[i])));
      d = std::max(d, std::fabs(double(a[i]) - double(ref.Output(o)[i])));
    }
    worst = std::max(worst, m > 0 ? d / m : d);
  }
  return worst;
}
}  // namespace

struct RealModelBench::Impl {
  RealBenchOptions opt;
  Status status;
  const kernels::NnKernels* k = nullptr;
  enum class Phase { Load, Setup, Run, Finish, Done } phase = Phase::Load;
  size_t mi = 0, bi = 0, slot = 0;
  int run = 0;
  std::unique_ptr<Net> net;
  std::unique_ptr<NetExecutor> ref;
  std::vector<float> input;
  struct Slot {
    std::string backend;
    std::unique_ptr<NetExecutor> ex;
    std::unique_ptr<XnnpackNetRunner> xnn;
    std::vector<double> ms;
  };
  std::vector<Slot> slots;
  std::vector<Row> results;
  std::vector<Row> skipped;  // backends that could not run this model
  std::vector<NetSummary> summaries;

  bool Fail(const Status& s) {
    status = s;
    phase = Phase::Done;
    return true;
  }
  bool Step();
};

bool RealModelBench::Impl::Step() {
  switch (phase) {
    case Phase::Load: {
      Result<Net> n = LoadNet(opt.models[mi]);
      if (!n) return Fail(n.status());
      net = std::make_unique<Net>(std::move(*n));
      summaries.push_back(Summarize(*net));
      NetExecutorOptions ro;
      ro.sparse = SparseChoice::Never;
      auto r = NetExecutor::Create(*net, kernels::ScalarNnKernels(), ro);
      if (!r) return Fail(r.status());
      ref = std::make_unique<NetExecutor>(std::move(*r));
      input = ReferenceInput(ref->InputSize());
      ref->Run(input.data());
      phase = Phase::Setup;
      bi = 0;
      return false;
    }
    case Phase::Setup: {
      const std::string& b = opt.backends[bi];
      Slot slot_;
      slot_.backend = b;
      if (b.rfind("xnnpack-", 0) == 0) {
        XnnpackOptions xo;
        xo.sparse_hint = b == "xnnpack-sparse";
        auto x = XnnpackNetRunner::Create(*net, xo);
        if (!x) {  // e.g. an operator this XNNPACK lacks: a row that says so, the other backends still run
          Row row;
          row.model = opt.models[mi];
          row.r.backend = b;
          row.r.sparsity = summaries.back().pointwise_zero_fraction;
          row.r.median_ms = row.r.p10_ms = row.r.p90_ms = row.r.max_rel_err = std::nan("");
          row.r.model_bytes = net->file_bytes;
          row.r.kernel = "unavailable: " + x.status().message();
          skipped.push_back(std::move(row));
          if (++bi == opt.backends.size()) phase = Phase::Run, run = 0, slot = 0;
          return false;
        }
        slot_.xnn = std::move(*x);
        slot_.xnn->SetInput(input.data());
      } else {
        NetExecutorOptions eo;
        eo.sparse = b == "own-sparse" ? SparseChoice::Measure : SparseChoice::Never;
        auto ex = NetExecutor::Create(*net, *k, eo);
        if (!ex) return Fail(ex.status());
        slot_.ex = std::make_unique<NetExecutor>(std::move(*ex));
      }
      slots.push_back(std::move(slot_));
      if (++bi == opt.backends.size()) {
        phase = Phase::Run;
        run = 0;
        slot = 0;
      }
      return false;
    }
    case Phase::Run: {
      if (slots.empty()) {  // every backend was unavailable for this model
        phase = Phase::Finish;
        return false;
      }
      Slot& s = slots[(slot + size_t(run)) % slots.size()];  // rotate the order each run
      const double t0 = NowMs();
      if (s.ex) {
        s.ex->Run(input.data());
      } else if (Status st = s.xnn->Invoke(); !st) {  // XNNPACK: only the invocation is timed
        return Fail(st);
      }
      const double ms = NowMs() - t0;
      if (run >= opt.warmup) s.ms.push_back(ms);
      if (++slot == slots.size()) {
        slot = 0;
        if (++run == opt.warmup + opt.runs) phase = Phase::Finish;
      }
      return false;
    }
    case Phase::Finish: {
      double xnn_dense = 0;
      for (Slot& s : slots)
        if (s.backend == "xnnpack-dense") xnn_dense = Percentile(s.ms, 0.5);
      for (Slot& s : slots) {
        Row row;
        row.model = opt.models[mi];
        row.r.backend = s.backend;
        row.r.sparsity = summaries.back().pointwise_zero_fraction;
        row.r.median_ms = Percentile(s.ms, 0.5);
        row.r.p10_ms = Percentile(s.ms, 0.1);
        row.r.p90_ms = Percentile(s.ms, 0.9);
        row.r.model_bytes = net->file_bytes;
        if (s.ex) {
          row.r.kernel = s.ex->Description();
          row.r.max_rel_err = NormErr([&](size_t o) { return s.ex->Output(o); }, *ref);
        } else {
          row.r.max_rel_err = NormErr([&](size_t o) { return s.xnn->Output(o); }, *ref);
          row.r.kernel = "xnnpack (Debian 12's libxnnpack)";
          if (s.backend == "xnnpack-sparse" && xnn_dense > 0) {  // XNNPACK does not say which path it took
            char buf[128];
            const double ratio = row.r.median_ms / xnn_dense;
            std::snprintf(buf, sizeof buf, ratio < 0.85 ? "xnnpack (sparse path engaged: %.2fx the dense time)"
                                                        : "xnnpack (sparse hint: %.2fx the dense time, no sparse path)",
                          ratio);
            row.r.kernel = buf;
          }
        }
        row.r.runs = int(s.ms.size());
        results.push_back(std::move(row));
      }
      for (Row& row : skipped) results.push_back(std::move(row));
      skipped.clear();
      slots.clear();
      net.reset();
      ref.reset();
      if (++mi == opt.models.size()) {
        phase = Phase::Done;
        return true;
      }
      phase = Phase::Load;
      return false;
    }
    case Phase::Done:
      return true;
  }
  return true;
}

RealModelBench::RealModelBench(RealBenchOptions o) : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(o);
  impl_->k = impl_->opt.kernels ? impl_->opt.kernels : &kernels::BestNnKernels();
  const std::vector<std::string> known = RealBackends();
  if (impl_->opt.models.empty()) impl_->Fail(Status::Error("no model to bench"));
  if (impl_->opt.runs < 1 || impl_->opt.runs > 100000 || impl_->opt.warmup < 0 || impl_->opt.warmup > 1000)
    impl_->Fail(Status::Error("--runs must be in 1..100000 and --warmup in 0..1000"));
  if (impl_->opt.backends.empty()) impl_->Fail(Status::Error("no backend to bench"));
  for (const std::string& b : impl_->opt.backends)
    if (std::find(known.begin(), known.end(), b) == known.end())
      impl_->Fail(Status::Error(
          "backend '" + b + "' does not run imported models in this build (known: own-dense, own-sparse" +
          std::string(XnnpackAvailable() ? ", xnnpack-dense, xnnpack-sparse" : "") + ")"));
}
RealModelBench::~RealModelBench() = default;
bool RealModelBench::Step() { return impl_->Step(); }
float RealModelBench::Progress() const {
  const Impl& m = *impl_;
  if (m.phase == Impl::Phase::Done) return 1.f;
  const double per = double(m.opt.warmup + m.opt.runs);
  const double within = m.phase == Impl::Phase::Run ? double(m.run) / per : m.phase == Impl::Phase::Finish ? 1.0 : 0.0;
  return float((double(m.mi) + within) / double(m.opt.models.size()));
}
std::string RealModelBench::Detail() const {
  const Impl& m = *impl_;
  if (m.phase == Impl::Phase::Done) return "done";
  std::string model = m.opt.models[std::min(m.mi, m.opt.models.size() - 1)];
  if (m.phase == Impl::Phase::Load) return model + ": loading";
  if (m.phase == Impl::Phase::Setup) return model + ": setting up " + m.opt.backends[m.bi];
  return model + ": run " + std::to_string(m.run + 1) + "/" + std::to_string(m.opt.warmup + m.opt.runs);
}
const Status& RealModelBench::status() const { return impl_->status; }
const std::vector<RealModelBench::Row>& RealModelBench::Results() const { return impl_->results; }
const std::vector<NetSummary>& RealModelBench::Summaries() const { return impl_->summaries; }
nlohmann::json RealModelBench::ResultsJson() const {
  nlohmann::json out = nlohmann::json::array();
  for (const Row& r : impl_->results) {
    nlohmann::json j = BenchResultJson(r.r);
    j["model"] = r.model;
    out.push_back(j);
  }
  return {{"results", out}};
}

}  // namespace fk::nn
