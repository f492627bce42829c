#include "nn/train_ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace fk::nn::train_ops {

TrainKernels TrainKernels::Best() {
  const kernels::NnKernels& nn = kernels::BestNnKernels();
  const kernels::F32BlasVariant blas = kernels::BestF32Blas();
  return {blas.gemm, blas.dot, nn.dwconv_3x3s1, nn.dwconv_3x3s2};
}

TrainKernels TrainKernels::Scalar() {
  const kernels::NnKernels& nn = kernels::ScalarNnKernels();
  return {kernels::f32_gemm__scalar, kernels::f32_dot__scalar, nn.dwconv_3x3s1, nn.dwconv_3x3s2};
}

namespace {

float* Grow(std::vector<float>& v, size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

size_t RoundUp16(size_t n) { return (n + 15) / 16 * 16; }

// Output indices o in [lo, hi) whose input index o * stride + off lies in [0, in).
void ValidRange(int in, int out, int stride, int off, int& lo, int& hi) {
  lo = 0;
  while (lo < out && lo * stride + off < 0) lo++;
  hi = out;
  while (hi > lo && (hi - 1) * stride + off >= in) hi--;
}

// dst[c][r] = src[r][c] for a rows x cols matrix; dst rows are ld_dst long and
// the columns past `rows` are zeroed (padding so the GEMM's N is a multiple
// of its register tile: its column tail is scalar and strided).
void TransposePadded(size_t rows, size_t cols, const float* src, float* dst, size_t ld_dst) {
  for (size_t c = 0; c < cols; c++) {
    float* d = dst + c * ld_dst;
    for (size_t r = rows; r < ld_dst; r++) d[r] = 0.f;
  }
  // Blocked so both sides stay in cache.
  constexpr size_t B = 32;
  for (size_t r0 = 0; r0 < rows; r0 += B)
    for (size_t c0 = 0; c0 < cols; c0 += B) {
      const size_t r1 = std::min(rows, r0 + B), c1 = std::min(cols, c0 + B);
      for (size_t r = r0; r < r1; r++)
        for (size_t c = c0; c < c1; c++) dst[c * ld_dst + r] = src[r * cols + c];
    }
}

// cols[(ci*k + ky)*k + kx][n*Po + oy*Wo + ox] = x[ci][n][oy*s + ky - p][ox*s + kx - p] (0 outside).
void Im2Col(const ConvGeom& g, const float* x, float* cols) {
  const int k = g.kernel, s = g.stride, p = k / 2;
  const size_t in_plane = size_t(g.in_h) * size_t(g.in_w), out_plane = size_t(g.out_h) * size_t(g.out_w);
  const size_t row_len = size_t(g.batch) * out_plane;
  for (int ci = 0; ci < g.in_c; ci++)
    for (int ky = 0; ky < k; ky++)
      for (int kx = 0; kx < k; kx++) {
        float* row = cols + (size_t(ci * k + ky) * size_t(k) + size_t(kx)) * row_len;
        int ylo, yhi, xlo, xhi;
        ValidRange(g.in_h, g.out_h, s, ky - p, ylo, yhi);
        ValidRange(g.in_w, g.out_w, s, kx - p, xlo, xhi);
        for (int n = 0; n < g.batch; n++) {
          const float* xp = x + (size_t(ci) * size_t(g.batch) + size_t(n)) * in_plane;
          float* rp = row + size_t(n) * out_plane;
          for (int oy = 0; oy < g.out_h; oy++) {
            float* r = rp + size_t(oy) * size_t(g.out_w);
            if (oy < ylo || oy >= yhi) {
              std::memset(r, 0, sizeof(float) * size_t(g.out_w));
              continue;
            }
            const float* xr = xp + size_t(oy * s + ky - p) * size_t(g.in_w) + (kx - p);
            for (int ox = 0; ox < xlo; ox++) r[ox] = 0.f;
            for (int ox = xlo; ox < xhi; ox++) r[ox] = xr[ox * s];
            for (int ox = xhi; ox < g.out_w; ox++) r[ox] = 0.f;
          }
        }
      }
}

// The adjoint of Im2Col: dx += scatter(dcols).
void Col2ImAdd(const ConvGeom& g, const float* dcols, float* dx) {
  const int k = g.kernel, s = g.stride, p = k / 2;
  const size_t in_plane = size_t(g.in_h) * size_t(g.in_w), out_plane = size_t(g.out_h) * size_t(g.out_w);
  const size_t row_len = size_t(g.batch) * out_plane;
  for (int ci = 0; ci < g.in_c; ci++)
    for (int ky = 0; ky < k; ky++)
      for (int kx = 0; kx < k; kx++) {
        const float* row = dcols + (size_t(ci * k + ky) * size_t(k) + size_t(kx)) * row_len;
        int ylo, yhi, xlo, xhi;
        ValidRange(g.in_h, g.out_h, s, ky - p, ylo, yhi);
        ValidRange(g.in_w, g.out_w, s, kx - p, xlo, xhi);
        for (int n = 0; n < g.batch; n++) {
          float* xp = dx + (size_t(ci) * size_t(g.batch) + size_t(n)) * in_plane;
          const float* rp = row + size_t(n) * out_plane;
          for (int oy = ylo; oy < yhi; oy++) {
            const float* r = rp + size_t(oy) * size_t(g.out_w);
            float* xr = xp + size_t(oy * s + ky - p) * size_t(g.in_w) + (kx - p);
            for (int ox = xlo; ox < xhi; ox++) xr[ox * s] += r[ox];
          }
        }
      }
}

void DepthwiseForwardGeneric(const ConvGeom& g, const float* x, const float* w, const float* bias, float* y) {
  const int k = g.kernel, s = g.stride, p = k / 2;
  const size_t in_plane = size_t(g.in_h) * size_t(g.in_w), out_plane = size_t(g.out_h) * size_t(g.out_w);
  for (int c = 0; c < g.out_c; c++)
    for (int n = 0; n < g.batch; n++) {
      const size_t plane = size_t(c) * size_t(g.batch) + size_t(n);
      const float* xp = x + plane * in_plane;
      float* yp = y + plane * out_plane;
      const float b0 = bias ? bias[c] : 0.f;
      for (size_t i = 0; i < out_plane; i++) yp[i] = b0;
      for (int ky = 0; ky < k; ky++)
        for (int kx = 0; kx < k; kx++) {
          const float wt = w[(size_t(c) * size_t(k) + size_t(ky)) * size_t(k) + size_t(kx)];
          int ylo, yhi, xlo, xhi;
          ValidRange(g.in_h, g.out_h, s, ky - p, ylo, yhi);
          ValidRange(g.in_w, g.out_w, s, kx - p, xlo, xhi);
          for (int oy = ylo; oy < yhi; oy++) {
            float* yr = yp + size_t(oy) * size_t(g.out_w);
            const float* xr = xp + size_t(oy * s + ky - p) * size_t(g.in_w) + (kx - p);
            if (s == 1)
              for (int ox = xlo; ox < xhi; ox++) yr[ox] += wt * xr[ox];
            else
              for (int ox = xlo; ox < xhi; ox++) yr[ox] += wt * xr[ox * s];
          }
        }
    }
}

void DepthwiseBackwardGeneric(const ConvGeom& g, const float* x, const float* w, const float* dy, float* dw,
                              float* db, float* dx, bool accumulate) {
  const int k = g.kernel, s = g.stride, p = k / 2;
  const size_t in_plane = size_t(g.in_h) * size_t(g.in_w), out_plane = size_t(g.out_h) * size_t(g.out_w);
  if (dx && !accumulate) std::memset(dx, 0, sizeof(float) * g.InSize());
  for (int c = 0; c < g.out_c; c++) {
    float* dwc = dw + size_t(c) * size_t(k) * size_t(k);
    for (int t = 0; t < k * k; t++) dwc[t] = 0.f;
    float bsum = 0.f;
    for (int n = 0; n < g.batch; n++) {
      const size_t plane = size_t(c) * size_t(g.batch) + size_t(n);
      const float* xp = x + plane * in_plane;
      const float* dyp = dy + plane * out_plane;
      float* dxp = dx ? dx + plane * in_plane : nullptr;
      for (size_t i = 0; i < out_plane; i++) bsum += dyp[i];
      for (int ky = 0; ky < k; ky++)
        for (int kx = 0; kx < k; kx++) {
          const size_t t = size_t(ky) * size_t(k) + size_t(kx);
          const float wt = w[size_t(c) * size_t(k) * size_t(k) + t];
          int ylo, yhi, xlo, xhi;
          ValidRange(g.in_h, g.out_h, s, ky - p, ylo, yhi);
          ValidRange(g.in_w, g.out_w, s, kx - p, xlo, xhi);
          float acc = 0.f;
          for (int oy = ylo; oy < yhi; oy++) {
            const float* dr = dyp + size_t(oy) * size_t(g.out_w);
            const size_t in_off = size_t(oy * s + ky - p) * size_t(g.in_w);
            const float* xr = xp + in_off + (kx - p);
            for (int ox = xlo; ox < xhi; ox++) acc += dr[ox] * xr[ox * s];
            if (dxp) {
              float* dxr = dxp + in_off + (kx - p);
              for (int ox = xlo; ox < xhi; ox++) dxr[ox * s] += wt * dr[ox];
            }
          }
          dwc[t] += acc;
        }
    }
    if (db) db[c] = bsum;
  }
}


// Depthwise 3x3 (the only kernel MobileNets use):
//   forward  the inference dwconv kernel (SIMD per ISA), a channel per call
//   backward dw[t] += sum dy[oy][ox] * P[oy*s + ky][ox*s + kx] over zero-padded
//            planes P (every tap in range): stride 1 one dot product per tap
//            (dy re-laid with P's row stride), stride 2 per-column partials
//            stride 1: dx = the forward kernel on dy with the flipped taps
//            stride 2: dP[oy*2 + ky][ox*2 + kx] += w[t] * dy[oy][ox], cropped to dx
struct Padded {
  int ph = 0, pw = 0;
  float* p = nullptr;  // ph x pw, border 1
};

Padded PadPlane(std::vector<float>& buf, int h, int w, const float* src, bool zero_border) {
  Padded pd{h + 2, w + 2, nullptr};
  const size_t n = size_t(pd.ph) * size_t(pd.pw);
  if (buf.size() < n) {
    buf.assign(n, 0.f);
    zero_border = false;  // freshly zeroed
  }
  pd.p = buf.data();
  if (zero_border) {
    std::memset(pd.p, 0, sizeof(float) * size_t(pd.pw));
    std::memset(pd.p + size_t(pd.ph - 1) * size_t(pd.pw), 0, sizeof(float) * size_t(pd.pw));
    for (int r = 1; r < pd.ph - 1; r++) pd.p[size_t(r) * size_t(pd.pw)] = pd.p[size_t(r) * size_t(pd.pw) + size_t(pd.pw - 1)] = 0.f;
  }
  for (int r = 0; r < h; r++) std::memcpy(pd.p + size_t(r + 1) * size_t(pd.pw) + 1, src + size_t(r) * size_t(w), sizeof(float) * size_t(w));
  return pd;
}

// Per channel, the N planes of CNHW are contiguous, so one call of the
// inference kernel (nn_kernels.h: CHW, bias + 9 taps per channel) runs a
// whole channel with its weights repeated N times.
float* RepeatWeights(std::vector<float>& buf, int batch, const float* taps9, float bias) {
  float* rep = Grow(buf, size_t(batch) * 10);
  for (int n = 0; n < batch; n++) {
    rep[size_t(n) * 10] = bias;
    for (int t = 0; t < 9; t++) rep[size_t(n) * 10 + 1 + size_t(t)] = taps9[t];
  }
  return rep;
}

void Dw3x3Forward(const ConvGeom& g, const TrainKernels& k, const float* x, const float* w, const float* bias,
                  float* y, Scratch& s) {
  const size_t in_ch = size_t(g.batch) * size_t(g.in_h) * size_t(g.in_w);
  const size_t out_ch = size_t(g.batch) * size_t(g.out_h) * size_t(g.out_w);
  const kernels::F32DwConvFn fn = g.stride == 1 ? k.dw3x3s1 : k.dw3x3s2;
  for (int c = 0; c < g.out_c; c++) {
    const float* rep = RepeatWeights(s.c2, g.batch, w + size_t(c) * 9, bias ? bias[c] : 0.f);
    fn(size_t(g.in_h), size_t(g.in_w), size_t(g.batch), x + size_t(c) * in_ch, rep, y + size_t(c) * out_ch,
       kernels::MinMax{});
  }
}

void Dw3x3Backward(const ConvGeom& g, const TrainKernels& k, const float* x, const float* w, const float* dy,
                   float* dw, float* db, float* dx, bool accumulate, Scratch& s) {
  const int st = g.stride, oh = g.out_h, ow = g.out_w, ih = g.in_h, iw = g.in_w;
  const size_t in_plane = size_t(ih) * size_t(iw), out_plane = size_t(oh) * size_t(ow);
  const size_t in_ch = size_t(g.batch) * in_plane;
  // Per-tap, per-column partial sums for dw (vectorisable; summed per channel).
  float* part = Grow(s.b, 9 * size_t(ow));
  bool border_x = true;
  for (int c = 0; c < g.out_c; c++) {
    const float* wc = w + size_t(c) * 9;
    std::fill(part, part + 9 * size_t(ow), 0.f);
    float bsum = 0.f;
    for (int n = 0; n < g.batch; n++) {
      const size_t plane = size_t(c) * size_t(g.batch) + size_t(n);
      const float* dyp = dy + plane * out_plane;
      if (db)
        for (size_t i = 0; i < out_plane; i++) bsum += dyp[i];
      const Padded pd = PadPlane(s.a, ih, iw, x + plane * in_plane, border_x);
      border_x = false;
      if (st == 1) {
        // dy laid out with the padded row stride (2 zero columns per row):
        // each tap's sum over the plane is then ONE contiguous dot product.
        const size_t pw = size_t(pd.pw), len = size_t(oh) * pw - 2;
        float* dyw = Grow(s.d, size_t(oh) * pw);
        for (int oy = 0; oy < oh; oy++) {
          std::memcpy(dyw + size_t(oy) * pw, dyp + size_t(oy) * size_t(ow), sizeof(float) * size_t(ow));
          dyw[size_t(oy) * pw + size_t(ow)] = dyw[size_t(oy) * pw + size_t(ow) + 1] = 0.f;
        }
        for (int t = 0; t < 9; t++) part[size_t(t) * size_t(ow)] += k.dot(dyw, pd.p + size_t(t / 3) * pw + size_t(t % 3), len);
        continue;
      }
      for (int oy = 0; oy < oh; oy++) {
        const float* d = dyp + size_t(oy) * size_t(ow);
        for (int ky = 0; ky < 3; ky++) {
          const float* r = pd.p + size_t(oy * 2 + ky) * size_t(pd.pw);
          float* p0 = part + size_t(ky * 3) * size_t(ow);
          float* p1 = p0 + ow;
          float* p2 = p1 + ow;
          for (int ox = 0; ox < ow; ox++) {
            p0[ox] += d[ox] * r[2 * ox];
            p1[ox] += d[ox] * r[2 * ox + 1];
            p2[ox] += d[ox] * r[2 * ox + 2];
          }
        }
      }
    }
    for (int t = 0; t < 9; t++) {
      const float* p = part + size_t(t) * size_t(ow);
      float acc = 0.f;
      for (int ox = 0; ox < ow; ox++) acc += p[ox];
      dw[size_t(c) * 9 + size_t(t)] = acc;
    }
    if (db) db[c] = bsum;
    if (!dx) continue;
    float* dxc = dx + size_t(c) * in_ch;
    const float* dyc = dy + size_t(c) * size_t(g.batch) * out_plane;
    if (st == 1) {
      // dx = the same-size conv of dy with the flipped kernel: the forward kernel again.
      const float flipped[9] = {wc[8], wc[7], wc[6], wc[5], wc[4], wc[3], wc[2], wc[1], wc[0]};
      const float* rep = RepeatWeights(s.c2, g.batch, flipped, 0.f);
      float* out = accumulate ? Grow(s.c, in_ch) : dxc;
      k.dw3x3s1(size_t(ih), size_t(iw), size_t(g.batch), dyc, rep, out, kernels::MinMax{});
      if (accumulate)
        for (size_t i = 0; i < in_ch; i++) dxc[i] += out[i];
      continue;
    }
    // Stride 2: scatter into a zeroed padded plane, then crop.
    const size_t pw = size_t(iw + 2);
    float* dp = Grow(s.c, size_t(ih + 2) * pw);
    for (int n = 0; n < g.batch; n++) {
      const float* dyp = dyc + size_t(n) * out_plane;
      std::fill(dp, dp + size_t(ih + 2) * pw, 0.f);
      for (int oy = 0; oy < oh; oy++) {
        const float* d = dyp + size_t(oy) * size_t(ow);
        for (int ky = 0; ky < 3; ky++) {
          float* r = dp + size_t(oy * 2 + ky) * pw;
          const float a = wc[ky * 3], b = wc[ky * 3 + 1], e = wc[ky * 3 + 2];
          for (int ox = 0; ox < ow; ox++) {
            r[2 * ox] += a * d[ox];
            r[2 * ox + 1] += b * d[ox];
            r[2 * ox + 2] += e * d[ox];
          }
        }
      }
      float* dxp = dxc + size_t(n) * in_plane;
      for (int r = 0; r < ih; r++) {
        const float* src = dp + size_t(r + 1) * pw + 1;
        float* dst = dxp + size_t(r) * size_t(iw);
        if (accumulate)
          for (int i = 0; i < iw; i++) dst[i] += src[i];
        else
          std::memcpy(dst, src, sizeof(float) * size_t(iw));
      }
    }
  }
}

void DepthwiseForward(const ConvGeom& g, const TrainKernels& k, const float* x, const float* w, const float* bias,
                      float* y, Scratch& s) {
  // Stride 2 pads to an even size too, so that 2*ox + 2 stays inside the padded plane.
  if (g.kernel == 3 && (g.stride == 1 || (g.stride == 2 && g.out_h * 2 <= g.in_h + 1 && g.out_w * 2 <= g.in_w + 1)))
    return Dw3x3Forward(g, k, x, w, bias, y, s);
  DepthwiseForwardGeneric(g, x, w, bias, y);
}

void DepthwiseBackward(const ConvGeom& g, const TrainKernels& k, const float* x, const float* w, const float* dy,
                       float* dw, float* db, float* dx, bool accumulate, Scratch& s) {
  if (g.kernel == 3 && (g.stride == 1 || (g.stride == 2 && g.out_h * 2 <= g.in_h + 1 && g.out_w * 2 <= g.in_w + 1)))
    return Dw3x3Backward(g, k, x, w, dy, dw, db, dx, accumulate, s);
  DepthwiseBackwardGeneric(g, x, w, dy, dw, db, dx, accumulate);
}

}  // namespace

void ConvForward(const ConvGeom& g, const TrainKernels& k, const float* x, const float* w, const float* bias,
                 float* y, Scratch& s) {
  if (g.depthwise) return DepthwiseForward(g, k, x, w, bias, y, s);
  const kernels::F32GemmFn gemm = k.gemm;
  const size_t kc = size_t(g.in_c) * size_t(g.kernel) * size_t(g.kernel);
  const size_t np = size_t(g.batch) * size_t(g.out_h) * size_t(g.out_w);
  const float* cols = x;
  if (!(g.kernel == 1 && g.stride == 1)) {
    float* c = Grow(s.a, kc * np);
    Im2Col(g, x, c);
    cols = c;
  }
  gemm(size_t(g.out_c), np, kc, w, cols, y);
  if (bias)
    for (int o = 0; o < g.out_c; o++) {
      float* r = y + size_t(o) * np;
      for (size_t i = 0; i < np; i++) r[i] += bias[o];
    }
}

void ConvBackward(const ConvGeom& g, const TrainKernels& k, const float* x, const float* w, const float* dy,
                  float* dw, float* db, float* dx, bool accumulate, Scratch& s) {
  if (g.depthwise) return DepthwiseBackward(g, k, x, w, dy, dw, db, dx, accumulate, s);
  const kernels::F32GemmFn gemm = k.gemm;
  const size_t kc = size_t(g.in_c) * size_t(g.kernel) * size_t(g.kernel);
  const size_t co = size_t(g.out_c);
  const size_t np = size_t(g.batch) * size_t(g.out_h) * size_t(g.out_w);
  const bool pointwise = g.kernel == 1 && g.stride == 1;
  const float* cols = x;
  if (!pointwise) {
    float* c = Grow(s.a, kc * np);
    Im2Col(g, x, c);
    cols = c;
  }
  if (db)
    for (size_t o = 0; o < co; o++) {
      const float* r = dy + o * np;
      float acc = 0.f;
      for (size_t i = 0; i < np; i++) acc += r[i];
      db[o] = acc;
    }
  // dW = dY * cols^T. The GEMM has no transposed operands, so one side is
  // transposed into scratch: the smaller of cols (kc rows) and dY (co rows).
  if (kc <= co) {
    const size_t ld = RoundUp16(kc);
    float* t = Grow(s.b, np * ld);
    TransposePadded(kc, np, cols, t, ld);
    float* c = Grow(s.c, co * ld);
    gemm(co, ld, np, dy, t, c);
    for (size_t o = 0; o < co; o++) std::memcpy(dw + o * kc, c + o * ld, sizeof(float) * kc);
  } else {
    const size_t ld = RoundUp16(co);
    float* t = Grow(s.b, np * ld);
    TransposePadded(co, np, dy, t, ld);
    float* c = Grow(s.c, kc * ld);
    gemm(kc, ld, np, cols, t, c);  // dW^T
    for (size_t o = 0; o < co; o++)
      for (size_t r = 0; r < kc; r++) dw[o * kc + r] = c[r * ld + o];
  }
  if (!dx) return;
  // dcols = W^T * dY, then scattered back (col2im) or, for 1x1, dx itself.
  float* wt = Grow(s.b, kc * co);
  for (size_t o = 0; o < co; o++)
    for (size_t r = 0; r < kc; r++) wt[r * co + o] = w[o * kc + r];
  if (pointwise && !accumulate) {
    gemm(kc, np, co, wt, dy, dx);
    return;
  }
  float* dcols = Grow(s.c, kc * np);
  gemm(kc, np, co, wt, dy, dcols);
  if (pointwise) {
    for (size_t i = 0; i < kc * np; i++) dx[i] += dcols[i];
    return;
  }
  if (!accumulate) std::memset(dx, 0, sizeof(float) * g.InSize());
  Col2ImAdd(g, dcols, dx);
}

namespace {

// Row sums with 8 independent float partials (vectorisable without
// reassociating flags), combined in double: rows are up to N*H*W = 8192 long.
double SumRow(const float* r, size_t n) {
  float p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; l++) p[l] += r[i + size_t(l)];
  double s = 0;
  for (int l = 0; l < 8; l++) s += p[l];
  for (; i < n; i++) s += r[i];
  return s;
}

double SumSqDevRow(const float* r, size_t n, float mu) {
  float p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; l++) {
      const float d = r[i + size_t(l)] - mu;
      p[l] += d * d;
    }
  double s = 0;
  for (int l = 0; l < 8; l++) s += p[l];
  for (; i < n; i++) s += double(r[i] - mu) * double(r[i] - mu);
  return s;
}

