#include "nn/fks_codec.h"

#include <cmath>
#include <cstdio>

#include "nn/model_file.h"

namespace fk::nn::fks {

// [SECTION] File header

Status ParseFileHeader(const uint8_t* data, size_t n, const std::string& name, FileHeader& h) {
  if (n < kFksHeaderBytes)
    return Status::Error(name + ": file is " + std::to_string(n) + " bytes, shorter than the " +
                         std::to_string(kFksHeaderBytes) + "-byte header (truncated or not a .fks model)");
  if (std::memcmp(data, kFksMagic, 4) != 0) return Status::Error(name + ": not a Fieldkit sparse model (bad magic at byte 0)");
  Reader r{data, n, 4, name, "", Status::Ok()};
  uint32_t reserved = 0, lo = 0, hi = 0;
  r.U32(h.version, "version");  // cannot fail: n >= the header's 24 bytes
  if (h.version == 0 || h.version > kFksNetVersion)
    return Status::Error(name + ": format version " + std::to_string(h.version) + " is not supported (this build reads 1.." +
                         std::to_string(kFksNetVersion) + ")");
  r.U32(lo, "payload size"), r.U32(hi, "payload size"), r.U32(h.crc, "checksum"), r.U32(reserved, "reserved");
  const uint64_t payload = uint64_t(lo) | uint64_t(hi) << 32;
  if (payload != n - kFksHeaderBytes)
    return Status::Error(name + ": header says " + std::to_string(payload) + " payload bytes but the file has " +
                         std::to_string(n - kFksHeaderBytes) + (payload > n - kFksHeaderBytes ? " (truncated)" : " (trailing bytes)"));
  return Status::Ok();
}

void WriteFileHeader(std::vector<uint8_t>& b, uint32_t version, uint32_t crc) {
  Writer h;
  h.b.insert(h.b.end(), kFksMagic, kFksMagic + 4);
  h.U32(version);
  h.U64(b.size() - kFksHeaderBytes);
  h.U32(crc);
  h.U32(0);
  std::memcpy(b.data(), h.b.data(), kFksHeaderBytes);
}

Status CrcMismatch(const std::string& name, uint32_t stored, uint32_t actual) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "checksum mismatch (stored %08x, computed %08x): the file is corrupt", stored, actual);
  return Status::Error(name + ": " + buf);
}

// [SECTION] CSR writing

namespace {

void EncodeGap(std::vector<uint8_t>& out, uint32_t v, int bits) {
  const uint32_t max = bits == 8 ? 0xFFu : 0xFFFFu;
  auto put = [&](uint32_t c) {
    out.push_back(uint8_t(c));
    if (bits == 16) out.push_back(uint8_t(c >> 8));
  };
  while (v >= max) {
    put(max);
    v -= max;
  }
  put(v);
}

// Bytes EncodeIndices takes, without encoding: a gap of g takes g / max + 1 codes.
size_t EncodedIndexBytes(const std::vector<std::vector<uint32_t>>& rows, int bits) {
  const uint32_t max = bits == 8 ? 0xFFu : 0xFFFFu;
  size_t codes = 0;
  for (auto& r : rows)
    for (size_t k = 0; k < r.size(); k++) codes += (k == 0 ? r[0] : r[k] - r[k - 1] - 1) / max + 1;
  return codes * size_t(bits / 8);
}

std::vector<uint8_t> EncodeIndices(const std::vector<std::vector<uint32_t>>& rows, int bits) {
  std::vector<uint8_t> out;
  out.reserve(EncodedIndexBytes(rows, bits));
  for (auto& r : rows)
    for (size_t k = 0; k < r.size(); k++) EncodeGap(out, k == 0 ? r[0] : r[k] - r[k - 1] - 1, bits);
  return out;
}

}  // namespace

