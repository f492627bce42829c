// Parquet writer and reader (see parquet.h), from the parquet-format
// specification (parquet.thrift, Encodings.md) and the Thrift compact protocol
// description.
//
// [SECTION] bytes, varints, bit packing
// [SECTION] Thrift compact protocol
// [SECTION] encodings: RLE/bit-packed hybrid, DELTA_BINARY_PACKED
// [SECTION] writer
// [SECTION] reader
#include "core/parquet.h"

#include <algorithm>
#include <climits>
#include <cstring>

namespace fk::parquet {

namespace {

// parquet.thrift's enums (only the values used here).
enum PhysicalType { kBoolean = 0, kInt32 = 1, kInt64 = 2, kInt96 = 3, kFloat = 4, kDouble = 5, kByteArray = 6, kFixedLen = 7 };
enum Encoding { kPlain = 0, kPlainDictionary = 2, kRle = 3, kBitPacked = 4, kDeltaBinaryPacked = 5, kRleDictionary = 8 };
enum PageType { kDataPage = 0, kIndexPage = 1, kDictionaryPage = 2, kDataPageV2 = 3 };
enum ConvertedType { kUtf8 = 0, kTimestampMillis = 9, kTimestampMicros = 10 };
enum Repetition { kRequired = 0, kOptional = 1, kRepeated = 2 };
const char* const kCodecNames[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"};
const char* const kTypeNames[] = {"BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"};

// Compact protocol wire types.
enum WireType : uint8_t {
  tStop = 0, tTrue = 1, tFalse = 2, tByte = 3, tI16 = 4, tI32 = 5, tI64 = 6, tDouble = 7,
  tBinary = 8, tList = 9, tSet = 10, tMap = 11, tStruct = 12
};

struct Fail {  // thrown inside the reader, caught by ReadParquet
  std::string message;
};

// [SECTION] bytes, varints, bit packing

void PutVarint(std::string* o, uint64_t v) {
  while (v >= 0x80) {
    o->push_back(char(uint8_t(v) | 0x80));
    v >>= 7;
  }
  o->push_back(char(v));
}
uint64_t Zigzag(int64_t v) { return (uint64_t(v) << 1) ^ uint64_t(v >> 63); }
int64_t Unzigzag(uint64_t v) { return int64_t(v >> 1) ^ -int64_t(v & 1); }
void PutLe(std::string* o, uint64_t v, int bytes) {
  char b[8];
  for (int i = 0; i < bytes; i++) b[i] = char(uint8_t(v >> (8 * i)));
  o->append(b, size_t(bytes));
}
void StoreLe64(char* p, uint64_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  std::memcpy(p, &v, 8);  // one store (x86, wasm)
#else
  for (int i = 0; i < 8; i++) p[i] = char(uint8_t(v >> (8 * i)));
#endif
}
uint64_t GetLe(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; i++) v |= uint64_t(p[i]) << (8 * i);
  return v;
}
// How many of v[0..n) are 1 (each byte 0 or 1): eight bytes at a time.
size_t CountOnes(const uint8_t* v, size_t n) {
  size_t c = 0, i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, v + i, 8);
    c += size_t((w * 0x0101010101010101ULL) >> 56);  // the sum of the bytes, at most 8
  }
  for (; i < n; i++) c += v[i];
  return c;
}
uint64_t DoubleBits(double d) {
  uint64_t u;
  std::memcpy(&u, &d, 8);
  return u;
}
double BitsDouble(uint64_t u) {
  double d;
  std::memcpy(&d, &u, 8);
  return d;
}
int BitsNeeded(uint64_t x) { return x ? 64 - __builtin_clzll(x) : 0; }

// Appends n values (n a multiple of 8) of bw bits each, least significant bit first.
// A 64-bit accumulator holds the bits not yet written and goes out 8 bytes at a
// time (writing it a byte at a time was half of packing).
void PackBits(std::string* o, const uint64_t* v, size_t n, int bw) {
  const size_t start = o->size();
  o->resize(start + n * size_t(bw) / 8, '\0');
  if (bw == 0) return;
  char* p = &(*o)[start];
  const uint64_t mask = bw == 64 ? ~uint64_t(0) : (uint64_t(1) << bw) - 1;
  uint64_t acc = 0;
  int have = 0;  // bits in acc, < 64 between values
  size_t at = 0;
  for (size_t i = 0; i < n; i++) {
    const uint64_t x = v[i] & mask;
    acc |= x << have;
    have += bw;
    if (have >= 64) {  // 64 bits packed: at + 8 <= the n * bw / 8 bytes
      StoreLe64(p + at, acc);
      at += 8;
      have -= 64;
      acc = have ? x >> (bw - have) : 0;  // the value's bits that did not fit
    }
  }
  // n * bw is a multiple of 8: whole bytes are left.
  for (; have > 0; have -= 8) p[at++] = char(uint8_t(acc)), acc >>= 8;
}

// The bw-bit value at bit position bit of p (the bytes it spans must exist).
uint64_t GetBits(const uint8_t* p, size_t bit, int bw) {
  uint64_t v = 0;
  size_t byte = bit >> 3;
  for (int have = -int(bit & 7); have < bw; have += 8) {
    const uint64_t b = p[byte++];
    v |= have < 0 ? b >> (-have) : b << have;
  }
  return bw == 64 ? v : v & ((uint64_t(1) << bw) - 1);
}

// [SECTION] Thrift compact protocol

class ThriftWriter {
 public:
  std::string out;
  void BeginTop() { Push(); }
  void Field(int id, uint8_t type) {
    const int d = id - last_;
    if (d > 0 && d <= 15) out.push_back(char((d << 4) | type));
    else {
      out.push_back(char(type));
      PutVarint(&out, Zigzag(id));
    }
    last_ = id;
  }
  void I32(int id, int64_t v) { Field(id, tI32), PutVarint(&out, Zigzag(v)); }
  void I64(int id, int64_t v) { Field(id, tI64), PutVarint(&out, Zigzag(v)); }
  void Bool(int id, bool v) { Field(id, v ? tTrue : tFalse); }
  void Binary(int id, std::string_view s) { Field(id, tBinary), ElemBinary(s); }
  void Struct(int id) { Field(id, tStruct), Push(); }
  void End() { out.push_back(char(tStop)), last_ = stack_.back(), stack_.pop_back(); }
  void List(int id, uint8_t elem, size_t n) {
    Field(id, tList);
    if (n < 15) out.push_back(char((n << 4) | elem));
    else {
      out.push_back(char(0xF0 | elem));
      PutVarint(&out, n);
    }
  }
  void ElemI32(int64_t v) { PutVarint(&out, Zigzag(v)); }
  void ElemBinary(std::string_view s) { PutVarint(&out, s.size()), out.append(s); }
  void ElemStruct() { Push(); }

 private:
  void Push() { stack_.push_back(last_), last_ = 0; }
  int last_ = 0;
  std::vector<int> stack_;
};