// sum dy and sum dy * (x - mu).
void SumDyRow(const float* d, const float* r, size_t n, float mu, double& sdy, double& sdyx) {
  float p[8] = {0, 0, 0, 0, 0, 0, 0, 0}, q[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; l++) {
      p[l] += d[i + size_t(l)];
      q[l] += d[i + size_t(l)] * (r[i + size_t(l)] - mu);
    }
  sdy = sdyx = 0;
  for (int l = 0; l < 8; l++) sdy += p[l], sdyx += q[l];
  for (; i < n; i++) sdy += d[i], sdyx += double(d[i]) * double(r[i] - mu);
}

// The affine output, optionally clamped to [0, 6] (ReLU6 fused: one pass).
void AffineRow(size_t n, const float* r, float a, float b, bool relu6, float* o) {
  if (relu6)
    for (size_t i = 0; i < n; i++) o[i] = std::min(6.f, std::max(0.f, r[i] * a + b));
  else
    for (size_t i = 0; i < n; i++) o[i] = r[i] * a + b;
}

}  // namespace

void BatchNormTrainForward(int channels, size_t count, const float* x, const float* gamma, const float* beta,
                           float eps, float* y, float* mean, float* inv_std, bool relu6) {
  for (int c = 0; c < channels; c++) {
    const float* r = x + size_t(c) * count;
    const double mu = SumRow(r, count) / double(count);
    const double is = 1.0 / std::sqrt(SumSqDevRow(r, count, float(mu)) / double(count) + double(eps));
    mean[c] = float(mu);
    inv_std[c] = float(is);
    const float a = float(double(gamma[c]) * is), b = float(double(beta[c]) - mu * double(gamma[c]) * is);
    AffineRow(count, r, a, b, relu6, y + size_t(c) * count);
  }
}

