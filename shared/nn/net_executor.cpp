// NetExecutor (net_executor.h): lowering of an imported Net to kernel steps,
// and the steps' reference loops for the ops without a microkernel.
#include "nn/net_executor.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <map>

#include "core/clock.h"

namespace fk::nn {

namespace {

kernels::MinMax Clamp(NetAct a) {
  kernels::MinMax m;
  if (a == NetAct::Relu) m.min = 0.f;
  if (a == NetAct::Relu6) m = {0.f, 6.f};
  if (a == NetAct::ReluN1To1) m = {-1.f, 1.f};
  return m;
}

inline float Apply(float v, kernels::MinMax c) { return std::min(std::max(v, c.min), c.max); }

}  // namespace

// Builds the steps. A "value" is one buffer-sized result; each Net tensor maps
// to a value per layout it was needed in (CHW or the file's row-major NHWC).
class NetLowering {
 public:
  NetLowering(const Net& net, const kernels::NnKernels& k, const NetExecutorOptions& opt, NetExecutor& ex)
      : net_(net), k_(k), opt_(opt), ex_(ex) {}

  // Run() == Begin(), StepOp() for each of NumOps(), Finish().
  Status Run();
  Status Begin();
  size_t NumOps() const { return ops_.size(); }
  Status StepOp(size_t i) { return LowerOp(ops_[i]); }
  Status Finish();

 private:
  enum Layout { kRow = 0, kChw = 1 };
  Status Fail(const NetOp& op, const std::string& m) const {
    return Status::Error(net_.name + ": operator #" + std::to_string(op.file_index) + " (" + NetOpName(op.type) + "): " + m);
  }
  const NetTensor& T(int t) const { return net_.tensors[size_t(t)]; }
  static bool Is4d(const NetTensor& t) { return t.shape.size() == 4; }
  // CHW and NHWC coincide when there is one pixel or one channel.
  static bool LayoutsAgree(const NetTensor& t) {
    return !Is4d(t) || size_t(t.shape[1]) * size_t(t.shape[2]) == 1 || t.shape[3] == 1;
  }
  int NewValue(size_t size) {
    ex_.value_size_.push_back(size);
    return int(ex_.value_size_.size() - 1);
  }
  void SetValue(int tensor, Layout l, int value) {
    auto& v = values_[tensor];
    v[l] = value;
    if (LayoutsAgree(T(tensor))) v[1 - l] = value;
  }
  int Need(int tensor, Layout l);
  NetExecutor::Step& Emit(NetExecutor::StepKind kind, const NetOp* op, std::vector<int> in, int out) {
    NetExecutor::Step s;
    s.kind = kind;
    s.op = op ? int(op - ops_.data()) : -1;
    s.in = std::move(in);
    s.out = out;
    ex_.steps_.push_back(std::move(s));
    return ex_.steps_.back();
  }
  void Fuse();
  Status LowerOp(const NetOp& op);
  Status LowerConv(const NetOp& op);
  Status LowerPointwise(const NetOp& op, NetExecutor::Step& s, const NetTensor& w, const float* bias);
  Status LowerDw(const NetOp& op);
  void AssignBuffers();

