// An imported network (net.h) in our .fks container: version 2 of the file
// model_file.h describes (magic "FKSM", 24-byte header, CRC32 of the
// payload), whose payload is the compute graph: tensors with their constants,
// operators with every NetOp field, inputs, outputs and the import's summary.
// 1x1 convolution weights are stored CSR (the v1 CSR codes, fks_codec.h) when
// that is smaller than dense; other float constants dense, fp32 or fp16.
// Only tensors the graph uses are kept (the fp16 / sparse originals behind
// DEQUANTIZE / DENSIFY were folded at import), renumbered in order.
// Loading checks every count against the bytes that remain before
// allocating, every tensor id, shape and operator field (what ImportTflite
// checks), so a hostile file is an error naming it, never a crash.
//
//   fk::Result<fk::nn::Net> net = fk::nn::ImportTfliteFile("face.tflite");
//   fk::nn::SaveOptions so;  so.fp16 = true;
//   fk::Status s = fk::nn::SaveNet(*net, "face.fks", so);
//   fk::Result<fk::nn::Net> back = fk::nn::LoadNetFile("face.fks");   // runs on NetExecutor as the import did
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "nn/model_file.h"
#include "nn/net.h"

namespace fk::nn {

// SaveOptions (model_file.h): fp16 stores float constants as IEEE half (exact
// for weights the .tflite held as fp16); sparse = false stores every constant
// dense; index_bits forces the CSR code width (tests).
Result<std::vector<uint8_t>> SaveNetBytes(const Net& net, const SaveOptions& opt = {});
Status SaveNet(const Net& net, const std::string& path, const SaveOptions& opt = {});

// What `sparse import` and `sparse info` print about a v2 file.
struct NetFileInfo {
  uint32_t version = 0;
  uint64_t file_bytes = 0, source_bytes = 0;  // this file; the .tflite it was imported from
  std::string source;                         // that file's name
  bool fp16 = false;
  int csr_tensors = 0, dense_tensors = 0;     // float constants by storage
};

// `name` prefixes every error message and becomes Net::name; Net::file_bytes
// is n. `info`, when given, receives the file's own facts.
Result<Net> LoadNetBytes(const uint8_t* data, size_t n, const std::string& name = "model.fks", NetFileInfo* info = nullptr);
Result<Net> LoadNetFile(const std::string& path);

// The .fks version in the header (1 Model, 2 Net), 0 when the bytes are not a .fks file.
uint32_t FksFileVersion(const uint8_t* data, size_t n);

}  // namespace fk::nn
