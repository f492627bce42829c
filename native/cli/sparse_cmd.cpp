// fieldkit-cli sparse bench|size|prune|import|info|run|detect|dataset|train|prune-train: the sparse-inference workflow
// headless. The bench and size verbs use the same fk::nn::SparseBench /
// ComputeSizeTable the Sparse Inference panel uses, so both print one JSON.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <numeric>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/image.h"
#include "core/json_write.h"
#include "core/rng.h"
#include "core/strings.h"
#include "nn/dataset.h"
#include "nn/executor.h"
#include "nn/export.h"
#include "nn/model_file.h"
#include "nn/model_zoo.h"
#include "nn/net_executor.h"
#include "nn/net_file.h"
#include "nn/prune_train.h"
#include "nn/real_bench.h"
#include "nn/real_models.h"
#include "nn/reference.h"
#include "nn/tflite.h"
#include "nn/sparse_bench.h"

namespace fk::cli {

namespace {

nn::PrunePolicy ParsePolicy(const Args& a) {
  const std::string p = a.Get("policy", "xnnpack");
  if (p == "xnnpack") return nn::PrunePolicy::ForLatencyOnXNNPack;
  if (p == "all") return nn::PrunePolicy::All;
  throw UsageError{"--policy must be xnnpack or all, got '" + p + "'"};
}

int ParseBlock(const Args& a) {
  const long b = a.GetInt("block", 1);
  if (b != 1 && b != 2 && b != 4) throw UsageError{"--block must be 1, 2 or 4"};
  return int(b);
}

void CheckWidthSize(float width, int size) {
  if (!(width >= 0.35f - 1e-6f && width <= 1.4f + 1e-6f)) throw UsageError{"--width must be in 0.35..1.4"};
  if (size < 96 || size > 224) throw UsageError{"--size must be in 96..224"};
}

void NoOperands(const Args& a) {
  if (a.Positional().size() > 1) throw UsageError{a.Positional()[0] + ": unexpected argument '" + a.Positional()[1] + "'"};
}

std::string Positional1(const Args& a, const char* verb) {
  if (a.Positional().size() != 2) throw UsageError{std::string(verb) + ": give exactly one model file (see --help)"};
  return a.Positional()[1];
}

// The bundled models and image sit in models/ and images/ beside this binary (the build copies them).
void AddModelDirs() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) nn::AddBundleRoot(exe.parent_path().string());
}

// A real model: anything but the built-in "mobilenet_v2".
bool RealModel(const Args& a) { return a.Has("model") && a.Get("model") != "mobilenet_v2"; }

// [SECTION] bench

int BenchReal(const Args& a) {
  AddModelDirs();
  nn::RealBenchOptions o;
  o.models = a.GetList("model", {});
  o.backends = a.GetList("backend", nn::RealBackends());
  o.runs = int(a.GetInt("runs", o.runs));
  o.warmup = int(a.GetInt("warmup", o.warmup));
  if (a.GetInt("threads", 1) != 1) throw UsageError{"--threads: only 1 is supported"};
  nn::RealModelBench bench(o);
  ProgressBar bar("sparse bench", ProgressWanted(a));
  while (!bench.Step()) bar.Update(bench.Progress(), bench.Detail());
  bar.Done();
  if (!bench.status()) throw InputError{bench.status().message()};
  if (a.Has("json")) {
    EmitJson(bench.ResultsJson());
    return 0;
  }
  std::printf("%d runs (+%d warmup), kernels %s\n", o.runs, o.warmup, kernels::BestNnKernels().isa.c_str());
  std::printf("%-28s %-11s %8s %10s %10s %10s %11s  %s\n", "model", "backend", "zeros_1x1", "median_ms", "p10_ms",
              "p90_ms", "max_rel_err", "kernel");
  for (auto& row : bench.Results())
    std::printf("%-28s %-11s %8.3f %10.3f %10.3f %10.3f %11.2e  %s\n", row.model.c_str(), row.r.backend.c_str(),
                row.r.sparsity, row.r.median_ms, row.r.p10_ms, row.r.p90_ms, row.r.max_rel_err, row.r.kernel.c_str());
  return 0;
}

// The --layers summary: per backend and sparsity, layers grouped by op, the
// 1x1 ones also by input resolution (where their efficiency differs most).
struct LayerTypeRow {
  std::string backend, type;
  double sparsity = 0, ms = 0, min_ms = 0, flops = 0;
  int layers = 0;
};
std::vector<LayerTypeRow> LayerTypeTable(const std::vector<nn::LayerProfileRow>& profile) {
  std::vector<LayerTypeRow> rows;
  for (auto& p : profile) {
    std::string type = p.op;
    if (p.op == "conv1x1" || p.op == "spmm") {
      const int side = int(std::lround(std::sqrt(double(p.pixels))));
      type += " " + std::to_string(side) + "x" + std::to_string(side);
    }
    auto it = std::find_if(rows.begin(), rows.end(), [&](const LayerTypeRow& r) {
      return r.backend == p.backend && r.sparsity == p.sparsity && r.type == type;
    });
    if (it == rows.end()) it = rows.insert(rows.end(), LayerTypeRow{p.backend, type, p.sparsity});
    it->ms += p.median_ms;
    it->min_ms += p.min_ms;
    it->flops += p.flops;
    it->layers++;
  }
  return rows;
}