CsrEncoding EncodeCsr(const float* w, const CsrDims& d, int index_bits, bool keep_negative_zero) {
  CsrEncoding e;
  const size_t cols = d.cols, block = d.block;
  e.rows.resize(size_t(d.rows));
  for (size_t r = 0; r < e.rows.size(); r++)
    for (size_t c = 0; c < cols; c++) {
      bool nz = false;
      for (size_t k = 0; k < block; k++) {
        const float v = w[(r * block + k) * cols + c];
        nz = nz || v != 0.f || (keep_negative_zero && std::signbit(v));
      }
      if (nz) e.rows[r].push_back(uint32_t(c));
    }
  e.bits = index_bits;
  if (e.bits == 8 || e.bits == 16) {
    e.idx = EncodeIndices(e.rows, e.bits);
  } else {  // smallest that fits: the two encodings' sizes compared, the smaller encoded
    e.bits = EncodedIndexBytes(e.rows, 8) <= EncodedIndexBytes(e.rows, 16) ? 8 : 16;
    e.idx = EncodeIndices(e.rows, e.bits);
  }
  e.count_bits = d.cols <= 0xFFFF ? 16 : 32;
  for (auto& r : e.rows) e.nnz += r.size();
  return e;
}

void WriteCsrHeader(Writer& w, const CsrEncoding& e) {
  w.U8(uint8_t(e.bits)), w.U8(uint8_t(e.count_bits)), w.U16(0);
  w.U32(uint32_t(e.nnz));
  w.U32(uint32_t(e.idx.size()));
}

void WriteCsrIndex(Writer& w, const CsrEncoding& e) {
  for (auto& r : e.rows) e.count_bits == 16 ? w.U16(uint16_t(r.size())) : w.U32(uint32_t(r.size()));
  w.b.insert(w.b.end(), e.idx.begin(), e.idx.end());
}

void WriteCsrValues(Writer& w, const CsrEncoding& e, const float* values, const CsrDims& d, bool fp16, size_t from,
                    size_t to) {
  const size_t cols = d.cols, block = d.block;
  // Gathered a row at a time and written in bulk (a value at a time was ~30 ns each).
  std::vector<float> row;
  for (size_t r = from; r < to && r < e.rows.size(); r++) {
    row.clear();
    for (uint32_t c : e.rows[r])
      for (size_t k = 0; k < block; k++) row.push_back(values[(r * block + k) * cols + c]);
    w.Values(row.data(), row.size(), fp16);
  }
}

void WriteCsrBody(Writer& w, const CsrEncoding& e, const float* values, const CsrDims& d, bool fp16) {
  WriteCsrIndex(w, e);
  WriteCsrValues(w, e, values, d, fp16, 0, e.rows.size());
}

uint64_t CsrBodyBytes(const CsrEncoding& e, const CsrDims& d, bool fp16) {
  return 12 + d.rows * uint64_t(e.count_bits / 8) + e.idx.size() + e.nnz * d.block * (fp16 ? 2u : 4u);
}

// [SECTION] CSR reading

Status ReadCsrHeader(Reader& r, const CsrDims& d, CsrHeader& h) {
  uint16_t pad;
  if (!r.U8(h.bits, "index width") || !r.U8(h.count_bits, "count width") || !r.U16(pad, "padding") ||
      !r.U32(h.nnz, "nonzero count") || !r.U32(h.idx_bytes, "index bytes"))
    return r.err;
  if ((h.bits != 8 && h.bits != 16) || (h.count_bits != 16 && h.count_bits != 32))
    return r.Fail("index width " + std::to_string(h.bits) + " / count width " + std::to_string(h.count_bits) + " unsupported"), r.err;
  h.rows = d.rows;
  if (uint64_t(h.nnz) > h.rows * uint64_t(d.cols)) return r.Fail("nonzero count " + std::to_string(h.nnz) + " exceeds out_c x in_c"), r.err;
  return Status::Ok();
}

