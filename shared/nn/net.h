// An imported network (from a .tflite file, shared/nn/tflite.h): tensors and
// operators as the file declares them, batch 1, NHWC shapes, fp32 math.
// Import folds the weight-decoding ops away (DEQUANTIZE of fp16/int8
// constants, DENSIFY of sparse constants): what remains is the compute graph,
// with every constant as dense fp32 and a note of how the file stored it.
//
//   fk::Result<fk::nn::Net> n = fk::nn::ImportTflite(bytes.data(), bytes.size(), "face.tflite");
//   for (const fk::nn::NetOp& op : n->ops) ...;   // execution order
//   auto ex = fk::nn::NetExecutor::Create(*n, fk::kernels::BestNnKernels());   (net_executor.h)
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fk::nn {

struct NetTensor {
  std::string name;
  std::vector<int> shape;       // as declared (NHWC for images); rank 0 = scalar
  bool constant = false;        // weights, biases, shape/padding operands
  std::vector<float> data;      // float constants (decoded to fp32)
  std::vector<int32_t> ints;    // int32 constants (paddings, shapes, axes)
  // How the file stored a constant: "float32", "float16", "int8", "int32"; sparse
  // = TFLite SparsityParameters (densified at import).
  std::string stored_type;
  bool stored_sparse = false;
  size_t stored_bytes = 0;      // bytes of the constant's buffer in the file
  size_t Count() const;         // product of shape (1 for rank 0)
};

enum class NetOpType : uint8_t {
  Conv2D, DepthwiseConv2D, FullyConnected, Add, Mul, Relu, Relu6, Logistic,
  Pad, MaxPool2D, AveragePool2D, ResizeBilinear, Reshape, Concatenation, DepthToSpace, Mean
};
const char* NetOpName(NetOpType t);  // TFLite's names: "CONV_2D", ...

enum class NetAct : uint8_t { None, Relu, Relu6, ReluN1To1 };

struct NetOp {
  NetOpType type = NetOpType::Add;
  int file_index = 0;           // the operator's index in the .tflite subgraph (for messages)
  std::vector<int> inputs;      // tensor ids; -1 = optional operand absent (e.g. no bias)
  std::vector<int> outputs;
  NetAct act = NetAct::None;    // fused activation
  // Convolutions and pools: explicit padding (SAME resolved at import), NHWC sense.
  int stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int filter_h = 1, filter_w = 1;  // pools; convs take it from the weights
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int depth_multiplier = 1;
  int axis = 0;                 // Concatenation (normalised to >= 0)
  bool align_corners = false, half_pixel_centers = false;  // ResizeBilinear
  int block_size = 0;           // DepthToSpace
  bool keep_dims = false;       // Mean, FullyConnected
  std::vector<int> axes;        // Mean (normalised)
};

struct Net {
  std::string name;             // file name, for messages
  uint32_t file_version = 0;
  size_t file_bytes = 0;
  std::vector<NetTensor> tensors;
  std::vector<NetOp> ops;       // compute ops, execution order
  std::vector<int> inputs, outputs;
  // Every operator of the file by TFLite name with its count, folded ones
  // included (e.g. {"DEQUANTIZE", 178}), in first-seen order.
  std::vector<std::pair<std::string, int>> file_ops;
  size_t ParameterCount() const;  // values of float constants the operators read (weights, biases)
  int SparseStoredTensors() const;  // of those constants, how many the file stored sparse
};

}  // namespace fk::nn
