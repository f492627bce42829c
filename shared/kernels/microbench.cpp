#include "kernels/microbench.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/build_info.h"
#include "core/clock.h"
#include "core/rng.h"

namespace fk::kernels {

double Gflops(double flops_per_call, double calls, double elapsed_ms) {
  if (elapsed_ms <= 0) return 0;
  return flops_per_call * calls / (elapsed_ms * 1e-3) / 1e9;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double MaxRelErr(const float* a, const float* b, size_t n, double floor) {
  double worst = 0, scale = floor;
  for (size_t i = 0; i < n; i++) {
    worst = std::max(worst, std::fabs(double(a[i]) - double(b[i])));
    scale = std::max(scale, std::fabs(double(b[i])));
  }
  return worst / scale;
}

nlohmann::json MicroBenchResult::ToJson() const {
  return {{"target", target},
          {"simd_isa", simd_isa},
          {"scalar_gflops", scalar_gflops},
          {"simd_gflops", simd_gflops},
          {"dot_scalar_gflops", dot_scalar_gflops},
          {"dot_simd_gflops", dot_simd_gflops},
          {"speedup", speedup},
          {"max_rel_err", max_rel_err},
          {"seconds", seconds}};
}

MicroBench::MicroBench(MicroBenchOptions opt) : opt_(opt) {
  auto variants = F32BlasVariants();
  scalar_ = variants.front();
  simd_ = variants.back();
  Rng rng(1234);
  a_.resize(opt_.dot_n);
  b_.resize(opt_.dot_n);
  for (auto& x : a_) x = rng.Uniform(-1.f, 1.f);
  for (auto& x : b_) x = rng.Uniform(-1.f, 1.f);
  ga_.resize(opt_.gemm_m * opt_.gemm_k);
  gb_.resize(opt_.gemm_k * opt_.gemm_n);
  gc_.resize(opt_.gemm_m * opt_.gemm_n);
  for (auto& x : ga_) x = rng.Uniform(-1.f, 1.f);
  for (auto& x : gb_) x = rng.Uniform(-1.f, 1.f);
  // Interleave scalar and SIMD batches so a noisy neighbour hurts both alike.
  for (int r = 0; r < opt_.repeats; r++)
    for (int k = 0; k < 2; k++)
      for (int s = 0; s < 2; s++) tasks_.push_back({k, s == 1});
  result_.target = GetBuildInfo().target;
  result_.simd_isa = simd_.isa;
}

float MicroBench::Progress() const {
  return tasks_.empty() ? 1.f : float(next_) / float(tasks_.size());
}

double MicroBench::TimeBatch(const Task& t) {
  const int slot = t.kernel * 2 + (t.simd ? 1 : 0);
  const F32BlasVariant& v = t.simd ? simd_ : scalar_;
  auto run = [&](long calls) {
    for (long c = 0; c < calls; c++) {
      if (t.kernel == 0) sink_ = sink_ + v.dot(a_.data(), b_.data(), a_.size());
      else v.gemm(opt_.gemm_m, opt_.gemm_n, opt_.gemm_k, ga_.data(), gb_.data(), gc_.data());
    }
  };
  // Chunk size: enough calls for ~1/8 of a batch, found once per slot. The
  // first calls also warm up the engine (V8 tiers wasm up from a baseline
  // compiler, so early timings are slow and must not be the only ones).
  if (calls_[slot] == 0) {
    long calls = 1;
    for (;;) {
      const double t0 = NowMs();
      run(calls);
      const double ms = NowMs() - t0;
      if (ms >= opt_.batch_ms / 8 || calls > (1L << 24)) break;
      calls *= 2;
    }
    calls_[slot] = calls;
  }
  // A batch runs whole chunks until batch_ms has passed, so coarse timers
  // (100 us in browsers without cross-origin isolation) cost < 3% accuracy.
  long total = 0;
  const double t0 = NowMs();
  double ms = 0;
  do {
    run(calls_[slot]);
    total += calls_[slot];
    ms = NowMs() - t0;
  } while (ms < opt_.batch_ms);
  const double flops = t.kernel == 0 ? 2.0 * double(opt_.dot_n)
                                     : 2.0 * double(opt_.gemm_m * opt_.gemm_n * opt_.gemm_k);
  return Gflops(flops, double(total), ms);
}

bool MicroBench::Step() {
  if (next_ == 0) started_ms_ = NowMs();
  if (next_ < tasks_.size()) {
    const Task& t = tasks_[next_++];
    samples_[t.kernel * 2 + (t.simd ? 1 : 0)].push_back(TimeBatch(t));
  }
  if (next_ < tasks_.size()) return false;

  result_.dot_scalar_gflops = Median(samples_[0]);
  result_.dot_simd_gflops = Median(samples_[1]);
  result_.scalar_gflops = Median(samples_[2]);
  result_.simd_gflops = Median(samples_[3]);
  result_.speedup = result_.scalar_gflops > 0 ? result_.simd_gflops / result_.scalar_gflops : 0;
  // Correctness of what was timed: SIMD against the scalar oracle.
  std::vector<float> ref(gc_.size()), out(gc_.size());
  scalar_.gemm(opt_.gemm_m, opt_.gemm_n, opt_.gemm_k, ga_.data(), gb_.data(), ref.data());
  simd_.gemm(opt_.gemm_m, opt_.gemm_n, opt_.gemm_k, ga_.data(), gb_.data(), out.data());
  const float ds = scalar_.dot(a_.data(), b_.data(), a_.size());
  const float dv = simd_.dot(a_.data(), b_.data(), a_.size());
  double dot_scale = 0;  // a sum with cancellation is judged against sum |a_i b_i|
  for (size_t i = 0; i < a_.size(); i++) dot_scale += std::fabs(double(a_[i]) * double(b_[i]));
  result_.max_rel_err = std::max(MaxRelErr(out.data(), ref.data(), out.size()),
                                 MaxRelErr(&dv, &ds, 1, dot_scale));
  result_.seconds = (NowMs() - started_ms_) / 1000.0;
  return true;
}

MicroBenchResult RunMicroBench(MicroBenchOptions opt) {
  MicroBench b(opt);
  while (!b.Step()) {
  }
  return b.Result();
}

}  // namespace fk::kernels