// A bounds-checked cursor over [data, data + size); offsets in messages are
// base + position (the file's byte offset). Also the page decoders' cursor.
class Cursor {
 public:
  Cursor(const uint8_t* d, size_t n, uint64_t base, std::string what) : d_(d), n_(n), base_(base), what_(std::move(what)) {}
  [[noreturn]] void Error(const std::string& m) const {
    throw Fail{"byte " + std::to_string(base_ + pos_) + ": " + what_ + ": " + m};
  }
  size_t Pos() const { return pos_; }
  size_t Left() const { return n_ - pos_; }
  uint64_t Offset() const { return base_ + pos_; }
  void SetWhat(std::string w) { what_ = std::move(w); }
  uint8_t Byte() {
    if (pos_ >= n_) Error("truncated");
    return d_[pos_++];
  }
  const uint8_t* Take(uint64_t n) {
    if (n > Left()) Error("needs " + std::to_string(n) + " bytes, " + std::to_string(Left()) + " left");
    const uint8_t* p = d_ + pos_;
    pos_ += size_t(n);
    return p;
  }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      if (shift > 63) Error("varint longer than 10 bytes");
      const uint8_t b = Byte();
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
  }
  // Thrift values
  int64_t I64() { return Unzigzag(Varint()); }
  int32_t I32(const char* field) {
    const int64_t v = I64();
    if (v < INT32_MIN || v > INT32_MAX) Error(std::string(field) + " " + std::to_string(v) + " is out of the i32 range");
    return int32_t(v);
  }
  std::string_view Binary() {
    const uint64_t n = Varint();
    const uint8_t* p = Take(n);
    return std::string_view(reinterpret_cast<const char*>(p), size_t(n));
  }
  // A struct's next field; false at its stop byte.
  bool Field(int* last, int* id, uint8_t* type) {
    const uint8_t b = Byte();
    if (b == tStop) return false;
    *type = b & 0x0f;
    if (*type > tStruct) Error("unknown field type " + std::to_string(*type));
    const int delta = b >> 4;
    if (delta) *id = *last + delta;
    else {
      const int64_t v = I64();
      if (v < -32768 || v > 32767) Error("field id " + std::to_string(v) + " is out of the i16 range");
      *id = int(v);
    }
    *last = *id;
    return true;
  }
  void ListHeader(uint8_t* elem, uint64_t* n) {
    const uint8_t b = Byte();
    *elem = b & 0x0f;
    *n = b >> 4;
    if (*n == 15) *n = Varint();
    if (*n > Left()) Error("a list of " + std::to_string(*n) + " elements in " + std::to_string(Left()) + " bytes");
  }
  void Skip(uint8_t type, int depth) {
    if (depth > 16) Error("structures nested deeper than 16");
    switch (type) {
      case tTrue: case tFalse: return;  // the value is the field header's type
      case tByte: Byte(); return;
      case tI16: case tI32: case tI64: Varint(); return;
      case tDouble: Take(8); return;
      case tBinary: Binary(); return;
      case tList: case tSet: {
        uint8_t elem;
        uint64_t n;
        ListHeader(&elem, &n);
        for (uint64_t i = 0; i < n; i++) SkipElem(elem, depth + 1);
        return;
      }
      case tMap: {
        const uint64_t n = Varint();
        if (n == 0) return;
        const uint8_t kv = Byte();
        if (n > Left()) Error("a map of " + std::to_string(n) + " entries in " + std::to_string(Left()) + " bytes");
        for (uint64_t i = 0; i < n; i++) SkipElem(uint8_t(kv >> 4), depth + 1), SkipElem(kv & 0x0f, depth + 1);
        return;
      }
      case tStruct: {
        int last = 0, id;
        uint8_t t;
        while (Field(&last, &id, &t)) Skip(t, depth + 1);
        return;
      }
      default: Error("unknown type " + std::to_string(type));
    }
  }

 private:
  void SkipElem(uint8_t type, int depth) {
    if (type == tTrue || type == tFalse) Byte();  // a boolean element is one byte
    else if (type == tStop || type > tStruct) Error("unknown element type " + std::to_string(type));
    else Skip(type, depth);
  }
  const uint8_t* d_;
  size_t n_, pos_ = 0;
  uint64_t base_;
  std::string what_;
};

// Field readers that check the wire type first.
int32_t ReadI32(Cursor& c, uint8_t type, const char* field) {
  if (type != tI32) c.Error(std::string(field) + " has wire type " + std::to_string(type) + ", not i32");
  return c.I32(field);
}
int64_t ReadI64(Cursor& c, uint8_t type, const char* field) {
  if (type != tI64) c.Error(std::string(field) + " has wire type " + std::to_string(type) + ", not i64");
  return c.I64();
}
std::string_view ReadBinary(Cursor& c, uint8_t type, const char* field) {
  if (type != tBinary) c.Error(std::string(field) + " has wire type " + std::to_string(type) + ", not binary");
  return c.Binary();
}
bool ReadBool(Cursor& c, uint8_t type, const char* field) {
  if (type != tTrue && type != tFalse) c.Error(std::string(field) + " has wire type " + std::to_string(type) + ", not bool");
  return type == tTrue;
}
uint64_t ReadList(Cursor& c, uint8_t type, uint8_t elem_want, const char* field) {
  if (type != tList) c.Error(std::string(field) + " has wire type " + std::to_string(type) + ", not list");
  uint8_t elem;
  uint64_t n;
  c.ListHeader(&elem, &n);
  if (elem != elem_want && n > 0)
    c.Error(std::string(field) + " holds wire type " + std::to_string(elem) + ", not " + std::to_string(elem_want));
  return n;
}
void ExpectStruct(Cursor& c, uint8_t type, const char* field) {
  if (type != tStruct) c.Error(std::string(field) + " has wire type " + std::to_string(type) + ", not struct");
}
// Required fields: bit i set when field i was read.
void Require(Cursor& c, uint32_t seen, std::initializer_list<std::pair<int, const char*>> fields, const char* what) {
  for (auto& [id, name] : fields)
    if (!(seen & (1u << id))) c.Error(std::string(what) + ": required field " + name + " (" + std::to_string(id) + ") is missing");
}

// [SECTION] encodings: RLE/bit-packed hybrid, DELTA_BINARY_PACKED

// Longest run of equal values at v[at], counted up to cap.
size_t RunLength(const uint32_t* v, size_t n, size_t at, size_t cap) {
  size_t j = at + 1;
  while (j < n && j - at < cap && v[j] == v[at]) j++;
  return j - at;
}

// Runs of 8 or more equal values as RLE runs, the rest bit-packed in groups of
// 8 (the last group padded with zeros; the reader knows how many values).
void EncodeHybrid(std::string* o, const uint32_t* v, size_t n, int bw) {
  std::vector<uint64_t> group;
  size_t i = 0;
  while (i < n) {
    const size_t run = RunLength(v, n, i, SIZE_MAX);
    if (run >= 8) {
      PutVarint(o, uint64_t(run) << 1);
      PutLe(o, v[i], (bw + 7) / 8);
      i += run;
      continue;
    }
    const size_t start = i;
    do i = std::min(n, i + 8);
    while (i < n && RunLength(v, n, i, 8) < 8);
    const size_t groups = (i - start + 7) / 8;
    PutVarint(o, (uint64_t(groups) << 1) | 1);
    group.assign(groups * 8, 0);
    for (size_t k = start; k < i; k++) group[k - start] = v[k];
    PackBits(o, group.data(), group.size(), bw);
  }
}

// n values of bw bits (bw <= 32) into out.
void DecodeHybrid(Cursor& c, int bw, size_t n, uint32_t* out) {
  size_t got = 0;
  const int value_bytes = (bw + 7) / 8;
  while (got < n) {
    const uint64_t h = c.Varint();
    if (h & 1) {
      const uint64_t groups = h >> 1;
      if (groups == 0) c.Error("an empty bit-packed run");
      if (groups > (n - got + 7) / 8)
        c.Error("a bit-packed run of " + std::to_string(groups * 8) + " values where " + std::to_string(n - got) + " are left");
      const uint8_t* p = c.Take(groups * uint64_t(bw));
      const size_t m = std::min<size_t>(size_t(groups) * 8, n - got);
      for (size_t k = 0; k < m; k++) out[got + k] = uint32_t(GetBits(p, k * size_t(bw), bw));
      got += m;
    } else {
      const uint64_t run = h >> 1;
      if (run == 0) c.Error("an empty RLE run");
      if (run > n - got) c.Error("an RLE run of " + std::to_string(run) + " values where " + std::to_string(n - got) + " are left");
      const uint64_t value = GetLe(c.Take(uint64_t(value_bytes)), value_bytes);
      if (bw < 32 && value >> bw) c.Error("RLE value " + std::to_string(value) + " is wider than " + std::to_string(bw) + " bits");
      std::fill(out + got, out + got + run, uint32_t(value));
      got += size_t(run);
    }
  }
}

constexpr size_t kDeltaBlock = 128, kDeltaMiniblocks = 4, kDeltaPerMini = kDeltaBlock / kDeltaMiniblocks;

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  for (; v >= 0x80; v >>= 7) n++;
  return n;
}

// DELTA_BINARY_PACKED: appends the encoding of v[0..n) to o, or with o null
// only returns its size (what choosing an encoding needs, without the packing).
size_t EncodeDelta(std::string* o, const int64_t* v, size_t n) {
  const uint64_t head[4] = {kDeltaBlock, kDeltaMiniblocks, n, Zigzag(n ? v[0] : 0)};
  size_t size = 0;
  for (uint64_t h : head) {
    size += VarintSize(h);
    if (o) PutVarint(o, h);
  }
  uint64_t d[kDeltaBlock];
  for (size_t i = 1; i < n; i += kDeltaBlock) {
    const size_t m = std::min(kDeltaBlock, n - i);
    // Wrapping differences (the format's arithmetic), relative to the block's smallest.
    int64_t mn = INT64_MAX;
    for (size_t k = 0; k < m; k++) {
      d[k] = uint64_t(v[i + k]) - uint64_t(v[i + k - 1]);
      mn = std::min(mn, int64_t(d[k]));
    }
    for (size_t k = 0; k < m; k++) d[k] -= uint64_t(mn);
    for (size_t k = m; k < kDeltaBlock; k++) d[k] = 0;  // a short last block is padded with zeros
    const size_t used = (m + kDeltaPerMini - 1) / kDeltaPerMini;
    int widths[kDeltaMiniblocks] = {0, 0, 0, 0};
    for (size_t mb = 0; mb < used; mb++) {
      uint64_t all = 0;
      for (size_t k = 0; k < kDeltaPerMini; k++) all |= d[mb * kDeltaPerMini + k];
      widths[mb] = BitsNeeded(all);
      size += kDeltaPerMini * size_t(widths[mb]) / 8;
    }
    size += VarintSize(Zigzag(mn)) + kDeltaMiniblocks;
    if (!o) continue;
    PutVarint(o, Zigzag(mn));
    for (int w : widths) o->push_back(char(w));
    for (size_t mb = 0; mb < used; mb++) PackBits(o, d + mb * kDeltaPerMini, kDeltaPerMini, widths[mb]);
  }
  return size;
}