int Bench(const Args& a) {
  NoOperands(a);
  if (RealModel(a)) return BenchReal(a);
  nn::SparseBenchOptions o;
  o.model = a.Get("model", o.model);
  o.width = float(a.GetDouble("width", o.width));
  o.size = int(a.GetInt("size", o.size));
  o.sparsities = a.GetDoubleList("sparsity", o.sparsities);
  o.backends = a.GetList("backend", nn::KnownBackends());
  o.threads = int(a.GetInt("threads", 1));
  o.runs = int(a.GetInt("runs", o.runs));
  o.warmup = int(a.GetInt("warmup", o.warmup));
  o.block = ParseBlock(a);
  o.fp16 = a.Has("fp16");
  o.policy = ParsePolicy(a);
  o.seed = uint64_t(a.GetInt("seed", 1));
  o.time_layers = a.Has("layers");
  Status valid = nn::ValidateBenchOptions(o);
  if (!valid) throw UsageError{valid.message()};

  nn::SparseBench bench(o);
  ProgressBar bar("sparse bench", ProgressWanted(a));
  while (!bench.Step()) bar.Update(bench.Progress(), bench.Detail());
  bar.Done();
  if (!bench.status()) throw InputError{bench.status().message()};

  if (a.Has("json")) {
    nlohmann::json j = bench.ResultsJson();
    if (o.time_layers) {
      nlohmann::json layers = nlohmann::json::array();
      for (auto& p : bench.LayerProfile())
        layers.push_back({{"backend", p.backend},
                          {"layer", p.layer},
                          {"op", p.op},
                          {"sparsity", JsonNumberAs(p.sparsity, "%.4g")},
                          {"mean_ms", JsonNumberAs(p.mean_ms, "%.4f")},
                          {"median_ms", JsonNumberAs(p.median_ms, "%.4f")},
                          {"min_ms", JsonNumberAs(p.min_ms, "%.4f")},
                          {"pixels", p.pixels},
                          {"mflops", JsonNumberAs(p.flops * 1e-6, "%.4f")}});
      j["layers"] = layers;
      nlohmann::json types = nlohmann::json::array();
      for (auto& t : LayerTypeTable(bench.LayerProfile()))
        types.push_back({{"backend", t.backend},
                         {"sparsity", JsonNumberAs(t.sparsity, "%.4g")},
                         {"type", t.type},
                         {"layers", t.layers},
                         {"median_ms", JsonNumberAs(t.ms, "%.4f")},
                         {"min_ms", JsonNumberAs(t.min_ms, "%.4f")},
                         {"gflops_per_s", JsonNumberAs(t.ms > 0 ? t.flops / (t.ms * 1e6) : 0.0, "%.2f")}});
      j["layer_types"] = types;
    }
    EmitJson(j);
    return 0;
  }
  std::printf("MobileNetV2 %.2f @%d, policy %s, block %d%s, %d runs (+%d warmup), kernels %s\n", o.width, o.size,
              nn::PrunePolicyName(o.policy), o.block, o.fp16 ? ", fp16 weights" : "", o.runs, o.warmup,
              kernels::BestNnKernels().isa.c_str());
  std::printf("%-15s %8s %10s %10s %10s %12s %11s  %s\n", "backend", "sparsity", "median_ms", "p10_ms", "p90_ms",
              "model_bytes", "max_rel_err", "kernel");
  for (auto& r : bench.Results())
    std::printf("%-15s %8.2f %10.3f %10.3f %10.3f %12llu %11.2e  %s\n", r.backend.c_str(), r.sparsity, r.median_ms,
                r.p10_ms, r.p90_ms, (unsigned long long)r.model_bytes, r.max_rel_err, r.kernel.c_str());
  if (o.time_layers) {
    std::printf("\nper layer (own backends): mean, median and fastest ms per run, GFLOP/s of the median\n");
    for (auto& p : bench.LayerProfile())
      std::printf("%-11s %5.2f %-28s %-12s %6zu px %8.4f %8.4f %8.4f %7.1f\n", p.backend.c_str(), p.sparsity,
                  p.layer.c_str(), p.op.c_str(), p.pixels, p.mean_ms, p.median_ms, p.min_ms,
                  p.median_ms > 0 ? p.flops / (p.median_ms * 1e6) : 0.0);
    std::printf("\nper layer type (sums of the layers' medians and fastest runs)\n%-11s %5s %-16s %6s %9s %9s %8s %9s\n",
                "backend", "spars", "type", "layers", "median_ms", "min_ms", "MFLOP", "GFLOP/s");
    for (auto& t : LayerTypeTable(bench.LayerProfile()))
      std::printf("%-11s %5.2f %-16s %6d %9.4f %9.4f %8.1f %9.1f\n", t.backend.c_str(), t.sparsity, t.type.c_str(),
                  t.layers, t.ms, t.min_ms, t.flops * 1e-6, t.ms > 0 ? t.flops / (t.ms * 1e6) : 0.0);
  }
  return 0;
}

// [SECTION] size

int Size(const Args& a) {
  NoOperands(a);
  nn::SizeTableOptions o;
  o.width = float(a.GetDouble("width", o.width));
  o.size = int(a.GetInt("size", o.size));
  CheckWidthSize(o.width, o.size);
  o.sparsities = a.GetDoubleList("sparsity", o.sparsities);
  for (double s : o.sparsities)
    if (!(s >= 0 && s < 1)) throw UsageError{"--sparsity values must be in [0, 1)"};
  o.policy = ParsePolicy(a);
  o.block = ParseBlock(a);
  o.seed = uint64_t(a.GetInt("seed", 1));
  auto rows = nn::ComputeSizeTable(o);
  if (!rows) throw InputError{rows.status().message()};
  if (a.Has("json")) {
    EmitJson(nn::SizeTableJson(*rows));
    return 0;
  }
  std::printf("%8s %12s %12s %12s %12s\n", "sparsity", "dense_fp32", "dense_fp16", "sparse_fp32", "sparse_fp16");
  for (auto& r : *rows)
    std::printf("%8.2f %12llu %12llu %12llu %12llu\n", r.sparsity, (unsigned long long)r.dense_fp32,
                (unsigned long long)r.dense_fp16, (unsigned long long)r.sparse_fp32, (unsigned long long)r.sparse_fp16);
  return 0;
}

// [SECTION] prune

int Prune(const Args& a) {
  NoOperands(a);
  if (!a.Has("out")) throw UsageError{"prune: --out model.fks is required"};
  if (!a.Has("sparsity")) throw UsageError{"prune: --sparsity is required"};
  const double s = a.GetDouble("sparsity", 0);
  if (!(s >= 0 && s < 1)) throw UsageError{"--sparsity must be in [0, 1)"};
  nn::PruneExportOptions eo;
  eo.model.width = float(a.GetDouble("width", 1.0));
  eo.model.input_size = int(a.GetInt("size", 224));
  CheckWidthSize(eo.model.width, eo.model.input_size);
  eo.model.seed = uint64_t(a.GetInt("seed", 1));
  eo.sparsity = s;
  eo.prune.policy = ParsePolicy(a);
  eo.prune.block = ParseBlock(a);
  eo.save.fp16 = a.Has("fp16");
  eo.save.sparse = !a.Has("dense");
  const std::string out = a.Get("out");
  nn::PruneExport e(eo, out);  // the same steps as the Sparse panel's Export button
  while (!e.Step()) {
  }
  if (!e.status()) throw InputError{e.status().message()};
  const size_t pruned = e.pruned_weights(), zeros = e.zeros();
  const unsigned long long n = e.bytes();
  if (a.Has("json"))
    EmitJson({{"out", out},
              {"bytes", n},
              {"sparsity", JsonNumberAs(s, "%.4g")},
              {"pruned_weights", pruned},
              {"zeros", zeros}});
  else
    std::printf("wrote %s: %llu bytes; %zu of %zu weights in pruned layers are zero (%.1f%%)\n", out.c_str(), n, zeros,
                pruned, pruned ? 100.0 * double(zeros) / double(pruned) : 0.0);
  return 0;
}