namespace {

// Nonzeros per row; they must sum to the header's count.
Status ReadRowCounts(Reader& r, const CsrDims& d, const CsrHeader& h, std::vector<uint32_t>& counts) {
  if (!r.Need(h.rows * (h.count_bits / 8), "row counts")) return r.err;
  counts.assign(h.rows, 0);
  uint64_t total = 0;
  for (auto& c : counts) {
    if (h.count_bits == 16) {
      uint16_t v = 0;  // read cannot fail: Need checked the bytes above
      r.U16(v, "row count");
      c = v;
    } else {
      r.U32(c, "row count");
    }
    if (c > d.cols) return r.Fail("row count " + std::to_string(c) + " exceeds in_c at byte " + std::to_string(r.pos)), r.err;
    total += c;
  }
  if (total != h.nnz) return r.Fail("row counts sum to " + std::to_string(total) + ", header says " + std::to_string(h.nnz)), r.err;
  return Status::Ok();
}

// The index codes as each row's columns, every one checked in bounds.
Status DecodeIndexCodes(Reader& r, const CsrDims& d, const CsrHeader& h, bool fp16, const std::vector<uint32_t>& counts,
                        std::vector<std::vector<uint32_t>>& pattern) {
  const unsigned bits = h.bits;
  if (!r.Need(h.idx_bytes, "index codes")) return r.err;
  // Each nonzero needs at least one index code and `block` values: bound
  // nnz by the bytes left before reserving anything per row.
  const uint64_t min_bytes = uint64_t(h.nnz) * (uint64_t(bits / 8) + uint64_t(d.block) * (fp16 ? 2u : 4u));
  if (min_bytes > r.Remaining())
    return r.Fail("nonzero count " + std::to_string(h.nnz) + " needs at least " + std::to_string(min_bytes) +
                  " bytes but only " + std::to_string(r.Remaining()) + " remain at byte " + std::to_string(r.pos)),
           r.err;
  const size_t idx_end = r.pos + h.idx_bytes;
  const uint32_t max_code = bits == 8 ? 0xFFu : 0xFFFFu;
  pattern.assign(h.rows, {});
  for (size_t row = 0; row < h.rows; row++) {
    pattern[row].reserve(counts[row]);
    int64_t prev = -1;
    for (uint32_t k = 0; k < counts[row]; k++) {
      uint64_t v = 0;
      for (;;) {
        if (r.pos + bits / 8 > idx_end) return r.Fail("index codes end early in row " + std::to_string(row)), r.err;
        uint32_t code = r.p[r.pos];
        if (bits == 16) code |= uint32_t(r.p[r.pos + 1]) << 8;
        r.pos += size_t(bits / 8);
        v += code;
        if (code < max_code) break;
        if (v > uint64_t(d.cols)) break;  // already out of bounds; reported below
      }
      const uint64_t ch = uint64_t(prev + 1) + v;
      if (ch >= uint64_t(d.cols))
        return r.Fail("row " + std::to_string(row) + " nonzero " + std::to_string(k) + ": input channel " +
                      std::to_string(ch) + " out of bounds (in_c " + std::to_string(d.cols) + ") at byte " +
                      std::to_string(r.pos)),
               r.err;
      pattern[row].push_back(uint32_t(ch));
      prev = int64_t(ch);
    }
  }
  if (r.pos != idx_end) return r.Fail(std::to_string(idx_end - r.pos) + " unused index bytes"), r.err;
  return Status::Ok();
}

}  // namespace

Status ReadCsrBody(Reader& r, const CsrDims& d, const CsrHeader& h, bool fp16, std::vector<float>& dense) {
  std::vector<uint32_t> counts;
  if (Status s = ReadRowCounts(r, d, h, counts); !s) return s;
  std::vector<std::vector<uint32_t>> pattern;
  if (Status s = DecodeIndexCodes(r, d, h, fp16, counts, pattern); !s) return s;
  std::vector<float> vals;
  if (!r.Values(vals, uint64_t(h.nnz) * uint64_t(d.block), fp16, "values")) return r.err;
  const size_t cols = d.cols, block = d.block;
  dense.assign(size_t(h.rows) * block * cols, 0.f);
  size_t vi = 0;
  for (size_t row = 0; row < h.rows; row++)
    for (uint32_t c : pattern[row])
      for (size_t k = 0; k < block; k++) dense[(row * block + k) * cols + c] = vals[vi++];
  return Status::Ok();
}

}  // namespace fk::nn::fks
