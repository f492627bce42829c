#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <ios>
#include <algorithm>
#include <limits>

#include "nn/fp16.h"

using fk::nn::FloatToHalf;
using fk::nn::HalfToFloat;

TEST_CASE("nn/fp16: every finite half converts to float and back exactly") {
  for (uint32_t h = 0; h < 0x10000u; h++) {
    if ((h & 0x7C00u) == 0x7C00u) continue;  // inf / NaN checked below
    const float f = HalfToFloat(uint16_t(h));
    CHECK_MESSAGE(FloatToHalf(f) == h, "half 0x" << std::hex << h);
  }
}

TEST_CASE("nn/fp16: known values, infinities, NaN and signed zero") {
  CHECK(FloatToHalf(1.0f) == 0x3C00);
  CHECK(FloatToHalf(-2.0f) == 0xC000);
  CHECK(FloatToHalf(65504.0f) == 0x7BFF);                 // largest half
  CHECK(FloatToHalf(65520.0f) == 0x7C00);                 // halfway above it rounds (to even) to inf
  CHECK(FloatToHalf(65519.99f) == 0x7BFF);
  CHECK(FloatToHalf(1e10f) == 0x7C00);
  CHECK(FloatToHalf(-std::numeric_limits<float>::infinity()) == 0xFC00);
  CHECK(std::isnan(HalfToFloat(FloatToHalf(std::numeric_limits<float>::quiet_NaN()))));
  CHECK(FloatToHalf(-0.0f) == 0x8000);
  CHECK(HalfToFloat(0x0001) == std::ldexp(1.0f, -24));   // smallest subnormal
  CHECK(HalfToFloat(0x0400) == std::ldexp(1.0f, -14));   // smallest normal
  CHECK(HalfToFloat(0x3555) == doctest::Approx(0.33325195f).epsilon(1e-7));
}

TEST_CASE("nn/fp16: rounding is to nearest, ties to even, for normals and subnormals") {
  const float one_ulp = std::ldexp(1.0f, -10);  // half ulp spacing at 1.0
  CHECK(FloatToHalf(1.0f + one_ulp * 0.5f) == 0x3C00);          // tie -> even (1.0)
  CHECK(FloatToHalf(1.0f + one_ulp * 1.5f) == 0x3C02);          // tie -> even (1 + 2 ulp)
  CHECK(FloatToHalf(1.0f + one_ulp * 0.5f + 1e-7f) == 0x3C01);  // just above the tie -> up
  CHECK(FloatToHalf(1.0f + one_ulp * 0.49f) == 0x3C00);
  const float sub = std::ldexp(1.0f, -24);  // subnormal spacing
  CHECK(FloatToHalf(sub * 0.5f) == 0x0000);            // tie -> even (0)
  CHECK(FloatToHalf(sub * 1.5f) == 0x0002);            // tie -> even (2)
  CHECK(FloatToHalf(sub * 2.5f) == 0x0002);
  CHECK(FloatToHalf(sub * 0.51f) == 0x0001);
  CHECK(FloatToHalf(sub * 1023.5f) == 0x0400);         // rounds up into the smallest normal
  CHECK(FloatToHalf(std::ldexp(1.0f, -30)) == 0x0000);  // far below: zero
}

TEST_CASE("nn/fp16: the round-trip error is at most half an ulp over a sweep") {
  for (float f = -70000.f; f < 70000.f; f += 13.37f) {
    const float r = HalfToFloat(FloatToHalf(f));
    if (std::fabs(f) > 65519.f) {
      CHECK(std::isinf(r));
      continue;
    }
    int e;
    std::frexp(f, &e);
    const float ulp = std::ldexp(1.0f, std::max(e - 11, -24));
    CHECK(std::fabs(r - f) <= ulp * 0.5f);
  }
}