// [SECTION] import

// A .tflite (or a bundled model's name) stored as .fks v2: the imported graph
// with its 1x1 weights CSR where that is smaller.
int Import(const Args& a) {
  AddModelDirs();
  const std::string src = Positional1(a, "import");
  if (!a.Has("out")) throw UsageError{"import: --out FILE.fks is required"};
  const std::string out = a.Get("out");
  auto path = nn::ResolveModelPath(src);
  if (!path) throw InputError{path.status().message()};
  auto bytes = nn::ReadFileBytes(*path);
  if (!bytes) throw InputError{bytes.status().message()};
  if (!nn::LooksLikeTflite(bytes->data(), bytes->size()))
    throw InputError{*path + ": not a TFLite model (no \"TFL3\" identifier at byte 4)"};
  const size_t slash = path->find_last_of('/');
  auto net = nn::ImportTflite(bytes->data(), bytes->size(), slash == std::string::npos ? *path : path->substr(slash + 1));
  if (!net) throw InputError{net.status().message()};
  nn::SaveOptions so;
  so.fp16 = a.Has("fp16");
  so.sparse = !a.Has("dense");
  auto fks = nn::SaveNetBytes(*net, so);
  if (!fks) throw InputError{fks.status().message()};
  // Read back before writing: the file holds what loads.
  nn::NetFileInfo fi;
  auto back = nn::LoadNetBytes(fks->data(), fks->size(), out, &fi);
  if (!back) throw InputError{"import: the written graph does not load back: " + back.status().message()};
  if (Status s = nn::WriteFileBytes(out, *fks); !s) throw InputError{s.message()};
  if (a.Has("json")) {
    EmitJson({{"out", out}, {"bytes", fks->size()}, {"tflite_bytes", bytes->size()}, {"csr_layers", fi.csr_tensors}, {"fp16", so.fp16}});
    return 0;
  }
  std::printf("wrote %s: %zu bytes (%s values, %d CSR layers); %s is %zu bytes (%.1f%%)\n", out.c_str(), fks->size(),
              so.fp16 ? "fp16" : "fp32", fi.csr_tensors, path->c_str(), bytes->size(),
              bytes->empty() ? 0.0 : 100.0 * double(fks->size()) / double(bytes->size()));
  return 0;
}

// [SECTION] info

// The summary of an imported network, from a .tflite or a .fks v2 file;
// `head` is the first line, `extra` joins the JSON.
void PrintNetSummary(const Args& a, const nn::Net& net, const std::string& head, const nlohmann::json& extra) {
  const nn::NetSummary s = nn::Summarize(net);
  if (a.Has("json")) {
    nlohmann::json j = nn::NetSummaryJson(s, a.Has("layers"));
    for (auto& [k, v] : extra.items()) j[k] = v;
    EmitJson(j);
    return;
  }
  std::printf("%s, %zu parameters, %zu compute ops after folding\n", head.c_str(), s.parameters, s.ops);
  std::printf("operators:");
  for (auto& [name, n] : s.file_ops) std::printf(" %s x%d", name.c_str(), n);
  std::printf("\nconstants stored as:");
  for (auto& t : s.stored_types) std::printf(" %s", t.c_str());
  std::printf("; %d stored sparse\n", s.stored_sparse);
  std::printf("input [");
  for (size_t i = 0; i < s.input_shape.size(); ++i) std::printf("%s%d", i ? "," : "", s.input_shape[i]);
  std::printf("]; %zu 1x1 convolutions, %.1f%% of their weights zero\n", s.pointwise.size(),
              100.0 * s.pointwise_zero_fraction);
  if (a.Has("layers"))
    for (auto& p : s.pointwise)
      std::printf("  op %4d %-52s %4d -> %4d  %5.1f%% zeros%s\n", p.file_index, p.weights.c_str(), p.in_c, p.out_c,
                  100.0 * p.zero_fraction, p.stored_sparse ? " (stored sparse)" : "");
}

int InfoTflite(const Args& a, const std::string& path, const std::vector<uint8_t>& bytes) {
  auto net = nn::ImportTflite(bytes.data(), bytes.size(), path);
  if (!net) throw InputError{net.status().message()};
  PrintNetSummary(a, *net,
                  path + ": TFLite v" + std::to_string(net->file_version) + ", " + std::to_string(bytes.size()) + " bytes",
                  nlohmann::json::object());
  return 0;
}

// A .fks v2 file: an imported network (`sparse import`).
int InfoNetFks(const Args& a, const std::string& path, const std::vector<uint8_t>& bytes) {
  nn::NetFileInfo fi;
  auto net = nn::LoadNetBytes(bytes.data(), bytes.size(), path, &fi);
  if (!net) throw InputError{net.status().message()};
  const std::string head = path + ": valid .fks v2 (imported from " + fi.source + ", " + std::to_string(fi.source_bytes) +
                           " bytes), " + std::to_string(bytes.size()) + " bytes, " + (fi.fp16 ? "fp16" : "fp32") +
                           " values, " + std::to_string(fi.csr_tensors) + " CSR layers";
  PrintNetSummary(a, *net, head,
                  {{"version", fi.version}, {"fp16", fi.fp16}, {"csr_layers", fi.csr_tensors}, {"source", fi.source},
                   {"source_bytes", fi.source_bytes}});
  return 0;
}

