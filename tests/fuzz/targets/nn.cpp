// .fks model files (a dropped model in the Sparse panel, `fieldkit-cli sparse
// info/run`): LoadModel from a path, then, so the fuzzer gets past the
// checksum, the same bytes with the header's payload size and CRC made right
// through the sliced ModelLoader. A model that loads is saved and loaded back
// and, when small enough to run in a few milliseconds, run once. Version 2
// files (an imported network, `sparse import`) take the same path through
// LoadNetFile / LoadNetBytes, SaveNetBytes and NetExecutor.
#include <algorithm>
#include <cstring>

#include "../fuzz_target.h"
#include "kernels/nn_kernels.h"
#include "nn/executor.h"
#include "nn/model_file.h"
#include "nn/net_executor.h"
#include "nn/net_file.h"

namespace fk::fuzz {
namespace {

// Bit for bit, except that -0 may come back as 0 (sparse storage keeps
// nonzeros only) and any NaN as a NaN.
bool SameFloats(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    uint32_t x, y;
    std::memcpy(&x, &a[i], 4);
    std::memcpy(&y, &b[i], 4);
    if (x != y && !(a[i] == 0.f && b[i] == 0.f) && !(a[i] != a[i] && b[i] != b[i])) return false;
  }
  return true;
}

// Multiply-adds of one inference, from the shapes InferShapes filled in.
double Work(const nn::Model& m) {
  double w = double(m.in_h) * m.in_w * m.in_c;
  for (const nn::Layer& l : m.layers) {
    const double out = double(l.out_h) * l.out_w * l.out_c;
    if (l.kind == nn::LayerKind::Conv) w += out * (l.in_c / l.groups) * l.kernel * l.kernel;
    else if (l.kind == nn::LayerKind::FullyConnected) w += double(l.in_c) * l.out_c;
    else w += double(l.in_h) * l.in_w * l.in_c + out;
  }
  return w;
}

// Multiply-adds (roughly) of one inference of an imported network.
double Work(const nn::Net& n) {
  double w = 0;
  for (const nn::NetOp& op : n.ops) {
    const double out = double(n.tensors[size_t(op.outputs[0])].Count());
    const double in = double(n.tensors[size_t(op.inputs[0])].Count());
    if (op.type == nn::NetOpType::Conv2D || op.type == nn::NetOpType::FullyConnected) {
      const nn::NetTensor& wt = n.tensors[size_t(op.inputs[1])];
      w += out * double(wt.Count()) / double(std::max(wt.shape.empty() ? 1 : wt.shape[0], 1));
    } else if (op.type == nn::NetOpType::DepthwiseConv2D) {
      w += out * op.filter_h * op.filter_w;
    } else if (op.type == nn::NetOpType::MaxPool2D || op.type == nn::NetOpType::AveragePool2D) {
      w += out * op.filter_h * op.filter_w;
    } else {
      w += in + out;
    }
  }
  return w;
}

// A version 2 file: the imported-network loader, on the raw and the fixed bytes.
Outcome NetFile(Outcome o, const std::string& path, const std::vector<uint8_t>& fixed, bool same) {
  auto raw = nn::LoadNetFile(path);
  auto net = nn::LoadNetBytes(fixed.data(), fixed.size(), "fixed.fks");
  if (same) o.Check(raw.ok() == net.ok(), "LoadNetFile and LoadNetBytes disagree on the same bytes");
  o.Set(same ? raw.status() : net.status());
  o.ok = same ? raw.ok() : net.ok();
  if (!net) {
    o.Check(!net.status().message().empty(), "LoadNetBytes failed without a message");
    return o;
  }
  // Saved again (fp32 and fp16), it loads back with the same operators and outputs.
  for (bool fp16 : {false, true}) {
    nn::SaveOptions so;
    so.fp16 = fp16;
    auto saved = nn::SaveNetBytes(*net, so);
    o.Check(saved.ok(), "a loaded network does not save: " + saved.status().message());
    if (!saved) continue;
    auto back = nn::LoadNetBytes(saved->data(), saved->size(), "saved.fks");
    o.Check(back.ok(), "a saved network does not load: " + back.status().message());
    if (back) o.Check(back->ops.size() == net->ops.size(), "a saved network loads back with other operators");
  }
  if (Work(*net) <= 4e6) {
    nn::NetExecutorOptions eo;
    eo.sparse = nn::SparseChoice::Always;
    auto ex = nn::NetExecutor::Create(*net, kernels::BestNnKernels(), eo);
    if (ex) {
      std::vector<float> input(ex->InputSize());
      for (size_t i = 0; i < input.size(); i++) input[i] = float(i % 17) * 0.125f - 1.f;
      ex->Run(input.data());
      o.Check(ex->NumOutputs() == net->outputs.size(), "the executor lost an output");
    } else {
      o.Check(!ex.status().message().empty(), "NetExecutor::Create failed without a message");
    }
  }
  return o;
}

}  // namespace

