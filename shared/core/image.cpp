#include "core/image.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <utility>

// stb is compiled here once, for the core only, and only this file calls it:
// DecodeImage is the one way in, and it hands stb nothing it has not checked.
// This file is compiled with -fwrapv (shared/CMakeLists.txt): stb's JPEG
// decoder sums and scales DC coefficients from the file in int, which a
// crafted file overflows; wrapping makes that garbage pixels instead of UB.
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_NO_STDIO
#define STBI_MAX_DIMENSIONS 8192  // = kMaxImageSide; a second line behind the header check
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#endif
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#include "core/file.h"

namespace fk {

static_assert(STBI_MAX_DIMENSIONS == kMaxImageSide, "stb's limit is the loader's");

namespace {

uint32_t Be16(const uint8_t* p) { return uint32_t(p[0]) << 8 | p[1]; }
uint32_t Be32(const uint8_t* p) { return Be16(p) << 16 | Be16(p + 2); }

std::string Hex(unsigned v) {
  char b[8];
  std::snprintf(b, sizeof b, "0x%02X", v & 0xFFu);
  return b;
}

// PNG: the signature, then IHDR (stb refuses any other first chunk).
Status PngSize(const uint8_t* p, size_t n, const std::string& name, uint32_t* w, uint32_t* h) {
  if (n < 24 || Be32(p + 8) != 13 || std::memcmp(p + 12, "IHDR", 4) != 0)
    return Status::Error(name + ": corrupt PNG: no IHDR chunk after the signature");
  *w = Be32(p + 16);
  *h = Be32(p + 20);
  return Status::Ok();
}

// stb_image 2.27 copies an IDAT chunk's data with memcpy even when it is
// empty, into a buffer it allocates only for a non-empty one: an empty first
// IDAT is memcpy(NULL, p, 0), undefined behaviour (a fuzzer's file). An empty
// IDAT carries no data, so a copy of the file without such chunks decodes to
// the same pixels. Returns false (no copy) when the file has none.
bool WithoutEmptyIdat(const uint8_t* p, size_t n, std::vector<uint8_t>* out) {
  std::vector<std::pair<size_t, size_t>> keep;  // byte ranges to copy
  size_t pos = 8, from = 0;
  while (n - pos >= 12) {
    const uint32_t len = Be32(p + pos);
    if (len > n - pos - 12) break;  // truncated: stb reports it
    if (len == 0 && std::memcmp(p + pos + 4, "IDAT", 4) == 0) {
      keep.emplace_back(from, pos);
      from = pos + 12;
    }
    if (std::memcmp(p + pos + 4, "IEND", 4) == 0) break;
    pos += 12 + size_t(len);
  }
  if (keep.empty()) return false;
  keep.emplace_back(from, n);
  out->clear();
  for (auto [a, b] : keep) out->insert(out->end(), p + a, p + b);
  return true;
}

class JpegChecker {
 public:
  JpegChecker(const uint8_t* p, size_t n, const std::string& name) : p_(p), n_(n), name_(name) {}
  Status Run(uint32_t* width, uint32_t* height);

 private:
  // A marker segment: the marker's offset (what messages name), its code, and
  // its body after the 2-byte length.
  struct Segment {
    size_t at;
    unsigned m;
    const uint8_t* b;
    size_t blen, len;
  };
  Status Bad(size_t at, const std::string& what) const {
    return Status::Error(name_ + ": corrupt JPEG at byte " + std::to_string(at) + ": " + what);
  }
  Status CheckSegment(const Segment& s, uint32_t* width, uint32_t* height);
  Status CheckHuffmanTables(const Segment& s);                              // DHT
  Status CheckQuantTables(const Segment& s);                                // DQT
  Status CheckFrame(const Segment& s, uint32_t* width, uint32_t* height);  // SOF0..2
  Status CheckFrameSampling(size_t at, const unsigned* hs, const unsigned* vs) const;
  Status CheckScan(const Segment& s);                                       // SOS
  Status CheckScanTables(const Segment& s, int ns, bool uses_dc, bool uses_ac) const;
  size_t SkipEntropyCoded(size_t i) const;

