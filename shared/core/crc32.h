// CRC-32 (IEEE 802.3, reflected, as zlib and PNG): the .fks model file and
// the feature store's write-ahead log checksum every byte they write.
//   Crc32("123456789", 9) == 0xCBF43926;  Crc32(b, n2, Crc32(a, n1)) == Crc32(a + b)
#pragma once
#include <cstddef>
#include <cstdint>

namespace fk {

uint32_t Crc32(const void* data, size_t n, uint32_t crc = 0);

}  // namespace fk
