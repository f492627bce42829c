// IEEE 754 binary16 <-> binary32 in software (no F16C / wasm instructions), so
// the model file converts identically natively and in the browser.
// FloatToHalf rounds to nearest, ties to even; overflow gives ±inf; NaN stays NaN.
//
//   uint16_t h = fk::nn::FloatToHalf(0.1f);  float f = fk::nn::HalfToFloat(h);  // 0.0999755859375
#pragma once
#include <cstdint>

namespace fk::nn {

uint16_t FloatToHalf(float f);
float HalfToFloat(uint16_t h);  // exact (every half is a float)
inline float RoundToHalf(float f) { return HalfToFloat(FloatToHalf(f)); }

}  // namespace fk::nn