int Info(const Args& a) {
  AddModelDirs();
  std::string path = Positional1(a, "info");
  if (nn::FindBundledModel(path)) {
    auto p = nn::ResolveModelPath(path);
    if (!p) throw InputError{p.status().message()};
    path = *p;
  }
  auto bytes = nn::ReadFileBytes(path);
  if (!bytes) throw InputError{bytes.status().message()};
  if (nn::LooksLikeTflite(bytes->data(), bytes->size())) return InfoTflite(a, path, *bytes);
  if (nn::FksFileVersion(bytes->data(), bytes->size()) == nn::kFksNetVersion) return InfoNetFks(a, path, *bytes);
  auto info = nn::InspectModelBytes(bytes->data(), bytes->size(), path);
  if (!info) throw InputError{info.status().message()};
  auto model = nn::LoadModelBytes(bytes->data(), bytes->size(), path);
  if (!model) throw InputError{model.status().message()};
  uint64_t weights = 0, nonzeros = 0, csr = 0;
  for (auto& l : info->layers) {
    weights += l.weights;
    nonzeros += l.nonzeros;
    csr += l.storage == "csr";
  }
  if (a.Has("json")) {
    EmitJson({{"file", path},
              {"version", info->version},
              {"bytes", info->file_bytes},
              {"fp16", info->fp16},
              {"arch", model->arch},
              {"input", nlohmann::json::array({model->in_h, model->in_w, model->in_c})},
              {"layers", info->layers.size()},
              {"csr_layers", csr},
              {"weights", weights},
              {"nonzeros", nonzeros},
              {"classes", model->NumClasses()}});
    return 0;
  }
  std::printf("%s: valid .fks v%u, %llu bytes, %s values\n", path.c_str(), info->version,
              (unsigned long long)info->file_bytes, info->fp16 ? "fp16" : "fp32");
  std::printf("model %s %.2f, input %dx%dx%d, %zu layers (%llu CSR), %d classes\n", model->arch.c_str(), model->width,
              model->in_h, model->in_w, model->in_c, info->layers.size(), (unsigned long long)csr, model->NumClasses());
  std::printf("weights %llu, nonzero %llu (%.1f%% zeros)\n", (unsigned long long)weights,
              (unsigned long long)nonzeros, weights ? 100.0 * double(weights - nonzeros) / double(weights) : 0.0);
  if (a.Has("layers"))
    for (auto& l : info->layers)
      if (l.storage != "none")
        std::printf("  %-28s %-5s idx%-2d block %d  %9llu weights %9llu nonzero %9llu bytes\n", l.name.c_str(),
                    l.storage.c_str(), l.index_bits, l.block, (unsigned long long)l.weights,
                    (unsigned long long)l.nonzeros, (unsigned long long)l.bytes);
  return 0;
}

// [SECTION] run

// One inference of an imported model on a raw float32 tensor (or the reference pattern);
// every output value printed, so outside checks can compare with another runtime.
int RunReal(const Args& a) {
  AddModelDirs();
  if (a.Positional().size() > 1) throw UsageError{"run: give the model with --model, not as an operand"};
  const std::string kname = a.Get("kernels", "best");
  if (kname != "best" && kname != "scalar") throw UsageError{"--kernels must be best or scalar"};
  auto net = nn::LoadNet(a.Get("model"));
  if (!net) throw InputError{net.status().message()};
  nn::NetExecutorOptions eo;
  eo.sparse = a.Has("dense") ? nn::SparseChoice::Never : nn::SparseChoice::Measure;
  eo.time_ops = a.Has("layers");
  auto ex = nn::NetExecutor::Create(*net, kname == "scalar" ? kernels::ScalarNnKernels() : kernels::BestNnKernels(), eo);
  if (!ex) throw InputError{ex.status().message()};
  std::vector<float> x;
  if (a.Has("input-f32")) {
    const std::string f = a.Get("input-f32");
    auto bytes = nn::ReadFileBytes(f);
    if (!bytes) throw InputError{bytes.status().message()};
    if (bytes->size() != ex->InputSize() * sizeof(float))
      throw InputError{f + ": " + std::to_string(bytes->size()) + " bytes; the model's input needs " +
                       std::to_string(ex->InputSize()) + " float32 values (" + std::to_string(ex->InputSize() * 4) +
                       " bytes, little-endian, NHWC)"};
    x.resize(ex->InputSize());
    std::memcpy(x.data(), bytes->data(), bytes->size());
  } else {
    x = nn::ReferenceInput(ex->InputSize());
  }
  const double t0 = NowMs();
  ex->Run(x.data());
  const double ms = NowMs() - t0;
  if (a.Has("layers")) {  // per op type: time of 10 more runs, after the first
    for (int r = 0; r < 10; ++r) ex->Run(x.data());
    std::vector<std::pair<std::string, double>> by_op;
    for (auto& t : ex->StepTimes()) {
      auto it = std::find_if(by_op.begin(), by_op.end(), [&](auto& p) { return p.first == t.op; });
      if (it == by_op.end()) by_op.push_back({t.op, t.total_ms / 11});
      else it->second += t.total_ms / 11;
    }
    std::sort(by_op.begin(), by_op.end(), [](auto& p, auto& q) { return p.second > q.second; });
    for (auto& [op, t] : by_op) std::fprintf(stderr, "  %-26s %8.3f ms\n", op.c_str(), t);
  }
  if (a.Has("json")) {
    nlohmann::json outs = nlohmann::json::array();
    for (size_t o = 0; o < ex->NumOutputs(); ++o) {
      nlohmann::json vals = nlohmann::json::array();
      for (size_t i = 0; i < ex->OutputSize(o); ++i) vals.push_back(JsonNumberAs(ex->Output(o)[i], "%.9g"));
      outs.push_back({{"name", ex->OutputName(o)}, {"shape", ex->OutputShape(o)}, {"values", vals}});
    }
    EmitJson({{"outputs", outs}, {"ms", JsonNumberAs(ms, "%.4f")}, {"kernel", ex->Description()}});
    return 0;
  }
  std::printf("%s: %.3f ms (%s, first run)\n", net->name.c_str(), ms, ex->Description().c_str());
  for (size_t o = 0; o < ex->NumOutputs(); ++o) {
    std::printf("  %s [", ex->OutputName(o).c_str());
    for (size_t i = 0; i < ex->OutputShape(o).size(); ++i) std::printf("%s%d", i ? "," : "", ex->OutputShape(o)[i]);
    std::printf("]:");
    for (size_t i = 0; i < std::min<size_t>(6, ex->OutputSize(o)); ++i) std::printf(" %.6g", ex->Output(o)[i]);
    std::printf("%s\n", ex->OutputSize(o) > 6 ? " ..." : "");
  }
  return 0;
}

int Run(const Args& a) {
  if (a.Has("model")) return RunReal(a);
  const std::string path = Positional1(a, "run");
  const std::string kname = a.Get("kernels", "best");
  if (kname != "best" && kname != "scalar") throw UsageError{"--kernels must be best or scalar"};
  auto model = nn::LoadModel(path);
  if (!model) throw InputError{model.status().message()};
  const auto& k = kname == "scalar" ? kernels::ScalarNnKernels() : kernels::BestNnKernels();
  nn::ExecutorOptions eo;
  eo.sparse = !a.Has("dense");
  auto ex = nn::Executor::Create(*model, k, eo);
  if (!ex) throw InputError{path + ": " + ex.status().message()};
  Rng rng(uint64_t(a.GetInt("seed", 7)));
  std::vector<float> img(ex->InputSize());
  for (auto& v : img) v = rng.Uniform01();
  const double t0 = NowMs();
  ex->Run(img.data());
  const double ms = NowMs() - t0;
  const float* p = ex->Output();
  std::vector<int> idx(ex->OutputSize());
  std::iota(idx.begin(), idx.end(), 0);
  const size_t top = std::min<size_t>(5, idx.size());
  std::partial_sort(idx.begin(), idx.begin() + std::ptrdiff_t(top), idx.end(),
                    [&](int x, int y) { return p[x] > p[y] || (p[x] == p[y] && x < y); });
  if (a.Has("json")) {
    nlohmann::json top5 = nlohmann::json::array();
    for (size_t i = 0; i < top; i++) top5.push_back({{"class", idx[i]}, {"p", JsonNumberAs(p[idx[i]], "%.6g")}});
    EmitJson({{"file", path}, {"ms", JsonNumberAs(ms, "%.4f")}, {"kernel", ex->Description()}, {"top5", top5}});
    return 0;
  }
  std::printf("%s: %.3f ms (%s, first run, includes cache warm-up)\n", path.c_str(), ms, ex->Description().c_str());
  for (size_t i = 0; i < top; i++) std::printf("  class %4d  p=%.6f\n", idx[i], p[idx[i]]);
  return 0;
}

