#include "nn/fp16.h"

#include <cstring>

namespace fk::nn {

static uint32_t Bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
static float FromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

uint16_t FloatToHalf(float f) {
  const uint32_t u = Bits(f);
  const uint16_t sign = uint16_t((u >> 16) & 0x8000u);
  const uint32_t exp = (u >> 23) & 0xFFu;
  uint32_t man = u & 0x7FFFFFu;
  if (exp == 0xFF) {  // inf or NaN (keep NaN quiet and non-zero)
    return uint16_t(sign | 0x7C00u | (man ? (0x200u | (man >> 13)) : 0u));
  }
  const int e = int(exp) - 127 + 15;  // rebiased exponent
  if (e >= 31) return uint16_t(sign | 0x7C00u);  // overflow -> inf
  if (e <= 0) {
    // Subnormal half (or zero): shift the full significand (with the implicit
    // 1) right and round to nearest even on the dropped bits.
    if (e < -10) return sign;  // below half the smallest subnormal: rounds to 0
    man |= 0x800000u;
    const int shift = 14 - e;  // 24-bit significand -> 10-bit subnormal field
    const uint32_t kept = man >> shift;
    const uint32_t rem = man & ((1u << shift) - 1);
    const uint32_t half = 1u << (shift - 1);
    uint32_t r = kept;
    if (rem > half || (rem == half && (kept & 1u))) r++;
    return uint16_t(sign | r);  // a carry into bit 10 yields the smallest normal: correct
  }
  uint32_t h = (uint32_t(e) << 10) | (man >> 13);
  const uint32_t rem = man & 0x1FFFu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) h++;  // a carry may round up to inf: correct
  return uint16_t(sign | h);
}

float HalfToFloat(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1Fu;
  uint32_t man = h & 0x3FFu;
  if (exp == 0x1F) return FromBits(sign | 0x7F800000u | (man << 13));
  if (exp == 0) {
    if (man == 0) return FromBits(sign);
    // Subnormal: value = man * 2^-24, exact in float.
    const float v = float(man) * (1.0f / 16777216.0f);
    return sign ? -v : v;
  }
  return FromBits(sign | ((exp - 15 + 127) << 23) | (man << 13));
}

}  // namespace fk::nn
