// .tflite models (a dropped model in the Sparse panel, `fieldkit-cli sparse
// --model FILE`): ImportTflite over the bytes; a model that imports is lowered
// by NetExecutor::Create on the scalar kernels (1x1 layers dense or sparse,
// by the input's length) and, when small enough to run in a few
// milliseconds, run once on zeros.
#include <algorithm>

#include "../fuzz_target.h"
#include "kernels/nn_kernels.h"
#include "nn/net_executor.h"
#include "nn/tflite.h"

namespace fk::fuzz {
namespace {

// Multiply-adds (or element visits) of one inference, from the declared shapes.
double Work(const nn::Net& net) {
  double w = 0;
  for (const nn::NetOp& op : net.ops) {
    const double out = double(net.tensors[size_t(op.outputs[0])].Count());
    const nn::NetTensor& in = net.tensors[size_t(op.inputs[0])];
    switch (op.type) {
      case nn::NetOpType::Conv2D:
      case nn::NetOpType::FullyConnected: {
        const nn::NetTensor& wt = net.tensors[size_t(op.inputs[1])];
        const double per_out = wt.shape.empty() || wt.shape[0] == 0 ? 0 : double(wt.Count()) / wt.shape[0];
        w += out * per_out;
        break;
      }
      case nn::NetOpType::DepthwiseConv2D: {
        const nn::NetTensor& wt = net.tensors[size_t(op.inputs[1])];
        w += out * (wt.shape.size() == 4 ? double(wt.shape[1]) * wt.shape[2] : 1.0);
        break;
      }
      case nn::NetOpType::MaxPool2D:
      case nn::NetOpType::AveragePool2D:
        // The executor visits only the taps inside the input (a file's window may be huge).
        if (in.shape.size() == 4)
          w += out * double(std::min(op.filter_h, in.shape[1])) * double(std::min(op.filter_w, in.shape[2]));
        break;
      default:
        w += out + double(in.Count());
    }
    w += out;
  }
  return w;
}

}  // namespace

Outcome NnTflite(const uint8_t* data, size_t size) {
  Outcome o;
  auto net = nn::ImportTflite(data, size, "fuzz.tflite");
  o.Set(net.status());
  if (!net) {
    o.Check(net.status().message().rfind("fuzz.tflite: ", 0) == 0, "an import error does not name the file");
    return o;
  }
  // What the importer promises: constants decoded to their shape, ops over existing tensors.
  for (const nn::NetTensor& t : net->tensors)
    if (t.constant) o.Check(t.data.size() == t.Count() || t.ints.size() == t.Count(), "a constant's values do not fill its shape");
  for (const nn::NetOp& op : net->ops) {
    o.Check(!op.inputs.empty() && op.outputs.size() == 1, "an imported op has no input or not one output");
    for (int t : op.inputs) o.Check(t >= -1 && t < int(net->tensors.size()), "an op reads a tensor that does not exist");
  }
  if (!o.broken.empty()) return o;
  // Activation memory and work bounded, so one exec stays in milliseconds.
  double values = 0;
  for (const nn::NetTensor& t : net->tensors) values += t.constant ? 0 : double(t.Count());
  if (values > 4e6 || Work(*net) > 4e6) return o;
  nn::NetExecutorOptions opt;
  opt.sparse = size % 2 ? nn::SparseChoice::Always : nn::SparseChoice::Never;
  auto ex = nn::NetExecutor::Create(*net, kernels::ScalarNnKernels(), opt);
  if (!ex) {
    o.Check(!ex.status().message().empty(), "NetExecutor::Create failed without a message");
    return o;
  }
  std::vector<float> input(ex->InputSize(), 0.f);
  ex->Run(input.data());
  o.Check(ex->NumOutputs() == net->outputs.size(), "the executor does not have the model's outputs");
  for (size_t i = 0; i < ex->NumOutputs(); ++i)
    o.Check(ex->OutputSize(i) == net->tensors[size_t(net->outputs[i])].Count(), "an output's size is not its tensor's");
  return o;
}

}  // namespace fk::fuzz
