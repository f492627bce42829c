// The System micro-benchmark: a real SIMD-vs-scalar comparison of an f32 dot
// product and a small GEMM, identical natively and in the browser.
//
//   fk::kernels::MicroBench bench;            // default sizes
//   while (!bench.Step()) {}                  // or one Step() per slice in a Job
//   const MicroBenchResult& r = bench.Result();   // r.scalar_gflops, r.simd_gflops
//
// Each Step() times one batch (~a few ms), so the UI can run it in slices.
// The headline numbers (scalar_gflops, simd_gflops) are the GEMM's; a GEMM
// reuses data from L1 and shows what the SIMD units can do.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kernels/f32_blas.h"

namespace fk::kernels {

struct MicroBenchOptions {
  size_t dot_n = 4096;     // elements (16 KiB per vector: fits L1)
  size_t gemm_m = 64, gemm_n = 64, gemm_k = 64;
  int repeats = 7;         // timed batches per kernel; the median is reported
  double batch_ms = 4.0;   // target duration of one timed batch
};

struct MicroBenchResult {
  std::string target;           // "native" | "wasm"
  std::string simd_isa;         // ISA of the SIMD variant ("avx2", "wasmsimd", ...)
  double scalar_gflops = 0;     // GEMM, scalar kernel
  double simd_gflops = 0;       // GEMM, SIMD kernel
  double dot_scalar_gflops = 0;
  double dot_simd_gflops = 0;
  double speedup = 0;           // simd_gflops / scalar_gflops
  double max_rel_err = 0;       // SIMD vs scalar outputs (GEMM and dot)
  double seconds = 0;           // wall time of the whole benchmark
  nlohmann::json ToJson() const;
};

// GFLOP/s from a flop count per call, number of calls and elapsed ms.
double Gflops(double flops_per_call, double calls, double elapsed_ms);
// Median of a small sample (copies; the input order is kept).
double Median(std::vector<double> v);
// Norm-wise relative error: max_i |a_i-b_i| / max(max_i |b_i|, floor). Element-wise
// ratios blow up on outputs near zero after cancellation, so we scale by the
// largest reference magnitude (the usual choice for GEMM/conv outputs).
double MaxRelErr(const float* a, const float* b, size_t n, double floor = 1e-3);

class MicroBench {
 public:
  explicit MicroBench(MicroBenchOptions opt = {});
  bool Step();                 // one timed batch; true when all done
  float Progress() const;      // 0..1
  const MicroBenchResult& Result() const { return result_; }

 private:
  struct Task { int kernel; bool simd; };  // kernel 0 = dot, 1 = gemm
  double TimeBatch(const Task& t);
  MicroBenchOptions opt_;
  F32BlasVariant scalar_, simd_;
  std::vector<float> a_, b_, ga_, gb_, gc_;
  std::vector<Task> tasks_;
  size_t next_ = 0;
  std::vector<double> samples_[4];  // dot scalar, dot simd, gemm scalar, gemm simd
  long calls_[4] = {0, 0, 0, 0};
  double started_ms_ = 0;
  volatile float sink_ = 0;
  MicroBenchResult result_;
};

MicroBenchResult RunMicroBench(MicroBenchOptions opt = {});

}  // namespace fk::kernels
