#include "core/crc32.h"

namespace fk {

// Slicing-by-8 CRC32 (IEEE): 8 bytes per step through 8 tables, ~5x the
// byte-at-a-time loop: a 14 MB model is checksummed on every save and load, and
// feature ingest checksums every byte it logs.
uint32_t Crc32(const void* bytes, size_t n, uint32_t crc) {
  const auto* data = static_cast<const uint8_t*>(bytes);
  static uint32_t table[8][256];
  static bool init = [] {
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
      for (int t = 1; t < 8; t++) table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xFFu];
    return true;
  }();
  (void)init;
  crc = ~crc;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const uint32_t lo = (uint32_t(data[i]) | uint32_t(data[i + 1]) << 8 | uint32_t(data[i + 2]) << 16 |
                         uint32_t(data[i + 3]) << 24) ^ crc;
    const uint32_t hi = uint32_t(data[i + 4]) | uint32_t(data[i + 5]) << 8 | uint32_t(data[i + 6]) << 16 |
                        uint32_t(data[i + 7]) << 24;
    crc = table[7][lo & 0xFFu] ^ table[6][(lo >> 8) & 0xFFu] ^ table[5][(lo >> 16) & 0xFFu] ^ table[4][lo >> 24] ^
          table[3][hi & 0xFFu] ^ table[2][(hi >> 8) & 0xFFu] ^ table[1][(hi >> 16) & 0xFFu] ^ table[0][hi >> 24];
  }
  for (; i < n; i++) crc = table[0][(crc ^ data[i]) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

}  // namespace fk