  const Net& net_;
  const kernels::NnKernels& k_;
  const NetExecutorOptions& opt_;
  NetExecutor& ex_;
  std::vector<NetOp> ops_;                 // after fusion (skipped ones removed)
  std::map<int, std::array<int, 2>> values_;  // tensor -> value per layout (-1 none)
};

int NetLowering::Need(int tensor, Layout l) {
  auto it = values_.find(tensor);
  std::array<int, 2>& v = it->second;
  if (v[l] >= 0) return v[l];
  const NetTensor& t = T(tensor);
  const int from = v[1 - l];
  const int to = NewValue(t.Count());
  NetExecutor::Step& s = Emit(l == kChw ? NetExecutor::StepKind::ToChw : NetExecutor::StepKind::ToHwc, nullptr, {from}, to);
  s.h = size_t(t.shape[1]);
  s.w = size_t(t.shape[2]);
  s.c = size_t(t.shape[3]);
  v[l] = to;
  return to;
}

// RELU/RELU6 into the producing op, zero PAD of H/W into the next convolution,
// when the intermediate tensor has no other reader and is not an output.
void NetLowering::Fuse() {
  std::vector<int> readers(net_.tensors.size(), 0);
  for (const NetOp& op : net_.ops)
    for (int t : op.inputs)
      if (t >= 0) ++readers[size_t(t)];
  for (int t : net_.outputs) readers[size_t(t)] += 2;
  std::vector<NetOp> ops = net_.ops;
  std::vector<char> skip(ops.size(), 0);
  std::map<int, size_t> producer;
  for (size_t i = 0; i < ops.size(); ++i) producer[ops[i].outputs[0]] = i;
  for (size_t i = 0; i < ops.size(); ++i) {
    NetOp& op = ops[i];
    if ((op.type == NetOpType::Relu || op.type == NetOpType::Relu6) && readers[size_t(op.inputs[0])] == 1) {
      auto p = producer.find(op.inputs[0]);
      if (p == producer.end() || skip[p->second]) continue;
      NetOp& prod = ops[p->second];
      bool can = prod.act == NetAct::None &&
                 (prod.type == NetOpType::Conv2D || prod.type == NetOpType::DepthwiseConv2D ||
                  prod.type == NetOpType::FullyConnected || prod.type == NetOpType::Add);
      if (!can) continue;
      prod.act = op.type == NetOpType::Relu ? NetAct::Relu : NetAct::Relu6;
      prod.outputs[0] = op.outputs[0];
      producer[op.outputs[0]] = p->second;
      skip[i] = 1;
    }
  }
  for (size_t i = 0; i < ops.size(); ++i) {
    NetOp& op = ops[i];
    if (skip[i] || (op.type != NetOpType::Conv2D && op.type != NetOpType::DepthwiseConv2D)) continue;
    auto p = producer.find(op.inputs[0]);
    if (p == producer.end() || skip[p->second]) continue;
    const NetOp& pad = ops[p->second];
    if (pad.type != NetOpType::Pad || readers[size_t(op.inputs[0])] != 1) continue;
    const std::vector<int>& a = pad.axes;  // 8 paddings (N, H, W, C) x (before, after)
    if (a[6] || a[7]) continue;            // channel padding stays a step
    op.pad_top += a[2];
    op.pad_bottom += a[3];
    op.pad_left += a[4];
    op.pad_right += a[5];
    op.inputs[0] = pad.inputs[0];
    skip[p->second] = 1;
  }
  for (size_t i = 0; i < ops.size(); ++i)
    if (!skip[i]) ops_.push_back(ops[i]);
}

Status NetLowering::LowerPointwise(const NetOp& op, NetExecutor::Step& s, const NetTensor& w, const float* bias) {
  const size_t oc = s.oc, ic = s.c, pixels = s.h * s.w;
  std::vector<float> zero_bias;
  if (!bias) {
    zero_bias.assign(oc, 0.f);
    bias = zero_bias.data();
  }
  PointwiseInfo info;
  info.file_index = op.file_index;
  info.name = w.name;
  info.in_c = int(ic);
  info.out_c = int(oc);
  info.pixels = int(pixels);
  size_t zeros = size_t(std::count(w.data.begin(), w.data.end(), 0.f));
  info.zero_fraction = w.data.empty() ? 0 : double(zeros) / double(w.data.size());
  std::vector<float> dense = kernels::PackConv1x1Weights(w.data.data(), bias, oc, ic);
  bool sparse = false;
  kernels::SparsePacked sp;
  if (opt_.sparse != SparseChoice::Never && info.zero_fraction >= opt_.min_zero_fraction) {
    sp = kernels::PackSpmm(w.data.data(), bias, oc, ic, 1, pixels);
    sparse = true;
    if (opt_.sparse == SparseChoice::Measure) {
      // Time both kernels on this layer's shape (best of a few runs each).
      std::vector<float> x(ic * pixels, 0.5f), y(oc * pixels);
      const int reps = pixels * ic * oc > (size_t(1) << 22) ? 2 : 5;
      auto best = [&](auto&& fn) {
        double b = 1e30;
        fn();  // warm caches
        for (int r = 0; r < reps; ++r) {
          double t0 = NowMs();
          fn();
          b = std::min(b, NowMs() - t0);
        }
        return b;
      };
      info.dense_ms = best([&] { k_.conv1x1(pixels, ic, oc, x.data(), dense.data(), y.data(), s.clamp); });
      info.sparse_ms = best([&] {
        k_.spmm(pixels, oc, x.data(), sp.weights.data(), sp.deltas.data(), sp.nnz.data(), y.data(), s.clamp);
      });
      sparse = info.sparse_ms < info.dense_ms;
    }
  }
  info.sparse = sparse;
  if (sparse) {
    s.kind = NetExecutor::StepKind::Spmm;
    s.sp = std::move(sp);
    s.spmm = k_.spmm;
  } else {
    s.kind = NetExecutor::StepKind::Conv1x1;
    s.packed = std::move(dense);
  }
  ex_.pointwise_.push_back(std::move(info));
  return Status::Ok();
}

Status NetLowering::LowerConv(const NetOp& op) {
  const NetTensor& in = T(op.inputs[0]);
  const NetTensor& w = T(op.inputs[1]);
  const NetTensor& out = T(op.outputs[0]);
  const float* bias = op.inputs.size() > 2 && op.inputs[2] >= 0 ? T(op.inputs[2]).data.data() : nullptr;
  const size_t ic = size_t(in.shape[3]), oc = size_t(out.shape[3]);
  const int kh = w.shape[1], kw = w.shape[2];
  const bool pads1 = op.pad_top == 1 && op.pad_left == 1 && op.pad_bottom == 1 && op.pad_right == 1;
  const bool pads0 = !op.pad_top && !op.pad_left && !op.pad_bottom && !op.pad_right;
  const bool nodil = op.dilation_h == 1 && op.dilation_w == 1;
  NetExecutor::Step s;
  s.c = ic;
  s.h = size_t(in.shape[1]);
  s.w = size_t(in.shape[2]);
  s.oc = oc;
  s.oh = size_t(out.shape[1]);
  s.ow = size_t(out.shape[2]);
  s.kh = kh, s.kw = kw, s.sh = op.stride_h, s.sw = op.stride_w, s.dh = op.dilation_h, s.dw = op.dilation_w;
  s.pt = op.pad_top, s.pl = op.pad_left, s.pb = op.pad_bottom, s.pr = op.pad_right;
  s.clamp = Clamp(op.act);
  int in_value;
  if (kh == 1 && kw == 1 && op.stride_h == 1 && op.stride_w == 1 && pads0) {
    in_value = Need(op.inputs[0], kChw);
    if (Status st = LowerPointwise(op, s, w, bias); !st) return st;
  } else if (ic == 3 && kh == 3 && kw == 3 && op.stride_h == 2 && op.stride_w == 2 && pads1 && nodil &&
             s.oh == (s.h - 1) / 2 + 1 && s.ow == (s.w - 1) / 2 + 1) {
    in_value = Need(op.inputs[0], kRow);
    s.kind = NetExecutor::StepKind::ConvFirst;
    s.packed.reserve(oc * 28);
    for (size_t o = 0; o < oc; ++o) {  // per output channel: bias, then (ky, kx, ci) taps as the file stores them
      s.packed.push_back(bias ? bias[o] : 0.f);
      s.packed.insert(s.packed.end(), w.data.begin() + long(o * 27), w.data.begin() + long(o * 27 + 27));
    }
  } else {
    // Direct convolution from NHWC input; weights repacked [ky][kx][ci][oc] so the
    // innermost loop runs over output channels (vectorisable).
    in_value = Need(op.inputs[0], kRow);
    s.kind = NetExecutor::StepKind::ConvGeneric;
    s.packed.assign(oc + size_t(kh * kw) * ic * oc, 0.f);
    for (size_t o = 0; o < oc; ++o) s.packed[o] = bias ? bias[o] : 0.f;
    for (size_t o = 0; o < oc; ++o)
      for (size_t t = 0; t < size_t(kh * kw) * ic; ++t) s.packed[oc + t * oc + o] = w.data[o * size_t(kh * kw) * ic + t];
  }
  s.op = int(&op - ops_.data());
  s.in = {in_value};
  s.out = NewValue(out.Count());
  SetValue(op.outputs[0], kChw, s.out);
  ex_.steps_.push_back(std::move(s));
  return Status::Ok();
}

Status NetLowering::LowerDw(const NetOp& op) {
  const NetTensor& in = T(op.inputs[0]);
  const NetTensor& w = T(op.inputs[1]);
  const NetTensor& out = T(op.outputs[0]);
  const float* bias = op.inputs.size() > 2 && op.inputs[2] >= 0 ? T(op.inputs[2]).data.data() : nullptr;
  NetExecutor::Step s;
  s.c = size_t(in.shape[3]);
  s.h = size_t(in.shape[1]);
  s.w = size_t(in.shape[2]);
  s.oc = size_t(out.shape[3]);
  s.oh = size_t(out.shape[1]);
  s.ow = size_t(out.shape[2]);
  s.kh = w.shape[1], s.kw = w.shape[2], s.sh = op.stride_h, s.sw = op.stride_w, s.dh = op.dilation_h, s.dw = op.dilation_w;
  s.pt = op.pad_top, s.pl = op.pad_left, s.pb = op.pad_bottom, s.pr = op.pad_right;
  s.mult = op.depth_multiplier;
  s.clamp = Clamp(op.act);
  const size_t taps = size_t(s.kh * s.kw);
  // Per output channel: bias, then the kh*kw taps (row-major), as the dw kernels want.
  s.packed.reserve(s.oc * (taps + 1));
  for (size_t o = 0; o < s.oc; ++o) {
    s.packed.push_back(bias ? bias[o] : 0.f);
    for (size_t t = 0; t < taps; ++t) s.packed.push_back(w.data[t * s.oc + o]);
  }
  const bool fast = s.kh == 3 && s.kw == 3 && s.mult == 1 && s.dh == 1 && s.dw == 1 && s.pt == 1 && s.pl == 1 &&
                    s.pb == 1 && s.pr == 1 && s.sh == s.sw && (s.sh == 1 || s.sh == 2) &&
                    s.oh == (s.h - 1) / size_t(s.sh) + 1 && s.ow == (s.w - 1) / size_t(s.sw) + 1;
  if (fast) {
    s.kind = NetExecutor::StepKind::Dw3x3;
    s.dwfn = s.sh == 1 ? k_.dwconv_3x3s1 : k_.dwconv_3x3s2;
  } else {
    s.kind = NetExecutor::StepKind::DwGeneric;
  }
  s.op = int(&op - ops_.data());
  s.in = {Need(op.inputs[0], kChw)};
  s.out = NewValue(out.Count());
  SetValue(op.outputs[0], kChw, s.out);
  ex_.steps_.push_back(std::move(s));
  return Status::Ok();
}

Status NetLowering::LowerOp(const NetOp& op) {
  using K = NetExecutor::StepKind;
  const NetTensor& in = T(op.inputs[0]);
  const NetTensor& out = T(op.outputs[0]);
  const int o = op.outputs[0];
  auto spatial = [&](NetExecutor::Step& s) {
    s.c = size_t(in.shape[3]);
    s.h = size_t(in.shape[1]);
    s.w = size_t(in.shape[2]);
    s.oc = size_t(out.shape[3]);
    s.oh = size_t(out.shape[1]);
    s.ow = size_t(out.shape[2]);
  };
  switch (op.type) {
    case NetOpType::Conv2D: return LowerConv(op);
    case NetOpType::DepthwiseConv2D: return LowerDw(op);
    case NetOpType::FullyConnected: {
      const NetTensor& w = T(op.inputs[1]);
      const float* bias = op.inputs.size() > 2 && op.inputs[2] >= 0 ? T(op.inputs[2]).data.data() : nullptr;
      NetExecutor::Step& s = Emit(K::Fc, &op, {Need(op.inputs[0], kRow)}, NewValue(out.Count()));
      s.c = size_t(w.shape[1]);
      s.oc = size_t(w.shape[0]);
      s.clamp = Clamp(op.act);
      for (size_t n = 0; n < s.oc; ++n) {
        s.packed.push_back(bias ? bias[n] : 0.f);
        s.packed.insert(s.packed.end(), w.data.begin() + long(n * s.c), w.data.begin() + long((n + 1) * s.c));
      }
      SetValue(o, kRow, s.out);
      return Status::Ok();
    }
    case NetOpType::Add:
    case NetOpType::Mul: {
      const NetTensor& b = T(op.inputs[1]);
      Layout l = Is4d(in) ? kChw : kRow;
      std::vector<int> ins = {Need(op.inputs[0], l)};
      if (!b.constant) ins.push_back(Need(op.inputs[1], l));
      NetExecutor::Step& s = Emit(K::Binary, &op, ins, NewValue(out.Count()));
      s.type = op.type;
      s.clamp = Clamp(op.act);
      if (b.constant) {
        s.constant = b.data;
        if (b.shape == in.shape && l == kChw && !LayoutsAgree(in)) {  // a full constant: store it CHW too
          const size_t hw = size_t(in.shape[1]) * size_t(in.shape[2]), c = size_t(in.shape[3]);
          for (size_t p = 0; p < hw; ++p)
            for (size_t ch = 0; ch < c; ++ch) s.constant[ch * hw + p] = b.data[p * c + ch];
        }
        // Per-channel broadcast in CHW: one value per channel plane of `inner` pixels.
        s.inner = l == kChw ? size_t(in.shape[1]) * size_t(in.shape[2]) : 1;
      }
      SetValue(o, l, s.out);
      return Status::Ok();
    }
    case NetOpType::Relu:
    case NetOpType::Relu6:
    case NetOpType::Logistic: {
      auto& v = values_[op.inputs[0]];
      Layout l = v[kChw] >= 0 ? kChw : kRow;
      NetExecutor::Step& s = Emit(K::Unary, &op, {v[l]}, NewValue(out.Count()));
      s.type = op.type;
      s.clamp = op.type == NetOpType::Relu ? kernels::MinMax{0.f, 3.4e38f} : kernels::MinMax{0.f, 6.f};
      SetValue(o, l, s.out);
      return Status::Ok();
    }
    case NetOpType::Pad: {
      NetExecutor::Step& s = Emit(K::Pad, &op, {Need(op.inputs[0], kChw)}, NewValue(out.Count()));
      spatial(s);
      for (int a : op.axes) s.sizes.push_back(size_t(a));
      SetValue(o, kChw, s.out);
      return Status::Ok();
    }
    case NetOpType::MaxPool2D:
    case NetOpType::AveragePool2D: {
      NetExecutor::Step& s = Emit(K::Pool, &op, {Need(op.inputs[0], kChw)}, NewValue(out.Count()));
      spatial(s);
      s.type = op.type;
      s.kh = op.filter_h, s.kw = op.filter_w, s.sh = op.stride_h, s.sw = op.stride_w;
      s.pt = op.pad_top, s.pl = op.pad_left;
      s.clamp = Clamp(op.act);
      SetValue(o, kChw, s.out);
      return Status::Ok();
    }
    case NetOpType::ResizeBilinear: {
      NetExecutor::Step& s = Emit(K::Resize, &op, {Need(op.inputs[0], kChw)}, NewValue(out.Count()));
      spatial(s);
      s.align_corners = op.align_corners;
      s.half_pixel = op.half_pixel_centers;
      SetValue(o, kChw, s.out);
      return Status::Ok();
    }
    case NetOpType::Reshape: {
      NetExecutor::Step& s = Emit(K::Copy, &op, {Need(op.inputs[0], kRow)}, NewValue(out.Count()));
      SetValue(o, kRow, s.out);
      return Status::Ok();
    }
    case NetOpType::Concatenation: {
      const bool channels = Is4d(in) && op.axis == 3;
      const Layout l = channels ? kChw : kRow;
      std::vector<int> ins;
      for (int t : op.inputs) ins.push_back(Need(t, l));
      NetExecutor::Step& s = Emit(channels ? K::ConcatChannels : K::ConcatRows, &op, ins, NewValue(out.Count()));
      s.clamp = Clamp(op.act);
      s.outer = 1;
      for (int d = 0; d < op.axis; ++d) s.outer *= size_t(in.shape[size_t(d)]);
      for (int t : op.inputs) s.sizes.push_back(T(t).Count() / std::max<size_t>(s.outer, 1));
      if (s.outer == 0) s.outer = 1;
      if (channels) s.outer = 1;  // CHW: each input is one contiguous block
      if (channels) {
        s.sizes.clear();
        for (int t : op.inputs) s.sizes.push_back(T(t).Count());
      }
      SetValue(o, l, s.out);
      return Status::Ok();
    }
    case NetOpType::DepthToSpace: {
      NetExecutor::Step& s = Emit(K::DepthToSpace, &op, {Need(op.inputs[0], kChw)}, NewValue(out.Count()));
      spatial(s);
      s.mult = op.block_size;
      SetValue(o, kChw, s.out);
      return Status::Ok();
    }
    case NetOpType::Mean: {
      NetExecutor::Step& s = Emit(K::Mean, &op, {Need(op.inputs[0], kChw)}, NewValue(out.Count()));
      s.c = size_t(in.shape[3]);  // the output may be [1,C]: only the input's extents
      s.h = size_t(in.shape[1]);
      s.w = size_t(in.shape[2]);
      SetValue(o, kRow, s.out);  // [1,C] or [1,1,1,C]: one layout
      return Status::Ok();
    }
  }
  return Fail(op, "not supported by the executor");
}

// Liveness: a value's buffer returns to the pool after its last reader; the
// smallest free buffer that fits is reused.
void NetLowering::AssignBuffers() {
  const size_t nv = ex_.value_size_.size();
  std::vector<int> last(nv, -1);
  for (size_t i = 0; i < ex_.steps_.size(); ++i)
    for (int v : ex_.steps_[i].in) last[size_t(v)] = int(i);
  for (const auto& out : ex_.outputs_) last[size_t(out.value)] = int(ex_.steps_.size());
  last[0] = std::max(last[0], 0);
  ex_.value_buffer_.assign(nv, -1);
  std::vector<size_t> cap;
  std::vector<int> free_list;
  auto take = [&](size_t size) {
    int best = -1;
    for (size_t f = 0; f < free_list.size(); ++f) {
      int b = free_list[f];
      if (cap[size_t(b)] >= size && (best < 0 || cap[size_t(b)] < cap[size_t(free_list[size_t(best)])])) best = int(f);
    }
    if (best >= 0) {
      int b = free_list[size_t(best)];
      free_list.erase(free_list.begin() + best);
      return b;
    }
    cap.push_back(size);
    return int(cap.size() - 1);
  };
  ex_.value_buffer_[0] = take(ex_.value_size_[0]);
  for (size_t i = 0; i < ex_.steps_.size(); ++i) {
    const NetExecutor::Step& s = ex_.steps_[i];
    ex_.value_buffer_[size_t(s.out)] = take(ex_.value_size_[size_t(s.out)]);
    if (last[size_t(s.out)] < 0) last[size_t(s.out)] = int(i);  // written but never read: free right away
    for (int v : s.in)
      if (last[size_t(v)] == int(i) && std::count(s.in.begin(), s.in.end(), v) >= 1) {
        if (std::find(free_list.begin(), free_list.end(), ex_.value_buffer_[size_t(v)]) == free_list.end())
          free_list.push_back(ex_.value_buffer_[size_t(v)]);
      }
    if (last[size_t(s.out)] == int(i)) free_list.push_back(ex_.value_buffer_[size_t(s.out)]);
  }
  ex_.buffers_.resize(cap.size());
  for (size_t b = 0; b < cap.size(); ++b) ex_.buffers_[b].assign(std::max<size_t>(cap[b], 1), 0.f);
}

Status NetLowering::Begin() {
  if (net_.inputs.size() != 1)
    return Status::Error(net_.name + ": models with " + std::to_string(net_.inputs.size()) +
                         " inputs are not supported (one image input)");
  const NetTensor& in = T(net_.inputs[0]);
  ex_.input_shape_ = in.shape;
  ex_.input_size_ = in.Count();
  values_.clear();
  for (size_t t = 0; t < net_.tensors.size(); ++t) values_[int(t)] = {-1, -1};
  SetValue(net_.inputs[0], kRow, NewValue(in.Count()));  // value 0: the caller's NHWC input
  Fuse();
  return Status::Ok();
}

Status NetLowering::Finish() {
  for (int t : net_.outputs) {
    NetExecutor::OutputInfo oi;
    oi.value = Need(t, kRow);
    oi.size = T(t).Count();
    oi.shape = T(t).shape;
    oi.name = T(t).name;
    ex_.outputs_.push_back(oi);
  }
  AssignBuffers();
  for (const NetExecutor::Step& s : ex_.steps_) {
    NetExecutor::StepTime st;
    st.file_index = s.op >= 0 ? ops_[size_t(s.op)].file_index : -1;
    st.op = s.op >= 0 ? NetOpName(ops_[size_t(s.op)].type) : (s.kind == NetExecutor::StepKind::ToChw ? "to CHW" : "to NHWC");
    if (s.kind == NetExecutor::StepKind::Spmm) st.op += " (spmm)";
    ex_.times_.push_back(st);
  }
  int sparse = ex_.SparseLayers();
  const kernels::NnKernels& k = k_;
  ex_.description_ = "own " + k.isa + ": " + std::to_string(sparse) + " of " + std::to_string(ex_.pointwise_.size()) +
                     " 1x1 layers on " + (sparse ? k.spmm_name : k.conv1x1_name) +
                     (sparse && size_t(sparse) < ex_.pointwise_.size() ? ", the rest on " + k.conv1x1_name : "");
  return Status::Ok();
}

Status NetLowering::Run() {
  if (Status s = Begin(); !s) return s;
  for (size_t i = 0; i < NumOps(); ++i)
    if (Status s = StepOp(i); !s) return s;
  return Finish();
}

struct NetExecutorBuilder::Impl {
  // The executor lives on the heap so the lowering's reference to it (and to
  // its options) stays valid until Take moves it out.
  std::unique_ptr<NetExecutor> ex = std::make_unique<NetExecutor>();
  std::unique_ptr<NetLowering> low;
  Status status = Status::Ok();
  size_t next = 0;
  bool begun = false, done = false, taken = false;
};

NetExecutorBuilder::NetExecutorBuilder(const Net& net, const kernels::NnKernels& k, const NetExecutorOptions& opt)
    : impl_(std::make_unique<Impl>()) {
  impl_->ex->k_ = &k;
  impl_->ex->opt_ = opt;
  impl_->low = std::make_unique<NetLowering>(net, k, impl_->ex->opt_, *impl_->ex);
}
NetExecutorBuilder::~NetExecutorBuilder() = default;

bool NetExecutorBuilder::Step() {
  Impl& m = *impl_;
  if (m.done) return true;
  Status st = Status::Ok();
  if (!m.begun) {
    st = m.low->Begin();
    m.begun = true;
  } else if (m.next < m.low->NumOps()) {
    st = m.low->StepOp(m.next++);
  } else {
    st = m.low->Finish();
    m.done = true;
  }
  if (!st) {
    m.status = st;
    m.done = true;
  }
  return m.done;
}

size_t NetExecutorBuilder::OpsDone() const { return impl_->next; }
size_t NetExecutorBuilder::OpsTotal() const { return impl_->begun ? impl_->low->NumOps() : 0; }
float NetExecutorBuilder::Progress() const {
  if (impl_->done) return 1.f;
  const size_t n = OpsTotal();
  return n ? float(impl_->next) / float(n + 1) : 0.f;
}
const Status& NetExecutorBuilder::status() const { return impl_->status; }

Result<NetExecutor> NetExecutorBuilder::Take() {
  Impl& m = *impl_;
  if (!m.done) return Status::Error("NetExecutorBuilder::Take before the last step");
  if (!m.status) return m.status;
  if (m.taken) return Status::Error("NetExecutorBuilder::Take called twice");
  m.taken = true;
  m.low.reset();
  return std::move(*m.ex);
}

Result<NetExecutor> NetExecutor::Create(const Net& net, const kernels::NnKernels& k, const NetExecutorOptions& opt) {
  NetExecutorBuilder b(net, k, opt);
  while (!b.Step()) {
  }
  return b.Take();
}

int NetExecutor::SparseLayers() const {
  int n = 0;
  for (const PointwiseInfo& p : pointwise_) n += p.sparse ? 1 : 0;
  return n;
}

size_t NetExecutor::BufferBytes() const {
  size_t b = 0;
  for (const auto& v : buffers_) b += v.size() * sizeof(float);
  return b;
}

void NetExecutor::Run(const float* input_nhwc) {
  std::memcpy(Buf(0), input_nhwc, input_size_ * sizeof(float));
  for (size_t i = 0; i < steps_.size(); ++i) {
    if (!opt_.time_ops) {
      RunStep(steps_[i]);
      continue;
    }
    double t0 = NowMs();
    RunStep(steps_[i]);
    times_[i].total_ms += NowMs() - t0;
  }
}

void NetExecutor::RunStep(const Step& s) {
  using K = StepKind;
  const float* x = Buf(s.in.empty() ? 0 : s.in[0]);
  float* y = Buf(s.out);
  const size_t hw = s.h * s.w, ohw = s.oh * s.ow;
  switch (s.kind) {
    case K::ToChw:
      for (size_t p = 0; p < hw; ++p)
        for (size_t c = 0; c < s.c; ++c) y[c * hw + p] = x[p * s.c + c];
      return;
    case K::ToHwc:
      for (size_t c = 0; c < s.c; ++c)
        for (size_t p = 0; p < hw; ++p) y[p * s.c + c] = x[c * hw + p];
      return;
    case K::ConvFirst:
      k_->conv_hwc2chw_3x3s2(s.h, s.w, s.oc, x, s.packed.data(), y, s.clamp);
      return;
    case K::ConvGeneric: {
      std::vector<float> acc(s.oc);  // small (output channels); the generic path is not the hot one
      const float* wt = s.packed.data() + s.oc;
      for (size_t oy = 0; oy < s.oh; ++oy)
        for (size_t ox = 0; ox < s.ow; ++ox) {
          std::copy(s.packed.begin(), s.packed.begin() + long(s.oc), acc.begin());
          for (int ky = 0; ky < s.kh; ++ky) {
            long iy = long(oy) * s.sh - s.pt + long(ky) * s.dh;
            if (iy < 0 || iy >= long(s.h)) continue;
            for (int kx = 0; kx < s.kw; ++kx) {
              long ix = long(ox) * s.sw - s.pl + long(kx) * s.dw;
              if (ix < 0 || ix >= long(s.w)) continue;
              const float* px = x + (size_t(iy) * s.w + size_t(ix)) * s.c;
              const float* wk = wt + size_t(ky * s.kw + kx) * s.c * s.oc;
              for (size_t ci = 0; ci < s.c; ++ci) {
                const float v = px[ci];
                const float* wr = wk + ci * s.oc;
                for (size_t o = 0; o < s.oc; ++o) acc[o] += v * wr[o];
              }
            }
          }
          const size_t p = oy * s.ow + ox;
          for (size_t o = 0; o < s.oc; ++o) y[o * ohw + p] = Apply(acc[o], s.clamp);
        }
      return;
    }
    case K::Conv1x1:
      k_->conv1x1(hw, s.c, s.oc, x, s.packed.data(), y, s.clamp);
      return;
    case K::Spmm:
      s.spmm(hw, s.oc, x, s.sp.weights.data(), s.sp.deltas.data(), s.sp.nnz.data(), y, s.clamp);
      return;
    case K::Dw3x3:
      s.dwfn(s.h, s.w, s.c, x, s.packed.data(), y, s.clamp);
      return;
    case K::DwGeneric: {
      const size_t taps = size_t(s.kh * s.kw);
      for (size_t o = 0; o < s.oc; ++o) {
        const float* wo = s.packed.data() + o * (taps + 1);
        const float* xc = x + (o / size_t(s.mult)) * hw;
        float* yo = y + o * ohw;
        for (size_t oy = 0; oy < s.oh; ++oy)
          for (size_t ox = 0; ox < s.ow; ++ox) {
            float acc = wo[0];
            for (int ky = 0; ky < s.kh; ++ky) {
              long iy = long(oy) * s.sh - s.pt + long(ky) * s.dh;
              if (iy < 0 || iy >= long(s.h)) continue;
              for (int kx = 0; kx < s.kw; ++kx) {
                long ix = long(ox) * s.sw - s.pl + long(kx) * s.dw;
                if (ix < 0 || ix >= long(s.w)) continue;
                acc += xc[size_t(iy) * s.w + size_t(ix)] * wo[1 + size_t(ky * s.kw + kx)];
              }
            }
            yo[oy * s.ow + ox] = Apply(acc, s.clamp);
          }
      }
      return;
    }
    case K::Binary: {
      const size_t n = value_size_[size_t(s.out)];
      const bool mul = s.type == NetOpType::Mul;
      if (s.in.size() == 2) {
        const float* b = Buf(s.in[1]);
        if (!mul) {
          k_->add(n, x, b, y, s.clamp);
        } else {
          for (size_t i = 0; i < n; ++i) y[i] = Apply(x[i] * b[i], s.clamp);
        }
        return;
      }
      const size_t m = s.constant.size();
      for (size_t i = 0; i < n; ++i) {
        // constant: full (same layout), per channel (CHW planes of `inner`, or the last NHWC axis), or scalar
        const float b = m == n ? s.constant[i] : m == 1 ? s.constant[0] : s.inner > 1 ? s.constant[(i / s.inner) % m] : s.constant[i % m];
        y[i] = Apply(mul ? x[i] * b : x[i] + b, s.clamp);
      }
      return;
    }
    case K::Unary: {
      const size_t n = value_size_[size_t(s.out)];
      if (s.type == NetOpType::Logistic) {
        for (size_t i = 0; i < n; ++i) y[i] = 1.f / (1.f + std::exp(-x[i]));
      } else {
        for (size_t i = 0; i < n; ++i) y[i] = Apply(x[i], s.clamp);
      }
      return;
    }
    case K::Pad: {
      const size_t t = s.sizes[2], l = s.sizes[4], cb = s.sizes[6];
      std::fill(y, y + s.oc * ohw, 0.f);
      for (size_t c = 0; c < s.c; ++c)
        for (size_t iy = 0; iy < s.h; ++iy)
          std::memcpy(y + (c + cb) * ohw + (iy + t) * s.ow + l, x + c * hw + iy * s.w, s.w * sizeof(float));
      return;
    }
    case K::Pool: {
      const bool mx = s.type == NetOpType::MaxPool2D;
      for (size_t c = 0; c < s.c; ++c)
        for (size_t oy = 0; oy < s.oh; ++oy)
          for (size_t ox = 0; ox < s.ow; ++ox) {
            float acc = mx ? -3.4e38f : 0.f;
            int n = 0;
            // Only the window's taps inside the input are visited: a file's SAME
            // window may be huge (2^30 wide) while the input is a few pixels.
            const long y0 = long(oy) * s.sh - s.pt, x0 = long(ox) * s.sw - s.pl;
            const long ky1 = std::min(long(s.kh), long(s.h) - y0), kx1 = std::min(long(s.kw), long(s.w) - x0);
            for (long ky = std::max(0L, -y0); ky < ky1; ++ky)
              for (long kx = std::max(0L, -x0); kx < kx1; ++kx) {
                const float v = x[c * hw + size_t(y0 + ky) * s.w + size_t(x0 + kx)];
                acc = mx ? std::max(acc, v) : acc + v;
                ++n;
              }
            if (!mx) acc = n ? acc / float(n) : 0.f;  // TFLite averages over the valid taps only
            y[c * ohw + oy * s.ow + ox] = Apply(acc, s.clamp);
          }
      return;
    }
    case K::Resize: {
      // TFLite's RESIZE_BILINEAR coordinate rules (align_corners, half_pixel_centers).
      auto scale = [&](size_t in, size_t out) {
        return s.align_corners && out > 1 ? float(in - 1) / float(out - 1) : float(in) / float(out);
      };
      const float sy = scale(s.h, s.oh), sx = scale(s.w, s.ow);
      auto src = [&](size_t o, float sc, size_t in, size_t& lo, size_t& hi) {
        float v = s.half_pixel ? (float(o) + 0.5f) * sc - 0.5f : float(o) * sc;
        float f = std::floor(v);
        lo = size_t(std::max(f, 0.f));
        hi = std::min(size_t(std::max(std::ceil(v), 0.f)), in - 1);
        lo = std::min(lo, in - 1);
        return v - float(lo);
      };
      for (size_t oy = 0; oy < s.oh; ++oy) {
        size_t y0, y1;
        const float dy = src(oy, sy, s.h, y0, y1);
        for (size_t ox = 0; ox < s.ow; ++ox) {
          size_t x0, x1;
          const float dx = src(ox, sx, s.w, x0, x1);
          for (size_t c = 0; c < s.c; ++c) {
            const float* p = x + c * hw;
            y[c * ohw + oy * s.ow + ox] = p[y0 * s.w + x0] * (1 - dy) * (1 - dx) + p[y1 * s.w + x0] * dy * (1 - dx) +
                                          p[y0 * s.w + x1] * (1 - dy) * dx + p[y1 * s.w + x1] * dy * dx;
          }
        }
      }
      return;
    }
    case K::Copy:
      std::memcpy(y, x, value_size_[size_t(s.out)] * sizeof(float));
      return;
    case K::ConcatChannels:
    case K::ConcatRows: {
      size_t pos = 0;
      for (size_t o = 0; o < s.outer; ++o)
        for (size_t i = 0; i < s.in.size(); ++i) {
          const float* src = Buf(s.in[i]) + o * s.sizes[i];
          for (size_t k = 0; k < s.sizes[i]; ++k) y[pos + k] = Apply(src[k], s.clamp);
          pos += s.sizes[i];
        }
      return;
    }
    case K::DepthToSpace: {
      const size_t b = size_t(s.mult);
      for (size_t c = 0; c < s.oc; ++c)
        for (size_t iy = 0; iy < s.h; ++iy)
          for (size_t ix = 0; ix < s.w; ++ix)
            for (size_t dy = 0; dy < b; ++dy)
              for (size_t dx = 0; dx < b; ++dx)
                y[c * ohw + (iy * b + dy) * s.ow + ix * b + dx] = x[((dy * b + dx) * s.oc + c) * hw + iy * s.w + ix];
      return;
    }
    case K::Fc:
      k_->fc(s.c, s.oc, x, s.packed.data(), y, s.clamp);
      return;
    case K::Mean:
      k_->gavgpool(hw, s.c, x, y);
      return;
  }
}

}  // namespace fk::nn