void DecodeDelta(Cursor& c, size_t expect, std::vector<int64_t>* out) {
  const uint64_t block = c.Varint(), minis = c.Varint(), total = c.Varint();
  if (block == 0 || block % 128 || block > (1u << 20)) c.Error("DELTA_BINARY_PACKED block size " + std::to_string(block) + " is not a multiple of 128 (up to 2^20)");
  if (minis == 0 || block % minis || (block / minis) % 32)
    c.Error("DELTA_BINARY_PACKED: " + std::to_string(minis) + " miniblocks do not split a block of " + std::to_string(block) + " into multiples of 32");
  if (total != expect) c.Error("DELTA_BINARY_PACKED holds " + std::to_string(total) + " values, the page " + std::to_string(expect));
  uint64_t last = uint64_t(Unzigzag(c.Varint()));
  out->clear();
  if (total == 0) return;
  out->reserve(size_t(total));
  out->push_back(int64_t(last));
  const size_t per = size_t(block / minis);
  while (out->size() < total) {
    const uint64_t mn = uint64_t(Unzigzag(c.Varint()));
    const uint8_t* widths = c.Take(minis);
    for (size_t mb = 0; mb < minis && out->size() < total; mb++) {
      const int w = widths[mb];
      if (w > 64) c.Error("DELTA_BINARY_PACKED miniblock bit width " + std::to_string(w) + " is over 64");
      const uint8_t* p = c.Take(uint64_t(per) * uint64_t(w) / 8);
      for (size_t k = 0; k < per && out->size() < total; k++) {
        last += mn + GetBits(p, k * size_t(w), w);
        out->push_back(int64_t(last));
      }
    }
  }
}

// [SECTION] Snappy (the raw format Parquet pages use: a varint length, then literals and copies)

void SnappyCompress(std::string_view in, std::string* out) {
  out->clear();
  PutVarint(out, in.size());
  const uint8_t* s = reinterpret_cast<const uint8_t*>(in.data());
  const size_t n = in.size();
  auto literal = [&](size_t from, size_t to) {
    if (to == from) return;
    const uint64_t m = to - from - 1;
    if (m < 60) out->push_back(char(m << 2));
    else {
      const int bytes = m < (1u << 8) ? 1 : m < (1u << 16) ? 2 : m < (1u << 24) ? 3 : 4;
      out->push_back(char((59 + bytes) << 2));
      PutLe(out, m, bytes);
    }
    out->append(reinterpret_cast<const char*>(s) + from, to - from);
  };
  auto copy = [&](size_t offset, size_t len) {  // offset < 65536
    while (len > 0) {
      const size_t l = std::min<size_t>(len, 64);
      if (l >= 4 && l <= 11 && offset < 2048) {
        out->push_back(char(1 | ((l - 4) << 2) | ((offset >> 8) << 5)));
        out->push_back(char(offset & 0xff));
      } else {
        out->push_back(char(2 | ((l - 1) << 2)));
        PutLe(out, offset, 2);
      }
      len -= l;
    }
  };
  // Greedy: a 4-byte match found through a hash of the last position seen with those bytes.
  constexpr int kBits = 14;
  std::vector<int64_t> table(size_t(1) << kBits, -1);
  size_t i = 0, lit = 0;
  while (i + 4 <= n) {
    uint32_t v;
    std::memcpy(&v, s + i, 4);
    const uint32_t h = (v * 0x1e35a7bdu) >> (32 - kBits);
    const int64_t cand = table[h];
    table[h] = int64_t(i);
    if (cand >= 0 && i - size_t(cand) < 65536 && std::memcmp(s + cand, s + i, 4) == 0) {
      size_t len = 4;
      while (i + len < n && s[size_t(cand) + len] == s[i + len]) len++;
      literal(lit, i);
      copy(i - size_t(cand), len);
      i += len;
      lit = i;
    } else {
      i++;
    }
  }
  literal(lit, n);
}

void SnappyDecompress(Cursor& c, size_t expect, std::string* out) {
  const uint64_t len = c.Varint();
  if (len != expect) c.Error("Snappy length " + std::to_string(len) + ", uncompressed_page_size " + std::to_string(expect));
  out->clear();
  out->reserve(expect);
  while (c.Left()) {
    const uint8_t tag = c.Byte();
    const int kind = tag & 3;
    if (kind == 0) {
      uint64_t m = tag >> 2;
      if (m >= 60) m = GetLe(c.Take(m - 59), int(m - 59));
      if (m + 1 > expect - out->size()) c.Error("Snappy literal of " + std::to_string(m + 1) + " bytes past the page's size");
      const uint8_t* p = c.Take(m + 1);
      out->append(reinterpret_cast<const char*>(p), size_t(m + 1));
      continue;
    }
    uint64_t l, off;
    if (kind == 1) {
      l = 4 + ((tag >> 2) & 7);
      off = (uint64_t(tag >> 5) << 8) | c.Byte();
    } else {
      l = (tag >> 2) + 1;
      off = GetLe(c.Take(kind == 2 ? 2 : 4), kind == 2 ? 2 : 4);
    }
    if (off == 0 || off > out->size())
      c.Error("Snappy copy from " + std::to_string(off) + " bytes back, " + std::to_string(out->size()) + " written");
    if (l > expect - out->size()) c.Error("Snappy copy of " + std::to_string(l) + " bytes past the page's size");
    const size_t from = out->size() - size_t(off);
    for (uint64_t k = 0; k < l; k++) out->push_back((*out)[from + size_t(k)]);
  }
  if (out->size() != expect) c.Error("Snappy data ends after " + std::to_string(out->size()) + " of " + std::to_string(expect) + " bytes");
}

// [SECTION] writer

// A 64-bit finalizer (splitmix64's): every input bit reaches the low bits a table indexes with.
uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}
uint64_t HashBytes(std::string_view s) {
  uint64_t h = s.size() * 0x9e3779b97f4a7c15ULL;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0x100000001b3ULL + (h >> 29);
  }
  // The last 0..7 bytes in at most three loads (short strings are the common case).
  uint64_t tail = 0;
  const char* q = s.data() + i;
  size_t left = s.size() - i;
  int shift = 0;
  if (left >= 4) {
    uint32_t w;
    std::memcpy(&w, q, 4);
    tail = w, q += 4, left -= 4, shift = 32;
  }
  if (left >= 2) {
    uint16_t w;
    std::memcpy(&w, q, 2);
    tail |= uint64_t(w) << shift, q += 2, left -= 2, shift += 16;
  }
  if (left) tail |= uint64_t(uint8_t(*q)) << shift;
  return Mix(h ^ tail);
}

// Dictionary entries by open addressing: a slot holds an entry's index + 1
// (0 = empty). Unlike a node-based map, nothing is allocated per value, and a
// stored hash is compared before the value itself.
class DictTable {
 public:
  void Reset() {
    slots_.assign(1024, 0);
    hashes_.clear();
  }
  size_t Size() const { return hashes_.size(); }
  // The entry whose value hashes to h and satisfies same(entry), or a new one
  // (the next index; *fresh set).
  template <class Same>
  uint32_t Find(uint64_t h, Same same, bool* fresh) {
    const size_t mask = slots_.size() - 1;
    for (size_t i = size_t(h) & mask;; i = (i + 1) & mask) {
      const uint32_t s = slots_[i];
      if (s == 0) {
        const uint32_t e = uint32_t(hashes_.size());
        hashes_.push_back(h);
        slots_[i] = e + 1;
        if (2 * hashes_.size() > slots_.size()) Grow();
        *fresh = true;
        return e;
      }
      if (hashes_[s - 1] == h && same(s - 1)) {
        *fresh = false;
        return s - 1;
      }
    }
  }

 private:
  void Grow() {
    slots_.assign(slots_.size() * 2, 0);
    const size_t mask = slots_.size() - 1;
    for (size_t e = 0; e < hashes_.size(); e++) {
      size_t i = size_t(hashes_[e]) & mask;
      while (slots_[i]) i = (i + 1) & mask;
      slots_[i] = uint32_t(e + 1);
    }
  }
  std::vector<uint32_t> slots_;
  std::vector<uint64_t> hashes_;  // per entry
};

