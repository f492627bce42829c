// Elementwise y = clamp(a + b) with V lanes (residual adds with fused ReLU);
// included by vadd_<isa>.cpp. y may alias a or b (each vector is read before
// it is written).
#pragma once
#include <cstddef>

#include "kernels/nn_kernels.h"

namespace fk::kernels {
namespace {

template <typename V>
void VAdd(const V& v, size_t n, const float* a, const float* b, float* y, MinMax c) {
  const auto lo = v.set1(c.min), hi = v.set1(c.max);
  size_t i = 0;
  for (; i + 2 * V::N <= n; i += 2 * V::N) {
    auto s0 = v.add(v.load(a + i), v.load(b + i));
    auto s1 = v.add(v.load(a + i + V::N), v.load(b + i + V::N));
    v.store(y + i, v.min(v.max(s0, lo), hi));
    v.store(y + i + V::N, v.min(v.max(s1, lo), hi));
  }
  for (; i < n; i++) {
    float s = a[i] + b[i];
    s = s < c.min ? c.min : s;
    y[i] = s > c.max ? c.max : s;
  }
}

}  // namespace
}  // namespace fk::kernels
