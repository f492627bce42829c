// .fks model files (a dropped model in the Sparse panel, `fieldkit-cli sparse
// info/run`): LoadModel from a path, then, so the fuzzer gets past the
// checksum, the same bytes with the header's payload size and CRC made right
// through the sliced ModelLoader. A model that loads is saved and loaded back
// and, when small enough to run in a few milliseconds, run once.
#include <cstring>

#include "../fuzz_target.h"
#include "kernels/nn_kernels.h"
#include "nn/executor.h"
#include "nn/model_file.h"

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
  nn::ModelLoader loader(bytes.data(), bytes.size(), "fixed.fks");
  while (!loader.Step()) {
  }
  if (size == 0 || std::memcmp(bytes.data(), data, size) == 0)
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