// [SECTION] detect

int Detect(const Args& a) {
  NoOperands(a);
  AddModelDirs();
  if (!a.Has("model")) throw UsageError{"detect: --model mediapipe:NAME or FILE.tflite is required"};
  nn::RealModelsOptions o;
  o.models = {a.Get("model")};
  o.image = a.Get("image", "");
  o.runs = 0;  // detections only
  nn::RealModelsSession s(o);
  while (!s.Step()) {
  }
  if (!s.status()) throw InputError{s.status().message()};
  const nn::RealModelResult& r = s.Results()[0];
  if (!r.task) throw InputError{r.file + ": not a face-detection or hand-landmark model (use `sparse run` for its raw outputs)"};
  nlohmann::json d = s.DetectionsJson(0);
  if (a.Has("json")) {
    EmitJson(d);
    return 0;
  }
  std::printf("%s on %s (%dx%d): %zu detection(s), %.1f ms (%s)\n", r.file.c_str(), s.PictureName().c_str(),
              s.Picture().width, s.Picture().height, d.size(), r.image_ms, r.kernel.c_str());
  for (auto& e : d)
    std::printf("  score %.4f  box x=%.1f y=%.1f w=%.1f h=%.1f  %zu keypoints\n", e["score"].get<double>(),
                e["box"][0].get<double>(), e["box"][1].get<double>(), e["box"][2].get<double>(),
                e["box"][3].get<double>(), e["keypoints"].size());
  return 0;
}

// [SECTION] dataset

// The training data (generated shapes, or a user's folder / CSV of pictures)
// as one contact sheet: a row per class, the first images of that class in
// the split, so what the trainer will see can be looked at.
int DatasetVerb(const Args& a) {
  NoOperands(a);
  if (!a.Has("out")) throw UsageError{"dataset: --out DIR is required"};
  const std::string spec = a.Get("data", "generated");
  const long count = a.GetInt("count", 100);
  if (count < 1 || count > 10000) throw UsageError{"--count must be 1..10000"};
  const long zoom = a.GetInt("zoom", 3);
  if (zoom < 1 || zoom > 8) throw UsageError{"--zoom must be 1..8"};
  const std::string split_name = a.Get("split", "train");
  nn::Split split = nn::Split::kTrain;
  if (split_name == "val") split = nn::Split::kVal;
  else if (split_name == "test") split = nn::Split::kTest;
  else if (split_name != "train") throw UsageError{"--split must be train, val or test, got '" + split_name + "'"};
  nn::GenOptions g;
  g.seed = uint64_t(a.GetInt("seed", 1));
  g.image_size = int(a.GetInt("size", 32));
  g.difficulty = float(a.GetDouble("difficulty", 1.0));
  nn::ImageSetOptions io;
  io.seed = g.seed;
  io.image_size = g.image_size;
  auto ds = nn::OpenDataset(spec, g, io);
  if (!ds) throw InputError{ds.status().message()};
  const nn::Dataset& d = **ds;
  const std::string out = a.Get("out");
  if (Status st = MakeDirs(out); !st) throw InputError{st.message()};

  // Rows of classes, per row the first images of that class in the split.
  const int classes = d.NumClasses(), n = d.Size(split);
  const int per_row = int((count + classes - 1) / classes);
  std::vector<std::vector<int>> rows(static_cast<size_t>(classes));
  for (int i = 0; i < n; i++) {
    auto& r = rows[size_t(d.Label(split, i))];
    if (int(r.size()) < per_row) r.push_back(i);
  }
  const int side = d.ImageSize(), cell = side * int(zoom), gap = 2;
  Image sheet(per_row * (cell + gap) + gap, classes * (cell + gap) + gap);
  std::fill(sheet.rgb.begin(), sheet.rgb.end(), uint8_t(128));
  std::vector<uint8_t> px(size_t(d.ValuesPerImage()));
  int shown = 0;
  for (int c = 0; c < classes; c++)
    for (size_t k = 0; k < rows[size_t(c)].size(); k++) {
      d.GetRgb8(split, rows[size_t(c)][k], px.data(), nullptr);
      const int ox = gap + int(k) * (cell + gap), oy = gap + c * (cell + gap);
      for (int y = 0; y < cell; y++)
        for (int x = 0; x < cell; x++)
          std::memcpy(sheet.At(ox + x, oy + y), &px[(size_t(y / zoom) * size_t(side) + size_t(x / zoom)) * 3], 3);
      shown++;
    }
  const std::string sheet_path = out + "/contact_sheet.png";
  if (Status st = SavePng(sheet, sheet_path); !st) throw InputError{st.message()};

  nlohmann::json names = nlohmann::json::array(), sizes, counts;
  for (int c = 0; c < classes; c++) names.push_back(d.ClassName(c));
  for (nn::Split s : {nn::Split::kTrain, nn::Split::kVal, nn::Split::kTest}) {
    sizes[nn::SplitName(s)] = d.Size(s);
    counts[nn::SplitName(s)] = d.ClassCounts(s);
  }
  nlohmann::json j = {{"data", spec},         {"classes", names},     {"image_size", side},
                      {"sizes", sizes},       {"class_counts", counts}, {"contact_sheet", sheet_path},
                      {"shown", shown},       {"split", split_name}};
  if (auto* f = dynamic_cast<const nn::ImageFolderDataset*>(&d)) {
    j["bytes_per_image"] = f->BytesPerImage();
    j["skipped"] = f->skipped();
    j["ignored_files"] = f->ignored_files();
    j["warnings"] = f->warnings();
  }
  if (a.Has("json")) {
    EmitJson(j);
    return 0;
  }
  std::printf("%s: %d classes, %dx%d RGB; train %d, val %d, test %d\n", spec.c_str(), classes, side, side,
              d.Size(nn::Split::kTrain), d.Size(nn::Split::kVal), d.Size(nn::Split::kTest));
  std::printf("wrote %s (%d %s images, a row per class)\n", sheet_path.c_str(), shown, split_name.c_str());
  if (j.contains("warnings"))
    for (auto& w : j["warnings"]) std::printf("  warning: %s\n", w.get<std::string>().c_str());
  return 0;
}