Outcome NnModelFile(const uint8_t* data, size_t size) {
  Outcome o;
  const std::string path = WriteScratchFile("model.fks", std::string_view(reinterpret_cast<const char*>(data), size));
  auto raw = nn::LoadModel(path);
  o.Set(raw.status());
  o.ok = raw.ok();

  std::vector<uint8_t> bytes(data, data + size);
  if (size >= nn::kFksHeaderBytes && std::memcmp(data, nn::kFksMagic, 4) == 0) {
    const uint64_t payload = size - nn::kFksHeaderBytes;
    const uint32_t lo = uint32_t(payload), hi = uint32_t(payload >> 32);
    const uint32_t crc = nn::Crc32(bytes.data() + nn::kFksHeaderBytes, size_t(payload));
    std::memcpy(&bytes[8], &lo, 4);
    std::memcpy(&bytes[12], &hi, 4);
    std::memcpy(&bytes[16], &crc, 4);
  }
  const bool same = size == 0 || std::memcmp(bytes.data(), data, size) == 0;
  if (nn::FksFileVersion(bytes.data(), bytes.size()) == nn::kFksNetVersion) return NetFile(o, path, bytes, same);
  nn::ModelLoader loader(bytes.data(), bytes.size(), "fixed.fks");
  while (!loader.Step()) {
  }
  if (same)
    o.Check(loader.status().ok() == raw.ok(), "ModelLoader and LoadModel disagree on the same bytes");
  if (!loader.status()) {
    o.Check(!loader.status().message().empty(), "ModelLoader failed without a message");
    return o;
  }
  const nn::FileInfo info = loader.Info();
  nn::Model m = loader.Take();
  o.Check(info.layers.size() == m.layers.size() && info.file_bytes == size, "FileInfo does not describe the model");

  // Saved as it would be exported, the model loads back with the same weights.
  auto saved = nn::SaveModelBytes(m, {});
  o.Check(saved.ok(), "a loaded model does not save: " + saved.status().message());
  if (saved) {
    auto back = nn::LoadModelBytes(saved->data(), saved->size(), "saved.fks");
    o.Check(back.ok(), "a saved model does not load: " + back.status().message());
    if (back) {
      bool same = back->layers.size() == m.layers.size();
      for (size_t i = 0; same && i < m.layers.size(); i++)
        same = SameFloats(back->layers[i].weights, m.layers[i].weights) &&
               SameFloats(back->layers[i].bias, m.layers[i].bias);
      o.Check(same, "a saved model loads back with other weights");
    }
  }

  // `sparse run`: small models only, so an exec stays in milliseconds.
  if (Work(m) <= 4e6) {
    auto ex = nn::Executor::Create(m, kernels::BestNnKernels());
    if (ex) {
      std::vector<float> input(ex->InputSize());
      for (size_t i = 0; i < input.size(); i++) input[i] = float(i % 17) * 0.125f - 1.f;
      ex->Run(input.data());
      o.Check(ex->OutputSize() > 0 && ex->Output() != nullptr, "the executor has no output");
    } else {
      o.Check(!ex.status().message().empty(), "Executor::Create failed without a message");
    }
  }
  return o;
}

}  // namespace fk::fuzz
