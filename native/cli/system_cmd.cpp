// fieldkit-cli system [info|bench] [--json]
#include <cstdio>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "core/build_info.h"
#include "core/json_write.h"
#include "kernels/cpu.h"
#include "kernels/microbench.h"

namespace fk::cli {

namespace {

int Info(const Args& args) {
  const BuildInfo& b = GetBuildInfo();
  nlohmann::json j = {{"target", b.target},         {"version", b.version},
                      {"git_hash", b.git_hash},     {"compiler", b.compiler},
                      {"cpu_features", kernels::CpuFeaturesString()},
                      {"hardware_threads", std::thread::hardware_concurrency()},
                      {"simd_isa", kernels::BestF32Blas().isa}};
  if (args.Has("json")) EmitJson(j);
  else
    for (auto& [k, v] : j.items()) std::printf("%-16s %s\n", k.c_str(), DumpJson(v).c_str());
  return 0;
}

int Bench(const Args& args) {
  kernels::MicroBenchOptions opt;
  opt.repeats = int(args.GetInt("repeats", opt.repeats));
  if (opt.repeats < 1 || opt.repeats > 1000) throw UsageError{"--repeats must be in 1..1000"};
  kernels::MicroBench bench(opt);
  ProgressBar bar("system bench", ProgressWanted(args));
  while (!bench.Step()) bar.Update(bench.Progress());
  bar.Done();
  const auto& r = bench.Result();
  if (args.Has("json")) {
    EmitJson(r.ToJson());
  } else {
    std::printf("target %s, SIMD kernel %s\n", r.target.c_str(), r.simd_isa.c_str());
    std::printf("GEMM 64x64x64  scalar %7.2f GFLOP/s  SIMD %7.2f GFLOP/s  (%.1fx)\n", r.scalar_gflops,
                r.simd_gflops, r.speedup);
    std::printf("dot 4096       scalar %7.2f GFLOP/s  SIMD %7.2f GFLOP/s\n", r.dot_scalar_gflops, r.dot_simd_gflops);
    std::printf("max rel err %.2e, %.2f s\n", r.max_rel_err, r.seconds);
  }
  return 0;
}

const VerbTable kSystem = {
    "system",
    {{"info", "target, version, compiler, CPU features and the SIMD kernel in use", {}, Info},
     {"bench", "the SIMD-vs-scalar micro-benchmark",
      {{"repeats", "N", "timed batches per kernel, 1..1000 (default 7; the median is reported)"}}, Bench, "",
      "Times an f32 dot product (4096) and a 64x64x64 GEMM with the scalar\n"
      "kernel and the widest SIMD kernel this CPU runs; reports median GFLOP/s.\n"
      "JSON keys: target, simd_isa, scalar_gflops, simd_gflops (GEMM), dot_scalar_gflops,\n"
      "dot_simd_gflops, speedup, max_rel_err, seconds."}}};

}  // namespace

int SystemCommand(const std::vector<std::string>& argv) { return RunVerbTable(kSystem, argv); }

}  // namespace fk::cli
