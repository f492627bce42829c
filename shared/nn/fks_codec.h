// The .fks container's shared pieces (internal to shared/nn): the
// little-endian writer and bounds-checked reader, the 24-byte file header and
// the CSR encoding of sparse weights. model_file.cpp (v1, the MobileNet Model)
// and net_file.cpp (v2, an imported Net) both write and read through these, so
// the two payload kinds share one container and one CSR format.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/status.h"
#include "nn/fp16.h"

namespace fk::nn::fks {

// [SECTION] Writer

// x86 and wasm are little-endian, as the file is; other hosts take the byte loops.
constexpr bool kLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

struct Writer {
  std::vector<uint8_t> b;
  void U8(uint8_t v) { b.push_back(v); }
  void U16(uint16_t v) { U8(uint8_t(v)), U8(uint8_t(v >> 8)); }
  void U32(uint32_t v) { U16(uint16_t(v)), U16(uint16_t(v >> 16)); }
  void U64(uint64_t v) { U32(uint32_t(v)), U32(uint32_t(v >> 32)); }
  void I32(int32_t v) { U32(uint32_t(v)); }
  void F32(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    U32(u);
  }
  void Str(const std::string& s) {
    U16(uint16_t(s.size()));
    b.insert(b.end(), s.begin(), s.end());
  }
  void Value(float v, bool fp16) { fp16 ? U16(FloatToHalf(v)) : F32(v); }
  // Bulk values, little-endian: one resize instead of a push_back per byte.
  void Values(const float* v, size_t n, bool fp16) {
    if (n == 0) return;  // v may be null then (an empty row's data()): memcpy must not see it
    const size_t at = b.size();
    b.resize(at + n * (fp16 ? 2 : 4));
    uint8_t* d = b.data() + at;
    if (fp16) {
      for (size_t i = 0; i < n; i++) {
        const uint16_t h = FloatToHalf(v[i]);
        d[2 * i] = uint8_t(h), d[2 * i + 1] = uint8_t(h >> 8);
      }
    } else if (kLittleEndian) {
      std::memcpy(d, v, n * 4);
    } else {
      for (size_t i = 0; i < n; i++) {
        uint32_t u;
        std::memcpy(&u, &v[i], 4);
        d[4 * i] = uint8_t(u), d[4 * i + 1] = uint8_t(u >> 8), d[4 * i + 2] = uint8_t(u >> 16), d[4 * i + 3] = uint8_t(u >> 24);
      }
    }
  }
};

// [SECTION] Reader: every read is bounds-checked and errors name the byte offset

struct Reader {
  const uint8_t* p;
  size_t n, pos;
  std::string name;     // file name for messages
  std::string where;    // "layer 3 'block_1_expand'"
  Status err;