  const uint8_t* p_;
  size_t n_;
  const std::string& name_;
  bool dc_defined_[4] = {}, ac_defined_[4] = {}, q_defined_[4] = {};
  bool frame_ = false, progressive_ = false;
  int ncomp_ = 0, ids_[4] = {}, quant_[4] = {};
};

// Walks a JPEG's segments the way stb_image 2.27 reads them and checks what
// stb trusts: every segment fits in the file; each Huffman table has at most
// 256 codes that form a prefix code (more overflow stb's 257-entry arrays: a
// fuzzer's 136-byte file did); frame and scan headers are in range; and every
// Huffman/quantisation table a scan uses was defined before it (stb would read
// an uninitialised table). Entropy-coded bytes are skipped as stb skips them:
// up to the first 0xFF that is not stuffing (0xFF00), fill or a restart marker.
Status CheckJpeg(const uint8_t* p, size_t n, const std::string& name, uint32_t* width, uint32_t* height) {
  return JpegChecker(p, n, name).Run(width, height);
}

// The marker walk: padding and fill bytes, the markers that end or may not
// appear here, each segment's length; then the segment's own check.
Status JpegChecker::Run(uint32_t* width, uint32_t* height) {
  size_t pos = 2;  // after SOI
  for (;;) {
    if (pos >= n_) {
      // stb reports a missing scan or EOI itself; a file that ends before the
      // frame header has no size to check.
      if (!frame_) return Bad(pos, "the file ends before the frame header (SOF)");
      return Status::Ok();
    }
    if (p_[pos] != 0xFF) {
      // stb skips padding between segments before the frame header, and nowhere else.
      if (frame_) return Bad(pos, "expected a marker, found " + Hex(p_[pos]));
      pos++;
      continue;
    }
    const size_t at = pos;
    while (pos < n_ && p_[pos] == 0xFF) pos++;  // fill bytes
    if (pos >= n_) return frame_ ? Status::Ok() : Bad(at, "the file ends inside a marker");
    const unsigned m = p_[pos++];
    if (m == 0xD9) {  // EOI: stb stops reading here
      if (!frame_) return Bad(at, "end of image before the frame header (SOF)");
      return Status::Ok();
    }
    if (m == 0x00 || m == 0x01 || (m >= 0xD0 && m <= 0xD8))
      return Bad(at, "unexpected marker " + Hex(m) + " outside a scan");
    if (n_ - pos < 2) return Bad(at, "segment " + Hex(m) + " has no length");
    const size_t len = Be16(p_ + pos);
    if (len < 2) return Bad(at, "segment " + Hex(m) + " length " + std::to_string(len) + " (at least 2)");
    if (len > n_ - pos) return Bad(at, "segment " + Hex(m) + " of " + std::to_string(len) + " bytes runs past the end of the file");
    if (Status st = CheckSegment({at, m, p_ + pos + 2, len - 2, len}, width, height); !st) return st;
    // A scan's entropy-coded data follows its header.
    pos = m == 0xDA ? SkipEntropyCoded(pos + len) : pos + len;
  }
}

Status JpegChecker::CheckSegment(const Segment& s, uint32_t* width, uint32_t* height) {
  const unsigned m = s.m;
  switch (m) {
    case 0xC4: return CheckHuffmanTables(s);
    case 0xDB: return CheckQuantTables(s);
    case 0xDD:  // DRI
      if (s.len != 4) return Bad(s.at, "restart interval segment of " + std::to_string(s.len) + " bytes (4)");
      return Status::Ok();
    case 0xDC:  // DNL: stb reads it only after the frame header
      if (!frame_ || s.len != 4) return Bad(s.at, "unexpected DNL segment");
      return Status::Ok();
    case 0xC0:
    case 0xC1:
    case 0xC2: return CheckFrame(s, width, height);  // SOF: baseline, extended, progressive Huffman
    case 0xDA: return CheckScan(s);
    default:
      if ((m >= 0xE0 && m <= 0xEF) || m == 0xFE) return Status::Ok();  // APPn, COM: stb reads at most its JFIF/Adobe tags inside
      if (m >= 0xC3 && m <= 0xCF)
        return Bad(s.at, "unsupported marker " + Hex(m) + " (a lossless, hierarchical or arithmetic-coded JPEG)");
      return Bad(s.at, "unsupported marker " + Hex(m));
  }
}

// DHT: one or more tables, each at most 256 codes forming a prefix code.
Status JpegChecker::CheckHuffmanTables(const Segment& s) {
  const uint8_t* b = s.b;
  const size_t blen = s.blen, at = s.at;
  size_t i = 0;
  while (i < blen) {
    if (blen - i < 17) return Bad(at, "Huffman table header cut short by the segment's length");
    const unsigned tc = b[i] >> 4, th = b[i] & 15u;
    if (tc > 1 || th > 3) return Bad(at, "Huffman table class " + std::to_string(tc) + " id " + std::to_string(th) + " (class 0..1, id 0..3)");
    const std::string table = std::string("Huffman table ") + (tc ? "AC " : "DC ") + std::to_string(th);
    uint32_t total = 0, code = 0;
    for (int k = 0; k < 16; k++) total += b[i + 1 + size_t(k)];
    if (total > 256) return Bad(at, table + " declares " + std::to_string(total) + " codes (at most 256)");
    // Canonical codes: the codes of each length must fit in that many bits.
    for (int k = 0; k < 16; k++) {
      const uint32_t count = b[i + 1 + size_t(k)];
      code += count;
      if (code > (1u << (k + 1)))
        return Bad(at, table + ": " + std::to_string(count) + " codes of length " + std::to_string(k + 1) +
                           " do not fit (not a prefix code)");
      code <<= 1;
    }
    if (blen - i - 17 < total) return Bad(at, table + ": its " + std::to_string(total) + " symbols run past the segment");
    (tc ? ac_defined_ : dc_defined_)[th] = true;
    i += 17 + total;
  }
  return Status::Ok();
}

// DQT: one or more tables of 64 8-bit or 16-bit values.
Status JpegChecker::CheckQuantTables(const Segment& s) {
  const uint8_t* b = s.b;
  const size_t blen = s.blen, at = s.at;
  size_t i = 0;
  while (i < blen) {
    const unsigned pq = b[i] >> 4, tq = b[i] & 15u;
    if (pq > 1 || tq > 3) return Bad(at, "quantisation table precision " + std::to_string(pq) + " id " + std::to_string(tq) + " (0..1, 0..3)");
    const size_t size = pq ? 128 : 64;
    if (blen - i - 1 < size) return Bad(at, "quantisation table " + std::to_string(tq) + " cut short by the segment's length");
    q_defined_[tq] = true;
    i += 1 + size;
  }
  return Status::Ok();
}

// SOF: 8-bit samples, a size, 1, 3 or 4 components with distinct ids,
// sampling factors 1..4 and quantisation table ids 0..3.
Status JpegChecker::CheckFrame(const Segment& s, uint32_t* width, uint32_t* height) {
  const uint8_t* b = s.b;
  const size_t blen = s.blen, at = s.at, len = s.len;
  if (frame_) return Bad(at, "a second frame header");
  if (blen < 6) return Bad(at, "frame header of " + std::to_string(len) + " bytes");
  if (b[0] != 8) return Bad(at, std::to_string(b[0]) + "-bit samples (only 8-bit JPEG is supported)");
  *height = Be16(b + 1);
  *width = Be16(b + 3);
  if (*width == 0 || *height == 0)
    return Bad(at, "frame of " + std::to_string(*width) + "x" + std::to_string(*height) + " pixels (a DNL height is not supported)");
  ncomp_ = b[5];
  if (ncomp_ != 1 && ncomp_ != 3 && ncomp_ != 4) return Bad(at, "frame with " + std::to_string(ncomp_) + " components (1, 3 or 4)");
  if (blen != 6 + 3 * size_t(ncomp_)) return Bad(at, "frame header of " + std::to_string(len) + " bytes for " + std::to_string(ncomp_) + " components");
  unsigned hs[4], vs[4];
  for (int c = 0; c < ncomp_; c++) {
    const uint8_t* d = b + 6 + 3 * c;
    ids_[c] = d[0];
    hs[c] = d[1] >> 4, vs[c] = d[1] & 15u;
    quant_[c] = d[2];
    for (int k = 0; k < c; k++)
      if (ids_[k] == ids_[c]) return Bad(at, "component id " + std::to_string(ids_[c]) + " appears twice");
    if (hs[c] < 1 || hs[c] > 4 || vs[c] < 1 || vs[c] > 4)
      return Bad(at, "component " + std::to_string(ids_[c]) + " sampling " + std::to_string(hs[c]) + "x" + std::to_string(vs[c]) + " (1..4 each)");
    if (quant_[c] > 3) return Bad(at, "component " + std::to_string(ids_[c]) + " quantisation table " + std::to_string(quant_[c]) + " (0..3)");
  }
  if (Status st = CheckFrameSampling(at, hs, vs); !st) return st;
  frame_ = true;
  progressive_ = s.m == 0xC2;
  return Status::Ok();
}

// stb resamples by whole factors only: every component's sampling divides the largest.
Status JpegChecker::CheckFrameSampling(size_t at, const unsigned* hs, const unsigned* vs) const {
  unsigned hmax = 1, vmax = 1;
  for (int c = 0; c < ncomp_; c++) hmax = std::max(hmax, hs[c]), vmax = std::max(vmax, vs[c]);
  for (int c = 0; c < ncomp_; c++)
    if (hmax % hs[c] || vmax % vs[c])
      return Bad(at, "component " + std::to_string(ids_[c]) + " sampling " + std::to_string(hs[c]) + "x" +
                         std::to_string(vs[c]) + " does not divide the largest, " + std::to_string(hmax) + "x" + std::to_string(vmax));
  return Status::Ok();
}

// SOS: after the frame header, 1..ncomp components, a spectral selection and
// successive approximation that fit the frame's mode, and defined tables.
Status JpegChecker::CheckScan(const Segment& s) {
  const uint8_t* b = s.b;
  const size_t blen = s.blen, at = s.at, len = s.len;
  if (!frame_) return Bad(at, "a scan before the frame header");
  const int ns = blen ? b[0] : 0;
  if (ns < 1 || ns > ncomp_) return Bad(at, "scan of " + std::to_string(ns) + " components (frame has " + std::to_string(ncomp_) + ")");
  if (blen != 4 + 2 * size_t(ns)) return Bad(at, "scan header of " + std::to_string(len) + " bytes for " + std::to_string(ns) + " components");
  const unsigned ss = b[1 + 2 * ns], se = b[2 + 2 * ns], ah = b[3 + 2 * ns] >> 4, al = b[3 + 2 * ns] & 15u;
  if (progressive_) {
    if (ss > 63 || se > 63 || ss > se || ah > 13 || al > 13)
      return Bad(at, "progressive scan Ss " + std::to_string(ss) + " Se " + std::to_string(se) + " Ah " + std::to_string(ah) + " Al " + std::to_string(al) + " out of range");
    if (ss == 0 && se != 0) return Bad(at, "progressive scan Ss 0..Se " + std::to_string(se) + " mixes DC and AC");
    if (ss > 0 && ns != 1) return Bad(at, "progressive AC scan of " + std::to_string(ns) + " components (1)");
  } else if (ss != 0 || ah != 0 || al != 0) {
    return Bad(at, "baseline scan with Ss " + std::to_string(ss) + ", Ah " + std::to_string(ah) + ", Al " + std::to_string(al) + " (must be 0)");
  }
  // Which tables stb's decoder reads for this scan.
  const bool uses_dc = !progressive_ || (ss == 0 && ah == 0), uses_ac = !progressive_ || ss > 0;
  return CheckScanTables(s, ns, uses_dc, uses_ac);
}

// Each component a scan names is in the frame, once, and every Huffman and
// quantisation table the decoder will read for it was defined before the scan.
Status JpegChecker::CheckScanTables(const Segment& s, int ns, bool uses_dc, bool uses_ac) const {
  const uint8_t* b = s.b;
  const size_t at = s.at;
  bool seen[4] = {};
  for (int k = 0; k < ns; k++) {
    const int id = b[1 + 2 * k];
    const unsigned td = b[2 + 2 * k] >> 4, ta = b[2 + 2 * k] & 15u;
    int c = 0;
    while (c < ncomp_ && ids_[c] != id) c++;
    if (c == ncomp_) return Bad(at, "scan names component " + std::to_string(id) + ", not in the frame");
    if (seen[c]) return Bad(at, "scan names component " + std::to_string(id) + " twice");
    seen[c] = true;
    if (td > 3 || ta > 3) return Bad(at, "scan Huffman table ids " + std::to_string(td) + "/" + std::to_string(ta) + " (0..3)");
    if (uses_dc && !dc_defined_[td]) return Bad(at, "scan uses DC Huffman table " + std::to_string(td) + ", which no DHT defined before it");
    if (uses_ac && !ac_defined_[ta]) return Bad(at, "scan uses AC Huffman table " + std::to_string(ta) + ", which no DHT defined before it");
    if (!q_defined_[quant_[c]])
      return Bad(at, "component " + std::to_string(id) + " uses quantisation table " + std::to_string(quant_[c]) + ", which no DQT defined before the scan");
  }
  return Status::Ok();
}

// From byte i, the offset of the marker after a scan's entropy-coded data (or
// the end of the file).
size_t JpegChecker::SkipEntropyCoded(size_t i) const {
  while (i < n_) {
    if (p_[i] != 0xFF) { i++; continue; }
    if (i + 1 >= n_) break;
    const uint8_t c = p_[i + 1];
    if (c == 0x00 || (c >= 0xD0 && c <= 0xD7)) i += 2;  // stuffed 0xFF, restart marker
    else if (c == 0xFF) i++;                             // fill
    else break;                                          // the marker after the scan
  }
  return i;
}

}  // namespace

Result<Image> DecodeImage(const uint8_t* bytes, size_t size, const std::string& name) {
  if (size == 0) return Status::Error(name + ": empty file");
  if (size > size_t(1) << 30) return Status::Error(name + ": file larger than 1 GiB");
  static const uint8_t kPng[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  uint32_t w = 0, h = 0;
  // The header is ours to read: stb sees a file only once its size, and for a
  // JPEG every table and header it will trust, have been checked.
  Status st;
  if (size >= 8 && std::memcmp(bytes, kPng, 8) == 0) st = PngSize(bytes, size, name, &w, &h);
  else if (size >= 2 && bytes[0] == 0xFF && bytes[1] == 0xD8) st = CheckJpeg(bytes, size, name, &w, &h);
  else return Status::Error(name + ": not a PNG or JPEG image (unknown signature)");
  if (!st) return st;
  if (w == 0 || h == 0) return Status::Error(name + ": image has no pixels");
  if (w > uint32_t(kMaxImageSide) || h > uint32_t(kMaxImageSide)) {
    return Status::Error(name + ": image is " + std::to_string(w) + "x" + std::to_string(h) +
                         ", larger than the " + std::to_string(kMaxImageSide) + "x" +
                         std::to_string(kMaxImageSide) + " limit (refused before decoding)");
  }
  std::vector<uint8_t> png;
  if (bytes[0] == 0x89 && WithoutEmptyIdat(bytes, size, &png)) bytes = png.data(), size = png.size();
  int dw = 0, dh = 0, dc = 0;
  uint8_t* px = stbi_load_from_memory(bytes, int(size), &dw, &dh, &dc, 3);
  if (!px) return Status::Error(name + ": truncated or corrupt image (" + stbi_failure_reason() + ")");
  Image img(dw, dh);
  std::copy(px, px + size_t(dw) * size_t(dh) * 3, img.rgb.begin());
  stbi_image_free(px);
  return img;
}

Result<Image> LoadImage(const std::string& path) {
  auto bytes = ReadFileBytes(path);
  if (!bytes) return bytes.status();
  return DecodeImage(bytes->data(), bytes->size(), path);
}

static void AppendBytes(void* ctx, void* data, int size) {
  auto* out = static_cast<std::vector<uint8_t>*>(ctx);
  const auto* p = static_cast<const uint8_t*>(data);
  out->insert(out->end(), p, p + size);
}

std::vector<uint8_t> EncodePng(const Image& img) {
  std::vector<uint8_t> out;
  stbi_write_png_compression_level = 9;  // the bundle is small; favour size over speed
  stbi_write_png_to_func(AppendBytes, &out, img.width, img.height, 3, img.rgb.data(), img.width * 3);
  return out;
}

Status SavePng(const Image& img, const std::string& path) {
  const std::vector<uint8_t> bytes = EncodePng(img);
  if (bytes.empty()) return Status::Error(path + ": PNG encoding failed");
  std::ofstream f(path, std::ios::binary);
  if (!f) return Status::Error(path + ": cannot write");
  f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!f) return Status::Error(path + ": write failed");
  return Status::Ok();
}

std::vector<float> ToGray(const Image& img) {
  std::vector<float> g(size_t(img.width) * size_t(img.height));
  for (size_t i = 0; i < g.size(); i++) {
    const uint8_t* p = &img.rgb[i * 3];
    g[i] = (0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]) * (1.0f / 255.0f);
  }
  return g;
}

}  // namespace fk

namespace fk {
void DrawRect(Image* img, float left, float top, float width, float height, uint8_t r, uint8_t g, uint8_t b) {
  const int x0 = int(left), y0 = int(top), x1 = int(left + width), y1 = int(top + height);
  auto put = [&](int x, int y) {
    if (x < 0 || y < 0 || x >= img->width || y >= img->height) return;
    uint8_t* p = img->At(x, y);
    p[0] = r;
    p[1] = g;
    p[2] = b;
  };
  for (int x = x0; x <= x1; x++) {
    put(x, y0);
    put(x, y1);
  }
  for (int y = y0; y <= y1; y++) {
    put(x0, y);
    put(x1, y);
  }
}
}  // namespace fk