// The least and greatest of v[0..n), n > 0. Two lanes of independent
// accumulators: minmax_element's one chain of compares was a fifth of Finish.
void MinMax(const int64_t* v, size_t n, int64_t* mn, int64_t* mx) {
  int64_t lo0 = v[0], hi0 = v[0], lo1 = v[0], hi1 = v[0];
  size_t i = 1;
  for (; i + 2 <= n; i += 2) {
    lo0 = std::min(lo0, v[i]), hi0 = std::max(hi0, v[i]);
    lo1 = std::min(lo1, v[i + 1]), hi1 = std::max(hi1, v[i + 1]);
  }
  if (i < n) lo0 = std::min(lo0, v[i]), hi0 = std::max(hi0, v[i]);
  *mn = std::min(lo0, lo1), *mx = std::max(hi0, hi1);
}

int Physical(ColumnType t) {
  switch (t) {
    case ColumnType::Boolean: return kBoolean;
    case ColumnType::Int64: case ColumnType::Timestamp: return kInt64;
    case ColumnType::Double: return kDouble;
    case ColumnType::String: return kByteArray;
  }
  return kByteArray;
}

std::string PageHeader(int type, size_t size, size_t compressed, size_t num_values, int encoding) {
  ThriftWriter w;
  w.BeginTop();
  w.I32(1, type);
  w.I32(2, int64_t(size));
  w.I32(3, int64_t(compressed));
  if (type == kDictionaryPage) {
    w.Struct(7);
    w.I32(1, int64_t(num_values));
    w.I32(2, kPlain);
    w.End();
  } else {
    w.Struct(5);
    w.I32(1, int64_t(num_values));
    w.I32(2, encoding);
    w.I32(3, kRle);  // definition levels
    w.I32(4, kRle);  // repetition levels (none: flat schema)
    w.End();
  }
  w.End();
  return w.out;
}

}  // namespace

const char* ColumnTypeName(ColumnType t) {
  switch (t) {
    case ColumnType::Boolean: return "boolean";
    case ColumnType::Int64: return "int64";
    case ColumnType::Double: return "double";
    case ColumnType::String: return "string";
    case ColumnType::Timestamp: return "timestamp";
  }
  return "?";
}

ParquetWriter::ParquetWriter(std::vector<ColumnSpec> schema, WriterOptions opt)
    : schema_(std::move(schema)), opt_(std::move(opt)), cols_(schema_.size()) {
  if (opt_.page_rows == 0) opt_.page_rows = 1;
  if (opt_.row_group_rows == 0) opt_.row_group_rows = 1;
}

size_t ParquetWriter::Rows() const {
  size_t n = SIZE_MAX;
  for (auto& c : cols_) n = std::min(n, c.defined.size());
  return cols_.empty() ? 0 : n;
}

void ParquetWriter::Bad(size_t col, const char* what) {
  if (!error_.empty()) return;
  error_ = col < schema_.size() ? "parquet: column '" + schema_[col].name + "' (" + ColumnTypeName(schema_[col].type) + "): " + what
                                : "parquet: column " + std::to_string(col) + " does not exist";
}

void ParquetWriter::Reserve(size_t rows) {
  for (size_t c = 0; c < cols_.size(); c++) {
    Column& col = cols_[c];
    col.defined.reserve(col.defined.size() + rows);
    if (schema_[c].type == ColumnType::Double) col.doubles.reserve(col.doubles.size() + rows);
    else if (schema_[c].type == ColumnType::String) col.ends.reserve(col.ends.size() + rows);
    else col.ints.reserve(col.ints.size() + rows);
  }
}

void ParquetWriter::AppendNull(size_t col) {
  if (col >= cols_.size()) return Bad(col, "");
  if (!schema_[col].nullable) Bad(col, "a null in a REQUIRED column");
  cols_[col].defined.push_back(0);
}
void ParquetWriter::AppendInt64Slow(size_t col, int64_t v) {
  if (col >= cols_.size()) return Bad(col, "");
  if (schema_[col].type != ColumnType::Int64 && schema_[col].type != ColumnType::Timestamp) Bad(col, "given an integer");
  cols_[col].defined.push_back(1);
  cols_[col].ints.push_back(v);
}
void ParquetWriter::AppendDoubleSlow(size_t col, double v) {
  if (col >= cols_.size()) return Bad(col, "");
  if (schema_[col].type != ColumnType::Double) Bad(col, "given a double");
  cols_[col].defined.push_back(1);
  cols_[col].doubles.push_back(v);
}
void ParquetWriter::AppendBool(size_t col, bool v) {
  if (col >= cols_.size()) return Bad(col, "");
  if (schema_[col].type != ColumnType::Boolean) Bad(col, "given a boolean");
  cols_[col].defined.push_back(1);
  cols_[col].ints.push_back(v ? 1 : 0);
}
void ParquetWriter::AppendStringSlow(size_t col, std::string_view v) {
  if (col >= cols_.size()) return Bad(col, "");
  if (schema_[col].type != ColumnType::String) Bad(col, "given a string");
  Column& c = cols_[col];
  if (v.size() > kMaxText - c.text) return Bad(col, "over 4 GB of text in one file");
  if (v.size() > c.bytes.size() - c.text) GrowText(c, v.size());
  c.defined.push_back(1);
  if (!v.empty()) std::memcpy(&c.bytes[c.text], v.data(), v.size());
  c.text += v.size();
  c.ends.push_back(uint32_t(c.text));
}
void ParquetWriter::GrowText(Column& c, size_t more) {
  c.bytes.resize(std::max(c.bytes.size() * 2, c.text + more + 256));
}