// [SECTION] train, prune-train (issue #16: pruning-aware training)

std::vector<double> ParseSparsityList(const std::string& list) {
  std::vector<double> out;
  for (const std::string& item : SplitList(list)) {
    char* end = nullptr;
    const double v = std::strtod(item.c_str(), &end);
    if (item.empty() || end != item.c_str() + item.size() || !(v > 0 && v < 1))
      throw UsageError{"--sparsity: '" + item + "' is not a sparsity in (0, 1)"};
    out.push_back(v);
  }
  return out;
}

// The options both verbs share; defaults are PruneTrainOptions' (chosen on the validation split).
nn::PruneTrainOptions TrainOptionsFrom(const Args& a) {
  nn::PruneTrainOptions o;
  o.epochs = int(a.GetInt("epochs", o.epochs));
  o.batch = int(a.GetInt("batch", o.batch));
  o.lr = float(a.GetDouble("lr", o.lr));
  o.seed = uint64_t(a.GetInt("seed", 1));
  o.net.width = float(a.GetDouble("width", o.net.width));
  if (!(o.net.width >= 0.25f && o.net.width <= 4.f)) throw UsageError{"--width must be in 0.25..4"};
  o.prune_epochs = float(a.GetDouble("prune-epochs", o.prune_epochs));
  o.prune_lr = float(a.GetDouble("prune-lr", o.prune_lr));
  o.finetune_epochs = float(a.GetDouble("finetune-epochs", o.finetune_epochs));
  o.finetune_lr = float(a.GetDouble("finetune-lr", o.finetune_lr));
  o.frequency = int(a.GetInt("frequency", o.frequency));
  o.initial_sparsity = a.GetDouble("initial-sparsity", o.initial_sparsity);
  o.block = int(a.GetInt("block", o.block));
  o.latency_runs = int(a.GetInt("runs", o.latency_runs));
  o.eval_limit = int(a.GetInt("eval-limit", 0));
  if (Status s = o.Validate(); !s) throw UsageError{s.message()};
  return o;
}

std::unique_ptr<nn::Dataset> OpenTrainData(const Args& a, int image_size) {
  nn::GenOptions g;
  g.seed = uint64_t(a.GetInt("data-seed", 1));
  g.image_size = image_size;
  g.train = int(a.GetInt("train-size", g.train));
  if (g.train < 1 || g.train > 10000000) throw UsageError{"--train-size must be in 1..10000000"};
  nn::ImageSetOptions io;
  io.seed = g.seed;
  io.image_size = image_size;
  auto ds = nn::OpenDataset(a.Get("data", "generated"), g, io);
  if (!ds) throw InputError{ds.status().message()};
  return std::move(*ds);
}

nlohmann::json RunPruneTrain(const Args& a, nn::PruneTrainSession& s, const char* label) {
  ProgressBar bar(label, ProgressWanted(a));
  while (!s.Step()) bar.Update(s.Progress(), s.Detail());
  bar.Done();
  if (!s.status()) throw InputError{s.status().message()};
  nlohmann::json j = s.Json();
  if (a.Has("curve")) j["curve"] = s.CurveJson();
  return j;
}

void PrintResults(const nlohmann::json& j) {
  std::printf("%-9s %-8s %9s %9s %9s %12s %10s %10s\n", "sparsity", "strategy", "accuracy", "val_acc", "top1_drop",
              "model_bytes", "dense_ms", "sparse_ms");
  for (const auto& r : j["results"])
    std::printf("%-9.2f %-8s %9.4f %9.4f %9.4f %12zu %10.4f %10.4f\n", r["sparsity"].get<double>(),
                r["strategy"].get<std::string>().c_str(), r["accuracy"].get<double>(), r["val_accuracy"].get<double>(),
                r["top1_drop"].get<double>(), r["model_bytes"].get<size_t>(), r["median_ms_dense"].get<double>(),
                r["median_ms_sparse"].get<double>());
  std::printf("training: %lld images, %.0f images/s\n", (long long)j["train_images"].get<int64_t>(),
              j["images_per_s"].get<double>());
}

int Train(const Args& a) {
  NoOperands(a);
  if (!a.Has("out")) throw UsageError{"train: --out dense.fks is required"};
  const int size = int(a.GetInt("size", 32));
  if (size < 16 || size > 96) throw UsageError{"--size must be in 16..96"};
  nn::PruneTrainOptions o = TrainOptionsFrom(a);
  auto data = OpenTrainData(a, size);
  nn::PruneTrainSession s(*data, o);
  nlohmann::json j = RunPruneTrain(a, s, "train");
  const std::string out = a.Get("out");
  if (Status st = nn::SaveModel(*s.DenseModel(), out); !st) throw InputError{st.message()};
  j["out"] = out;
  if (a.Has("json")) {
    EmitJson(j);
    return 0;
  }
  PrintResults(j);
  std::printf("wrote %s\n", out.c_str());
  return 0;
}

int PruneTrain(const Args& a) {
  NoOperands(a);
  if (!a.Has("model")) throw UsageError{"prune-train: --model dense.fks is required (write one with sparse train)"};
  const std::string strategy = a.Get("strategy", "3step,one-shot");
  nn::PruneTrainOptions o = TrainOptionsFrom(a);
  o.sparsities = ParseSparsityList(a.Get("sparsity", "0.5,0.7,0.8,0.9"));
  o.one_shot = o.three_step = false;
  for (const std::string& item : SplitList(strategy)) {
    if (item == "3step") o.three_step = true;
    else if (item == "one-shot" || item == "oneshot") o.one_shot = true;
    else throw UsageError{"--strategy: '" + item + "' is not 3step or one-shot"};
  }
  const std::string sched = a.Get("schedule", "polynomial");
  if (sched == "polynomial") o.schedule = nn::SparsitySchedule::Polynomial;
  else if (sched == "constant") o.schedule = nn::SparsitySchedule::Constant;
  else throw UsageError{"--schedule must be polynomial or constant, got '" + sched + "'"};
  const std::string path = a.Get("model");
  auto model = nn::LoadModel(path);
  if (!model) throw InputError{model.status().message()};
  auto data = OpenTrainData(a, model->in_h);
  nn::PruneTrainSession s(*data, std::move(*model), o);
  nlohmann::json j = RunPruneTrain(a, s, "prune-train");
  if (a.Has("out-dir")) {
    const std::string dir = a.Get("out-dir");
    if (Status st = MakeDirs(dir); !st) throw InputError{st.message()};
    nlohmann::json files = nlohmann::json::array();
    for (const nn::PruneTrainResult& r : s.Results()) {
      if (r.strategy == "dense") continue;
      char name[64];
      std::snprintf(name, sizeof name, "/%s_%02d.fks", r.strategy.c_str(), int(std::lround(r.sparsity * 100)));
      if (Status st = nn::SaveModel(r.model, dir + name); !st) throw InputError{st.message()};
      files.push_back(dir + name);
    }
    j["files"] = files;
  }
  if (a.Has("json")) {
    EmitJson(j);
    return 0;
  }
  PrintResults(j);
  return 0;
}

