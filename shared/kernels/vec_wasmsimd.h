// WebAssembly SIMD128 vector traits (4 lanes; no relaxed-SIMD FMA in
// Emscripten 3.1.6, so mul + add) for the templated kernels in *_impl.h.
// Include only from *_wasmsimd.cpp (compiled with -msimd128).
#pragma once
#include <wasm_simd128.h>

#include <cstddef>

namespace fk::kernels {
namespace {

struct WasmSimd {
  using T = v128_t;
  static constexpr size_t N = 4;
  T load(const float* p) const { return wasm_v128_load(p); }
  void store(float* p, T v) const { wasm_v128_store(p, v); }
  T set1(float x) const { return wasm_f32x4_splat(x); }
  T fma(T a, T b, T c) const { return wasm_f32x4_add(wasm_f32x4_mul(a, b), c); }
  T mul(T a, T b) const { return wasm_f32x4_mul(a, b); }
  T add(T a, T b) const { return wasm_f32x4_add(a, b); }
  // pmax/pmin are single x86 instructions (maxps/minps); f32x4.max/min carry
  // NaN/-0 semantics that need a multi-instruction sequence in V8.
  T max(T a, T b) const { return wasm_f32x4_pmax(a, b); }
  T min(T a, T b) const { return wasm_f32x4_pmin(a, b); }
  // n <= 4 lanes with lane loads/stores: a stack temp costs a shadow-stack
  // frame in wasm, which dominated 7x7/14x14 depthwise rows.
  void store_partial(float* p, T v, size_t n) const {
    if (n >= 4) { wasm_v128_store(p, v); return; }
    if (n & 2) {
      wasm_v128_store64_lane(p, v, 0);
      v = wasm_i64x2_shuffle(v, v, 1, 1);
      p += 2;
    }
    if (n & 1) wasm_v128_store32_lane(p, v, 0);
  }
  T load_partial(const float* p, size_t n) const {
    switch (n) {
      case 0: return wasm_f32x4_splat(0.f);
      case 1: return wasm_v128_load32_zero(p);
      case 2: return wasm_v128_load64_zero(p);
      case 3: return wasm_v128_load32_lane(p + 2, wasm_v128_load64_zero(p), 2);
      default: return wasm_v128_load(p);
    }
  }
  void deinterleave(T a, T b, T& even, T& odd) const {
    even = wasm_i32x4_shuffle(a, b, 0, 2, 4, 6);
    odd = wasm_i32x4_shuffle(a, b, 1, 3, 5, 7);
  }
};

}  // namespace
}  // namespace fk::kernels
