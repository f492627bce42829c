#include "nn/executor.h"

#include <algorithm>
#include <cstdint>

#include "core/clock.h"

namespace fk::nn {

namespace {
// SIMD kernels may read a vector past the end of a row (XNNPACK's
// XNN_EXTRA_BYTES rule); every buffer gets this much slack.
constexpr size_t kSlackFloats = 16;
// Buffers start on a 64-byte line; spmm rows are padded to whole lines.
constexpr size_t kAlignFloats = 64 / sizeof(float);
constexpr size_t kPadRow = kAlignFloats;
constexpr size_t kPadBelow = 128;  // spmm rows shorter than this (pixels) are padded

// A zeroed buffer of n floats (+ slack) and the offset of its first 64-byte boundary.
size_t AllocAligned(std::vector<float>& v, size_t n) {
  v.assign(n + kSlackFloats + kAlignFloats, 0.f);
  const uintptr_t addr = reinterpret_cast<uintptr_t>(v.data());
  return ((64 - addr % 64) % 64) / sizeof(float);
}

kernels::MinMax ClampOf(Activation a) {
  kernels::MinMax c;
  if (a == Activation::Relu6) c.min = 0.f, c.max = 6.f;
  return c;
}

Status LayerError(size_t i, const Layer& l, const std::string& what) {
  return Status::Error("executor: layer " + std::to_string(i) + " '" + l.name + "': " + what);
}

// Liveness: per layer, the last layer that reads its output (a buffer is free
// after it); the logits and the output stay alive after Run (n).
std::vector<size_t> LastUses(const Model& m, int logits_layer) {
  const size_t n = m.layers.size();
  std::vector<size_t> last_use(n, 0);
  for (size_t i = 0; i < n; i++) {
    last_use[i] = std::max(last_use[i], i);
    for (int p : {m.layers[i].input, m.layers[i].kind == LayerKind::Add ? m.layers[i].input2 : -1})
      if (p >= 0) last_use[size_t(p)] = std::max(last_use[size_t(p)], i);
  }
  if (logits_layer >= 0) last_use[size_t(logits_layer)] = n;
  last_use[n - 1] = n;
  return last_use;
}

// An output buffer of `need` floats: the smallest free one that fits, else grow
// the largest free one, else a new one. Returns its id, now in use.
int TakeBuffer(size_t need, std::vector<size_t>& sizes, std::vector<bool>& free_buf) {
  int best = -1;
  for (size_t b = 0; b < sizes.size(); b++) {
    if (!free_buf[b]) continue;
    if (best < 0) best = int(b);
    const bool fits = sizes[b] >= need, best_fits = sizes[size_t(best)] >= need;
    if ((fits && (!best_fits || sizes[b] < sizes[size_t(best)])) || (!fits && !best_fits && sizes[b] > sizes[size_t(best)]))
      best = int(b);
  }
  if (best < 0) {
    sizes.push_back(need);
    free_buf.push_back(false);
    best = int(sizes.size()) - 1;
  }
  sizes[size_t(best)] = std::max(sizes[size_t(best)], need);
  free_buf[size_t(best)] = false;
  return best;
}

// The "kernel" text of the bench: which 1x1 path ran and on how many layers.
std::string Describe(const kernels::NnKernels& k, int sparse_layers, int dense_1x1) {
  return "own " + k.isa + ": " +
         (sparse_layers ? (k.spmm_name.empty() ? std::string("spmm") : k.spmm_name) + " (" +
                              std::to_string(sparse_layers) + " sparse 1x1 layers)"
                        : (k.conv1x1_name.empty() ? std::string("conv1x1") : k.conv1x1_name) + " (" +
                              std::to_string(dense_1x1) + " dense 1x1 layers)");
}
}  // namespace

// A convolution's kernel and packed weights: the first 3x3 s2 layer, a
// depthwise 3x3, or a 1x1 (sparse spmm or dense, as the layer and options say).
Status Executor::PackConv(const Layer& l, size_t i, const kernels::NnKernels& k, const ExecutorOptions& opt, Op& op,
                          Counts& counts) {
  if (l.input < 0) {
    if (!(l.kernel == 3 && l.stride == 2 && l.groups == 1 && l.in_c == 3))
      return LayerError(i, l, "the first layer must be a 3x3 stride-2 convolution on 3 channels (HWC input)");
    op.kind = OpKind::FirstConv;
    op.stride = 2;
    // OIHW -> per output channel: bias, then (ky, kx, ci).
    for (int o = 0; o < l.out_c; o++) {
      op.packed.push_back(l.bias[size_t(o)]);
      for (int ky = 0; ky < 3; ky++)
        for (int kx = 0; kx < 3; kx++)
          for (int ci = 0; ci < 3; ci++) op.packed.push_back(l.weights[size_t(((o * 3 + ci) * 3 + ky) * 3 + kx)]);
    }
  } else if (l.IsDepthwise() && l.kernel == 3 && (l.stride == 1 || l.stride == 2)) {
    op.kind = OpKind::DwConv;
    op.stride = size_t(l.stride);
    op.dw = l.stride == 1 ? k.dwconv_3x3s1 : k.dwconv_3x3s2;
    for (int c = 0; c < l.out_c; c++) {
      op.packed.push_back(l.bias[size_t(c)]);
      for (int t = 0; t < 9; t++) op.packed.push_back(l.weights[size_t(c * 9 + t)]);
    }
  } else if (l.IsPointwise()) {
    std::vector<float> w = l.weights;
    if (!l.mask.empty())
      for (size_t j = 0; j < w.size(); j++)
        if (!l.mask[j]) w[j] = 0.f;
    if (l.sparse && opt.sparse) {
      op.kind = OpKind::Spmm;
      op.spmm = l.block == 4 ? k.spmm_block4 : l.block == 2 ? k.spmm_block2 : k.spmm;
      // Short rows that are not whole cache lines (7x7 = 49 pixels: 3 vectors
      // and a masked one holding 1 pixel, loads split across lines) run on
      // copies with rows padded to kPadRow floats: 1.3x faster on 7x7 layers,
      // while 14x14 rows measured slower with the copies (docs/BENCHMARKS.md).
      op.row = op.pixels % kPadRow && op.pixels < kPadBelow ? (op.pixels + kPadRow - 1) / kPadRow * kPadRow : 0;
      op.sp = kernels::PackSpmm(w.data(), l.bias.data(), op.out_c, op.in_c, size_t(l.block),
                                op.row ? op.row : op.pixels);
      counts.sparse_1x1++;
    } else {
      op.kind = OpKind::Conv1x1;
      op.packed = kernels::PackConv1x1Weights(w.data(), l.bias.data(), op.out_c, op.in_c);
      counts.dense_1x1++;
    }
  } else {
    return LayerError(i, l, std::to_string(l.kernel) + "x" + std::to_string(l.kernel) + " stride-" +
                                std::to_string(l.stride) + " groups=" + std::to_string(l.groups) +
                                " convolution has no kernel (supported: first 3x3 s2, depthwise 3x3, 1x1)");
  }
  return Status::Ok();
}

// Layer i as an op: shapes, clamp, kind and packed weights (its output buffer
// is assigned by Create).
Status Executor::MakeOp(const Layer& l, size_t i, const kernels::NnKernels& k, const ExecutorOptions& opt, Op& op,
                        Counts& counts) {
  op.in = l.input;
  op.in2 = l.kind == LayerKind::Add ? l.input2 : -1;
  op.in_h = size_t(l.in_h), op.in_w = size_t(l.in_w), op.in_c = size_t(l.in_c), op.out_c = size_t(l.out_c);
  op.pixels = op.in_h * op.in_w;
  op.clamp = ClampOf(l.act);
  if (l.input < 0 && !(i == 0 && l.kind == LayerKind::Conv))
    return LayerError(i, l, "only the first layer may read the model input");
  switch (l.kind) {
    case LayerKind::Conv:
      if (Status s = PackConv(l, i, k, opt, op, counts); !s) return s;
      break;
    case LayerKind::Add: op.kind = OpKind::Add; break;
    case LayerKind::GlobalAvgPool: op.kind = OpKind::GavgPool; break;
    case LayerKind::FullyConnected:
      op.kind = OpKind::Fc;
      for (int o = 0; o < l.out_c; o++) {
        op.packed.push_back(l.bias[size_t(o)]);
        op.packed.insert(op.packed.end(), l.weights.begin() + std::ptrdiff_t(size_t(o) * op.in_c),
                         l.weights.begin() + std::ptrdiff_t(size_t(o + 1) * op.in_c));
      }
      break;
    case LayerKind::Softmax: op.kind = OpKind::Softmax; break;
  }
  if ((op.kind == OpKind::Spmm && !op.spmm) || (op.kind == OpKind::DwConv && !op.dw))
    return LayerError(i, l, "the '" + k.isa + "' kernel set lacks this op");
  return Status::Ok();
}

Result<Executor> Executor::Create(const Model& model, const kernels::NnKernels& k, const ExecutorOptions& opt) {
  Model m = model;  // InferShapes fills shapes; the caller's model stays const
  Status st = m.InferShapes();
  if (!st) return st;
  Executor ex;
  ex.k_ = &k;
  ex.opt_ = opt;
  ex.input_size_ = size_t(m.in_h) * size_t(m.in_w) * size_t(m.in_c);
  const size_t n = m.layers.size();
  ex.logits_layer_ = m.LogitsLayer();
  ex.output_layer_ = int(n) - 1;
  const std::vector<size_t> last_use = LastUses(m, ex.logits_layer_);

  std::vector<size_t> sizes;  // per buffer, in floats
  std::vector<bool> free_buf;
  ex.layer_buffer_.assign(n, -1);
  Counts counts;
  for (size_t i = 0; i < n; i++) {
    const Layer& l = m.layers[i];
    Op op;
    if (Status s = MakeOp(l, i, k, opt, op, counts); !s) return s;
    const size_t need = size_t(l.out_c) * size_t(l.out_h) * size_t(l.out_w) + kSlackFloats;
    ex.layer_buffer_[i] = TakeBuffer(need, sizes, free_buf);
    op.out = int(i);
    // Inputs whose last consumer is this layer become free for later layers.
    for (int p : {op.in, op.in2})
      if (p >= 0 && last_use[size_t(p)] == i) free_buf[size_t(ex.layer_buffer_[size_t(p)])] = true;
    ex.times_.push_back({l.name, OpName(op), 0.0, {}, OpFlops(op), op.pixels});
    ex.ops_.push_back(std::move(op));
  }
  // Buffers start on a cache line (malloc gives 16 bytes): rows whose size is
  // a multiple of 64 bytes then never split a vector load across two lines,
  // which matters to spmm (one FMA per load); measured in docs/BENCHMARKS.md.
  ex.buffers_.resize(sizes.size());
  for (size_t b = 0; b < sizes.size(); b++) ex.buffer_offset_.push_back(AllocAligned(ex.buffers_[b], sizes[b]));
  size_t pad_in = 0, pad_out = 0;
  for (const Op& op : ex.ops_)
    if (op.row) pad_in = std::max(pad_in, op.in_c * op.row), pad_out = std::max(pad_out, op.out_c * op.row);
  if (pad_in) ex.pad_in_offset_ = AllocAligned(ex.pad_in_, pad_in);
  if (pad_out) ex.pad_out_offset_ = AllocAligned(ex.pad_out_, pad_out);
  const Layer& out = m.layers[n - 1];
  ex.output_size_ = size_t(out.out_c) * size_t(out.out_h) * size_t(out.out_w);
  ex.logits_size_ = ex.logits_layer_ >= 0 ? size_t(m.layers[size_t(ex.logits_layer_)].out_c) : 0;
  ex.description_ = Describe(k, counts.sparse_1x1, counts.dense_1x1);
  return ex;
}

const char* Executor::OpName(const Op& op) {
  switch (op.kind) {
    case OpKind::FirstConv: return "first_conv";
    case OpKind::DwConv: return op.stride == 2 ? "dwconv3x3s2" : "dwconv3x3s1";
    case OpKind::Conv1x1: return "conv1x1";
    case OpKind::Spmm: return "spmm";
    case OpKind::Add: return "add";
    case OpKind::GavgPool: return "gavgpool";
    case OpKind::Fc: return "fc";
    case OpKind::Softmax: return "softmax";
  }
  return "?";
}

// Multiply-adds count 2; spmm counts what it stores (block values included).
double Executor::OpFlops(const Op& op) {
  const double px = double(op.pixels), ic = double(op.in_c), oc = double(op.out_c);
  const double out_px = double(((op.in_h - 1) / op.stride + 1) * ((op.in_w - 1) / op.stride + 1));
  switch (op.kind) {
    case OpKind::FirstConv: return 2.0 * 27.0 * oc * out_px;
    case OpKind::DwConv: return 2.0 * 9.0 * oc * out_px;
    case OpKind::Conv1x1: return 2.0 * px * ic * oc;
    case OpKind::Spmm: return 2.0 * px * double(op.sp.weights.size() - op.out_c);
    case OpKind::Add: return px * ic;
    case OpKind::GavgPool: return px * ic;
    case OpKind::Fc: return 2.0 * ic * oc;
    case OpKind::Softmax: return 0;
  }
  return 0;
}

size_t Executor::BufferBytes() const {
  size_t b = 0;
  for (auto& v : buffers_) b += v.size() * sizeof(float);
  return b;
}

void Executor::ResetTimes() {
  for (auto& t : times_) {
    t.total_ms = 0;
    t.run_ms.clear();
  }
  timed_runs_ = 0;
}

void Executor::RunOp(const Op& op, const float* input) {
  const kernels::NnKernels& k = *k_;
  float* y = MutableBuffer(op.out);
  const float* x = op.in < 0 ? input : Buffer(op.in);
  switch (op.kind) {
    case OpKind::FirstConv: k.conv_hwc2chw_3x3s2(op.in_h, op.in_w, op.out_c, x, op.packed.data(), y, op.clamp); break;
    case OpKind::DwConv: op.dw(op.in_h, op.in_w, op.in_c, x, op.packed.data(), y, op.clamp); break;
    case OpKind::Conv1x1: k.conv1x1(op.pixels, op.in_c, op.out_c, x, op.packed.data(), y, op.clamp); break;
    case OpKind::Spmm:
      if (op.row) {
        // Padded rows: copy in (the pad columns are zeroed: they must stay
        // finite), run, copy the valid columns out.
        float* xp = pad_in_.data() + pad_in_offset_;
        float* yp = pad_out_.data() + pad_out_offset_;
        for (size_t c = 0; c < op.in_c; c++) {
          std::copy(x + c * op.pixels, x + (c + 1) * op.pixels, xp + c * op.row);
          std::fill(xp + c * op.row + op.pixels, xp + (c + 1) * op.row, 0.f);
        }
        op.spmm(op.row, op.out_c, xp, op.sp.weights.data(), op.sp.deltas.data(), op.sp.nnz.data(), yp, op.clamp);
        for (size_t c = 0; c < op.out_c; c++) std::copy(yp + c * op.row, yp + c * op.row + op.pixels, y + c * op.pixels);
      } else {
        op.spmm(op.pixels, op.out_c, x, op.sp.weights.data(), op.sp.deltas.data(), op.sp.nnz.data(), y, op.clamp);
      }
      break;
    case OpKind::Add: k.add(op.pixels * op.in_c, x, Buffer(op.in2), y, op.clamp); break;
    case OpKind::GavgPool: k.gavgpool(op.pixels, op.in_c, x, y); break;
    case OpKind::Fc: k.fc(op.in_c, op.out_c, x, op.packed.data(), y, op.clamp); break;
    case OpKind::Softmax:
      std::copy(x, x + op.in_c, y);
      kernels::Softmax(y, op.in_c);
      break;
  }
}

void Executor::RunOps(const float* input_hwc, size_t begin, size_t end) {
  for (size_t i = begin; i < end && i < ops_.size(); i++) RunOp(ops_[i], input_hwc);
}

void Executor::Run(const float* input_hwc) {
  if (!opt_.time_layers) {
    for (const Op& op : ops_) RunOp(op, input_hwc);
    return;
  }
  for (size_t i = 0; i < ops_.size(); i++) {
    const double t0 = NowMs();
    RunOp(ops_[i], input_hwc);
    const double ms = NowMs() - t0;
    times_[i].total_ms += ms;
    times_[i].run_ms.push_back(ms);
  }
  timed_runs_++;
}

}  // namespace fk::nn