// [SECTION] the verb table

const std::vector<Flag> kBuildFlags = {
    {"width", "W", "width multiplier, 0.35..1.4 (default 1.0)"},
    {"size", "PX", "input size, 96..224 (default 224)"},
    {"policy", "xnnpack|all", "layers to prune: PruneForLatencyOnXNNPack (default) or all"},
    {"block", "1|2|4", "prune blocks of this many output channels (default 1)"},
    {"seed", "N", "seed of the weights (default 1)"},
};

const std::vector<Flag> kTrainFlags = {
    {"batch", "N", "batch size (default 32)"},
    {"lr", "LR", "dense training: peak learning rate (default 0.1)"},
    {"width", "W", "dense training: channel multiplier of the small net (default 1)"},
    {"prune-epochs", "E", "3-step stage 2: epochs of pruning while fine-tuning (default 8)"},
    {"prune-lr", "LR", "stage 2 learning rate (default 0.1)"},
    {"finetune-epochs", "E", "stage 3: epochs with the masks fixed (default 8)"},
    {"finetune-lr", "LR", "stage 3 learning rate, cosine decay to 0 (default 0.01)"},
    {"frequency", "N", "mask updates every N steps (default 100)"},
    {"initial-sparsity", "S", "PolynomialDecay's initial sparsity (default 0)"},
    {"block", "1|2|4", "output channels per shared sparsity pattern (default 1)"},
    {"runs", "N", "timed inferences per model and kernel set (default 30; 0 = none)"},
    {"eval-limit", "N", "score only the first N examples of validation and test (default all)"},
    {"seed", "N", "seed of the weights and of the example order (default 1)"},
    {"data-seed", "N", "seed of the generated images / the split hash of your pictures (default 1)"},
    {"train-size", "N", "generated data: examples in the training split (default 20000)"},
    {"curve", "", "add the training curve (\"curve\" in JSON)"},
};

