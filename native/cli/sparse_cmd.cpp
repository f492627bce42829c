// fieldkit-cli sparse bench|size|prune|info|run: the sparse-inference workflow
// headless. The bench and size verbs use the same fk::nn::SparseBench /
// ComputeSizeTable the Sparse Inference panel uses, so both print one JSON.
#include <algorithm>
#include <cstdio>
#include <numeric>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "core/clock.h"
#include "core/json_write.h"
#include "core/rng.h"
#include "nn/executor.h"
#include "nn/export.h"
#include "nn/model_file.h"
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

// [SECTION] bench

int Bench(const Args& a) {
  NoOperands(a);
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
                          {"mean_ms", JsonNumberAs(p.mean_ms, "%.4f")}});
      j["layers"] = layers;
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
    std::printf("\nper-layer mean ms (own backends)\n");
    for (auto& p : bench.LayerProfile())
      std::printf("%-11s %5.2f %-28s %-16s %8.4f\n", p.backend.c_str(), p.sparsity, p.layer.c_str(), p.op.c_str(),
                  p.mean_ms);
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

// [SECTION] info

int Info(const Args& a) {
  const std::string path = Positional1(a, "info");
  auto bytes = nn::ReadFileBytes(path);
  if (!bytes) throw InputError{bytes.status().message()};
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

int Run(const Args& a) {
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

// [SECTION] the verb table

const std::vector<Flag> kBuildFlags = {
    {"width", "W", "width multiplier, 0.35..1.4 (default 1.0)"},
    {"size", "PX", "input size, 96..224 (default 224)"},
    {"policy", "xnnpack|all", "layers to prune: PruneForLatencyOnXNNPack (default) or all"},
    {"block", "1|2|4", "prune blocks of this many output channels (default 1)"},
    {"seed", "N", "seed of the weights (default 1)"},
};

const VerbTable kSparse = {
    "sparse",
    {{"bench", "time own-dense/own-sparse/xnnpack-dense/xnnpack-sparse on a pruned MobileNetV2",
      Flags({{{"model", "NAME", "mobilenet_v2 (the one model)"}},
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
      "scalar kernels (logits before softmax)."},
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
     {"info", "validate a .fks file and summarise its layers",
      {{"layers", "", "list every stored layer"}}, Info, "model.fks",
      "Validates the file (magic, version, sizes, checksum, indices, shapes) and summarises it.\n"
      "A corrupt file exits 1 with a message naming what is wrong and where."},
     {"run", "run a .fks model once on a seeded image: top-5 and time",
      {{"kernels", "best|scalar", "the kernels to run with (default best)"},
       {"dense", "", "run sparse layers dense (default: spmm)"},
       {"seed", "N", "seed of the image (default 7)"}},
      Run, "model.fks",
      "Runs the model once on a seeded random image (sparse layers with spmm unless --dense);\n"
      "prints the top-5 classes and the time."}}};

}  // namespace

int SparseCommand(const std::vector<std::string>& argv) { return RunVerbTable(kSparse, argv); }

}  // namespace fk::cli
