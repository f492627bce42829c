// TFLite model import: reads the .tflite flatbuffer (TFLite's schema.fbs,
// identifier "TFL3") with a bounds-checked reader of our own and lowers it to
// a Net (net.h). Supported: fp32 activations; fp32, fp16 (behind DEQUANTIZE),
// int8 (per-tensor or per-channel, behind DEQUANTIZE) and sparse
// (SparsityParameters, behind DENSIFY) constants; the operators listed in
// NetOpType. Anything else is an error naming the operator, its index and the
// file, never a crash: every offset, count and shape is checked before use.
//
//   auto bytes = fk::nn::ReadFileBytes("face_detection_full_range_sparse.tflite");
//   fk::Result<fk::nn::Net> net = fk::nn::ImportTflite(bytes->data(), bytes->size(), "face...sparse.tflite");
//   if (!net) std::puts(net.status().message().c_str());  // "face.tflite: operator #12 (CUSTOM 'foo') is not supported"
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/status.h"
#include "nn/net.h"

namespace fk::nn {

// Limits checked before allocating (a few bytes of flatbuffer can declare huge shapes).
constexpr size_t kTfliteMaxTensorValues = size_t(1) << 26;
constexpr size_t kTfliteMaxTensors = 1 << 16;

Result<Net> ImportTflite(const uint8_t* data, size_t size, const std::string& name);
Result<Net> ImportTfliteFile(const std::string& path);

// True when the bytes look like a TFLite flatbuffer (identifier "TFL3" at byte 4).
bool LooksLikeTflite(const uint8_t* data, size_t size);

}  // namespace fk::nn