const VerbTable kSparse = {
    "sparse",
    {{"bench", "time own-dense/own-sparse/xnnpack-dense/xnnpack-sparse on a pruned MobileNetV2",
      Flags({{{"model", "NAME|PATH", "mobilenet_v2 (default), or real models: mediapipe:face_full,... or a .tflite / imported .fks path (list)"}},
             kBuildFlags,
             {{"sparsity", "LIST", "sparsities to prune to (default 0,0.5,0.7,0.8,0.9)"},
              {"backend", "LIST", "own-dense,own-sparse,xnnpack-dense,xnnpack-sparse (default all)"},
              {"threads", "N", "threads (default 1)"},
              {"runs", "N", "timed runs per backend and sparsity (default 20)"},
              {"warmup", "N", "untimed runs before them (default 3)"},
              {"fp16", "", "fp16 weights"},
              {"layers", "", "per-layer mean ms of the own backends (\"layers\" in JSON)"}}}),
      Bench, "",
      "Per sparsity: prunes MobileNetV2 (policy PruneForLatencyOnXNNPack by default), saves and\n"
      "reloads it as .fks, runs the scalar reference once, then times each backend on the same\n"
      "weights and input, interleaving backends run by run. own-dense runs the pruned weights\n"
      "densely (the fair baseline). XNNPACK times only xnn_invoke_runtime.\n"
      "JSON: {\"results\":[{\"backend\",\"sparsity\",\"median_ms\",\"p10_ms\",\"p90_ms\",\"model_bytes\",\n"
      "\"kernel\",\"max_rel_err\",\"runs\"}]}; max_rel_err = max|logits - ref| / max|ref| against the\n"
      "scalar kernels (logits before softmax).\n"
      "With --model mediapipe:NAME or FILE.tflite (a list runs each): the imported model on the\n"
      "reference input, own-dense and own-sparse (own-sparse picks spmm per 1x1 layer where it\n"
      "measured faster); each result also has \"model\", and \"sparsity\" is the share of zero 1x1\n"
      "weights in the file."},
     {"size", ".fks file bytes (dense/sparse x fp32/fp16) per sparsity",
      Flags({{{"sparsity", "LIST", "sparsities (default 0,0.5,0.7,0.8,0.9)"}}, kBuildFlags}), Size, "",
      "Bytes of the .fks file, measured by serialising: dense fp32, dense fp16, sparse fp32 (CSR\n"
      "1x1 layers), sparse fp16. JSON: {\"sizes\":[{\"sparsity\",\"dense_fp32\",\"dense_fp16\",\n"
      "\"sparse_fp32\",\"sparse_fp16\"}]}."},
     {"prune", "build MobileNetV2, prune it and write a .fks file",
      Flags({{{"sparsity", "S", "the share of zero weights in the pruned layers, [0, 1) (required)"},
              {"out", "FILE", "the .fks file to write (required)"}},
             kBuildFlags,
             {{"fp16", "", "store fp16 weights"}, {"dense", "", "store every layer dense (no CSR)"}}}),
      Prune, "",
      "Builds MobileNetV2 with seeded weights, prunes it by magnitude to sparsity S (one shot),\n"
      "strips the masks and writes a .fks file (CSR 1x1 layers unless --dense)."},
     {"import", "store a .tflite model as .fks (our format: the graph, CSR 1x1 weights)",
      {{"out", "FILE", "the .fks file to write (required)"},
       {"fp16", "", "store float constants as fp16 (exact for weights the .tflite holds as fp16)"},
       {"dense", "", "store every constant dense (no CSR)"}},
      Import, "FILE.tflite",
      "Imports the .tflite (or a bundled name, mediapipe:face_full_sparse) and writes .fks version 2:\n"
      "the compute graph after folding DEQUANTIZE/DENSIFY, 1x1 convolution weights stored CSR where\n"
      "that is smaller than dense, other constants dense, fp32 (or fp16 with --fp16). The file is\n"
      "loaded back before it is written. `sparse info|run|bench --model FILE.fks` take it.\n"
      "JSON: {\"out\",\"bytes\",\"tflite_bytes\",\"csr_layers\",\"fp16\"}."},
     {"info", "validate a .fks or .tflite file and summarise its layers",
      {{"layers", "", "list every stored layer"}}, Info, "model.fks",
      "Validates the file (magic, version, sizes, checksum, indices, shapes) and summarises it.\n"
      "A .tflite file is imported: operators, storage types, parameters, and per 1x1 layer its\n"
      "share of zero weights (--layers); so is a .fks v2 file (`sparse import`). A corrupt file exits 1 with a message naming what is\n"
      "wrong and where."},
     {"detect", "run a face-detection or hand-landmark model on a picture: detections in picture pixels",
      {{"model", "NAME|PATH", "mediapipe:face_full_sparse, ... or FILE.tflite (required)"},
       {"image", "FILE", "a PNG or JPEG (default: the bundled astronaut.png)"}},
      Detect, "",
      "Letterboxes the picture into the model's input as MediaPipe does, runs the model on our\n"
      "kernels and decodes: faces with MediaPipe's SSD anchors and weighted NMS; a hand as its 21\n"
      "landmarks (one entry when present). JSON: [{\"score\",\"box\":[x,y,w,h],\"keypoints\":[[x,y],...]}]\n"
      "in pixels of the picture."},
     {"dataset", "write a contact sheet of the training data and summarise it",
      {{"data", "generated|DIR|FILE.csv", "generated shapes (default), a folder DIR/<class>/*.png|jpg, or a CSV path,label[,split]"},
       {"out", "DIR", "the folder for contact_sheet.png (required)"},
       {"count", "N", "images on the sheet, a row per class (default 100)"},
       {"split", "train|val|test", "the split shown (default train)"},
       {"size", "PX", "image side (default 32; generated: 16..96)"},
       {"seed", "N", "seed of the generated images and of the split hash (default 1)"},
       {"difficulty", "D", "generated: 0..1, how strong the nuisances are (default 1)"},
       {"zoom", "K", "pixels per image pixel on the sheet (default 3)"}},
      DatasetVerb, "",
      "Opens the data set the trainer would (generated shapes: 20000 train / 2000 val / 5000 test,\n"
      "each image a function of seed, split and index; a folder or CSV: pictures decoded and\n"
      "resized to PXxPX, split 80/10/10 by a seeded hash of the path unless the CSV has a split\n"
      "column; undecodable pictures skipped with a warning) and writes DIR/contact_sheet.png.\n"
      "JSON: {\"data\",\"classes\",\"image_size\",\"sizes\":{\"train\",\"val\",\"test\"},\"class_counts\",\n"
      "\"contact_sheet\",\"shown\",\"split\"} and for pictures \"bytes_per_image\",\"skipped\",\n"
      "\"ignored_files\",\"warnings\"."},
     {"train", "train the small MobileNetV2 classifier on generated shapes or your pictures (dense)",
      Flags({{{"data", "generated|DIR|FILE.csv", "generated shapes (default), a folder DIR/<class>/*.png|jpg, or a CSV path,label[,split]"},
              {"out", "FILE", "the dense model to write, .fks (required)"},
              {"epochs", "N", "epochs (default 10)"},
              {"size", "PX", "input side (default 32)"}},
             kTrainFlags}),
      Train, "",
      "Trains the small MobileNetV2 (3x3/2 stem, inverted residual blocks, 1x1 head, global\n"
      "average pool, dense; batch norm while training) with SGD (Nesterov momentum 0.9) and a\n"
      "cosine schedule, folds batch norm into the convolutions and writes the dense model. Scores\n"
      "it on the validation and test splits with the inference kernels and times it.\n"
      "JSON: {\"results\":[{\"sparsity\":0,\"strategy\":\"dense\",\"accuracy\",\"val_accuracy\",...}],\n"
      "\"dense_accuracy\",\"images_per_s\",\"train_images\",\"data\",\"options\",\"out\"} (+\"curve\")."},
     {"prune-train", "prune a trained model: one-shot vs the 3-step strategy, accuracy, size, latency",
      Flags({{{"model", "FILE", "the dense model, .fks from sparse train (required)"},
              {"data", "generated|DIR|FILE.csv", "the data it was trained on (default generated)"},
              {"sparsity", "LIST", "target sparsities of the 1x1 convolutions (default 0.5,0.7,0.8,0.9)"},
              {"schedule", "polynomial|constant", "PolynomialDecay (default, power 3) or ConstantSparsity"},
              {"strategy", "LIST", "3step and/or one-shot (default both)"},
              {"out-dir", "DIR", "write each pruned model as DIR/<strategy>_<NN>.fks"}},
             kTrainFlags}),
      PruneTrain, "",
      "Per target sparsity: one-shot magnitude pruning of the 1x1 convolutions (no fine-tuning),\n"
      "and the seed's 3-step strategy: (1) the dense model, (2) fine-tune while the masks follow\n"
      "the schedule (TF MOT prune_low_magnitude, mask updates every --frequency steps), (3)\n"
      "fine-tune with the masks fixed; strip. Each model is scored as it ships (BN folded, masks\n"
      "baked in, our inference kernels), stored as .fks (CSR 1x1) and timed with our dense and\n"
      "sparse kernels. JSON: {\"results\":[{\"sparsity\",\"strategy\",\"accuracy\",\"top1_drop\",\n"
      "\"model_bytes\",\"median_ms_dense\",\"median_ms_sparse\",\"val_accuracy\",\"achieved_sparsity\",\n"
      "\"train_steps\"}], \"dense_accuracy\", \"images_per_s\", ...}. Accuracies are fractions (x100 =\n"
      "points)."},
     {"run", "run a .fks model once on a seeded image, or a .tflite model on a raw tensor",
      {{"kernels", "best|scalar", "the kernels to run with (default best)"},
       {"model", "NAME|PATH", "an imported model: mediapipe:face_full_sparse, ... or FILE.tflite / FILE.fks (sparse import)"},
       {"layers", "", "with --model: time per operator type (stderr)"},
       {"input-f32", "FILE", "with --model: the input tensor, raw little-endian float32, NHWC (default: the reference pattern)"},
       {"dense", "", "run sparse layers dense (default: spmm)"},
       {"seed", "N", "seed of the image (default 7)"}},
      Run, "model.fks",
      "Runs the model once on a seeded random image (sparse layers with spmm unless --dense);\n"
      "prints the top-5 classes and the time. With --model: one inference of the imported model;\n"
      "JSON {\"outputs\":[{\"name\",\"shape\",\"values\"}]} with every output value (NHWC)."}}};

}  // namespace

int SparseCommand(const std::vector<std::string>& argv) { return RunVerbTable(kSparse, argv); }

}  // namespace fk::cli
