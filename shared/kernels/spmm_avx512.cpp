// AVX-512 spmm. A row of `pixels` is ceil(pixels / 16) zmm vectors, split
// into tiles of at most NVMAX vectors, balanced (a 196-pixel row is 13 vectors
// = tiles of 7 + 6, not 8 + 4 + 1); only the row's last vector is masked. A
// tile walks every output channel (block) once, so wider tiles mean fewer
// passes over the weights and more independent FMA chains: the FMA latency
// (4 cycles, 2 FMAs a cycle on Zen 5) wants >= 8 chains, and the old fixed
// 32-pixel tiles had 2 for block 1 (and three passes over the weights for a
// 49-pixel row). Tiles with fewer than 8 chains (a 7x7 row is 4 vectors)
// split the nonzeros over two accumulator sets, summed at the store.
// Bias and clamp are fused: the accumulators start at the bias, the clamp is
// applied at the store, which also prefetches the row's lines of the next
// tile (0.28 -> 0.22 ms on the 112x112 layers, which are bound by their
// stores). Measured on MobileNetV2 (docs/BENCHMARKS.md) and not kept:
// prefetching the input rows of the next nonzeros or of the next tile (no
// gain; a prefetch per line cost up to 1.7x) and tiles narrowed so a layer's
// input slices fit L1 (1.5-1.7x slower: more passes over the weights).
#include <immintrin.h>

#include <type_traits>
#include <utility>

#include "kernels/nn_kernels.h"
#include "kernels/vec_avx512.h"