Result<std::string> ParquetWriter::Finish() const {
  if (!error_.empty()) return Status::Error(error_);
  const size_t rows = Rows();
  for (size_t c = 0; c < cols_.size(); c++)
    if (cols_[c].defined.size() != rows)
      return Status::Error("parquet: column '" + schema_[c].name + "' has " + std::to_string(cols_[c].defined.size()) +
                           " rows, column '" + schema_[0].name + "' " + std::to_string(rows));
  if (schema_.empty()) return Status::Error("parquet: no columns");
  std::string file = "PAR1";
  {  // about PLAIN's size: the file grows once, not by doubling copies
    size_t plain = 4096;
    for (auto& c : cols_) plain += c.defined.size() / 4 + 8 * (c.ints.size() + c.doubles.size()) + c.text + 4 * c.ends.size();
    file.reserve(plain);
  }
  struct Chunk {
    int64_t offset, data_offset, dict_offset, size, nulls, uncompressed;
    std::vector<int> encodings;
    bool minmax;
    int64_t mn, mx;
  };
  std::vector<std::vector<Chunk>> groups;
  std::vector<size_t> next_value(cols_.size(), 0);  // each column's first value of the row group
  std::vector<uint32_t> levels, idx;
  std::vector<uint64_t> bits;
  std::string page, packed;
  std::string deltas;  // a one-page row group's DELTA_BINARY_PACKED values, encoded while choosing
  DictTable dict;
  for (size_t r0 = 0; r0 < rows; r0 += opt_.row_group_rows) {
    const size_t r1 = std::min(rows, r0 + opt_.row_group_rows);
    groups.emplace_back();
    for (size_t c = 0; c < cols_.size(); c++) {
      const Column& col = cols_[c];
      const ColumnSpec& spec = schema_[c];
      const size_t v0 = next_value[c];
      size_t v1 = v0;
      v1 += CountOnes(col.defined.data() + r0, r1 - r0);
      next_value[c] = v1;
      const size_t nv = v1 - v0;
      auto str = [&](size_t i) {
        const uint32_t b = i ? col.ends[i - 1] : 0;
        return std::string_view(col.bytes.data() + b, col.ends[i] - b);
      };
      // Pick the encoding: a dictionary or deltas where they are smaller than PLAIN.
      enum { Plain, Dict, Delta } enc = Plain;
      std::vector<uint32_t> dict_of;  // per value: its dictionary index
      std::vector<size_t> dict_first; // per dictionary entry: the value it came from
      const bool ints = spec.type == ColumnType::Int64 || spec.type == ColumnType::Timestamp;
      // With one page, the row group's encoding is the page's: keep it rather than encode twice.
      const bool one_page = r1 - r0 <= opt_.page_rows;
      deltas.clear();
      auto delta_size = [&]() {
        return one_page ? EncodeDelta(&deltas, col.ints.data() + v0, nv) : EncodeDelta(nullptr, col.ints.data() + v0, nv);
      };
      if (opt_.dictionary && nv > 0 && (ints || spec.type == ColumnType::String)) {
        constexpr size_t kMaxDict = 1u << 16, kProbe = 4096;
        uint64_t plain = 0, dict_bytes = 0;
        dict_of.resize(nv);
        bool ok = true;
        bool fresh;
        dict.Reset();
        // What the dictionary must beat. It only grows, so once its entries
        // so far plus the indices at their current width reach this, it has lost.
        uint64_t other = ints ? 8 * nv : 4 * nv + (col.ends[v1 - 1] - (v0 ? col.ends[v0 - 1] : 0));
        size_t delta = SIZE_MAX;
        if (ints && opt_.delta) other = std::min<uint64_t>(other, delta = delta_size());
        auto lost = [&](uint64_t entry_bytes) {
          return entry_bytes + nv * uint64_t(std::max(1, BitsNeeded(dict_first.size() - 1))) / 8 + 1 >= other;
        };
        if (ints) {
          for (size_t i = v0; i < v1 && ok; i++) {
            const int64_t x = col.ints[i];
            const uint32_t e = dict.Find(Mix(uint64_t(x)), [&](uint32_t k) { return col.ints[dict_first[k]] == x; }, &fresh);
            if (fresh) dict_first.push_back(i), ok = dict_first.size() <= kMaxDict && !lost(8 * dict_first.size());
            dict_of[i - v0] = e;
            if (i - v0 == kProbe && dict_first.size() > kProbe / 2) ok = false;  // mostly distinct: no dictionary
          }
          plain = 8 * nv;
          dict_bytes = 8 * dict_first.size();
        } else {
          for (size_t i = v0; i < v1 && ok; i++) {
            const std::string_view x = str(i);
            const uint32_t e = dict.Find(HashBytes(x), [&](uint32_t k) { return str(dict_first[k]) == x; }, &fresh);
            if (fresh) dict_first.push_back(i), dict_bytes += 4 + x.size(), ok = dict_first.size() <= kMaxDict && !lost(dict_bytes);
            dict_of[i - v0] = e;
            if (i - v0 == kProbe && dict_first.size() > kProbe / 2) ok = false;
          }
          plain = 4 * nv + (col.ends[v1 - 1] - (v0 ? col.ends[v0 - 1] : 0));
        }
        const uint64_t index_bytes = nv * uint64_t(std::max(1, BitsNeeded(dict_first.size() - 1))) / 8 + 1;
        uint64_t best = plain;
        if (ints && opt_.delta) {
          best = std::min<uint64_t>(best, delta);
          if (delta < plain) enc = Delta;
        }
        if (ok && dict_bytes + index_bytes < best) enc = Dict;
      } else if (opt_.delta && nv > 0 && ints) {
        if (delta_size() < 8 * nv) enc = Delta;
      }
      Chunk ch{int64_t(file.size()), 0, -1, 0, int64_t((r1 - r0) - nv), 0, {}, false, 0, 0};
      // A page out: its header and its bytes, Snappy-compressed when asked.
      auto emit = [&](int type, size_t num_values, int encoding) {
        std::string_view body = page;
        if (opt_.snappy) SnappyCompress(page, &packed), body = packed;
        const std::string header = PageHeader(type, page.size(), body.size(), num_values, encoding);
        ch.uncompressed += int64_t(header.size() + page.size());
        file += header;
        file += body;
      };
      const int bw = enc == Dict ? std::max(1, BitsNeeded(dict_first.size() - 1)) : 0;
      auto plain_value = [&](std::string* o, size_t i) {
        if (spec.type == ColumnType::String) {
          const std::string_view s = str(i);
          PutLe(o, s.size(), 4);
          o->append(s);
        } else if (spec.type == ColumnType::Double) PutLe(o, DoubleBits(col.doubles[i]), 8);
        else PutLe(o, uint64_t(col.ints[i]), 8);
      };
      if (enc == Dict) {
        page.clear();
        for (size_t i : dict_first) plain_value(&page, i);
        if (page.size() > INT32_MAX) return Status::Error("parquet: column '" + spec.name + "': dictionary page over 2 GB");
        ch.dict_offset = int64_t(file.size());
        emit(kDictionaryPage, dict_first.size(), kPlain);
      }
      ch.data_offset = int64_t(file.size());
      const int page_enc = enc == Dict ? kRleDictionary : enc == Delta ? kDeltaBinaryPacked : kPlain;
      size_t pv = v0;
      for (size_t p0 = r0; p0 < r1; p0 += opt_.page_rows) {
        const size_t p1 = std::min(r1, p0 + opt_.page_rows);
        page.clear();
        const size_t n = CountOnes(col.defined.data() + p0, p1 - p0);
        if (spec.nullable) {
          page.resize(4);
          if (n == p1 - p0 && n >= 8) {  // no nulls: one RLE run of 1s, as EncodeHybrid writes it
            PutVarint(&page, uint64_t(n) << 1);
            page.push_back(1);
          } else {
            levels.assign(col.defined.begin() + long(p0), col.defined.begin() + long(p1));
            EncodeHybrid(&page, levels.data(), levels.size(), 1);
          }
          const uint64_t len = page.size() - 4;
          for (int k = 0; k < 4; k++) page[size_t(k)] = char(uint8_t(len >> (8 * k)));
        }
        if (enc == Dict) {
          page.push_back(char(bw));
          EncodeHybrid(&page, dict_of.data() + (pv - v0), n, bw);
        } else if (enc == Delta) {
          if (one_page) page += deltas;
          else EncodeDelta(&page, col.ints.data() + pv, n);
        } else if (spec.type == ColumnType::Boolean) {
          bits.assign((n + 7) / 8 * 8, 0);
          for (size_t i = 0; i < n; i++) bits[i] = uint64_t(col.ints[pv + i]);
          PackBits(&page, bits.data(), bits.size(), 1);
        } else if (spec.type == ColumnType::String) {
          for (size_t i = pv; i < pv + n; i++) plain_value(&page, i);
        } else {  // 8 bytes a value, stored in place
          const size_t at = page.size();
          page.resize(at + 8 * n);
          char* o = &page[at];
          if (spec.type == ColumnType::Double)
            for (size_t i = 0; i < n; i++) StoreLe64(o + 8 * i, DoubleBits(col.doubles[pv + i]));
          else
            for (size_t i = 0; i < n; i++) StoreLe64(o + 8 * i, uint64_t(col.ints[pv + i]));
        }
        if (page.size() > INT32_MAX) return Status::Error("parquet: column '" + spec.name + "': a data page over 2 GB");
        emit(kDataPage, p1 - p0, page_enc);
        pv += n;
      }
      ch.size = int64_t(file.size()) - ch.offset;
      ch.encodings = {page_enc == kPlain ? kPlain : page_enc, kRle};
      if (enc == Dict) ch.encodings.insert(ch.encodings.begin(), kPlain);
      if (ints && nv > 0) MinMax(col.ints.data() + v0, nv, &ch.mn, &ch.mx), ch.minmax = true;
      groups.back().push_back(std::move(ch));
    }
  }
  // The footer: FileMetaData.
  ThriftWriter w;
  w.BeginTop();
  w.I32(1, 1);
  w.List(2, tStruct, schema_.size() + 1);
  w.ElemStruct();
  w.Binary(4, "schema");
  w.I32(5, int64_t(schema_.size()));
  w.End();
  for (auto& s : schema_) {
    w.ElemStruct();
    w.I32(1, Physical(s.type));
    w.I32(3, s.nullable ? kOptional : kRequired);
    w.Binary(4, s.name);
    if (s.type == ColumnType::String) {
      w.I32(6, kUtf8);
      w.Struct(10), w.Struct(1), w.End(), w.End();  // LogicalType.STRING
    } else if (s.type == ColumnType::Timestamp) {
      w.I32(6, s.unit == TimeUnit::Millis ? kTimestampMillis : kTimestampMicros);
      w.Struct(10), w.Struct(8);  // LogicalType.TIMESTAMP
      w.Bool(1, true);            // isAdjustedToUTC
      w.Struct(2), w.Struct(s.unit == TimeUnit::Millis ? 1 : 2), w.End(), w.End();
      w.End(), w.End();
    }
    w.End();
  }
  w.I64(3, int64_t(rows));
  w.List(4, tStruct, groups.size());
  size_t r0 = 0;
  for (auto& g : groups) {
    const size_t grows = std::min(rows - r0, opt_.row_group_rows);
    int64_t bytes = 0;
    w.ElemStruct();
    w.List(1, tStruct, g.size());
    for (size_t c = 0; c < g.size(); c++) {
      const Chunk& ch = g[c];
      bytes += ch.size;
      w.ElemStruct();
      w.I64(2, ch.offset);
      w.Struct(3);  // ColumnMetaData
      w.I32(1, Physical(schema_[c].type));
      w.List(2, tI32, ch.encodings.size());
      for (int e : ch.encodings) w.ElemI32(e);
      w.List(3, tBinary, 1);
      w.ElemBinary(schema_[c].name);
      w.I32(4, opt_.snappy ? 1 : 0);  // SNAPPY or UNCOMPRESSED
      w.I64(5, int64_t(grows));
      w.I64(6, ch.uncompressed);
      w.I64(7, ch.size);
      w.I64(9, ch.data_offset);
      if (ch.dict_offset >= 0) w.I64(11, ch.dict_offset);
      w.Struct(12);  // Statistics
      w.I64(3, ch.nulls);
      if (ch.minmax) {
        std::string mx, mn;
        PutLe(&mx, uint64_t(ch.mx), 8);
        PutLe(&mn, uint64_t(ch.mn), 8);
        w.Binary(5, mx);
        w.Binary(6, mn);
      }
      w.End();
      w.End();
      w.End();
    }
    w.I64(2, bytes);
    w.I64(3, int64_t(grows));
    w.End();
    r0 += grows;
  }
  w.Binary(6, opt_.created_by);
  w.End();
  file += w.out;
  PutLe(&file, w.out.size(), 4);
  file += "PAR1";
  return file;
}

