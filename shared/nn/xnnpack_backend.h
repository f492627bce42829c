// The same Model through XNNPACK's subgraph API (native builds with XNNPACK
// only; elsewhere Available() is false and Create fails cleanly). NHWC inside
// XNNPACK, HWC input like our executor; weights mapped from our OIHW. The
// runtime is built once; Invoke() is the only thing a benchmark should time.
// Softmax is left out: Output() are the logits.
//
//   if (fk::nn::XnnpackAvailable()) {
//     auto rt = fk::nn::XnnpackRunner::Create(model, {/*sparse_hint=*/true});
//     rt->SetInput(image_hwc);  rt->Invoke();  const float* logits = rt->Output();
//   }
#pragma once
#include <memory>
#include <string>

#include "core/status.h"
#include "nn/graph.h"
#include "nn/net.h"

namespace fk::nn {

bool XnnpackAvailable();
// Which XNNPACK API is built in: 2022 (Debian bookworm's binary, native), 2024
// (Debian trixie's source, wasm), 0 = none. 2022 has no concatenation node.
int XnnpackApi();

struct XnnpackOptions {
  bool sparse_hint = false;  // XNN_FLAG_HINT_SPARSE_INFERENCE (XNNPACK may ignore it)
};

class XnnpackRunner {
 public:
  virtual ~XnnpackRunner() = default;
  static Result<std::unique_ptr<XnnpackRunner>> Create(const Model& m, const XnnpackOptions& opt = {});
  virtual void SetInput(const float* input_hwc) = 0;  // copies into the runtime's input buffer
  virtual Status Invoke() = 0;                        // xnn_invoke_runtime only
  virtual const float* Output() const = 0;            // logits
  virtual size_t OutputSize() const = 0;
};

// An imported Net (net.h) through XNNPACK's subgraph API, NHWC as the file
// declares it, every operator one XNNPACK node (PAD as static_constant_pad, so
// XNNPACK sees the graph TFLite's delegate would). Outputs in the file's order.
class XnnpackNetRunner {
 public:
  virtual ~XnnpackNetRunner() = default;
  static Result<std::unique_ptr<XnnpackNetRunner>> Create(const Net& net, const XnnpackOptions& opt = {});
  virtual void SetInput(const float* input_nhwc) = 0;
  virtual Status Invoke() = 0;
  virtual size_t NumOutputs() const = 0;
  virtual const float* Output(size_t i) const = 0;
  virtual size_t OutputSize(size_t i) const = 0;
};

}  // namespace fk::nn