void BatchNormBackward(int channels, size_t count, const float* x, const float* gamma, const float* mean,
                       const float* inv_std, float* dy, float* dx, float* dgamma, float* dbeta, const float* relu6_y) {
  for (int c = 0; c < channels; c++) {
    const float* r = x + size_t(c) * count;
    float* d = dy + size_t(c) * count;
    if (relu6_y) Relu6Backward(count, relu6_y + size_t(c) * count, d);  // row by row: still in cache for the sums
    const float mu = mean[c], is = inv_std[c];
    double sdy = 0, sdyx = 0;
    SumDyRow(d, r, count, mu, sdy, sdyx);
    sdyx *= is;
    dgamma[c] = float(sdyx);
    dbeta[c] = float(sdy);
    // dx = gamma * is * (dy - mean(dy) - xhat * mean(dy * xhat)), xhat = (x - mu) * is
    const float k = gamma[c] * is, mdy = float(sdy / double(count)), m2 = float(sdyx / double(count)) * is;
    float* o = dx + size_t(c) * count;
    for (size_t i = 0; i < count; i++) o[i] = k * (d[i] - mdy - (r[i] - mu) * m2);
  }
}

void BatchNormEval(int channels, size_t count, const float* x, const float* gamma, const float* beta,
                   const float* running_mean, const float* running_var, float eps, float* y, bool relu6) {
  for (int c = 0; c < channels; c++) {
    const double is = 1.0 / std::sqrt(double(running_var[c]) + double(eps));
    const float a = float(double(gamma[c]) * is);
    const float b = float(double(beta[c]) - double(running_mean[c]) * double(gamma[c]) * is);
    AffineRow(count, x + size_t(c) * count, a, b, relu6, y + size_t(c) * count);
  }
}

