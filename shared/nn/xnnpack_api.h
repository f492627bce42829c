// The few XNNPACK subgraph calls whose names differ between the two XNNPACK
// versions Fieldkit builds against, behind one spelling. Included only by the
// *_xnnpack.cpp files. FIELDKIT_XNNPACK_API comes from CMake
// (cmake/FieldkitDeps.cmake): 2022 = Debian bookworm's binary libxnnpack-dev
// (native), 2024 = Debian trixie's source compiled for wasm
// (cmake/XnnpackWasm.cmake). 2024 deprecated the per-operator definitions for
// xnn_define_unary/binary/static_reduce (same nodes underneath) and split
// runtime setup into reshape + setup.
#pragma once
#include <xnnpack.h>

#include <cstddef>
#include <cstdint>

#ifndef FIELDKIT_XNNPACK_API
#error "FIELDKIT_XNNPACK_API (2022 or 2024) is set by CMake for targets that link XNNPACK"
#endif

namespace fk::nn::xnn {

inline xnn_status Add(xnn_subgraph_t g, float lo, float hi, uint32_t a, uint32_t b, uint32_t out) {
#if FIELDKIT_XNNPACK_API >= 2024
  xnn_binary_params p;
  p.output_min = lo;
  p.output_max = hi;
  return xnn_define_binary(g, xnn_binary_add, &p, a, b, out, 0);
#else
  return xnn_define_add2(g, lo, hi, a, b, out, 0);
#endif
}

inline xnn_status Multiply(xnn_subgraph_t g, float lo, float hi, uint32_t a, uint32_t b, uint32_t out) {
#if FIELDKIT_XNNPACK_API >= 2024
  xnn_binary_params p;
  p.output_min = lo;
  p.output_max = hi;
  return xnn_define_binary(g, xnn_binary_multiply, &p, a, b, out, 0);
#else
  return xnn_define_multiply2(g, lo, hi, a, b, out, 0);
#endif
}

inline xnn_status Clamp(xnn_subgraph_t g, float lo, float hi, uint32_t in, uint32_t out) {
#if FIELDKIT_XNNPACK_API >= 2024
  xnn_unary_params p;
  p.clamp.min = lo;
  p.clamp.max = hi;
  return xnn_define_unary(g, xnn_unary_clamp, &p, in, out, 0);
#else
  return xnn_define_clamp(g, lo, hi, in, out, 0);
#endif
}

inline xnn_status Sigmoid(xnn_subgraph_t g, uint32_t in, uint32_t out) {
#if FIELDKIT_XNNPACK_API >= 2024
  return xnn_define_unary(g, xnn_unary_sigmoid, nullptr, in, out, 0);
#else
  return xnn_define_sigmoid(g, in, out, 0);
#endif
}

// Mean over H and W of an NHWC tensor, no output clamp (the node XNNPACK's NCHW
// rewrite ends a sparse cluster with).
inline xnn_status GlobalAveragePool(xnn_subgraph_t g, uint32_t in, uint32_t out) {
#if FIELDKIT_XNNPACK_API >= 2024
  const size_t axes[2] = {1, 2};  // what 2024's deprecated global_average_pooling_2d passes for 4-D input
  return xnn_define_static_reduce(g, xnn_reduce_mean, 2, axes, in, out, 0);
#else
  const float inf = __builtin_inff();
  return xnn_define_global_average_pooling_2d(g, -inf, inf, in, out, 0);
#endif
}

// Binds the external values and allocates the runtime's memory; the shapes are
// the ones the subgraph declared.
inline xnn_status Setup(xnn_runtime_t rt, size_t n, const xnn_external_value* ext) {
#if FIELDKIT_XNNPACK_API >= 2024
  if (xnn_status s = xnn_reshape_runtime(rt); s != xnn_status_success) return s;
  return xnn_setup_runtime_v2(rt, n, ext);
#else
  return xnn_setup_runtime(rt, n, ext);
#endif
}

}  // namespace fk::nn::xnn
