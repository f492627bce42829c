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
  // n <= 4 lanes through a stack temp (no masked memory ops in this ISA).
  void store_partial(float* p, T v, size_t n) const {
    alignas(16) float tmp[4];
    wasm_v128_store(tmp, v);
    for (size_t i = 0; i < n; i++) p[i] = tmp[i];
  }
  T load_partial(const float* p, size_t n) const {
    alignas(16) float tmp[4] = {0.f, 0.f, 0.f, 0.f};
    for (size_t i = 0; i < n; i++) tmp[i] = p[i];
    return wasm_v128_load(tmp);
  }
  void deinterleave(T a, T b, T& even, T& odd) const {
    even = wasm_i32x4_shuffle(a, b, 0, 2, 4, 6);
    odd = wasm_i32x4_shuffle(a, b, 1, 3, 5, 7);
  }
};

}  // namespace
}  // namespace fk::kernels
