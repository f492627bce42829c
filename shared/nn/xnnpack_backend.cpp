// Fallback when XNNPACK is not built in (wasm, or -DFIELDKIT_XNNPACK=OFF);
// the real backend is xnnpack_backend_xnnpack.cpp.
#include "nn/xnnpack_backend.h"

#ifndef FIELDKIT_HAS_XNNPACK
namespace fk::nn {
bool XnnpackAvailable() { return false; }
int XnnpackApi() { return 0; }
Result<std::unique_ptr<XnnpackRunner>> XnnpackRunner::Create(const Model&, const XnnpackOptions&) {
  return Status::Error("xnnpack: not available in this build (native builds with libxnnpack-dev only)");
}
Result<std::unique_ptr<XnnpackNetRunner>> XnnpackNetRunner::Create(const Net&, const XnnpackOptions&) {
  return Status::Error("xnnpack: not available in this build (native builds with libxnnpack-dev only)");
}
}  // namespace fk::nn
#endif