namespace fk::kernels {
namespace {

// Accumulator sets for B channels x NV vectors: a second set when a tile has
// fewer than 8 chains (more sets measured no faster: channels have few nonzeros).
constexpr size_t SetsFor(size_t b, size_t nv) { return b * nv >= 8 ? 1 : 2; }

// f(integral_constant<0>), f(integral_constant<1>), ...: a compile-time index,
// so the accumulator sets stay in registers.
template <class F, size_t... I>
inline void Unroll(F&& f, std::index_sequence<I...>) {
  (f(std::integral_constant<size_t, I>{}), ...);
}

// `count` groups of B channels over one tile of NV vectors at `out`; the last
// vector of the tile loads/stores through `last` (all ones unless it ends the row).
template <size_t B, size_t NV>
inline void Groups(size_t count, size_t pixels, const char*& in_ref, const float*& w_ref, const int32_t*& d_ref,
                   const uint32_t*& nnz_ref, float* out, __mmask16 last, __m512 vmin, __m512 vmax) {
  constexpr size_t S = SetsFor(B, NV);
  // Local copies: through the references the compiler stores them every nonzero.
  const char* in = in_ref;
  const float* w = w_ref;
  const int32_t* d = d_ref;
  const uint32_t* nnz = nnz_ref;
  for (size_t g = 0; g < count; g++) {
    __m512 acc[S][B][NV];
    for (size_t j = 0; j < B; j++) {
      const __m512 b = _mm512_set1_ps(w[j]);
      for (size_t k = 0; k < NV; k++) {
        acc[0][j][k] = b;
        for (size_t s = 1; s < S; s++) acc[s][j][k] = _mm512_setzero_ps();
      }
    }
    w += B;
    const uint32_t n = *nnz++;
    auto step = [&](__m512(&a)[B][NV]) {
      in += *d++;
      const float* x = reinterpret_cast<const float*>(in);
      __m512 xv[NV];
      for (size_t k = 0; k + 1 < NV; k++) xv[k] = _mm512_loadu_ps(x + k * 16);
      xv[NV - 1] = _mm512_maskz_loadu_ps(last, x + (NV - 1) * 16);
      for (size_t j = 0; j < B; j++) {
        const __m512 wj = _mm512_set1_ps(w[j]);
        for (size_t k = 0; k < NV; k++) a[j][k] = _mm512_fmadd_ps(xv[k], wj, a[j][k]);
      }
      w += B;
    };
    uint32_t i = 0;
    if constexpr (S > 1)
      for (; i + S <= n; i += S) Unroll([&](auto s) { step(acc[decltype(s)::value]); }, std::make_index_sequence<S>{});
    for (; i < n; i++) step(acc[0]);
    for (size_t j = 0; j < B; j++) {
      float* y = out + j * pixels;
      // The next tile's lines of this output row: rows are far apart (one per
      // channel), so no hardware prefetcher fetches them before the stores.
      for (size_t k = 0; k < NV; k++) _mm_prefetch(reinterpret_cast<const char*>(y + (NV + k) * 16), _MM_HINT_T0);
      for (size_t k = 0; k < NV; k++) {
        __m512 r = acc[0][j][k];
        for (size_t s = 1; s < S; s++) r = _mm512_add_ps(r, acc[s][j][k]);
        r = _mm512_min_ps(_mm512_max_ps(r, vmin), vmax);
        if (k + 1 < NV)
          _mm512_storeu_ps(y + k * 16, r);
        else
          _mm512_mask_storeu_ps(y + k * 16, last, r);
      }
    }
    out += B * pixels;
  }
  in_ref = in, w_ref = w, d_ref = d, nnz_ref = nnz;
}

// One tile (NV vectors from pixel p0) through every output channel: the
// blocks, then the out_c % B tail channels (block-1 packed after the blocks).
template <size_t B, size_t NV>
void Tile(size_t pixels, size_t p0, size_t out_c, const float* input, const float* w, const int32_t* d,
          const uint32_t* nnz, float* out, __mmask16 last, MinMax c) {
  const __m512 vmin = _mm512_set1_ps(c.min), vmax = _mm512_set1_ps(c.max);
  const char* in = reinterpret_cast<const char*>(input + p0);
  Groups<B, NV>(out_c / B, pixels, in, w, d, nnz, out + p0, last, vmin, vmax);
  Groups<1, NV>(out_c % B, pixels, in, w, d, nnz, out + p0 + (out_c / B) * B * pixels, last, vmin, vmax);
}

using TileFn = void (*)(size_t, size_t, size_t, const float*, const float*, const int32_t*, const uint32_t*, float*,
                        __mmask16, MinMax);

// The tile plan described at the top. NVMAX bounds the registers:
// S * B * NVMAX accumulators + NVMAX inputs + a broadcast <= 32 zmm.
template <size_t B, size_t NVMAX, size_t... NV>
void Spmm(size_t pixels, size_t out_c, const float* input, const float* w, const int32_t* d, const uint32_t* nnz,
          float* out, MinMax c, std::index_sequence<NV...>) {
  if (pixels == 0 || out_c == 0) return;
  static constexpr TileFn tiles[] = {Tile<B, NV + 1>...};
  const size_t nvmax = NVMAX;
  const size_t vecs = (pixels + 15) / 16;
  const size_t ntiles = (vecs + nvmax - 1) / nvmax;
  const size_t base = vecs / ntiles, extra = vecs % ntiles;
  const __mmask16 full = 0xFFFF;
  const __mmask16 tail = pixels % 16 ? __mmask16((1u << (pixels % 16)) - 1u) : full;
  size_t v0 = 0;
  for (size_t t = 0; t < ntiles; t++) {
    const size_t nv = base + (t < extra ? 1 : 0);
    tiles[nv - 1](pixels, v0 * 16, out_c, input, w, d, nnz, out, t + 1 == ntiles ? tail : full, c);
    v0 += nv;
  }
}

}  // namespace

void f32_spmm_minmax_ukernel_128x1__avx512(size_t pixels, size_t out_c, const float* input, const float* w,
                                           const int32_t* d, const uint32_t* nnz, float* out, MinMax c) {
  Spmm<1, 8>(pixels, out_c, input, w, d, nnz, out, c, std::make_index_sequence<8>{});
}
void f32_spmm_minmax_ukernel_128x2__avx512(size_t pixels, size_t out_c, const float* input, const float* w,
                                           const int32_t* d, const uint32_t* nnz, float* out, MinMax c) {
  Spmm<2, 8>(pixels, out_c, input, w, d, nnz, out, c, std::make_index_sequence<8>{});
}
void f32_spmm_minmax_ukernel_64x4__avx512(size_t pixels, size_t out_c, const float* input, const float* w,
                                          const int32_t* d, const uint32_t* nnz, float* out, MinMax c) {
  Spmm<4, 4>(pixels, out_c, input, w, d, nnz, out, c, std::make_index_sequence<4>{});
}

}  // namespace fk::kernels