void Relu6Forward(size_t n, float* y) {
  for (size_t i = 0; i < n; i++) y[i] = std::min(6.f, std::max(0.f, y[i]));
}

void Relu6Backward(size_t n, const float* y, float* dy) {
  for (size_t i = 0; i < n; i++) dy[i] = (y[i] > 0.f && y[i] < 6.f) ? dy[i] : 0.f;
}

void AddForward(size_t n, const float* a, const float* b, float* y) {
  for (size_t i = 0; i < n; i++) y[i] = a[i] + b[i];
}

void GlobalAvgPoolForward(size_t rows, size_t pixels, const float* x, float* y) {
  const float inv = 1.f / float(pixels);
  for (size_t r = 0; r < rows; r++) {
    const float* p = x + r * pixels;
    float acc = 0.f;
    for (size_t i = 0; i < pixels; i++) acc += p[i];
    y[r] = acc * inv;
  }
}

void GlobalAvgPoolBackward(size_t rows, size_t pixels, const float* dy, float* dx, bool accumulate) {
  const float inv = 1.f / float(pixels);
  for (size_t r = 0; r < rows; r++) {
    const float v = dy[r] * inv;
    float* p = dx + r * pixels;
    if (accumulate)
      for (size_t i = 0; i < pixels; i++) p[i] += v;
    else
      for (size_t i = 0; i < pixels; i++) p[i] = v;
  }
}

