// The sparse model file (.fks): a versioned little-endian binary with a CRC32
// over the payload. Sparse 1x1 layers are stored CSR by output channel (or
// block of channels) with 8- or 16-bit input-channel deltas (escape codes for
// larger gaps, whichever is smaller per layer); everything else stays dense.
// Values are fp32 or fp16. Loading validates everything and never trusts a count
// before checking it against the bytes that remain.
//
//   fk::nn::SaveOptions so;  so.fp16 = true;
//   fk::Status s = fk::nn::SaveModel(model, "m.fks", so);
//   fk::Result<fk::nn::Model> r = fk::nn::LoadModel("m.fks");   // r.status().message() on failure
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/crc32.h"
#include "core/status.h"
#include "nn/graph.h"

namespace fk::nn {

constexpr char kFksMagic[4] = {'F', 'K', 'S', 'M'};
constexpr uint32_t kFksVersion = 1;     // a MobileNet Model (this file)
constexpr uint32_t kFksNetVersion = 2;  // an imported Net (net_file.h): same container, a graph payload
constexpr size_t kFksHeaderBytes = 24;  // magic, version, payload bytes (u64), crc32, reserved
// Loading refuses a model with more weights than this (256 MB as fp32, ~10x
// MobileNetV2 1.4) before allocating them: a CSR layer expands to dense from
// a few bytes per row, so the file's size alone does not bound it.
constexpr uint64_t kFksMaxWeights = uint64_t(1) << 26;
// ... or a layer whose output holds more values than this (the executors allocate it).
constexpr uint64_t kFksMaxActivation = uint64_t(1) << 26;

struct SaveOptions {
  bool fp16 = false;    // values (weights and biases) as IEEE half, round to nearest even
  bool sparse = true;   // CSR for layers marked sparse; false stores every layer dense
  int index_bits = 0;   // 0 = smallest that fits per layer; 8 or 16 to force (tests)
};

using fk::Crc32;  // core/crc32.h

// Serialises a model (masks are baked in first: the file holds what runs).
Result<std::vector<uint8_t>> SaveModelBytes(const Model& m, const SaveOptions& opt = {});
Status SaveModel(const Model& m, const std::string& path, const SaveOptions& opt = {});

// `name` prefixes every error message (the file name).
Result<Model> LoadModelBytes(const uint8_t* data, size_t n, const std::string& name = "model");
Result<Model> LoadModel(const std::string& path);

// The same save and load in slices, so the page never spends a frame on a
// whole model: a layer per Step (the checksum follows as bytes are written;
// loading checks it in 4 MB chunks first). Same bytes, same model, same
// messages as SaveModelBytes / LoadModelBytes, which run these to the end.
//   ModelSaver s(model, so);  while (!s.Step()) ShowProgress(s.Progress());  bytes = s.Take();
class ModelSaver {
 public:
  // m must outlive the saver. `reuse`: a buffer from an earlier Take() to write into (its pages are
  // already mapped: a big file's fresh pages cost more than writing it, 100+ ms steps in the page).
  ModelSaver(const Model& m, const SaveOptions& opt = {}, std::vector<uint8_t> reuse = {});
  ~ModelSaver();
  bool Step();  // true when finished or failed
  const Status& status() const;
  float Progress() const;
  std::vector<uint8_t> Take();  // the file's bytes, once Step() returned true with an ok status

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct FileInfo;
class ModelLoader {
 public:
  ModelLoader(const uint8_t* data, size_t n, const std::string& name = "model");  // data must outlive the loader
  ~ModelLoader();
  bool Step();  // true when finished or failed
  const Status& status() const;
  float Progress() const;
  Model Take();                  // once Step() returned true with an ok status
  const FileInfo& Info() const;  // what InspectModelBytes returns

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// File sizes measured by actually serialising the model four ways.
struct ModelSizes {
  uint64_t dense_fp32 = 0, dense_fp16 = 0, sparse_fp32 = 0, sparse_fp16 = 0;
};
Result<ModelSizes> ComputeModelSizes(const Model& m);

// What `fieldkit-cli sparse info` prints: per layer storage, index width, nnz.
struct FileLayerInfo {
  std::string name, storage;  // "none", "dense", "csr"
  int index_bits = 0, block = 1;
  uint64_t weights = 0, nonzeros = 0, bytes = 0;
};
struct FileInfo {
  uint32_t version = 0;
  uint64_t file_bytes = 0;
  bool fp16 = false;
  std::vector<FileLayerInfo> layers;
};
Result<FileInfo> InspectModelBytes(const uint8_t* data, size_t n, const std::string& name = "model");

// fk::ReadFileBytes with this reader's wording for a missing file (the CLI and
// the sparse panel show it).
Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path);
Status WriteFileBytes(const std::string& path, const std::vector<uint8_t>& bytes);  // whole file, names the path on failure

}  // namespace fk::nn