// [SECTION] reader

namespace {

struct SchemaEl {
  int type = -1, repetition = -1, num_children = -1, converted = -1;
  std::string name;
  enum { kNone, kString, kTimestamp, kOther } logical = kNone;
  int unit = -1;  // 1 millis, 2 micros, 3 nanos
  bool utc = true;
};

struct ChunkMeta {
  int type = -1, codec = -1;
  std::vector<std::string> path;
  int64_t num_values = -1, compressed = -1, data_offset = -1, dict_offset = -1;
};

struct RowGroupMeta {
  std::vector<ChunkMeta> chunks;
  int64_t num_rows = -1;
};

struct FileMeta {
  std::vector<SchemaEl> schema;
  int64_t num_rows = -1;
  std::vector<RowGroupMeta> groups;
  std::string created_by;
};

void ReadLogical(Cursor& c, SchemaEl* s) {
  int last = 0, id;
  uint8_t t;
  bool any = false;
  while (c.Field(&last, &id, &t)) {
    if (any) c.Error("LogicalType: a union with more than one member");
    any = true;
    if (id == 1 && t == tStruct) s->logical = SchemaEl::kString, c.Skip(t, 1);
    else if (id == 8 && t == tStruct) {
      s->logical = SchemaEl::kTimestamp;
      int l2 = 0, id2;
      uint8_t t2;
      while (c.Field(&l2, &id2, &t2)) {
        if (id2 == 1) s->utc = ReadBool(c, t2, "TimestampType.isAdjustedToUTC");
        else if (id2 == 2) {
          ExpectStruct(c, t2, "TimestampType.unit");
          int l3 = 0, id3;
          uint8_t t3;
          while (c.Field(&l3, &id3, &t3)) {
            s->unit = id3;
            c.Skip(t3, 3);
          }
        } else c.Skip(t2, 2);
      }
    } else {
      s->logical = SchemaEl::kOther;
      c.Skip(t, 1);
    }
  }
}

SchemaEl ReadSchemaElement(Cursor& c) {
  SchemaEl s;
  int last = 0, id;
  uint8_t t;
  uint32_t seen = 0;
  while (c.Field(&last, &id, &t)) {
    if (id >= 1 && id < 32) seen |= 1u << id;
    switch (id) {
      case 1: s.type = ReadI32(c, t, "SchemaElement.type"); break;
      case 3: s.repetition = ReadI32(c, t, "SchemaElement.repetition_type"); break;
      case 4: s.name = std::string(ReadBinary(c, t, "SchemaElement.name")); break;
      case 5: s.num_children = ReadI32(c, t, "SchemaElement.num_children"); break;
      case 6: s.converted = ReadI32(c, t, "SchemaElement.converted_type"); break;
      case 10: ExpectStruct(c, t, "SchemaElement.logicalType"), ReadLogical(c, &s); break;
      default: c.Skip(t, 1);
    }
  }
  Require(c, seen, {{4, "name"}}, "SchemaElement");
  return s;
}

ChunkMeta ReadColumnMeta(Cursor& c) {
  ChunkMeta m;
  int last = 0, id;
  uint8_t t;
  uint32_t seen = 0;
  while (c.Field(&last, &id, &t)) {
    if (id >= 1 && id < 32) seen |= 1u << id;
    switch (id) {
      case 1: m.type = ReadI32(c, t, "ColumnMetaData.type"); break;
      case 2: {
        const uint64_t n = ReadList(c, t, tI32, "ColumnMetaData.encodings");
        for (uint64_t i = 0; i < n; i++) c.I32("ColumnMetaData.encodings");
        break;
      }
      case 3: {
        const uint64_t n = ReadList(c, t, tBinary, "ColumnMetaData.path_in_schema");
        for (uint64_t i = 0; i < n; i++) m.path.emplace_back(c.Binary());
        break;
      }
      case 4: m.codec = ReadI32(c, t, "ColumnMetaData.codec"); break;
      case 5: m.num_values = ReadI64(c, t, "ColumnMetaData.num_values"); break;
      case 7: m.compressed = ReadI64(c, t, "ColumnMetaData.total_compressed_size"); break;
      case 9: m.data_offset = ReadI64(c, t, "ColumnMetaData.data_page_offset"); break;
      case 11: m.dict_offset = ReadI64(c, t, "ColumnMetaData.dictionary_page_offset"); break;
      default: c.Skip(t, 1);
    }
  }
  Require(c, seen, {{1, "type"}, {2, "encodings"}, {3, "path_in_schema"}, {4, "codec"}, {5, "num_values"},
                    {6, "total_uncompressed_size"}, {7, "total_compressed_size"}, {9, "data_page_offset"}},
          "ColumnMetaData");
  return m;
}

ChunkMeta ReadColumnChunk(Cursor& c) {
  ChunkMeta m;
  bool have_meta = false;
  int last = 0, id;
  uint8_t t;
  while (c.Field(&last, &id, &t)) {
    if (id == 1) c.Error("ColumnChunk.file_path: columns in another file are not supported");
    else if (id == 3) ExpectStruct(c, t, "ColumnChunk.meta_data"), m = ReadColumnMeta(c), have_meta = true;
    else c.Skip(t, 1);
  }
  if (!have_meta) c.Error("ColumnChunk: meta_data (3) is missing");
  return m;
}

RowGroupMeta ReadRowGroup(Cursor& c) {
  RowGroupMeta g;
  int last = 0, id;
  uint8_t t;
  uint32_t seen = 0;
  while (c.Field(&last, &id, &t)) {
    if (id >= 1 && id < 32) seen |= 1u << id;
    if (id == 1) {
      const uint64_t n = ReadList(c, t, tStruct, "RowGroup.columns");
      for (uint64_t i = 0; i < n; i++) g.chunks.push_back(ReadColumnChunk(c));
    } else if (id == 3) g.num_rows = ReadI64(c, t, "RowGroup.num_rows");
    else c.Skip(t, 1);
  }
  Require(c, seen, {{1, "columns"}, {2, "total_byte_size"}, {3, "num_rows"}}, "RowGroup");
  return g;
}

FileMeta ReadFileMeta(Cursor& c) {
  FileMeta f;
  int last = 0, id;
  uint8_t t;
  uint32_t seen = 0;
  while (c.Field(&last, &id, &t)) {
    if (id >= 1 && id < 32) seen |= 1u << id;
    switch (id) {
      case 2: {
        const uint64_t n = ReadList(c, t, tStruct, "FileMetaData.schema");
        for (uint64_t i = 0; i < n; i++) f.schema.push_back(ReadSchemaElement(c));
        break;
      }
      case 3: f.num_rows = ReadI64(c, t, "FileMetaData.num_rows"); break;
      case 4: {
        const uint64_t n = ReadList(c, t, tStruct, "FileMetaData.row_groups");
        for (uint64_t i = 0; i < n; i++) f.groups.push_back(ReadRowGroup(c));
        break;
      }
      case 6: f.created_by = std::string(ReadBinary(c, t, "FileMetaData.created_by")); break;
      default: c.Skip(t, 1);
    }
  }
  Require(c, seen, {{1, "version"}, {2, "schema"}, {3, "num_rows"}, {4, "row_groups"}}, "FileMetaData");
  return f;
}

struct PageMeta {
  int type = -1, uncompressed = -1, compressed = -1;
  int num_values = -1, encoding = -1, def_encoding = -1;
};

PageMeta ReadPageHeader(Cursor& c) {
  PageMeta p;
  int last = 0, id;
  uint8_t t;
  uint32_t seen = 0;
  bool sub = false;
  while (c.Field(&last, &id, &t)) {
    if (id >= 1 && id < 32) seen |= 1u << id;
    if (id == 1) p.type = ReadI32(c, t, "PageHeader.type");
    else if (id == 2) p.uncompressed = ReadI32(c, t, "PageHeader.uncompressed_page_size");
    else if (id == 3) p.compressed = ReadI32(c, t, "PageHeader.compressed_page_size");
    else if (id == 5 || id == 7) {
      ExpectStruct(c, t, id == 5 ? "PageHeader.data_page_header" : "PageHeader.dictionary_page_header");
      if (sub) c.Error("PageHeader: more than one page header kind");
      sub = true;
      int l2 = 0, id2;
      uint8_t t2;
      uint32_t seen2 = 0;
      while (c.Field(&l2, &id2, &t2)) {
        if (id2 >= 1 && id2 < 32) seen2 |= 1u << id2;
        if (id2 == 1) p.num_values = ReadI32(c, t2, "num_values");
        else if (id2 == 2) p.encoding = ReadI32(c, t2, "encoding");
        else if (id2 == 3 && id == 5) p.def_encoding = ReadI32(c, t2, "definition_level_encoding");
        else c.Skip(t2, 2);
      }
      if (id == 5) Require(c, seen2, {{1, "num_values"}, {2, "encoding"}, {3, "definition_level_encoding"}, {4, "repetition_level_encoding"}}, "DataPageHeader");
      else Require(c, seen2, {{1, "num_values"}, {2, "encoding"}}, "DictionaryPageHeader");
    } else c.Skip(t, 1);
  }
  Require(c, seen, {{1, "type"}, {2, "uncompressed_page_size"}, {3, "compressed_page_size"}}, "PageHeader");
  return p;
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }

}  // namespace