void FcForward(int batch, int in_c, int out_c, const float* x, const float* w, const float* bias, float* y) {
  const size_t N = size_t(batch);
  for (int o = 0; o < out_c; o++) {
    float* yr = y + size_t(o) * N;
    const float b0 = bias ? bias[o] : 0.f;
    for (size_t n = 0; n < N; n++) yr[n] = b0;
    for (int i = 0; i < in_c; i++) {
      const float wt = w[size_t(o) * size_t(in_c) + size_t(i)];
      const float* xr = x + size_t(i) * N;
      for (size_t n = 0; n < N; n++) yr[n] += wt * xr[n];
    }
  }
}

void FcBackward(int batch, int in_c, int out_c, const float* x, const float* w, const float* dy, float* dw,
                float* db, float* dx, bool accumulate) {
  const size_t N = size_t(batch);
  for (int o = 0; o < out_c; o++) {
    const float* d = dy + size_t(o) * N;
    if (db) {
      float acc = 0.f;
      for (size_t n = 0; n < N; n++) acc += d[n];
      db[o] = acc;
    }
    for (int i = 0; i < in_c; i++) {
      const float* xr = x + size_t(i) * N;
      float acc = 0.f;
      for (size_t n = 0; n < N; n++) acc += d[n] * xr[n];
      dw[size_t(o) * size_t(in_c) + size_t(i)] = acc;
    }
  }
  if (!dx) return;
  if (!accumulate) std::memset(dx, 0, sizeof(float) * size_t(in_c) * N);
  for (int o = 0; o < out_c; o++) {
    const float* d = dy + size_t(o) * N;
    for (int i = 0; i < in_c; i++) {
      const float wt = w[size_t(o) * size_t(in_c) + size_t(i)];
      float* xr = dx + size_t(i) * N;
      for (size_t n = 0; n < N; n++) xr[n] += wt * d[n];
    }
  }
}

double SoftmaxCrossEntropy(int batch, int classes, const float* logits, const int* labels, float* dlogits) {
  const size_t N = size_t(batch);
  double loss = 0;
  for (size_t n = 0; n < N; n++) {
    double mx = logits[n];
    for (int k = 1; k < classes; k++) mx = std::max(mx, double(logits[size_t(k) * N + n]));
    double sum = 0;
    for (int k = 0; k < classes; k++) sum += std::exp(double(logits[size_t(k) * N + n]) - mx);
    const double lse = mx + std::log(sum);
    loss += lse - double(logits[size_t(labels[n]) * N + n]);
    if (dlogits)
      for (int k = 0; k < classes; k++) {
        const double p = std::exp(double(logits[size_t(k) * N + n]) - lse);
        dlogits[size_t(k) * N + n] = float((p - (k == labels[n] ? 1.0 : 0.0)) / double(N));
      }
  }
  return loss / double(N);
}

}  // namespace fk::nn::train_ops