  bool Fail(const std::string& what) {
    if (err) err = Status::Error(name + ": " + what + (where.empty() ? "" : " (" + where + ")"));
    return false;
  }
  bool Need(size_t bytes, const char* what) {
    if (n - pos >= bytes) return true;
    return Fail("truncated at byte " + std::to_string(pos) + " reading " + what + ": need " + std::to_string(bytes) +
                " bytes, " + std::to_string(n - pos) + " remain");
  }
  size_t Remaining() const { return n - pos; }
  bool U8(uint8_t& v, const char* what) {
    if (!Need(1, what)) return false;
    v = p[pos++];
    return true;
  }
  bool U16(uint16_t& v, const char* what) {
    if (!Need(2, what)) return false;
    v = uint16_t(p[pos] | (p[pos + 1] << 8));
    pos += 2;
    return true;
  }
  bool U32(uint32_t& v, const char* what) {
    if (!Need(4, what)) return false;
    v = uint32_t(p[pos]) | uint32_t(p[pos + 1]) << 8 | uint32_t(p[pos + 2]) << 16 | uint32_t(p[pos + 3]) << 24;
    pos += 4;
    return true;
  }
  bool U64(uint64_t& v, const char* what) {
    uint32_t lo = 0, hi = 0;
    if (!U32(lo, what) || !U32(hi, what)) return false;
    v = uint64_t(lo) | uint64_t(hi) << 32;
    return true;
  }
  bool I32(int32_t& v, const char* what) {
    uint32_t u;
    if (!U32(u, what)) return false;
    v = int32_t(u);
    return true;
  }
  bool F32(float& f, const char* what) {
    uint32_t u;
    if (!U32(u, what)) return false;
    std::memcpy(&f, &u, 4);
    return true;
  }
  bool Str(std::string& s, size_t max_len, const char* what) {
    uint16_t len;
    if (!U16(len, what)) return false;
    if (len > max_len) return Fail(std::string(what) + " length " + std::to_string(len) + " exceeds " + std::to_string(max_len));
    if (!Need(len, what)) return false;
    s.assign(reinterpret_cast<const char*>(p + pos), len);
    pos += len;
    return true;
  }
  // Reads `count` values after checking that they fit in the remaining bytes,
  // so a corrupt count never causes a large allocation.
  bool Values(std::vector<float>& out, uint64_t count, bool fp16, const char* what) {
    const uint64_t bytes = count * (fp16 ? 2u : 4u);
    if (count > (uint64_t(1) << 40) || bytes > Remaining())
      return Fail(std::string(what) + ": " + std::to_string(count) + " values need " + std::to_string(bytes) +
                  " bytes but only " + std::to_string(Remaining()) + " remain at byte " + std::to_string(pos));
    out.resize(size_t(count));
    if (count == 0) return true;  // out.data() may be null: no memcpy from it
    if (!fp16 && kLittleEndian) {
      std::memcpy(out.data(), p + pos, size_t(bytes));
      pos += size_t(bytes);
      return true;
    }
    for (auto& v : out) {
      if (fp16) {
        v = HalfToFloat(uint16_t(p[pos] | (p[pos + 1] << 8)));
        pos += 2;
      } else {
        uint32_t u = uint32_t(p[pos]) | uint32_t(p[pos + 1]) << 8 | uint32_t(p[pos + 2]) << 16 | uint32_t(p[pos + 3]) << 24;
        std::memcpy(&v, &u, 4);
        pos += 4;
      }
    }
    return true;
  }
};

// [SECTION] File header: "FKSM" | u32 version | u64 payload bytes | u32 crc32(payload) | u32 0

struct FileHeader {
  uint32_t version = 0, crc = 0;
};
// Checks magic, version (1..kFksNetVersion) and the payload size against n.
Status ParseFileHeader(const uint8_t* data, size_t n, const std::string& name, FileHeader& h);
// Writes the header over the kFksHeaderBytes reserved at the front of `b`.
void WriteFileHeader(std::vector<uint8_t>& b, uint32_t version, uint32_t crc);
Status CrcMismatch(const std::string& name, uint32_t stored, uint32_t actual);

// [SECTION] CSR: sparse rows of blocks of `block` rows over `cols` columns
//   u8 index_bits (8|16), u8 count_bits (16|32), u16 0 | u32 nnz (block columns) | u32 index bytes
//   (the v1 layer puts its bias here) | counts[rows] | index codes | values[nnz * block]
// Index codes: per row, the first column then (gap - 1) to the next; a code
// equal to the maximum (255 / 65535) means "add the maximum and read another
// code", so any gap fits. Messages say in_c / out_c: the rows and columns of a
// 1x1 convolution's weights.

struct CsrDims {
  uint64_t rows = 0;   // out_c / block
  uint32_t cols = 0;   // in_c
  uint32_t block = 1;  // output channels per row
};

struct CsrEncoding {
  int bits = 8, count_bits = 16;
  uint64_t nnz = 0;
  std::vector<std::vector<uint32_t>> rows;  // per row, the columns where any of the block is nonzero
  std::vector<uint8_t> idx;                 // the index codes
};
// `w` holds rows * block * cols values, row-major; index_bits 0 = whichever of 8 / 16 is smaller.
// keep_negative_zero: -0.0 counts as a nonzero, so the values come back bit for bit
// (v2; v1 keeps its byte layout, where -0 reads back as 0).
CsrEncoding EncodeCsr(const float* w, const CsrDims& d, int index_bits, bool keep_negative_zero = false);
void WriteCsrHeader(Writer& w, const CsrEncoding& e);
void WriteCsrBody(Writer& w, const CsrEncoding& e, const float* values, const CsrDims& d, bool fp16);  // counts, codes, values
// WriteCsrBody in parts, for a writer that works in slices: the counts and codes, then the
// values of rows [from, to) (rows in order, every row once).
void WriteCsrIndex(Writer& w, const CsrEncoding& e);
void WriteCsrValues(Writer& w, const CsrEncoding& e, const float* values, const CsrDims& d, bool fp16, size_t from,
                    size_t to);
uint64_t CsrBodyBytes(const CsrEncoding& e, const CsrDims& d, bool fp16);  // header + body, for choosing storage

struct CsrHeader {
  uint8_t bits = 8, count_bits = 16;  // index code and row count widths
  uint32_t nnz = 0, idx_bytes = 0;    // nonzero blocks, bytes of index codes
  uint64_t rows = 0;                  // out_c / block
};
Status ReadCsrHeader(Reader& r, const CsrDims& d, CsrHeader& h);
// Row counts, index codes and values, scattered into `dense` (rows * block * cols, zeros elsewhere).
Status ReadCsrBody(Reader& r, const CsrDims& d, const CsrHeader& h, bool fp16, std::vector<float>& dense);

}  // namespace fk::nn::fks