uint64_t ParquetColumn::NullCount() const {
  uint64_t n = 0;
  for (uint8_t x : nulls) n += x;
  return n;
}

int ParquetTable::Index(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); i++)
    if (columns[i].spec.name == name) return int(i);
  return -1;
}

Result<ParquetTable> ReadParquet(std::string_view bytes, const std::string& origin) {
  const uint8_t* d = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t size = bytes.size();
  if (size < 12 || bytes.substr(0, 4) != "PAR1" || bytes.substr(size - 4) != "PAR1")
    return Status::Error(origin + ": not a Parquet file (no PAR1 magic at both ends)");
  const uint64_t footer_len = GetLe(d + size - 8, 4);
  if (footer_len > size - 12)
    return Status::Error(origin + ": byte " + std::to_string(size - 8) + ": footer length " + std::to_string(footer_len) +
                         " is longer than the file");
  const size_t footer = size - 8 - size_t(footer_len);
  try {
    Cursor fc(d + footer, size_t(footer_len), footer, "footer");
    FileMeta fm = ReadFileMeta(fc);
    if (fc.Left()) fc.Error(std::to_string(fc.Left()) + " bytes after FileMetaData");
    // A flat schema: the root, then one leaf per column.
    if (fm.schema.empty()) fc.Error("FileMetaData.schema is empty");
    const SchemaEl& root = fm.schema[0];
    if (root.num_children < 1 || size_t(root.num_children) != fm.schema.size() - 1)
      fc.Error("schema root has num_children " + std::to_string(root.num_children) + " for " +
               std::to_string(fm.schema.size() - 1) + " columns (only flat schemas are read)");
    ParquetTable table;
    table.created_by = fm.created_by;
    for (size_t i = 1; i < fm.schema.size(); i++) {
      const SchemaEl& s = fm.schema[i];
      const std::string col = "column " + Quote(s.name) + ": ";
      if (s.num_children > 0) fc.Error(col + "nested groups are not supported");
      if (s.repetition != kRequired && s.repetition != kOptional)
        fc.Error(col + "repetition_type " + std::to_string(s.repetition) + " (only REQUIRED and OPTIONAL are read)");
      ParquetColumn pc;
      pc.spec.name = s.name;
      pc.spec.nullable = s.repetition == kOptional;
      if (s.logical == SchemaEl::kOther) fc.Error(col + "a logical type other than STRING and TIMESTAMP");
      if (s.type == kBoolean) pc.spec.type = ColumnType::Boolean;
      else if (s.type == kDouble) pc.spec.type = ColumnType::Double;
      else if (s.type == kByteArray) pc.spec.type = ColumnType::String;
      else if (s.type == kInt64) {
        pc.spec.type = ColumnType::Int64;
        int unit = s.logical == SchemaEl::kTimestamp ? s.unit
                   : s.converted == kTimestampMillis ? 1
                   : s.converted == kTimestampMicros ? 2 : 0;
        if (s.logical == SchemaEl::kTimestamp && unit != 1 && unit != 2) fc.Error(col + "timestamp unit other than MILLIS or MICROS");
        if (unit) pc.spec.type = ColumnType::Timestamp, pc.spec.unit = unit == 1 ? TimeUnit::Millis : TimeUnit::Micros;
      } else
        fc.Error(col + "physical type " + (s.type >= 0 && s.type <= 7 ? kTypeNames[s.type] : std::to_string(s.type)) +
                 " is not supported");
      if ((s.logical == SchemaEl::kString || s.converted == kUtf8) && s.type != kByteArray)
        fc.Error(col + "STRING on a non-BYTE_ARRAY column");
      if (s.logical == SchemaEl::kTimestamp && s.type != kInt64) fc.Error(col + "TIMESTAMP on a non-INT64 column");
      table.columns.push_back(std::move(pc));
    }
    const size_t ncols = table.columns.size();
    if (fm.num_rows < 0) fc.Error("FileMetaData.num_rows " + std::to_string(fm.num_rows) + " is negative");
    int64_t sum = 0;
    for (auto& g : fm.groups) {
      if (g.num_rows < 0 || g.num_rows > fm.num_rows - sum) fc.Error("RowGroup.num_rows do not add up to FileMetaData.num_rows");
      sum += g.num_rows;
      if (g.chunks.size() != ncols)
        fc.Error("a row group has " + std::to_string(g.chunks.size()) + " column chunks for " + std::to_string(ncols) + " columns");
    }
    if (sum != fm.num_rows) fc.Error("RowGroup.num_rows add up to " + std::to_string(sum) + ", FileMetaData.num_rows is " + std::to_string(fm.num_rows));
    // Runs and dictionaries expand small inputs: bound what a file may make us hold.
    const uint64_t max_cells = std::max<uint64_t>(uint64_t(1) << 20, uint64_t(size) * 256);
    if (uint64_t(fm.num_rows) > max_cells / std::max<size_t>(ncols, 1))
      fc.Error(std::to_string(fm.num_rows) + " rows x " + std::to_string(ncols) + " columns is more than a " +
               std::to_string(size) + "-byte file may hold here");
    const uint64_t max_text = std::max<uint64_t>(uint64_t(1) << 28, uint64_t(size) * 64);
    uint64_t text = 0;
    table.rows = uint64_t(fm.num_rows);
    const size_t rows = size_t(fm.num_rows);
    for (auto& pc : table.columns) {
      pc.nulls.assign(rows, 0);
      if (pc.spec.type == ColumnType::Double) pc.doubles.assign(rows, 0.0);
      else if (pc.spec.type == ColumnType::String) pc.strings.assign(rows, std::string());
      else pc.ints.assign(rows, 0);
    }
    std::vector<uint32_t> levels, idx;
    std::vector<int64_t> deltas;
    std::string unpacked;  // a Snappy page's bytes
    size_t row0 = 0;
    for (size_t gi = 0; gi < fm.groups.size(); gi++) {
      const RowGroupMeta& g = fm.groups[gi];
      for (size_t ci = 0; ci < ncols; ci++) {
        ParquetColumn& pc = table.columns[ci];
        const ChunkMeta& m = g.chunks[ci];
        const std::string where = "row group " + std::to_string(gi) + ", column " + Quote(pc.spec.name);
        if (m.type != fm.schema[ci + 1].type) fc.Error(where + ": ColumnMetaData.type differs from the schema's");
        if (m.path.size() != 1 || m.path[0] != pc.spec.name) fc.Error(where + ": path_in_schema is not the column's name");
        if (m.codec != 0 && m.codec != 1)
          fc.Error(where + ": codec " + (m.codec >= 0 && m.codec <= 7 ? kCodecNames[m.codec] : std::to_string(m.codec)) +
                   " is not supported (only UNCOMPRESSED and SNAPPY)");
        if (m.num_values != g.num_rows) fc.Error(where + ": num_values " + std::to_string(m.num_values) + " for " + std::to_string(g.num_rows) + " rows");
        const int64_t start = m.dict_offset >= 0 ? m.dict_offset : m.data_offset;
        if (m.dict_offset >= 0 && m.dict_offset >= m.data_offset) fc.Error(where + ": dictionary_page_offset is not before data_page_offset");
        if (start < 4 || m.compressed < 0 || uint64_t(start) > footer || uint64_t(m.compressed) > footer - uint64_t(start))
          fc.Error(where + ": pages at bytes " + std::to_string(start) + "+" + std::to_string(m.compressed) + " are outside the data");
        if (m.data_offset >= start + m.compressed) fc.Error(where + ": data_page_offset is outside the column chunk");
        Cursor c(d + start, size_t(m.compressed), uint64_t(start), where);
        bool have_dict = false;
        std::vector<int64_t> dint;
        std::vector<double> ddbl;
        std::vector<std::string> dstr;
        size_t dict_n = 0, r = 0;
        const size_t rend = size_t(g.num_rows);
        while (r < rend || c.Left()) {
          if (r >= rend) c.Error("bytes after the last page");
          c.SetWhat(where + ": page header");
          const uint64_t page_at = c.Offset();
          const PageMeta p = ReadPageHeader(c);
          c.SetWhat(where + ": page at byte " + std::to_string(page_at));
          if (p.compressed < 0 || p.uncompressed < 0 || (m.codec == 0 && p.compressed != p.uncompressed) ||
              (m.codec == 1 && uint64_t(p.uncompressed) > uint64_t(p.compressed) * 22 + 16))
            c.Error("compressed_page_size " + std::to_string(p.compressed) + " / uncompressed_page_size " +
                    std::to_string(p.uncompressed) +
                    (m.codec == 0 ? " (an uncompressed page has both equal and >= 0)" : " (more than Snappy can expand to)"));
          const uint64_t page_base = c.Offset();
          const uint8_t* body = c.Take(uint64_t(p.compressed));
          if (m.codec == 1) {
            Cursor z(body, size_t(p.compressed), page_base, where + ": Snappy page at byte " + std::to_string(page_at));
            SnappyDecompress(z, size_t(p.uncompressed), &unpacked);
          }
          Cursor pg = m.codec == 1 ? Cursor(reinterpret_cast<const uint8_t*>(unpacked.data()), unpacked.size(), 0,
                                            where + ": page at byte " + std::to_string(page_at) + ", decompressed")
                                   : Cursor(body, size_t(p.compressed), page_base, where + ": page at byte " + std::to_string(page_at));
          if (p.type == kDictionaryPage) {
            if (have_dict || r > 0) pg.Error("a dictionary page that is not the chunk's first page");
            if (p.encoding != kPlain && p.encoding != kPlainDictionary) pg.Error("dictionary encoding " + std::to_string(p.encoding) + " is not PLAIN");
            if (p.num_values < 0) pg.Error("num_values " + std::to_string(p.num_values) + " is negative");
            if (pc.spec.type == ColumnType::Boolean) pg.Error("a dictionary for a BOOLEAN column");
            have_dict = true;
            dict_n = size_t(p.num_values);
            if (dict_n > pg.Left()) pg.Error(std::to_string(dict_n) + " dictionary values in " + std::to_string(pg.Left()) + " bytes");
            if (pc.spec.type == ColumnType::String) {
              for (size_t i = 0; i < dict_n; i++) {
                const uint32_t len = uint32_t(GetLe(pg.Take(4), 4));
                dstr.emplace_back(reinterpret_cast<const char*>(pg.Take(len)), len);
              }
            } else if (pc.spec.type == ColumnType::Double) {
              for (size_t i = 0; i < dict_n; i++) ddbl.push_back(BitsDouble(GetLe(pg.Take(8), 8)));
            } else {
              for (size_t i = 0; i < dict_n; i++) dint.push_back(int64_t(GetLe(pg.Take(8), 8)));
            }
            if (pg.Left()) pg.Error(std::to_string(pg.Left()) + " bytes after the dictionary's values");
            continue;
          }
          if (p.type != kDataPage)
            pg.Error(std::string("page type ") + (p.type == kDataPageV2 ? "DATA_PAGE_V2" : p.type == kIndexPage ? "INDEX_PAGE" : std::to_string(p.type)) +
                     " is not supported (only DATA_PAGE and DICTIONARY_PAGE)");
          if (p.num_values < 0 || size_t(p.num_values) > rend - r)
            pg.Error("num_values " + std::to_string(p.num_values) + " where " + std::to_string(rend - r) + " rows are left");
          const size_t n = size_t(p.num_values);
          levels.assign(n, 1);
          if (pc.spec.nullable) {
            if (p.def_encoding != kRle) pg.Error("definition_level_encoding " + std::to_string(p.def_encoding) + " is not RLE");
            const uint32_t len = uint32_t(GetLe(pg.Take(4), 4));
            Cursor lv(pg.Take(len), len, pg.Offset() - len, where + ": definition levels");
            DecodeHybrid(lv, 1, n, levels.data());
            if (lv.Left()) lv.Error(std::to_string(lv.Left()) + " bytes after the levels");
          }
          size_t nv = 0;
          for (uint32_t l : levels) nv += l;
          const size_t base = row0 + r;
          auto put_int = [&](size_t k, int64_t v) { pc.ints[base + k] = v; };
          // Values, in the rows whose level is 1.
          size_t k = 0;
          auto next_row = [&]() {
            while (!levels[k]) pc.nulls[base + k] = 1, k++;
            return k++;
          };
          if (p.encoding == kPlain) {
            if (pc.spec.type == ColumnType::Boolean) {
              const uint8_t* b = pg.Take((uint64_t(nv) + 7) / 8);
              for (size_t i = 0; i < nv; i++) put_int(next_row(), (b[i >> 3] >> (i & 7)) & 1);
            } else if (pc.spec.type == ColumnType::String) {
              for (size_t i = 0; i < nv; i++) {
                const uint32_t len = uint32_t(GetLe(pg.Take(4), 4));
                const uint8_t* s = pg.Take(len);
                pc.strings[base + next_row()].assign(reinterpret_cast<const char*>(s), len);
              }
            } else {
              if (uint64_t(nv) * 8 > pg.Left()) pg.Error(std::to_string(nv) + " PLAIN values in " + std::to_string(pg.Left()) + " bytes");
              for (size_t i = 0; i < nv; i++) {
                const uint64_t u = GetLe(pg.Take(8), 8);
                const size_t row = next_row();
                if (pc.spec.type == ColumnType::Double) pc.doubles[base + row] = BitsDouble(u);
                else put_int(row, int64_t(u));
              }
            }
          } else if (p.encoding == kRleDictionary || p.encoding == kPlainDictionary) {
            if (!have_dict) pg.Error("a dictionary-encoded page without a dictionary page");
            const int bw = pg.Byte();
            if (bw > 32) pg.Error("dictionary index bit width " + std::to_string(bw) + " is over 32");
            idx.assign(nv, 0);
            if (nv) DecodeHybrid(pg, bw, nv, idx.data());
            for (size_t i = 0; i < nv; i++) {
              if (idx[i] >= dict_n) pg.Error("dictionary index " + std::to_string(idx[i]) + " of " + std::to_string(dict_n) + " entries");
              const size_t row = next_row();
              if (pc.spec.type == ColumnType::String) {
                text += dstr[idx[i]].size();
                if (text > max_text) pg.Error("the dictionary's strings expand to over " + std::to_string(max_text) + " bytes");
                pc.strings[base + row] = dstr[idx[i]];
              } else if (pc.spec.type == ColumnType::Double) pc.doubles[base + row] = ddbl[idx[i]];
              else put_int(row, dint[idx[i]]);
            }
          } else if (p.encoding == kDeltaBinaryPacked) {
            if (pc.spec.type != ColumnType::Int64 && pc.spec.type != ColumnType::Timestamp)
              pg.Error("DELTA_BINARY_PACKED on a non-INT64 column");
            DecodeDelta(pg, nv, &deltas);
            for (size_t i = 0; i < nv; i++) put_int(next_row(), deltas[i]);
          } else
            pg.Error("encoding " + std::to_string(p.encoding) + " is not supported (PLAIN, RLE_DICTIONARY, DELTA_BINARY_PACKED)");
          while (k < n) pc.nulls[base + k] = 1, k++;  // nulls after the last value
          if (pg.Left()) pg.Error(std::to_string(pg.Left()) + " bytes after the page's values");
          r += n;
        }
        c.SetWhat(where);
        if (r != rend) c.Error("pages hold " + std::to_string(r) + " rows, the row group " + std::to_string(rend));
      }
      row0 += size_t(g.num_rows);
    }
    return table;
  } catch (const Fail& f) {
    return Status::Error(origin + ": " + f.message);
  }
}

}  // namespace fk::parquet
